//! Databases made by earlier builds, upgraded by this one: each test builds a database at
//! an earlier schema version (the migrations up to it), writes rows as that build wrote
//! them, opens it with the store and checks what the later migrations made of them.

use rusqlite::Connection;
use tempfile::TempDir;

use super::schema::MIGRATIONS;
use super::SqliteStore;
use crate::store::Store;

/// A database file at schema `version`, filled by `rows` (SQL as that build wrote).
fn database_at(version: usize, rows: &str) -> (TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut c = Connection::open(&path).unwrap();
    MIGRATIONS.to_version(&mut c, version).unwrap();
    c.execute_batch(rows).unwrap();
    (dir, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn companies_from_before_learn_whose_touch_their_source_is() {
    // Ada created Acme (same time, lowest id); Bob joined it later.
    let (_dir, path) = database_at(
        6,
        "INSERT INTO companies (id, name, match_key, domain, created_at, src_source, src_at) \
           VALUES (1, 'acme.example', 'acme.example', 'acme.example', 1000, 'newsletter', 990); \
         INSERT INTO companies (id, name, match_key, created_at) VALUES (2, 'Empty', 'empty', 1000); \
         INSERT INTO persons (id, email, email_key, company_id, created_at) \
           VALUES (1, 'ada@acme.example', 'ada@acme.example', 1, 1000), \
                  (2, 'bob@acme.example', 'bob@acme.example', 1, 2000), \
                  (3, 'eve@empty.example', 'eve@empty.example', 2, 1000);",
    );
    let store = SqliteStore::open(&path).unwrap();
    store.shutdown().await;
    let c = Connection::open(&path).unwrap();
    let owner = |id: i64| -> Option<i64> {
        c.query_row(
            "SELECT src_person_id FROM companies WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(owner(1), Some(1));
    // A company without a source has no owner to scrub it for.
    assert_eq!(owner(2), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identities_from_before_are_re_keyed_to_their_canonical_form() {
    // Keys only lower-cased: decomposed é, a Unicode domain; a company named after it.
    let (_dir, path) = database_at(
        7,
        "INSERT INTO companies (id, name, match_key, domain, created_at) \
           VALUES (1, 'bücher.example', 'bücher.example', 'bücher.example', 1), \
                  (2, 'acm\u{435}.example', 'acm\u{435}.example', 'acm\u{435}.example', 1), \
                  (3, 'Named', 'named', 'bücher.example', 1); \
         INSERT INTO persons (id, email, email_key, company_id, created_at) \
           VALUES (1, 'jose\u{301}@bücher.example', 'jose\u{301}@bücher.example', 1, 1), \
                  (2, 'plain@acme.example', 'plain@acme.example', NULL, 1);",
    );
    let store = SqliteStore::open(&path).unwrap();
    store.shutdown().await;
    let c = Connection::open(&path).unwrap();
    let key: String = c
        .query_row("SELECT email_key FROM persons WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(key, "jos\u{e9}@xn--bcher-kva.example");
    let plain: String = c
        .query_row("SELECT email_key FROM persons WHERE id = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(plain, "plain@acme.example");
    let company = |id: i64| -> (String, String, bool) {
        c.query_row(
            "SELECT match_key, domain, domain_mixes_scripts FROM companies WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(
        company(1),
        (
            "xn--bcher-kva.example".into(),
            "xn--bcher-kva.example".into(),
            false
        )
    );
    assert!(company(2).2, "the look-alike is flagged");
    // A company matched by its name keeps that key; only its domain changes form.
    assert_eq!(
        company(3),
        ("named".into(), "xn--bcher-kva.example".into(), false)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_from_before_are_listed_capturing_with_what_their_submissions_say() {
    let (_dir, path) = database_at(
        13,
        "INSERT INTO forms (id, key, created_at) VALUES (1, 'contact', 1000), (2, 'unused', 500); \
         INSERT INTO persons (id, email, email_key, created_at) \
           VALUES (1, 'ada@acme.example', 'ada@acme.example', 1000); \
         INSERT INTO submissions (id, person_id, form_id, channel, origin, created_at, payload, \
           conv_source) \
           VALUES (1, 1, 1, 'form', 'tracker', 1000, '{\"message\": \"hi\"}', 'newsletter'), \
                  (2, 1, 1, 'form', 'tracker', 3000, '{\"plan\": \"pro\"}', 'google');",
    );
    let store = SqliteStore::open(&path).unwrap();
    use crate::store::FormStore;
    let forms = store.forms().await.unwrap();
    let keys: Vec<&str> = forms.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["contact", "unused"]);
    let contact = &forms[0];
    assert!(contact.utm_capture);
    assert_eq!(contact.name, None);
    assert_eq!(contact.created_at, 1000);
    assert_eq!(contact.last_seen_at, Some(3000));
    assert_eq!(contact.submissions, 2);
    assert_eq!(contact.fields, ["email", "message", "plan"]);
    assert_eq!(forms[1].last_seen_at, None);
    assert_eq!(forms[1].submissions, 0);
    let submissions = store.submissions_of(1).await.unwrap();
    assert!(submissions.iter().all(|s| s.utm_capture));
    assert_eq!(submissions[1].conversion.source.as_deref(), Some("google"));
    store.shutdown().await;
}
