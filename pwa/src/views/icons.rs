//! Inline SVG icons (24×24, stroked with the current colour), so there are no icon fonts
//! or image requests to wait for.

use yew::{Html, html};

fn svg(path: Html) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor"
             stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{ path }</svg>
    }
}

pub fn phone() -> Html {
    svg(html! { <path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z"/> })
}
pub fn skip() -> Html {
    svg(html! { <><polygon points="5 4 15 12 5 20 5 4"/><line x1="19" y1="5" x2="19" y2="19"/></> })
}
pub fn clock() -> Html {
    svg(html! { <><circle cx="12" cy="12" r="10"/><polyline points="12 6 12 12 16 14"/></> })
}
pub fn queue() -> Html {
    svg(html! { <><path d="M3 6h18"/><path d="M3 12h18"/><path d="M3 18h12"/></> })
}
pub fn search() -> Html {
    svg(html! { <><circle cx="11" cy="11" r="7"/><line x1="21" y1="21" x2="16.6" y2="16.6"/></> })
}
pub fn plus() -> Html {
    svg(html! { <><line x1="12" y1="5" x2="12" y2="19"/><line x1="5" y1="12" x2="19" y2="12"/></> })
}
pub fn back() -> Html {
    svg(html! { <polyline points="15 18 9 12 15 6"/> })
}
pub fn edit() -> Html {
    svg(html! { <><path d="M12 20h9"/><path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"/></> })
}
pub fn message() -> Html {
    svg(html! { <path d="M21 11.5a8.4 8.4 0 0 1-12.3 7.4L3 21l2.1-5.6A8.4 8.4 0 1 1 21 11.5z"/> })
}
pub fn mic() -> Html {
    svg(html! { <><rect x="9" y="2" width="6" height="12" rx="3"/><path d="M5 10a7 7 0 0 0 14 0"/><line x1="12" y1="17" x2="12" y2="22"/></> })
}
pub fn sync() -> Html {
    svg(html! { <><polyline points="23 4 23 10 17 10"/><polyline points="1 20 1 14 7 14"/><path d="M3.5 9a9 9 0 0 1 14.9-3.4L23 10M1 14l4.6 4.4A9 9 0 0 0 20.5 15"/></> })
}
pub fn cloud_off() -> Html {
    svg(html! { <><path d="M22.6 16.5A5 5 0 0 0 18 10h-1.3A8 8 0 0 0 9 4.1M5 5a8 8 0 0 0 4 15h9a5 5 0 0 0 1.7-.3"/><line x1="1" y1="1" x2="23" y2="23"/></> })
}
pub fn check() -> Html {
    svg(html! { <polyline points="20 6 9 17 4 12"/> })
}
pub fn logout() -> Html {
    svg(html! { <><path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4"/><polyline points="16 17 21 12 16 7"/><line x1="21" y1="12" x2="9" y2="12"/></> })
}
pub fn more() -> Html {
    svg(html! { <><circle cx="12" cy="5" r="1.6" fill="currentColor"/><circle cx="12" cy="12" r="1.6" fill="currentColor"/><circle cx="12" cy="19" r="1.6" fill="currentColor"/></> })
}
