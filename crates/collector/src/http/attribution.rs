//! `GET /api/v1/attribution?model=&by=&from=&to=&period=&owner=&country=`: the period's leads
//! credited to the groups of their journeys by one attribution model ([`crate::attribution`]),
//! with their won deals and won revenue credited as the lead is, beside what each group's
//! campaigns cost on the period's days: cost per lead, cost per won deal and return on
//! spend under the same model. The period, owner and country are read as the tiles read
//! them.
//!
//! Also the tiles' side of the models: the `attribution` tile (`?model=&by=`) and the
//! source-performance tile under a `?model=` other than its own last touch.
use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::Value;

use super::access::Access;
use super::error::ApiError;
use super::json::ErrorJson;
use super::routes::Router;
use super::tiles::period::{Period, PeriodJson, RelativePeriod};
use super::tiles::query::{tile_filter, TileQuery};
use super::AppState;
use crate::attribution::figures::{
    self, cost_figures, money, CostFigures, MoneyJson, ReturnOnSpendJson,
};
use crate::attribution::report::{
    report, round_credit, CampaignCost, LeadJourney, Report, Row, DECIMALS,
};
use crate::attribution::{group_credits, By, Model};
use crate::store::attribution::LeadFilter;
use crate::store::tiles::{tile_info, TileFilter, TileKind, ATTRIBUTION_TILE};

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/attribution", attribution).allow(Access::Read);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(attribution),
    components(schemas(
        AttributionJson,
        AttributionRowJson,
        TotalsJson,
        MoneyJson,
        CostFigures,
        ReturnOnSpendJson,
        Model,
        By
    ))
)]
pub(crate) struct AttributionApi;

/// How the figures are rounded, as every answer states it.
const ROUNDING: &str = "leads and deals are rounded to 4 decimals and revenue to whole \
minor units of its currency, each row on its own; totals are the exact sums (every lead \
and won deal once), so the rounded rows may differ from them by half a last place per row; cost per lead and \
per deal divide the exact cost by the unrounded credits, rounded to whole minor units; \
return on spend is revenue / cost in one currency, to 2 decimals";

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `?model=`: one of the models; `last_touch` when absent.
pub(crate) fn parse_model(text: Option<&str>) -> Result<Model, ApiError> {
    match text {
        None => Ok(Model::LastTouch),
        Some(text) => Model::parse(text).ok_or_else(|| {
            ApiError::invalid(
                "model",
                format!("must be one of {}, not {text:?}", Model::ids()),
            )
        }),
    }
}

/// `?by=`: source, medium, campaign or channel; `source` when absent.
pub(crate) fn parse_by(text: Option<&str>) -> Result<By, ApiError> {
    match text {
        None => Ok(By::Source),
        Some(text) => By::parse(text).ok_or_else(|| {
            ApiError::invalid(
                "by",
                format!("must be source, medium, campaign or channel, not {text:?}"),
            )
        }),
    }
}

/// One group's credited figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AttributionRowJson {
    /// The group's stored value (a channel's id); `""` for touches without one.
    key: String,
    /// The value as shown: a channel's name; `(none)` for none.
    label: String,
    /// Credited leads.
    leads: f64,
    /// Credited won deals: each of a lead's won deals credited as the lead is.
    deals: f64,
    /// Credited won revenue, one amount per currency (never added across currencies).
    revenue: Vec<MoneyJson>,
    #[serde(flatten)]
    costs: CostFigures,
}

fn row_json(row: &Row) -> AttributionRowJson {
    AttributionRowJson {
        key: row.key.clone(),
        label: row.label.clone(),
        leads: round_credit(row.leads),
        deals: round_credit(row.deals),
        revenue: money(&row.revenue),
        costs: cost_figures(&row.cost, row.returns()),
    }
}

/// Every lead and won deal of the period once, their revenue per currency, every cost of
/// the period and what it bought.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct TotalsJson {
    leads: f64,
    deals: f64,
    revenue: Vec<MoneyJson>,
    #[serde(flatten)]
    costs: CostFigures,
}

/// The period's credited leads, deals and revenue per group.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AttributionJson {
    model: Model,
    by: By,
    period: PeriodJson,
    /// `time_decay`'s half-life in days (the `attribution_half_life` setting).
    half_life_days: f64,
    /// Decimals of `leads` and `deals`.
    decimals: i32,
    /// How the figures are rounded.
    rounding: &'static str,
    /// Whether costs are counted: not when the leads are narrowed to an `owner` or a
    /// `country`, since a campaign's cost is not split among owners or countries.
    costs_counted: bool,
    /// Most credited leads first, then by label; groups with cost and no lead last.
    rows: Vec<AttributionRowJson>,
    totals: TotalsJson,
}

fn half_life_days(state: &AppState) -> f64 {
    state.attribution_half_life_ms as f64 / 86_400_000.0
}

fn lead_filter(filter: &TileFilter) -> LeadFilter {
    LeadFilter {
        from_ms: filter.from_ms,
        to_ms: filter.to_ms,
        owner: filter.owner,
        country: filter.country.clone(),
    }
}

/// The period's leads, and its campaigns' costs unless the leads are narrowed to an owner
/// or a country (whether costs are counted is the third).
async fn leads_and_costs(
    state: &AppState,
    period: &Period,
    filter: &TileFilter,
) -> Result<(Vec<LeadJourney>, Vec<CampaignCost>, bool), ApiError> {
    let leads = state.store.lead_journeys(lead_filter(filter)).await?;
    let counted = filter.owner.is_none() && filter.country.is_none();
    let costs = if counted {
        state.store.campaign_costs(period.from, period.to).await?
    } else {
        Vec::new()
    };
    Ok((leads, costs, counted))
}

/// `GET /api/v1/attribution`
#[utoipa::path(get, path = "/api/v1/attribution", tag = "dashboards",
    params(
        ("model" = Option<Model>, Query, description = "how each lead's credit is shared among the touches of its journey (see docs/api.md); default `last_touch`"),
        ("by" = Option<By>, Query, description = "group by the touches' `source`, `medium`, `campaign` or `channel`; default `source`"),
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
         description = "first day of lead creation (YYYY-MM-DD, in the configured time zone; empty is absent); default: 1 January of `to`'s year"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$",
         description = "last day, inclusive (YYYY-MM-DD); default: today; not before `from`"),
        ("period" = Option<RelativePeriod>, Query,
         description = "instead of `from` and `to`: days relative to today in the configured time zone (`last-30-days` is today and the 29 days before; `this-quarter` from its first day to today; `last-month` the whole month)"),
        ("owner" = Option<i64>, Query, description = "only leads of this owner (associate id)"),
        ("country" = Option<String>, Query, description = "only leads of this country")),
    responses((status = 200, description = "credited leads, won deals and won revenue per group, with its cost and return", body = AttributionJson),
              (status = 400, description = "the query string cannot be read (say, a parameter given twice)", body = ErrorJson),
              (status = 422, description = "a parameter is refused (named)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn attribution(
    query: web::Query<TileQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let model = parse_model(non_empty(&query.model))?;
    let by = parse_by(non_empty(&query.by))?;
    let (period, filter) = tile_filter(ATTRIBUTION_TILE, &query, &state.time_zone)?;
    let (leads, costs, costs_counted) = leads_and_costs(&state, &period, &filter).await?;
    let report = report(model, by, &leads, &costs, state.attribution_half_life_ms);
    let totals = TotalsJson {
        leads: report.leads,
        deals: report.deals,
        revenue: money(&report.revenue),
        costs: cost_figures(&report.cost, report.returns()),
    };
    Ok(HttpResponse::Ok().json(AttributionJson {
        model,
        by,
        period: period.into(),
        half_life_days: half_life_days(&state),
        decimals: DECIMALS,
        rounding: ROUNDING,
        costs_counted,
        rows: report.rows.iter().map(row_json).collect(),
        totals,
    }))
}

/// A tile drawn under an attribution model.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttributionTileJson {
    #[schema(value_type = String)]
    tile: &'static str,
    #[schema(value_type = String)]
    title: &'static str,
    kind: TileKind,
    period: PeriodJson,
    model: Model,
    /// The attribution tile's grouping (source-performance groups by source and medium).
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<By>,
    /// `time_decay`'s half-life in days.
    half_life_days: f64,
    /// As `GET /api/v1/attribution` rounds (`leads`, `deals` to 4 decimals).
    rounding: &'static str,
    /// Whether costs are counted (not with `owner` or `country`).
    costs_counted: bool,
    /// The attribution tile: `{label, key, value (= leads), leads, deals, revenue}`, top 10
    /// then "(other)" (key null); source performance: its usual columns, credited. Both
    /// add `cost`, `cost_per_lead`, `cost_per_deal` and `return_on_spend` as
    /// `GET /api/v1/attribution`'s rows have them.
    #[schema(value_type = Vec<Object>)]
    rows: Vec<Value>,
}

/// Which model and grouping a tile request asks for; `None` when the tile is drawn as
/// usual (not an attribution tile, or source performance without `?model=`). A bad
/// `model` is refused for every tile, as a bad `bucket` is.
fn tile_choice(tile: &str, query: &TileQuery) -> Result<Option<(Model, By)>, ApiError> {
    let given = non_empty(&query.model);
    let model = parse_model(given)?;
    match tile {
        ATTRIBUTION_TILE => Ok(Some((model, parse_by(non_empty(&query.by))?))),
        "source-performance" if given.is_some() => Ok(Some((model, By::SourceMedium))),
        _ => Ok(None),
    }
}

fn tile_rows(tile: &str, report: Report) -> Vec<Value> {
    if tile == ATTRIBUTION_TILE {
        figures::attribution_tile_rows(report)
    } else {
        figures::source_performance_rows(report)
    }
}

/// The tile under its model, or `None` when it is drawn as usual.
pub(crate) async fn tile(
    tile: &'static str,
    query: &TileQuery,
    state: &AppState,
) -> Result<Option<AttributionTileJson>, ApiError> {
    let Some((model, by)) = tile_choice(tile, query)? else {
        return Ok(None);
    };
    let info = tile_info(tile).ok_or_else(|| ApiError::Internal(format!("no tile {tile}")))?;
    let (period, filter) = tile_filter(tile, query, &state.time_zone)?;
    let (leads, costs, costs_counted) = leads_and_costs(state, &period, &filter).await?;
    let report = report(model, by, &leads, &costs, state.attribution_half_life_ms);
    Ok(Some(AttributionTileJson {
        tile: info.id,
        title: info.title,
        kind: info.kind,
        period: period.into(),
        model,
        by: (tile == ATTRIBUTION_TILE).then_some(by),
        half_life_days: half_life_days(state),
        rounding: ROUNDING,
        costs_counted,
        rows: tile_rows(tile, report),
    }))
}

/// The persons behind one row of a tile under its model: those whose journeys credit the
/// row's group, newest first; `None` when the tile is drawn as usual.
pub(crate) async fn tile_person_ids(
    tile: &'static str,
    query: &TileQuery,
    state: &AppState,
    limit: usize,
) -> Result<Option<Vec<i64>>, ApiError> {
    let Some((model, by)) = tile_choice(tile, query)? else {
        return Ok(None);
    };
    let Some(key) = query.key.as_deref() else {
        return Err(ApiError::invalid("key", "names the row (its key) to list"));
    };
    let (_, filter) = tile_filter(tile, query, &state.time_zone)?;
    let leads = state.store.lead_journeys(lead_filter(&filter)).await?;
    let ids = leads
        .iter()
        .rev()
        .filter(|lead| {
            group_credits(
                model,
                by,
                &lead.touches,
                lead.lead_at,
                state.attribution_half_life_ms,
            )
            .iter()
            .any(|(group, _)| group == key)
        })
        .map(|lead| lead.person_id)
        .take(limit)
        .collect();
    Ok(Some(ids))
}
