//! The leads the attribution models credit: each with its journey and its won sales.
use async_trait::async_trait;

use super::StoreResult;
use crate::attribution::report::LeadJourney;

/// Which leads: those created in `[from_ms, to_ms)`, of this owner and country.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LeadFilter {
    pub(crate) from_ms: i64,
    pub(crate) to_ms: i64,
    pub(crate) owner: Option<i64>,
    pub(crate) country: Option<String>,
}

#[async_trait]
pub(crate) trait AttributionStore {
    /// The leads of `filter`, oldest first, each with its journey (the stored one, else
    /// `[first interaction, lead-generation touch]`) and its won sales, whenever won.
    async fn lead_journeys(&self, filter: LeadFilter) -> StoreResult<Vec<LeadJourney>>;
}
