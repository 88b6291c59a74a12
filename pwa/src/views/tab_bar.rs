//! The bottom tabs, in thumb reach: queue, due now (with its count), leads, add.

use crate::app::Ctx;
use crate::state::Screen;
use crate::views::icons;
use yew::prelude::*;

#[function_component]
pub fn TabBar() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    // The badge scans every lead; the bar re-renders on every sync status change, so
    // count again only when the leads, the clock or the team change.
    let due = {
        let s2 = s.clone();
        *use_memo((s.leads.clone(), s.team.clone(), s.now, s.session.clone()), move |_| s2.due().len())
    };
    let tab = |screen: Screen, testid: &'static str, label: &'static str, icon: Html, badge: Option<usize>| {
        let active = std::mem::discriminant(&s.screen) == std::mem::discriminant(&screen)
            || (screen == Screen::Leads && matches!(s.screen, Screen::Lead(_) | Screen::Edit(_)));
        let ctx = ctx.clone();
        let onclick = Callback::from(move |_| ctx.go(screen.clone()));
        html! {
            <button class={classes!("tab", active.then_some("active"))} data-testid={testid}
                    aria-current={active.then_some("page")} {onclick}>
                { icon }
                <span>{ label }</span>
                if let Some(n) = badge.filter(|n| *n > 0) {
                    <span class="badge" data-testid="due-count" aria-label={format!("{n} due")}>{ n }</span>
                }
            </button>
        }
    };
    html! {
        <nav class="tab-bar" aria-label="Sections">
            { tab(Screen::Queue, "tab-queue", "Queue", icons::queue(), None) }
            { tab(Screen::Due, "tab-due", "Due now", icons::clock(), Some(due)) }
            { tab(Screen::Leads, "tab-leads", "Leads", icons::search(), None) }
            { tab(Screen::Add, "tab-add", "Add", icons::plus(), None) }
        </nav>
    }
}
