//! A short confirmation or problem at the bottom of the screen; goes by itself.

use crate::app::Ctx;
use crate::services::platform::Timeout;
use crate::state::Action;
use yew::prelude::*;

#[function_component]
pub fn ToastView() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let toast = ctx.state.toast.clone();
    {
        let dispatcher = ctx.state.dispatcher();
        use_effect_with(toast.as_ref().map(|t| (t.id, t.error)), move |key| {
            let timer = key.map(|(id, error)| {
                Timeout::new(if error { 7_000 } else { 3_500 }, move || dispatcher.dispatch(Action::DismissToast(id)))
            });
            move || drop(timer)
        });
    }
    let Some(t) = toast else { return html! {} };
    let id = t.id;
    let dismiss = {
        let d = ctx.state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::DismissToast(id)))
    };
    html! {
        <div class={classes!("toast", t.error.then_some("error"))} data-testid="toast"
             role={if t.error { "alert" } else { "status" }} onclick={dismiss}>
            { t.text }
        </div>
    }
}
