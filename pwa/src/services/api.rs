//! The server's HTTP API, over the browser's `fetch`. Sync calls speak the binary wire
//! format from `dialbook_core::protocol::wire`; login and the small JSON endpoints speak
//! JSON. Every failure becomes a [`NetError`] that says whether retrying can help.

use dialbook_core::protocol::wire::{self, CONTENT_TYPE};
use dialbook_core::{Role, UserId};
use js_sys::Uint8Array;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, Request, RequestInit, Response};

/// A request that has not answered after this long is given up (and retried later):
/// on a weak signal a request can hang far longer than the user will wait.
const TIMEOUT_MS: i32 = 30_000;

#[derive(Debug, Clone, PartialEq)]
pub enum NetError {
    /// No answer: no network or server unreachable. Normal, not an error.
    Unreachable,
    /// The answer did not arrive in time (a network too slow for it, such as 2G).
    TimedOut,
    /// The session is no longer valid (revoked, user disabled).
    SignedOut,
    /// The server refused the request; its message is for the user.
    Refused { status: u16, message: String },
    /// The answer could not be read.
    Garbled(String),
}

impl NetError {
    /// Whether trying again later may work.
    pub fn retryable(&self) -> bool {
        !matches!(self, NetError::SignedOut)
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Unreachable => f.write_str("Can't reach the server. Check the connection and try again."),
            NetError::TimedOut => f.write_str("The network is too slow right now. Trying again."),
            NetError::SignedOut => f.write_str("You have been signed out. Please sign in again."),
            NetError::Refused { message, .. } => f.write_str(message),
            NetError::Garbled(what) => write!(f, "The server's answer could not be read ({what})."),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    message: String,
}

#[derive(Serialize)]
struct LoginRequest<'a> {
    username: &'a str,
    password: &'a str,
    device_name: &'a str,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// What the phone keeps of a login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub session_id: i64,
    pub user: User,
    #[serde(default)]
    pub device_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: UserId,
    pub display_name: String,
}

pub async fn login(username: &str, password: &str, device_name: &str) -> Result<Session, NetError> {
    let body = serde_json::to_vec(&LoginRequest { username, password, device_name }).map_err(|e| NetError::Garbled(e.to_string()))?;
    let bytes = send("POST", "/api/login", None, Some(("application/json", &body))).await.map_err(|e| match e {
        // On the login form a 401 means wrong credentials, not a lost session.
        NetError::SignedOut => NetError::Refused { status: 401, message: "Wrong username or password.".into() },
        other => other,
    })?;
    let mut session: Session = json(&bytes)?;
    session.device_name = device_name.to_owned();
    Ok(session)
}

pub async fn logout(token: &str) -> Result<(), NetError> {
    send("POST", "/api/logout", Some(token), None).await.map(|_| ())
}

/// The team's people, so the timeline can say who made a call.
pub async fn members(token: &str) -> Result<Vec<Member>, NetError> {
    json(&send("GET", "/api/team/members", Some(token), None).await?)
}

/// A sync call: `msg` out in the wire format, the answer decoded from it.
pub async fn sync<Req: Serialize, Resp: DeserializeOwned>(token: &str, path: &str, msg: &Req) -> Result<Resp, NetError> {
    let body = wire::encode(msg);
    let bytes = send("POST", path, Some(token), Some((CONTENT_TYPE, &body))).await?;
    wire::decode(&bytes).map_err(|e| NetError::Garbled(e.to_string()))
}

fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, NetError> {
    serde_json::from_slice(bytes).map_err(|e| NetError::Garbled(e.to_string()))
}

/// One request; the body of a 2xx answer, or why there is none.
pub async fn send(method: &str, path: &str, token: Option<&str>, body: Option<(&str, &[u8])>) -> Result<Vec<u8>, NetError> {
    let window = web_sys::window().ok_or(NetError::Unreachable)?;
    let headers = Headers::new().map_err(js_garbled)?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}")).map_err(js_garbled)?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some((content_type, bytes)) = body {
        headers.set("Content-Type", content_type).map_err(js_garbled)?;
        init.set_body(&Uint8Array::from(bytes).into());
    }
    init.set_headers(&headers.into());
    let abort = AbortController::new().map_err(js_garbled)?;
    init.set_signal(Some(&abort.signal()));
    let request = Request::new_with_str_and_init(path, &init).map_err(js_garbled)?;

    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let timed_out = timed_out.clone();
        super::platform::Timeout::new(TIMEOUT_MS, move || {
            timed_out.set(true);
            abort.abort();
        })
    };
    let no_answer = || if timed_out.get() { NetError::TimedOut } else { NetError::Unreachable };
    let result = JsFuture::from(window.fetch_with_request(&request)).await;
    let response: Response = match result {
        Ok(r) => r.dyn_into().map_err(js_garbled)?,
        Err(_) => return Err(no_answer()),
    };
    let buffer = match response.array_buffer() {
        Ok(p) => JsFuture::from(p).await.map_err(|_| no_answer())?,
        Err(_) => return Err(no_answer()),
    };
    drop(timer);
    let bytes = Uint8Array::new(&buffer).to_vec();
    match response.status() {
        200..=299 => Ok(bytes),
        401 => Err(NetError::SignedOut),
        // A proxy or a server restarting: try again later.
        502..=504 => Err(NetError::Unreachable),
        status => {
            let message = serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|b| b.message)
                .unwrap_or_else(|_| format!("The server answered {status}."));
            Err(NetError::Refused { status, message })
        }
    }
}

fn js_garbled(e: JsValue) -> NetError {
    NetError::Garbled(format!("{e:?}"))
}
