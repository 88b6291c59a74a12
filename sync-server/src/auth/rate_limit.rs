//! Login rate limiting, kept in the `login_failures` table so that it holds across every
//! server instance sharing one database, and across restarts.
//!
//! More than [`MAX_PER_USERNAME`] failures for one username, or [`MAX_PER_IP`] from one
//! client address, within [`WINDOW_MS`] block further attempts until the oldest of those
//! failures leaves the window. Blocked attempts are not recorded, so waiting always ends
//! the block.
//!
//! An attempt is **reserved** before its password is checked: counted as a failure in
//! the same transaction that finds it allowed, under a lock (SQLite's single writer, a
//! Postgres advisory lock), and forgiven by [`clear`] if the password was right. So 30
//! simultaneous guesses get 5 checks, not 30: no guess is checked before it is counted.

use crate::db::{Backend, Db};
use crate::error::{ApiError, human_duration};
use chrono_tz::Tz;
use sqlx::AnyConnection;

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_PER_USERNAME: i64 = 5;
pub const MAX_PER_IP: i64 = 30;
/// Serialises reservations across instances on Postgres.
const RESERVE_LOCK: i64 = 0x0d1a_1b01;

/// Fails with 429 if this username or address has used up its attempts; otherwise
/// counts this attempt as a failure until [`clear`] forgives it.
pub async fn reserve(db: &Db, username: &str, ip: Option<&str>, now: i64, tz: Tz) -> Result<(), ApiError> {
    let mut tx = db.write_tx().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l").bind(RESERVE_LOCK).execute(tx.conn()).await?;
    }
    let by_name = blocked_until(tx.conn(), "username", username, MAX_PER_USERNAME, now).await?;
    let by_ip = match ip {
        Some(ip) => blocked_until(tx.conn(), "ip", ip, MAX_PER_IP, now).await?,
        None => None,
    };
    let (until, whom) = match (by_name, by_ip) {
        (None, None) => {
            sqlx::query("INSERT INTO login_failures (username, ip, at_ms) VALUES ($1, $2, $3)")
                .bind(username)
                .bind(ip)
                .bind(now)
                .execute(tx.conn())
                .await?;
            sqlx::query("DELETE FROM login_failures WHERE at_ms <= $1").bind(now - WINDOW_MS).execute(tx.conn()).await?;
            tx.commit().await?;
            return Ok(());
        }
        (Some(n), Some(i)) if i > n => (i, "from this network".to_owned()),
        (Some(n), _) => (n, format!("for {username:?}")),
        (None, Some(i)) => (i, "from this network".to_owned()),
    };
    tx.rollback().await?;
    let retry_after_secs = ((until - now).max(1000) as u64).div_ceil(1000);
    Err(ApiError::TooManyRequests {
        retry_after_secs,
        message: format!(
            "Too many failed logins {whom}. Try again in {} (after {}).",
            human_duration(retry_after_secs),
            local_time(until, now, tz)
        ),
    })
}

/// When the `max`-th most recent failure leaves the window, if there are that many.
async fn blocked_until(conn: &mut AnyConnection, column: &str, key: &str, max: i64, now: i64) -> Result<Option<i64>, sqlx::Error> {
    // `column` is one of two constants above, never user input.
    let sql = format!(
        "SELECT at_ms FROM login_failures WHERE {column} = $1 AND at_ms > $2
         ORDER BY at_ms DESC LIMIT 1 OFFSET $3"
    );
    let nth: Option<i64> = sqlx::query_scalar(&sql)
        .bind(key)
        .bind(now - WINDOW_MS)
        .bind(max - 1)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(nth.map(|at| at + WINDOW_MS))
}

/// After a successful login: the username starts afresh, its reserved attempt included.
/// (Its address keeps its count, so one known password cannot be used to reset a
/// spraying attacker's budget.)
pub async fn clear(conn: &mut AnyConnection, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1").bind(username).execute(conn).await?;
    Ok(())
}

/// "3:42 PM" in the team's time zone (with the date if not today).
fn local_time(at_ms: i64, now_ms: i64, tz: Tz) -> String {
    let Some(at) = chrono::DateTime::from_timestamp_millis(at_ms) else { return String::new() };
    let local = at.with_timezone(&tz);
    let today = chrono::DateTime::from_timestamp_millis(now_ms).map(|n| n.with_timezone(&tz).date_naive());
    if today == Some(local.date_naive()) {
        local.format("%-I:%M %p").to_string()
    } else {
        local.format("%-d %b %-I:%M %p").to_string()
    }
}
