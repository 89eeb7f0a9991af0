//! API routes of dashboard tiles and dashboards, inside the token-protected
//! `/api/v1` scope:
//! - `GET /tiles` — the catalogue; `GET /tiles/filters` — owners and countries to filter by;
//!   `GET /tiles/model` — the size of the tiles' in-memory model;
//! - `GET /tiles/{tile}?from=&to=&owner=&country=` (+ `campaign`, `selection`) — one tile;
//!   dates are `YYYY-MM-DD`, inclusive, in the configured time zone; default year to date;
//!   or `period=last-30-days` etc. instead of the dates ([`period`]);
//! - `GET /tiles/{tile}/persons?key=…` (+ the same filters, `limit`) — the persons behind
//!   one row (the row's `key`), newest first;
//! - trend tiles also take `bucket` and `by` ([`trend`]), in both;
//! - `GET/POST /dashboards`, `GET/PUT/DELETE /dashboards/{id}` — named lists of tiles with
//!   default filters; the presets `marketing`, `lead-nurturing`, `sales` are built in,
//!   readable and not changeable.
pub(crate) mod doc;
pub(crate) mod period;
pub(crate) mod query;
pub(crate) mod trend;

use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::json::ErrorJson;
use super::json::{Items, PersonJson};
use super::routes::Router;
use super::AppState;
use crate::http::access::Access;
use crate::store::tiles::trend::{is_trend, Bucket};
use crate::store::tiles::{
    tile_info, DashboardFilters, DashboardInput, DashboardTile, FilterValues, ModelStats,
    StoredDashboard, TileInfo, TileKind, ATTRIBUTION_TILE, TILES,
};
use crate::time::rfc3339;
use period::{non_empty, parse_date, PeriodJson, RelativePeriod};
use query::{tile_filter, TileQuery};
use trend::TrendTileJson;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/tiles", list_tiles)
        .allow(Access::Read)
        .get("/tiles/filters", filter_values)
        .allow(Access::Read)
        .get("/tiles/model", model_stats)
        .allow(Access::Read)
        .get("/tiles/{tile}", one_tile)
        .allow(Access::Read)
        .get("/tiles/{tile}/persons", tile_persons)
        .allow(Access::Read)
        .get("/dashboards", list_dashboards)
        .allow(Access::Read)
        .post("/dashboards", create_dashboard)
        .allow(Access::Work)
        .get("/dashboards/{id}", get_dashboard)
        .allow(Access::Read)
        .put("/dashboards/{id}", replace_dashboard)
        .allow(Access::Work)
        .delete("/dashboards/{id}", delete_dashboard)
        .allow(Access::Work);
}

fn known_tile(id: &str) -> Result<&'static TileInfo, ApiError> {
    tile_info(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "there is no tile {id:?}; GET /api/v1/tiles lists them"
        ))
    })
}

/// `GET /api/v1/tiles`
#[utoipa::path(get, path = "/api/v1/tiles", tag = "dashboards",
    responses((status = 200, description = "the tile catalogue", body = Items<TileInfo>)),
    security(("bearer" = [])))]
async fn list_tiles() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "items": TILES }))
}

/// `GET /api/v1/tiles/filters`
#[utoipa::path(get, path = "/api/v1/tiles/filters", tag = "dashboards",
    responses((status = 200, description = "the owners and countries the tiles can be filtered by",
               body = FilterValues)),
    security(("bearer" = [])))]
async fn filter_values(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.store.tile_filter_values().await?))
}

/// `GET /api/v1/tiles/model`
#[utoipa::path(get, path = "/api/v1/tiles/model", tag = "dashboards",
    responses((status = 200, description = "the size of the tiles' in-memory model",
               body = ModelStats)),
    security(("bearer" = [])))]
async fn model_stats(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.store.tile_model_stats().await?))
}

/// `GET /api/v1/tiles/{tile}`: one tile's rows.
#[utoipa::path(get, path = "/api/v1/tiles/{tile}", tag = "dashboards",
    params(("tile" = String, Path, description = "a tile id of `GET /api/v1/tiles`"),
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
         description = "first day (YYYY-MM-DD, in the configured time zone; empty is absent); default: 1 January of `to`'s year"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
         description = "last day, inclusive (YYYY-MM-DD); default: today; not before `from`"),
        ("period" = Option<RelativePeriod>, Query,
         description = "instead of `from` and `to`: days relative to today in the configured time zone (`last-30-days` is today and the 29 days before; `this-quarter` from its first day to today; `last-month` the whole month)"),
        ("owner" = Option<i64>, Query, description = "only leads of this owner (associate id)"),
        ("country" = Option<String>, Query, description = "only leads of this country"),
        ("campaign" = Option<String>, Query, description = "`campaign-channel-split`'s campaign"),
        ("selection" = Option<i64>, Query, description = "`selection-list`'s selection id"),
        ("bucket" = Option<Bucket>, Query, description = "trend tiles: `day`, `week` (from Monday) or `month` of the configured time zone; default `week` for `new-leads-trend`, `month` for `conversion-trend`"),
        ("by" = Option<String>, Query, pattern = "^(lead_source|channel|all|source|medium|campaign)?$",
         description = "trend tiles: one series per `lead_source` or `channel`, or `all` in one; default `lead_source` for `new-leads-trend`, `all` for `conversion-trend`. The `attribution` tile: group by `source`, `medium`, `campaign` or `channel`; default `source`"),
        ("model" = Option<crate::attribution::Model>, Query, description = "the `attribution` and `source-performance` tiles: the attribution model crediting leads and deals (see `GET /api/v1/attribution`); default `last_touch` (source performance without it: whole leads by their lead-generation touch)")),
    responses((status = 200, description = "the tile's rows", body = TileAnswer),
              (status = 400, description = "the query string cannot be read (say, a parameter given twice)", body = ErrorJson),
              (status = 404, description = "no such tile", body = ErrorJson),
              (status = 422, description = "a parameter is refused (named), or the tile cannot be answered so (say, `selection-list` without a selection)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn one_tile(
    tile: web::Path<String>,
    query: web::Query<TileQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let info = known_tile(&tile)?;
    if let Some(answer) = super::attribution::tile(info.id, &query, &state).await? {
        return Ok(HttpResponse::Ok().json(TileAnswer::Attribution(answer)));
    }
    let (period, filter) = tile_filter(info.id, &query, &state.time_zone)?;
    let trend = filter.trend.as_ref().map(|t| (t.bucket, t.by));
    let rows = state.store.tile_rows(info.id, filter).await??;
    let period = PeriodJson {
        from: period.from.to_string(),
        to: period.to.to_string(),
    };
    if let Some((bucket, by)) = trend {
        return Ok(HttpResponse::Ok().json(TileAnswer::Trend(TrendTileJson {
            tile: info.id,
            title: info.title,
            kind: info.kind,
            period,
            bucket,
            by,
            time_zone: TrendTileJson::time_zone_name(&state.time_zone),
            rows,
        })));
    }
    Ok(HttpResponse::Ok().json(TileAnswer::Rows(TileJson {
        tile: info.id,
        title: info.title,
        kind: info.kind,
        period,
        rows,
    })))
}

/// One tile's answer: a trend tile's, or any other's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub(crate) enum TileAnswer {
    Trend(TrendTileJson),
    Attribution(super::attribution::AttributionTileJson),
    Rows(TileJson),
}

/// One tile's answer (but a trend tile's).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TileJson {
    #[schema(value_type = String)]
    tile: &'static str,
    #[schema(value_type = String)]
    title: &'static str,
    kind: TileKind,
    period: PeriodJson,
    /// The tile's rows; their fields depend on the tile's kind (a `key` names the row for
    /// the drill-down).
    #[schema(value_type = Vec<Object>)]
    rows: Vec<Value>,
}

/// Most persons one drill-down lists.
const MAX_DRILL_LIMIT: usize = 500;

/// `GET /api/v1/tiles/{tile}/persons`: the persons behind one row, newest first.
#[utoipa::path(get, path = "/api/v1/tiles/{tile}/persons", tag = "dashboards",
    params(("tile" = String, Path, description = "a tile id of `GET /api/v1/tiles`"),
        ("key" = Option<String>, Query, description = "the row's `key` (none for number tiles)"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 500,
         description = "most persons to list; default 100"),
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
         description = "first day (YYYY-MM-DD, in the configured time zone; empty is absent); default: 1 January of `to`'s year"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
         description = "last day, inclusive (YYYY-MM-DD); default: today; not before `from`"),
        ("period" = Option<RelativePeriod>, Query,
         description = "instead of `from` and `to`: days relative to today in the configured time zone (`last-30-days` is today and the 29 days before; `this-quarter` from its first day to today; `last-month` the whole month)"),
        ("owner" = Option<i64>, Query, description = "only leads of this owner (associate id)"),
        ("country" = Option<String>, Query, description = "only leads of this country"),
        ("campaign" = Option<String>, Query, description = "`campaign-channel-split`'s campaign"),
        ("selection" = Option<i64>, Query, description = "`selection-list`'s selection id"),
        ("bucket" = Option<Bucket>, Query, description = "trend tiles: `day`, `week` (from Monday) or `month` of the configured time zone; default `week` for `new-leads-trend`, `month` for `conversion-trend`"),
        ("by" = Option<String>, Query, pattern = "^(lead_source|channel|all|source|medium|campaign)?$",
         description = "trend tiles: one series per `lead_source` or `channel`, or `all` in one; default `lead_source` for `new-leads-trend`, `all` for `conversion-trend`. The `attribution` tile: group by `source`, `medium`, `campaign` or `channel`; default `source`"),
        ("model" = Option<crate::attribution::Model>, Query, description = "the `attribution` and `source-performance` tiles: the attribution model crediting leads and deals (see `GET /api/v1/attribution`); default `last_touch` (source performance without it: whole leads by their lead-generation touch)")),
    responses((status = 200, description = "the persons, newest first", body = Items<PersonJson>),
              (status = 400, description = "the query string cannot be read (say, a parameter given twice)", body = ErrorJson),
              (status = 404, description = "no such tile", body = ErrorJson),
              (status = 422, description = "a parameter is refused (named), or the row cannot be listed so (a `key` that names no row)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn tile_persons(
    tile: web::Path<String>,
    query: web::Query<TileQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let info = known_tile(&tile)?;
    let (_, filter) = tile_filter(info.id, &query, &state.time_zone)?;
    let limit = match non_empty(&query.limit) {
        None => 100,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_DRILL_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid("limit", format!("must be between 1 and {MAX_DRILL_LIMIT}"))
            })?,
    };
    let persons = match super::attribution::tile_person_ids(info.id, &query, &state, limit).await? {
        Some(ids) => {
            let mut persons = Vec::with_capacity(ids.len());
            for id in ids {
                persons.extend(state.store.person(id).await?);
            }
            persons
        }
        None => {
            state
                .store
                .tile_persons(info.id, filter, query.key.clone(), limit)
                .await??
        }
    };
    let items: Vec<PersonJson> = persons.into_iter().map(PersonJson::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// A dashboard as the API shows it; presets have a name for an id and no times.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct DashboardJson {
    /// A number for a stored dashboard; `marketing`, `lead-nurturing`, `sales` for presets.
    id: String,
    name: String,
    /// Built in: readable, not changeable.
    preset: bool,
    tiles: Vec<DashboardTile>,
    filters: DashboardFilters,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    updated_at: Option<String>,
}

impl From<StoredDashboard> for DashboardJson {
    fn from(d: StoredDashboard) -> DashboardJson {
        DashboardJson {
            id: d.id.to_string(),
            name: d.name,
            preset: false,
            tiles: d.tiles,
            filters: d.filters,
            created_at: rfc3339(d.created_at),
            updated_at: rfc3339(d.updated_at),
        }
    }
}

fn tiles_of(ids: &[&str]) -> Vec<DashboardTile> {
    ids.iter()
        .map(|id| DashboardTile {
            tile: (*id).to_owned(),
            campaign: None,
            selection: None,
            bucket: None,
            by: None,
            model: None,
        })
        .collect()
}

/// The built-in dashboards: marketing, lead nurturing, sales.
fn presets() -> Vec<DashboardJson> {
    let preset = |id: &str, name: &str, tiles: &[&str]| DashboardJson {
        id: id.to_owned(),
        name: name.to_owned(),
        preset: true,
        tiles: tiles_of(tiles),
        filters: DashboardFilters::default(),
        created_at: None,
        updated_at: None,
    };
    vec![
        preset(
            "marketing",
            "Marketing",
            &[
                "new-leads-from-forms",
                "new-leads-from-chat",
                "new-leads-by-lead-source",
                "new-leads-by-first-source",
                "new-leads-by-channel",
                "new-leads-trend",
                "new-leads-by-campaign",
                "campaign-channel-split",
                "top-referring-sites",
                "source-performance",
                ATTRIBUTION_TILE,
                "conversion-rate-by-source",
                "conversion-trend",
                "attribution-quality",
            ],
        ),
        preset(
            "lead-nurturing",
            "Lead nurturing",
            &[
                "lead-funnel",
                "new-leads-from-forms",
                "new-leads-from-chat",
                "new-leads-by-lead-source",
                "top-forms",
                "new-leads-by-campaign",
            ],
        ),
        preset(
            "sales",
            "Sales",
            &[
                "lead-funnel",
                "sales-by-lead-source",
                "pipeline-by-lead-source",
                "source-performance",
                "conversion-rate-by-source",
            ],
        ),
    ]
}

fn is_preset(id: &str) -> bool {
    presets().iter().any(|p| p.id == id)
}

fn stored_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .map_err(|_| ApiError::not_found(format!("there is no dashboard {id:?}")))
}

const MAX_NAME_CHARS: usize = 200;
const MAX_TILES: usize = 50;

/// Reads and checks a dashboard body: JSON, a name, known tiles with their parameters,
/// valid default filters.
fn dashboard_input(body: &[u8]) -> Result<DashboardInput, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("body must be a dashboard as JSON: {e}")))?;
    // serde reads a struct from an array too (`[name, tiles]`): only objects are dashboards.
    let not_object = |v: Option<&Value>| v.is_some_and(|v| !v.is_object());
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "body must be a dashboard as a JSON object",
        ));
    }
    if not_object(value.get("filters")) {
        return Err(ApiError::invalid("filters", "must be an object"));
    }
    let tiles = value.get("tiles").and_then(Value::as_array);
    if tiles.is_some_and(|tiles| tiles.iter().any(|t| !t.is_object())) {
        return Err(ApiError::invalid("tiles", "each tile must be an object"));
    }
    let mut input: DashboardInput = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("body must be a dashboard as JSON: {e}")))?;
    input.name = input.name.trim().to_owned();
    if input.name.is_empty() || input.name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if input.tiles.is_empty() || input.tiles.len() > MAX_TILES {
        return Err(ApiError::invalid(
            "tiles",
            format!("must list 1 to {MAX_TILES} tiles"),
        ));
    }
    for tile in &input.tiles {
        if tile_info(&tile.tile).is_none() {
            return Err(ApiError::invalid(
                "tiles",
                format!("there is no tile {:?}", tile.tile),
            ));
        }
        if tile.tile == "selection-list" && tile.selection.is_none() {
            return Err(ApiError::invalid(
                "tiles",
                "selection-list needs a selection id",
            ));
        }
        let trend_param = |name: &str| {
            ApiError::invalid(
                "tiles",
                format!("{name} is for trend tiles, not {:?}", tile.tile),
            )
        };
        let attribution = tile.tile == ATTRIBUTION_TILE;
        if !is_trend(&tile.tile) {
            if tile.bucket.is_some() {
                return Err(trend_param("bucket"));
            }
            if tile.by.is_some() && !attribution {
                return Err(trend_param("by"));
            }
        }
        if tile.model.is_some() && !(attribution || tile.tile == "source-performance") {
            return Err(ApiError::invalid(
                "tiles",
                format!(
                    "model is for the attribution and source-performance tiles, not {:?}",
                    tile.tile
                ),
            ));
        }
        let in_tiles = |e: ApiError| ApiError::invalid("tiles", e.to_string());
        if let Some(bucket) = &tile.bucket {
            trend::parse_bucket(bucket).map_err(in_tiles)?;
        }
        if let Some(by) = &tile.by {
            if attribution {
                super::attribution::parse_by(Some(by.trim())).map_err(in_tiles)?;
            } else {
                trend::parse_by(by).map_err(in_tiles)?;
            }
        }
        if let Some(model) = &tile.model {
            super::attribution::parse_model(Some(model.trim())).map_err(in_tiles)?;
        }
    }
    let filters = &input.filters;
    let from = filters
        .from
        .as_deref()
        .map(|d| parse_date("from", d))
        .transpose()?;
    let to = filters
        .to
        .as_deref()
        .map(|d| parse_date("to", d))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(ApiError::invalid("from", "must not be after to"));
        }
    }
    if let Some(name) = &filters.period {
        if from.is_some() || to.is_some() {
            return Err(ApiError::invalid(
                "period",
                "give either a period or from and to, not both",
            ));
        }
        period::parse_relative("period", name)?;
    }
    Ok(input)
}

/// `GET /api/v1/dashboards`: the presets, then the stored dashboards.
#[utoipa::path(get, path = "/api/v1/dashboards", tag = "dashboards",
    responses((status = 200, description = "every dashboard", body = Items<DashboardJson>)),
    security(("bearer" = [])))]
async fn list_dashboards(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut items = presets();
    items.extend(
        state
            .store
            .dashboards()
            .await?
            .into_iter()
            .map(DashboardJson::from),
    );
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// `GET /api/v1/dashboards/{id}`
#[utoipa::path(get, path = "/api/v1/dashboards/{id}", tag = "dashboards",
    params(("id" = String, Path, description = "a stored dashboard's number, or a preset's name")),
    responses((status = 200, description = "the dashboard", body = DashboardJson),
              (status = 404, description = "no such dashboard", body = ErrorJson)),
    security(("bearer" = [])))]
async fn get_dashboard(
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(preset) = presets().into_iter().find(|p| p.id == *id) {
        return Ok(HttpResponse::Ok().json(preset));
    }
    let found = state.store.dashboard(stored_id(&id)?).await?;
    let dashboard =
        found.ok_or_else(|| ApiError::not_found(format!("there is no dashboard {:?}", *id)))?;
    Ok(HttpResponse::Ok().json(DashboardJson::from(dashboard)))
}

/// `POST /api/v1/dashboards`
#[utoipa::path(post, path = "/api/v1/dashboards", tag = "dashboards",
    request_body = DashboardInput,
    responses((status = 201, description = "created; `Location` names it", body = DashboardJson),
              (status = 400, description = "the body is not a dashboard as JSON", body = ErrorJson),
              (status = 422, description = "a field is refused (named)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn create_dashboard(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = dashboard_input(&body)?;
    check_list_selections(&input, &state).await?;
    let created = state.store.create_dashboard(input).await?;
    let json = DashboardJson::from(created);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/dashboards/{}", json.id)))
        .json(json))
}

/// A list tile's selection must be a saved selection of persons, so that a saved dashboard
/// draws every tile.
async fn check_list_selections(input: &DashboardInput, state: &AppState) -> Result<(), ApiError> {
    let ids = input
        .tiles
        .iter()
        .filter(|t| t.tile == "selection-list")
        .filter_map(|t| t.selection);
    for id in ids {
        match state.store.selection(id).await? {
            None => {
                return Err(ApiError::invalid(
                    "tiles",
                    format!("there is no selection {id}"),
                ))
            }
            Some(s) if s.entity != crate::store::search::Entity::Person => {
                return Err(ApiError::invalid(
                    "tiles",
                    format!("selection {id} lists companies, not persons"),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn preset_is_read_only() -> ApiError {
    ApiError::MethodNotAllowed { allow: "GET" }
}

/// `PUT /api/v1/dashboards/{id}`
#[utoipa::path(put, path = "/api/v1/dashboards/{id}", tag = "dashboards",
    params(("id" = String, Path, pattern = "^[0-9]{1,18}$",
             description = "a stored dashboard's number (presets cannot be changed)")),
    request_body = DashboardInput,
    responses((status = 200, description = "replaced", body = DashboardJson),
              (status = 400, description = "the body is not a dashboard as JSON", body = ErrorJson),
              (status = 404, description = "no such dashboard", body = ErrorJson),
              (status = 405, description = "a preset, which cannot be changed", body = ErrorJson),
              (status = 422, description = "a field is refused (named)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn replace_dashboard(
    id: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if is_preset(&id) {
        return Err(preset_is_read_only());
    }
    let number = stored_id(&id)?;
    let input = dashboard_input(&body)?;
    check_list_selections(&input, &state).await?;
    let replaced = state.store.replace_dashboard(number, input).await?;
    let dashboard =
        replaced.ok_or_else(|| ApiError::not_found(format!("there is no dashboard {:?}", *id)))?;
    Ok(HttpResponse::Ok().json(DashboardJson::from(dashboard)))
}

/// `DELETE /api/v1/dashboards/{id}`
#[utoipa::path(delete, path = "/api/v1/dashboards/{id}", tag = "dashboards",
    params(("id" = String, Path, pattern = "^[0-9]{1,18}$",
             description = "a stored dashboard's number (presets cannot be changed)")),
    responses((status = 204, description = "deleted"),
              (status = 404, description = "no such dashboard", body = ErrorJson),
              (status = 405, description = "a preset, which cannot be deleted", body = ErrorJson)),
    security(("bearer" = [])))]
async fn delete_dashboard(
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if is_preset(&id) {
        return Err(preset_is_read_only());
    }
    if state.store.delete_dashboard(stored_id(&id)?).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found(format!(
            "there is no dashboard {:?}",
            *id
        )))
    }
}
