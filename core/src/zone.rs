//! A team's time zone: its IANA name and the UTC offset in force at any instant.
//!
//! Owns the two questions the calendar words of [`crate::rules`] ask: "what does the
//! clock on the wall say at this instant" ([`Zone::local`]) and "at which instant does the
//! wall clock first show this" ([`Zone::earliest`]). Both are answered here, in one way for
//! every build, from a single primitive, the offset at an instant; only where the offsets
//! come from differs:
//!
//! - with the `tzdb` feature (the server, the tests): chrono-tz's compiled tz database;
//! - in the phone app (`wasm` on wasm32, without `tzdb`): the browser's own tz database
//!   through `Intl.DateTimeFormat`, which leaves chrono-tz's ~65 KB of transition tables
//!   out of the download;
//! - otherwise: only `UTC`, and any other name is refused when parsed.
//!
//! Because the arithmetic is shared, the native tests of daylight-saving gaps and overlaps
//! cover the browser's build too; the browser tests check Intl's offsets themselves.
//!
//! Asking the browser is not free the first time: a fresh page's first
//! `Intl.DateTimeFormat` costs about 100 ms on a slow phone, on the way to the first
//! screen. So the phone app keeps an [`OffsetTable`] of the team's zone for the weeks
//! ahead and hands it back at the next start ([`use_offsets`]): a build without `tzdb`
//! answers from it wherever it covers, and asks the browser only outside it.

use crate::domain::{ParseError, Timestamp};
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The time zone a team gets until an admin picks another.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Kolkata";

/// An IANA time zone, such as `Asia/Kolkata`, known to this build's tz database.
///
/// Compared by name. Cheap to clone.
#[derive(Clone)]
pub struct Zone {
    name: Arc<str>,
    #[cfg(feature = "tzdb")]
    tz: chrono_tz::Tz,
}

impl Zone {
    /// Reads an IANA time zone name (exact spelling, as in the tz database).
    pub fn parse(name: &str) -> Result<Zone, ParseError> {
        let name = name.trim();
        let unknown = || {
            ParseError::new(
                "time zone",
                format!("{name:?} is not a time zone name; use one like Asia/Kolkata or Asia/Dubai"),
            )
        };
        #[cfg(feature = "tzdb")]
        {
            let tz = name.parse::<chrono_tz::Tz>().map_err(|_| unknown())?;
            Ok(Zone { name: tz.name().into(), tz })
        }
        #[cfg(not(feature = "tzdb"))]
        {
            if !(table::covers_zone(name) || host::knows(name)) {
                return Err(unknown());
            }
            Ok(Zone { name: name.into() })
        }
    }

    /// The IANA name, e.g. `Asia/Kolkata`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// chrono-tz's zone, for code that formats with chrono directly (the server).
    #[cfg(feature = "tzdb")]
    pub fn tz(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// Seconds east of UTC in force at `t`, or `None` if `t` is outside chrono's range
    /// (or the browser cannot say).
    pub fn offset_seconds(&self, t: Timestamp) -> Option<i32> {
        #[cfg(feature = "tzdb")]
        {
            use chrono::{Offset, TimeZone};
            let utc = t.to_chrono()?.naive_utc();
            Some(self.tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
        }
        #[cfg(not(feature = "tzdb"))]
        {
            table::offset_seconds(&self.name, t).or_else(|| host::offset_seconds(&self.name, t))
        }
    }

    /// The wall-clock date and time at `t`.
    pub fn local(&self, t: Timestamp) -> Option<NaiveDateTime> {
        let offset = self.offset_seconds(t)?;
        t.to_chrono()?.naive_utc().checked_add_signed(TimeDelta::seconds(offset.into()))
    }

    /// The first instant at which the wall clock shows `wall`, or `None` if it never does
    /// (skipped by a clock change) or is out of range.
    ///
    /// Every real instant `u` with that wall time has `u = wall − offset`, and offsets lie
    /// within −12 h … +14 h, so `u` is within the 26 hours around `wall` read as UTC; the
    /// offsets in force there are those at the two ends of that window (no zone changes
    /// its clocks twice in a day). Each is a candidate; it is right if it is the offset in
    /// force at the instant it gives.
    pub fn earliest(&self, wall: NaiveDateTime) -> Option<Timestamp> {
        let as_utc = Timestamp::from_chrono(wall.and_utc());
        let ends = [as_utc.plus_millis(-14 * Timestamp::HOUR), as_utc.plus_millis(12 * Timestamp::HOUR)];
        ends.into_iter()
            .filter_map(|end| self.offset_seconds(end))
            .filter_map(|offset| {
                let instant = wall.checked_sub_signed(TimeDelta::seconds(offset.into()))?;
                let instant = Timestamp::from_chrono(instant.and_utc());
                (self.offset_seconds(instant)? == offset).then_some(instant)
            })
            .min()
    }
}

impl Default for Zone {
    /// [`DEFAULT_TIME_ZONE`], which every tz database has.
    fn default() -> Self {
        #[cfg(feature = "tzdb")]
        {
            let tz = chrono_tz::Asia::Kolkata;
            Zone { name: tz.name().into(), tz }
        }
        #[cfg(not(feature = "tzdb"))]
        {
            Zone { name: DEFAULT_TIME_ZONE.into() }
        }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A zone's UTC offsets over a span of time, worked out once (from whatever tz database
/// this build has) and kept for later: see the module's note on the phone app's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetTable {
    pub zone: String,
    pub from: Timestamp,
    /// Not included.
    pub until: Timestamp,
    /// Each offset and the instant it is in force from, in order; the first is at `from`.
    pub changes: Vec<(Timestamp, i32)>,
}

impl OffsetTable {
    /// Probes are this far apart: no zone changes its clocks twice within it.
    const STEP: i64 = 6 * Timestamp::HOUR;

    /// `zone`'s offsets from `from` until `until`, each change found to the second; `None`
    /// if an offset cannot be had in that span.
    pub fn of(zone: &Zone, from: Timestamp, until: Timestamp) -> Option<OffsetTable> {
        let second = |t: Timestamp| Timestamp(t.0.div_euclid(1000) * 1000);
        let from = second(from);
        let mut changes = vec![(from, zone.offset_seconds(from)?)];
        let mut at = from;
        while at < until {
            let next = Timestamp((at.0 + Self::STEP).min(until.0));
            let before = changes.last()?.1;
            let after = zone.offset_seconds(next)?;
            if after != before {
                // The first second of the new offset: between `at` (old) and `next` (new).
                let (mut old, mut new) = (at.0.div_euclid(1000), next.0.div_euclid(1000));
                while new - old > 1 {
                    let mid = old + (new - old) / 2;
                    if zone.offset_seconds(Timestamp(mid * 1000))? == before {
                        old = mid;
                    } else {
                        new = mid;
                    }
                }
                changes.push((Timestamp(new * 1000), after));
            }
            at = next;
        }
        Some(OffsetTable { zone: zone.name().to_owned(), from, until, changes })
    }

    /// The offset in force at `t`, if `t` is in the span.
    pub fn offset_at(&self, t: Timestamp) -> Option<i32> {
        if t < self.from || t >= self.until {
            return None;
        }
        self.changes.iter().take_while(|(start, _)| *start <= t).last().map(|&(_, offset)| offset)
    }
}

/// Answer `table`'s zone from it where it covers, instead of asking this build's tz
/// database (a build with `tzdb` has its own, and keeps using it).
pub fn use_offsets(table: OffsetTable) {
    #[cfg(not(feature = "tzdb"))]
    table::set(table);
    #[cfg(feature = "tzdb")]
    drop(table);
}

/// The table handed to [`use_offsets`] on this thread, if any.
#[cfg(not(feature = "tzdb"))]
pub fn offsets_in_use() -> Option<OffsetTable> {
    table::get()
}

/// A build with `tzdb` keeps no table.
#[cfg(feature = "tzdb")]
pub fn offsets_in_use() -> Option<OffsetTable> {
    None
}

/// The table handed to [`use_offsets`], per thread (the page and a worker each have one).
#[cfg(not(feature = "tzdb"))]
mod table {
    use super::OffsetTable;
    use crate::domain::Timestamp;
    use std::cell::RefCell;

    thread_local! {
        static TABLE: RefCell<Option<OffsetTable>> = const { RefCell::new(None) };
    }

    pub(super) fn set(table: OffsetTable) {
        TABLE.set(Some(table));
    }

    pub(super) fn get() -> Option<OffsetTable> {
        TABLE.with_borrow(Clone::clone)
    }

    pub(super) fn covers_zone(name: &str) -> bool {
        TABLE.with_borrow(|t| t.as_ref().is_some_and(|t| t.zone == name))
    }

    pub(super) fn offset_seconds(name: &str, t: Timestamp) -> Option<i32> {
        TABLE.with_borrow(|table| table.as_ref().filter(|table| table.zone == name)?.offset_at(t))
    }
}

/// Offsets from the browser: `Intl.DateTimeFormat` shows an instant's wall clock in the
/// zone; the offset is that wall clock read as UTC minus the instant.
#[cfg(all(not(feature = "tzdb"), feature = "wasm", target_arch = "wasm32"))]
mod host {
    use crate::domain::Timestamp;
    use js_sys::{Array, Date, Intl, Object, Reflect};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsValue;

    #[wasm_bindgen]
    extern "C" {
        /// `new Intl.DateTimeFormat(locales, options)`, which throws a RangeError for a
        /// time zone the browser does not know.
        #[wasm_bindgen(catch, js_namespace = Intl, js_name = DateTimeFormat)]
        fn date_time_format(locales: &JsValue, options: &Object) -> Result<Intl::DateTimeFormat, JsValue>;
    }

    /// One zone's formatter (building one costs far more than using it) and the offsets
    /// it has given: ranking a queue asks for the same few instants thousands of times.
    struct Cached {
        name: String,
        format: Intl::DateTimeFormat,
        offsets: HashMap<i64, i32>,
    }

    thread_local! {
        static CACHE: RefCell<Option<Cached>> = const { RefCell::new(None) };
    }

    /// More remembered offsets than this and the memo starts again.
    const MAX_REMEMBERED: usize = 4096;

    fn formatter(name: &str) -> Option<Intl::DateTimeFormat> {
        let options = Object::new();
        let set = |k: &str, v: &str| Reflect::set(&options, &k.into(), &v.into()).is_ok();
        let all_set = set("timeZone", name)
            && set("hourCycle", "h23")
            && ["year", "month", "day", "hour", "minute", "second"].into_iter().all(|k| set(k, "numeric"));
        if !all_set {
            return None;
        }
        date_time_format(&JsValue::from_str("en-US"), &options).ok()
    }

    pub(super) fn knows(name: &str) -> bool {
        !name.is_empty() && formatter(name).is_some()
    }

    pub(super) fn offset_seconds(name: &str, t: Timestamp) -> Option<i32> {
        CACHE.with_borrow_mut(|cache| {
            if cache.as_ref().is_none_or(|c| c.name != name) {
                *cache = Some(Cached { name: name.to_owned(), format: formatter(name)?, offsets: HashMap::new() });
            }
            let cached = cache.as_mut()?;
            if let Some(&offset) = cached.offsets.get(&t.0) {
                return Some(offset);
            }
            let offset = measure(&cached.format, t)?;
            if cached.offsets.len() >= MAX_REMEMBERED {
                cached.offsets.clear();
            }
            cached.offsets.insert(t.0, offset);
            Some(offset)
        })
    }

    fn measure(format: &Intl::DateTimeFormat, t: Timestamp) -> Option<i32> {
        // Whole seconds: the wall clock is shown to the second.
        let second = t.0.div_euclid(1000) * 1000;
        let date = Date::new(&JsValue::from_f64(second as f64));
        if date.get_time().is_nan() {
            return None;
        }
        let parts: Array = format.format_to_parts(&date);
        let mut field = [0f64; 6];
        for part in parts.iter() {
            let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
            let slot = match kind.as_str() {
                "year" => 0,
                "month" => 1,
                "day" => 2,
                "hour" => 3,
                "minute" => 4,
                "second" => 5,
                _ => continue,
            };
            let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
            field[slot] = value.parse().ok()?;
        }
        let [y, mo, d, h, mi, s] = field;
        let wall = Date::utc(y, mo - 1.0) + ((d - 1.0) * 24.0 + h) * 3_600_000.0 + mi * 60_000.0 + s * 1000.0;
        let offset = (wall - second as f64) / 1000.0;
        (offset.is_finite() && offset.abs() < 86_400.0).then_some(offset as i32)
    }
}

/// Without a tz database only UTC is known.
#[cfg(all(not(feature = "tzdb"), not(all(feature = "wasm", target_arch = "wasm32"))))]
mod host {
    use crate::domain::Timestamp;

    pub(super) fn knows(name: &str) -> bool {
        matches!(name, "UTC" | "Etc/UTC")
    }

    pub(super) fn offset_seconds(name: &str, t: Timestamp) -> Option<i32> {
        t.to_chrono()?;
        knows(name).then_some(0)
    }
}

#[cfg(all(test, feature = "tzdb"))]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn wall(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
    }

    #[test]
    fn an_offset_table_gives_the_offsets_of_its_zone_to_the_second_around_clock_changes() {
        // A span over both of New York's 2026 changes, and one with none (Kolkata).
        let ny = Zone::parse("America/New_York").unwrap();
        let from = Timestamp::from_chrono(wall(2026, 3, 1, 0, 0).and_utc());
        let until = Timestamp::from_chrono(wall(2026, 11, 10, 0, 0).and_utc());
        let table = OffsetTable::of(&ny, from, until).unwrap();
        assert_eq!(table.changes.len(), 3, "the start and two changes: {:?}", table.changes);
        let mut t = from;
        while t < until {
            assert_eq!(table.offset_at(t), ny.offset_seconds(t), "at {t:?}");
            t = t.plus_millis(17 * Timestamp::MINUTE + 1_000);
        }
        for &(change, offset) in &table.changes[1..] {
            assert_eq!(table.offset_at(change), Some(offset));
            assert_ne!(table.offset_at(change.plus_millis(-1_000)), Some(offset), "the second before is the old offset");
        }
        assert_eq!(table.offset_at(until), None, "outside the span: asked elsewhere");
        assert_eq!(table.offset_at(from.plus_millis(-1)), None);

        let kolkata = OffsetTable::of(&Zone::default(), from, until).unwrap();
        assert_eq!(kolkata.changes, vec![(from, 19_800)]);
    }

    #[test]
    fn earliest_agrees_with_chrono_tz_around_clock_changes() {
        // Every quarter hour over two days around each 2026 change in zones east and west
        // of UTC, with and without daylight saving, and a half-hour one.
        let cases = [
            ("America/New_York", (2026, 3, 7)),
            ("America/New_York", (2026, 10, 31)),
            ("Europe/London", (2026, 3, 28)),
            ("Europe/London", (2026, 10, 24)),
            ("Australia/Lord_Howe", (2026, 4, 4)),
            ("Pacific/Auckland", (2026, 9, 26)),
            ("Asia/Kolkata", (2026, 11, 21)),
        ];
        for (name, (y, m, d)) in cases {
            let zone = Zone::parse(name).unwrap();
            let start = wall(y, m, d, 0, 0);
            for quarter in 0..(3 * 96) {
                let w = start + TimeDelta::minutes(15 * quarter);
                let expected = zone.tz().from_local_datetime(&w).earliest().map(|t| Timestamp::from_chrono(t.to_utc()));
                assert_eq!(zone.earliest(w), expected, "{name} {w}");
                if let Some(t) = expected {
                    assert_eq!(zone.local(t), Some(w), "{name} {w} back");
                }
            }
        }
    }

    #[test]
    fn names_and_errors() {
        assert_eq!(Zone::default().name(), DEFAULT_TIME_ZONE);
        assert_eq!(Zone::parse(" Asia/Dubai ").unwrap().to_string(), "Asia/Dubai");
        let err = Zone::parse("IST").unwrap_err().to_string();
        assert!(err.contains("\"IST\" is not a time zone name"), "{err}");
        let ist = Zone::default().offset_seconds(Timestamp(0)).unwrap();
        assert_eq!(ist, 5 * 3600 + 30 * 60);
        assert_eq!(Zone::default().local(Timestamp(i64::MAX)), None);
        assert_eq!(Zone::default().earliest(NaiveDateTime::MIN), None);
    }
}
