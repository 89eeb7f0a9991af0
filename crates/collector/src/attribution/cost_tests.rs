//! Cost and return under the models, computed by hand: three leads, campaigns that cost in
//! euros, kroner and dollars, credits that are fractions.
use super::report::{report, returns, CampaignCost, LeadJourney, Ratio, Report, Revenue, Row};
use super::*;

const DAY: i64 = 86_400_000;
const LEAD_AT: i64 = 1_000 * DAY;

fn touch(source: &str, days_before_lead: i64) -> Touchpoint {
    Touchpoint {
        source: Some(source.to_owned()),
        medium: Some("cpc".to_owned()),
        campaign: None,
        channel: None,
        at: Some(LEAD_AT - days_before_lead * DAY),
    }
}

fn cost(source: &str, campaign: &str, currency: &str, amount_minor: i64) -> CampaignCost {
    CampaignCost {
        campaign: Touchpoint {
            campaign: Some(campaign.to_owned()),
            at: None,
            ..touch(source, 0)
        },
        currency: currency.to_owned(),
        amount_minor,
    }
}

fn money(list: &[(&str, f64)]) -> Vec<Revenue> {
    list.iter()
        .map(|(currency, amount_minor)| Revenue {
            currency: (*currency).to_owned(),
            amount_minor: *amount_minor,
        })
        .collect()
}

fn ratios(list: &[(&str, f64)]) -> Vec<Ratio> {
    list.iter()
        .map(|(currency, ratio)| Ratio {
            currency: (*currency).to_owned(),
            ratio: *ratio,
        })
        .collect()
}

/// L1: linkedin, google, newsletter; won 600.00 EUR. L2: google, newsletter. L3: linkedin
/// alone; won 1000.00 NOK.
fn leads() -> Vec<LeadJourney> {
    vec![
        LeadJourney {
            person_id: 1,
            touches: vec![
                touch("linkedin", 14),
                touch("google", 7),
                touch("newsletter", 0),
            ],
            lead_at: LEAD_AT,
            won: vec![("EUR".to_owned(), 60_000)],
        },
        LeadJourney {
            person_id: 2,
            touches: vec![touch("google", 3), touch("newsletter", 0)],
            lead_at: LEAD_AT,
            won: vec![],
        },
        LeadJourney {
            person_id: 3,
            touches: vec![touch("linkedin", 0)],
            lead_at: LEAD_AT,
            won: vec![("NOK".to_owned(), 100_000)],
        },
    ]
}

/// LinkedIn 400.00 EUR and 500.00 NOK; Google 60.01 + 40.00 EUR over two campaigns and
/// 10.00 USD; Bing 50.00 EUR, which brought no lead; the newsletter costs nothing.
fn costs() -> Vec<CampaignCost> {
    vec![
        cost("linkedin", "abm", "EUR", 40_000),
        cost("linkedin", "abm", "NOK", 50_000),
        cost("google", "brand", "EUR", 6_001),
        cost("google", "generic", "EUR", 4_000),
        cost("google", "generic", "USD", 1_000),
        cost("bing", "brand", "EUR", 5_000),
    ]
}

fn row<'r>(report: &'r Report, key: &str) -> &'r Row {
    report
        .rows
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no row {key}: {report:?}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn linear_divides_each_currency_s_cost_by_fractional_credits() {
    let r = report(
        Model::Linear,
        By::Source,
        &leads(),
        &costs(),
        DEFAULT_HALF_LIFE_MS,
    );
    // Credits: linkedin 1/3 + 1 = 4/3 leads, 1/3 + 1 = 4/3 deals; google 1/3 + 1/2 = 5/6
    // leads, 1/3 deal; newsletter 5/6 leads, 1/3 deal; bing nothing.
    let linkedin = row(&r, "linkedin");
    assert!(close(linkedin.leads, 4.0 / 3.0) && close(linkedin.deals, 4.0 / 3.0));
    assert_eq!(
        linkedin.cost,
        money(&[("EUR", 40_000.0), ("NOK", 50_000.0)])
    );
    let got = linkedin.returns();
    // 40000 / (4/3) = 30000; 50000 / (4/3) = 37500, per lead and per deal alike.
    assert_eq!(
        got.cost_per_lead,
        money(&[("EUR", 30_000.0), ("NOK", 37_500.0)])
    );
    assert_eq!(
        got.cost_per_deal,
        money(&[("EUR", 30_000.0), ("NOK", 37_500.0)])
    );
    // Revenue 600.00 / 3 = 200.00 EUR and 1000.00 NOK: 20000 / 40000, 100000 / 50000.
    assert_eq!(got.return_on_spend, ratios(&[("EUR", 0.5), ("NOK", 2.0)]));

    let google = row(&r, "google");
    assert!(close(google.leads, 5.0 / 6.0) && close(google.deals, 1.0 / 3.0));
    assert_eq!(google.cost, money(&[("EUR", 10_001.0), ("USD", 1_000.0)]));
    let got = google.returns();
    // 10001 / (5/6) = 12001.2 → 12001; 1000 / (5/6) = 1200; per deal 10001 × 3, 1000 × 3.
    assert_eq!(
        got.cost_per_lead,
        money(&[("EUR", 12_001.0), ("USD", 1_200.0)])
    );
    assert_eq!(
        got.cost_per_deal,
        money(&[("EUR", 30_003.0), ("USD", 3_000.0)])
    );
    // 20000 / 10001 = 1.9998 → 2.0; the dollars earned nothing in dollars, and the euros
    // they might compare with are not theirs: no return on spend in USD.
    assert_eq!(got.return_on_spend, ratios(&[("EUR", 2.0)]));

    // Spent and nothing credited: a row of its own, no per-lead figure, a return of 0.
    let bing = row(&r, "bing");
    assert_eq!((bing.leads, bing.deals), (0.0, 0.0));
    assert_eq!(bing.cost, money(&[("EUR", 5_000.0)]));
    let got = bing.returns();
    assert!(got.cost_per_lead.is_empty() && got.cost_per_deal.is_empty());
    assert_eq!(got.return_on_spend, ratios(&[("EUR", 0.0)]));
    assert_eq!(
        r.rows.last().map(|r| r.key.as_str()),
        Some("bing"),
        "no lead: last"
    );

    // Credited, no cost: no cost figures at all.
    let newsletter = row(&r, "newsletter");
    assert!(newsletter.cost.is_empty());
    let got = newsletter.returns();
    assert!(got.cost_per_lead.is_empty() && got.return_on_spend.is_empty());

    // Totals: every cost once per currency; 3 leads, 2 deals.
    assert_eq!(
        r.cost,
        money(&[("EUR", 55_001.0), ("NOK", 50_000.0), ("USD", 1_000.0)])
    );
    let got = r.returns();
    // 55001 / 3 = 18333.67 → 18334; 50000 / 3 → 16667; 1000 / 3 → 333. Per deal: 27500.5
    // → 27501, 25000, 500.
    assert_eq!(
        got.cost_per_lead,
        money(&[("EUR", 18_334.0), ("NOK", 16_667.0), ("USD", 333.0)])
    );
    assert_eq!(
        got.cost_per_deal,
        money(&[("EUR", 27_501.0), ("NOK", 25_000.0), ("USD", 500.0)])
    );
    // 60000 / 55001 = 1.0909 → 1.09; 100000 / 50000 = 2.
    assert_eq!(got.return_on_spend, ratios(&[("EUR", 1.09), ("NOK", 2.0)]));
}

#[test]
fn the_model_moves_the_return_the_cost_stays_put() {
    // Last touch: L1 and L2 to the newsletter, L3 to LinkedIn.
    let r = report(
        Model::LastTouch,
        By::Source,
        &leads(),
        &costs(),
        DEFAULT_HALF_LIFE_MS,
    );
    let linkedin = row(&r, "linkedin");
    assert_eq!((linkedin.leads, linkedin.deals), (1.0, 1.0));
    assert_eq!(
        linkedin.cost,
        money(&[("EUR", 40_000.0), ("NOK", 50_000.0)])
    );
    let got = linkedin.returns();
    assert_eq!(
        got.cost_per_lead,
        money(&[("EUR", 40_000.0), ("NOK", 50_000.0)])
    );
    // Its only revenue is in kroner: the euros have no return on spend.
    assert_eq!(got.return_on_spend, ratios(&[("NOK", 2.0)]));
    let google = row(&r, "google");
    assert_eq!(google.leads, 0.0);
    let got = google.returns();
    assert!(got.cost_per_lead.is_empty());
    assert_eq!(got.return_on_spend, ratios(&[("EUR", 0.0), ("USD", 0.0)]));

    // Position-based: L1 40/20/40, L2 50/50, L3 all. google 0.2 + 0.5 = 0.7 leads, 0.2
    // deals: 10001 / 0.7 = 14287.14 → 14287; 10001 / 0.2 = 50005.
    let r = report(
        Model::PositionBased,
        By::Source,
        &leads(),
        &costs(),
        DEFAULT_HALF_LIFE_MS,
    );
    let google = row(&r, "google");
    assert!(close(google.leads, 0.7) && close(google.deals, 0.2));
    let got = google.returns();
    assert_eq!(
        got.cost_per_lead,
        money(&[("EUR", 14_287.0), ("USD", 1_429.0)])
    );
    assert_eq!(
        got.cost_per_deal,
        money(&[("EUR", 50_005.0), ("USD", 5_000.0)])
    );
    // 600.00 × 0.2 = 120.00 EUR against 100.01: 1.1999 → 1.2.
    assert_eq!(got.return_on_spend, ratios(&[("EUR", 1.2)]));
    // Whatever the model, the cost of the period is the same.
    assert_eq!(
        r.cost,
        money(&[("EUR", 55_001.0), ("NOK", 50_000.0), ("USD", 1_000.0)])
    );
}

#[test]
fn costs_fall_in_the_groups_their_campaigns_name_and_fold_into_other() {
    let r = report(
        Model::Linear,
        By::Campaign,
        &leads(),
        &costs(),
        DEFAULT_HALF_LIFE_MS,
    );
    // The touches name no campaign: all credit is in "", all cost in the campaigns'.
    assert!(close(row(&r, "").leads, 3.0));
    assert!(row(&r, "").cost.is_empty());
    assert_eq!(row(&r, "brand").cost, money(&[("EUR", 11_001.0)]));
    assert_eq!(
        row(&r, "generic").cost,
        money(&[("EUR", 4_000.0), ("USD", 1_000.0)])
    );
    let (kept, other) = Row::fold_rest(r.rows, 1);
    assert_eq!(kept[0].key, "");
    let other = other.unwrap();
    assert_eq!(
        other.cost,
        money(&[("EUR", 55_001.0), ("NOK", 50_000.0), ("USD", 1_000.0)])
    );
    assert_eq!(other.leads, 0.0);
    // No cost, nothing follows; a zero cost has no return on spend.
    let none = returns(1.0, 1.0, &money(&[("EUR", 5.0)]), &money(&[("EUR", 0.0)]));
    assert_eq!(none.cost_per_lead, money(&[("EUR", 0.0)]));
    assert!(none.return_on_spend.is_empty());
}
