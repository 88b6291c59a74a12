//! Due now: overdue and due-today follow-ups, worked out on the phone from local data, so
//! it is right offline (a push cannot arrive for a follow-up set offline).

use crate::app::Ctx;
use crate::format;
use crate::views::lead_row::LeadRow;
use yew::prelude::*;

#[function_component]
pub fn DueList() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let due = s.due();
    if due.is_empty() {
        return html! {
            <section class="empty" data-testid="due-empty">
                <div class="empty-art">{ crate::views::icons::clock() }</div>
                <h2>{ "Nothing due" }</h2>
                <p>{ "Follow-ups you set for today show up here, even offline." }</p>
            </section>
        };
    }
    let overdue = due.iter().filter(|l| l.follow_up.is_some_and(|f| f.0 <= s.now.0)).count();
    html! {
        <section class="due">
            <p class="list-head">{ format!("{} due today", due.len()) }
                if overdue > 0 { <span class="hot">{ format!(" · {overdue} overdue") }</span> }</p>
            <ul class="lead-list">
                { for due.iter().map(|l| {
                    let f = l.follow_up.unwrap_or(s.now);
                    let note = format!("{}{}", format::due_label(f, s.now, &s.team.rules),
                        l.last_call.as_ref().map(|c| format!(" · last: {}", c.outcome.label())).unwrap_or_default());
                    html! { <LeadRow lead={(*l).clone()} note={Some(note)} urgent={f.0 <= s.now.0} /> }
                }) }
            </ul>
        </section>
    }
}
