//! Dashboard tiles and dashboards (issue 4).
use async_trait::async_trait;

#[async_trait]
pub trait TileStore: Send + Sync {}
