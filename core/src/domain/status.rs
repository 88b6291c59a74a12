//! Where a lead stands in the funnel.

use super::ParseError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Never called.
    New,
    /// Called, not reached yet (no answer, busy).
    Attempted,
    Callback,
    Interested,
    NotInterested,
    WrongNumber,
    Converted,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 7] = [
        LeadStatus::New,
        LeadStatus::Attempted,
        LeadStatus::Callback,
        LeadStatus::Interested,
        LeadStatus::NotInterested,
        LeadStatus::WrongNumber,
        LeadStatus::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Attempted => "attempted",
            LeadStatus::Callback => "callback",
            LeadStatus::Interested => "interested",
            LeadStatus::NotInterested => "not_interested",
            LeadStatus::WrongNumber => "wrong_number",
            LeadStatus::Converted => "converted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::New => "New",
            LeadStatus::Attempted => "Attempted",
            LeadStatus::Callback => "Call back",
            LeadStatus::Interested => "Interested",
            LeadStatus::NotInterested => "Not interested",
            LeadStatus::WrongNumber => "Wrong number",
            LeadStatus::Converted => "Converted",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let norm = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == norm)
            .ok_or_else(|| ParseError::new("lead status", format!("unknown lead status {s:?}")))
    }

    /// Closed leads leave the calling queue.
    pub fn is_closed(self) -> bool {
        matches!(self, LeadStatus::NotInterested | LeadStatus::WrongNumber | LeadStatus::Converted)
    }
}
