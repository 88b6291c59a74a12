//! Dialbook's phone app: a Yew single-page app compiled to wasm32.
//!
//! - `state`: the one reducer and the pure derivations (queue, due list, search);
//! - `app`: the root component, global browser events, the [`app::Ctx`] context;
//! - `io`: what taps do beyond the screen (storage first, then the reducer, then sync);
//! - `services`: every kind of IO (IndexedDB, fetch, the sync loop, platform APIs);
//! - `views`: one component per file; `format` and `theme` are small helpers.
//!
//! `main.rs` only calls [`start`], so browser tests link this library without starting
//! the app.

pub mod app;
pub mod format;
pub mod io;
pub mod services;
pub mod state;
pub mod theme;
pub mod views;

/// Mount the app into `#root` (or `<body>` when the page has no such element).
pub fn start() {
    services::platform::step("dialbook:app-main");
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("root"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
