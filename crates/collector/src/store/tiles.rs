//! Dashboard tiles and dashboards: the tile catalogue, the filters every tile
//! takes, and the storage side of dashboards.
//!
//! Definitions (also in docs/dashboards.md):
//! - a *new lead* is a person created in the period;
//! - *from chat* / *from forms*: the channel of the submission that created the person;
//! - *by channel*: the marketing channel of the lead-generation touch, as the channel rules
//!   classified it when it was stored or by the last `leadtrail reclassify`; "(none)" for
//!   a touch never classified (stored before channels existed, or empty);
//! - a *deal* is a won sale; *pipeline* is the sum of open sales' amounts, per currency;
//! - sales tiles take the sales that happened (`sales.at`) in the period; source
//!   performance and conversion rates take the leads created in the period and count
//!   their won sales whenever they happened (a cohort), so that rate = deals / leads;
//! - trend tiles ([`trend`]) give these figures per day, week or month of the period;
//! - the funnel counts persons created in the period by the furthest status they reached
//!   (status history and current status): each stage counts those that got at least that
//!   far; disqualified (ever) is counted on its own.
pub(crate) mod trend;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Person, StoreResult};
use crate::refusal::Refused;

/// How a tile is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TileKind {
    Funnel,
    Donut,
    Bar,
    Number,
    Table,
    List,
    /// A figure per bucket of the period, in series ([`trend`]).
    Line,
}

/// A tile of the catalogue.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub(crate) struct TileInfo {
    #[schema(value_type = String)]
    pub(crate) id: &'static str,
    #[schema(value_type = String)]
    pub(crate) title: &'static str,
    pub(crate) kind: TileKind,
    #[schema(value_type = String)]
    pub(crate) description: &'static str,
    /// Query parameters the tile takes besides the common filters.
    #[schema(value_type = Vec<String>)]
    pub(crate) params: &'static [&'static str],
    /// The values of those parameters that take one of a few, for a page's pickers.
    pub(crate) choices: &'static [ParamChoice],
}

/// The values a tile parameter takes and the one it takes when absent.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub(crate) struct ParamChoice {
    #[schema(value_type = String)]
    pub(crate) param: &'static str,
    #[schema(value_type = Vec<String>)]
    pub(crate) values: &'static [&'static str],
    /// `null`: the tile is drawn without it.
    #[schema(value_type = Option<String>)]
    pub(crate) default: Option<&'static str>,
}

const MODELS: &[&str] = &[
    "first_interaction",
    "last_touch",
    "last_non_direct",
    "linear",
    "position_based",
    "time_decay",
];
const BUCKETS: &[&str] = &["day", "week", "month"];
const TREND_BY: &[&str] = &["lead_source", "channel", "all"];

const fn choice(
    param: &'static str,
    values: &'static [&'static str],
    default: Option<&'static str>,
) -> ParamChoice {
    ParamChoice {
        param,
        values,
        default,
    }
}

const fn tile(
    id: &'static str,
    title: &'static str,
    kind: TileKind,
    description: &'static str,
) -> TileInfo {
    TileInfo {
        id,
        title,
        kind,
        description,
        params: &[],
        choices: &[],
    }
}

/// Every tile, in the order the API lists them.
pub(crate) const TILES: &[TileInfo] = &[
    tile(
        "lead-funnel",
        "Lead qualification funnel",
        TileKind::Funnel,
        "New leads by the furthest status they reached: open, in progress, qualified; disqualified apart.",
    ),
    tile(
        "new-leads-by-campaign",
        "New leads by campaign",
        TileKind::Bar,
        "New leads by the campaign of their lead-generation touch.",
    ),
    tile(
        "new-leads-by-lead-source",
        "New leads by lead source",
        TileKind::Donut,
        "New leads by the source of their lead-generation touch.",
    ),
    tile(
        "new-leads-by-first-source",
        "New leads by first-contact source",
        TileKind::Donut,
        "New leads by the source of their first interaction.",
    ),
    tile(
        "new-leads-by-channel",
        "New leads by channel",
        TileKind::Donut,
        "New leads by the channel (Paid Search, Email, …) of their lead-generation touch.",
    ),
    tile(
        "new-leads-from-chat",
        "New leads from chat",
        TileKind::Number,
        "New leads whose creating submission came through chat.",
    ),
    tile(
        "new-leads-from-forms",
        "New leads from forms",
        TileKind::Number,
        "New leads whose creating submission came through a web form.",
    ),
    tile(
        "sales-by-lead-source",
        "Sales by lead source",
        TileKind::Bar,
        "Won sales that happened in the period, by the lead source of their person.",
    ),
    tile(
        "pipeline-by-lead-source",
        "Pipeline by lead source",
        TileKind::Bar,
        "Sum of open sales' amounts (per currency) from the period, by the lead source of their person.",
    ),
    tile(
        "top-referring-sites",
        "Top referring sites",
        TileKind::Table,
        "New leads by the referring site (host) of their lead-generation touch, top 10.",
    ),
    tile(
        "top-forms",
        "Top 10 lead-capturing forms",
        TileKind::Bar,
        "New leads by the form of their creating submission, top 10.",
    ),
    TileInfo {
        params: &["model"],
        choices: &[choice("model", MODELS, None)],
        ..tile(
            "source-performance",
            "Source performance",
            TileKind::Table,
            "Lead source and medium: new leads, their won sales (deals) and deals / leads; under an attribution model (?model=) the leads and deals credited to each source and medium.",
        )
    },
    TileInfo {
        params: &["campaign"],
        ..tile(
            "campaign-channel-split",
            "Campaign channel split",
            TileKind::Donut,
            "Share of one campaign's new leads by lead source (?campaign=; default: the campaign with most leads).",
        )
    },
    tile(
        "conversion-rate-by-source",
        "Conversion rate by source",
        TileKind::Bar,
        "Won sales of the period's new leads divided by those leads, per lead source, in percent.",
    ),
    tile(
        "attribution-quality",
        "Attribution quality",
        TileKind::Table,
        "How much attribution is lost: direct and untracked new leads, posts and forms without the tag, campaigns in several spellings, alias-like sources, mediums unknown to the channel rules.",
    ),
    TileInfo {
        params: &["bucket", "by"],
        choices: &[
            choice("bucket", BUCKETS, Some("week")),
            choice("by", TREND_BY, Some("lead_source")),
        ],
        ..tile(
            trend::NEW_LEADS_TREND,
            "New leads over time",
            TileKind::Line,
            "New leads per day, week or month (?bucket=; default week), one line per lead source or channel (?by=lead_source|channel|all; default lead_source).",
        )
    },
    TileInfo {
        params: &["bucket", "by"],
        choices: &[
            choice("bucket", BUCKETS, Some("month")),
            choice("by", TREND_BY, Some("all")),
        ],
        ..tile(
            trend::CONVERSION_TREND,
            "Conversion rate over time",
            TileKind::Line,
            "Won sales of each month's (?bucket=; default month) new leads divided by those leads, in percent; one line, or one per lead source or channel (?by=; default all).",
        )
    },
    TileInfo {
        params: &["model", "by"],
        choices: &[
            choice("model", MODELS, Some("last_touch")),
            choice("by", &["source", "medium", "campaign", "channel"], Some("source")),
        ],
        ..tile(
            ATTRIBUTION_TILE,
            "Attribution",
            TileKind::Bar,
            "New leads credited by an attribution model (?model=first_interaction|last_touch|last_non_direct|linear|position_based|time_decay; default last_touch) to the source, medium, campaign or channel of their touches (?by=; default source), with their won deals and revenue credited alike; top 10 and (other).",
        )
    },
    TileInfo {
        params: &["selection"],
        ..tile(
            "selection-list",
            "Selection",
            TileKind::List,
            "The persons of a saved selection (?selection=ID): a static one newest first, a dynamic one evaluated now (by id); up to 100.",
        )
    },
];

/// The tile of credited leads under an attribution model (`?model=`, `?by=`).
pub(crate) const ATTRIBUTION_TILE: &str = "attribution";

pub(crate) fn tile_info(id: &str) -> Option<&'static TileInfo> {
    TILES.iter().find(|t| t.id == id)
}

/// What a tile is asked for: the period as Unix milliseconds `[from_ms, to_ms)` (the HTTP
/// layer turns dates in the configured time zone into it) and the filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TileFilter {
    pub(crate) from_ms: i64,
    pub(crate) to_ms: i64,
    /// Owner (associate id).
    pub(crate) owner: Option<i64>,
    pub(crate) country: Option<String>,
    /// `campaign-channel-split`'s campaign.
    pub(crate) campaign: Option<String>,
    /// `selection-list`'s selection id.
    pub(crate) selection: Option<i64>,
    /// A trend tile's buckets and split.
    pub(crate) trend: Option<trend::Trend>,
}

/// A tile's rows, or why the request cannot be answered.
pub(crate) type TileResult<T> = Refused<T>;

/// The values the filters can take, for the page's pickers.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub(crate) struct FilterValues {
    pub(crate) owners: Vec<OwnerValue>,
    pub(crate) countries: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct ModelStats {
    pub(crate) persons: usize,
    pub(crate) sales: usize,
    /// Approximate heap bytes the model holds.
    pub(crate) heap_bytes: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct OwnerValue {
    pub(crate) id: i64,
    pub(crate) name: String,
}

/// A tile on a dashboard, with its own parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DashboardTile {
    pub(crate) tile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) campaign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) selection: Option<i64>,
    /// A trend tile's `bucket` (`day`, `week`, `month`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) bucket: Option<String>,
    /// A trend tile's `by` (`lead_source`, `channel`, `all`); the attribution tile's
    /// (`source`, `medium`, `campaign`, `channel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) by: Option<String>,
    /// The attribution model of the attribution and source-performance tiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) model: Option<String>,
}

/// A period named relative to today, in the configured time zone (the API resolves it to
/// whole days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RelativePeriod {
    /// Today and the 6 days before.
    #[serde(rename = "last-7-days")]
    Last7Days,
    /// Today and the 29 days before.
    #[serde(rename = "last-30-days")]
    Last30Days,
    /// Today and the 89 days before.
    #[serde(rename = "last-90-days")]
    Last90Days,
    /// The 1st of this month to today.
    ThisMonth,
    /// The whole previous month.
    LastMonth,
    /// The first day of this quarter to today.
    ThisQuarter,
    /// The whole previous quarter.
    LastQuarter,
    /// 1 January to today (what no period at all means).
    ThisYear,
    /// The whole previous year.
    LastYear,
}

/// A dashboard's default filters: dates as `YYYY-MM-DD`, or a `period` named relative to
/// the day it is opened (`last-30-days`, …); neither = year to date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DashboardFilters {
    /// `last-7-days`, `last-30-days`, `last-90-days`, `this-month`, `last-month`,
    /// `this-quarter`, `last-quarter`, `this-year` or `last-year`; not with `from`/`to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RelativePeriod>)]
    pub(crate) period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub(crate) from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub(crate) to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<String>,
}

/// A dashboard as stored (presets are not stored: see the HTTP module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredDashboard {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) tiles: Vec<DashboardTile>,
    pub(crate) filters: DashboardFilters,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// A dashboard's content, as given to create or replace one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DashboardInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub(crate) name: String,
    #[schema(min_items = 1, max_items = 50)]
    pub(crate) tiles: Vec<DashboardTile>,
    #[serde(default)]
    pub(crate) filters: DashboardFilters,
}

#[async_trait]
pub(crate) trait TileStore: Send + Sync {
    /// A tile's rows (see the module's definitions). `tile` is an id of [`TILES`].
    async fn tile_rows(
        &self,
        tile: &'static str,
        filter: TileFilter,
    ) -> StoreResult<TileResult<Vec<Value>>>;
    /// The persons behind one row of a tile (its `key`; `None` for number tiles), newest
    /// first, at most `limit`.
    async fn tile_persons(
        &self,
        tile: &'static str,
        filter: TileFilter,
        key: Option<String>,
        limit: usize,
    ) -> StoreResult<TileResult<Vec<Person>>>;
    async fn tile_filter_values(&self) -> StoreResult<FilterValues>;
    /// Size of the tiles' read model (loading it if needed), for operators and benchmarks.
    async fn tile_model_stats(&self) -> StoreResult<ModelStats>;

    async fn dashboards(&self) -> StoreResult<Vec<StoredDashboard>>;
    async fn dashboard(&self, id: i64) -> StoreResult<Option<StoredDashboard>>;
    async fn create_dashboard(&self, input: DashboardInput) -> StoreResult<StoredDashboard>;
    /// `None` when there is no such dashboard.
    async fn replace_dashboard(
        &self,
        id: i64,
        input: DashboardInput,
    ) -> StoreResult<Option<StoredDashboard>>;
    /// False when there was no such dashboard.
    async fn delete_dashboard(&self, id: i64) -> StoreResult<bool>;
}
