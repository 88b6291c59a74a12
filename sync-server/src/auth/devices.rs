//! A user's own devices: list the sessions they are logged in on, sign one out (a lost
//! phone, a shared computer).

use crate::auth::{Caller, session_store};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

#[derive(Serialize)]
pub struct OwnSession {
    #[serde(flatten)]
    pub session: session_store::SessionView,
    /// The device making this request.
    pub current: bool,
}

#[derive(Serialize)]
pub struct OwnSessions {
    pub sessions: Vec<OwnSession>,
}

pub async fn list_own(State(state): State<AppState>, caller: Caller) -> Result<Json<OwnSessions>, ApiError> {
    let sessions = session_store::list_active(&state.db.pool, caller.user_id)
        .await?
        .into_iter()
        .map(|s| OwnSession { current: s.id == caller.session_id, session: s })
        .collect();
    Ok(Json(OwnSessions { sessions }))
}

pub async fn revoke_own(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    // Someone else's session answers exactly like a missing one.
    if session_store::owner(&state.db.pool, id).await? != Some(caller.user_id) {
        return Err(ApiError::NotFound(format!("You have no device session {id}.")));
    }
    let mut tx = state.db.write_tx().await?;
    session_store::revoke(tx.conn(), id, now_ms()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
