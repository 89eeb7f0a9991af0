//! SQLite side of [`crate::store::LeadStore`]: status and owners, associates, sales,
//! consent, export, erasure, idempotent server-side submissions and batched imports (what a
//! submission writes is [`super::records`]'s). Every write goes through the one writer
//! ([`super::Writer::apply`]).

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row};

use super::records::{import_person, insert_status_change, record_once};
use super::schema;
use super::SqliteStore;
use crate::store::leads::{
    Associate, AssociateId, Consent, ConsentRecord, Erasure, ExternalReceipt, ImportOutcome,
    ImportRecord, LeadError, LeadResult, LeadStatus, NewSale, PersonExport, PersonPatch, Requester,
    Sale, SaleFilter, SaleId, SalePatch, SaleStatus, StatusChange,
};
use crate::store::{IncomingSubmission, LeadStore, Person, PersonId, StoreResult};
use crate::time::now_ms;

const SELECT_SALE: &str = "SELECT id, person_id, company_id, title, amount_minor, currency, \
     status, at, closed_at, external_id, created_at, updated_at FROM sales";

fn sale_from_row(row: &Row<'_>) -> rusqlite::Result<Sale> {
    let status: String = row.get(6)?;
    let status = SaleStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            6,
            rusqlite::types::Type::Text,
            format!("unknown sale status {status:?}").into(),
        )
    })?;
    Ok(Sale {
        id: row.get(0)?,
        person_id: row.get(1)?,
        company_id: row.get(2)?,
        title: row.get(3)?,
        amount_minor: row.get(4)?,
        currency: row.get(5)?,
        status,
        at: row.get(7)?,
        closed_at: row.get(8)?,
        external_id: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
    })
}

fn associate_from_row(row: &Row<'_>) -> rusqlite::Result<Associate> {
    Ok(Associate {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        created_at: row.get(3)?,
    })
}

fn status_from_text(index: usize, text: &str) -> rusqlite::Result<LeadStatus> {
    LeadStatus::parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("unknown lead status {text:?}").into(),
        )
    })
}

fn person_on(connection: &Connection, id: PersonId) -> rusqlite::Result<Option<Person>> {
    connection
        .prepare_cached(&format!("{} WHERE id = ?1", *schema::SELECT_PERSON))?
        .query_row([id], schema::person_from_row)
        .optional()
}

fn sale_on(connection: &Connection, id: SaleId) -> rusqlite::Result<Option<Sale>> {
    connection
        .prepare_cached(&format!("{SELECT_SALE} WHERE id = ?1"))?
        .query_row([id], sale_from_row)
        .optional()
}

fn exists(connection: &Connection, table: &str, id: i64) -> rusqlite::Result<bool> {
    connection
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"
        ))?
        .query_row([id], |row| row.get(0))
}

/// Checks the person and company a sale links to.
fn check_sale_links(
    connection: &Connection,
    person_id: Option<PersonId>,
    company_id: Option<i64>,
) -> rusqlite::Result<Result<(), LeadError>> {
    if let Some(id) = person_id {
        if !exists(connection, "persons", id)? {
            return Ok(Err(LeadError::Invalid {
                field: "person_id",
                message: format!("no person with id {id}"),
            }));
        }
    }
    if let Some(id) = company_id {
        if !exists(connection, "companies", id)? {
            return Ok(Err(LeadError::Invalid {
                field: "company_id",
                message: format!("no company with id {id}"),
            }));
        }
    }
    Ok(Ok(()))
}

fn insert_sale(connection: &Connection, sale: &NewSale, now: i64) -> rusqlite::Result<SaleId> {
    let closed_at = sale.status.is_closed().then_some(sale.at);
    connection
        .prepare_cached(
            "INSERT INTO sales (person_id, company_id, title, amount_minor, currency, status, \
             at, closed_at, external_id, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        )?
        .execute((
            sale.person_id,
            sale.company_id,
            &sale.title,
            sale.amount_minor,
            &sale.currency,
            sale.status.as_str(),
            sale.at,
            closed_at,
            &sale.external_id,
            now,
        ))?;
    Ok(connection.last_insert_rowid())
}

fn sale_by_external_id(
    connection: &Connection,
    external_id: &str,
) -> rusqlite::Result<Option<Sale>> {
    connection
        .prepare_cached(&format!("{SELECT_SALE} WHERE external_id = ?1"))?
        .query_row([external_id], sale_from_row)
        .optional()
}

fn import_sale(
    connection: &Connection,
    person_email_key: Option<&str>,
    sale: &NewSale,
    now: i64,
) -> rusqlite::Result<Result<ImportOutcome, String>> {
    if let Some(external_id) = &sale.external_id {
        if sale_by_external_id(connection, external_id)?.is_some() {
            return Ok(Ok(ImportOutcome::AlreadyThere));
        }
    }
    let mut sale = sale.clone();
    if let Some(key) = person_email_key {
        let person: Option<(i64, Option<i64>)> = connection
            .prepare_cached("SELECT id, company_id FROM persons WHERE email_key = ?1")?
            .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((person_id, company_id)) = person else {
            return Ok(Err(format!(
                "no person with e-mail {key} (import the person or a submission first)"
            )));
        };
        sale.person_id = Some(person_id);
        sale.company_id = sale.company_id.or(company_id);
    }
    insert_sale(connection, &sale, now)?;
    Ok(Ok(ImportOutcome::Created))
}

#[async_trait]
impl LeadStore for SqliteStore {
    async fn update_person(
        &self,
        id: PersonId,
        patch: PersonPatch,
        at: i64,
        actor: Option<String>,
    ) -> LeadResult<Person> {
        self.writer
            .apply(move |c| {
                let current: Option<String> = c
                    .prepare_cached("SELECT status FROM persons WHERE id = ?1")?
                    .query_row([id], |row| row.get(0))
                    .optional()?;
                let Some(current) = current else {
                    return Ok(Err(LeadError::NotFound(format!("no person with id {id}"))));
                };
                if let Some(Some(owner)) = patch.owner_id {
                    if !exists(c, "associates", owner)? {
                        return Ok(Err(LeadError::Invalid {
                            field: "owner_id",
                            message: format!("no associate with id {owner}"),
                        }));
                    }
                }
                let current = status_from_text(0, &current)?;
                let changes_status = patch.status.filter(|s| *s != current);
                c.prepare_cached(
                    "UPDATE persons SET status = coalesce(?2, status), \
                     owner_id = CASE WHEN ?3 THEN ?4 ELSE owner_id END, \
                     country = CASE WHEN ?5 THEN ?6 ELSE country END, \
                     name = CASE WHEN ?7 THEN ?8 ELSE name END, \
                     updated_at = ?9 WHERE id = ?1",
                )?
                .execute((
                    id,
                    patch.status.map(LeadStatus::as_str),
                    patch.owner_id.is_some(),
                    patch.owner_id.flatten(),
                    patch.country.is_some(),
                    patch.country.clone().flatten(),
                    patch.name.is_some(),
                    patch.name.clone().flatten(),
                    at,
                ))?;
                if let Some(status) = changes_status {
                    insert_status_change(c, id, status, at, actor.as_deref())?;
                }
                let person =
                    person_on(c, id)?.ok_or_else(|| rusqlite::Error::QueryReturnedNoRows)?;
                Ok(Ok(person))
            })
            .await
    }

    async fn status_changes(&self, id: PersonId) -> StoreResult<Vec<StatusChange>> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT status, changed_at, actor FROM status_changes WHERE person_id = ?1 \
                 ORDER BY changed_at, id",
            )?
            .query_map([id], |row| {
                let status: String = row.get(0)?;
                Ok(StatusChange {
                    status: status_from_text(0, &status)?,
                    changed_at: row.get(1)?,
                    actor: row.get(2)?,
                })
            })?
            .collect()
        })
        .await
    }

    async fn create_associate(
        &self,
        name: String,
        email: Option<String>,
        at: i64,
    ) -> LeadResult<Associate> {
        self.writer
            .apply(move |c| {
                if let Some(email) = &email {
                    let taken: Option<i64> = c
                        .prepare_cached("SELECT id FROM associates WHERE email = ?1")?
                        .query_row([email], |row| row.get(0))
                        .optional()?;
                    if let Some(other) = taken {
                        return Ok(Err(LeadError::Invalid {
                            field: "email",
                            message: format!("associate {other} already has this e-mail"),
                        }));
                    }
                }
                c.prepare_cached(
                    "INSERT INTO associates (name, email, created_at) VALUES (?1, ?2, ?3)",
                )?
                .execute((&name, &email, at))?;
                Ok(Ok(Associate {
                    id: c.last_insert_rowid(),
                    name: name.clone(),
                    email: email.clone(),
                    created_at: at,
                }))
            })
            .await
    }

    async fn associates(&self) -> StoreResult<Vec<Associate>> {
        self.read(|c| {
            c.prepare_cached("SELECT id, name, email, created_at FROM associates ORDER BY id")?
                .query_map([], associate_from_row)?
                .collect()
        })
        .await
    }

    async fn associate(&self, id: AssociateId) -> StoreResult<Option<Associate>> {
        self.read(move |c| {
            c.prepare_cached("SELECT id, name, email, created_at FROM associates WHERE id = ?1")?
                .query_row([id], associate_from_row)
                .optional()
        })
        .await
    }

    async fn create_sale(&self, sale: NewSale, now: i64) -> LeadResult<(Sale, bool)> {
        self.writer
            .apply(move |c| {
                if let Some(external_id) = &sale.external_id {
                    if let Some(known) = sale_by_external_id(c, external_id)? {
                        return Ok(Ok((known, false)));
                    }
                }
                if let Err(e) = check_sale_links(c, sale.person_id, sale.company_id)? {
                    return Ok(Err(e));
                }
                let id = insert_sale(c, &sale, now)?;
                let stored = sale_on(c, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                Ok(Ok((stored, true)))
            })
            .await
    }

    async fn update_sale(&self, id: SaleId, patch: SalePatch, now: i64) -> LeadResult<Sale> {
        self.writer
            .apply(move |c| {
                let Some(mut sale) = sale_on(c, id)? else {
                    return Ok(Err(LeadError::NotFound(format!("no sale with id {id}"))));
                };
                if let Err(e) =
                    check_sale_links(c, patch.person_id.flatten(), patch.company_id.flatten())?
                {
                    return Ok(Err(e));
                }
                if let Some(title) = &patch.title {
                    sale.title = title.clone();
                }
                if let Some(amount) = patch.amount_minor {
                    sale.amount_minor = amount;
                }
                if let Some(currency) = &patch.currency {
                    sale.currency = currency.clone();
                }
                if let Some(at) = patch.at {
                    sale.at = at;
                }
                if let Some(person) = patch.person_id {
                    sale.person_id = person;
                }
                if let Some(company) = patch.company_id {
                    sale.company_id = company;
                }
                if sale.person_id.is_none() && sale.company_id.is_none() {
                    return Ok(Err(LeadError::Invalid {
                        field: "person_id",
                        message: "a sale belongs to a person, a company or both".into(),
                    }));
                }
                if let Some(status) = patch.status {
                    if status != sale.status {
                        sale.closed_at = status.is_closed().then_some(now);
                    }
                    sale.status = status;
                }
                c.prepare_cached(
                    "UPDATE sales SET person_id = ?2, company_id = ?3, title = ?4, \
                     amount_minor = ?5, currency = ?6, status = ?7, at = ?8, closed_at = ?9, \
                     updated_at = ?10 WHERE id = ?1",
                )?
                .execute((
                    id,
                    sale.person_id,
                    sale.company_id,
                    &sale.title,
                    sale.amount_minor,
                    &sale.currency,
                    sale.status.as_str(),
                    sale.at,
                    sale.closed_at,
                    now,
                ))?;
                sale.updated_at = now;
                Ok(Ok(sale))
            })
            .await
    }

    async fn sale(&self, id: SaleId) -> StoreResult<Option<Sale>> {
        self.read(move |c| sale_on(c, id)).await
    }

    async fn sales(&self, filter: SaleFilter) -> StoreResult<Vec<Sale>> {
        self.read(move |c| {
            c.prepare_cached(&format!(
                "{SELECT_SALE} WHERE (?1 IS NULL OR person_id = ?1) \
                 AND (?2 IS NULL OR company_id = ?2) AND (?3 IS NULL OR status = ?3) \
                 ORDER BY at, id"
            ))?
            .query_map(
                (
                    filter.person_id,
                    filter.company_id,
                    filter.status.map(SaleStatus::as_str),
                ),
                sale_from_row,
            )?
            .collect()
        })
        .await
    }

    async fn record_external_submission(
        &self,
        submission: IncomingSubmission,
        external_id: Option<String>,
    ) -> StoreResult<ExternalReceipt> {
        self.writer
            .apply(move |c| record_once(c, &submission, external_id.as_deref()))
            .await
    }

    async fn export_person(&self, id: PersonId) -> StoreResult<Option<PersonExport>> {
        self.read(move |c| {
            let Some(person) = person_on(c, id)? else {
                return Ok(None);
            };
            let company = match person.company_id {
                Some(company_id) => c
                    .prepare_cached(&format!("{} WHERE id = ?1", *schema::SELECT_COMPANY))?
                    .query_row([company_id], schema::company_from_row)
                    .optional()?,
                None => None,
            };
            // The company's source is someone's touch: it belongs in that person's
            // export only.
            let company = match company {
                Some(mut company) => {
                    let source_owner: Option<PersonId> = c
                        .prepare_cached("SELECT src_person_id FROM companies WHERE id = ?1")?
                        .query_row([company.id], |row| row.get(0))?;
                    if source_owner != Some(id) {
                        company.source = None;
                        company.source_channel = None;
                    }
                    Some(company)
                }
                None => None,
            };
            let associate = match person.owner_id {
                Some(owner) => c
                    .prepare_cached(
                        "SELECT id, name, email, created_at FROM associates WHERE id = ?1",
                    )?
                    .query_row([owner], associate_from_row)
                    .optional()?,
                None => None,
            };
            let submissions = c
                .prepare_cached(&schema::SELECT_SUBMISSIONS_OF)?
                .query_map([id], schema::submission_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let status_changes = c
                .prepare_cached(
                    "SELECT status, changed_at, actor FROM status_changes WHERE person_id = ?1 \
                     ORDER BY changed_at, id",
                )?
                .query_map([id], |row| {
                    let status: String = row.get(0)?;
                    Ok(StatusChange {
                        status: status_from_text(0, &status)?,
                        changed_at: row.get(1)?,
                        actor: row.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let consents = c
                .prepare_cached(
                    "SELECT c.purpose, c.given, c.at, f.key, c.submission_id, c.applied, \
                     c.origin, c.address FROM consents c \
                     LEFT JOIN forms f ON f.id = c.form_id WHERE c.person_id = ?1 \
                     ORDER BY c.at, c.id",
                )?
                .query_map([id], |row| {
                    Ok(ConsentRecord {
                        purpose: row.get(0)?,
                        consent: Consent {
                            given: row.get(1)?,
                            at: row.get(2)?,
                            form: row.get(3)?,
                        },
                        submission_id: row.get(4)?,
                        applied: row.get(5)?,
                        evidence: Requester {
                            origin: row.get(6)?,
                            address: row.get(7)?,
                        },
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let sales = c
                .prepare_cached(&format!(
                    "{SELECT_SALE} WHERE person_id = ?1 ORDER BY at, id"
                ))?
                .query_map([id], sale_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let journey = super::journeys::person_journey(c, id)?
                .map(|journey| journey.touches)
                .unwrap_or_default();
            Ok(Some(PersonExport {
                person,
                company,
                submissions,
                status_changes,
                consents,
                sales,
                associate,
                journey,
            }))
        })
        .await
    }

    async fn erase_person(&self, id: PersonId) -> StoreResult<Option<Erasure>> {
        super::erasure::erase_person(self, id).await
    }

    async fn import_records(
        &self,
        records: Vec<ImportRecord>,
    ) -> StoreResult<Vec<Result<ImportOutcome, String>>> {
        let now = now_ms();
        self.writer
            .apply(move |c| {
                // An import writes far more than the collector's ingest: with the default
                // 16 MiB page cache, a large import spilled and re-read index pages on
                // every batch and ran I/O-bound (1.5k rows/s for 1M rows). The larger cache
                // and fewer checkpoints hold for this connection only, i.e. the `import`
                // command's own store; allowed inside the transaction, unlike `synchronous`.
                c.execute_batch("PRAGMA cache_size = -262144; PRAGMA wal_autocheckpoint = 16384;")?;
                let mut outcomes = Vec::with_capacity(records.len());
                for record in &records {
                    let outcome = match record {
                        ImportRecord::Person {
                            external_id,
                            submission,
                            status,
                        } => Ok(import_person(c, external_id, submission, *status)?),
                        ImportRecord::Submission {
                            external_id,
                            submission,
                        } => {
                            let done = record_once(c, submission, Some(external_id))?;
                            Ok(if done.replayed {
                                ImportOutcome::AlreadyThere
                            } else {
                                ImportOutcome::Created
                            })
                        }
                        ImportRecord::Sale {
                            person_email_key,
                            sale,
                        } => import_sale(c, person_email_key.as_deref(), sale, now)?,
                    };
                    outcomes.push(outcome);
                }
                Ok(outcomes)
            })
            .await
    }
}
