//! Who is calling: passwords, device sessions with bearer tokens, login rate limiting, and
//! the `Caller` / `AdminCaller` extractors every other area uses.
//!
//! Owns the `sessions` and `login_failures` tables and password hashing. User rows are
//! managed by `users`; this module only reads them to log people in. It decides *who* the
//! caller is and whether they are an admin, never what they may do to a lead.

pub mod caller;
pub mod devices;
pub mod login;
pub mod password;
pub mod rate_limit;
pub mod session_store;
pub mod token;

pub use caller::{AdminCaller, Caller};

use crate::state::AppState;
use axum::Router;
use axum::routing::{delete, get, post};

/// `/login`, `/logout`, `/me`, `/sessions`, `/sessions/{id}` (mounted under `/api`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login::login))
        .route("/logout", post(login::logout))
        .route("/me", get(login::me))
        .route("/sessions", get(devices::list_own))
        .route("/sessions/{id}", delete(devices::revoke_own))
}
