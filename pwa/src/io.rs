//! What the user's taps do beyond the screen: sign in and out, log a call, snooze, save
//! a lead, keep the outcome draft. Each operation writes to IndexedDB first and only
//! then tells the reducer (so "saved" on screen means saved on the phone), then wakes
//! the sync loop. Views reach these through [`crate::app::Ctx`].

use crate::services::api::{self, Session};
use crate::services::zone_offsets;
use crate::services::platform::{self, now};
use crate::services::repo::{EditError, Editor, Repo};
use crate::services::store::{StartRead, Store, keys};
use crate::services::sync::{self, SyncHandle, SyncUpdate};
use crate::state::{Action, AppState, Draft};
use crate::theme::{self, Theme};
use dialbook_core::rules::FollowUpRules;
use dialbook_core::team::Team;
use dialbook_core::lead::{CallLog, LeadEdit, NewLead};
use dialbook_core::{CallOutcome, DocId, LeadId, Timestamp, UserId};
use std::cell::Cell;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use yew::UseReducerDispatcher;

/// A sync that changed at least this many summaries makes the snapshot again; fewer are
/// read apart at the next start.
const SNAPSHOT_AFTER_SYNC: u32 = 200;

pub struct Io {
    /// A call is being stored: a second tap or key press must not log it twice.
    logging: Cell<bool>,
    store: Rc<Store>,
    repo: RefCell<Option<Rc<Repo>>>,
    sync: RefCell<Option<SyncHandle>>,
    dispatch: Dispatch,
}

/// The reducer's dispatcher once the app is mounted. Until then actions wait here: start-up
/// builds the app's first state from them before mounting it (`crate::start`), so the
/// first screen is drawn once, from data already read, with no boot screen before it.
#[derive(Default)]
struct Dispatch {
    live: RefCell<Option<UseReducerDispatcher<AppState>>>,
    waiting: RefCell<Vec<Action>>,
}

impl Dispatch {
    fn dispatch(&self, action: Action) {
        match &*self.live.borrow() {
            Some(d) => d.dispatch(action),
            None => self.waiting.borrow_mut().push(action),
        }
    }
}

impl Io {
    /// Open storage and, if someone is signed in on this phone, start where they left off.
    /// What that means for the screen waits as actions ([`Io::take_waiting`]) until the
    /// app is mounted ([`Io::attach`]).
    pub async fn boot() -> Result<Rc<Io>, String> {
        let store = Store::open(crate::services::store::DB_NAME).await.map_err(|e| e.to_string())?;
        let io = Rc::new(Io {
            logging: Cell::new(false),
            store: Rc::new(store),
            repo: RefCell::new(None),
            sync: RefCell::new(None),
            dispatch: Dispatch::default(),
        });
        let start = match platform::take_start_read().await.map(|read| StartRead::from_js(&read)) {
            Some(Ok(start)) => start,
            Some(Err(e)) => {
                platform::warn(&format!("start-up read ahead was unusable ({e}); reading again"));
                io.start_read().await
            }
            None => io.start_read().await,
        };
        platform::step("dialbook:start-read-decoded");
        // This phone's look and calendar before anything is drawn or reads a time.
        let chosen = start.meta.get(keys::THEME).and_then(|b| Theme::parse(std::str::from_utf8(b).ok()?));
        theme::show(chosen.unwrap_or(Theme::System));
        zone_offsets::restore(start.meta.get(keys::ZONE_OFFSETS).map(Vec::as_slice));
        if chosen.is_none() {
            // A choice an older version kept in localStorage moves to meta, once the
            // first screen is up (localStorage's first use is slow).
            let io = io.clone();
            wasm_bindgen_futures::spawn_local(async move {
                platform::first_screen().await;
                if let Some(old) = theme::take_old_choice() {
                    theme::show(old);
                    io.save_theme(old);
                }
            });
        }
        let session = start.meta.get(keys::SESSION).and_then(|b| serde_json::from_slice::<Session>(b).ok());
        match session {
            Some(session) => io.resume(session, start).await,
            None => io.dispatch.dispatch(Action::SignedOut { notice: None }),
        }
        Ok(io)
    }

    /// The actions start-up produced before the app was mounted: its first state.
    pub fn take_waiting(&self) -> Vec<Action> {
        std::mem::take(&mut self.dispatch.waiting.borrow_mut())
    }

    /// The app is mounted: actions go to its reducer from now on (any that waited first).
    pub fn attach(&self, dispatcher: UseReducerDispatcher<AppState>) {
        if self.dispatch.live.borrow().is_some() {
            return;
        }
        *self.dispatch.live.borrow_mut() = Some(dispatcher.clone());
        for action in self.take_waiting() {
            dispatcher.dispatch(action);
        }
    }

    /// Keeps the theme chosen on this phone (it is already on screen).
    pub fn save_theme(self: &Rc<Self>, theme: Theme) {
        let store = self.store.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = store.put_meta(keys::THEME, theme.as_str().as_bytes()).await {
                platform::warn(&e.to_string());
            }
        });
    }

    /// What start-up reads; nothing (as on a new phone) if storage cannot be read.
    async fn start_read(&self) -> StartRead {
        self.store.start_read().await.unwrap_or_else(|e| {
            platform::warn(&e.to_string());
            StartRead::default()
        })
    }

    pub async fn sign_in(self: &Rc<Self>, username: &str, password: &str) -> Result<(), String> {
        let session = api::login(username, password, &platform::device_name()).await.map_err(|e| e.to_string())?;
        let tx_error = |e: crate::services::store::StoreError| e.to_string();
        let owner: Option<UserId> = self.store.meta(keys::OWNER).await.map_err(tx_error)?.and_then(|b| serde_json::from_slice(&b).ok());
        if owner.is_some_and(|o| o != session.user.id) {
            // Another person's leads must not stay on the phone, but their unsent calls
            // must not be thrown away either.
            let unsent = self.store.outbox().await.map_err(tx_error)?.len();
            if unsent > 0 {
                let _ = api::logout(&session.token).await;
                return Err(format!(
                    "This phone holds {unsent} changes of another user that are not on the server yet. \
                     That user must sign in once with network to send them before someone else can sign in here."
                ));
            }
            self.store.clear().await.map_err(tx_error)?;
        }
        let bytes = serde_json::to_vec(&session).map_err(|e| e.to_string())?;
        let owner = serde_json::to_vec(&session.user.id).map_err(|e| e.to_string())?;
        let tx = self.store.begin().map_err(tx_error)?;
        tx.put_meta(keys::SESSION, &bytes).map_err(tx_error)?;
        tx.put_meta(keys::OWNER, &owner).map_err(tx_error)?;
        tx.commit().await.map_err(tx_error)?;
        platform::request_persistent_storage();
        let start = self.start_read().await;
        self.resume(session, start).await;
        Ok(())
    }

    /// Sign out; the leads stay until someone else signs in, so unsynced calls survive.
    pub async fn sign_out(self: &Rc<Self>) {
        if let Some(sync) = self.sync.borrow_mut().take() {
            sync.stop();
        }
        let session = self.store.meta(keys::SESSION).await.ok().flatten().and_then(|b| serde_json::from_slice::<Session>(&b).ok());
        if let Ok(tx) = self.store.begin() {
            let _ = tx.delete_meta(keys::SESSION);
            let _ = tx.commit().await;
        }
        if let Some(s) = session {
            let _ = api::logout(&s.token).await;
        }
        self.dispatch.dispatch(Action::SignedOut { notice: None });
    }

    async fn resume(self: &Rc<Self>, session: Session, start: StartRead) {
        let StartRead { mut meta, summaries: leads, outbox: dirty } = start;
        let actor = self.actor(meta.remove(keys::ACTOR)).await;
        let editor = Editor { user: session.user.id, device: session.device_name.clone(), actor };
        let repo = Rc::new(Repo::open(crate::services::store::DB_NAME, editor));
        let synced = meta.contains_key(keys::SYNCED);
        let cursor = meta.remove(keys::CURSOR).unwrap_or_default();
        // Kept beside the team document as read, so the app starts with it before the
        // document worker has started; asked of the worker only if an older version did
        // not keep it.
        let team: Option<Team> = match meta.get(keys::TEAM).and_then(|b| postcard::from_bytes(b).ok()) {
            Some(team) => Some(team),
            None => repo.team().await.ok().flatten(),
        };
        let zone = team.as_ref().map_or_else(|| FollowUpRules::default().time_zone, |t| t.rules.time_zone.clone());
        fn json<T: serde::de::DeserializeOwned>(meta: &HashMap<String, Vec<u8>>, key: &str) -> Option<T> {
            meta.get(key).and_then(|b| serde_json::from_slice(b).ok())
        }
        let members: Option<BTreeMap<_, _>> = json(&meta, keys::MEMBERS);
        let skips: Option<BTreeMap<LeadId, Timestamp>> = json(&meta, keys::SKIPS);
        let draft: Option<Draft> = json(&meta, keys::DRAFT);

        let session = Rc::new(session);
        platform::step("dialbook:signed-in");
        self.dispatch.dispatch(Action::SignedIn { session: session.clone(), leads, synced });
        if let Some(team) = team {
            self.dispatch.dispatch(Action::Team(team));
        }
        if let Some(m) = members {
            self.dispatch.dispatch(Action::Members(m));
        }
        if let Some(s) = skips {
            self.dispatch.dispatch(Action::Skips(s));
        }
        if let Some(d) = draft {
            self.dispatch.dispatch(Action::Draft(d));
        }
        *self.repo.borrow_mut() = Some(repo.clone());
        // The network, and keeping the zone's offsets, once the first screen is up (see
        // `platform::first_screen`): they bring nothing that screen needs.
        let io = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            platform::first_screen().await;
            let Some(me) = io.upgrade() else { return };
            let on = io.clone();
            let handle = sync::start(repo, session.token.clone(), cursor, dirty, move |update| {
                if let Some(io) = on.upgrade() {
                    io.on_sync(update);
                }
            });
            *me.sync.borrow_mut() = Some(handle);
            me.refresh_members(session.token.clone());
            zone_offsets::refresh(&zone, now(), &me.store).await;
        });
    }

    fn refresh_members(self: &Rc<Self>, token: String) {
        let io = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(list) = api::members(&token).await {
                let map: BTreeMap<_, _> = list.into_iter().map(|m| (m.id, m.display_name)).collect();
                if let Ok(bytes) = serde_json::to_vec(&map) {
                    let _ = io.store.put_meta(keys::MEMBERS, &bytes).await;
                }
                io.dispatch.dispatch(Action::Members(map));
            }
        });
    }

    fn on_sync(self: &Rc<Self>, update: SyncUpdate) {
        let d = &self.dispatch;
        match update {
            SyncUpdate::Status(s) => d.dispatch(Action::Sync(s)),
            SyncUpdate::Progress(p) => d.dispatch(Action::Progress(p)),
            SyncUpdate::Changed { upserts, removed } => d.dispatch(Action::LeadsChanged { upserts, removed }),
            SyncUpdate::Team(t) => d.dispatch(Action::Team(t)),
            SyncUpdate::Refused(message) => d.dispatch(Action::Toast { text: format!("Not saved on the server: {message}"), error: true }),
            SyncUpdate::Trouble(message) => d.dispatch(Action::Toast { text: message, error: true }),
            SyncUpdate::CaughtUp => {
                let io = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if io.store.meta(keys::SYNCED).await.ok().flatten().is_none() {
                        let _ = io.store.put_meta(keys::SYNCED, b"1").await;
                    }
                    io.dispatch.dispatch(Action::FirstSyncDone);
                    // After a first sync (or any sync that brought many changes), so the
                    // next start reads one value.
                    io.snapshot_summaries(SNAPSHOT_AFTER_SYNC).await;
                });
            }
            SyncUpdate::SignedOut => {
                if let Some(sync) = self.sync.borrow_mut().take() {
                    sync.stop();
                }
                d.dispatch(Action::SignedOut { notice: Some("Your session ended. Sign in again — nothing on this phone is lost.".into()) });
            }
        }
    }

    /// Keep start-up's summary snapshot fresh (see `Store::snapshot_summaries`): at start
    /// after the first screen (any change since), and after a sync that changed many.
    pub async fn snapshot_summaries(&self, min_changed: u32) {
        let Ok(repo) = self.repo() else { return };
        if let Err(e) = repo.snapshot_summaries(min_changed).await {
            platform::warn(&e.to_string());
        }
    }

    /// This install's Automerge actor (`stored`, as start-up read it), made once and kept.
    async fn actor(&self, stored: Option<Vec<u8>>) -> Vec<u8> {
        if let Some(bytes) = stored
            && bytes.len() == 16
        {
            return bytes;
        }
        let bytes = platform::random_bytes::<16>();
        let _ = self.store.put_meta(keys::ACTOR, &bytes).await;
        bytes.to_vec()
    }

    fn repo(&self) -> Result<Rc<Repo>, String> {
        self.repo.borrow().clone().ok_or_else(|| "Sign in first.".to_owned())
    }

    pub fn sync_now(&self) {
        if let Some(s) = self.sync.borrow().as_ref() {
            s.kick();
        }
    }

    fn changed(&self, id: &LeadId) {
        if let Some(s) = self.sync.borrow().as_ref() {
            s.local_change(DocId::Lead(id.clone()));
        }
        if !platform::is_online() {
            crate::views::update::request_background_sync();
        }
    }

    /// Keep the outcome sheet's draft (it survives the app being killed).
    pub fn save_draft(self: &Rc<Self>, draft: Option<&Draft>) {
        let io = self.clone();
        let bytes = draft.and_then(|d| serde_json::to_vec(d).ok());
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(tx) = io.store.begin() else { return };
            let done = match &bytes {
                Some(b) => tx.put_meta(keys::DRAFT, b),
                None => tx.delete_meta(keys::DRAFT),
            };
            if done.is_ok() {
                let _ = tx.commit().await;
            }
        });
    }

    /// Log the call the draft is about. Returns once it is durable on the phone.
    pub async fn log_call(&self, state: &AppState, draft: &Draft, outcome: CallOutcome) -> Result<(), String> {
        if self.logging.replace(true) {
            return Ok(());
        }
        let result = self.log_call_once(state, draft, outcome).await;
        self.logging.set(false);
        result
    }

    async fn log_call_once(&self, state: &AppState, draft: &Draft, outcome: CallOutcome) -> Result<(), String> {
        platform::mark("dialbook:outcome-tap");
        let repo = self.repo()?;
        let now = now();
        let rules = &state.team.rules;
        let follow_up = draft.follow_up_for(outcome, now, rules);
        let call = CallLog { outcome, duration_secs: draft.estimated_secs(now), note: draft.note.clone(), voice_note: None, follow_up };
        let saved = repo
            .edit_clearing(&draft.lead, now, vec![LeadEdit::LogCall(call)], Some(keys::DRAFT))
            .await
            .map_err(|e: EditError| e.to_string())?;
        // For the benchmark: durable is when the worker's transaction completed; saved is
        // when the page knows it (and says so on screen).
        platform::measure_until("dialbook:outcome-durable", "dialbook:outcome-tap", saved.durable_at);
        platform::measure("dialbook:outcome-saved", "dialbook:outcome-tap");
        let summary = saved.summary;
        let when = crate::format::follow_up_phrase(follow_up, now, rules);
        let message = format!("Saved · {} · {when}", outcome.label());
        self.dispatch.dispatch(Action::Logged { summary, outcome, message });
        self.changed(&draft.lead);
        Ok(())
    }

    /// Move the follow-up (snooze). Synced, so every device of the team agrees.
    pub async fn snooze(&self, lead: &LeadId, until: Timestamp, label: &str) -> Result<(), String> {
        let repo = self.repo()?;
        let summary = repo.edit(lead, now(), vec![LeadEdit::FollowUp(Some(until))]).await.map_err(|e| e.to_string())?;
        self.dispatch.dispatch(Action::LeadsChanged { upserts: vec![summary], removed: vec![] });
        self.dispatch.dispatch(Action::CloseSheet);
        self.dispatch.dispatch(Action::Toast { text: format!("Snoozed · back {label}"), error: false });
        self.changed(lead);
        Ok(())
    }

    /// Skip for now: this phone only, until later today.
    pub async fn skip(&self, state: &AppState, lead: &LeadId, until: Timestamp) {
        let mut skips = (*state.skips).clone();
        skips.insert(lead.clone(), until);
        if let Ok(bytes) = serde_json::to_vec(&skips) {
            let _ = self.store.put_meta(keys::SKIPS, &bytes).await;
        }
        self.dispatch.dispatch(Action::Skip { lead: lead.clone(), until });
    }

    pub async fn create_lead(&self, new: NewLead) -> Result<LeadId, String> {
        let repo = self.repo()?;
        let id = new.id.clone();
        let summary = repo.create(now(), new).await.map_err(|e| e.to_string())?;
        self.dispatch.dispatch(Action::LeadsChanged { upserts: vec![summary], removed: vec![] });
        self.changed(&id);
        Ok(id)
    }

    /// Save the lead form's changes (nothing to save is fine: no change is made).
    pub async fn edit_lead(&self, id: &LeadId, edits: Vec<LeadEdit>) -> Result<(), String> {
        let repo = self.repo()?;
        let summary = repo.edit(id, now(), edits).await.map_err(|e| e.to_string())?;
        self.dispatch.dispatch(Action::LeadsChanged { upserts: vec![summary], removed: vec![] });
        self.changed(id);
        Ok(())
    }

    /// The telecaller is on a call with this lead: load its document now, so logging
    /// the outcome is quick.
    pub fn warm_up(&self, id: &LeadId) {
        if let Ok(repo) = self.repo() {
            let id = id.clone();
            wasm_bindgen_futures::spawn_local(async move { repo.warm_up(&id).await });
        }
    }

    pub async fn lead(&self, id: &LeadId) -> Result<Option<dialbook_core::lead::Lead>, String> {
        self.repo()?.lead(id).await.map_err(|e| e.to_string())
    }
}
