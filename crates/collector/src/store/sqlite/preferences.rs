//! SQLite side of [`PreferenceStore`] (migrations/0013_user_preferences.sql).

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::store::preferences::{PreferenceError, PreferenceStore, Preferences, MAX_TABLES};
use crate::store::StoreResult;

#[async_trait]
impl PreferenceStore for SqliteStore {
    async fn preferences(&self, user: i64) -> StoreResult<Preferences> {
        self.read(move |c| {
            let language: Option<String> = c
                .prepare_cached("SELECT language FROM user_preferences WHERE user_id = ?1")?
                .query_row([user], |row| row.get(0))
                .optional()?
                .flatten();
            let mut columns = std::collections::BTreeMap::new();
            let mut statement = c.prepare_cached(
                "SELECT table_id, columns FROM user_columns WHERE user_id = ?1 ORDER BY table_id",
            )?;
            let mut rows = statement.query([user])?;
            while let Some(row) = rows.next()? {
                let table: String = row.get(0)?;
                let json: String = row.get(1)?;
                let ids: Vec<String> = serde_json::from_str(&json).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?;
                columns.insert(table, ids);
            }
            Ok(Preferences { language, columns })
        })
        .await
    }

    async fn set_language(&self, user: i64, language: Option<String>) -> StoreResult<()> {
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "INSERT INTO user_preferences (user_id, language) VALUES (?1, ?2) \
                     ON CONFLICT (user_id) DO UPDATE SET language = excluded.language",
                )?
                .execute(params![user, language])
                .map(drop)
            })
            .await
    }

    async fn set_columns(
        &self,
        user: i64,
        table: String,
        columns: Vec<String>,
    ) -> StoreResult<Result<(), PreferenceError>> {
        let json = serde_json::to_string(&columns).expect("a list of strings is JSON");
        self.writer
            .apply(move |c| {
                if columns.is_empty() {
                    c.prepare_cached(
                        "DELETE FROM user_columns WHERE user_id = ?1 AND table_id = ?2",
                    )?
                    .execute(params![user, table])?;
                    return Ok(Ok(()));
                }
                let (known, tables): (bool, i64) = c
                    .prepare_cached(
                        "SELECT coalesce(max(table_id = ?2), 0), count(*) FROM user_columns \
                         WHERE user_id = ?1",
                    )?
                    .query_row(params![user, table], |row| Ok((row.get(0)?, row.get(1)?)))?;
                if !known && tables >= MAX_TABLES as i64 {
                    return Ok(Err(PreferenceError::TooManyTables));
                }
                c.prepare_cached(
                    "INSERT INTO user_columns (user_id, table_id, columns) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (user_id, table_id) DO UPDATE SET columns = excluded.columns",
                )?
                .execute(params![user, table, json])?;
                Ok(Ok(()))
            })
            .await
    }
}
