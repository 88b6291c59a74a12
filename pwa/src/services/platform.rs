//! Small wrappers over the browser: the clock, randomness, timers, event listeners,
//! online state, storage persistence, and naming this device. Nothing here knows Dialbook.

use dialbook_core::Timestamp;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

pub fn now() -> Timestamp {
    Timestamp(js_sys::Date::now() as i64)
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    match crypto {
        Some(c) if c.get_random_values_with_u8_array(&mut out).is_ok() => {}
        // No Web Crypto (very old browsers): Math.random is enough for ids that only
        // need to be unique, never secret.
        _ => out.iter_mut().for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8),
    }
    out
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.max(0));
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves once the frame after this moment has been painted (a `requestAnimationFrame`,
/// then a task after it), or after 200 ms: a page opened in the background gets no frames.
pub async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 200);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    sleep(0).await;
}

thread_local! {
    /// Whether the first screen has been shown, and who waits for it.
    static FIRST_SCREEN: RefCell<(bool, Vec<futures_channel::oneshot::Sender<()>>)> = RefCell::default();
}

/// The app's first screen (the queue, the login, the first sync) is painted: what waited
/// for it may start.
pub fn first_screen_shown() {
    let waiting = FIRST_SCREEN.with_borrow_mut(|(shown, waiting)| {
        *shown = true;
        std::mem::take(waiting)
    });
    for tx in waiting {
        let _ = tx.send(());
    }
}

/// Resolves once the first screen has been painted, at once after that. Work the first
/// screen does not need (network requests, registering the service worker) waits for it:
/// on a slow phone each of those costs the main thread several ms before the first card.
pub async fn first_screen() {
    let waiting = FIRST_SCREEN.with_borrow_mut(|(shown, waiting)| {
        (!*shown).then(|| {
            let (tx, rx) = futures_channel::oneshot::channel();
            waiting.push(tx);
            rx
        })
    });
    if let Some(rx) = waiting {
        let _ = rx.await;
    }
}

/// A `setTimeout` that is cancelled when dropped.
pub struct Timeout {
    id: Option<i32>,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(ms: i32, f: impl FnOnce() + 'static) -> Self {
        let mut f = Some(f);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        let id = web_sys::window()
            .and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), ms).ok());
        Self { id, _closure: closure }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.id, web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
    }
}

/// An event listener, removed when dropped.
pub struct Listener {
    target: EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    pub fn new(target: &EventTarget, event: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> Self {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        Self { target: target.clone(), event, closure }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
    }
}

pub fn window_target() -> EventTarget {
    web_sys::window().expect("a browser window").into()
}

pub fn document_target() -> EventTarget {
    web_sys::window().and_then(|w| w.document()).expect("a document").into()
}

pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

pub fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Ask the browser not to evict our storage under pressure: a phone's unsynced calls live
/// only here. Browsers may say no; nothing else depends on the answer.
pub fn request_persistent_storage() {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else { return };
    if let Ok(promise) = storage.persist() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}

/// A name for this device in the session list and the timeline: "Chrome on Android".
pub fn device_name() -> String {
    let ua = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("SamsungBrowser") {
        "Samsung Internet"
    } else if ua.contains("Chrome/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "Browser"
    };
    let os = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iPhone"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS") {
        "Mac"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "unknown device"
    };
    format!("{browser} on {os}")
}

/// `warn`: something went wrong that the user need not be told about, for whoever
/// debugs. `mark`: a mark for the benchmarks. The store crate's, which the document
/// worker uses too.
pub use dialbook_pwa_store::{mark, step, warn};

/// A measure for the benchmarks (`performance.measure`), ignored where unsupported.
pub fn measure(name: &str, start_mark: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.measure_with_start_mark(name, start_mark);
    }
}

/// A measure from `start_mark` to a moment given in ms since the Unix epoch (as a worker
/// reports it: its clock starts elsewhere than the page's).
pub fn measure_until(name: &str, start_mark: &str, end_epoch_ms: f64) {
    // `measure(name, { start, end })`, which web-sys has only among its unstable APIs.
    let Some(p) = web_sys::window().and_then(|w| w.performance()) else { return };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"start".into(), &start_mark.into());
    let _ = js_sys::Reflect::set(&options, &"end".into(), &(end_epoch_ms - p.time_origin()).into());
    if let Ok(measure) = js_sys::Reflect::get(&p, &"measure".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = measure.call2(&p, &name.into(), &options);
    }
}

#[wasm_bindgen]
extern "C" {
    /// Defined by `pwa/boot.js`: the promise of start-up's reads, made while the wasm
    /// loaded (once; null after, or if they failed).
    #[wasm_bindgen(js_name = dialbookTakeStartRead, catch)]
    fn take_start_read_js() -> Result<JsValue, JsValue>;
}

/// What `boot.js` read from IndexedDB ahead of the app, if it did (not in the browser
/// tests, nor a second time).
pub async fn take_start_read() -> Option<JsValue> {
    let promise = take_start_read_js().ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let read = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    (!read.is_null() && !read.is_undefined()).then_some(read)
}

pub fn local_storage_get(key: &str) -> Option<String> {
    web_sys::window()?.local_storage().ok()??.get_item(key).ok()?
}

pub fn local_storage_remove(key: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.remove_item(key);
    }
}
