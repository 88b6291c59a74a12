//! The one error type every handler returns, and how it reaches the client: always a JSON
//! body `{"error": code, "message": text}` with the matching status.
//!
//! Internal failures are answered with a generic message; their detail travels in the
//! response's extensions to [`middleware::json_errors`], which logs it and strips it.
//! Nothing here logs, and no internal detail is ever written into a response body.

pub mod middleware;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug)]
pub enum ApiError {
    /// The request is wrong in a way the user can fix; `code` is a stable machine name.
    BadRequest { code: &'static str, message: String },
    /// No valid session: missing, unknown or revoked token, or a disabled account.
    Unauthorized(String),
    /// Logged in, but not allowed to do this.
    Forbidden(String),
    NotFound(String),
    /// The request clashes with what is stored (duplicate username, last admin, …).
    Conflict { code: &'static str, message: String },
    PayloadTooLarge(String),
    UriTooLong(String),
    /// The body is in a format this endpoint does not take.
    UnsupportedMediaType(String),
    /// Slow down; `message` says when to try again (also sent as `Retry-After`).
    TooManyRequests { retry_after_secs: u64, message: String },
    /// Our fault. Logged with detail by the middleware; the client sees a generic text.
    /// (`anyhow` so handlers can add context to any failure; it never reaches the wire.)
    Internal(anyhow::Error),
}

/// The JSON body of every error response.
#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub error: &'a str,
    pub message: &'a str,
}

/// The detail of an internal error, riding in the response's extensions from
/// `IntoResponse` to the logging middleware.
#[derive(Clone, Debug)]
pub struct InternalErrorDetail(pub Arc<str>);

pub const INTERNAL_MESSAGE: &str =
    "Something went wrong on the server. Try again in a minute; if it keeps happening, tell your admin.";

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest { code, message: message.into() }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Conflict { code, message: message.into() }
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(anyhow::Error::new(err))
    }

    /// An internal error described by a message (an invariant that did not hold).
    pub fn internal_msg(message: impl std::fmt::Display) -> Self {
        ApiError::Internal(anyhow::anyhow!("{message}"))
    }

    /// A 429 with a generic "try again in …" message.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        ApiError::TooManyRequests {
            retry_after_secs,
            message: format!("Too many requests. Try again in {}.", human_duration(retry_after_secs)),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UriTooLong(_) => "uri_too_long",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Internal(_) => "internal",
        }
    }

    fn message(&self) -> &str {
        match self {
            ApiError::BadRequest { message, .. }
            | ApiError::Conflict { message, .. }
            | ApiError::TooManyRequests { message, .. } => message,
            ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::PayloadTooLarge(m)
            | ApiError::UriTooLong(m)
            | ApiError::UnsupportedMediaType(m) => m,
            ApiError::Internal(_) => INTERNAL_MESSAGE,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Internal(e) => write!(f, "internal: {}", error_chain(e)),
            other => write!(f, "{}: {}", other.code(), other.message()),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status(), Json(ErrorBody { error: self.code(), message: self.message() })).into_response();
        match &self {
            ApiError::Unauthorized(_) => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests { retry_after_secs, .. } => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            ApiError::Internal(e) => {
                response.extensions_mut().insert(InternalErrorDetail(error_chain(e).into()));
            }
            _ => {}
        }
        response
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(anyhow::Error::new(e))
    }
}

impl From<sqlx::migrate::MigrateError> for ApiError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        ApiError::Internal(anyhow::Error::new(e))
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::Internal(anyhow::Error::new(e))
    }
}

/// "outer: inner: innermost", for logs. Unlike `{:#}` it skips a cause whose text the
/// previous message already contains (sqlx's errors repeat their source in their own).
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// "45 seconds", "1 minute", "14 minutes", "2 hours": how long a user must wait.
pub fn human_duration(secs: u64) -> String {
    fn plural(n: u64, unit: &str) -> String {
        if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
    }
    match secs {
        0..60 => plural(secs.max(1), "second"),
        60..3600 => plural(secs.div_ceil(60), "minute"),
        _ => plural(secs.div_ceil(3600), "hour"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_times_read_naturally() {
        assert_eq!(human_duration(0), "1 second");
        assert_eq!(human_duration(59), "59 seconds");
        assert_eq!(human_duration(60), "1 minute");
        assert_eq!(human_duration(61), "2 minutes");
        assert_eq!(human_duration(900), "15 minutes");
        assert_eq!(human_duration(7200), "2 hours");
    }

    #[test]
    fn an_internal_error_keeps_its_detail_out_of_the_body() {
        let response = ApiError::internal_msg("disk on fire at /var/lib/secret").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let detail = response.extensions().get::<InternalErrorDetail>().expect("detail for the logger");
        assert!(detail.0.contains("disk on fire"));
    }
}
