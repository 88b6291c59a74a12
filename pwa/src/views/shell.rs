//! The signed-in layout: top bar with sync status, the screen, the tab bar, and the
//! sheet and toast layers above them.

use crate::app::Ctx;
use crate::state::{Screen, Sheet};
use crate::views::{due, help, lead_detail, lead_form, leads, outcome_sheet, queue, snooze_sheet, tab_bar, toast, top_bar, update};
use yew::prelude::*;

#[function_component]
pub fn Shell() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let screen = match &s.screen {
        Screen::Queue => html! { <queue::Queue /> },
        Screen::Due => html! { <due::DueList /> },
        Screen::Leads => html! { <leads::Leads /> },
        Screen::Lead(id) => html! { <lead_detail::LeadDetail id={id.clone()} /> },
        Screen::Edit(id) => html! { <lead_form::LeadForm id={Some(id.clone())} /> },
        Screen::Add => html! { <lead_form::LeadForm id={None::<dialbook_core::LeadId>} /> },
    };
    let sheet = match &s.sheet {
        Some(Sheet::Outcome(draft)) => html! { <outcome_sheet::OutcomeSheet draft={draft.clone()} /> },
        Some(Sheet::Snooze(id)) => html! { <snooze_sheet::SnoozeSheet id={id.clone()} /> },
        Some(Sheet::Help) => html! { <help::Help /> },
        None => html! {},
    };
    html! {
        <div class="shell" id="app" data-screen={s.screen.name()}>
            <top_bar::TopBar />
            if s.update_ready { <update::UpdateBanner /> }
            <main class="content">{ screen }</main>
            <tab_bar::TabBar />
            { sheet }
            <toast::ToastView />
        </div>
    }
}
