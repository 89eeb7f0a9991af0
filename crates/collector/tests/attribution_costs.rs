//! Cost and return under the attribution models, through the real binary: three leads
//! posted with their journeys, campaign costs in euros, kroner and dollars posted to
//! `/api/v1/costs`, and `GET /api/v1/attribution` (and its tiles) putting each group's
//! cost beside its credited leads, deals and revenue — cost per lead divided by fractional
//! credits, worked out by hand; never a sum across currencies.
//!
//! The leads (touch times relative to now):
//! - L1: LinkedIn (paid social, `abm`) 14 days ago, Google (cpc, `brand`) 7 days ago, the
//!   newsletter now; won 600.00 EUR;
//! - L2: Google (cpc, `brand`) 3 days ago, the newsletter now;
//! - L3: LinkedIn (paid social, `abm`) now, alone; won 1000.00 NOK.
//!
//! The costs, today: LinkedIn `abm` 400.00 EUR and 500.00 NOK; Google `brand` 60.01 EUR,
//! Google `generic` 40.00 EUR and 10.00 USD; Bing (cpc) `brand` 50.00 EUR, which brought
//! no lead.

mod common;

use common::{status_and_json, won_sale, Collector, TOKEN};
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

type Touch<'a> = (&'a str, &'a str, &'a str, i64);

fn lead(c: &Collector, email: &str, touches: &[Touch<'_>]) -> i64 {
    let journey = std::iter::once("1".to_owned())
        .chain(touches.iter().map(|(source, medium, campaign, at)| {
            let campaign = if campaign.is_empty() {
                String::new()
            } else {
                format!("&campaign={campaign}")
            };
            format!("source={source}&medium={medium}{campaign}&at={at}")
        }))
        .collect::<Vec<_>>()
        .join(",");
    let (first, last) = (touches[0], touches[touches.len() - 1]);
    let (first_at, last_at) = (first.3.to_string(), last.3.to_string());
    let (status, body) = c.submit(
        "contact",
        &[
            ("email", email),
            ("lt_v", "1"),
            ("lt_first_source", first.0),
            ("lt_first_medium", first.1),
            ("lt_first_campaign", first.2),
            ("lt_first_at", &first_at),
            ("lt_last_source", last.0),
            ("lt_last_medium", last.1),
            ("lt_last_campaign", last.2),
            ("lt_last_at", &last_at),
            ("lt_journey", &journey),
        ],
    );
    assert_eq!(status, 201, "{body}");
    body["person_id"].as_i64().unwrap()
}

fn world() -> Collector {
    let c = Collector::start();
    let now = jiff::Timestamp::now().as_millisecond();
    let l1 = lead(
        &c,
        "l1@example.com",
        &[
            ("linkedin", "paid_social", "abm", now - 14 * DAY_MS),
            ("google", "cpc", "brand", now - 7 * DAY_MS),
            ("newsletter", "email", "", now),
        ],
    );
    lead(
        &c,
        "l2@example.com",
        &[
            ("google", "cpc", "brand", now - 3 * DAY_MS),
            ("newsletter", "email", "", now),
        ],
    );
    let l3 = lead(
        &c,
        "l3@example.com",
        &[("linkedin", "paid_social", "abm", now)],
    );
    won_sale(&c, l1, "600.00", "EUR");
    won_sale(&c, l3, "1000.00", "NOK");
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let cost = |source: &str, medium: &str, campaign: &str, amount: &str, currency: &str| {
        json!({"date": today, "source": source, "medium": medium, "campaign": campaign,
               "amount": amount, "currency": currency})
    };
    let (status, body) = status_and_json(
        c.post("/api/v1/costs")
            .bearer_auth(TOKEN)
            .json(&json!([
                cost("linkedin", "paid_social", "abm", "400.00", "EUR"),
                cost("linkedin", "paid_social", "abm", "500.00", "NOK"),
                cost("google", "cpc", "brand", "60.01", "EUR"),
                cost("google", "cpc", "generic", "40.00", "EUR"),
                cost("google", "cpc", "generic", "10.00", "USD"),
                cost("bing", "cpc", "brand", "50.00", "EUR"),
            ]))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    c
}

/// `[(currency, minor units)]` of a list of amounts.
fn minor(list: &Value) -> Vec<(String, i64)> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|m| {
            (
                m["currency"].as_str().unwrap().to_owned(),
                m["amount_minor"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn ratios(list: &Value) -> Vec<(String, f64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["currency"].as_str().unwrap().to_owned(),
                r["ratio"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn owned<const N: usize>(list: [(&str, i64); N]) -> Vec<(String, i64)> {
    list.iter().map(|(c, m)| ((*c).to_owned(), *m)).collect()
}

fn owned_ratios<const N: usize>(list: [(&str, f64); N]) -> Vec<(String, f64)> {
    list.iter().map(|(c, r)| ((*c).to_owned(), *r)).collect()
}

fn row<'a>(answer: &'a Value, key: &str) -> &'a Value {
    answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key}: {answer}"))
}

fn attribution(c: &Collector, query: &str) -> Value {
    let (status, answer) = c.api(&format!("/api/v1/attribution?{query}"));
    assert_eq!(status, 200, "{answer}");
    answer
}

#[test]
fn linear_cost_per_lead_divides_by_fractional_credits_per_currency() {
    let c = world();
    let answer = attribution(&c, "model=linear&by=source");
    assert_eq!(answer["costs_counted"], true);
    // linkedin: 1/3 + 1 = 4/3 leads and deals; 40000 / (4/3) = 30000, 50000 / (4/3) =
    // 37500; revenue 200.00 EUR (a third of 600.00) and 1000.00 NOK.
    let linkedin = row(&answer, "linkedin");
    assert_eq!(linkedin["leads"], 1.3333);
    assert_eq!(
        minor(&linkedin["cost"]),
        owned([("EUR", 40_000), ("NOK", 50_000)])
    );
    assert_eq!(linkedin["cost"][0]["amount"], 400.0);
    assert_eq!(
        minor(&linkedin["cost_per_lead"]),
        owned([("EUR", 30_000), ("NOK", 37_500)])
    );
    assert_eq!(
        minor(&linkedin["cost_per_deal"]),
        owned([("EUR", 30_000), ("NOK", 37_500)])
    );
    assert_eq!(
        ratios(&linkedin["return_on_spend"]),
        owned_ratios([("EUR", 0.5), ("NOK", 2.0)])
    );
    // google: 1/3 + 1/2 = 5/6 leads, 1/3 deal; 10001 / (5/6) = 12001.2 → 120.01 EUR; the
    // dollars have no return on spend: the revenue is in euros, never converted.
    let google = row(&answer, "google");
    assert_eq!(
        (google["leads"].as_f64(), google["deals"].as_f64()),
        (Some(0.8333), Some(0.3333))
    );
    assert_eq!(
        minor(&google["cost"]),
        owned([("EUR", 10_001), ("USD", 1_000)])
    );
    assert_eq!(
        minor(&google["cost_per_lead"]),
        owned([("EUR", 12_001), ("USD", 1_200)])
    );
    assert_eq!(
        minor(&google["cost_per_deal"]),
        owned([("EUR", 30_003), ("USD", 3_000)])
    );
    assert_eq!(
        ratios(&google["return_on_spend"]),
        owned_ratios([("EUR", 2.0)])
    );
    // bing spent and brought nothing: a row with no leads, listed last, a return of 0.
    let rows = answer["rows"].as_array().unwrap();
    let bing = rows.last().unwrap();
    assert_eq!(
        (bing["key"].as_str(), bing["leads"].as_f64()),
        (Some("bing"), Some(0.0))
    );
    assert_eq!(minor(&bing["cost"]), owned([("EUR", 5_000)]));
    assert_eq!(minor(&bing["cost_per_lead"]), []);
    assert_eq!(
        ratios(&bing["return_on_spend"]),
        owned_ratios([("EUR", 0.0)])
    );
    // The newsletter cost nothing.
    let newsletter = row(&answer, "newsletter");
    assert_eq!(minor(&newsletter["cost"]), []);
    assert_eq!(ratios(&newsletter["return_on_spend"]), []);
    // Totals: every cost once per currency, 3 leads, 2 deals.
    let totals = &answer["totals"];
    assert_eq!(
        minor(&totals["cost"]),
        owned([("EUR", 55_001), ("NOK", 50_000), ("USD", 1_000)])
    );
    assert_eq!(
        minor(&totals["cost_per_lead"]),
        owned([("EUR", 18_334), ("NOK", 16_667), ("USD", 333)])
    );
    assert_eq!(
        minor(&totals["cost_per_deal"]),
        owned([("EUR", 27_501), ("NOK", 25_000), ("USD", 500)])
    );
    assert_eq!(
        ratios(&totals["return_on_spend"]),
        owned_ratios([("EUR", 1.09), ("NOK", 2.0)])
    );

    // A campaign across sources: `brand` is Google's 60.01 and Bing's 50.00 EUR, credited
    // 1/3 + 1/2 = 5/6 lead: 11001 / (5/6) = 13201.2 → 132.01.
    let answer = attribution(&c, "model=linear&by=campaign");
    let brand = row(&answer, "brand");
    assert_eq!(minor(&brand["cost"]), owned([("EUR", 11_001)]));
    assert_eq!(minor(&brand["cost_per_lead"]), owned([("EUR", 13_201)]));
}

#[test]
fn the_model_moves_the_return_and_filters_leave_costs_out() {
    let c = world();
    // Last touch by channel: L1 and L2 to email, L3 to paid social; paid search (Google
    // and Bing) spent 150.01 EUR and 10.00 USD for no lead.
    let answer = attribution(&c, "model=last_touch&by=channel");
    let social = row(&answer, "paid_social");
    assert_eq!(social["label"], "Paid Social");
    assert_eq!(social["leads"], 1.0);
    assert_eq!(
        minor(&social["cost_per_lead"]),
        owned([("EUR", 40_000), ("NOK", 50_000)])
    );
    // Its revenue is all in kroner: no return on the euros.
    assert_eq!(
        ratios(&social["return_on_spend"]),
        owned_ratios([("NOK", 2.0)])
    );
    let search = row(&answer, "paid_search");
    assert_eq!(search["leads"], 0.0);
    assert_eq!(
        minor(&search["cost"]),
        owned([("EUR", 15_001), ("USD", 1_000)])
    );
    assert_eq!(
        ratios(&search["return_on_spend"]),
        owned_ratios([("EUR", 0.0), ("USD", 0.0)])
    );
    // Position-based by source: google 0.2 + 0.5 = 0.7 leads, 0.2 deals.
    let answer = attribution(&c, "model=position_based&by=source");
    let google = row(&answer, "google");
    assert_eq!(
        minor(&google["cost_per_lead"]),
        owned([("EUR", 14_287), ("USD", 1_429)])
    );
    assert_eq!(
        minor(&google["cost_per_deal"]),
        owned([("EUR", 50_005), ("USD", 5_000)])
    );
    assert_eq!(
        ratios(&google["return_on_spend"]),
        owned_ratios([("EUR", 1.2)])
    );

    // A country (or an owner) narrows the leads, not a campaign's cost: none is counted.
    let answer = attribution(&c, "model=linear&by=source&country=NO");
    assert_eq!(answer["costs_counted"], false);
    assert_eq!(minor(&answer["totals"]["cost"]), []);
    assert!(answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["cost"] == json!([])));
    // A period before the costs: none.
    let answer = attribution(&c, "model=linear&by=source&from=2020-01-01&to=2020-12-31");
    assert_eq!(answer["costs_counted"], true);
    assert_eq!(answer["rows"], json!([]));
    assert_eq!(minor(&answer["totals"]["cost"]), []);
}

#[test]
fn the_tiles_carry_cost_and_return_under_their_model() {
    let c = world();
    let (status, tile) = c.api("/api/v1/tiles/attribution?model=linear&by=source");
    assert_eq!(status, 200, "{tile}");
    assert_eq!(tile["costs_counted"], true);
    let google = row(&tile, "google");
    assert_eq!(
        minor(&google["cost_per_lead"]),
        owned([("EUR", 12_001), ("USD", 1_200)])
    );
    assert_eq!(
        ratios(&google["return_on_spend"]),
        owned_ratios([("EUR", 2.0)])
    );
    let bing = row(&tile, "bing");
    assert_eq!(bing["value"], 0.0);
    assert_eq!(minor(&bing["cost"]), owned([("EUR", 5_000)]));

    // Source performance under a model: per source and medium.
    let (status, tile) = c.api("/api/v1/tiles/source-performance?model=linear");
    assert_eq!(status, 200, "{tile}");
    let google = row(&tile, r#"["google","cpc"]"#);
    assert_eq!(
        minor(&google["cost"]),
        owned([("EUR", 10_001), ("USD", 1_000)])
    );
    assert_eq!(
        minor(&google["cost_per_deal"]),
        owned([("EUR", 30_003), ("USD", 3_000)])
    );
    let linkedin = row(&tile, r#"["linkedin","paid_social"]"#);
    assert_eq!(
        ratios(&linkedin["return_on_spend"]),
        owned_ratios([("EUR", 0.5), ("NOK", 2.0)])
    );
    let bing = row(&tile, r#"["bing","cpc"]"#);
    assert_eq!(
        (bing["leads"].as_f64(), bing["conversion_rate"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    // Without a model the tile is drawn as before, without costs.
    let (_, plain) = c.api("/api/v1/tiles/source-performance");
    assert!(plain["rows"][0].get("cost").is_none(), "{plain}");
}
