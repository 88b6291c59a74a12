//! The sync loop: the shell around `dialbook_core`'s sans-IO [`SyncClient`]. It asks the
//! client what to do, does it (IndexedDB through [`Repo`], the network through `api`),
//! reports back, and tells the UI what changed. It runs for as long as a user is signed
//! in; the UI talks to it only through [`SyncHandle`].
//!
//! Offline is a normal state: a failed request is reported as `Failed { retryable }`, the
//! client backs off, and the `online` event, a poke, or the next edit wakes it again.

use super::api::{self, NetError};
use super::platform::{self, Listener};
use super::repo::{Applied, Repo};
use dialbook_core::protocol::client::{Action, ClientConfig, Effect, Event, Status, SyncClient};
use dialbook_core::kernel::FallbackStep;
use dialbook_core::protocol::wire::{DocSyncResponse, Progress, PullResponse, PushResponse};
use dialbook_core::summary::LeadSummary;
use dialbook_core::team::Team;
use dialbook_core::{DocId, LeadId};
use futures_channel::mpsc::{TryRecvError, UnboundedReceiver, UnboundedSender, unbounded};
use futures_util::future::{Either, select};
use futures_util::{FutureExt, StreamExt};
use std::rc::Rc;

/// What the sync loop tells the UI.
#[derive(Debug, Clone)]
pub enum SyncUpdate {
    Status(SyncStatus),
    /// Progress of a long pull (the first sync).
    Progress(Progress),
    Changed { upserts: Vec<LeadSummary>, removed: Vec<LeadId> },
    Team(Team),
    /// The server refused some edits; they were taken back. The message says why.
    Refused(String),
    /// A pull finished with nothing more waiting: the phone holds everything it may.
    CaughtUp,
    SignedOut,
    /// Storage failed; the message is for the user.
    Trouble(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncStatus {
    pub online: bool,
    /// Docs with edits the server has not acknowledged.
    pub waiting: usize,
    pub syncing: bool,
    pub last_synced: Option<i64>,
}

/// The UI's handle on the loop.
#[derive(Clone)]
pub struct SyncHandle {
    tx: UnboundedSender<Event>,
    /// Counts the times the server became reachable again; the poke stream, waiting to
    /// reconnect, goes at once when it changes instead of finishing its backoff.
    pub(super) back_online: Rc<std::cell::Cell<u32>>,
}

impl PartialEq for SyncHandle {
    fn eq(&self, other: &Self) -> bool {
        self.tx.same_receiver(&other.tx)
    }
}

impl SyncHandle {
    /// An edit to `doc` is durable in IndexedDB: push it soon.
    pub fn local_change(&self, doc: DocId) {
        let _ = self.tx.unbounded_send(Event::LocalChange(doc));
    }
    /// Sync now (the user tapped the status, or a background sync fired).
    pub fn kick(&self) {
        let _ = self.tx.unbounded_send(Event::Online);
    }
    pub fn poke(&self) {
        let _ = self.tx.unbounded_send(Event::Poke);
    }
    /// Stop the loop (sign out).
    pub fn stop(&self) {
        self.tx.close_channel();
    }
    pub fn stopped(&self) -> bool {
        self.tx.is_closed()
    }
}

/// Start the loop for a signed-in user. `cursor` and `dirty` come from storage.
pub fn start(repo: Rc<Repo>, token: String, cursor: Vec<u8>, dirty: Vec<DocId>, on: impl Fn(SyncUpdate) + 'static) -> SyncHandle {
    let (tx, rx) = unbounded();
    let handle = SyncHandle { tx: tx.clone(), back_online: Rc::default() };
    let client = SyncClient::new(ClientConfig::default(), cursor, dirty);
    let on: Rc<dyn Fn(SyncUpdate)> = Rc::new(on);
    wasm_bindgen_futures::spawn_local(super::pokes::listen(handle.clone(), token.clone()));
    let back_online = handle.back_online.clone();
    wasm_bindgen_futures::spawn_local(run(Shell { repo, token, client, reachable: true, back_online, on }, rx, tx.clone()));
    handle
}

struct Shell {
    repo: Rc<Repo>,
    token: String,
    client: SyncClient,
    /// The last request got an answer (a phone can be "online" with no way through).
    reachable: bool,
    back_online: Rc<std::cell::Cell<u32>>,
    on: Rc<dyn Fn(SyncUpdate)>,
}

async fn run(mut shell: Shell, mut rx: UnboundedReceiver<Event>, tx: UnboundedSender<Event>) {
    let _online = {
        let tx = tx.clone();
        Listener::new(&platform::window_target(), "online", move |_| {
            let _ = tx.unbounded_send(Event::Online);
        })
    };
    let _offline = {
        let tx = tx.clone();
        Listener::new(&platform::window_target(), "offline", move |_| {
            let _ = tx.unbounded_send(Event::Offline);
        })
    };
    drop(tx);
    let now = platform::now();
    shell.client.handle(now, Event::Started);
    if !platform::is_online() {
        shell.client.handle(now, Event::Offline);
    }
    loop {
        // Take every event that has arrived before deciding what to do.
        loop {
            match rx.try_recv() {
                Ok(event) => shell.event(event).await,
                Err(TryRecvError::Closed) => return,
                Err(TryRecvError::Empty) => break,
            }
        }
        shell.report();
        match shell.client.next_action(platform::now()) {
            Action::Push(ids) => shell.push(ids).await,
            Action::Pull(req) => {
                let result = api::sync::<_, PullResponse>(&shell.token, "/api/sync/pull", &req).await;
                shell.pulled(result).await;
            }
            Action::Idle { wake_at } => {
                let wait = match wake_at {
                    Some(at) => (at.0 - platform::now().0).clamp(0, i32::MAX as i64) as i32,
                    None => 24 * 3_600_000,
                };
                let next = rx.next();
                let timer = platform::sleep(wait).fuse();
                futures_util::pin_mut!(timer);
                match select(next, timer).await {
                    Either::Left((Some(event), _)) => shell.event(event).await,
                    Either::Left((None, _)) => return,
                    Either::Right(_) => {}
                }
            }
        }
    }
}

impl Shell {
    fn reached(&mut self) {
        if !self.reachable {
            self.back_online.set(self.back_online.get().wrapping_add(1));
        }
        self.reachable = true;
    }

    fn say(&self, update: SyncUpdate) {
        (self.on)(update);
    }

    fn report(&self) {
        let Status { online, waiting, syncing, last_synced, .. } = self.client.status();
        self.say(SyncUpdate::Status(SyncStatus {
            online: online && self.reachable,
            waiting,
            syncing,
            last_synced: last_synced.map(|t| t.0),
        }));
    }

    async fn event(&mut self, event: Event) {
        let effects = self.client.handle(platform::now(), event);
        self.carry_out(effects).await;
    }

    async fn push(&mut self, ids: Vec<DocId>) {
        let (req, sent, empty) = match self.repo.build_push(&ids).await {
            Ok(built) => built,
            Err(e) => {
                self.say(SyncUpdate::Trouble(e.to_string()));
                self.client.push_sent(Default::default(), &[]);
                self.event(Event::Failed { retryable: true }).await;
                return;
            }
        };
        let pushed: Vec<DocId> = sent.keys().cloned().collect();
        self.client.push_sent(sent, &empty);
        if req.docs.is_empty() {
            self.event(Event::Pushed(PushResponse { results: Vec::new() })).await;
            return;
        }
        self.report();
        let result = api::sync::<_, PushResponse>(&self.token, "/api/sync/push", &req).await;
        match result {
            Ok(resp) => {
                self.reached();
                let effects = self.client.handle(platform::now(), Event::Pushed(resp));
                if !self.carry_out(effects).await {
                    // The acks were not stored: these docs still count as unpushed here
                    // and in storage, so push them again (re-sending is harmless).
                    for doc in pushed {
                        self.client.still_dirty(doc);
                    }
                }
            }
            Err(e) => self.failed(e).await,
        }
    }

    async fn pulled(&mut self, result: Result<PullResponse, NetError>) {
        match result {
            Ok(resp) => {
                self.reached();
                if let Some(p) = resp.progress {
                    self.say(SyncUpdate::Progress(p));
                }
                let caught_up = !resp.more;
                let before = self.client.cursor().to_vec();
                let effects = self.client.handle(platform::now(), Event::Pulled(resp));
                if !self.carry_out(effects).await {
                    // Nothing of the page was stored: pull it again later, from where
                    // the phone really is.
                    self.client.pull_not_stored(platform::now(), before);
                } else if caught_up {
                    self.say(SyncUpdate::CaughtUp);
                }
            }
            Err(e) => self.failed(e).await,
        }
    }

    async fn failed(&mut self, e: NetError) {
        // No answer, whether no network or one too slow to answer in time, is the normal
        // offline state: the status bar shows it, no error is said.
        if matches!(e, NetError::Unreachable | NetError::TimedOut) {
            self.reachable = false;
        } else if e.retryable() {
            self.say(SyncUpdate::Trouble(e.to_string()));
        }
        // A slow network gets smaller pulls; see `ClientConfig::pull_max_bytes`.
        let event = if e == NetError::TimedOut { Event::TimedOut } else { Event::Failed { retryable: e.retryable() } };
        self.event(event).await;
    }

    /// Store the effects in one transaction; false if nothing could be stored.
    async fn carry_out(&mut self, effects: Vec<Effect>) -> bool {
        if effects.is_empty() {
            return true;
        }
        match self.repo.apply(effects).await {
            Ok(applied) => {
                self.after(applied).await;
                true
            }
            Err(e) => {
                self.say(SyncUpdate::Trouble(e.to_string()));
                false
            }
        }
    }

    async fn after(&mut self, applied: Applied) {
        let Applied { upserts, removed, team, still_dirty, fallbacks, refusals, signed_out, .. } = applied;
        for doc in still_dirty {
            self.client.still_dirty(doc);
        }
        if !upserts.is_empty() || !removed.is_empty() {
            self.say(SyncUpdate::Changed { upserts, removed });
        }
        if let Some(team) = team {
            self.say(SyncUpdate::Team(team));
        }
        for message in refusals {
            self.say(SyncUpdate::Refused(message));
        }
        if signed_out {
            self.say(SyncUpdate::SignedOut);
        }
        for doc in fallbacks {
            self.fallback(doc).await;
        }
    }

    /// The per-doc Automerge sync for a doc whose heads the server could not place. If
    /// the network fails halfway, the doc stays dirty and the next push tries again.
    async fn fallback(&mut self, doc: DocId) {
        let mut step = match self.repo.fallback_start(&doc).await {
            Ok(Some(step)) => step,
            Ok(None) => return,
            Err(e) => {
                self.say(SyncUpdate::Trouble(e.to_string()));
                return;
            }
        };
        loop {
            match step {
                FallbackStep::Send(req) => match api::sync::<_, DocSyncResponse>(&self.token, "/api/sync/doc", &req).await {
                    Ok(resp) => match self.repo.fallback_receive(&doc, resp).await {
                        Ok(next) => step = next,
                        Err(e) => step = FallbackStep::Failed(e.to_string()),
                    },
                    Err(_) => {
                        self.client.still_dirty(doc);
                        return;
                    }
                },
                FallbackStep::Done => break,
                FallbackStep::Refused { code, message } => {
                    // As for a refused push: back to what the server has, and say why.
                    let refused = vec![Effect::Refused { doc, code, message }];
                    Box::pin(self.carry_out(refused)).await;
                    return;
                }
                FallbackStep::Failed(message) => {
                    self.say(SyncUpdate::Trouble(message));
                    self.client.still_dirty(doc);
                    return;
                }
            }
        }
        match self.repo.finish_fallback(&doc).await {
            Ok((applied, dirty)) => {
                if dirty {
                    self.client.still_dirty(doc);
                }
                Box::pin(self.after(applied)).await;
            }
            Err(e) => self.say(SyncUpdate::Trouble(e.to_string())),
        }
    }
}
