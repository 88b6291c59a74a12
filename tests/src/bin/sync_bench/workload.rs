//! What the simulated telecallers do to leads: a worked lead (six field edits and three
//! calls, each its own change, as tapped over days) and a quick call. Edits only the
//! device's replica; pushing is the caller's business.

use dialbook_core::lead::{CallLog, LeadError};
use dialbook_core::protocol::replica::MemoryReplica;
use dialbook_core::{CallOutcome, LeadId, LeadStatus};
use dialbook_tests::client::{new_lead, now};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Creates lead `n`, assigned to the replica's user, and works it: notes, a tag, a custom
/// field, a follow-up, a status, a name fix, then three calls — ten changes in all.
pub fn create_worked_lead(replica: &mut MemoryReplica, n: u32) -> Result<LeadId, LeadError> {
    let id = replica.create_lead(now(), new_lead(n, &format!("lead {n}"), Some(replica.user)))?;
    replica.edit(now(), &id, |l, c| l.set_notes(c, "Wants a quote for a second-hand Swift; call after 6 pm"))?;
    replica.edit(now(), &id, |l, c| l.set_tag(c, "hot", true))?;
    replica.edit(now(), &id, |l, c| l.set_custom(c, "budget", Some("4-5 lakh")))?;
    replica.edit(now(), &id, |l, c| l.set_follow_up(c, Some(now().plus_millis(DAY_MS))))?;
    replica.edit(now(), &id, |l, c| l.set_status(c, LeadStatus::Interested))?;
    replica.edit(now(), &id, |l, c| l.set_name(c, &format!("Lead {n} (Pune)")))?;
    for (outcome, note) in [(CallOutcome::NoAnswer, ""), (CallOutcome::Busy, "switched off"), (CallOutcome::Callback, "call after salary day")] {
        replica.edit(now(), &id, |l, c| l.log_call(c, &call(outcome, note)))?;
    }
    Ok(id)
}

/// A plain lead `n` assigned to the replica's user, for devices that only need leads to call.
pub fn create_lead(replica: &mut MemoryReplica, n: u32) -> Result<LeadId, LeadError> {
    replica.create_lead(now(), new_lead(n, &format!("Lead {n}"), Some(replica.user)))
}

/// A no-answer call with no note: one tap on the outcome sheet, one change.
pub fn quick_call() -> CallLog {
    call(CallOutcome::NoAnswer, "")
}

pub fn log_quick_call(replica: &mut MemoryReplica, id: &LeadId) -> Result<(), LeadError> {
    replica.edit(now(), id, |l, c| l.log_call(c, &quick_call()))
}

fn call(outcome: CallOutcome, note: &str) -> CallLog {
    CallLog { outcome, duration_secs: 40, note: note.to_owned(), voice_note: None, follow_up: None }
}
