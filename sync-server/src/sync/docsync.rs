//! `POST /api/sync/doc`: the per-doc fallback, one round of the standard Automerge sync
//! exchange, for when heads diverge in a way the cursor cannot explain (a phone restored
//! from backup, a server restored from backup). The server keeps no sync state between
//! rounds: each round starts from a fresh `sync::State`, which costs a little re-sending
//! but survives any number of instances and restarts. Whatever the client's message
//! brings is authorised exactly like a push.

use super::body::{Wire, WireBody};
use super::store::{self, Append};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use automerge::sync::{Message, State as SyncState, SyncDoc};
use axum::extract::State;
use dialbook_core::protocol::authorize::{self, Applied, apply_push};
use dialbook_core::protocol::untrusted;
use dialbook_core::protocol::wire::{DocSyncRequest, DocSyncResponse};
use dialbook_core::Role;

pub async fn doc_sync(State(state): State<AppState>, caller: Caller, Wire(req): Wire<DocSyncRequest>) -> Result<WireBody<DocSyncResponse>, ApiError> {
    let message = Message::decode(&req.message)
        .map_err(|e| ApiError::BadRequest { code: "malformed_message", message: format!("not an Automerge sync message: {e}") })?;
    untrusted::check_sync_message(&message, &mut untrusted::Budget::per_request())
        .map_err(|m| ApiError::BadRequest { code: "malformed_change", message: m })?;
    let by = authorize::Caller { user: caller.user_id, role: caller.role };
    let backend = state.db.backend;
    let mut tx = state.db.write_tx().await?;
    let stored = store::load_for_update(tx.conn(), backend, &req.doc).await?;
    let Some(stored) = stored else {
        return Err(ApiError::NotFound(format!("no document {}", req.doc)));
    };
    let readable = by.role == Role::Admin || req.doc == dialbook_core::DocId::Team || stored.assignee == Some(by.user);
    if !readable {
        return Err(ApiError::NotFound(format!("no document {}", req.doc)));
    }
    let mut sync_state = SyncState::new();
    let mut merged = stored.doc.clone();
    let before_heads = merged.get_heads();
    let received = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| merged.receive_sync_message(&mut sync_state, message.clone())));
    received
        .map_err(|_| "its changes do not fit the document".to_owned())
        .and_then(|r| r.map_err(|e| e.to_string()))
        .map_err(|e| ApiError::BadRequest { code: "malformed_message", message: format!("sync message could not be applied: {e}") })?;
    let incoming = merged.get_changes(&before_heads);
    let mut refused = None;
    let mut poke = None;
    let mut current = stored.doc.clone();
    if !incoming.is_empty() {
        match super::push::contained(&req.doc, || apply_push(by, &req.doc, Some(&stored.doc), incoming)) {
            Ok(Applied::Changed { doc, new_changes, before, lead }) => {
                store::lock_log(tx.conn(), backend).await?;
                let seq = store::append(
                    tx.conn(),
                    Append {
                        id: &req.doc,
                        snapshot: &doc.save(),
                        new_changes: &new_changes,
                        before: before.as_ref(),
                        lead: lead.as_ref(),
                        existed: true,
                        pushed_by: Some(by.user),
                        pushed_session: Some(caller.session_id),
                        now_ms: crate::clock::now_ms(),
                    },
                )
                .await?;
                super::poke::notify_in_tx(tx.conn(), backend, seq).await?;
                poke = Some(seq);
                current = doc;
            }
            // Still missing history: the next round's message asks the client for it.
            Ok(Applied::NeedsSync) | Ok(Applied::Unchanged) => {}
            Err(r) => refused = Some((r.code, r.message)),
        }
    }
    tx.commit().await?;
    if let Some(seq) = poke {
        state.pokes.poke(seq);
    }
    // Answer from what the server actually holds, so refused changes are not echoed back
    // as if they were accepted.
    // A crafted message (Bloom filter, heads) can trip Automerge's assertions here too.
    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut answer_state = SyncState::new();
        let mut scratch = current.clone();
        let _ = scratch.receive_sync_message(&mut answer_state, message);
        // Without flags the message does not advertise Automerge's "V2" sync, so the
        // client sends changes, never a whole compressed document (`untrusted` refuses
        // those: inflating one is unbounded).
        current.generate_sync_message(&mut answer_state).map(|mut m| {
            m.flags = None;
            m.encode()
        })
    }))
    .map_err(|_| ApiError::BadRequest { code: "malformed_message", message: "the sync message could not be answered".into() })?;
    Ok(WireBody(DocSyncResponse { message: reply, refused }))
}
