//! What a user may do. Admins manage users, assign and import leads; telecallers work the
//! leads assigned to them.

use super::ParseError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Telecaller,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Telecaller => "telecaller",
        }
    }
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "telecaller" => Ok(Role::Telecaller),
            other => Err(ParseError::new("role", format!("unknown role {other:?}: use admin or telecaller"))),
        }
    }
}
