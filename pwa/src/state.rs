//! The app's state and its one reducer (`AppState` + `Action` + `Reducible`), plus the
//! pure derivations the screens show: the calling queue, the due list, search results.
//! No IO here: effects live in `services` and in the components that call them.

use crate::services::api::Session;
use crate::services::sync::SyncStatus;
use dialbook_core::priority::{self, Priority};
use dialbook_core::protocol::wire::Progress;
use dialbook_core::rules::{FollowUpRules, QuickChip};
use dialbook_core::summary::{LeadSummary, SearchQuery};
use dialbook_core::team::Team;
use dialbook_core::{CallOutcome, LeadId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::Reducible;

/// A follow-up this close counts as due for the queue: calling a few minutes early is
/// better than an empty queue.
const DUE_SOON_MS: i64 = 10 * 60_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Opening storage.
    Booting,
    SignedOut { notice: Option<String> },
    /// Signed in, the first full sync has not finished.
    FirstSync,
    Ready,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Due,
    Leads,
    Lead(LeadId),
    Edit(LeadId),
    Add,
}

impl Screen {
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Queue => "queue",
            Screen::Due => "due",
            Screen::Leads => "leads",
            Screen::Lead(_) => "lead",
            Screen::Edit(_) => "edit",
            Screen::Add => "add",
        }
    }

    /// The path shown in the address bar, so a reload comes back to the same screen.
    pub fn path(&self) -> String {
        match self {
            Screen::Queue => "/".into(),
            Screen::Due => "/due".into(),
            Screen::Leads => "/leads".into(),
            Screen::Lead(id) => format!("/leads/{id}"),
            Screen::Edit(id) => format!("/leads/{id}/edit"),
            Screen::Add => "/add".into(),
        }
    }

    pub fn from_path(path: &str) -> Screen {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["due"] => Screen::Due,
            ["leads"] => Screen::Leads,
            ["add"] => Screen::Add,
            ["leads", id] => LeadId::parse(id).map(Screen::Lead).unwrap_or(Screen::Leads),
            ["leads", id, "edit"] => LeadId::parse(id).map(Screen::Edit).unwrap_or(Screen::Leads),
            _ => Screen::Queue,
        }
    }
}

/// When the next follow-up goes, as chosen on the outcome sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FollowUpChoice {
    /// What the team's rule for the tapped outcome says.
    #[default]
    Rule,
    Chip(QuickChip),
    At(Timestamp),
}

/// The outcome sheet while it is open: kept in IndexedDB, so it survives the app being
/// killed while the telecaller is on the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub lead: LeadId,
    pub dialled_at: Timestamp,
    /// When the app went to the background (the dialer came up).
    pub hidden_at: Option<Timestamp>,
    /// When it came back (the call ended).
    pub returned_at: Option<Timestamp>,
    pub follow_up: FollowUpChoice,
    pub note: String,
}

impl Draft {
    pub fn new(lead: LeadId, now: Timestamp) -> Self {
        Self { lead, dialled_at: now, hidden_at: None, returned_at: None, follow_up: FollowUpChoice::Rule, note: String::new() }
    }

    /// The follow-up the chip or picked time gives, or `None` while "by team rule".
    pub fn chosen_follow_up(&self, now: Timestamp, rules: &FollowUpRules) -> Option<Timestamp> {
        match self.follow_up {
            FollowUpChoice::Rule => None,
            FollowUpChoice::Chip(chip) => Some(rules.resolve(chip, now)),
            FollowUpChoice::At(t) => Some(t),
        }
    }

    /// The follow-up that logging `outcome` now sets: the chosen one, else the rule's.
    pub fn follow_up_for(&self, outcome: CallOutcome, now: Timestamp, rules: &FollowUpRules) -> Option<Timestamp> {
        match self.follow_up {
            FollowUpChoice::Rule => rules.suggest(outcome, now, None),
            _ => self.chosen_follow_up(now, rules),
        }
    }

    /// The call's estimated length: the time spent away in the dialer, less a few seconds
    /// of dialling; without a trip away (desktop), the time since the call button.
    pub fn estimated_secs(&self, now: Timestamp) -> u32 {
        const DIALLING_MS: i64 = 5_000;
        let ms = match (self.hidden_at, self.returned_at) {
            (Some(h), Some(r)) => (r.0 - h.0 - DIALLING_MS).max(0),
            (Some(h), None) => (now.0 - h.0 - DIALLING_MS).max(0),
            _ => now.0 - self.dialled_at.0,
        };
        (ms.max(0) / 1000) as u32
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sheet {
    Outcome(Draft),
    Snooze(LeadId),
    Help,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u32,
    pub text: String,
    pub error: bool,
}

#[derive(Clone, PartialEq)]
pub struct AppState {
    pub phase: Phase,
    pub session: Option<Rc<Session>>,
    pub leads: Rc<BTreeMap<LeadId, LeadSummary>>,
    pub team: Rc<Team>,
    pub members: Rc<BTreeMap<UserId, String>>,
    pub screen: Screen,
    pub sheet: Option<Sheet>,
    pub sync: SyncStatus,
    pub progress: Option<Progress>,
    pub toast: Option<Toast>,
    /// Leads skipped for now, until when.
    pub skips: Rc<BTreeMap<LeadId, Timestamp>>,
    /// The clock, ticked every 30 s so "overdue 5 min" stays true.
    pub now: Timestamp,
    /// A new version of the app is installed and waiting.
    pub update_ready: bool,
}

impl AppState {
    pub fn new(now: Timestamp, screen: Screen) -> Self {
        Self {
            phase: Phase::Booting,
            session: None,
            leads: Rc::default(),
            team: Rc::new(Team::initial()),
            members: Rc::default(),
            screen,
            sheet: None,
            sync: SyncStatus::default(),
            progress: None,
            toast: None,
            skips: Rc::default(),
            now,
            update_ready: false,
        }
    }

    pub fn me(&self) -> Option<UserId> {
        self.session.as_ref().map(|s| s.user.id)
    }

    /// My leads to call now, best first, with why each is where it is: today's queue
    /// (`priority::in_queue`) less the follow-ups that are not due yet — a lead just
    /// logged "no answer, try at 4:30" waits for 4:30 instead of coming straight back
    /// (it is in "Due now" meanwhile) — and less the leads skipped for now.
    pub fn queue(&self) -> Vec<(&LeadSummary, Priority)> {
        let rules = &self.team.rules;
        let soon = self.now.plus_millis(DUE_SOON_MS);
        let today = priority::Today::new(self.now, rules);
        let mine = self.mine().filter(|l| {
            priority::in_queue_today(&l.priority_input(), today)
                && l.follow_up.is_none_or(|f| f <= soon)
                && self.skips.get(&l.id).is_none_or(|until| *until <= self.now)
        });
        priority::rank_with(mine.map(|l| (l, l.priority_input())), today)
    }

    /// My follow-ups that are overdue or due before the end of today, soonest first.
    /// Computed from local data only, so it is right offline too.
    pub fn due(&self) -> Vec<&LeadSummary> {
        let end = self.team.rules.end_of_today(self.now);
        let mut due: Vec<&LeadSummary> =
            self.mine().filter(|l| !l.status.is_closed() && l.follow_up.is_some_and(|f| f < end)).collect();
        due.sort_by(|a, b| (a.follow_up, &a.id).cmp(&(b.follow_up, &b.id)));
        due
    }

    /// Leads matching a search, best-ranked first, at most `limit`, and how many matched.
    pub fn search(&self, query: &SearchQuery, limit: usize) -> (Vec<&LeadSummary>, usize) {
        let matching: Vec<&LeadSummary> = self.leads.values().filter(|l| query.matches(l)).collect();
        let total = matching.len();
        let today = priority::Today::new(self.now, &self.team.rules);
        let ranked = priority::rank_with(matching.into_iter().map(|l| (l, l.priority_input())), today);
        let out = ranked.into_iter().take(limit).map(|(l, _)| l).collect();
        (out, total)
    }

    /// Another lead on this phone with the same mobile number (or alternate).
    pub fn duplicate_of(&self, mobile: &dialbook_core::PhoneNumber, except: Option<&LeadId>) -> Option<&LeadSummary> {
        self.leads.values().find(|l| {
            !l.deleted && Some(&l.id) != except && (&l.mobile == mobile || l.alt_mobile.as_ref() == Some(mobile))
        })
    }

    pub fn member_name(&self, id: UserId) -> String {
        if self.me() == Some(id) {
            return "you".into();
        }
        self.members.get(&id).cloned().unwrap_or_else(|| format!("user {id}"))
    }

    fn mine(&self) -> impl Iterator<Item = &LeadSummary> {
        let me = self.me();
        self.leads.values().filter(move |l| !l.deleted && l.assignee.is_some() && l.assignee == me)
    }
}

// Actions are dispatched a few times a second at most and moved, never stored in bulk:
// boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Action {
    SignedOut { notice: Option<String> },
    /// Storage is open and holds a session (or a login just succeeded).
    SignedIn { session: Rc<Session>, leads: Vec<LeadSummary>, synced: bool },
    FirstSyncDone,
    LeadsChanged { upserts: Vec<LeadSummary>, removed: Vec<LeadId> },
    Team(Team),
    Members(BTreeMap<UserId, String>),
    Sync(SyncStatus),
    Progress(Progress),
    Go(Screen),
    OpenSheet(Box<Sheet>),
    /// The outcome sheet's draft changed (restored on start, typed in, chip tapped).
    Draft(Draft),
    CloseSheet,
    /// Dictated words for the note of the call with `lead`, if its sheet is still open.
    AppendNote { lead: LeadId, text: String },
    /// A call was logged and is durable: close the sheet, say so.
    Logged { summary: LeadSummary, outcome: CallOutcome, message: String },
    Skip { lead: LeadId, until: Timestamp },
    Skips(BTreeMap<LeadId, Timestamp>),
    Toast { text: String, error: bool },
    DismissToast(u32),
    Tick(Timestamp),
    UpdateReady,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SignedOut { notice } => {
                s.phase = Phase::SignedOut { notice };
                s.session = None;
                s.sheet = None;
            }
            Action::SignedIn { session, leads, synced } => {
                s.session = Some(session);
                s.leads = Rc::new(leads.into_iter().map(|l| (l.id.clone(), l)).collect());
                s.phase = if synced { Phase::Ready } else { Phase::FirstSync };
            }
            Action::FirstSyncDone => {
                if s.phase == Phase::FirstSync {
                    s.phase = Phase::Ready;
                }
                s.progress = None;
            }
            Action::LeadsChanged { upserts, removed } => {
                let leads = Rc::make_mut(&mut s.leads);
                for l in upserts {
                    leads.insert(l.id.clone(), l);
                }
                for id in &removed {
                    leads.remove(id);
                }
                // A lead reassigned away while its screen or sheet is open: leave cleanly.
                let gone = |id: &LeadId| !s.leads.contains_key(id);
                if matches!(&s.screen, Screen::Lead(id) | Screen::Edit(id) if gone(id)) {
                    s.screen = Screen::Queue;
                }
                if matches!(&s.sheet, Some(Sheet::Outcome(Draft { lead, .. }) | Sheet::Snooze(lead)) if gone(lead)) {
                    s.sheet = None;
                }
            }
            Action::Team(team) => s.team = Rc::new(team),
            Action::Members(m) => s.members = Rc::new(m),
            Action::Sync(status) => s.sync = status,
            Action::Progress(p) => s.progress = Some(p),
            Action::Go(screen) => {
                s.screen = screen;
                if !matches!(s.sheet, Some(Sheet::Outcome(_))) {
                    s.sheet = None;
                }
            }
            Action::OpenSheet(sheet) => s.sheet = Some(*sheet),
            Action::Draft(draft) => s.sheet = Some(Sheet::Outcome(draft)),
            Action::CloseSheet => s.sheet = None,
            Action::AppendNote { lead, text } => {
                if let Some(Sheet::Outcome(d)) = &mut s.sheet
                    && d.lead == lead
                {
                    d.note = if d.note.trim().is_empty() { text } else { format!("{} {text}", d.note.trim_end()) };
                }
            }
            Action::Logged { summary, message, .. } => {
                if matches!(&s.sheet, Some(Sheet::Outcome(d)) if d.lead == summary.id) {
                    s.sheet = None;
                }
                Rc::make_mut(&mut s.leads).insert(summary.id.clone(), summary);
                s.toast = Some(next_toast(&self.toast, message, false));
            }
            Action::Skip { lead, until } => {
                Rc::make_mut(&mut s.skips).insert(lead, until);
                s.sheet = None;
            }
            Action::Skips(skips) => s.skips = Rc::new(skips),
            Action::Toast { text, error } => s.toast = Some(next_toast(&self.toast, text, error)),
            Action::DismissToast(id) => {
                if s.toast.as_ref().is_some_and(|t| t.id == id) {
                    s.toast = None;
                }
            }
            Action::Tick(now) => {
                s.now = now;
                Rc::make_mut(&mut s.skips).retain(|_, until| *until > now);
            }
            Action::UpdateReady => s.update_ready = true,
        }
        Rc::new(s)
    }
}

fn next_toast(prev: &Option<Toast>, text: String, error: bool) -> Toast {
    Toast { id: prev.as_ref().map_or(1, |t| t.id.wrapping_add(1)), text, error }
}
