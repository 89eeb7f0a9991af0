//! Campaign costs and their return:
//! - `POST /api/v1/costs` — cost rows as JSON, written in one transaction (a key given
//!   again replaces its amount); one bad row refuses the whole body, naming the row;
//! - `GET /api/v1/costs?from=&to=&by=` — cost per group and currency over whole days;
//! - `GET /api/v1/costs/return?from=&to=&by=` — cost, leads, won deals, revenue, cost per
//!   lead, cost per deal and return on spend per group and currency
//!   ([`crate::store::costs`] defines them).
//!
//! Cost and return is a route of its own rather than a tile: the tiles' model holds
//! neither costs nor sales' credits per group, and a tile's `by` is checked against the
//! trend tiles' values.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::access::Access;
use super::error::ApiError;
use super::json::ErrorJson;
use super::quality::period_of;
use super::routes::Router;
use super::tiles::period::PeriodJson;
use super::AppState;
use crate::store::costs::{exponent_of, minor_to_decimal, Amount, CostBy, CostRow, CostWrite};

/// Most rows one request may write.
pub(crate) const MAX_COST_ROWS: usize = 10_000;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.post("/costs", write_costs)
        .allow(Access::Work)
        .get("/costs", cost_totals)
        .allow(Access::Read)
        .get("/costs/return", cost_return)
        .allow(Access::Read);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(write_costs, cost_totals, cost_return),
    components(schemas(CostInput, CostWrite, CostTotalsJson, CostTotalJson, CostReturnJson,
                        CostReturnRowJson, PeriodJson, CostBy)),
    tags((name = "costs", description = "What campaigns cost, and what they returned"))
)]
pub(crate) struct CostsApi;

/// One cost row as the API takes it: the amount as decimal text (`amount`) or as integer
/// minor units (`amount_minor`), exactly one of them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct CostInput {
    /// The day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    date: String,
    #[schema(min_length = 1)]
    source: String,
    #[schema(min_length = 1)]
    medium: String,
    #[schema(min_length = 1)]
    campaign: String,
    /// Decimal text in the currency's unit (`"1234.50"`), at most its decimals; not a
    /// JSON number (money is never a float).
    #[schema(pattern = "^[0-9]+(\\.[0-9]+)?$")]
    amount: Option<String>,
    /// Integer minor units (cents).
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    amount_minor: Option<i64>,
    /// ISO 4217 code (`EUR`).
    #[schema(min_length = 3, max_length = 3)]
    currency: String,
}

const FIELDS: [&str; 7] = [
    "date",
    "source",
    "medium",
    "campaign",
    "amount",
    "amount_minor",
    "currency",
];

/// One element of the body as a validated row; the message names the element.
fn cost_row(at: usize, value: &Value) -> Result<CostRow, String> {
    let Value::Object(map) = value else {
        return Err(format!("rows[{at}]: must be an object"));
    };
    if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "rows[{at}]: unknown field {unknown:?}; the fields are {}",
            FIELDS.join(", ")
        ));
    }
    let text = |map: &Map<String, Value>, field: &str| -> Result<String, String> {
        match map.get(field) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Err(format!("rows[{at}]: {field} is required")),
            Some(_) => Err(format!("rows[{at}]: {field} must be a string")),
        }
    };
    let amount_text = match map.get("amount") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(format!(
                "rows[{at}]: amount must be decimal text (\"1234.50\"), not a number; or give \
                 integer amount_minor"
            ))
        }
    };
    let amount_minor = match map.get("amount_minor") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_i64() => n.as_i64(),
        Some(_) => return Err(format!("rows[{at}]: amount_minor must be an integer")),
    };
    let amount = match (amount_text, amount_minor) {
        (Some(text), None) => Amount::Decimal(text),
        (None, Some(minor)) => Amount::Minor(minor),
        (None, None) => return Err(format!("rows[{at}]: give amount or amount_minor")),
        (Some(_), Some(_)) => {
            return Err(format!("rows[{at}]: give amount or amount_minor, not both"))
        }
    };
    CostRow::parse(
        &text(map, "date")?,
        &text(map, "source")?,
        &text(map, "medium")?,
        &text(map, "campaign")?,
        amount,
        &text(map, "currency")?,
    )
    .map_err(|message| format!("rows[{at}]: {message}"))
}

/// `POST /api/v1/costs`
#[utoipa::path(post, path = "/api/v1/costs", tag = "costs",
    request_body(content = Vec<CostInput>, description = "cost rows: a JSON array (or `{\"rows\": [...]}`), at most 10000"),
    responses((status = 200, description = "written: how many keys were new and how many replaced", body = CostWrite),
              (status = 400, description = "the body is not JSON", body = ErrorJson),
              (status = 422, description = "a row is refused (named `rows[i]`); nothing was written", body = ErrorJson)),
    security(("bearer" = [])))]
async fn write_costs(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) if map.len() == 1 && map.contains_key("rows") => {
            match map.remove("rows") {
                Some(Value::Array(items)) => items,
                _ => return Err(ApiError::invalid("rows", "must be an array of cost rows")),
            }
        }
        _ => {
            return Err(ApiError::invalid(
                "body",
                "must be an array of cost rows (or {\"rows\": [...]})",
            ))
        }
    };
    if items.len() > MAX_COST_ROWS {
        return Err(ApiError::invalid(
            "rows",
            format!("at most {MAX_COST_ROWS} rows per request; split the file"),
        ));
    }
    let rows = items
        .iter()
        .enumerate()
        .map(|(at, item)| cost_row(at, item))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| ApiError::invalid("rows", message))?;
    let written = state.store.replace_costs(rows).await?;
    Ok(HttpResponse::Ok().json(written))
}

/// The query of both reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CostQuery {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

fn by_of(query: &CostQuery) -> Result<CostBy, ApiError> {
    match query.by.as_deref() {
        None => Ok(CostBy::Source),
        Some(text) => CostBy::parse(text)
            .ok_or_else(|| ApiError::invalid("by", "must be source, campaign or channel")),
    }
}

/// A group's label: a channel's name, else the key itself.
fn label_of(by: CostBy, key: &str) -> String {
    match by {
        CostBy::Channel => leadtrail_core::Channel::from_id(key)
            .map_or_else(|| key.to_owned(), |c| c.name().to_owned()),
        _ => key.to_owned(),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CostTotalsJson {
    period: PeriodJson,
    by: CostBy,
    rows: Vec<CostTotalJson>,
}

/// One group's cost in one currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CostTotalJson {
    key: String,
    label: String,
    currency: String,
    /// Decimal text in the currency's unit.
    amount: String,
    amount_minor: i64,
    /// Campaign days summed.
    rows: u64,
}

/// `GET /api/v1/costs`
#[utoipa::path(get, path = "/api/v1/costs", tag = "costs",
    params(
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "first day (YYYY-MM-DD); default: 1 January of `to`'s year"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "last day, inclusive (YYYY-MM-DD); default: today; not before `from`"),
        ("by" = Option<CostBy>, Query, description = "group by `source` (default), `campaign` or `channel`")),
    responses((status = 200, description = "cost per group and currency, most first within a currency", body = CostTotalsJson),
              (status = 400, description = "the query string cannot be read", body = ErrorJson),
              (status = 422, description = "a parameter is refused (named)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn cost_totals(
    query: web::Query<CostQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let by = by_of(&query)?;
    let (period, _, _) = period_of(query.from.as_deref(), query.to.as_deref(), &state)?;
    let totals = state.store.cost_totals(period.from, period.to, by).await?;
    let rows = totals
        .into_iter()
        .map(|t| CostTotalJson {
            label: label_of(by, &t.key),
            amount: minor_to_decimal(t.amount_minor, exponent_of(&t.currency)),
            key: t.key,
            currency: t.currency,
            amount_minor: t.amount_minor,
            rows: t.rows,
        })
        .collect();
    Ok(HttpResponse::Ok().json(CostTotalsJson {
        period: PeriodJson::from(period),
        by,
        rows,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CostReturnJson {
    period: PeriodJson,
    by: CostBy,
    /// The attribution model that credited leads and deals.
    model: String,
    rows: Vec<CostReturnRowJson>,
}

/// One group in one currency. Money is decimal text with its integer minor units beside
/// it; a ratio that would divide by zero (or has no cost) is null.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CostReturnRowJson {
    key: String,
    label: String,
    /// Null for a group with neither cost nor revenue in the period.
    currency: Option<String>,
    cost: Option<String>,
    cost_minor: Option<i64>,
    /// Credited leads created in the period (the same on each of a group's rows).
    leads: f64,
    /// Credited won deals of those leads, in any currency.
    deals: f64,
    /// Credited won revenue of those leads in this currency.
    revenue: Option<String>,
    revenue_minor: Option<i64>,
    /// Cost / leads, rounded to the minor unit.
    cost_per_lead: Option<String>,
    /// Cost / deals, rounded to the minor unit.
    cost_per_deal: Option<String>,
    /// Revenue / cost (same currency), two decimals.
    return_on_spend: Option<f64>,
}

/// `cost / count` in minor units, rounded half up, as decimal text.
fn per(cost: Option<i64>, count: f64, exponent: u32) -> Option<String> {
    let cost = cost?;
    if count <= 0.0 {
        return None;
    }
    // Integer division where the count is whole (today's model), so money stays exact.
    let minor = if count.fract() == 0.0 {
        let n = count as i64;
        (cost + n / 2) / n
    } else {
        (cost as f64 / count).round() as i64
    };
    Some(minor_to_decimal(minor, exponent))
}

/// `GET /api/v1/costs/return`
#[utoipa::path(get, path = "/api/v1/costs/return", tag = "costs",
    params(
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "first day (YYYY-MM-DD, in the configured time zone); default: 1 January of `to`'s year"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "last day, inclusive (YYYY-MM-DD); default: today; not before `from`"),
        ("by" = Option<CostBy>, Query, description = "group by `source` (default), `campaign` or `channel`")),
    responses((status = 200, description = "cost and return per group and currency, most leads first", body = CostReturnJson),
              (status = 400, description = "the query string cannot be read", body = ErrorJson),
              (status = 422, description = "a parameter is refused (named)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn cost_return(
    query: web::Query<CostQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let by = by_of(&query)?;
    let (period, from_ms, to_ms) = period_of(query.from.as_deref(), query.to.as_deref(), &state)?;
    let rows = state
        .store
        .cost_return((period.from, period.to), from_ms, to_ms, by)
        .await?;
    let rows = rows
        .into_iter()
        .map(|row| {
            let exponent = row.currency.as_deref().map_or(2, exponent_of);
            let money = |minor: Option<i64>| minor.map(|m| minor_to_decimal(m, exponent));
            let return_on_spend = match (row.revenue_minor, row.cost_minor) {
                (Some(revenue), Some(cost)) if cost > 0 => {
                    Some((revenue as f64 / cost as f64 * 100.0).round() / 100.0)
                }
                _ => None,
            };
            CostReturnRowJson {
                label: label_of(by, &row.key),
                cost: money(row.cost_minor),
                revenue: money(row.revenue_minor),
                cost_per_lead: per(row.cost_minor, row.leads, exponent),
                cost_per_deal: per(row.cost_minor, row.deals, exponent),
                return_on_spend,
                key: row.key,
                currency: row.currency,
                cost_minor: row.cost_minor,
                leads: row.leads,
                deals: row.deals,
                revenue_minor: row.revenue_minor,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(CostReturnJson {
        period: PeriodJson::from(period),
        by,
        model: "lead_generation".to_owned(),
        rows,
    }))
}
