//! Queries on the `users` table, shared by the admin API, the first-admin bootstrap and the
//! `create-admin` command. Writes take a connection from a `WriteTx`.

use crate::users::input::{DisplayName, Username};
use dialbook_core::{Role, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyExecutor, Row};

/// A user as the admin screen lists them.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
    /// Last request from any of the user's devices; `None` if never logged in.
    pub last_seen_at: Option<i64>,
    /// Devices currently logged in.
    pub devices: i64,
}

const SELECT_USERS: &str = "SELECT u.id, u.username, u.display_name, u.role, u.disabled, u.created_at,
        (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at,
        (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL) AS devices
    FROM users u";

fn user_row(r: &AnyRow) -> Result<UserRow, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(UserRow {
        id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse(&role).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        devices: r.try_get("devices")?,
    })
}

pub async fn list<'c>(conn: impl AnyExecutor<'c>) -> Result<Vec<UserRow>, sqlx::Error> {
    let rows = sqlx::query(&format!("{SELECT_USERS} ORDER BY u.username")).fetch_all(conn).await?;
    rows.iter().map(user_row).collect()
}

pub async fn get<'c>(conn: impl AnyExecutor<'c>, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    let row = sqlx::query(&format!("{SELECT_USERS} WHERE u.id = $1")).bind(id.0).fetch_optional(conn).await?;
    row.as_ref().map(user_row).transpose()
}

pub async fn id_by_username<'c>(conn: impl AnyExecutor<'c>, username: &Username) -> Result<Option<UserId>, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(id.map(UserId))
}

pub async fn count<'c>(conn: impl AnyExecutor<'c>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(conn).await
}

/// Inserts a user. A taken username fails with a unique violation
/// (see [`crate::db::is_unique_violation`]).
pub async fn insert(
    conn: &mut AnyConnection,
    username: &Username,
    display_name: &DisplayName,
    password_hash: &str,
    role: Role,
    now: i64,
) -> Result<UserId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, role, disabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id",
    )
    .bind(username.as_str())
    .bind(display_name.as_str())
    .bind(password_hash)
    .bind(role.as_str())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

pub async fn set_password(conn: &mut AnyConnection, id: UserId, password_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_profile(
    conn: &mut AnyConnection,
    id: UserId,
    display_name: &str,
    role: Role,
    disabled: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET display_name = $1, role = $2, disabled = $3, updated_at = $4 WHERE id = $5")
        .bind(display_name)
        .bind(role.as_str())
        .bind(i64::from(disabled))
        .bind(now)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ids of the enabled admins. On Postgres the rows are locked (in id order, so two
/// concurrent edits cannot deadlock) until the transaction ends, so two admins demoting
/// each other at the same moment cannot leave the team with none. SQLite needs no lock:
/// its write transactions are serialised.
pub async fn lock_active_admins(conn: &mut AnyConnection, postgres: bool) -> Result<Vec<UserId>, sqlx::Error> {
    let sql = if postgres {
        "SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id FOR UPDATE"
    } else {
        "SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id"
    };
    let ids: Vec<i64> = sqlx::query_scalar(sql).fetch_all(conn).await?;
    Ok(ids.into_iter().map(UserId).collect())
}
