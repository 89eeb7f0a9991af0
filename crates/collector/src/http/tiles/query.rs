//! What a tile request asks for (its query string) and the store filter it makes: read
//! by the tiles, and by the attribution, quality, costs and export answers that count
//! over the same periods and filters.

use jiff::tz::TimeZone;
use serde::Deserialize;

use super::period::{self, non_empty, Period};
use super::trend;
use crate::http::error::ApiError;
use crate::store::tiles::{TileFilter, ATTRIBUTION_TILE};

/// The period and filters as given in the query string; parsed by hand for messages that
/// name the parameter.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TileQuery {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) campaign: Option<String>,
    pub(crate) selection: Option<String>,
    pub(crate) key: Option<String>,
    pub(crate) limit: Option<String>,
    pub(crate) bucket: Option<String>,
    pub(crate) by: Option<String>,
    /// The attribution model of the attribution and source-performance tiles.
    pub(crate) model: Option<String>,
    pub(crate) period: Option<String>,
}

/// The filter a request for `tile` asks for.
pub(crate) fn tile_filter(
    tile: &str,
    query: &TileQuery,
    zone: &TimeZone,
) -> Result<(Period, TileFilter), ApiError> {
    let now = jiff::Timestamp::now();
    let period = match non_empty(&query.period) {
        Some(name) => {
            if non_empty(&query.from).is_some() || non_empty(&query.to).is_some() {
                return Err(ApiError::invalid(
                    "period",
                    "give either a period or from and to, not both",
                ));
            }
            period::parse_relative("period", name)?.resolve(zone, now)?
        }
        None => Period::resolve(non_empty(&query.from), non_empty(&query.to), zone, now)?,
    };
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
    // Checked for every tile (a bad value is a mistake wherever it is sent), used by trends;
    // the attribution tile reads `by` as its own grouping.
    let trend_by = if tile == ATTRIBUTION_TILE {
        &None
    } else {
        &query.by
    };
    let trend = trend::trend_of(tile, &query.bucket, trend_by, &period, zone)?;
    Ok((
        period,
        TileFilter {
            from_ms,
            to_ms,
            owner,
            country: non_empty(&query.country).map(str::to_owned),
            campaign: non_empty(&query.campaign).map(str::to_owned),
            selection,
            trend,
        },
    ))
}
