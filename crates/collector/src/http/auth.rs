//! API tokens: minting, hashing, and the middleware that guards `/api/v1`.
//!
//! A request is let through with `Authorization: Bearer <token>` when the token is the
//! configured one (`LEADTRAIL_API_TOKEN` / `api_token`) or one minted by
//! `leadtrail token create`. Minted tokens are stored only as SHA-256 hashes: a leaked
//! database does not leak working tokens. The configured token is compared by hash in
//! constant time, so response timing says nothing about how much of a guess was right.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::AppState;

/// Prefix of minted tokens, so that a token found in a log or a repository can be
/// recognised (and revoked) as a leadtrail token.
pub const TOKEN_PREFIX: &str = "ltk_";

/// A new random token: 256 bits from the OS's generator, hex-encoded.
pub fn mint_token() -> String {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    format!("{TOKEN_PREFIX}{}", hex::encode(secret))
}

pub fn token_sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive).
pub fn bearer_token(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

async fn is_authorised(state: &AppState, token: &str) -> Result<bool, ApiError> {
    let hash = token_sha256(token);
    if let Some(configured) = &state.api_token_sha256 {
        if bool::from(configured.ct_eq(&hash)) {
            return Ok(true);
        }
    }
    Ok(state.store.api_token_exists(hash).await?)
}

/// Middleware: answers 401 (or 503 when the token store cannot be read) before any
/// handler runs, so nothing under the guarded scope is reachable without a token.
pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let verdict = match (bearer_token(&req), req.app_data::<web::Data<AppState>>()) {
        (Some(token), Some(state)) => is_authorised(state, token).await,
        (None, _) => Ok(false),
        (Some(_), None) => Err(ApiError::Internal("application state missing".into())),
    };
    match verdict {
        Ok(true) => Ok(next.call(req).await?.map_into_left_body()),
        Ok(false) => Ok(req
            .into_response(ApiError::Unauthorized.error_response())
            .map_into_right_body()),
        Err(e) => Ok(req.into_response(e.error_response()).map_into_right_body()),
    }
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
