//! The admin's user management endpoints. Every handler takes `AdminCaller` first, so a
//! telecaller gets 403 before anything else is looked at.

use crate::auth::{AdminCaller, password, session_store};
use crate::clock::now_ms;
use crate::db::{Backend, is_unique_violation};
use crate::error::ApiError;
use crate::state::AppState;
use crate::users::input::{DisplayName, Password, Username};
use crate::users::store::{self, UserRow};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dialbook_core::{Role, UserId};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct UserList {
    pub users: Vec<UserRow>,
}

pub async fn list(_admin: AdminCaller, State(state): State<AppState>) -> Result<Json<UserList>, ApiError> {
    Ok(Json(UserList { users: store::list(&state.db.pool).await? }))
}

#[derive(Deserialize)]
pub struct CreateUser {
    pub username: String,
    /// Defaults to the username.
    #[serde(default)]
    pub display_name: Option<String>,
    pub password: String,
    pub role: String,
}

pub async fn create(
    AdminCaller(admin): AdminCaller,
    State(state): State<AppState>,
    Json(req): Json<CreateUser>,
) -> Result<(StatusCode, Json<UserRow>), ApiError> {
    let username = Username::parse(&req.username)?;
    let display_name = DisplayName::parse(req.display_name.as_deref().unwrap_or(username.as_str()))?;
    let password = Password::parse(&req.password)?;
    let role = parse_role(&req.role)?;
    let hash = password::hash(password.into_inner()).await?;

    let mut tx = state.db.write_tx().await?;
    let id = match store::insert(tx.conn(), &username, &display_name, &hash, role, now_ms()).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(username_taken(&username)),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    tracing::info!(by = %admin.username, user = %username.as_str(), role = role.as_str(), "user created");
    let row = store::get(&state.db.pool, id).await?.ok_or_else(|| ApiError::internal_msg("created user vanished"))?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Any subset of the fields; absent fields are left as they are.
#[derive(Deserialize)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

pub async fn update(
    AdminCaller(admin): AdminCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(req): Json<UpdateUser>,
) -> Result<Json<UserRow>, ApiError> {
    let id = UserId(id);
    let display_name = req.display_name.as_deref().map(DisplayName::parse).transpose()?;
    let role = req.role.as_deref().map(parse_role).transpose()?;
    let password = req.password.as_deref().map(Password::parse).transpose()?;
    let new_hash = match password {
        Some(p) => Some(password::hash(p.into_inner()).await?),
        None => None,
    };

    let mut tx = state.db.write_tx().await?;
    // Lock the admins before reading the target, so the last-admin check below sees
    // what will be committed.
    let active_admins = store::lock_active_admins(tx.conn(), state.db.backend == Backend::Postgres).await?;
    let current = store::get(tx.conn(), id).await?.ok_or_else(|| no_such_user(id))?;

    let new_role = role.unwrap_or(current.role);
    let new_disabled = req.disabled.unwrap_or(current.disabled);
    let stops_being_active_admin =
        current.role == Role::Admin && !current.disabled && (new_role != Role::Admin || new_disabled);
    if stops_being_active_admin && active_admins.iter().all(|a| *a == id) {
        return Err(ApiError::conflict(
            "last_admin",
            format!(
                "{} is the only active admin, so they cannot be disabled or made a telecaller. Make another user an admin first.",
                current.username
            ),
        ));
    }

    let now = now_ms();
    let new_name = display_name.as_ref().map_or(current.display_name.as_str(), DisplayName::as_str);
    store::set_profile(tx.conn(), id, new_name, new_role, new_disabled, now).await?;
    if new_disabled && !current.disabled {
        session_store::revoke_all(tx.conn(), id, None, now).await?;
    }
    if let Some(hash) = &new_hash {
        store::set_password(tx.conn(), id, hash, now).await?;
        // A new password signs out the user's other devices (a lost phone, a leaked
        // password); an admin changing their own keeps the device they are using.
        let keep = (id == admin.user_id).then_some(admin.session_id);
        session_store::revoke_all(tx.conn(), id, keep, now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        by = %admin.username, user = %current.username, role = new_role.as_str(), disabled = new_disabled,
        password_changed = new_hash.is_some(), "user updated"
    );
    let row = store::get(&state.db.pool, id).await?.ok_or_else(|| no_such_user(id))?;
    Ok(Json(row))
}

#[derive(Serialize)]
pub struct UserSessions {
    pub sessions: Vec<session_store::SessionView>,
}

pub async fn sessions(
    _admin: AdminCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<UserSessions>, ApiError> {
    let id = UserId(id);
    store::get(&state.db.pool, id).await?.ok_or_else(|| no_such_user(id))?;
    Ok(Json(UserSessions { sessions: session_store::list_active(&state.db.pool, id).await? }))
}

pub async fn revoke_session(
    AdminCaller(admin): AdminCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let owner = session_store::owner(&state.db.pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("There is no device session {id}.")))?;
    let mut tx = state.db.write_tx().await?;
    session_store::revoke(tx.conn(), id, now_ms()).await?;
    tx.commit().await?;
    tracing::info!(by = %admin.username, session_id = id, user = %owner, "session revoked by admin");
    Ok(StatusCode::NO_CONTENT)
}

fn parse_role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).map_err(|e| ApiError::bad_request("invalid_role", e.message))
}

fn no_such_user(id: UserId) -> ApiError {
    ApiError::NotFound(format!("There is no user {id}."))
}

fn username_taken(username: &Username) -> ApiError {
    ApiError::conflict(
        "username_taken",
        format!("The username {:?} is already taken. Choose another.", username.as_str()),
    )
}
