//! Who is asking, and whether they may: every route carries an [`Access`] decision (given
//! where it is registered, see `routes.rs`), and [`guard`] applies it before the handler.
//!
//! A request is signed in by a session cookie (the pages) or an `Authorization: Bearer`
//! token (scripts): a user's token, an operator token (`leadtrail token create` without a
//! user) or the configured `api_token`; the last two act as an admin. A bearer header wins
//! over a cookie, and a bearer header that is not valid is a 401 even with a cookie.
//!
//! Writes signed in by the cookie must come from the collector's own pages: the cookie is
//! `SameSite=Strict`, and the `Origin` (or, without one, the `Referer`) must be the
//! collector's own origin. Tokens are not sent by browsers on their own, so token writes
//! need no such check.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, ResponseError};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::AppState;
use crate::store::accounts::{Role, Scope, TokenRow, User};
use crate::time::now_ms;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "lt_session";

/// What a route demands of who calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Access {
    /// Anyone, signed in or not: forms, health, the API document, signing in.
    Public,
    /// Anyone signed in, any role, a read token too: who am I, my tokens.
    SignedIn,
    /// Anyone signed in; a token needs write scope: minting and revoking one's tokens.
    SignedInWrite,
    /// Viewers and up; read tokens do.
    Read,
    /// Marketers and up, read tokens do: answers that export personal data.
    Export,
    /// Marketers and up with write: working the leads, selections, dashboards, links.
    Work,
    /// Admins; read tokens do: the audit log.
    AdminRead,
    /// Admins with write: erasure, aliases, reclassification.
    Admin,
    /// Anyone signed in with a session (never a token): changing one's own password.
    SessionOnly,
}

impl Access {
    /// The least role that may, or `None` for [`Access::Public`].
    pub(crate) const fn min_role(self) -> Option<Role> {
        match self {
            Access::Public => None,
            Access::SignedIn | Access::SignedInWrite | Access::Read | Access::SessionOnly => {
                Some(Role::Viewer)
            }
            Access::Export | Access::Work => Some(Role::Marketer),
            Access::AdminRead | Access::Admin => Some(Role::Admin),
        }
    }

    /// The scope a token needs.
    pub(crate) const fn scope(self) -> Scope {
        match self {
            Access::SignedInWrite | Access::Work | Access::Admin | Access::SessionOnly => {
                Scope::Write
            }
            _ => Scope::Read,
        }
    }

    /// The scope a token needs, as the document and the route table name it: `none` when
    /// no token will do.
    pub(crate) const fn token_scope_name(self) -> &'static str {
        match self {
            Access::SessionOnly => "none",
            _ => self.scope().name(),
        }
    }

    /// The roles that may, highest first (the OpenAPI document lists them).
    pub(crate) fn roles(self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| self.min_role().is_none_or(|min| *r >= min))
            .collect()
    }

    /// Whether `principal` may; the refusal says why.
    pub(crate) fn decide(self, principal: &Principal) -> Result<(), String> {
        let Some(min) = self.min_role() else {
            return Ok(());
        };
        if principal.role < min {
            return Err(format!(
                "a {} may not do this; it needs the role {} or higher",
                principal.role.name(),
                min.name()
            ));
        }
        if self == Access::SessionOnly && !matches!(principal.via, Via::Session { .. }) {
            return Err("only a signed-in session may do this; a token may not".to_owned());
        }
        if let Some(scope) = principal.token_scope() {
            if scope < self.scope() {
                return Err(format!(
                    "this token has the scope {}; this needs a token with the scope {}",
                    scope.name(),
                    self.scope().name()
                ));
            }
        }
        Ok(())
    }
}

/// How a request was signed in.
#[derive(Debug, Clone)]
pub(crate) enum Via {
    Session {
        id_sha256: [u8; 32],
    },
    Token(TokenRow),
    /// The configured `api_token`.
    Configured,
}

/// Who is asking: found by [`guard`], handed to handlers as `web::ReqData<Principal>`.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    /// `None` for operator tokens and the configured token.
    pub(crate) user: Option<User>,
    pub(crate) role: Role,
    pub(crate) via: Via,
    /// The client's address, for the audit log.
    pub(crate) address: Option<String>,
}

impl Principal {
    pub(crate) fn token_scope(&self) -> Option<Scope> {
        match &self.via {
            Via::Token(token) => Some(token.scope),
            Via::Session { .. } | Via::Configured => None,
        }
    }

    /// How the audit log names who did it.
    pub(crate) fn actor(&self) -> String {
        match (&self.via, &self.user) {
            (Via::Session { .. }, Some(user)) => user.email.clone(),
            (Via::Token(token), _) => format!(
                "token {:?} of {}",
                token.name,
                token.user_email.as_deref().unwrap_or("the operator")
            ),
            (Via::Configured, _) => "configured api_token".to_owned(),
            (Via::Session { .. }, None) => "unknown session".to_owned(),
        }
    }

    pub(crate) fn may_export(&self) -> bool {
        Access::Export.decide(self).is_ok()
    }

    /// An audit entry by this principal.
    pub(crate) fn audit<'a>(
        &self,
        action: &'a str,
        target: impl Into<Option<String>>,
        detail: impl Into<Option<String>>,
    ) -> crate::accounts::Audit<'a> {
        crate::accounts::Audit {
            actor: self.actor(),
            action,
            target: target.into(),
            address: self.address.clone(),
            detail: detail.into(),
        }
    }
}

pub(crate) fn client_address(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}

/// How often, at most, a session's or token's last use is written: each request does not
/// need its own write.
fn touch_interval_ms(idle_ms: i64) -> i64 {
    (idle_ms / 4).clamp(1_000, 60_000)
}

/// Writes a last use without holding the request up (a lost touch only shortens an idle
/// session by the touch interval).
fn touch_later(state: &web::Data<AppState>, what: Touch) {
    let store = state.store.clone();
    actix_web::rt::spawn(async move {
        let result = match what {
            Touch::Session(id) => store.touch_session(id, now_ms()).await,
            Touch::Token(id) => store.touch_token(id, now_ms()).await,
        };
        if let Err(error) = result {
            tracing::warn!(%error, "cannot record a session's or token's last use");
        }
    });
}

enum Touch {
    Session([u8; 32]),
    Token(i64),
}

/// The signed-in principal of a request, `None` when it is not signed in; a bearer header
/// that is not a valid token is `Unauthorized` whatever else the request carries.
pub(crate) async fn authenticate(
    req: &HttpRequest,
    state: &web::Data<AppState>,
) -> Result<Option<Principal>, ApiError> {
    let address = client_address(req);
    if let Some(token) = super::auth::bearer_token(req.headers()) {
        let hash = super::auth::token_sha256(token);
        if let Some(configured) = &state.api_token_sha256 {
            if bool::from(configured.ct_eq(&hash)) {
                return Ok(Some(Principal {
                    user: None,
                    role: Role::Admin,
                    via: Via::Configured,
                    address,
                }));
            }
        }
        let Some(found) = state.store.token_by_hash(hash).await? else {
            return Err(ApiError::Unauthorized);
        };
        let now = now_ms();
        if found.token.expires_at.is_some_and(|at| at <= now) {
            return Err(ApiError::Unauthorized);
        }
        let role = match &found.user {
            Some(user) if user.disabled_at.is_some() => return Err(ApiError::Unauthorized),
            Some(user) => user.role,
            None => Role::Admin,
        };
        if found
            .token
            .last_used_at
            .is_none_or(|at| now - at >= touch_interval_ms(state.sessions.idle_ms))
        {
            touch_later(state, Touch::Token(found.token.id));
        }
        return Ok(Some(Principal {
            user: found.user,
            role,
            via: Via::Token(found.token),
            address,
        }));
    }
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(id_sha256) = super::auth::session_hash(cookie.value()) else {
        return Ok(None);
    };
    let Some(session) = state.store.session(id_sha256).await? else {
        return Ok(None);
    };
    let now = now_ms();
    let expired = now - session.last_seen_at > state.sessions.idle_ms
        || now - session.created_at > state.sessions.lifetime_ms
        || session.user.disabled_at.is_some();
    if expired {
        state.store.delete_session(id_sha256).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= touch_interval_ms(state.sessions.idle_ms) {
        touch_later(state, Touch::Session(id_sha256));
    }
    Ok(Some(Principal {
        role: session.user.role,
        user: Some(session.user),
        via: Via::Session { id_sha256 },
        address,
    }))
}

/// The collector's own origin as the browser sees it (`http://127.0.0.1:8080`).
fn own_origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host()).to_ascii_lowercase()
}

/// The origin of `Origin`, or of the `Referer`'s URL when there is no `Origin`.
fn request_origin(req: &HttpRequest) -> Option<String> {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        return origin.to_str().ok().map(|o| o.trim().to_ascii_lowercase());
    }
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    Some(url.origin().ascii_serialization().to_ascii_lowercase())
}

/// Refuses a write that does not come from the collector's own pages.
pub(crate) fn check_same_origin(req: &HttpRequest) -> Result<(), ApiError> {
    let own = own_origin(req);
    match request_origin(req) {
        Some(origin) if origin == own => Ok(()),
        Some(origin) => Err(ApiError::Forbidden(format!(
            "cross-site request refused: a signed-in write must come from {own}, not {origin}"
        ))),
        None => Err(ApiError::Forbidden(
            "cross-site request refused: a signed-in write must carry Origin or Referer \
             (or use an API token)"
                .to_owned(),
        )),
    }
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The access decisions of one resource, by method: `None` for a route registered without
/// one (refused to everyone, and the route table's test fails), and the audit action of
/// routes whose success is recorded.
pub(crate) type Decisions = std::rc::Rc<[(Method, Option<Access>, Option<&'static str>)]>;

/// What an audited route's entry names: `person 12` for `{id}`, `alias fb` for `{alias}`,
/// `form contact` for `{key}`.
fn audit_target(req: &ServiceRequest, action: &str) -> Option<String> {
    let info = req.match_info();
    let entity = action.split('.').next().unwrap_or(action);
    if let Some(id) = info.get("id") {
        return Some(format!("{entity} {id}"));
    }
    if let Some(key) = info.get("key") {
        return Some(format!("form {key}"));
    }
    info.get("alias").map(|alias| format!("alias {alias}"))
}

/// Listings that answer CSV export persons or companies: recorded as `export.csv`.
fn is_csv<B>(response: &ServiceResponse<B>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"))
}

/// Middleware on each resource: finds who is asking and applies the method's decision.
pub(crate) async fn guard(
    decisions: Decisions,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refuse = |req: ServiceRequest, error: ApiError| {
        Ok(req
            .into_response(error.error_response())
            .map_into_right_body())
    };
    let (access, action) = match decisions.iter().find(|(m, ..)| m == req.method()) {
        // A method the path does not take: its 405 answers.
        None | Some((_, Some(Access::Public), _)) => {
            return Ok(next.call(req).await?.map_into_left_body())
        }
        Some((_, Some(access), action)) => (*access, *action),
        Some((_, None, _)) => {
            return refuse(
                req,
                ApiError::Forbidden("this route has no access decision".to_owned()),
            )
        }
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return refuse(req, ApiError::Internal("application state missing".into()));
    };
    let principal = match authenticate(req.request(), &state).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return refuse(req, ApiError::Unauthorized),
        Err(error) => return refuse(req, error),
    };
    if let Err(message) = access.decide(&principal) {
        return refuse(req, ApiError::Forbidden(message));
    }
    if matches!(principal.via, Via::Session { .. }) && is_write(req.method()) {
        if let Err(error) = check_same_origin(req.request()) {
            return refuse(req, error);
        }
    }
    let target = action.and_then(|a| audit_target(&req, a));
    let path = req.path().to_owned();
    req.extensions_mut().insert(principal.clone());
    let response = next.call(req).await?;
    if response.status().is_success() {
        let entry = match action {
            Some(action) => Some(principal.audit(action, target, None)),
            None if is_csv(&response) => Some(principal.audit("export.csv", path, None)),
            None => None,
        };
        if let Some(entry) = entry {
            crate::accounts::record(&state.store, entry).await;
        }
    }
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, scope: Option<Scope>) -> Principal {
        let via = match scope {
            None => Via::Configured,
            Some(scope) => Via::Token(TokenRow {
                id: 1,
                name: "t".into(),
                scope,
                user_id: None,
                user_email: None,
                created_at: 0,
                expires_at: None,
                last_used_at: None,
                revoked_at: None,
            }),
        };
        Principal {
            user: None,
            role,
            via,
            address: None,
        }
    }

    #[test]
    fn roles_and_scopes_bound_what_may_be_done() {
        let viewer = principal(Role::Viewer, None);
        let marketer_read = principal(Role::Marketer, Some(Scope::Read));
        let admin_write = principal(Role::Admin, Some(Scope::Write));
        assert!(Access::Read.decide(&viewer).is_ok());
        assert!(Access::Export
            .decide(&viewer)
            .unwrap_err()
            .contains("a viewer may not"));
        assert!(Access::Export.decide(&marketer_read).is_ok());
        assert!(Access::Work
            .decide(&marketer_read)
            .unwrap_err()
            .contains("scope read"));
        assert!(Access::Admin.decide(&admin_write).is_ok());
        assert!(Access::Admin
            .decide(&principal(Role::Marketer, None))
            .is_err());
        assert!(Access::SignedInWrite.decide(&viewer).is_ok());
        assert_eq!(Access::Work.roles(), [Role::Admin, Role::Marketer]);
        assert_eq!(Access::Public.roles().len(), 3);
    }
}
