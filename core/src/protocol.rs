//! The batched, cursor-based sync protocol (DESIGN.md, "Sync protocol").
//!
//! - `wire`: the versioned binary messages and their encoding.
//! - `cursor`: the server's opaque pull position.
//! - `authorize`: the server-side check-and-apply of pushed changes, shared by the real
//!   server and the simulations, so both enforce the same rules.
//! - `client`: the sans-IO client state machine (what to push and pull, and when).
//! - `fallback`: the client's side of the per-doc Automerge sync, for diverged heads.
//! - `untrusted`: a client's Automerge bytes checked (framing, checksum, size) before
//!   Automerge parses or applies them.
//! - `replica`: doc bookkeeping a client shell needs (acked heads, applying pulled items),
//!   plus an in-memory replica used by simulations and native test clients.

pub mod authorize;
pub mod client;
pub mod cursor;
pub mod fallback;
pub mod replica;
pub mod untrusted;
pub mod wire;
