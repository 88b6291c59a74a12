//! UTC instants. Stored and synced as milliseconds since the Unix epoch; "today" and
//! "tomorrow" are computed in the team's time zone by `rules`, never here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const MINUTE: i64 = 60_000;
    pub const HOUR: i64 = 60 * Self::MINUTE;
    pub const DAY: i64 = 24 * Self::HOUR;

    pub fn from_millis(ms: i64) -> Self {
        Self(ms)
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }
    pub fn to_chrono(self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_millis(self.0)
    }
    pub fn from_chrono(t: chrono::DateTime<chrono::Utc>) -> Self {
        Self(t.timestamp_millis())
    }
}
