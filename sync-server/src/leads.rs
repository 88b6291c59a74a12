//! Admin lead operations: import, assignment, search, export, deletion — and the lead
//! projections they read. Every change to a document made here goes through the same
//! check-and-apply path as a phone's push (`sync::push::apply`), so the change log,
//! projections and pokes stay in step whoever made the change.

mod assign;
mod export;
mod import;
pub mod parse;
pub mod projection;
mod search;

use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use automerge::ActorId;
use dialbook_core::lead::{EditContext, LeadDoc};
use dialbook_core::protocol::authorize;
use dialbook_core::protocol::wire::{DocChanges, DocResult, PushRequest, PushStatus};
use dialbook_core::{DocId, LeadId, Role, Timestamp};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/leads", get(search::search))
        .route("/admin/leads/import", post(import::import))
        .route("/admin/leads/assign", post(assign::assign))
        .route("/admin/leads/export.csv", get(export::export))
        .route("/admin/leads/{id}", get(search::detail).delete(assign::delete))
        .route("/admin/stats", get(search::stats))
}

fn ctx(admin: &AdminCaller) -> EditContext {
    EditContext { user: admin.0.user_id, device: admin.0.device_name.clone(), now: Timestamp(crate::clock::now_ms()) }
}

/// A fresh actor for edits the server makes on an admin's behalf.
fn server_actor() -> ActorId {
    ActorId::from(rand::random::<[u8; 16]>())
}

/// Store server-side edits through the push path, in batches the push path accepts (at
/// most its documents and its operations per request, as a phone's pushes).
async fn store_edits(state: &AppState, admin: &AdminCaller, docs: Vec<DocChanges>) -> Result<Vec<DocResult>, ApiError> {
    use dialbook_core::protocol::untrusted::{MAX_OPS_PER_REQUEST, operations};
    let by = authorize::Caller { user: admin.0.user_id, role: Role::Admin };
    let mut results = Vec::with_capacity(docs.len());
    let (mut batch, mut ops) = (Vec::new(), 0);
    for doc in docs {
        // The server made these changes; a count that fails would fail the push below.
        let n: u64 = doc.changes.iter().map(|c| operations(c).unwrap_or(0)).sum();
        if !batch.is_empty() && (batch.len() == crate::sync::push::MAX_DOCS_PER_PUSH || ops + n > MAX_OPS_PER_REQUEST) {
            results.extend(crate::sync::push::apply(state, by, None, PushRequest { docs: std::mem::take(&mut batch) }).await?);
            ops = 0;
        }
        ops += n;
        batch.push(doc);
    }
    if !batch.is_empty() {
        results.extend(crate::sync::push::apply(state, by, None, PushRequest { docs: batch }).await?);
    }
    Ok(results)
}

fn changes_of(doc: &mut LeadDoc, since: &[automerge::ChangeHash]) -> Vec<Vec<u8>> {
    doc.inner().get_changes(since).iter().map(|c| c.raw_bytes().to_vec()).collect()
}

fn refusal_message(status: &PushStatus) -> Option<String> {
    match status {
        PushStatus::Accepted { .. } => None,
        PushStatus::Refused { message, .. } => Some(message.clone()),
        PushStatus::NeedsSync => Some("the lead changed meanwhile; try again".into()),
    }
}

fn lead_doc_id(id: &str) -> Result<DocId, ApiError> {
    LeadId::parse(id).map(DocId::Lead).map_err(|e| ApiError::BadRequest { code: "bad_lead_id", message: e.to_string() })
}
