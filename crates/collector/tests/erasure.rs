//! Erasure reaches every copy of a person's data, and an export holds only what belongs to
//! its person — through the real binary and its database files.
//!
//! The scenario: Alice arrives through a newsletter link whose landing page carries her
//! e-mail and creates her company with that touch as its source; Bob joins the company.

mod common;

use common::{status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

const ALICE: &str = "alice.k7@acme-erasure.example";
const BOB: &str = "bob@acme-erasure.example";

fn send(c: &Collector, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = c.client.request(method, c.url(path)).bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_and_json(request.send().unwrap())
}

fn text_of(c: &Collector, path: &str, accept: &str) -> String {
    let response = c
        .get(path)
        .bearer_auth(TOKEN)
        .header("accept", accept)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().unwrap()
}

/// Alice (through a landing page with her e-mail in it, creating the company) and Bob.
fn alice_and_bob(c: &Collector) -> (i64, i64, i64) {
    let landing = format!(
        "https://www.example.com/webinar?utm_source=newsletter&utm_medium=email&utm_campaign=spring&subscriber={ALICE}"
    );
    let (status, alice) = c.submit(
        "webinar",
        &[
            ("email", ALICE),
            ("lt_v", "1"),
            ("lt_last_source", "newsletter"),
            ("lt_last_medium", "email"),
            ("lt_last_campaign", "spring"),
            ("lt_last_term", ALICE),
            ("lt_last_landing_page", &landing),
            (
                "lt_last_referrer",
                &format!("https://mail.example.net/read?to={ALICE}"),
            ),
        ],
    );
    assert_eq!(status, 201, "{alice}");
    assert_eq!(alice["person_created"], true);
    let (status, bob) = c.submit("contact", &[("email", BOB)]);
    assert_eq!(status, 201, "{bob}");
    let alice_id = alice["person_id"].as_i64().unwrap();
    let bob_id = bob["person_id"].as_i64().unwrap();
    let company = c.person_by_email(ALICE)["company_id"].as_i64().unwrap();
    assert_eq!(c.person_by_email(BOB)["company_id"], company);
    (alice_id, bob_id, company)
}

/// The database's files (main, WAL) that contain `needle`.
fn files_containing(db: &std::path::Path, needle: &str) -> Vec<String> {
    ["", "-wal", "-journal"]
        .iter()
        .filter_map(|suffix| {
            let path = format!("{}{suffix}", db.display());
            let bytes = std::fs::read(&path).ok()?;
            bytes
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
                .then_some(path)
        })
        .collect()
}

#[test]
fn an_export_holds_only_its_persons_data() {
    let c = Collector::start();
    let (alice, bob, company) = alice_and_bob(&c);

    let (status, bob_export) = send(&c, "GET", &format!("/api/v1/persons/{bob}/export"), None);
    assert_eq!(status, 200, "{bob_export}");
    assert_eq!(bob_export["company"]["id"], company);
    assert_eq!(bob_export["company"]["source"], Value::Null);
    assert!(
        !bob_export.to_string().contains(ALICE),
        "Bob's export carries Alice's e-mail: {bob_export}"
    );

    // Alice's export has her company's source: it is her touch.
    let (_, alice_export) = send(&c, "GET", &format!("/api/v1/persons/{alice}/export"), None);
    assert_eq!(alice_export["company"]["source"]["source"], "newsletter");
    assert_eq!(alice_export["company"]["source"]["term"], ALICE);
}

#[test]
fn erasure_scrubs_the_company_source_that_was_the_persons_touch() {
    let c = Collector::start();
    let (alice, bob, company) = alice_and_bob(&c);
    let (_, before) = send(&c, "GET", &format!("/api/v1/companies/{company}"), None);
    assert!(
        before.to_string().contains(ALICE),
        "the source holds the e-mail before: {before}"
    );
    assert!(!files_containing(&c.db, ALICE).is_empty());

    let (status, erasure) = send(&c, "DELETE", &format!("/api/v1/persons/{alice}"), None);
    assert_eq!(status, 200, "{erasure}");
    assert_eq!(erasure["person_id"], alice);
    assert_eq!(erasure["company_sources_scrubbed"], json!([company]));
    assert_eq!(erasure["mentions"], json!([]));

    // What the company-source reports need stays; what could be personal is gone.
    let (_, after) = send(&c, "GET", &format!("/api/v1/companies/{company}"), None);
    let source = &after["source"];
    assert_eq!(source["source"], "newsletter", "{after}");
    assert_eq!(source["medium"], "email");
    assert_eq!(source["campaign"], "spring");
    for field in ["term", "landing_page", "referrer", "click_id"] {
        assert_eq!(source[field], Value::Null, "{field}: {after}");
    }

    // Nowhere in the API, the CSVs or the files.
    let answers = [
        after.to_string(),
        send(&c, "GET", &format!("/api/v1/persons/{bob}/export"), None)
            .1
            .to_string(),
        text_of(&c, "/api/v1/companies", "application/json"),
        text_of(&c, "/api/v1/companies", "text/csv"),
        text_of(&c, "/api/v1/persons", "text/csv"),
        text_of(&c, "/api/v1/persons", "application/json"),
    ];
    for answer in &answers {
        assert!(!answer.contains(ALICE), "still in an answer: {answer}");
        assert!(!answer.contains("alice.k7"), "still in an answer: {answer}");
    }
    assert_eq!(files_containing(&c.db, ALICE), Vec::<String>::new());
    assert_eq!(files_containing(&c.db, "alice.k7"), Vec::<String>::new());
}

#[test]
fn erasure_reports_free_text_that_still_mentions_the_email() {
    let c = Collector::start();
    let (alice, _bob, company) = alice_and_bob(&c);
    let (status, sale) = send(
        &c,
        "POST",
        "/api/v1/sales",
        Some(
            json!({"company_id": company, "title": format!("Renewal for {}", ALICE.to_uppercase()),
                    "amount": "100", "currency": "EUR"}),
        ),
    );
    assert_eq!(status, 201, "{sale}");
    let (status, selection) = send(
        &c,
        "POST",
        "/api/v1/selections",
        Some(
            json!({"name": format!("Follow up {ALICE}"), "entity": "person", "kind": "dynamic",
                    "criteria": {"all": [{"field": "email", "op": "eq", "value": ALICE}]}}),
        ),
    );
    assert_eq!(status, 201, "{selection}");
    // Someone else's e-mail that merely contains Alice's is not a mention.
    let (status, _) = c.submit("contact", &[("email", &format!("m{ALICE}"))]);
    assert_eq!(status, 201);

    let (status, erasure) = send(&c, "DELETE", &format!("/api/v1/persons/{alice}"), None);
    assert_eq!(status, 200, "{erasure}");
    assert_eq!(
        erasure["mentions"],
        json!([
            {"table": "sales", "column": "title", "id": sale["id"]},
            {"table": "selections", "column": "name", "id": selection["id"]},
            {"table": "selections", "column": "criteria", "id": selection["id"]},
        ])
    );
    assert_eq!(
        send(&c, "DELETE", &format!("/api/v1/persons/{alice}"), None).0,
        404
    );
}

#[test]
fn ids_of_erased_persons_and_submissions_are_never_handed_out_again() {
    let c = Collector::start();
    let (alice, bob, _) = alice_and_bob(&c);
    let (_, second) = c.submit("contact", &[("email", BOB)]);
    let bob_submission = second["submission_id"].as_i64().unwrap();
    // Bob is the newest person and has the newest submission: erasing him frees the
    // largest ids of both tables.
    assert!(bob > alice);
    assert_eq!(
        send(&c, "DELETE", &format!("/api/v1/persons/{bob}"), None).0,
        200
    );
    let (status, carol) = c.submit("contact", &[("email", "carol@acme-erasure.example")]);
    assert_eq!(status, 201, "{carol}");
    assert!(carol["person_id"].as_i64().unwrap() > bob, "{carol}");
    assert!(
        carol["submission_id"].as_i64().unwrap() > bob_submission,
        "{carol}"
    );
    // And across a restart.
    let carol_id = carol["person_id"].as_i64().unwrap();
    let carol_submission = carol["submission_id"].as_i64().unwrap();
    assert_eq!(
        send(&c, "DELETE", &format!("/api/v1/persons/{carol_id}"), None).0,
        200
    );
    let (dir, db) = c.into_dir();
    let c = Collector::start_in(dir, db, &[], &[]);
    let (_, dave) = c.submit("contact", &[("email", "dave@acme-erasure.example")]);
    assert!(dave["person_id"].as_i64().unwrap() > carol_id, "{dave}");
    assert!(
        dave["submission_id"].as_i64().unwrap() > carol_submission,
        "{dave}"
    );
}
