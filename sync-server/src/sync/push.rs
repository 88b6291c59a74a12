//! `POST /api/sync/push`: many docs per request, each authorised, applied and stored in
//! one transaction, acknowledged only after commit. A doc that fails authorisation is
//! refused with a reason and nothing of it is stored; the other docs go through.
//!
//! Two phases, so the expensive part runs in parallel: first the docs are read and the
//! changes checked and applied (Automerge work, on blocking threads, no lock held); then
//! the committer (`commit.rs`) stores the results with many other pushes in one
//! transaction, provided no doc changed in between — otherwise the check runs again.

use super::body::{Wire, WireBody};
use super::cache::CachedDoc;
use super::commit::{Batch, CommitError, Staged};
use super::store;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use automerge::{Automerge, Change};
use axum::extract::State;
use dialbook_core::DocId;
use dialbook_core::lead::Lead;
use dialbook_core::protocol::authorize::{self, Applied, Refusal, apply_push_known};
use dialbook_core::protocol::untrusted::{Budget, parse_changes};
use dialbook_core::protocol::wire::{DocResult, PushRequest, PushResponse, PushStatus, RefusalCode};
use std::collections::BTreeSet;
use std::sync::Arc;

/// One phone's day of work is ~150 docs; a fresh import pushes more, in batches.
pub const MAX_DOCS_PER_PUSH: usize = 1_000;

/// A push that keeps losing races with other writers to the same docs gives up.
const MAX_ATTEMPTS: usize = 8;

pub async fn push(State(state): State<AppState>, caller: Caller, Wire(req): Wire<PushRequest>) -> Result<WireBody<PushResponse>, ApiError> {
    let by = authorize::Caller { user: caller.user_id, role: caller.role };
    let results = apply(&state, by, Some(caller.session_id), req).await?;
    Ok(WireBody(PushResponse { results }))
}

/// Check, apply and store a push. Shared with the admin endpoints that edit documents
/// on the server (import, assignment), so they obey the same rules and projections.
/// `session` is the pushing device's (None for edits the server makes itself).
pub async fn apply(state: &AppState, by: authorize::Caller, session: Option<i64>, req: PushRequest) -> Result<Vec<DocResult>, ApiError> {
    let parsed = parse(req)?;
    for _ in 0..MAX_ATTEMPTS {
        let mut read = Vec::with_capacity(parsed.len());
        {
            let mut conn = state.db.pool.acquire().await?;
            for (id, _) in &parsed {
                read.push(read_stored(state, &mut conn, id).await?);
            }
        }
        let (results, staged, fresh) = check_in_parallel(by, &parsed, read).await?;
        if staged.is_empty() {
            return Ok(results);
        }
        match state.committer.commit(Batch { docs: staged, pushed_by: Some(by.user), pushed_session: session }).await {
            Ok(versions) => {
                for ((id, doc, lead), version) in fresh.into_iter().zip(versions) {
                    state.docs.put(id, CachedDoc { version, doc: Arc::new(doc), lead: lead.map(Arc::new) });
                }
                return Ok(results);
            }
            Err(CommitError::Conflict) => continue,
            Err(CommitError::Failed(e)) => return Err(ApiError::Internal(anyhow::anyhow!("storing a push: {e}"))),
        }
    }
    Err(ApiError::Conflict { code: "busy", message: "these leads are being changed by others right now; try again in a moment".into() })
}

/// Validate the request and parse every change strictly (`untrusted`: framing, checksum,
/// and the request's budget of operations), before anything is read or stored: one bad
/// change fails the whole request.
fn parse(req: PushRequest) -> Result<Vec<(DocId, Vec<Change>)>, ApiError> {
    if req.docs.len() > MAX_DOCS_PER_PUSH {
        return Err(ApiError::BadRequest {
            code: "too_many_docs",
            message: format!("a push may carry at most {MAX_DOCS_PER_PUSH} documents; got {}", req.docs.len()),
        });
    }
    let mut seen = BTreeSet::new();
    let mut budget = Budget::per_request();
    let mut parsed = Vec::with_capacity(req.docs.len());
    for dc in req.docs {
        if !seen.insert(dc.doc.clone()) {
            return Err(ApiError::BadRequest { code: "duplicate_doc", message: format!("document {} appears twice in one push", dc.doc) });
        }
        let changes = parse_changes(&dc.changes, &mut budget)
            .map_err(|m| ApiError::BadRequest { code: "malformed_change", message: format!("document {}: {m}", dc.doc) })?;
        parsed.push((dc.doc, changes));
    }
    Ok(parsed)
}

/// Docs per blocking task: a big push (a day's work, an import) is checked on every core.
const DOCS_PER_TASK: usize = 40;

/// Run `check` over chunks of the push on blocking threads, and put the answers back in
/// request order.
async fn check_in_parallel(by: authorize::Caller, parsed: &[(DocId, Vec<Change>)], read: Vec<Stored>) -> Result<Checked, ApiError> {
    let mut read = read.into_iter();
    let tasks: Vec<_> = parsed
        .chunks(DOCS_PER_TASK)
        .map(|chunk| {
            let work = chunk.to_vec();
            let stored: Vec<Stored> = read.by_ref().take(chunk.len()).collect();
            tokio::task::spawn_blocking(move || check(by, work, stored))
        })
        .collect();
    let mut out: Checked = (Vec::with_capacity(parsed.len()), Vec::new(), Vec::new());
    for task in tasks {
        let (results, staged, fresh) = task.await.map_err(|e| ApiError::Internal(anyhow::anyhow!("checking a push panicked: {e}")))??;
        out.0.extend(results);
        out.1.extend(staged);
        out.2.extend(fresh);
    }
    Ok(out)
}

/// A doc as phase one finds it.
enum Stored {
    Missing,
    /// Loaded already, at the database's current version.
    Cached(CachedDoc),
    Saved { bytes: Vec<u8>, version: i64 },
}

async fn read_stored(state: &AppState, conn: &mut sqlx::AnyConnection, id: &DocId) -> Result<Stored, ApiError> {
    let Some(version) = store::version(conn, id).await? else { return Ok(Stored::Missing) };
    if let Some(cached) = state.docs.get(id, version) {
        return Ok(Stored::Cached(cached));
    }
    Ok(match store::read_versioned(conn, id).await? {
        Some((bytes, version)) => Stored::Saved { bytes, version },
        None => Stored::Missing,
    })
}

/// What phase one produced: per-doc results, what to store, and the docs to cache once
/// stored (in the same order as the staged docs).
type Checked = (Vec<DocResult>, Vec<Staged>, Vec<(DocId, Automerge, Option<Lead>)>);

/// Phase one, on a blocking thread: apply each doc's changes to the stored doc and check
/// them.
fn check(by: authorize::Caller, parsed: Vec<(DocId, Vec<Change>)>, read: Vec<Stored>) -> Result<Checked, ApiError> {
    let mut results = Vec::with_capacity(parsed.len());
    let mut staged = Vec::new();
    let mut fresh = Vec::new();
    for ((id, changes), stored) in parsed.into_iter().zip(read) {
        let (doc, lead, read_at): (Option<Arc<Automerge>>, Option<Arc<Lead>>, Option<i64>) = match stored {
            Stored::Missing => (None, None, None),
            Stored::Cached(c) => (Some(c.doc), c.lead, Some(c.version)),
            Stored::Saved { bytes, version } => {
                let doc = Automerge::load(&bytes).map_err(|e| ApiError::Internal(anyhow::anyhow!("stored doc {id} does not load: {e}")))?;
                (Some(Arc::new(doc)), None, Some(version))
            }
        };
        let before = doc.as_deref().map(|d| (d, lead.as_deref()));
        let status = match contained(&id, || apply_push_known(by, &id, before, changes)) {
            Ok(Applied::Changed { doc, new_changes, before, lead }) => {
                let heads = doc.get_heads().iter().map(|h| h.0).collect();
                staged.push(Staged { id: id.clone(), read_at, snapshot: doc.save(), new_changes, before, lead: lead.clone() });
                fresh.push((id.clone(), doc, lead));
                PushStatus::Accepted { heads }
            }
            Ok(Applied::Unchanged) => PushStatus::Accepted { heads: doc.map(|d| d.get_heads().iter().map(|h| h.0).collect()).unwrap_or_default() },
            Ok(Applied::NeedsSync) => PushStatus::NeedsSync,
            Err(refusal) => {
                tracing::info!(doc = %id, user = %by.user, code = ?refusal.code, "push refused: {}", refusal.message);
                PushStatus::Refused { code: refusal.code, message: refusal.message }
            }
        };
        results.push(DocResult { doc: id, status });
    }
    Ok((results, staged, fresh))
}

/// Runs one doc's check, turning a panic inside Automerge (a crafted change can trip its
/// assertions) into a refusal of that doc alone. The check works on a copy of the stored
/// doc, so nothing shared is left half-changed.
pub fn contained(id: &DocId, check: impl FnOnce() -> Result<Applied, Refusal>) -> Result<Applied, Refusal> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).unwrap_or_else(|_| {
        tracing::warn!(doc = %id, "applying a pushed change panicked; refused");
        Err(Refusal { code: RefusalCode::Invalid, message: "these changes could not be applied to the document".into() })
    })
}
