//! The attribution models through the real binary: three leads posted to the form
//! endpoint with known touches, and their won sales, credited by every model as worked
//! out by hand; totals equal the leads; erasing a lead takes its credit away; the tiles.
//!
//! The leads (touch times as the tracker sends them, relative to now):
//! - A: first LinkedIn (paid social) 7 days ago, lead generation Google (cpc) now; won
//!   300.00 EUR;
//! - B: Google (cpc) now as first interaction and lead generation (one touch); won
//!   100.00 EUR and 50.00 NOK;
//! - C: first the newsletter (email) 14 days ago, lead generation LinkedIn now.

mod common;

use common::{error_of, status_and_json, won_sale, Collector, TOKEN};
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn lead(c: &Collector, email: &str, first: (&str, &str, i64), last: (&str, &str, i64)) -> i64 {
    let (first_at, last_at) = (first.2.to_string(), last.2.to_string());
    let (status, body) = c.submit(
        "contact",
        &[
            ("email", email),
            ("lt_v", "1"),
            ("lt_first_source", first.0),
            ("lt_first_medium", first.1),
            ("lt_first_at", &first_at),
            ("lt_last_source", last.0),
            ("lt_last_medium", last.1),
            ("lt_last_at", &last_at),
        ],
    );
    assert_eq!(status, 201, "{body}");
    body["person_id"].as_i64().unwrap()
}

/// A, B and C as above; their ids.
fn three_leads(c: &Collector) -> (i64, i64, i64) {
    let now = now_ms();
    let a = lead(
        c,
        "a@example.com",
        ("linkedin", "paid_social", now - 7 * DAY_MS),
        ("google", "cpc", now),
    );
    let b = lead(
        c,
        "b@example.com",
        ("google", "cpc", now),
        ("google", "cpc", now),
    );
    let c_id = lead(
        c,
        "c@example.com",
        ("newsletter", "email", now - 14 * DAY_MS),
        ("linkedin", "paid_social", now),
    );
    won_sale(c, a, "300.00", "EUR");
    won_sale(c, b, "100.00", "EUR");
    won_sale(c, b, "50.00", "NOK");
    (a, b, c_id)
}

/// Rows as `(key, leads, deals, [(currency, amount)])`, in the answer's order.
/// A row: key, leads, deals, revenue per currency.
type RowFigures = (String, f64, f64, Vec<(String, f64)>);

fn rows(answer: &Value) -> Vec<RowFigures> {
    answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let revenue = r["revenue"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["currency"].as_str().unwrap().to_owned(),
                        m["amount"].as_f64().unwrap(),
                    )
                })
                .collect();
            (
                r["key"].as_str().unwrap().to_owned(),
                r["leads"].as_f64().unwrap(),
                r["deals"].as_f64().unwrap(),
                revenue,
            )
        })
        .collect()
}

type Expected<'a> = &'a [(&'a str, f64, f64, &'a [(&'a str, f64)])];

fn expect(c: &Collector, model: &str, expected: Expected<'_>) {
    let (status, answer) = c.api(&format!("/api/v1/attribution?model={model}&by=source"));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["model"], model);
    assert_eq!(answer["by"], "source");
    let got = rows(&answer);
    let want: Vec<RowFigures> = expected
        .iter()
        .map(|(key, leads, deals, revenue)| {
            let revenue = revenue.iter().map(|(c, a)| ((*c).to_owned(), *a)).collect();
            ((*key).to_owned(), *leads, *deals, revenue)
        })
        .collect();
    assert_eq!(got, want, "{model}: {answer}");
    // Every lead and won deal once, revenue per currency.
    assert_eq!(answer["totals"]["leads"], 3.0, "{answer}");
    assert_eq!(answer["totals"]["deals"], 3.0, "{answer}");
    assert_eq!(
        answer["totals"]["revenue"],
        json!([{"currency": "EUR", "amount": 400.0, "amount_minor": 40000},
               {"currency": "NOK", "amount": 50.0, "amount_minor": 5000}])
    );
    let sum: f64 = got.iter().map(|r| r.1).sum();
    assert!((sum - 3.0).abs() < 1e-3, "{model}: rows add up to {sum}");
}

#[test]
fn every_model_credits_the_hand_computed_rows() {
    let c = Collector::start();
    three_leads(&c);
    let eur = |a: f64| ("EUR", a);
    expect(
        &c,
        "first_interaction",
        &[
            ("google", 1.0, 2.0, &[eur(100.0), ("NOK", 50.0)]),
            ("linkedin", 1.0, 1.0, &[eur(300.0)]),
            ("newsletter", 1.0, 0.0, &[]),
        ],
    );
    expect(
        &c,
        "last_touch",
        &[
            ("google", 2.0, 3.0, &[eur(400.0), ("NOK", 50.0)]),
            ("linkedin", 1.0, 0.0, &[]),
        ],
    );
    expect(
        &c,
        "last_non_direct",
        &[
            ("google", 2.0, 3.0, &[eur(400.0), ("NOK", 50.0)]),
            ("linkedin", 1.0, 0.0, &[]),
        ],
    );
    // Two touches each for A and C: halves.
    let halves: Expected<'_> = &[
        ("google", 1.5, 2.5, &[eur(250.0), ("NOK", 50.0)]),
        ("linkedin", 1.0, 0.5, &[eur(150.0)]),
        ("newsletter", 0.5, 0.0, &[]),
    ];
    expect(&c, "linear", halves);
    expect(&c, "position_based", halves);
    // Half-life 7 days: A's LinkedIn (7 days) weighs 1/2 against 1, so 1/3 and 2/3; C's
    // newsletter (14 days) 1/4 against 1, so 1/5 and 4/5.
    expect(
        &c,
        "time_decay",
        &[
            ("google", 1.6667, 2.6667, &[eur(300.0), ("NOK", 50.0)]),
            ("linkedin", 1.1333, 0.3333, &[eur(100.0)]),
            ("newsletter", 0.2, 0.0, &[]),
        ],
    );
}

#[test]
fn channels_named_periods_filters_and_refusals() {
    let c = Collector::start_with(&[], &[("LEADTRAIL_ATTRIBUTION_HALF_LIFE", "14d")]);
    three_leads(&c);
    let (status, answer) = c.api("/api/v1/attribution?model=last_touch&by=channel");
    assert_eq!(status, 200, "{answer}");
    let labels: Vec<(&str, &str, f64)> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["label"].as_str().unwrap(),
                r["leads"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("paid_search", "Paid Search", 2.0),
            ("paid_social", "Paid Social", 1.0)
        ]
    );
    assert_eq!(answer["half_life_days"], 14.0);
    assert!(answer["rounding"].as_str().unwrap().contains("4 decimals"));
    // Half-life 14 days: A's LinkedIn weighs 2^-1/2 against 1.
    let (_, answer) = c.api("/api/v1/attribution?model=time_decay&by=medium");
    let paid_social = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "paid_social")
        .unwrap()["leads"]
        .as_f64()
        .unwrap();
    let w = 0.5f64.sqrt();
    let expected = w / (1.0 + w) + 1.0 / (1.0 + 0.5);
    assert!(
        (paid_social - expected).abs() < 1e-3,
        "{paid_social} vs {expected}"
    );
    // Defaults: last touch by source, year to date.
    let (_, answer) = c.api("/api/v1/attribution");
    assert_eq!(
        (answer["model"].as_str(), answer["by"].as_str()),
        (Some("last_touch"), Some("source"))
    );
    // Another country, another period: nobody.
    let (_, answer) = c.api("/api/v1/attribution?country=NO");
    assert_eq!(answer["rows"], json!([]));
    assert_eq!(answer["totals"]["leads"], 0.0);
    let (_, answer) = c.api("/api/v1/attribution?from=2020-01-01&to=2020-12-31");
    assert_eq!(
        answer["period"],
        json!({"from": "2020-01-01", "to": "2020-12-31"})
    );
    assert_eq!(answer["rows"], json!([]));
    for (query, words) in [
        (
            "model=data_driven",
            "model: must be one of first_interaction",
        ),
        (
            "by=lead_source",
            "by: must be source, medium, campaign or channel",
        ),
        ("from=2026-02-01&to=2026-01-01", "from"),
        ("owner=someone", "owner"),
    ] {
        let response = c
            .get(&format!("/api/v1/attribution?{query}"))
            .bearer_auth(TOKEN)
            .send()
            .unwrap();
        let message = error_of(response, 422);
        assert!(message.contains(words), "{query}: {message}");
    }
}

#[test]
fn erasing_a_lead_takes_its_credit_away() {
    let c = Collector::start();
    let (a, _, _) = three_leads(&c);
    let response = c
        .client
        .delete(c.url(&format!("/api/v1/persons/{a}")))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, answer) = c.api("/api/v1/attribution?model=linear&by=source");
    assert_eq!(answer["totals"]["leads"], 2.0, "{answer}");
    assert_eq!(answer["totals"]["deals"], 2.0, "{answer}");
    let got = rows(&answer);
    assert_eq!(
        got,
        [
            (
                "google".to_owned(),
                1.0,
                2.0,
                vec![("EUR".to_owned(), 100.0), ("NOK".to_owned(), 50.0)]
            ),
            ("linkedin".to_owned(), 0.5, 0.0, vec![]),
            ("newsletter".to_owned(), 0.5, 0.0, vec![]),
        ]
    );
}

#[test]
fn the_tiles_show_any_model() {
    let c = Collector::start();
    let (a, b, c_id) = three_leads(&c);
    let (_, catalogue) = c.api("/api/v1/tiles");
    let tile = catalogue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "attribution")
        .unwrap()
        .clone();
    assert_eq!(tile["params"], json!(["model", "by"]));
    assert_eq!(tile["choices"][0]["values"][3], "linear");
    let (status, answer) = c.api("/api/v1/tiles/attribution?model=linear&by=source");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["model"].as_str(), answer["by"].as_str()),
        (Some("linear"), Some("source"))
    );
    let values: Vec<(&str, f64)> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        values,
        [("google", 1.5), ("linkedin", 1.0), ("newsletter", 0.5)]
    );
    // The persons behind a row: those whose journeys credit it, newest first.
    let (status, persons) =
        c.api("/api/v1/tiles/attribution/persons?model=linear&by=source&key=linkedin");
    assert_eq!(status, 200, "{persons}");
    let ids: Vec<i64> = persons["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [c_id, a]);
    // Source performance: as before without a model, credited under one.
    let (_, plain) = c.api("/api/v1/tiles/source-performance");
    assert!(plain.get("model").is_none(), "{plain}");
    assert_eq!(plain["rows"][0]["leads"], 2);
    let (_, linear) = c.api("/api/v1/tiles/source-performance?model=linear");
    assert_eq!(linear["model"], "linear");
    let google = &linear["rows"][0];
    assert_eq!(google["key"], r#"["google","cpc"]"#, "{linear}");
    assert_eq!(
        (google["leads"].as_f64(), google["deals"].as_f64()),
        (Some(1.5), Some(2.5))
    );
    assert_eq!(google["conversion_rate"], 166.7);
    let (_, persons) = c.api(&format!(
        "/api/v1/tiles/source-performance/persons?model=linear&key={}",
        common::urlencode(r#"["google","cpc"]"#)
    ));
    let ids: Vec<i64> = persons["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [b, a]);
    // A bad model is refused for any tile; `by` is the attribution tile's own there.
    let response = c
        .get("/api/v1/tiles/lead-funnel?model=magic")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(error_of(response, 422).contains("model"));
    let response = c
        .get("/api/v1/tiles/attribution?by=lead_source")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(error_of(response, 422).contains("by: must be source"));
    // A dashboard keeps the tile's model and grouping, and refuses what does not fit.
    let post = |body: Value| {
        status_and_json(
            c.post("/api/v1/dashboards")
                .bearer_auth(TOKEN)
                .json(&body)
                .send()
                .unwrap(),
        )
    };
    let (status, saved) = post(json!({"name": "Credit", "tiles": [
        {"tile": "attribution", "model": "time_decay", "by": "channel"},
        {"tile": "source-performance", "model": "position_based"}]}));
    assert_eq!(status, 201, "{saved}");
    assert_eq!(
        saved["tiles"][0],
        json!({"tile": "attribution", "model": "time_decay", "by": "channel"})
    );
    for tiles in [
        json!([{"tile": "attribution", "by": "lead_source"}]),
        json!([{"tile": "attribution", "model": "magic"}]),
        json!([{"tile": "lead-funnel", "model": "linear"}]),
    ] {
        let (status, body) = post(json!({"name": "x", "tiles": tiles}));
        assert_eq!(status, 422, "{tiles}: {body}");
    }
}

#[test]
fn a_stored_journey_is_credited_touch_by_touch() {
    let c = Collector::start();
    let now = now_ms();
    let (first_at, middle_at) = (now - 14 * DAY_MS, now - 7 * DAY_MS);
    let journey = format!(
        "1,source=linkedin&medium=paid_social&at={first_at},\
         source=newsletter&medium=email&at={middle_at},source=google&medium=cpc&at={now}"
    );
    let (first_at, now_text) = (first_at.to_string(), now.to_string());
    let (status, body) = c.submit(
        "contact",
        &[
            ("email", "d@example.com"),
            ("lt_v", "1"),
            ("lt_first_source", "linkedin"),
            ("lt_first_medium", "paid_social"),
            ("lt_first_at", &first_at),
            ("lt_last_source", "google"),
            ("lt_last_medium", "cpc"),
            ("lt_last_at", &now_text),
            ("lt_journey", &journey),
        ],
    );
    assert_eq!(status, 201, "{body}");
    let credit = |model: &str, by: &str| -> Vec<(String, f64)> {
        let (status, answer) = c.api(&format!("/api/v1/attribution?model={model}&by={by}"));
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["totals"]["leads"], 1.0, "{answer}");
        answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_owned(),
                    r["leads"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let pairs = |list: &[(&str, f64)]| -> Vec<(String, f64)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    assert_eq!(
        credit("first_interaction", "source"),
        pairs(&[("linkedin", 1.0)])
    );
    assert_eq!(credit("last_touch", "source"), pairs(&[("google", 1.0)]));
    assert_eq!(
        credit("last_non_direct", "source"),
        pairs(&[("google", 1.0)])
    );
    assert_eq!(
        credit("linear", "source"),
        pairs(&[
            ("google", 0.3333),
            ("linkedin", 0.3333),
            ("newsletter", 0.3333)
        ])
    );
    assert_eq!(
        credit("position_based", "source"),
        pairs(&[("google", 0.4), ("linkedin", 0.4), ("newsletter", 0.2)])
    );
    // Ages 14 and 7 days and 0: weights 1/4, 1/2, 1, so 1/7, 2/7, 4/7.
    assert_eq!(
        credit("time_decay", "source"),
        pairs(&[
            ("google", 0.5714),
            ("newsletter", 0.2857),
            ("linkedin", 0.1429)
        ])
    );
    assert_eq!(
        credit("linear", "channel"),
        pairs(&[
            ("email", 0.3333),
            ("paid_search", 0.3333),
            ("paid_social", 0.3333)
        ])
    );
}

#[test]
fn a_half_life_that_is_no_duration_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = common::command()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("leadtrail.db"))
        .env("LEADTRAIL_ATTRIBUTION_HALF_LIFE", "a week")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "started: {stderr}");
    assert!(
        stderr.contains("attribution_half_life must be a duration"),
        "{stderr}"
    );
}
