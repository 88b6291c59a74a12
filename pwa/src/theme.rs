//! Light, dark, or the phone's setting, applied as `data-theme` on `<html>`. The choice is
//! kept in IndexedDB (meta `theme`) and arrives with start-up's read, before the first
//! screen is drawn; until then the boot splash follows the phone's setting. Not in
//! localStorage: a fresh page's first localStorage use waits on the browser for every
//! value (about 13 ms on a slow phone), on the way to the first card.

use crate::services::platform;
use std::cell::Cell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

/// Where an older version kept the choice; moved to meta once, after start.
const OLD_KEY: &str = "dialbook-theme";

thread_local! {
    static CURRENT: Cell<Theme> = const { Cell::new(Theme::System) };
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "system" => Some(Theme::System),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }
}

/// The theme on screen.
pub fn current() -> Theme {
    CURRENT.get()
}

/// Puts `theme` on screen (not saved: see `Io::save_theme`).
pub fn show(theme: Theme) {
    CURRENT.set(theme);
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
}

/// The choice an older version kept in localStorage, taken out of it (for meta).
pub fn take_old_choice() -> Option<Theme> {
    let theme = platform::local_storage_get(OLD_KEY).and_then(|s| Theme::parse(&s))?;
    platform::local_storage_remove(OLD_KEY);
    Some(theme)
}
