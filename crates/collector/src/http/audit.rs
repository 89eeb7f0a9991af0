//! `GET /api/v1/audit` (admins): who did what, newest first.
//!
//! Entries are written where the action happens: sign-ins (and failed ones), sign-outs and
//! tokens by their handlers ([`super::session`], [`super::tokens`]), the users' CLI by
//! `commands/accounts.rs`, and every other audited route by [`super::access::guard`] once
//! its handler has succeeded (the route names its action where it is registered).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::access::Access;
use super::error::ApiError;
use super::routes::Router;
use super::AppState;
use crate::store::accounts::{AuditEntry, AuditFilter};
use crate::time::rfc3339;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/audit", list_audit).allow(Access::AdminRead);
}

/// The audit part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_audit), components(schemas(AuditJson, AuditPage)))]
pub(crate) struct AuditApi;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AuditJson {
    pub(crate) id: i64,
    pub(crate) at: Option<String>,
    /// The user's e-mail, `token "NAME" of OWNER`, `configured api_token` or `cli`; for a
    /// failed sign-in, the e-mail that was tried.
    pub(crate) actor: String,
    /// `session.create`, `session.create.failed`, `session.delete`, `token.create`,
    /// `token.revoke`, `user.create`, `user.role`, `user.disable`, `user.enable`,
    /// `user.password`, `person.update`, `person.erase`, `person.export`, `export.csv`,
    /// `sale.create`, `sale.update`, `settings.alias`, `settings.reclassify` …
    pub(crate) action: String,
    /// What it was done to (`person 12`, `token 3 "ci" of …`).
    pub(crate) target: Option<String>,
    /// The requester's address.
    pub(crate) address: Option<String>,
    pub(crate) detail: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AuditPage {
    pub(crate) items: Vec<AuditJson>,
    /// The cursor of the next (older) page; `null` on the last one.
    pub(crate) next: Option<String>,
}

fn entry_json(e: AuditEntry) -> AuditJson {
    AuditJson {
        id: e.id,
        at: rfc3339(e.entry.at),
        actor: e.entry.actor,
        action: e.entry.action,
        target: e.entry.target,
        address: e.entry.address,
        detail: e.entry.detail,
    }
}

/// `2025-01-31` (that day's start, UTC) or an RFC 3339 time → Unix ms.
fn time_param(name: &'static str, text: &str) -> Result<i64, ApiError> {
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        if let Ok(at) = date.to_zoned(jiff::tz::TimeZone::UTC) {
            return Ok(at.timestamp().as_millisecond());
        }
    }
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| {
            ApiError::bad_request(format!(
                "{name}: {text:?} is not a date (2025-01-31) or an RFC 3339 time"
            ))
        })
}

/// `GET /api/v1/audit`
#[utoipa::path(get, path = "/api/v1/audit", tag = "users",
    params(
        ("action" = Option<String>, Query, description = "only this action; ending in `.` (`token.`), every action that starts so"),
        ("actor" = Option<String>, Query, description = "only entries by this actor"),
        ("from" = Option<String>, Query, format = Date, description = "entries at or after this date (`2025-01-31`; an RFC 3339 time will do too)"),
        ("to" = Option<String>, Query, format = Date, description = "entries before this date (an RFC 3339 time will do too)"),
        ("cursor" = Option<i64>, Query, description = "the `next` of the previous page", minimum = 1),
        ("limit" = Option<usize>, Query, description = "entries per page (default 100)", minimum = 1, maximum = 1000)),
    responses(
        (status = 200, description = "a page of entries, newest first", body = AuditPage),
        (status = 400, description = "a bad filter, cursor or limit", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn list_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?
        .into_inner();
    let mut filter = AuditFilter {
        limit: DEFAULT_LIMIT,
        ..AuditFilter::default()
    };
    for (key, value) in pairs {
        match key.as_str() {
            "action" if value.ends_with('.') => filter.action_prefix = Some(value),
            "action" => filter.action = Some(value),
            "actor" => filter.actor = Some(value),
            "from" => filter.from_ms = Some(time_param("from", &value)?),
            "to" => filter.to_ms = Some(time_param("to", &value)?),
            "cursor" => {
                filter.before_id = Some(value.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(
                    || ApiError::bad_request(format!("cursor: {value:?} is not a page's next")),
                )?)
            }
            "limit" => {
                filter.limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "limit: {value:?} is not a number from 1 to {MAX_LIMIT}"
                        ))
                    })?
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other}; the audit log takes action, actor, from, to, \
                     cursor and limit"
                )))
            }
        }
    }
    let limit = filter.limit;
    filter.limit = limit + 1;
    let mut entries = state.store.audit(filter).await?;
    let next = (entries.len() > limit).then(|| {
        entries.truncate(limit);
        entries.last().map(|e| e.id.to_string())
    });
    Ok(HttpResponse::Ok().json(AuditPage {
        items: entries.into_iter().map(entry_json).collect(),
        next: next.flatten(),
    }))
}
