//! What the companies pages read, through the real binary on 127.0.0.1:0 with a real
//! SQLite file, data put in through the form endpoint: a company's persons by the
//! `company_id` criterion (newest first, paged, counted), the companies newest first and
//! narrowed by a part of the name or the domain.

mod common;

use common::{status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

/// A new person from `email` whose last touch is `source` / `campaign`; the receipt's
/// person id.
fn lead(c: &Collector, email: &str, source: &str, campaign: &str) -> i64 {
    let (status, receipt) = c.submit(
        "webinar",
        &[
            ("email", email),
            ("lt_v", "1"),
            ("lt_last_source", source),
            ("lt_last_medium", "paid_social"),
            ("lt_last_campaign", campaign),
        ],
    );
    assert_eq!(status, 201, "{receipt}");
    receipt["person_id"].as_i64().unwrap()
}

fn get(c: &Collector, path: &str) -> Value {
    let (status, body) = c.api(path);
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {page}"))
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

fn company_of(c: &Collector, person: i64) -> i64 {
    get(c, &format!("/api/v1/persons/{person}"))["company_id"]
        .as_i64()
        .expect("a person from a company domain has a company")
}

#[test]
fn a_company_s_persons_newest_first_paged_and_counted() {
    let c = Collector::start();
    let acme: Vec<i64> = (0..5)
        .map(|i| {
            lead(
                &c,
                &format!("p{i}@acme-industries.no"),
                "linkedin",
                "nordic",
            )
        })
        .collect();
    let other = lead(&c, "someone@other.example", "google", "brand");
    let company = company_of(&c, acme[0]);
    assert!(acme.iter().all(|&p| company_of(&c, p) == company));
    assert_ne!(company_of(&c, other), company);

    // Every person of the company, and only those, with their lead columns.
    let all = get(
        &c,
        &format!("/api/v1/persons?company_id={company}&order=newest"),
    );
    let mut newest_first = acme.clone();
    newest_first.reverse();
    assert_eq!(ids(&all), newest_first);
    assert_eq!(all["total"], 5);
    let first = &all["items"][0];
    assert_eq!(first["lead_generation"]["source"], "linkedin");
    assert_eq!(first["lead_generation"]["campaign"], "nordic");

    // Two at a time: the cursor continues below, the total stays the company's.
    let page1 = get(
        &c,
        &format!("/api/v1/persons?company_id={company}&order=newest&limit=2"),
    );
    assert_eq!(ids(&page1), newest_first[..2]);
    assert_eq!(page1["total"], 5);
    let cursor = page1["next"].as_str().expect("more follow").to_owned();
    let page2 = get(
        &c,
        &format!("/api/v1/persons?company_id={company}&order=newest&limit=2&cursor={cursor}"),
    );
    assert_eq!(ids(&page2), newest_first[2..4]);

    // The same criterion in a JSON tree, and `in` over several companies.
    let (status, tree) = status_and_json(
        c.post("/api/v1/persons/search")
            .bearer_auth(TOKEN)
            .json(&json!({"field": "company_id", "value": company}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{tree}");
    assert_eq!(ids(&tree), acme);
    let other_company = company_of(&c, other);
    let both = get(
        &c,
        &format!("/api/v1/persons?company_id[in]={company},{other_company}"),
    );
    assert_eq!(both["total"], 6);

    // A company without persons (or none at all) finds nothing; a bad id is a 400 that
    // says why.
    let none = get(&c, "/api/v1/persons?company_id=999999");
    assert_eq!(ids(&none), Vec::<i64>::new());
    assert_eq!(none["total"], 0);
    let (status, error) = c.api("/api/v1/persons?company_id=acme");
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"].as_str().unwrap().contains("company_id"),
        "{error}"
    );
    let (status, error) = c.api("/api/v1/persons?company_id[contains]=1");
    assert_eq!(status, 400, "{error}");

    // The fields listing offers it, so criteria builders can too.
    let fields = get(&c, "/api/v1/search/fields");
    assert!(
        fields["person"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "company_id"),
        "{fields}"
    );
}

#[test]
fn companies_newest_first_narrowed_by_name_or_domain() {
    let c = Collector::start();
    let nordlys = company_of(&c, lead(&c, "kari@nordlys-maskin.no", "linkedin", "a"));
    let fjord = company_of(&c, lead(&c, "ola@fjordkraft-demo.no", "google", "b"));
    let acme = company_of(&c, lead(&c, "per@acme.example", "bing", "c"));

    let all = get(&c, "/api/v1/companies?order=newest");
    assert_eq!(ids(&all), vec![acme, fjord, nordlys]);
    assert_eq!(all["total"], 3);

    // The /companies filter: a part of the name or of the domain, case-insensitive.
    let filter = |q: &str| {
        let (status, page) = status_and_json(
            c.post("/api/v1/companies/search?order=newest")
                .bearer_auth(TOKEN)
                .json(&json!({"any": [
                    {"field": "name", "op": "contains", "value": q},
                    {"field": "domain", "op": "contains", "value": q},
                ]}))
                .send()
                .unwrap(),
        );
        assert_eq!(status, 200, "{q}: {page}");
        page
    };
    let page = filter(".no");
    assert_eq!(ids(&page), vec![fjord, nordlys]);
    assert_eq!(page["total"], 2);
    assert_eq!(ids(&filter("NORDLYS")), vec![nordlys]);
    // LIKE's wildcards match themselves.
    assert_eq!(ids(&filter("%")), Vec::<i64>::new());

    // A company's own id is a criterion of companies too.
    let one = get(&c, &format!("/api/v1/companies?company_id={fjord}"));
    assert_eq!(ids(&one), vec![fjord]);
}

fn patch(c: &Collector, token: &str, id: i64, body: Value) -> (u16, Value) {
    status_and_json(
        c.client
            .patch(c.url(&format!("/api/v1/companies/{id}")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .unwrap(),
    )
}

#[test]
fn a_company_is_renamed_and_keeps_its_persons_source_and_key() {
    let c = Collector::start();
    let kari = lead(&c, "kari@nordlys-maskin.no", "linkedin", "launch");
    let company = company_of(&c, kari);
    assert_eq!(
        get(&c, &format!("/api/v1/companies/{company}"))["name"],
        "nordlys-maskin.no"
    );

    let (status, renamed) = patch(&c, TOKEN, company, json!({"name": "  Nordlys Maskin AS  "}));
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["name"], "Nordlys Maskin AS", "trimmed");
    assert_eq!(renamed["domain"], "nordlys-maskin.no");
    assert_eq!(renamed["source"]["source"], "linkedin");
    assert_eq!(
        get(&c, &format!("/api/v1/companies/{company}"))["name"],
        "Nordlys Maskin AS"
    );
    // Search finds it by the new name; a new lead from the domain still joins it.
    let found = get(&c, "/api/v1/companies?name[contains]=Maskin%20AS");
    assert_eq!(ids(&found), vec![company]);
    let ola = lead(&c, "ola@nordlys-maskin.no", "google", "brand");
    assert_eq!(company_of(&c, ola), company);
    let persons = get(&c, &format!("/api/v1/persons?company_id={company}"));
    assert_eq!(ids(&persons), vec![kari, ola]);

    // What is refused, with what is wrong; nothing changes.
    for (body, field, says) in [
        (json!({}), "name", "required"),
        (json!({"name": "   "}), "name", "required"),
        (json!({"name": null}), "name", "required"),
        (json!({"name": 7}), "name", "string"),
        (json!({"name": "x".repeat(201)}), "name", "longer than 200"),
        (
            json!({"name": "X", "domain": "evil.example"}),
            "body",
            "domain",
        ),
        (
            json!({"name": "X", "source": {"source": "x"}}),
            "source",
            "read-only",
        ),
    ] {
        let (status, error) = patch(&c, TOKEN, company, body.clone());
        assert_eq!(status, 422, "{body}: {error}");
        let message = error["error"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{field}:")) && message.contains(says),
            "{body}: {message}"
        );
    }
    let (status, error) = patch(&c, TOKEN, 999_999, json!({"name": "Nobody"}));
    assert_eq!(status, 404, "{error}");
    let (status, error) = status_and_json(
        c.client
            .patch(c.url(&format!("/api/v1/companies/{company}")))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/json")
            .body("{not json")
            .send()
            .unwrap(),
    );
    assert!(status == 400 || status == 422, "{status} {error}");

    // A viewer reads the company but may not rename it.
    common::cli_ok(
        &c.db,
        &[
            "user",
            "create",
            "--email",
            "vera@example.com",
            "--name",
            "Vera",
            "--role",
            "viewer",
        ],
        "a fine long passphrase\n",
    );
    let viewer = common::cli_ok(
        &c.db,
        &[
            "token",
            "create",
            "--user",
            "vera@example.com",
            "--scope",
            "read",
        ],
        "",
    );
    let (status, error) = patch(&c, &viewer, company, json!({"name": "Vera's"}));
    assert_eq!(status, 403, "{error}");
    assert_eq!(
        get(&c, &format!("/api/v1/companies/{company}"))["name"],
        "Nordlys Maskin AS"
    );
}
