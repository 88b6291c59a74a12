//! The root component: owns the reducer, boots storage, and wires the browser's global
//! events (back button, visibility after the dialer, keyboard, clock, service worker
//! updates) to actions. Screens get the state and the IO through the [`Ctx`] context.

use crate::io::Io;
use crate::services::{docs, phone};
use crate::services::platform::{self, Listener, now};
use crate::state::{Action, AppState, Draft, Phase, Screen, Sheet};
use crate::views;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Clone)]
pub struct Ctx {
    pub state: UseReducerHandle<AppState>,
    pub io: Option<Rc<Io>>,
}

impl PartialEq for Ctx {
    /// The state compares its lead list by pointer first (summaries are `Eq`), so an
    /// unchanged list of 5,000 is not compared summary by summary on every render.
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
            && match (&self.io, &other.io) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

impl Ctx {
    pub fn go(&self, screen: Screen) {
        self.state.dispatch(Action::Go(screen));
    }
    pub fn toast(&self, text: impl Into<String>, error: bool) {
        self.state.dispatch(Action::Toast { text: text.into(), error });
    }
    /// Dial from code (a swipe, a key): what tapping the Call link does.
    pub fn dial(&self, lead: &dialbook_core::summary::LeadSummary) {
        self.dialled(&lead.id);
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(&crate::views::lead_card::tel_href(lead));
        }
    }

    /// The call button was tapped (or the card swiped right): open the outcome sheet now,
    /// so it is waiting when the telecaller comes back from the dialer.
    pub fn dialled(&self, lead: &dialbook_core::LeadId) {
        let draft = Draft::new(lead.clone(), now());
        self.state.dispatch(Action::Draft(draft));
        if let Some(io) = &self.io {
            io.warm_up(lead);
        }
    }
}

pub(crate) fn location_path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
}

/// What `crate::start` made before mounting the app: storage opened (or why it could not
/// be) and the first state, built from start-up's read.
pub struct Start {
    pub io: Result<Rc<Io>, String>,
    pub state: RefCell<Option<AppState>>,
}

#[derive(Properties, Clone)]
pub struct AppProps {
    pub start: Rc<Start>,
}

impl PartialEq for AppProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.start, &other.start)
    }
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    let start = props.start.clone();
    let state = use_reducer(move || {
        start.state.take().unwrap_or_else(|| AppState::new(now(), Screen::from_path(&location_path())))
    });
    let io = props.start.io.as_ref().ok().cloned();
    if let Some(io) = &io {
        io.attach(state.dispatcher());
    }
    let fatal = props.start.io.as_ref().err();
    use_clock(&state);
    use_history(&state);
    use_dialer_return(&state);
    use_draft_persistence(&state, io.as_ref());
    crate::views::keys::use_shortcuts(&state, io.as_ref());
    crate::views::update::use_service_worker(&state, io.as_ref());
    use_first_screen(&state);
    use_first_paint_mark(&state);
    use_summary_snapshot(state.phase == Phase::Ready, io.clone());

    if let Some(e) = fatal {
        return html! { <div class="fatal" role="alert"><h1>{ "Dialbook can't start" }</h1><p>{ e }</p>
            <p>{ "Private browsing and some storage settings block the app's storage. Open it in a normal tab." }</p></div> };
    }
    let ctx = Ctx { state: state.clone(), io };
    let body = match &state.phase {
        // Not drawn: the app is mounted with start-up's state (`crate::start`); the page's
        // splash shows until then.
        Phase::Booting => html! {},
        Phase::SignedOut { notice } => html! { <views::login::Login notice={notice.clone()} /> },
        Phase::FirstSync => html! { <views::first_sync::FirstSync /> },
        Phase::Ready => html! { <views::shell::Shell /> },
    };
    html! { <ContextProvider<Ctx> context={ctx}>{ body }</ContextProvider<Ctx>> }
}

/// Tick the clock every 30 s so "overdue 5 min" and the due list stay true.
#[hook]
fn use_clock(state: &UseReducerHandle<AppState>) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        let interval = gloo_interval(30_000, move || dispatcher.dispatch(Action::Tick(now())));
        move || drop(interval)
    });
}

fn gloo_interval(ms: i32, f: impl Fn() + 'static) -> impl Drop {
    struct Interval(i32, #[allow(dead_code)] wasm_bindgen::closure::Closure<dyn Fn()>);
    impl Drop for Interval {
        fn drop(&mut self) {
            if let Some(w) = web_sys::window() {
                w.clear_interval_with_handle(self.0);
            }
        }
    }
    let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(f);
    let id = web_sys::window()
        .and_then(|w| w.set_interval_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), ms).ok())
        .unwrap_or_default();
    Interval(id, closure)
}

/// Keep the address bar in step with the screen, and let the phone's back button go back.
#[hook]
fn use_history(state: &UseReducerHandle<AppState>) {
    let screen = state.screen.clone();
    use_effect_with(screen, |screen| {
        let path = screen.path();
        if let Some(w) = web_sys::window()
            && location_path() != path
            && let Ok(h) = w.history()
        {
            let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    });
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        let listener = Listener::new(&platform::window_target(), "popstate", move |_| {
            dispatcher.dispatch(Action::Go(Screen::from_path(&location_path())));
        });
        move || drop(listener)
    });
}

/// The outcome sheet notes when the app went to the dialer and when it came back, which
/// is how long the call took.
#[hook]
fn use_dialer_return(state: &UseReducerHandle<AppState>) {
    let handle = state.clone();
    let latest = use_mut_ref(|| handle.clone());
    *latest.borrow_mut() = handle;
    use_effect_with((), move |_| {
        let listener = Listener::new(&platform::document_target(), "visibilitychange", move |_| {
            let state = latest.borrow().clone();
            let Some(Sheet::Outcome(draft)) = &state.sheet else { return };
            let mut draft = draft.clone();
            let t = now();
            if platform::page_visible() {
                if draft.hidden_at.is_some() && draft.returned_at.is_none() {
                    draft.returned_at = Some(t);
                }
            } else if draft.hidden_at.is_none() {
                draft.hidden_at = Some(t);
            }
            state.dispatch(Action::Draft(draft));
        });
        move || drop(listener)
    });
}

/// Whenever the open draft changes it is written to IndexedDB.
#[hook]
fn use_draft_persistence(state: &UseReducerHandle<AppState>, io: Option<&Rc<Io>>) {
    let draft = match &state.sheet {
        Some(Sheet::Outcome(d)) => Some(d.clone()),
        _ => None,
    };
    let io = io.cloned();
    use_effect_with(draft, move |draft| {
        if let (Some(io), Some(d)) = (io, draft) {
            io.save_draft(Some(d));
        }
    });
}

/// Tells `platform::first_screen` once the app's first screen has been painted.
#[hook]
fn use_first_screen(state: &UseReducerHandle<AppState>) {
    let booting = state.phase == Phase::Booting;
    use_effect_with(booting, move |booting| {
        if !*booting {
            wasm_bindgen_futures::spawn_local(async {
                platform::after_paint().await;
                platform::first_screen_shown();
            });
        }
    });
}

/// For the cold-start benchmark: the moment the queue (or its empty state) is on screen
/// from local data. Then, not before, the document worker and the phone-number module
/// load in the background (the sync loop or a dial may have asked for the first already),
/// once it is painted.
#[hook]
fn use_first_paint_mark(state: &UseReducerHandle<AppState>) {
    let ready = state.phase == Phase::Ready;
    use_effect_with(ready, move |ready| {
        if *ready {
            platform::mark("dialbook:queue-interactive");
            wasm_bindgen_futures::spawn_local(async move {
                platform::first_screen().await;
                if let Err(e) = docs::ready().await {
                    platform::warn(&e.to_string());
                }
                if let Err(e) = phone::ready().await {
                    platform::warn(&e);
                }
            });
        }
    });
}

/// Once the first screen is up (and storage is open): make start-up's summary snapshot
/// again if any summary changed since it was made, so the next start reads one value.
#[hook]
fn use_summary_snapshot(ready: bool, io: Option<Rc<Io>>) {
    use_effect_with((ready, io.is_some()), move |&(ready, _)| {
        if let (true, Some(io)) = (ready, io) {
            wasm_bindgen_futures::spawn_local(async move { io.snapshot_summaries(1).await });
        }
    });
}
