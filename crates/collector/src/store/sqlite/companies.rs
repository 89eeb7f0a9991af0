//! SQLite side of [`CompanyStore`]: the name changes, `match_key` stays; and how a new
//! person's company is found or made ([`CompanyMatch`]), the one place both ways of
//! creating a person (a submission, an import) resolve it.

use async_trait::async_trait;
use leadtrail_core::identity::{CompanyIdentity, Email};
use leadtrail_core::Touch;
use rusqlite::types::ToSql;
use rusqlite::{params, Connection, OptionalExtension};

use super::schema::{self, touch_params};
use super::SqliteStore;
use crate::store::companies::CompanyStore;
use crate::store::{Company, CompanyId, PersonId, StoreResult};

/// A new person's company, by the identity their company field or e-mail domain gives
/// ([`CompanyIdentity::of`]): the company with that match key, or one made with the
/// person. An existing person's company never changes, so only new persons resolve one.
pub(super) struct CompanyMatch {
    identity: Option<CompanyIdentity>,
    known: Option<CompanyId>,
}

impl CompanyMatch {
    pub(super) fn find(
        connection: &Connection,
        company_field: Option<&str>,
        email: &Email,
    ) -> rusqlite::Result<CompanyMatch> {
        let identity = CompanyIdentity::of(company_field, email);
        let known = match &identity {
            Some(identity) => connection
                .prepare_cached("SELECT id FROM companies WHERE match_key = ?1")?
                .query_row([&identity.key], |row| row.get::<_, CompanyId>(0))
                .optional()?,
            None => None,
        };
        Ok(CompanyMatch { identity, known })
    }

    /// True when the person names a company no one has named before: the attribution
    /// rules then give it a source ([`leadtrail_core::Attribution::decide`]).
    pub(super) fn is_new(&self) -> bool {
        self.identity.is_some() && self.known.is_none()
    }

    /// The company's id, none when neither the company field nor the e-mail names one. A
    /// new company is inserted with `source` (the attribution's company source) and its
    /// channel `class`.
    pub(super) fn settle(
        self,
        connection: &Connection,
        source: Option<&Touch>,
        class: &schema::Classified,
        now: i64,
    ) -> rusqlite::Result<SettledCompany> {
        let id = match (self.identity, self.known) {
            (Some(_), Some(id)) => Some(id),
            (Some(identity), None) => {
                Some(insert_company(connection, &identity, source, class, now)?)
            }
            (None, _) => None,
        };
        let created = id.is_some() && self.known.is_none();
        Ok(SettledCompany {
            id,
            created,
            sourced: created && source.is_some(),
        })
    }
}

/// A new person's company, found or made ([`CompanyMatch::settle`]).
pub(super) struct SettledCompany {
    pub(super) id: Option<CompanyId>,
    pub(super) created: bool,
    /// Made with a source touch, which is the person's (see [`Self::credit_source`]).
    sourced: bool,
}

impl SettledCompany {
    /// Once the person is inserted: notes whose touch a new company's source is, so that
    /// erasing that person scrubs it and only their export carries it.
    pub(super) fn credit_source(
        &self,
        connection: &Connection,
        person: PersonId,
    ) -> rusqlite::Result<()> {
        if let (Some(company_id), true) = (self.id, self.sourced) {
            connection
                .prepare_cached("UPDATE companies SET src_person_id = ?2 WHERE id = ?1")?
                .execute((company_id, person))?;
        }
        Ok(())
    }
}

fn insert_company(
    connection: &Connection,
    identity: &CompanyIdentity,
    source: Option<&Touch>,
    class: &schema::Classified,
    now: i64,
) -> rusqlite::Result<CompanyId> {
    let empty = Touch::default();
    let mut params: Vec<&dyn ToSql> = vec![
        &identity.display_name,
        &identity.key,
        &identity.domain,
        &identity.domain_mixes_scripts,
        &now,
    ];
    params.extend(touch_params(source.unwrap_or(&empty)));
    let no_class = schema::Classified::default();
    params.extend(if source.is_some() { class } else { &no_class }.params());
    connection
        .prepare_cached(&schema::INSERT_COMPANY)?
        .execute(&*params)?;
    Ok(connection.last_insert_rowid())
}

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
