//! API routes of criteria search and selections, inside the token-protected
//! `/api/v1` scope:
//!
//! - `GET /persons`, `GET /companies`: criteria in the query string (`field=value`,
//!   `field[op]=value`, ANDed); `POST /persons/search`, `POST /companies/search`: the
//!   criteria as a JSON tree in the body (see [`crate::store::search`]).
//! - Every listing answers `{"items": […], "next": cursor, "total": n}` in id order
//!   (`?limit=`, default 50, at most 1000; `?cursor=` from the previous page; `total` counts
//!   every match, whatever the cursor), or CSV with every attribution
//!   column for `Accept: text/csv` or `?format=csv`, streamed page by page.
//! - `/selections` (+ `/{id}`, `/{id}/members`, `/{id}/board`): saved static or dynamic
//!   selections; members listings take the same extra criteria and formats as search.

mod csv;
pub(crate) mod doc;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::future::try_join;
use serde::Serialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::json::{CompanyJson, PersonJson};
use super::routes::Router;
use super::AppState;
use crate::http::access::Access;
use crate::store::search::{
    fields, Criteria, Entity, NewSelection, Page, SearchRequest, Selection, SelectionKind,
    LEAD_STATUSES,
};
use crate::store::Store;
use crate::time::rfc3339;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/persons", list_persons)
        .allow(Access::Read)
        .post("/persons/search", search_persons)
        .allow(Access::Read)
        .get("/companies", list_companies)
        .allow(Access::Read)
        .post("/companies/search", search_companies)
        .allow(Access::Read)
        .get("/selections", list_selections)
        .allow(Access::Read)
        .post("/selections", create_selection)
        .allow(Access::Work)
        .get("/selections/{id}", get_selection)
        .allow(Access::Read)
        .patch("/selections/{id}", update_selection)
        .allow(Access::Work)
        .delete("/selections/{id}", delete_selection)
        .allow(Access::Work)
        .get("/selections/{id}/members", members)
        .allow(Access::Read)
        .post("/selections/{id}/members", add_members)
        .allow(Access::Work)
        .delete("/selections/{id}/members", remove_members)
        .allow(Access::Work)
        .get("/selections/{id}/board", board)
        .allow(Access::Read)
        .get("/search/fields", search_fields)
        .allow(Access::Read);
}

/// `GET /api/v1/search/fields`: the criteria each entity takes, with their operators (the
/// /people page builds its form from this).
#[utoipa::path(get, path = "/api/v1/search/fields", tag = "search",
    responses((status = 200, description = "`{\"person\": [{\"name\", \"ops\"}], \"company\": […]}`")),
    security(("bearer" = [])))]
async fn search_fields() -> HttpResponse {
    let of = |entity: Entity| {
        fields()
            .iter()
            .filter(|f| f.target(entity).is_some())
            .map(|f| {
                json!({
                    "name": f.name,
                    "ops": f.kind.ops().iter().map(|o| o.name()).collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>()
    };
    HttpResponse::Ok().json(json!({ "person": of(Entity::Person), "company": of(Entity::Company) }))
}

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 1000;
const MAX_NAME_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// The listing parameters of a query string; every other pair is a criterion.
#[derive(Debug)]
struct Listing {
    limit: Option<usize>,
    after: Option<i64>,
    format: Format,
    /// `?order=newest`: ids descending (the cursor then continues below its id).
    newest_first: bool,
}

/// All `(key, value)` pairs of the query string, in order and with repeats.
fn query_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))
}

/// Splits the listing parameters off; what is left are criteria.
fn listing(
    req: &HttpRequest,
    pairs: Vec<(String, String)>,
) -> Result<(Listing, Vec<(String, String)>), ApiError> {
    let wants_csv = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("text/csv"));
    let mut listing = Listing {
        limit: None,
        after: None,
        format: if wants_csv { Format::Csv } else { Format::Json },
        newest_first: false,
    };
    let mut rest = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "limit" => {
                listing.limit = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            ApiError::bad_request(format!(
                                "limit: {value:?} is not a number from 1 to {MAX_LIMIT}"
                            ))
                        })?,
                );
            }
            "cursor" => {
                listing.after = Some(value.trim().parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!(
                        "cursor: {value:?} is not a cursor from a previous page's \"next\""
                    ))
                })?);
            }
            "order" => {
                listing.newest_first = match value.as_str() {
                    "newest" => true,
                    "id" => false,
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "order: {other:?} is not an order; use id (oldest first) or newest"
                        )))
                    }
                }
            }
            "format" => {
                listing.format = match value.as_str() {
                    "csv" => Format::Csv,
                    "json" => Format::Json,
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "format: {other:?} is not a format; use json or csv"
                        )))
                    }
                }
            }
            _ => rest.push((key, value)),
        }
    }
    if listing.format == Format::Csv {
        refuse_export_to_viewers(req)?;
    }
    Ok((listing, rest))
}

/// A CSV answer is an export of personal data: viewers read JSON pages only.
fn refuse_export_to_viewers(req: &HttpRequest) -> Result<(), ApiError> {
    use actix_web::HttpMessage;
    let extensions = req.extensions();
    let principal = extensions.get::<crate::http::access::Principal>();
    if principal.is_some_and(|p| !p.may_export()) {
        return Err(ApiError::Forbidden(
            "a viewer may not export: CSV answers hold personal data (ask for JSON pages)"
                .to_owned(),
        ));
    }
    Ok(())
}

fn criteria_from_pairs(pairs: &[(String, String)], entity: Entity) -> Result<Criteria, ApiError> {
    Ok(Criteria::from_query(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        entity,
    )?)
}

fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

#[derive(Serialize)]
struct PageJson<T> {
    items: Vec<T>,
    /// The cursor of the next page, `null` on the last one.
    next: Option<String>,
    /// How many rows match the criteria in all (not only from the cursor on).
    total: u64,
}

fn page_json<T, J: Serialize>(page: Page<T>, total: u64, f: impl Fn(T) -> J) -> HttpResponse {
    HttpResponse::Ok().json(PageJson {
        items: page.items.into_iter().map(f).collect(),
        next: page.next.map(|id| id.to_string()),
        total,
    })
}

/// Answers one page as JSON, or every match (from the cursor on) as streamed CSV.
async fn respond(
    store: Arc<dyn Store>,
    entity: Entity,
    criteria: Criteria,
    listing: Listing,
    file_name: &str,
) -> Result<HttpResponse, ApiError> {
    if listing.format == Format::Csv {
        return Ok(csv::response(
            store,
            entity,
            criteria,
            listing.after,
            listing.limit,
            listing.newest_first,
            file_name,
        ));
    }
    let request = SearchRequest {
        criteria: criteria.clone(),
        after: listing.after,
        limit: listing.limit.unwrap_or(DEFAULT_LIMIT),
        newest_first: listing.newest_first,
    };
    // The page and the count are independent reads: run them side by side.
    let total = store.count_matches(entity, criteria);
    Ok(match entity {
        Entity::Person => {
            let (page, total) = try_join(store.search_persons(request), total).await?;
            page_json(page, total, PersonJson::from)
        }
        Entity::Company => {
            let (page, total) = try_join(store.search_companies(request), total).await?;
            page_json(page, total, CompanyJson::from)
        }
    })
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    entity: Entity,
) -> Result<HttpResponse, ApiError> {
    let (listing, pairs) = listing(&req, query_pairs(&req)?)?;
    let criteria = criteria_from_pairs(&pairs, entity)?;
    let name = if entity == Entity::Person {
        "persons"
    } else {
        "companies"
    };
    respond(state.store.clone(), entity, criteria, listing, name).await
}

async fn search(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    entity: Entity,
) -> Result<HttpResponse, ApiError> {
    let (listing, pairs) = listing(&req, query_pairs(&req)?)?;
    let mut criteria = Criteria::from_json(&json_body(&body)?, entity)?;
    if !pairs.is_empty() {
        criteria = criteria.and(criteria_from_pairs(&pairs, entity)?);
    }
    let name = if entity == Entity::Person {
        "persons"
    } else {
        "companies"
    };
    respond(state.store.clone(), entity, criteria, listing, name).await
}

/// `GET /api/v1/persons?…`
#[utoipa::path(get, path = "/api/v1/persons", tag = "search",
    description = "Persons matching every criterion of the query string: `field=value` (equality) or `field[op]=value`, e.g. `lead_generation.source=linkedin&status[in]=open,qualified&created_at[gte]=2025-01-01`. Fields: `GET /api/v1/search/fields`.",
    params(
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "page size, 1 to 1000 (default 50); with CSV a cap on rows"),
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{1,18}$", description = "`next` of the previous page"),
        ("format" = Option<super::links::doc::SavedFormat>, Query, description = "`json` (default) or `csv` (also `Accept: text/csv`): every attribution column, streamed"),
        ("order" = Option<doc::ListOrder>, Query, description = "`id` (default: oldest first) or `newest` (newest first; `cursor` then continues below)"),
    ),
    responses((status = 200, description = "a page of persons (or CSV)", content((doc::PersonPage = "application/json"), (String = "text/csv"))), (status = 400, description = "an unknown field or operator (the message lists the valid ones), or a bad value", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn list_persons(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(req, state, Entity::Person).await
}

/// `GET /api/v1/companies?…`
#[utoipa::path(get, path = "/api/v1/companies", tag = "search",
    description = "Companies matching every criterion of the query string; person fields match when any of the company's persons does, `source.*` is the company's own source.",
    params(
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "page size, 1 to 1000 (default 50); with CSV a cap on rows"),
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{1,18}$", description = "`next` of the previous page"),
        ("format" = Option<super::links::doc::SavedFormat>, Query, description = "`json` (default) or `csv` (also `Accept: text/csv`): every attribution column, streamed"),
        ("order" = Option<doc::ListOrder>, Query, description = "`id` (default: oldest first) or `newest` (newest first; `cursor` then continues below)"),
    ),
    responses((status = 200, description = "a page of companies (or CSV)", content((doc::CompanyPage = "application/json"), (String = "text/csv"))), (status = 400, description = "an unknown field or operator, or a bad value", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn list_companies(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    list(req, state, Entity::Company).await
}

/// `POST /api/v1/persons/search` with a JSON tree.
#[utoipa::path(post, path = "/api/v1/persons/search", tag = "search",
    params(
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "page size, 1 to 1000 (default 50); with CSV a cap on rows"),
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{1,18}$", description = "`next` of the previous page"),
        ("format" = Option<super::links::doc::SavedFormat>, Query, description = "`json` (default) or `csv` (also `Accept: text/csv`): every attribution column, streamed"),
        ("order" = Option<doc::ListOrder>, Query, description = "`id` (default: oldest first) or `newest` (newest first; `cursor` then continues below)"),
    ),
    request_body(content = Option<doc::CriteriaNode>, description = "optional: no body matches everything"),
    responses((status = 200, description = "a page of persons (or CSV)", content((doc::PersonPage = "application/json"), (String = "text/csv"))), (status = 400, description = "a malformed tree, an unknown field or operator, or a bad value", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn search_persons(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    search(req, body, state, Entity::Person).await
}

/// `POST /api/v1/companies/search` with a JSON tree.
#[utoipa::path(post, path = "/api/v1/companies/search", tag = "search",
    params(
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "page size, 1 to 1000 (default 50); with CSV a cap on rows"),
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{1,18}$", description = "`next` of the previous page"),
        ("format" = Option<super::links::doc::SavedFormat>, Query, description = "`json` (default) or `csv` (also `Accept: text/csv`): every attribution column, streamed"),
        ("order" = Option<doc::ListOrder>, Query, description = "`id` (default: oldest first) or `newest` (newest first; `cursor` then continues below)"),
    ),
    request_body(content = Option<doc::CriteriaNode>, description = "optional: no body matches everything"),
    responses((status = 200, description = "a page of companies (or CSV)", content((doc::CompanyPage = "application/json"), (String = "text/csv"))), (status = 400, description = "a malformed tree, an unknown field or operator, or a bad value", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn search_companies(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    search(req, body, state, Entity::Company).await
}

// ---- selections -------------------------------------------------------------------------

#[derive(Serialize)]
struct SelectionJson {
    id: i64,
    name: String,
    entity: &'static str,
    kind: &'static str,
    criteria: Value,
    created_at: Option<String>,
    updated_at: Option<String>,
}

impl From<Selection> for SelectionJson {
    fn from(s: Selection) -> SelectionJson {
        SelectionJson {
            id: s.id,
            name: s.name,
            entity: s.entity.name(),
            kind: s.kind.name(),
            criteria: s.criteria,
            created_at: rfc3339(s.created_at),
            updated_at: rfc3339(s.updated_at),
        }
    }
}

fn name_of(value: &Value) -> Result<String, ApiError> {
    let name = value
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::invalid("name", "name is required (a non-empty string)"))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// Criteria given as a JSON tree or as a query string (`"lead_generation.source=x&status=open"`).
fn criteria_of(value: &Value, entity: Entity) -> Result<Criteria, ApiError> {
    match value {
        Value::String(query) => {
            let pairs =
                web::Query::<Vec<(String, String)>>::from_query(query.trim_start_matches('?'))
                    .map_err(|e| {
                        ApiError::bad_request(format!("criteria: not a query string: {e}"))
                    })?
                    .into_inner();
            criteria_from_pairs(&pairs, entity)
        }
        tree => Ok(Criteria::from_json(tree, entity)?),
    }
}

fn object_of(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match json_body(body)? {
        Value::Object(map) => Ok(map),
        other => Err(ApiError::bad_request(format!(
            "the body must be a JSON object, not {other}"
        ))),
    }
}

/// `POST /api/v1/selections` `{"name", "entity", "kind", "criteria"}`. Without criteria a
/// dynamic selection holds everything and a static one starts empty.
#[utoipa::path(post, path = "/api/v1/selections", tag = "selections",
    request_body = doc::SelectionInput,
    responses((status = 201, description = "the selection (a static one already holds its members)", body = doc::SelectionOut), (status = 400, description = "bad criteria", body = super::json::ErrorJson), (status = 422, description = "a refused name, entity or kind", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn create_selection(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = object_of(&body)?;
    if let Some(extra) = body
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "entity" | "kind" | "criteria"))
    {
        return Err(ApiError::bad_request(format!(
            "unknown key {extra:?}; a selection has name, entity, kind and criteria"
        )));
    }
    let name = name_of(body.get("name").unwrap_or(&Value::Null))?;
    let entity = body
        .get("entity")
        .and_then(Value::as_str)
        .and_then(Entity::from_name)
        .ok_or_else(|| ApiError::invalid("entity", "entity must be \"person\" or \"company\""))?;
    let kind = body
        .get("kind")
        .and_then(Value::as_str)
        .and_then(SelectionKind::from_name)
        .ok_or_else(|| ApiError::invalid("kind", "kind must be \"static\" or \"dynamic\""))?;
    let criteria = match body.get("criteria") {
        Some(value) => criteria_of(value, entity)?,
        None if kind == SelectionKind::Static => Criteria::Any(Vec::new()),
        None => Criteria::everything(),
    };
    let selection = state
        .store
        .create_selection(NewSelection {
            name,
            entity,
            kind,
            criteria,
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/selections/{}", selection.id),
        ))
        .json(SelectionJson::from(selection)))
}

/// `GET /api/v1/selections`, each with how many members it has now.
#[utoipa::path(get, path = "/api/v1/selections", tag = "selections",
    responses((status = 200, description = "every selection, by id, with its member count", body = doc::SelectionList)),
    security(("bearer" = [])))]
async fn list_selections(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut items = Vec::new();
    for selection in state.store.selections().await? {
        items.push(with_member_count(&state, selection).await?);
    }
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// The selection as JSON with `member_count`: a dynamic one's criteria are evaluated now,
/// so a count is what a member listing would find at this moment. Criteria that no longer
/// apply (a field since removed) count as `null` rather than failing the whole listing.
async fn with_member_count(state: &AppState, selection: Selection) -> Result<Value, ApiError> {
    let count = match member_criteria(&selection) {
        Ok(criteria) => Some(
            state
                .store
                .count_matches(selection.entity, criteria)
                .await?,
        ),
        Err(_) => None,
    };
    let mut json = serde_json::to_value(SelectionJson::from(selection))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    json["member_count"] = json!(count);
    Ok(json)
}

async fn find_selection(state: &AppState, id: i64) -> Result<Selection, ApiError> {
    state
        .store
        .selection(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no selection with id {id}")))
}

/// `GET /api/v1/selections/{id}`, with how many members it has now.
#[utoipa::path(get, path = "/api/v1/selections/{id}", tag = "selections",
    params(("id" = i64, Path, description = "selection id")),
    responses((status = 200, description = "the selection and its member count", body = doc::SelectionOut), (status = 404, description = "no such selection", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn get_selection(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let selection = find_selection(&state, id.into_inner()).await?;
    // A single selection whose criteria no longer apply says why (422).
    member_criteria(&selection)?;
    Ok(HttpResponse::Ok().json(with_member_count(&state, selection).await?))
}

/// `PATCH /api/v1/selections/{id}` `{"name"?, "criteria"?}` (criteria: dynamic only).
#[utoipa::path(patch, path = "/api/v1/selections/{id}", tag = "selections",
    params(("id" = i64, Path, description = "selection id")),
    request_body(content = Option<doc::SelectionPatch>, description = "optional: no body changes nothing"),
    responses((status = 200, description = "the changed selection", body = doc::SelectionOut), (status = 404, description = "no such selection", body = super::json::ErrorJson), (status = 422, description = "criteria of a static selection, or an unchangeable key", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn update_selection(
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = object_of(&body)?;
    if let Some(extra) = body
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "criteria"))
    {
        return Err(ApiError::invalid(
            "body",
            format!("{extra:?} cannot be changed; a selection's name and (dynamic) criteria can"),
        ));
    }
    let name = body.get("name").map(name_of).transpose()?;
    let criteria = match body.get("criteria") {
        Some(value) => {
            let selection = find_selection(&state, id).await?;
            Some(criteria_of(value, selection.entity)?)
        }
        None => None,
    };
    let selection = state.store.update_selection(id, name, criteria).await??;
    Ok(HttpResponse::Ok().json(SelectionJson::from(selection)))
}

/// `DELETE /api/v1/selections/{id}`
#[utoipa::path(delete, path = "/api/v1/selections/{id}", tag = "selections",
    params(("id" = i64, Path, description = "selection id")),
    responses((status = 204, description = "deleted, with its members"), (status = 404, description = "no such selection", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn delete_selection(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if state.store.delete_selection(id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found(format!("no selection with id {id}")))
    }
}

/// A static selection's stored members; a dynamic selection's criteria, evaluated now.
fn member_criteria(selection: &Selection) -> Result<Criteria, ApiError> {
    match selection.kind {
        SelectionKind::Static => Ok(Criteria::MemberOf(selection.id)),
        SelectionKind::Dynamic => Criteria::from_json(&selection.criteria, selection.entity)
            .map_err(|e| {
                ApiError::invalid(
                    "criteria",
                    format!(
                        "the stored criteria of selection {} no longer apply: {e}",
                        selection.id
                    ),
                )
            }),
    }
}

/// `GET /api/v1/selections/{id}/members`: JSON pages or CSV; extra criteria narrow it.
#[utoipa::path(get, path = "/api/v1/selections/{id}/members", tag = "selections",
    description = "A static selection's members, or a dynamic selection's criteria evaluated now; further `field[op]=value` criteria in the query string narrow it. Persons or companies by the selection's entity.",
    params(
        ("id" = i64, Path, description = "selection id"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "page size, 1 to 1000 (default 50)"),
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{1,18}$", description = "`next` of the previous page"),
        ("format" = Option<super::links::doc::SavedFormat>, Query, description = "`json` or `csv`"),
        ("order" = Option<doc::ListOrder>, Query, description = "`id` (default: oldest first) or `newest`"),
    ),
    responses((status = 200, description = "a page of members, persons or companies as the selection's entity says (or CSV)", content((doc::MemberPage = "application/json"), (String = "text/csv"))), (status = 404, description = "no such selection", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn members(
    req: HttpRequest,
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let selection = find_selection(&state, id.into_inner()).await?;
    let (listing, pairs) = listing(&req, query_pairs(&req)?)?;
    let mut criteria = member_criteria(&selection)?;
    if !pairs.is_empty() {
        criteria = criteria.and(criteria_from_pairs(&pairs, selection.entity)?);
    }
    let file = format!("selection-{}", selection.id);
    respond(
        state.store.clone(),
        selection.entity,
        criteria,
        listing,
        &file,
    )
    .await
}

/// Member ids from the body (`{"ids": [1, 2]}`) or the query string (`?ids=1,2`).
fn member_ids(req: &HttpRequest, body: &[u8]) -> Result<Vec<i64>, ApiError> {
    let bad = || ApiError::invalid("ids", "ids must be a non-empty list of whole numbers");
    let ids: Vec<i64> = if body.iter().all(u8::is_ascii_whitespace) {
        let pairs = query_pairs(req)?;
        let raw = pairs
            .iter()
            .find(|(k, _)| k == "ids")
            .map(|(_, v)| v.as_str())
            .ok_or_else(bad)?;
        raw.split(',')
            .map(|v| v.trim().parse::<i64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?
    } else {
        let body = object_of(body)?;
        body.get("ids")
            .and_then(Value::as_array)
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_i64().ok_or_else(bad))
            .collect::<Result<_, _>>()?
    };
    if ids.is_empty() || ids.len() > 10_000 {
        return Err(ApiError::invalid("ids", "ids must list 1 to 10000 ids"));
    }
    Ok(ids)
}

async fn change_members(
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
    add: bool,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let ids = member_ids(&req, &body)?;
    find_selection(&state, id).await?;
    let changed = state.store.change_members(id, ids, add).await??;
    let key = if add { "added" } else { "removed" };
    Ok(HttpResponse::Ok().json(json!({ key: changed })))
}

/// `POST /api/v1/selections/{id}/members` `{"ids": […]}` (static selections).
#[utoipa::path(post, path = "/api/v1/selections/{id}/members", tag = "selections",
    params(("id" = i64, Path, description = "selection id")),
    request_body = doc::MemberIds,
    responses((status = 200, description = "`{\"added\": n}` (ids already in count 0)"), (status = 404, description = "no such selection", body = super::json::ErrorJson), (status = 422, description = "a dynamic selection, or ids that are not persons/companies (nothing added)", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn add_members(
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    change_members(req, id, body, state, true).await
}

/// `DELETE /api/v1/selections/{id}/members` `{"ids": […]}` or `?ids=…` (static selections).
#[utoipa::path(delete, path = "/api/v1/selections/{id}/members", tag = "selections",
    params(("id" = i64, Path, description = "selection id")),
    request_body = doc::MemberIds,
    responses((status = 200, description = "`{\"removed\": n}`"), (status = 404, description = "no such selection", body = super::json::ErrorJson), (status = 422, description = "a dynamic selection", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn remove_members(
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    change_members(req, id, body, state, false).await
}

/// `GET /api/v1/selections/{id}/board?limit=`: the members grouped by lead status, a
/// column per status in the order open, in_progress, qualified, disqualified; each column
/// holds its first `limit` members (by id) and its total.
#[utoipa::path(get, path = "/api/v1/selections/{id}/board", tag = "selections",
    params(("id" = i64, Path, description = "selection id"), ("limit" = Option<usize>, Query, minimum = 1, maximum = 1000, description = "members per column, 1 to 1000 (default 50)")),
    responses((status = 200, description = "the columns", body = doc::Board), (status = 404, description = "no such selection", body = super::json::ErrorJson), (status = 422, description = "a selection of companies", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn board(
    req: HttpRequest,
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let selection = find_selection(&state, id.into_inner()).await?;
    if selection.entity != Entity::Person {
        return Err(ApiError::invalid(
            "entity",
            "the board groups persons by lead status; this selection holds companies",
        ));
    }
    let (listing, pairs) = listing(&req, query_pairs(&req)?)?;
    let mut base = member_criteria(&selection)?;
    if !pairs.is_empty() {
        base = base.and(criteria_from_pairs(&pairs, Entity::Person)?);
    }
    let limit = listing.limit.unwrap_or(DEFAULT_LIMIT);
    let mut columns = Vec::with_capacity(LEAD_STATUSES.len());
    for status in LEAD_STATUSES {
        let column = base
            .clone()
            .and(Criteria::from_query([("status", status)], Entity::Person)?);
        let total = state
            .store
            .count_matches(Entity::Person, column.clone())
            .await?;
        let page = state
            .store
            .search_persons(SearchRequest {
                criteria: column,
                after: None,
                limit,
                newest_first: false,
            })
            .await?;
        let items: Vec<PersonJson> = page.items.into_iter().map(PersonJson::from).collect();
        columns.push(json!({ "status": status, "total": total, "items": items }));
    }
    Ok(HttpResponse::Ok().json(json!({
        "selection": SelectionJson::from(selection),
        "columns": columns,
    })))
}

/// The search and selections part of the OpenAPI document (see [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_persons,
        search_persons,
        list_companies,
        search_companies,
        search_fields,
        create_selection,
        list_selections,
        get_selection,
        update_selection,
        delete_selection,
        members,
        add_members,
        remove_members,
        board
    ),
    components(schemas(doc::ListOrder)),
    tags(
        (name = "search", description = "Persons and companies by attribution criteria"),
        (name = "selections", description = "Saved static and dynamic selections, and the board"),
    )
)]
pub(crate) struct SearchApi;
