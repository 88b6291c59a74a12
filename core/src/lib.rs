//! Dialbook's core: the domain, the lead document schema and the sync protocol.
//!
//! Everything here is sans-IO: no clock, no randomness source, no network, no storage.
//! Time and random bytes are handed in; the protocol state machine returns the IO it wants
//! as data. Both the PWA (wasm32) and the sync server (native) build on this crate, so a
//! queue ranks the same and a change is authorised by the same rules on either side.

mod amdoc;
pub mod domain;
pub mod kernel;
pub mod lead;
pub mod priority;
pub mod protocol;
pub mod rules;
pub mod summary;
pub mod team;
pub mod zone;

pub use domain::{
    CallOutcome, DeviceId, DocId, LeadId, LeadStatus, ParseError, PhoneNumber, Role, Timestamp,
    UserId,
};
