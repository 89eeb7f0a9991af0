//! SQLite side of [`crate::store::TileStore`].
use async_trait::async_trait;

use super::SqliteStore;
use crate::store::TileStore;

#[async_trait]
impl TileStore for SqliteStore {}
