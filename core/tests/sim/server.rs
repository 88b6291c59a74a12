//! A simulated sync server, in memory: the same check-and-apply as the real server
//! (`authorize::apply_push`), a change log with sequence numbers, and cursor pulls with
//! snapshots for docs new to the caller and revocations for docs reassigned away.

use automerge::Automerge;
use dialbook_core::protocol::authorize::{Applied, Caller, apply_push};
use dialbook_core::protocol::untrusted::{Budget, parse_changes};
use dialbook_core::protocol::cursor::ServerCursor;
use dialbook_core::protocol::wire::{DocResult, PullItem, PullRequest, PullResponse, PushRequest, PushResponse, PushStatus};
use dialbook_core::{DocId, Role, UserId};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct SimServer {
    pub docs: BTreeMap<DocId, Automerge>,
    /// (seq, doc, concatenated changes)
    log: Vec<(i64, DocId, Vec<u8>)>,
    /// doc → (assignee, seq at which that assignment was stored)
    access: BTreeMap<DocId, (Option<UserId>, i64)>,
    /// (seq, doc, user who lost access)
    revocations: Vec<(i64, DocId, UserId)>,
    pub pushes: u64,
}

impl SimServer {
    fn next_seq(&self) -> i64 {
        self.log.len() as i64 + 1
    }

    pub fn push(&mut self, caller: Caller, req: PushRequest) -> PushResponse {
        self.pushes += 1;
        let mut results = Vec::new();
        for dc in req.docs {
            let changes = parse_changes(&dc.changes, &mut Budget::per_request()).expect("sim clients send valid changes");
            let status = match apply_push(caller, &dc.doc, self.docs.get(&dc.doc), changes) {
                Ok(Applied::Changed { doc, new_changes, lead, .. }) => {
                    let seq = self.next_seq();
                    let bytes = new_changes.iter().flat_map(|c| c.raw_bytes().to_vec()).collect();
                    self.log.push((seq, dc.doc.clone(), bytes));
                    if let Some(lead) = lead {
                        let prev = self.access.get(&dc.doc).and_then(|(a, _)| *a);
                        if prev != lead.assignee || !self.access.contains_key(&dc.doc) {
                            if let Some(p) = prev {
                                self.revocations.push((seq, dc.doc.clone(), p));
                            }
                            self.access.insert(dc.doc.clone(), (lead.assignee, seq));
                        }
                    }
                    let heads = doc.get_heads().iter().map(|h| h.0).collect();
                    self.docs.insert(dc.doc.clone(), doc);
                    PushStatus::Accepted { heads }
                }
                Ok(Applied::Unchanged) => {
                    PushStatus::Accepted { heads: self.docs[&dc.doc].get_heads().iter().map(|h| h.0).collect() }
                }
                Ok(Applied::NeedsSync) => PushStatus::NeedsSync,
                Err(r) => PushStatus::Refused { code: r.code, message: r.message },
            };
            results.push(DocResult { doc: dc.doc, status });
        }
        PushResponse { results }
    }

    fn readable(&self, caller: Caller, doc: &DocId) -> Option<i64> {
        let (assignee, seq) = self.access.get(doc)?;
        (caller.role == Role::Admin || *assignee == Some(caller.user)).then_some(*seq)
    }

    /// One page with everything past the cursor (the sim does not paginate).
    pub fn pull(&self, caller: Caller, req: PullRequest) -> PullResponse {
        let from = ServerCursor::decode(&req.cursor).expect("sim clients send valid cursors").map_or(0, |c| c.seq);
        let upto = self.log.len() as i64;
        let mut items = Vec::new();
        let mut snapshotted = Vec::new();
        for (doc, automerge) in &self.docs {
            if let Some(access_seq) = self.readable(caller, doc)
                && access_seq > from
            {
                items.push(PullItem::Snapshot { doc: doc.clone(), bytes: automerge.save() });
                snapshotted.push(doc.clone());
            }
        }
        for (seq, doc, bytes) in &self.log {
            if *seq > from && !snapshotted.contains(doc) && self.readable(caller, doc).is_some() {
                items.push(PullItem::Changes { doc: doc.clone(), bytes: bytes.clone() });
            }
        }
        for (seq, doc, user) in &self.revocations {
            if *seq > from && *user == caller.user && self.readable(caller, doc).is_none() {
                items.push(PullItem::Revoked { doc: doc.clone() });
            }
        }
        let cursor = ServerCursor { epoch: 1, seq: upto, check: 0, admin: caller.role == Role::Admin, snapshot: None }.encode();
        PullResponse { items, cursor, more: false, reset: false, progress: None }
    }
}
