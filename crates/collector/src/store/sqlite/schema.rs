//! The SQLite schema as Rust sees it: the embedded migrations, the names of the inline
//! touch columns, the SQL text built from them, and the mapping between rows and the
//! store's types.

use std::sync::LazyLock;

use leadtrail_core::{Channel, Touch, TouchField, TouchOrigin};
use rusqlite::types::ToSql;
use rusqlite::Row;
use rusqlite_migration::{Migrations, M};
use serde_json::{Map, Value};

use crate::store::leads::{Consent, LeadStatus};
use crate::store::{Company, Person, Submission};

/// Numbered migrations, applied in order at open. Append only: an applied migration is
/// never edited (the database records how many ran in `PRAGMA user_version`).
///
/// 0003–0005 were reserved up front so that the issues built in parallel (channels,
/// dashboards, ingest) each own one file and none has to renumber another's.
pub(super) static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001_spine.sql")),
        M::up(include_str!("migrations/0002_leads.sql")),
        M::up(include_str!("migrations/0003_channels.sql")),
        M::up(include_str!("migrations/0004_dashboards.sql")),
        M::up(include_str!("migrations/0005_ingest.sql")),
        M::up(include_str!("migrations/0006_lean_ingest.sql")),
        M::up(include_str!("migrations/0007_company_source_owner.sql")),
        M::up_with_hook(
            include_str!("migrations/0008_canonical_emails.sql"),
            super::rekey::canonical_identities,
        ),
        M::up(include_str!("migrations/0009_id_floors.sql")),
        M::up(include_str!("migrations/0010_accounts.sql")),
        M::up(include_str!("migrations/0011_consent_evidence.sql")),
        M::up(include_str!("migrations/0012_invitations.sql")),
        M::up(include_str!("migrations/0013_user_preferences.sql")),
        M::up(include_str!("migrations/0014_form_settings.sql")),
        M::up(include_str!("migrations/0015_status_actor.sql")),
        M::up(include_str!("migrations/0016_campaign_costs.sql")),
        M::up(include_str!("migrations/0017_journeys.sql")),
    ])
});

/// How many migrations this build knows; the schema version of a migrated database.
pub(super) const SCHEMA_VERSION: usize = 17;

/// The tables whose ids are kept from reuse (0009_id_floors.sql).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdTable {
    Persons,
    Submissions,
}

impl IdTable {
    pub(super) const fn name(self) -> &'static str {
        match self {
            IdTable::Persons => "persons",
            IdTable::Submissions => "submissions",
        }
    }

    const fn next_id_sql(self) -> &'static str {
        match self {
            IdTable::Persons => {
                "SELECT CASE WHEN floor > coalesce((SELECT max(id) FROM persons), 0) \
                 THEN floor + 1 END FROM id_floors WHERE tbl = 'persons'"
            }
            IdTable::Submissions => {
                "SELECT CASE WHEN floor > coalesce((SELECT max(id) FROM submissions), 0) \
                 THEN floor + 1 END FROM id_floors WHERE tbl = 'submissions'"
            }
        }
    }
}

thread_local! {
    /// Whether the database this thread writes has id floors: read once per thread, set
    /// by an erasure on it. Only erasures make floors, and they run on the store's writer
    /// thread, so the form posts pay nothing until the first one.
    static FLOORS_KNOWN: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Notes on this (writer) thread that the database now has id floors.
pub(super) fn note_id_floors() {
    FLOORS_KNOWN.with(|known| known.set(Some(true)));
}

/// The id of a new row: `None` (SQLite's next, the largest plus one) unless an erasure
/// removed larger ids, in which case one above those. `fresh` reads the floors every time,
/// for writers in another process than the one erasing (an import).
pub(super) fn next_id(
    c: &rusqlite::Connection,
    table: IdTable,
    fresh: bool,
) -> rusqlite::Result<Option<i64>> {
    let floors = match FLOORS_KNOWN.with(|known| known.get()) {
        Some(floors) if !fresh => floors,
        _ => {
            let floors: bool = c
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM id_floors)")?
                .query_row([], |row| row.get(0))?;
            FLOORS_KNOWN.with(|known| known.set(Some(floors)));
            floors
        }
    };
    if !floors {
        return Ok(None);
    }
    use rusqlite::OptionalExtension;
    Ok(c.prepare_cached(table.next_id_sql())?
        .query_row([], |row| row.get(0))
        .optional()?
        .flatten())
}

/// Forgets floors that no longer matter (the table's ids have passed them), so that a
/// restarted collector's posts skip the lookup again.
pub(super) fn prune_id_floors(c: &rusqlite::Connection) -> rusqlite::Result<()> {
    for table in [IdTable::Persons, IdTable::Submissions] {
        let name = table.name();
        c.execute(
            &format!(
                "DELETE FROM id_floors WHERE tbl = '{name}' \
                 AND floor <= coalesce((SELECT max(id) FROM {name}), 0)"
            ),
            [],
        )?;
    }
    Ok(())
}

/// Column-name prefixes of the four roles a touch plays (the four data points).
pub(super) const FIRST: &str = "first";
pub(super) const LEAD: &str = "lead";
pub(super) const CONVERSION: &str = "conv";
pub(super) const COMPANY_SOURCE: &str = "src";

/// Number of columns a stored touch takes.
pub(super) const TOUCH_WIDTH: usize = TouchField::ALL.len();

/// The column suffix of a touch field. The touch's `id` (utm_id) is spelled out so that it
/// cannot be mistaken for a row id or a foreign key.
pub(super) const fn column_suffix(field: TouchField) -> &'static str {
    match field {
        TouchField::Id => "utm_id",
        other => other.name(),
    }
}

/// `first_source, first_medium, …` in [`TouchField::ALL`] order.
pub(super) fn touch_columns(prefix: &str) -> String {
    TouchField::ALL
        .iter()
        .map(|f| format!("{prefix}_{}", column_suffix(*f)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Number of columns that record a touch's classification (see 0003_channels.sql).
pub(super) const CLASS_WIDTH: usize = 3;

/// `first_channel, first_rules_version, first_raw_source`: how the writer classified the
/// role's touch, in the order of [`Classified::params`].
pub(super) fn class_columns(prefix: &str) -> String {
    format!("{prefix}_channel, {prefix}_rules_version, {prefix}_raw_source")
}

/// A stored touch's classification: its channel, the rules version that gave it, and its
/// source as received when an alias rewrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Classified {
    pub(crate) channel: Option<&'static str>,
    pub(crate) rules_version: Option<i64>,
    pub(crate) raw_source: Option<String>,
}

impl Classified {
    pub(super) fn params(&self) -> [&dyn ToSql; CLASS_WIDTH] {
        [&self.channel, &self.rules_version, &self.raw_source]
    }
}

/// A stored channel id read back; an id this build does not know (written by a newer one)
/// reads as unknown rather than failing the row.
fn channel_from_row(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<Channel>> {
    Ok(row
        .get::<_, Option<String>>(index)?
        .as_deref()
        .and_then(Channel::from_id))
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

pub(super) static INSERT_COMPANY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO companies (name, match_key, domain, domain_mixes_scripts, created_at, {}, {}) \
         VALUES ({})",
        touch_columns(COMPANY_SOURCE),
        class_columns(COMPANY_SOURCE),
        placeholders(5 + TOUCH_WIDTH + CLASS_WIDTH)
    )
});

pub(super) static INSERT_PERSON: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO persons (id, email, email_key, name, company_id, country, phone, \
         created_at, {}, {}, {}, {}) VALUES ({})",
        touch_columns(FIRST),
        touch_columns(LEAD),
        class_columns(FIRST),
        class_columns(LEAD),
        placeholders(8 + 2 * (TOUCH_WIDTH + CLASS_WIDTH))
    )
});

pub(super) static INSERT_SUBMISSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO submissions (id, person_id, form_id, channel, origin, created_at, payload, \
         {}, {}) VALUES ({})",
        touch_columns(CONVERSION),
        class_columns(CONVERSION),
        placeholders(7 + TOUCH_WIDTH + CLASS_WIDTH)
    )
});

/// Selects a person's columns in the order [`person_from_row`] reads them; append a
/// `WHERE` clause.
pub(super) static SELECT_PERSON: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, email, name, company_id, country, phone, created_at, {}, {}, \
         first_channel, lead_channel, \
         status, owner_id, coalesce(updated_at, created_at), consent_e_marketing, \
         consent_e_marketing_at, \
         (SELECT key FROM forms WHERE forms.id = persons.consent_e_marketing_form_id) \
         FROM persons",
        touch_columns(FIRST),
        touch_columns(LEAD)
    )
});

pub(super) static SELECT_COMPANY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, name, domain, created_at, {}, src_channel, domain_mixes_scripts \
         FROM companies",
        touch_columns(COMPANY_SOURCE)
    )
});

pub(super) static SELECT_SUBMISSIONS_OF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT s.id, s.person_id, f.key, s.channel, s.created_at, s.origin, s.payload, {}, \
         s.conv_channel, s.utm_capture FROM submissions s JOIN forms f ON f.id = s.form_id \
         WHERE s.person_id = ?1 ORDER BY s.created_at, s.id",
        touch_columns("s.conv")
    )
});

/// A touch's values as statement parameters, in [`TouchField::ALL`] order.
pub(super) fn touch_params(touch: &Touch) -> [&dyn ToSql; TOUCH_WIDTH] {
    [
        &touch.source,
        &touch.medium,
        &touch.campaign,
        &touch.term,
        &touch.content,
        &touch.id,
        &touch.click_id,
        &touch.click_id_type,
        &touch.referrer,
        &touch.landing_page,
        &touch.at,
    ]
}

/// Reads the [`TOUCH_WIDTH`] columns starting at `start`.
pub(super) fn touch_from_row(row: &Row<'_>, start: usize) -> rusqlite::Result<Touch> {
    Ok(Touch {
        source: row.get(start)?,
        medium: row.get(start + 1)?,
        campaign: row.get(start + 2)?,
        term: row.get(start + 3)?,
        content: row.get(start + 4)?,
        id: row.get(start + 5)?,
        click_id: row.get(start + 6)?,
        click_id_type: row.get(start + 7)?,
        referrer: row.get(start + 8)?,
        landing_page: row.get(start + 9)?,
        at: row.get(start + 10)?,
    })
}

/// An optional touch: absent when every column is NULL. A touch with no field set carries
/// no information, so it reads back as `None` — the one place where storage normalises.
fn optional_touch_from_row(row: &Row<'_>, start: usize) -> rusqlite::Result<Option<Touch>> {
    let touch = touch_from_row(row, start)?;
    Ok((!touch.is_empty()).then_some(touch))
}

pub(super) fn person_from_row(row: &Row<'_>) -> rusqlite::Result<Person> {
    // After the touches and their two channels.
    let after = 9 + 2 * TOUCH_WIDTH;
    let status: String = row.get(after)?;
    let status = LeadStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            after,
            rusqlite::types::Type::Text,
            format!("unknown lead status {status:?}").into(),
        )
    })?;
    let consent_given: Option<bool> = row.get(after + 3)?;
    let consent_e_marketing = match (consent_given, row.get::<_, Option<i64>>(after + 4)?) {
        (Some(given), Some(at)) => Some(Consent {
            given,
            at,
            form: row.get(after + 5)?,
        }),
        _ => None,
    };
    Ok(Person {
        status,
        owner_id: row.get(after + 1)?,
        updated_at: row.get(after + 2)?,
        consent_e_marketing,
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        company_id: row.get(3)?,
        country: row.get(4)?,
        phone: row.get(5)?,
        created_at: row.get(6)?,
        first_interaction: optional_touch_from_row(row, 7)?,
        lead_generation: optional_touch_from_row(row, 7 + TOUCH_WIDTH)?,
        first_channel: channel_from_row(row, 7 + 2 * TOUCH_WIDTH)?,
        lead_channel: channel_from_row(row, 8 + 2 * TOUCH_WIDTH)?,
    })
}

pub(super) fn company_from_row(row: &Row<'_>) -> rusqlite::Result<Company> {
    Ok(Company {
        id: row.get(0)?,
        name: row.get(1)?,
        domain: row.get(2)?,
        created_at: row.get(3)?,
        source: optional_touch_from_row(row, 4)?,
        source_channel: channel_from_row(row, 4 + TOUCH_WIDTH)?,
        domain_mixes_scripts: row.get(5 + TOUCH_WIDTH)?,
    })
}

pub(super) fn submission_from_row(row: &Row<'_>) -> rusqlite::Result<Submission> {
    let origin: String = row.get(5)?;
    let origin = origin_from_text(&origin).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            5,
            rusqlite::types::Type::Text,
            format!("unknown touch origin {origin:?}").into(),
        )
    })?;
    let payload: String = row.get(6)?;
    let payload = match serde_json::from_str::<Value>(&payload) {
        Ok(Value::Object(map)) => map,
        Ok(_) => Map::new(),
        Err(e) => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                6,
                rusqlite::types::Type::Text,
                Box::new(e),
            ))
        }
    };
    Ok(Submission {
        id: row.get(0)?,
        person_id: row.get(1)?,
        form: row.get(2)?,
        channel: row.get(3)?,
        created_at: row.get(4)?,
        origin,
        payload,
        conversion: touch_from_row(row, 7)?,
        conversion_channel: channel_from_row(row, 7 + TOUCH_WIDTH)?,
        utm_capture: row.get(8 + TOUCH_WIDTH)?,
    })
}

/// The stored spelling of a touch origin (the same as its JSON form).
pub(super) const fn origin_text(origin: TouchOrigin) -> &'static str {
    match origin {
        TouchOrigin::Tracker => "tracker",
        TouchOrigin::RefererHeader => "referer_header",
        TouchOrigin::Api => "api",
    }
}

pub(super) fn origin_from_text(text: &str) -> Option<TouchOrigin> {
    [
        TouchOrigin::Tracker,
        TouchOrigin::RefererHeader,
        TouchOrigin::Api,
    ]
    .into_iter()
    .find(|o| origin_text(*o) == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_well_formed() {
        MIGRATIONS.validate().unwrap();
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut c).unwrap();
        let version: usize = c
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    /// The write path's statements stay cheap: no temporary b-tree per insert (an `IN`
    /// list in a CHECK constraint builds one on every execution).
    #[test]
    fn inserts_build_no_temporary_indexes() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut c).unwrap();
        c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        for sql in [&*INSERT_COMPANY, &*INSERT_PERSON, &*INSERT_SUBMISSION] {
            let mut explain = c.prepare(&format!("EXPLAIN {sql}")).unwrap();
            let nulls = vec![rusqlite::types::Null; explain.parameter_count()];
            let opcodes: Vec<String> = explain
                .query_map(rusqlite::params_from_iter(nulls), |row| {
                    row.get::<_, String>(1)
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                !opcodes.iter().any(|op| op == "OpenEphemeral"),
                "{sql} builds a temporary b-tree"
            );
        }
    }

    #[test]
    fn touch_params_follow_the_field_order() {
        let mut touch = Touch::default();
        for (i, field) in TouchField::ALL.into_iter().enumerate() {
            match field {
                TouchField::At => touch.at = Some(i as i64),
                TouchField::ClickIdType => touch.click_id_type = Some("gclid".into()),
                _ => touch.set(field, &format!("v{i}")),
            }
        }
        let params = touch_params(&touch);
        for (i, field) in TouchField::ALL.into_iter().enumerate() {
            let expected = touch.get(field).unwrap();
            let got = match params[i].to_sql().unwrap() {
                rusqlite::types::ToSqlOutput::Borrowed(v) => v.into(),
                rusqlite::types::ToSqlOutput::Owned(v) => v,
                other => panic!("unexpected {other:?}"),
            };
            let got = match got {
                rusqlite::types::Value::Text(t) => t,
                rusqlite::types::Value::Integer(n) => n.to_string(),
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(got, expected, "{field:?}");
        }
    }

    #[test]
    fn origins_round_trip() {
        for o in [
            TouchOrigin::Tracker,
            TouchOrigin::RefererHeader,
            TouchOrigin::Api,
        ] {
            assert_eq!(origin_from_text(origin_text(o)), Some(o));
        }
        assert_eq!(origin_from_text("browser"), None);
    }
}
