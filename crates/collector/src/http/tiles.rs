//! API routes of dashboard tiles and dashboards (issue 4), inside the token-protected
//! `/api/v1` scope:
//! - `GET /tiles` — the catalogue; `GET /tiles/filters` — owners and countries to filter by;
//!   `GET /tiles/model` — the size of the tiles' in-memory model;
//! - `GET /tiles/{tile}?from=&to=&owner=&country=` (+ `campaign`, `selection`) — one tile;
//!   dates are `YYYY-MM-DD`, inclusive, in the configured time zone; default year to date;
//! - `GET /tiles/{tile}/persons?key=…` (+ the same filters, `limit`) — the persons behind
//!   one row (the row's `key`), newest first;
//! - `GET/POST /dashboards`, `GET/PUT/DELETE /dashboards/{id}` — named lists of tiles with
//!   default filters; the presets `marketing`, `lead-nurturing`, `sales` are built in,
//!   readable and not changeable.
use actix_web::{web, HttpResponse};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::api::{rfc3339, PersonJson};
use super::error::ApiError;
use super::AppState;
use crate::store::tiles::{
    tile_info, DashboardFilters, DashboardInput, DashboardTile, StoredDashboard, TileFilter,
    TileInfo, TILES,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tiles", web::get().to(list_tiles))
        .route("/tiles/filters", web::get().to(filter_values))
        .route("/tiles/model", web::get().to(model_stats))
        .route("/tiles/{tile}", web::get().to(one_tile))
        .route("/tiles/{tile}/persons", web::get().to(tile_persons))
        .service(
            web::resource("/dashboards")
                .route(web::get().to(list_dashboards))
                .route(web::post().to(create_dashboard))
                .default_service(web::to(|| async {
                    Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow: "GET, POST" })
                })),
        )
        .service(
            web::resource("/dashboards/{id}")
                .route(web::get().to(get_dashboard))
                .route(web::put().to(replace_dashboard))
                .route(web::delete().to(delete_dashboard))
                .default_service(web::to(|| async {
                    Err::<HttpResponse, _>(ApiError::MethodNotAllowed {
                        allow: "GET, PUT, DELETE",
                    })
                })),
        );
}

/// The period and filters as given in the query string; parsed by hand for messages that
/// name the parameter.
#[derive(Debug, Default, Deserialize)]
pub struct TileQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub owner: Option<String>,
    pub country: Option<String>,
    pub campaign: Option<String>,
    pub selection: Option<String>,
    pub key: Option<String>,
    pub limit: Option<String>,
}

/// A period of whole days in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

fn parse_date(name: &'static str, text: &str) -> Result<Date, ApiError> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| ApiError::invalid(name, format!("must be a date YYYY-MM-DD, not {text:?}")))
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Period {
    /// `from`/`to` as given, defaulting to year to date in `zone` at `now`.
    pub fn resolve(
        from: Option<&str>,
        to: Option<&str>,
        zone: &TimeZone,
        now: jiff::Timestamp,
    ) -> Result<Period, ApiError> {
        let today = now.to_zoned(zone.clone()).date();
        let to = match to {
            Some(text) => parse_date("to", text)?,
            None => today,
        };
        let from = match from {
            Some(text) => parse_date("from", text)?,
            None => Date::new(to.year(), 1, 1).map_err(|e| ApiError::Internal(e.to_string()))?,
        };
        if from > to {
            return Err(ApiError::invalid("from", "must not be after to"));
        }
        Ok(Period { from, to })
    }

    /// `[start of from, start of the day after to)` as Unix milliseconds.
    pub fn bounds_ms(&self, zone: &TimeZone) -> Result<(i64, i64), ApiError> {
        let start = |d: Date| -> Result<i64, ApiError> {
            d.to_zoned(zone.clone())
                .map(|z| z.timestamp().as_millisecond())
                .map_err(|e| ApiError::invalid("from", format!("is out of range: {e}")))
        };
        let after = self
            .to
            .tomorrow()
            .map_err(|e| ApiError::invalid("to", format!("is out of range: {e}")))?;
        Ok((start(self.from)?, start(after)?))
    }
}

/// The filter a tile request asks for.
fn tile_filter(query: &TileQuery, zone: &TimeZone) -> Result<(Period, TileFilter), ApiError> {
    let period = Period::resolve(
        non_empty(&query.from),
        non_empty(&query.to),
        zone,
        jiff::Timestamp::now(),
    )?;
    let (from_ms, to_ms) = period.bounds_ms(zone)?;
    let owner = non_empty(&query.owner)
        .map(|o| {
            o.parse::<i64>()
                .map_err(|_| ApiError::invalid("owner", "must be an owner (associate) id"))
        })
        .transpose()?;
    let selection = non_empty(&query.selection)
        .map(|o| {
            o.parse::<i64>()
                .map_err(|_| ApiError::invalid("selection", "must be a selection id"))
        })
        .transpose()?;
    Ok((
        period,
        TileFilter {
            from_ms,
            to_ms,
            owner,
            country: non_empty(&query.country).map(str::to_owned),
            campaign: non_empty(&query.campaign).map(str::to_owned),
            selection,
        },
    ))
}

fn known_tile(id: &str) -> Result<&'static TileInfo, ApiError> {
    tile_info(id).ok_or_else(|| {
        ApiError::NotFound(format!(
            "there is no tile {id:?}; GET /api/v1/tiles lists them"
        ))
    })
}

async fn list_tiles() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "items": TILES }))
}

async fn filter_values(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.store.tile_filter_values().await?))
}

async fn model_stats(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.store.tile_model_stats().await?))
}

async fn one_tile(
    tile: web::Path<String>,
    query: web::Query<TileQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let info = known_tile(&tile)?;
    let (period, filter) = tile_filter(&query, &state.time_zone)?;
    let rows = state
        .store
        .tile_rows(info.id, filter)
        .await?
        .map_err(ApiError::BadRequest)?;
    Ok(HttpResponse::Ok().json(json!({
        "tile": info.id,
        "title": info.title,
        "kind": info.kind,
        "period": {"from": period.from.to_string(), "to": period.to.to_string()},
        "rows": rows,
    })))
}

/// Most persons one drill-down lists.
const MAX_DRILL_LIMIT: usize = 500;

async fn tile_persons(
    tile: web::Path<String>,
    query: web::Query<TileQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let info = known_tile(&tile)?;
    let (_, filter) = tile_filter(&query, &state.time_zone)?;
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
    let persons = state
        .store
        .tile_persons(info.id, filter, query.key.clone(), limit)
        .await?
        .map_err(ApiError::BadRequest)?;
    let items: Vec<PersonJson> = persons.into_iter().map(PersonJson::from).collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// A dashboard as the API shows it; presets have a name for an id and no times.
#[derive(Debug, Serialize)]
struct DashboardJson {
    id: String,
    name: String,
    preset: bool,
    tiles: Vec<DashboardTile>,
    filters: DashboardFilters,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
        })
        .collect()
}

/// The built-in dashboards of the seed: marketing, lead nurturing, sales.
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
                "new-leads-by-campaign",
                "campaign-channel-split",
                "top-referring-sites",
                "source-performance",
                "conversion-rate-by-source",
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
        .map_err(|_| ApiError::NotFound(format!("there is no dashboard {id:?}")))
}

const MAX_NAME_CHARS: usize = 200;
const MAX_TILES: usize = 50;

/// Reads and checks a dashboard body: JSON, a name, known tiles with their parameters,
/// valid default filters.
fn dashboard_input(body: &[u8]) -> Result<DashboardInput, ApiError> {
    let mut input: DashboardInput = serde_json::from_slice(body)
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
    Ok(input)
}

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

async fn get_dashboard(
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(preset) = presets().into_iter().find(|p| p.id == *id) {
        return Ok(HttpResponse::Ok().json(preset));
    }
    let found = state.store.dashboard(stored_id(&id)?).await?;
    let dashboard =
        found.ok_or_else(|| ApiError::NotFound(format!("there is no dashboard {:?}", *id)))?;
    Ok(HttpResponse::Ok().json(DashboardJson::from(dashboard)))
}

async fn create_dashboard(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let input = dashboard_input(&body)?;
    let created = state.store.create_dashboard(input).await?;
    let json = DashboardJson::from(created);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/dashboards/{}", json.id)))
        .json(json))
}

fn preset_is_read_only() -> ApiError {
    ApiError::MethodNotAllowed { allow: "GET" }
}

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
    let replaced = state.store.replace_dashboard(number, input).await?;
    let dashboard =
        replaced.ok_or_else(|| ApiError::NotFound(format!("there is no dashboard {:?}", *id)))?;
    Ok(HttpResponse::Ok().json(DashboardJson::from(dashboard)))
}

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
        Err(ApiError::NotFound(format!(
            "there is no dashboard {:?}",
            *id
        )))
    }
}

/// The presets' content, for the page and tests.
pub fn preset_json() -> Value {
    json!(presets())
}
