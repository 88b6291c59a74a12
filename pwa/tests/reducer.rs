//! The reducer and what the screens derive from it, in the browser: the queue's order and
//! what it leaves out, the due list, and leaving a lead cleanly when it is reassigned.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{PRIYA, lead_doc};
use dialbook_core::lead::{CallLog, EditContext};
use dialbook_core::summary::LeadSummary;
use dialbook_core::{CallOutcome, Role, Timestamp, UserId};
use dialbook_pwa::services::api::{Session, User};
use dialbook_pwa::services::phone;
use dialbook_pwa::state::{Action, AppState, Draft, Screen, Sheet};
use std::rc::Rc;
use wasm_bindgen_test::*;
use yew::Reducible;

wasm_bindgen_test_configure!(run_in_browser);

/// 21 Nov 2026, 11:00 in Kolkata.
const NOW: Timestamp = Timestamp(1_795_240_800_000);
const MIN: i64 = 60_000;

fn signed_in(leads: Vec<LeadSummary>) -> Rc<AppState> {
    let session = Session {
        token: "t".into(),
        session_id: 1,
        user: User { id: PRIYA, username: "priya".into(), display_name: "Priya".into(), role: Role::Telecaller },
        device_name: "phone".into(),
    };
    Rc::new(AppState::new(NOW, Screen::Queue)).reduce(Action::SignedIn { session: Rc::new(session), leads, synced: true })
}

fn lead(n: u8, name: &str, created: i64, f: impl FnOnce(&mut dialbook_core::lead::LeadDoc, &EditContext)) -> LeadSummary {
    let mut doc = lead_doc(n, name, created);
    let ctx = EditContext { user: PRIYA, device: "test".into(), now: Timestamp(NOW.0 - 120 * MIN) };
    f(&mut doc, &ctx);
    LeadSummary::of(&doc.read().unwrap(), phone::display)
}

fn call(outcome: CallOutcome, follow_up: Option<Timestamp>) -> CallLog {
    CallLog { outcome, duration_secs: 30, note: String::new(), voice_note: None, follow_up }
}

fn names(state: &AppState) -> Vec<String> {
    state.queue().into_iter().map(|(l, _)| l.name.clone()).collect()
}

#[wasm_bindgen_test]
fn the_queue_puts_a_due_callback_first_and_holds_back_what_is_not_due_yet() {
    let fresh = lead(1, "New Lead", NOW.0 - 600 * MIN, |_, _| {});
    let callback = lead(2, "Callback Due", NOW.0 - 900 * MIN, |d, c| d.log_call(c, &call(CallOutcome::Callback, Some(Timestamp(NOW.0 - 5 * MIN)))).unwrap());
    let later = lead(3, "Try At Four", NOW.0 - 900 * MIN, |d, c| d.log_call(c, &call(CallOutcome::NoAnswer, Some(Timestamp(NOW.0 + 300 * MIN)))).unwrap());
    let closed = lead(4, "Not Interested", NOW.0 - 900 * MIN, |d, c| d.log_call(c, &call(CallOutcome::WrongNumber, None)).unwrap());
    let mut theirs = lead(5, "Someone Else's", NOW.0 - 900 * MIN, |_, _| {});
    theirs.assignee = Some(UserId(99));

    let state = signed_in(vec![fresh, callback, later.clone(), closed, theirs]);

    assert_eq!(names(&state), ["Callback Due", "New Lead"]);
    let (_, why) = &state.queue()[0];
    assert_eq!(why.reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>(), ["callback due", "overdue 5 min"]);
    // The 4 pm follow-up is not in the queue yet, but it is due today.
    assert_eq!(state.due().iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Callback Due", "Try At Four"]);
    // At four it is back in the queue.
    let at_four = state.reduce(Action::Tick(Timestamp(NOW.0 + 300 * MIN)));
    assert!(names(&at_four).contains(&later.name));
}

#[wasm_bindgen_test]
fn a_skipped_lead_comes_back_after_its_time() {
    let a = lead(1, "Alpha", NOW.0 - 600 * MIN, |_, _| {});
    let b = lead(2, "Beta", NOW.0 - 500 * MIN, |_, _| {});
    let state = signed_in(vec![a.clone(), b]);
    assert_eq!(names(&state), ["Alpha", "Beta"]);

    let skipped = state.reduce(Action::Skip { lead: a.id.clone(), until: Timestamp(NOW.0 + 30 * MIN) });
    assert_eq!(names(&skipped), ["Beta"]);
    let later = skipped.reduce(Action::Tick(Timestamp(NOW.0 + 31 * MIN)));
    assert_eq!(names(&later), ["Alpha", "Beta"]);
}

#[wasm_bindgen_test]
fn logging_closes_the_sheet_and_the_queue_moves_on() {
    let a = lead(1, "Alpha", NOW.0 - 600 * MIN, |_, _| {});
    let b = lead(2, "Beta", NOW.0 - 500 * MIN, |_, _| {});
    let state = signed_in(vec![a.clone(), b]).reduce(Action::Draft(Draft::new(a.id.clone(), NOW)));
    assert!(matches!(state.sheet, Some(Sheet::Outcome(_))));

    let logged = lead(1, "Alpha", NOW.0 - 600 * MIN, |d, c| d.log_call(c, &call(CallOutcome::NoAnswer, Some(Timestamp(NOW.0 + 180 * MIN)))).unwrap());
    let after = state.reduce(Action::Logged { summary: logged, outcome: CallOutcome::NoAnswer, message: "Saved".into() });

    assert!(after.sheet.is_none());
    assert_eq!(after.toast.as_ref().map(|t| t.text.as_str()), Some("Saved"));
    assert_eq!(names(&after), ["Beta"]);
}

#[wasm_bindgen_test]
fn a_lead_reassigned_away_while_open_leaves_cleanly() {
    let a = lead(1, "Alpha", NOW.0 - 600 * MIN, |_, _| {});
    let state = signed_in(vec![a.clone()]).reduce(Action::Go(Screen::Lead(a.id.clone()))).reduce(Action::Draft(Draft::new(a.id.clone(), NOW)));

    let after = state.reduce(Action::LeadsChanged { upserts: vec![], removed: vec![a.id.clone()] });

    assert_eq!(after.screen, Screen::Queue);
    assert!(after.sheet.is_none());
    assert!(after.leads.is_empty());
}

#[wasm_bindgen_test]
fn the_call_time_is_the_time_away_in_the_dialler() {
    let mut d = Draft::new(lead(1, "Alpha", 0, |_, _| {}).id, NOW);
    d.hidden_at = Some(Timestamp(NOW.0 + 2_000));
    d.returned_at = Some(Timestamp(NOW.0 + 2_000 + 95_000));
    assert_eq!(d.estimated_secs(Timestamp(NOW.0 + 200_000)), 90, "away 95 s, less 5 s of dialling");
    let desktop = Draft::new(d.lead.clone(), NOW);
    assert_eq!(desktop.estimated_secs(Timestamp(NOW.0 + 42_000)), 42);
}

#[wasm_bindgen_test]
fn dictated_words_join_the_open_draft_and_never_reopen_a_closed_sheet() {
    let a = lead(1, "Alpha", NOW.0 - 600 * MIN, |_, _| {});
    let mut draft = Draft::new(a.id.clone(), NOW);
    draft.note = "asked for a quote".into();
    let open = signed_in(vec![a.clone()]).reduce(Action::Draft(draft));

    let heard = open.clone().reduce(Action::AppendNote { lead: a.id.clone(), text: "call after six".into() });
    assert!(matches!(&heard.sheet, Some(Sheet::Outcome(d)) if d.note == "asked for a quote call after six"));

    // The call was logged before the words came back: nothing reopens.
    let closed = open.reduce(Action::CloseSheet).reduce(Action::AppendNote { lead: a.id.clone(), text: "late".into() });
    assert!(closed.sheet.is_none());
}

/// The phone build has no tz database of its own: the team's time zone comes from the
/// browser's (Intl). A wrong offset would put every follow-up at the wrong hour.
#[wasm_bindgen_test]
fn the_team_time_zone_comes_from_the_browser() {
    use chrono::NaiveDate;
    use dialbook_core::rules::{FollowUpRules, QuickChip, Zone};

    let kolkata = Zone::parse("Asia/Kolkata").unwrap();
    assert_eq!(kolkata.offset_seconds(NOW), Some(5 * 3600 + 30 * 60));
    let rules = FollowUpRules::default();
    // 22 Nov 2026, 09:30 in Kolkata (the working day's start) is 04:00 UTC.
    let tomorrow = rules.resolve(QuickChip::Tomorrow, NOW);
    assert_eq!(tomorrow, Timestamp(1_795_320_000_000));
    assert_eq!(dialbook_pwa::format::when(tomorrow, NOW, &rules), "tomorrow 9:30 am");

    // New York's clocks change: 2:00 EST on 8 March 2026 becomes 3:00 EDT (07:00 UTC).
    let ny = Zone::parse("America/New_York").unwrap();
    assert_eq!(ny.offset_seconds(Timestamp(1_772_953_140_000)), Some(-5 * 3600));
    assert_eq!(ny.offset_seconds(Timestamp(1_772_953_200_000)), Some(-4 * 3600));
    let wall = |m, d, h, min| NaiveDate::from_ymd_opt(2026, m, d).unwrap().and_hms_opt(h, min, 0).unwrap();
    assert_eq!(ny.earliest(wall(3, 8, 2, 30)), None, "02:30 never happens that day");
    // 01:30 on 1 November happens twice; the first is 05:30 UTC (still EDT).
    assert_eq!(ny.earliest(wall(11, 1, 1, 30)), Some(Timestamp(1_793_511_000_000)));

    // (The browser knows a few more aliases than chrono-tz, "IST" among them; the names
    // it is given come from the server, which checks them with chrono-tz.)
    let err = Zone::parse("Asia/Bengaluru").unwrap_err().to_string();
    assert!(err.contains("\"Asia/Bengaluru\" is not a time zone name"), "{err}");
    assert!(Zone::parse("").is_err());
}
