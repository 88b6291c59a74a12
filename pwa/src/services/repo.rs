//! The lead documents as the page sees them: each method is the store crate's repo
//! method of the same name, carried out by the document worker ([`docs`]). An edit's
//! answer comes once it is durable in IndexedDB.

use super::docs::{self, unexpected};
use super::store::{Result, StoreError};
use dialbook_core::kernel::FallbackStep;
use dialbook_core::lead::{Lead, LeadEdit, NewLead};
use dialbook_core::protocol::client::Effect;
use dialbook_core::protocol::wire::{DocSyncResponse, PushRequest};
use dialbook_core::summary::LeadSummary;
use dialbook_core::team::Team;
use dialbook_core::{DocId, LeadId, Timestamp};
use automerge::ChangeHash;
use dialbook_pwa_store::worker::{Answer, Call};
use std::collections::BTreeMap;

pub use dialbook_pwa_store::repo::{Applied, EditError, Editor};

/// A stored edit: the lead as it is now, and when the worker's transaction completed
/// (ms since the Unix epoch), for the benchmarks.
pub struct Saved {
    pub summary: LeadSummary,
    pub durable_at: f64,
}


pub struct Repo(());

impl Repo {
    /// Work on the database `db` as `editor`. Starts nothing: the worker is started by
    /// the first call that needs it.
    pub fn open(db: &str, editor: Editor) -> Self {
        docs::open(db, editor);
        Self(())
    }

    async fn ask(&self, call: Call) -> std::result::Result<Answer, EditError> {
        match docs::call(&call).await? {
            Answer::Failed(e) => Err(e),
            answer => Ok(answer),
        }
    }

    /// Load a lead's document ahead of an edit that is likely soon (the call just dialled).
    pub async fn warm_up(&self, id: &LeadId) {
        let _ = self.ask(Call::WarmUp(id.clone())).await;
    }

    /// The full lead, timeline included, read from its document.
    pub async fn lead(&self, id: &LeadId) -> Result<Option<Lead>> {
        match self.ask(Call::Lead(id.clone())).await.map_err(StoreError::from)? {
            Answer::Lead(lead) => Ok(lead),
            _ => Err(unexpected()),
        }
    }

    /// The team's settings, read from the team document. (Start-up has them sooner from
    /// meta `team`, kept beside the document as read.)
    pub async fn team(&self) -> Result<Option<Team>> {
        match self.ask(Call::Team).await.map_err(StoreError::from)? {
            Answer::Team(team) => Ok(team),
            _ => Err(unexpected()),
        }
    }

    /// Edit a lead: the change, the new summary and the outbox entry are durable together
    /// when this returns.
    pub async fn edit(&self, id: &LeadId, now: Timestamp, edits: Vec<LeadEdit>) -> std::result::Result<LeadSummary, EditError> {
        self.edit_clearing(id, now, edits, None).await.map(|saved| saved.summary)
    }

    /// [`Repo::edit`], also deleting the meta value `clear` in the same transaction (the
    /// outcome draft goes exactly when its call is stored).
    pub async fn edit_clearing(&self, id: &LeadId, now: Timestamp, edits: Vec<LeadEdit>, clear: Option<&str>) -> std::result::Result<Saved, EditError> {
        let call = Call::Edit { lead: id.clone(), now, edits, clear: clear.map(str::to_owned) };
        match self.ask(call).await? {
            Answer::Edited { summary, durable_at } => Ok(Saved { summary, durable_at }),
            _ => Err(unexpected().into()),
        }
    }

    pub async fn create(&self, now: Timestamp, new: NewLead) -> std::result::Result<LeadSummary, EditError> {
        match self.ask(Call::Create { now, new }).await? {
            Answer::Edited { summary, .. } => Ok(summary),
            _ => Err(unexpected().into()),
        }
    }

    /// The push for `ids`: each doc's changes since its acked heads, and the heads they
    /// bring the server to. Docs with nothing to send are listed apart.
    pub async fn build_push(&self, ids: &[DocId]) -> Result<(PushRequest, BTreeMap<DocId, Vec<ChangeHash>>, Vec<DocId>)> {
        match self.ask(Call::BuildPush(ids.to_vec())).await.map_err(StoreError::from)? {
            Answer::Push { request, sent, empty } => Ok((request, sent, empty)),
            _ => Err(unexpected()),
        }
    }

    /// Carry out the effects of one protocol answer, all in one transaction: a page of
    /// pulled docs and the cursor after it are stored together or not at all.
    pub async fn apply(&self, effects: Vec<Effect>) -> Result<Applied> {
        match self.ask(Call::Apply(effects)).await.map_err(StoreError::from)? {
            Answer::Applied(applied) => Ok(applied),
            _ => Err(unexpected()),
        }
    }

    /// Start the per-doc fallback exchange for `doc`: the first step (`None` if the doc
    /// is not on the phone).
    pub async fn fallback_start(&self, doc: &DocId) -> Result<Option<FallbackStep>> {
        match self.ask(Call::FallbackStart(doc.clone())).await.map_err(StoreError::from)? {
            Answer::Fallback(step) => Ok(step),
            _ => Err(unexpected()),
        }
    }

    /// The server's answer in the fallback exchange for `doc`: the next step.
    pub async fn fallback_receive(&self, doc: &DocId, response: DocSyncResponse) -> Result<FallbackStep> {
        match self.ask(Call::FallbackReceive { doc: doc.clone(), response }).await.map_err(StoreError::from)? {
            Answer::Fallback(Some(step)) => Ok(step),
            _ => Err(unexpected()),
        }
    }

    /// Store the outcome of a per-doc fallback sync: merge what it brought into the doc
    /// as stored now (the user may have edited meanwhile) and ack the server's heads.
    /// True if the doc still has changes to push.
    pub async fn finish_fallback(&self, doc: &DocId) -> Result<(Applied, bool)> {
        match self.ask(Call::FinishFallback(doc.clone())).await.map_err(StoreError::from)? {
            Answer::FallbackFinished { applied, dirty } => Ok((applied, dirty)),
            _ => Err(unexpected()),
        }
    }

    /// Make the summary snapshot start-up reads again if at least `min_changed` summaries
    /// changed since the last one (or there is none). In the background: it reads every
    /// summary, in the worker.
    pub async fn snapshot_summaries(&self, min_changed: u32) -> Result<()> {
        match self.ask(Call::SnapshotSummaries { min_changed }).await.map_err(StoreError::from)? {
            Answer::Done => Ok(()),
            _ => Err(unexpected()),
        }
    }
}
