//! The phone app's document worker: every lead and team document the phone works on is
//! read, edited and stored here (the store crate's [`Worker`]: core's Automerge kernel
//! and the repo's IndexedDB transactions), in a dedicated worker the page starts once
//! its first screen is up.
//!
//! Its own module because Automerge is over a third of the app's code and the first
//! screen needs none of it: the queue, the due list and search run on the stored
//! summaries. Its own thread because a logged call's IndexedDB replies would otherwise
//! wait behind the page's frames (see `dialbook_store::worker`). `pwa/worker.js` loads
//! this module in the worker and passes each message to [`handle`].

use dialbook_pwa_store::worker::Worker;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    // One per worker: it holds the repo the page opened.
    static WORKER: Rc<Worker> = Rc::new(Worker::default());
}

/// Answer one postcard-encoded `dialbook_pwa_store::worker::Call`.
#[wasm_bindgen]
pub async fn handle(call: Vec<u8>) -> Vec<u8> {
    let worker = WORKER.with(Rc::clone);
    worker.handle_bytes(&call).await
}
