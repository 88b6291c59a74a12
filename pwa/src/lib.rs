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

/// Open storage, build the first state from what start-up read, then mount the app into
/// `#root` (or `<body>` when the page has no such element), replacing the boot splash:
/// the first screen is drawn once, with its data.
pub fn start() {
    use std::rc::Rc;
    use yew::Reducible;
    services::platform::step("dialbook:app-main");
    wasm_bindgen_futures::spawn_local(async {
        let io = io::Io::boot().await;
        let first = state::AppState::new(services::platform::now(), state::Screen::from_path(&app::location_path()));
        let first = match &io {
            Ok(io) => io.take_waiting().into_iter().fold(Rc::new(first), |s, action| s.reduce(action)),
            Err(_) => Rc::new(first),
        };
        let first = Rc::try_unwrap(first).unwrap_or_else(|shared| (*shared).clone());
        let props = app::AppProps { start: Rc::new(app::Start { io, state: std::cell::RefCell::new(Some(first)) }) };
        let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("root"));
        match root {
            Some(root) => {
                root.set_inner_html("");
                yew::Renderer::<app::App>::with_root_and_props(root, props).render();
            }
            None => {
                yew::Renderer::<app::App>::with_props(props).render();
            }
        }
    });
}
