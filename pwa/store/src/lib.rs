//! The phone app's storage, shared by its two threads:
//!
//! - [`store`]: the IndexedDB layout (documents, summaries, outbox, meta). The page opens
//!   it to read the summaries and small meta values at start; the document worker opens
//!   it too, for every write that involves a document.
//! - [`repo`]: every edit and every sync effect on a document, as one transaction over
//!   the document, its summary and its outbox entry. It runs in the document worker
//!   (`pwa/docs`), where Automerge (core's kernel) lives, so a logged call's read, edit,
//!   writes and commit never wait behind the page's frames and input.
//! - [`worker`]: the messages between the page and that worker.
//! - [`phone`]: formatting and parsing numbers with the phone-number module, loaded on
//!   request in whichever thread asks.

pub mod phone;
pub mod repo;
pub mod store;
pub mod worker;

use wasm_bindgen::JsCast;

/// The thread's `performance`, on the page and in a worker alike.
fn performance() -> Option<web_sys::Performance> {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok()?.dyn_into().ok()
}

/// A mark for the benchmarks (`performance.mark`), ignored where unsupported.
pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// A step of the page's start for the cold-start benchmark's breakdown: a mark, only when
/// the page was opened asking for them (`window.__dialbookSteps`, which
/// tests/e2e/bench.mjs sets). On a slow phone a mark costs the main thread about 1 ms (it
/// is also reported to the browser), too much to spend on every start for nothing.
pub fn step(name: &str) {
    thread_local! {
        static STEPS: bool = js_sys::Reflect::get(&js_sys::global(), &"__dialbookSteps".into())
            .is_ok_and(|v| v.is_truthy());
    }
    if STEPS.with(|on| *on) {
        mark(name);
    }
}

/// Now, in ms since the Unix epoch with the precision of `performance.now()`: comparable
/// across the page and its workers (each has its own `performance` clock).
pub fn epoch_ms() -> f64 {
    performance().map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
}

/// What a thrown JavaScript value says: an `Error`'s message, a thrown string, or that
/// nothing better is known.
pub fn js_error_message(e: &wasm_bindgen::JsValue) -> String {
    let message = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string());
    message.unwrap_or_else(|| "unknown error".into())
}

/// Something went wrong that the user need not be told about, for whoever debugs.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}
