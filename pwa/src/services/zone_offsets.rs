//! The team zone's offsets for the weeks ahead, kept in IndexedDB (meta `zone-offsets`),
//! so that the next start reads its calendar (today, tomorrow 10:00, overdue) without
//! asking the browser: a fresh page's first `Intl.DateTimeFormat` costs about 100 ms on a
//! slow phone, on the way to the first screen (see `dialbook_core::zone`). The table
//! arrives with start-up's read; it is worked out again in the background after start
//! when the zone changed or fewer than [`REFRESH_WITHIN`] are left.

use super::store::{Store, keys};
use dialbook_core::Timestamp;
use dialbook_core::zone::{self, OffsetTable, Zone};

const DAY: i64 = 24 * Timestamp::HOUR;
/// How far ahead a table reaches when made.
const AHEAD: i64 = 60 * DAY;
const REFRESH_WITHIN: i64 = 30 * DAY;
/// Where an older version kept the table; dropped after start.
const OLD_KEY: &str = "dialbook:zone-offsets";

/// At start, before anything reads a time: answer from the kept table where it covers.
pub fn restore(stored: Option<&[u8]>) {
    if let Some(table) = stored.and_then(|b| serde_json::from_slice::<OffsetTable>(b).ok()) {
        zone::use_offsets(table);
    }
}

/// After start: keep a table for `zone` that covers at least the next [`REFRESH_WITHIN`].
pub async fn refresh(zone: &Zone, now: Timestamp, store: &Store) {
    let fresh = |t: &OffsetTable| t.zone == zone.name() && t.from <= now && t.until.0 - now.0 >= REFRESH_WITHIN;
    if zone::offsets_in_use().is_some_and(|t| fresh(&t)) {
        return;
    }
    super::platform::local_storage_remove(OLD_KEY);
    let Some(table) = OffsetTable::of(zone, now.plus_millis(-DAY), now.plus_millis(AHEAD)) else {
        return;
    };
    if let Ok(json) = serde_json::to_vec(&table)
        && let Err(e) = store.put_meta(keys::ZONE_OFFSETS, &json).await
    {
        super::platform::warn(&e.to_string());
    }
    zone::use_offsets(table);
}
