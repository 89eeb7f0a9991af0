//! Campaign links, source aliases and channel reclassification (issue 5).
use async_trait::async_trait;

#[async_trait]
pub trait LinkStore: Send + Sync {}
