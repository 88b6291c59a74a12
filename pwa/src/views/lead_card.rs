//! The lead card on the queue: everything needed before dialling, and the swipe — right
//! dials, left skips — with large buttons doing the same for anyone who doesn't swipe.

use crate::app::Ctx;
use crate::format;
use crate::state::{Action, Screen, Sheet};
use crate::views::icons;
use dialbook_core::priority::{Priority, Reason};
use dialbook_core::summary::LeadSummary;
use web_sys::PointerEvent;
use yew::prelude::*;

/// How far (px) a swipe must go to count.
const SWIPE_PX: i32 = 96;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lead: LeadSummary,
    pub priority: Priority,
}

pub fn tel_href(lead: &LeadSummary) -> String {
    format!("tel:{}", lead.mobile.e164())
}

/// Custom fields worth showing on a card, in a stable, useful order.
pub fn highlights(lead: &LeadSummary) -> Vec<(String, String)> {
    const FIRST: [&str; 4] = ["car_model", "reg_no", "service_type", "city"];
    let mut out: Vec<(String, String)> =
        FIRST.iter().filter_map(|k| lead.custom.get(*k).map(|v| (label(k), v.clone()))).collect();
    out.extend(lead.custom.iter().filter(|(k, _)| !FIRST.contains(&k.as_str())).map(|(k, v)| (label(k), v.clone())));
    out.retain(|(_, v)| !v.trim().is_empty());
    out
}

pub fn label(key: &str) -> String {
    match key {
        "car_model" => "Car".into(),
        "reg_no" => "Reg. no.".into(),
        "service_type" => "Service".into(),
        other => format::capitalise(&other.replace('_', " ")),
    }
}

fn reason_class(r: &Reason) -> &'static str {
    match r {
        Reason::Overdue { .. } | Reason::CallbackDue => "hot",
        Reason::DueToday | Reason::Interested => "warm",
        Reason::NewLead => "new",
        _ => "plain",
    }
}

#[function_component]
pub fn LeadCard(props: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let lead = &props.lead;
    let s = &ctx.state;
    let offset = use_state(|| 0i32);
    let start = use_mut_ref(|| None::<(i32, i32)>);

    let dial = {
        let (ctx, lead) = (ctx.clone(), lead.clone());
        move || ctx.dial(&lead)
    };
    let skip = {
        let (d, id) = (s.dispatcher(), lead.id.clone());
        move || d.dispatch(Action::OpenSheet(Box::new(Sheet::Snooze(id.clone()))))
    };
    let onpointerdown = {
        let start = start.clone();
        Callback::from(move |e: PointerEvent| {
            if e.is_primary() {
                *start.borrow_mut() = Some((e.client_x(), e.client_y()));
            }
        })
    };
    let onpointermove = {
        let (start, offset) = (start.clone(), offset.clone());
        Callback::from(move |e: PointerEvent| {
            let Some((x0, y0)) = *start.borrow() else { return };
            let (dx, dy) = (e.client_x() - x0, e.client_y() - y0);
            if dy.abs() > dx.abs() && dx.abs() < 12 {
                return; // a scroll, not a swipe
            }
            offset.set(dx);
        })
    };
    let end = {
        let (start, offset, dial, skip) = (start.clone(), offset.clone(), dial.clone(), skip.clone());
        Callback::from(move |_e: PointerEvent| {
            if start.borrow_mut().take().is_none() {
                return;
            }
            let dx = *offset;
            offset.set(0);
            if dx >= SWIPE_PX {
                dial();
            } else if dx <= -SWIPE_PX {
                skip();
            }
        })
    };
    let on_call = {
        let ctx = ctx.clone();
        let id = lead.id.clone();
        // The link itself opens the dialer; this only opens the outcome sheet.
        Callback::from(move |_: MouseEvent| ctx.dialled(&id))
    };
    let on_skip = Callback::from(move |_: MouseEvent| skip());
    let open = {
        let (ctx, id) = (ctx.clone(), lead.id.clone());
        Callback::from(move |_: MouseEvent| ctx.go(Screen::Lead(id.clone())))
    };

    let dx = *offset;
    let style = (dx != 0).then(|| format!("transform: translateX({dx}px) rotate({}deg)", dx as f32 / 40.0));
    let hint = if dx >= SWIPE_PX / 2 { "swipe-call" } else if dx <= -SWIPE_PX / 2 { "swipe-skip" } else { "" };
    let rules = &s.team.rules;
    let last = lead.last_call.as_ref().map(|c| format!("{} · {}", c.outcome.label(), format::ago(c.at, s.now)));

    html! {
        <article class={classes!("lead-card", "card", hint)} data-testid="lead-card" data-lead-id={lead.id.to_string()}
                 {onpointerdown} {onpointermove} onpointerup={end.clone()} onpointercancel={end} {style}>
            <ul class="reasons" aria-label="Why this lead is next">
                { for props.priority.reasons.iter().map(|r| html! { <li class={reason_class(r)}>{ r.to_string() }</li> }) }
            </ul>
            <button class="card-head" onclick={open} aria-label={format!("Open {}", lead.name)}>
                <h2 data-testid="lead-name">{ &lead.name }</h2>
                <p class="mobile">{ lead.mobile_display.clone() }</p>
            </button>
            <dl class="facts">
                { for highlights(lead).into_iter().take(4).map(|(k, v)| html! { <div><dt>{ k }</dt><dd>{ v }</dd></div> }) }
                if let Some(last) = last { <div><dt>{ "Last call" }</dt><dd>{ last }</dd></div> }
                if let Some(f) = lead.follow_up { <div><dt>{ "Follow-up" }</dt><dd>{ format::when(f, s.now, rules) }</dd></div> }
                if lead.last_call.is_none() && !lead.source.is_empty() { <div><dt>{ "Source" }</dt><dd>{ &lead.source }</dd></div> }
            </dl>
            if let Some(note) = lead.last_call.as_ref().map(|c| c.note.clone()).filter(|n| !n.is_empty()) {
                <p class="last-note">{ format!("“{note}”") }</p>
            }
            <div class="card-actions">
                <button class="btn secondary big" data-testid="skip" onclick={on_skip}>{ icons::skip() }<span>{ "Skip" }</span></button>
                <a class="btn call big" data-testid="call" href={tel_href(lead)} onclick={on_call}>{ icons::phone() }<span>{ "Call" }</span></a>
            </div>
            <p class="swipe-hint" aria-hidden="true">{ "← swipe to skip · swipe to call →" }</p>
        </article>
    }
}
