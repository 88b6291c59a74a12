//! The lead document: one Automerge document per lead, with a typed schema.
//!
//! Nobody outside this module touches the raw Automerge paths of a lead. `Lead` is the
//! plain-data view read out of a document (what the UI renders and the server projects);
//! `LeadDoc` wraps the Automerge document and offers the edits a telecaller or an admin
//! makes, each committed as one change carrying its time and author.
//!
//! Layout (schema version 1), all keys on the root map:
//! `schema` int, `id` str, `created_at` int ms, `created_by` int, `name` str, `mobile` str
//! (E.164), `alt_mobile` str?, `source` str, `status` str, `follow_up` int ms?,
//! `assignee` int?, `deleted` bool, `tags` map tag→true, `custom` map key→str,
//! `notes` Text, `activities` list of maps (append-only; an activity's id is the id of its
//! map object, so it is unique without any coordination).

mod edit;
pub mod limits;
mod read;

pub use crate::amdoc::SchemaError;
pub use edit::{EditContext, LeadDoc, LeadEdit, LeadError};
pub use read::read_lead;

use crate::domain::{CallOutcome, LeadId, LeadStatus, PhoneNumber, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const SCHEMA_VERSION: i64 = 1;

/// A lead as read from its document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: LeadId,
    pub created_at: Timestamp,
    pub created_by: UserId,
    pub name: String,
    pub mobile: PhoneNumber,
    pub alt_mobile: Option<PhoneNumber>,
    pub source: String,
    pub status: LeadStatus,
    pub follow_up: Option<Timestamp>,
    pub assignee: Option<UserId>,
    pub deleted: bool,
    pub tags: BTreeSet<String>,
    pub custom: BTreeMap<String, String>,
    pub notes: String,
    /// In document order; concurrent appends from two devices may interleave, so the
    /// timeline sorts by `at` for display.
    pub activities: Vec<Activity>,
}

impl Lead {
    /// Call attempts, oldest first.
    pub fn calls(&self) -> impl Iterator<Item = (&Activity, &CallRecord)> {
        self.activities.iter().filter_map(|a| match &a.kind {
            ActivityKind::Call(c) => Some((a, c)),
            _ => None,
        })
    }

    /// The most recent call by time (ties broken by activity id, so every replica agrees).
    pub fn last_call(&self) -> Option<(&Activity, &CallRecord)> {
        self.calls().max_by(|(a, _), (b, _)| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)))
    }
}

/// The fields a new lead starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLead {
    pub id: LeadId,
    pub name: String,
    pub mobile: PhoneNumber,
    pub alt_mobile: Option<PhoneNumber>,
    pub source: String,
    pub assignee: Option<UserId>,
    pub follow_up: Option<Timestamp>,
    pub tags: BTreeSet<String>,
    pub custom: BTreeMap<String, String>,
    pub notes: String,
}

/// One entry of the append-only timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Unique within the lead (the Automerge object id of the entry).
    pub id: String,
    pub at: Timestamp,
    pub by: UserId,
    /// The device (session) the edit was made on, as named at login.
    pub device: String,
    pub kind: ActivityKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ActivityKind {
    Created,
    Call(CallRecord),
    StatusChanged { from: LeadStatus, to: LeadStatus },
    Assigned { from: Option<UserId>, to: Option<UserId> },
    FollowUpChanged { to: Option<Timestamp> },
    /// The notes after an edit; the history of the notes is the list of these.
    NotesEdited { text: String },
    /// Written by a newer app version; kept and shown as-is, never rejected.
    Other { kind: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub outcome: CallOutcome,
    /// Estimated from the time the app was away in the dialer.
    pub duration_secs: u32,
    pub note: String,
    /// Content address of a voice note attachment.
    pub voice_note: Option<String>,
    /// The follow-up set by this call, if any.
    pub follow_up: Option<Timestamp>,
}

/// What the telecaller logs after a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallLog {
    pub outcome: CallOutcome,
    pub duration_secs: u32,
    pub note: String,
    pub voice_note: Option<String>,
    pub follow_up: Option<Timestamp>,
}
