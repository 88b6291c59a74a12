//! Phone numbers that need libphonenumber: parsing what is typed (the lead form) and
//! formatting stored numbers for showing (`+91 98450 12345`).
//!
//! libphonenumber's metadata and the regex engine it needs are over half of what the app
//! would download before it can start, so they live in a second wasm module
//! (`pwa/phone`), which the page's `boot.js` imports on request (`dialbookPhoneModule`). The
//! app loads it in the background once the queue is on screen, and the service worker
//! precaches it, so it is there offline as well. Until it has loaded:
//!
//! - [`display`] answers from the numbers it formatted before, else shows the E.164 form
//!   (every stored summary carries its number formatted, `mobile_display`: the screens
//!   show that);
//! - [`parse`] answers `None`, and callers wait for [`ready`].
//!
//! Stored numbers never need the module to be read: they are E.164 and core reads them by
//! shape.

use dialbook_core::PhoneNumber;
use js_sys::{Function, Promise, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// Defined by `pwa/boot.js`: imports the module and instantiates its wasm, once (a
    /// failed load is retried on the next call).
    #[wasm_bindgen(js_name = dialbookPhoneModule, catch)]
    fn load_module() -> Result<Promise, JsValue>;
}

struct Module {
    parse: Function,
    display: Function,
}

thread_local! {
    static MODULE: RefCell<Option<Module>> = const { RefCell::new(None) };
    /// E.164 → formatted, for numbers the module formatted before.
    static FORMATTED: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// Whether [`parse`] can answer now.
pub fn loaded() -> bool {
    MODULE.with_borrow(Option::is_some)
}

/// Load the module if it is not loaded yet. An error says why it could not be (offline on
/// a first visit before the service worker had it, or a page without the loader).
pub async fn ready() -> Result<(), String> {
    if loaded() {
        return Ok(());
    }
    let describe = |e: JsValue| format!("the phone-number checker did not load ({})", crate::js_error_message(&e));
    let module = JsFuture::from(load_module().map_err(describe)?).await.map_err(describe)?;
    let function = |name: &str| {
        Reflect::get(&module, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| format!("the phone-number checker has no {name} function"))
    };
    let loaded = Module { parse: function("parse")?, display: function("display")? };
    MODULE.set(Some(loaded));
    Ok(())
}

/// A typed number checked: its E.164 form and how it is shown. `None` while the module
/// has not loaded; `Some(Err(message))` says what is wrong with the input.
pub fn parse(input: &str) -> Option<Result<(PhoneNumber, String), String>> {
    MODULE.with_borrow(|module| {
        let module = module.as_ref()?;
        let checked = match module.parse.call1(&JsValue::NULL, &input.into()) {
            Ok(e164) => {
                let e164 = e164.as_string().unwrap_or_default();
                PhoneNumber::from_e164(&e164).map_err(|e| e.message).map(|n| {
                    let shown = call_display(module, &n);
                    (n, shown)
                })
            }
            Err(message) => Err(message.as_string().unwrap_or_else(|| "this is not a valid phone number".into())),
        };
        Some(checked)
    })
}

/// `number` as shown on screen. Never waits: without the module it is what was known
/// before, else the E.164 form.
pub fn display(number: &PhoneNumber) -> String {
    if let Some(known) = FORMATTED.with_borrow(|f| f.get(number.e164()).cloned()) {
        return known;
    }
    MODULE.with_borrow(|module| match module {
        Some(module) => call_display(module, number),
        None => number.e164().to_owned(),
    })
}

fn call_display(module: &Module, number: &PhoneNumber) -> String {
    let shown = module.display.call1(&JsValue::NULL, &number.e164().into()).ok().and_then(|s| s.as_string());
    match shown {
        Some(shown) => {
            FORMATTED.with_borrow_mut(|f| f.insert(number.e164().to_owned(), shown.clone()));
            shown
        }
        None => number.e164().to_owned(),
    }
}
