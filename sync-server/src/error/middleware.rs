//! The outermost error layer: logs internal errors with their detail, and rewrites the
//! plain-text or empty error responses that axum and tower-http produce on their own
//! (bad JSON, wrong content type, body too large, unknown route, wrong method) into the
//! same `{"error", "message"}` JSON that handlers return. A client therefore meets one
//! error shape for every 4xx, whichever layer refused the request.

use super::{ErrorBody, INTERNAL_MESSAGE, InternalErrorDetail};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Plain-text rejections are short; anything longer is not worth echoing.
const MAX_ECHOED_BODY: usize = 16 * 1024;

pub async fn json_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;

    if let Some(detail) = response.extensions_mut().remove::<InternalErrorDetail>() {
        tracing::error!(%method, %path, status = response.status().as_u16(), error = %detail.0, "internal error");
        return response;
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(response.headers()) {
        return response;
    }

    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, MAX_ECHOED_BODY).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    if status.is_server_error() {
        tracing::error!(%method, %path, status = status.as_u16(), body = %text, "server error outside a handler");
    }
    let (code, message) = describe(status, &method, &path, &text, &parts.headers, state.config.max_body_bytes);

    let mut out = (status, Json(ErrorBody { error: code, message: &message })).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = parts.headers.get(&name) {
            out.headers_mut().insert(name, value.clone());
        }
    }
    out
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"))
}

/// A code and a message a person can act on, for an error that arrived without one.
fn describe(
    status: StatusCode,
    method: &Method,
    path: &str,
    text: &str,
    headers: &HeaderMap,
    max_body_bytes: usize,
) -> (&'static str, String) {
    let or = |fallback: String| if text.is_empty() { fallback } else { text.to_owned() };
    match status {
        StatusCode::BAD_REQUEST if text.starts_with("Failed to parse the request body as JSON") => {
            ("invalid_json", format!("{text}. Send a valid JSON object."))
        }
        StatusCode::BAD_REQUEST => ("bad_request", or("The request was not understood.".to_owned())),
        StatusCode::UNAUTHORIZED => ("unauthorized", or("Log in first.".to_owned())),
        StatusCode::FORBIDDEN => ("forbidden", or("You may not do this.".to_owned())),
        StatusCode::NOT_FOUND => ("not_found", format!("There is nothing at {path}. Check the address.")),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("");
            let hint = if allowed.is_empty() { String::new() } else { format!(" Use {allowed}.") };
            ("method_not_allowed", format!("{method} is not allowed on {path}.{hint}"))
        }
        StatusCode::REQUEST_TIMEOUT => ("timeout", or("The request took too long. Try again.".to_owned())),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            format!(
                "The request body is larger than this server accepts ({}). Send less at a time.",
                human_bytes(max_body_bytes)
            ),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            or("This content type is not accepted here. Send JSON with Content-Type: application/json.".to_owned()),
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid_body", or("The request body has the wrong shape.".to_owned())),
        StatusCode::TOO_MANY_REQUESTS => ("too_many_requests", or("Too many requests. Wait a little and try again.".to_owned())),
        s if s.is_server_error() => ("internal", INTERNAL_MESSAGE.to_owned()),
        _ => ("bad_request", or(status.canonical_reason().unwrap_or("Request refused.").to_owned())),
    }
}

fn human_bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}
