//! Credits computed by hand, per model, for journeys of one to four touches.
use super::report::{report, round_credit, LeadJourney, Revenue};
use super::*;

const DAY: i64 = 86_400_000;
const LEAD_AT: i64 = 1_000 * DAY;

fn touch(source: &str, days_before_lead: i64) -> Touchpoint {
    Touchpoint {
        source: Some(source.to_owned()),
        medium: Some(
            if source.starts_with('(') {
                "(none)"
            } else {
                "cpc"
            }
            .to_owned(),
        ),
        campaign: None,
        channel: None,
        at: Some(LEAD_AT - days_before_lead * DAY),
    }
}

fn close(actual: &[f64], expected: &[f64]) -> bool {
    actual.len() == expected.len()
        && actual
            .iter()
            .zip(expected)
            .all(|(a, e)| (a - e).abs() < 1e-12)
}

/// Every model over one journey, against credits worked out on paper.
fn check(journey: &[Touchpoint], table: &[(Model, &[f64])]) {
    for (model, expected) in table {
        let got = credits(*model, journey, LEAD_AT, DEFAULT_HALF_LIFE_MS);
        assert!(
            close(&got, expected),
            "{model:?}: {got:?}, not {expected:?}"
        );
        let sum: f64 = got.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12, "{model:?} sums to {sum}");
    }
}

#[test]
fn four_touches_ending_direct() {
    // LinkedIn 21 days before the lead, Google 14, the newsletter 7, then a direct visit
    // that generated the lead. Time decay (half-life 7 days): weights 1/8, 1/4, 1/2, 1,
    // sum 15/8, so 1/15, 2/15, 4/15, 8/15.
    let journey = [
        touch("linkedin", 21),
        touch("google", 14),
        touch("newsletter", 7),
        touch("(direct)", 0),
    ];
    check(
        &journey,
        &[
            (Model::FirstInteraction, &[1.0, 0.0, 0.0, 0.0]),
            (Model::LastTouch, &[0.0, 0.0, 0.0, 1.0]),
            (Model::LastNonDirect, &[0.0, 0.0, 1.0, 0.0]),
            (Model::Linear, &[0.25, 0.25, 0.25, 0.25]),
            (Model::PositionBased, &[0.4, 0.1, 0.1, 0.4]),
            (
                Model::TimeDecay,
                &[1.0 / 15.0, 2.0 / 15.0, 4.0 / 15.0, 8.0 / 15.0],
            ),
        ],
    );
}

#[test]
fn three_touches() {
    // Time decay: ages 14 and 7 days and 0: weights 1/4, 1/2, 1 → 1/7, 2/7, 4/7.
    let journey = [
        touch("linkedin", 14),
        touch("(untracked)", 7),
        touch("google", 0),
    ];
    check(
        &journey,
        &[
            (Model::FirstInteraction, &[1.0, 0.0, 0.0]),
            (Model::LastTouch, &[0.0, 0.0, 1.0]),
            (Model::LastNonDirect, &[0.0, 0.0, 1.0]),
            (Model::Linear, &[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]),
            (Model::PositionBased, &[0.4, 0.2, 0.4]),
            (Model::TimeDecay, &[1.0 / 7.0, 2.0 / 7.0, 4.0 / 7.0]),
        ],
    );
}

#[test]
fn two_touches_share_position_based_equally() {
    // Time decay: 7 days and 0: weights 1/2 and 1 → 1/3, 2/3.
    let journey = [touch("linkedin", 7), touch("google", 0)];
    check(
        &journey,
        &[
            (Model::FirstInteraction, &[1.0, 0.0]),
            (Model::LastTouch, &[0.0, 1.0]),
            (Model::LastNonDirect, &[0.0, 1.0]),
            (Model::Linear, &[0.5, 0.5]),
            (Model::PositionBased, &[0.5, 0.5]),
            (Model::TimeDecay, &[1.0 / 3.0, 2.0 / 3.0]),
        ],
    );
}

#[test]
fn one_touch_takes_everything_in_every_model() {
    let journey = [touch("google", 3)];
    let all: Vec<(Model, &[f64])> = Model::ALL.iter().map(|m| (*m, &[1.0][..])).collect();
    check(&journey, &all);
}

#[test]
fn last_non_direct_falls_back_to_the_lead_touch_when_all_are_direct() {
    let journey = [touch("(direct)", 7), touch("(untracked)", 0)];
    check(&journey, &[(Model::LastNonDirect, &[0.0, 1.0])]);
    let no_source = Touchpoint::default();
    assert!(no_source.is_direct());
}

#[test]
fn time_decay_reads_a_missing_time_as_the_next_touchs_and_the_half_life_is_a_setting() {
    // The middle touch has no time: it takes the last one's (age 0): weights 1/2, 1, 1.
    let mut journey = [touch("linkedin", 7), touch("google", 0), touch("bing", 0)];
    journey[1].at = None;
    check(&journey, &[(Model::TimeDecay, &[0.2, 0.4, 0.4])]);
    // Half-life 14 days: 14 days back weighs 1/2, so 1/3 and 2/3.
    let journey = [touch("linkedin", 14), touch("google", 0)];
    let got = credits(Model::TimeDecay, &journey, LEAD_AT, 14 * DAY);
    assert!(close(&got, &[1.0 / 3.0, 2.0 / 3.0]), "{got:?}");
    // A touch stamped after the lead (a skewed clock) counts as age 0.
    let journey = [touch("linkedin", -3), touch("google", 0)];
    let got = credits(Model::TimeDecay, &journey, LEAD_AT, DEFAULT_HALF_LIFE_MS);
    assert!(close(&got, &[0.5, 0.5]), "{got:?}");
    // So old that every weight underflows: the newest takes it all.
    let journey = [touch("linkedin", 1_000_000), touch("google", 900_000)];
    let got = credits(Model::TimeDecay, &journey, LEAD_AT, 1);
    assert!(close(&got, &[0.0, 1.0]), "{got:?}");
}

#[test]
fn no_stored_journey_reads_first_then_lead_deduplicated_when_identical() {
    let first = touch("linkedin", 7);
    let lead = touch("google", 0);
    assert_eq!(
        journey(first.clone(), lead.clone(), Vec::new()),
        [first.clone(), lead.clone()]
    );
    let once = journey(first.clone(), first.clone(), Vec::new());
    assert_eq!(once.len(), 1);
    assert_eq!(once[0], first);
    // The same source on two days is two touches.
    let again = touch("linkedin", 0);
    assert_eq!(
        journey(first.clone(), again.clone(), Vec::new()),
        [first.clone(), again.clone()]
    );
    // A stored journey keeps its middle and is framed by the person's two data points.
    let middle = touch("newsletter", 3);
    assert_eq!(
        journey(first.clone(), lead.clone(), vec![middle.clone()]),
        [first.clone(), middle.clone(), lead.clone()]
    );
    assert_eq!(
        journey(
            first.clone(),
            lead.clone(),
            vec![first.clone(), middle.clone(), lead.clone()]
        ),
        [first, middle, lead]
    );
}

#[test]
fn group_credits_add_up_the_touches_of_one_group() {
    // LinkedIn twice and Google once, linear: LinkedIn 2/3, Google 1/3.
    let journey = [
        touch("linkedin", 9),
        touch("google", 5),
        touch("linkedin", 0),
    ];
    let groups = group_credits(
        Model::Linear,
        By::Source,
        &journey,
        LEAD_AT,
        DEFAULT_HALF_LIFE_MS,
    );
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].0, "linkedin");
    assert!((groups[0].1 - 2.0 / 3.0).abs() < 1e-12);
    assert!((groups[1].1 - 1.0 / 3.0).abs() < 1e-12);
    // By medium all three are cpc: one group with everything.
    let groups = group_credits(
        Model::Linear,
        By::Medium,
        &journey,
        LEAD_AT,
        DEFAULT_HALF_LIFE_MS,
    );
    assert_eq!(groups, [("cpc".to_owned(), 1.0)]);
    // Zero shares are not groups.
    let groups = group_credits(Model::FirstInteraction, By::Source, &journey, LEAD_AT, 1);
    assert_eq!(groups, [("linkedin".to_owned(), 1.0)]);
}

#[test]
fn a_report_credits_deals_and_revenue_as_the_lead_and_keeps_currencies_apart() {
    // Lead A: LinkedIn then Google, one won deal of 300.00 EUR. Lead B: Google only, two
    // won deals, 100.00 EUR and 50 NOK.
    let a = LeadJourney {
        person_id: 1,
        touches: vec![touch("linkedin", 7), touch("google", 0)],
        lead_at: LEAD_AT,
        won: vec![("EUR".to_owned(), 30_000)],
    };
    let b = LeadJourney {
        person_id: 2,
        touches: vec![touch("google", 0)],
        lead_at: LEAD_AT,
        won: vec![("EUR".to_owned(), 10_000), ("NOK".to_owned(), 5_000)],
    };
    let r = report(
        Model::Linear,
        By::Source,
        &[a, b],
        &[],
        DEFAULT_HALF_LIFE_MS,
    );
    // google: 0.5 + 1 leads, 0.5 + 2 deals, 150 + 100 EUR, 50 NOK; linkedin: 0.5, 0.5, 150 EUR.
    assert_eq!(r.rows.len(), 2);
    let google = &r.rows[0];
    assert_eq!(
        (google.key.as_str(), google.leads, google.deals),
        ("google", 1.5, 2.5)
    );
    assert_eq!(
        google.revenue,
        [
            Revenue {
                currency: "EUR".into(),
                amount_minor: 25_000.0
            },
            Revenue {
                currency: "NOK".into(),
                amount_minor: 5_000.0
            },
        ]
    );
    let linkedin = &r.rows[1];
    assert_eq!((linkedin.leads, linkedin.deals), (0.5, 0.5));
    assert_eq!(
        linkedin.revenue,
        [Revenue {
            currency: "EUR".into(),
            amount_minor: 15_000.0
        }]
    );
    assert_eq!((r.leads, r.deals), (2.0, 3.0));
    assert_eq!(r.revenue.len(), 2);
    assert_eq!(round_credit(1.0 / 3.0), 0.3333);
    assert_eq!(By::Channel.label_of("paid_social"), "Paid Social");
    assert_eq!(By::Source.label_of(""), "(none)");
}

#[test]
fn models_and_groups_parse_their_ids_only() {
    for model in Model::ALL {
        assert_eq!(Model::parse(model.id()), Some(model));
    }
    assert_eq!(Model::parse("Linear"), None);
    assert_eq!(Model::parse("data_driven"), None);
    assert_eq!(By::parse("lead_source"), None);
    assert_eq!(By::parse("channel"), Some(By::Channel));
}
