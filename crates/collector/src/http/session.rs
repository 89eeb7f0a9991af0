//! Signing in and out: `POST /api/v1/session` (e-mail and password → a session cookie),
//! `DELETE /api/v1/session`, and `GET /api/v1/me`. The sign-in page is `www/login.html`.
//!
//! The cookie holds a random 256-bit id; the database holds only its SHA-256, so a copy of
//! the database signs no one in. A wrong password and an unknown e-mail get the same answer
//! after the same work (one Argon2 verification each, against a decoy hash for an unknown
//! e-mail), and failures are counted per e-mail and per address ([`SignInThrottle`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::access::{self, Access, Principal, Via, SESSION_COOKIE};
use super::error::ApiError;
use super::routes::Router;
use super::AppState;
use crate::accounts::{self, password};
use crate::config::{parse_duration_secs, Settings};

/// Failed sign-ins one e-mail may have in a [`THROTTLE_WINDOW`] before it is refused for
/// the rest of it: enough for a person's typos, far too few to guess a password.
const FAILURES_PER_ACCOUNT: u32 = 5;
/// Failed sign-ins one address may have in a window (an office shares one address).
const FAILURES_PER_ADDRESS: u32 = 20;
const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The one answer to a wrong e-mail or password.
const WRONG: &str = "the e-mail or the password is wrong";

pub(crate) fn routes(r: &mut Router<'_>) {
    r.post("/session", create_session)
        .allow(Access::Public)
        .delete("/session", delete_session)
        .allow(Access::SignedIn)
        .get("/me", me)
        .allow(Access::SignedIn);
}

/// The sign-in part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_session, delete_session, me),
    components(schemas(MeJson, SignInJson)),
    tags((name = "users", description = "Signing in, who is signed in, API tokens, the audit log"))
)]
pub(crate) struct SessionApi;

/// The session settings, resolved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionSettings {
    pub(crate) idle_ms: i64,
    pub(crate) lifetime_ms: i64,
}

impl SessionSettings {
    pub(crate) fn from(settings: &Settings) -> SessionSettings {
        // Both were checked when the settings were loaded.
        let ms = |text: &str, default: u64| {
            let secs = parse_duration_secs(text).unwrap_or(default);
            i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
        };
        SessionSettings {
            idle_ms: ms(&settings.session_idle, 12 * 3600),
            lifetime_ms: ms(&settings.session_lifetime, 30 * 86_400),
        }
    }
}

/// Failed sign-ins per key in the current window.
#[derive(Debug, Default)]
pub(crate) struct SignInThrottle {
    accounts: Mutex<HashMap<String, (Instant, u32)>>,
    addresses: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

fn count<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, (Instant, u32)>>,
    key: K,
    now: Instant,
    add: bool,
) -> (u32, Duration) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() > 100_000 {
        map.retain(|_, (start, _)| now.duration_since(*start) < THROTTLE_WINDOW);
    }
    let entry = map.entry(key).or_insert((now, 0));
    if now.duration_since(entry.0) >= THROTTLE_WINDOW {
        *entry = (now, 0);
    }
    if add {
        entry.1 += 1;
    }
    let left = THROTTLE_WINDOW.saturating_sub(now.duration_since(entry.0));
    (entry.1, left)
}

impl SignInThrottle {
    /// `Err(seconds to wait)` when this e-mail or address has failed too often.
    pub(crate) fn check(
        &self,
        account: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), u32> {
        let wait = |left: Duration| u32::try_from(left.as_secs().max(1)).unwrap_or(u32::MAX);
        let (failures, left) = count(&self.accounts, account.to_owned(), now, false);
        if failures >= FAILURES_PER_ACCOUNT {
            return Err(wait(left));
        }
        if let Some(address) = address {
            let (failures, left) = count(&self.addresses, address, now, false);
            if failures >= FAILURES_PER_ADDRESS {
                return Err(wait(left));
            }
        }
        Ok(())
    }

    pub(crate) fn failed(&self, account: &str, address: Option<IpAddr>, now: Instant) {
        count(&self.accounts, account.to_owned(), now, true);
        if let Some(address) = address {
            count(&self.addresses, address, now, true);
        }
    }

    fn succeeded(&self, account: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(account);
    }
}

/// `GET /api/v1/me` and the answer to signing in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MeJson {
    /// `null` for an operator token or the configured token.
    pub(crate) id: Option<i64>,
    pub(crate) email: Option<String>,
    pub(crate) name: String,
    /// `admin`, `marketer` or `viewer`.
    pub(crate) role: String,
    /// `session`, `token` or `configured_token`.
    pub(crate) signed_in_with: String,
    /// A token's scope (`read`, `write`); `null` for a session.
    pub(crate) scope: Option<String>,
    /// What the pages offer: whether this principal may export personal data.
    pub(crate) may_export: bool,
}

fn me_json(principal: &Principal) -> MeJson {
    let (signed_in_with, scope) = match &principal.via {
        Via::Session { .. } => ("session", None),
        Via::Token(token) => ("token", Some(token.scope.name().to_owned())),
        Via::Configured => ("configured_token", None),
    };
    MeJson {
        id: principal.user.as_ref().map(|u| u.id),
        email: principal.user.as_ref().map(|u| u.email.clone()),
        name: principal
            .user
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "operator".to_owned()),
        role: principal.role.name().to_owned(),
        signed_in_with: signed_in_with.to_owned(),
        scope,
        may_export: principal.may_export(),
    }
}

/// `{"email", "password"}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct SignInJson {
    #[schema(max_length = 254)]
    email: String,
    #[schema(max_length = 256)]
    password: String,
}

fn text_field(body: &Map<String, Value>, name: &'static str) -> Result<String, ApiError> {
    match body.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(ApiError::invalid(name, "must be a string")),
        None => Err(ApiError::invalid(name, format!("{name} is required"))),
    }
}

pub(crate) fn session_cookie(
    req: &HttpRequest,
    value: String,
    max_age_secs: i64,
) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .max_age(actix_web::cookie::time::Duration::seconds(max_age_secs))
        .finish()
}

/// `POST /api/v1/session`
#[utoipa::path(post, path = "/api/v1/session", tag = "users",
    request_body(content = SignInJson, description = "the user's e-mail and password"),
    responses(
        (status = 200, description = "signed in: the session cookie `lt_session` is set (HttpOnly, SameSite=Strict, Secure over https)", body = MeJson),
        (status = 401, description = "the e-mail or the password is wrong (the same answer for both)", body = super::json::ErrorJson),
        (status = 403, description = "posted from another site's page", body = super::json::ErrorJson),
        (status = 422, description = "e-mail or password missing, not a string, or too long", body = super::json::ErrorJson),
        (status = 429, description = "too many failed sign-ins for this e-mail or address; retry after `Retry-After` seconds", body = super::json::ErrorJson)))]
async fn create_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // A sign-in posted from another site's page would sign the browser in as someone else.
    if req.headers().contains_key(actix_web::http::header::ORIGIN)
        || req.headers().contains_key(actix_web::http::header::REFERER)
    {
        access::check_same_origin(&req)?;
    }
    // Read whatever the content type: a script need not name JSON to sign in.
    let body = super::json::json_object(&body)?;
    let email = text_field(&body, "email")?;
    let given_password = text_field(&body, "password")?;
    if email.chars().count() > 254 {
        return Err(ApiError::invalid("email", "must be at most 254 characters"));
    }
    if given_password.chars().count() > password::MAX_PASSWORD_CHARS {
        return Err(ApiError::invalid(
            "password",
            format!(
                "must be at most {} characters",
                password::MAX_PASSWORD_CHARS
            ),
        ));
    }
    let key = email.trim().to_lowercase();
    let address = req.peer_addr().map(|a| a.ip());
    let started = Instant::now();
    state
        .sign_in_throttle
        .check(&key, address, started)
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;

    let found = state.store.user_for_sign_in(&key).await?;
    let stored_hash = found
        .as_ref()
        .map(|(_, hash)| hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_owned());
    let matches = web::block(move || password::verify(&given_password, &stored_hash))
        .await
        .map_err(|e| ApiError::Internal(format!("password check failed: {e}")))?;
    let audit_address = access::client_address(&req);
    let user = match found {
        Some((user, _)) if matches && user.disabled_at.is_none() => user,
        _ => {
            state.sign_in_throttle.failed(&key, address, Instant::now());
            accounts::record(
                &state.store,
                accounts::Audit {
                    actor: key.chars().take(254).collect(),
                    action: "session.create.failed",
                    target: None,
                    address: audit_address,
                    detail: None,
                },
            )
            .await;
            tracing::info!(
                micros = started.elapsed().as_micros() as u64,
                "sign-in refused"
            );
            return Err(ApiError::SignInFailed(WRONG));
        }
    };
    state.sign_in_throttle.succeeded(&key);
    let mut id = [0u8; 32];
    rand::rng().fill_bytes(&mut id);
    let id = hex::encode(id);
    let id_sha256 = super::auth::token_sha256(&id);
    state
        .store
        .create_session(id_sha256, user.id, crate::time::now_ms())
        .await?;
    let principal = Principal {
        role: user.role,
        user: Some(user),
        via: Via::Session { id_sha256 },
        address: audit_address,
    };
    accounts::record(&state.store, principal.audit("session.create", None, None)).await;
    tracing::info!(micros = started.elapsed().as_micros() as u64, "signed in");
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&req, id, state.sessions.lifetime_ms / 1000))
        .json(me_json(&principal)))
}

/// `DELETE /api/v1/session`
#[utoipa::path(delete, path = "/api/v1/session", tag = "users",
    responses(
        (status = 204, description = "signed out: the session is deleted and the cookie cleared"),
        (status = 403, description = "signed in with a token, which is revoked with `DELETE /api/v1/tokens/{id}` instead", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn delete_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: web::ReqData<Principal>,
) -> Result<HttpResponse, ApiError> {
    let Via::Session { id_sha256 } = principal.via else {
        return Err(ApiError::Forbidden(
            "signed in with a token, not a session; revoke a token with DELETE /api/v1/tokens/{id}"
                .to_owned(),
        ));
    };
    state.store.delete_session(id_sha256).await?;
    accounts::record(&state.store, principal.audit("session.delete", None, None)).await;
    Ok(HttpResponse::NoContent()
        .cookie(session_cookie(&req, String::new(), 0))
        .finish())
}

/// `GET /api/v1/me`
#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, description = "who is signed in", body = MeJson)),
    security(("bearer" = [])))]
async fn me(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let principal = req
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or(ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(me_json(&principal)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_per_account_and_address_within_the_window() {
        let throttle = SignInThrottle::default();
        let now = Instant::now();
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..FAILURES_PER_ACCOUNT {
            assert!(throttle.check("a@x.io", here, now).is_ok());
            throttle.failed("a@x.io", here, now);
        }
        let wait = throttle.check("a@x.io", here, now).unwrap_err();
        assert!((899..=900).contains(&wait), "{wait}");
        assert!(
            throttle.check("b@x.io", here, now).is_ok(),
            "other accounts go on"
        );
        assert!(throttle
            .check("a@x.io", here, now + THROTTLE_WINDOW)
            .is_ok());
        for i in 0..FAILURES_PER_ADDRESS {
            throttle.failed(&format!("u{i}@x.io"), here, now);
        }
        assert!(
            throttle.check("new@x.io", here, now).is_err(),
            "the address is out"
        );
        assert!(throttle
            .check("new@x.io", Some(IpAddr::from([10, 0, 0, 2])), now)
            .is_ok());
    }
}
