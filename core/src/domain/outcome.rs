//! The result of one call attempt, as the telecaller taps it on the outcome sheet.

use super::{LeadStatus, ParseError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Interested,
    Callback,
    NoAnswer,
    /// Busy or switched off.
    Busy,
    NotInterested,
    WrongNumber,
    Converted,
}

impl CallOutcome {
    /// In the order of the outcome sheet (and of the 1–7 keyboard shortcuts).
    pub const ALL: [CallOutcome; 7] = [
        CallOutcome::Interested,
        CallOutcome::Callback,
        CallOutcome::NoAnswer,
        CallOutcome::Busy,
        CallOutcome::NotInterested,
        CallOutcome::WrongNumber,
        CallOutcome::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Interested => "interested",
            CallOutcome::Callback => "callback",
            CallOutcome::NoAnswer => "no_answer",
            CallOutcome::Busy => "busy",
            CallOutcome::NotInterested => "not_interested",
            CallOutcome::WrongNumber => "wrong_number",
            CallOutcome::Converted => "converted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CallOutcome::Interested => "Interested",
            CallOutcome::Callback => "Call back",
            CallOutcome::NoAnswer => "No answer",
            CallOutcome::Busy => "Busy / switched off",
            CallOutcome::NotInterested => "Not interested",
            CallOutcome::WrongNumber => "Wrong number",
            CallOutcome::Converted => "Converted",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| ParseError::new("call outcome", format!("unknown call outcome {s:?}")))
    }

    /// The status a lead moves to when this outcome is logged.
    pub fn resulting_status(self) -> LeadStatus {
        match self {
            CallOutcome::Interested => LeadStatus::Interested,
            CallOutcome::Callback => LeadStatus::Callback,
            CallOutcome::NoAnswer | CallOutcome::Busy => LeadStatus::Attempted,
            CallOutcome::NotInterested => LeadStatus::NotInterested,
            CallOutcome::WrongNumber => LeadStatus::WrongNumber,
            CallOutcome::Converted => LeadStatus::Converted,
        }
    }
}
