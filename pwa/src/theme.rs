//! Light, dark, or the phone's setting. Kept in localStorage (read before the first paint,
//! so a dark-theme user never sees a white flash) and applied as `data-theme` on `<html>`.

use crate::services::platform;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

const KEY: &str = "dialbook-theme";

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

pub fn current() -> Theme {
    match platform::local_storage_get(KEY).as_deref() {
        Some("light") => Theme::Light,
        Some("dark") => Theme::Dark,
        _ => Theme::System,
    }
}

pub fn apply(theme: Theme) {
    platform::local_storage_set(KEY, theme.as_str());
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
}
