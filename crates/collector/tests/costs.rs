//! Campaign costs through the binary: `leadtrail import-costs` with leadtrail's layout and
//! the ad platforms' cost reports, `POST /api/v1/costs`, the summaries, cost and return,
//! and the offline-conversion files for the ad platforms.

mod common;

use common::{error_of, status_and_json, submit_touch, won_sale, Collector, TOKEN};
use serde_json::{json, Value};

fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

fn write_file(collector: &Collector, name: &str, text: &str) -> std::path::PathBuf {
    let path = collector.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import_costs(collector: &Collector, file: &std::path::Path) -> std::process::Output {
    common::command()
        .arg("import-costs")
        .arg(file)
        .arg("--db")
        .arg(&collector.db)
        .output()
        .unwrap()
}

fn post_costs(collector: &Collector, body: &Value) -> reqwest::blocking::Response {
    collector
        .post("/api/v1/costs")
        .bearer_auth(TOKEN)
        .json(body)
        .send()
        .unwrap()
}

/// `(key, currency) → amount` of a summary.
fn totals(collector: &Collector, query: &str) -> Vec<(String, String, String)> {
    let (status, body) = collector.api(&format!("/api/v1/costs?{query}"));
    assert_eq!(status, 200, "{body}");
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["currency"].as_str().unwrap().to_owned(),
                r["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_google_ads_report_imports_once_however_often_it_is_imported() {
    let collector = Collector::start();
    let day = today();
    // As Google Ads downloads a campaign report: a title, the date range, the header, the
    // days, then totals.
    let report = format!(
        "Campaign report\n\"December 1, 2026 - December 7, 2026\"\n\
         Day,Campaign,Currency code,Cost\n\
         {day},Brand Search,EUR,\"1,234.50\"\n\
         {day},Spring  Sale,EUR,10.00\n\
         {day},Spring Sale,USD,7\n\
         Total: Account,,EUR,\"1,244.50\"\n"
    );
    let file = write_file(&collector, "google.csv", &report);
    let output = import_costs(&collector, &file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("3 cost rows"), "{stdout}");
    assert!(stdout.contains("google layout"), "{stdout}");
    assert!(stdout.contains("3 new, 0 replaced"), "{stdout}");

    let q = format!("from={day}&to={day}");
    assert_eq!(
        totals(&collector, &format!("{q}&by=campaign")),
        vec![
            ("brand_search".into(), "EUR".into(), "1234.50".into()),
            ("spring_sale".into(), "EUR".into(), "10.00".into()),
            ("spring_sale".into(), "USD".into(), "7.00".into()),
        ],
        "names are normalised as touches' are; currencies stay apart"
    );

    // Again: the same keys are replaced, nothing is counted twice.
    let output = import_costs(&collector, &file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("0 new, 3 replaced"), "{stdout}");
    assert_eq!(
        totals(&collector, &format!("{q}&by=source")),
        vec![
            ("google".into(), "EUR".into(), "1244.50".into()),
            ("google".into(), "USD".into(), "7.00".into()),
        ]
    );
    assert_eq!(
        totals(&collector, &format!("{q}&by=channel")),
        vec![
            ("paid_search".into(), "EUR".into(), "1244.50".into()),
            ("paid_search".into(), "USD".into(), "7.00".into()),
        ]
    );
}

#[test]
fn platform_reports_of_meta_microsoft_and_linkedin_are_read_by_their_headers() {
    let collector = Collector::start();
    let day = today();
    let (y, m, d) = (&day[0..4], &day[5..7], &day[8..10]);
    let us_day = format!(
        "{}/{}/{y}",
        m.trim_start_matches('0'),
        d.trim_start_matches('0')
    );
    let meta = format!(
        "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR)\n\
         {day},{day},Retargeting,12.34\n"
    );
    let microsoft = format!(
        "\"Report Name: Campaign\"\n\"Report Time: {day}\"\n\n\
         Gregorian date,Campaign name,Currency code,Spend\n\
         {us_day},Brand,USD,5.5\n\
         \"©2026 Microsoft Corporation. All rights reserved. \"\n"
    );
    let linkedin = format!(
        "Campaign Performance Report (in UTC)\n\
         Start Date (in UTC),Campaign Name,Currency,Total Spent\n\
         {us_day},ABM Q4,NOK,1000\n"
    );
    for (name, text, layout) in [
        ("meta.csv", meta, "meta"),
        ("microsoft.csv", microsoft, "microsoft"),
        ("linkedin.csv", linkedin, "linkedin"),
    ] {
        let output = import_costs(&collector, &write_file(&collector, name, &text));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains(&format!("({layout} layout): 1 new")),
            "{stdout}"
        );
    }
    let mut rows = totals(&collector, &format!("from={day}&to={day}&by=source"));
    rows.sort();
    assert_eq!(
        rows,
        vec![
            ("bing".into(), "USD".into(), "5.50".into()),
            ("facebook".into(), "EUR".into(), "12.34".into()),
            ("linkedin".into(), "NOK".into(), "1000.00".into()),
        ]
    );
}

#[test]
fn a_file_with_bad_rows_names_their_lines_and_writes_nothing() {
    let collector = Collector::start();
    let day = today();
    let good =
        format!("date,source,medium,campaign,amount,currency\n{day},google,cpc,brand,1.00,EUR\n");
    let output = import_costs(&collector, &write_file(&collector, "good.csv", &good));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bad = format!(
        "date,source,medium,campaign,amount,currency\n\
         {day},google,cpc,brand,99.00,EUR\n\
         {day},google,cpc,generic,5.00,EURO\n\
         {day},google,cpc,generic,5.001,EUR\n\
         2026-02-30,google,cpc,generic,5,EUR\n\
         {day},,cpc,generic,5,EUR\n"
    );
    let output = import_costs(&collector, &write_file(&collector, "bad.csv", &bad));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "4 bad row(s), nothing imported",
        "line 3: currency \"EURO\" is not an ISO 4217 code",
        "line 4: amount \"5.001\" is not a non-negative decimal with at most 2 decimals",
        "line 5: date \"2026-02-30\" is not a day",
        "line 6: source is empty",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    assert_eq!(
        totals(&collector, &format!("from={day}&to={day}")),
        vec![("google".into(), "EUR".into(), "1.00".into())],
        "the good row of the bad file was not written either"
    );
}

#[test]
fn the_api_takes_cost_rows_in_one_transaction_and_replaces_by_key() {
    let collector = Collector::start();
    let day = today();
    let response = post_costs(
        &collector,
        &json!([
            {"date": day, "source": "LinkedIn", "medium": "paid_social", "campaign": "ABM", "amount": "100.10", "currency": "EUR"},
            {"date": day, "source": "linkedin", "medium": "paid_social", "campaign": "abm", "amount_minor": 90, "currency": "eur"},
            {"date": day, "source": "google", "medium": "cpc", "campaign": "brand", "amount": "500", "currency": "JPY"}
        ]),
    );
    let (status, body) = status_and_json(response);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"created": 2, "replaced": 0}),
        "one key given twice is summed"
    );
    let q = format!("from={day}&to={day}");
    assert_eq!(
        totals(&collector, &q),
        vec![
            ("linkedin".into(), "EUR".into(), "101.00".into()),
            ("google".into(), "JPY".into(), "500".into()),
        ]
    );

    // One bad row refuses the whole body, named by its index.
    for (bad, message) in [
        (
            json!({"amount": 12.5}),
            "rows[1]: amount must be decimal text",
        ),
        (
            json!({"currency": "ZZZ"}),
            "rows[1]: currency \"ZZZ\" is not an ISO 4217 currency",
        ),
        (
            json!({"amount": "1.234"}),
            "rows[1]: amount \"1.234\" is not a non-negative decimal",
        ),
        (
            json!({"date": "07.12.2026"}),
            "rows[1]: date \"07.12.2026\" is not a day",
        ),
        (json!({"cost": "1"}), "rows[1]: unknown field \"cost\""),
    ] {
        let mut second = json!({"date": day, "source": "linkedin", "medium": "paid_social",
                                "campaign": "abm", "amount": "1.00", "currency": "EUR"});
        for (k, v) in bad.as_object().unwrap() {
            second[k] = v.clone();
        }
        let body = json!([
            {"date": day, "source": "google", "medium": "cpc", "campaign": "brand", "amount": "1", "currency": "JPY"},
            second
        ]);
        let error = error_of(post_costs(&collector, &body), 422);
        assert!(error.contains(message), "{message:?} not in {error:?}");
    }
    assert_eq!(
        totals(&collector, &q),
        vec![
            ("linkedin".into(), "EUR".into(), "101.00".into()),
            ("google".into(), "JPY".into(), "500".into()),
        ],
        "refused bodies wrote nothing"
    );

    // Posting the key again replaces its amount.
    let (status, body) = status_and_json(post_costs(
        &collector,
        &json!({"rows": [{"date": day, "source": "linkedin", "medium": "paid_social",
                           "campaign": "abm", "amount": "80", "currency": "EUR"}]}),
    ));
    assert_eq!((status, body), (200, json!({"created": 0, "replaced": 1})));
    assert_eq!(
        totals(&collector, &q)[0],
        ("linkedin".into(), "EUR".into(), "80.00".into())
    );
    assert_eq!(
        error_of(
            collector
                .get(&format!("/api/v1/costs?{q}&by=medium"))
                .bearer_auth(TOKEN)
                .send()
                .unwrap(),
            422
        ),
        "by: must be source, campaign or channel"
    );
}

#[test]
fn cost_and_return_per_source_keeps_currencies_apart() {
    let collector = Collector::start();
    let day = today();
    let google = json!({"source": "google", "medium": "cpc", "campaign": "brand"});
    let a = submit_touch(&collector, "a@example.com", google.clone());
    let _b = submit_touch(&collector, "b@example.com", google.clone());
    let _c = submit_touch(&collector, "c@example.com", google);
    let d = submit_touch(
        &collector,
        "d@example.com",
        json!({"source": "newsletter", "medium": "email"}),
    );
    won_sale(&collector, a, "1000", "EUR");
    won_sale(&collector, a, "50", "USD");
    won_sale(&collector, d, "10", "EUR");
    let (status, _) = status_and_json(post_costs(
        &collector,
        &json!([
            {"date": day, "source": "google", "medium": "cpc", "campaign": "brand", "amount": "300.00", "currency": "EUR"},
            {"date": day, "source": "google", "medium": "cpc", "campaign": "generic", "amount": "100", "currency": "SEK"}
        ]),
    ));
    assert_eq!(status, 200);
    let (status, body) = collector.api(&format!(
        "/api/v1/costs/return?from={day}&to={day}&by=source"
    ));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["model"], "lead_generation");
    let rows = body["rows"].as_array().unwrap();
    let row = |key: &str, currency: &str| {
        rows.iter()
            .find(|r| r["key"] == key && r["currency"] == currency)
            .unwrap_or_else(|| panic!("no {key}/{currency} in {body}"))
            .clone()
    };
    assert_eq!(
        row("google", "EUR"),
        json!({"key": "google", "label": "google", "currency": "EUR",
               "cost": "300.00", "cost_minor": 30000, "leads": 3.0, "deals": 2.0,
               "revenue": "1000.00", "revenue_minor": 100000,
               "cost_per_lead": "100.00", "cost_per_deal": "150.00", "return_on_spend": 3.33})
    );
    assert_eq!(
        row("google", "USD"),
        json!({"key": "google", "label": "google", "currency": "USD",
               "cost": null, "cost_minor": null, "leads": 3.0, "deals": 2.0,
               "revenue": "50.00", "revenue_minor": 5000,
               "cost_per_lead": null, "cost_per_deal": null, "return_on_spend": null})
    );
    assert_eq!(row("google", "SEK")["cost"], "100.00");
    assert_eq!(row("google", "SEK")["revenue"], "0.00");
    assert_eq!(row("newsletter", "EUR")["revenue"], "10.00");
    assert_eq!(row("newsletter", "EUR")["cost"], Value::Null);
    assert_eq!(rows.len(), 4, "{body}");

    let (_, body) = collector.api(&format!(
        "/api/v1/costs/return?from={day}&to={day}&by=channel"
    ));
    let paid = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "paid_search" && r["currency"] == "EUR")
        .cloned()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(paid["label"], "Paid Search");
    assert_eq!(paid["cost"], "300.00");
    assert_eq!(paid["leads"], 3.0);
}
