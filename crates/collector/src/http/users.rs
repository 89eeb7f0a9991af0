//! Users from the pages (admins): `GET /api/v1/users`, `PATCH /api/v1/users/{id}` (role,
//! disabled), and invitations — `POST /api/v1/invitations` makes a one-time link valid
//! 72 hours, with which the invitee sets a password (`POST /api/v1/invitations/accept`,
//! the page `/invite`). The link carries its token after `#`, so it is never sent to a
//! server or written to an access log; only its SHA-256 is stored.

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::access::{self, Access, Principal};
use super::error::ApiError;
use super::json::Items;
use super::routes::Router;
use super::AppState;
use crate::accounts::{self, password, InputError};
use crate::store::accounts::{AccountError, Role, User};
use crate::store::invitations::{Invitation, InvitationError, NewInvitation};
use crate::time::{now_ms, rfc3339};

/// How long an invitation's link works.
const INVITATION_VALID_MS: i64 = 72 * 3_600_000;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/users", list_users)
        .allow(Access::AdminRead)
        .patch("/users/{id}", patch_user)
        .allow(Access::Admin)
        .get("/invitations", list_invitations)
        .allow(Access::AdminRead)
        .post("/invitations", invite)
        .allow(Access::Admin)
        .post("/invitations/accept", accept)
        .allow(Access::Public);
}

/// The users part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_users, patch_user, list_invitations, invite, accept),
    components(schemas(UserJson, UserPatchJson, InvitationJson, NewInvitationJson, AcceptJson))
)]
pub(crate) struct UsersApi;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct UserJson {
    id: i64,
    email: String,
    name: String,
    /// `admin`, `marketer` or `viewer`.
    role: String,
    disabled: bool,
    created_at: Option<String>,
}

fn user_json(user: &User) -> UserJson {
    UserJson {
        id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role.name().to_owned(),
        disabled: user.disabled_at.is_some(),
        created_at: rfc3339(user.created_at),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct InvitationJson {
    id: i64,
    email: String,
    name: String,
    role: String,
    created_at: Option<String>,
    expires_at: Option<String>,
    /// The one-time link to hand to the invitee: only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}

fn invitation_json(invitation: &Invitation, link: Option<String>) -> InvitationJson {
    InvitationJson {
        id: invitation.id,
        email: invitation.email.clone(),
        name: invitation.name.clone(),
        role: invitation.role.name().to_owned(),
        created_at: rfc3339(invitation.created_at),
        expires_at: rfc3339(invitation.expires_at),
        link,
    }
}

/// `{"role"?, "disabled"?}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct UserPatchJson {
    #[schema(pattern = "^(admin|marketer|viewer)$")]
    role: Option<String>,
    disabled: Option<bool>,
}

/// `{"email", "name", "role"}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct NewInvitationJson {
    #[schema(max_length = 254)]
    email: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    #[schema(pattern = "^(admin|marketer|viewer)$")]
    role: String,
}

/// `{"token", "password"}`
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct AcceptJson {
    /// The part of the link after `#`.
    token: String,
    #[schema(min_length = 10, max_length = 256)]
    password: String,
}

fn principal(req: &HttpRequest) -> Result<Principal, ApiError> {
    req.extensions()
        .get::<Principal>()
        .cloned()
        .ok_or(ApiError::Unauthorized)
}

/// The body as a JSON object with only `accepted` fields (read whatever the content type).
fn object(body: &[u8], accepted: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let map = super::json::json_object(body)?;
    if let Some(unknown) = map.keys().find(|k| !accepted.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            "body",
            format!(
                "unknown field {unknown}; this takes {}",
                accepted.join(", ")
            ),
        ));
    }
    Ok(map)
}

fn text(map: &Map<String, Value>, name: &'static str) -> Result<String, ApiError> {
    match map.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(_) => Err(ApiError::invalid(name, "must be a string")),
        None => Err(ApiError::invalid(name, format!("{name} is required"))),
    }
}

fn role(value: &str) -> Result<Role, ApiError> {
    Role::parse(value).ok_or_else(|| {
        ApiError::invalid(
            "role",
            format!("{value:?} is not admin, marketer or viewer"),
        )
    })
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> ApiError {
        match e {
            InputError::Email(m) => ApiError::invalid("email", m),
            InputError::Name(m) => ApiError::invalid("name", m),
            InputError::Password(p) => ApiError::invalid("password", p.to_string()),
            InputError::Account(a) => ApiError::invalid("email", a.to_string()),
            InputError::Store(s) => s.into(),
        }
    }
}

/// `GET /api/v1/users`
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, description = "`{\"items\": [user]}`, oldest first", body = Items<UserJson>)),
    security(("bearer" = [])))]
async fn list_users(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let users = state.store.users().await?;
    Ok(HttpResponse::Ok().json(Items {
        items: users.iter().map(user_json).collect::<Vec<_>>(),
    }))
}

/// `PATCH /api/v1/users/{id}`
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "user id", minimum = 1)),
    request_body(content = UserPatchJson, description = "a new role, and/or disabled (signs the user out everywhere, stops their tokens) or enabled"),
    responses(
        (status = 200, description = "the user as changed", body = UserJson),
        (status = 404, description = "no such user", body = super::json::ErrorJson),
        (status = 422, description = "a bad role, or a change that would leave no admin who can sign in", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn patch_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let principal = principal(&req)?;
    let id = id.into_inner();
    let map = object(&body, &["role", "disabled"])?;
    let new_role = match map.get("role") {
        None => None,
        Some(Value::String(r)) => Some(role(r)?),
        Some(_) => return Err(ApiError::invalid("role", "must be a string")),
    };
    let disabled = match map.get("disabled") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(ApiError::invalid("disabled", "must be true or false")),
    };
    let user = state
        .store
        .user(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no user with id {id}")))?;
    let users = state.store.users().await?;
    // An admin who demotes or disables the last active admin locks everyone out of users.
    let stays_admin = new_role.unwrap_or(user.role) == Role::Admin
        && !disabled.unwrap_or(user.disabled_at.is_some());
    let other_admins = users
        .iter()
        .filter(|u| u.id != id && u.role == Role::Admin && u.disabled_at.is_none())
        .count();
    if user.role == Role::Admin && user.disabled_at.is_none() && !stays_admin && other_admins == 0 {
        return Err(ApiError::invalid(
            "role",
            "this is the last admin who can sign in; make another admin first",
        ));
    }
    let mut changed = user.clone();
    if let Some(role) = new_role.filter(|r| *r != user.role) {
        changed = state
            .store
            .set_role(id, role)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no user with id {id}")))?;
        accounts::record(
            &state.store,
            principal.audit(
                "user.role",
                user.email.clone(),
                format!("{} → {}", user.role.name(), role.name()),
            ),
        )
        .await;
    }
    if let Some(disabled) = disabled.filter(|d| *d != user.disabled_at.is_some()) {
        changed = state
            .store
            .set_disabled(id, disabled.then(now_ms))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no user with id {id}")))?;
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        accounts::record(
            &state.store,
            principal.audit(action, user.email.clone(), None),
        )
        .await;
    }
    Ok(HttpResponse::Ok().json(user_json(&changed)))
}

/// `GET /api/v1/invitations`
#[utoipa::path(get, path = "/api/v1/invitations", tag = "users",
    responses((status = 200, description = "`{\"items\": [invitation]}`: not yet accepted, newest first, expired ones too (never the links)", body = Items<InvitationJson>)),
    security(("bearer" = [])))]
async fn list_invitations(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pending = state.store.pending_invitations().await?;
    Ok(HttpResponse::Ok().json(Items {
        items: pending
            .iter()
            .map(|i| invitation_json(i, None))
            .collect::<Vec<_>>(),
    }))
}

/// `POST /api/v1/invitations`
#[utoipa::path(post, path = "/api/v1/invitations", tag = "users",
    request_body(content = NewInvitationJson),
    responses(
        (status = 201, description = "the invitation with its one-time `link` (valid 72 h), shown this once", body = InvitationJson),
        (status = 422, description = "a bad e-mail, name or role, or a user with the e-mail exists", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let principal = principal(&req)?;
    let map = object(&body, &["email", "name", "role"])?;
    let email = text(&map, "email")?;
    let key = accounts::email_key(&email)?;
    let name = accounts::check_name(&text(&map, "name")?)?;
    let role = role(&text(&map, "role")?)?;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = hex::encode(secret);
    let now = now_ms();
    let invitation = state
        .store
        .create_invitation(NewInvitation {
            email: email.trim().to_owned(),
            email_key: key,
            name,
            role,
            token_sha256: super::auth::token_sha256(&token),
            created_by: principal.user.as_ref().map(|u| u.id),
            created_at: now,
            expires_at: now + INVITATION_VALID_MS,
        })
        .await?
        .map_err(|e| ApiError::invalid("email", e.to_string()))?;
    accounts::record(
        &state.store,
        principal.audit(
            "user.invite",
            invitation.email.clone(),
            format!("role {}", role.name()),
        ),
    )
    .await;
    let info = req.connection_info();
    let link = format!("{}://{}/invite#{token}", info.scheme(), info.host());
    Ok(HttpResponse::Created().json(invitation_json(&invitation, Some(link))))
}

/// `POST /api/v1/invitations/accept`
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "users",
    request_body(content = AcceptJson),
    responses(
        (status = 201, description = "the user, made; sign in with the e-mail and the password", body = UserJson),
        (status = 403, description = "posted from another site's page", body = super::json::ErrorJson),
        (status = 422, description = "the link is not valid (used, expired or mistyped), or the password is refused", body = super::json::ErrorJson)))]
async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if req.headers().contains_key(actix_web::http::header::ORIGIN)
        || req.headers().contains_key(actix_web::http::header::REFERER)
    {
        access::check_same_origin(&req)?;
    }
    let map = object(&body, &["token", "password"])?;
    let token = text(&map, "token")?;
    let new_password = text(&map, "password")?;
    let not_valid = || ApiError::invalid("token", InvitationError::NotValid.to_string());
    let hash = super::auth::session_hash(token.trim()).ok_or_else(not_valid)?;
    let now = now_ms();
    let invitation = state
        .store
        .open_invitation(hash, now)
        .await?
        .ok_or_else(not_valid)?;
    password::check(&new_password, &invitation.email)
        .map_err(|e| ApiError::invalid("password", e.to_string()))?;
    let password_hash = web::block(move || password::hash(&new_password))
        .await
        .map_err(|e| ApiError::Internal(format!("hashing failed: {e}")))?;
    let user = match state
        .store
        .accept_invitation(hash, password_hash, now)
        .await?
    {
        Ok(user) => user,
        Err(InvitationError::NotValid) => return Err(not_valid()),
        Err(InvitationError::Account(AccountError::EmailTaken(email))) => {
            return Err(ApiError::invalid(
                "token",
                format!("a user with e-mail {email} exists already; sign in instead"),
            ))
        }
        Err(InvitationError::Account(other)) => {
            return Err(ApiError::invalid("token", other.to_string()))
        }
    };
    accounts::record(
        &state.store,
        accounts::Audit {
            actor: user.email.clone(),
            action: "user.create",
            target: Some(user.email.clone()),
            address: access::client_address(&req),
            detail: Some(format!(
                "invitation {}, role {}",
                invitation.id,
                user.role.name()
            )),
        },
    )
    .await;
    Ok(HttpResponse::Created().json(user_json(&user)))
}
