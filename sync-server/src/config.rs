//! Server settings, read once at start from command-line flags or environment variables.
//!
//! Owns only the shape and defaults of the settings; it opens no files and no sockets.
//! Everything that acts on a setting (database, listener, TLS) lives with that action.

use std::net::SocketAddr;
use std::path::PathBuf;

/// 16 MiB: room for a first sync push of a few thousand lead documents, small enough
/// that one client cannot make the server buffer gigabytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    /// Database URL: `sqlite://path/to/file.db` (the default; the file and its folder are
    /// created if missing) or `postgres://user@host/db` for several server instances.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://dialbook-data/dialbook.db",
        global = true
    )]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "DIALBOOK_LISTEN", default_value = "0.0.0.0:8080", global = true)]
    pub listen: SocketAddr,

    /// Folder with the built PWA (index.html, sw.js, …), served for every path outside
    /// `/api` and `/health`. Without it the server answers the API only.
    #[arg(long, env = "DIALBOOK_STATIC_DIR", global = true)]
    pub static_dir: Option<PathBuf>,

    /// PEM certificate chain; with `--tls-key`, the server speaks HTTPS itself.
    #[arg(long, env = "DIALBOOK_TLS_CERT", requires = "tls_key", global = true)]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for `--tls-cert`.
    #[arg(long, env = "DIALBOOK_TLS_KEY", requires = "tls_cert", global = true)]
    pub tls_key: Option<PathBuf>,

    /// Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy in front of this
    /// server. Leave off when clients connect directly: they could forge the headers.
    #[arg(
        long,
        env = "DIALBOOK_TRUST_PROXY",
        default_value_t = false,
        value_parser = clap::builder::BoolishValueParser::new(),
        global = true
    )]
    pub trust_proxy: bool,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "DIALBOOK_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES, global = true)]
    pub max_body_bytes: usize,

    /// Password for the first admin, used only when the database has no users yet.
    /// Without it a random password is generated and printed once.
    #[arg(long, env = "DIALBOOK_ADMIN_PASSWORD", hide_env_values = true, global = true)]
    pub admin_password: Option<String>,

    /// The team's time zone (IANA name), for "today", follow-ups and messages.
    #[arg(long, env = "DIALBOOK_TIME_ZONE", default_value = "Asia/Kolkata", global = true)]
    pub time_zone: String,
}

impl Config {
    /// Settings for a test server: the given database, an ephemeral port on loopback,
    /// no static files, no TLS, no proxy.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            static_dir: None,
            tls_cert: None,
            tls_key: None,
            trust_proxy: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            admin_password: None,
            time_zone: "Asia/Kolkata".to_owned(),
        }
    }

    /// Whether the server terminates TLS itself.
    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// The team's time zone, parsed (`build_state` refuses to start without a valid one).
    pub fn tz(&self) -> Result<chrono_tz::Tz, dialbook_core::ParseError> {
        dialbook_core::rules::parse_time_zone(&self.time_zone).map(|zone| zone.tz())
    }
}
