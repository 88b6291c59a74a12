//! A thin JSON client over reqwest for tests: every call answers a [`Reply`] (status,
//! headers, parsed body) and panics only when the server cannot be reached at all.

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde_json::Value;

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body parsed as JSON; `Value::Null` when empty or not JSON.
    pub json: Value,
    pub text: String,
}

impl Api {
    pub fn new(base_url: &str) -> Self {
        Self { http: reqwest::Client::new(), base_url: base_url.trim_end_matches('/').to_owned(), token: None }
    }

    /// The same client, sending `Authorization: Bearer <token>`.
    pub fn with_token(&self, token: &str) -> Self {
        Self { token: Some(token.to_owned()), ..self.clone() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A request builder with the token already set, for requests the helpers below do
    /// not cover (raw bodies, odd content types). Send it with [`Api::send`].
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.http.request(method, self.url(path));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn send(&self, req: RequestBuilder) -> Reply {
        let resp = req.send().await.expect("the test server is reachable");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("a readable body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, json, text }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.request(Method::DELETE, path)).await
    }

    pub async fn post(&self, path: &str, body: &impl Serialize) -> Reply {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn patch(&self, path: &str, body: &impl Serialize) -> Reply {
        self.send(self.request(Method::PATCH, path).json(body)).await
    }
}

impl Reply {
    /// The `error` code of a JSON error body.
    pub fn error_code(&self) -> Option<&str> {
        self.json.get("error").and_then(Value::as_str)
    }

    pub fn message(&self) -> Option<&str> {
        self.json.get("message").and_then(Value::as_str)
    }

    /// Asserts the status and that the body is the standard `{error, message}` JSON with a
    /// non-empty message. Returns the error code.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode) -> &str {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(content_type.starts_with("application/json"), "error body is not JSON ({content_type}): {}", self.text);
        let code = self.error_code().unwrap_or_else(|| panic!("no `error` code in {}", self.text));
        let message = self.message().unwrap_or_else(|| panic!("no `message` in {}", self.text));
        assert!(!code.is_empty() && !message.is_empty(), "empty error code or message: {}", self.text);
        code
    }

    /// Asserts a 2xx status and returns the JSON body.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert!(self.status.is_success(), "expected success, got {}: {}", self.status, self.text);
        &self.json
    }
}
