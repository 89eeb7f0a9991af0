//! `POST /api/v1/me/password`: a signed-in user changes their own password. The current
//! one is asked for (a session left open on a shared computer does not let someone else
//! take the account), a wrong one counts as a failed sign-in for the throttle, and the
//! change ends every session of the user but the one that made it, which gets a new id.

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use rand::RngCore;
use serde::Deserialize;
use std::time::Instant;

use super::access::{Access, Principal, Via};
use super::error::ApiError;
use super::routes::Router;
use super::AppState;
use crate::accounts::{self, password};

pub(crate) fn routes(r: &mut Router<'_>) {
    r.post("/me/password", change_password)
        .allow(Access::SessionOnly);
}

/// The password part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(paths(change_password), components(schemas(PasswordChangeJson)))]
pub(crate) struct PasswordApi;

/// `{"current_password", "new_password"}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct PasswordChangeJson {
    #[schema(max_length = 256)]
    current_password: String,
    #[schema(min_length = 10, max_length = 256)]
    new_password: String,
}

/// `POST /api/v1/me/password`
#[utoipa::path(post, path = "/api/v1/me/password", tag = "users",
    request_body(content = PasswordChangeJson),
    responses(
        (status = 204, description = "changed: every other session of the user is ended; this one goes on with a new cookie"),
        (status = 403, description = "not signed in with a session (tokens do not change passwords), or from another site's page", body = super::json::ErrorJson),
        (status = 422, description = "the current password is wrong, or the new one is refused (the message says why)", body = super::json::ErrorJson),
        (status = 429, description = "too many wrong passwords for this account; retry after `Retry-After` seconds", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let principal = req
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or(ApiError::Unauthorized)?;
    let (Via::Session { .. }, Some(user)) = (&principal.via, &principal.user) else {
        return Err(ApiError::Forbidden(
            "a password is changed by its user, signed in with it; a token cannot".to_owned(),
        ));
    };
    let map = super::json::json_object(&body)?;
    let field = |name: &'static str| match map.get(name) {
        Some(serde_json::Value::String(text)) => Ok(text.clone()),
        _ => Err(ApiError::invalid(
            name,
            format!("{name} is required (a string)"),
        )),
    };
    if let Some(unknown) = map
        .keys()
        .find(|k| !["current_password", "new_password"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            "body",
            format!("unknown field {unknown}; this takes current_password and new_password"),
        ));
    }
    let current = field("current_password")?;
    let new_password = field("new_password")?;
    let key = user.email.trim().to_lowercase();
    let address = req.peer_addr().map(|a| a.ip());
    state
        .sign_in_throttle
        .check(&key, address, Instant::now())
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    let stored = state
        .store
        .user_for_sign_in(&key)
        .await?
        .map(|(_, hash)| hash)
        .ok_or(ApiError::Unauthorized)?;
    let matches = web::block(move || password::verify(&current, &stored))
        .await
        .map_err(|e| ApiError::Internal(format!("password check failed: {e}")))?;
    if !matches {
        state.sign_in_throttle.failed(&key, address, Instant::now());
        return Err(ApiError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    }
    let now = crate::time::now_ms();
    accounts::set_password(&state.store, user, new_password, now)
        .await
        .map_err(ApiError::from)?;
    accounts::record(
        &state.store,
        principal.audit("user.password", user.email.clone(), None),
    )
    .await;
    // Every session is gone, this one too: it goes on under a new id.
    let mut id = [0u8; 32];
    rand::rng().fill_bytes(&mut id);
    let id = hex::encode(id);
    state
        .store
        .create_session(super::auth::token_sha256(&id), user.id, now)
        .await?;
    Ok(HttpResponse::NoContent()
        .cookie(super::session::session_cookie(
            &req,
            id,
            state.sessions.lifetime_ms / 1000,
        ))
        .finish())
}
