//! What a lead may hold: the invariants the server checks on every pushed result, so a
//! phone (or someone pretending to be one) cannot store an empty or 200 KB name, a call
//! dated in the year 300,000, or text with NUL bytes that a database refuses.
//!
//! Only what a push changes is checked: fields that differ from the stored lead and
//! activities new to it. A lead stored before a limit existed keeps working; the field
//! that breaks a limit is refused when someone next changes it.
//!
//! Text may not hold control characters (a NUL, an escape): free text (notes, a call's
//! note) may hold line breaks and tabs. Lengths are in characters, as a person counts.

use super::{Activity, ActivityKind, Lead};
use crate::domain::Timestamp;

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_SOURCE_CHARS: usize = 60;
pub const MAX_TAGS: usize = 30;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_CUSTOM_FIELDS: usize = 40;
pub const MAX_CUSTOM_KEY_CHARS: usize = 40;
pub const MAX_CUSTOM_VALUE_CHARS: usize = 500;
pub const MAX_NOTES_CHARS: usize = 20_000;
pub const MAX_CALL_NOTE_CHARS: usize = 2_000;
pub const MAX_DEVICE_CHARS: usize = 100;
pub const MAX_ACTIVITIES: usize = 10_000;
/// A call longer than a day was not measured, it was left running.
pub const MAX_CALL_SECS: u32 = 24 * 60 * 60;
/// 2000-01-01 and 2100-01-01 (UTC): any time a lead can sensibly carry.
pub const EARLIEST: Timestamp = Timestamp(946_684_800_000);
pub const LATEST: Timestamp = Timestamp(4_102_444_800_000);

/// A broken limit, naming the field and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct LimitError {
    pub field: String,
    pub message: String,
}

fn broken(field: impl Into<String>, message: impl Into<String>) -> LimitError {
    LimitError { field: field.into(), message: message.into() }
}

/// Checks what changed between `before` (None: a new lead) and `after`.
pub fn check_changes(before: Option<&Lead>, after: &Lead) -> Result<(), LimitError> {
    if before.is_none_or(|b| b.name != after.name) {
        line("name", &after.name, 1, MAX_NAME_CHARS)?;
        if after.name.trim().is_empty() {
            return Err(broken("name", "a lead needs a name"));
        }
    }
    if before.is_none_or(|b| b.source != after.source) {
        line("source", &after.source, 0, MAX_SOURCE_CHARS)?;
    }
    if before.is_none_or(|b| b.tags != after.tags) {
        if after.tags.len() > MAX_TAGS {
            return Err(broken("tags", format!("at most {MAX_TAGS} tags")));
        }
        for tag in &after.tags {
            line("tag", tag, 1, MAX_TAG_CHARS)?;
        }
    }
    if before.is_none_or(|b| b.custom != after.custom) {
        if after.custom.len() > MAX_CUSTOM_FIELDS {
            return Err(broken("custom", format!("at most {MAX_CUSTOM_FIELDS} custom fields")));
        }
        for (key, value) in &after.custom {
            line("custom field name", key, 1, MAX_CUSTOM_KEY_CHARS)?;
            line(&format!("custom field {key:?}"), value, 0, MAX_CUSTOM_VALUE_CHARS)?;
        }
    }
    if before.is_none_or(|b| b.notes != after.notes) {
        free_text("notes", &after.notes, MAX_NOTES_CHARS)?;
    }
    if before.is_none_or(|b| b.created_at != after.created_at) {
        time("created_at", after.created_at)?;
    }
    if before.is_none_or(|b| b.follow_up != after.follow_up)
        && let Some(t) = after.follow_up
    {
        time("follow_up", t)?;
    }
    if after.activities.len() > MAX_ACTIVITIES && before.is_none_or(|b| b.activities.len() < after.activities.len()) {
        return Err(broken("activities", format!("a lead's timeline holds at most {MAX_ACTIVITIES} entries")));
    }
    let known: std::collections::BTreeSet<&str> =
        before.map(|b| b.activities.iter().map(|a| a.id.as_str()).collect()).unwrap_or_default();
    for activity in after.activities.iter().filter(|a| !known.contains(a.id.as_str())) {
        check_activity(activity)?;
    }
    Ok(())
}

fn check_activity(a: &Activity) -> Result<(), LimitError> {
    time("activity time", a.at)?;
    line("device", &a.device, 0, MAX_DEVICE_CHARS)?;
    match &a.kind {
        ActivityKind::Call(call) => {
            free_text("call note", &call.note, MAX_CALL_NOTE_CHARS)?;
            if call.duration_secs > MAX_CALL_SECS {
                return Err(broken("call duration", "a call lasts at most a day"));
            }
            if let Some(v) = &call.voice_note {
                line("voice note", v, 1, 200)?;
            }
            if let Some(t) = call.follow_up {
                time("call follow_up", t)?;
            }
        }
        ActivityKind::FollowUpChanged { to: Some(t) } => time("follow_up", *t)?,
        ActivityKind::NotesEdited { text } => free_text("notes", text, MAX_NOTES_CHARS)?,
        ActivityKind::Other { kind } => line("activity kind", kind, 1, 40)?,
        _ => {}
    }
    Ok(())
}

/// One line of text: `min..=max` characters, no control characters.
fn line(field: &str, s: &str, min: usize, max: usize) -> Result<(), LimitError> {
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(broken(field, format!("control character {c:?} is not allowed")));
    }
    length(field, s, min, max)
}

/// Free text: line breaks and tabs allowed, other control characters not.
fn free_text(field: &str, s: &str, max: usize) -> Result<(), LimitError> {
    if let Some(c) = s.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(broken(field, format!("control character {c:?} is not allowed")));
    }
    length(field, s, 0, max)
}

fn length(field: &str, s: &str, min: usize, max: usize) -> Result<(), LimitError> {
    // Bytes bound characters from above: skip counting what is surely short.
    let n = if s.len() <= max { s.chars().count() } else { s.chars().take(max + 1).count() };
    if n < min {
        return Err(broken(field, "may not be empty"));
    }
    if n > max {
        return Err(broken(field, format!("at most {max} characters")));
    }
    Ok(())
}

fn time(field: &str, t: Timestamp) -> Result<(), LimitError> {
    if !(EARLIEST..LATEST).contains(&t) {
        return Err(broken(field, "the date must be between the years 2000 and 2099"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CallOutcome, LeadId, LeadStatus, PhoneNumber, UserId};
    use crate::lead::CallRecord;

    fn lead() -> Lead {
        Lead {
            id: LeadId::parse("l1").unwrap(),
            created_at: Timestamp(1_760_000_000_000),
            created_by: UserId(1),
            name: "Ravi Kumar".into(),
            mobile: PhoneNumber::from_e164("+919876543210").unwrap(),
            alt_mobile: None,
            source: "walk-in".into(),
            status: LeadStatus::New,
            follow_up: None,
            assignee: Some(UserId(1)),
            deleted: false,
            tags: Default::default(),
            custom: [("car_model".to_owned(), "Swift".to_owned())].into(),
            notes: "Wants a quote.\nCall after 6.".into(),
            activities: vec![],
        }
    }

    fn call(at: i64, note: &str) -> Activity {
        Activity {
            id: format!("a{at}"),
            at: Timestamp(at),
            by: UserId(1),
            device: "phone".into(),
            kind: ActivityKind::Call(CallRecord { outcome: CallOutcome::NoAnswer, duration_secs: 30, note: note.into(), voice_note: None, follow_up: None }),
        }
    }

    #[test]
    fn an_ordinary_lead_passes() {
        let mut l = lead();
        l.activities.push(call(1_760_000_100_000, "no answer, try evening"));
        assert_eq!(check_changes(None, &l), Ok(()));
    }

    #[test]
    fn empty_huge_or_nul_names_are_refused() {
        for name in ["", "   ", &"x".repeat(200_000), "Ravi\0Kumar", "Ravi\u{1b}[31m"] {
            let l = Lead { name: name.into(), ..lead() };
            assert_eq!(check_changes(None, &l).unwrap_err().field, "name", "{name:?}");
        }
    }

    #[test]
    fn dates_outside_this_century_are_refused() {
        let far = Lead { follow_up: Some(Timestamp(9_400_000_000_000_000)), ..lead() };
        assert_eq!(check_changes(None, &far).unwrap_err().field, "follow_up");
        let min = Lead { follow_up: Some(Timestamp(i64::MIN)), ..lead() };
        assert_eq!(check_changes(None, &min).unwrap_err().field, "follow_up");
        let mut old_call = lead();
        old_call.activities.push(call(-5, "x"));
        assert_eq!(check_changes(None, &old_call).unwrap_err().field, "activity time");
    }

    #[test]
    fn notes_keep_line_breaks_but_not_other_control_characters() {
        let ok = Lead { notes: "a\n\tb\r\n".into(), ..lead() };
        assert_eq!(check_changes(None, &ok), Ok(()));
        let nul = Lead { notes: "a\0b".into(), ..lead() };
        assert_eq!(check_changes(None, &nul).unwrap_err().field, "notes");
        let mut nul_call = lead();
        nul_call.activities.push(call(1_760_000_100_000, "x\0"));
        assert_eq!(check_changes(None, &nul_call).unwrap_err().field, "call note");
    }

    #[test]
    fn only_what_changed_is_checked() {
        // A lead stored with a name longer than today's limit still takes calls.
        let before = Lead { name: "y".repeat(MAX_NAME_CHARS + 5), ..lead() };
        let mut after = before.clone();
        after.activities.push(call(1_760_000_100_000, "fine"));
        assert_eq!(check_changes(Some(&before), &after), Ok(()));
        // But renaming it to something still too long is refused.
        let renamed = Lead { name: "z".repeat(MAX_NAME_CHARS + 1), ..before.clone() };
        assert_eq!(check_changes(Some(&before), &renamed).unwrap_err().field, "name");
    }

    #[test]
    fn custom_fields_are_bounded() {
        let l = Lead { custom: [("car_model".to_owned(), "v".repeat(MAX_CUSTOM_VALUE_CHARS + 1))].into(), ..lead() };
        assert!(check_changes(None, &l).unwrap_err().field.contains("car_model"));
    }
}
