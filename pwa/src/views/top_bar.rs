//! The bar at the top: where you are, a way back, and the sync status that is always in
//! sight (online or not, how many changes wait, when it last synced).

use crate::app::Ctx;
use crate::format;
use crate::state::{Action, Screen, Sheet};
use crate::views::icons;
use yew::prelude::*;

#[function_component]
pub fn TopBar() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let title = match &s.screen {
        Screen::Queue => "Next call".to_owned(),
        Screen::Due => "Due now".to_owned(),
        Screen::Leads => "Leads".to_owned(),
        Screen::Lead(id) => s.leads.get(id).map(|l| l.name.clone()).unwrap_or_else(|| "Lead".into()),
        Screen::Edit(_) => "Edit lead".to_owned(),
        Screen::Add => "Add lead".to_owned(),
    };
    let back = matches!(s.screen, Screen::Lead(_) | Screen::Edit(_)).then(|| {
        let onclick = Callback::from(|_| {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.back();
            }
        });
        html! { <button class="icon-btn" aria-label="Back" {onclick}>{ icons::back() }</button> }
    });
    let open_menu = {
        let d = s.dispatcher();
        Callback::from(move |_| d.dispatch(Action::OpenSheet(Box::new(Sheet::Help))))
    };
    html! {
        <header class="top-bar">
            { for back }
            <h1 class="title">{ title }</h1>
            <SyncStatusPill />
            <button class="icon-btn" aria-label="Menu" onclick={open_menu}>{ icons::more() }</button>
        </header>
    }
}

#[function_component]
fn SyncStatusPill() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let sync = s.sync;
    let (class, icon, text) = if !sync.online {
        let text = if sync.waiting > 0 { format!("Offline · {} waiting", sync.waiting) } else { "Offline".into() };
        ("offline", icons::cloud_off(), text)
    } else if sync.syncing {
        ("syncing", icons::sync(), "Syncing…".to_owned())
    } else if sync.waiting > 0 {
        ("waiting", icons::sync(), format!("{} waiting", sync.waiting))
    } else {
        let when = sync.last_synced.map(|t| format::ago(dialbook_core::Timestamp(t), s.now)).unwrap_or_else(|| "not yet".into());
        ("synced", icons::check(), format!("Synced {when}"))
    };
    let onclick = {
        let io = ctx.io.clone();
        Callback::from(move |_| {
            if let Some(io) = &io {
                io.sync_now();
            }
        })
    };
    html! {
        <button class={classes!("sync-pill", class)} data-testid="sync-status" data-online={sync.online.to_string()}
                data-waiting={sync.waiting.to_string()} aria-live="polite" title="Tap to sync now" {onclick}>
            { icon }<span>{ text }</span>
        </button>
    }
}
