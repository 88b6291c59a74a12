//! Binary sync bodies: the `Wire<T>` extractor checks the media type and decodes a
//! versioned postcard message; `WireBody<T>` encodes an answer. A bad body is a 4xx with
//! the usual JSON error, never a panic.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use dialbook_core::protocol::wire::{self, CONTENT_TYPE};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub struct Wire<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Wire<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if content_type != CONTENT_TYPE {
            return Err(ApiError::UnsupportedMediaType(format!("send sync messages as {CONTENT_TYPE}")).into_response());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        wire::decode(&bytes).map(Wire).map_err(|e| {
            ApiError::BadRequest { code: "malformed_message", message: e.to_string() }.into_response()
        })
    }
}

pub struct WireBody<T>(pub T);

impl<T: Serialize> IntoResponse for WireBody<T> {
    fn into_response(self) -> Response {
        let mut res = wire::encode(&self.0).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        res
    }
}
