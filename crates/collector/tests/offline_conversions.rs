//! The closed loop through the binary: `GET /api/v1/exports/offline-conversions` answers
//! each ad platform's upload file, with the header lines its template has, times with
//! their zone, only persons whose touches carry that platform's click id, and never an
//! erased person.

mod common;

use common::{error_of, submit_touch, won_sale, Collector, TOKEN};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn today_in(zone: &str) -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get(zone).unwrap())
        .date()
        .to_string()
}

fn click(source: &str, kind: &str, id: &str) -> Value {
    json!({"source": source, "medium": "cpc", "campaign": "q4", "click_id": id, "click_id_type": kind})
}

fn export(collector: &Collector, query: &str) -> (String, Vec<String>) {
    let response = collector
        .get(&format!("/api/v1/exports/offline-conversions?{query}"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = response.text().unwrap();
    assert!(text.ends_with("\r\n"), "{text:?}");
    let lines = text.trim_end().split("\r\n").map(str::to_owned).collect();
    (text, lines)
}

#[test]
fn each_platform_gets_its_template_with_only_its_clicks() {
    let zone = "Europe/Oslo";
    let collector = Collector::start_with(&[], &[("LEADTRAIL_TIME_ZONE", zone)]);
    let day = today_in(zone);
    let gclid = submit_touch(
        &collector,
        "g@example.com",
        click("google", "gclid", "Cj0KCQiA-gclid_1"),
    );
    let gbraid = submit_touch(
        &collector,
        "ios@example.com",
        click("google", "gbraid", "0AAAAA-gbraid"),
    );
    let bing = submit_touch(
        &collector,
        "m@example.com",
        click("bing", "msclkid", "f894f652ea334e739002f7167ab8f8e3"),
    );
    let meta = submit_touch(
        &collector,
        "f@example.com",
        click("facebook", "fbclid", "IwAR2-fbclid"),
    );
    let linkedin = submit_touch(
        &collector,
        "L@Example.com",
        click(
            "linkedin",
            "li_fat_id",
            "0b8e5c1a-1d2f-4e0a-9f3b-2c6d7e8f9a0b",
        ),
    );
    let plain = submit_touch(
        &collector,
        "plain@example.com",
        json!({"source": "google", "medium": "organic"}),
    );
    let erased = submit_touch(
        &collector,
        "gone@example.com",
        click("google", "gclid", "ERASED-gclid"),
    );
    for person in [gclid, gbraid, bing, meta, linkedin, plain, erased] {
        won_sale(&collector, person, "1234.5", "EUR");
    }
    let response = collector
        .client
        .delete(collector.url(&format!("/api/v1/persons/{erased}")))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let period = format!("from={day}&to={day}");
    // A time in the configured zone with its offset (Oslo: +01:00 or +02:00).
    let zoned = regex_like(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+0[12]:00$");

    let (text, lines) = export(&collector, &format!("platform=google&{period}"));
    assert_eq!(lines[0], "Parameters:TimeZone=Europe/Oslo");
    assert_eq!(
        lines[1],
        "Google Click ID,GBRAID,WBRAID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency"
    );
    assert_eq!(lines.len(), 4, "{text}");
    let rows: Vec<Vec<&str>> = lines[2..].iter().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][..4], ["Cj0KCQiA-gclid_1", "", "", "Won deal"]);
    assert_eq!(rows[1][..4], ["", "0AAAAA-gbraid", "", "Won deal"]);
    for row in &rows {
        assert!(zoned(row[4]), "{:?} is not a time with its zone", row[4]);
        assert_eq!(row[5..], ["1234.50", "EUR"]);
    }
    assert!(
        !text.contains("ERASED"),
        "an erased person is never exported: {text}"
    );

    let (text, lines) = export(&collector, &format!("platform=microsoft&{period}"));
    assert_eq!(lines[0], "Parameters:TimeZone=+0000");
    assert_eq!(
        lines[1],
        "Microsoft Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency"
    );
    assert_eq!(lines.len(), 3, "{text}");
    let row: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(row[..2], ["f894f652ea334e739002f7167ab8f8e3", "Won deal"]);
    assert!(
        regex_like(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")(row[2]),
        "{row:?}"
    );
    assert_eq!(row[3..], ["1234.50", "EUR"]);

    let (text, lines) = export(&collector, &format!("platform=meta&{period}"));
    assert_eq!(
        lines[0],
        "event_name,event_time,action_source,fbc,value,currency,order_id"
    );
    assert_eq!(lines.len(), 2, "{text}");
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(row[0], "Purchase");
    assert!(
        regex_like(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$")(row[1]),
        "{row:?}"
    );
    assert_eq!(row[2], "system_generated");
    let fbc: Vec<&str> = row[3].splitn(4, '.').collect();
    assert_eq!(
        (fbc[0], fbc[1], fbc[3]),
        ("fb", "1", "IwAR2-fbclid"),
        "{row:?}"
    );
    assert!(
        fbc[2].len() == 13 && fbc[2].bytes().all(|b| b.is_ascii_digit()),
        "ms: {row:?}"
    );
    assert_eq!(row[4..6], ["1234.50", "EUR"]);

    let (text, lines) = export(&collector, &format!("platform=linkedin&{period}"));
    assert_eq!(
        lines[0],
        "email,firstname,lastname,employeecompany,title,country,timestamp,eventtype,amount,currency"
    );
    assert_eq!(lines.len(), 2, "{text}");
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(
        row[0],
        hex::encode(Sha256::digest(b"l@example.com")),
        "the e-mail's SHA-256"
    );
    assert!(!text.contains('@'), "no plain e-mail leaves: {text}");
    assert!(
        row[6].len() == 13 && row[6].bytes().all(|b| b.is_ascii_digit()),
        "epoch ms: {row:?}"
    );
    assert_eq!(row[7..], ["purchase", "1234.50", "EUR"]);

    for platform in ["google", "microsoft", "meta", "linkedin"] {
        let (text, _) = export(&collector, &format!("platform={platform}&{period}"));
        assert!(
            !text.contains("plain"),
            "{platform}: a person without its click id: {text}"
        );
    }
}

#[test]
fn qualified_leads_come_only_when_asked_for_and_the_query_is_checked() {
    let collector = Collector::start();
    let day = today_in("UTC");
    let person = submit_touch(
        &collector,
        "q@example.com",
        click("google", "gclid", "QUALIFIED-gclid"),
    );
    let response = collector
        .client
        .patch(collector.url(&format!("/api/v1/persons/{person}")))
        .bearer_auth(TOKEN)
        .json(&json!({"status": "qualified"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let period = format!("from={day}&to={day}");
    let (_, lines) = export(&collector, &format!("platform=google&{period}"));
    assert_eq!(lines.len(), 2, "no won deal, no line: {lines:?}");
    let (_, lines) = export(
        &collector,
        &format!("platform=google&{period}&include=qualified"),
    );
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[2].starts_with("QUALIFIED-gclid,,,Qualified lead,"),
        "{lines:?}"
    );
    assert!(
        lines[2].ends_with("+00:00,,"),
        "no value for a lead: {lines:?}"
    );
    // The account's own conversion action names.
    let (_, lines) = export(
        &collector,
        &format!("platform=google&{period}&include=qualified&qualified_name=SQL%20%28CRM%29"),
    );
    assert!(
        lines[2].starts_with("QUALIFIED-gclid,,,SQL (CRM),"),
        "{lines:?}"
    );
    // A day before the qualification: nothing.
    let (_, lines) = export(
        &collector,
        "platform=google&from=2020-01-01&to=2020-01-31&include=qualified",
    );
    assert_eq!(lines.len(), 2);

    // Withdrawn e-marketing consent: won, clicked, and still not sent.
    let withdrawn = submit_touch(
        &collector,
        "w@example.com",
        click("google", "gclid", "WITHDRAWN-gclid"),
    );
    won_sale(&collector, withdrawn, "10", "EUR");
    let (_, lines) = export(&collector, &format!("platform=google&{period}"));
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(
        lines[0], "Parameters:TimeZone=+0000",
        "UTC as the template's offset"
    );
    let response = collector
        .post("/api/v1/submissions")
        .bearer_auth(TOKEN)
        .json(
            &json!({"form": "preferences", "email": "w@example.com", "consent_e_marketing": false}),
        )
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    let (_, lines) = export(&collector, &format!("platform=google&{period}"));
    assert_eq!(lines.len(), 2, "{lines:?}");

    let refused = |query: &str| {
        error_of(
            collector
                .get(&format!("/api/v1/exports/offline-conversions?{query}"))
                .bearer_auth(TOKEN)
                .send()
                .unwrap(),
            422,
        )
    };
    assert!(refused("").starts_with("platform: is required"));
    assert!(refused("platform=tiktok").starts_with("platform: must be google"));
    assert!(refused("platform=google&include=all").starts_with("include:"));
    let long = "x".repeat(101);
    assert!(refused(&format!("platform=google&won_name={long}")).starts_with("won_name:"));
}

/// A journey text as the tracker writes it (`1`, then each touch after a `,`).
fn journey(touches: &[String]) -> String {
    std::iter::once("1".to_owned())
        .chain(touches.iter().cloned())
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn a_click_in_the_middle_of_the_journey_is_sent_back_the_latest_before_the_conversion() {
    let collector = Collector::start();
    let day = today_in("UTC");
    let now = jiff::Timestamp::now().as_millisecond();
    const DAY: i64 = 86_400_000;
    let at =
        |source: &str, medium: &str, ms: i64| format!("source={source}&medium={medium}&at={ms}");
    let google = |id: &str, ms: i64| {
        format!(
            "{}&click_id={id}&click_id_type=gclid",
            at("google", "cpc", ms)
        )
    };
    let post = |email: &str, touches: &[String]| {
        let text = journey(touches);
        let (status, body) = collector.submit(
            "contact",
            &[
                ("email", email),
                ("lt_v", "1"),
                ("lt_first_source", "linkedin"),
                ("lt_first_medium", "paid_social"),
                ("lt_last_source", "newsletter"),
                ("lt_last_medium", "email"),
                ("lt_journey", &text),
            ],
        );
        assert_eq!(status, 201, "{body}");
        body["person_id"].as_i64().unwrap()
    };
    // The only gclid is on the middle touch: neither first interaction nor last touch.
    let middle = post(
        "middle@example.com",
        &[
            at("linkedin", "paid_social", now - 20 * DAY),
            google("MIDDLE-gclid", now - 10 * DAY),
            at("newsletter", "email", now - DAY),
        ],
    );
    // Two searches, and a touch whose clock says it came after the deal: the later of the
    // two before the conversion goes back.
    let latest = post(
        "latest@example.com",
        &[
            at("linkedin", "paid_social", now - 30 * DAY),
            google("OLDER-gclid", now - 20 * DAY),
            google("NEWER-gclid", now - 5 * DAY),
            google("FUTURE-gclid", now + 30 * DAY),
            at("newsletter", "email", now - DAY),
        ],
    );
    let none = post(
        "none@example.com",
        &[
            at("linkedin", "paid_social", now - 3 * DAY),
            at("newsletter", "email", now - DAY),
        ],
    );
    for person in [middle, latest, none] {
        won_sale(&collector, person, "99", "EUR");
    }
    let (text, lines) = export(&collector, &format!("platform=google&from={day}&to={day}"));
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[2].starts_with("MIDDLE-gclid,,,Won deal,"), "{text}");
    assert!(lines[3].starts_with("NEWER-gclid,,,Won deal,"), "{text}");
    assert!(
        lines[2].ends_with(",99.00,EUR") && lines[3].ends_with(",99.00,EUR"),
        "{text}"
    );
    for absent in ["OLDER", "FUTURE", "none@"] {
        assert!(!text.contains(absent), "{absent}: {text}");
    }
    // The other platforms see no click of theirs in these journeys.
    let (text, lines) = export(
        &collector,
        &format!("platform=microsoft&from={day}&to={day}"),
    );
    assert_eq!(lines.len(), 2, "{text}");
}

/// A tiny matcher for the shapes above (`\d` and literal characters), to spare a regex
/// dependency.
fn regex_like(pattern: &'static str) -> impl Fn(&str) -> bool {
    move |text: &str| {
        let pattern = pattern.trim_start_matches('^').trim_end_matches('$');
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('d') => tokens.push(None),
                    Some(other) => tokens.push(Some(vec![other])),
                    None => {}
                },
                '[' => {
                    let mut set = Vec::new();
                    for c in chars.by_ref() {
                        if c == ']' {
                            break;
                        }
                        set.push(c);
                    }
                    tokens.push(Some(set));
                }
                '{' => {
                    let mut n = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        n.push(c);
                    }
                    let last = tokens.pop().unwrap();
                    for _ in 0..n.parse::<usize>().unwrap() {
                        tokens.push(last.clone());
                    }
                }
                other => tokens.push(Some(vec![other])),
            }
        }
        let text: Vec<char> = text.chars().collect();
        text.len() == tokens.len()
            && text.iter().zip(&tokens).all(|(c, t)| match t {
                None => c.is_ascii_digit(),
                Some(set) => set.contains(c),
            })
    }
}
