//! The team zone's offsets for the weeks ahead, kept in localStorage, so that the next
//! start reads its calendar (today, tomorrow 10:00, overdue) without asking the browser:
//! a fresh page's first `Intl.DateTimeFormat` costs about 100 ms on a slow phone, on the
//! way to the first screen (see `dialbook_core::zone`). Worked out again in the background
//! after start when the zone changed or fewer than [`REFRESH_WITHIN`] are left.

use super::platform;
use dialbook_core::Timestamp;
use dialbook_core::zone::{self, OffsetTable, Zone};

const KEY: &str = "dialbook:zone-offsets";
const DAY: i64 = 24 * Timestamp::HOUR;
/// How far ahead a table reaches when made.
const AHEAD: i64 = 60 * DAY;
const REFRESH_WITHIN: i64 = 30 * DAY;

fn stored() -> Option<OffsetTable> {
    serde_json::from_str(&platform::local_storage_get(KEY)?).ok()
}

/// At start, before anything reads a time: answer from the kept table where it covers.
pub fn restore() {
    if let Some(table) = stored() {
        zone::use_offsets(table);
    }
}

/// After start: keep a table for `zone` that covers at least the next [`REFRESH_WITHIN`].
pub fn refresh(zone: &Zone, now: Timestamp) {
    let fresh = |t: &OffsetTable| t.zone == zone.name() && t.from <= now && t.until.0 - now.0 >= REFRESH_WITHIN;
    if stored().is_some_and(|t| fresh(&t)) {
        return;
    }
    let Some(table) = OffsetTable::of(zone, now.plus_millis(-DAY), now.plus_millis(AHEAD)) else { return };
    if let Ok(json) = serde_json::to_string(&table) {
        platform::local_storage_set(KEY, &json);
    }
    zone::use_offsets(table);
}
