//! What an admin may type for a user, parsed once (parse, don't validate): a `Username`,
//! `Password` or `DisplayName` value is always acceptable to store.

use crate::error::ApiError;

/// 3–32 of `a-z 0-9 . _ -`, stored lowercased so "Priya" and "priya" are one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let s = raw.trim().to_lowercase();
        let ok_chars = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !(3..=32).contains(&s.chars().count()) || !ok_chars {
            return Err(ApiError::bad_request(
                "invalid_username",
                format!("{raw:?} cannot be a username: use 3 to 32 letters, digits, dots, dashes or underscores (for example \"priya.s\")."),
            ));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// At least 8 characters (at most 256, which bounds hashing work).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let n = raw.chars().count();
        if n < 8 {
            return Err(ApiError::bad_request(
                "weak_password",
                format!("The password is {n} characters long; use at least 8."),
            ));
        }
        if n > 256 {
            return Err(ApiError::bad_request("invalid_password", "The password is too long; use at most 256 characters."));
        }
        Ok(Self(raw.to_owned()))
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The name colleagues see ("Priya S."): 1–64 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let s = raw.trim();
        let n = s.chars().count();
        if n == 0 || n > 64 || s.chars().any(char::is_control) {
            return Err(ApiError::bad_request(
                "invalid_display_name",
                "The display name must be 1 to 64 characters, on one line.",
            ));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_limited() {
        assert_eq!(Username::parse(" Priya.S ").unwrap().as_str(), "priya.s");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        assert!(Username::parse("priya s").is_err());
        assert!(Username::parse("प्रिया").is_err());
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
    }

    #[test]
    fn display_names_are_trimmed_and_single_line() {
        assert_eq!(DisplayName::parse("  Priya S. ").unwrap().as_str(), "Priya S.");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("a\nb").is_err());
    }
}
