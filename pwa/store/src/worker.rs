//! The document worker's messages: what the page asks ([`Call`]) and what the worker
//! answers ([`Answer`]), postcard-encoded both ways.
//!
//! Why a worker: a logged call is a read of the stored document, an Automerge edit, three
//! writes and a commit. On the page's main thread each IndexedDB reply waits behind the
//! frames and input tasks a tap brings (measured: the reply of a 2.5 ms read reached the
//! code 12 ms later at 4× CPU). In a dedicated worker nothing else runs, so the call is
//! durable sooner, and Automerge no longer competes with the UI for the main thread.
//!
//! The worker answers each call in the order its work finishes; the page matches answers
//! to calls by the number it gave them.

use crate::repo::{Applied, EditError, Editor, Repo};
use crate::store::{Store, StoreError};
use automerge::ChangeHash;
use dialbook_core::kernel::FallbackStep;
use dialbook_core::lead::{Lead, LeadEdit, NewLead};
use dialbook_core::protocol::client::Effect;
use dialbook_core::protocol::wire::{DocSyncResponse, PushRequest};
use dialbook_core::summary::LeadSummary;
use dialbook_core::team::Team;
use dialbook_core::{DocId, LeadId, Timestamp};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// What the page asks the document worker. Each is [`Repo`]'s method of the same name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Call {
    /// Work on the database `db` as `editor` from now on (start, or someone signed in).
    Open { db: String, editor: Editor },
    WarmUp(LeadId),
    Lead(LeadId),
    Team,
    /// An edit; `clear` names a meta value deleted in the same transaction.
    Edit { lead: LeadId, now: Timestamp, edits: Vec<LeadEdit>, clear: Option<String> },
    Create { now: Timestamp, new: NewLead },
    BuildPush(Vec<DocId>),
    Apply(Vec<Effect>),
    FallbackStart(DocId),
    FallbackReceive { doc: DocId, response: DocSyncResponse },
    FinishFallback(DocId),
    /// Make the summary snapshot again if at least this many summaries changed since the
    /// last one (or there is none): see `Store::snapshot_summaries`.
    SnapshotSummaries { min_changed: u32 },
}

/// The worker's answer to one [`Call`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Done,
    Lead(Option<Lead>),
    Team(Option<Team>),
    /// The edit is durable; `durable_at` is when its transaction completed (ms since the
    /// Unix epoch, from the worker's `performance` clock), for the benchmarks.
    Edited { summary: LeadSummary, durable_at: f64 },
    Push { request: PushRequest, sent: BTreeMap<DocId, Vec<ChangeHash>>, empty: Vec<DocId> },
    Applied(Applied),
    Fallback(Option<FallbackStep>),
    FallbackFinished { applied: Applied, dirty: bool },
    Failed(EditError),
}

impl From<StoreError> for Answer {
    fn from(e: StoreError) -> Self {
        Answer::Failed(EditError::Store(e))
    }
}

/// The worker's state: the repo it works on, once the page has opened one.
#[derive(Default)]
pub struct Worker {
    repo: RefCell<Option<Rc<Repo>>>,
}

impl Worker {
    /// Answer one postcard-encoded [`Call`] with a postcard-encoded [`Answer`].
    pub async fn handle_bytes(&self, call: &[u8]) -> Vec<u8> {
        let answer = match postcard::from_bytes(call) {
            Ok(call) => self.handle(call).await,
            Err(e) => StoreError(format!("the document worker could not read a request ({e})")).into(),
        };
        postcard::to_allocvec(&answer).unwrap_or_else(|e| {
            let failed = Answer::from(StoreError(format!("the document worker's answer did not encode ({e})")));
            postcard::to_allocvec(&failed).unwrap_or_default()
        })
    }

    pub async fn handle(&self, call: Call) -> Answer {
        self.answer(call).await.unwrap_or_else(Answer::Failed)
    }

    async fn answer(&self, call: Call) -> Result<Answer, EditError> {
        let repo = || {
            self.repo.borrow().clone().ok_or_else(|| StoreError("the document worker was asked to work before the app opened the database".into()))
        };
        Ok(match call {
            Call::Open { db, editor } => {
                let store = Store::open(&db).await?;
                *self.repo.borrow_mut() = Some(Rc::new(Repo::new(store, editor)));
                Answer::Done
            }
            Call::WarmUp(lead) => {
                repo()?.warm_up(&lead).await;
                Answer::Done
            }
            Call::Lead(lead) => Answer::Lead(repo()?.lead(&lead).await?),
            Call::Team => Answer::Team(repo()?.team().await?),
            Call::Edit { lead, now, edits, clear } => {
                let summary = repo()?.edit_clearing(&lead, now, edits, clear.as_deref()).await?;
                Answer::Edited { summary, durable_at: crate::epoch_ms() }
            }
            Call::Create { now, new } => {
                let summary = repo()?.create(now, new).await?;
                Answer::Edited { summary, durable_at: crate::epoch_ms() }
            }
            Call::BuildPush(ids) => {
                let (request, sent, empty) = repo()?.build_push(&ids).await?;
                Answer::Push { request, sent, empty }
            }
            Call::Apply(effects) => Answer::Applied(repo()?.apply(effects).await?),
            Call::FallbackStart(doc) => Answer::Fallback(repo()?.fallback_start(&doc).await?),
            Call::FallbackReceive { doc, response } => Answer::Fallback(Some(repo()?.fallback_receive(&doc, response)?)),
            Call::FinishFallback(doc) => {
                let (applied, dirty) = repo()?.finish_fallback(&doc).await?;
                Answer::FallbackFinished { applied, dirty }
            }
            Call::SnapshotSummaries { min_changed } => {
                repo()?.store.snapshot_summaries(min_changed as usize).await?;
                Answer::Done
            }
        })
    }
}
