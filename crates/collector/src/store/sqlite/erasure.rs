//! Erasing a person: their own rows, every copy of their touches, the old page images in
//! the WAL, and a report of free text elsewhere that still names them.
//!
//! A person's touch is copied once outside their own rows: into the company they created,
//! as its source (`companies.src_person_id` says whose it is). The copy keeps what the
//! company-source reports need — source, medium, campaign, channel — and loses the fields
//! that can carry personal data (a landing page `…?subscriber=<e-mail>`, a term, a click
//! id, a referrer). Free text typed by users (a sale's title, a selection's name) may
//! mention the e-mail too; whether that is the person's data only a person can tell, so
//! it is reported with its ids rather than rewritten.

use leadtrail_core::TouchField;
use rusqlite::{Connection, OptionalExtension};

use super::schema::{column_suffix, COMPANY_SOURCE, CONVERSION, FIRST, LEAD};
use super::SqliteStore;
use crate::store::leads::{Erasure, Mention};
use crate::store::{CompanyId, PersonId, StoreResult};

/// The touch fields a scrubbed company source keeps (unless they contain the e-mail):
/// what the company was brought by, not who clicked.
const KEPT_SOURCE_FIELDS: [TouchField; 3] =
    [TouchField::Source, TouchField::Medium, TouchField::Campaign];

pub(super) async fn erase_person(
    store: &SqliteStore,
    id: PersonId,
) -> StoreResult<Option<Erasure>> {
    let erased = store
        .writer
        .apply(move |c| {
            let email_key: Option<String> = c
                .prepare_cached("SELECT email_key FROM persons WHERE id = ?1")?
                .query_row([id], |row| row.get(0))
                .optional()?;
            let Some(email_key) = email_key else {
                return Ok(None);
            };
            // Freed pages are zeroed, so the erased rows leave no bytes in the file.
            c.execute_batch("PRAGMA secure_delete = ON")?;
            raise_id_floors(c, id)?;
            let scrubbed = scrub_company_sources(c, id, &email_key)?;
            // Foreign keys would cascade most of this; it is spelled out so that the
            // erasure does not depend on a connection setting, and because selection
            // members carry no foreign key.
            c.prepare_cached(
                "DELETE FROM selection_members WHERE member_id = ?1 AND selection_id IN \
                 (SELECT id FROM selections WHERE entity = 'person')",
            )?
            .execute([id])?;
            for sql in [
                "DELETE FROM consents WHERE person_id = ?1",
                "DELETE FROM status_changes WHERE person_id = ?1",
                "DELETE FROM journeys WHERE person_id = ?1",
                "DELETE FROM submissions WHERE person_id = ?1",
                "UPDATE sales SET person_id = NULL WHERE person_id = ?1",
                "DELETE FROM persons WHERE id = ?1",
            ] {
                c.prepare_cached(sql)?.execute([id])?;
            }
            Ok(Some((scrubbed, email_key)))
        })
        .await?;
    let Some((company_sources_scrubbed, email_key)) = erased else {
        return Ok(None);
    };
    let path = store.path.clone();
    match tokio::task::spawn_blocking(move || truncate_wal(&path)).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(%error, "checkpoint after an erasure failed"),
        Err(error) => tracing::warn!(%error, "checkpoint after an erasure failed"),
    }
    // After the commit, on a reader: a scan of every free-text column must not hold up
    // the form posts waiting for the writer.
    let mentions = store.read(move |c| mentions_of(c, &email_key)).await?;
    Ok(Some(Erasure {
        company_sources_scrubbed,
        mentions,
    }))
}

/// Keeps the person's id and their submissions' ids from being handed out again (see
/// 0009_id_floors.sql).
fn raise_id_floors(c: &Connection, person: PersonId) -> rusqlite::Result<()> {
    let mut raise = c.prepare_cached(
        "INSERT INTO id_floors (tbl, floor) VALUES (?1, ?2) \
         ON CONFLICT (tbl) DO UPDATE SET floor = max(floor, excluded.floor)",
    )?;
    raise.execute(("persons", person))?;
    let newest_submission: Option<i64> = c
        .prepare_cached("SELECT max(id) FROM submissions WHERE person_id = ?1")?
        .query_row([person], |row| row.get(0))?;
    if let Some(newest) = newest_submission {
        raise.execute(("submissions", newest))?;
    }
    super::schema::note_id_floors();
    Ok(())
}

/// Scrubs and detaches the company sources that were the person's touch.
fn scrub_company_sources(
    c: &Connection,
    person: PersonId,
    email_key: &str,
) -> rusqlite::Result<Vec<CompanyId>> {
    let mut set = Vec::new();
    for field in TouchField::ALL {
        let column = format!("{COMPANY_SOURCE}_{}", column_suffix(field));
        if field == TouchField::At {
            continue;
        }
        if KEPT_SOURCE_FIELDS.contains(&field) {
            set.push(format!(
                "{column} = CASE WHEN instr(lower({column}), ?2) > 0 THEN NULL ELSE {column} END"
            ));
        } else {
            set.push(format!("{column} = NULL"));
        }
    }
    set.push(format!("{COMPANY_SOURCE}_raw_source = NULL"));
    set.push("src_person_id = NULL".to_owned());
    let sql = format!(
        "UPDATE companies SET {} WHERE src_person_id = ?1 RETURNING id",
        set.join(", ")
    );
    let mut statement = c.prepare(&sql)?;
    let ids = statement
        .query_map((person, email_key), |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<CompanyId>>>()?;
    Ok(ids)
}

/// The text columns of the stored touches of one role (`first_source`, …, `first_raw_source`).
fn touch_text_columns(prefix: &str) -> Vec<String> {
    TouchField::ALL
        .into_iter()
        .filter(|f| *f != TouchField::At)
        .map(|f| format!("{prefix}_{}", column_suffix(f)))
        .chain([format!("{prefix}_raw_source")])
        .collect()
}

/// Every table's free-text columns, by table (each has an integer `id`). The e-mail
/// columns of persons are left out: another person's address that merely contains this
/// one (`malice@…` holds `alice@…`) is someone else.
fn text_columns() -> Vec<(&'static str, Vec<String>)> {
    let plain = |columns: &[&str]| columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let mut persons = plain(&["name", "phone", "country", "external_id"]);
    persons.extend(touch_text_columns(FIRST));
    persons.extend(touch_text_columns(LEAD));
    let mut submissions = plain(&["payload", "external_id"]);
    submissions.extend(touch_text_columns(CONVERSION));
    let mut companies = plain(&["name", "domain", "match_key"]);
    companies.extend(touch_text_columns(COMPANY_SOURCE));
    vec![
        ("persons", persons),
        ("submissions", submissions),
        ("companies", companies),
        ("sales", plain(&["title", "external_id"])),
        ("selections", plain(&["name", "criteria"])),
        ("dashboards", plain(&["name", "tiles", "filters"])),
        (
            "saved_links",
            plain(&[
                "campaign", "name", "url", "target", "term", "content", "utm_id",
            ]),
        ),
        ("associates", plain(&["name", "email"])),
        ("api_tokens", plain(&["name"])),
    ]
}

/// The fields that contain `email_key` (case-insensitively), in table order.
fn mentions_of(c: &Connection, email_key: &str) -> rusqlite::Result<Vec<Mention>> {
    let mut mentions = Vec::new();
    for (table, columns) in text_columns() {
        let hits: Vec<String> = columns
            .iter()
            .map(|column| format!("instr(lower({column}), ?1) > 0"))
            .collect();
        let sql = format!(
            "SELECT id, {} FROM {table} WHERE {} ORDER BY id",
            hits.join(", "),
            hits.join(" OR ")
        );
        let mut statement = c.prepare(&sql)?;
        let mut rows = statement.query([email_key])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            for (i, column) in columns.iter().enumerate() {
                if row.get::<_, Option<bool>>(i + 1)?.unwrap_or(false) {
                    mentions.push(Mention {
                        table,
                        column: column.clone(),
                        id,
                    });
                }
            }
        }
    }
    Ok(mentions)
}

/// Makes the WAL give up erased pages: after a checkpoint that truncates it, the file no
/// longer holds the old page images (which still contain the erased rows).
fn truncate_wal(path: &std::path::Path) -> rusqlite::Result<()> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(std::time::Duration::from_secs(10))?;
    let (busy, _, _): (i64, i64, i64) =
        connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
    if busy != 0 {
        tracing::warn!("the checkpoint after an erasure could not finish; it is retried later");
    }
    Ok(())
}
