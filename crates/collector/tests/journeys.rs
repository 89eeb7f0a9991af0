//! The journey (`lt_journey`) through the binary: stored with the form post that carried
//! it, read back per person in order with channels and the submissions on the same
//! timeline; hostile or oversized journeys cleaned, trimmed or ignored while the post is
//! still stored; none kept with UTM capture off; gone with an erased person.

mod common;

use common::{count, open_db, status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_750_000_000_000;

/// A journey text as the tracker writes it: `1`, then each touch after a `,`.
fn journey(touches: &[&str]) -> String {
    let mut text = "1".to_owned();
    for touch in touches {
        text.push(',');
        text.push_str(touch);
    }
    text
}

fn touch(source: &str, medium: &str, at: i64) -> String {
    format!("source={source}&medium={medium}&at={at}")
}

/// Posts a tracked form with `lt_journey`; the JSON answer.
fn post(c: &Collector, form: &str, email: &str, journey: &str) -> Value {
    let fields = [
        ("email", email),
        ("lt_v", "1"),
        ("lt_first_source", "(direct)"),
        ("lt_first_medium", "(none)"),
        ("lt_last_source", "newsletter"),
        ("lt_last_medium", "email"),
        ("lt_journey", journey),
    ];
    let (status, body) = c.submit(form, &fields);
    assert_eq!(status, 201, "{body}");
    body
}

fn journey_of(c: &Collector, person: i64) -> Value {
    let (status, body) = c.api(&format!("/api/v1/persons/{person}/journey"));
    assert_eq!(status, 200, "{body}");
    body
}

fn sources(journey: &Value) -> Vec<String> {
    journey["touches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["touch"]["source"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn the_journey_is_stored_per_post_and_read_in_order_with_the_submissions() {
    let c = Collector::start();
    let direct = touch("%28direct%29", "%28none%29", T0);
    let linkedin = format!(
        "{}&campaign=webinar&click_id=AbC&click_id_type=li_fat_id",
        touch("linkedin", "paid_social", T0 + DAY)
    );
    let google = format!(
        "{}&referrer=https%3A%2F%2Fwww.google.com%2F",
        touch("google", "organic", T0 + 2 * DAY)
    );
    let newsletter = touch("newsletter", "email", T0 + 3 * DAY);
    let lead = post(
        &c,
        "contact",
        "ada@acme.example",
        &journey(&[&direct, &linkedin, &google]),
    );
    let person = lead["person_id"].as_i64().unwrap();
    // A later post carries the same touches again and one more.
    let later = post(
        &c,
        "webinar",
        "ada@acme.example",
        &journey(&[&direct, &linkedin, &google, &newsletter]),
    );

    let body = journey_of(&c, person);
    assert_eq!(body["person_id"], person);
    assert_eq!(
        sources(&body),
        ["(direct)", "linkedin", "google", "newsletter"]
    );
    let touches = body["touches"].as_array().unwrap();
    let channels: Vec<&str> = touches
        .iter()
        .map(|t| t["touch"]["channel"].as_str().unwrap())
        .collect();
    assert_eq!(
        channels,
        ["direct", "paid_social", "organic_search", "email"]
    );
    assert_eq!(touches[1]["touch"]["campaign"], "webinar");
    assert_eq!(touches[1]["touch"]["click_id_type"], "li_fat_id");
    assert_eq!(touches[1]["touch"]["at"], "2025-06-16T15:06:40.000Z");
    let before: Vec<bool> = touches
        .iter()
        .map(|t| t["before_lead"].as_bool().unwrap())
        .collect();
    assert_eq!(before, [true, true, true, false]);
    assert_eq!(touches[0]["submission_id"], lead["submission_id"]);
    assert_eq!(touches[3]["submission_id"], later["submission_id"]);
    let submissions = body["submissions"].as_array().unwrap();
    assert_eq!(submissions.len(), 2, "{body}");
    assert_eq!(submissions[0]["id"], lead["submission_id"]);
    assert_eq!(submissions[0]["form"], "contact");
    assert_eq!(submissions[0]["channel"], "form");
    assert_eq!(submissions[0]["lead_generation"], true);
    assert_eq!(submissions[1]["form"], "webinar");
    assert_eq!(submissions[1]["lead_generation"], false);
    assert!(submissions[1]["at"].is_string());

    // The four data points are what they were.
    let ada = c.person_by_email("ada@acme.example");
    assert_eq!(ada["first_interaction"]["source"], "(direct)");
    assert_eq!(ada["lead_generation"]["source"], "newsletter");

    // One row per post that carried a journey.
    assert_eq!(count(&open_db(&c.db), "journeys"), 2);

    // A person without a journey has none, and an unknown person is a 404.
    let (status, plain) = c.submit("contact", &[("email", "bo@beta.example")]);
    assert_eq!(status, 201, "{plain}");
    let body = journey_of(&c, plain["person_id"].as_i64().unwrap());
    assert_eq!(body["touches"], json!([]));
    assert_eq!(body["submissions"].as_array().unwrap().len(), 1);
    let (status, body) = c.api("/api/v1/persons/999999/journey");
    assert_eq!(status, 404, "{body}");
}

#[test]
fn hostile_journeys_are_cleaned_trimmed_or_ignored_and_the_post_is_stored() {
    let c = Collector::start();

    // Thirty touches: the first and the newest nineteen stay.
    let many: Vec<String> = (0..30)
        .map(|n| touch(&format!("s{n}"), "email", T0 + n * DAY))
        .collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let body = post(&c, "contact", "many@acme.example", &journey(&many));
    let kept = sources(&journey_of(&c, body["person_id"].as_i64().unwrap()));
    let mut expected = vec!["s0".to_owned()];
    expected.extend((11..30).map(|n| format!("s{n}")));
    assert_eq!(kept, expected);

    // Each touch is cleaned as the two touches are: control characters out, names
    // normalised, an unknown click-id type dropped, a time that is no time dropped; a
    // touch without a source and empty pieces are no touches.
    let hostile = journey(&[
        "source=%20LinkedIn%00%E2%80%AE&medium=Paid%20Social&campaign=%3Cscript%3Ealert(1)%3C%2Fscript%3E&at=-5&click_id_type=evil&click_id=x",
        "medium=email",
        "",
        "=&&=",
        "source=ok&at=99999999999999999999",
    ]);
    let body = post(&c, "contact", "hostile@acme.example", &hostile);
    let read = journey_of(&c, body["person_id"].as_i64().unwrap());
    let touches = read["touches"].as_array().unwrap();
    assert_eq!(touches.len(), 2, "{read}");
    let first = &touches[0]["touch"];
    assert_eq!(first["source"], "linkedin");
    assert_eq!(first["medium"], "paid_social");
    assert_eq!(first["campaign"], "<script>alert(1)</script>");
    assert_eq!(first["at"], Value::Null);
    assert_eq!(first["click_id_type"], Value::Null);
    assert_eq!(touches[1]["touch"]["source"], "ok");
    assert_eq!(touches[1]["touch"]["at"], Value::Null);

    // Another version, garbage, or a field over 16,384 bytes: no journey, the post stored.
    let oversized = journey(&[&format!("source=big&term={}", "x".repeat(16_400))]);
    for (n, text) in ["2,source=a", "%%%,,,", "source=a", &oversized]
        .into_iter()
        .enumerate()
    {
        let email = format!("ignored{n}@acme.example");
        let body = post(&c, "contact", &email, text);
        let read = journey_of(&c, body["person_id"].as_i64().unwrap());
        assert_eq!(read["touches"], json!([]), "{text:.40}: {read}");
        assert_eq!(
            c.person_by_email(&email)["lead_generation"]["source"],
            "newsletter"
        );
    }
}

#[test]
fn with_utm_capture_off_no_journey_is_kept() {
    let c = Collector::start();
    // A form is registered by its first post.
    let (status, _) = c.submit("contact", &[("email", "first@acme.example")]);
    assert_eq!(status, 201);
    let response = c
        .client
        .patch(c.url("/api/v1/forms/contact"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(r#"{"utm_capture": false}"#)
        .send()
        .unwrap();
    let (status, form) = status_and_json(response);
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["utm_capture"], false);
    let text = journey(&[&touch("linkedin", "paid_social", T0)]);
    let body = post(&c, "contact", "off@acme.example", &text);
    let read = journey_of(&c, body["person_id"].as_i64().unwrap());
    assert_eq!(read["touches"], json!([]), "{read}");
    assert_eq!(read["submissions"].as_array().unwrap().len(), 1);
    assert_eq!(count(&open_db(&c.db), "journeys"), 0);
    // Another form still keeps it.
    let body = post(&c, "webinar", "on@acme.example", &text);
    let read = journey_of(&c, body["person_id"].as_i64().unwrap());
    assert_eq!(sources(&read), ["linkedin"]);
}

#[test]
fn erasing_a_person_erases_their_journeys() {
    let c = Collector::start();
    const MARK: &str = "journeymark7q";
    let text = journey(&[
        &touch("linkedin", "paid_social", T0),
        &format!("{}&term={MARK}", touch("google", "cpc", T0 + DAY)),
    ]);
    let body = post(&c, "contact", "erase.me@acme.example", &text);
    post(&c, "webinar", "erase.me@acme.example", &text);
    let other = journey(&[&touch("linkedin", "paid_social", T0)]);
    let keep = post(&c, "contact", "keep@acme.example", &other);
    let person = body["person_id"].as_i64().unwrap();
    assert_eq!(count(&open_db(&c.db), "journeys"), 3);

    // The person's export carries the journey.
    let (status, export) = c.api(&format!("/api/v1/persons/{person}/export"));
    assert_eq!(status, 200, "{export}");
    let exported: Vec<&str> = export["journey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["touch"]["source"].as_str().unwrap())
        .collect();
    assert_eq!(exported, ["linkedin", "google"]);
    assert_eq!(export["journey"][1]["touch"]["term"], MARK);

    let response = c
        .client
        .delete(c.url(&format!("/api/v1/persons/{person}")))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    let (status, erasure) = status_and_json(response);
    assert_eq!(status, 200, "{erasure}");
    let (status, _) = c.api(&format!("/api/v1/persons/{person}/journey"));
    assert_eq!(status, 404);
    let db = open_db(&c.db);
    assert_eq!(count(&db, "journeys"), 1, "only the other person's is left");
    let left: i64 = db
        .query_row("SELECT person_id FROM journeys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, keep["person_id"].as_i64().unwrap());
    // Nor is any of it left in the database's files (erased pages are zeroed).
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", c.db.display());
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !bytes.windows(MARK.len()).any(|w| w == MARK.as_bytes()),
            "{path} still holds the erased journey"
        );
    }
}
