//! The trend tiles through the real binary, against buckets computed by hand: leads posted
//! at known instants around the clock changes of 2026 (29 March, a 23-hour day, and 25
//! October, a 25-hour day, in Europe/Oslo and Europe/Amsterdam), counted per day, per week
//! (from Monday) and per month of the configured time zone, split by lead source and
//! channel; the conversion rate per month with won sales; the drill-down of a bucket; the
//! refused parameters; and the same database read again in Amsterdam and in UTC.

mod common;

use common::{error_of, Collector, TOKEN};
use serde_json::{json, Value};

/// (e-mail, when, source, medium). Comments: the day in Oslo and Amsterdam.
const LEADS: &[(&str, &str, &str, &str)] = &[
    // Sunday 1 March 00:30 CET (still 28 February in UTC).
    ("m1@example.com", "2026-02-28T23:30:00Z", "google", "cpc"),
    // Saturday 28 March 23:59:59 CET.
    ("a@example.com", "2026-03-28T22:59:59Z", "google", "cpc"),
    // Sunday 29 March 00:00 CET: the first second of the 23-hour day.
    ("b@example.com", "2026-03-28T23:00:00Z", "google", "cpc"),
    // Sunday 29 March 23:59:59 CEST: its last second.
    (
        "c@example.com",
        "2026-03-29T21:59:59Z",
        "newsletter",
        "email",
    ),
    // Monday 30 March 00:00 CEST (a day of 24 hours after 29 March 00:00 would still be
    // Sunday).
    ("d@example.com", "2026-03-29T22:00:00Z", "google", "cpc"),
    // Wednesday 1 April 00:30 CEST (31 March in UTC).
    (
        "m2@example.com",
        "2026-03-31T22:30:00Z",
        "newsletter",
        "email",
    ),
    // Saturday 24 October 23:59:59 CEST.
    (
        "e@example.com",
        "2026-10-24T21:59:59Z",
        "linkedin",
        "paid_social",
    ),
    // Sunday 25 October 00:00 CEST: the first second of the 25-hour day.
    ("f@example.com", "2026-10-24T22:00:00Z", "google", "cpc"),
    // Sunday 25 October 23:30 CET (24 hours after its start it is Monday 26 October).
    ("g@example.com", "2026-10-25T22:30:00Z", "google", "cpc"),
    // Monday 26 October 00:00 CET.
    (
        "h@example.com",
        "2026-10-25T23:00:00Z",
        "newsletter",
        "email",
    ),
];

fn send_json(c: &Collector, path: &str, body: Value) -> (u16, Value) {
    let response = c
        .post(path)
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    common::status_and_json(response)
}

/// Posts [`LEADS`] as server-side submissions and their sales: won for a, b, m2 and f
/// (one each), lost for c, open for d.
fn post_leads(c: &Collector) {
    let mut ids = std::collections::HashMap::new();
    for (email, at, source, medium) in LEADS {
        let (status, body) = send_json(
            c,
            "/api/v1/submissions",
            json!({"form": "contact", "channel": "form", "email": email, "at": at,
                   "touch": {"source": source, "medium": medium}}),
        );
        assert_eq!(status, 201, "{body}");
        ids.insert(*email, body["person_id"].as_i64().unwrap());
    }
    for (email, status) in [
        ("a@example.com", "won"),
        ("b@example.com", "won"),
        ("c@example.com", "lost"),
        ("d@example.com", "open"),
        ("m2@example.com", "won"),
        ("f@example.com", "won"),
    ] {
        let (code, body) = send_json(
            c,
            "/api/v1/sales",
            json!({"person_id": ids[email], "title": "Licence", "amount": "100.00",
                   "currency": "EUR", "status": status, "at": "2026-11-02T10:00:00Z"}),
        );
        assert_eq!(code, 201, "{body}");
    }
}

/// `(bucket, label, value)` of a trend tile's rows, after checking the answer's frame.
fn trend(c: &Collector, tile: &str, query: &str) -> Vec<(String, String, Value)> {
    let (status, body) = c.api(&format!("/api/v1/tiles/{tile}?{query}"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["tile"].as_str(), body["kind"].as_str()),
        (Some(tile), Some("line"))
    );
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["bucket"].as_str().unwrap().to_owned(),
                r["label"].as_str().unwrap().to_owned(),
                r["value"].clone(),
            )
        })
        .collect()
}

fn rows(list: &[(&str, &str, Value)]) -> Vec<(String, String, Value)> {
    list.iter()
        .map(|(b, l, v)| ((*b).to_owned(), (*l).to_owned(), v.clone()))
        .collect()
}

/// The e-mails of a drill-down, in its order (newest first).
fn drill(c: &Collector, tile: &str, key: &str, query: &str) -> Vec<String> {
    let (status, body) = c.api(&format!(
        "/api/v1/tiles/{tile}/persons?key={}&{query}",
        common::urlencode(key)
    ));
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap().to_owned())
        .collect()
}

/// The figures of [`LEADS`] in a zone of Central European time (Oslo, Amsterdam).
fn expect_central_european(c: &Collector, zone: &str) {
    // Days around 29 March: the 23-hour Sunday holds b and c, not d.
    let (_, body) = c.api("/api/v1/tiles/new-leads-trend?from=2026-03-28&to=2026-03-31&bucket=day");
    assert_eq!(
        (
            body["bucket"].clone(),
            body["by"].clone(),
            body["time_zone"].clone()
        ),
        (json!("day"), json!("lead_source"), json!(zone))
    );
    assert_eq!(
        body["period"],
        json!({"from": "2026-03-28", "to": "2026-03-31"})
    );
    assert_eq!(
        trend(
            c,
            "new-leads-trend",
            "from=2026-03-28&to=2026-03-31&bucket=day&by=lead_source"
        ),
        rows(&[
            ("2026-03-28", "google", json!(1)),
            ("2026-03-28", "newsletter", json!(0)),
            ("2026-03-29", "google", json!(1)),
            ("2026-03-29", "newsletter", json!(1)),
            ("2026-03-30", "google", json!(1)),
            ("2026-03-30", "newsletter", json!(0)),
            ("2026-03-31", "google", json!(0)),
            ("2026-03-31", "newsletter", json!(0)),
        ])
    );
    // Days around 25 October, by channel: the 25-hour Sunday holds f and g, not h. Series
    // by their total, ties by name.
    assert_eq!(
        trend(
            c,
            "new-leads-trend",
            "from=2026-10-24&to=2026-10-26&bucket=day&by=channel"
        ),
        rows(&[
            ("2026-10-24", "Paid Search", json!(0)),
            ("2026-10-24", "Email", json!(0)),
            ("2026-10-24", "Paid Social", json!(1)),
            ("2026-10-25", "Paid Search", json!(2)),
            ("2026-10-25", "Email", json!(0)),
            ("2026-10-25", "Paid Social", json!(0)),
            ("2026-10-26", "Paid Search", json!(0)),
            ("2026-10-26", "Email", json!(1)),
            ("2026-10-26", "Paid Social", json!(0)),
        ])
    );
    // Weeks from Monday: the period starts on a Sunday, so the first week is named by the
    // Monday before it and holds only that Sunday (m1).
    assert_eq!(
        trend(
            c,
            "new-leads-trend",
            "from=2026-03-01&to=2026-04-05&bucket=week&by=all"
        ),
        rows(&[
            ("2026-02-23", "All leads", json!(1)),
            ("2026-03-02", "All leads", json!(0)),
            ("2026-03-09", "All leads", json!(0)),
            ("2026-03-16", "All leads", json!(0)),
            ("2026-03-23", "All leads", json!(3)),
            ("2026-03-30", "All leads", json!(2)),
        ])
    );
    assert_eq!(
        trend(
            c,
            "new-leads-trend",
            "from=2026-10-19&to=2026-11-01&bucket=week&by=all"
        ),
        rows(&[
            ("2026-10-19", "All leads", json!(3)),
            ("2026-10-26", "All leads", json!(1)),
        ])
    );
    // Months: m1 is March, m2 April.
    assert_eq!(
        trend(
            c,
            "new-leads-trend",
            "from=2026-02-01&to=2026-04-30&bucket=month&by=all"
        ),
        rows(&[
            ("2026-02-01", "All leads", json!(0)),
            ("2026-03-01", "All leads", json!(5)),
            ("2026-04-01", "All leads", json!(1)),
        ])
    );

    // Conversion per month (the default bucket and split): March's five leads have two
    // won sales, April's one has one, October's four one; months without leads have no rate.
    let (_, body) = c.api("/api/v1/tiles/conversion-trend?from=2026-03-01&to=2026-10-31");
    assert_eq!(
        (body["bucket"].clone(), body["by"].clone()),
        (json!("month"), json!("all"))
    );
    let months: Vec<(&str, Value, Value, Value)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["label"], "All leads");
            (
                r["bucket"].as_str().unwrap(),
                r["value"].clone(),
                r["leads"].clone(),
                r["deals"].clone(),
            )
        })
        .collect();
    let none = || (Value::Null, json!(0), json!(0));
    let month = |b, (v, l, d): (Value, Value, Value)| (b, v, l, d);
    assert_eq!(
        months,
        vec![
            month("2026-03-01", (json!(40.0), json!(5), json!(2))),
            month("2026-04-01", (json!(100.0), json!(1), json!(1))),
            month("2026-05-01", none()),
            month("2026-06-01", none()),
            month("2026-07-01", none()),
            month("2026-08-01", none()),
            month("2026-09-01", none()),
            month("2026-10-01", (json!(25.0), json!(4), json!(1))),
        ]
    );
    let by_source = trend(
        c,
        "conversion-trend",
        "from=2026-03-01&to=2026-03-31&by=lead_source",
    );
    assert_eq!(
        by_source,
        rows(&[
            ("2026-03-01", "google", json!(50.0)),
            ("2026-03-01", "newsletter", json!(0.0)),
        ])
    );

    // The persons behind a point: the bucket of its row's key, within the period.
    let day = "from=2026-03-28&to=2026-03-31&bucket=day";
    assert_eq!(
        drill(c, "new-leads-trend", r#"["2026-03-29","google"]"#, day),
        ["b@example.com"]
    );
    assert_eq!(
        drill(c, "new-leads-trend", r#"["2026-03-30","google"]"#, day),
        ["d@example.com"]
    );
    assert_eq!(
        drill(
            c,
            "new-leads-trend",
            r#"["2026-10-25","paid_search"]"#,
            "from=2026-10-24&to=2026-10-26&bucket=day&by=channel"
        ),
        ["g@example.com", "f@example.com"]
    );
    assert_eq!(
        drill(
            c,
            "conversion-trend",
            r#"["2026-03-01",null]"#,
            "from=2026-03-01&to=2026-10-31"
        ),
        [
            "d@example.com",
            "c@example.com",
            "b@example.com",
            "a@example.com",
            "m1@example.com"
        ]
    );
    // A row key of the tile as answered is the drill-down's key.
    let (_, body) =
        c.api("/api/v1/tiles/new-leads-trend?from=2026-10-19&to=2026-11-01&bucket=week&by=all");
    let key = body["rows"][1]["key"].as_str().unwrap().to_owned();
    assert_eq!(key, r#"["2026-10-26",null]"#);
    assert_eq!(
        drill(
            c,
            "new-leads-trend",
            &key,
            "from=2026-10-19&to=2026-11-01&bucket=week&by=all"
        ),
        ["h@example.com"]
    );
}

#[test]
fn trend_tiles_count_calendar_buckets_across_the_clock_changes() {
    let c = Collector::start_with(&[], &[("LEADTRAIL_TIME_ZONE", "Europe/Oslo")]);
    // The catalogue names the tiles and their parameters; the marketing preset shows them.
    let (_, catalogue) = c.api("/api/v1/tiles");
    for id in ["new-leads-trend", "conversion-trend"] {
        let entry = catalogue["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not in {catalogue}"));
        assert_eq!(
            (entry["kind"].clone(), entry["params"].clone()),
            (json!("line"), json!(["bucket", "by"]))
        );
        assert!(!entry["title"].as_str().unwrap().is_empty());
    }
    let (_, marketing) = c.api("/api/v1/dashboards/marketing");
    for id in ["new-leads-trend", "conversion-trend"] {
        assert!(
            marketing["tiles"]
                .as_array()
                .unwrap()
                .contains(&json!({"tile": id})),
            "{marketing}"
        );
    }
    // Load the model first, so that the posts reach it through the change feed.
    assert_eq!(
        trend(&c, "new-leads-trend", "from=2026-03-01&to=2026-03-31"),
        Vec::new()
    );
    post_leads(&c);
    expect_central_european(&c, "Europe/Oslo");

    // The same database read by a collector in Amsterdam (loading the model in full) gives
    // the same buckets; in UTC the instants fall on other days and months.
    let (dir, db) = c.into_dir();
    let c = Collector::start_in(dir, db, &[], &[("LEADTRAIL_TIME_ZONE", "Europe/Amsterdam")]);
    expect_central_european(&c, "Europe/Amsterdam");
    let (dir, db) = c.into_dir();
    let c = Collector::start_in(dir, db, &[], &[("LEADTRAIL_TIME_ZONE", "UTC")]);
    assert_eq!(
        trend(
            &c,
            "new-leads-trend",
            "from=2026-03-28&to=2026-03-31&bucket=day"
        ),
        rows(&[
            ("2026-03-28", "google", json!(2)),
            ("2026-03-28", "newsletter", json!(0)),
            ("2026-03-29", "google", json!(1)),
            ("2026-03-29", "newsletter", json!(1)),
            ("2026-03-30", "google", json!(0)),
            ("2026-03-30", "newsletter", json!(0)),
            ("2026-03-31", "google", json!(0)),
            ("2026-03-31", "newsletter", json!(1)),
        ])
    );
    assert_eq!(
        trend(
            &c,
            "new-leads-trend",
            "from=2026-02-01&to=2026-04-30&bucket=month&by=all"
        ),
        rows(&[
            ("2026-02-01", "All leads", json!(1)),
            ("2026-03-01", "All leads", json!(5)),
            ("2026-04-01", "All leads", json!(0)),
        ])
    );
}

#[test]
fn trend_parameters_are_checked() {
    let c = Collector::start();
    let refused =
        |path: &str, status: u16| error_of(c.get(path).bearer_auth(TOKEN).send().unwrap(), status);
    let message = refused("/api/v1/tiles/new-leads-trend?bucket=hour", 422);
    assert!(
        message.starts_with("bucket:") && message.contains("day, week or month"),
        "{message}"
    );
    let message = refused("/api/v1/tiles/conversion-trend?by=campaign", 422);
    assert!(
        message.starts_with("by:") && message.contains("lead_source"),
        "{message}"
    );
    let message = refused(
        "/api/v1/tiles/new-leads-trend?bucket=day&from=2020-01-01&to=2026-12-31",
        422,
    );
    assert!(
        message.starts_with("bucket:") && message.contains("1000"),
        "{message}"
    );
    // Empty is absent, as for the other parameters: the tile's defaults.
    let (status, body) =
        c.api("/api/v1/tiles/new-leads-trend?bucket=&by=&from=2026-01-01&to=2026-12-31");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["bucket"].clone(), body["by"].clone()),
        (json!("week"), json!("lead_source"))
    );
    // Other tiles ignore them, but not a value that is none of theirs.
    assert_eq!(
        c.api("/api/v1/tiles/lead-funnel?bucket=day&by=channel").0,
        200
    );
    let message = refused("/api/v1/tiles/lead-funnel?by=null", 422);
    assert!(message.starts_with("by:"), "{message}");
    // A drill-down key names a bucket's first day.
    let message = refused(
        &format!(
            "/api/v1/tiles/new-leads-trend/persons?bucket=week&from=2026-03-01&to=2026-03-31&key={}",
            common::urlencode(r#"["2026-03-03","google"]"#)
        ),
        422,
    );
    assert!(message.contains("first day of a week bucket"), "{message}");
    let message = refused(
        "/api/v1/tiles/new-leads-trend/persons?from=2026-03-01&to=2026-03-31&key=google",
        422,
    );
    assert!(
        message.starts_with("key: ") && message.contains("[bucket, series]"),
        "{message}"
    );

    // A dashboard keeps a trend tile's bucket and split, and refuses them elsewhere.
    let (status, created) = send_json(
        &c,
        "/api/v1/dashboards",
        json!({"name": "Trends", "tiles": [
            {"tile": "new-leads-trend", "bucket": "month", "by": "channel"},
            {"tile": "conversion-trend"}]}),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        c.api(&format!("/api/v1/dashboards/{id}")).1["tiles"],
        json!([
            {"tile": "new-leads-trend", "bucket": "month", "by": "channel"},
            {"tile": "conversion-trend"}
        ])
    );
    for (tile, field) in [
        (json!({"tile": "lead-funnel", "bucket": "day"}), "bucket"),
        (json!({"tile": "new-leads-trend", "bucket": "hour"}), "hour"),
        (
            json!({"tile": "new-leads-trend", "by": "campaign"}),
            "campaign",
        ),
    ] {
        let (status, body) = send_json(
            &c,
            "/api/v1/dashboards",
            json!({"name": "Bad", "tiles": [tile]}),
        );
        assert_eq!(status, 422, "{body}");
        let message = body["error"].as_str().unwrap();
        assert!(
            message.starts_with("tiles:") && message.contains(field),
            "{message}"
        );
    }
}

/// Periods named relative to today (`?period=last-30-days`): the days of the configured
/// time zone they name, the same figures as those dates, the drill-down over them, refused
/// when unknown or given with dates; a dashboard keeps one as its default.
#[test]
fn relative_periods_count_the_days_they_name() {
    use jiff::ToSpan;
    let c = Collector::start();
    let now = jiff::Timestamp::now();
    let at = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let old = now - jiff::SignedDuration::from_hours(40 * 24);
    for (email, when) in [("new@example.com", now), ("old@example.com", old)] {
        let (status, body) = send_json(
            &c,
            "/api/v1/submissions",
            json!({"form": "contact", "channel": "form", "email": email, "at": at(when),
                   "touch": {"source": "google", "medium": "cpc"}}),
        );
        assert_eq!(status, 201, "{body}");
    }
    // The collector runs in UTC; asked again after the requests in case midnight passed.
    let today = || {
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
    };
    let day0 = today();
    let last_month_end = day0.first_of_month().yesterday().unwrap();
    let quarter = jiff::civil::date(day0.year(), (day0.month() - 1) / 3 * 3 + 1, 1);
    let cases = [
        ("last-7-days", day0 - 6.days(), day0),
        ("last-30-days", day0 - 29.days(), day0),
        ("last-90-days", day0 - 89.days(), day0),
        ("this-month", day0.first_of_month(), day0),
        (
            "last-month",
            last_month_end.first_of_month(),
            last_month_end,
        ),
        ("this-quarter", quarter, day0),
        ("this-year", day0.first_of_year(), day0),
        (
            "last-year",
            jiff::civil::date(day0.year() - 1, 1, 1),
            jiff::civil::date(day0.year() - 1, 12, 31),
        ),
    ];
    for (name, from, to) in cases {
        let (status, body) = c.api(&format!(
            "/api/v1/tiles/new-leads-by-lead-source?period={name}"
        ));
        assert_eq!(status, 200, "{name}: {body}");
        if today() != day0 {
            return;
        }
        assert_eq!(
            body["period"],
            json!({"from": from.to_string(), "to": to.to_string()}),
            "{name}"
        );
        let (_, dated) = c.api(&format!(
            "/api/v1/tiles/new-leads-by-lead-source?from={from}&to={to}"
        ));
        assert_eq!(body["rows"], dated["rows"], "{name}: as its dates");
    }
    let google = |period: &str| -> Value {
        let (_, body) = c.api(&format!(
            "/api/v1/tiles/new-leads-by-lead-source?period={period}"
        ));
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == "google")
            .map(|r| r["value"].clone())
            .unwrap_or(json!(0))
    };
    assert_eq!(
        google("last-30-days"),
        json!(1),
        "40 days ago is not in the last 30"
    );
    assert_eq!(google("last-90-days"), json!(2));
    assert_eq!(
        drill(
            &c,
            "new-leads-by-lead-source",
            "google",
            "period=last-7-days"
        ),
        ["new@example.com"]
    );
    assert_eq!(
        drill(
            &c,
            "new-leads-by-lead-source",
            "google",
            "period=last-90-days"
        ),
        ["new@example.com", "old@example.com"]
    );

    let refused = |path: &str| error_of(c.get(path).bearer_auth(TOKEN).send().unwrap(), 422);
    let message = refused("/api/v1/tiles/lead-funnel?period=last-8-days");
    assert!(
        message.starts_with("period:") && message.contains("last-30-days"),
        "{message}"
    );
    let message = refused("/api/v1/tiles/lead-funnel?period=this-month&from=2026-01-01");
    assert!(message.starts_with("period:"), "{message}");
    let message = refused("/api/v1/tiles/new-leads-trend/persons?period=fortnight");
    assert!(message.starts_with("period:"), "{message}");

    // A dashboard keeps a named period as its default, alone.
    let tiles = json!([{"tile": "lead-funnel"}]);
    let (status, created) = send_json(
        &c,
        "/api/v1/dashboards",
        json!({"name": "Rolling", "tiles": tiles, "filters": {"period": "last-30-days", "country": "NO"}}),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        c.api(&format!("/api/v1/dashboards/{id}")).1["filters"],
        json!({"period": "last-30-days", "country": "NO"})
    );
    for (filters, says) in [
        (json!({"period": "fortnight"}), "last-7-days"),
        (
            json!({"period": "last-7-days", "from": "2026-01-01"}),
            "not both",
        ),
    ] {
        let (status, body) = send_json(
            &c,
            "/api/v1/dashboards",
            json!({"name": "Bad", "tiles": tiles, "filters": filters}),
        );
        assert_eq!(status, 422, "{body}");
        let message = body["error"].as_str().unwrap();
        assert!(
            message.starts_with("period:") && message.contains(says),
            "{message}"
        );
    }
}
