//! Leads made the way the app makes them, for the browser tests.

#![cfg(target_arch = "wasm32")]
// Each test file uses its own part of this module.
#![allow(dead_code)]

use automerge::ActorId;
use dialbook_core::lead::{EditContext, LeadDoc, NewLead};
use dialbook_core::{LeadId, PhoneNumber, Timestamp, UserId};

pub const PRIYA: UserId = UserId(7);

pub fn new_lead(n: u8, name: &str) -> NewLead {
    NewLead {
        id: LeadId::from_random([n; 16]),
        name: name.into(),
        mobile: PhoneNumber::from_e164(&format!("+9198450000{n:02}")).unwrap(),
        alt_mobile: None,
        source: "test".into(),
        assignee: Some(PRIYA),
        follow_up: None,
        tags: Default::default(),
        custom: [("reg_no".to_owned(), format!("KA01AB{n:04}"))].into(),
        notes: String::new(),
    }
}

pub fn lead_doc(n: u8, name: &str, at: i64) -> LeadDoc {
    let ctx = EditContext { user: PRIYA, device: "test".into(), now: Timestamp(at) };
    LeadDoc::create(ActorId::from([9u8; 16]), &ctx, new_lead(n, name)).unwrap()
}

/// A database name no other test uses.
pub fn db_name(test: &str) -> String {
    format!("dialbook-test-{test}-{}", js_sys::Math::random())
}
