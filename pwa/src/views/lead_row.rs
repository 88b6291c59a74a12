//! One lead in a list (due now, search): tap to open, call button on the right.

use crate::app::Ctx;
use crate::state::Screen;
use crate::views::icons;
use crate::views::lead_card::{highlights, tel_href};
use dialbook_core::summary::LeadSummary;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lead: LeadSummary,
    /// A second line, e.g. "overdue 2 h".
    #[prop_or_default]
    pub note: Option<String>,
    #[prop_or_default]
    pub urgent: bool,
}

pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

#[function_component]
pub fn LeadRow(props: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let lead = &props.lead;
    let open = {
        let (ctx, id) = (ctx.clone(), lead.id.clone());
        Callback::from(move |_: MouseEvent| ctx.go(Screen::Lead(id.clone())))
    };
    let call = {
        let (ctx, id) = (ctx.clone(), lead.id.clone());
        Callback::from(move |_: MouseEvent| ctx.dialled(&id))
    };
    let facts: Vec<String> = highlights(lead).into_iter().take(2).map(|(_, v)| v).collect();
    html! {
        <li class="lead-row" data-testid="lead-row" data-lead-id={lead.id.to_string()}>
            <button class="row-main" onclick={open}>
                <span class={classes!("avatar", format!("s-{}", lead.status.as_str()))} aria-hidden="true">{ initials(&lead.name) }</span>
                <span class="row-text">
                    <span class="row-title">{ &lead.name }<span class={classes!("status", lead.status.as_str().to_owned())}>{ lead.status.label() }</span></span>
                    <span class="row-sub">{ lead.mobile_display.clone() }{ for facts.iter().map(|f| html! { <>{ " · " }{ f }</> }) }</span>
                    if let Some(n) = &props.note { <span class={classes!("row-note", props.urgent.then_some("urgent"))}>{ n }</span> }
                </span>
            </button>
            <a class="row-call" href={tel_href(lead)} onclick={call} aria-label={format!("Call {}", lead.name)}>{ icons::phone() }</a>
        </li>
    }
}
