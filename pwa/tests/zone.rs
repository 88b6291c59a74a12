//! The team's time zone in the browser build (no tz database of its own): offsets from
//! Intl, and from the table the app keeps for its next start.

#![cfg(target_arch = "wasm32")]

use dialbook_core::Timestamp;
use dialbook_core::zone::{self, OffsetTable, Zone};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const HOUR: i64 = Timestamp::HOUR;
/// 2026-03-01T00:00Z.
const MARCH_1: Timestamp = Timestamp(1_772_323_200_000);

#[wasm_bindgen_test]
fn a_table_made_from_intl_agrees_with_intl_and_finds_the_clock_change() {
    let ny = Zone::parse("America/New_York").unwrap();
    let until = MARCH_1.plus_millis(30 * 24 * HOUR);
    let table = OffsetTable::of(&ny, MARCH_1, until).unwrap();
    // 2026-03-08 07:00Z: New York goes from −5 h to −4 h.
    assert_eq!(table.changes, vec![(MARCH_1, -5 * 3600), (Timestamp(1_772_953_200_000), -4 * 3600)]);
    let mut t = MARCH_1;
    while t < until {
        assert_eq!(table.offset_at(t), ny.offset_seconds(t));
        t = t.plus_millis(5 * HOUR + 7_000);
    }
}

#[wasm_bindgen_test]
fn a_kept_table_answers_for_its_zone_where_it_covers_and_the_browser_elsewhere() {
    // A zone no browser knows: only the table can answer for it.
    assert!(Zone::parse("Test/Nowhere").is_err());
    let change = MARCH_1.plus_millis(10 * HOUR);
    zone::use_offsets(OffsetTable {
        zone: "Test/Nowhere".into(),
        from: MARCH_1,
        until: MARCH_1.plus_millis(24 * HOUR),
        changes: vec![(MARCH_1, 19_800), (change, 23_400)],
    });
    let nowhere = Zone::parse("Test/Nowhere").expect("known from the table");
    assert_eq!(nowhere.offset_seconds(MARCH_1.plus_millis(HOUR)), Some(19_800));
    assert_eq!(nowhere.offset_seconds(change), Some(23_400));
    assert_eq!(nowhere.offset_seconds(MARCH_1.plus_millis(-1)), None, "before the table: the browser, which knows no such zone");
    // Other zones are still the browser's.
    assert_eq!(Zone::parse("Asia/Dubai").unwrap().offset_seconds(MARCH_1), Some(4 * 3600));
}
