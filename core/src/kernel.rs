//! The document kernel: all the Automerge work of a device that keeps its documents as
//! stored bytes (the phone app), as a [`Request`] answered with a [`Reply`]. Edits and
//! the summaries read back after them, what to push, applying what was pulled, reverting
//! refused edits, the per-doc fallback exchange.
//!
//! Why requests and replies: the phone's first screen needs no Automerge (the queue, the
//! due list and search run on lead summaries), and Automerge is over a third of the app's
//! code. So the phone app keeps it in a second wasm module, loaded once the first screen
//! is up, and talks to it in postcard bytes ([`Kernel::handle_bytes`]). Storage stays
//! with the caller: this does no IO. It keeps only what makes the next request quick —
//! the document loaded ahead of the edit that is likely next ("warm") — and the state of
//! running fallback exchanges.

use crate::domain::{DocId, Timestamp, UserId};
use crate::lead::{EditContext, Lead, LeadDoc, LeadEdit, LeadError, NewLead, read_lead};
use crate::protocol::fallback::{FallbackError, FallbackSync};
use crate::protocol::replica::ReplicaDoc;
use crate::protocol::wire::{DocSyncRequest, DocSyncResponse, RefusalCode};
use crate::summary::LeadSummary;
use crate::team::{Team, read_team};
use automerge::{ActorId, AutoCommit, ChangeHash};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A change hash as raw bytes (what the caller stores).
pub type Hash = [u8; 32];

/// Who edits: the person, the device's name, and this install's Automerge actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Editor {
    pub user: UserId,
    pub device: String,
    pub actor: Vec<u8>,
}

impl Editor {
    fn ctx(&self, now: Timestamp) -> EditContext {
        EditContext { user: self.user, device: self.device.clone(), now }
    }
    fn actor(&self) -> ActorId {
        ActorId::from(self.actor.as_slice())
    }
}

/// A document as the caller stores it: its bytes and the heads the server has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredBytes {
    pub bytes: Vec<u8>,
    pub acked: Vec<Hash>,
}

/// What a pull brought for one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Pulled {
    Changes(Vec<u8>),
    Snapshot(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Load the stored `bytes` of `doc` ahead of an edit that is likely soon (the call
    /// just dialled), and rehearse the edit on a throwaway copy.
    Warm { doc: DocId, bytes: Vec<u8>, editor: Editor },
    /// Make `edits` on the lead `doc`, on these stored bytes, or with `on: None` on the
    /// warm copy (answered [`Reply::NotWarm`] if that is not `doc`; confirm with
    /// [`Request::Confirm`] that it was the stored one). Answered [`Reply::Edited`] with
    /// the change to append to the stored bytes.
    Edit { doc: DocId, on: Option<Vec<u8>>, editor: Editor, now: Timestamp, edits: Vec<LeadEdit> },
    /// The warm copy of `doc` saved whole (instead of appending one more change), as
    /// [`Reply::Saved`]: now and then, to keep loading quick.
    Save { doc: DocId },
    /// Was the last edit made on the warm copy made on `stored`?
    Confirm { doc: DocId, stored: Vec<u8> },
    /// A new lead.
    Create { editor: Editor, now: Timestamp, new: NewLead },
    /// The lead, or the team settings, in these bytes.
    Read { doc: DocId, bytes: Vec<u8> },
    /// The changes the server has not acknowledged, and the heads they bring it to.
    Unpushed { doc: DocId, stored: StoredBytes },
    /// Has the doc changes the server lacks?
    HasUnpushed { stored: StoredBytes },
    /// Apply what was pulled to the stored doc (`None`: new to this device).
    Apply { doc: DocId, stored: Option<StoredBytes>, pulled: Pulled, actor: Vec<u8> },
    /// Throw away what the server refused: back to the acked heads.
    Revert { doc: DocId, stored: StoredBytes, actor: Vec<u8> },
    /// Start a per-doc fallback exchange; answered with the first request to send.
    FallbackStart { doc: DocId, stored: StoredBytes, actor: Vec<u8> },
    /// The server's answer to the last fallback request.
    FallbackReceive { doc: DocId, response: DocSyncResponse },
    /// End the exchange: merge what it brought into the doc as stored now (the user may
    /// have edited meanwhile), with the server's heads acked.
    FallbackFinish { doc: DocId, current: Option<StoredBytes> },
}

/// A doc to store after a request, with what the UI shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub bytes: Vec<u8>,
    pub heads: Vec<Hash>,
    pub acked: Vec<Hash>,
    /// The doc has changes the server lacks.
    pub unpushed: bool,
    pub shown: Shown,
}

/// What a doc shows: a lead's summary (its number unformatted: `mobile_display` is the
/// E.164 form, the caller formats it), or the team's settings. `Nothing` for a lead doc
/// whose first changes have not all arrived yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Shown {
    Lead(LeadSummary),
    Team(Team),
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FallbackStep {
    Send(DocSyncRequest),
    /// The exchange is over: finish it.
    Done,
    Refused { code: RefusalCode, message: String },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Done,
    NotWarm,
    Edited { changes: Vec<u8>, heads: Vec<Hash>, summary: LeadSummary },
    Created { bytes: Vec<u8>, heads: Vec<Hash>, summary: LeadSummary },
    Saved(Vec<u8>),
    Confirmed(bool),
    Lead(Option<Lead>),
    Team(Option<Team>),
    Unpushed { changes: Vec<Vec<u8>>, heads: Vec<Hash> },
    Flag(bool),
    Stored(Stored),
    /// A snapshot new to this device: it is stored as it came.
    Opened { heads: Vec<Hash>, shown: Shown },
    Fallback(FallbackStep),
    /// The edit was refused (an empty name…); the message is for the user.
    Invalid(String),
    /// Bytes that are not a readable document, or a request this kernel cannot read.
    Damaged(String),
}

/// The document loaded ahead of an edit.
struct Warm {
    doc: DocId,
    /// The stored bytes `am` is now.
    base: Vec<u8>,
    /// The bytes the last edit on this copy was made on, until confirmed.
    edited_from: Option<Vec<u8>>,
    am: AutoCommit,
}

#[derive(Default)]
pub struct Kernel {
    warm: Option<Warm>,
    fallbacks: BTreeMap<DocId, (FallbackSync, ReplicaDoc)>,
}

fn hashes(h: &[ChangeHash]) -> Vec<Hash> {
    h.iter().map(|h| h.0).collect()
}

fn change_hashes(h: &[Hash]) -> Vec<ChangeHash> {
    h.iter().map(|h| ChangeHash(*h)).collect()
}

fn damaged(e: impl std::fmt::Display) -> Reply {
    Reply::Damaged(format!("a stored document is damaged ({e})"))
}

fn from_server(e: impl std::fmt::Display) -> Reply {
    Reply::Damaged(format!("the server sent a document this app cannot read ({e})"))
}

fn edit_error(e: LeadError) -> Reply {
    match e {
        LeadError::Invalid(message) => Reply::Invalid(message),
        other => Reply::Invalid(other.to_string()),
    }
}

fn replica(stored: &StoredBytes, actor: &[u8]) -> Result<ReplicaDoc, automerge::AutomergeError> {
    let doc = AutoCommit::load(&stored.bytes)?.with_actor(ActorId::from(actor));
    Ok(ReplicaDoc { doc, acked: change_hashes(&stored.acked) })
}

/// What `am` shows, as the doc it is.
fn shown(doc: &DocId, am: &AutoCommit) -> Shown {
    match doc {
        DocId::Lead(_) => read_lead(am).map_or(Shown::Nothing, |lead| Shown::Lead(summary(&lead))),
        DocId::Team => read_team(am).map_or(Shown::Nothing, Shown::Team),
    }
}

fn summary(lead: &Lead) -> LeadSummary {
    LeadSummary::of(lead, |n| n.e164().to_owned())
}

fn stored(doc: &DocId, rd: &mut ReplicaDoc) -> Stored {
    Stored {
        bytes: rd.doc.save_nocompress(),
        heads: hashes(&rd.doc.get_heads()),
        acked: hashes(&rd.acked),
        unpushed: rd.has_unpushed(),
        shown: shown(doc, &rd.doc),
    }
}

impl Kernel {
    pub fn new() -> Self {
        Self::default()
    }

    /// [`Kernel::handle`] for a postcard-encoded request, answered in postcard.
    pub fn handle_bytes(&mut self, request: &[u8]) -> Vec<u8> {
        let reply = match postcard::from_bytes(request) {
            Ok(request) => self.handle(request),
            Err(e) => Reply::Damaged(format!("the document module could not read a request ({e})")),
        };
        postcard::to_stdvec(&reply).expect("a reply always encodes")
    }

    pub fn handle(&mut self, request: Request) -> Reply {
        match request {
            Request::Warm { doc, bytes, editor } => {
                if self.warm.as_ref().is_some_and(|w| w.doc == doc && w.base == bytes) {
                    return Reply::Done;
                }
                match AutoCommit::load(&bytes) {
                    Ok(am) => {
                        let am = am.with_actor(editor.actor());
                        rehearse(&am, &editor);
                        self.warm = Some(Warm { doc, base: bytes, edited_from: None, am });
                        Reply::Done
                    }
                    Err(e) => damaged(e),
                }
            }
            Request::Edit { doc, on, editor, now, edits } => self.edit(doc, on, &editor, now, &edits),
            Request::Save { doc } => match self.warm.as_mut().filter(|w| w.doc == doc) {
                Some(w) => {
                    w.base = w.am.save_nocompress();
                    Reply::Saved(w.base.clone())
                }
                None => Reply::NotWarm,
            },
            Request::Confirm { doc, stored } => Reply::Confirmed(
                self.warm.as_ref().is_some_and(|w| w.doc == doc && w.edited_from.as_deref() == Some(stored.as_slice())),
            ),
            Request::Create { editor, now, new } => match LeadDoc::create(editor.actor(), &editor.ctx(now), new) {
                Ok(mut lead) => match lead.read() {
                    Ok(read) => Reply::Created {
                        bytes: lead.inner().save_nocompress(),
                        heads: hashes(&lead.heads()),
                        summary: summary(&read),
                    },
                    Err(e) => Reply::Invalid(e.to_string()),
                },
                Err(e) => edit_error(e),
            },
            Request::Read { doc, bytes } => match AutoCommit::load(&bytes) {
                Ok(am) => match doc {
                    DocId::Lead(_) => Reply::Lead(read_lead(&am).ok()),
                    DocId::Team => Reply::Team(read_team(&am).ok()),
                },
                Err(e) => damaged(e),
            },
            Request::Unpushed { doc, stored } => {
                let acked = change_hashes(&stored.acked);
                // The doc just edited is usually the warm one: no need to load it again.
                let warm = self.warm.as_mut().filter(|w| w.doc == doc && w.base == stored.bytes);
                let mut loaded;
                let am = match warm {
                    Some(w) => &mut w.am,
                    None => {
                        loaded = match AutoCommit::load(&stored.bytes) {
                            Ok(am) => am,
                            Err(e) => return damaged(e),
                        };
                        &mut loaded
                    }
                };
                let changes = am.get_changes(&acked).into_iter().map(|c| c.raw_bytes().to_vec()).collect();
                Reply::Unpushed { changes, heads: hashes(&am.get_heads()) }
            }
            Request::HasUnpushed { stored } => match replica(&stored, &[0; 16]) {
                Ok(mut rd) => Reply::Flag(rd.has_unpushed()),
                Err(e) => damaged(e),
            },
            Request::Apply { doc, stored: existing, pulled, actor } => match (existing, pulled) {
                (None, Pulled::Snapshot(bytes)) => match AutoCommit::load(&bytes) {
                    // New to this device: the snapshot is already the saved form.
                    Ok(mut am) => Reply::Opened { heads: hashes(&am.get_heads()), shown: shown(&doc, &am) },
                    Err(e) => from_server(e),
                },
                (existing, pulled) => {
                    let mut rd = match &existing {
                        Some(s) => match replica(s, &actor) {
                            Ok(rd) => rd,
                            Err(e) => return damaged(e),
                        },
                        None => ReplicaDoc::local(AutoCommit::new().with_actor(ActorId::from(actor.as_slice()))),
                    };
                    let applied = match &pulled {
                        Pulled::Changes(bytes) => rd.apply_changes(bytes),
                        Pulled::Snapshot(bytes) => rd.merge_snapshot(bytes),
                    };
                    match applied {
                        Ok(()) => Reply::Stored(stored(&doc, &mut rd)),
                        Err(e) => from_server(e),
                    }
                }
            },
            Request::Revert { doc, stored: s, actor } => {
                let mut rd = match replica(&s, &actor) {
                    Ok(rd) => rd,
                    Err(e) => return damaged(e),
                };
                match rd.revert_to_acked() {
                    Ok(()) => Reply::Stored(stored(&doc, &mut rd)),
                    Err(e) => damaged(e),
                }
            }
            Request::FallbackStart { doc, stored: s, actor } => {
                let mut rd = match replica(&s, &actor) {
                    Ok(rd) => rd,
                    Err(e) => return damaged(e),
                };
                let mut sync = FallbackSync::new();
                let step = match sync.next_request(&doc, &mut rd) {
                    Some(req) => FallbackStep::Send(req),
                    None => FallbackStep::Done,
                };
                self.fallbacks.insert(doc, (sync, rd));
                Reply::Fallback(step)
            }
            Request::FallbackReceive { doc, response } => {
                let Some((sync, rd)) = self.fallbacks.get_mut(&doc) else {
                    return Reply::Fallback(FallbackStep::Failed("no fallback exchange is running for this document".into()));
                };
                let step = match sync.receive(rd, response) {
                    Ok(true) => match sync.next_request(&doc, rd) {
                        Some(req) => FallbackStep::Send(req),
                        None => FallbackStep::Done,
                    },
                    Ok(false) => FallbackStep::Done,
                    Err(FallbackError::Refused { code, message }) => FallbackStep::Refused { code, message },
                    Err(e) => FallbackStep::Failed(e.to_string()),
                };
                if matches!(step, FallbackStep::Refused { .. } | FallbackStep::Failed(_)) {
                    self.fallbacks.remove(&doc);
                }
                Reply::Fallback(step)
            }
            Request::FallbackFinish { doc, current } => {
                let Some((sync, mut synced)) = self.fallbacks.remove(&doc) else {
                    return Reply::Damaged("no fallback exchange is running for this document".into());
                };
                sync.finish(&mut synced);
                let mut rd = match current {
                    Some(s) => {
                        let mut rd = match replica(&s, synced.doc.get_actor().to_bytes()) {
                            Ok(rd) => rd,
                            Err(e) => return damaged(e),
                        };
                        if let Err(e) = rd.doc.merge(&mut synced.doc) {
                            return damaged(e);
                        }
                        rd.acked = synced.acked;
                        rd
                    }
                    None => synced,
                };
                Reply::Stored(stored(&doc, &mut rd))
            }
        }
    }

    fn edit(&mut self, doc: DocId, on: Option<Vec<u8>>, editor: &Editor, now: Timestamp, edits: &[LeadEdit]) -> Reply {
        // The warm copy if it is the one asked for, else a fresh load of the stored bytes.
        let warm = match self.warm.take() {
            Some(w) if w.doc == doc && on.as_ref().is_none_or(|bytes| *bytes == w.base) => Some(w),
            other => {
                self.warm = other;
                None
            }
        };
        let (base, am) = match (warm, on) {
            (Some(w), _) => (w.base, w.am),
            (None, None) => return Reply::NotWarm,
            (None, Some(bytes)) => match AutoCommit::load(&bytes) {
                Ok(am) => (bytes, am.with_actor(editor.actor())),
                Err(e) => return damaged(e),
            },
        };
        let mut lead = LeadDoc::from_autocommit(am);
        let before = lead.heads();
        let ctx = editor.ctx(now);
        for edit in edits {
            if let Err(e) = lead.apply(&ctx, edit) {
                // The copy may hold half an edit: it is not kept.
                return edit_error(e);
            }
        }
        let read = match lead.read() {
            Ok(read) => read,
            Err(e) => return Reply::Invalid(e.to_string()),
        };
        // The caller appends just this change to the stored bytes (Automerge loads a save
        // followed by incremental chunks), so the warm copy is now those bytes.
        let changes = lead.inner().save_after(&before);
        let heads = hashes(&lead.heads());
        let mut now_stored = base.clone();
        now_stored.extend_from_slice(&changes);
        self.warm = Some(Warm { doc, base: now_stored, edited_from: Some(base), am: lead.into_inner() });
        Reply::Edited { changes, heads, summary: summary(&read) }
    }
}

/// Log a call on a throwaway copy of the document, and drop it: the browser compiles
/// WebAssembly lazily, function by function, so the first real call logged would
/// otherwise pay for compiling the edit, the read-back and the save (tens of ms on a slow
/// phone) after the tap. Runs while the telecaller is on the call.
fn rehearse(am: &AutoCommit, editor: &Editor) {
    let mut copy = LeadDoc::from_autocommit(am.clone());
    let before = copy.heads();
    let call = crate::lead::CallLog {
        outcome: crate::CallOutcome::NoAnswer,
        duration_secs: 0,
        note: String::new(),
        voice_note: None,
        follow_up: None,
    };
    if copy.log_call(&editor.ctx(Timestamp(0)), &call).is_ok()
        && let Ok(lead) = copy.read()
    {
        let _ = summary(&lead);
        let _ = copy.inner().save_after(&before);
        let _ = copy.inner().save_nocompress();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::CallLog;
    use crate::{CallOutcome, LeadId, PhoneNumber};

    fn editor(actor: u8) -> Editor {
        Editor { user: UserId(7), device: "Phone".into(), actor: vec![actor; 16] }
    }

    fn stored_lead() -> (DocId, Vec<u8>) {
        let new = NewLead {
            id: LeadId::from_random([3; 16]),
            name: "Ravi Kumar".into(),
            mobile: PhoneNumber::from_e164("+919845012345").unwrap(),
            alt_mobile: None,
            source: String::new(),
            assignee: Some(UserId(7)),
            follow_up: None,
            tags: Default::default(),
            custom: Default::default(),
            notes: String::new(),
        };
        let id = DocId::Lead(new.id.clone());
        let mut doc = LeadDoc::create(ActorId::from([9u8; 16]), &editor(9).ctx(Timestamp(1_000)), new).unwrap();
        (id, doc.save())
    }

    fn call(outcome: CallOutcome) -> Vec<LeadEdit> {
        vec![LeadEdit::LogCall(CallLog { outcome, duration_secs: 30, note: String::new(), voice_note: None, follow_up: None })]
    }

    /// The stored bytes after an edit on `base`.
    fn edited(base: &[u8], reply: Reply) -> (Vec<u8>, LeadSummary) {
        match reply {
            Reply::Edited { changes, summary, .. } => ([base, &changes].concat(), summary),
            other => panic!("expected an edit, got {other:?}"),
        }
    }

    fn calls_in(bytes: &[u8]) -> usize {
        read_lead(&AutoCommit::load(bytes).unwrap()).unwrap().calls().count()
    }

    #[test]
    fn a_call_on_the_warm_copy_is_confirmed_against_the_stored_bytes_and_appends_to_them() {
        let mut k = Kernel::new();
        let (doc, bytes) = stored_lead();
        k.handle(Request::Warm { doc: doc.clone(), bytes: bytes.clone(), editor: editor(1) });
        let edit = Request::Edit { doc: doc.clone(), on: None, editor: editor(1), now: Timestamp(5_000), edits: call(CallOutcome::Busy) };
        let (new, summary) = edited(&bytes, k.handle(edit));
        assert_eq!(k.handle(Request::Confirm { doc: doc.clone(), stored: bytes.clone() }), Reply::Confirmed(true));
        assert!(new.starts_with(&bytes), "the change is appended to what was stored");
        assert_eq!(summary.call_count, 1);
        assert_eq!(summary.mobile_display, "+919845012345", "the caller formats numbers");
        assert_eq!(calls_in(&new), 1);
    }

    #[test]
    fn a_warm_copy_older_than_what_is_stored_is_not_confirmed_and_the_edit_on_the_stored_bytes_keeps_both() {
        let mut k = Kernel::new();
        let (doc, bytes) = stored_lead();
        k.handle(Request::Warm { doc: doc.clone(), bytes: bytes.clone(), editor: editor(1) });
        // Another tab logs a call on what is stored.
        let mut other = Kernel::new();
        let on = Some(bytes.clone());
        let (theirs, _) = edited(&bytes, other.handle(Request::Edit { doc: doc.clone(), on, editor: editor(2), now: Timestamp(4_000), edits: call(CallOutcome::NoAnswer) }));
        let ours = Request::Edit { doc: doc.clone(), on: None, editor: editor(1), now: Timestamp(5_000), edits: call(CallOutcome::Busy) };
        edited(&bytes, k.handle(ours));
        assert_eq!(k.handle(Request::Confirm { doc: doc.clone(), stored: theirs.clone() }), Reply::Confirmed(false));
        let again = Request::Edit { doc: doc.clone(), on: Some(theirs.clone()), editor: editor(1), now: Timestamp(5_000), edits: call(CallOutcome::Busy) };
        let (merged, summary) = edited(&theirs, k.handle(again));
        let Reply::Saved(whole) = k.handle(Request::Save { doc: doc.clone() }) else { panic!("the warm copy saves whole") };
        assert_eq!(calls_in(&whole), 2);
        assert_eq!((calls_in(&merged), summary.call_count), (2, 2));
    }

    #[test]
    fn an_invalid_edit_is_refused_with_its_message_and_the_warm_copy_is_dropped() {
        let mut k = Kernel::new();
        let (doc, bytes) = stored_lead();
        k.handle(Request::Warm { doc: doc.clone(), bytes, editor: editor(1) });
        let bad = Request::Edit { doc: doc.clone(), on: None, editor: editor(1), now: Timestamp(5_000), edits: vec![LeadEdit::Name("  ".into())] };
        assert!(matches!(k.handle(bad), Reply::Invalid(m) if !m.is_empty()));
        let after = Request::Edit { doc, on: None, editor: editor(1), now: Timestamp(6_000), edits: call(CallOutcome::Busy) };
        assert_eq!(k.handle(after), Reply::NotWarm);
    }

    #[test]
    fn what_is_pulled_new_is_opened_and_a_local_edit_is_unpushed_until_acked() {
        let mut k = Kernel::new();
        let (doc, snapshot) = stored_lead();
        let Reply::Opened { heads, shown: Shown::Lead(summary) } =
            k.handle(Request::Apply { doc: doc.clone(), stored: None, pulled: Pulled::Snapshot(snapshot.clone()), actor: vec![1; 16] })
        else {
            panic!("a snapshot new to the device opens")
        };
        assert_eq!(summary.name, "Ravi Kumar");
        let on = Some(snapshot.clone());
        let (bytes, _) = edited(&snapshot, k.handle(Request::Edit { doc: doc.clone(), on, editor: editor(1), now: Timestamp(5_000), edits: call(CallOutcome::Busy) }));
        let stored = StoredBytes { bytes, acked: heads };
        let Reply::Unpushed { changes, heads } = k.handle(Request::Unpushed { doc: doc.clone(), stored: stored.clone() }) else { panic!() };
        assert_eq!(changes.len(), 1);
        assert_eq!(k.handle(Request::HasUnpushed { stored: stored.clone() }), Reply::Flag(true));
        assert_eq!(k.handle(Request::HasUnpushed { stored: StoredBytes { acked: heads, ..stored.clone() } }), Reply::Flag(false));
        let Reply::Stored(reverted) = k.handle(Request::Revert { doc, stored, actor: vec![1; 16] }) else { panic!() };
        assert!(!reverted.unpushed);
        assert!(matches!(reverted.shown, Shown::Lead(s) if s.call_count == 0));
    }

    #[test]
    fn a_request_that_cannot_be_read_is_answered_not_dropped() {
        let reply: Reply = postcard::from_bytes(&Kernel::new().handle_bytes(&[250, 3])).unwrap();
        assert!(matches!(reply, Reply::Damaged(m) if m.contains("could not read a request")));
    }
}
