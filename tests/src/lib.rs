//! Cross-part tests: the server over real HTTP on a fresh database per test, on SQLite and
//! on Postgres, plus native sync clients built on core.
//!
//! The harness starts the server in-process ([`TestServer`]) or, for behaviour of the
//! shipped program (signals, start-up output), as the real `dialbook-server` binary
//! ([`ServerProcess`], located or built by [`server_binary`]). It owns no assertions about
//! product behaviour; those live in `tests/*.rs`, named for the behaviour.
//!
//! Postgres: tests reach `postgres://postgres@127.0.0.1:5432/postgres` (override with
//! `DIALBOOK_TEST_POSTGRES_URL`) and create one database per test. Without Postgres a
//! test's Postgres half prints `SKIPPED (no Postgres): <name>` and passes, except with
//! `CI=true`, where it fails.

pub mod api;
pub mod client;
pub mod hostile;
pub mod postgres;
pub mod process;
pub mod server;

pub use api::{Api, Reply};
pub use dialbook_server::Backend;
pub use postgres::{postgres_available, postgres_or_skip};
pub use process::{ServerProcess, server_binary};
pub use reqwest::StatusCode;
pub use server::{ADMIN_PASSWORD, ADMIN_USERNAME, Session, TestBackend, TestDatabase, TestServer};

/// Runs each named `async fn case(backend: TestBackend)` as two tests, `case::sqlite`
/// and `case::postgres`:
///
/// ```ignore
/// async fn first_admin_can_log_in(backend: TestBackend) { ... }
/// dialbook_tests::on_both_backends!(first_admin_can_log_in, wrong_password_is_refused);
/// ```
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case($crate::TestBackend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::postgres_or_skip(module_path!()).await {
                    return;
                }
                super::$case($crate::TestBackend::Postgres).await;
            }
        }
    )+};
}
