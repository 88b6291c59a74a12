//! The lead summary: the few fields of a lead that the queue, the due list and search
//! need, small enough that a phone keeps one per lead next to the documents and reads all
//! of them at start-up instead of loading thousands of Automerge documents.
//!
//! A summary is derived from a [`Lead`] and never edited on its own; whoever writes a
//! lead document writes its summary in the same storage transaction. Search over
//! summaries lives here too, so "how a typed query matches a lead" has one answer.

use crate::domain::{CallOutcome, LeadId, LeadStatus, PhoneNumber, Timestamp, UserId};
use crate::lead::{ActivityKind, Lead};
use crate::priority::PriorityInput;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

// Eq as well: an `Rc` of summaries then compares equal by pointer first, so the app's
// state (5,000 of them) is not compared summary by summary when nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSummary {
    pub id: LeadId,
    pub name: String,
    pub mobile: PhoneNumber,
    /// `mobile` formatted for showing (`+91 98450 12345`), worked out once here rather
    /// than on every render of every row.
    pub mobile_display: String,
    pub alt_mobile: Option<PhoneNumber>,
    pub source: String,
    pub status: LeadStatus,
    pub follow_up: Option<Timestamp>,
    pub assignee: Option<UserId>,
    pub deleted: bool,
    pub created_at: Timestamp,
    pub tags: Vec<String>,
    pub custom: BTreeMap<String, String>,
    pub last_call: Option<LastCall>,
    pub call_count: u32,
    /// The latest activity of any kind (for "last touched" sorting and date filters).
    pub last_activity_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastCall {
    pub at: Timestamp,
    pub outcome: CallOutcome,
    pub by: UserId,
    pub note: String,
}

impl LeadSummary {
    /// The summary of `lead`; `display` formats its mobile for showing
    /// ([`PhoneNumber::display`] where libphonenumber is linked in).
    pub fn of(lead: &Lead, display: impl FnOnce(&PhoneNumber) -> String) -> Self {
        let last_call = lead.last_call().map(|(a, c)| LastCall { at: a.at, outcome: c.outcome, by: a.by, note: c.note.clone() });
        let last_activity_at = lead.activities.iter().map(|a| a.at).max().unwrap_or(lead.created_at);
        Self {
            id: lead.id.clone(),
            name: lead.name.clone(),
            mobile: lead.mobile.clone(),
            mobile_display: display(&lead.mobile),
            alt_mobile: lead.alt_mobile.clone(),
            source: lead.source.clone(),
            status: lead.status,
            follow_up: lead.follow_up,
            assignee: lead.assignee,
            deleted: lead.deleted,
            created_at: lead.created_at,
            tags: lead.tags.iter().cloned().collect(),
            custom: lead.custom.clone(),
            last_call,
            call_count: lead.activities.iter().filter(|a| matches!(a.kind, ActivityKind::Call(_))).count() as u32,
            last_activity_at,
        }
    }

    pub fn priority_input(&self) -> PriorityInput<'_> {
        PriorityInput {
            id: self.id.as_str(),
            status: self.status,
            follow_up: self.follow_up,
            created_at: self.created_at,
            last_call: self.last_call.as_ref().map(|c| (c.at, c.outcome)),
            call_count: self.call_count,
        }
    }
}

/// Which date a search's date range applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateField {
    FollowUp,
    LastCall,
    Created,
}

/// A search as typed on the phone: free text (name words, any way of writing a mobile
/// number, a registration number or any custom field value), statuses, a date range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    words: Vec<String>,
    phone_key: Option<String>,
    /// The text with spaces, dashes and dots removed, upper-cased: registration numbers
    /// are written `MH 12 AB 1234`, `MH-12-AB-1234` and `mh12ab1234`.
    compact: String,
    pub statuses: BTreeSet<LeadStatus>,
    pub range: Option<(DateField, Timestamp, Timestamp)>,
}

impl SearchQuery {
    pub fn new(text: &str) -> Self {
        let words = text.split_whitespace().map(|w| w.to_lowercase()).collect();
        Self { words, phone_key: PhoneNumber::search_key(text), compact: compact(text), ..Self::default() }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.statuses.is_empty() && self.range.is_none()
    }

    pub fn matches(&self, lead: &LeadSummary) -> bool {
        if lead.deleted {
            return false;
        }
        if !self.statuses.is_empty() && !self.statuses.contains(&lead.status) {
            return false;
        }
        if let Some((field, from, to)) = self.range {
            let at = match field {
                DateField::FollowUp => lead.follow_up,
                DateField::LastCall => lead.last_call.as_ref().map(|c| c.at),
                DateField::Created => Some(lead.created_at),
            };
            if !at.is_some_and(|t| t >= from && t < to) {
                return false;
            }
        }
        self.words.is_empty() || self.text_matches(lead)
    }

    fn text_matches(&self, lead: &LeadSummary) -> bool {
        if let Some(key) = &self.phone_key
            && (lead.mobile.matches_search_key(key) || lead.alt_mobile.as_ref().is_some_and(|m| m.matches_search_key(key)))
        {
            return true;
        }
        let name = lead.name.to_lowercase();
        if self.words.iter().all(|w| name.contains(w.as_str())) {
            return true;
        }
        // Registration numbers and other custom values, however they were spaced.
        self.compact.len() >= 2 && lead.custom.values().chain(lead.tags.iter()).any(|v| compact(v).contains(&self.compact))
    }
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

#[cfg(all(test, feature = "libphonenumber"))]
mod tests {
    use super::*;
    use crate::lead::{CallLog, EditContext, LeadDoc, NewLead};
    use automerge::ActorId;

    fn lead(name: &str, mobile: &str, reg: &str) -> LeadDoc {
        let ctx = EditContext { user: UserId(7), device: "phone".into(), now: Timestamp(1_000) };
        LeadDoc::create(
            ActorId::from([1u8; 16]),
            &ctx,
            NewLead {
                id: LeadId::from_random([3; 16]),
                name: name.into(),
                mobile: PhoneNumber::parse(mobile).unwrap(),
                alt_mobile: None,
                source: "walk-in".into(),
                assignee: Some(UserId(7)),
                follow_up: None,
                tags: BTreeSet::new(),
                custom: [("reg_no".to_owned(), reg.to_owned()), ("car_model".to_owned(), "Swift Dzire".to_owned())].into(),
                notes: String::new(),
            },
        )
        .unwrap()
    }

    fn summary(doc: &LeadDoc) -> LeadSummary {
        LeadSummary::of(&doc.read().unwrap(), PhoneNumber::display)
    }

    #[test]
    fn a_summary_carries_the_latest_call_and_the_count() {
        let mut doc = lead("Ravi Kumar", "98450 12345", "KA 01 AB 1234");
        for (at, outcome) in [(5_000, CallOutcome::NoAnswer), (9_000, CallOutcome::Interested)] {
            let ctx = EditContext { user: UserId(7), device: "phone".into(), now: Timestamp(at) };
            let call = CallLog { outcome, duration_secs: 30, note: format!("at {at}"), voice_note: None, follow_up: None };
            doc.log_call(&ctx, &call).unwrap();
        }
        let s = summary(&doc);
        assert_eq!(s.call_count, 2);
        let last = s.last_call.as_ref().unwrap();
        assert_eq!((last.at, last.outcome, last.note.as_str()), (Timestamp(9_000), CallOutcome::Interested, "at 9000"));
        assert_eq!(s.status, LeadStatus::Interested);
        assert_eq!(s.priority_input().last_call, Some((Timestamp(9_000), CallOutcome::Interested)));
    }

    #[test]
    fn search_finds_a_lead_by_name_number_or_registration_however_typed() {
        let s = summary(&lead("Ravi Kumar", "98450 12345", "KA 01 AB 1234"));
        for hit in ["ravi", "kumar ravi", "RAVI K", "98450", "+91 98450 12345", "098450-12345", "919845012345", "12345", "ka01ab", "KA-01-AB-1234", "dzire"] {
            assert!(SearchQuery::new(hit).matches(&s), "{hit:?} should find the lead");
        }
        for miss in ["suresh", "98451", "ka02", "x"] {
            assert!(!SearchQuery::new(miss).matches(&s), "{miss:?} should not find the lead");
        }
    }

    #[test]
    fn filters_by_status_and_date_range_and_hides_deleted_leads() {
        let mut s = summary(&lead("Ravi Kumar", "9845012345", "KA01"));
        let mut q = SearchQuery::new("");
        q.statuses.insert(LeadStatus::Interested);
        assert!(!q.matches(&s));
        q.statuses.insert(LeadStatus::New);
        assert!(q.matches(&s));

        q.range = Some((DateField::Created, Timestamp(0), Timestamp(1_001)));
        assert!(q.matches(&s));
        q.range = Some((DateField::Created, Timestamp(1_001), Timestamp(5_000)));
        assert!(!q.matches(&s), "the range's end is exclusive and its start inclusive");
        q.range = Some((DateField::FollowUp, Timestamp(0), Timestamp(5_000)));
        assert!(!q.matches(&s), "a lead with no follow-up is outside any follow-up range");

        s.deleted = true;
        assert!(!SearchQuery::new("ravi").matches(&s));
    }
}
