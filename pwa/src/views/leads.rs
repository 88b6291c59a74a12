//! Leads: instant offline search over the summaries on the phone — by name, a mobile
//! number typed any way, a registration number or any custom field — filtered by status
//! and a date range.

use crate::app::Ctx;
use crate::format;
use crate::views::lead_row::LeadRow;
use dialbook_core::LeadStatus;
use dialbook_core::summary::{DateField, SearchQuery};
use std::collections::BTreeSet;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const SHOWN: usize = 60;
const STATUSES: [LeadStatus; 7] = [
    LeadStatus::New,
    LeadStatus::Attempted,
    LeadStatus::Callback,
    LeadStatus::Interested,
    LeadStatus::Converted,
    LeadStatus::NotInterested,
    LeadStatus::WrongNumber,
];

#[function_component]
pub fn Leads() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let text = use_state(String::new);
    let statuses = use_state(BTreeSet::<LeadStatus>::new);
    let field = use_state(|| DateField::FollowUp);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let filters_open = use_state(|| false);
    let input = use_node_ref();
    {
        let input = input.clone();
        use_effect_with((), move |_| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                let _ = i.focus();
            }
        });
    }

    let rules = &s.team.rules;
    let mut query = SearchQuery::new(&text);
    query.statuses = (*statuses).clone();
    let start = format::day_start(&from, rules);
    // The "to" day is included: the range ends where the next day starts.
    let end = format::day_start(&to, rules).map(|t| t.plus_millis(dialbook_core::Timestamp::DAY));
    if start.is_some() || end.is_some() {
        query.range = Some((*field, start.unwrap_or(dialbook_core::Timestamp(i64::MIN)), end.unwrap_or(dialbook_core::Timestamp(i64::MAX))));
    }
    let (results, total) = s.search(&query, SHOWN);

    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let chip = |st: LeadStatus| {
        let on = statuses.contains(&st);
        let statuses = statuses.clone();
        let onclick = Callback::from(move |_| {
            let mut set = (*statuses).clone();
            if !set.remove(&st) {
                set.insert(st);
            }
            statuses.set(set);
        });
        html! { <button class={classes!("chip", on.then_some("selected"))} aria-pressed={on.to_string()} data-status={st.as_str()} {onclick}>{ st.label() }</button> }
    };
    let date_input = |state: &UseStateHandle<String>, label: &'static str| {
        let st = state.clone();
        let onchange = Callback::from(move |e: Event| st.set(e.target_unchecked_into::<HtmlInputElement>().value()));
        html! { <label class="field small"><span>{ label }</span><input type="date" value={(**state).clone()} {onchange} /></label> }
    };
    let on_field = {
        let field = field.clone();
        Callback::from(move |e: Event| {
            field.set(match e.target_unchecked_into::<HtmlSelectElement>().value().as_str() {
                "last_call" => DateField::LastCall,
                "created" => DateField::Created,
                _ => DateField::FollowUp,
            })
        })
    };
    let toggle_filters = {
        let f = filters_open.clone();
        Callback::from(move |_| f.set(!*f))
    };
    let active_filters = statuses.len() + usize::from(query.range.is_some());

    html! {
        <section class="leads">
            <div class="search-bar">
                <input ref={input} type="search" placeholder="Name, mobile or reg. no." value={(*text).clone()} oninput={on_text}
                       aria-label="Search leads" enterkeyhint="search" autocomplete="off" />
                <button class={classes!("chip", "filters-toggle", (active_filters > 0).then_some("selected"))} onclick={toggle_filters}
                        aria-expanded={filters_open.to_string()}>
                    { if active_filters > 0 { format!("Filters · {active_filters}") } else { "Filters".to_owned() } }
                </button>
            </div>
            if *filters_open {
                <div class="filters">
                    <div class="chips">{ for STATUSES.iter().map(|st| chip(*st)) }</div>
                    <div class="date-range">
                        <label class="field small"><span>{ "Date" }</span>
                            <select onchange={on_field}>
                                <option value="follow_up" selected={*field == DateField::FollowUp}>{ "Follow-up" }</option>
                                <option value="last_call" selected={*field == DateField::LastCall}>{ "Last call" }</option>
                                <option value="created" selected={*field == DateField::Created}>{ "Added" }</option>
                            </select>
                        </label>
                        { date_input(&from, "From") }
                        { date_input(&to, "To") }
                    </div>
                </div>
            }
            <p class="list-head" aria-live="polite">{
                if query.is_empty() { format!("{} leads on this phone", format::count(total as u64)) }
                else if total == 0 { "No leads match".to_owned() }
                else if total > SHOWN { format!("{} match · showing the first {SHOWN}", format::count(total as u64)) }
                else { format!("{} match", total) }
            }</p>
            <ul class="lead-list">
                { for results.iter().map(|l| {
                    let note = l.last_call.as_ref().map(|c| format!("Last: {} · {}", c.outcome.label(), format::ago(c.at, s.now)));
                    html! { <LeadRow lead={(*l).clone()} {note} /> }
                }) }
            </ul>
        </section>
    }
}
