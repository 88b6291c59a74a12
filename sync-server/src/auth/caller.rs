//! The `Caller` and `AdminCaller` extractors: the session behind a request's bearer token.
//!
//! A handler that takes `Caller` runs only for a live session of an enabled user; one that
//! takes `AdminCaller` only for an admin's. Put them first among a handler's arguments so a
//! stranger gets 401/403 before the body is even read.

use crate::auth::{session_store, token};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use dialbook_core::{Role, UserId};
use sqlx::Row;

/// `last_seen_at` is written at most this often per session, so reads stay reads.
const LAST_SEEN_RESOLUTION_MS: i64 = 60_000;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
    pub session_id: i64,
    pub device_name: String,
    pub username: String,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A caller whose role is admin.
#[derive(Debug, Clone)]
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let token = token::bearer(&parts.headers).ok_or_else(|| {
            ApiError::Unauthorized("Log in first: this request carries no `Authorization: Bearer` token.".to_owned())
        })?;
        let row = sqlx::query(
            "SELECT s.id, s.user_id, s.device_name, s.last_seen_at, s.revoked_at, u.username, u.role, u.disabled
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1",
        )
        .bind(token::hash_token(token))
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("This login is not valid. Log in again.".to_owned()))?;

        let revoked_at: Option<i64> = row.try_get("revoked_at")?;
        if revoked_at.is_some() {
            return Err(ApiError::Unauthorized(
                "This device has been signed out (from another device or by an admin). Log in again.".to_owned(),
            ));
        }
        let disabled: i64 = row.try_get("disabled")?;
        if disabled != 0 {
            return Err(ApiError::Unauthorized("This account has been disabled. Ask your admin.".to_owned()));
        }
        let role: String = row.try_get("role")?;
        let caller = Caller {
            user_id: UserId(row.try_get("user_id")?),
            role: Role::parse(&role).map_err(ApiError::internal)?,
            session_id: row.try_get("id")?,
            device_name: row.try_get("device_name")?,
            username: row.try_get("username")?,
        };

        let last_seen: i64 = row.try_get("last_seen_at")?;
        let now = now_ms();
        if now - last_seen >= LAST_SEEN_RESOLUTION_MS {
            spawn_touch(state, caller.session_id, now);
        }
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.role != Role::Admin {
            return Err(ApiError::Forbidden("Only an admin can do this.".to_owned()));
        }
        Ok(AdminCaller(caller))
    }
}

/// Records the session's last use in the background: the request should not wait for the
/// (on SQLite, shared) write lock just to update a "last seen" time.
fn spawn_touch(state: &AppState, session_id: i64, now: i64) {
    let db = state.db.clone();
    tokio::spawn(async move {
        let result = async {
            let mut tx = db.write_tx().await?;
            session_store::touch(tx.conn(), session_id, now, now - LAST_SEEN_RESOLUTION_MS).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(session_id, error = %e, "could not record the session's last use");
        }
    });
}
