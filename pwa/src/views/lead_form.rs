//! Add a lead (assigned to yourself) or edit one, with the mobile number checked as it is
//! typed: how it will be saved, and whether a lead with that number is already on the
//! phone ("already exists — assigned to you, last called …").

use crate::app::Ctx;
use crate::format;
use crate::services::{phone, platform};
use crate::state::Screen;
use dialbook_core::lead::{Lead, LeadEdit, NewLead};
use dialbook_core::summary::LeadSummary;
use dialbook_core::{LeadId, PhoneNumber};
use std::collections::{BTreeMap, BTreeSet};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: Option<LeadId>,
}

const CUSTOM: [(&str, &str, &str); 3] = [
    ("car_model", "Car model", "e.g. Maruti Swift"),
    ("reg_no", "Registration no.", "e.g. MH 12 AB 1234"),
    ("service_type", "Service", "e.g. General service"),
];

#[derive(Clone, PartialEq, Default)]
struct Form {
    name: String,
    mobile: String,
    alt: String,
    source: String,
    custom: BTreeMap<String, String>,
    notes: String,
    follow_up: String,
}

impl Form {
    /// `summary`: the lead's stored summary, whose formatted number the form starts from,
    /// so it shows the number as the other screens do before the phone-number module has
    /// loaded.
    fn of(lead: &Lead, summary: Option<&LeadSummary>, rules: &dialbook_core::rules::FollowUpRules) -> Self {
        Self {
            name: lead.name.clone(),
            mobile: match summary {
                Some(summary) if summary.mobile == lead.mobile => summary.mobile_display.clone(),
                _ => phone::display(&lead.mobile),
            },
            alt: lead.alt_mobile.as_ref().map(phone::display).unwrap_or_default(),
            source: lead.source.clone(),
            custom: lead.custom.clone(),
            notes: lead.notes.clone(),
            follow_up: lead.follow_up.map(|t| format::to_input(t, rules)).unwrap_or_default(),
        }
    }
}

#[function_component]
pub fn LeadForm(props: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let form = use_state(Form::default);
    let original = use_state(|| None::<Lead>);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    // The phone-number module usually loaded long ago; on a form opened straight after
    // start it may still be on its way. `Err` says why it did not come.
    let checker = use_state(|| phone::loaded().then_some(Ok(())));
    {
        let checker = checker.clone();
        use_effect_with((), move |()| {
            if checker.is_none() {
                wasm_bindgen_futures::spawn_local(async move { checker.set(Some(phone::ready().await)) });
            }
        });
    }
    {
        let (form, original, io, id, rules, leads) =
            (form.clone(), original.clone(), ctx.io.clone(), props.id.clone(), s.team.rules.clone(), s.leads.clone());
        use_effect_with(props.id.clone(), move |_| {
            match (io, id) {
                (Some(io), Some(id)) => wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(Some(lead)) = io.lead(&id).await {
                        form.set(Form::of(&lead, leads.get(&id), &rules));
                        original.set(Some(lead));
                    }
                }),
                _ => {
                    form.set(Form { source: "Phone".into(), ..Form::default() });
                    original.set(None);
                }
            }
        });
    }
    let rules = &s.team.rules;
    // Checked as typed; `None` for an empty field or while the checker is loading.
    let check = |typed: &str| if typed.trim().is_empty() { None } else { phone::parse(typed) };
    let mobile = check(&form.mobile);
    let alt = check(&form.alt);
    let duplicate = match &mobile {
        Some(Ok((m, _))) => s.duplicate_of(m, props.id.as_ref()).cloned(),
        _ => None,
    };

    let bind = |get: fn(&mut Form) -> &mut String| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut f = (*form).clone();
            *get(&mut f) = e.target_unchecked_into::<HtmlInputElement>().value();
            form.set(f);
        })
    };
    let bind_custom = |key: &'static str| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut f = (*form).clone();
            f.custom.insert(key.to_owned(), e.target_unchecked_into::<HtmlInputElement>().value());
            form.set(f);
        })
    };
    let on_notes = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut f = (*form).clone();
            f.notes = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            form.set(f);
        })
    };

    let onsubmit = {
        let (ctx, form, original, error, busy, id, dup) =
            (ctx.clone(), form.clone(), original.clone(), error.clone(), busy.clone(), props.id.clone(), duplicate.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = (*form).clone();
            let rules = ctx.state.team.rules.clone();
            if f.name.trim().is_empty() {
                return error.set(Some("Enter the customer's name.".into()));
            }
            if let Some(d) = &dup {
                return error.set(Some(format!("{} already has this number. Open that lead instead.", d.name)));
            }
            let follow_up = format::from_input(&f.follow_up, &rules);
            let custom: BTreeMap<String, String> = f.custom.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k.clone(), v.trim().to_owned())).collect();
            let Some(io) = ctx.io.clone() else { return };
            busy.set(true);
            error.set(None);
            let (ctx, original, error, busy, id) = (ctx.clone(), original.clone(), error.clone(), busy.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let checked = check_numbers(&f.mobile, &f.alt).await;
                let (mobile, alt) = match checked {
                    Ok(x) => x,
                    Err(msg) => {
                        busy.set(false);
                        return error.set(Some(msg));
                    }
                };
                let result = match (&id, &*original) {
                    (Some(id), Some(old)) => {
                        let old = old.clone();
                        let mut edits = Vec::new();
                        if old.name != f.name.trim() { edits.push(LeadEdit::Name(f.name.clone())); }
                        if old.mobile != mobile { edits.push(LeadEdit::Mobile(mobile)); }
                        if old.alt_mobile != alt { edits.push(LeadEdit::AltMobile(alt)); }
                        if old.source != f.source.trim() { edits.push(LeadEdit::Source(f.source.clone())); }
                        for (key, _, _) in CUSTOM {
                            let new = custom.get(key);
                            if old.custom.get(key) != new {
                                edits.push(LeadEdit::Custom { key: (*key).to_owned(), value: new.cloned() });
                            }
                        }
                        if old.notes != f.notes { edits.push(LeadEdit::Notes(f.notes.clone())); }
                        // Compared as the field shows it (to the minute): an untouched
                        // field must not rewrite a follow-up set to the second by a rule.
                        if old.follow_up.map(|t| format::to_input(t, &rules)).unwrap_or_default() != f.follow_up {
                            edits.push(LeadEdit::FollowUp(follow_up));
                        }
                        io.edit_lead(id, edits)
                        .await
                        .map(|()| id.clone())
                    }
                    _ => {
                        let new = NewLead {
                            id: LeadId::from_random(platform::random_bytes::<16>()),
                            name: f.name.clone(),
                            mobile,
                            alt_mobile: alt,
                            source: f.source.clone(),
                            assignee: ctx.state.me(),
                            follow_up,
                            tags: BTreeSet::new(),
                            custom,
                            notes: f.notes.clone(),
                        };
                        io.create_lead(new).await
                    }
                };
                busy.set(false);
                match result {
                    Ok(lead) => {
                        ctx.toast(if id.is_some() { "Saved" } else { "Lead added" }, false);
                        ctx.go(Screen::Lead(lead));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    let mobile_hint = match (&mobile, &*checker) {
        (Some(Ok((_, shown))), _) => html! { <span class="hint ok">{ format!("Saved as {shown}") }</span> },
        (Some(Err(e)), _) => html! { <span class="hint bad">{ e.clone() }</span> },
        (None, None) if !form.mobile.trim().is_empty() => html! { <span class="hint">{ "Checking the number…" }</span> },
        (None, Some(Err(e))) if !form.mobile.trim().is_empty() => html! { <span class="hint bad">{ format!("Cannot check numbers now: {e}. Reload the app.") }</span> },
        _ => html! { <span class="hint">{ "Any format: 98450 12345, 098450-12345, +91…" }</span> },
    };
    let dup_box = duplicate.map(|d| {
        let who = d.assignee.map(|u| s.member_name(u)).unwrap_or_else(|| "nobody".into());
        let last = d.last_call.as_ref().map(|c| format!(", last called {} ({})", format::when(c.at, s.now, rules), c.outcome.label())).unwrap_or_else(|| ", never called".into());
        let (ctx, id) = (ctx.clone(), d.id.clone());
        let open = Callback::from(move |_: MouseEvent| ctx.go(Screen::Lead(id.clone())));
        html! {
            <div class="duplicate" role="alert" data-testid="duplicate">
                <p><strong>{ "Already exists: " }</strong>{ format!("{} — assigned to {who}{last}.", d.name) }</p>
                <button type="button" class="btn small secondary" onclick={open}>{ "Open that lead" }</button>
            </div>
        }
    });

    html! {
        <form class="lead-form" {onsubmit} novalidate=true>
            <label class="field"><span>{ "Name" }</span>
                <input name="name" value={form.name.clone()} oninput={bind(|f| &mut f.name)} autocomplete="off" autocapitalize="words" required=true /></label>
            <label class="field"><span>{ "Mobile" }</span>
                <input name="mobile" type="tel" inputmode="tel" value={form.mobile.clone()} oninput={bind(|f| &mut f.mobile)} autocomplete="off" required=true />
                { mobile_hint }</label>
            { for dup_box }
            <label class="field"><span>{ "Alternate mobile (optional)" }</span>
                <input name="alt_mobile" type="tel" inputmode="tel" value={form.alt.clone()} oninput={bind(|f| &mut f.alt)} autocomplete="off" />
                if let Some(Err(e)) = &alt { <span class="hint bad">{ e.clone() }</span> }</label>
            <div class="field-row">
                { for CUSTOM.iter().map(|(key, label, placeholder)| html! {
                    <label class="field"><span>{ *label }</span>
                        <input name={*key} value={form.custom.get(*key).cloned().unwrap_or_default()} placeholder={*placeholder}
                               oninput={bind_custom(key)} autocomplete="off" /></label>
                }) }
                <label class="field"><span>{ "Source" }</span>
                    <input name="source" value={form.source.clone()} oninput={bind(|f| &mut f.source)} list="sources" autocomplete="off" /></label>
            </div>
            <datalist id="sources"><option value="Phone" /><option value="Walk-in" /><option value="WhatsApp" /><option value="Referral" /><option value="Website" /></datalist>
            <label class="field"><span>{ "Next call (optional)" }</span>
                <input name="follow_up" type="datetime-local" value={form.follow_up.clone()} oninput={bind(|f| &mut f.follow_up)} /></label>
            <label class="field"><span>{ "Notes" }</span>
                <textarea name="notes" rows="3" value={form.notes.clone()} oninput={on_notes} /></label>
            if let Some(e) = &*error { <p class="error" role="alert">{ e }</p> }
            <div class="form-actions">
                <button type="submit" class="btn primary big" disabled={*busy}>{ if props.id.is_some() { "Save changes" } else { "Add lead" } }</button>
            </div>
        </form>
    }
}

/// The form's numbers as they will be saved, once the checker is there: what is wrong, in
/// words, otherwise.
async fn check_numbers(mobile: &str, alt: &str) -> Result<(PhoneNumber, Option<PhoneNumber>), String> {
    phone::ready().await.map_err(|e| format!("Cannot check the number now: {e}. Reload the app and try again."))?;
    let check = |typed: &str, field: &str| match phone::parse(typed) {
        Some(Ok((number, _))) => Ok(number),
        Some(Err(e)) => Err(format!("{field}: {e}")),
        None => Err(format!("{field}: the number checker is not loaded")),
    };
    let mobile = check(mobile, "Mobile")?;
    let alt = if alt.trim().is_empty() { None } else { Some(check(alt, "Alternate mobile")?) };
    Ok((mobile, alt))
}
