//! The attribution quality report: how much of the attribution of a period is lost, and
//! where. Definitions (also in docs/dashboards.md):
//! - *new leads*: persons created in the period; *direct* / *untracked*: those whose
//!   lead-generation source is `(direct)` / `(untracked)`;
//! - *the period's touches*: the first-interaction and lead-generation touches of the new
//!   leads and the conversion touches of the submissions made in the period;
//! - *untagged posts*: submissions of the period that came without tracker fields (origin
//!   `referer_header`), by form and by the site they were posted from (the host of the
//!   page the `Referer` named, `(no referer)` without one);
//! - *forms never tagged*: forms posted to without tracker fields and never with them
//!   (all time, not only the period);
//! - *campaign spellings*: campaign values of the period's touches that are equal once
//!   only their letters and digits are compared (`webinar_sept`, `webinar-sept`);
//! - *alias-like sources*: sources of the period's touches that the current aliases would
//!   rewrite (stored before the alias existed), or host names (`acme.com`) whose brand is
//!   itself a source seen in the period (`acme`);
//! - *unknown mediums*: mediums of the period's touches and of saved links that the channel
//!   rules left Unassigned.
use async_trait::async_trait;
use serde::Serialize;

use super::StoreResult;

/// Most person ids a line lists; `persons` still counts them all.
pub(crate) const MAX_LINE_IDS: usize = 500;

/// The report for `[from_ms, to_ms)`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct QualityReport {
    /// Persons created in the period.
    pub(crate) new_leads: u64,
    /// New leads whose lead-generation touch is `(direct)`.
    pub(crate) direct: LeadShare,
    /// New leads whose lead-generation touch is `(untracked)`: posted without the tag.
    pub(crate) untracked: LeadShare,
    /// The period's posts without tracker fields, by form and origin site, most first.
    pub(crate) untagged_posts: Vec<UntaggedPosts>,
    /// Forms posted to without tracker fields and never with them (all time).
    pub(crate) untagged_forms: Vec<UntaggedForm>,
    /// Campaign values used in several spellings.
    pub(crate) campaign_spellings: Vec<CampaignSpellings>,
    /// Sources that look like another source's alias.
    pub(crate) alias_like_sources: Vec<AliasLikeSource>,
    /// Mediums the channel rules do not know (their touches fall to Unassigned).
    pub(crate) unknown_mediums: Vec<UnknownMedium>,
}

/// A share of the new leads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct LeadShare {
    pub(crate) persons: u64,
    /// Percent of the new leads, one decimal; 0 without new leads.
    pub(crate) share: f64,
    /// Search criteria (query-string form) that find these persons on the people page.
    pub(crate) criteria: String,
    /// Their ids (at most [`MAX_LINE_IDS`]), newest first.
    pub(crate) person_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct UntaggedPosts {
    /// The form's key.
    pub(crate) form: String,
    /// Host of the page the post came from (its `Referer`), or `(no referer)`.
    pub(crate) origin: String,
    pub(crate) posts: u64,
    /// Distinct persons behind the posts.
    pub(crate) persons: u64,
    pub(crate) person_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct UntaggedForm {
    pub(crate) form: String,
    /// Posts without tracker fields, all time.
    pub(crate) posts: u64,
    /// The sites posted from, as for [`UntaggedPosts::origin`].
    pub(crate) origins: Vec<String>,
    /// Search criteria that find the persons who posted to it.
    pub(crate) criteria: String,
    pub(crate) persons: u64,
    pub(crate) person_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct CampaignSpellings {
    /// The letters and digits the spellings share (`webinarsept`).
    pub(crate) key: String,
    pub(crate) spellings: Vec<ValueCount>,
    /// Distinct persons whose touches of the period carry one of the spellings.
    pub(crate) persons: u64,
    pub(crate) person_ids: Vec<i64>,
}

/// A value and the distinct persons whose touches of the period carry it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct ValueCount {
    pub(crate) value: String,
    pub(crate) persons: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct AliasLikeSource {
    pub(crate) source: String,
    /// The source it seems to stand for.
    pub(crate) looks_like: String,
    /// `alias`: the current aliases rewrite it (`leadtrail reclassify` merges it);
    /// `host`: a host name whose brand is a source of the period (an alias would merge it).
    pub(crate) reason: String,
    pub(crate) persons: u64,
    pub(crate) person_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct UnknownMedium {
    pub(crate) medium: String,
    /// Distinct persons whose touches of the period carry it and are Unassigned.
    pub(crate) persons: u64,
    pub(crate) person_ids: Vec<i64>,
    /// Saved links with this medium (any time).
    pub(crate) link_ids: Vec<i64>,
}

#[async_trait]
pub(crate) trait QualityStore: Send + Sync {
    /// The report for the period `[from_ms, to_ms)` (Unix milliseconds).
    async fn quality_report(&self, from_ms: i64, to_ms: i64) -> StoreResult<QualityReport>;
}

/// One line of the report as a tile row: what was found, how many, the detail, and the
/// `key` its drill-down takes.
struct Line {
    key: String,
    label: String,
    value: u64,
    detail: String,
    person_ids: Vec<i64>,
}

impl QualityReport {
    fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        for (key, label, share) in [
            ("direct", "New leads (direct)", &self.direct),
            ("untracked", "New leads (untracked)", &self.untracked),
        ] {
            lines.push(Line {
                key: key.into(),
                label: label.into(),
                value: share.persons,
                detail: format!("{} % of {} new leads", share.share, self.new_leads),
                person_ids: share.person_ids.clone(),
            });
        }
        for p in &self.untagged_posts {
            lines.push(Line {
                key: format!("posts:{}@{}", p.form, p.origin),
                label: format!("Posts without the tag: {} from {}", p.form, p.origin),
                value: p.posts,
                detail: format!("{} persons", p.persons),
                person_ids: p.person_ids.clone(),
            });
        }
        for f in &self.untagged_forms {
            lines.push(Line {
                key: format!("form:{}", f.form),
                label: format!("Form never seen with the tag: {}", f.form),
                value: f.posts,
                detail: format!("posts from {}", f.origins.join(", ")),
                person_ids: f.person_ids.clone(),
            });
        }
        for c in &self.campaign_spellings {
            let spellings: Vec<&str> = c.spellings.iter().map(|s| s.value.as_str()).collect();
            lines.push(Line {
                key: format!("campaign:{}", c.key),
                label: format!("Campaign in several spellings: {}", spellings.join(" / ")),
                value: c.persons,
                detail: format!("{} spellings", c.spellings.len()),
                person_ids: c.person_ids.clone(),
            });
        }
        for s in &self.alias_like_sources {
            lines.push(Line {
                key: format!("source:{}", s.source),
                label: format!(
                    "Source looks like an alias: {} → {}",
                    s.source, s.looks_like
                ),
                value: s.persons,
                detail: if s.reason == "alias" {
                    "an alias rewrites it now: run reclassify".into()
                } else {
                    "a host name of a known source: add an alias".into()
                },
                person_ids: s.person_ids.clone(),
            });
        }
        for m in &self.unknown_mediums {
            lines.push(Line {
                key: format!("medium:{}", m.medium),
                label: format!("Medium unknown to the channel rules: {}", m.medium),
                value: m.persons,
                detail: format!("{} saved links", m.link_ids.len()),
                person_ids: m.person_ids.clone(),
            });
        }
        lines
    }

    /// The report as the `attribution-quality` tile's rows.
    pub(crate) fn tile_rows(&self) -> Vec<serde_json::Value> {
        self.lines()
            .into_iter()
            .map(|l| {
                serde_json::json!({
                    "key": l.key, "label": l.label, "value": l.value, "detail": l.detail,
                })
            })
            .collect()
    }

    /// The persons behind the tile row `key`, newest first; `None` for no such row.
    pub(crate) fn person_ids_of(&self, key: &str) -> Option<Vec<i64>> {
        self.lines()
            .into_iter()
            .find(|l| l.key == key)
            .map(|l| l.person_ids)
    }
}
