//! One lead: its details, call and WhatsApp buttons, and the timeline of everything that
//! happened to it — who, what, when, from which device.

use crate::app::Ctx;
use crate::format;
use crate::services::phone;
use crate::state::Screen;
use crate::views::icons;
use crate::views::lead_card::{highlights, tel_href};
use dialbook_core::LeadId;
use dialbook_core::lead::{Activity, ActivityKind, Lead};
use dialbook_core::team::fill_template;
use std::collections::BTreeMap;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: LeadId,
}

#[function_component]
pub fn LeadDetail(props: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let full = use_state(|| None::<Lead>);
    let summary = s.leads.get(&props.id).cloned();
    {
        // Reload the document whenever its summary changes (a call logged, a sync).
        let (full, io, id) = (full.clone(), ctx.io.clone(), props.id.clone());
        use_effect_with(summary.clone(), move |_| {
            if let Some(io) = io {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(lead) = io.lead(&id).await {
                        full.set(lead);
                    }
                });
            }
        });
    }
    let Some(lead) = summary else {
        return html! { <section class="empty"><h2>{ "Lead not on this phone" }</h2>
            <p>{ "It may have been reassigned to someone else." }</p></section> };
    };
    let rules = &s.team.rules;
    let agent = s.session.as_ref().map(|x| x.user.display_name.clone()).unwrap_or_default();
    let whatsapp = {
        let mut vars: BTreeMap<&str, String> = BTreeMap::new();
        vars.insert("name", lead.name.clone());
        vars.insert("agent", agent);
        for (k, v) in &lead.custom {
            vars.insert(k.as_str(), v.clone());
        }
        let text = s.team.whatsapp_templates.first().map(|t| fill_template(&t.text, &vars)).unwrap_or_default();
        format!("https://wa.me/{}?text={}", lead.mobile.digits(), String::from(js_sys::encode_uri_component(&text)))
    };
    let call = {
        let (ctx, id) = (ctx.clone(), lead.id.clone());
        Callback::from(move |_: MouseEvent| ctx.dialled(&id))
    };
    let edit = {
        let (ctx, id) = (ctx.clone(), lead.id.clone());
        Callback::from(move |_: MouseEvent| ctx.go(Screen::Edit(id.clone())))
    };
    // The component stays mounted from one lead to the next: never show the last one's.
    let full = full.as_ref().filter(|l| l.id == props.id);
    let mut activities: Vec<Activity> = full.map(|l| l.activities.clone()).unwrap_or_default();
    activities.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
    let notes = full.map(|l| l.notes.clone()).unwrap_or_default();

    html! {
        <section class="lead-detail" data-testid="lead-detail" data-lead-id={lead.id.to_string()}>
            <div class="card detail-head">
                <div class="detail-title">
                    <h2>{ &lead.name }</h2>
                    <span class={classes!("status", lead.status.as_str().to_owned())}>{ lead.status.label() }</span>
                </div>
                <p class="mobile">{ lead.mobile_display.clone() }
                    if let Some(alt) = &lead.alt_mobile { <span class="muted">{ format!(" · alt {}", phone::display(alt)) }</span> }</p>
                <dl class="facts">
                    { for highlights(&lead).into_iter().map(|(k, v)| html! { <div><dt>{ k }</dt><dd>{ v }</dd></div> }) }
                    if let Some(f) = lead.follow_up { <div><dt>{ "Follow-up" }</dt><dd>{ format::when(f, s.now, rules) }</dd></div> }
                    if !lead.source.is_empty() { <div><dt>{ "Source" }</dt><dd>{ &lead.source }</dd></div> }
                    if !lead.tags.is_empty() { <div><dt>{ "Tags" }</dt><dd>{ lead.tags.join(", ") }</dd></div> }
                </dl>
                <div class="detail-actions">
                    <a class="btn call" href={tel_href(&lead)} onclick={call} data-testid="call">{ icons::phone() }<span>{ "Call" }</span></a>
                    <a class="btn whatsapp" href={whatsapp} target="_blank" rel="noopener">{ icons::message() }<span>{ "WhatsApp" }</span></a>
                    <button class="btn secondary" onclick={edit}>{ icons::edit() }<span>{ "Edit" }</span></button>
                </div>
            </div>
            if !notes.trim().is_empty() {
                <div class="card notes"><h3>{ "Notes" }</h3><p>{ notes }</p></div>
            }
            <h3 class="section-title">{ "Timeline" }</h3>
            <ol class="timeline" data-testid="timeline" data-loaded={full.is_some().to_string()} aria-busy={full.is_none().to_string()}>
                { for activities.iter().map(|a| entry(&ctx, a)) }
            </ol>
        </section>
    }
}

fn entry(ctx: &Ctx, a: &Activity) -> Html {
    let s = &ctx.state;
    let rules = &s.team.rules;
    let (kind, title, detail): (&str, String, Option<String>) = match &a.kind {
        ActivityKind::Created => ("created", "Lead added".into(), None),
        ActivityKind::Call(c) => {
            let mut title = format!("Call · {}", c.outcome.label());
            if c.duration_secs > 0 {
                title.push_str(&format!(" · {}", format::duration(c.duration_secs)));
            }
            let mut detail = Vec::new();
            if !c.note.is_empty() {
                detail.push(format!("“{}”", c.note));
            }
            if let Some(f) = c.follow_up {
                detail.push(format!("Next call {}", format::when(f, s.now, rules)));
            }
            ("call", title, (!detail.is_empty()).then(|| detail.join(" · ")))
        }
        ActivityKind::StatusChanged { from, to } => ("status", format!("Status {} → {}", from.label(), to.label()), None),
        ActivityKind::Assigned { to, .. } => (
            "assigned",
            match to {
                Some(u) => format!("Assigned to {}", s.member_name(*u)),
                None => "Moved to the unassigned pool".into(),
            },
            None,
        ),
        ActivityKind::FollowUpChanged { to } => (
            "follow_up",
            match to {
                Some(t) => format!("Follow-up set for {}", format::when(*t, s.now, rules)),
                None => "Follow-up cleared".into(),
            },
            None,
        ),
        ActivityKind::NotesEdited { text } => ("notes", "Notes edited".into(), Some(text.clone())),
        ActivityKind::Other { kind } => ("other", format!("{kind} (from a newer app version)"), None),
    };
    let who = s.member_name(a.by);
    let device = if a.device.is_empty() { String::new() } else { format!(" on {}", a.device) };
    html! {
        <li class={classes!("entry", kind)} data-kind={kind}>
            <span class="dot" aria-hidden="true"></span>
            <div>
                <p class="entry-title">{ title }</p>
                if let Some(d) = detail { <p class="entry-detail">{ d }</p> }
                <p class="entry-meta">{ format!("{}{device} · {}", format::capitalise(&who), format::when(a.at, s.now, rules)) }</p>
            </div>
        </li>
    }
}
