//! Turning the configured SQLite URL into one that opens (and if need be creates) the
//! database file, after creating its folder. A fresh install then needs no setup step.

use std::path::Path;

/// Creates the folder of the database file and adds `mode=rwc` (create if missing) unless
/// the URL already chooses a mode. In-memory databases are passed through.
pub(super) fn prepare(url: &str) -> Result<String, sqlx::Error> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let has_mode = query.is_some_and(|q| q.split('&').any(|kv| kv.starts_with("mode=")));
    let in_memory = path.is_empty() || path == ":memory:" || query.is_some_and(|q| q.contains("mode=memory"));
    if in_memory {
        return Ok(url.to_owned());
    }
    if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            sqlx::Error::Configuration(
                format!("cannot create the database folder {}: {e}", parent.display()).into(),
            )
        })?;
    }
    Ok(match (has_mode, query) {
        (true, _) => url.to_owned(),
        (false, Some(_)) => format!("{url}&mode=rwc"),
        (false, None) => format!("{url}?mode=rwc"),
    })
}

#[cfg(test)]
mod tests {
    use super::prepare;

    #[test]
    fn a_relative_file_url_gets_its_folder_and_create_mode() {
        let dir = std::env::temp_dir().join(format!("dialbook-url-test-{}", std::process::id()));
        let url = format!("sqlite://{}/sub/x.db", dir.display());
        let prepared = prepare(&url).unwrap();
        assert_eq!(prepared, format!("{url}?mode=rwc"));
        assert!(dir.join("sub").is_dir());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_explicit_mode_and_memory_urls_are_left_alone() {
        assert_eq!(prepare("sqlite::memory:").unwrap(), "sqlite::memory:");
        let dir = std::env::temp_dir();
        let url = format!("sqlite://{}/y.db?mode=ro", dir.display());
        assert_eq!(prepare(&url).unwrap(), url);
    }
}
