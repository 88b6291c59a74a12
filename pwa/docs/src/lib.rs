//! The phone app's document module: every lead and team document the phone works on goes
//! through here (core's [`Kernel`]: edits, the read-back for summaries, what to push,
//! applying what was pulled, the fallback exchange).
//!
//! It is a module of its own because Automerge is over a third of the app's code and the
//! first screen needs none of it: the queue, the due list and search run on the stored
//! summaries. The main module starts without it and imports it once the first screen is
//! up (the service worker precaches it, so it loads offline too); see `services::docs`
//! in the app.
//!
//! One function, bytes in and bytes out (postcard), so the glue between the two modules
//! stays trivial and both sides share one definition of the messages (core's `kernel`).

use dialbook_core::kernel::Kernel;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    // One per page: the module's memory is the page's, and the kernel keeps only what
    // makes the next request quick (the document of the call on the phone).
    static KERNEL: RefCell<Kernel> = RefCell::new(Kernel::new());
}

/// Answer one postcard-encoded `dialbook_core::kernel::Request`.
#[wasm_bindgen]
pub fn handle(request: &[u8]) -> Vec<u8> {
    KERNEL.with_borrow_mut(|kernel| kernel.handle_bytes(request))
}
