//! The bridge to the document module (`pwa/docs`): the one place the app reaches the
//! Automerge work on its documents, as core's kernel [`Request`]s and [`Reply`]s.
//!
//! Automerge is over a third of the app's code and the first screen needs none of it
//! (the queue, the due list and search run on stored summaries), so it lives in a second
//! wasm module that the page's `boot.js` imports on request (`dialbookDocsModule`). The
//! app asks for it as soon as the first screen is up; the service worker precaches it,
//! so it loads offline too. Every [`super::repo::Repo`] operation awaits [`ready`]
//! *before* it opens its IndexedDB transaction and then calls [`call`], which never
//! waits: a transaction must not wait on anything but IndexedDB, or it commits early.
//!
//! Browser tests link the kernel into the test itself ([`link_in_process`]).

use super::store::StoreError;
use dialbook_core::kernel::{Reply, Request};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// Defined by `pwa/boot.js`: imports the module and instantiates its wasm, once (a
    /// failed load is retried on the next call).
    #[wasm_bindgen(js_name = dialbookDocsModule, catch)]
    fn load_module() -> Result<Promise, JsValue>;
}

/// Answers a postcard request with a postcard reply.
type Handler = Box<dyn FnMut(&[u8]) -> Vec<u8>>;

enum Transport {
    Module(Function),
    InProcess(Handler),
}

thread_local! {
    // Per page, as the module itself is.
    static TRANSPORT: RefCell<Option<Transport>> = const { RefCell::new(None) };
}

/// Answer requests with `handle` instead of the module (browser tests link core's kernel
/// in).
pub fn link_in_process(handle: impl FnMut(&[u8]) -> Vec<u8> + 'static) {
    TRANSPORT.set(Some(Transport::InProcess(Box::new(handle))));
}

/// Load the module if it is not loaded yet. The error says why it could not be (offline
/// on a first visit before the service worker had it).
pub async fn ready() -> Result<(), StoreError> {
    if TRANSPORT.with_borrow(Option::is_some) {
        return Ok(());
    }
    let describe = |e: JsValue| {
        let message = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string());
        StoreError(format!("the app's document module did not load ({})", message.unwrap_or_else(|| "unknown error".into())))
    };
    let module = JsFuture::from(load_module().map_err(describe)?).await.map_err(describe)?;
    let handle = Reflect::get(&module, &"handle".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| StoreError("the app's document module has no handle function".into()))?;
    // Another caller may have finished loading meanwhile; either function is the same.
    TRANSPORT.with_borrow_mut(|t| {
        if t.is_none() {
            *t = Some(Transport::Module(handle));
        }
    });
    Ok(())
}

/// Answer `request` now. Call [`ready`] first: without the module this is an error.
pub fn call(request: &Request) -> Result<Reply, StoreError> {
    let bytes = postcard::to_allocvec(request).map_err(|e| StoreError(format!("a document request did not encode ({e})")))?;
    let answer = TRANSPORT.with_borrow_mut(|t| match t {
        Some(Transport::Module(handle)) => handle
            .call1(&JsValue::NULL, &Uint8Array::from(bytes.as_slice()))
            .map(|v| Uint8Array::new(&v).to_vec())
            .map_err(|e| StoreError(format!("the app's document module failed ({})", e.as_string().unwrap_or_else(|| format!("{e:?}"))))),
        Some(Transport::InProcess(handle)) => Ok(handle(&bytes)),
        None => Err(StoreError("the app's document module is not loaded yet".into())),
    })?;
    postcard::from_bytes(&answer).map_err(|e| StoreError(format!("the document module's answer did not decode ({e})")))
}
