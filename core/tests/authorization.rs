//! What a telecaller may and may not change, checked by the same `apply_push` the server
//! runs: each case builds a real change on a real document and pushes it.

use automerge::{ActorId, AutoCommit, Automerge, Change};
use dialbook_core::lead::{CallLog, EditContext, LeadDoc, NewLead};
use dialbook_core::protocol::authorize::{Applied, Caller, apply_push};
use dialbook_core::protocol::untrusted::{Budget, parse_changes};
use dialbook_core::protocol::wire::RefusalCode;
use dialbook_core::{CallOutcome, DocId, LeadId, PhoneNumber, Role, Timestamp, UserId};

const ADMIN: Caller = Caller { user: UserId(1), role: Role::Admin };
const ME: Caller = Caller { user: UserId(2), role: Role::Telecaller };
const OTHER: Caller = Caller { user: UserId(3), role: Role::Telecaller };

fn ctx(c: Caller) -> EditContext {
    EditContext { user: c.user, device: "test".into(), now: Timestamp(1_790_000_000_000) }
}

fn new_lead(assignee: Option<UserId>) -> NewLead {
    NewLead {
        id: LeadId::from_random([9; 16]),
        name: "Anita Rao".into(),
        mobile: PhoneNumber::from_e164("+919876543210").unwrap(),
        alt_mobile: None,
        source: "website".into(),
        assignee,
        follow_up: None,
        tags: Default::default(),
        custom: Default::default(),
        notes: String::new(),
    }
}

/// A server doc created by the admin and assigned to `assignee`.
fn server_doc(assignee: Option<UserId>) -> Automerge {
    let lead = LeadDoc::create(ActorId::from([1; 16]), &ctx(ADMIN), new_lead(assignee)).unwrap();
    lead.into_inner().document().clone()
}

/// `who` edits a copy of `server` on their device; the changes they would push.
fn edit(server: &Automerge, who: Caller, f: impl FnOnce(&mut LeadDoc, &EditContext)) -> Vec<Change> {
    let mut doc = AutoCommit::load(&server.save()).unwrap().with_actor(ActorId::from([who.user.0 as u8 + 10; 16]));
    let before = doc.get_heads();
    let mut lead = LeadDoc::from_autocommit(doc);
    f(&mut lead, &ctx(who));
    let mut doc = lead.into_inner();
    let raw: Vec<Vec<u8>> = doc.get_changes(&before).iter().map(|c| c.raw_bytes().to_vec()).collect();
    parse_changes(&raw, &mut Budget::per_request()).unwrap()
}

fn doc_id() -> DocId {
    DocId::Lead(LeadId::from_random([9; 16]))
}

fn refusal(result: Result<Applied, dialbook_core::protocol::authorize::Refusal>) -> RefusalCode {
    match result {
        Err(r) => r.code,
        Ok(other) => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn assignee_may_log_calls_and_edit_notes() {
    let server = server_doc(Some(ME.user));
    let changes = edit(&server, ME, |l, c| {
        l.log_call(c, &CallLog { outcome: CallOutcome::Callback, duration_secs: 90, note: "after 5".into(), voice_note: None, follow_up: None }).unwrap();
        l.set_notes(c, "prefers evening calls").unwrap();
    });
    let Ok(Applied::Changed { lead: Some(lead), new_changes, .. }) = apply_push(ME, &doc_id(), Some(&server), changes.clone()) else { panic!() };
    assert_eq!(lead.calls().count(), 1);
    assert_eq!(new_changes.len(), 2);
    // Re-sending the same changes is harmless.
    let mut after = server.clone();
    after.apply_changes(changes.clone()).unwrap();
    assert!(matches!(apply_push(ME, &doc_id(), Some(&after), changes), Ok(Applied::Unchanged)));
}

#[test]
fn telecaller_cannot_touch_someone_elses_lead() {
    let server = server_doc(Some(ME.user));
    let changes = edit(&server, OTHER, |l, c| l.set_notes(c, "mine now").unwrap());
    assert_eq!(refusal(apply_push(OTHER, &doc_id(), Some(&server), changes)), RefusalCode::NotYours);
}

#[test]
fn telecaller_cannot_reassign_or_delete() {
    let server = server_doc(Some(ME.user));
    let reassign = edit(&server, ME, |l, c| l.assign(c, Some(OTHER.user)).unwrap());
    assert_eq!(refusal(apply_push(ME, &doc_id(), Some(&server), reassign)), RefusalCode::FieldNotAllowed);
    let delete = edit(&server, ME, |l, c| l.set_deleted(c, true).unwrap());
    assert_eq!(refusal(apply_push(ME, &doc_id(), Some(&server), delete)), RefusalCode::FieldNotAllowed);
}

#[test]
fn admin_may_reassign() {
    let server = server_doc(Some(ME.user));
    let changes = edit(&server, ADMIN, |l, c| l.assign(c, Some(OTHER.user)).unwrap());
    let Ok(Applied::Changed { lead: Some(lead), .. }) = apply_push(ADMIN, &doc_id(), Some(&server), changes) else { panic!() };
    assert_eq!(lead.assignee, Some(OTHER.user));
}

#[test]
fn nobody_rewrites_the_timeline() {
    let server = server_doc(Some(ME.user));
    let changes = edit(&server, ME, |l, _| {
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        let doc = l.inner();
        let (_, list) = doc.get(automerge::ROOT, "activities").unwrap().unwrap();
        doc.delete(&list, 0).unwrap();
        doc.commit();
    });
    assert_eq!(refusal(apply_push(ME, &doc_id(), Some(&server), changes)), RefusalCode::HistoryRewritten);
}

#[test]
fn telecaller_may_create_only_leads_assigned_to_themselves() {
    let mine = LeadDoc::create(ActorId::from([5; 16]), &ctx(ME), new_lead(Some(ME.user))).unwrap();
    let raw: Vec<Vec<u8>> = mine.into_inner().get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();
    assert!(matches!(apply_push(ME, &doc_id(), None, parse_changes(&raw, &mut Budget::per_request()).unwrap()), Ok(Applied::Changed { .. })));

    let theirs = LeadDoc::create(ActorId::from([5; 16]), &ctx(ME), new_lead(Some(OTHER.user))).unwrap();
    let raw: Vec<Vec<u8>> = theirs.into_inner().get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();
    assert_eq!(refusal(apply_push(ME, &doc_id(), None, parse_changes(&raw, &mut Budget::per_request()).unwrap())), RefusalCode::FieldNotAllowed);
}

#[test]
fn a_document_pushed_under_another_id_is_invalid() {
    let server = server_doc(Some(ME.user));
    let changes = edit(&server, ME, |l, c| l.set_notes(c, "x").unwrap());
    let wrong = DocId::Lead(LeadId::parse("someotherlead").unwrap());
    assert_eq!(refusal(apply_push(ME, &wrong, Some(&server), changes)), RefusalCode::Invalid);
}

#[test]
fn truncated_or_garbage_changes_are_rejected_before_applying() {
    let server = server_doc(Some(ME.user));
    let changes = edit(&server, ME, |l, c| l.set_notes(c, "hello").unwrap());
    let raw = changes[0].raw_bytes().to_vec();
    assert!(parse_changes(&[raw[..raw.len() - 3].to_vec()], &mut Budget::per_request()).is_err());
    assert!(parse_changes(&[b"not automerge".to_vec()], &mut Budget::per_request()).is_err());
    assert!(parse_changes(&[vec![]], &mut Budget::per_request()).is_err());
}

#[test]
fn changes_with_missing_history_ask_for_fallback_sync() {
    let server = server_doc(Some(ME.user));
    let mut later = server.clone();
    let first = edit(&server, ME, |l, c| l.set_notes(c, "one").unwrap());
    later.apply_changes(first).unwrap();
    // A change built on top of `first`, pushed to a server that never got `first`.
    let second = edit(&later, ME, |l, c| l.set_notes(c, "one two").unwrap());
    assert!(matches!(apply_push(ME, &doc_id(), Some(&server), second), Ok(Applied::NeedsSync)));
}
