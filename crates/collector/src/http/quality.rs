//! `GET /api/v1/quality?from=&to=`: the attribution quality report of a period (the store's
//! [`crate::store::quality`] defines its lines). The period is read as the tiles read it:
//! whole days in the configured time zone, year to date by default.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::access::Access;
use super::error::ApiError;
use super::json::ErrorJson;
use super::routes::Router;
use super::tiles::period::Period;
use super::tiles::query::TileQuery;
use super::AppState;
use crate::store::quality::QualityReport;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/quality", quality).allow(Access::Read);
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(quality), components(schemas(QualityJson)))]
pub(crate) struct QualityApi;

/// The report with the period it covers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct QualityJson {
    period: QualityPeriod,
    #[serde(flatten)]
    report: QualityReport,
}

/// The period the report covers, inclusive, as `YYYY-MM-DD`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct QualityPeriod {
    #[schema(format = Date)]
    from: String,
    #[schema(format = Date)]
    to: String,
}

fn blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The period of a request, as the tiles take it.
pub(crate) fn period_of(
    from: Option<&str>,
    to: Option<&str>,
    state: &AppState,
) -> Result<(Period, i64, i64), ApiError> {
    let period = Period::resolve(
        blank(from),
        blank(to),
        &state.time_zone,
        jiff::Timestamp::now(),
    )?;
    let (from_ms, to_ms) = period.bounds_ms(&state.time_zone)?;
    Ok((period, from_ms, to_ms))
}

/// `GET /api/v1/quality`: how much of the period's attribution is lost, and where.
#[utoipa::path(get, path = "/api/v1/quality", tag = "dashboards",
    params(
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "first day (YYYY-MM-DD, in the configured time zone; empty is absent); default: 1 January of `to`'s year"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "last day, inclusive (YYYY-MM-DD); default: today; not before `from`")),
    responses((status = 200, description = "the report", body = QualityJson),
              (status = 400, description = "the query string cannot be read (a parameter twice)",
               body = ErrorJson),
              (status = 422, description = "a parameter is refused (named)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn quality(
    query: web::Query<TileQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (period, from_ms, to_ms) = period_of(query.from.as_deref(), query.to.as_deref(), &state)?;
    let report = state.store.quality_report(from_ms, to_ms).await?;
    Ok(HttpResponse::Ok().json(QualityJson {
        period: QualityPeriod {
            from: period.from.to_string(),
            to: period.to.to_string(),
        },
        report,
    }))
}
