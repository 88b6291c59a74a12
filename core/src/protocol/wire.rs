//! Wire messages. One byte of protocol version, then the message in postcard (a compact
//! serde binary format: varint lengths, raw bytes). Automerge changes travel as raw bytes;
//! JSON with base64 would cost a third more (measured in BENCHMARKS.md).

use crate::domain::DocId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub const PROTOCOL_VERSION: u8 = 1;
/// The media type of every sync request and response body.
pub const CONTENT_TYPE: &str = "application/vnd.dialbook.sync+postcard";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WireError {
    #[error("empty message")]
    Empty,
    #[error("protocol version {got} is not supported (this side speaks {PROTOCOL_VERSION}); update the app")]
    Version { got: u8 },
    #[error("malformed message: {0}")]
    Malformed(String),
}

pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = vec![PROTOCOL_VERSION];
    // Serialising plain data structs into a Vec cannot fail.
    out.extend(postcard::to_allocvec(msg).expect("wire messages always serialise"));
    out
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    let (&version, body) = bytes.split_first().ok_or(WireError::Empty)?;
    if version != PROTOCOL_VERSION {
        return Err(WireError::Version { got: version });
    }
    let (msg, rest) = postcard::take_from_bytes(body).map_err(|e| WireError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(WireError::Malformed(format!("{} unexpected trailing bytes", rest.len())));
    }
    Ok(msg)
}

/// A change hash, as raw bytes.
pub type Hash = [u8; 32];

/// Push: the changes a device has that the server has not acknowledged, for many docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub docs: Vec<DocChanges>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocChanges {
    pub doc: DocId,
    /// Each entry is one raw Automerge change.
    pub changes: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per pushed doc, in request order.
    pub results: Vec<DocResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocResult {
    pub doc: DocId,
    pub status: PushStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PushStatus {
    /// Stored and committed. The server's heads for the doc after applying.
    Accepted { heads: Vec<Hash> },
    /// Nothing of this doc's changes was stored.
    Refused { code: RefusalCode, message: String },
    /// The changes depend on history the server does not have (a restored phone, a
    /// restored server): run the per-doc fallback sync for this doc.
    NeedsSync,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefusalCode {
    /// The caller may not write this doc at all (not assigned to them).
    NotYours,
    /// The caller may write the doc but not this field (assignee, deleted, …).
    FieldNotAllowed,
    /// The result would not be a valid document (bad phone number, broken schema).
    Invalid,
    /// An activity in the timeline was changed or removed.
    HistoryRewritten,
}

/// Pull: everything the caller may read past `cursor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    /// Opaque bytes from the last `PullResponse`; empty for a fresh device.
    pub cursor: Vec<u8>,
    /// Soft limit on the size of the answer; the server stops adding items past it.
    pub max_bytes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub items: Vec<PullItem>,
    pub cursor: Vec<u8>,
    /// More pages are waiting: pull again at once.
    pub more: bool,
    /// The client's cursor was too old (behind compaction, or from another database):
    /// this answer starts a full resync, and docs not received by its end are to be
    /// dropped.
    pub reset: bool,
    /// How far a long pull has come, for a progress bar ("1,240 of 5,000 leads").
    pub progress: Option<Progress>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PullItem {
    /// Raw changes, concatenated (loadable with `load_incremental`).
    Changes { doc: DocId, bytes: Vec<u8> },
    /// The whole document (`save()`), for docs new to this client.
    Snapshot { doc: DocId, bytes: Vec<u8> },
    /// The caller may no longer read this doc (reassigned away, or deleted).
    Revoked { doc: DocId },
}

impl PullItem {
    pub fn doc(&self) -> &DocId {
        match self {
            PullItem::Changes { doc, .. } | PullItem::Snapshot { doc, .. } | PullItem::Revoked { doc } => doc,
        }
    }
}

/// Per-doc fallback: one round of the standard Automerge sync exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocSyncRequest {
    pub doc: DocId,
    /// An encoded `automerge::sync::Message`.
    pub message: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocSyncResponse {
    /// The server's next sync message, or `None` when it has nothing more to say.
    pub message: Option<Vec<u8>>,
    /// Set when the client's changes were refused (nothing stored).
    pub refused: Option<(RefusalCode, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LeadId;

    #[test]
    fn round_trips_and_rejects_other_versions_and_garbage() {
        let msg = PushRequest {
            docs: vec![DocChanges { doc: DocId::Lead(LeadId::from_random([7; 16])), changes: vec![vec![1, 2, 3]] }],
        };
        let bytes = encode(&msg);
        assert_eq!(decode::<PushRequest>(&bytes).unwrap(), msg);

        let mut other = bytes.clone();
        other[0] = 9;
        assert_eq!(decode::<PushRequest>(&other), Err(WireError::Version { got: 9 }));
        assert_eq!(decode::<PushRequest>(&[]), Err(WireError::Empty));
        assert!(matches!(decode::<PushRequest>(&bytes[..bytes.len() - 2]), Err(WireError::Malformed(_))));
        let mut trailing = bytes;
        trailing.push(0);
        assert!(matches!(decode::<PushRequest>(&trailing), Err(WireError::Malformed(_))));
    }
}
