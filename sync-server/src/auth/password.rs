//! Password hashing: argon2id with the argon2 crate's defaults (19 MiB, 2 passes), run on
//! the blocking pool so a burst of logins does not stall the async workers.

use crate::error::ApiError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use std::sync::OnceLock;

/// Hashes a password into a PHC string (`$argon2id$v=19$...`).
pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?.map_err(ApiError::internal_msg)
}

/// The argon2 crate's errors are not `std::error::Error`; they are reported as text.
pub fn hash_blocking(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| format!("salt: {e}"))?;
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| format!("argon2: {e}"))?;
    Ok(hash.to_string())
}

/// Checks `password` against `stored`. With no stored hash (unknown username) it still
/// runs a full verification against a dummy hash and answers `false`, so response time
/// does not reveal which usernames exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    Ok(tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let matches = match PasswordHash::new(hash) {
            Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(e) => {
                tracing::error!(error = %e, "a stored password hash does not parse");
                false
            }
        };
        known && matches
    })
    .await?)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("dialbook dummy password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_right_password_verifies_and_others_do_not() {
        let stored = hash("sesame-street".to_owned()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("sesame-street".to_owned(), Some(stored.clone())).await.unwrap());
        assert!(!verify("sesame-streets".to_owned(), Some(stored)).await.unwrap());
        assert!(!verify("dialbook dummy password".to_owned(), None).await.unwrap());
    }
}
