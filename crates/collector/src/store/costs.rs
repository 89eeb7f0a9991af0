//! What campaigns cost, and what they returned.
//!
//! Definitions (also in docs/api.md, "Cost and return"):
//! - a *cost row* is what one campaign (source, medium, campaign) cost on one day in one
//!   currency; the key of a row is all five, and writing a key again replaces its amount;
//! - *leads* are the persons created in the period, credited to the groups of their
//!   touches by the attribution model ([`credits`]; today: lead generation, the whole
//!   lead to its lead-generation touch);
//! - *deals* and *revenue* are those leads' won sales, whenever they were won (a cohort, as
//!   the source-performance tile counts them), credited as their person is;
//! - amounts are integers in the currency's minor unit, and a currency is never added to
//!   another: every figure of money is per currency.
use async_trait::async_trait;
use jiff::civil::Date;
use leadtrail_core::clean::normalise_name;
use serde::{Deserialize, Serialize};

use super::StoreResult;
use crate::attribution::report::CampaignCost;

/// Largest amount one cost row may hold, in minor units (as for sales).
pub(crate) const MAX_COST_MINOR: i64 = 1_000_000_000_000_000;

/// How cost and return are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CostBy {
    /// The (lead-generation) source.
    Source,
    /// The campaign name, across sources.
    Campaign,
    /// The marketing channel of source, medium and campaign.
    Channel,
}

impl CostBy {
    pub(crate) fn parse(text: &str) -> Option<CostBy> {
        match text {
            "source" => Some(CostBy::Source),
            "campaign" => Some(CostBy::Campaign),
            "channel" => Some(CostBy::Channel),
            _ => None,
        }
    }
}

/// One validated cost row: names normalised as touches' are, the amount in minor units of
/// an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CostRow {
    pub(crate) day: Date,
    pub(crate) source: String,
    pub(crate) medium: String,
    pub(crate) campaign: String,
    pub(crate) currency: String,
    pub(crate) amount_minor: i64,
}

/// An amount as given: decimal text in the currency's unit, or integer minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Amount<'a> {
    Decimal(&'a str),
    Minor(i64),
}

/// The ISO 4217 currency for `code` (three upper-case letters) and its decimals.
pub(crate) fn iso_currency(code: &str) -> Result<(String, u32), String> {
    let code = code.trim();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!(
            "currency {code:?} is not an ISO 4217 code (three letters, e.g. EUR)"
        ));
    }
    let upper = code.to_ascii_uppercase();
    let currency = iso_currency::Currency::from_code(&upper)
        .ok_or_else(|| format!("currency {code:?} is not an ISO 4217 currency"))?;
    let exponent = currency
        .exponent()
        .ok_or_else(|| format!("currency {upper} has no minor unit; costs need money"))?;
    Ok((upper, u32::from(exponent)))
}

/// Decimal text (`1234.5`, `1234.50`, `1234`) in minor units of a currency with
/// `exponent` decimals, exactly: more decimals than the currency has are refused.
pub(crate) fn decimal_to_minor(text: &str, exponent: u32) -> Result<i64, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "amount {text:?} is not a non-negative decimal with at most {exponent} decimals \
             (e.g. 1234.50)"
        )
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 18
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && fraction.is_empty())
    {
        return Err(bad());
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > exponent as usize {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let fraction_minor: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<i64>().map_err(|_| bad())? * 10i64.pow(exponent - fraction.len() as u32)
    };
    whole
        .checked_mul(10i64.pow(exponent))
        .and_then(|w| w.checked_add(fraction_minor))
        .filter(|m| *m <= MAX_COST_MINOR)
        .ok_or_else(|| format!("amount {text:?} is too large"))
}

/// Minor units as decimal text (`123450`, 2 → `1234.50`).
pub(crate) fn minor_to_decimal(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale as u64,
        abs % scale as u64,
        width = exponent as usize
    )
}

/// The decimals of a stored currency (validated when it was written).
pub(crate) fn exponent_of(currency: &str) -> u32 {
    iso_currency(currency).map_or(2, |(_, e)| e)
}

impl CostRow {
    /// Validates one row as given; the message says what is wrong (the caller adds where).
    pub(crate) fn parse(
        day: &str,
        source: &str,
        medium: &str,
        campaign: &str,
        amount: Amount<'_>,
        currency: &str,
    ) -> Result<CostRow, String> {
        let day = day
            .trim()
            .parse::<Date>()
            .map_err(|_| format!("date {day:?} is not a day YYYY-MM-DD"))?;
        let name = |field: &str, value: &str| {
            normalise_name(value).ok_or_else(|| format!("{field} is empty"))
        };
        let source = name("source", source)?;
        let medium = name("medium", medium)?;
        let campaign = name("campaign", campaign)?;
        let (currency, exponent) = iso_currency(currency)?;
        let amount_minor = match amount {
            Amount::Decimal(text) => decimal_to_minor(text, exponent)?,
            Amount::Minor(minor) if (0..=MAX_COST_MINOR).contains(&minor) => minor,
            Amount::Minor(minor) => {
                return Err(format!(
                    "amount_minor {minor} must be between 0 and {MAX_COST_MINOR}"
                ))
            }
        };
        Ok(CostRow {
            day,
            source,
            medium,
            campaign,
            currency,
            amount_minor,
        })
    }
}

/// What a write of cost rows did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub(crate) struct CostWrite {
    /// Keys (day, source, medium, campaign, currency) that were new.
    pub(crate) created: u64,
    /// Keys that were there and whose amount was replaced.
    pub(crate) replaced: u64,
}

/// One group's cost in one currency over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CostTotal {
    pub(crate) key: String,
    pub(crate) currency: String,
    pub(crate) amount_minor: i64,
    /// Cost rows (campaign days) summed.
    pub(crate) rows: u64,
}

/// One group's cost and return in one currency (or, for a group with neither cost nor
/// revenue, without one).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReturnRow {
    pub(crate) key: String,
    pub(crate) currency: Option<String>,
    pub(crate) cost_minor: Option<i64>,
    /// Credited leads of the group (all currencies: a lead has none).
    pub(crate) leads: f64,
    /// Credited won deals of the group, in any currency.
    pub(crate) deals: f64,
    /// Credited won revenue in this row's currency.
    pub(crate) revenue_minor: Option<i64>,
}

/// The ad platforms whose click ids the closed loop sends conversions back for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Platform {
    Google,
    Microsoft,
    Meta,
    Linkedin,
}

impl Platform {
    pub(crate) fn parse(text: &str) -> Option<Platform> {
        match text {
            "google" => Some(Platform::Google),
            "microsoft" => Some(Platform::Microsoft),
            "meta" => Some(Platform::Meta),
            "linkedin" => Some(Platform::Linkedin),
            _ => None,
        }
    }

    /// The click-id parameters (as touches store their type) the platform's ads append.
    pub(crate) const fn click_id_types(self) -> &'static [&'static str] {
        match self {
            Platform::Google => &["gclid", "gbraid", "wbraid"],
            Platform::Microsoft => &["msclkid"],
            Platform::Meta => &["fbclid"],
            Platform::Linkedin => &["li_fat_id"],
        }
    }
}

/// What was converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConversionKind {
    WonDeal,
    QualifiedLead,
}

/// One conversion to send back: the person's latest click of the platform, and when and
/// for how much they converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OfflineConversion {
    pub(crate) person_id: i64,
    /// E-mail as stored (some platforms match on its hash).
    pub(crate) email: String,
    pub(crate) kind: ConversionKind,
    /// Unix ms: when the deal was won, or the lead first qualified.
    pub(crate) at: i64,
    /// `(minor units, currency)` of a won deal.
    pub(crate) value: Option<(i64, String)>,
    /// The click id's type (`gclid`, `msclkid`, …) and value, as stored.
    pub(crate) click_id_type: String,
    pub(crate) click_id: String,
    /// When the click was seen (Unix ms), if known.
    pub(crate) click_at: Option<i64>,
}

/// A lead as the credit computation sees it: the groups its touches fall in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeadTouches {
    /// The lead-generation touch's group under `by` (`(none)` without one).
    pub(crate) lead_generation: String,
}

/// How much of one lead (and of its deals) each group earns: fractions that add up to 1.
/// Every figure of cost and return is credited through here, so that another attribution
/// model changes only this function (and what [`LeadTouches`] carries).
pub(crate) fn credits(lead: &LeadTouches) -> Vec<(String, f64)> {
    vec![(lead.lead_generation.clone(), 1.0)]
}

#[async_trait]
pub(crate) trait CostStore {
    /// Writes `rows` in one transaction: a key given twice is summed, a key stored before
    /// is replaced. Sources are merged through the current aliases first.
    async fn replace_costs(&self, rows: Vec<CostRow>) -> StoreResult<CostWrite>;
    /// Costs of the days `from..=to`, per group and currency.
    async fn cost_totals(&self, from: Date, to: Date, by: CostBy) -> StoreResult<Vec<CostTotal>>;
    /// What each campaign cost on the days `from..=to`, per currency: its source merged
    /// through today's aliases, its channel classed by today's rules (as the attribution
    /// models read touches), for the attribution report's groups.
    async fn campaign_costs(&self, from: Date, to: Date) -> StoreResult<Vec<CampaignCost>>;
    /// Cost, leads, deals and revenue per group and currency: costs of the days
    /// `from..=to`, leads created in `[from_ms, to_ms)`.
    async fn cost_return(
        &self,
        days: (Date, Date),
        from_ms: i64,
        to_ms: i64,
        by: CostBy,
    ) -> StoreResult<Vec<ReturnRow>>;
    /// Won deals (closed in `[from_ms, to_ms)`), and with `qualified` the leads first
    /// qualified then, of persons whose touches carry one of `platform`'s click ids.
    async fn offline_conversions(
        &self,
        platform: Platform,
        from_ms: i64,
        to_ms: i64,
        qualified: bool,
    ) -> StoreResult<Vec<OfflineConversion>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_in_the_currency_s_minor_unit() {
        assert_eq!(decimal_to_minor("1234.5", 2), Ok(123_450));
        assert_eq!(decimal_to_minor("1234.50", 2), Ok(123_450));
        assert_eq!(decimal_to_minor("12", 0), Ok(12));
        assert_eq!(decimal_to_minor("1.234", 3), Ok(1_234));
        assert!(decimal_to_minor("1.234", 2).is_err());
        assert!(decimal_to_minor("-1", 2).is_err());
        assert!(decimal_to_minor("1e3", 2).is_err());
        assert!(decimal_to_minor("1.", 2).is_err());
        assert!(decimal_to_minor("", 2).is_err());
        assert_eq!(minor_to_decimal(123_450, 2), "1234.50");
        assert_eq!(minor_to_decimal(5, 3), "0.005");
        assert_eq!(minor_to_decimal(7, 0), "7");
    }

    #[test]
    fn currencies_are_iso_4217_codes_with_their_decimals() {
        assert_eq!(iso_currency("EUR"), Ok(("EUR".to_owned(), 2)));
        assert_eq!(iso_currency("jpy"), Ok(("JPY".to_owned(), 0)));
        assert_eq!(iso_currency("KWD"), Ok(("KWD".to_owned(), 3)));
        assert!(iso_currency("EURO").is_err());
        assert!(iso_currency("ABC").is_err());
        assert!(iso_currency("XAU").is_err(), "gold has no minor unit");
    }

    #[test]
    fn a_row_s_names_are_normalised_as_touches_are() {
        let row = CostRow::parse(
            "2026-03-02",
            " Google ",
            "CPC",
            "Spring  Sale",
            Amount::Decimal("10.5"),
            "eur",
        )
        .unwrap();
        assert_eq!(
            (
                row.source.as_str(),
                row.medium.as_str(),
                row.campaign.as_str()
            ),
            ("google", "cpc", "spring_sale")
        );
        assert_eq!((row.currency.as_str(), row.amount_minor), ("EUR", 1050));
        assert!(CostRow::parse("2026-02-30", "g", "cpc", "c", Amount::Minor(1), "EUR").is_err());
        assert!(CostRow::parse("2026-02-03", "", "cpc", "c", Amount::Minor(1), "EUR").is_err());
        assert!(CostRow::parse("2026-02-03", "g", "cpc", "c", Amount::Minor(-1), "EUR").is_err());
    }

    #[test]
    fn the_lead_generation_model_credits_the_whole_lead_to_its_touch() {
        let credit = credits(&LeadTouches {
            lead_generation: "google".into(),
        });
        assert_eq!(credit, vec![("google".to_owned(), 1.0)]);
    }
}
