//! `POST /api/sync/push`: many docs per request, each authorised, applied and stored in
//! one transaction, acknowledged only after commit. A doc that fails authorisation is
//! refused with a reason and nothing of it is stored; the other docs go through.

use super::body::{Wire, WireBody};
use super::store::{self, Append};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use dialbook_core::protocol::authorize::{self, Applied, apply_push, parse_changes};
use dialbook_core::protocol::wire::{DocResult, PushRequest, PushResponse, PushStatus};
use std::collections::BTreeSet;

/// One phone's day of work is ~150 docs; a fresh import pushes more, in batches.
pub const MAX_DOCS_PER_PUSH: usize = 1_000;

pub async fn push(State(state): State<AppState>, caller: Caller, Wire(req): Wire<PushRequest>) -> Result<WireBody<PushResponse>, ApiError> {
    let by = authorize::Caller { user: caller.user_id, role: caller.role };
    let results = apply(&state, by, req).await?;
    Ok(WireBody(PushResponse { results }))
}

/// Check, apply and store a push. Shared with the admin endpoints that edit documents
/// on the server (import, assignment), so they obey the same rules and projections.
pub async fn apply(state: &AppState, by: authorize::Caller, req: PushRequest) -> Result<Vec<DocResult>, ApiError> {
    if req.docs.len() > MAX_DOCS_PER_PUSH {
        return Err(ApiError::BadRequest {
            code: "too_many_docs",
            message: format!("a push may carry at most {MAX_DOCS_PER_PUSH} documents; got {}", req.docs.len()),
        });
    }
    let mut seen = BTreeSet::new();
    let mut parsed = Vec::with_capacity(req.docs.len());
    for dc in req.docs {
        if !seen.insert(dc.doc.clone()) {
            return Err(ApiError::BadRequest { code: "duplicate_doc", message: format!("document {} appears twice in one push", dc.doc) });
        }
        let changes = parse_changes(&dc.changes)
            .map_err(|m| ApiError::BadRequest { code: "malformed_change", message: format!("document {}: {m}", dc.doc) })?;
        parsed.push((dc.doc, changes));
    }

    let backend = state.db.backend;
    let now_ms = crate::clock::now_ms();
    let mut tx = state.db.write_tx().await?;
    // Phase 1: lock and apply in doc-id order (a fixed order, so two instances locking
    // the same docs cannot deadlock); phase 2: take the log lock and append.
    let mut order: Vec<usize> = (0..parsed.len()).collect();
    order.sort_by(|&a, &b| parsed[a].0.cmp(&parsed[b].0));
    let mut statuses: Vec<Option<PushStatus>> = vec![None; parsed.len()];
    let mut accepted = Vec::new();
    for i in order {
        let changes = std::mem::take(&mut parsed[i].1);
        let doc_id = &parsed[i].0;
        let stored = store::load_for_update(tx.conn(), backend, doc_id).await?;
        let existed = stored.is_some();
        match apply_push(by, doc_id, stored.as_ref().map(|s| &s.doc), changes) {
            Ok(Applied::Changed { doc, new_changes, before, lead }) => {
                statuses[i] = Some(PushStatus::Accepted { heads: doc.get_heads().iter().map(|h| h.0).collect() });
                accepted.push((i, doc_id.clone(), doc, new_changes, before, lead, existed));
            }
            Ok(Applied::Unchanged) => {
                let heads = stored.map(|s| s.doc.get_heads().iter().map(|h| h.0).collect()).unwrap_or_default();
                statuses[i] = Some(PushStatus::Accepted { heads });
            }
            Ok(Applied::NeedsSync) => statuses[i] = Some(PushStatus::NeedsSync),
            Err(refusal) => {
                tracing::info!(doc = %doc_id, user = %by.user, code = ?refusal.code, "push refused: {}", refusal.message);
                statuses[i] = Some(PushStatus::Refused { code: refusal.code, message: refusal.message });
            }
        }
    }
    let mut last_seq = None;
    if !accepted.is_empty() {
        // Log in request order, so leads imported together keep the file's order.
        accepted.sort_by_key(|a| a.0);
        store::lock_log(tx.conn(), backend).await?;
        for (_, id, doc, new_changes, before, lead, existed) in &accepted {
            let seq = store::append(
                tx.conn(),
                Append {
                    id,
                    doc,
                    new_changes,
                    before: before.as_ref(),
                    lead: lead.as_ref(),
                    existed: *existed,
                    pushed_by: Some(by.user),
                    now_ms,
                },
            )
            .await?;
            last_seq = Some(seq);
        }
        if let Some(seq) = last_seq {
            super::poke::notify_in_tx(tx.conn(), backend, seq).await?;
        }
    }
    tx.commit().await?;
    if let Some(seq) = last_seq {
        state.pokes.poke(seq);
    }
    Ok(parsed
        .into_iter()
        .zip(statuses)
        .map(|((doc, _), status)| DocResult { doc, status: status.expect("every doc got a status") })
        .collect())
}
