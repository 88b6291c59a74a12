//! Group commit for pushes. Pushes are checked and applied (the Automerge work) by their
//! own request tasks, in parallel and outside any lock; this one task per server then
//! stores whatever is ready in a single transaction — one write lock, one log lock, one
//! disk sync for many pushes — and answers each.
//!
//! A push is staged against the versions of the docs it read. If any of those docs was
//! stored by someone else meanwhile (another push in the same batch, another server
//! instance), that push is answered `Conflict` and its request task checks it again
//! against the new state. Docs are locked in doc-id order, so instances never deadlock.
//! A batch the database refuses is stored again push by push, so one push's failure is
//! its own.

use super::poke::{self, PokeHub};
use super::store::{self, Append, StoreError};
use crate::db::Db;
use automerge::Change;
use dialbook_core::lead::Lead;
use dialbook_core::{DocId, UserId};
use std::collections::{BTreeMap, BTreeSet};
use tokio::sync::{mpsc, oneshot};

/// Stop adding pushes to a batch past this many docs, so one commit stays short.
const MAX_DOCS_PER_COMMIT: usize = 2_000;

/// One document ready to store.
pub struct Staged {
    pub id: DocId,
    /// The doc's `updated_seq` when it was read; None if it did not exist.
    pub read_at: Option<i64>,
    pub snapshot: Vec<u8>,
    pub new_changes: Vec<Change>,
    pub before: Option<Lead>,
    pub lead: Option<Lead>,
}

/// The staged docs of one push.
pub struct Batch {
    pub docs: Vec<Staged>,
    pub pushed_by: Option<UserId>,
    pub pushed_session: Option<i64>,
}

#[derive(Debug)]
pub enum CommitError {
    /// A doc changed since it was read: check the push again.
    Conflict,
    Failed(String),
}

struct Job {
    batch: Batch,
    /// On success, the log position (the doc's new version) of each staged doc.
    reply: oneshot::Sender<Result<Vec<i64>, CommitError>>,
}

#[derive(Clone)]
pub struct Committer {
    tx: mpsc::Sender<Job>,
}

impl Committer {
    /// Start the committer task (needs a Tokio runtime).
    pub fn start(db: Db, pokes: PokeHub) -> Self {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(db, pokes, rx));
        Self { tx }
    }

    /// Store a push; returns once it is committed (or refused as a conflict), with each
    /// staged doc's new version.
    pub async fn commit(&self, batch: Batch) -> Result<Vec<i64>, CommitError> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Job { batch, reply }).await.map_err(|_| CommitError::Failed("the committer has stopped".into()))?;
        answer.await.map_err(|_| CommitError::Failed("the committer stopped mid-commit".into()))?
    }
}

async fn run(db: Db, pokes: PokeHub, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut docs = first.batch.docs.len();
        let mut jobs = vec![first];
        while docs < MAX_DOCS_PER_COMMIT {
            match rx.try_recv() {
                Ok(job) => {
                    docs += job.batch.docs.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        store(&db, &pokes, jobs).await;
    }
}

/// Commits `jobs` together and answers each. If the shared transaction fails (one push's
/// data refused by the database, a bug), each push is stored again on its own, so one
/// bad document fails only its own push, never the others that shared its commit.
async fn store(db: &Db, pokes: &PokeHub, jobs: Vec<Job>) {
    // A panic while storing (a bug) must fail this batch, not every later push.
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(commit(db, &jobs))).await;
    let outcome = outcome.unwrap_or_else(|_| Err(StoreError::Corrupt("storing the batch panicked".into())));
    match outcome {
        Ok((stored, last_seq)) => {
            if let Some(seq) = last_seq {
                pokes.poke(seq);
            }
            for (job, seqs) in jobs.into_iter().zip(stored) {
                let _ = job.reply.send(seqs.ok_or(CommitError::Conflict));
            }
        }
        Err(e) if jobs.len() > 1 => {
            tracing::warn!("storing {} pushes together failed ({e}); storing each on its own", jobs.len());
            for job in jobs {
                Box::pin(store(db, pokes, vec![job])).await;
            }
        }
        Err(e) => {
            tracing::error!("storing a push failed: {e}");
            for job in jobs {
                let _ = job.reply.send(Err(CommitError::Failed(e.to_string())));
            }
        }
    }
}

/// Store every job whose docs are unchanged since they were read. Returns, per job, the
/// log positions of its docs (None: not stored, a conflict) and the last position written.
async fn commit(db: &Db, jobs: &[Job]) -> Result<(Vec<Option<Vec<i64>>>, Option<i64>), StoreError> {
    let mut tx = db.write_tx().await?;
    // Every doc of the batch, in doc-id order, and whether some push means to create it.
    let mut ids: BTreeMap<&DocId, bool> = BTreeMap::new();
    for d in jobs.iter().flat_map(|j| &j.batch.docs) {
        *ids.entry(&d.id).or_default() |= d.read_at.is_none();
    }
    let wanted: Vec<(&DocId, bool)> = ids.into_iter().collect();
    let current = store::versions_for_update(tx.conn(), db.backend, &wanted).await?;
    let mut taken: BTreeSet<&DocId> = BTreeSet::new();
    let accepted: Vec<bool> = jobs
        .iter()
        .map(|job| {
            let fresh = job.batch.docs.iter().all(|d| current[&d.id] == d.read_at && !taken.contains(&d.id));
            if fresh {
                taken.extend(job.batch.docs.iter().map(|d| &d.id));
            }
            fresh
        })
        .collect();
    let mut stored: Vec<Option<Vec<i64>>> = vec![None; jobs.len()];
    if taken.is_empty() {
        tx.rollback().await?;
        return Ok((stored, None));
    }
    let now_ms = crate::clock::now_ms();
    store::lock_log(tx.conn(), db.backend).await?;
    let appends: Vec<Append<'_>> = jobs
        .iter()
        .enumerate()
        .filter(|(i, _)| accepted[*i])
        .flat_map(|(_, job)| {
            job.batch.docs.iter().map(move |d| Append {
                id: &d.id,
                snapshot: &d.snapshot,
                new_changes: &d.new_changes,
                before: d.before.as_ref(),
                lead: d.lead.as_ref(),
                existed: d.read_at.is_some(),
                pushed_by: job.batch.pushed_by,
                pushed_session: job.batch.pushed_session,
                now_ms,
            })
        })
        .collect();
    let mut seqs = store::append_all(tx.conn(), &appends).await?.into_iter();
    let last_seq = seqs.clone().max();
    for (i, job) in jobs.iter().enumerate().filter(|(i, _)| accepted[*i]) {
        stored[i] = Some(seqs.by_ref().take(job.batch.docs.len()).collect());
    }
    if let Some(seq) = last_seq {
        poke::notify_in_tx(tx.conn(), db.backend, seq).await?;
    }
    tx.commit().await?;
    Ok((stored, last_seq))
}
