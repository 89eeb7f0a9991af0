//! Credited leads, won deals and won revenue per group, summed over the leads of a period,
//! beside what the group's campaigns cost on the period's days and what follows from it:
//! cost per lead, cost per won deal and return on spend.
//!
//! Rounding: credits are summed unrounded; a row's `leads` and `deals` are then rounded to
//! [`DECIMALS`] decimals and its revenue to whole minor units of its currency. Totals are
//! the unrounded sums (the number of leads and of won deals exactly), so rounded rows may
//! miss their total by at most half a last place per row. Revenue and cost are never added
//! across currencies: each row and the totals hold one amount per currency.
//!
//! Cost and return ([`Returns`]) divide the exact cost by the unrounded credits (under
//! `linear` a group may hold 11/6 of a lead), then round to whole minor units; return on
//! spend is revenue / cost within one currency, to [`RATIO_DECIMALS`] decimals.
use std::collections::BTreeMap;

use super::{group_credits, By, Model, Touchpoint};

/// Decimals of `leads` and `deals` in an answer.
pub(crate) const DECIMALS: i32 = 4;

/// One lead: its journey, its time and its won sales.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LeadJourney {
    pub(crate) person_id: i64,
    pub(crate) touches: Vec<Touchpoint>,
    /// When the lead was generated (the person's creation), Unix ms.
    pub(crate) lead_at: i64,
    /// `(currency, amount in minor units)` of each won sale, whenever won.
    pub(crate) won: Vec<(String, i64)>,
}

/// Decimals of a return on spend.
pub(crate) const RATIO_DECIMALS: i32 = 2;

/// What one campaign cost on the period's days in one currency; `campaign` carries its
/// source, medium, campaign and channel (no time), so it falls in the groups a touch of
/// the same campaign falls in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CampaignCost {
    pub(crate) campaign: Touchpoint,
    pub(crate) currency: String,
    pub(crate) amount_minor: i64,
}

/// Revenue (or cost) in one currency, in minor units (unrounded while summing).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Revenue {
    pub(crate) currency: String,
    pub(crate) amount_minor: f64,
}

/// One group's credited figures.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// The group's stored value; `""` for none.
    pub(crate) key: String,
    pub(crate) label: String,
    pub(crate) leads: f64,
    pub(crate) deals: f64,
    /// One per currency, by currency code.
    pub(crate) revenue: Vec<Revenue>,
    /// What the group's campaigns cost, one per currency, by currency code.
    pub(crate) cost: Vec<Revenue>,
}

/// Every group's row (most credited leads first, then by label) and the totals.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Report {
    pub(crate) rows: Vec<Row>,
    pub(crate) leads: f64,
    pub(crate) deals: f64,
    pub(crate) revenue: Vec<Revenue>,
    /// Every cost of the period, whatever group it falls in.
    pub(crate) cost: Vec<Revenue>,
}

#[derive(Default)]
struct Sums {
    leads: f64,
    deals: f64,
    revenue: BTreeMap<String, f64>,
    cost: BTreeMap<String, f64>,
}

impl Sums {
    fn add(&mut self, credit: f64, won: &[(String, i64)]) {
        self.leads += credit;
        self.deals += credit * won.len() as f64;
        for (currency, amount) in won {
            *self.revenue.entry(currency.clone()).or_default() += credit * *amount as f64;
        }
    }

    fn add_cost(&mut self, currency: &str, amount_minor: f64) {
        *self.cost.entry(currency.to_owned()).or_default() += amount_minor;
    }

    fn revenue(&self) -> Vec<Revenue> {
        amounts(&self.revenue)
    }

    fn cost(&self) -> Vec<Revenue> {
        amounts(&self.cost)
    }
}

fn amounts(by_currency: &BTreeMap<String, f64>) -> Vec<Revenue> {
    by_currency
        .iter()
        .map(|(currency, amount)| Revenue {
            currency: currency.clone(),
            amount_minor: *amount,
        })
        .collect()
}

/// The leads' credits under `model`, grouped `by`, and `costs` in the same groups: a group
/// that cost something and won no lead has a row of its own (no leads, all cost).
pub(crate) fn report(
    model: Model,
    by: By,
    leads: &[LeadJourney],
    costs: &[CampaignCost],
    half_life_ms: i64,
) -> Report {
    let mut groups: BTreeMap<String, Sums> = BTreeMap::new();
    let mut totals = Sums::default();
    for lead in leads {
        totals.add(1.0, &lead.won);
        for (key, credit) in group_credits(model, by, &lead.touches, lead.lead_at, half_life_ms) {
            groups.entry(key).or_default().add(credit, &lead.won);
        }
    }
    for cost in costs {
        let amount = cost.amount_minor as f64;
        totals.add_cost(&cost.currency, amount);
        groups
            .entry(by.key_of(&cost.campaign))
            .or_default()
            .add_cost(&cost.currency, amount);
    }
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|(key, sums)| Row {
            label: by.label_of(&key),
            leads: sums.leads,
            deals: sums.deals,
            revenue: sums.revenue(),
            cost: sums.cost(),
            key,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.leads
            .total_cmp(&a.leads)
            .then_with(|| a.label.cmp(&b.label))
    });
    Report {
        rows,
        leads: totals.leads,
        deals: totals.deals,
        revenue: totals.revenue(),
        cost: totals.cost(),
    }
}

/// `value` rounded to [`DECIMALS`] decimals.
pub(crate) fn round_credit(value: f64) -> f64 {
    let scale = 10f64.powi(DECIMALS);
    (value * scale).round() / scale
}

impl Row {
    /// The rows after the first `keep` summed into one "(other)" row (key `None`).
    pub(crate) fn fold_rest(rows: Vec<Row>, keep: usize) -> (Vec<Row>, Option<Row>) {
        if rows.len() <= keep {
            return (rows, None);
        }
        let mut rows = rows;
        let rest = rows.split_off(keep);
        let mut other = Sums::default();
        for row in &rest {
            other.leads += row.leads;
            other.deals += row.deals;
            for r in &row.revenue {
                *other.revenue.entry(r.currency.clone()).or_default() += r.amount_minor;
            }
            for c in &row.cost {
                other.add_cost(&c.currency, c.amount_minor);
            }
        }
        let other = Row {
            key: String::new(),
            label: "(other)".to_owned(),
            leads: other.leads,
            deals: other.deals,
            revenue: other.revenue(),
            cost: other.cost(),
        };
        (rows, Some(other))
    }
}

/// A return on spend: revenue / cost in one currency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ratio {
    pub(crate) currency: String,
    /// Rounded to [`RATIO_DECIMALS`] decimals.
    pub(crate) ratio: f64,
}

/// What a group's (or the totals') cost bought, per currency of its cost.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Returns {
    /// Cost / credited leads, in whole minor units; none without leads.
    pub(crate) cost_per_lead: Vec<Revenue>,
    /// Cost / credited won deals, in whole minor units; none without deals.
    pub(crate) cost_per_deal: Vec<Revenue>,
    /// Revenue / cost, for each currency with a cost above zero in which the revenue can be
    /// told: revenue in that currency, or none in any (a return of 0). Cost in euros
    /// against revenue only in kroner has no return on spend: the two are not added.
    pub(crate) return_on_spend: Vec<Ratio>,
}

/// Cost and return from a group's figures (unrounded credits, exact cost).
pub(crate) fn returns(leads: f64, deals: f64, revenue: &[Revenue], cost: &[Revenue]) -> Returns {
    let per = |count: f64| -> Vec<Revenue> {
        if count <= 0.0 {
            return Vec::new();
        }
        cost.iter()
            .map(|c| Revenue {
                currency: c.currency.clone(),
                amount_minor: (c.amount_minor / count).round(),
            })
            .collect()
    };
    let scale = 10f64.powi(RATIO_DECIMALS);
    let return_on_spend = cost
        .iter()
        .filter(|c| c.amount_minor > 0.0)
        .filter_map(|c| {
            let earned = match revenue.iter().find(|r| r.currency == c.currency) {
                Some(r) => r.amount_minor.round(),
                None if revenue.is_empty() => 0.0,
                None => return None,
            };
            Some(Ratio {
                currency: c.currency.clone(),
                ratio: (earned / c.amount_minor * scale).round() / scale,
            })
        })
        .collect();
    Returns {
        cost_per_lead: per(leads),
        cost_per_deal: per(deals),
        return_on_spend,
    }
}

impl Row {
    pub(crate) fn returns(&self) -> Returns {
        returns(self.leads, self.deals, &self.revenue, &self.cost)
    }
}

impl Report {
    pub(crate) fn returns(&self) -> Returns {
        returns(self.leads, self.deals, &self.revenue, &self.cost)
    }
}
