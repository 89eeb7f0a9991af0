//! The attribution quality report through the real binary: tracked, untracked and direct
//! posts, a campaign in two spellings, alias-like sources and an unknown medium give the
//! report's figures exactly, and its lines lead to the persons behind them.

mod common;

use common::{urlencode, Collector, TOKEN};
use serde_json::{json, Value};

fn tracked(c: &Collector, form: &str, email: &str, source: &str, medium: &str, campaign: &str) {
    let (status, body) = c.submit(
        form,
        &[
            ("email", email),
            ("lt_v", "1"),
            ("lt_last_source", source),
            ("lt_last_medium", medium),
            ("lt_last_campaign", campaign),
        ],
    );
    assert_eq!(status, 201, "{body}");
}

/// A post without tracker fields, as a plain HTML form sends it.
fn untagged(c: &Collector, form: &str, email: &str, referer: Option<&str>) {
    let mut request = c
        .post(&format!("/f/{form}"))
        .header("accept", "application/json")
        .form(&[("email", email)]);
    if let Some(referer) = referer {
        request = request.header("referer", referer);
    }
    let (status, body) = common::status_and_json(request.send().unwrap());
    assert_eq!(status, 201, "{body}");
}

fn id_of(c: &Collector, email: &str) -> i64 {
    c.person_by_email(email)["id"].as_i64().unwrap()
}

#[test]
fn the_report_counts_what_is_lost_and_links_to_who() {
    let c = Collector::start();
    tracked(
        &c,
        "webinar",
        "alice@example.com",
        "linkedin",
        "paid_social",
        "Webinar_Sept",
    );
    tracked(
        &c,
        "webinar",
        "bob@example.com",
        "linkedin",
        "paid_social",
        "webinar-sept",
    );
    untagged(
        &c,
        "contact",
        "carol@example.com",
        Some("https://shop.example.com/contact"),
    );
    untagged(&c, "contact", "dan@example.com", None);
    tracked(&c, "webinar", "eve@example.com", "(direct)", "(none)", "");
    untagged(
        &c,
        "webinar",
        "frank@example.com",
        Some("https://www.example.org/webinar?utm_source=acme.com&utm_medium=banner_x"),
    );
    tracked(
        &c,
        "webinar",
        "grace@example.com",
        "acme",
        "email",
        "spring",
    );
    tracked(
        &c,
        "webinar",
        "heidi@example.com",
        "newsy",
        "email",
        "spring",
    );
    // An alias added after the post: the stored `newsy` now looks like `newsletter`.
    let alias = c
        .client
        .put(c.url("/api/v1/aliases/newsy"))
        .bearer_auth(TOKEN)
        .json(&json!({"source": "newsletter"}))
        .send()
        .unwrap();
    assert!(alias.status().is_success(), "{}", alias.text().unwrap());
    let link = c
        .post("/api/v1/links/saved")
        .bearer_auth(TOKEN)
        .json(
            &json!({"name": "banner", "url": "https://acme.example/", "source": "acme",
                      "medium": "banner_x", "campaign": "spring"}),
        )
        .send()
        .unwrap();
    let (status, link) = common::status_and_json(link);
    assert_eq!(status, 201, "{link}");
    let link_id = link["link"]["id"].as_i64().unwrap();

    let ids: Vec<i64> = [
        "alice", "bob", "carol", "dan", "eve", "frank", "grace", "heidi",
    ]
    .iter()
    .map(|n| id_of(&c, &format!("{n}@example.com")))
    .collect();
    let [alice, bob, carol, dan, eve, frank, _grace, heidi] = ids[..] else {
        unreachable!()
    };

    let (status, report) = c.api("/api/v1/quality");
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["new_leads"], 8);
    assert_eq!(
        (&report["direct"]["persons"], &report["direct"]["share"]),
        (&json!(1), &json!(12.5))
    );
    assert_eq!(report["direct"]["person_ids"], json!([eve]));
    assert_eq!(
        (
            &report["untracked"]["persons"],
            &report["untracked"]["share"]
        ),
        (&json!(2), &json!(25.0))
    );
    assert_eq!(report["untracked"]["person_ids"], json!([dan, carol]));
    assert_eq!(
        report["untagged_posts"],
        json!([
            {"form": "contact", "origin": "(no referer)", "posts": 1, "persons": 1, "person_ids": [dan]},
            {"form": "contact", "origin": "shop.example.com", "posts": 1, "persons": 1, "person_ids": [carol]},
            {"form": "webinar", "origin": "example.org", "posts": 1, "persons": 1, "person_ids": [frank]},
        ])
    );
    assert_eq!(
        report["untagged_forms"],
        json!([{"form": "contact", "posts": 2, "origins": ["(no referer)", "shop.example.com"],
                "criteria": "form=contact", "persons": 2, "person_ids": [dan, carol]}])
    );
    assert_eq!(
        report["campaign_spellings"],
        json!([{"key": "webinarsept",
                "spellings": [{"value": "webinar-sept", "persons": 1}, {"value": "webinar_sept", "persons": 1}],
                "persons": 2, "person_ids": [bob, alice]}])
    );
    assert_eq!(
        report["alias_like_sources"],
        json!([
            {"source": "acme.com", "looks_like": "acme", "reason": "host", "persons": 1, "person_ids": [frank]},
            {"source": "newsy", "looks_like": "newsletter", "reason": "alias", "persons": 1, "person_ids": [heidi]},
        ])
    );
    assert_eq!(
        report["unknown_mediums"],
        json!([{"medium": "banner_x", "persons": 1, "person_ids": [frank], "link_ids": [link_id]}])
    );

    // The criteria find the same persons through the search API.
    for (line, expected) in [("direct", vec![eve]), ("untracked", vec![carol, dan])] {
        let criteria = report[line]["criteria"].as_str().unwrap();
        let (status, found) = c.api(&format!("/api/v1/persons?{criteria}"));
        assert_eq!(status, 200, "{criteria}: {found}");
        let found: Vec<i64> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(found, expected, "{criteria}");
    }
    let (_, found) = c.api("/api/v1/persons?form=contact");
    assert_eq!(found["items"].as_array().unwrap().len(), 2);

    // Another period has nothing; a bad date is refused, naming the parameter.
    let (status, empty) = c.api("/api/v1/quality?from=2000-01-01&to=2000-12-31");
    assert_eq!(status, 200);
    assert_eq!(
        (
            &empty["new_leads"],
            &empty["direct"]["share"],
            &empty["untagged_posts"]
        ),
        (&json!(0), &json!(0.0), &json!([]))
    );
    assert_eq!(
        empty["period"],
        json!({"from": "2000-01-01", "to": "2000-12-31"})
    );
    // Forms never tagged are all time, whatever the period.
    assert_eq!(empty["untagged_forms"][0]["form"], "contact");
    let bad = c
        .get("/api/v1/quality?from=soon")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(common::error_of(bad, 422).starts_with("from"));

    // The tile: the same lines, on the marketing preset, with a drill-down to the persons.
    let (status, tile) = c.api("/api/v1/tiles/attribution-quality");
    assert_eq!(status, 200, "{tile}");
    assert_eq!(tile["kind"], "table");
    let rows: Vec<(String, Value)> = tile["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_owned(), r["value"].clone()))
        .collect();
    let expected: Vec<(String, Value)> = [
        ("direct", 1),
        ("untracked", 2),
        ("posts:contact@(no referer)", 1),
        ("posts:contact@shop.example.com", 1),
        ("posts:webinar@example.org", 1),
        ("form:contact", 2),
        ("campaign:webinarsept", 2),
        ("source:acme.com", 1),
        ("source:newsy", 1),
        ("medium:banner_x", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), json!(v)))
    .collect();
    assert_eq!(rows, expected);
    let (status, persons) = c.api(&format!(
        "/api/v1/tiles/attribution-quality/persons?key={}",
        urlencode("campaign:webinarsept")
    ));
    assert_eq!(status, 200, "{persons}");
    let emails: Vec<&str> = persons["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["bob@example.com", "alice@example.com"]);
    let (status, refused) = c.api("/api/v1/tiles/attribution-quality/persons?key=nothing");
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().starts_with("key: "),
        "{refused}"
    );
    let (_, marketing) = c.api("/api/v1/dashboards/marketing");
    assert!(marketing["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["tile"] == "attribution-quality"));
}

/// The attribution-quality tile counts the persons of the dashboard's country (or owner)
/// only, and its drill-down lists only them; the report itself counts everyone.
#[test]
fn the_tile_narrows_to_the_dashboard_s_country() {
    let c = Collector::start();
    for (email, country, source, medium) in [
        ("ola@example.no", "NO", "(direct)", "(none)"),
        ("kari@example.no", "NO", "linkedin", "paid_social"),
        ("sven@example.se", "SE", "(direct)", "(none)"),
        ("ebba@example.se", "SE", "(direct)", "(none)"),
    ] {
        let (status, body) = c.submit(
            "webinar",
            &[
                ("email", email),
                ("country", country),
                ("lt_v", "1"),
                ("lt_last_source", source),
                ("lt_last_medium", medium),
            ],
        );
        assert_eq!(status, 201, "{body}");
    }
    let direct = |query: &str| -> Value {
        let (status, body) = c.api(&format!("/api/v1/tiles/attribution-quality?{query}"));
        assert_eq!(status, 200, "{body}");
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == "direct")
            .cloned()
            .unwrap()
    };
    assert_eq!(direct("")["value"], 3);
    let norway = direct("country=NO");
    assert_eq!(norway["value"], 1);
    assert_eq!(norway["detail"], "50 % of 2 new leads");
    assert_eq!(direct("country=SE")["value"], 2);
    assert_eq!(direct("country=DK")["value"], 0);
    let (status, persons) =
        c.api("/api/v1/tiles/attribution-quality/persons?key=direct&country=NO");
    assert_eq!(status, 200, "{persons}");
    let emails: Vec<&str> = persons["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ola@example.no"]);
    let (_, report) = c.api("/api/v1/quality");
    assert_eq!(report["direct"]["persons"], 3);
}
