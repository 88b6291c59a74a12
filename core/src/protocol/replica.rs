//! What a client shell keeps per doc — the document and the heads the server is known to
//! have ("acked heads") — and the operations on it the protocol needs: changes to push,
//! applying pulled changes and snapshots, reverting refused edits.
//!
//! `MemoryReplica` is a whole client in memory (docs + `SyncClient`), with no transport:
//! simulations drive it against a simulated server, the server tests against real HTTP.

use super::client::{Action, ClientConfig, Effect, Event, SyncClient};
use super::wire::{DocChanges, PullItem, PushRequest, RefusalCode};
use crate::domain::{DocId, LeadId, Timestamp, UserId};
use crate::lead::{EditContext, Lead, LeadDoc, LeadError, NewLead};
use automerge::{ActorId, AutoCommit, AutomergeError, ChangeHash};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub struct ReplicaDoc {
    pub doc: AutoCommit,
    pub acked: Vec<ChangeHash>,
}

impl ReplicaDoc {
    /// A doc created on this device: the server has none of it.
    pub fn local(doc: AutoCommit) -> Self {
        Self { doc, acked: Vec::new() }
    }

    pub fn from_snapshot(bytes: &[u8], actor: ActorId) -> Result<Self, AutomergeError> {
        let mut doc = AutoCommit::load(bytes)?.with_actor(actor);
        let acked = doc.get_heads();
        Ok(Self { doc, acked })
    }

    /// Raw changes the server has not acknowledged, and the heads they bring the server to.
    pub fn unpushed(&mut self) -> (Vec<Vec<u8>>, Vec<ChangeHash>) {
        let changes = self.doc.get_changes(&self.acked).into_iter().map(|c| c.raw_bytes().to_vec()).collect();
        (changes, self.doc.get_heads())
    }

    pub fn has_unpushed(&mut self) -> bool {
        !self.doc.get_changes(&self.acked).is_empty()
    }

    /// Apply changes pulled from the server. Everything pulled is known to the server, so
    /// it joins the acked set; local unpushed edits stay unpushed.
    pub fn apply_changes(&mut self, bytes: &[u8]) -> Result<(), AutomergeError> {
        let before = self.doc.get_heads();
        let had_unpushed = self.has_unpushed();
        self.doc.load_incremental(bytes)?;
        self.after_remote(before, had_unpushed);
        Ok(())
    }

    /// Merge the server's whole document. Its heads are exactly what the server has, so
    /// they become the acked heads: anything this device holds beyond them (for instance
    /// after the server was restored from an older backup) is unpushed and will be pushed.
    pub fn merge_snapshot(&mut self, bytes: &[u8]) -> Result<(), AutomergeError> {
        let mut other = AutoCommit::load(bytes)?;
        self.doc.merge(&mut other)?;
        self.acked = other.get_heads();
        Ok(())
    }

    fn after_remote(&mut self, before: Vec<ChangeHash>, had_unpushed: bool) {
        if had_unpushed {
            let new: Vec<ChangeHash> = self.doc.get_changes(&before).iter().map(|c| c.hash()).collect();
            let mut acked: BTreeSet<ChangeHash> = self.acked.iter().copied().collect();
            acked.extend(new);
            self.acked = acked.into_iter().collect();
        } else {
            self.acked = self.doc.get_heads();
        }
    }

    /// After a per-doc fallback sync: `server_heads` are the heads the server last said it
    /// has (`sync::State::their_heads`). Only those are acked — never this device's own
    /// heads, since the server drops changes whose history has not reached it yet — and
    /// whatever is beyond them is pushed the ordinary way. True if something is left.
    pub fn fallback_done(&mut self, server_heads: Vec<ChangeHash>) -> bool {
        self.acked = server_heads;
        self.has_unpushed()
    }

    /// Throw away edits the server refused, going back to what the server has.
    pub fn revert_to_acked(&mut self) -> Result<(), AutomergeError> {
        let actor = self.doc.get_actor().clone();
        let mut reverted = self.doc.fork_at(&self.acked)?;
        // A fork gets a fresh actor; keep ours so our sequence numbers stay ours.
        reverted.set_actor(actor);
        self.doc = reverted;
        Ok(())
    }
}

/// A whole client held in memory.
pub struct MemoryReplica {
    pub user: UserId,
    pub device: String,
    actor: ActorId,
    pub docs: BTreeMap<DocId, ReplicaDoc>,
    pub client: SyncClient,
    /// Refusals and fallbacks reported by the server, oldest first.
    pub refusals: Vec<(DocId, RefusalCode, String)>,
    pub fallbacks: Vec<DocId>,
}

impl MemoryReplica {
    pub fn new(user: UserId, device: &str, actor: ActorId) -> Self {
        Self {
            user,
            device: device.to_owned(),
            actor,
            docs: BTreeMap::new(),
            client: SyncClient::new(ClientConfig::default(), Vec::new(), []),
            refusals: Vec::new(),
            fallbacks: Vec::new(),
        }
    }

    pub fn ctx(&self, now: Timestamp) -> EditContext {
        EditContext { user: self.user, device: self.device.clone(), now }
    }

    pub fn create_lead(&mut self, now: Timestamp, new: NewLead) -> Result<LeadId, LeadError> {
        let id = new.id.clone();
        let lead = LeadDoc::create(self.actor.clone(), &self.ctx(now), new)?;
        let doc = DocId::Lead(id.clone());
        self.docs.insert(doc.clone(), ReplicaDoc::local(lead.into_inner()));
        self.client.handle(now, Event::LocalChange(doc));
        Ok(id)
    }

    /// Edit a lead this device holds; the edit is "durable" (in memory) before the client
    /// hears of it, as the PWA's IndexedDB write is.
    pub fn edit(
        &mut self,
        now: Timestamp,
        id: &LeadId,
        f: impl FnOnce(&mut LeadDoc, &EditContext) -> Result<(), LeadError>,
    ) -> Result<(), LeadError> {
        let ctx = self.ctx(now);
        let doc_id = DocId::Lead(id.clone());
        let rd = self.docs.get_mut(&doc_id).ok_or_else(|| LeadError::Invalid(format!("no lead {id} on this device")))?;
        let mut lead = LeadDoc::from_autocommit(std::mem::take(&mut rd.doc));
        let result = f(&mut lead, &ctx);
        rd.doc = lead.into_inner();
        result?;
        self.client.handle(now, Event::LocalChange(doc_id));
        Ok(())
    }

    pub fn lead(&self, id: &LeadId) -> Option<Lead> {
        let rd = self.docs.get(&DocId::Lead(id.clone()))?;
        crate::lead::read_lead(&rd.doc).ok()
    }

    pub fn leads(&self) -> Vec<Lead> {
        self.docs.values().filter_map(|rd| crate::lead::read_lead(&rd.doc).ok()).collect()
    }

    /// Build the push the client asked for and record what it carries.
    pub fn build_push(&mut self, docs: &[DocId]) -> PushRequest {
        let mut sent = BTreeMap::new();
        let mut empty = Vec::new();
        let mut out = Vec::new();
        for id in docs {
            let Some(rd) = self.docs.get_mut(id) else {
                empty.push(id.clone());
                continue;
            };
            let (changes, heads) = rd.unpushed();
            if changes.is_empty() {
                empty.push(id.clone());
            } else {
                sent.insert(id.clone(), heads);
                out.push(DocChanges { doc: id.clone(), changes });
            }
        }
        self.client.push_sent(sent, &empty);
        PushRequest { docs: out }
    }

    pub fn next_action(&mut self, now: Timestamp) -> Action {
        self.client.next_action(now)
    }

    /// Report an event and carry out the effects on the in-memory docs.
    pub fn handle(&mut self, now: Timestamp, event: Event) -> Result<(), AutomergeError> {
        for effect in self.client.handle(now, event) {
            match effect {
                Effect::Acked { doc, heads } => {
                    if let Some(rd) = self.docs.get_mut(&doc) {
                        rd.acked = heads;
                        if rd.has_unpushed() {
                            self.client.still_dirty(doc);
                        }
                    }
                }
                Effect::Refused { doc, code, message } => {
                    if let Some(rd) = self.docs.get_mut(&doc) {
                        if rd.acked.is_empty() {
                            self.docs.remove(&doc);
                        } else {
                            rd.revert_to_acked()?;
                        }
                    }
                    self.refusals.push((doc, code, message));
                }
                Effect::Fallback(doc) => self.fallbacks.push(doc),
                Effect::Apply(item) => self.apply(item)?,
                Effect::ResyncFinished { seen } => {
                    // Docs the server no longer has: push them whole. The server takes
                    // back what is still ours and refuses the rest, which then goes.
                    for (id, rd) in self.docs.iter_mut().filter(|(id, _)| !seen.contains(*id)) {
                        rd.acked.clear();
                        self.client.still_dirty(id.clone());
                    }
                }
                Effect::SaveCursor(_) | Effect::SignedOut => {}
            }
        }
        Ok(())
    }

    fn apply(&mut self, item: PullItem) -> Result<(), AutomergeError> {
        match item {
            PullItem::Changes { doc, bytes } => match self.docs.get_mut(&doc) {
                Some(rd) => rd.apply_changes(&bytes)?,
                None => {
                    let mut rd = ReplicaDoc::local(AutoCommit::new().with_actor(self.actor.clone()));
                    rd.apply_changes(&bytes)?;
                    self.docs.insert(doc, rd);
                }
            },
            PullItem::Snapshot { doc, bytes } => match self.docs.get_mut(&doc) {
                Some(rd) => {
                    rd.merge_snapshot(&bytes)?;
                    if rd.has_unpushed() {
                        self.client.still_dirty(doc);
                    }
                }
                None => {
                    self.docs.insert(doc, ReplicaDoc::from_snapshot(&bytes, self.actor.clone())?);
                }
            },
            PullItem::Revoked { doc } => {
                self.docs.remove(&doc);
            }
        }
        Ok(())
    }
}
