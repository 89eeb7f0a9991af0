//! Campaign links, source aliases and channel reclassification.
//!
//! - Source aliases: the operator's `(alias, source)` pairs, laid over core's built-in ones
//!   ([`leadtrail_core::channel::SourceAliases`]). The writer applies them to every new
//!   touch; [`LinkStore::reclassify_batch`] applies them (and the current channel rules) to
//!   stored touches.
//! - Saved links: named campaign links, a list per campaign.
//! - Known values: the sources, mediums and campaigns already in the data, which the link
//!   builder compares new names with ("did you mean").
use crate::refusal::Refused;
use async_trait::async_trait;
use leadtrail_core::channel::{AliasError, SourceAliases};

use super::StoreResult;

/// One operator alias: `alias` (a name, `.domain.com` or `brand.*`) counts as `source`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct SourceAlias {
    pub(crate) alias: String,
    pub(crate) source: String,
    pub(crate) created_at: i64,
}

/// A link to save, as the link builder built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewSavedLink {
    pub(crate) campaign: String,
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) target: String,
    pub(crate) source: String,
    pub(crate) medium: String,
    pub(crate) term: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) utm_id: Option<String>,
    /// [`leadtrail_core::Channel::id`].
    pub(crate) channel: String,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SavedLink {
    pub(crate) id: i64,
    pub(crate) link: NewSavedLink,
}

/// Sources, mediums and campaigns in use, each sorted and distinct.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KnownValues {
    pub(crate) sources: Vec<String>,
    pub(crate) mediums: Vec<String>,
    pub(crate) campaigns: Vec<String>,
}

/// Where a touch is stored: one of the four data points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TouchRole {
    FirstInteraction,
    LeadGeneration,
    Conversion,
    CompanySource,
}

impl TouchRole {
    pub(crate) const ALL: [TouchRole; 4] = [
        TouchRole::FirstInteraction,
        TouchRole::LeadGeneration,
        TouchRole::Conversion,
        TouchRole::CompanySource,
    ];

    /// The name used in search criteria and reports (`lead_generation`).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            TouchRole::FirstInteraction => "first_interaction",
            TouchRole::LeadGeneration => "lead_generation",
            TouchRole::Conversion => "conversion",
            TouchRole::CompanySource => "company_source",
        }
    }
}

/// What one [`LinkStore::reclassify_batch`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReclassifyBatch {
    /// Rows looked at.
    pub(crate) scanned: u64,
    /// Rows whose channel changed (including rows that had none).
    pub(crate) channel_changed: u64,
    /// Rows whose stored source changed (an alias added or removed).
    pub(crate) source_changed: u64,
    /// Rows written (the above, plus rows that only needed the new rules version).
    pub(crate) updated: u64,
    /// The last row id looked at; the next batch starts after it. `None`: nothing left.
    pub(crate) last_id: Option<i64>,
}

#[async_trait]
pub(crate) trait LinkStore: Send + Sync {
    /// The operator's aliases, by alias.
    async fn source_aliases(&self) -> StoreResult<Vec<SourceAlias>>;
    /// Adds or replaces an alias; refused (inner `Err`) when it is not usable or would make
    /// aliases go round in a circle. Values are normalised (trimmed, lower-case).
    async fn put_source_alias(
        &self,
        alias: &str,
        source: &str,
        now: i64,
    ) -> StoreResult<Result<SourceAlias, AliasError>>;
    /// Removes an alias; false when there was none.
    async fn delete_source_alias(&self, alias: &str) -> StoreResult<bool>;
    /// The aliases new touches get: the built-in ones with the operator's laid over them.
    async fn effective_aliases(&self) -> StoreResult<SourceAliases>;

    /// Distinct sources, mediums and campaigns of stored touches and saved links, at most
    /// `limit` of each.
    async fn known_link_values(&self, limit: usize) -> StoreResult<KnownValues>;

    /// Saved links, by campaign then name; only one campaign's when given.
    async fn saved_links(&self, campaign: Option<String>) -> StoreResult<Vec<SavedLink>>;
    async fn save_link(&self, link: NewSavedLink) -> StoreResult<Refused<SavedLink>>;
    /// False when there was no such link.
    async fn delete_saved_link(&self, id: i64) -> StoreResult<bool>;

    /// Rows holding touches of `role` (for a progress bar).
    async fn touch_rows(&self, role: TouchRole) -> StoreResult<u64>;
    /// Re-applies the current aliases and channel rules to up to `limit` stored touches of
    /// `role` with a row id above `after`, through the writer (one transaction). Idempotent.
    async fn reclassify_batch(
        &self,
        role: TouchRole,
        after: i64,
        limit: usize,
    ) -> StoreResult<ReclassifyBatch>;
}
