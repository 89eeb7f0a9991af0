//! `total` beside `items` and `next` in search and member answers, through HTTP: the real
//! binary on 127.0.0.1:0 with a real SQLite file, data put in through the form endpoint.

mod common;

use common::{status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

/// Posts `form` for a new person with a last touch from `source`; returns the person id.
fn submit(c: &Collector, form: &str, email: &str, source: &str) -> i64 {
    let (status, receipt) = c.submit(
        form,
        &[("email", email), ("lt_v", "1"), ("lt_last_source", source)],
    );
    assert_eq!(status, 201, "{receipt}");
    receipt["person_id"].as_i64().unwrap()
}

fn get(c: &Collector, path: &str) -> Value {
    let (status, body) = c.api(path);
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn post(c: &Collector, path: &str, body: &Value) -> Value {
    let (status, answer) =
        status_and_json(c.post(path).bearer_auth(TOKEN).json(body).send().unwrap());
    assert_eq!(status, 200, "{path} {body}: {answer}");
    answer
}

fn count_items(body: &Value) -> usize {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {body}"))
        .len()
}

/// Nine persons: five from linkedin (form webinar), four from google (form contact).
fn nine(c: &Collector) -> Vec<i64> {
    (0..9)
        .map(|i| {
            let (form, source) = if i % 2 == 0 {
                ("webinar", "linkedin")
            } else {
                ("contact", "google")
            };
            submit(c, form, &format!("p{i}@total.example"), source)
        })
        .collect()
}

#[test]
fn total_counts_every_match_on_every_page() {
    let c = Collector::start();
    let ids = nine(&c);

    // Paging through everything: the same total on each page, whatever the cursor.
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let path = match &cursor {
            Some(next) => format!("/api/v1/persons?limit=4&cursor={next}"),
            None => "/api/v1/persons?limit=4".to_owned(),
        };
        let page = get(&c, &path);
        assert_eq!(page["total"], json!(9), "{path}: {page}");
        seen += count_items(&page);
        match &page["next"] {
            Value::String(next) => cursor = Some(next.clone()),
            Value::Null => break,
            other => panic!("next is {other}"),
        }
    }
    assert_eq!(seen, ids.len());

    // With criteria, in both spellings, on a first and a later page.
    let first = get(&c, "/api/v1/persons?form=webinar&limit=2");
    assert_eq!(first["total"], json!(5), "{first}");
    assert_eq!(count_items(&first), 2);
    let next = first["next"].as_str().unwrap();
    let later = post(
        &c,
        &format!("/api/v1/persons/search?limit=2&cursor={next}"),
        &json!({"field": "form", "value": "webinar"}),
    );
    assert_eq!(later["total"], json!(5), "{later}");
    let tree = json!({"any": [
        {"field": "lead_generation.source", "value": "google"},
        {"field": "email", "op": "contains", "value": "p0@"}
    ]});
    let either = post(&c, "/api/v1/persons/search", &tree);
    assert_eq!(either["total"], json!(5), "{either}");
    assert_eq!(count_items(&either), 5);
    let none = get(&c, "/api/v1/persons?lead_generation.source=bing");
    assert_eq!(none["total"], json!(0), "{none}");
    assert_eq!(none["items"], json!([]));

    // Companies carry it too (these persons use free-mail-like domains of one company).
    let companies = get(&c, "/api/v1/companies");
    assert_eq!(
        companies["total"].as_u64(),
        Some(count_items(&companies) as u64),
        "{companies}"
    );
    let companies = post(&c, "/api/v1/companies/search", &json!({}));
    assert!(companies["total"].is_u64(), "{companies}");
}

#[test]
fn total_follows_erasure_and_reclassification() {
    let c = Collector::start();
    let ids = nine(&c);
    assert_eq!(
        get(&c, "/api/v1/persons?lead_generation.source=linkedin")["total"],
        json!(5)
    );

    let (status, erasure) = status_and_json(
        c.client
            .delete(c.url(&format!("/api/v1/persons/{}", ids[0])))
            .bearer_auth(TOKEN)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{erasure}");
    assert_eq!(
        get(&c, "/api/v1/persons?lead_generation.source=linkedin")["total"],
        json!(4)
    );
    assert_eq!(get(&c, "/api/v1/persons?form=webinar")["total"], json!(4));
    assert_eq!(get(&c, "/api/v1/persons")["total"], json!(8));

    // A status change moves a person from one count to the other.
    let (status, changed) = status_and_json(
        c.client
            .patch(c.url(&format!("/api/v1/persons/{}", ids[1])))
            .bearer_auth(TOKEN)
            .json(&json!({"status": "qualified"}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        get(&c, "/api/v1/persons?status=qualified")["total"],
        json!(1)
    );
    assert_eq!(get(&c, "/api/v1/persons?status=open")["total"], json!(7));
}

#[test]
fn selection_members_carry_the_total() {
    let c = Collector::start();
    let ids = nine(&c);
    let selection = post_created(
        &c,
        &json!({"name": "webinar", "entity": "person", "kind": "dynamic",
                "criteria": "form=webinar"}),
    );
    let id = selection["id"].as_i64().unwrap();
    let members = get(&c, &format!("/api/v1/selections/{id}/members?limit=2"));
    assert_eq!(members["total"], json!(5), "{members}");
    assert_eq!(count_items(&members), 2);
    let narrowed = get(
        &c,
        &format!("/api/v1/selections/{id}/members?email[contains]=p2@"),
    );
    assert_eq!(narrowed["total"], json!(1), "{narrowed}");

    let fixed = post_created(
        &c,
        &json!({"name": "two", "entity": "person", "kind": "static",
                "criteria": {"field": "email", "op": "in",
                             "value": ["p1@total.example", "p3@total.example"]}}),
    );
    let fixed_id = fixed["id"].as_i64().unwrap();
    let members = get(&c, &format!("/api/v1/selections/{fixed_id}/members"));
    assert_eq!(members["total"], json!(2), "{members}");
    assert!(ids.contains(&members["items"][0]["id"].as_i64().unwrap()));
}

fn post_created(c: &Collector, body: &Value) -> Value {
    let (status, answer) = status_and_json(
        c.post("/api/v1/selections")
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201, "{body}: {answer}");
    answer
}
