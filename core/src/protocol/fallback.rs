//! The client's side of the per-doc fallback sync (`/api/sync/doc`): the standard
//! Automerge sync exchange for one document, run when the server answers a push with
//! `NeedsSync`. The shell sends each request and hands back each answer; this module
//! keeps the Automerge `sync::State` and decides when the exchange is over.
//!
//! The server is stateless between rounds and drops changes whose history has not reached
//! it yet, so at the end only the heads the *server* reported are acked — never this
//! device's own — and whatever is beyond them is pushed the ordinary way.

use super::replica::ReplicaDoc;
use super::wire::{DocSyncRequest, DocSyncResponse, RefusalCode};
use crate::domain::DocId;
use automerge::sync::{Message, State, SyncDoc};

/// A runaway exchange (a bug on either side) stops after this many rounds.
pub const MAX_ROUNDS: u32 = 20;

#[derive(Debug, thiserror::Error)]
pub enum FallbackError {
    #[error("the server refused this lead's changes ({code:?}): {message}")]
    Refused { code: RefusalCode, message: String },
    #[error("the server's sync message could not be read: {0}")]
    BadMessage(String),
}

#[derive(Debug, Default)]
pub struct FallbackSync {
    state: State,
    rounds: u32,
}

impl FallbackSync {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next request to send, or `None` when the exchange is over.
    pub fn next_request(&mut self, doc_id: &DocId, rd: &mut ReplicaDoc) -> Option<DocSyncRequest> {
        if self.rounds >= MAX_ROUNDS {
            return None;
        }
        self.rounds += 1;
        let message = rd.doc.sync().generate_sync_message(&mut self.state)?;
        Some(DocSyncRequest { doc: doc_id.clone(), message: message.encode() })
    }

    /// Take the server's answer. `Ok(false)`: the server has nothing more to say.
    pub fn receive(&mut self, rd: &mut ReplicaDoc, resp: DocSyncResponse) -> Result<bool, FallbackError> {
        if let Some((code, message)) = resp.refused {
            return Err(FallbackError::Refused { code, message });
        }
        let Some(bytes) = resp.message else { return Ok(false) };
        let msg = Message::decode(&bytes).map_err(|e| FallbackError::BadMessage(e.to_string()))?;
        rd.doc.sync().receive_sync_message(&mut self.state, msg).map_err(|e| FallbackError::BadMessage(e.to_string()))?;
        Ok(true)
    }

    /// Ack what the server said it has. True if the doc still has changes to push.
    pub fn finish(self, rd: &mut ReplicaDoc) -> bool {
        rd.fallback_done(self.state.their_heads.unwrap_or_default())
    }
}
