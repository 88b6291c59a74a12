//! The `sessions` table: one row per logged-in device. Creating, listing and revoking
//! sessions; used by login, by a user managing their own devices, and by admins.
//!
//! Writes take a connection from a [`crate::db::WriteTx`]; reads take any executor.

use crate::auth::token;
use dialbook_core::UserId;
use serde::Serialize;
use sqlx::{AnyConnection, AnyExecutor, Row};

/// A device session as shown to people (never its token).
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub id: i64,
    pub device_name: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// Inserts a session and returns its id and the bearer token (shown to the client once).
pub async fn create(
    conn: &mut AnyConnection,
    user: UserId,
    device_name: &str,
    ip: Option<&str>,
    now: i64,
) -> Result<(i64, String), sqlx::Error> {
    let (token, token_hash) = token::new_token();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (user_id, token_hash, device_name, created_at, last_seen_at, created_ip)
         VALUES ($1, $2, $3, $4, $4, $5) RETURNING id",
    )
    .bind(user.0)
    .bind(token_hash)
    .bind(device_name)
    .bind(now)
    .bind(ip)
    .fetch_one(conn)
    .await?;
    Ok((id, token))
}

/// The user's usable sessions, most recently seen first.
pub async fn list_active<'c>(conn: impl AnyExecutor<'c>, user: UserId) -> Result<Vec<SessionView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, device_name, created_at, last_seen_at FROM sessions
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_seen_at DESC, id DESC",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SessionView {
                id: r.try_get("id")?,
                device_name: r.try_get("device_name")?,
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
            })
        })
        .collect()
}

/// Who a session belongs to, if it exists (revoked or not).
pub async fn owner<'c>(conn: impl AnyExecutor<'c>, session_id: i64) -> Result<Option<UserId>, sqlx::Error> {
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM sessions WHERE id = $1").bind(session_id).fetch_optional(conn).await?;
    Ok(owner.map(UserId))
}

/// Revokes one session. Revoking an already revoked session changes nothing.
pub async fn revoke(conn: &mut AnyConnection, session_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(session_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes every session of `user`, except `keep` (the caller's own device, when a user
/// changes their own password). Returns how many were revoked.
pub async fn revoke_all(
    conn: &mut AnyConnection,
    user: UserId,
    keep: Option<i64>,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
    )
    .bind(now)
    .bind(user.0)
    .bind(keep.unwrap_or(-1))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Records that the session was used, unless that was recorded after `stale_before`.
pub async fn touch(conn: &mut AnyConnection, session_id: i64, now: i64, stale_before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
        .bind(now)
        .bind(session_id)
        .bind(stale_before)
        .execute(conn)
        .await?;
    Ok(())
}
