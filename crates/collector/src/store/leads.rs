//! Working the leads (issue 3): lead status and its history, owners (associates), sales,
//! consent, export and erasure of a person, import.
use async_trait::async_trait;

#[async_trait]
pub trait LeadStore: Send + Sync {}
