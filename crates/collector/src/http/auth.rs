//! API tokens: minting and hashing, and reading the `Authorization: Bearer` header.
//!
//! Tokens are stored only as SHA-256 hashes: a leaked database does not leak working
//! tokens. Who a token signs in as, and what it may do, is decided in [`super::access`];
//! the configured token is compared by hash in constant time there, so response timing
//! says nothing about how much of a guess was right.

use actix_web::http::header::{self, HeaderMap};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of minted tokens, so that a token found in a log or a repository can be
/// recognised (and revoked with `leadtrail token revoke`) as a leadtrail token.
pub(crate) const TOKEN_PREFIX: &str = "ltk_";

/// A new random token: 256 bits from the OS's generator, hex-encoded.
pub(crate) fn mint_token() -> String {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    format!("{TOKEN_PREFIX}{}", hex::encode(secret))
}

pub(crate) fn token_sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The SHA-256 of a cookie's session id, `None` when the value is not one we would set.
pub(crate) fn session_hash(cookie_value: &str) -> Option<[u8; 32]> {
    let valid = cookie_value.len() == 64 && cookie_value.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| token_sha256(cookie_value))
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive).
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_are_unique_prefixed_and_long() {
        let a = mint_token();
        let b = mint_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert_eq!(token_sha256(&a), token_sha256(&a.clone()));
        assert_ne!(token_sha256(&a), token_sha256(&b));
    }

    #[test]
    fn only_cookie_values_we_set_are_looked_up() {
        assert!(session_hash(&"ab".repeat(32)).is_some());
        assert!(session_hash("short").is_none());
        assert!(session_hash(&"zz".repeat(32)).is_none());
    }
}
