//! Logging in and out, and "who am I". A login creates one session for one named device
//! (a phone, a browser) and hands back its bearer token.

use crate::auth::{Caller, password, rate_limit, session_store};
use crate::clock::now_ms;
use crate::error::ApiError;
use crate::http::ClientInfo;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dialbook_core::{Role, UserId};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Device names longer than this are cut, not refused: the name comes from the browser.
const MAX_DEVICE_NAME_CHARS: usize = 64;
const MAX_USERNAME_CHARS: usize = 64;
const MAX_PASSWORD_CHARS: usize = 256;
const WRONG_CREDENTIALS: &str = "Wrong username or password. (If your account was disabled, ask your admin.)";

#[derive(Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    pub device_name: String,
}

/// A user as the app shows them.
#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Serialize)]
pub struct LoginResponse {
    pub token: String,
    pub session_id: i64,
    pub user: UserSummary,
}

pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    Json(req): Json<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let username = req.username.trim().to_lowercase();
    if username.is_empty() || req.password.is_empty() {
        return Err(ApiError::bad_request("missing_credentials", "Enter your username and password."));
    }
    // No account has a longer username or password (`users::input`): refuse before
    // storing the name in the failure table or hashing the password.
    if username.chars().count() > MAX_USERNAME_CHARS {
        return Err(ApiError::bad_request("invalid_username", format!("A username is at most {MAX_USERNAME_CHARS} characters.")));
    }
    if req.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(ApiError::bad_request("invalid_password", format!("A password is at most {MAX_PASSWORD_CHARS} characters.")));
    }
    let device_name = device_name(&req.device_name)?;
    let ip = client.ip.map(|ip| ip.to_string());
    let now = now_ms();
    rate_limit::reserve(&state.db, &username, ip.as_deref(), now, state.config.tz().unwrap_or(chrono_tz::UTC)).await?;

    let row = sqlx::query("SELECT id, display_name, password_hash, role, disabled FROM users WHERE username = $1")
        .bind(&username)
        .fetch_optional(&state.db.pool)
        .await?;
    let stored_hash = row.as_ref().map(|r| r.try_get::<String, _>("password_hash")).transpose()?;
    let right = password::verify(req.password, stored_hash).await?;
    // A disabled account answers exactly as a wrong password does, so trying passwords
    // on it tells nothing; the one message covers both.
    let row = match row {
        Some(row) if right && row.try_get::<i64, _>("disabled")? == 0 => row,
        _ => return Err(ApiError::Unauthorized(WRONG_CREDENTIALS.to_owned())),
    };
    let role: String = row.try_get("role")?;
    let user = UserSummary {
        id: UserId(row.try_get("id")?),
        username,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).map_err(ApiError::internal)?,
    };

    let mut tx = state.db.write_tx().await?;
    rate_limit::clear(tx.conn(), &user.username).await?;
    let (session_id, token) = session_store::create(tx.conn(), user.id, &device_name, ip.as_deref(), now).await?;
    tx.commit().await?;
    tracing::info!(user = %user.username, session_id, device = %device_name, "login");
    Ok(Json(LoginResponse { token, session_id, user }))
}

fn device_name(raw: &str) -> Result<String, ApiError> {
    let name: String = raw.trim().chars().filter(|c| !c.is_control()).take(MAX_DEVICE_NAME_CHARS).collect();
    if name.is_empty() {
        return Err(ApiError::bad_request(
            "missing_device_name",
            "Name this device (for example \"Priya's Redmi\") so you can sign it out later.",
        ));
    }
    Ok(name)
}

/// Signs out the calling device.
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    let mut tx = state.db.write_tx().await?;
    session_store::revoke(tx.conn(), caller.session_id, now_ms()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct MeResponse {
    pub user: UserSummary,
    pub session_id: i64,
    pub device_name: String,
}

pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<MeResponse>, ApiError> {
    let display_name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(caller.user_id.0)
        .fetch_one(&state.db.pool)
        .await?;
    Ok(Json(MeResponse {
        user: UserSummary { id: caller.user_id, username: caller.username, display_name, role: caller.role },
        session_id: caller.session_id,
        device_name: caller.device_name,
    }))
}
