//! Domain newtypes, each built by parsing (parse, don't validate): ids, phone numbers,
//! call outcomes, lead statuses, roles and UTC instants. A value of one of these types is
//! always valid; code that holds one never re-checks it.

mod ids;
mod outcome;
mod phone;
mod role;
mod status;
mod time;

pub use ids::{DeviceId, DocId, LeadId, UserId};
pub use outcome::CallOutcome;
pub use phone::PhoneNumber;
pub use role::Role;
pub use status::LeadStatus;
pub use time::Timestamp;

/// Why a piece of user or wire input was not accepted. The message is written for the
/// person who typed the input (an admin importing a list, a telecaller adding a lead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// Which kind of value was being parsed, e.g. `"phone number"`.
    pub what: &'static str,
    pub message: String,
}

impl ParseError {
    pub fn new(what: &'static str, message: impl Into<String>) -> Self {
        Self { what, message: message.into() }
    }
}
