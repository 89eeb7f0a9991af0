//! API tokens: minting and hashing, for `leadtrail token create` and `POST /api/v1/tokens`.
//!
//! Tokens are stored only as SHA-256 hashes: a leaked database does not leak working
//! tokens.

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
}
