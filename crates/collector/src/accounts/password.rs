//! Passwords: what is accepted, and Argon2id hashing and verification.
//!
//! Hashes use the `argon2` crate's defaults (Argon2id, 19 MiB, two passes, one lane: the
//! OWASP recommendation), stored as PHC strings so that parameters can change later
//! without invalidating stored hashes. Hashing and verifying are CPU work of tens of
//! milliseconds: the server runs them on the blocking pool.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

/// Shorter passwords are refused: with the common ones refused too, ten characters put an
/// online guess out of reach and an offline one (against the Argon2 hash) far off.
pub(crate) const MIN_PASSWORD_CHARS: usize = 10;
/// Longer ones are refused so that hashing stays a bounded amount of work.
pub(crate) const MAX_PASSWORD_CHARS: usize = 256;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PasswordError {
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("the password must have at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("the password is one of the most common passwords; choose another")]
    Common,
    #[error("the password must not be the e-mail address or contain its name part")]
    LikeEmail,
    #[error("the password repeats one character or counts; choose another")]
    Repetitive,
}

/// Whether `password` may be set for the user with e-mail `email`.
pub(crate) fn check(password: &str, email: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    // "Password123!" is "password" with the usual additions at the end.
    let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    if COMMON.contains(lower.as_str()) || (stem.chars().count() >= 4 && COMMON.contains(stem)) {
        return Err(PasswordError::Common);
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if lower == email.to_lowercase() || (local.chars().count() >= 4 && lower.contains(&local)) {
        return Err(PasswordError::LikeEmail);
    }
    let codes: Vec<u32> = lower.chars().map(u32::from).collect();
    let same = codes.windows(2).all(|w| w[0] == w[1]);
    let counting =
        codes.windows(2).all(|w| w[1] == w[0] + 1) || codes.windows(2).all(|w| w[0] == w[1] + 1);
    if same || counting {
        return Err(PasswordError::Repetitive);
    }
    Ok(())
}

/// The Argon2id hash of `password` with a fresh random salt, as a PHC string.
pub(crate) fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with its default parameters hashes any password")
        .to_string()
}

/// Whether `password` matches `stored`; a hash that cannot be read matches nothing.
pub(crate) fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash no password is checked against for real: verifying a sign-in for an unknown
/// e-mail against it takes as long as a wrong password for a known one.
pub(crate) fn decoy_hash() -> &'static str {
    static DECOY: LazyLock<String> = LazyLock::new(|| hash("decoy password, never a user's"));
    &DECOY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_email_like_passwords_are_refused() {
        let email = "marta.k@example.com";
        assert_eq!(check("short", email), Err(PasswordError::TooShort));
        assert_eq!(check(&"x".repeat(257), email), Err(PasswordError::TooLong));
        for common in [
            "password123",
            "Password123!",
            "qwertyuiop",
            "1234567890",
            "Welcome2024",
        ] {
            assert_eq!(check(common, email), Err(PasswordError::Common), "{common}");
        }
        assert_eq!(
            check("marta.k-at-work", email),
            Err(PasswordError::LikeEmail)
        );
        assert_eq!(check("zzzzzzzzzzzz", email), Err(PasswordError::Repetitive));
        assert_eq!(check("abcdefghijkl", email), Err(PasswordError::Repetitive));
        assert_eq!(check("correct horse battery", email), Ok(()));
        assert_eq!(check("kvitebjørn fjell", email), Ok(()));
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse battery");
        let b = hash("correct horse battery");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batteries", &a));
        assert!(!verify("anything", "not a hash"));
        assert!(!verify("decoy password", decoy_hash()));
    }

    #[test]
    fn the_list_is_lower_case_and_has_no_duplicates() {
        let lines: Vec<&str> = include_str!("common_passwords.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        assert!(lines.len() >= 100);
        assert_eq!(lines.len(), COMMON.len(), "duplicates in the list");
        assert!(lines.iter().all(|l| *l == l.to_lowercase().trim()));
    }
}
