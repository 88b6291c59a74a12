//! Home: the next lead to call as a big card, why it is next, and what comes after.

use crate::app::Ctx;
use crate::format;
use crate::views::lead_card::LeadCard;
use dialbook_core::LeadId;
use dialbook_core::priority::Priority;
use yew::prelude::*;

/// How many leads the "Up next" list shows after the card.
const UP_NEXT: usize = 3;

#[function_component]
pub fn Queue() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = ctx.state.clone();
    // Ranking thousands of leads is the heaviest thing on this screen: only when the
    // inputs change, not on every render. Kept: how many there are, and the few shown.
    let ranked: std::rc::Rc<(usize, Vec<(LeadId, Priority)>)> = {
        let s2 = s.clone();
        use_memo((s.leads.clone(), s.team.clone(), s.skips.clone(), s.now, s.session.clone()), move |_| {
            let queue = s2.queue();
            (queue.len(), queue.into_iter().take(1 + UP_NEXT).map(|(l, p)| (l.id.clone(), p)).collect())
        })
    };
    let (count, ref shown) = *ranked;
    let Some((first_id, first_p)) = shown.first() else {
        let later = s.leads.values().filter(|l| !l.deleted && l.assignee == s.me() && !l.status.is_closed()).count();
        return html! {
            <section class="queue-empty" data-testid="queue-empty">
                <div class="empty-art">{ crate::views::icons::check() }</div>
                <h2>{ "All caught up" }</h2>
                <p>{ if later > 0 { format!("{} open leads have follow-ups on later days.", format::count(later as u64)) }
                     else { "No leads are assigned to you yet. New ones arrive here as soon as your admin assigns them.".to_owned() } }</p>
            </section>
        };
    };
    let Some(first) = s.leads.get(first_id) else { return html! {} };
    let next: Vec<Html> = shown
        .iter()
        .skip(1)
        .filter_map(|(id, p)| s.leads.get(id).map(|l| (l, p)))
        .map(|(l, p)| {
            let reason = p.reasons.first().map(|r| r.to_string()).unwrap_or_default();
            html! { <li><span class="name">{ &l.name }</span><span class="reason">{ reason }</span></li> }
        })
        .collect();
    html! {
        <section class="queue">
            <p class="queue-count">{ format!("{} to call today", format::count(count as u64)) }</p>
            <LeadCard lead={first.clone()} priority={first_p.clone()} />
            if !next.is_empty() {
                <div class="up-next">
                    <h3>{ "Up next" }</h3>
                    <ul>{ for next }</ul>
                </div>
            }
        </section>
    }
}
