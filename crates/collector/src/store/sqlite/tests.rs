//! Tests of the SQLite store against real database files in temporary directories, through
//! the [`Store`] trait the HTTP layer uses. Faults are real SQLite conditions: another
//! connection holding the write lock, a page cap that makes SQLite report a full disk,
//! `query_only` making the write connection read-only.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadtrail_core::identity::{CompanyIdentity, Email};
use leadtrail_core::{Touch, TouchOrigin};
use proptest::prelude::*;
use rusqlite::Connection;
use serde_json::{json, Map, Value};
use tempfile::TempDir;

use super::links_channels::PreparedTouches;
use super::{SqliteStore, StoreOptions};
use crate::store::links::LinkStore;
use crate::store::{IncomingSubmission, Store, StoreError, SubmissionReceipt};

const T0: i64 = 1_726_000_000_000;

fn touch(source: &str, medium: &str, campaign: &str, at: i64) -> Touch {
    Touch {
        source: Some(source.into()),
        medium: Some(medium.into()),
        campaign: Some(campaign.into()),
        at: Some(at),
        ..Touch::default()
    }
}

fn linkedin() -> Touch {
    Touch {
        landing_page: Some("https://acme.example/webinar?utm_source=linkedin".into()),
        referrer: Some("https://www.linkedin.com/".into()),
        click_id: Some("AbC".into()),
        click_id_type: Some("li_fat_id".into()),
        ..touch("linkedin", "paid_social", "webinar_sept", T0)
    }
}

fn facebook() -> Touch {
    Touch {
        click_id: Some("IwAR0x".into()),
        click_id_type: Some("fbclid".into()),
        ..touch("facebook", "paid_social", "webinar_sept", T0 + 86_400_000)
    }
}

fn newsletter() -> Touch {
    touch("newsletter", "email", "october_news", T0 + 30 * 86_400_000)
}

fn submission(email: &str, first: Option<Touch>, current: Touch) -> IncomingSubmission {
    IncomingSubmission {
        form_key: "webinar-signup".into(),
        channel: "form".into(),
        email: Email::parse(email).unwrap(),
        name: Some("Ola Nordmann".into()),
        company: None,
        country: Some("NO".into()),
        phone: None,
        payload: Map::new(),
        received_at: current.at.unwrap_or(T0) + 1_000,
        first,
        current,
        journey: Vec::new(),
        origin: TouchOrigin::Tracker,
        consent_policy: Default::default(),
        requester: Default::default(),
    }
}

fn with_company(mut s: IncomingSubmission, company: &str) -> IncomingSubmission {
    s.company = Some(company.into());
    s
}

struct Fixture {
    dir: TempDir,
    store: Arc<SqliteStore>,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with_options(StoreOptions::default())
    }

    fn with_options(options: StoreOptions) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_with(&dir.path().join("leadtrail.db"), options).unwrap();
        Fixture {
            dir,
            store: Arc::new(store),
        }
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("leadtrail.db")
    }

    async fn record(&self, s: IncomingSubmission) -> SubmissionReceipt {
        self.store.record_submission(s).await.unwrap()
    }

    /// A connection of its own, as another process would open the file.
    fn outside(&self) -> Connection {
        outside(&self.path())
    }
}

fn outside(path: &Path) -> Connection {
    let c = Connection::open(path).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c
}

fn count(c: &Connection, table: &str) -> i64 {
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_journey_linkedin_first_facebook_lead_newsletter_conversion() {
    let f = Fixture::new();
    // Visit 1: LinkedIn ad, leaves. Visit 2: Facebook ad, submits — the tracker sends both.
    let first = f
        .record(with_company(
            submission("ola@acme.no", Some(linkedin()), facebook()),
            "Acme AS",
        ))
        .await;
    assert!(first.person_created);
    assert!(first.company_created);
    let person = f.store.person(first.person_id).await.unwrap().unwrap();
    assert_eq!(person.email, "ola@acme.no");
    assert_eq!(person.first_interaction, Some(linkedin()));
    assert_eq!(person.lead_generation, Some(facebook()));
    assert_eq!(person.company_id, first.company_id);
    let company = f
        .store
        .company(first.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(company.name, "Acme AS");
    assert_eq!(company.domain.as_deref(), Some("acme.no"));
    assert_eq!(company.source, Some(facebook()));

    // The same person comes back through the newsletter.
    let again = f
        .record(with_company(
            submission("ola@acme.no", Some(linkedin()), newsletter()),
            "Acme AS",
        ))
        .await;
    assert_eq!(again.person_id, first.person_id);
    assert!(!again.person_created);
    assert!(!again.company_created);
    assert_eq!(again.company_id, first.company_id);
    assert_eq!(
        f.store.person(first.person_id).await.unwrap().unwrap(),
        person
    );
    assert_eq!(
        f.store
            .company(first.company_id.unwrap())
            .await
            .unwrap()
            .unwrap(),
        company
    );
    let submissions = f.store.submissions_of(first.person_id).await.unwrap();
    assert_eq!(
        submissions.iter().map(|s| s.id).collect::<Vec<_>>(),
        [first.submission_id, again.submission_id]
    );
    assert_eq!(submissions[0].conversion, facebook());
    assert_eq!(submissions[1].conversion, newsletter());
    let c = f.outside();
    assert_eq!(
        (
            count(&c, "persons"),
            count(&c, "companies"),
            count(&c, "submissions")
        ),
        (1, 1, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persons_are_matched_by_email_case_insensitively() {
    let f = Fixture::new();
    let a = f
        .record(submission("Kari.Hansen@Firma.NO", None, facebook()))
        .await;
    let b = f
        .record(submission("kari.hansen@firma.no", None, newsletter()))
        .await;
    assert!(a.person_created);
    assert!(!b.person_created);
    assert_eq!(a.person_id, b.person_id);
    for query in ["KARI.HANSEN@firma.no", "  kari.hansen@FIRMA.no "] {
        let found = f.store.persons_by_email(query).await.unwrap();
        assert_eq!(found.len(), 1, "{query}");
        assert_eq!(found[0].id, a.person_id);
        // The address is kept as first submitted.
        assert_eq!(found[0].email, "Kari.Hansen@Firma.NO");
    }
    assert!(f
        .store
        .persons_by_email("someone@else.no")
        .await
        .unwrap()
        .is_empty());
    // A first touch without a remembered one: the current touch is both.
    let person = f.store.person(a.person_id).await.unwrap().unwrap();
    assert_eq!(person.first_interaction, Some(facebook()));
    assert_eq!(person.lead_generation, Some(facebook()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_mail_without_company_field_makes_no_company() {
    let f = Fixture::new();
    let r = f
        .record(submission("someone@gmail.com", None, facebook()))
        .await;
    assert_eq!((r.company_id, r.company_created), (None, false));
    let person = f.store.person(r.person_id).await.unwrap().unwrap();
    assert_eq!(person.company_id, None);
    assert_eq!(count(&f.outside(), "companies"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_field_matches_by_key_and_an_existing_company_never_changes() {
    let f = Fixture::new();
    let a = f
        .record(with_company(
            submission("a@acme.no", Some(linkedin()), facebook()),
            "  Acme   AS ",
        ))
        .await;
    // Another new person typing the name differently, from a free-mail address and
    // another campaign: same company, which keeps its name, domain and source.
    let b = f
        .record(with_company(
            submission("b@gmail.com", None, newsletter()),
            "acme as",
        ))
        .await;
    assert!(a.company_created);
    assert!(b.person_created);
    assert!(!b.company_created);
    assert_eq!(b.company_id, a.company_id);
    let company = f
        .store
        .company(a.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(company.name, "Acme   AS");
    assert_eq!(company.domain.as_deref(), Some("acme.no"));
    assert_eq!(company.source, Some(facebook()));

    // Without a company field the e-mail domain is the company; colleagues share it.
    let c = f
        .record(submission("c@nordic.example.org", None, facebook()))
        .await;
    let d = f
        .record(submission("d@Nordic.Example.org", None, newsletter()))
        .await;
    assert!(c.company_created && !d.company_created);
    assert_eq!(c.company_id, d.company_id);
    let domain_company = f
        .store
        .company(c.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(domain_company.name, "nordic.example.org");
    assert_eq!(domain_company.source, Some(facebook()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_person_keeps_their_company() {
    let f = Fixture::new();
    let private = f
        .record(submission("ola@gmail.com", None, facebook()))
        .await;
    // Later the same person names a company: no company is created, nothing changes.
    let later = f
        .record(with_company(
            submission("ola@gmail.com", None, newsletter()),
            "Acme AS",
        ))
        .await;
    assert_eq!((later.company_id, later.company_created), (None, false));
    assert_eq!(count(&f.outside(), "companies"), 0);
    let person = f.store.person(private.person_id).await.unwrap().unwrap();
    assert_eq!(person.company_id, None);

    // And a person with a company keeps it when naming another one.
    let work = f
        .record(with_company(
            submission("kari@acme.no", None, facebook()),
            "Acme AS",
        ))
        .await;
    let moved = f
        .record(with_company(
            submission("kari@acme.no", None, newsletter()),
            "Other Corp",
        ))
        .await;
    assert_eq!(moved.company_id, work.company_id);
    assert!(!moved.company_created);
    assert_eq!(count(&f.outside(), "companies"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_is_stored_and_read_back_exactly() {
    let f = Fixture::new();
    let full = Touch {
        source: Some("google".into()),
        medium: Some("cpc".into()),
        campaign: Some("brand_no".into()),
        term: Some("crm system".into()),
        content: Some("ad_1 ÆØÅ".into()),
        id: Some("cmp-42".into()),
        click_id: Some("Cj0KCQjw".into()),
        click_id_type: Some("gclid".into()),
        referrer: Some("https://www.google.com/".into()),
        landing_page: Some("https://acme.example/?gclid=Cj0KCQjw".into()),
        at: Some(T0),
    };
    let mut s = submission("Full@Acme.no", Some(linkedin()), full.clone());
    s.form_key = "contact".into();
    s.channel = "chat".into();
    s.origin = TouchOrigin::RefererHeader;
    s.phone = Some("+47 22 00 00 00".into());
    s.payload = json!({"message": "Hei <b>der</b>", "newsletter": "yes", "n": 3})
        .as_object()
        .unwrap()
        .clone();
    let r = f.record(s.clone()).await;
    let person = f.store.person(r.person_id).await.unwrap().unwrap();
    assert_eq!(person.name.as_deref(), Some("Ola Nordmann"));
    assert_eq!(person.country.as_deref(), Some("NO"));
    assert_eq!(person.phone.as_deref(), Some("+47 22 00 00 00"));
    assert_eq!(person.created_at, s.received_at);
    assert_eq!(person.first_interaction, Some(linkedin()));
    assert_eq!(person.lead_generation, Some(full.clone()));
    let [stored] = &f.store.submissions_of(r.person_id).await.unwrap()[..] else {
        panic!("one submission expected");
    };
    assert_eq!(stored.id, r.submission_id);
    assert_eq!(stored.person_id, r.person_id);
    assert_eq!(stored.form, "contact");
    assert_eq!(stored.channel, "chat");
    assert_eq!(stored.origin, TouchOrigin::RefererHeader);
    assert_eq!(stored.created_at, s.received_at);
    assert_eq!(stored.conversion, full);
    assert_eq!(stored.payload, s.payload);

    // Forms are registered once; unknown ids read as absent.
    f.record(s).await;
    let c = f.outside();
    assert_eq!(count(&c, "forms"), 1);
    assert_eq!(
        c.query_row("SELECT status FROM persons", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "open"
    );
    assert_eq!(f.store.person(999).await.unwrap(), None);
    assert_eq!(f.store.company(999).await.unwrap(), None);
    assert!(f.store.submissions_of(999).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_are_counted_exactly_and_durable() {
    const TASKS: usize = 500;
    const PEOPLE: usize = 200;
    let f = Fixture::new();
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let store = Arc::clone(&f.store);
            // Shared addresses arrive in different spellings from different tasks.
            let (person, firm) = (i % PEOPLE, (i % PEOPLE) % 7);
            let email = if i % 2 == 0 {
                format!("person{person}@firm{firm}.example.org")
            } else {
                format!("Person{person}@FIRM{firm}.example.org")
            };
            tokio::spawn(async move {
                store
                    .record_submission(submission(&email, None, facebook()))
                    .await
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.push(t.await.unwrap().unwrap());
    }
    assert_eq!(receipts.iter().filter(|r| r.person_created).count(), PEOPLE);
    assert_eq!(
        receipts.iter().filter(|r| r.company_created).count(),
        7,
        "one company per domain"
    );
    let ids: HashSet<_> = receipts.iter().map(|r| r.submission_id).collect();
    assert_eq!(ids.len(), TASKS);

    // Every acknowledged row is visible to another connection once the futures resolved.
    let c = f.outside();
    assert_eq!(count(&c, "persons"), PEOPLE as i64);
    assert_eq!(count(&c, "submissions"), TASKS as i64);
    assert_eq!(count(&c, "companies"), 7);
    let mut stmt = c
        .prepare("SELECT person_id FROM submissions WHERE id = ?1")
        .unwrap();
    for r in &receipts {
        let person: i64 = stmt.query_row([r.submission_id], |row| row.get(0)).unwrap();
        assert_eq!(person, r.person_id);
    }
    let stats = f.store.writer().stats();
    assert!(
        stats.batches() < TASKS as u64,
        "writes were grouped: {} batches for {} writes",
        stats.batches(),
        stats.writes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_keeps_the_data_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadtrail.db");
    let first = {
        let store = SqliteStore::open(&path).unwrap();
        store
            .record_submission(submission("ola@acme.no", Some(linkedin()), facebook()))
            .await
            .unwrap()
    };
    for _ in 0..2 {
        let store = SqliteStore::open(&path).unwrap();
        let again = store
            .record_submission(submission("OLA@acme.no", None, newsletter()))
            .await
            .unwrap();
        assert_eq!(again.person_id, first.person_id);
        assert!(!again.person_created);
        let person = store.person(first.person_id).await.unwrap().unwrap();
        assert_eq!(person.first_interaction, Some(linkedin()));
        store.shutdown().await;
    }
    let c = outside(&path);
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, super::schema::SCHEMA_VERSION as i64);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(count(&c, "submissions"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_refreshes_the_planners_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadtrail.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        for i in 0..300 {
            let current = if i % 3 == 0 { linkedin() } else { facebook() };
            store
                .record_submission(submission(&format!("p{i}@acme.no"), None, current))
                .await
                .unwrap();
        }
        store.shutdown().await;
    }
    let analysed = |table: &str| -> i64 {
        outside(&path)
            .query_row(
                "SELECT count(*) FROM sqlite_master m WHERE m.name = 'sqlite_stat1' \
                 AND EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = ?1)",
                [table],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(
        analysed("persons"),
        0,
        "a new file has nothing to analyse yet"
    );
    let store = SqliteStore::open(&path).unwrap();
    store.shutdown().await;
    assert_eq!(
        analysed("persons"),
        1,
        "reopening analysed the grown tables"
    );
    assert_eq!(analysed("submissions"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_a_newer_leadtrail_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leadtrail.db");
    drop(SqliteStore::open(&path).unwrap());
    outside(&path)
        .execute_batch("PRAGMA user_version = 999")
        .unwrap();
    match SqliteStore::open(&path) {
        Err(StoreError::Internal(message)) => assert!(message.contains("newer"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_directory_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let err = SqliteStore::open(&dir.path().join("no/such/dir/leadtrail.db")).unwrap_err();
    assert!(err.to_string().contains("cannot open database"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_commits_what_was_queued_and_refuses_more() {
    const QUEUED: usize = 100;
    let f = Fixture::new();
    // Another connection holds the write lock, so the writer cannot commit and the
    // submissions pile up in its queue.
    let lock = f.outside();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let tasks: Vec<_> = (0..QUEUED)
        .map(|i| {
            let store = Arc::clone(&f.store);
            tokio::spawn(async move {
                store
                    .record_submission(submission(&format!("p{i}@acme.no"), None, facebook()))
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let shutdown = {
        let store = Arc::clone(&f.store);
        tokio::spawn(async move { store.shutdown().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!shutdown.is_finished(), "shutdown waits for the queue");
    assert!(matches!(
        f.store
            .record_submission(submission("late@acme.no", None, facebook()))
            .await,
        Err(StoreError::Closed)
    ));
    lock.execute_batch("COMMIT").unwrap();

    shutdown.await.unwrap();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(count(&f.outside(), "submissions"), QUEUED as i64);
    assert!(matches!(
        f.store
            .record_submission(submission("later@acme.no", None, facebook()))
            .await,
        Err(StoreError::Closed)
    ));
    assert!(matches!(
        f.store.insert_api_token("t", [1; 32]).await,
        Err(StoreError::Closed)
    ));
    assert!(f.store.health().await.is_err());
    // Reads still work after shutdown, and a second shutdown returns at once.
    assert_eq!(
        f.store.persons_by_email("p0@acme.no").await.unwrap().len(),
        1
    );
    f.store.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_elsewhere_gives_unavailable_then_recovers() {
    let f = Fixture::with_options(StoreOptions {
        busy_timeout: Duration::from_millis(200),
        ..StoreOptions::default()
    });
    let lock = f.outside();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let refused = f
        .store
        .record_submission(submission("ola@acme.no", Some(linkedin()), facebook()))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(_))),
        "{refused:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(200));
    // Reads do not wait for the writer's lock.
    assert!(f.store.health().await.is_ok());
    lock.execute_batch("COMMIT").unwrap();
    let r = f
        .record(submission("ola@acme.no", Some(linkedin()), newsletter()))
        .await;
    assert!(r.person_created, "the refused write left nothing behind");
    let person = f.store.person(r.person_id).await.unwrap().unwrap();
    assert_eq!(person.lead_generation, Some(newsletter()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_unavailable_and_nothing_half_written_then_recovers() {
    let f = Fixture::new();
    f.record(submission("first@acme.no", None, facebook()))
        .await;
    let c = f.outside();
    let before = (count(&c, "persons"), count(&c, "submissions"));
    // Cap the file at its current size: SQLite then fails every write that needs a new
    // page with SQLITE_FULL, exactly as on a full disk.
    f.store
        .writer()
        .execute("PRAGMA max_page_count = 1")
        .await
        .unwrap();
    let mut big = with_company(
        submission("second@other.no", Some(linkedin()), facebook()),
        "Other AS",
    );
    big.payload
        .insert("essay".into(), Value::String("x".repeat(200_000)));
    let refused = f.store.record_submission(big.clone()).await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(ref m)) if m.contains("full")),
        "{refused:?}"
    );
    assert_eq!(
        (count(&c, "persons"), count(&c, "submissions")),
        before,
        "nothing of the refused submission was written"
    );
    assert_eq!(count(&c, "companies"), 1);
    // Room again: the same submission goes through, as a new person.
    f.store
        .writer()
        .execute("PRAGMA max_page_count = 1073741823")
        .await
        .unwrap();
    let r = f.record(big).await;
    assert!(r.person_created && r.company_created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_gives_unavailable_then_recovers() {
    let f = Fixture::new();
    f.store
        .writer()
        .execute("PRAGMA query_only = ON")
        .await
        .unwrap();
    let refused = f
        .store
        .record_submission(submission("ola@acme.no", None, facebook()))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(ref m)) if m.contains("readonly")),
        "{refused:?}"
    );
    assert!(matches!(
        f.store.insert_api_token("t", [7; 32]).await,
        Err(StoreError::Unavailable(_))
    ));
    f.store
        .writer()
        .execute("PRAGMA query_only = OFF")
        .await
        .unwrap();
    assert!(
        f.record(submission("ola@acme.no", None, facebook()))
            .await
            .person_created
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_rolls_back_alone_within_its_batch() {
    let f = Fixture::new();
    let lock = f.outside();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    // The writer takes this one alone and waits for the lock; the next three queue up
    // behind it and are committed together.
    let opener = {
        let store = Arc::clone(&f.store);
        tokio::spawn(async move { store.insert_api_token("opener", [9; 32]).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let mut bad = with_company(submission("bad@bad.no", None, facebook()), "Bad AS");
    bad.channel = "fax".into(); // refused by the schema's CHECK
    let trio: Vec<_> = [
        with_company(submission("good1@good.no", None, facebook()), "Good AS"),
        bad,
        submission("good2@good.no", None, facebook()),
    ]
    .into_iter()
    .map(|s| {
        let store = Arc::clone(&f.store);
        tokio::spawn(async move { store.record_submission(s).await })
    })
    .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    lock.execute_batch("COMMIT").unwrap();
    opener.await.unwrap().unwrap();
    let mut results = Vec::new();
    for t in trio {
        results.push(t.await.unwrap());
    }
    assert!(results[0].is_ok());
    assert!(
        matches!(results[1], Err(StoreError::Internal(_))),
        "{:?}",
        results[1]
    );
    assert!(results[2].is_ok());
    assert_eq!(
        f.store.writer().stats().batches(),
        2,
        "opener, then the trio"
    );
    let c = f.outside();
    assert_eq!(count(&c, "persons"), 2);
    assert_eq!(count(&c, "submissions"), 2);
    let bad_company: i64 = c
        .query_row(
            "SELECT count(*) FROM companies WHERE match_key = 'bad as'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        bad_company, 0,
        "the failed write's company was rolled back too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_the_writer_costs_its_batch_not_the_writer() {
    let f = Fixture::new();
    let lock = f.outside();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let opener = {
        let store = Arc::clone(&f.store);
        tokio::spawn(async move { store.insert_api_token("opener", [9; 32]).await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    // A submission queued in the same batch as the panicking write.
    let victim = {
        let store = Arc::clone(&f.store);
        tokio::spawn(async move {
            store
                .record_submission(submission("victim@acme.no", None, facebook()))
                .await
        })
    };
    let panicking = {
        let store = Arc::clone(&f.store);
        tokio::spawn(async move { store.writer().panic().await })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    lock.execute_batch("COMMIT").unwrap();
    opener.await.unwrap().unwrap();
    let panicked = panicking.await.unwrap();
    assert!(
        matches!(panicked, Err(StoreError::Internal(_))),
        "{panicked:?}"
    );
    let victim = victim.await.unwrap();
    assert!(victim.is_err(), "answered with an error, not left hanging");
    assert_eq!(
        count(&f.outside(), "persons"),
        0,
        "the batch was rolled back"
    );
    // The writer lives on.
    assert!(f.store.health().await.is_ok());
    assert!(
        f.record(submission("victim@acme.no", None, facebook()))
            .await
            .person_created
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_are_stored_by_hash_only() {
    let f = Fixture::new();
    let hash = [0xab; 32];
    assert!(!f.store.api_token_exists(hash).await.unwrap());
    f.store.insert_api_token("ci", hash).await.unwrap();
    // Inserting the same token again (e.g. the configured token at every start) is fine.
    f.store.insert_api_token("ci again", hash).await.unwrap();
    assert!(f.store.api_token_exists(hash).await.unwrap());
    assert!(!f.store.api_token_exists([0xac; 32]).await.unwrap());
    let c = f.outside();
    let (n, name, stored): (i64, String, Vec<u8>) = c
        .query_row(
            "SELECT count(*), min(name), min(sha256) FROM api_tokens",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((n, name.as_str(), stored), (1, "ci", hash.to_vec()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_works_as_a_shared_trait_object() {
    let f = Fixture::new();
    let store: Arc<dyn Store> = f.store.clone();
    store.health().await.unwrap();
    let r = store
        .record_submission(submission("ola@acme.no", None, facebook()))
        .await
        .unwrap();
    assert_eq!(
        store.person(r.person_id).await.unwrap().unwrap().id,
        r.person_id
    );
    store.shutdown().await;
}

/// A small model of the attribution rules, checked against what the store keeps.
#[derive(Debug, Clone)]
struct Step {
    person: usize,
    shout: bool,
    company: Option<&'static str>,
    first: Option<&'static str>,
    current: &'static str,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = (
        0..6usize,
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["Acme AS", "acme  as", "Nordic"])),
        prop::option::of(prop::sample::select(vec!["linkedin", "google"])),
        prop::sample::select(vec!["facebook", "newsletter", "bing"]),
    )
        .prop_map(|(person, shout, company, first, current)| Step {
            person,
            shout,
            company,
            first,
            current,
        });
    prop::collection::vec(step, 1..20)
}

fn email_of(step: &Step) -> String {
    // Persons 0–2 use work addresses on two domains; 3–5 use free mail.
    let domain = match step.person {
        0 | 1 => "acme.no",
        2 => "nordic.example.org",
        _ => "gmail.com",
    };
    let email = format!("person{}@{domain}", step.person);
    if step.shout {
        email.to_uppercase()
    } else {
        email
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_store_follows_the_seed_rules(steps in steps()) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let f = Fixture::new();
            // Model: per e-mail key, the first submission decides the person; per company
            // key, the first new person that names it decides the company.
            let mut persons: HashMap<String, (Touch, Touch, Option<String>)> = HashMap::new();
            let mut companies: HashMap<String, Touch> = HashMap::new();
            let mut submissions: HashMap<String, Vec<Touch>> = HashMap::new();
            for (i, step) in steps.iter().enumerate() {
                let email = Email::parse(&email_of(step)).unwrap();
                let first = step.first.map(|s| touch(s, "paid", "c", T0 + i as i64));
                let current = touch(step.current, "email", "c", T0 + i as i64);
                let mut s = submission(&email.as_given, first.clone(), current.clone());
                s.company = step.company.map(str::to_owned);
                let receipt = f.record(s).await;
                let is_new = !persons.contains_key(&email.key);
                prop_assert_eq!(receipt.person_created, is_new);
                if is_new {
                    let identity = CompanyIdentity::of(step.company, &email);
                    let company_key = identity.map(|c| c.key);
                    if let Some(key) = &company_key {
                        let company_is_new = !companies.contains_key(key);
                        prop_assert_eq!(receipt.company_created, company_is_new);
                        companies.entry(key.clone()).or_insert_with(|| current.clone());
                    }
                    persons.insert(
                        email.key.clone(),
                        (first.unwrap_or_else(|| current.clone()), current.clone(), company_key),
                    );
                } else {
                    prop_assert!(!receipt.company_created);
                }
                submissions.entry(email.key.clone()).or_default().push(current);
            }
            let c = f.outside();
            prop_assert_eq!(count(&c, "persons") as usize, persons.len());
            prop_assert_eq!(count(&c, "companies") as usize, companies.len());
            prop_assert_eq!(count(&c, "submissions") as usize, steps.len());
            for (key, (first, lead, company_key)) in &persons {
                let found = f.store.persons_by_email(key).await.unwrap();
                prop_assert_eq!(found.len(), 1);
                let person = &found[0];
                prop_assert_eq!(person.first_interaction.as_ref(), Some(first));
                prop_assert_eq!(person.lead_generation.as_ref(), Some(lead));
                match (company_key, person.company_id) {
                    (None, None) => {}
                    (Some(key), Some(id)) => {
                        let company = f.store.company(id).await.unwrap().unwrap();
                        prop_assert_eq!(company.source.as_ref(), companies.get(key));
                    }
                    (expected, got) => prop_assert!(false, "company {:?} vs {:?}", expected, got),
                }
                let conversions: Vec<Touch> = f
                    .store
                    .submissions_of(person.id)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|s| s.conversion)
                    .collect();
                prop_assert_eq!(&conversions, &submissions[key]);
            }
            Ok(())
        })?;
    }
}

/// Throughput of the writer alone (no HTTP): N tasks each recording submissions with
/// unique e-mails and realistic touches, as fast as they are answered.
/// `cargo test --release -p leadtrail-collector --lib writer_throughput -- --ignored --nocapture`
/// Knobs for experiments without rebuilding: `BENCH_TOTAL` (submissions per run),
/// `BENCH_TASKS` (comma list), `BENCH_SQL` (run on the write connection first, e.g.
/// `PRAGMA synchronous = OFF` to see the CPU-bound ceiling), `BENCH_DIR` (where the
/// database lives).
#[test]
#[ignore = "benchmark; prints figures"]
fn writer_throughput() {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let total_per_run: usize = env("BENCH_TOTAL").map_or(40_000, |v| v.parse().unwrap());
    let task_counts: Vec<usize> = env("BENCH_TASKS").map_or(vec![1, 8, 64, 256], |v| {
        v.split(',').map(|n| n.trim().parse().unwrap()).collect()
    });
    let setup_sql = env("BENCH_SQL");
    let dir = env("BENCH_DIR");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "writer alone, {total_per_run} new persons per run (a tenth with 1 task), \
         durable (WAL synced before each answer); setup: {}",
        setup_sql.as_deref().unwrap_or("none")
    );
    println!("tasks  subs/s   p50 ms  p99 ms  writes/batch  writer CPU µs/sub  disk KB/sub");
    for tasks in task_counts {
        let total = if tasks == 1 {
            total_per_run / 10
        } else {
            total_per_run
        };
        runtime.block_on(async {
            let f = match &dir {
                Some(dir) => {
                    let dir = tempfile::tempdir_in(dir).unwrap();
                    let store = SqliteStore::open(&dir.path().join("leadtrail.db")).unwrap();
                    Fixture {
                        dir,
                        store: Arc::new(store),
                    }
                }
                None => Fixture::new(),
            };
            if let Some(sql) = &setup_sql {
                f.store.writer().execute(sql).await.unwrap();
            }
            let written_before = bytes_written();
            let started = Instant::now();
            let handles: Vec<_> = (0..tasks)
                .map(|t| {
                    let store = Arc::clone(&f.store);
                    tokio::spawn(async move {
                        let mut latencies = Vec::new();
                        for i in (t..total).step_by(tasks) {
                            let mut s = with_company(
                                submission(
                                    &format!("lead{i}@company{}.example.org", i % 5000),
                                    Some(linkedin()),
                                    facebook(),
                                ),
                                &format!("Company {}", i % 5000),
                            );
                            s.payload.insert(
                                "message".into(),
                                json!("Please call me back about the webinar."),
                            );
                            let t0 = Instant::now();
                            store.record_submission(s).await.unwrap();
                            latencies.push(t0.elapsed());
                        }
                        latencies
                    })
                })
                .collect();
            let mut latencies = Vec::new();
            for h in handles {
                latencies.extend(h.await.unwrap());
            }
            let elapsed = started.elapsed();
            let writer_cpu = writer_thread_cpu();
            let written = bytes_written().saturating_sub(written_before);
            latencies.sort();
            let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
            let stats = f.store.writer().stats();
            println!(
                "{tasks:>5}  {:>7.0}  {:>6.2}  {:>6.2}  {:>12.1}  {:>17.1}  {:>11.1}",
                total as f64 / elapsed.as_secs_f64(),
                pct(0.5).as_secs_f64() * 1e3,
                pct(0.99).as_secs_f64() * 1e3,
                stats.writes() as f64 / stats.batches() as f64,
                writer_cpu.as_secs_f64() * 1e6 / total as f64,
                written as f64 / 1024.0 / total as f64
            );
            f.store.shutdown().await;
        });
    }
}

/// Bytes this process has caused to be written to storage so far (Linux: /proc), so that
/// the benchmark shows what each submission costs the disk (WAL frames and checkpoints).
fn bytes_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("write_bytes:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time the writer thread has used so far (Linux: from /proc, in clock ticks of
/// 10 ms), so that the benchmark can tell the writer's cost from the machine's noise.
fn writer_thread_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.starts_with("leadtrail-sqlit") {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // Fields after the parenthesised name: state is 3rd, utime 14th, stime 15th.
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        return Duration::from_millis((ticks(11) + ticks(12)) * 10);
    }
    Duration::ZERO
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_runs_feature_writes_in_the_writer_and_returns_their_value() {
    let f = Fixture::new();
    let id: i64 = f
        .store
        .writer()
        .apply(|c| {
            c.execute(
                "INSERT INTO associates (name, created_at) VALUES ('Kari', 1)",
                [],
            )?;
            Ok(c.last_insert_rowid())
        })
        .await
        .unwrap();
    assert_eq!(count(&f.outside(), "associates"), 1);
    let name: String = f
        .outside()
        .query_row("SELECT name FROM associates WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(name, "Kari");
    // A failing feature write is answered with an error and leaves nothing behind, while
    // the submissions batched with it commit.
    let failing = f.store.writer().apply(|c| {
        c.execute(
            "INSERT INTO associates (name, created_at) VALUES ('Half', 2)",
            [],
        )?;
        c.execute("INSERT INTO no_such_table VALUES (1)", [])?;
        Ok(())
    });
    let fine = f
        .store
        .record_submission(submission("ok@acme.example", None, facebook()));
    let (failing, fine) = tokio::join!(failing, fine);
    assert!(failing.is_err());
    assert!(fine.is_ok());
    assert_eq!(count(&f.outside(), "associates"), 1);
    assert_eq!(count(&f.outside(), "persons"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observers_load_once_and_see_every_commit_before_it_is_answered() {
    use std::sync::Mutex;
    let f = Fixture::new();
    f.record(submission("before@acme.example", None, facebook()))
        .await;
    /// Per observer call: persons counted then, and the `(table, rowid)` it was handed.
    type Calls = Vec<(Option<i64>, Vec<(String, i64)>)>;
    let seen: Arc<Mutex<Calls>> = Arc::default();
    let log = Arc::clone(&seen);
    f.store
        .writer()
        .observe(Box::new(move |c, rows| {
            let persons: i64 = c
                .query_row("SELECT count(*) FROM persons", [], |r| r.get(0))
                .unwrap();
            let rows = rows
                .map(|rows| rows.iter().map(|r| (r.table.clone(), r.rowid)).collect())
                .unwrap_or_default();
            log.lock().unwrap().push((Some(persons), rows));
        }))
        .await
        .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1, "loaded once at registration");
    assert_eq!(seen.lock().unwrap()[0].0, Some(1));
    let receipt = f
        .record(submission("after@acme.example", None, linkedin()))
        .await;
    // Answered, so already observed.
    let log = seen.lock().unwrap().clone();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].0, Some(2));
    assert!(log[1]
        .1
        .contains(&("persons".to_owned(), receipt.person_id)));
    assert!(log[1]
        .1
        .contains(&("submissions".to_owned(), receipt.submission_id)));
}

/// Touches prepared before the writer (on the request's thread) are used only when made
/// with the aliases the writer holds: an alias added in between applies all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn touches_prepared_with_stale_aliases_are_prepared_again() {
    let f = Fixture::new();
    let with = |source: &str| touch(source, "paid_social", "spring", T0);
    f.record(submission("a@x.example", None, with("fb"))).await;
    let published = f
        .store
        .aliases
        .current()
        .expect("the writer published its aliases");
    let stored = |email: &str| -> (String, Option<String>) {
        f.outside()
            .query_row(
                "SELECT lead_source, lead_raw_source FROM persons WHERE email_key = ?1",
                [email],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(
        stored("a@x.example"),
        ("facebook".to_owned(), Some("fb".to_owned()))
    );

    // Prepared with the aliases of now, and used as they are.
    let fresh = submission("b@x.example", None, with("fb"));
    let prepared = PreparedTouches::new(None, &fresh.current, Arc::clone(&published));
    f.store
        .record_prepared(fresh, Some(prepared))
        .await
        .unwrap();
    assert_eq!(
        stored("b@x.example"),
        ("facebook".to_owned(), Some("fb".to_owned()))
    );

    // An alias arrives between preparing and writing: the writer prepares again.
    f.store
        .put_source_alias("the-gram", "instagram", T0)
        .await
        .unwrap()
        .unwrap();
    let late = submission("c@x.example", None, with("the-gram"));
    let stale = PreparedTouches::new(None, &late.current, published);
    assert_eq!(stale.current.0.source.as_deref(), Some("the-gram"));
    f.store.record_prepared(late, Some(stale)).await.unwrap();
    assert_eq!(
        stored("c@x.example"),
        ("instagram".to_owned(), Some("the-gram".to_owned()))
    );
}
