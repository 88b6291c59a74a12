//! Checks every request passes before any handler sees it, so no endpoint can forget
//! them: an address of bounded length, and no NUL character in the address or in a JSON
//! body. (PostgreSQL refuses NUL in text; a NUL reaching a query would fail it with a 500
//! on one backend and be stored on the other. Refusing it here treats both alike.)
//!
//! Also adds the response headers every answer carries: `nosniff`, no referrer, and HSTS
//! when the server speaks HTTPS itself.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Longer addresses are refused with 414. The app's longest is a search of a few words.
pub const MAX_URI_BYTES: usize = 2048;

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = match check(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(refused) => refused,
    };
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if state.config.tls_enabled() {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

async fn check(state: &AppState, req: Request) -> Result<Request, Response> {
    let uri = req.uri().to_string();
    if uri.len() > MAX_URI_BYTES {
        return Err(ApiError::UriTooLong(format!("The address is {} bytes long; at most {MAX_URI_BYTES} are accepted.", uri.len())).into_response());
    }
    if uri.to_ascii_lowercase().contains("%00") {
        return Err(nul().into_response());
    }
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !json {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    // Too large: a bare 413, which `json_errors` words like every other one.
    let bytes = axum::body::to_bytes(body, state.config.max_body_bytes).await.map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    if has_escaped_nul(&bytes) {
        return Err(nul().into_response());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn nul() -> ApiError {
    ApiError::bad_request("invalid_text", "Text may not contain NUL characters (\\u0000). Remove them and try again.")
}

/// JSON can only carry a NUL as the escape `\u0000` (a raw control character is not
/// valid JSON, and serde refuses it). The escape counts when its backslash is not itself
/// escaped, that is, preceded by an even number of backslashes.
fn has_escaped_nul(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(i, w)| {
        w == b"\\u0000" && json[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
    })
}

#[cfg(test)]
mod tests {
    use super::has_escaped_nul;

    #[test]
    fn finds_the_nul_escape_and_only_it() {
        assert!(has_escaped_nul(br#"{"username":"a\u0000b"}"#));
        assert!(has_escaped_nul(br#"{"q":"\\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"note":"a literal \\u0000 typed by someone"}"#));
        assert!(!has_escaped_nul(br#"{"note":"\u0001 is fine here"}"#));
    }
}
