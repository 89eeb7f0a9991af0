//! Criteria search, CSV export and selections through HTTP: the real binary on
//! 127.0.0.1:0 with a real SQLite file, data put in through the form endpoint.
//! Lead status and owner are set through `PATCH /api/v1/persons/{id}`.

mod common;

use std::collections::BTreeSet;

use common::{error_of, status_and_json, urlencode, Collector, TOKEN};
use reqwest::blocking::RequestBuilder;
use serde_json::{json, Value};

/// The verbs the shared fixture does not have (yet).
trait MoreVerbs {
    fn delete(&self, path: &str) -> RequestBuilder;
    fn patch(&self, path: &str) -> RequestBuilder;
}

impl MoreVerbs for Collector {
    fn delete(&self, path: &str) -> RequestBuilder {
        self.client.delete(self.url(path))
    }
    fn patch(&self, path: &str) -> RequestBuilder {
        self.client.patch(self.url(path))
    }
}

/// What the tracker would send after the given first and last touches.
fn touch_fields(first: &[(&str, &str)], last: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = vec![("lt_v".to_owned(), "1".to_owned())];
    for (k, v) in first {
        fields.push((format!("lt_first_{k}"), (*v).to_owned()));
    }
    for (k, v) in last {
        fields.push((format!("lt_last_{k}"), (*v).to_owned()));
    }
    fields
}

fn submit(
    c: &Collector,
    form: &str,
    person: &[(&str, &str)],
    touches: Vec<(String, String)>,
) -> i64 {
    let mut fields: Vec<(String, String)> = person
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    fields.extend(touches);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, receipt) = c.submit(form, &refs);
    assert_eq!(status, 201, "{receipt}");
    receipt["person_id"].as_i64().unwrap()
}

struct World {
    c: Collector,
    alice: i64,
    bob: i64,
    carol: i64,
    dave: i64,
}

/// Four persons with distinct attribution:
/// - alice: first linkedin/paid_social/webinar_sept (term t1, content banner), lead
///   facebook/paid_social/spring, Alpha AS, NO, form webinar; later converts again through
///   form pricing from newsletter/email/june.
/// - bob: first google/organic, lead google/cpc/brand_50%_off, Beta Ltd, SE, form contact.
/// - carol: gmail (no company), no country, form contact, first and lead
///   newsletter/email/june (no remembered first touch: the visit is both).
/// - dave: Alpha AS too (joins the existing company), form webinar, first and lead
///   bing/cpc/=HYPERLINK("http://x","y") (stored lower-case like every campaign), with a
///   comma in the content.
fn world() -> World {
    let c = Collector::start();
    let alice = submit(
        &c,
        "webinar",
        &[
            ("email", "Alice@Alpha.example"),
            ("name", "Alice Anders"),
            ("company", "Alpha AS"),
            ("country", "NO"),
        ],
        touch_fields(
            &[
                ("source", "linkedin"),
                ("medium", "paid_social"),
                ("campaign", "webinar_sept"),
                ("term", "t1"),
                ("content", "banner"),
            ],
            &[
                ("source", "facebook"),
                ("medium", "paid_social"),
                ("campaign", "spring"),
            ],
        ),
    );
    let bob = submit(
        &c,
        "contact",
        &[
            ("email", "bob@beta.example"),
            ("name", "Bob Berg"),
            ("company", "Beta Ltd"),
            ("country", "SE"),
        ],
        touch_fields(
            &[("source", "google"), ("medium", "organic")],
            &[
                ("source", "google"),
                ("medium", "cpc"),
                ("campaign", "brand_50%_off"),
            ],
        ),
    );
    let carol = submit(
        &c,
        "contact",
        &[("email", "carol@gmail.com"), ("name", "Carol")],
        touch_fields(
            &[],
            &[
                ("source", "newsletter"),
                ("medium", "email"),
                ("campaign", "june"),
            ],
        ),
    );
    let dave = submit(
        &c,
        "webinar",
        &[
            ("email", "dave@alpha.example"),
            ("company", "Alpha AS"),
            ("country", "NO"),
        ],
        touch_fields(
            &[
                ("source", "bing"),
                ("medium", "cpc"),
                ("campaign", "=HYPERLINK(\"http://x\",\"y\")"),
                ("content", "a,b"),
            ],
            &[
                ("source", "bing"),
                ("medium", "cpc"),
                ("campaign", "=HYPERLINK(\"http://x\",\"y\")"),
                ("content", "a,b"),
            ],
        ),
    );
    let again = submit(
        &c,
        "pricing",
        &[("email", "alice@alpha.example")],
        touch_fields(
            &[],
            &[
                ("source", "newsletter"),
                ("medium", "email"),
                ("campaign", "june"),
            ],
        ),
    );
    assert_eq!(again, alice);
    World {
        c,
        alice,
        bob,
        carol,
        dave,
    }
}

fn patch_person(c: &Collector, person: i64, body: Value) {
    let response = c
        .patch(&format!("/api/v1/persons/{person}"))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .unwrap();
    let (status, answer) = status_and_json(response);
    assert_eq!(status, 200, "{answer}");
}

fn set_status(c: &Collector, person: i64, status: &str) {
    patch_person(c, person, json!({ "status": status }));
}

fn ids(body: &Value) -> BTreeSet<i64> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {body}"))
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

fn set(v: &[i64]) -> BTreeSet<i64> {
    v.iter().copied().collect()
}

/// GET with the token; asserts 200 and returns the ids found.
fn found(c: &Collector, path: &str) -> BTreeSet<i64> {
    let (status, body) = c.api(path);
    assert_eq!(status, 200, "{path}: {body}");
    ids(&body)
}

fn post_json(c: &Collector, path: &str, body: &Value) -> (u16, Value) {
    status_and_json(c.post(path).bearer_auth(TOKEN).json(body).send().unwrap())
}

fn search(c: &Collector, entity: &str, tree: Value) -> BTreeSet<i64> {
    let (status, body) = post_json(c, &format!("/api/v1/{entity}/search"), &tree);
    assert_eq!(status, 200, "{tree}: {body}");
    ids(&body)
}

#[test]
fn every_person_criterion_and_operator() {
    let World {
        c,
        alice,
        bob,
        carol,
        dave,
    } = world();
    let (status, owner) = post_json(&c, "/api/v1/associates", &json!({"name": "Olga"}));
    assert_eq!(status, 201, "{owner}");
    let owner = owner["id"].as_i64().unwrap();
    patch_person(&c, bob, json!({ "owner_id": owner }));
    set_status(&c, bob, "qualified");
    set_status(&c, carol, "in_progress");
    let all = set(&[alice, bob, carol, dave]);
    let bob_created = c.api(&format!("/api/v1/persons/{bob}")).1["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let today = &bob_created[..10];

    let cases: Vec<(String, BTreeSet<i64>)> = vec![
        // No criteria: everyone, and the old e-mail lookup, case-insensitive.
        ("".into(), all.clone()),
        ("email=ALICE%40alpha.example".into(), set(&[alice])),
        ("email[contains]=ALPHA".into(), set(&[alice, dave])),
        (
            "email[in]=bob%40beta.example,carol%40gmail.com".into(),
            set(&[bob, carol]),
        ),
        // First interaction, every field.
        ("first_interaction.source=linkedin".into(), set(&[alice])),
        ("first_interaction.source=LinkedIn".into(), set(&[alice])),
        ("first_interaction.medium=organic".into(), set(&[bob])),
        (
            "first_interaction.campaign=webinar_sept".into(),
            set(&[alice]),
        ),
        ("first_interaction.term=t1".into(), set(&[alice])),
        ("first_interaction.content=banner".into(), set(&[alice])),
        ("first_interaction.campaign[empty]".into(), set(&[bob])),
        (
            "first_interaction.campaign[not_empty]=".into(),
            set(&[alice, carol, dave]),
        ),
        // Lead generation.
        ("lead_generation.source=facebook".into(), set(&[alice])),
        (
            "lead_generation.source[in]=google,newsletter".into(),
            set(&[bob, carol]),
        ),
        ("lead_generation.medium=cpc".into(), set(&[bob, dave])),
        (
            "lead_generation.campaign[contains]=50%25".into(),
            set(&[bob]),
        ),
        // The underscore is literal: "g_s" is not a LIKE pattern matching "ing s…".
        ("lead_generation.campaign[contains]=d_5".into(), set(&[bob])),
        ("lead_generation.campaign[contains]=%25".into(), set(&[bob])),
        ("lead_generation.campaign[contains]=r_s".into(), set(&[])),
        ("lead_generation.content=a,b".into(), set(&[dave])),
        ("lead_generation.term[empty]".into(), all.clone()),
        // Conversion: any of the person's submissions.
        ("conversion.source=newsletter".into(), set(&[alice, carol])),
        ("conversion.source=facebook".into(), set(&[alice])),
        (
            "conversion.campaign=june&conversion.medium=email".into(),
            set(&[alice, carol]),
        ),
        ("conversion.content=a,b".into(), set(&[dave])),
        ("conversion.term[not_empty]".into(), set(&[])),
        // The person's company's source (the lead touch of the person who made it).
        ("company.source.source=facebook".into(), set(&[alice, dave])),
        ("company.source.medium=cpc".into(), set(&[bob])),
        ("company.source.campaign=spring".into(), set(&[alice, dave])),
        ("company.source.source[empty]".into(), set(&[carol])),
        ("company.name=Beta%20Ltd".into(), set(&[bob])),
        // Working the lead.
        ("status=open".into(), set(&[alice, dave])),
        (
            "status[in]=qualified,in_progress".into(),
            set(&[bob, carol]),
        ),
        (format!("owner={owner}"), set(&[bob])),
        ("owner[empty]".into(), set(&[alice, carol, dave])),
        ("owner[not_empty]".into(), set(&[bob])),
        ("country=NO".into(), set(&[alice, dave])),
        ("country[empty]".into(), set(&[carol])),
        ("country[gte]=O&country[lte]=Z".into(), set(&[bob])),
        ("form=pricing".into(), set(&[alice])),
        ("form=contact".into(), set(&[bob, carol])),
        ("form[in]=pricing,contact".into(), set(&[alice, bob, carol])),
        ("name=Bob%20Berg".into(), set(&[bob])),
        ("name[contains]=and".into(), set(&[alice])),
        ("name[empty]".into(), set(&[dave])),
        ("name[gte]=B&name[lte]=C".into(), set(&[bob])),
        ("domain=alpha.example".into(), set(&[alice, dave])),
        // Times: a day covers the whole day; a timestamp is exact.
        (format!("created_at={today}"), all.clone()),
        (format!("created_at[gte]={today}"), all.clone()),
        (format!("created_at[lte]={today}"), all.clone()),
        ("created_at[lte]=2000-01-01".into(), set(&[])),
        ("created_at[gte]=2999-01-01T00:00:00Z".into(), set(&[])),
        (
            format!("created_at[lte]={}", urlencode(&bob_created)),
            set(&[alice, bob]),
        ),
        // Channels (classified at capture).
        ("lead_generation.channel=paid_social".into(), set(&[alice])),
        (
            "lead_generation.channel[in]=paid_search,paid_social".into(),
            set(&[alice, bob, dave]),
        ),
        (
            "first_interaction.channel=organic_search".into(),
            set(&[bob]),
        ),
        ("conversion.channel=email".into(), set(&[alice, carol])),
        (
            "company.source.channel=paid_social".into(),
            set(&[alice, dave]),
        ),
        // Several criteria are AND.
        ("country=NO&lead_generation.medium=cpc".into(), set(&[dave])),
    ];
    for (query, expected) in cases {
        let path = format!("/api/v1/persons?{query}");
        assert_eq!(found(&c, &path), expected, "{query}");
    }
}

#[test]
fn company_criteria() {
    let World { c, alice, bob, .. } = world();
    let alpha = c.api(&format!("/api/v1/persons/{alice}")).1["company_id"]
        .as_i64()
        .unwrap();
    let beta = c.api(&format!("/api/v1/persons/{bob}")).1["company_id"]
        .as_i64()
        .unwrap();
    for (query, expected) in [
        ("", set(&[alpha, beta])),
        ("source.source=facebook", set(&[alpha])),
        ("source.campaign[contains]=50", set(&[beta])),
        ("company.source.medium=cpc", set(&[beta])),
        ("name=Alpha%20AS", set(&[alpha])),
        ("domain=beta.example", set(&[beta])),
        // Person fields: any of the company's persons.
        ("first_interaction.source=bing", set(&[alpha])),
        ("lead_generation.source=google", set(&[beta])),
        ("conversion.source=newsletter", set(&[alpha])),
        ("form=contact", set(&[beta])),
        ("country=SE", set(&[beta])),
        ("email=dave%40alpha.example", set(&[alpha])),
        ("status=open", set(&[alpha, beta])),
        ("created_at[gte]=2000-01-01", set(&[alpha, beta])),
    ] {
        assert_eq!(
            found(&c, &format!("/api/v1/companies?{query}")),
            expected,
            "{query}"
        );
    }
    let (status, body) = c.api("/api/v1/companies?source.source=facebook");
    assert_eq!(status, 200);
    assert_eq!(body["items"][0]["name"], "Alpha AS");
    assert_eq!(body["items"][0]["source"]["source"], "facebook");
    assert_eq!(
        search(
            &c,
            "companies",
            json!({"any": [
                {"field": "source.source", "value": "google"},
                {"field": "first_interaction.source", "op": "eq", "value": "linkedin"}
            ]})
        ),
        set(&[alpha, beta])
    );
}

#[test]
fn json_trees_and_or() {
    let World {
        c,
        alice,
        bob,
        carol,
        dave,
    } = world();
    assert_eq!(
        search(&c, "persons", json!({})),
        set(&[alice, bob, carol, dave])
    );
    assert_eq!(search(&c, "persons", json!({"any": []})), set(&[]));
    assert_eq!(
        search(
            &c,
            "persons",
            json!({"any": [
                {"field": "lead_generation.source", "op": "eq", "value": "facebook"},
                {"field": "lead_generation.source", "op": "in", "value": ["newsletter"]}
            ]})
        ),
        set(&[alice, carol])
    );
    assert_eq!(
        search(
            &c,
            "persons",
            json!({"all": [
                {"field": "country", "op": "eq", "value": "NO"},
                {"any": [
                    {"field": "first_interaction.source", "value": "linkedin"},
                    {"field": "conversion.campaign", "op": "contains", "value": "HYPERLINK"}
                ]},
                {"field": "name", "op": "not_empty"}
            ]})
        ),
        set(&[alice])
    );
    // Query-string criteria AND the body's tree.
    let (status, body) = post_json(
        &c,
        "/api/v1/persons/search?form=contact",
        &json!({"any": [{"field": "status", "value": "open"}]}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), set(&[bob, carol]));
    // A value that looks like SQL is only ever a value.
    assert_eq!(
        search(
            &c,
            "persons",
            json!({"field": "name", "value": "x' OR '1'='1"})
        ),
        set(&[])
    );
    assert_eq!(
        search(
            &c,
            "persons",
            json!({"field": "name", "op": "contains", "value": "' OR 1=1 --"})
        ),
        set(&[])
    );
}

#[test]
fn unknown_fields_operators_and_bad_values_are_400s() {
    let c = Collector::start();
    let get = |path: &str| c.get(path).bearer_auth(TOKEN).send().unwrap();

    let message = error_of(get("/api/v1/persons?utm_source=x"), 400);
    assert!(message.contains("\"utm_source\""), "{message}");
    assert!(
        message.contains("lead_generation.source") && message.contains("created_at"),
        "{message}"
    );
    let message = error_of(get("/api/v1/persons?source.source=x"), 400);
    assert!(
        message.contains("\"source.source\"") && message.contains("company.source.source"),
        "{message}"
    );
    let message = error_of(get("/api/v1/persons?name[like]=x"), 400);
    assert!(message.contains("\"like\""), "{message}");
    for op in ["eq", "in", "contains", "empty", "not_empty", "gte", "lte"] {
        assert!(message.contains(op), "{message}");
    }
    let message = error_of(get("/api/v1/persons?name[eq=x"), 400);
    assert!(message.contains("name[eq"), "{message}");
    let message = error_of(get("/api/v1/persons?created_at[contains]=2025"), 400);
    assert!(
        message.contains("created_at") && message.contains("gte"),
        "{message}"
    );
    let message = error_of(get("/api/v1/persons?created_at[gte]=last%20week"), 400);
    assert!(message.starts_with("created_at:"), "{message}");
    let message = error_of(get("/api/v1/persons?status=won"), 400);
    assert!(
        message.starts_with("status:") && message.contains("qualified"),
        "{message}"
    );
    let message = error_of(get("/api/v1/persons?owner=olga"), 400);
    assert!(message.starts_with("owner:"), "{message}");
    let message = error_of(get("/api/v1/persons?limit=0"), 400);
    assert!(message.starts_with("limit:"), "{message}");
    let message = error_of(get("/api/v1/persons?limit=1001"), 400);
    assert!(message.starts_with("limit:"), "{message}");
    let message = error_of(get("/api/v1/persons?cursor=abc"), 400);
    assert!(message.starts_with("cursor:"), "{message}");
    let message = error_of(get("/api/v1/persons?format=xml"), 400);
    assert!(message.starts_with("format:"), "{message}");
    let message = error_of(get("/api/v1/companies?first_interaction.src=x"), 400);
    assert!(
        message.contains("for companies") && message.contains("source.source"),
        "{message}"
    );

    let post = |tree: &str| {
        c.post("/api/v1/persons/search")
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(tree.to_owned())
            .send()
            .unwrap()
    };
    let message = error_of(post(r#"{"field": "nope", "value": 1}"#), 400);
    assert!(message.contains("\"nope\""), "{message}");
    let message = error_of(
        post(r#"{"all": [{"field": "name", "op": "like", "value": "x"}]}"#),
        400,
    );
    assert!(message.contains("\"like\""), "{message}");
    let message = error_of(
        post(r#"{"all": [{"field": "status", "value": "won"}]}"#),
        400,
    );
    assert!(message.starts_with("status:"), "{message}");
    let message = error_of(post("{not json"), 400);
    assert!(message.contains("JSON"), "{message}");
    let message = error_of(post(r#"{"one": []}"#), 400);
    assert!(message.contains("\"one\""), "{message}");
}

#[test]
fn pages_follow_the_cursor_in_id_order() {
    let c = Collector::start();
    let mut created = Vec::new();
    for i in 0..7 {
        let source = if i % 2 == 0 { "even" } else { "odd" };
        created.push(submit(
            &c,
            "paging",
            &[("email", &format!("p{i}@paging.example"))],
            touch_fields(&[], &[("source", source)]),
        ));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(next) => format!("/api/v1/persons?limit=3&cursor={next}"),
            None => "/api/v1/persons?limit=3".to_owned(),
        };
        let (status, body) = c.api(&path);
        assert_eq!(status, 200, "{body}");
        pages += 1;
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap()),
        );
        match &body["next"] {
            Value::Null => break,
            Value::String(next) => cursor = Some(next.clone()),
            other => panic!("next is {other}"),
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created, "every person once, in id order");

    // Paging a filtered search, and the same through the JSON tree.
    let (_, first) = c.api("/api/v1/persons?lead_generation.source=even&limit=2");
    assert_eq!(ids(&first), set(&[created[0], created[2]]));
    let next = first["next"].as_str().unwrap();
    let (_, second) = post_json(
        &c,
        &format!("/api/v1/persons/search?limit=2&cursor={next}"),
        &json!({"field": "lead_generation.source", "value": "even"}),
    );
    assert_eq!(ids(&second), set(&[created[4], created[6]]));
    assert_eq!(second["next"], Value::Null);
    // Default page size and an exact last page.
    let (_, all) = c.api("/api/v1/persons?limit=7");
    assert_eq!(all["items"].as_array().unwrap().len(), 7);
    assert_eq!(all["next"], Value::Null);
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    // A small reader for the quoting the exporter writes (RFC 4180).
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, other) => cell.push(other),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, other) => cell.push(other),
        }
    }
    assert!(
        cell.is_empty() && row.is_empty(),
        "the file ends with a line break"
    );
    rows
}

#[test]
fn csv_has_every_attribution_column_and_escapes_formulas() {
    let World { c, alice, dave, .. } = world();
    let response = c
        .get("/api/v1/persons?format=csv&country=NO")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let rows = csv_rows(&response.text().unwrap());
    let header = &rows[0];
    assert_eq!(header.len(), 8 + 2 * 11, "{header:?}");
    for column in [
        "id",
        "email",
        "status",
        "owner_id",
        "created_at",
        "first_interaction.source",
        "first_interaction.medium",
        "first_interaction.campaign",
        "first_interaction.term",
        "first_interaction.content",
        "first_interaction.click_id",
        "first_interaction.landing_page",
        "first_interaction.at",
        "lead_generation.source",
        "lead_generation.medium",
        "lead_generation.campaign",
        "lead_generation.referrer",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "{column} missing from {header:?}"
        );
    }
    assert_eq!(rows.len(), 3, "{rows:?}");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows[1][col("id")], alice.to_string());
    assert_eq!(rows[1][col("first_interaction.source")], "linkedin");
    assert_eq!(rows[1][col("lead_generation.campaign")], "spring");
    assert_eq!(rows[1][col("status")], "open");
    assert_eq!(rows[2][col("id")], dave.to_string());
    assert_eq!(
        rows[2][col("lead_generation.campaign")],
        "'=hyperlink(\"http://x\",\"y\")",
        "a formula is kept as text"
    );
    assert_eq!(rows[2][col("lead_generation.content")], "a,b");

    // Accept: text/csv works too; companies have their source columns.
    let response = c
        .get("/api/v1/companies")
        .bearer_auth(TOKEN)
        .header("accept", "text/csv")
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let rows = csv_rows(&response.text().unwrap());
    assert_eq!(rows[0][..4], ["id", "name", "domain", "created_at"]);
    assert!(rows[0].iter().any(|h| h == "source.campaign"));
    assert_eq!(rows.len(), 3);
    // Errors are still JSON.
    error_of(
        c.get("/api/v1/persons?format=csv&nope=1")
            .bearer_auth(TOKEN)
            .send()
            .unwrap(),
        400,
    );
}

#[test]
fn csv_streams_more_rows_than_a_page() {
    let c = Collector::start();
    let total = 1234;
    // The form endpoint is the only way in; send them concurrently to keep this quick.
    std::thread::scope(|scope| {
        for part in 0..8 {
            let c = &c;
            scope.spawn(move || {
                for i in (part..total).step_by(8) {
                    submit(
                        c,
                        "bulk",
                        &[("email", &format!("bulk{i}@bulk.example"))],
                        touch_fields(&[], &[("source", "bulk")]),
                    );
                }
            });
        }
    });
    let text = c
        .get("/api/v1/persons?format=csv&lead_generation.source=bulk")
        .bearer_auth(TOKEN)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), total + 1);
    let ids: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "id order, no repeats");
    // A cap still streams in pages.
    let text = c
        .get("/api/v1/persons?format=csv&limit=700")
        .bearer_auth(TOKEN)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(csv_rows(&text).len(), 701);
}

fn create_selection(c: &Collector, body: Value) -> Value {
    let (status, selection) = post_json(c, "/api/v1/selections", &body);
    assert_eq!(status, 201, "{selection}");
    selection
}

#[test]
fn dynamic_selections_follow_the_data_and_static_ones_do_not() {
    let World {
        c,
        alice,
        bob,
        carol,
        ..
    } = world();
    let dynamic = create_selection(
        &c,
        json!({
            "name": "Newsletter leads", "entity": "person", "kind": "dynamic",
            "criteria": {"any": [{"field": "conversion.source", "op": "eq", "value": "newsletter"}]}
        }),
    );
    // The query-string form is stored as the JSON tree.
    let fixed = create_selection(
        &c,
        json!({
            "name": "Newsletter leads (snapshot)", "entity": "person", "kind": "static",
            "criteria": "conversion.source=newsletter"
        }),
    );
    assert_eq!(
        fixed["criteria"],
        json!({"all": [{"field": "conversion.source", "op": "eq", "value": "newsletter"}]})
    );
    assert_eq!(dynamic["kind"], "dynamic");
    assert_eq!(fixed["entity"], "person");
    let members = |s: &Value| found(&c, &format!("/api/v1/selections/{}/members", s["id"]));
    assert_eq!(members(&dynamic), set(&[alice, carol]));
    assert_eq!(members(&fixed), set(&[alice, carol]));

    // Bob converts from the newsletter too: only the dynamic selection sees it.
    submit(
        &c,
        "contact",
        &[("email", "bob@beta.example")],
        touch_fields(&[], &[("source", "newsletter")]),
    );
    assert_eq!(members(&dynamic), set(&[alice, bob, carol]));
    assert_eq!(members(&fixed), set(&[alice, carol]));
    let (_, one) = c.api(&format!("/api/v1/selections/{}", dynamic["id"]));
    assert_eq!(one["member_count"], 3);
    assert_eq!(one["name"], "Newsletter leads");

    // Static members are added and removed; unknown ids are refused, nothing written.
    let path = format!("/api/v1/selections/{}/members", fixed["id"]);
    let (status, body) = post_json(&c, &path, &json!({"ids": [bob]}));
    assert_eq!((status, body), (200, json!({"added": 1})));
    let (status, body) = post_json(&c, &path, &json!({"ids": [bob]}));
    assert_eq!(
        (status, body),
        (200, json!({"added": 0})),
        "already a member"
    );
    let refused = c
        .post(&path)
        .bearer_auth(TOKEN)
        .json(&json!({"ids": [carol, 999_999]}))
        .send()
        .unwrap();
    let message = error_of(refused, 422);
    assert!(
        message.contains("999999") && message.starts_with("ids:"),
        "{message}"
    );
    assert_eq!(members(&fixed), set(&[alice, bob, carol]));
    let removed = c
        .delete(&path)
        .bearer_auth(TOKEN)
        .json(&json!({"ids": [alice]}))
        .send()
        .unwrap();
    assert_eq!(status_and_json(removed), (200, json!({"removed": 1})));
    let removed = c
        .delete(&format!("{path}?ids={carol}"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(status_and_json(removed), (200, json!({"removed": 1})));
    assert_eq!(members(&fixed), set(&[bob]));

    // Dynamic selections have no member list to change.
    let dynamic_members = format!("/api/v1/selections/{}/members", dynamic["id"]);
    let refused = c
        .post(&dynamic_members)
        .bearer_auth(TOKEN)
        .json(&json!({"ids": [bob]}))
        .send()
        .unwrap();
    assert!(error_of(refused, 422).starts_with("kind:"));
    let refused = c
        .delete(&dynamic_members)
        .bearer_auth(TOKEN)
        .json(&json!({"ids": [bob]}))
        .send()
        .unwrap();
    error_of(refused, 422);

    // Members narrow with extra criteria, page, and export as CSV.
    assert_eq!(
        found(&c, &format!("{dynamic_members}?country=SE")),
        set(&[bob])
    );
    let (_, page) = c.api(&format!("{dynamic_members}?limit=2"));
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert!(page["next"].is_string());
    let csv = c
        .get(&format!("{dynamic_members}?format=csv"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(csv_rows(&csv.text().unwrap()).len(), 4);

    // Rename, change the dynamic criteria; a static one's criteria stay.
    let patched = c
        .patch(&format!("/api/v1/selections/{}", dynamic["id"]))
        .bearer_auth(TOKEN)
        .json(&json!({"name": "From Sweden", "criteria": "country=SE"}))
        .send()
        .unwrap();
    let (status, patched) = status_and_json(patched);
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["name"], "From Sweden");
    assert_eq!(members(&dynamic), set(&[bob]));
    let refused = c
        .patch(&format!("/api/v1/selections/{}", fixed["id"]))
        .bearer_auth(TOKEN)
        .json(&json!({"criteria": {}}))
        .send()
        .unwrap();
    assert!(error_of(refused, 422).starts_with("criteria:"));

    // Listing, deleting.
    let (_, list) = c.api("/api/v1/selections");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // Each listed with its member count now, as the single selection answers it.
    for item in list["items"].as_array().unwrap() {
        let (_, one) = c.api(&format!("/api/v1/selections/{}", item["id"]));
        assert!(item["member_count"].is_u64(), "{item}");
        assert_eq!(item["member_count"], one["member_count"], "{item}");
    }
    let deleted = c
        .delete(&format!("/api/v1/selections/{}", fixed["id"]))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(deleted.status(), 204);
    error_of(c.get(&path).bearer_auth(TOKEN).send().unwrap(), 404);
    let db = common::open_db(&c.db);
    assert_eq!(
        common::count(&db, "selection_members"),
        0,
        "members go with their selection"
    );
}

#[test]
fn selection_input_errors() {
    let World { c, .. } = world();
    for (body, status, needle) in [
        (json!({"entity": "person", "kind": "static"}), 422, "name:"),
        (
            json!({"name": " ", "entity": "person", "kind": "static"}),
            422,
            "name:",
        ),
        (
            json!({"name": "x", "entity": "lead", "kind": "static"}),
            422,
            "entity:",
        ),
        (
            json!({"name": "x", "entity": "person", "kind": "frozen"}),
            422,
            "kind:",
        ),
        (
            json!({"name": "x", "entity": "person", "kind": "dynamic", "criteria": {"field": "nope"}}),
            400,
            "\"nope\"",
        ),
        (
            json!({"name": "x", "entity": "company", "kind": "dynamic", "criteria": "status=won"}),
            400,
            "status:",
        ),
        (
            json!({"name": "x", "entity": "person", "kind": "dynamic", "extra": 1}),
            400,
            "\"extra\"",
        ),
    ] {
        let response = c
            .post("/api/v1/selections")
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .unwrap();
        let message = error_of(response, status);
        assert!(message.contains(needle), "{body}: {message}");
    }
    error_of(
        c.get("/api/v1/selections/77")
            .bearer_auth(TOKEN)
            .send()
            .unwrap(),
        404,
    );
    error_of(
        c.get("/api/v1/selections/77/members")
            .bearer_auth(TOKEN)
            .send()
            .unwrap(),
        404,
    );
    error_of(
        c.get("/api/v1/selections/77/board")
            .bearer_auth(TOKEN)
            .send()
            .unwrap(),
        404,
    );
    error_of(
        c.delete("/api/v1/selections/77")
            .bearer_auth(TOKEN)
            .send()
            .unwrap(),
        404,
    );
    let db = common::open_db(&c.db);
    assert_eq!(
        common::count(&db, "selections"),
        0,
        "nothing written by refused requests"
    );
    // A static selection without criteria starts empty; one of companies works the same.
    let empty = create_selection(
        &c,
        json!({"name": "Hand-picked", "entity": "person", "kind": "static"}),
    );
    assert_eq!(
        found(&c, &format!("/api/v1/selections/{}/members", empty["id"])),
        set(&[])
    );
    let companies = create_selection(
        &c,
        json!({"name": "Alpha", "entity": "company", "kind": "static", "criteria": "name=Alpha%20AS"}),
    );
    let (_, members) = c.api(&format!("/api/v1/selections/{}/members", companies["id"]));
    assert_eq!(members["items"][0]["name"], "Alpha AS");
    let message = error_of(
        c.get(&format!("/api/v1/selections/{}/board", companies["id"]))
            .bearer_auth(TOKEN)
            .send()
            .unwrap(),
        422,
    );
    assert!(message.starts_with("entity:"), "{message}");
}

#[test]
fn board_groups_members_by_status_in_order() {
    let World {
        c,
        alice,
        bob,
        carol,
        dave,
    } = world();
    set_status(&c, bob, "qualified");
    set_status(&c, carol, "disqualified");
    set_status(&c, dave, "in_progress");
    let everyone = create_selection(
        &c,
        json!({"name": "All", "entity": "person", "kind": "dynamic", "criteria": {}}),
    );
    let (status, board) = c.api(&format!("/api/v1/selections/{}/board", everyone["id"]));
    assert_eq!(status, 200, "{board}");
    let columns = board["columns"].as_array().unwrap();
    let statuses: Vec<&str> = columns
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["open", "in_progress", "qualified", "disqualified"]
    );
    let expected = [alice, dave, bob, carol];
    for (column, id) in columns.iter().zip(expected) {
        assert_eq!(ids(column), set(&[id]), "{column}");
        assert_eq!(column["total"], 1);
    }
    // A status change moves the person to another column.
    set_status(&c, alice, "qualified");
    let (_, board) = c.api(&format!(
        "/api/v1/selections/{}/board?limit=1",
        everyone["id"]
    ));
    assert_eq!(board["columns"][0]["total"], 0);
    assert_eq!(board["columns"][2]["total"], 2);
    assert_eq!(
        board["columns"][2]["items"].as_array().unwrap().len(),
        1,
        "limit per column"
    );
}

#[test]
fn field_catalogue_lists_criteria_and_operators() {
    let c = Collector::start();
    let (status, body) = c.api("/api/v1/search/fields");
    assert_eq!(status, 200, "{body}");
    let names = |entity: &str| -> Vec<String> {
        body[entity]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let persons = names("person");
    for field in [
        "first_interaction.source",
        "lead_generation.campaign",
        "conversion.content",
        "company.source.medium",
        "lead_generation.channel",
        "status",
        "owner",
        "country",
        "form",
        "email",
        "name",
        "created_at",
    ] {
        assert!(persons.iter().any(|n| n == field), "{field} in {persons:?}");
    }
    assert!(!persons.iter().any(|n| n == "source.source"));
    assert!(names("company").iter().any(|n| n == "source.source"));
    let created = body["person"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "created_at")
        .unwrap();
    assert_eq!(created["ops"], json!(["eq", "gte", "lte"]));
    // The page that uses it is served without its extension.
    let page = c.get("/people").send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("/app/people.js"));
}
