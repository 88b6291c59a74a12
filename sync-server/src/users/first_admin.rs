//! Getting the first admin onto a fresh install, and back in after a lost password: the
//! start-up bootstrap (no users yet → create `admin`) and the `create-admin` command.

use crate::auth::{password, session_store};
use crate::config::Config;
use crate::clock::now_ms;
use crate::db::{Db, is_unique_violation};
use crate::error::ApiError;
use crate::users::input::{DisplayName, Password, Username};
use crate::users::store;
use dialbook_core::{Role, UserId};
use rand::Rng;

pub const FIRST_ADMIN_USERNAME: &str = "admin";

/// No look-alike characters (0/O, 1/l/I): people copy this from a terminal to a phone.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// If the database has no users, creates `admin` with `config.admin_password` (or a
/// random password) and prints how to log in. Returns whether an admin was created.
pub async fn ensure(db: &Db, config: &Config) -> Result<bool, ApiError> {
    if store::count(&db.pool).await? > 0 {
        return Ok(false);
    }
    let (plain, generated) = match &config.admin_password {
        Some(p) => (p.clone(), false),
        None => (random_password(), true),
    };
    let checked = Password::parse(&plain).map_err(|e| {
        ApiError::bad_request("weak_password", format!("DIALBOOK_ADMIN_PASSWORD is not usable: {e}"))
    })?;
    let hash = password::hash(checked.into_inner()).await?;
    let username = Username::parse(FIRST_ADMIN_USERNAME)?;

    let mut tx = db.write_tx().await?;
    if store::count(tx.conn()).await? > 0 {
        return Ok(false);
    }
    let display = DisplayName::parse("Admin")?;
    match store::insert(tx.conn(), &username, &display, &hash, Role::Admin, now_ms()).await {
        Ok(_) => {}
        // Another instance sharing this Postgres created it a moment ago.
        Err(e) if is_unique_violation(&e) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;

    let shown = if generated { plain } else { "(the one set in DIALBOOK_ADMIN_PASSWORD)".to_owned() };
    print_box(&[
        format!("First admin created — username: {FIRST_ADMIN_USERNAME}  password: {shown}"),
        format!("Log in at {} and change it.", login_url(config)),
    ]);
    tracing::info!(username = FIRST_ADMIN_USERNAME, "first admin created");
    Ok(true)
}

/// What `create-admin` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminCreated {
    Created(UserId),
    /// `--reset` on an existing user: now an enabled admin with the new password, and
    /// signed out everywhere.
    Reset(UserId),
}

/// Creates an admin, or with `reset` turns an existing user into an enabled admin with
/// this password (the way back in when every admin password is lost).
pub async fn create_admin(db: &Db, username: &str, plain: &str, reset: bool) -> Result<AdminCreated, ApiError> {
    let username = Username::parse(username)?;
    let hash = password::hash(Password::parse(plain)?.into_inner()).await?;
    let now = now_ms();
    let mut tx = db.write_tx().await?;
    let outcome = match store::id_by_username(tx.conn(), &username).await? {
        None => {
            let display = DisplayName::parse(username.as_str())?;
            AdminCreated::Created(store::insert(tx.conn(), &username, &display, &hash, Role::Admin, now).await?)
        }
        Some(id) if reset => {
            let current = store::get(tx.conn(), id).await?.ok_or_else(|| ApiError::internal_msg("user vanished"))?;
            store::set_profile(tx.conn(), id, &current.display_name, Role::Admin, false, now).await?;
            store::set_password(tx.conn(), id, &hash, now).await?;
            session_store::revoke_all(tx.conn(), id, None, now).await?;
            AdminCreated::Reset(id)
        }
        Some(_) => {
            return Err(ApiError::conflict(
                "username_taken",
                format!(
                    "A user {:?} already exists. Pass --reset to make them an admin with this password.",
                    username.as_str()
                ),
            ));
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

fn random_password() -> String {
    let mut rng = rand::rng();
    (0..16).map(|_| PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())] as char).collect()
}

/// Where a person on the same network should point their browser.
fn login_url(config: &Config) -> String {
    let scheme = if config.tls_enabled() { "https" } else { "http" };
    let ip = config.listen.ip();
    let host = if ip.is_unspecified() || ip.is_loopback() {
        "localhost".to_owned()
    } else if ip.is_ipv6() {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    format!("{scheme}://{host}:{}/", config.listen.port())
}

/// Printed to stdout, not only logged: with JSON logs or a log filter the operator would
/// otherwise never see the password.
fn print_box(lines: &[String]) {
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let rule = "─".repeat(width + 2);
    let mut out = format!("\n┌{rule}┐\n");
    for line in lines {
        out.push_str(&format!("│ {line:<width$} │\n"));
    }
    out.push_str(&format!("└{rule}┘\n"));
    println!("{out}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_and_unambiguous() {
        let p = random_password();
        assert_eq!(p.chars().count(), 16);
        assert!(p.chars().all(|c| !"0O1lI".contains(c)));
        assert!(Password::parse(&p).is_ok());
    }
}
