//! Live pokes from the server (`GET /api/sync/events`, server-sent events). Read with
//! `fetch` and a stream reader rather than `EventSource`, which cannot send the
//! `Authorization` header. Every `poke` event asks the sync loop to pull; a dropped
//! stream is reopened with backoff. The loop ends when the user signs out.

use super::platform;
use super::sync::SyncHandle;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, ReadableStreamDefaultReader, RequestInit, Response};

const MIN_RETRY_MS: i32 = 2_000;
const MAX_RETRY_MS: i32 = 60_000;

pub async fn listen(handle: SyncHandle, token: String) {
    let mut retry = MIN_RETRY_MS;
    while !handle.stopped() {
        if platform::is_online() {
            match stream(&handle, &token).await {
                // It was open: a clean drop (server restart) is retried soon.
                Ok(()) => retry = MIN_RETRY_MS,
                Err(()) => retry = (retry * 2).min(MAX_RETRY_MS),
            }
        }
        // Wait out the backoff, but reconnect at once when the sync loop has reached the
        // server again (the network came back): otherwise pokes would stay off for up
        // to a minute after every outage.
        let seen = handle.back_online.get();
        let mut waited = 0;
        while waited < retry && handle.back_online.get() == seen && !handle.stopped() {
            platform::sleep(STEP_MS).await;
            waited += STEP_MS;
        }
        if handle.back_online.get() != seen {
            retry = MIN_RETRY_MS;
        }
    }
}

const STEP_MS: i32 = 500;

async fn stream(handle: &SyncHandle, token: &str) -> Result<(), ()> {
    let window = web_sys::window().ok_or(())?;
    let headers = Headers::new().map_err(drop)?;
    headers.set("Authorization", &format!("Bearer {token}")).map_err(drop)?;
    headers.set("Accept", "text/event-stream").map_err(drop)?;
    let init = RequestInit::new();
    init.set_headers(&headers.into());
    let response: Response = JsFuture::from(window.fetch_with_str_and_init("/api/sync/events", &init))
        .await
        .map_err(drop)?
        .dyn_into()
        .map_err(drop)?;
    if !response.ok() {
        return Err(());
    }
    let body = response.body().ok_or(())?;
    let reader: ReadableStreamDefaultReader = body.get_reader().dyn_into().map_err(drop)?;
    let mut pending = String::new();
    loop {
        if handle.stopped() {
            let _ = reader.cancel();
            return Ok(());
        }
        let chunk = JsFuture::from(reader.read()).await.map_err(drop)?;
        if Reflect::get(&chunk, &JsValue::from_str("done")).map_err(drop)?.is_truthy() {
            return Ok(());
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(drop)?;
        pending.push_str(&String::from_utf8_lossy(&Uint8Array::new(&value).to_vec()));
        // Events end with a blank line. "poke": new data; "ready": the stream (re)opened,
        // and anything pushed while it was down has had no poke, so pull once too.
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            let named = |name: &str| event.lines().any(|l| l.strip_prefix("event:").is_some_and(|n| n.trim() == name));
            if named("poke") || named("ready") {
                handle.poke();
            }
        }
    }
}
