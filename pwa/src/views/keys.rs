//! Keyboard shortcuts for desktop use (`?` lists them): C/Enter call, N next, S skip,
//! 1–7 outcomes, / search, D due now, Esc close. Ignored while typing in a field.

use crate::app::Ctx;
use crate::io::Io;
use crate::services::platform::{self, Listener, now};
use crate::state::{Action, AppState, Screen, Sheet};
use dialbook_core::CallOutcome;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

#[hook]
pub fn use_shortcuts(state: &UseReducerHandle<AppState>, io: Option<&Rc<Io>>) {
    let latest = use_mut_ref(|| Ctx { state: state.clone(), io: io.cloned() });
    *latest.borrow_mut() = Ctx { state: state.clone(), io: io.cloned() };
    use_effect_with((), move |_| {
        let listener = Listener::new(&platform::document_target(), "keydown", move |e| {
            let Ok(e) = e.dyn_into::<KeyboardEvent>() else { return };
            if e.ctrl_key() || e.meta_key() || e.alt_key() || e.repeat() || typing(&e) {
                return;
            }
            let ctx = latest.borrow().clone();
            if handle(&ctx, &e.key()) {
                e.prevent_default();
            }
        });
        move || drop(listener)
    });
}

fn typing(e: &KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"))
}

/// Returns whether the key did something.
fn handle(ctx: &Ctx, key: &str) -> bool {
    let s = &ctx.state;
    if s.session.is_none() {
        return false;
    }
    match (key, &s.sheet) {
        ("Escape", Some(sheet)) => {
            if matches!(sheet, Sheet::Outcome(_))
                && let Some(io) = &ctx.io
            {
                io.save_draft(None);
            }
            s.dispatch(Action::CloseSheet);
        }
        ("?", None | Some(Sheet::Help | Sheet::Snooze(_))) => s.dispatch(Action::OpenSheet(Box::new(Sheet::Help))),
        (k, Some(Sheet::Outcome(draft))) if k.len() == 1 => {
            let Some(outcome) = k.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| CallOutcome::ALL.get(i)) else {
                return false;
            };
            let (ctx, draft, outcome) = (ctx.clone(), draft.clone(), *outcome);
            let Some(io) = ctx.io.clone() else { return false };
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = io.log_call(&ctx.state, &draft, outcome).await {
                    ctx.toast(e, true);
                }
            });
        }
        (_, Some(_)) => return false,
        ("/", None) => ctx.go(Screen::Leads),
        ("d" | "D", None) => ctx.go(Screen::Due),
        (k, None) if s.screen == Screen::Queue => {
            let queue = s.queue();
            let Some((lead, _)) = queue.first() else { return false };
            match k {
                "c" | "C" | "Enter" => ctx.dial(lead),
                "n" | "N" => {
                    let (ctx, id) = (ctx.clone(), lead.id.clone());
                    if let Some(io) = ctx.io.clone() {
                        wasm_bindgen_futures::spawn_local(async move { io.skip(&ctx.state, &id, now().plus_millis(30 * 60_000)).await });
                    }
                }
                "s" | "S" => s.dispatch(Action::OpenSheet(Box::new(Sheet::Snooze(lead.id.clone())))),
                _ => return false,
            }
        }
        _ => return false,
    }
    true
}
