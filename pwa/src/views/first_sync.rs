//! The first sync after signing in: every assigned lead comes down once, with progress.

use crate::app::Ctx;
use crate::format;
use yew::prelude::*;

#[function_component]
pub fn FirstSync() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let s = &ctx.state;
    let (done, total) = s.progress.map_or((s.leads.len() as u64, 0), |p| (p.done, p.total));
    let text = if total > 0 {
        format!("{} of {} leads", format::count(done.min(total)), format::count(total))
    } else if s.sync.online {
        "Getting your leads…".to_owned()
    } else {
        "Waiting for the network to get your leads…".to_owned()
    };
    let name = s.session.as_ref().map(|x| x.user.display_name.clone()).unwrap_or_default();
    html! {
        <div class="first-sync" data-testid="first-sync">
            <img src="/icons/icon-192.png" alt="" width="64" height="64" />
            <h1>{ format!("Welcome, {name}") }</h1>
            <p>{ "Putting your leads on this phone so you can work without network." }</p>
            if total > 0 {
                <progress max={total.to_string()} value={done.min(total).to_string()}></progress>
            } else {
                <progress></progress>
            }
            <p class="progress-text" aria-live="polite">{ text }</p>
        </div>
    }
}
