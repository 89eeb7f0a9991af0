//! SQLite side of [`CompanyStore`]: the name changes, `match_key` stays.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::{schema, SqliteStore};
use crate::store::companies::CompanyStore;
use crate::store::{Company, CompanyId, StoreResult};

#[async_trait]
impl CompanyStore for SqliteStore {
    async fn rename_company(&self, id: CompanyId, name: String) -> StoreResult<Option<Company>> {
        self.writer
            .apply(move |c| {
                let changed = c
                    .prepare_cached("UPDATE companies SET name = ?2 WHERE id = ?1")?
                    .execute(params![id, name])?;
                if changed == 0 {
                    return Ok(None);
                }
                c.prepare_cached(&format!("{} WHERE id = ?1", *schema::SELECT_COMPANY))?
                    .query_row([id], schema::company_from_row)
                    .optional()
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_renamed_company_keeps_its_key_and_source() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        assert!(store
            .rename_company(1, "Nobody".into())
            .await
            .unwrap()
            .is_none());
        let path = dir.path().join("t.db");
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute(
            "INSERT INTO companies (id, name, match_key, domain, created_at, src_source) \
             VALUES (7, 'acme.no', 'acme.no', 'acme.no', 1, 'linkedin')",
            [],
        )
        .unwrap();
        let renamed = store
            .rename_company(7, "Acme AS".into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(renamed.name, "Acme AS");
        assert_eq!(renamed.domain.as_deref(), Some("acme.no"));
        assert_eq!(renamed.source.unwrap().source.as_deref(), Some("linkedin"));
        assert_eq!(store.company(7).await.unwrap().unwrap().name, "Acme AS");
        let key: String = c
            .query_row("SELECT match_key FROM companies WHERE id = 7", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(key, "acme.no");
    }
}
