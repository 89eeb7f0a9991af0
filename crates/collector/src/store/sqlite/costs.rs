//! SQLite side of [`CostStore`] (migrations/0016_campaign_costs.sql). Cost and return are
//! read by SQL, not from the tiles' model: costs are a few rows per campaign day, and the
//! model keeps neither them nor click ids.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use jiff::civil::Date;
use leadtrail_core::channel::{classify_with, SourceAliases};
use leadtrail_core::{journey, Touch};
use rusqlite::{params, Connection, OptionalExtension};

use super::links_channels::load_aliases;
use super::SqliteStore;
use crate::attribution::report::CampaignCost;
use crate::attribution::Touchpoint;
use crate::store::costs::{
    credits, ConversionKind, CostBy, CostRow, CostStore, CostTotal, CostWrite, LeadTouches,
    OfflineConversion, Platform, ReturnRow, MAX_COST_MINOR,
};
use crate::store::StoreResult;

/// The group of a lead without a touch value for it.
const NONE: &str = "(none)";

type CostKey = (String, String, String, String, String);

/// The group a cost row falls in.
fn cost_group(
    by: CostBy,
    aliases: &SourceAliases,
    source: &str,
    medium: &str,
    campaign: &str,
) -> String {
    // Sources are merged through today's aliases: one added since the import still applies.
    let source = aliases
        .canonical(source)
        .unwrap_or_else(|| source.to_owned());
    match by {
        CostBy::Source => source,
        CostBy::Campaign => campaign.to_owned(),
        CostBy::Channel => {
            let touch = Touch {
                source: Some(source),
                medium: Some(medium.to_owned()),
                campaign: Some(campaign.to_owned()),
                ..Touch::default()
            };
            classify_with(&touch, aliases).channel.id().to_owned()
        }
    }
}

/// Costs of the days `from..=to` per (group, currency): sum and rows.
fn totals(
    c: &Connection,
    from: Date,
    to: Date,
    by: CostBy,
) -> rusqlite::Result<BTreeMap<(String, String), (i64, u64)>> {
    let aliases = load_aliases(c)?;
    // A campaign has a row per day: its group is found once.
    let mut groups: HashMap<(String, String, String), String> = HashMap::new();
    let mut out: BTreeMap<(String, String), (i64, u64)> = BTreeMap::new();
    let mut statement = c.prepare_cached(
        "SELECT source, medium, campaign, currency, amount_minor FROM campaign_costs \
         WHERE day >= ?1 AND day <= ?2",
    )?;
    let mut rows = statement.query(params![from.to_string(), to.to_string()])?;
    while let Some(row) = rows.next()? {
        let source: String = row.get(0)?;
        let medium: String = row.get(1)?;
        let campaign: String = row.get(2)?;
        let currency: String = row.get(3)?;
        let amount: i64 = row.get(4)?;
        let key = groups
            .entry((source, medium, campaign))
            .or_insert_with_key(|(s, m, c)| cost_group(by, &aliases, s, m, c))
            .clone();
        let entry = out.entry((key, currency)).or_default();
        entry.0 = entry.0.saturating_add(amount);
        entry.1 += 1;
    }
    Ok(out)
}

/// Costs of the days `from..=to` per campaign and currency, each campaign as a touch of
/// the attribution models (source through the aliases, channel classed).
fn campaign_costs(c: &Connection, from: Date, to: Date) -> rusqlite::Result<Vec<CampaignCost>> {
    let aliases = load_aliases(c)?;
    let mut sums: BTreeMap<(String, String, String, String), i64> = BTreeMap::new();
    let mut statement = c.prepare_cached(
        "SELECT source, medium, campaign, currency, amount_minor FROM campaign_costs \
         WHERE day >= ?1 AND day <= ?2",
    )?;
    let mut rows = statement.query(params![from.to_string(), to.to_string()])?;
    while let Some(row) = rows.next()? {
        let source: String = row.get(0)?;
        // Stored under the aliases of its import; one added since merges it now. Summed
        // here rather than by SQL, whose sum fails on overflow.
        let source = aliases.canonical(&source).unwrap_or(source);
        let sum = sums
            .entry((source, row.get(1)?, row.get(2)?, row.get(3)?))
            .or_default();
        *sum = sum.saturating_add(row.get(4)?);
    }
    Ok(sums
        .into_iter()
        .map(|((source, medium, campaign, currency), amount_minor)| {
            let touch = Touch {
                source: Some(source),
                medium: Some(medium),
                campaign: Some(campaign),
                ..Touch::default()
            };
            let channel = classify_with(&touch, &aliases).channel.id().to_owned();
            CampaignCost {
                campaign: Touchpoint {
                    source: touch.source,
                    medium: touch.medium,
                    campaign: touch.campaign,
                    channel: Some(channel),
                    at: None,
                },
                currency,
                amount_minor,
            }
        })
        .collect())
}

/// The lead's group under `by`, from its stored lead-generation touch.
fn lead_group(
    by: CostBy,
    source: Option<String>,
    campaign: Option<String>,
    channel: Option<String>,
) -> String {
    match by {
        CostBy::Source => source,
        CostBy::Campaign => campaign,
        CostBy::Channel => channel,
    }
    .unwrap_or_else(|| NONE.to_owned())
}

/// Credited leads, deals and revenue per group for the persons created in the period.
struct Returns {
    leads: BTreeMap<String, f64>,
    deals: BTreeMap<String, f64>,
    revenue: BTreeMap<(String, String), i64>,
}

fn returns(c: &Connection, from_ms: i64, to_ms: i64, by: CostBy) -> rusqlite::Result<Returns> {
    let mut person_credits: BTreeMap<i64, Vec<(String, f64)>> = BTreeMap::new();
    let mut leads: BTreeMap<String, f64> = BTreeMap::new();
    let mut statement = c.prepare_cached(
        "SELECT id, lead_source, lead_campaign, lead_channel FROM persons \
         WHERE created_at >= ?1 AND created_at < ?2",
    )?;
    let mut rows = statement.query([from_ms, to_ms])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let lead = LeadTouches {
            lead_generation: lead_group(by, row.get(1)?, row.get(2)?, row.get(3)?),
        };
        let credit = credits(&lead);
        for (group, weight) in &credit {
            *leads.entry(group.clone()).or_default() += weight;
        }
        person_credits.insert(id, credit);
    }
    let mut deals: BTreeMap<String, f64> = BTreeMap::new();
    let mut revenue: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut statement = c.prepare_cached(
        "SELECT s.person_id, s.amount_minor, s.currency FROM sales s \
         JOIN persons p ON p.id = s.person_id \
         WHERE s.status = 'won' AND p.created_at >= ?1 AND p.created_at < ?2",
    )?;
    let mut rows = statement.query([from_ms, to_ms])?;
    while let Some(row) = rows.next()? {
        let person: i64 = row.get(0)?;
        let amount: i64 = row.get(1)?;
        let currency: String = row.get(2)?;
        let Some(credit) = person_credits.get(&person) else {
            continue;
        };
        for (group, weight) in credit {
            *deals.entry(group.clone()).or_default() += weight;
            // Money stays whole minor units; a fractional credit rounds per deal.
            let share = (amount as f64 * weight).round() as i64;
            let entry = revenue
                .entry((group.clone(), currency.clone()))
                .or_default();
            *entry = entry.saturating_add(share);
        }
    }
    Ok(Returns {
        leads,
        deals,
        revenue,
    })
}

/// One candidate click of a person: its type, value and when it was seen.
struct Click {
    kind: String,
    id: String,
    at: Option<i64>,
}

/// The person's clicks of `types`, from every stored touch of theirs: first interaction,
/// lead generation, each submission's conversion touch and each touch of their journeys.
fn clicks_of(c: &Connection, person: i64, types: &[&str]) -> rusqlite::Result<Vec<Click>> {
    let mut out = Vec::new();
    let mut keep = |kind: Option<String>, id: Option<String>, at: Option<i64>| {
        if let (Some(kind), Some(id)) = (kind, id) {
            if types.contains(&kind.as_str()) && !id.is_empty() {
                out.push(Click { kind, id, at });
            }
        }
    };
    let row = c
        .prepare_cached(
            "SELECT first_click_id_type, first_click_id, coalesce(first_at, created_at), \
                    lead_click_id_type, lead_click_id, coalesce(lead_at, created_at) \
             FROM persons WHERE id = ?1",
        )?
        .query_row([person], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })
        .optional()?;
    if let Some((fk, fi, fa, lk, li, la)) = row {
        keep(fk, fi, fa);
        keep(lk, li, la);
    }
    let mut statement = c.prepare_cached(
        "SELECT conv_click_id_type, conv_click_id, coalesce(conv_at, created_at) \
         FROM submissions WHERE person_id = ?1 AND conv_click_id IS NOT NULL",
    )?;
    let mut rows = statement.query([person])?;
    while let Some(row) = rows.next()? {
        keep(row.get(0)?, row.get(1)?, row.get(2)?);
    }
    // The journeys the person's posts carried: a click in the middle of the path (a search
    // ad between a LinkedIn ad and a newsletter) is on none of the touches above. A touch
    // carried by several posts is kept more than once, which changes no choice.
    let mut statement = c.prepare_cached("SELECT touches FROM journeys WHERE person_id = ?1")?;
    let mut rows = statement.query([person])?;
    while let Some(row) = rows.next()? {
        let text: String = row.get(0)?;
        for touch in journey::decode(&text) {
            keep(touch.click_id_type, touch.click_id, touch.at);
        }
    }
    Ok(out)
}

/// The click a conversion at `at` goes back to: the latest one not after it, as the
/// platforms credit a conversion to the last click of theirs before it (a click without a
/// time only when none has one).
fn latest_click_before(clicks: Vec<Click>, at: i64) -> Option<Click> {
    clicks
        .into_iter()
        .filter(|click| click.at.is_none_or(|t| t <= at))
        .max_by_key(|click| click.at.unwrap_or(i64::MIN))
}

/// A conversion found, before its click is looked up.
struct Converted {
    person: i64,
    email: String,
    kind: ConversionKind,
    at: i64,
    value: Option<(i64, String)>,
}

fn conversions(
    c: &Connection,
    platform: Platform,
    from_ms: i64,
    to_ms: i64,
    qualified: bool,
) -> rusqlite::Result<Vec<OfflineConversion>> {
    let mut found = Vec::new();
    // Persons who withdrew their e-marketing consent are not sent to ad platforms.
    let mut statement = c.prepare_cached(
        "SELECT p.id, p.email, coalesce(s.closed_at, s.at) AS won_at, s.amount_minor, s.currency \
         FROM sales s JOIN persons p ON p.id = s.person_id \
         WHERE s.status = 'won' AND coalesce(s.closed_at, s.at) >= ?1 \
           AND coalesce(s.closed_at, s.at) < ?2 \
           AND (p.consent_e_marketing IS NULL OR p.consent_e_marketing = 1) \
         ORDER BY won_at, s.id",
    )?;
    let mut rows = statement.query([from_ms, to_ms])?;
    while let Some(row) = rows.next()? {
        found.push(Converted {
            person: row.get(0)?,
            email: row.get(1)?,
            kind: ConversionKind::WonDeal,
            at: row.get(2)?,
            value: Some((row.get(3)?, row.get(4)?)),
        });
    }
    if qualified {
        let mut statement = c.prepare_cached(
            "SELECT p.id, p.email, q.at FROM \
               (SELECT person_id, min(changed_at) AS at FROM status_changes \
                WHERE status = 'qualified' GROUP BY person_id) q \
             JOIN persons p ON p.id = q.person_id \
             WHERE q.at >= ?1 AND q.at < ?2 \
               AND (p.consent_e_marketing IS NULL OR p.consent_e_marketing = 1) \
             ORDER BY q.at, p.id",
        )?;
        let mut rows = statement.query([from_ms, to_ms])?;
        while let Some(row) = rows.next()? {
            found.push(Converted {
                person: row.get(0)?,
                email: row.get(1)?,
                kind: ConversionKind::QualifiedLead,
                at: row.get(2)?,
                value: None,
            });
        }
        found.sort_by_key(|f| (f.at, f.person));
    }
    let mut out = Vec::new();
    for conversion in found {
        let clicks = clicks_of(c, conversion.person, platform.click_id_types())?;
        let Some(click) = latest_click_before(clicks, conversion.at) else {
            continue;
        };
        out.push(OfflineConversion {
            person_id: conversion.person,
            email: conversion.email,
            kind: conversion.kind,
            at: conversion.at,
            value: conversion.value,
            click_id_type: click.kind,
            click_id: click.id,
            click_at: click.at,
        });
    }
    Ok(out)
}

#[async_trait]
impl CostStore for SqliteStore {
    async fn replace_costs(&self, rows: Vec<CostRow>) -> StoreResult<CostWrite> {
        let now = crate::time::now_ms();
        self.writer
            .apply(move |c| {
                let aliases = load_aliases(c)?;
                let mut merged: BTreeMap<CostKey, i64> = BTreeMap::new();
                for row in &rows {
                    let source = aliases
                        .canonical(&row.source)
                        .unwrap_or_else(|| row.source.clone());
                    let key = (
                        row.day.to_string(),
                        source,
                        row.medium.clone(),
                        row.campaign.clone(),
                        row.currency.clone(),
                    );
                    let sum = merged.entry(key).or_default();
                    *sum = sum.saturating_add(row.amount_minor).min(MAX_COST_MINOR);
                }
                let mut write = CostWrite::default();
                for ((day, source, medium, campaign, currency), amount) in &merged {
                    let known: bool = c
                        .prepare_cached(
                            "SELECT EXISTS (SELECT 1 FROM campaign_costs WHERE day = ?1 \
                             AND source = ?2 AND medium = ?3 AND campaign = ?4 AND currency = ?5)",
                        )?
                        .query_row(params![day, source, medium, campaign, currency], |row| {
                            row.get(0)
                        })?;
                    c.prepare_cached(
                        "INSERT INTO campaign_costs \
                         (day, source, medium, campaign, currency, amount_minor, imported_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                         ON CONFLICT (day, source, medium, campaign, currency) DO UPDATE \
                         SET amount_minor = excluded.amount_minor, imported_at = excluded.imported_at",
                    )?
                    .execute(params![day, source, medium, campaign, currency, amount, now])?;
                    if known {
                        write.replaced += 1;
                    } else {
                        write.created += 1;
                    }
                }
                Ok(write)
            })
            .await
    }

    async fn cost_totals(&self, from: Date, to: Date, by: CostBy) -> StoreResult<Vec<CostTotal>> {
        self.read(move |c| {
            let mut out: Vec<CostTotal> = totals(c, from, to, by)?
                .into_iter()
                .map(|((key, currency), (amount_minor, rows))| CostTotal {
                    key,
                    currency,
                    amount_minor,
                    rows,
                })
                .collect();
            out.sort_by(|a, b| {
                (&a.currency, std::cmp::Reverse(a.amount_minor), &a.key).cmp(&(
                    &b.currency,
                    std::cmp::Reverse(b.amount_minor),
                    &b.key,
                ))
            });
            Ok(out)
        })
        .await
    }

    async fn campaign_costs(&self, from: Date, to: Date) -> StoreResult<Vec<CampaignCost>> {
        self.read(move |c| campaign_costs(c, from, to)).await
    }

    async fn cost_return(
        &self,
        days: (Date, Date),
        from_ms: i64,
        to_ms: i64,
        by: CostBy,
    ) -> StoreResult<Vec<ReturnRow>> {
        self.read(move |c| {
            let costs = totals(c, days.0, days.1, by)?;
            let returns = returns(c, from_ms, to_ms, by)?;
            let mut keys: BTreeSet<&String> = costs.keys().map(|(k, _)| k).collect();
            keys.extend(returns.leads.keys());
            let mut out = Vec::new();
            for key in keys {
                let mut currencies: BTreeSet<&String> = costs
                    .keys()
                    .filter(|(k, _)| k == key)
                    .map(|(_, cur)| cur)
                    .collect();
                currencies.extend(
                    returns
                        .revenue
                        .keys()
                        .filter(|(k, _)| k == key)
                        .map(|(_, cur)| cur),
                );
                let leads = returns.leads.get(key).copied().unwrap_or(0.0);
                let deals = returns.deals.get(key).copied().unwrap_or(0.0);
                if currencies.is_empty() {
                    out.push(ReturnRow {
                        key: key.clone(),
                        currency: None,
                        cost_minor: None,
                        leads,
                        deals,
                        revenue_minor: None,
                    });
                }
                for currency in currencies {
                    let pair = (key.clone(), currency.clone());
                    out.push(ReturnRow {
                        key: key.clone(),
                        currency: Some(currency.clone()),
                        cost_minor: costs.get(&pair).map(|(sum, _)| *sum),
                        leads,
                        deals,
                        revenue_minor: Some(returns.revenue.get(&pair).copied().unwrap_or(0)),
                    });
                }
            }
            // Most leads first, then the group's name; a group's currencies stay together.
            out.sort_by(|a, b| {
                b.leads
                    .total_cmp(&a.leads)
                    .then_with(|| a.key.cmp(&b.key))
                    .then_with(|| a.currency.cmp(&b.currency))
            });
            Ok(out)
        })
        .await
    }

    async fn offline_conversions(
        &self,
        platform: Platform,
        from_ms: i64,
        to_ms: i64,
        qualified: bool,
    ) -> StoreResult<Vec<OfflineConversion>> {
        self.read(move |c| conversions(c, platform, from_ms, to_ms, qualified))
            .await
    }
}
