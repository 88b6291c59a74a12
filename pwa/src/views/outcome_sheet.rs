//! After the call: the sheet that is already open when the telecaller comes back from
//! the dialer. One tap on an outcome logs the call with the follow-up from the team's
//! rules (or the chip chosen above it) and the optional note, and the queue moves on.

use crate::app::Ctx;
use crate::format;
use crate::services::speech;
use crate::state::{Action, Draft, FollowUpChoice};
use crate::views::icons;
use dialbook_core::CallOutcome;
use dialbook_core::rules::QuickChip;
use dialbook_core::team::fill_template;
use std::collections::BTreeMap;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub draft: Draft,
}

fn outcome_class(o: CallOutcome) -> &'static str {
    match o {
        CallOutcome::Interested | CallOutcome::Converted => "good",
        CallOutcome::Callback => "warm",
        CallOutcome::NoAnswer | CallOutcome::Busy => "neutral",
        CallOutcome::NotInterested | CallOutcome::WrongNumber => "bad",
    }
}

#[function_component]
pub fn OutcomeSheet(props: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let draft = &props.draft;
    // Set while a tap is being stored, against a second tap. Not state: re-rendering the
    // sheet right after the tap would run in the middle of the write (the sheet closes
    // when it is stored, ~20 ms later) and delay the moment the call is safe.
    let busy = use_mut_ref(|| false);
    let listening = use_state(|| false);
    let Some(lead) = s.leads.get(&draft.lead).cloned() else { return html! {} };
    let rules = &s.team.rules;
    let now = s.now.max(crate::services::platform::now());

    let set_draft = {
        let d = s.dispatcher();
        move |draft: Draft| d.dispatch(Action::Draft(draft))
    };
    let log = {
        let (ctx, draft, busy) = (ctx.clone(), draft.clone(), busy.clone());
        Callback::from(move |outcome: CallOutcome| {
            if *busy.borrow() {
                return;
            }
            let Some(io) = ctx.io.clone() else { return };
            *busy.borrow_mut() = true;
            let (ctx, draft, busy) = (ctx.clone(), draft.clone(), busy.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = io.log_call(&ctx.state, &draft, outcome).await {
                    ctx.toast(e, true);
                }
                *busy.borrow_mut() = false;
            });
        })
    };
    let close = {
        let (ctx, d) = (ctx.clone(), s.dispatcher());
        Callback::from(move |_: MouseEvent| {
            if let Some(io) = &ctx.io {
                io.save_draft(None);
            }
            d.dispatch(Action::CloseSheet);
        })
    };
    let chip = |choice: FollowUpChoice, label: String, testid: String| {
        let selected = draft.follow_up == choice;
        let (draft, set_draft) = (draft.clone(), set_draft.clone());
        let onclick = Callback::from(move |_| {
            let mut d = draft.clone();
            d.follow_up = if selected { FollowUpChoice::Rule } else { choice };
            set_draft(d);
        });
        html! { <button class={classes!("chip", selected.then_some("selected"))} data-chip={testid}
                        aria-pressed={selected.to_string()} {onclick}>{ label }</button> }
    };
    let picked = match draft.follow_up {
        FollowUpChoice::At(t) => format::to_input(t, rules),
        _ => String::new(),
    };
    let on_pick = {
        let (draft, set_draft, rules) = (draft.clone(), set_draft.clone(), rules.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut d = draft.clone();
            d.follow_up = format::from_input(&value, &rules).map_or(FollowUpChoice::Rule, FollowUpChoice::At);
            set_draft(d);
        })
    };
    let on_note = {
        let (draft, set_draft) = (draft.clone(), set_draft.clone());
        Callback::from(move |e: InputEvent| {
            let mut d = draft.clone();
            d.note = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            set_draft(d);
        })
    };
    let vars = {
        let mut v: BTreeMap<&str, String> = BTreeMap::new();
        v.insert("name", lead.name.clone());
        v.insert("agent", s.session.as_ref().map(|x| x.user.display_name.clone()).unwrap_or_default());
        let date = draft.chosen_follow_up(now, rules);
        v.insert("date", date.map(|t| format::when(t, now, rules)).unwrap_or_else(|| "the agreed day".into()));
        for (k, val) in &lead.custom {
            v.insert(k.as_str(), val.clone());
        }
        v
    };
    let templates = s.team.note_templates.iter().map(|t| {
        let text = fill_template(&t.text, &vars);
        let (draft, set_draft) = (draft.clone(), set_draft.clone());
        let onclick = Callback::from(move |_| {
            let mut d = draft.clone();
            d.note = if d.note.trim().is_empty() { text.clone() } else { format!("{} {}", d.note.trim_end(), text) };
            set_draft(d);
        });
        html! { <button class="chip template" {onclick}>{ crate::views::lead_card::label(&t.key) }</button> }
    });
    let dictate = speech::available().then(|| {
        let (lead, dispatcher) = (draft.lead.clone(), s.dispatcher());
        let l2 = listening.clone();
        let onclick = Callback::from(move |_| {
            let (lead, dispatcher, l3) = (lead.clone(), dispatcher.clone(), l2.clone());
            l2.set(true);
            // The words arrive seconds later: they are added to the draft as it is then.
            speech::listen(move |heard| {
                l3.set(false);
                if let Some(text) = heard {
                    dispatcher.dispatch(Action::AppendNote { lead, text });
                }
            });
        });
        html! { <button class={classes!("icon-btn", "mic", listening.then_some("listening"))} aria-label="Dictate a note" {onclick}>{ icons::mic() }</button> }
    });
    let status = match (draft.hidden_at, draft.returned_at) {
        (Some(_), None) => "On the call…".to_owned(),
        _ => format!("Call ≈ {}", format::duration(draft.estimated_secs(now))),
    };
    let preview = |o: CallOutcome| -> String {
        draft.follow_up_for(o, now, rules).map(|t| format::when(t, now, rules)).unwrap_or_else(|| "no follow-up".into())
    };

    html! {
        <div class="sheet-layer">
            <div class="backdrop" onclick={close.clone()}></div>
            <section class="sheet outcome-sheet" data-testid="outcome-sheet" role="dialog" aria-modal="true"
                     aria-label={format!("How did the call with {} go?", lead.name)}>
                <header class="sheet-head">
                    <div>
                        <h2>{ &lead.name }</h2>
                        <p class="muted">{ status }{ " · " }{ lead.mobile_display.clone() }</p>
                    </div>
                    <button class="icon-btn" aria-label="Close without logging" onclick={close}>{ "✕" }</button>
                </header>
                <div class="sheet-section">
                    <h3>{ "Next call" }</h3>
                    <div class="chips" role="group" aria-label="Next call">
                        { chip(FollowUpChoice::Rule, "By team rule".into(), "rule".into()) }
                        { for QuickChip::SHEET.iter().map(|c| chip(FollowUpChoice::Chip(*c), c.label(), c.label().to_lowercase().replace(' ', "-"))) }
                        <label class={classes!("chip", "pick", matches!(draft.follow_up, FollowUpChoice::At(_)).then_some("selected"))}>
                            <span>{ "Pick…" }</span>
                            <input type="datetime-local" value={picked} onchange={on_pick} aria-label="Pick the next call time" />
                        </label>
                    </div>
                </div>
                <div class="sheet-section note">
                    <div class="note-row">
                        <textarea name="note" rows="2" placeholder="Note (optional)" value={draft.note.clone()} oninput={on_note} />
                        { for dictate }
                    </div>
                    <div class="chips templates">{ for templates }</div>
                </div>
                <div class="outcomes" role="group" aria-label="Outcome">
                    { for CallOutcome::ALL.iter().enumerate().map(|(i, o)| {
                        let (log, o) = (log.clone(), *o);
                        html! {
                            <button class={classes!("outcome", outcome_class(o))} data-outcome={o.as_str()}
                                    onclick={Callback::from(move |_| log.emit(o))}>
                                <span class="label"><kbd>{ i + 1 }</kbd>{ o.label() }</span>
                                <span class="then">{ preview(o) }</span>
                            </button>
                        }
                    }) }
                </div>
            </section>
        </div>
    }
}
