//! Dialbook's server: accounts and device sessions, the batched sync endpoints, lead
//! administration, and the built PWA, in one binary over SQLite or Postgres.
//!
//! This file wires the areas together: [`app`] builds the router (tests drive it without a
//! socket), [`build_state`] opens and migrates the database, [`serve`] and [`run`] put it
//! on the network. Each area (`auth`, `users`, `sync`, `leads`) owns its routes through
//! its own `router()`; nothing here knows what a lead or a session is.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod leads;
pub mod state;
pub mod sync;
pub mod users;

pub use config::Config;
pub use db::{Backend, Db, WriteTx};
pub use error::ApiError;
pub use state::AppState;

use anyhow::Context as _;
use axum::Router;
use axum::extract::{DefaultBodyLimit, OriginalUri, Request};
use axum::http::Method;
use axum::routing::get;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultMakeSpan, TraceLayer};

/// After a shutdown signal, connections get this long to finish. Long-lived streams (live
/// sync pokes) never finish by themselves, so without a limit shutdown would hang.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The whole HTTP application: `/api/*` (JSON), `/health`, and the PWA for everything
/// else when `static_dir` is set.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(sync::router())
        .merge(leads::router())
        // Without its own fallback, an unknown `/api/...` path would get the PWA's
        // index.html; API clients must get a JSON 404 instead.
        .fallback(unknown_route);

    let router = Router::new().nest("/api", api).route("/health", get(http::health::health));
    let router = match state.config.static_dir.clone() {
        Some(dir) => {
            let dir: Arc<Path> = dir.into();
            router.fallback(move |req: Request| {
                let dir = dir.clone();
                async move { http::static_files::serve(&dir, req).await }
            })
        }
        None => router.fallback(unknown_route),
    };

    router
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::guard::guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::middleware::json_errors))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                // 5xx are logged, with their cause, by `json_errors`.
                .on_failure(()),
        )
        .with_state(state)
}

async fn unknown_route(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound(format!("There is no endpoint {method} {}. Check the address.", uri.path()))
}

/// Connects to the database and brings its schema up to date. Used by `build_state` and
/// by the maintenance commands, which must not create users as a side effect.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let shown = db::redact(&config.database_url);
    let db = Db::connect(&config.database_url).await.with_context(|| format!("cannot open the database {shown}"))?;
    db.migrate().await.with_context(|| format!("cannot migrate the database {shown}"))?;
    Ok(db)
}

/// Everything the server needs before it accepts a connection: a checked configuration,
/// a migrated database, and (on a fresh install) the first admin.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    config.tz().context("check DIALBOOK_TIME_ZONE")?;
    if let Some(dir) = &config.static_dir
        && !dir.join("index.html").is_file()
    {
        tracing::warn!(dir = %dir.display(), "the static folder has no index.html; the app will not load");
    }
    let db = open_db(&config).await?;
    users::first_admin::ensure(&db, &config).await.context("cannot create the first admin")?;
    sync::initialise(&db).await.map_err(|e| anyhow::anyhow!("{e:?}")).context("cannot prepare the sync tables")?;
    let state = AppState::new(db, config);
    if state.db.backend == Backend::Postgres {
        sync::poke::spawn_pg_listener(state.config.database_url.clone(), state.pokes.clone());
    }
    Ok(state)
}

/// Serves plain HTTP on `listener` until `shutdown` resolves, then lets open requests
/// finish for up to [`SHUTDOWN_GRACE`].
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    let pokes = state.pokes.clone();
    let signal = async move {
        shutdown.await;
        // Live event streams never end by themselves: end them so shutdown needn't wait.
        pokes.close();
        let _ = stopping_tx.send(true);
    };
    let server = axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(signal)
        .into_future();
    let grace_over = async move {
        if stopping.wait_for(|s| *s).await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result.context("the HTTP server failed")?,
        () = grace_over => tracing::warn!("closed connections still open {} s after shutdown began", SHUTDOWN_GRACE.as_secs()),
    }
    Ok(())
}

/// Runs the server as configured: binds `config.listen`, speaks HTTPS when a certificate
/// and key are given, and stops gracefully on Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
        (None, None) => None,
        _ => anyhow::bail!("--tls-cert and --tls-key must be given together"),
    };
    let listen = config.listen;
    let state = build_state(config).await?;

    match tls {
        None => {
            let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
            announce("http", listener.local_addr()?);
            serve(state, listener, shutdown_signal()).await
        }
        Some((cert, key)) => {
            // Several crates may ask for a provider; only the first install counts.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key).await.with_context(|| {
                format!("cannot load the TLS certificate {} and key {}", cert.display(), key.display())
            })?;
            let listener = std::net::TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
            listener.set_nonblocking(true)?;
            announce("https", listener.local_addr()?);
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                stopper.graceful_shutdown(Some(SHUTDOWN_GRACE));
            });
            axum_server::from_tcp_rustls(listener, tls)?
                .handle(handle)
                .serve(app(state).into_make_service_with_connect_info::<SocketAddr>())
                .await
                .context("the HTTPS server failed")
        }
    }
}

/// Printed to stdout as well as logged: scripts (and the integration tests) wait for it.
fn announce(scheme: &str, addr: SocketAddr) {
    println!("Dialbook listening on {scheme}://{addr}");
    tracing::info!(%addr, scheme, "listening");
}

/// Ctrl-C, or SIGTERM (what `docker stop` and systemd send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    //! The router driven without a socket, as handler tests do: there is no connect info,
    //! so the client's address is unknown, and logins must still work and be limited.

    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    fn login(password: &str) -> Request<Body> {
        let body = serde_json::json!({ "username": "admin", "password": password, "device_name": "test" });
        Request::post("/api/login").header("content-type", "application/json").body(Body::from(body.to_string())).unwrap()
    }

    #[tokio::test]
    async fn logins_work_through_the_router_without_a_client_address() {
        // Arrange
        let dir = std::env::temp_dir().join(format!("dialbook-router-{}-{:x}", std::process::id(), rand::random::<u64>()));
        let mut config = Config::for_tests(format!("sqlite://{}/dialbook.db", dir.display()));
        config.admin_password = Some("router-test-password".to_owned());
        let state = build_state(config).await.unwrap();

        // Act
        let wrong = app(state.clone()).oneshot(login("not-it")).await.unwrap();
        let right = app(state.clone()).oneshot(login("router-test-password")).await.unwrap();
        let unknown = app(state.clone()).oneshot(Request::get("/api/nope").body(Body::empty()).unwrap()).await.unwrap();

        // Assert
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(right.status(), StatusCode::OK);
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        state.db.pool.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
