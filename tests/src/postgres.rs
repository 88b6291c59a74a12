//! Throwaway Postgres databases for tests: is a server reachable, create a uniquely named
//! database, drop it (with `FORCE`, so the server's pooled connections do not block it).

use sqlx::Connection as _;
use sqlx::postgres::PgConnection;
use std::io::Write as _;
use std::time::Duration;
use tokio::sync::OnceCell;

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The maintenance database URL tests connect to in order to create their own.
pub fn admin_url() -> String {
    std::env::var("DIALBOOK_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// The URL of database `name` on the same server.
pub fn database_url(name: &str) -> String {
    let admin = admin_url();
    let (server, _) = admin.rsplit_once('/').expect("a postgres URL has a /database part");
    format!("{server}/{name}")
}

/// Whether the test Postgres answers (checked once per test binary).
pub async fn postgres_available() -> bool {
    static AVAILABLE: OnceCell<bool> = OnceCell::const_new();
    *AVAILABLE
        .get_or_init(|| async {
            let attempt = tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(&admin_url())).await;
            match attempt {
                Ok(Ok(conn)) => {
                    let _ = conn.close().await;
                    true
                }
                _ => false,
            }
        })
        .await
}

/// `true` when the Postgres half of `test` should run. Without Postgres: fails under
/// `CI=true`, else says loudly that the test was skipped.
pub async fn postgres_or_skip(test: &str) -> bool {
    if postgres_available().await {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("Postgres required in CI (CI=true), but {} is unreachable: {test}", admin_url());
    }
    // Straight to the stderr handle: libtest captures `eprintln!` of passing tests, and a
    // skip must be seen.
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED (no Postgres): {test} ***\n");
    false
}

pub async fn create_database(name: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(&admin_url()).await?;
    sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await?;
    conn.close().await
}

pub async fn drop_database(name: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(&admin_url()).await?;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn).await?;
    conn.close().await
}

/// Drops the database from synchronous code (a `Drop` impl), on a thread of its own so it
/// works whether or not the caller is inside a Tokio runtime.
pub fn drop_database_blocking(name: &str) {
    let name = name.to_owned();
    let joined = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        rt.block_on(drop_database(&name))
    })
    .join();
    match joined {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("warning: could not drop a test database: {e}"),
        Err(_) => eprintln!("warning: dropping a test database panicked"),
    }
}
