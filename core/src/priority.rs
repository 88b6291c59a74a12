//! Who to call next: a lead's priority in the calling queue, with the reasons shown on
//! its card. Owns the scoring and the queue order; it is integer-only and a pure function
//! of the lead, `now` and the team's [`FollowUpRules`], so the phone (offline) and the
//! server rank a queue identically. It does not decide follow-up times (see `rules`).
//!
//! Each lead falls in one band; bands never overlap, and a weight orders leads within a
//! band. From the top:
//!
//! 1. **Overdue callbacks** — a callback whose time has come. A customer asked for this
//!    call, so these come before everything else.
//! 2. **Other overdue follow-ups.**
//!
//!    In both, a longer wait ranks higher, one point a minute, up to 4 hours. After a day
//!    a follow-up counts as stale and sinks, a point every 10 minutes, to the bottom of
//!    its band (about 2½ days overdue). So yesterday's missed callback stays on top, but a
//!    month-old one does not bury the callback that just came due. It stays above
//!    everything not yet due, so it is never lost.
//! 3. **Follow-ups due later today** — soonest first.
//! 4. **New leads** — never called, oldest first (a lead goes cold).
//! 5. **Interested leads without a follow-up** — longest since the last contact first.
//! 6. **Other open leads without a follow-up**, in the same order.
//! 7. **Follow-ups after today** — soonest first. Not in today's queue; they sit below
//!    new leads in any list that shows them.
//! 8. **Closed leads** (converted, not interested, wrong number) — last, and never in the
//!    queue.
//!
//! Within the follow-up bands an interested lead is moved up as if due an hour earlier,
//! and each failed attempt (no answer, busy) moves a lead down by half an hour, up to ten
//! attempts, so numbers that never pick up drift below fresh ones.
//!
//! Ties are broken by follow-up time (earlier first, none last), then creation time (older
//! first), then id, then the remaining inputs, so the order is total and does not depend
//! on the order leads were read in.

use crate::domain::{CallOutcome, LeadStatus, Timestamp};
use crate::rules::FollowUpRules;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// What the ranking needs to know about one lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityInput<'a> {
    pub id: &'a str,
    pub status: LeadStatus,
    pub follow_up: Option<Timestamp>,
    pub created_at: Timestamp,
    /// The latest call attempt: when, and how it went.
    pub last_call: Option<(Timestamp, CallOutcome)>,
    pub call_count: u32,
}

/// Why a lead is where it is in the queue, shown as short text on its card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The follow-up time has passed, by this many whole minutes (0: it is due now).
    Overdue {
        by_minutes: i64,
    },
    /// A callback the customer asked for is due.
    CallbackDue,
    /// The follow-up is later today.
    DueToday,
    /// Never called.
    NewLead,
    Interested,
    /// The last call did not get through; this many calls so far.
    Retry {
        attempts: u32,
    },
    Closed,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reason::Overdue { by_minutes } if by_minutes < 1 => f.write_str("due now"),
            Reason::Overdue { by_minutes } if by_minutes < 60 => write!(f, "overdue {by_minutes} min"),
            Reason::Overdue { by_minutes } if by_minutes < MINUTES_PER_DAY => {
                write!(f, "overdue {} h", by_minutes / 60)
            }
            Reason::Overdue { by_minutes } => match by_minutes / MINUTES_PER_DAY {
                1 => f.write_str("overdue 1 day"),
                days => write!(f, "overdue {days} days"),
            },
            Reason::CallbackDue => f.write_str("callback due"),
            Reason::DueToday => f.write_str("due today"),
            Reason::NewLead => f.write_str("new lead"),
            Reason::Interested => f.write_str("interested"),
            Reason::Retry { attempts: 1 } => f.write_str("retry (1 try)"),
            Reason::Retry { attempts } => write!(f, "retry ({attempts} tries)"),
            Reason::Closed => f.write_str("closed"),
        }
    }
}

/// A lead's place in the queue: higher `score` is called first. `reasons` are most
/// important first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    pub score: i64,
    pub reasons: Vec<Reason>,
}

/// Band bases. Within-band weights stay inside ±`BAND / 2` (see the caps below), so a
/// lead's band alone decides its order against leads in other bands.
const BAND: i64 = 1_000_000;
const OVERDUE_CALLBACK: i64 = 9 * BAND;
const OVERDUE: i64 = 8 * BAND;
const DUE_TODAY: i64 = 7 * BAND;
const NEW: i64 = 6 * BAND;
const INTERESTED: i64 = 5 * BAND;
const OPEN: i64 = 4 * BAND;
const LATER: i64 = 3 * BAND;
const CLOSED: i64 = 0;

const MINUTES_PER_DAY: i64 = 24 * 60;
/// Overdue weight grows a point a minute up to this.
const OVERDUE_RISE_MINUTES: i64 = 4 * 60;
/// After this long overdue a follow-up is stale and starts to sink…
const STALE_AFTER_MINUTES: i64 = MINUTES_PER_DAY;
/// …by a point per this many minutes.
const STALE_MINUTES_PER_POINT: i64 = 10;
/// Waiting time counts for at most 30 days (new and unscheduled leads).
const WAIT_CAP_MINUTES: i64 = 30 * MINUTES_PER_DAY;
/// Follow-ups after today are told apart up to about 270 days ahead.
const LATER_CAP_MINUTES: i64 = 400_000;
const INTERESTED_BONUS: i64 = 60;
const PER_FAILED_ATTEMPT: i64 = 30;
const MAX_COUNTED_ATTEMPTS: u32 = 10;

/// `now` and when today ends in the team's time zone, worked out once for a whole list:
/// ranking 5,000 leads asked the zone for the end of today up to 10,000 times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Today {
    pub now: Timestamp,
    pub end: Timestamp,
}

impl Today {
    pub fn new(now: Timestamp, rules: &FollowUpRules) -> Today {
        Today { now, end: rules.end_of_today(now) }
    }
}

/// Scores one lead at `now`. `rules` supplies the time zone that decides what "today" is.
pub fn score(input: &PriorityInput, now: Timestamp, rules: &FollowUpRules) -> Priority {
    score_today(input, Today::new(now, rules))
}

/// [`score`], with today worked out already.
pub fn score_today(input: &PriorityInput, today: Today) -> Priority {
    let now = today.now;
    if input.status.is_closed() {
        return Priority { score: CLOSED, reasons: vec![Reason::Closed] };
    }
    let mut reasons = Vec::new();
    let is_new = input.status == LeadStatus::New && input.call_count == 0 && input.last_call.is_none();
    let interested = input.status == LeadStatus::Interested;
    let failed_attempts = match input.last_call {
        Some((_, CallOutcome::NoAnswer | CallOutcome::Busy)) => input.call_count.max(1),
        _ => 0,
    };

    let (band, weight) = match input.follow_up {
        Some(due) if due <= now => {
            let by_minutes = minutes_between(due, now);
            let band = if input.status == LeadStatus::Callback {
                reasons.push(Reason::CallbackDue);
                OVERDUE_CALLBACK
            } else {
                OVERDUE
            };
            reasons.push(Reason::Overdue { by_minutes });
            (band, overdue_weight(by_minutes) + adjustments(interested, failed_attempts))
        }
        Some(due) if due < today.end => {
            reasons.push(Reason::DueToday);
            let until = minutes_between(now, due).min(MINUTES_PER_DAY);
            (DUE_TODAY, -until + adjustments(interested, failed_attempts))
        }
        Some(due) => {
            let until = minutes_between(now, due).min(LATER_CAP_MINUTES);
            (LATER, -until + adjustments(interested, failed_attempts))
        }
        None if is_new => (NEW, minutes_between(input.created_at, now).clamp(0, WAIT_CAP_MINUTES)),
        None => {
            let since = input.last_call.map_or(input.created_at, |(at, _)| at);
            let waited = minutes_between(since, now).clamp(0, WAIT_CAP_MINUTES);
            let band = if interested { INTERESTED } else { OPEN };
            (band, waited - attempts_penalty(failed_attempts))
        }
    };

    if is_new {
        reasons.push(Reason::NewLead);
    }
    if interested {
        reasons.push(Reason::Interested);
    }
    if failed_attempts > 0 {
        reasons.push(Reason::Retry { attempts: failed_attempts });
    }
    Priority { score: band + weight, reasons }
}

/// Orders leads best first (see the module doc), with their priorities.
pub fn rank<'a>(
    items: impl IntoIterator<Item = PriorityInput<'a>>,
    now: Timestamp,
    rules: &FollowUpRules,
) -> Vec<(&'a str, Priority)> {
    rank_with(items.into_iter().map(|input| (input.id, input)), Today::new(now, rules))
}

/// [`rank`] for items that carry their own input, with today worked out already: each
/// item comes back with its priority, so the caller need not look its leads up again by
/// id.
pub fn rank_with<'a, T>(items: impl IntoIterator<Item = (T, PriorityInput<'a>)>, today: Today) -> Vec<(T, Priority)> {
    let mut scored: Vec<_> = items.into_iter().map(|(item, input)| (score_today(&input, today), input, item)).collect();
    scored.sort_by(|(pa, a, _), (pb, b, _)| pb.score.cmp(&pa.score).then_with(|| tie_break(a, b)));
    scored.into_iter().map(|(priority, _, item)| (item, priority)).collect()
}

/// Whether the lead belongs in today's calling queue: open, and its follow-up (if it has
/// one) is due today or already overdue.
pub fn in_queue(input: &PriorityInput, now: Timestamp, rules: &FollowUpRules) -> bool {
    in_queue_today(input, Today::new(now, rules))
}

/// [`in_queue`], with today worked out already.
pub fn in_queue_today(input: &PriorityInput, today: Today) -> bool {
    !input.status.is_closed() && input.follow_up.is_none_or(|due| due < today.end)
}

fn tie_break(a: &PriorityInput, b: &PriorityInput) -> Ordering {
    // `None` sorts after every time: leads with a set time first.
    let follow_up = |i: &PriorityInput| (i.follow_up.is_none(), i.follow_up);
    follow_up(a)
        .cmp(&follow_up(b))
        .then(a.created_at.cmp(&b.created_at))
        .then(a.id.cmp(b.id))
        // Ids are unique in practice; comparing the rest keeps the order total anyway.
        .then(a.status.cmp(&b.status))
        .then(a.last_call.cmp(&b.last_call))
        .then(a.call_count.cmp(&b.call_count))
}

/// Whole minutes from `from` to `to` (negative if `to` is earlier), without overflow.
fn minutes_between(from: Timestamp, to: Timestamp) -> i64 {
    to.millis().saturating_sub(from.millis()) / Timestamp::MINUTE
}

fn overdue_weight(by_minutes: i64) -> i64 {
    if by_minutes <= OVERDUE_RISE_MINUTES {
        by_minutes.max(0)
    } else if by_minutes <= STALE_AFTER_MINUTES {
        OVERDUE_RISE_MINUTES
    } else {
        let sunk = (by_minutes - STALE_AFTER_MINUTES) / STALE_MINUTES_PER_POINT;
        (OVERDUE_RISE_MINUTES - sunk).max(0)
    }
}

fn adjustments(interested: bool, failed_attempts: u32) -> i64 {
    let bonus = if interested { INTERESTED_BONUS } else { 0 };
    bonus - attempts_penalty(failed_attempts)
}

fn attempts_penalty(failed_attempts: u32) -> i64 {
    i64::from(failed_attempts.min(MAX_COUNTED_ATTEMPTS)) * PER_FAILED_ATTEMPT
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const MIN: i64 = Timestamp::MINUTE;
    const HOUR: i64 = Timestamp::HOUR;
    const DAY: i64 = Timestamp::DAY;

    /// 11:00 IST on 21 November 2026.
    fn now() -> Timestamp {
        Timestamp::from_chrono(
            chrono_tz::Asia::Kolkata.with_ymd_and_hms(2026, 11, 21, 11, 0, 0).unwrap().to_utc(),
        )
    }

    fn at(offset: i64) -> Timestamp {
        now().plus_millis(offset)
    }

    fn lead(id: &str) -> PriorityInput<'_> {
        PriorityInput {
            id,
            status: LeadStatus::New,
            follow_up: None,
            created_at: at(-2 * DAY),
            last_call: None,
            call_count: 0,
        }
    }

    fn callback(id: &str, due: Timestamp) -> PriorityInput<'_> {
        PriorityInput {
            status: LeadStatus::Callback,
            follow_up: Some(due),
            last_call: Some((at(-3 * DAY), CallOutcome::Callback)),
            call_count: 1,
            ..lead(id)
        }
    }

    fn retry(id: &str, due: Timestamp, calls: u32) -> PriorityInput<'_> {
        PriorityInput {
            status: LeadStatus::Attempted,
            follow_up: Some(due),
            last_call: Some((at(-3 * HOUR), CallOutcome::NoAnswer)),
            call_count: calls,
            ..lead(id)
        }
    }

    fn interested(id: &str, due: Option<Timestamp>) -> PriorityInput<'_> {
        PriorityInput {
            status: LeadStatus::Interested,
            follow_up: due,
            last_call: Some((at(-DAY), CallOutcome::Interested)),
            call_count: 1,
            ..lead(id)
        }
    }

    fn closed(id: &str, status: LeadStatus) -> PriorityInput<'_> {
        PriorityInput {
            status,
            last_call: Some((at(-DAY), CallOutcome::Converted)),
            call_count: 1,
            ..lead(id)
        }
    }

    fn order(items: Vec<PriorityInput<'_>>) -> Vec<&str> {
        rank(items, now(), &FollowUpRules::default()).into_iter().map(|(id, _)| id).collect()
    }

    fn reasons(input: PriorityInput) -> Vec<String> {
        score(&input, now(), &FollowUpRules::default()).reasons.iter().map(Reason::to_string).collect()
    }

    #[test]
    fn overdue_callback_beats_new_lead() {
        assert_eq!(order(vec![lead("new"), callback("cb", at(-10 * MIN))]), ["cb", "new"]);
    }

    #[test]
    fn new_lead_beats_follow_up_next_week() {
        assert_eq!(order(vec![retry("next-week", at(7 * DAY), 1), lead("new")]), ["new", "next-week"]);
        assert_eq!(
            order(vec![interested("int-next-week", Some(at(7 * DAY))), lead("new")]),
            ["new", "int-next-week"]
        );
    }

    #[test]
    fn the_bands_in_order() {
        let items = vec![
            closed("closed", LeadStatus::Converted),
            retry("tomorrow", at(DAY), 1),
            PriorityInput {
                status: LeadStatus::Attempted,
                last_call: Some((at(-DAY), CallOutcome::Busy)),
                call_count: 2,
                ..lead("open")
            },
            interested("interested", None),
            lead("new"),
            retry("later-today", at(2 * HOUR), 1),
            retry("overdue", at(-HOUR), 1),
            callback("callback-overdue", at(-5 * MIN)),
        ];
        assert_eq!(
            order(items),
            ["callback-overdue", "overdue", "later-today", "new", "interested", "open", "tomorrow", "closed"]
        );
    }

    #[test]
    fn callbacks_due_come_before_other_overdue_however_old() {
        assert_eq!(
            order(vec![retry("old-retry", at(-3 * HOUR), 0), callback("cb", at(-MIN))]),
            ["cb", "old-retry"]
        );
        let month_old =
            PriorityInput { status: LeadStatus::Interested, ..retry("month-old", at(-30 * DAY), 0) };
        assert_eq!(order(vec![month_old, callback("cb", at(0))]), ["cb", "month-old"]);
    }

    #[test]
    fn longer_overdue_first_within_the_first_hours() {
        assert_eq!(
            order(vec![
                callback("10min", at(-10 * MIN)),
                callback("2h", at(-2 * HOUR)),
                callback("1h", at(-HOUR))
            ]),
            ["2h", "1h", "10min"]
        );
    }

    #[test]
    fn yesterdays_missed_callback_stays_on_top_but_a_month_old_one_does_not_bury_todays() {
        assert_eq!(
            order(vec![callback("now", at(-15 * MIN)), callback("yesterday", at(-20 * HOUR))]),
            ["yesterday", "now"]
        );
        assert_eq!(
            order(vec![callback("month", at(-30 * DAY)), callback("now", at(-15 * MIN))]),
            ["now", "month"]
        );
        // Still above everything that is not yet due.
        assert_eq!(order(vec![lead("new"), callback("month", at(-30 * DAY))]), ["month", "new"]);
    }

    #[test]
    fn due_today_soonest_first_and_after_overdue() {
        assert_eq!(
            order(vec![
                retry("5pm", at(6 * HOUR), 1),
                retry("1pm", at(2 * HOUR), 1),
                retry("stale", at(-10 * DAY), 1)
            ]),
            ["stale", "1pm", "5pm"]
        );
    }

    #[test]
    fn new_leads_oldest_first() {
        let young = PriorityInput { created_at: at(-HOUR), ..lead("young") };
        let old = PriorityInput { created_at: at(-5 * DAY), ..lead("old") };
        let ancient = PriorityInput { created_at: at(-400 * DAY), ..lead("ancient") };
        let older_ancient = PriorityInput { created_at: at(-500 * DAY), ..lead("older-ancient") };
        // Age counts up to 30 days; then the tie-break (older first) still orders them.
        assert_eq!(
            order(vec![young, ancient, old, older_ancient]),
            ["older-ancient", "ancient", "old", "young"]
        );
    }

    #[test]
    fn many_failed_attempts_decay() {
        let fresh = retry("1-try", at(-30 * MIN), 1);
        let tired = retry("8-tries", at(-60 * MIN), 8);
        assert_eq!(order(vec![tired, fresh]), ["1-try", "8-tries"]);
        // But they never fall out of their band.
        assert_eq!(order(vec![lead("new"), retry("20-tries", at(-MIN), 20)]), ["20-tries", "new"]);
    }

    #[test]
    fn interested_moves_up_within_a_band() {
        let a = retry("retry", at(-90 * MIN), 0);
        let b = interested("interested", Some(at(-60 * MIN)));
        assert_eq!(order(vec![a, b]), ["interested", "retry"]);
    }

    #[test]
    fn ties_break_by_follow_up_then_created_then_id() {
        // Both stale callbacks at the bottom of their band: equal scores.
        let a = callback("a", at(-40 * DAY));
        let b = callback("b", at(-41 * DAY));
        let rules = FollowUpRules::default();
        assert_eq!(score(&a, now(), &rules).score, score(&b, now(), &rules).score);
        assert_eq!(order(vec![a, b]), ["b", "a"]);
        let c = PriorityInput { created_at: at(-10 * DAY), ..lead("c") };
        let d = PriorityInput { created_at: at(-10 * DAY), ..lead("d") };
        assert_eq!(order(vec![d, c]), ["c", "d"]);
    }

    #[test]
    fn closed_leads_are_last_and_not_in_the_queue() {
        let rules = FollowUpRules::default();
        for status in [LeadStatus::Converted, LeadStatus::NotInterested, LeadStatus::WrongNumber] {
            let mut c = closed("closed", status);
            c.follow_up = Some(at(-HOUR));
            assert!(!in_queue(&c, now(), &rules));
            assert_eq!(score(&c, now(), &rules), Priority { score: 0, reasons: vec![Reason::Closed] });
            assert_eq!(order(vec![c, retry("next-month", at(30 * DAY), 9)]), ["next-month", "closed"]);
        }
    }

    #[test]
    fn queue_membership_uses_the_local_day() {
        let rules = FollowUpRules::default();
        assert!(in_queue(&lead("new"), now(), &rules));
        assert!(in_queue(&retry("overdue", at(-HOUR), 1), now(), &rules));
        assert!(in_queue(&retry("today", at(12 * HOUR + 59 * MIN), 1), now(), &rules)); // 23:59 IST
        assert!(!in_queue(&retry("tomorrow", at(13 * HOUR), 1), now(), &rules)); // 00:00 IST
        assert!(!in_queue(&retry("next-week", at(7 * DAY), 1), now(), &rules));
        assert!(in_queue(&interested("no-date", None), now(), &rules));

        // At 20:00 UTC it is already 01:30 IST on the 22nd, so India's "today" runs until
        // 18:30 UTC on the 22nd while UTC's ends in four hours.
        let utc =
            |d, h, m| Timestamp::from_chrono(chrono::Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap());
        let late = utc(21, 20, 0);
        let utc_rules = FollowUpRules::new(crate::rules::Zone::parse("UTC").unwrap(), Default::default());
        let afternoon_ist = retry("x", utc(22, 10, 0), 1); // 15:30 IST on the 22nd
        assert!(in_queue(&afternoon_ist, late, &rules));
        assert!(!in_queue(&afternoon_ist, late, &utc_rules));
        assert!(!in_queue(&retry("x", utc(22, 18, 30), 1), late, &rules)); // 00:00 IST on the 23rd
        assert!(in_queue(&retry("x", utc(21, 23, 59), 1), late, &utc_rules));
        assert_eq!(score(&afternoon_ist, late, &rules).reasons[0], Reason::DueToday);
    }

    #[test]
    fn reasons_for_the_card() {
        assert_eq!(reasons(callback("cb", at(-2 * HOUR - 5 * MIN))), ["callback due", "overdue 2 h"]);
        assert_eq!(reasons(retry("r", at(-25 * MIN), 2)), ["overdue 25 min", "retry (2 tries)"]);
        assert_eq!(reasons(retry("r", at(-3 * DAY - HOUR), 1)), ["overdue 3 days", "retry (1 try)"]);
        assert_eq!(reasons(retry("r", at(2 * HOUR), 3)), ["due today", "retry (3 tries)"]);
        assert_eq!(reasons(callback("cb", now())), ["callback due", "due now"]);
        assert_eq!(reasons(lead("new")), ["new lead"]);
        assert_eq!(reasons(interested("i", None)), ["interested"]);
        assert_eq!(reasons(interested("i", Some(at(HOUR)))), ["due today", "interested"]);
        assert_eq!(reasons(interested("i", Some(at(3 * DAY)))), ["interested"]);
        assert_eq!(reasons(closed("c", LeadStatus::WrongNumber)), ["closed"]);
    }

    #[test]
    fn reason_texts() {
        let text = |by_minutes| Reason::Overdue { by_minutes }.to_string();
        assert_eq!(text(0), "due now");
        assert_eq!(text(1), "overdue 1 min");
        assert_eq!(text(59), "overdue 59 min");
        assert_eq!(text(60), "overdue 1 h");
        assert_eq!(text(23 * 60 + 59), "overdue 23 h");
        assert_eq!(text(24 * 60), "overdue 1 day");
        assert_eq!(text(3 * 24 * 60 + 5), "overdue 3 days");
        assert_eq!(Reason::CallbackDue.to_string(), "callback due");
        assert_eq!(Reason::DueToday.to_string(), "due today");
        assert_eq!(Reason::NewLead.to_string(), "new lead");
        assert_eq!(Reason::Interested.to_string(), "interested");
        assert_eq!(Reason::Retry { attempts: 1 }.to_string(), "retry (1 try)");
        assert_eq!(Reason::Retry { attempts: 2 }.to_string(), "retry (2 tries)");
        assert_eq!(Reason::Closed.to_string(), "closed");
    }

    #[test]
    fn reasons_serialise_tagged() {
        let json = serde_json::to_string(&Reason::Overdue { by_minutes: 120 }).unwrap();
        assert_eq!(json, r#"{"kind":"overdue","by_minutes":120}"#);
        assert_eq!(serde_json::to_string(&Reason::NewLead).unwrap(), r#"{"kind":"new_lead"}"#);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let rules = FollowUpRules::default();
        for t in [Timestamp(i64::MIN), Timestamp(i64::MAX), Timestamp(0)] {
            for follow_up in [None, Some(Timestamp(i64::MIN)), Some(Timestamp(i64::MAX))] {
                let input = PriorityInput { follow_up, created_at: Timestamp(i64::MIN), ..callback("x", t) };
                let p = score(&input, t, &rules);
                assert!((LATER - BAND / 2..=OVERDUE_CALLBACK + BAND / 2).contains(&p.score), "{p:?}");
            }
        }
    }

    // ---- properties ----

    /// An owned lead for property tests; `PriorityInput` borrows its id from here.
    #[derive(Debug, Clone)]
    struct Lead {
        id: String,
        status: LeadStatus,
        follow_up: Option<i64>,
        created_at: i64,
        last_call: Option<(i64, CallOutcome)>,
        call_count: u32,
    }

    impl Lead {
        fn input(&self) -> PriorityInput<'_> {
            PriorityInput {
                id: &self.id,
                status: self.status,
                follow_up: self.follow_up.map(at),
                created_at: at(self.created_at),
                last_call: self.last_call.map(|(t, o)| (at(t), o)),
                call_count: self.call_count,
            }
        }
    }

    fn offset() -> impl Strategy<Value = i64> {
        // Mostly within ±2 months, to the minute, so ties are common.
        prop_oneof![
            (-60 * 24 * 60i64..60 * 24 * 60).prop_map(|m| m * MIN),
            Just(0),
            (-5i64..5).prop_map(|d| d * DAY)
        ]
    }

    fn leads() -> impl Strategy<Value = Vec<Lead>> {
        let one = (
            prop::sample::select(LeadStatus::ALL.to_vec()),
            prop::option::of(offset()),
            offset(),
            prop::option::of((offset(), prop::sample::select(CallOutcome::ALL.to_vec()))),
            0u32..15,
        );
        prop::collection::vec(one, 0..40).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (status, follow_up, created_at, last_call, call_count))| Lead {
                    // Some duplicate ids too: the order must stay total regardless.
                    id: format!("lead-{}", i % 30),
                    status,
                    follow_up,
                    created_at,
                    last_call,
                    call_count,
                })
                .collect()
        })
    }

    fn ranked(leads: &[Lead]) -> Vec<(String, Priority)> {
        rank(leads.iter().map(Lead::input), now(), &FollowUpRules::default())
            .into_iter()
            .map(|(id, p)| (id.to_owned(), p))
            .collect()
    }

    proptest! {
        #[test]
        fn rank_ignores_input_order((original, shuffled) in leads().prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))) {
            prop_assert_eq!(ranked(&original), ranked(&shuffled));
        }

        #[test]
        fn rank_is_sorted_by_score_and_queue_comes_first(leads in leads()) {
            let rules = FollowUpRules::default();
            let ranked = rank(leads.iter().map(Lead::input), now(), &rules);
            prop_assert_eq!(ranked.len(), leads.len());
            prop_assert!(ranked.windows(2).all(|w| w[0].1.score >= w[1].1.score));
            // Everything in today's queue ranks above everything that is not.
            let queued: Vec<bool> = {
                let mut inputs: Vec<_> = leads.iter().map(Lead::input).collect();
                inputs.sort_by(|a, b| {
                    score(b, now(), &rules).score.cmp(&score(a, now(), &rules).score).then_with(|| tie_break(a, b))
                });
                inputs.iter().map(|i| in_queue(i, now(), &rules)).collect()
            };
            prop_assert!(queued.windows(2).all(|w| w[0] || !w[1]), "{:?}", queued);
        }

        #[test]
        fn closed_leads_score_lowest(leads in leads()) {
            let rules = FollowUpRules::default();
            for lead in &leads {
                let input = lead.input();
                let p = score(&input, now(), &rules);
                prop_assert_eq!(p.score == CLOSED, input.status.is_closed());
                prop_assert!(p.score == CLOSED || p.score >= LATER - BAND / 2);
                // Every lead in the upper bands has something to show on its card.
                prop_assert!(!p.reasons.is_empty() || p.score < INTERESTED - BAND / 2, "{:?} {:?}", input, p);
            }
        }
    }
}
