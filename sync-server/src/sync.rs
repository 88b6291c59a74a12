//! The sync endpoints (DESIGN.md, "Sync protocol"): batched push, cursor pull, live
//! pokes, and the per-doc fallback. Bodies are the binary messages of
//! `dialbook_core::protocol::wire`; errors are the usual JSON.

mod body;
pub mod cache;
pub mod commit;
mod docsync;
pub mod poke;
mod pull;
pub mod push;
pub mod store;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use sqlx::AnyConnection;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push::push))
        .route("/sync/pull", post(pull::pull))
        .route("/sync/doc", post(docsync::doc_sync))
        .route("/sync/events", get(poke::events))
}

/// This database's epoch: a random number chosen when it was created, carried in every
/// pull cursor so a cursor from another database is recognised.
pub async fn epoch(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let v: Option<String> = sqlx::query_scalar("SELECT value FROM server_meta WHERE key = 'epoch'").fetch_optional(&mut *conn).await?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// First start of a database: choose its epoch and create the team document. Safe to run
/// on every start and from several instances at once.
pub async fn initialise(db: &crate::db::Db) -> Result<(), crate::error::ApiError> {
    let mut tx = db.write_tx().await?;
    store::lock_log(tx.conn(), db.backend).await?;
    let epoch: u64 = rand::random::<u64>() >> 12; // fits in an f64 and a JS number
    sqlx::query("INSERT INTO server_meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING")
        .bind(epoch.to_string())
        .execute(&mut *tx.conn())
        .await?;
    let team = dialbook_core::DocId::Team;
    if store::load(tx.conn(), &team).await?.is_none() {
        let mut doc = dialbook_core::team::initial_team_doc();
        let changes = doc.get_changes(&[]);
        let snapshot = doc.save();
        store::append(
            tx.conn(),
            store::Append {
                id: &team,
                snapshot: &snapshot,
                new_changes: &changes,
                before: None,
                lead: None,
                existed: false,
                pushed_by: None,
                pushed_session: None,
                now_ms: crate::clock::now_ms(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
