//! Server-side check-and-apply of pushed changes. The real server and the simulations
//! both call `apply_push`, so the rules a telecaller meets are written once:
//!
//! - Changes are parsed strictly up front (`untrusted::parse_changes`: framing, checksum,
//!   size): truncated, corrupt or oversized bytes fail the whole request before anything
//!   is stored.
//! - A telecaller writes only leads assigned to them (or new leads they create, assigned
//!   to themselves), and may not change the assignee, delete, or touch the team document.
//! - Nobody rewrites history: every activity present before is present, unchanged, after.
//!   New activities must be by the caller.
//! - The result must read as a valid document (E.164 numbers, known statuses, schema),
//!   and what changed must keep within `lead::limits` (lengths, dates, no control
//!   characters).
//! - Re-sent changes are harmless: known changes are dropped before applying.

use super::wire::RefusalCode;
use crate::domain::{DocId, Role, UserId};
use crate::lead::{ActivityKind, Lead, read_lead};
use automerge::{Automerge, Change, ReadDoc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user: UserId,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: RefusalCode,
    pub message: String,
}

fn refuse(code: RefusalCode, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into() }
}

// Returned once per pushed doc and taken apart at once; boxing would only add a move.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Applied {
    /// The doc after applying, the changes that were new to it, and (for leads) the
    /// lead as it read before and as it reads now.
    Changed { doc: Automerge, new_changes: Vec<Change>, before: Option<Lead>, lead: Option<Lead> },
    /// Every change was already known: nothing to store.
    Unchanged,
    /// Some change depends on history the server lacks: nothing stored; per-doc sync.
    NeedsSync,
}

/// Check `changes` against `before` (None: the doc is new to the server) for `caller`.
pub fn apply_push(caller: Caller, doc_id: &DocId, before: Option<&Automerge>, changes: Vec<Change>) -> Result<Applied, Refusal> {
    apply_push_known(caller, doc_id, before.map(|doc| (doc, None)), changes)
}

/// Like `apply_push`, for a caller that already holds the lead as `before` reads (a
/// server's cache of recently stored docs), which saves reading it again.
pub fn apply_push_known(
    caller: Caller,
    doc_id: &DocId,
    before: Option<(&Automerge, Option<&Lead>)>,
    changes: Vec<Change>,
) -> Result<Applied, Refusal> {
    let before_lead = before.and_then(|(_, lead)| lead.cloned());
    let before = before.map(|(doc, _)| doc);
    let mut doc = before.cloned().unwrap_or_default();
    let fresh: Vec<Change> = changes.into_iter().filter(|c| doc.get_change_by_hash(&c.hash()).is_none()).collect();
    if fresh.is_empty() {
        // Nothing new, but answer only someone who may read the doc: "accepted" would
        // tell a stranger the doc exists and what its heads are.
        if let (Some(before), DocId::Lead(_), Role::Telecaller) = (before, doc_id, caller.role) {
            let assignee = before_lead.as_ref().map(|l| l.assignee).map_or_else(|| read(before).map(|l| l.assignee), Ok)?;
            if assignee != Some(caller.user) {
                return Err(refuse(RefusalCode::NotYours, "this lead is not assigned to you"));
            }
        }
        return Ok(Applied::Unchanged);
    }
    let heads_before = doc.get_heads();
    doc.apply_changes(fresh).map_err(|e| refuse(RefusalCode::Invalid, format!("changes could not be applied: {e}")))?;
    if !doc.get_missing_deps(&[]).is_empty() {
        return Ok(Applied::NeedsSync);
    }
    let new_changes = doc.get_changes(&heads_before);
    let (before, lead) = match doc_id {
        DocId::Team => {
            if caller.role != Role::Admin {
                return Err(refuse(RefusalCode::FieldNotAllowed, "only an admin can change team settings"));
            }
            if before.is_none() {
                return Err(refuse(RefusalCode::Invalid, "the team document is created by the server"));
            }
            crate::team::read_team(&doc).map_err(|e| refuse(RefusalCode::Invalid, e.to_string()))?;
            (None, None)
        }
        DocId::Lead(id) => {
            let after = read(&doc)?;
            if after.id != *id {
                return Err(refuse(RefusalCode::Invalid, format!("document says it is lead {} but was pushed as {id}", after.id)));
            }
            let before = match (before_lead, before) {
                (Some(known), _) => Some(known),
                (None, doc) => doc.map(read).transpose()?,
            };
            check_lead(caller, before.as_ref(), &after)?;
            (before, Some(after))
        }
    };
    Ok(Applied::Changed { doc, new_changes, before, lead })
}

fn read(doc: &Automerge) -> Result<Lead, Refusal> {
    read_lead(doc).map_err(|e| refuse(RefusalCode::Invalid, e.to_string()))
}

fn check_lead(caller: Caller, before: Option<&Lead>, after: &Lead) -> Result<(), Refusal> {
    let admin = caller.role == Role::Admin;
    match before {
        None => {
            if !admin && after.assignee != Some(caller.user) {
                return Err(refuse(RefusalCode::FieldNotAllowed, "a new lead must be assigned to you"));
            }
            if after.created_by != caller.user {
                return Err(refuse(RefusalCode::Invalid, "a new lead must be created by you"));
            }
        }
        Some(before) => {
            if !admin && before.assignee != Some(caller.user) {
                return Err(refuse(RefusalCode::NotYours, "this lead is not assigned to you"));
            }
            if after.created_at != before.created_at || after.created_by != before.created_by {
                return Err(refuse(RefusalCode::HistoryRewritten, "a lead's creation cannot be changed"));
            }
            if !admin && after.assignee != before.assignee {
                return Err(refuse(RefusalCode::FieldNotAllowed, "only an admin can reassign a lead"));
            }
            if !admin && after.deleted != before.deleted {
                return Err(refuse(RefusalCode::FieldNotAllowed, "only an admin can delete a lead"));
            }
            for old in &before.activities {
                if after.activities.iter().find(|a| a.id == old.id) != Some(old) {
                    return Err(refuse(RefusalCode::HistoryRewritten, "an activity in the timeline was changed or removed"));
                }
            }
        }
    }
    crate::lead::limits::check_changes(before, after).map_err(|e| refuse(RefusalCode::Invalid, e.to_string()))?;
    let known: std::collections::BTreeSet<&str> =
        before.map(|b| b.activities.iter().map(|a| a.id.as_str()).collect()).unwrap_or_default();
    for new in after.activities.iter().filter(|a| !known.contains(a.id.as_str())) {
        if new.by != caller.user {
            return Err(refuse(RefusalCode::Invalid, "a new activity must be by you"));
        }
        if !admin && before.is_some() && matches!(new.kind, ActivityKind::Assigned { .. }) {
            return Err(refuse(RefusalCode::FieldNotAllowed, "only an admin can reassign a lead"));
        }
    }
    Ok(())
}
