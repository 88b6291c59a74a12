//! The lead documents on this phone: every edit, and every effect of the sync protocol,
//! as one IndexedDB transaction over the document, its summary and its outbox entry.
//! Owns the Automerge work on stored bytes; the UI never sees a document, only
//! [`LeadSummary`]s and [`Lead`]s read out of them.
//!
//! Documents are stored without DEFLATE (`save_nocompress`): a save is quicker, and with
//! no caller asking for compression the encoder stays out of the download. Compressed
//! documents from the server still load.

use super::{phone, platform};
use super::store::{Result, Store, StoreError, StoredDoc, Tx};
use automerge::{ActorId, AutoCommit, ChangeHash};
use dialbook_core::lead::{CallLog, EditContext, Lead, LeadDoc, LeadError, NewLead, read_lead};
use dialbook_core::protocol::client::Effect;
use dialbook_core::protocol::replica::ReplicaDoc;
use dialbook_core::protocol::wire::{DocChanges, PullItem, PushRequest};
use dialbook_core::summary::LeadSummary;
use dialbook_core::team::{Team, read_team};
use dialbook_core::{CallOutcome, DocId, LeadId, Timestamp, UserId};
use std::collections::BTreeMap;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// One edit made on a document: what it adds to the stored bytes and the lead's new
/// summary.
struct Edit {
    changes: Vec<u8>,
    summary: LeadSummary,
}

impl Edit {
    fn make(
        lead: &mut LeadDoc,
        ctx: &EditContext,
        f: &impl Fn(&mut LeadDoc, &EditContext) -> std::result::Result<(), LeadError>,
    ) -> std::result::Result<Self, EditError> {
        let before = lead.heads();
        f(lead, ctx)?;
        let summary = LeadSummary::of(&lead.read().map_err(LeadError::from)?, phone::display);
        Ok(Self { changes: lead.inner().save_after(&before), summary })
    }
}

/// Who edits on this phone.
#[derive(Debug, Clone, PartialEq)]
pub struct Editor {
    pub user: UserId,
    pub device: String,
    pub actor: ActorId,
}

/// An edit that did not happen, with what to tell the user.
#[derive(Debug, Clone, PartialEq)]
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

impl From<LeadError> for EditError {
    fn from(e: LeadError) -> Self {
        match e {
            LeadError::Invalid(msg) => EditError::Invalid(msg),
            other => EditError::Invalid(other.to_string()),
        }
    }
}

/// What applying a batch of sync effects changed, for the UI and the sync loop.
#[derive(Debug, Default)]
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
    pub store: Rc<Store>,
    pub editor: Editor,
    /// The document of the lead on the outcome sheet, loaded while the telecaller is on
    /// the call, with the bytes it was loaded from: the tap that logs the call then skips
    /// loading it. Used only if the stored bytes are still those bytes.
    warm: RefCell<Option<(DocId, Vec<u8>, AutoCommit)>>,
}

impl Repo {
    pub fn new(store: Rc<Store>, editor: Editor) -> Self {
        Self { store, editor, warm: RefCell::new(None) }
    }

    /// Load a lead's document ahead of an edit that is likely soon (the call just dialled).
    pub async fn warm_up(&self, id: &LeadId) {
        let doc_id = DocId::Lead(id.clone());
        if self.warm.borrow().as_ref().is_some_and(|(d, _, _)| *d == doc_id) {
            return;
        }
        if let Ok(Some(stored)) = self.store.doc(&doc_id).await
            && let Ok(am) = AutoCommit::load(&stored.bytes)
        {
            let am = am.with_actor(self.editor.actor.clone());
            self.rehearse(&am);
            *self.warm.borrow_mut() = Some((doc_id, stored.bytes, am));
        }
    }

    /// Log a call on a throwaway copy of the document, and drop it: the browser compiles
    /// WebAssembly lazily, function by function, so the first real call logged would
    /// otherwise pay for compiling the edit, the read-back and the save (tens of ms on a
    /// slow phone) after the tap. Runs while the telecaller is on the call.
    fn rehearse(&self, am: &AutoCommit) {
        let mut copy = LeadDoc::from_autocommit(am.clone());
        let before = copy.heads();
        let call = CallLog {
            outcome: CallOutcome::NoAnswer,
            duration_secs: 0,
            note: String::new(),
            voice_note: None,
            follow_up: None,
        };
        if copy.log_call(&self.ctx(platform::now()), &call).is_ok()
            && let Ok(lead) = copy.read()
        {
            let _ = LeadSummary::of(&lead, phone::display);
            let _ = copy.inner().save_after(&before);
        }
    }

    /// The preloaded copy of `id` and the stored bytes it was loaded from, if it is the
    /// one preloaded.
    fn take_warm_any(&self, id: &DocId) -> Option<(Vec<u8>, AutoCommit)> {
        let mut warm = self.warm.borrow_mut();
        match warm.take() {
            Some((d, bytes, am)) if d == *id => Some((bytes, am)),
            other => {
                *warm = other;
                None
            }
        }
    }

    fn take_warm(&self, id: &DocId, bytes: &[u8]) -> Option<AutoCommit> {
        let mut warm = self.warm.borrow_mut();
        match warm.take() {
            Some((d, b, am)) if d == *id && b == bytes => Some(am),
            other => {
                *warm = other;
                None
            }
        }
    }

    fn ctx(&self, now: Timestamp) -> EditContext {
        EditContext { user: self.editor.user, device: self.editor.device.clone(), now }
    }

    /// The full lead, timeline included, read from its document.
    pub async fn lead(&self, id: &LeadId) -> Result<Option<Lead>> {
        let Some(stored) = self.store.doc(&DocId::Lead(id.clone())).await? else { return Ok(None) };
        let doc = AutoCommit::load(&stored.bytes).map_err(|e| StoreError(format!("lead {id} is damaged ({e})")))?;
        Ok(read_lead(&doc).ok())
    }

    pub async fn team(&self) -> Result<Option<Team>> {
        let Some(stored) = self.store.doc(&DocId::Team).await? else { return Ok(None) };
        let doc = AutoCommit::load(&stored.bytes).map_err(|e| StoreError(format!("team settings are damaged ({e})")))?;
        Ok(read_team(&doc).ok())
    }

    /// Edit a lead: the change, the new summary and the outbox entry are durable together
    /// when this returns.
    pub async fn edit(
        &self,
        id: &LeadId,
        now: Timestamp,
        f: impl Fn(&mut LeadDoc, &EditContext) -> std::result::Result<(), LeadError>,
    ) -> std::result::Result<LeadSummary, EditError> {
        self.edit_clearing(id, now, f, None).await
    }

    /// [`Repo::edit`], also deleting the meta value `clear` in the same transaction (the
    /// outcome draft goes exactly when its call is stored).
    ///
    /// When the document was loaded ahead ([`Repo::warm_up`]), the edit is made on that
    /// copy while IndexedDB reads the stored one, and kept if the two are the same bytes
    /// (they differ only if something else stored the doc meanwhile, say a sync or another
    /// tab; then `f` runs again on what is stored). So the Automerge work of a logged call
    /// hides behind the read instead of following it.
    pub async fn edit_clearing(
        &self,
        id: &LeadId,
        now: Timestamp,
        f: impl Fn(&mut LeadDoc, &EditContext) -> std::result::Result<(), LeadError>,
        clear: Option<&str>,
    ) -> std::result::Result<LeadSummary, EditError> {
        let doc_id = DocId::Lead(id.clone());
        let ctx = self.ctx(now);
        let tx = self.store.begin()?;
        let (stored, ahead) = {
            let mut read = std::pin::pin!(tx.doc(&doc_id));
            // Poll once: that issues the read, and the edit below overlaps it.
            let early = std::future::poll_fn(|cx| std::task::Poll::Ready(read.as_mut().poll(cx))).await;
            let ahead = self.take_warm_any(&doc_id).and_then(|(bytes, am)| {
                let mut lead = LeadDoc::from_autocommit(am);
                let edit = Edit::make(&mut lead, &ctx, &f).ok()?;
                Some((bytes, lead, edit))
            });
            let stored = match early {
                std::task::Poll::Ready(stored) => stored,
                std::task::Poll::Pending => read.await,
            };
            (stored, ahead)
        };
        let stored = stored?.ok_or(EditError::NotOnPhone)?;
        let (mut lead, edit) = match ahead {
            Some((bytes, lead, edit)) if bytes == stored.bytes => (lead, edit),
            _ => {
                let mut lead = LeadDoc::load(&stored.bytes, self.editor.actor.clone())?;
                let edit = Edit::make(&mut lead, &ctx, &f)?;
                (lead, edit)
            }
        };
        // Append just this edit to the stored bytes (Automerge loads a save followed by
        // incremental chunks); now and then save whole, to keep loading fast.
        let acked = stored.acked();
        let (bytes, increments) = if stored.increments < MAX_INCREMENTS {
            let mut bytes = stored.bytes;
            bytes.extend(edit.changes);
            (bytes, stored.increments + 1)
        } else {
            (lead.inner().save_nocompress(), 0)
        };
        let mut new = StoredDoc::new(bytes, &lead.heads(), &acked);
        new.increments = increments;
        tx.put_doc(&doc_id, &new)?;
        tx.put_summary(&edit.summary)?;
        tx.set_dirty(&doc_id, true)?;
        if let Some(key) = clear {
            tx.delete_meta(key)?;
        }
        tx.commit().await?;
        *self.warm.borrow_mut() = Some((doc_id, new.bytes, lead.into_inner()));
        Ok(edit.summary)
    }

    pub async fn create(&self, now: Timestamp, new: NewLead) -> std::result::Result<LeadSummary, EditError> {
        let doc_id = DocId::Lead(new.id.clone());
        let mut lead = LeadDoc::create(self.editor.actor.clone(), &self.ctx(now), new)?;
        let summary = LeadSummary::of(&lead.read().map_err(LeadError::from)?, phone::display);
        let tx = self.store.begin()?;
        tx.put_doc(&doc_id, &StoredDoc::new(lead.inner().save_nocompress(), &lead.heads(), &[]))?;
        tx.put_summary(&summary)?;
        tx.set_dirty(&doc_id, true)?;
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
            // The doc just edited is usually still loaded: no need to load it again (and it
            // stays loaded; a doc loaded here does not push out the next call's).
            let (changes, heads) = match self.take_warm(id, &stored.bytes) {
                Some(am) => {
                    let mut rd = ReplicaDoc { doc: am, acked: stored.acked() };
                    let unpushed = rd.unpushed();
                    *self.warm.borrow_mut() = Some((id.clone(), stored.bytes, rd.doc));
                    unpushed
                }
                None => replica(&stored, &self.editor.actor)?.unpushed(),
            };
            if changes.is_empty() {
                empty.push(id.clone());
            } else {
                sent.insert(id.clone(), heads);
                docs.push(DocChanges { doc: id.clone(), changes });
            }
        }
        Ok((PushRequest { docs }, sent, empty))
    }

    /// Carry out the effects of one protocol answer, all in one transaction: a page of
    /// pulled docs and the cursor after it are stored together or not at all.
    pub async fn apply(&self, effects: Vec<Effect>) -> Result<Applied> {
        // New numbers get formatted for their summaries; before the transaction, which
        // must not wait on anything but IndexedDB.
        need_formatting().await;
        let mut out = Applied::default();
        let tx = self.store.begin()?;
        for effect in effects {
            match effect {
                Effect::Acked { doc, heads } => {
                    let Some(old) = tx.doc(&doc).await? else { continue };
                    let stored = old.with_acked(&heads);
                    let dirty = !stored.is_clean(&self.editor.actor)?;
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
                    let mut rd = replica(&stored, &self.editor.actor)?;
                    tx.set_dirty(&doc, false)?;
                    match &doc {
                        DocId::Lead(id) if rd.acked.is_empty() => {
                            // A lead added on this phone that the server will not take: it
                            // goes, so the message says what it was, for typing in again.
                            let what = read_lead(&rd.doc).map(|l| format!("{} ({})", l.name, phone::display(&l.mobile)));
                            out.refusals.push(match what {
                                Ok(what) => format!("{what} was not added: {message}"),
                                Err(_) => message,
                            });
                            tx.delete_lead(id)?;
                            out.removed.push(id.clone());
                        }
                        _ => {
                            out.refusals.push(message);
                            rd.revert_to_acked().map_err(|e| StoreError(e.to_string()))?;
                            self.put_replica(&tx, &doc, &mut rd, &mut out).await?;
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
                    tx.put_meta(super::store::keys::CURSOR, &cursor)?;
                    out.cursor_saved = true;
                }
                Effect::SignedOut => out.signed_out = true,
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn apply_item(&self, tx: &Tx<'_>, item: PullItem, out: &mut Applied) -> Result<()> {
        let actor = &self.editor.actor;
        let damaged = |e: automerge::AutomergeError| StoreError(format!("the server sent a document this app cannot read ({e})"));
        match item {
            PullItem::Revoked { doc } => {
                if let DocId::Lead(id) = doc {
                    tx.delete_lead(&id)?;
                    out.removed.push(id);
                }
            }
            PullItem::Changes { doc, bytes } => {
                let mut rd = match tx.doc(&doc).await? {
                    Some(stored) => replica(&stored, actor)?,
                    None => ReplicaDoc::local(AutoCommit::new().with_actor(actor.clone())),
                };
                rd.apply_changes(&bytes).map_err(damaged)?;
                self.put_replica(tx, &doc, &mut rd, out).await?;
            }
            PullItem::Snapshot { doc, bytes } => match tx.doc(&doc).await? {
                Some(stored) => {
                    let mut rd = replica(&stored, actor)?;
                    rd.merge_snapshot(&bytes).map_err(damaged)?;
                    if rd.has_unpushed() {
                        tx.set_dirty(&doc, true)?;
                        out.still_dirty.push(doc.clone());
                    }
                    self.put_replica(tx, &doc, &mut rd, out).await?;
                }
                None => {
                    // A doc new to this phone: the snapshot is already the saved form.
                    let mut am = AutoCommit::load(&bytes).map_err(damaged)?;
                    let heads = am.get_heads();
                    let stored = StoredDoc::new(bytes, &heads, &heads);
                    self.put_stored(tx, &doc, &stored, &am, out).await?;
                }
            },
        }
        Ok(())
    }

    async fn put_replica(&self, tx: &Tx<'_>, doc: &DocId, rd: &mut ReplicaDoc, out: &mut Applied) -> Result<()> {
        let stored = StoredDoc::new(rd.doc.save_nocompress(), &rd.doc.get_heads(), &rd.acked);
        self.put_stored(tx, doc, &stored, &rd.doc, out).await
    }

    /// Store a changed doc and what the UI shows of it (`am` is `stored` loaded).
    async fn put_stored(&self, tx: &Tx<'_>, doc: &DocId, stored: &StoredDoc, am: &AutoCommit, out: &mut Applied) -> Result<()> {
        tx.put_doc(doc, stored)?;
        match doc {
            DocId::Lead(_) => {
                // A doc whose first changes have not all arrived yet has no readable lead;
                // it gets its summary when they do.
                if let Ok(lead) = read_lead(am) {
                    let summary = LeadSummary::of(&lead, phone::display);
                    tx.put_summary(&summary)?;
                    out.upserts.push(summary);
                }
            }
            DocId::Team => out.team = read_team(am).ok(),
        }
        Ok(())
    }

    /// Store the outcome of a per-doc fallback sync: merge what it brought into the doc
    /// as stored now (the user may have edited meanwhile) and ack the server's heads.
    pub async fn finish_fallback(&self, doc: &DocId, mut synced: ReplicaDoc) -> Result<(Applied, bool)> {
        need_formatting().await;
        let mut out = Applied::default();
        let tx = self.store.begin()?;
        let mut rd = match tx.doc(doc).await? {
            Some(stored) => {
                let mut rd = replica(&stored, &self.editor.actor)?;
                rd.doc.merge(&mut synced.doc).map_err(|e| StoreError(e.to_string()))?;
                rd.acked = synced.acked;
                rd
            }
            None => synced,
        };
        let dirty = rd.has_unpushed();
        self.put_replica(&tx, doc, &mut rd, &mut out).await?;
        tx.set_dirty(doc, dirty)?;
        tx.commit().await?;
        Ok((out, dirty))
    }

    pub async fn replica(&self, doc: &DocId) -> Result<Option<ReplicaDoc>> {
        self.store.doc(doc).await?.map(|s| replica(&s, &self.editor.actor)).transpose()
    }
}

/// Load the phone-number module if it is not yet (a first sync, or a pull soon after
/// start). Without it numbers are stored formatted as E.164 until their lead next changes,
/// which is better than not storing what arrived.
async fn need_formatting() {
    if let Err(e) = phone::ready().await {
        platform::warn(&e);
    }
}

fn replica(stored: &StoredDoc, actor: &ActorId) -> Result<ReplicaDoc> {
    let doc = AutoCommit::load(&stored.bytes).map_err(|e| StoreError(format!("a stored document is damaged ({e})")))?;
    Ok(ReplicaDoc { doc: doc.with_actor(actor.clone()), acked: stored.acked() })
}

impl StoredDoc {
    /// True if the server has every change of this doc. Usually known without loading it
    /// (the ack after a push): loading would hold the transaction, and with it the next
    /// tap's write, for as long as Automerge takes.
    fn is_clean(&self, actor: &ActorId) -> Result<bool> {
        if self.surely_clean() {
            return Ok(true);
        }
        let mut rd = replica(self, actor)?;
        Ok(!rd.has_unpushed())
    }
}
