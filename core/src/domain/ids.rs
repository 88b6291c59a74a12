//! Identifiers. Lead ids are minted on the device that creates the lead (offline), so they
//! come from random bytes handed in by the shell; user ids are server rows.

use super::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A lead's id: 32 lowercase hex characters (128 random bits), or for leads imported from
/// other systems any 1–64 characters of `[a-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LeadId(String);

impl LeadId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::check(s).map(|()| Self(s.to_owned()))
    }

    fn check(s: &str) -> Result<(), ParseError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok && s != TEAM_DOC {
            Ok(())
        } else {
            Err(ParseError::new("lead id", format!("{s:?} is not a lead id (1–64 of a-z, 0-9, _ and -)")))
        }
    }

    /// A fresh id from 16 random bytes supplied by the caller's randomness source.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LeadId {
    type Error = ParseError;
    /// As [`LeadId::parse`], keeping the string it was given (a phone decodes thousands
    /// of stored ids at start).
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::check(&s).map(|()| Self(s))
    }
}
impl From<LeadId> for String {
    fn from(id: LeadId) -> String {
        id.0
    }
}
impl fmt::Display for LeadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const TEAM_DOC: &str = "team";

/// Any synced document: a lead, or the one team document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DocId {
    Lead(LeadId),
    Team,
}

impl DocId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s == TEAM_DOC { Ok(DocId::Team) } else { LeadId::parse(s).map(DocId::Lead) }
    }
    pub fn as_str(&self) -> &str {
        match self {
            DocId::Lead(id) => id.as_str(),
            DocId::Team => TEAM_DOC,
        }
    }
}
impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user, as numbered by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A device (one login session on one phone or browser). Shown in the activity timeline
/// ("from Priya's Redmi") and used to revoke one device without logging out the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceId(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_lead_id_decodes_as_itself_and_a_bad_one_is_refused() {
        let id = LeadId::parse("lead_0042-a").unwrap();
        let bytes = postcard::to_allocvec(&id).unwrap();
        assert_eq!(postcard::from_bytes::<LeadId>(&bytes).unwrap(), id);
        for bad in ["", "team", "Lead 42", &"x".repeat(65)] {
            let bytes = postcard::to_allocvec(bad).unwrap();
            assert!(postcard::from_bytes::<LeadId>(&bytes).is_err(), "{bad:?} decoded as a lead id");
            assert!(LeadId::try_from(bad.to_owned()).is_err(), "{bad:?} accepted by try_from");
        }
    }
}
