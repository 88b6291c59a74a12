//! Dictation with the Web Speech API, where the browser has it. Chrome on Android sends
//! the audio to a recogniser online, so it is offered only when online. Bound through
//! `js_sys::Reflect` because the API is still prefixed (`webkitSpeechRecognition`).

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

fn constructor() -> Option<Function> {
    let w = web_sys::window()?;
    ["SpeechRecognition", "webkitSpeechRecognition"]
        .iter()
        .find_map(|name| Reflect::get(&w, &JsValue::from_str(name)).ok().and_then(|v| v.dyn_into::<Function>().ok()))
}

pub fn available() -> bool {
    super::platform::is_online() && constructor().is_some()
}

/// Listen once in Indian English; `done` gets the words heard, or `None`.
pub fn listen(done: impl FnOnce(Option<String>) + 'static) {
    let Some(ctor) = constructor() else { return done(None) };
    let Ok(rec) = Reflect::construct(&ctor, &js_sys::Array::new()) else { return done(None) };
    let _ = Reflect::set(&rec, &"lang".into(), &"en-IN".into());
    let _ = Reflect::set(&rec, &"interimResults".into(), &false.into());
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let finish = {
        let done = done.clone();
        move |text: Option<String>| {
            if let Some(f) = done.borrow_mut().take() {
                f(text);
            }
        }
    };
    let on_result = {
        let finish = finish.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            // event.results[0][0].transcript
            let text = Reflect::get(&event, &"results".into())
                .and_then(|r| Reflect::get_u32(&r, 0))
                .and_then(|r| Reflect::get_u32(&r, 0))
                .and_then(|alt| Reflect::get(&alt, &"transcript".into()))
                .ok()
                .and_then(|t| t.as_string());
            finish(text);
        })
    };
    let on_end = Closure::<dyn FnMut(JsValue)>::new(move |_| finish(None));
    let _ = Reflect::set(&rec, &"onresult".into(), on_result.as_ref());
    let _ = Reflect::set(&rec, &"onerror".into(), on_end.as_ref());
    let _ = Reflect::set(&rec, &"onend".into(), on_end.as_ref());
    // The recogniser calls back once and then is done; the closures live as long as it.
    on_result.forget();
    on_end.forget();
    if let Ok(start) = Reflect::get(&rec, &"start".into()).and_then(|f| f.dyn_into::<Function>()) {
        let _ = start.call0(&rec);
    }
}
