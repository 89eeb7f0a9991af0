//! Reading the `Authorization: Bearer` header, and the session cookie's hash; tokens are
//! minted and hashed in [`crate::accounts::token`].
//!
//! Tokens are stored only as SHA-256 hashes: a leaked database does not leak working
//! tokens. Who a token signs in as, and what it may do, is decided in [`super::access`];
//! the configured token is compared by hash in constant time there, so response timing
//! says nothing about how much of a guess was right.

use actix_web::http::header::{self, HeaderMap};

pub(crate) use crate::accounts::token::{mint_token, token_sha256};

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
    fn only_cookie_values_we_set_are_looked_up() {
        assert!(session_hash(&"ab".repeat(32)).is_some());
        assert!(session_hash("short").is_none());
        assert!(session_hash(&"zz".repeat(32)).is_none());
    }
}
