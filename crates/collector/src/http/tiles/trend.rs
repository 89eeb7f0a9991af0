//! The trend tiles' side of the tile routes: `bucket` and `by` read from the query (or a
//! dashboard tile), turned into the period's buckets, and the answer that names them.
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::Value;

use super::period::{non_empty, Period, PeriodJson};
use crate::http::error::ApiError;
use crate::store::tiles::trend::{defaults, is_trend, Bucket, By, Trend, TrendRow};
use crate::store::tiles::TileKind;

pub(crate) fn parse_bucket(text: &str) -> Result<Bucket, ApiError> {
    Bucket::parse(text.trim()).ok_or_else(|| {
        ApiError::invalid(
            "bucket",
            format!("must be day, week or month, not {text:?}"),
        )
    })
}

pub(crate) fn parse_by(text: &str) -> Result<By, ApiError> {
    By::parse(text.trim()).ok_or_else(|| {
        ApiError::invalid(
            "by",
            format!("must be lead_source, channel or all, not {text:?}"),
        )
    })
}

/// A trend tile's buckets over `period`, from the `bucket` and `by` given (empty is absent)
/// or the tile's defaults; `None` for other tiles, once the values given are checked.
pub(crate) fn trend_of(
    tile: &str,
    bucket: &Option<String>,
    by: &Option<String>,
    period: &Period,
    zone: &TimeZone,
) -> Result<Option<Trend>, ApiError> {
    let bucket = non_empty(bucket).map(parse_bucket).transpose()?;
    let by = non_empty(by).map(parse_by).transpose()?;
    if !is_trend(tile) {
        return Ok(None);
    }
    let (default_bucket, default_by) = defaults(tile);
    Trend::new(
        bucket.unwrap_or(default_bucket),
        by.unwrap_or(default_by),
        period.from,
        period.to,
        zone,
    )
    .map(Some)
    .map_err(|message| ApiError::invalid("bucket", message))
}

/// A trend tile's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrendTileJson {
    #[schema(value_type = String)]
    pub(crate) tile: &'static str,
    #[schema(value_type = String)]
    pub(crate) title: &'static str,
    /// Always `line`.
    pub(crate) kind: TileKind,
    pub(crate) period: PeriodJson,
    pub(crate) bucket: Bucket,
    pub(crate) by: By,
    /// The time zone that cuts the buckets (the `time_zone` setting).
    pub(crate) time_zone: String,
    /// Bucket by bucket, each with every series (largest first; at most 10, then "(other)").
    #[schema(value_type = Vec<TrendRow>)]
    pub(crate) rows: Vec<Value>,
}

impl TrendTileJson {
    pub(crate) fn time_zone_name(zone: &TimeZone) -> String {
        zone.iana_name().unwrap_or("UTC").to_owned()
    }
}
