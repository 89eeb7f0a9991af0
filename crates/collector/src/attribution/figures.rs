//! The credited figures as JSON: amounts per currency, what campaigns cost and what that
//! bought, and the rows of the tiles drawn under a model. `GET /api/v1/attribution` answers
//! with them, and so does a backend drawing the attribution tile with its defaults.

use serde::Serialize;
use serde_json::{json, Value};

use super::report::{round_credit, Report, Returns, Revenue, Row};

/// Digits after the decimal point of a currency's amounts (ISO 4217): most have 2.
pub(crate) fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// An amount in one currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MoneyJson {
    /// ISO 4217 code.
    pub(crate) currency: String,
    /// In the currency's unit (`1234.5`), rounded to its minor unit.
    amount: f64,
    /// In minor units (cents), rounded to a whole one.
    amount_minor: i64,
}

pub(crate) fn money(revenue: &[Revenue]) -> Vec<MoneyJson> {
    revenue
        .iter()
        .map(|r| {
            let minor = r.amount_minor.round() as i64;
            let digits = minor_digits(&r.currency);
            MoneyJson {
                currency: r.currency.clone(),
                amount: minor as f64 / 10f64.powi(digits as i32),
                amount_minor: minor,
            }
        })
        .collect()
}

/// Revenue / cost in one currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ReturnOnSpendJson {
    /// ISO 4217 code of both.
    currency: String,
    /// Revenue / cost, two decimals (`3.25`: each unit spent brought 3.25 back).
    ratio: f64,
}

/// Cost and what it bought, as rows and totals carry them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CostFigures {
    /// What the group's campaigns cost on the period's days, one amount per currency
    /// (never added across currencies); empty without costs (or with `owner` or `country`).
    cost: Vec<MoneyJson>,
    /// Cost / credited leads, per currency of the cost; empty without leads.
    cost_per_lead: Vec<MoneyJson>,
    /// Cost / credited won deals, per currency of the cost; empty without deals.
    cost_per_deal: Vec<MoneyJson>,
    /// Revenue / cost, per currency with a cost above zero whose revenue can be told:
    /// revenue in that currency, or none at all (`0`); absent for a currency whose cost is
    /// set only against revenue in others.
    return_on_spend: Vec<ReturnOnSpendJson>,
}

pub(crate) fn cost_figures(cost: &[Revenue], returns: Returns) -> CostFigures {
    CostFigures {
        cost: money(cost),
        cost_per_lead: money(&returns.cost_per_lead),
        cost_per_deal: money(&returns.cost_per_deal),
        return_on_spend: returns
            .return_on_spend
            .into_iter()
            .map(|r| ReturnOnSpendJson {
                currency: r.currency,
                ratio: r.ratio,
            })
            .collect(),
    }
}

/// Rows the attribution tile draws before the rest is summed into "(other)".
const TILE_ROWS: usize = 10;

/// A tile's row with the row's cost figures added.
fn with_costs(mut value: Value, row: &Row) -> Value {
    if let (Value::Object(map), Ok(Value::Object(costs))) = (
        &mut value,
        serde_json::to_value(cost_figures(&row.cost, row.returns())),
    ) {
        map.extend(costs);
    }
    value
}

/// The attribution tile's rows: `{label, key, value (= leads), leads, deals, revenue}` and
/// the cost figures, the top rows then "(other)" (key null).
pub(crate) fn attribution_tile_rows(report: Report) -> Vec<Value> {
    let (kept, other) = Row::fold_rest(report.rows, TILE_ROWS);
    let as_json = |row: &Row, key: Value| {
        with_costs(
            json!({
                "label": row.label,
                "key": key,
                "value": round_credit(row.leads),
                "leads": round_credit(row.leads),
                "deals": round_credit(row.deals),
                "revenue": money(&row.revenue),
            }),
            row,
        )
    };
    let mut rows: Vec<Value> = kept
        .iter()
        .map(|row| as_json(row, Value::String(row.key.clone())))
        .collect();
    if let Some(other) = other {
        rows.push(as_json(&other, Value::Null));
    }
    rows
}

/// The source-performance tile's usual columns, credited under a model, with the cost
/// figures.
pub(crate) fn source_performance_rows(report: Report) -> Vec<Value> {
    report
        .rows
        .iter()
        .map(|row| {
            let [source, medium]: [String; 2] = serde_json::from_str(&row.key).unwrap_or_default();
            let label = |v: String| if v.is_empty() { "(none)".to_owned() } else { v };
            let leads = round_credit(row.leads);
            let rate = if row.leads > 0.0 {
                (row.deals * 1000.0 / row.leads).round() / 10.0
            } else {
                0.0
            };
            with_costs(
                json!({
                    "label": row.label,
                    "key": row.key,
                    "value": leads,
                    "source": label(source),
                    "medium": label(medium),
                    "leads": leads,
                    "deals": round_credit(row.deals),
                    "conversion_rate": rate,
                }),
                row,
            )
        })
        .collect()
}
