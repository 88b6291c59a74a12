//! An in-process server on a fresh database, listening on `127.0.0.1:<random port>`, with
//! helpers for the steps most tests start with (log in, create a user).

use crate::api::{Api, Reply};
use crate::postgres;
use dialbook_core::{Role, UserId};
use dialbook_server::{AppState, Backend, Config};
use serde_json::json;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_USERNAME: &str = "admin";
/// The first admin's password on every test server.
pub const ADMIN_PASSWORD: &str = "test-admin-password";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// A logged-in device.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub session_id: i64,
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
}

pub struct TestServer {
    pub base_url: String,
    pub backend: Backend,
    pub db_url: String,
    /// The server's state, for tests that look at the database directly.
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    db: Option<TestDatabase>,
}

/// Where a test's data lives; removed when dropped.
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    _dir: Option<TempDir>,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// A fresh, empty database: a file in a new temp folder, or a new Postgres database
    /// named `dialbook_t_<random>`.
    pub async fn create(backend: TestBackend) -> Self {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temp dir");
                let url = format!("sqlite://{}", dir.path().join("dialbook.db").display());
                Self { url, backend: Backend::Sqlite, _dir: Some(dir), pg_name: None }
            }
            TestBackend::Postgres => {
                let name = format!("dialbook_t_{:016x}", rand::random::<u64>());
                postgres::create_database(&name).await.expect("creating the test database");
                Self { url: postgres::database_url(&name), backend: Backend::Postgres, _dir: None, pg_name: Some(name) }
            }
        }
    }

    /// The Postgres database's name (`None` for SQLite).
    pub fn pg_name(&self) -> Option<&str> {
        self.pg_name.as_deref()
    }

    /// Drops the Postgres database now (the SQLite folder goes with `self`).
    pub async fn remove(mut self) {
        if let Some(name) = self.pg_name.take() {
            postgres::drop_database(&name).await.expect("dropping the test database");
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            postgres::drop_database_blocking(&name);
        }
    }
}

impl TestServer {
    /// A server on a fresh database whose first admin is `admin` / [`ADMIN_PASSWORD`].
    pub async fn start(backend: TestBackend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    /// Like [`TestServer::start`], with settings adjusted by `configure` first.
    pub async fn start_with(backend: TestBackend, configure: impl FnOnce(&mut Config)) -> Self {
        // Server logs (internal errors above all) go to the test's captured output, so a
        // failing test shows why the server answered 500.
        let _ = tracing_subscriber::fmt().with_env_filter("warn,dialbook_server=info").with_test_writer().try_init();
        let db = TestDatabase::create(backend).await;
        let mut config = Config::for_tests(db.url.clone());
        config.admin_password = Some(ADMIN_PASSWORD.to_owned());
        configure(&mut config);
        let state = dialbook_server::build_state(config).await.expect("building the server state");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("a bound address");
        let (shutdown, stop) = oneshot::channel::<()>();
        let served = state.clone();
        let task = tokio::spawn(async move {
            let stopped = async {
                let _ = stop.await;
            };
            dialbook_server::serve(served, listener, stopped).await.expect("the test server runs");
        });

        Self {
            base_url: format!("http://{addr}"),
            backend: db.backend,
            db_url: db.url.clone(),
            state,
            shutdown: Some(shutdown),
            task: Some(task),
            db: Some(db),
        }
    }

    /// Where this server's data lives.
    pub fn database(&self) -> &TestDatabase {
        self.db.as_ref().expect("the database exists until stop()")
    }

    /// An anonymous client.
    pub fn api(&self) -> Api {
        Api::new(&self.base_url)
    }

    /// A client acting as `session`.
    pub fn api_as(&self, session: &Session) -> Api {
        self.api().with_token(&session.token)
    }

    pub async fn try_login(&self, username: &str, password: &str, device: &str) -> Reply {
        self.api()
            .post("/api/login", &json!({ "username": username, "password": password, "device_name": device }))
            .await
    }

    /// Logs in, or panics with the server's answer.
    pub async fn login(&self, username: &str, password: &str, device: &str) -> Session {
        let reply = self.try_login(username, password, device).await;
        let body = reply.ok();
        Session {
            token: body["token"].as_str().expect("a token").to_owned(),
            session_id: body["session_id"].as_i64().expect("a session id"),
            user_id: UserId(body["user"]["id"].as_i64().expect("a user id")),
            username: body["user"]["username"].as_str().expect("a username").to_owned(),
            role: Role::parse(body["user"]["role"].as_str().expect("a role")).expect("a known role"),
        }
    }

    /// The first admin, logged in on a device called "admin laptop".
    pub async fn login_admin(&self) -> Session {
        self.login(ADMIN_USERNAME, ADMIN_PASSWORD, "admin laptop").await
    }

    /// Creates a user through the admin API; returns their id and password.
    pub async fn create_user(&self, admin_token: &str, username: &str, role: Role) -> (UserId, String) {
        let password = format!("pw-{username}-{:08x}", rand::random::<u32>());
        let reply = self
            .api()
            .with_token(admin_token)
            .post(
                "/api/admin/users",
                &json!({ "username": username, "display_name": username, "password": password, "role": role.as_str() }),
            )
            .await;
        assert_eq!(reply.status, reqwest::StatusCode::CREATED, "creating {username}: {}", reply.text);
        (UserId(reply.json["id"].as_i64().expect("a user id")), password)
    }

    /// Stops the server gracefully, closes its database connections and removes the
    /// database. Dropping a `TestServer` does the same, less gently.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the server task ends cleanly");
        }
        self.state.db.pool.close().await;
        if let Some(db) = self.db.take() {
            db.remove().await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        // `self.db` drops after this, removing the database (`WITH (FORCE)` on Postgres
        // closes the connections the aborted server still holds).
    }
}
