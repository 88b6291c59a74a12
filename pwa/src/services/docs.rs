//! The page's end of the document worker (`pwa/docs` run by `pwa/worker.js`): the one
//! place the page reaches its documents, as the store crate's worker [`Call`]s and
//! [`Answer`]s.
//!
//! The worker holds Automerge (over a third of the app's code, which the first screen
//! does not need: the queue, the due list and search run on stored summaries) and does
//! every write that involves a document, on its own IndexedDB connection, so a logged
//! call's transaction never waits behind the page's frames. The page's `boot.js` starts
//! it on request (`dialbookDocsWorker`), which the app does once the first screen is up;
//! the service worker precaches its files, so it starts offline too.

use dialbook_pwa_store::js_error_message;
use dialbook_pwa_store::store::StoreError;
use dialbook_pwa_store::repo::Editor;
use dialbook_pwa_store::worker::{Answer, Call};
use futures_channel::oneshot;
use futures_util::FutureExt;
use futures_util::future::{LocalBoxFuture, Shared};
use js_sys::{Object, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// Defined by `pwa/boot.js`: starts the worker (`fresh`: a new one, the old one ended)
    /// and resolves once its module has loaded; a failed start is retried on the next call.
    #[wasm_bindgen(js_name = dialbookDocsWorker, catch)]
    fn start_worker(fresh: bool) -> Result<Promise, JsValue>;
}

type Reply = Result<Vec<u8>, String>;
type Started = Shared<LocalBoxFuture<'static, Result<Rc<Client>, StoreError>>>;

/// The started worker and the calls it has not answered yet.
struct Client {
    worker: web_sys::Worker,
    next: Cell<u32>,
    waiting: Rc<RefCell<HashMap<u32, oneshot::Sender<Reply>>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

#[derive(Default)]
struct State {
    /// The worker, started or starting (and opened on the database, if asked to be).
    client: Option<Started>,
    /// The last [`open`], made again on a worker started later.
    open: Option<Call>,
    /// The worker failed: the next start ends it and starts another.
    fresh: bool,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::default();
}

/// The worker answered with another kind of answer than the call asks for.
pub fn unexpected() -> StoreError {
    StoreError("the document worker answered something else than was asked".into())
}

/// From now on the worker works on the database `db` as `editor` (start, or someone
/// signed in). Starts nothing: a worker already started is told before any later call.
pub fn open(db: &str, editor: Editor) {
    let call = Call::Open { db: db.to_owned(), editor };
    STATE.with_borrow_mut(|s| {
        s.open = Some(call.clone());
        if let Some(started) = s.client.take() {
            let opened = async move {
                let client = started.await?;
                client.open(&call).await?;
                Ok(client)
            };
            s.client = Some(opened.boxed_local().shared());
        }
    });
}

/// Start the worker if it is not running yet. The error says why it could not be (offline
/// on a first visit before the service worker had its files).
pub async fn ready() -> Result<(), StoreError> {
    client().await.map(drop)
}

async fn client() -> Result<Rc<Client>, StoreError> {
    let started = STATE.with_borrow_mut(|s| {
        s.client
            .get_or_insert_with(|| {
                let (fresh, open) = (std::mem::take(&mut s.fresh), s.open.clone());
                Client::start(fresh, open).boxed_local().shared()
            })
            .clone()
    });
    let client = started.await;
    if client.is_err() {
        // Tried again on the next call (the files may be cached by then).
        STATE.with_borrow_mut(|s| s.client = None);
    }
    client
}

/// The worker failed in a way its answers do not cover (it stopped, or its module
/// panicked): the next call starts a new one.
fn restart() {
    STATE.with_borrow_mut(|s| {
        s.client = None;
        s.fresh = true;
    });
}

impl Client {
    async fn start(fresh: bool, open: Option<Call>) -> Result<Rc<Client>, StoreError> {
        let failed = |e: JsValue| StoreError(format!("the app's document worker did not start ({})", js_error_message(&e)));
        let worker: web_sys::Worker = JsFuture::from(start_worker(fresh).map_err(failed)?).await.map_err(failed)?.unchecked_into();
        let waiting: Rc<RefCell<HashMap<u32, oneshot::Sender<Reply>>>> = Rc::default();
        let on_message = {
            let waiting = waiting.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let data = event.data();
                let field = |name: &str| Reflect::get(&data, &name.into()).unwrap_or(JsValue::UNDEFINED);
                let Some(id) = field("id").as_f64() else { return };
                let Some(sender) = waiting.borrow_mut().remove(&(id as u32)) else { return };
                let answer = field("answer");
                let reply = if answer.is_undefined() {
                    Err(field("error").as_string().unwrap_or_else(|| "no answer".into()))
                } else {
                    Ok(Uint8Array::new(&answer).to_vec())
                };
                let _ = sender.send(reply);
            })
        };
        // A worker that dies (out of memory, say) answers nothing more: every waiting call
        // fails instead of waiting for ever.
        let on_error = {
            let waiting = waiting.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let message = event.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_default();
                for (_, sender) in waiting.borrow_mut().drain() {
                    let _ = sender.send(Err(format!("it stopped: {message}")));
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let client = Rc::new(Client { worker, next: Cell::new(1), waiting, _on_message: on_message, _on_error: on_error });
        if let Some(open) = open {
            client.open(&open).await?;
        }
        Ok(client)
    }

    /// Open the database in the worker: nothing else is sent until it has answered, or
    /// the calls after it could find no database open.
    async fn open(&self, open: &Call) -> Result<(), StoreError> {
        match self.ask(open).await? {
            Answer::Done => Ok(()),
            Answer::Failed(e) => Err(e.into()),
            _ => Err(unexpected()),
        }
    }

    async fn ask(&self, call: &Call) -> Result<Answer, StoreError> {
        let bytes = postcard::to_allocvec(call).map_err(|e| StoreError(format!("a document request did not encode ({e})")))?;
        let id = self.next.get();
        self.next.set(id.wrapping_add(1));
        let (sender, receiver) = oneshot::channel();
        self.waiting.borrow_mut().insert(id, sender);
        let message = Object::new();
        let bytes = Uint8Array::from(bytes.as_slice());
        let _ = Reflect::set(&message, &"id".into(), &id.into());
        let _ = Reflect::set(&message, &"call".into(), &bytes);
        if let Err(e) = self.worker.post_message_with_transfer(&message, &js_sys::Array::of1(&bytes.buffer())) {
            self.waiting.borrow_mut().remove(&id);
            return Err(StoreError(format!("the document worker could not be asked ({})", js_error_message(&e))));
        }
        let reply = receiver.await.map_err(|_| StoreError("the document worker went away".into()))?;
        let bytes = reply.map_err(|message| {
            restart();
            StoreError(format!("the document worker failed ({message})"))
        })?;
        postcard::from_bytes(&bytes).map_err(|e| StoreError(format!("the document worker's answer did not decode ({e})")))
    }
}

/// Ask the worker, starting it first if need be.
pub async fn call(call: &Call) -> Result<Answer, StoreError> {
    client().await?.ask(call).await
}
