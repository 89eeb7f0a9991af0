//! Every earlier schema version upgraded by this build: a database at each version (the
//! migrations up to it) with rows in every table that version has, opened by the store;
//! every row must still be there with the values it had, and persons must read back
//! attributed as they were.
//!
//! A migration that adds a table adds its rows to [`FIXTURES`]; the test names a table
//! that has none.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::Connection;

use super::schema::{MIGRATIONS, SCHEMA_VERSION};
use super::SqliteStore;
use crate::store::Store;

/// Rows per table, as the build that made the table wrote them (only the columns it had),
/// in an order that satisfies foreign keys. Values are already in canonical form, so a
/// later migration that re-keys (0008) leaves them as they are.
const FIXTURES: &[(&str, &str)] = &[
    (
        "forms",
        "INSERT INTO forms (id, key, created_at) VALUES (1, 'contact', 1000), (2, 'demo', 1100)",
    ),
    (
        "associates",
        "INSERT INTO associates (id, name, email, created_at) \
         VALUES (1, 'Owner One', 'one@seller.example', 900)",
    ),
    (
        "companies",
        "INSERT INTO companies (id, name, match_key, domain, created_at, src_source, src_medium, \
         src_campaign, src_at) VALUES \
         (1, 'acme.example', 'acme.example', 'acme.example', 1000, 'google', 'cpc', 'spring', 990)",
    ),
    (
        "persons",
        "INSERT INTO persons (id, email, email_key, name, company_id, country, phone, status, \
         owner_id, created_at, first_source, first_medium, first_campaign, first_referrer, \
         first_at, lead_source, lead_medium, lead_campaign, lead_click_id, \
         lead_click_id_type, lead_landing_page, lead_at) VALUES \
         (1, 'ada@acme.example', 'ada@acme.example', 'Ada', 1, 'NO', '+4712345678', \
          'qualified', 1, 1000, 'google', 'cpc', 'spring', 'https://www.google.com/', 990, \
          'newsletter', 'email', 'may', 'abc123', 'gclid', 'https://site.example/p', 995), \
         (2, 'bob@other.example', 'bob@other.example', NULL, NULL, NULL, NULL, 'open', NULL, \
          2000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    ),
    (
        "submissions",
        "INSERT INTO submissions (id, person_id, form_id, channel, origin, created_at, payload, \
         conv_source, conv_medium, conv_campaign, conv_at) VALUES \
         (1, 1, 1, 'form', 'tracker', 1000, '{\"message\": \"hi\"}', 'newsletter', 'email', \
          'may', 995), \
         (2, 1, 2, 'api', 'api', 3000, '{}', 'linkedin', 'social', NULL, 2990), \
         (3, 2, 1, 'form', 'referer_header', 2000, '{}', NULL, NULL, NULL, NULL)",
    ),
    (
        "api_tokens",
        "INSERT INTO api_tokens (id, name, sha256, created_at) \
         VALUES (1, 'script', zeroblob(32), 1000)",
    ),
    (
        "status_changes",
        "INSERT INTO status_changes (id, person_id, status, changed_at) \
         VALUES (1, 1, 'in_progress', 1500), (2, 1, 'qualified', 1600)",
    ),
    (
        "sales",
        "INSERT INTO sales (id, person_id, company_id, title, amount_minor, currency, status, \
         at, closed_at, external_id, created_at, updated_at) \
         VALUES (1, 1, 1, 'Licence', 125000, 'EUR', 'won', 1700, 1800, 'crm-1', 1700, 1800)",
    ),
    (
        "selections",
        "INSERT INTO selections (id, name, entity, kind, criteria, created_at, updated_at) \
         VALUES (1, 'Qualified', 'person', 'static', '{}', 1000, 1000)",
    ),
    (
        "selection_members",
        "INSERT INTO selection_members (selection_id, member_id, added_at) VALUES (1, 1, 1000)",
    ),
    (
        "consents",
        "INSERT INTO consents (id, person_id, purpose, given, at, form_id, submission_id) \
         VALUES (1, 1, 'e_marketing', 1, 1000, 1, 1)",
    ),
    (
        "source_aliases",
        "INSERT INTO source_aliases (alias, source, created_at) VALUES ('fb', 'facebook', 1000)",
    ),
    (
        "saved_links",
        "INSERT INTO saved_links (id, campaign, name, url, target, source, medium, channel, \
         created_at) VALUES (1, 'spring', 'banner', \
         'https://site.example/?utm_source=google', 'https://site.example/', 'google', 'cpc', \
         'paid_search', 1000)",
    ),
    (
        "dashboards",
        "INSERT INTO dashboards (id, name, tiles, filters, created_at, updated_at) \
         VALUES (1, 'Marketing', '[{\"tile\": \"leads_by_source\"}]', '{}', 1000, 1000)",
    ),
    (
        "id_floors",
        "INSERT INTO id_floors (tbl, floor) VALUES ('persons', 1000)",
    ),
    (
        "users",
        "INSERT INTO users (id, email, email_key, name, role, password_hash, created_at, \
         password_changed_at) VALUES (1, 'admin@seller.example', 'admin@seller.example', \
         'Admin', 'admin', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA', 1000, 1000)",
    ),
    (
        "sessions",
        "INSERT INTO sessions (id_sha256, user_id, created_at, last_seen_at) \
         VALUES (zeroblob(32), 1, 1000, 1000)",
    ),
    (
        "audit_log",
        "INSERT INTO audit_log (id, at, actor, action, target) \
         VALUES (1, 1000, 'user:1', 'token.create', 'token:1')",
    ),
    (
        "invitations",
        "INSERT INTO invitations (id, email, email_key, name, role, token_sha256, created_by, \
         created_at, expires_at) VALUES (1, 'new@seller.example', 'new@seller.example', 'New', \
         'viewer', zeroblob(32), 1, 1000, 999999999999999)",
    ),
    (
        "user_preferences",
        "INSERT INTO user_preferences (user_id, language) VALUES (1, 'nb')",
    ),
    (
        "user_columns",
        "INSERT INTO user_columns (user_id, table_id, columns) VALUES (1, 'persons', '[\"email\"]')",
    ),
    (
        "campaign_costs",
        "INSERT INTO campaign_costs (day, source, medium, campaign, currency, amount_minor, \
         imported_at) VALUES ('2026-01-01', 'google', 'cpc', 'spring', 'EUR', 5000, 1000)",
    ),
];

/// The tables of a database, without SQLite's own.
fn tables(c: &Connection) -> Vec<String> {
    c.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> 'rusqlite_migration' ORDER BY name",
    )
    .unwrap()
    .query_map([], |r| r.get(0))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn columns(c: &Connection, table: &str) -> Vec<String> {
    c.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every row of `table`, the given columns only, in a stable order.
fn rows(c: &Connection, table: &str, columns: &[String]) -> Vec<Vec<Value>> {
    let list = columns.join(", ");
    let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
    let mut statement = c
        .prepare(&format!(
            "SELECT {list} FROM {table} ORDER BY {}",
            order.join(", ")
        ))
        .unwrap();
    statement
        .query_map([], |row| {
            (0..columns.len())
                .map(|i| row.get::<_, Value>(i))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

type Snapshot = BTreeMap<String, (Vec<String>, Vec<Vec<Value>>)>;

fn snapshot(c: &Connection) -> Snapshot {
    tables(c)
        .into_iter()
        .map(|table| {
            let columns = columns(c, &table);
            let rows = rows(c, &table, &columns);
            (table, (columns, rows))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_earlier_schema_version_upgrades_with_every_row_kept() {
    const { assert!(SCHEMA_VERSION > 1) };
    for version in 1..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("v{version}.db"));
        let before = {
            let mut c = Connection::open(&path).unwrap();
            MIGRATIONS.to_version(&mut c, version).unwrap();
            let present = tables(&c);
            for table in &present {
                assert!(
                    FIXTURES.iter().any(|(name, _)| name == table),
                    "table {table} (schema version {version}) has no rows in FIXTURES of \
                     upgrade_every_version_tests.rs: add an INSERT for it"
                );
            }
            for (table, sql) in FIXTURES {
                if present.iter().any(|t| t == table) {
                    c.execute_batch(sql)
                        .unwrap_or_else(|e| panic!("version {version}, {table}: {e}"));
                }
            }
            snapshot(&c)
        };

        let store = SqliteStore::open(&path)
            .unwrap_or_else(|e| panic!("version {version} does not upgrade: {e}"));
        // Persons read back through the store attributed as they were written.
        let ada = store.person(1).await.unwrap().expect("person 1");
        let first = ada.first_interaction.expect("first interaction");
        assert_eq!(
            (first.source.as_deref(), first.medium.as_deref(), first.at),
            (Some("google"), Some("cpc"), Some(990)),
            "version {version}"
        );
        let lead = ada.lead_generation.expect("lead generation");
        assert_eq!(
            (
                lead.source.as_deref(),
                lead.campaign.as_deref(),
                lead.click_id.as_deref()
            ),
            (Some("newsletter"), Some("may"), Some("abc123")),
            "version {version}"
        );
        assert_eq!(ada.company_id, Some(1));
        let bob = store.person(2).await.unwrap().expect("person 2");
        assert!(bob.first_interaction.is_none() && bob.lead_generation.is_none());
        let submissions = store.submissions_of(1).await.unwrap();
        let sources: Vec<_> = submissions
            .iter()
            .map(|s| s.conversion.source.as_deref())
            .collect();
        assert_eq!(
            sources,
            [Some("newsletter"), Some("linkedin")],
            "version {version}"
        );
        let company = store.company(1).await.unwrap().expect("company 1");
        assert_eq!(
            company.source.and_then(|t| t.source).as_deref(),
            Some("google")
        );
        store.shutdown().await;

        // Every row of every table, every column it had, unchanged.
        let c = Connection::open(&path).unwrap();
        let version_now: usize = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version_now, SCHEMA_VERSION);
        for (table, (columns, rows_before)) in &before {
            assert!(
                !rows_before.is_empty(),
                "version {version}: {table} is empty"
            );
            let rows_after = rows(&c, table, columns);
            assert_eq!(
                &rows_after, rows_before,
                "version {version}: {table} changed in the upgrade"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let mut c = Connection::open(&path).unwrap();
        MIGRATIONS.to_latest(&mut c).unwrap();
        c.execute_batch(FIXTURES[0].1).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let error = SqliteStore::open(&path).unwrap_err().to_string();
    assert!(
        error.contains(&format!("schema version {}", SCHEMA_VERSION + 1))
            && error.contains("use a newer leadtrail"),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(!dir.path().join("newer.db-wal").exists());
}
