//! Serving the built PWA from `--static-dir`, so one binary runs the whole product.
//!
//! Paths that look like pages (no file extension) and are not files fall back to
//! `index.html`, so deep links into the app work. Missing assets stay 404: answering a
//! missing `.js` with HTML would be cached by the service worker as broken code. The app
//! shell (`index.html`, `sw.js`, the manifest) is sent with `Cache-Control: no-cache` so a
//! new release reaches phones on their next visit; hashed assets keep default caching.
//!
//! Everything served here carries a Content-Security-Policy: the app runs only its own
//! scripts and wasm from this origin and talks only to this origin, so an injected
//! `<script>` (say, through a lead's name) neither runs nor sends a token anywhere.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

const SHELL_FILES: &[&str] = &["/sw.js", "/index.html", "/manifest.webmanifest", "/manifest.json"];

/// Scripts and wasm only from this origin (`wasm-unsafe-eval` lets the page compile its
/// own wasm; no `eval`, no inline scripts: `index.html` loads `boot-*.js`); styles may be
/// inline (the boot splash, Yew's `style` attributes). Only this origin is fetched from.
/// Not framed by other sites; no plugins; forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
     manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn serve(dir: &Path, req: Request) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let headers = req.headers().clone();

    let response = ServeDir::new(dir).precompressed_br().precompressed_gzip().oneshot(req).await;
    let mut response = match response {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    let mut is_shell = path.ends_with('/') || SHELL_FILES.contains(&path.as_str());

    if response.status() == StatusCode::NOT_FOUND && looks_like_page(&path) {
        let mut index_req = Request::new(Body::empty());
        *index_req.method_mut() = method;
        *index_req.headers_mut() = headers;
        response = match ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip().oneshot(index_req).await {
            Ok(r) => r.map(Body::new),
            Err(never) => match never {},
        };
        is_shell = true;
    }
    if is_shell && response.status().is_success() {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// `/leads/42` is a page of the app; `/assets/app-1f3a.js` is a file.
fn looks_like_page(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    !last.contains('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_routes_fall_back_but_assets_do_not() {
        assert!(looks_like_page("/"));
        assert!(looks_like_page("/leads/abc"));
        assert!(!looks_like_page("/assets/app-1f3a.js"));
        assert!(!looks_like_page("/favicon.ico"));
    }
}
