//! The sync client state machine, sans-IO.
//!
//! It decides *when* to push and pull and keeps the protocol's bookkeeping: which docs have
//! unpushed edits, what heads each in-flight push carried, the pull cursor, retries with
//! backoff. It never touches documents, storage or the network: the shell (IndexedDB in
//! the PWA, memory in tests) asks `next_action(now)`, performs it, and reports back with
//! `handle(now, event)`, which returns the effects to carry out on documents and storage.
//!
//! Offline is a normal state: edits pile up as dirty docs, nothing is an error, and the
//! next `Online` event pushes them all in one request.

use super::wire::{PullItem, PullRequest, PullResponse, PushResponse, PushStatus, RefusalCode};
use crate::domain::{DocId, Timestamp};
use automerge::ChangeHash;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Wait this long after an edit before pushing, so a burst of taps goes in one request.
    pub push_debounce_ms: i64,
    /// Pull this often even without a poke, in case a poke was missed.
    pub idle_pull_ms: i64,
    pub min_backoff_ms: i64,
    pub max_backoff_ms: i64,
    /// The largest pull page asked for. After a pull times out the client asks for half
    /// as much each time, down to `pull_min_bytes`, and doubles back after each page that
    /// arrives: on 2G a 1 MB page never arrives within the shell's timeout, 16 KB does.
    pub pull_max_bytes: u32,
    pub pull_min_bytes: u32,
    /// At most this many docs in one push request.
    pub max_docs_per_push: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            push_debounce_ms: 400,
            idle_pull_ms: 5 * 60_000,
            min_backoff_ms: 1_000,
            max_backoff_ms: 60_000,
            pull_max_bytes: 1 << 20,
            pull_min_bytes: 16 << 10,
            max_docs_per_push: 500,
        }
    }
}

/// What happened, as the shell reports it.
#[derive(Debug, Clone)]
pub enum Event {
    /// The app opened (or the client was restored from storage).
    Started,
    /// A local edit to this doc is durable in storage.
    LocalChange(DocId),
    Online,
    Offline,
    /// The server said there is new data.
    Poke,
    Pushed(PushResponse),
    Pulled(PullResponse),
    /// The request in flight failed. `retryable` is false for answers that will not get
    /// better by retrying (e.g. the session was revoked).
    Failed { retryable: bool },
    /// The request in flight took longer than the shell waits: the network is too slow
    /// for it. Retried like a failure; a pull is retried with a smaller page.
    TimedOut,
}

/// What the shell should do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Build a push for these docs (changes since their acked heads), report the heads
    /// each doc had with `push_sent`, then send it.
    Push(Vec<DocId>),
    Pull(PullRequest),
    /// Nothing to do until an event, or until `wake_at`.
    Idle { wake_at: Option<Timestamp> },
}

/// Work the shell carries out on its documents and storage after `handle`. Serializable:
/// the phone app's sync loop hands effects to the thread that owns its documents.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// The server has everything this doc had at `heads`: store them as the acked heads.
    Acked { doc: DocId, heads: Vec<ChangeHash> },
    /// The server refused this doc's unpushed changes. Revert the doc to its acked heads
    /// and tell the user why.
    Refused { doc: DocId, code: RefusalCode, message: String },
    /// Run the per-doc fallback sync for this doc.
    Fallback(DocId),
    /// Apply a pulled item to the store.
    Apply(PullItem),
    /// A full resync (after `reset`) finished; `seen` are the docs the server sent. Any
    /// other local doc is one the server lost (restored from an older backup): clear its
    /// acked heads and report it with `still_dirty`, so it is pushed whole. The server
    /// refuses it if it is no longer the caller's, and the `Refused` effect removes it.
    ResyncFinished { seen: BTreeSet<DocId> },
    /// Persist the new cursor (after the items of the same answer are applied).
    SaveCursor(Vec<u8>),
    /// The session is no longer valid: ask the user to log in again.
    SignedOut,
}

#[derive(Debug, Clone, PartialEq)]
enum InFlight {
    None,
    Push(BTreeMap<DocId, Vec<ChangeHash>>),
    Pull,
}

/// What the status bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub online: bool,
    /// Docs with edits the server has not acknowledged yet.
    pub waiting: usize,
    pub syncing: bool,
    pub last_synced: Option<Timestamp>,
    pub signed_out: bool,
}

#[derive(Debug, Clone)]
pub struct SyncClient {
    config: ClientConfig,
    cursor: Vec<u8>,
    dirty: BTreeSet<DocId>,
    in_flight: InFlight,
    online: bool,
    want_pull: bool,
    push_due: Option<Timestamp>,
    failures: u32,
    retry_at: Option<Timestamp>,
    last_synced: Option<Timestamp>,
    /// The page size the next pull asks for (see `ClientConfig::pull_max_bytes`).
    pull_bytes: u32,
    /// Docs seen so far during a full resync.
    resync: Option<BTreeSet<DocId>>,
    signed_out: bool,
}

impl SyncClient {
    /// A client restored from storage: its cursor and the docs that still have unpushed
    /// edits (those whose heads differ from their acked heads).
    pub fn new(config: ClientConfig, cursor: Vec<u8>, dirty: impl IntoIterator<Item = DocId>) -> Self {
        let dirty: BTreeSet<DocId> = dirty.into_iter().collect();
        Self {
            pull_bytes: config.pull_max_bytes,
            config,
            cursor,
            push_due: None,
            dirty,
            in_flight: InFlight::None,
            online: true,
            want_pull: false,
            failures: 0,
            retry_at: None,
            last_synced: None,
            resync: None,
            signed_out: false,
        }
    }

    pub fn cursor(&self) -> &[u8] {
        &self.cursor
    }

    pub fn status(&self) -> Status {
        Status {
            online: self.online,
            waiting: self.dirty.len(),
            syncing: self.in_flight != InFlight::None,
            last_synced: self.last_synced,
            signed_out: self.signed_out,
        }
    }

    pub fn is_dirty(&self, doc: &DocId) -> bool {
        self.dirty.contains(doc)
    }

    /// Decide the next request, if any is due.
    pub fn next_action(&mut self, now: Timestamp) -> Action {
        if self.in_flight != InFlight::None || !self.online || self.signed_out {
            return Action::Idle { wake_at: None };
        }
        if let Some(at) = self.retry_at {
            if now < at {
                return Action::Idle { wake_at: Some(at) };
            }
            self.retry_at = None;
            self.want_pull = true;
        }
        // After a failure, pull before pushing again: a push the server keeps refusing
        // as a whole (too large, a bug) must not stop the phone from receiving.
        let pull_first = self.failures > 0 && self.want_pull;
        let push_ready = !pull_first && !self.dirty.is_empty() && self.push_due.is_none_or(|due| now >= due);
        if push_ready {
            let docs: Vec<DocId> = self.dirty.iter().take(self.config.max_docs_per_push).cloned().collect();
            self.in_flight = InFlight::Push(BTreeMap::new());
            return Action::Push(docs);
        }
        let idle_pull_due = self.last_synced.is_none_or(|t| now.0 - t.0 >= self.config.idle_pull_ms);
        if self.want_pull || idle_pull_due {
            self.want_pull = false;
            self.in_flight = InFlight::Pull;
            return Action::Pull(PullRequest { cursor: self.cursor.clone(), max_bytes: self.pull_bytes });
        }
        let idle_pull_at = self.last_synced.map(|t| t.plus_millis(self.config.idle_pull_ms));
        let wake_at = match (self.push_due.filter(|_| !self.dirty.is_empty()), idle_pull_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Action::Idle { wake_at }
    }

    /// Record the heads each doc had when its push was built. Docs with nothing to send
    /// are simply left out (they are no longer dirty).
    pub fn push_sent(&mut self, sent: BTreeMap<DocId, Vec<ChangeHash>>, nothing_to_send: &[DocId]) {
        for doc in nothing_to_send {
            self.dirty.remove(doc);
        }
        self.in_flight = InFlight::Push(sent);
    }

    pub fn handle(&mut self, now: Timestamp, event: Event) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            Event::Started => self.want_pull = true,
            Event::LocalChange(doc) => {
                self.dirty.insert(doc);
                let due = now.plus_millis(self.config.push_debounce_ms);
                self.push_due = Some(self.push_due.map_or(due, |d| d.max(due)));
            }
            Event::Online => {
                self.online = true;
                self.want_pull = true;
                self.retry_at = None;
                self.push_due = None;
            }
            Event::Offline => self.online = false,
            Event::Poke => self.want_pull = true,
            Event::Pushed(resp) => {
                let InFlight::Push(sent) = std::mem::replace(&mut self.in_flight, InFlight::None) else {
                    return effects;
                };
                self.succeeded(now);
                for result in resp.results {
                    let Some(heads) = sent.get(&result.doc) else { continue };
                    match result.status {
                        PushStatus::Accepted { .. } => {
                            effects.push(Effect::Acked { doc: result.doc.clone(), heads: heads.clone() });
                        }
                        PushStatus::Refused { code, message } => {
                            effects.push(Effect::Refused { doc: result.doc.clone(), code, message });
                        }
                        PushStatus::NeedsSync => effects.push(Effect::Fallback(result.doc.clone())),
                    }
                    // A doc edited again while its push was in flight stays dirty: the
                    // shell re-marks it with `LocalChange`, or `still_dirty` below.
                    self.dirty.remove(&result.doc);
                }
                self.push_due = None;
            }
            Event::Pulled(resp) => {
                self.in_flight = InFlight::None;
                self.succeeded(now);
                self.pull_bytes = self.pull_bytes.saturating_mul(2).min(self.config.pull_max_bytes);
                if resp.reset {
                    self.resync = Some(BTreeSet::new());
                }
                for item in resp.items {
                    if let Some(seen) = &mut self.resync
                        && !matches!(item, PullItem::Revoked { .. })
                    {
                        seen.insert(item.doc().clone());
                    }
                    if let PullItem::Revoked { doc } = &item {
                        self.dirty.remove(doc);
                    }
                    effects.push(Effect::Apply(item));
                }
                effects.push(Effect::SaveCursor(resp.cursor.clone()));
                self.cursor = resp.cursor;
                if resp.more {
                    self.want_pull = true;
                } else if let Some(seen) = self.resync.take() {
                    effects.push(Effect::ResyncFinished { seen });
                }
            }
            Event::TimedOut => {
                if self.in_flight == InFlight::Pull {
                    self.pull_bytes = (self.pull_bytes / 2).max(self.config.pull_min_bytes);
                }
                return self.handle(now, Event::Failed { retryable: true });
            }
            Event::Failed { retryable } => {
                self.in_flight = InFlight::None;
                if retryable {
                    self.failures += 1;
                    let backoff = (self.config.min_backoff_ms << self.failures.min(16).saturating_sub(1)).min(self.config.max_backoff_ms);
                    self.retry_at = Some(now.plus_millis(backoff));
                } else {
                    self.signed_out = true;
                    effects.push(Effect::SignedOut);
                }
            }
        }
        effects
    }

    /// After applying `Acked` effects the shell tells which docs changed again meanwhile.
    pub fn still_dirty(&mut self, doc: DocId) {
        self.dirty.insert(doc);
    }

    /// The shell could not store what the last pull brought (storage full, a document it
    /// cannot read): go back to `cursor`, the one before that pull, and try again after a
    /// backoff, so no page is skipped.
    pub fn pull_not_stored(&mut self, now: Timestamp, cursor: Vec<u8>) {
        self.cursor = cursor;
        self.resync = None;
        self.handle(now, Event::Failed { retryable: true });
    }

    /// A new login on this device.
    pub fn signed_in(&mut self) {
        self.signed_out = false;
        self.want_pull = true;
    }

    fn succeeded(&mut self, now: Timestamp) {
        self.failures = 0;
        self.retry_at = None;
        self.last_synced = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(cursor: &[u8], more: bool) -> PullResponse {
        PullResponse { items: Vec::new(), cursor: cursor.to_vec(), more, reset: false, progress: None }
    }

    /// On 2G a big page never arrives before the shell gives up: each timeout halves the
    /// page asked for (to the floor), each page that arrives doubles it back (to the top).
    #[test]
    fn pulls_that_time_out_ask_for_smaller_pages_and_grow_back_once_pages_arrive() {
        let config = ClientConfig { pull_max_bytes: 1 << 20, pull_min_bytes: 16 << 10, ..ClientConfig::default() };
        let mut client = SyncClient::new(config.clone(), Vec::new(), []);
        let mut now = Timestamp(0);
        client.handle(now, Event::Started);
        let mut asked = Vec::new();
        let pull = |client: &mut SyncClient, now: &mut Timestamp| loop {
            match client.next_action(*now) {
                Action::Pull(req) => return req.max_bytes,
                Action::Push(_) => panic!("nothing to push"),
                Action::Idle { .. } => *now = now.plus_millis(config.max_backoff_ms),
            }
        };
        for _ in 0..8 {
            asked.push(pull(&mut client, &mut now));
            client.handle(now, Event::TimedOut);
        }
        assert_eq!(asked, [1 << 20, 512 << 10, 256 << 10, 128 << 10, 64 << 10, 32 << 10, 16 << 10, 16 << 10]);
        assert!(!client.status().syncing, "a timeout is retried later, like a failure");

        let mut grown = Vec::new();
        for _ in 0..8 {
            grown.push(pull(&mut client, &mut now));
            client.handle(now, Event::Pulled(page(b"c", true)));
        }
        assert_eq!(grown, [16 << 10, 32 << 10, 64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20, 1 << 20]);
    }

    /// A push that times out is retried as it was (its size is the edits', not a page's).
    #[test]
    fn a_push_that_times_out_leaves_the_pull_page_alone() {
        let doc = DocId::Team;
        let mut client = SyncClient::new(ClientConfig::default(), Vec::new(), [doc.clone()]);
        let now = Timestamp(0);
        let Action::Push(docs) = client.next_action(now) else { panic!("a push first") };
        client.push_sent(BTreeMap::from([(docs[0].clone(), Vec::new())]), &[]);
        client.handle(now, Event::TimedOut);
        let later = now.plus_millis(ClientConfig::default().max_backoff_ms);
        client.handle(later, Event::Poke);
        let Action::Pull(req) = client.next_action(later) else { panic!("after a failure, a pull first") };
        assert_eq!(req.max_bytes, ClientConfig::default().pull_max_bytes);
    }

    #[test]
    fn a_push_that_keeps_failing_does_not_stop_pulls() {
        let doc = DocId::Team;
        let mut client = SyncClient::new(ClientConfig::default(), b"c1".to_vec(), [doc.clone()]);
        let mut now = Timestamp(0);
        let mut pulls = 0;
        for _ in 0..6 {
            match client.next_action(now) {
                Action::Push(docs) => {
                    client.push_sent(BTreeMap::from([(docs[0].clone(), Vec::new())]), &[]);
                    client.handle(now, Event::Failed { retryable: true });
                }
                Action::Pull(_) => {
                    pulls += 1;
                    client.handle(now, Event::Pulled(page(b"c1", false)));
                }
                Action::Idle { .. } => {}
            }
            now = now.plus_millis(ClientConfig::default().max_backoff_ms);
        }
        assert!(pulls >= 2, "pulls kept going between failing pushes ({pulls})");
        assert!(client.is_dirty(&doc), "the edit is still waiting to be pushed");
    }

    #[test]
    fn a_pull_the_shell_could_not_store_is_pulled_again_from_the_old_cursor() {
        let mut client = SyncClient::new(ClientConfig::default(), b"c1".to_vec(), []);
        client.handle(Timestamp(0), Event::Started);
        assert!(matches!(client.next_action(Timestamp(0)), Action::Pull(PullRequest { cursor, .. }) if cursor == b"c1"));
        client.handle(Timestamp(10), Event::Pulled(page(b"c2", false)));

        // Storing the page failed: the client goes back to c1 and, after a backoff, pulls it again.
        client.pull_not_stored(Timestamp(20), b"c1".to_vec());
        assert_eq!(client.cursor(), b"c1");
        assert!(matches!(client.next_action(Timestamp(21)), Action::Idle { wake_at: Some(_) }));
        let later = Timestamp(20 + ClientConfig::default().max_backoff_ms);
        assert!(matches!(client.next_action(later), Action::Pull(PullRequest { cursor, .. }) if cursor == b"c1"));
    }
}
