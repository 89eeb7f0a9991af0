//! SQLite side of [`crate::store::SearchStore`].
use async_trait::async_trait;

use super::SqliteStore;
use crate::store::SearchStore;

#[async_trait]
impl SearchStore for SqliteStore {}
