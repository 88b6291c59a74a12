//! Login rate limiting, kept in the `login_failures` table so that it holds across every
//! server instance sharing one database, and across restarts.
//!
//! More than [`MAX_PER_USERNAME`] failures for one username, or [`MAX_PER_IP`] from one
//! client address, within [`WINDOW_MS`] block further attempts until the oldest of those
//! failures leaves the window. A successful login clears the username's failures. Blocked
//! attempts are not recorded, so waiting always ends the block.

use crate::db::Db;
use crate::error::{ApiError, human_duration};
use chrono_tz::Tz;
use sqlx::AnyConnection;

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_PER_USERNAME: i64 = 5;
pub const MAX_PER_IP: i64 = 30;

/// Fails with 429 if this username or address has used up its attempts.
pub async fn check(db: &Db, username: &str, ip: Option<&str>, now: i64, tz: Tz) -> Result<(), ApiError> {
    let by_name = blocked_until(db, "username", username, MAX_PER_USERNAME, now).await?;
    let by_ip = match ip {
        Some(ip) => blocked_until(db, "ip", ip, MAX_PER_IP, now).await?,
        None => None,
    };
    let (until, whom) = match (by_name, by_ip) {
        (None, None) => return Ok(()),
        (Some(n), Some(i)) if i > n => (i, "from this network".to_owned()),
        (Some(n), _) => (n, format!("for {username:?}")),
        (None, Some(i)) => (i, "from this network".to_owned()),
    };
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
async fn blocked_until(db: &Db, column: &str, key: &str, max: i64, now: i64) -> Result<Option<i64>, sqlx::Error> {
    // `column` is one of two constants above, never user input.
    let sql = format!(
        "SELECT at_ms FROM login_failures WHERE {column} = $1 AND at_ms > $2
         ORDER BY at_ms DESC LIMIT 1 OFFSET $3"
    );
    let nth: Option<i64> = sqlx::query_scalar(&sql)
        .bind(key)
        .bind(now - WINDOW_MS)
        .bind(max - 1)
        .fetch_optional(&db.pool)
        .await?;
    Ok(nth.map(|at| at + WINDOW_MS))
}

/// Records a failed attempt, and forgets failures that have left the window.
pub async fn record_failure(db: &Db, username: &str, ip: Option<&str>, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.write_tx().await?;
    sqlx::query("INSERT INTO login_failures (username, ip, at_ms) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(ip)
        .bind(now)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at_ms <= $1").bind(now - WINDOW_MS).execute(tx.conn()).await?;
    tx.commit().await
}

/// After a successful login: the username starts afresh. (Its address keeps its count, so
/// one known password cannot be used to reset a spraying attacker's budget.)
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
