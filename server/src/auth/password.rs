//! Argon2id password hashes in PHC string format.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
use std::sync::LazyLock;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes with Argon2id and the crate's recommended parameters (19 MiB, 2 passes).
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HashError(error.to_string()))
}

/// Whether `password` matches `phc_hash`. A malformed stored hash never matches.
pub fn verify(password: &str, phc_hash: &str) -> bool {
    match PasswordHash::new(phc_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real verification, so an unknown e-mail address
/// cannot be told from a wrong password by timing.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash("dummy password for timing").unwrap_or_default());
    let _ = verify(password, &DUMMY);
}

impl HashError {
    pub(crate) fn from_join(error: tokio::task::JoinError) -> Self {
        HashError(format!("hashing task failed: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_and_verifies() {
        let hashed = hash("correct horse battery").unwrap();
        assert!(hashed.starts_with("$argon2id$"), "{hashed}");
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("correct horse batterY", &hashed));
    }

    #[test]
    fn same_password_gets_a_new_salt_each_time() {
        assert_ne!(hash("pw-pw-pw-pw").unwrap(), hash("pw-pw-pw-pw").unwrap());
    }

    #[test]
    fn malformed_hash_never_matches() {
        assert!(!verify("", ""));
        assert!(!verify("x", "not a phc string"));
    }
}
