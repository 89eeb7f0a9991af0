//! Credited leads, won deals and won revenue per group, summed over the leads of a period.
//!
//! Rounding: credits are summed unrounded; a row's `leads` and `deals` are then rounded to
//! [`DECIMALS`] decimals and its revenue to whole minor units of its currency. Totals are
//! the unrounded sums (the number of leads and of won deals exactly), so rounded rows may
//! miss their total by at most half a last place per row. Revenue is never added across
//! currencies: each row and the totals hold one amount per currency.
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

/// Revenue in one currency, in minor units (unrounded while summing).
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
}

/// Every group's row (most credited leads first, then by label) and the totals.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Report {
    pub(crate) rows: Vec<Row>,
    pub(crate) leads: f64,
    pub(crate) deals: f64,
    pub(crate) revenue: Vec<Revenue>,
}

#[derive(Default)]
struct Sums {
    leads: f64,
    deals: f64,
    revenue: BTreeMap<String, f64>,
}

impl Sums {
    fn add(&mut self, credit: f64, won: &[(String, i64)]) {
        self.leads += credit;
        self.deals += credit * won.len() as f64;
        for (currency, amount) in won {
            *self.revenue.entry(currency.clone()).or_default() += credit * *amount as f64;
        }
    }

    fn revenue(&self) -> Vec<Revenue> {
        self.revenue
            .iter()
            .map(|(currency, amount)| Revenue {
                currency: currency.clone(),
                amount_minor: *amount,
            })
            .collect()
    }
}

/// The leads' credits under `model`, grouped `by`.
pub(crate) fn report(model: Model, by: By, leads: &[LeadJourney], half_life_ms: i64) -> Report {
    let mut groups: BTreeMap<String, Sums> = BTreeMap::new();
    let mut totals = Sums::default();
    for lead in leads {
        totals.add(1.0, &lead.won);
        for (key, credit) in group_credits(model, by, &lead.touches, lead.lead_at, half_life_ms) {
            groups.entry(key).or_default().add(credit, &lead.won);
        }
    }
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|(key, sums)| Row {
            label: by.label_of(&key),
            leads: sums.leads,
            deals: sums.deals,
            revenue: sums.revenue(),
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
        }
        let other = Row {
            key: String::new(),
            label: "(other)".to_owned(),
            leads: other.leads,
            deals: other.deals,
            revenue: other.revenue(),
        };
        (rows, Some(other))
    }
}
