//! Finding persons and companies by criteria, and saved selections (issue 3).
use async_trait::async_trait;

#[async_trait]
pub trait SearchStore: Send + Sync {}
