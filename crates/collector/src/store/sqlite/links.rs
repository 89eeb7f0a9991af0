//! SQLite side of [`crate::store::LinkStore`].
use async_trait::async_trait;

use super::SqliteStore;
use crate::store::LinkStore;

#[async_trait]
impl LinkStore for SqliteStore {}
