//! The menu sheet: who is signed in, sync details, keyboard shortcuts, sign out.

use crate::app::Ctx;
use crate::format;
use crate::state::Action;
use crate::theme::{self, Theme};
use yew::prelude::*;

const SHORTCUTS: [(&str, &str); 8] = [
    ("C or Enter", "Call the lead on the card"),
    ("N", "Next lead (skip for now)"),
    ("S", "Skip or snooze…"),
    ("1 – 7", "Log the outcome (on the outcome sheet)"),
    ("/", "Search leads"),
    ("D", "Due now"),
    ("Esc", "Close"),
    ("?", "This help"),
];

#[function_component]
pub fn Help() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let close = {
        let d = s.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::CloseSheet))
    };
    let sign_out = {
        let io = ctx.io.clone();
        let waiting = s.sync.waiting;
        Callback::from(move |_: MouseEvent| {
            if waiting > 0 {
                let ok = web_sys::window()
                    .and_then(|w| w.confirm_with_message(&format!("{waiting} changes are not on the server yet. They stay on this phone and go up when you sign in again. Sign out?")).ok())
                    .unwrap_or(false);
                if !ok {
                    return;
                }
            }
            if let Some(io) = io.clone() {
                wasm_bindgen_futures::spawn_local(async move { io.sign_out().await });
            }
        })
    };
    let theme = use_state(theme::current);
    let theme_button = |t: Theme, label: &'static str| {
        let state = theme.clone();
        let io = ctx.io.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            theme::show(t);
            if let Some(io) = &io {
                io.save_theme(t);
            }
            state.set(t);
        });
        html! { <button class={classes!("chip", (*theme == t).then_some("selected"))} aria-pressed={(*theme == t).to_string()} {onclick}>{ label }</button> }
    };
    let user = s.session.as_ref().map(|x| format!("{} ({})", x.user.display_name, x.user.username)).unwrap_or_default();
    let device = s.session.as_ref().map(|x| x.device_name.clone()).unwrap_or_default();
    let synced = s.sync.last_synced.map(|t| format::ago(dialbook_core::Timestamp(t), s.now)).unwrap_or_else(|| "not yet".into());
    html! {
        <div class="sheet-layer">
            <div class="backdrop" onclick={close.clone()}></div>
            <section class="sheet help-sheet" role="dialog" aria-modal="true" aria-label="Menu">
                <header class="sheet-head">
                    <div><h2>{ user }</h2><p class="muted">{ format!("{device} · {} leads on this phone · synced {synced}", format::count(s.leads.len() as u64)) }</p></div>
                    <button class="icon-btn" aria-label="Close" onclick={close}>{ "✕" }</button>
                </header>
                <h3>{ "Theme" }</h3>
                <div class="chips" role="group" aria-label="Theme">
                    { theme_button(Theme::System, "Same as phone") }
                    { theme_button(Theme::Light, "Light") }
                    { theme_button(Theme::Dark, "Dark") }
                </div>
                <h3>{ "Keyboard shortcuts" }</h3>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(k, v)| html! { <div><dt><kbd>{ *k }</kbd></dt><dd>{ *v }</dd></div> }) }
                </dl>
                <button class="btn secondary big" onclick={sign_out}>{ crate::views::icons::logout() }<span>{ "Sign out" }</span></button>
            </section>
        </div>
    }
}
