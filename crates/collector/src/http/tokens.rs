//! `POST/GET /api/v1/tokens`, `DELETE /api/v1/tokens/{id}`: personal API tokens. A token
//! belongs to the user who makes it, never reaches beyond that user's role (a viewer's
//! only read), may expire, and is shown once: only its SHA-256 is stored.

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::{Access, Principal};
use super::error::ApiError;
use super::json::Items;
use super::routes::Router;
use super::AppState;
use crate::accounts;
use crate::store::accounts::{NewToken, Role, Scope, TokenRow};
use crate::time::{now_ms, rfc3339};

const MAX_NAME_CHARS: usize = 100;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.post("/tokens", create_token)
        .allow(Access::SignedInWrite)
        .get("/tokens", list_tokens)
        .allow(Access::SignedIn)
        .delete("/tokens/{id}", revoke_token)
        .allow(Access::SignedInWrite);
}

/// The tokens part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_token, list_tokens, revoke_token),
    components(schemas(TokenJson, NewTokenJson))
)]
pub(crate) struct TokensApi;

/// A token as listed; `token` only in the answer that made it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct TokenJson {
    pub(crate) id: i64,
    pub(crate) name: String,
    /// `read` or `write`.
    pub(crate) scope: String,
    /// The owner's e-mail; `null` for an operator token.
    pub(crate) user: Option<String>,
    pub(crate) created_at: Option<String>,
    pub(crate) expires_at: Option<String>,
    pub(crate) last_used_at: Option<String>,
    pub(crate) revoked_at: Option<String>,
    /// The token itself: shown once, in the answer to `POST /api/v1/tokens`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) token: Option<String>,
}

fn token_json(row: &TokenRow, token: Option<String>) -> TokenJson {
    TokenJson {
        id: row.id,
        name: row.name.clone(),
        scope: row.scope.name().to_owned(),
        user: row.user_email.clone(),
        created_at: rfc3339(row.created_at),
        expires_at: row.expires_at.and_then(rfc3339),
        last_used_at: row.last_used_at.and_then(rfc3339),
        revoked_at: row.revoked_at.and_then(rfc3339),
        token,
    }
}

/// `{"name", "scope", "expires_at"?}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct NewTokenJson {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// `read`, or `write` (not for viewers)
    #[schema(pattern = "^(read|write)$")]
    scope: String,
    /// RFC 3339 time in the future after which the token no longer works
    expires_at: Option<String>,
}

fn principal(req: &HttpRequest) -> Result<Principal, ApiError> {
    req.extensions()
        .get::<Principal>()
        .cloned()
        .ok_or(ApiError::Unauthorized)
}

/// `POST /api/v1/tokens`
#[utoipa::path(post, path = "/api/v1/tokens", tag = "users",
    request_body(content = NewTokenJson),
    responses(
        (status = 201, description = "the new token, with `token` shown this once", body = TokenJson),
        (status = 422, description = "a missing or bad name, scope or expiry, or a scope beyond the user's role", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let principal = principal(&req)?;
    let body = super::json::json_object(&body)?;
    if let Some(unknown) = body
        .keys()
        .find(|k| !["name", "scope", "expires_at"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            "body",
            format!("unknown field {unknown}; a token takes name, scope and expires_at"),
        ));
    }
    let name = match body.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().to_owned(),
        _ => {
            return Err(ApiError::invalid(
                "name",
                "a name (1 to 100 characters) is required",
            ))
        }
    };
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "must be at most 100 characters, without control characters",
        ));
    }
    let scope = match body.get("scope") {
        Some(Value::String(s)) => Scope::parse(s)
            .ok_or_else(|| ApiError::invalid("scope", format!("{s:?} is not read or write")))?,
        _ => return Err(ApiError::invalid("scope", "read or write is required")),
    };
    if scope > principal.role.max_scope() {
        return Err(ApiError::invalid(
            "scope",
            format!("a {}'s tokens can only read", principal.role.name()),
        ));
    }
    let now = now_ms();
    let expires_at = match body.get("expires_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => {
            let at = text
                .parse::<jiff::Timestamp>()
                .map_err(|_| {
                    ApiError::invalid("expires_at", format!("{text:?} is not an RFC 3339 time"))
                })?
                .as_millisecond();
            if at <= now {
                return Err(ApiError::invalid("expires_at", "must be in the future"));
            }
            Some(at)
        }
        Some(_) => return Err(ApiError::invalid("expires_at", "must be an RFC 3339 time")),
    };
    let token = super::auth::mint_token();
    let row = state
        .store
        .create_token(NewToken {
            name,
            sha256: super::auth::token_sha256(&token),
            user_id: principal.user.as_ref().map(|u| u.id),
            scope,
            expires_at,
            created_at: now,
        })
        .await?;
    accounts::record(
        &state.store,
        principal.audit(
            "token.create",
            accounts::token_target(&row),
            format!("scope {}", scope.name()),
        ),
    )
    .await;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/tokens/{}", row.id)))
        .json(token_json(&row, Some(token))))
}

/// `GET /api/v1/tokens`
#[utoipa::path(get, path = "/api/v1/tokens", tag = "users",
    responses((status = 200, description = "`{\"items\": [token]}`: one's own tokens (an admin's: everyone's), revoked ones too, newest first; never the tokens themselves", body = Items<TokenJson>)),
    security(("bearer" = [])))]
async fn list_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let principal = principal(&req)?;
    let owner = match principal.role {
        Role::Admin => None,
        _ => Some(principal.user.as_ref().map(|u| u.id).unwrap_or(-1)),
    };
    let rows = state.store.tokens(owner).await?;
    Ok(HttpResponse::Ok().json(Items {
        items: rows.iter().map(|r| token_json(r, None)).collect::<Vec<_>>(),
    }))
}

/// `DELETE /api/v1/tokens/{id}`
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "users",
    params(("id" = i64, Path, description = "token id", minimum = 1)),
    responses(
        (status = 204, description = "revoked: the next request with the token is a 401"),
        (status = 404, description = "no such token among those this user may revoke (one's own; an admin: any)", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let principal = principal(&req)?;
    let id = id.into_inner();
    let not_found = || ApiError::not_found(format!("no token with id {id}"));
    let row = state.store.token(id).await?.ok_or_else(not_found)?;
    let own = row.user_id.is_some() && row.user_id == principal.user.as_ref().map(|u| u.id);
    if !(own || principal.role == Role::Admin) {
        return Err(not_found());
    }
    if row.revoked_at.is_none() {
        let row = state
            .store
            .revoke_token(id, now_ms())
            .await?
            .ok_or_else(not_found)?;
        accounts::record(
            &state.store,
            principal.audit("token.revoke", accounts::token_target(&row), None),
        )
        .await;
    }
    Ok(HttpResponse::NoContent().finish())
}
