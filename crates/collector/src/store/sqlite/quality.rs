//! SQLite side of [`crate::store::QualityStore`]: the report is read by SQL over the
//! period's rows (persons by `created_at`, submissions by `created_at`, both indexed), not
//! from the tiles' model, which keeps neither submission origins nor conversion touches.
//! It is asked for now and then, not on every dashboard refresh of a million persons.
use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use leadtrail_core::channel::hosts::registrable_domain;
use leadtrail_core::channel::SourceAliases;
use rusqlite::Connection;

use super::dash::facts::referrer_host;
use super::links_channels::load_aliases;
use super::SqliteStore;
use crate::store::quality::{
    AliasLikeSource, CampaignSpellings, LeadShare, QualityReport, QualityStore, UnknownMedium,
    UntaggedForm, UntaggedPosts, ValueCount, MAX_LINE_IDS,
};
use crate::store::StoreResult;

/// The persons a report looks at: every one, or one owner's and/or one country's (the
/// dashboards' filters). In SQL as `?3` (owner) and `?4` (country) after the period's
/// `?1`, `?2`, on `persons` ([`IN_SCOPE`]) or on a submission's person ([`SUBMITTER_IN_SCOPE`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct PersonScope {
    pub(crate) owner: Option<i64>,
    pub(crate) country: Option<String>,
}

const IN_SCOPE: &str = "(?3 IS NULL OR owner_id = ?3) AND (?4 IS NULL OR country = ?4)";
const SUBMITTER_IN_SCOPE: &str = "((?3 IS NULL AND ?4 IS NULL) OR EXISTS (SELECT 1 FROM persons p \
     WHERE p.id = s.person_id AND (?3 IS NULL OR p.owner_id = ?3) AND (?4 IS NULL OR p.country = ?4)))";

/// The origin of an untagged post that named no page.
const NO_REFERER: &str = "(no referer)";

/// Distinct persons, newest (highest id) first.
#[derive(Debug, Default)]
struct Persons(BTreeSet<i64>);

impl Persons {
    fn count(&self) -> u64 {
        self.0.len() as u64
    }

    fn ids(&self) -> Vec<i64> {
        self.0.iter().rev().take(MAX_LINE_IDS).copied().collect()
    }
}

/// One touch of the period: its person and the values the report looks at.
struct PeriodTouch {
    person: i64,
    source: Option<String>,
    medium: Option<String>,
    campaign: Option<String>,
    channel: Option<String>,
}

fn period_touches(
    c: &Connection,
    from_ms: i64,
    to_ms: i64,
    scope: &PersonScope,
) -> rusqlite::Result<Vec<PeriodTouch>> {
    let mut out = Vec::new();
    let mut statement = c.prepare(&format!(
        "SELECT id, first_source, first_medium, first_campaign, first_channel, \
                lead_source, lead_medium, lead_campaign, lead_channel \
         FROM persons WHERE created_at >= ?1 AND created_at < ?2 AND {IN_SCOPE}"
    ))?;
    let mut rows = statement.query(rusqlite::params![
        from_ms,
        to_ms,
        scope.owner,
        scope.country
    ])?;
    while let Some(row) = rows.next()? {
        let person: i64 = row.get(0)?;
        for at in [1, 5] {
            out.push(PeriodTouch {
                person,
                source: row.get(at)?,
                medium: row.get(at + 1)?,
                campaign: row.get(at + 2)?,
                channel: row.get(at + 3)?,
            });
        }
    }
    let mut statement = c.prepare(&format!(
        "SELECT person_id, conv_source, conv_medium, conv_campaign, conv_channel \
         FROM submissions s WHERE created_at >= ?1 AND created_at < ?2 AND {SUBMITTER_IN_SCOPE}"
    ))?;
    let mut rows = statement.query(rusqlite::params![
        from_ms,
        to_ms,
        scope.owner,
        scope.country
    ])?;
    while let Some(row) = rows.next()? {
        out.push(PeriodTouch {
            person: row.get(0)?,
            source: row.get(1)?,
            medium: row.get(2)?,
            campaign: row.get(3)?,
            channel: row.get(4)?,
        });
    }
    Ok(out)
}

/// The criteria of the new leads of `[from_ms, to_ms)` with this lead-generation source.
fn lead_source_criteria(source: &str, from_ms: i64, to_ms: i64) -> String {
    let time = |ms: i64| crate::time::rfc3339(ms).unwrap_or_default();
    format!(
        "lead_generation.source={source}&created_at[gte]={}&created_at[lte]={}",
        time(from_ms),
        time(to_ms - 1)
    )
}

fn lead_share(
    c: &Connection,
    source: &str,
    new_leads: u64,
    from_ms: i64,
    to_ms: i64,
    scope: &PersonScope,
) -> rusqlite::Result<LeadShare> {
    let persons = Persons(
        c.prepare_cached(&format!(
            "SELECT id FROM persons WHERE created_at >= ?1 AND created_at < ?2 AND {IN_SCOPE} \
             AND lead_source = ?5"
        ))?
        .query_map(
            rusqlite::params![from_ms, to_ms, scope.owner, scope.country, source],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?,
    );
    let share = if new_leads == 0 {
        0.0
    } else {
        (persons.count() as f64 * 1000.0 / new_leads as f64).round() / 10.0
    };
    Ok(LeadShare {
        persons: persons.count(),
        share,
        criteria: lead_source_criteria(source, from_ms, to_ms),
        person_ids: persons.ids(),
    })
}

fn origin_of(landing_page: Option<&str>) -> String {
    landing_page
        .and_then(referrer_host)
        .unwrap_or_else(|| NO_REFERER.to_owned())
}

fn untagged_posts(
    c: &Connection,
    from_ms: i64,
    to_ms: i64,
    scope: &PersonScope,
) -> rusqlite::Result<Vec<UntaggedPosts>> {
    let mut groups: BTreeMap<(String, String), (u64, Persons)> = BTreeMap::new();
    let mut statement = c.prepare(&format!(
        "SELECT f.key, s.conv_landing_page, s.person_id FROM submissions s \
         JOIN forms f ON f.id = s.form_id \
         WHERE s.created_at >= ?1 AND s.created_at < ?2 AND s.origin = 'referer_header' \
         AND {SUBMITTER_IN_SCOPE}"
    ))?;
    let mut rows = statement.query(rusqlite::params![
        from_ms,
        to_ms,
        scope.owner,
        scope.country
    ])?;
    while let Some(row) = rows.next()? {
        let page: Option<String> = row.get(1)?;
        let group = groups
            .entry((row.get(0)?, origin_of(page.as_deref())))
            .or_default();
        group.0 += 1;
        group.1 .0.insert(row.get(2)?);
    }
    let mut lines: Vec<UntaggedPosts> = groups
        .into_iter()
        .map(|((form, origin), (posts, persons))| UntaggedPosts {
            form,
            origin,
            posts,
            persons: persons.count(),
            person_ids: persons.ids(),
        })
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.posts));
    Ok(lines)
}

fn untagged_forms(c: &Connection, scope: &PersonScope) -> rusqlite::Result<Vec<UntaggedForm>> {
    struct Form {
        posts: u64,
        origins: BTreeSet<String>,
        persons: Persons,
    }
    let mut forms: BTreeMap<String, Form> = BTreeMap::new();
    // Any time: the period (?1, ?2) is not asked for; SQLite binds the unused indexes.
    let mut statement = c.prepare(&format!(
        "SELECT f.key, s.conv_landing_page, s.person_id FROM forms f \
         JOIN submissions s ON s.form_id = f.id AND s.origin = 'referer_header' \
         WHERE NOT EXISTS (SELECT 1 FROM submissions t \
                           WHERE t.form_id = f.id AND t.origin = 'tracker') \
         AND {SUBMITTER_IN_SCOPE}"
    ))?;
    let mut rows = statement.query(rusqlite::params![0, 0, scope.owner, scope.country])?;
    while let Some(row) = rows.next()? {
        let page: Option<String> = row.get(1)?;
        let form = forms.entry(row.get(0)?).or_insert_with(|| Form {
            posts: 0,
            origins: BTreeSet::new(),
            persons: Persons::default(),
        });
        form.posts += 1;
        form.origins.insert(origin_of(page.as_deref()));
        form.persons.0.insert(row.get(2)?);
    }
    let mut lines: Vec<UntaggedForm> = forms
        .into_iter()
        .map(|(key, form)| UntaggedForm {
            criteria: format!("form={key}"),
            form: key,
            posts: form.posts,
            origins: form.origins.into_iter().collect(),
            persons: form.persons.count(),
            person_ids: form.persons.ids(),
        })
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.posts));
    Ok(lines)
}

/// The letters and digits of a value, lower-case: what two spellings of one name share.
fn spelling_key(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn campaign_spellings(touches: &[PeriodTouch]) -> Vec<CampaignSpellings> {
    let mut by_key: BTreeMap<String, BTreeMap<&str, Persons>> = BTreeMap::new();
    for touch in touches {
        let Some(campaign) = touch.campaign.as_deref().filter(|c| !c.is_empty()) else {
            continue;
        };
        let key = spelling_key(campaign);
        if key.is_empty() {
            continue;
        }
        by_key
            .entry(key)
            .or_default()
            .entry(campaign)
            .or_default()
            .0
            .insert(touch.person);
    }
    by_key
        .into_iter()
        .filter(|(_, spellings)| spellings.len() > 1)
        .map(|(key, spellings)| {
            let mut all = Persons::default();
            let mut values: Vec<ValueCount> = spellings
                .into_iter()
                .map(|(value, persons)| {
                    all.0.extend(persons.0.iter().copied());
                    ValueCount {
                        value: value.to_owned(),
                        persons: persons.count(),
                    }
                })
                .collect();
            values.sort_by(|a, b| b.persons.cmp(&a.persons).then(a.value.cmp(&b.value)));
            CampaignSpellings {
                key,
                spellings: values,
                persons: all.count(),
                person_ids: all.ids(),
            }
        })
        .collect()
}

/// The brand of a host-like source (`acme` of `acme.com`, `news.acme.co.uk`); `None` for
/// a source that is not a host name.
fn brand_of(source: &str) -> Option<&str> {
    if !source.contains('.') {
        return None;
    }
    let domain = registrable_domain(source)?;
    domain.split('.').next().filter(|b| !b.is_empty())
}

fn alias_like_sources(touches: &[PeriodTouch], aliases: &SourceAliases) -> Vec<AliasLikeSource> {
    let mut sources: BTreeMap<&str, Persons> = BTreeMap::new();
    for touch in touches {
        if let Some(source) = touch.source.as_deref().filter(|s| !s.is_empty()) {
            sources.entry(source).or_default().0.insert(touch.person);
        }
    }
    let mut lines = Vec::new();
    for (source, persons) in &sources {
        if source.starts_with('(') {
            continue;
        }
        let canonical = aliases.canonical(source);
        let found = match canonical.as_deref() {
            Some(one) if one != *source => Some((one.to_owned(), "alias")),
            _ => brand_of(source)
                .and_then(|brand| aliases.canonical(brand))
                .filter(|brand| brand != source && sources.contains_key(brand.as_str()))
                .map(|brand| (brand, "host")),
        };
        if let Some((looks_like, reason)) = found {
            lines.push(AliasLikeSource {
                source: (*source).to_owned(),
                looks_like,
                reason: reason.to_owned(),
                persons: persons.count(),
                person_ids: persons.ids(),
            });
        }
    }
    lines
}

fn unknown_mediums(
    c: &Connection,
    touches: &[PeriodTouch],
) -> rusqlite::Result<Vec<UnknownMedium>> {
    let unassigned = leadtrail_core::Channel::Unassigned.id();
    let mut mediums: BTreeMap<String, (Persons, Vec<i64>)> = BTreeMap::new();
    for touch in touches {
        if touch.channel.as_deref() != Some(unassigned) {
            continue;
        }
        if let Some(medium) = touch.medium.as_deref().filter(|m| !m.is_empty()) {
            mediums
                .entry(medium.to_owned())
                .or_default()
                .0
                 .0
                .insert(touch.person);
        }
    }
    let mut statement =
        c.prepare("SELECT id, medium FROM saved_links WHERE channel = ?1 ORDER BY id")?;
    let mut rows = statement.query([unassigned])?;
    while let Some(row) = rows.next()? {
        let medium: String = row.get(1)?;
        mediums.entry(medium).or_default().1.push(row.get(0)?);
    }
    let mut lines: Vec<UnknownMedium> = mediums
        .into_iter()
        .map(|(medium, (persons, links))| UnknownMedium {
            medium,
            persons: persons.count(),
            person_ids: persons.ids(),
            link_ids: links,
        })
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.persons));
    Ok(lines)
}

/// The whole report, in one read transaction (one consistent snapshot).
fn report(
    connection: &Connection,
    from_ms: i64,
    to_ms: i64,
    scope: &PersonScope,
) -> rusqlite::Result<QualityReport> {
    let c = &*connection.unchecked_transaction()?;
    let new_leads: i64 = c
        .prepare_cached(&format!(
            "SELECT count(*) FROM persons WHERE created_at >= ?1 AND created_at < ?2 AND {IN_SCOPE}"
        ))?
        .query_row(
            rusqlite::params![from_ms, to_ms, scope.owner, scope.country],
            |r| r.get(0),
        )?;
    let new_leads = new_leads.max(0) as u64;
    let touches = period_touches(c, from_ms, to_ms, scope)?;
    let aliases = load_aliases(c)?;
    Ok(QualityReport {
        new_leads,
        direct: lead_share(
            c,
            leadtrail_core::touch::DIRECT_SOURCE,
            new_leads,
            from_ms,
            to_ms,
            scope,
        )?,
        untracked: lead_share(
            c,
            leadtrail_core::touch::UNTRACKED_SOURCE,
            new_leads,
            from_ms,
            to_ms,
            scope,
        )?,
        untagged_posts: untagged_posts(c, from_ms, to_ms, scope)?,
        untagged_forms: untagged_forms(c, scope)?,
        campaign_spellings: campaign_spellings(&touches),
        alias_like_sources: alias_like_sources(&touches, &aliases),
        unknown_mediums: unknown_mediums(c, &touches)?,
    })
}

#[async_trait]
impl QualityStore for SqliteStore {
    async fn quality_report(&self, from_ms: i64, to_ms: i64) -> StoreResult<QualityReport> {
        self.quality_report_of(from_ms, to_ms, PersonScope::default())
            .await
    }
}

impl SqliteStore {
    /// The report over the persons of `scope` only (the attribution-quality tile's owner
    /// and country filters).
    pub(crate) async fn quality_report_of(
        &self,
        from_ms: i64,
        to_ms: i64,
        scope: PersonScope,
    ) -> StoreResult<QualityReport> {
        self.read(move |c| report(c, from_ms, to_ms, &scope)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_compare_letters_and_digits() {
        assert_eq!(spelling_key("Webinar_Sept"), "webinarsept");
        assert_eq!(spelling_key("webinar-sept"), spelling_key("webinar sept"));
        assert_eq!(spelling_key("q3-2025"), "q32025");
        assert_eq!(spelling_key("--"), "");
    }

    #[test]
    fn brands_of_host_like_sources() {
        assert_eq!(brand_of("acme.com"), Some("acme"));
        assert_eq!(brand_of("news.acme.co.uk"), Some("acme"));
        assert_eq!(brand_of("acme"), None);
    }
}
