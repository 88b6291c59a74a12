//! The server's one reading of the wall clock, as stored everywhere: unix milliseconds.
//! Code below the handlers takes `now` as an argument, so tests can choose it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
