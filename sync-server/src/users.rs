//! The team's user accounts: the admin API that creates, edits, disables and signs out
//! users, the first admin of a fresh install, and lookups other areas need (who may be
//! assigned a lead).
//!
//! Owns the `users` table. Sessions belong to `auth`; this module revokes them through
//! `auth::session_store` when an account is disabled or its password changes.

pub mod admin_api;
pub mod first_admin;
pub mod input;
pub mod store;

use crate::state::AppState;
use axum::Router;
use axum::routing::{delete, get};
use dialbook_core::{Role, UserId};
use crate::db::Db;

/// `/admin/users…` and `/admin/sessions/{id}` (mounted under `/api`), admins only;
/// `/team/members` for everyone signed in.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/team/members", get(members))
        .route("/admin/users", get(admin_api::list).post(admin_api::create))
        .route("/admin/users/{id}", axum::routing::patch(admin_api::update))
        .route("/admin/users/{id}/sessions", get(admin_api::sessions))
        .route("/admin/sessions/{id}", delete(admin_api::revoke_session))
}

/// Enabled telecallers, by id: the people leads can be assigned to.
pub async fn active_telecallers(db: &Db) -> Result<Vec<UserId>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE role = $1 AND disabled = 0 ORDER BY id")
        .bind(Role::Telecaller.as_str())
        .fetch_all(&db.pool)
        .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

/// The user's role if the user exists and is enabled; `None` otherwise.
pub async fn user_exists_active(db: &Db, user: UserId) -> Result<Option<Role>, sqlx::Error> {
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1 AND disabled = 0")
        .bind(user.0)
        .fetch_optional(&db.pool)
        .await?;
    role.map(|r| Role::parse(&r).map_err(|e| sqlx::Error::Decode(Box::new(e)))).transpose()
}

#[derive(serde::Serialize)]
pub struct Member {
    pub id: UserId,
    pub display_name: String,
}

/// Everyone's id and display name (disabled users too: they still appear in timelines),
/// so a phone can say who made a call. Nothing more about them is revealed.
pub async fn members(
    axum::extract::State(state): axum::extract::State<AppState>,
    _caller: crate::auth::Caller,
) -> Result<axum::Json<Vec<Member>>, crate::error::ApiError> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, display_name FROM users ORDER BY id").fetch_all(&state.db.pool).await?;
    Ok(axum::Json(rows.into_iter().map(|(id, display_name)| Member { id: UserId(id), display_name }).collect()))
}
