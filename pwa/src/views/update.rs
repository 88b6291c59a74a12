//! The service worker from the page's side: register it, notice a new version waiting
//! and offer to switch, and take its messages (background sync, a tapped reminder).

use crate::app::Ctx;
use crate::io::Io;
use crate::services::platform::Listener;
use crate::state::{Action, AppState, Screen};
use dialbook_core::LeadId;
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, ServiceWorkerRegistration};
use yew::prelude::*;

fn container() -> Option<web_sys::ServiceWorkerContainer> {
    let nav = web_sys::window()?.navigator();
    // `serviceWorker` is missing on plain http (other than localhost) and in some webviews.
    Reflect::has(&nav, &"serviceWorker".into()).ok().filter(|x| *x)?;
    Some(nav.service_worker())
}

#[hook]
pub fn use_service_worker(state: &UseReducerHandle<AppState>, io: Option<&Rc<Io>>) {
    let dispatcher = state.dispatcher();
    use_effect_with((), move |_| {
        if let Some(c) = container() {
            let d = dispatcher.clone();
            wasm_bindgen_futures::spawn_local(async move {
                crate::services::platform::first_screen().await;
                let Ok(reg) = JsFuture::from(c.register("/sw.js")).await else { return };
                let Ok(reg) = reg.dyn_into::<ServiceWorkerRegistration>() else { return };
                watch(reg, d);
            });
        }
    });
    let io = io.cloned();
    let dispatcher = state.dispatcher();
    use_effect_with(io.as_ref().map(|i| Rc::as_ptr(i) as usize), move |_| {
        let listener = container().map(|c| {
            Listener::new(&c.into(), "message", move |e| {
                let Ok(e) = e.dyn_into::<MessageEvent>() else { return };
                let data = e.data();
                let kind = Reflect::get(&data, &"type".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                match kind.as_str() {
                    "background-sync" => {
                        if let Some(io) = &io {
                            io.sync_now();
                        }
                    }
                    "open-lead" => {
                        let id = Reflect::get(&data, &"lead_id".into()).ok().and_then(|v| v.as_string());
                        if let Some(id) = id.and_then(|i| LeadId::parse(&i).ok()) {
                            dispatcher.dispatch(Action::Go(Screen::Lead(id)));
                        }
                    }
                    _ => {}
                }
            })
        });
        move || drop(listener)
    });
}

fn watch(reg: ServiceWorkerRegistration, d: UseReducerDispatcher<AppState>) {
    let has_controller = || container().and_then(|c| c.controller()).is_some();
    if reg.waiting().is_some() && has_controller() {
        d.dispatch(Action::UpdateReady);
    }
    let reg2 = reg.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        let Some(worker) = reg2.installing() else { return };
        let (w2, d2) = (worker.clone(), d.clone());
        let on_state = Closure::<dyn FnMut()>::new(move || {
            if w2.state() == web_sys::ServiceWorkerState::Installed && has_controller() {
                d2.dispatch(Action::UpdateReady);
            }
        });
        worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        // Lives as long as the worker; one per update, which is rare.
        on_state.forget();
    });
    reg.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
}

/// Ask the browser to wake the app's service worker when the network returns, where
/// Background Sync exists (Chrome on Android). Elsewhere the `online` event does it.
pub fn request_background_sync() {
    let Some(c) = container() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(ready) = c.ready() else { return };
        let Ok(reg) = JsFuture::from(ready).await else { return };
        let Ok(sync) = Reflect::get(&reg, &"sync".into()) else { return };
        if sync.is_undefined() {
            return;
        }
        if let Ok(register) = Reflect::get(&sync, &"register".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
            && let Ok(p) = register.call1(&sync, &"dialbook-sync".into())
        {
            let _ = JsFuture::from(js_sys::Promise::from(p)).await;
        }
    });
}

#[function_component]
pub fn UpdateBanner() -> Html {
    let ctx = use_context::<Ctx>().expect("context");
    let _ = &ctx;
    let onclick = Callback::from(|_: MouseEvent| {
        let Some(c) = container() else { return };
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(ready) = c.ready() else { return };
            let Ok(reg) = JsFuture::from(ready).await else { return };
            let Ok(reg) = reg.dyn_into::<ServiceWorkerRegistration>() else { return };
            let reload = Closure::<dyn FnMut()>::new(|| {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            });
            c.set_oncontrollerchange(Some(reload.as_ref().unchecked_ref()));
            reload.forget();
            if let Some(waiting) = reg.waiting() {
                let msg = js_sys::Object::new();
                let _ = Reflect::set(&msg, &"type".into(), &"skip-waiting".into());
                let _ = waiting.post_message(&msg);
            }
        });
    });
    html! {
        <div class="update-banner" role="status">
            <span>{ "A new version of Dialbook is ready." }</span>
            <button class="btn small primary" {onclick}>{ "Reload" }</button>
        </div>
    }
}
