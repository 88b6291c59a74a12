//! Sign in, once per device.

use crate::app::Ctx;
use crate::services::platform;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub notice: Option<String>,
}

#[function_component]
pub fn Login(props: &Props) -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let username = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);

    let onsubmit = {
        let (username, password, error, busy, io) = (username.clone(), password.clone(), error.clone(), busy.clone(), ctx.io.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(io) = io.clone() else { return };
            let user = username.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let pass = password.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            if user.trim().is_empty() || pass.is_empty() {
                error.set(Some("Enter your username and password.".into()));
                return;
            }
            if !platform::is_online() {
                error.set(Some("You're offline. Connect to the internet once to sign in; after that the app works offline.".into()));
                return;
            }
            busy.set(true);
            error.set(None);
            let (error, busy) = (error.clone(), busy.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = io.sign_in(&user, &pass).await {
                    error.set(Some(e));
                }
                busy.set(false);
            });
        })
    };

    html! {
        <div class="login">
            <div class="login-brand">
                <img src="/icons/icon-192.png" alt="" width="72" height="72" />
                <h1>{ "Dialbook" }</h1>
                <p>{ "Call more. Type less." }</p>
            </div>
            <form class="login-form card" {onsubmit} novalidate=true>
                if let Some(n) = &props.notice { <p class="notice">{ n }</p> }
                <label class="field">
                    <span>{ "Username" }</span>
                    <input ref={username} name="username" autocomplete="username" autocapitalize="none"
                           spellcheck="false" inputmode="text" required=true />
                </label>
                <label class="field">
                    <span>{ "Password" }</span>
                    <input ref={password} name="password" type="password" autocomplete="current-password" required=true />
                </label>
                if let Some(e) = &*error { <p class="error" role="alert">{ e }</p> }
                <button type="submit" class="btn primary big" disabled={*busy}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
                <p class="hint">{ "Ask your admin for an account. You sign in once on this phone." }</p>
            </form>
        </div>
    }
}
