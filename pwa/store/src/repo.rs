//! The lead documents on this phone: every edit, and every effect of the sync protocol,
//! as one IndexedDB transaction over the document, its summary and its outbox entry.
//! The Automerge work is core's [`Kernel`]'s: this hands it stored bytes and stores what
//! it answers. It runs in the document worker (see [`crate::worker`]); the UI never sees
//! a document, only [`LeadSummary`]s and [`Lead`]s read out of them.
//!
//! Documents are stored without DEFLATE: a save is quicker. Compressed documents from the
//! server still load.

use crate::phone;
use crate::store::{Result, Store, StoreError, StoredDoc, Tx, keys};
use dialbook_core::kernel::{FallbackStep, Kernel, Pulled, Reply, Request, Shown, StoredBytes};
use dialbook_core::lead::{Lead, LeadEdit, NewLead};
use dialbook_core::protocol::client::Effect;
use dialbook_core::protocol::wire::{DocChanges, DocSyncResponse, PullItem, PushRequest};
use dialbook_core::summary::LeadSummary;
use dialbook_core::team::Team;
use dialbook_core::{DocId, LeadId, Timestamp};
use automerge::ChangeHash;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

pub use dialbook_core::kernel::Editor;

/// An edit that did not happen, with what to tell the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EditError {
    Store(StoreError),
    /// The input was refused (empty name, …).
    Invalid(String),
    NotOnPhone,
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Store(e) => e.fmt(f),
            EditError::Invalid(msg) => f.write_str(msg),
            EditError::NotOnPhone => f.write_str("This lead is no longer on this phone (it may have been reassigned)."),
        }
    }
}

impl From<StoreError> for EditError {
    fn from(e: StoreError) -> Self {
        EditError::Store(e)
    }
}

/// For callers that only report storage errors: a store error as it was, anything else
/// with its own message.
impl From<EditError> for StoreError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::Store(e) => e,
            other => StoreError(other.to_string()),
        }
    }
}

/// A reply that is not the one asked for: the module's own error, or a mismatch.
fn unexpected(reply: Reply) -> StoreError {
    match reply {
        Reply::Damaged(message) | Reply::Invalid(message) => StoreError(message),
        _ => StoreError("the document module answered something else than was asked".into()),
    }
}

/// What applying a batch of sync effects changed, for the UI and the sync loop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    pub upserts: Vec<LeadSummary>,
    pub removed: Vec<LeadId>,
    pub team: Option<Team>,
    /// Docs to report back to the client with `still_dirty`.
    pub still_dirty: Vec<DocId>,
    pub fallbacks: Vec<DocId>,
    /// Refusal messages to show.
    pub refusals: Vec<String>,
    pub signed_out: bool,
    pub cursor_saved: bool,
}

/// After this many edits saved as increments a lead's bytes are saved whole again, so
/// loading stays fast.
const MAX_INCREMENTS: u16 = 24;

pub struct Repo {
    pub store: Store,
    pub editor: Editor,
    /// Keeps only what makes the next request quick: the document of the call on the phone.
    kernel: RefCell<Kernel>,
}

impl Repo {
    pub fn new(store: Store, editor: Editor) -> Self {
        Self { store, editor, kernel: RefCell::new(Kernel::new()) }
    }

    /// Answer `request` now (it never waits, so it can run inside a transaction).
    fn call(&self, request: Request) -> Reply {
        self.kernel.borrow_mut().handle(request)
    }

    /// Load a lead's document ahead of an edit that is likely soon (the call just dialled).
    pub async fn warm_up(&self, id: &LeadId) {
        let doc = DocId::Lead(id.clone());
        // The number's display too: the edit's summary carries it.
        need_formatting().await;
        if let Ok(Some(stored)) = self.store.doc(&doc).await {
            let _ = self.call(Request::Warm { doc, bytes: stored.bytes, editor: self.editor.clone() });
        }
    }

    /// The full lead, timeline included, read from its document.
    pub async fn lead(&self, id: &LeadId) -> Result<Option<Lead>> {
        let doc = DocId::Lead(id.clone());
        let Some(stored) = self.store.doc(&doc).await? else { return Ok(None) };
        match self.call(Request::Read { doc, bytes: stored.bytes }) {
            Reply::Lead(lead) => Ok(lead),
            other => Err(unexpected(other)),
        }
    }

    /// The team's settings. Kept beside the team document as read (meta `team`), so the
    /// app starts with them before the document module has loaded.
    pub async fn team(&self) -> Result<Option<Team>> {
        if let Some(bytes) = self.store.meta(keys::TEAM).await?
            && let Ok(team) = postcard::from_bytes(&bytes)
        {
            return Ok(Some(team));
        }
        // Stored by an app version that did not keep it: read it once from the document.
        let Some(stored) = self.store.doc(&DocId::Team).await? else { return Ok(None) };
        match self.call(Request::Read { doc: DocId::Team, bytes: stored.bytes }) {
            Reply::Team(Some(team)) => {
                if let Ok(bytes) = postcard::to_allocvec(&team) {
                    self.store.put_meta(keys::TEAM, &bytes).await?;
                }
                Ok(Some(team))
            }
            Reply::Team(None) => Ok(None),
            other => Err(unexpected(other)),
        }
    }

    /// Edit a lead: the change, the new summary and the outbox entry are durable together
    /// when this returns.
    pub async fn edit(&self, id: &LeadId, now: Timestamp, edits: Vec<LeadEdit>) -> std::result::Result<LeadSummary, EditError> {
        self.edit_clearing(id, now, edits, None).await
    }

    /// [`Repo::edit`], also deleting the meta value `clear` in the same transaction (the
    /// outcome draft goes exactly when its call is stored).
    ///
    /// When the document was loaded ahead ([`Repo::warm_up`]), the edit is made on that
    /// copy while IndexedDB reads the stored one, and kept if the copy was loaded from
    /// those very bytes (they differ only if something else stored the doc meanwhile, say
    /// a sync or another tab; then the edit is made again on what is stored). So the
    /// Automerge work of a logged call hides behind the read instead of following it.
    pub async fn edit_clearing(
        &self,
        id: &LeadId,
        now: Timestamp,
        edits: Vec<LeadEdit>,
        clear: Option<&str>,
    ) -> std::result::Result<LeadSummary, EditError> {
        need_formatting().await;
        let doc = DocId::Lead(id.clone());
        let edit = |on: Option<Vec<u8>>| Request::Edit { doc: doc.clone(), on, editor: self.editor.clone(), now, edits: edits.clone() };
        let tx = self.store.begin()?;
        let (stored, ahead) = {
            let mut read = std::pin::pin!(tx.doc(&doc));
            // Poll once: that issues the read, and the edit below overlaps it.
            let early = std::future::poll_fn(|cx| std::task::Poll::Ready(read.as_mut().poll(cx))).await;
            let ahead = self.call(edit(None));
            crate::mark("dialbook:edit-ahead");
            let stored = match early {
                std::task::Poll::Ready(stored) => stored,
                std::task::Poll::Pending => read.await,
            };
            (stored, ahead)
        };
        crate::mark("dialbook:edit-read");
        let stored = stored?.ok_or(EditError::NotOnPhone)?;
        let confirmed = matches!(ahead, Reply::Edited { .. })
            && self.call(Request::Confirm { doc: doc.clone(), stored: stored.bytes.clone() }) == Reply::Confirmed(true);
        let reply = match ahead {
            reply if confirmed => reply,
            _ => self.call(edit(Some(stored.bytes.clone()))),
        };
        let (changes, heads, summary) = match reply {
            Reply::Edited { changes, heads, summary } => (changes, heads, summary),
            Reply::Invalid(message) => return Err(EditError::Invalid(message)),
            other => return Err(unexpected(other).into()),
        };
        let summary = formatted(summary);
        let acked = stored.acked_raw().to_vec();
        // Append just this edit to the stored bytes; now and then save whole, to keep
        // loading fast.
        let (bytes, increments) = if stored.increments < MAX_INCREMENTS {
            let mut bytes = stored.bytes;
            bytes.extend(changes);
            (bytes, stored.increments + 1)
        } else {
            match self.call(Request::Save { doc: doc.clone() }) {
                Reply::Saved(bytes) => (bytes, 0),
                other => return Err(unexpected(other).into()),
            }
        };
        let mut new = StoredDoc::from_raw(bytes, heads, acked);
        new.increments = increments;
        tx.put_doc(&doc, &new)?;
        tx.put_summary(&summary)?;
        tx.set_dirty(&doc, true)?;
        if let Some(key) = clear {
            tx.delete_meta(key)?;
        }
        crate::mark("dialbook:edit-issued");
        tx.commit().await?;
        Ok(summary)
    }

    pub async fn create(&self, now: Timestamp, new: NewLead) -> std::result::Result<LeadSummary, EditError> {
        need_formatting().await;
        let doc = DocId::Lead(new.id.clone());
        let (bytes, heads, summary) = match self.call(Request::Create { editor: self.editor.clone(), now, new }) {
            Reply::Created { bytes, heads, summary } => (bytes, heads, formatted(summary)),
            Reply::Invalid(message) => return Err(EditError::Invalid(message)),
            other => return Err(unexpected(other).into()),
        };
        let tx = self.store.begin()?;
        tx.put_doc(&doc, &StoredDoc::from_raw(bytes, heads, Vec::new()))?;
        tx.put_summary(&summary)?;
        tx.set_dirty(&doc, true)?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The push for `ids`: each doc's changes since its acked heads, and the heads they
    /// bring the server to. Docs with nothing to send are listed apart.
    pub async fn build_push(&self, ids: &[DocId]) -> Result<(PushRequest, BTreeMap<DocId, Vec<ChangeHash>>, Vec<DocId>)> {
        let mut docs = Vec::new();
        let mut sent = BTreeMap::new();
        let mut empty = Vec::new();
        for id in ids {
            let Some(stored) = self.store.doc(id).await? else {
                empty.push(id.clone());
                continue;
            };
            if stored.surely_clean() {
                empty.push(id.clone());
                continue;
            }
            // The doc just edited is still loaded in the module: it is not loaded again.
            let (changes, heads) = match self.call(Request::Unpushed { doc: id.clone(), stored: stored.into() }) {
                Reply::Unpushed { changes, heads } => (changes, heads),
                other => return Err(unexpected(other)),
            };
            if changes.is_empty() {
                empty.push(id.clone());
            } else {
                sent.insert(id.clone(), heads.into_iter().map(ChangeHash).collect());
                docs.push(DocChanges { doc: id.clone(), changes });
            }
        }
        Ok((PushRequest { docs }, sent, empty))
    }

    /// Carry out the effects of one protocol answer, all in one transaction: a page of
    /// pulled docs and the cursor after it are stored together or not at all.
    pub async fn apply(&self, effects: Vec<Effect>) -> Result<Applied> {
        // Before the transaction, which must not wait on anything but IndexedDB: the
        // phone-number module, for new numbers' summaries.
        need_formatting().await;
        let mut out = Applied::default();
        let tx = self.store.begin()?;
        for effect in effects {
            match effect {
                Effect::Acked { doc, heads } => {
                    let Some(old) = tx.doc(&doc).await? else { continue };
                    let stored = old.with_acked(&heads);
                    let dirty = !self.is_clean(&stored)?;
                    tx.put_doc(&doc, &stored)?;
                    tx.set_dirty(&doc, dirty)?;
                    if dirty {
                        out.still_dirty.push(doc);
                    }
                }
                Effect::Refused { doc, message, .. } => {
                    let Some(stored) = tx.doc(&doc).await? else {
                        out.refusals.push(message);
                        continue;
                    };
                    tx.set_dirty(&doc, false)?;
                    match &doc {
                        DocId::Lead(id) if stored.acked_raw().is_empty() => {
                            // A lead added on this phone that the server will not take: it
                            // goes, so the message says what it was, for typing in again.
                            let what = match self.call(Request::Read { doc: doc.clone(), bytes: stored.bytes }) {
                                Reply::Lead(Some(l)) => Some(format!("{} ({})", l.name, phone::display(&l.mobile))),
                                _ => None,
                            };
                            out.refusals.push(match what {
                                Some(what) => format!("{what} was not added: {message}"),
                                None => message,
                            });
                            tx.delete_lead(id)?;
                            out.removed.push(id.clone());
                        }
                        _ => {
                            out.refusals.push(message);
                            let actor = self.editor.actor.clone();
                            match self.call(Request::Revert { doc: doc.clone(), stored: stored.into(), actor }) {
                                Reply::Stored(s) => self.put_stored(&tx, &doc, StoredDoc::from_raw(s.bytes, s.heads, s.acked), s.shown, &mut out)?,
                                other => return Err(unexpected(other)),
                            }
                        }
                    }
                }
                Effect::Fallback(doc) => out.fallbacks.push(doc),
                Effect::Apply(item) => self.apply_item(&tx, item, &mut out).await?,
                Effect::ResyncFinished { seen } => {
                    for id in tx.doc_ids().await? {
                        if seen.contains(&id) {
                            continue;
                        }
                        // The server lost this doc (restored from an older backup): push
                        // it whole; the server refuses it if it is no longer ours.
                        if let Some(old) = tx.doc(&id).await? {
                            tx.put_doc(&id, &old.with_acked(&[]))?;
                            tx.set_dirty(&id, true)?;
                            out.still_dirty.push(id);
                        }
                    }
                }
                Effect::SaveCursor(cursor) => {
                    tx.put_meta(keys::CURSOR, &cursor)?;
                    out.cursor_saved = true;
                }
                Effect::SignedOut => out.signed_out = true,
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn apply_item(&self, tx: &Tx<'_>, item: PullItem, out: &mut Applied) -> Result<()> {
        let (doc, pulled) = match item {
            PullItem::Revoked { doc } => {
                if let DocId::Lead(id) = doc {
                    tx.delete_lead(&id)?;
                    out.removed.push(id);
                }
                return Ok(());
            }
            PullItem::Changes { doc, bytes } => (doc, Pulled::Changes(bytes)),
            PullItem::Snapshot { doc, bytes } => (doc, Pulled::Snapshot(bytes)),
        };
        let existing = tx.doc(&doc).await?;
        let had = existing.is_some();
        // Kept for a snapshot new to this phone, which is stored as it came.
        let snapshot = match (&pulled, had) {
            (Pulled::Snapshot(bytes), false) => Some(bytes.clone()),
            _ => None,
        };
        let snapshot_merged = had && matches!(pulled, Pulled::Snapshot(_));
        let request = Request::Apply { doc: doc.clone(), stored: existing.map(Into::into), pulled, actor: self.editor.actor.clone() };
        match (self.call(request), snapshot) {
            (Reply::Opened { heads, shown }, Some(bytes)) => {
                self.put_stored(tx, &doc, StoredDoc::from_raw(bytes, heads.clone(), heads), shown, out)
            }
            (Reply::Stored(s), _) => {
                if snapshot_merged && s.unpushed {
                    tx.set_dirty(&doc, true)?;
                    out.still_dirty.push(doc.clone());
                }
                self.put_stored(tx, &doc, StoredDoc::from_raw(s.bytes, s.heads, s.acked), s.shown, out)
            }
            (other, _) => Err(unexpected(other)),
        }
    }

    /// Store a changed doc and what the UI shows of it.
    fn put_stored(&self, tx: &Tx<'_>, doc: &DocId, stored: StoredDoc, shown: Shown, out: &mut Applied) -> Result<()> {
        tx.put_doc(doc, &stored)?;
        match shown {
            Shown::Lead(summary) => {
                let summary = formatted(summary);
                tx.put_summary(&summary)?;
                out.upserts.push(summary);
            }
            Shown::Team(team) => {
                let bytes = postcard::to_allocvec(&team).map_err(StoreError::from)?;
                tx.put_meta(keys::TEAM, &bytes)?;
                out.team = Some(team);
            }
            // A doc whose first changes have not all arrived yet has no readable lead; it
            // gets its summary when they do.
            Shown::Nothing => {}
        }
        Ok(())
    }

    /// True if the server has every change of this doc. Usually known without Automerge
    /// (the ack after a push): asking the kernel means loading the document.
    fn is_clean(&self, stored: &StoredDoc) -> Result<bool> {
        if stored.surely_clean() {
            return Ok(true);
        }
        match self.call(Request::HasUnpushed { stored: stored.clone().into() }) {
            Reply::Flag(unpushed) => Ok(!unpushed),
            other => Err(unexpected(other)),
        }
    }

    /// Start the per-doc fallback exchange for `doc`: the first step (`None` if the doc
    /// is not on the phone).
    pub async fn fallback_start(&self, doc: &DocId) -> Result<Option<FallbackStep>> {
        let Some(stored) = self.store.doc(doc).await? else { return Ok(None) };
        let request = Request::FallbackStart { doc: doc.clone(), stored: stored.into(), actor: self.editor.actor.clone() };
        match self.call(request) {
            Reply::Fallback(step) => Ok(Some(step)),
            other => Err(unexpected(other)),
        }
    }

    /// The server's answer in the fallback exchange for `doc`: the next step.
    pub fn fallback_receive(&self, doc: &DocId, response: DocSyncResponse) -> Result<FallbackStep> {
        match self.call(Request::FallbackReceive { doc: doc.clone(), response }) {
            Reply::Fallback(step) => Ok(step),
            other => Err(unexpected(other)),
        }
    }

    /// Store the outcome of a per-doc fallback sync: merge what it brought into the doc
    /// as stored now (the user may have edited meanwhile) and ack the server's heads.
    /// True if the doc still has changes to push.
    pub async fn finish_fallback(&self, doc: &DocId) -> Result<(Applied, bool)> {
        need_formatting().await;
        let mut out = Applied::default();
        let tx = self.store.begin()?;
        let current = tx.doc(doc).await?.map(Into::into);
        let s = match self.call(Request::FallbackFinish { doc: doc.clone(), current }) {
            Reply::Stored(s) => s,
            other => return Err(unexpected(other)),
        };
        let dirty = s.unpushed;
        self.put_stored(&tx, doc, StoredDoc::from_raw(s.bytes, s.heads, s.acked), s.shown, &mut out)?;
        tx.set_dirty(doc, dirty)?;
        tx.commit().await?;
        Ok((out, dirty))
    }
}

/// A summary from the document module with its number formatted for showing (the module
/// has no libphonenumber: it leaves the E.164 form).
fn formatted(mut summary: LeadSummary) -> LeadSummary {
    summary.mobile_display = phone::display(&summary.mobile);
    summary
}

/// Load the phone-number module if it is not yet (a first sync, or a pull soon after
/// start). Without it numbers are stored formatted as E.164 until their lead next changes,
/// which is better than not storing what arrived.
async fn need_formatting() {
    if let Err(e) = phone::ready().await {
        crate::warn(&e);
    }
}

impl From<StoredDoc> for StoredBytes {
    fn from(doc: StoredDoc) -> Self {
        let acked = doc.acked_raw().to_vec();
        StoredBytes { bytes: doc.bytes, acked }
    }
}
