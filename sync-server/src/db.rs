//! The database handle: one sqlx `AnyPool` over SQLite (the embedded default) or Postgres
//! (several server instances), the embedded migrations, and write transactions.
//!
//! Owns connecting, migrating and the write-transaction discipline, nothing about users or
//! leads: each area writes its own SQL. That SQL must run unchanged on both backends:
//! `$1` placeholders, times as BIGINT unix milliseconds, ids BIGINT, booleans BIGINT 0/1
//! (SQLite's BOOLEAN does not decode through the Any driver), `RETURNING` instead of
//! last-insert-id (which the Any driver does not report for SQLite).
//!
//! On SQLite **every write goes through [`Db::write_tx`]**, even a single statement: a
//! deferred transaction that reads and then writes cannot wait for another writer (SQLite
//! answers `SQLITE_BUSY` at once rather than deadlock), so writers queue on an in-process
//! mutex instead. Reads use `db.pool` directly and run in parallel with writes (WAL).

mod sqlite_url;
mod write_tx;

pub use write_tx::WriteTx;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Duration;

/// Which database the URL points at. Decides the migrations folder and the write
/// discipline; queries themselves are shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL {:?}: use sqlite://path/to/file.db or postgres://user@host/db",
                    redact(url)
                )
                .into(),
            ))
        }
    }
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Serialises write transactions on SQLite; unused on Postgres.
    write_lock: Arc<tokio::sync::Mutex<()>>,
}

/// Applied to every new SQLite connection. WAL lets readers run beside the one writer;
/// NORMAL is durable across application crashes (only a power cut can lose the last
/// commits) and much faster than FULL on phones' and small servers' flash storage.
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
];

impl Db {
    /// Connects to `url`. For SQLite the file and its folder are created if missing.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let pool = match backend {
            Backend::Sqlite => {
                let url = sqlite_url::prepare(url)?;
                AnyPoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            for pragma in SQLITE_PRAGMAS {
                                conn.execute(*pragma).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?
            }
        };
        Ok(Self { pool, backend, write_lock: Arc::new(tokio::sync::Mutex::new(())) })
    }

    /// Brings the schema up to date with the migrations embedded at compile time
    /// (`migrations/sqlite` or `migrations/postgres`). On Postgres, sqlx takes an advisory
    /// lock, so several instances starting together migrate once.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => sqlx::migrate!("../migrations/postgres").run(&self.pool).await,
        }
    }

    /// Starts a write transaction. On SQLite this first waits for the process-wide write
    /// lock, held until the transaction commits, rolls back or is dropped.
    ///
    /// ```ignore
    /// let mut tx = state.db.write_tx().await?;
    /// sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
    ///     .bind(name)
    ///     .bind(id.0)
    ///     .execute(tx.conn())
    ///     .await?;
    /// tx.commit().await?;
    /// ```
    pub async fn write_tx(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        // Lock first, then take a connection: waiting writers must not sit on pool slots
        // that readers need.
        let tx = self.pool.begin().await?;
        Ok(WriteTx::new(tx, guard))
    }

    /// A cheap round trip, for the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.pool.execute("SELECT 1").await.map(|_| ())
    }
}

/// Whether the error is a UNIQUE constraint violation (on either backend), so a handler
/// can answer 409 instead of 500.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or("");
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}
