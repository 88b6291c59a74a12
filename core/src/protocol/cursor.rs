//! The pull cursor: opaque bytes to the client, this struct to the server.
//!
//! A fresh device (or one given access to leads it has never seen) first walks a
//! *snapshot phase*: one `save()` per doc, in doc-id order, up to the log position taken
//! when the phase began. After that it follows the change log from that position. This
//! keeps a 5,000-lead first sync to 5,000 compact snapshots instead of 45,000 changes.

use super::wire::WireError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerCursor {
    /// Which database issued the cursor; a cursor from another database (restored from
    /// backup, replaced) forces a full resync instead of silently skipping data.
    pub epoch: u64,
    /// Every change-log entry with `seq <= seq` has been delivered (or is covered by a
    /// snapshot delivered in the phase below).
    pub seq: i64,
    /// A fingerprint of the log entry at `seq` (0 at seq 0). A database restored from a
    /// backup reuses sequence numbers for different entries; the fingerprint tells.
    pub check: i64,
    /// Whether the cursor was made for an admin (who reads every lead). A role change
    /// changes what the device may hold, so it forces a resync.
    pub admin: bool,
    pub snapshot: Option<SnapshotPhase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotPhase {
    /// Docs the caller could read at `from` are known to them and get changes; docs they
    /// gained in `(from, upto]` get a snapshot. The round ends with the cursor at `upto`.
    pub from: i64,
    pub upto: i64,
    /// The last doc id already sent, in doc-id order.
    pub after: Option<String>,
    pub done: u64,
    pub total: u64,
}

impl ServerCursor {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("cursors always serialise")
    }

    /// `Ok(None)` for the empty cursor of a fresh device.
    pub fn decode(bytes: &[u8]) -> Result<Option<Self>, WireError> {
        if bytes.is_empty() {
            return Ok(None);
        }
        let (c, rest) = postcard::take_from_bytes::<Self>(bytes).map_err(|e| WireError::Malformed(format!("bad cursor: {e}")))?;
        if !rest.is_empty() || c.seq < 0 || c.snapshot.as_ref().is_some_and(|s| s.upto < c.seq || s.from > c.seq || s.done > s.total) {
            return Err(WireError::Malformed("bad cursor".into()));
        }
        Ok(Some(c))
    }
}
