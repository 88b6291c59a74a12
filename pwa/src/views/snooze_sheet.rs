//! Skip the card in front of you: for now (this phone only), or snooze it — the snooze
//! moves the follow-up, so every device of the team agrees.

use crate::app::Ctx;
use crate::services::platform::now;
use crate::state::Action;
use dialbook_core::rules::QuickChip;
use dialbook_core::{LeadId, Timestamp};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: LeadId,
}

/// A plain skip keeps the lead out of the queue for this long.
const SKIP_MS: i64 = 30 * 60_000;

#[function_component]
pub fn SnoozeSheet(props: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let Some(lead) = s.leads.get(&props.id) else { return html! {} };
    let close = {
        let d = s.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::CloseSheet))
    };
    let skip = {
        let (ctx, id) = (ctx.clone(), props.id.clone());
        Callback::from(move |_: MouseEvent| {
            let (ctx, id) = (ctx.clone(), id.clone());
            let Some(io) = ctx.io.clone() else { return };
            wasm_bindgen_futures::spawn_local(async move {
                io.skip(&ctx.state, &id, now().plus_millis(SKIP_MS)).await;
            });
        })
    };
    let snooze = |testid: &'static str, label: &'static str, until: Timestamp, sub: String| {
        let (ctx, id) = (ctx.clone(), props.id.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let (ctx, id) = (ctx.clone(), id.clone());
            let Some(io) = ctx.io.clone() else { return };
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = io.snooze(&id, until, label).await {
                    ctx.toast(e, true);
                }
            });
        });
        html! { <button class="choice" data-snooze={testid} {onclick}><span>{ label }</span><span class="muted">{ sub }</span></button> }
    };
    let t = now();
    let rules = &s.team.rules;
    let tomorrow = rules.resolve(QuickChip::Tomorrow, t);
    html! {
        <div class="sheet-layer">
            <div class="backdrop" onclick={close.clone()}></div>
            <section class="sheet snooze-sheet" role="dialog" aria-modal="true" aria-label={format!("Skip {}", lead.name)}>
                <header class="sheet-head">
                    <div><h2>{ format!("Skip {}", lead.name) }</h2><p class="muted">{ "Come back to this lead…" }</p></div>
                    <button class="icon-btn" aria-label="Cancel" onclick={close}>{ "✕" }</button>
                </header>
                <div class="choices">
                    <button class="choice" data-snooze="skip" onclick={skip}><span>{ "Next lead" }</span><span class="muted">{ "back in 30 min, on this phone" }</span></button>
                    { snooze("15m", "In 15 minutes", t.plus_millis(15 * 60_000), crate::format::when(t.plus_millis(15 * 60_000), t, rules)) }
                    { snooze("1h", "In 1 hour", t.plus_millis(60 * 60_000), crate::format::when(t.plus_millis(60 * 60_000), t, rules)) }
                    { snooze("tomorrow", "Tomorrow", tomorrow, crate::format::when(tomorrow, t, rules)) }
                </div>
            </section>
        </div>
    }
}
