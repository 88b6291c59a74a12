//! Follow-up rules: where a call outcome becomes the suggested time of the next call.
//!
//! Owns the team's rule table ([`FollowUpRules`]: one [`FollowUpRule`] per
//! [`CallOutcome`]), its working hours and time zone, and the quick chips of the outcome
//! sheet ([`QuickChip`]). Everything is a pure function of the `now` handed in; all
//! instants are UTC [`Timestamp`]s, and only the calendar words — "today", "tomorrow",
//! "10:00", "end of the working day" — are read in the team's time zone.
//!
//! Calendar words are relative to the *local date of `now`*: "tomorrow" at 23:30 IST on
//! 21 November is 22 November, and at 01:30 IST on 22 November (20:00 UTC on the 21st)
//! it is 23 November. There are no weekends or holidays here yet: the next working day is
//! the next calendar day.
//!
//! Local times that do not exist or happen twice (daylight-saving changes, in zones that
//! have them) resolve to the earliest valid instant at or after the wall-clock time, so no
//! input panics.

use crate::domain::{CallOutcome, ParseError, Timestamp};
pub use crate::zone::{DEFAULT_TIME_ZONE, Zone};
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What to suggest as the next follow-up after an outcome.
///
/// Written compactly (see [`FollowUpRule::spec`]) in settings and in the team document,
/// and serialised as that same string, so there is one format to read and to validate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FollowUpRule {
    /// Try again after this many minutes, unless that is past the end of the working
    /// day; then at the start of the next working day.
    LaterToday { after_minutes: u32 },
    /// The time agreed with the customer; if none was entered, in an hour (as
    /// `LaterToday { after_minutes: 60 }`).
    AgreedTime,
    /// `days` after the local date of the call, at `hour:minute` local time.
    DaysAt { days: u32, hour: u8, minute: u8 },
    /// No follow-up: the lead leaves the queue.
    None,
}

/// Largest `LaterToday` delay a spec may ask for: "later today" is not for tomorrow.
const MAX_LATER_TODAY_MINUTES: u32 = 24 * 60;
/// Largest `DaysAt` a spec may ask for, about ten years; keeps date arithmetic in range.
const MAX_DAYS: u32 = 3660;

impl FollowUpRule {
    /// The compact form: `later_today:180`, `agreed`, `days:1@10:00` or `none`.
    pub fn spec(&self) -> String {
        match self {
            FollowUpRule::LaterToday { after_minutes } => format!("later_today:{after_minutes}"),
            FollowUpRule::AgreedTime => "agreed".to_owned(),
            FollowUpRule::DaysAt { days, hour, minute } => format!("days:{days}@{hour:02}:{minute:02}"),
            FollowUpRule::None => "none".to_owned(),
        }
    }

    /// Reads the compact form written by [`FollowUpRule::spec`]. Surrounding spaces are
    /// ignored and the hour may have one digit (`days:1@9:30`).
    pub fn parse_spec(s: &str) -> Result<Self, ParseError> {
        let spec = s.trim();
        let bad = |why: &str| {
            ParseError::new(
                "follow-up rule",
                format!(
                    "{spec:?} is not a follow-up rule: {why} \
                     (use later_today:MINUTES, agreed, days:N@HH:MM or none)"
                ),
            )
        };
        if spec == "agreed" {
            return Ok(FollowUpRule::AgreedTime);
        }
        if spec == "none" {
            return Ok(FollowUpRule::None);
        }
        if let Some(minutes) = spec.strip_prefix("later_today:") {
            let after_minutes =
                parse_number(minutes).filter(|m| (1..=MAX_LATER_TODAY_MINUTES).contains(m)).ok_or_else(
                    || bad(&format!("minutes must be a number from 1 to {MAX_LATER_TODAY_MINUTES}")),
                )?;
            return Ok(FollowUpRule::LaterToday { after_minutes });
        }
        if let Some(rest) = spec.strip_prefix("days:") {
            let (days, time) = rest.split_once('@').ok_or_else(|| bad("missing @HH:MM after the days"))?;
            let days = parse_number(days)
                .filter(|d| (1..=MAX_DAYS).contains(d))
                .ok_or_else(|| bad(&format!("days must be a number from 1 to {MAX_DAYS}")))?;
            let (hour, minute) =
                parse_clock(time).ok_or_else(|| bad("the time must be HH:MM, 00:00 to 23:59"))?;
            return Ok(FollowUpRule::DaysAt { days, hour, minute });
        }
        Err(bad("unknown kind"))
    }
}

impl fmt::Display for FollowUpRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec())
    }
}
impl TryFrom<String> for FollowUpRule {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse_spec(&s)
    }
}
impl From<FollowUpRule> for String {
    fn from(rule: FollowUpRule) -> String {
        rule.spec()
    }
}

/// The local working day, e.g. 09:30–19:30. Start is always before end, both within one
/// day (no night shifts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkingHours {
    start: NaiveTime,
    end: NaiveTime,
}

impl WorkingHours {
    /// From `(hour, minute)` pairs in local time.
    pub fn new(start: (u8, u8), end: (u8, u8)) -> Result<Self, ParseError> {
        let bad = |why: String| ParseError::new("working hours", why);
        let time = |(h, m): (u8, u8)| {
            NaiveTime::from_hms_opt(h.into(), m.into(), 0)
                .ok_or_else(|| bad(format!("{h:02}:{m:02} is not a time of day (00:00 to 23:59)")))
        };
        let (start, end) = (time(start)?, time(end)?);
        if start >= end {
            return Err(bad(format!(
                "the working day must end after it starts, not {}–{}",
                start.format("%H:%M"),
                end.format("%H:%M")
            )));
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> (u8, u8) {
        clock(self.start)
    }
    pub fn end(&self) -> (u8, u8) {
        clock(self.end)
    }

    /// `09:30-19:30`.
    pub fn spec(&self) -> String {
        format!("{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }

    /// Reads `09:30-19:30` (an en dash works too, and single-digit hours).
    pub fn parse_spec(s: &str) -> Result<Self, ParseError> {
        let (start, end) = s
            .trim()
            .split_once(['-', '–'])
            .and_then(|(a, b)| Some((parse_clock(a)?, parse_clock(b)?)))
            .ok_or_else(|| {
                ParseError::new(
                    "working hours",
                    format!("{s:?} is not working hours: write them like 09:30-19:30"),
                )
            })?;
        Self::new(start, end)
    }
}

impl Default for WorkingHours {
    fn default() -> Self {
        Self {
            start: NaiveTime::from_hms_opt(9, 30, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(19, 30, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}
impl TryFrom<String> for WorkingHours {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse_spec(&s)
    }
}
impl From<WorkingHours> for String {
    fn from(hours: WorkingHours) -> String {
        hours.spec()
    }
}

/// The one-tap choices on the outcome sheet for "call again …".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuickChip {
    /// In this many hours, rolling over to the next working morning like
    /// [`FollowUpRule::LaterToday`] when that is after hours.
    InHours(u32),
    /// The next day, at the start of the working day.
    Tomorrow,
    /// This many days after today, at the start of the working day.
    InDays(u32),
    /// This many weeks after today, at the start of the working day.
    InWeeks(u32),
}

impl QuickChip {
    /// The chips the outcome sheet shows, in order.
    pub const SHEET: [QuickChip; 4] =
        [QuickChip::InHours(2), QuickChip::Tomorrow, QuickChip::InDays(3), QuickChip::InWeeks(1)];

    /// Short text for the chip: `2 h`, `Tomorrow`, `3 days`, `1 week`.
    pub fn label(&self) -> String {
        match *self {
            QuickChip::InHours(h) => format!("{h} h"),
            QuickChip::Tomorrow => "Tomorrow".to_owned(),
            QuickChip::InDays(d) => plural(d, "day"),
            QuickChip::InWeeks(w) => plural(w, "week"),
        }
    }
}

fn plural(n: u32, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

/// A team's follow-up settings: time zone, working hours, and one rule per outcome.
///
/// Always holds a rule for every [`CallOutcome`]: a table read from storage that lacks
/// one (say, an outcome added in a later version) gets the default for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RulesRepr", into = "RulesRepr")]
pub struct FollowUpRules {
    pub time_zone: Zone,
    pub working_hours: WorkingHours,
    rules: BTreeMap<CallOutcome, FollowUpRule>,
}

impl Default for FollowUpRules {
    fn default() -> Self {
        Self::new(Zone::default(), WorkingHours::default())
    }
}

/// The rule a new team starts with for each outcome.
pub fn default_rule(outcome: CallOutcome) -> FollowUpRule {
    match outcome {
        CallOutcome::NoAnswer => FollowUpRule::LaterToday { after_minutes: 180 },
        CallOutcome::Busy => FollowUpRule::LaterToday { after_minutes: 60 },
        CallOutcome::Callback => FollowUpRule::AgreedTime,
        CallOutcome::Interested => FollowUpRule::DaysAt { days: 1, hour: 10, minute: 0 },
        CallOutcome::NotInterested => FollowUpRule::DaysAt { days: 30, hour: 10, minute: 0 },
        CallOutcome::Converted | CallOutcome::WrongNumber => FollowUpRule::None,
    }
}

impl FollowUpRules {
    /// A team's settings with the default rule for every outcome.
    pub fn new(time_zone: Zone, working_hours: WorkingHours) -> Self {
        let rules = CallOutcome::ALL.into_iter().map(|o| (o, default_rule(o))).collect();
        Self { time_zone, working_hours, rules }
    }

    pub fn rule(&self, outcome: CallOutcome) -> &FollowUpRule {
        // Every outcome has an entry (see the type's invariant); `None` is only a
        // fallback that cannot be reached.
        self.rules.get(&outcome).unwrap_or(&FollowUpRule::None)
    }

    pub fn set_rule(&mut self, outcome: CallOutcome, rule: FollowUpRule) {
        self.rules.insert(outcome, rule);
    }

    /// The IANA name of the time zone, e.g. `Asia/Kolkata`.
    pub fn time_zone_name(&self) -> &str {
        self.time_zone.name()
    }

    /// The suggested next follow-up after `outcome` logged at `now`, or `None` when the
    /// lead needs no follow-up. `agreed` is the time the telecaller entered for a
    /// callback, if any.
    pub fn suggest(
        &self,
        outcome: CallOutcome,
        now: Timestamp,
        agreed: Option<Timestamp>,
    ) -> Option<Timestamp> {
        self.apply(self.rule(outcome), now, agreed)
    }

    /// What `rule` gives at `now`; [`FollowUpRules::suggest`] with a rule of your own, for
    /// previewing a rule in settings.
    ///
    /// Computed times that land before the start of a working day move to its start. An
    /// agreed time is kept exactly as entered, even outside working hours: the telecaller
    /// chose it with the customer, and changing what they typed would be a surprise.
    pub fn apply(&self, rule: &FollowUpRule, now: Timestamp, agreed: Option<Timestamp>) -> Option<Timestamp> {
        match *rule {
            FollowUpRule::None => None,
            FollowUpRule::AgreedTime => Some(agreed.unwrap_or_else(|| self.later_today(now, 60))),
            FollowUpRule::LaterToday { after_minutes } => Some(self.later_today(now, after_minutes.into())),
            FollowUpRule::DaysAt { days, hour, minute } => {
                // Rules built in code skip `parse_spec`'s checks; clamp rather than fail.
                let time = NaiveTime::from_hms_opt(hour.min(23).into(), minute.min(59).into(), 0)
                    .unwrap_or(self.working_hours.start);
                Some(self.days_at(now, days.into(), time))
            }
        }
    }

    /// When a quick chip tapped at `now` puts the follow-up.
    pub fn resolve(&self, chip: QuickChip, now: Timestamp) -> Timestamp {
        let start = self.working_hours.start;
        match chip {
            QuickChip::InHours(h) => self.later_today(now, i64::from(h) * 60),
            QuickChip::Tomorrow => self.days_at(now, 1, start),
            QuickChip::InDays(d) => self.days_at(now, d.into(), start),
            QuickChip::InWeeks(w) => self.days_at(now, u64::from(w) * 7, start),
        }
    }

    /// The first instant of the local day after `now`'s: follow-ups before it are due
    /// today (or overdue).
    pub fn end_of_today(&self, now: Timestamp) -> Timestamp {
        self.local_date(now)
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .and_then(|d| self.instant(d, NaiveTime::MIN))
            .unwrap_or_else(|| now.plus_millis(Timestamp::DAY))
    }

    /// The calendar date of `t` in the team's time zone.
    pub fn local_date(&self, t: Timestamp) -> Option<NaiveDate> {
        self.local(t).map(|l| l.date())
    }

    /// `now + minutes`, unless that is past the end of the working day of `now`'s local
    /// date (or on a later date): then the next day's start. Early-morning results move to
    /// that morning's start.
    fn later_today(&self, now: Timestamp, minutes: i64) -> Timestamp {
        let target = now.plus_millis(minutes.saturating_mul(Timestamp::MINUTE));
        let (Some(today), Some(local)) = (self.local_date(now), self.local(target)) else {
            return target;
        };
        if local.date() > today || local.time() > self.working_hours.end {
            return self.days_at(now, 1, self.working_hours.start);
        }
        self.not_before_start(target)
    }

    /// `days` after `now`'s local date at local `time`, moved to the working start if
    /// earlier than that.
    fn days_at(&self, now: Timestamp, days: u64, time: NaiveTime) -> Timestamp {
        let fallback =
            || now.plus_millis(i64::try_from(days).unwrap_or(i64::MAX).saturating_mul(Timestamp::DAY));
        let Some(date) = self.local_date(now).and_then(|d| d.checked_add_days(Days::new(days))) else {
            return fallback();
        };
        let time = time.max(self.working_hours.start);
        self.instant(date, time).unwrap_or_else(fallback)
    }

    /// `t`, or the start of its local working day if `t` is before that.
    fn not_before_start(&self, t: Timestamp) -> Timestamp {
        match self.local(t) {
            Some(local) if local.time() < self.working_hours.start => {
                self.instant(local.date(), self.working_hours.start).unwrap_or(t)
            }
            _ => t,
        }
    }

    /// The wall-clock date and time of `t` in the team's time zone.
    pub fn local(&self, t: Timestamp) -> Option<NaiveDateTime> {
        self.time_zone.local(t)
    }

    /// The UTC instant of a local wall-clock time. A time that happens twice takes the
    /// first; one skipped by a clock change moves forward to the first valid minute.
    pub fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<Timestamp> {
        let wall = NaiveDateTime::new(date, time);
        (0..=180).find_map(|skip| self.time_zone.earliest(wall.checked_add_signed(chrono::TimeDelta::minutes(skip))?))
    }
}

/// Reads an IANA time zone name such as `Asia/Kolkata` (exact spelling, as in the tz
/// database).
pub fn parse_time_zone(name: &str) -> Result<Zone, ParseError> {
    Zone::parse(name)
}

/// How [`FollowUpRules`] is stored: the time zone by name, which is what an admin reads.
#[derive(Serialize, Deserialize)]
struct RulesRepr {
    time_zone: String,
    working_hours: WorkingHours,
    rules: BTreeMap<CallOutcome, FollowUpRule>,
}

impl TryFrom<RulesRepr> for FollowUpRules {
    type Error = ParseError;
    fn try_from(repr: RulesRepr) -> Result<Self, ParseError> {
        let mut rules = repr.rules;
        for outcome in CallOutcome::ALL {
            rules.entry(outcome).or_insert_with(|| default_rule(outcome));
        }
        Ok(Self { time_zone: parse_time_zone(&repr.time_zone)?, working_hours: repr.working_hours, rules })
    }
}
impl From<FollowUpRules> for RulesRepr {
    fn from(r: FollowUpRules) -> Self {
        Self { time_zone: r.time_zone.name().to_owned(), working_hours: r.working_hours, rules: r.rules }
    }
}

/// A plain decimal number, without sign or spaces inside.
fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `HH:MM` or `H:MM`, as `(hour, minute)` within one day.
fn parse_clock(s: &str) -> Option<(u8, u8)> {
    let (h, m) = s.trim().split_once(':')?;
    if !(1..=2).contains(&h.len()) || m.len() != 2 {
        return None;
    }
    let (h, m) = (parse_number(h)?, parse_number(m)?);
    (h < 24 && m < 60).then_some((h as u8, m as u8))
}

fn clock(t: NaiveTime) -> (u8, u8) {
    // Hours and minutes are below 60, so they fit a u8.
    (t.hour() as u8, t.minute() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia::Kolkata;

    /// A wall-clock time in IST as a UTC timestamp.
    fn ist(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
        Timestamp::from_chrono(Kolkata.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap().to_utc())
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
        Timestamp::from_chrono(chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap())
    }

    fn suggest(outcome: CallOutcome, now: Timestamp) -> Option<Timestamp> {
        FollowUpRules::default().suggest(outcome, now, None)
    }

    #[test]
    fn defaults_match_the_product_spec() {
        let rules = FollowUpRules::default();
        assert_eq!(rules.time_zone_name(), "Asia/Kolkata");
        assert_eq!(rules.working_hours.start(), (9, 30));
        assert_eq!(rules.working_hours.end(), (19, 30));
        let specs: Vec<_> = CallOutcome::ALL.iter().map(|&o| (o.as_str(), rules.rule(o).spec())).collect();
        assert_eq!(
            specs,
            [
                ("interested", "days:1@10:00".to_owned()),
                ("callback", "agreed".to_owned()),
                ("no_answer", "later_today:180".to_owned()),
                ("busy", "later_today:60".to_owned()),
                ("not_interested", "days:30@10:00".to_owned()),
                ("wrong_number", "none".to_owned()),
                ("converted", "none".to_owned()),
            ]
        );
    }

    #[test]
    fn no_answer_mid_morning_is_retried_three_hours_later() {
        assert_eq!(suggest(CallOutcome::NoAnswer, ist(2026, 11, 21, 11, 0)), Some(ist(2026, 11, 21, 14, 0)));
    }

    #[test]
    fn no_answer_late_afternoon_rolls_to_next_morning() {
        assert_eq!(suggest(CallOutcome::NoAnswer, ist(2026, 11, 21, 18, 0)), Some(ist(2026, 11, 22, 9, 30)));
    }

    #[test]
    fn later_today_may_land_exactly_at_the_end_of_the_day() {
        assert_eq!(
            suggest(CallOutcome::NoAnswer, ist(2026, 11, 21, 16, 30)),
            Some(ist(2026, 11, 21, 19, 30))
        );
        assert_eq!(suggest(CallOutcome::NoAnswer, ist(2026, 11, 21, 16, 31)), Some(ist(2026, 11, 22, 9, 30)));
    }

    #[test]
    fn busy_before_office_hours_waits_for_the_start() {
        assert_eq!(suggest(CallOutcome::Busy, ist(2026, 11, 21, 7, 0)), Some(ist(2026, 11, 21, 9, 30)));
        assert_eq!(suggest(CallOutcome::Busy, ist(2026, 11, 21, 9, 0)), Some(ist(2026, 11, 21, 10, 0)));
    }

    #[test]
    fn no_answer_late_at_night_goes_to_next_morning_not_the_one_after() {
        // 23:00 + 3 h is 02:00 on the 22nd: the next working start is 09:30 on the 22nd.
        assert_eq!(suggest(CallOutcome::NoAnswer, ist(2026, 11, 21, 23, 0)), Some(ist(2026, 11, 22, 9, 30)));
    }

    #[test]
    fn interested_late_at_night_is_tomorrow_by_the_local_date() {
        assert_eq!(
            suggest(CallOutcome::Interested, ist(2026, 11, 21, 23, 30)),
            Some(ist(2026, 11, 22, 10, 0))
        );
        assert_eq!(suggest(CallOutcome::Interested, ist(2026, 11, 21, 0, 5)), Some(ist(2026, 11, 22, 10, 0)));
    }

    #[test]
    fn not_interested_comes_back_in_thirty_days() {
        assert_eq!(
            suggest(CallOutcome::NotInterested, ist(2026, 11, 21, 15, 0)),
            Some(ist(2026, 12, 21, 10, 0))
        );
    }

    #[test]
    fn closed_outcomes_have_no_follow_up() {
        assert_eq!(suggest(CallOutcome::Converted, ist(2026, 11, 21, 11, 0)), None);
        assert_eq!(suggest(CallOutcome::WrongNumber, ist(2026, 11, 21, 11, 0)), None);
    }

    #[test]
    fn callback_uses_the_agreed_time_as_entered() {
        let rules = FollowUpRules::default();
        let now = ist(2026, 11, 21, 11, 0);
        let agreed = ist(2026, 11, 23, 16, 15);
        assert_eq!(rules.suggest(CallOutcome::Callback, now, Some(agreed)), Some(agreed));
        // The customer asked for 8 in the evening: kept, not moved to working hours.
        let evening = ist(2026, 11, 21, 20, 0);
        assert_eq!(rules.suggest(CallOutcome::Callback, now, Some(evening)), Some(evening));
    }

    #[test]
    fn callback_without_a_time_is_in_an_hour_within_working_hours() {
        let rules = FollowUpRules::default();
        assert_eq!(
            rules.suggest(CallOutcome::Callback, ist(2026, 11, 21, 11, 0), None),
            Some(ist(2026, 11, 21, 12, 0))
        );
        assert_eq!(
            rules.suggest(CallOutcome::Callback, ist(2026, 11, 21, 19, 0), None),
            Some(ist(2026, 11, 22, 9, 30))
        );
        assert_eq!(
            rules.suggest(CallOutcome::Callback, ist(2026, 11, 21, 6, 0), None),
            Some(ist(2026, 11, 21, 9, 30))
        );
    }

    #[test]
    fn utc_evening_is_the_next_ist_day() {
        // 20:00 UTC on the 21st is 01:30 IST on the 22nd.
        let now = utc(2026, 11, 21, 20, 0);
        assert_eq!(now, ist(2026, 11, 22, 1, 30));
        let rules = FollowUpRules::default();
        assert_eq!(rules.local_date(now), NaiveDate::from_ymd_opt(2026, 11, 22));
        // Interested: tomorrow is the 23rd in IST, though it is still the 21st in UTC.
        assert_eq!(rules.suggest(CallOutcome::Interested, now, None), Some(ist(2026, 11, 23, 10, 0)));
        // No answer: 04:30 IST is before the working day, so 09:30 the same IST day.
        assert_eq!(rules.suggest(CallOutcome::NoAnswer, now, None), Some(ist(2026, 11, 22, 9, 30)));
        assert_eq!(rules.end_of_today(now), ist(2026, 11, 23, 0, 0));
    }

    #[test]
    fn utc_morning_before_ist_midnight() {
        // 18:29 UTC is 23:59 IST, still the 21st.
        let now = utc(2026, 11, 21, 18, 29);
        assert_eq!(FollowUpRules::default().end_of_today(now), utc(2026, 11, 21, 18, 30));
        assert_eq!(suggest(CallOutcome::Interested, now), Some(ist(2026, 11, 22, 10, 0)));
    }

    #[test]
    fn days_at_earlier_than_working_start_moves_to_start() {
        let mut rules = FollowUpRules::default();
        rules.set_rule(CallOutcome::Interested, FollowUpRule::DaysAt { days: 2, hour: 7, minute: 0 });
        assert_eq!(
            rules.suggest(CallOutcome::Interested, ist(2026, 11, 21, 11, 0), None),
            Some(ist(2026, 11, 23, 9, 30))
        );
        // Out-of-range values built in code are clamped, not a panic.
        rules.set_rule(CallOutcome::Interested, FollowUpRule::DaysAt { days: 1, hour: 99, minute: 99 });
        assert_eq!(
            rules.suggest(CallOutcome::Interested, ist(2026, 11, 21, 11, 0), None),
            Some(ist(2026, 11, 22, 23, 59))
        );
    }

    #[test]
    fn set_rule_changes_one_outcome() {
        let mut rules = FollowUpRules::default();
        rules.set_rule(CallOutcome::NoAnswer, FollowUpRule::LaterToday { after_minutes: 30 });
        assert_eq!(rules.rule(CallOutcome::NoAnswer), &FollowUpRule::LaterToday { after_minutes: 30 });
        assert_eq!(
            rules.suggest(CallOutcome::NoAnswer, ist(2026, 11, 21, 11, 0), None),
            Some(ist(2026, 11, 21, 11, 30))
        );
        assert_eq!(rules.rule(CallOutcome::Busy), &FollowUpRule::LaterToday { after_minutes: 60 });
        rules.set_rule(CallOutcome::Converted, FollowUpRule::DaysAt { days: 90, hour: 11, minute: 0 });
        assert_eq!(
            rules.suggest(CallOutcome::Converted, ist(2026, 11, 21, 11, 0), None),
            Some(ist(2027, 2, 19, 11, 0))
        );
    }

    #[test]
    fn custom_working_hours_and_time_zone() {
        let rules = FollowUpRules {
            time_zone: parse_time_zone("Asia/Dubai").unwrap(),
            working_hours: WorkingHours::new((9, 0), (18, 0)).unwrap(),
            ..FollowUpRules::default()
        };
        let dubai = |d, h, m| {
            Timestamp::from_chrono(
                chrono_tz::Asia::Dubai.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap().to_utc(),
            )
        };
        assert_eq!(rules.suggest(CallOutcome::NoAnswer, dubai(21, 14, 0), None), Some(dubai(21, 17, 0)));
        assert_eq!(rules.suggest(CallOutcome::NoAnswer, dubai(21, 15, 30), None), Some(dubai(22, 9, 0)));
        assert_eq!(rules.resolve(QuickChip::Tomorrow, dubai(21, 15, 30)), dubai(22, 9, 0));
    }

    #[test]
    fn daylight_saving_gaps_and_overlaps_do_not_panic() {
        let rules = FollowUpRules {
            time_zone: parse_time_zone("America/New_York").unwrap(),
            working_hours: WorkingHours::new((2, 30), (20, 0)).unwrap(),
            ..FollowUpRules::default()
        };
        let ny = chrono_tz::America::New_York;
        // 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 -> 03:00).
        let before_gap = Timestamp::from_chrono(ny.with_ymd_and_hms(2026, 3, 7, 12, 0, 0).unwrap().to_utc());
        let next = rules.resolve(QuickChip::Tomorrow, before_gap);
        assert_eq!(next, Timestamp::from_chrono(ny.with_ymd_and_hms(2026, 3, 8, 3, 0, 0).unwrap().to_utc()));
        // 2026-11-01 01:00–02:00 happens twice; ask for 01:30 via a rule: the first one.
        let mut rules = rules;
        rules.working_hours = WorkingHours::new((0, 0), (23, 0)).unwrap();
        rules.set_rule(CallOutcome::Interested, FollowUpRule::DaysAt { days: 1, hour: 1, minute: 30 });
        let day_before =
            Timestamp::from_chrono(ny.with_ymd_and_hms(2026, 10, 31, 12, 0, 0).unwrap().to_utc());
        let first = ny.with_ymd_and_hms(2026, 11, 1, 1, 30, 0).earliest().unwrap();
        assert_eq!(
            rules.suggest(CallOutcome::Interested, day_before, None),
            Some(Timestamp::from_chrono(first.to_utc()))
        );
    }

    #[test]
    fn quick_chips_resolve() {
        let rules = FollowUpRules::default();
        let now = ist(2026, 11, 21, 11, 0);
        assert_eq!(rules.resolve(QuickChip::InHours(2), now), ist(2026, 11, 21, 13, 0));
        assert_eq!(rules.resolve(QuickChip::InHours(2), ist(2026, 11, 21, 18, 0)), ist(2026, 11, 22, 9, 30));
        assert_eq!(rules.resolve(QuickChip::Tomorrow, now), ist(2026, 11, 22, 9, 30));
        assert_eq!(rules.resolve(QuickChip::Tomorrow, ist(2026, 11, 21, 23, 59)), ist(2026, 11, 22, 9, 30));
        assert_eq!(rules.resolve(QuickChip::InDays(3), now), ist(2026, 11, 24, 9, 30));
        assert_eq!(rules.resolve(QuickChip::InWeeks(1), now), ist(2026, 11, 28, 9, 30));
        assert_eq!(rules.resolve(QuickChip::InWeeks(2), now), ist(2026, 12, 5, 9, 30));
    }

    #[test]
    fn quick_chip_labels() {
        let labels: Vec<_> = QuickChip::SHEET.iter().map(QuickChip::label).collect();
        assert_eq!(labels, ["2 h", "Tomorrow", "3 days", "1 week"]);
        assert_eq!(QuickChip::InHours(1).label(), "1 h");
        assert_eq!(QuickChip::InDays(1).label(), "1 day");
        assert_eq!(QuickChip::InWeeks(2).label(), "2 weeks");
    }

    #[test]
    fn rule_specs_round_trip() {
        let rules = [
            FollowUpRule::LaterToday { after_minutes: 180 },
            FollowUpRule::LaterToday { after_minutes: 1 },
            FollowUpRule::AgreedTime,
            FollowUpRule::DaysAt { days: 1, hour: 10, minute: 0 },
            FollowUpRule::DaysAt { days: 30, hour: 9, minute: 5 },
            FollowUpRule::DaysAt { days: 1, hour: 23, minute: 59 },
            FollowUpRule::None,
        ];
        for rule in rules {
            assert_eq!(FollowUpRule::parse_spec(&rule.spec()), Ok(rule.clone()), "{}", rule.spec());
            let json = serde_json::to_string(&rule).unwrap();
            assert_eq!(json, format!("\"{}\"", rule.spec()));
            assert_eq!(serde_json::from_str::<FollowUpRule>(&json).unwrap(), rule);
        }
        assert_eq!(FollowUpRule::DaysAt { days: 1, hour: 9, minute: 5 }.spec(), "days:1@09:05");
        assert_eq!(
            FollowUpRule::parse_spec(" days:2@9:30 "),
            Ok(FollowUpRule::DaysAt { days: 2, hour: 9, minute: 30 })
        );
    }

    #[test]
    fn bad_rule_specs_say_what_is_wrong() {
        let msg = |s: &str| FollowUpRule::parse_spec(s).unwrap_err().message;
        assert!(msg("soon").contains("unknown kind"), "{}", msg("soon"));
        assert!(msg("soon").contains("later_today:MINUTES, agreed, days:N@HH:MM or none"));
        assert!(msg("later_today:").contains("minutes must be a number from 1 to 1440"));
        assert!(msg("later_today:abc").contains("minutes must be"));
        assert!(msg("later_today:0").contains("minutes must be"));
        assert!(msg("later_today:-5").contains("minutes must be"));
        assert!(msg("later_today:5000").contains("minutes must be"));
        assert!(msg("days:1").contains("missing @HH:MM"));
        assert!(msg("days:0@10:00").contains("days must be a number from 1"));
        assert!(msg("days:x@10:00").contains("days must be"));
        assert!(msg("days:1@24:00").contains("HH:MM, 00:00 to 23:59"));
        assert!(msg("days:1@10:60").contains("HH:MM"));
        assert!(msg("days:1@10").contains("HH:MM"));
        assert!(msg("days:1@10:0").contains("HH:MM"));
        assert!(msg("").contains("unknown kind"));
        assert_eq!(FollowUpRule::parse_spec("AGREED").unwrap_err().what, "follow-up rule");
        assert!(serde_json::from_str::<FollowUpRule>("\"days:1@25:00\"").is_err());
    }

    #[test]
    fn working_hours_are_checked() {
        assert_eq!(WorkingHours::parse_spec("09:30-19:30"), Ok(WorkingHours::default()));
        assert_eq!(WorkingHours::parse_spec(" 9:30 – 19:30 "), Ok(WorkingHours::default()));
        assert_eq!(WorkingHours::default().spec(), "09:30-19:30");
        let err = WorkingHours::new((19, 0), (9, 0)).unwrap_err();
        assert_eq!(err.message, "the working day must end after it starts, not 19:00–09:00");
        assert!(WorkingHours::new((10, 0), (10, 0)).is_err());
        assert!(
            WorkingHours::new((24, 0), (10, 0)).unwrap_err().message.contains("24:00 is not a time of day")
        );
        assert!(WorkingHours::parse_spec("9 to 5").unwrap_err().message.contains("like 09:30-19:30"));
    }

    #[test]
    fn time_zones_by_name() {
        assert_eq!(parse_time_zone("Asia/Kolkata"), Ok(Zone::default()));
        assert_eq!(parse_time_zone(" Asia/Kolkata "), Ok(Zone::default()));
        let err = parse_time_zone("Asia/Calcuta").unwrap_err();
        assert_eq!(err.what, "time zone");
        assert!(err.message.contains("\"Asia/Calcuta\" is not a time zone name"), "{}", err.message);
        assert!(parse_time_zone("").is_err());
    }

    #[test]
    fn rules_serialise_with_the_zone_by_name_and_fill_missing_outcomes() {
        let mut rules = FollowUpRules::default();
        rules.set_rule(CallOutcome::Busy, FollowUpRule::LaterToday { after_minutes: 45 });
        let json = serde_json::to_value(&rules).unwrap();
        assert_eq!(json["time_zone"], "Asia/Kolkata");
        assert_eq!(json["working_hours"], "09:30-19:30");
        assert_eq!(json["rules"]["busy"], "later_today:45");
        assert_eq!(serde_json::from_value::<FollowUpRules>(json).unwrap(), rules);

        let partial =
            r#"{"time_zone":"Asia/Kolkata","working_hours":"10:00-18:00","rules":{"busy":"later_today:45"}}"#;
        let read: FollowUpRules = serde_json::from_str(partial).unwrap();
        assert_eq!(read.rule(CallOutcome::Busy), &FollowUpRule::LaterToday { after_minutes: 45 });
        assert_eq!(read.rule(CallOutcome::NoAnswer), &FollowUpRule::LaterToday { after_minutes: 180 });
        assert_eq!(read.working_hours.start(), (10, 0));

        let bad_zone = r#"{"time_zone":"IST","working_hours":"10:00-18:00","rules":{}}"#;
        assert!(
            serde_json::from_str::<FollowUpRules>(bad_zone)
                .unwrap_err()
                .to_string()
                .contains("not a time zone")
        );
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let rules = FollowUpRules::default();
        for now in [Timestamp(i64::MIN), Timestamp(i64::MAX), Timestamp(0), Timestamp(-1)] {
            for outcome in CallOutcome::ALL {
                let _ = rules.suggest(outcome, now, None);
            }
            for chip in QuickChip::SHEET {
                let _ = rules.resolve(chip, now);
            }
            let _ = rules.end_of_today(now);
        }
    }
}
