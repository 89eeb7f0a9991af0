//! A company's timeline through the binary: two persons of one e-mail domain post
//! `lt_journey` through the form endpoint; `GET /api/v1/companies/{id}/journey` merges
//! their touches and submissions in order, names whose each is, and marks the touches
//! before the company's first won deal. An unknown company is a JSON 404.

mod common;

use common::{status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_750_000_000_000;

fn touch(source: &str, medium: &str, campaign: &str, at: i64) -> String {
    format!(
        "source={source}&medium={medium}&campaign={}&at={at}",
        common::urlencode(campaign)
    )
}

/// Posts a tracked form with a journey of `touches`; the person's id.
fn post(c: &Collector, email: &str, name: &str, touches: &[String]) -> i64 {
    let journey = format!("1,{}", touches.join(","));
    let (status, body) = c.submit(
        "signup",
        &[
            ("email", email),
            ("name", name),
            ("lt_v", "1"),
            ("lt_last_source", "newsletter"),
            ("lt_last_medium", "email"),
            ("lt_journey", &journey),
        ],
    );
    assert_eq!(status, 201, "{body}");
    body["person_id"].as_i64().unwrap()
}

fn company_journey(c: &Collector, company: i64) -> Value {
    let (status, body) = c.api(&format!("/api/v1/companies/{company}/journey"));
    assert_eq!(status, 200, "{body}");
    body
}

fn campaigns(journey: &Value) -> Vec<(String, String)> {
    journey["touches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["person_name"].as_str().unwrap().to_owned(),
                t["touch"]["campaign"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_persons_journeys_merge_onto_one_timeline_before_the_first_deal() {
    let c = Collector::start();
    // Cleaned as every campaign is (spaces become `_`), and otherwise kept as given.
    let hostile = "<img src=x onerror=alert(1)>";
    let stored = "<img_src=x_onerror=alert(1)>";
    let ada = post(
        &c,
        "ada@acme-journey.example",
        "Ada",
        &[
            touch("linkedin", "paid_social", "nordic_launch", T0),
            touch("google", "cpc", "brand", T0 + 2 * DAY),
        ],
    );
    // A colleague from the same domain, whose touches fall between and after Ada's.
    let bo = post(
        &c,
        "bo@acme-journey.example",
        "",
        &[
            touch("newsletter", "email", hostile, T0 + DAY),
            touch("partner", "referral", "webinar", T0 + 5 * DAY),
        ],
    );
    let company = c.person_by_email("ada@acme-journey.example")["company_id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        c.person_by_email("bo@acme-journey.example")["company_id"],
        company
    );
    // A person of another company is not on this timeline.
    post(
        &c,
        "eve@other-journey.example",
        "Eve",
        &[touch("bing", "cpc", "elsewhere", T0 + DAY)],
    );

    let journey = company_journey(&c, company);
    assert_eq!(journey["company_id"], company);
    assert_eq!(journey["persons_left_out"], 0);
    assert_eq!(journey["first_won_deal_at"], Value::Null);
    // Bo gave no name: the timeline names him by his address.
    assert_eq!(
        campaigns(&journey),
        [
            ("Ada", "nordic_launch"),
            ("bo@acme-journey.example", stored),
            ("Ada", "brand"),
            ("bo@acme-journey.example", "webinar"),
        ]
        .map(|(p, c)| (p.to_owned(), c.to_owned()))
    );
    let touches = journey["touches"].as_array().unwrap();
    assert_eq!(touches[0]["person_id"], ada);
    assert_eq!(touches[1]["person_id"], bo);
    assert_eq!(touches[0]["touch"]["channel"], "paid_social");
    assert_eq!(touches[1]["touch"]["channel"], "email");
    assert!(touches.iter().all(|t| t["before_lead"] == true));
    assert!(touches.iter().all(|t| t["before_first_deal"] == true));
    let submissions = journey["submissions"].as_array().unwrap();
    assert_eq!(submissions.len(), 2);
    assert_eq!(submissions[0]["person_id"], ada, "oldest first");
    assert_eq!(submissions[1]["person_id"], bo);
    assert!(submissions.iter().all(|s| s["lead_generation"] == true));
    assert!(submissions.iter().all(|s| s["form"] == "signup"));

    // A deal won between Ada's brand search and Bo's webinar: only the later touch is
    // after the company's first deal. A later one does not move it.
    for (at, status) in [
        ("2025-06-19T00:00:00Z", "won"),
        ("2025-06-17T00:00:00Z", "lost"),
        ("2025-06-25T00:00:00Z", "won"),
    ] {
        let response = c
            .post("/api/v1/sales")
            .bearer_auth(TOKEN)
            .json(&json!({"person_id": ada, "title": "pilot", "amount": "100",
                          "currency": "EUR", "status": status, "at": at}))
            .send()
            .unwrap();
        let (code, body) = status_and_json(response);
        assert_eq!(code, 201, "{body}");
    }
    // T0 + 2 days is 2025-06-17T15:06:40Z; T0 + 5 days is 2025-06-20.
    let journey = company_journey(&c, company);
    assert_eq!(journey["first_won_deal_at"], "2025-06-19T00:00:00.000Z");
    let before: Vec<bool> = journey["touches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["before_first_deal"].as_bool().unwrap())
        .collect();
    assert_eq!(before, [true, true, true, false]);
}

#[test]
fn an_unknown_company_is_a_json_404_and_a_quiet_one_has_no_touches() {
    let c = Collector::start();
    let (status, body) = c.api("/api/v1/companies/999999/journey");
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("999999"),
        "{body}"
    );
    let (status, _) = status_and_json(c.get("/api/v1/companies/1/journey").send().unwrap());
    assert_eq!(status, 401, "no token, no timeline");

    // A company without journeys: empty lists, its submission still on the timeline.
    let (code, body) = c.submit("contact", &[("email", "plain@quiet-co.example")]);
    assert_eq!(code, 201, "{body}");
    let company = c.person_by_email("plain@quiet-co.example")["company_id"]
        .as_i64()
        .unwrap();
    let journey = company_journey(&c, company);
    assert_eq!(journey["touches"], json!([]));
    assert_eq!(journey["submissions"].as_array().unwrap().len(), 1);
}
