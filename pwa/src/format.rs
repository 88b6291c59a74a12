//! How times, durations and counts read on screen: in the team's time zone, the way an
//! Indian office says them ("today 4:30 pm", "overdue 2 h", "1,240").

//!
//! Written out by hand rather than with chrono's `format`: its strftime parser and tables
//! would be ~10 KB of the download for the four patterns below.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use dialbook_core::Timestamp;
use dialbook_core::rules::FollowUpRules;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn local(t: Timestamp, rules: &FollowUpRules) -> Option<NaiveDateTime> {
    rules.local(t)
}

/// "4:30 pm", "12:05 am".
fn clock(t: &NaiveDateTime) -> String {
    let (pm, hour) = t.hour12();
    format!("{hour}:{:02} {}", t.minute(), if pm { "pm" } else { "am" })
}

/// "Mon 24 Nov".
fn weekday_date(d: NaiveDate) -> String {
    format!("{} {} {}", WEEKDAYS[d.weekday().num_days_from_monday() as usize], d.day(), MONTHS[d.month0() as usize])
}

/// "today 4:30 pm", "tomorrow 10:00 am", "yesterday 6:10 pm", "Mon 24 Nov, 10:00 am".
pub fn when(t: Timestamp, now: Timestamp, rules: &FollowUpRules) -> String {
    let (Some(lt), Some(ln)) = (local(t, rules), local(now, rules)) else { return String::new() };
    let days = (lt.date() - ln.date()).num_days();
    match days {
        0 => format!("today {}", clock(&lt)),
        1 => format!("tomorrow {}", clock(&lt)),
        -1 => format!("yesterday {}", clock(&lt)),
        _ if lt.year() == ln.year() => format!("{}, {}", weekday_date(lt.date()), clock(&lt)),
        _ => format!("{} {} {}, {}", lt.day(), MONTHS[lt.month0() as usize], lt.year(), clock(&lt)),
    }
}

/// Just the date: "today", "tomorrow", "Mon 24 Nov".
pub fn day(t: Timestamp, now: Timestamp, rules: &FollowUpRules) -> String {
    let (Some(lt), Some(ln)) = (local(t, rules), local(now, rules)) else { return String::new() };
    match (lt.date() - ln.date()).num_days() {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        _ => weekday_date(lt.date()),
    }
}

/// What the toast after logging says about the next call.
pub fn follow_up_phrase(f: Option<Timestamp>, now: Timestamp, rules: &FollowUpRules) -> String {
    match f {
        Some(t) => format!("next call {}", when(t, now, rules)),
        None => "no follow-up".into(),
    }
}

/// A follow-up's state for a list: "overdue 2 h", "due 4:30 pm", "tomorrow 10:00 am".
pub fn due_label(f: Timestamp, now: Timestamp, rules: &FollowUpRules) -> String {
    let late = now.0 - f.0;
    if late >= 60_000 {
        format!("overdue {}", span(late))
    } else if late >= 0 {
        "due now".into()
    } else if day(f, now, rules) == "today" {
        local(f, rules).map(|l| format!("due {}", clock(&l))).unwrap_or_default()
    } else {
        when(f, now, rules)
    }
}

/// "just now", "5 min ago", "2 h ago", "3 days ago".
pub fn ago(t: Timestamp, now: Timestamp) -> String {
    let ms = now.0 - t.0;
    if ms < 60_000 { "just now".into() } else { format!("{} ago", span(ms)) }
}

fn span(ms: i64) -> String {
    let min = ms / 60_000;
    match min {
        0..60 => format!("{min} min"),
        60..1440 => format!("{} h", min / 60),
        1440..2880 => "1 day".into(),
        _ => format!("{} days", min / 1440),
    }
}

/// "45 s", "2 min 14 s", "1 h 3 min".
pub fn duration(secs: u32) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 if secs.is_multiple_of(60) => format!("{} min", secs / 60),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

/// Indian digit grouping: 1,240 · 5,000 · 1,25,000.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() <= 3 {
        return digits;
    }
    let (head, last3) = digits.split_at(digits.len() - 3);
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (a, b) = rest.split_at(rest.len() - 2);
        groups.push(b);
        rest = a;
    }
    groups.push(rest);
    groups.reverse();
    format!("{},{last3}", groups.join(","))
}

/// "you" → "You", "car model" → "Car model".
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// `datetime-local` input value ↔ instant, in the team's time zone.
pub fn to_input(t: Timestamp, rules: &FollowUpRules) -> String {
    local(t, rules)
        .map(|l| format!("{:04}-{:02}-{:02}T{:02}:{:02}", l.year(), l.month(), l.day(), l.hour(), l.minute()))
        .unwrap_or_default()
}

/// Reads what a `datetime-local` input gives: `2026-11-24T10:00` (seconds, if a browser
/// adds them, are ignored).
pub fn from_input(value: &str, rules: &FollowUpRules) -> Option<Timestamp> {
    let (date, time) = value.trim().split_once('T')?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let mut hm = time.split(':').map(|p| p.parse::<u32>().ok());
    let (h, min) = (hm.next()??, hm.next()??);
    let wall = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?.and_time(NaiveTime::from_hms_opt(h, min, 0)?);
    rules.time_zone.earliest(wall)
}

/// `date` input value → the instant the day starts, in the team's time zone.
pub fn day_start(value: &str, rules: &FollowUpRules) -> Option<Timestamp> {
    from_input(&format!("{value}T00:00"), rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_the_indian_way() {
        assert_eq!(count(999), "999");
        assert_eq!(count(1_240), "1,240");
        assert_eq!(count(125_000), "1,25,000");
        assert_eq!(count(12_345_678), "1,23,45,678");
    }

    #[test]
    fn times_read_the_indian_office_way() {
        let rules = FollowUpRules::default();
        let at = |v: &str| from_input(v, &rules).unwrap();
        let now = at("2026-11-21T11:00");
        assert_eq!(to_input(now, &rules), "2026-11-21T11:00");
        assert_eq!(when(at("2026-11-21T16:30"), now, &rules), "today 4:30 pm");
        assert_eq!(when(at("2026-11-22T00:05"), now, &rules), "tomorrow 12:05 am");
        assert_eq!(when(at("2026-11-20T12:00"), now, &rules), "yesterday 12:00 pm");
        assert_eq!(when(at("2026-11-24T10:00"), now, &rules), "Tue 24 Nov, 10:00 am");
        assert_eq!(when(at("2027-01-04T09:30"), now, &rules), "4 Jan 2027, 9:30 am");
        assert_eq!(day(at("2026-11-30T09:30"), now, &rules), "Mon 30 Nov");
        assert_eq!(due_label(at("2026-11-21T18:00"), now, &rules), "due 6:00 pm");
        assert_eq!(from_input("2026-11-24T10:00:30", &rules), Some(at("2026-11-24T10:00")));
        assert_eq!(day_start("2026-11-24", &rules), Some(at("2026-11-24T00:00")));
        for bad in ["", "2026-11-24", "2026-13-01T10:00", "2026-11-24T25:00", "tomorrow", "2026-11-24T10"] {
            assert_eq!(from_input(bad, &rules), None, "{bad:?}");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(134), "2 min 14 s");
        assert_eq!(duration(120), "2 min");
        assert_eq!(duration(3_780), "1 h 3 min");
    }
}
