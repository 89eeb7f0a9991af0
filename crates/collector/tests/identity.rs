//! Persons and companies cannot be forged with look-alike spellings: through the real
//! binary, each spelling of one address reaches one person, invisible characters are
//! refused with a 422 that says so, and a domain that imitates another is flagged.

mod common;

use common::{error_of, Collector, TOKEN};
use serde_json::Value;

fn post(c: &Collector, email: &str) -> reqwest::blocking::Response {
    c.post("/f/identity")
        .header("accept", "application/json")
        .form(&[("email", email)])
        .send()
        .unwrap()
}

fn person_id(c: &Collector, email: &str) -> i64 {
    let response = post(c, email);
    assert_eq!(response.status(), 201, "{email:?}");
    let body: Value = response.json().unwrap();
    body["person_id"].as_i64().unwrap()
}

#[test]
fn every_spelling_of_one_address_is_one_person() {
    let c = Collector::start();
    let first = person_id(&c, "josé@bücher.example");
    for same in [
        "jose\u{301}@bücher.example",      // NFD
        "JOSÉ@xn--bcher-kva.example",      // punycode domain, upper case
        "jos\u{e9}@bu\u{308}cher.example", // NFD domain
    ] {
        assert_eq!(person_id(&c, same), first, "{same:?}");
    }
    let fullwidth = person_id(&c, "\u{FF41}da@acme.example");
    assert_eq!(person_id(&c, "ada@acme.example"), fullwidth);
    // Found by any spelling too.
    let found = c
        .get("/api/v1/persons?email=jose%CC%81%40b%C3%BCcher.example")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    let found: Value = found.json().unwrap();
    assert_eq!(found["items"][0]["id"], first, "{found}");
}

#[test]
fn invisible_characters_in_an_email_are_refused_with_a_reason() {
    let c = Collector::start();
    for bad in [
        "ada\u{200B}@acme.example",
        "ada\u{00AD}@acme.example",
        "ada\u{202E}@acme.example",
    ] {
        let message = error_of(post(&c, bad), 422);
        assert!(message.contains("invisible"), "{bad:?}: {message}");
    }
    assert_eq!(
        common::count(&common::open_db(&c.db), "persons"),
        0,
        "nothing stored"
    );
}

#[test]
fn a_look_alike_domain_is_its_own_company_and_flagged() {
    let c = Collector::start();
    person_id(&c, "ola@acme.example");
    person_id(&c, "kari@acm\u{435}.example"); // Cyrillic е
    let real = c.person_by_email("ola@acme.example")["company_id"].clone();
    let fake = c.person_by_email("kari@acm\u{435}.example")["company_id"].clone();
    assert_ne!(real, fake);
    let company = |id: &Value| {
        let response = c
            .get(&format!("/api/v1/companies/{id}"))
            .bearer_auth(TOKEN)
            .send()
            .unwrap();
        response.json::<Value>().unwrap()
    };
    let real = company(&real);
    let fake = company(&fake);
    assert_eq!(real["domain_mixes_scripts"], false, "{real}");
    assert_eq!(fake["domain_mixes_scripts"], true, "{fake}");
    assert_eq!(fake["domain"], "xn--acm-tdd.example", "{fake}");
    assert_eq!(fake["name"], "acm\u{435}.example");
}
