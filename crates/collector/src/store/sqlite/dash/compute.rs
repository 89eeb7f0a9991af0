//! The tiles computed from [`Facts`]: each is one pass over the person (or sale) columns,
//! filtered by period, owner and country, counting into an array indexed by dictionary id.

use crate::attribution::figures::minor_digits;
use leadtrail_core::Channel;
use serde_json::{json, Value};

use super::facts::{
    Facts, DEAD, DISQUALIFIED, IN_PROGRESS, OPEN, QUALIFIED, SALE_OPEN, SALE_WON, VIA_CHAT,
    VIA_FORM,
};
use crate::refusal::Refusal;
use crate::store::tiles::trend::{CONVERSION_TREND, NEW_LEADS_TREND};
use crate::store::tiles::{TileFilter, TileResult};

/// Label of "no value".
pub(crate) const NONE_LABEL: &str = "(none)";
/// Label of the rows beyond a tile's row limit, summed.
pub(crate) const OTHER_LABEL: &str = "(other)";
/// Grouped tiles show this many rows, then one "(other)" row.
const MAX_ROWS: usize = 25;
const TOP_10: usize = 10;

/// The filters as the model's integers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope {
    /// `[from, to)` in Unix seconds.
    pub(super) from: u32,
    pub(super) to: u32,
    /// `Some(u32::MAX)` when the filter names a value nobody has.
    owner: Option<u32>,
    country: Option<u32>,
}

pub(super) const NOBODY: u32 = u32::MAX;

pub(super) fn to_secs(ms: i64) -> u32 {
    // Bounds are whole seconds in practice (day starts); round up so that a bound between
    // two seconds keeps its meaning for the floored creation times.
    let secs = ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) != 0);
    u32::try_from(secs.clamp(0, i64::from(DEAD - 1))).unwrap_or(0)
}

impl Scope {
    pub(crate) fn new(facts: &Facts, filter: &TileFilter) -> Scope {
        Scope {
            from: to_secs(filter.from_ms),
            to: to_secs(filter.to_ms),
            owner: filter
                .owner
                .map(|o| u32::try_from(o).ok().filter(|o| *o != 0).unwrap_or(NOBODY)),
            country: filter
                .country
                .as_deref()
                .map(|c| facts.text.lookup(c).unwrap_or(NOBODY)),
        }
    }

    fn filters_person(&self) -> bool {
        self.owner.is_some() || self.country.is_some()
    }
}

impl Facts {
    /// Calls `visit` with every person created in the scope.
    #[inline]
    pub(super) fn each_lead(&self, scope: &Scope, mut visit: impl FnMut(usize)) {
        let n = self.created.len();
        let created = &self.created[..n];
        let owner = &self.owner[..n];
        let country = &self.country[..n];
        let (from, to) = (scope.from, scope.to);
        match (scope.owner, scope.country) {
            (None, None) => {
                for (i, c) in created.iter().enumerate() {
                    if *c >= from && *c < to {
                        visit(i);
                    }
                }
            }
            (o, c) => {
                for i in 0..n {
                    let t = created[i];
                    if t >= from
                        && t < to
                        && o.is_none_or(|o| owner[i] == o)
                        && c.is_none_or(|c| country[i] == c)
                    {
                        visit(i);
                    }
                }
            }
        }
    }

    /// Whether person slot `p` passes the owner and country filters (any creation time).
    pub(super) fn person_passes(&self, scope: &Scope, p: usize) -> bool {
        p < self.created.len()
            && self.created[p] != DEAD
            && scope.owner.is_none_or(|o| self.owner[p] == o)
            && scope.country.is_none_or(|c| self.country[p] == c)
    }

    fn count_leads_by(&self, scope: &Scope, dimension: &[u32]) -> Vec<u64> {
        let mut counts = vec![0u64; self.text.len()];
        self.each_lead(scope, |i| counts[dimension[i] as usize] += 1);
        counts
    }

    pub(super) fn label(&self, id: u32) -> &str {
        self.text.name(id).unwrap_or(NONE_LABEL)
    }

    pub(super) fn key(&self, id: u32) -> &str {
        self.text.name(id).unwrap_or("")
    }

    /// A channel's name as people read it (`Paid Social`); its stored id when this build
    /// does not know it (written by a newer one), "(none)" for an unclassified touch.
    pub(super) fn channel_label(&self, id: u32) -> &str {
        match self.text.name(id) {
            Some(stored) => Channel::from_id(stored).map_or(stored, |channel| channel.name()),
            None => NONE_LABEL,
        }
    }

    /// Rows `{label, key, value}` of the non-zero counts, largest first (ties by label),
    /// at most `limit` of them plus an "(other)" row with the rest when `other`.
    fn grouped_rows(&self, counts: &[u64], limit: usize, other: bool) -> Vec<Value> {
        self.grouped_rows_labelled(counts, limit, other, |id| self.label(id))
    }

    /// [`Facts::grouped_rows`] with the labels given by `label` (the keys stay the
    /// stored values, which is what a drill-down looks up).
    fn grouped_rows_labelled<'a>(
        &'a self,
        counts: &[u64],
        limit: usize,
        other: bool,
        label: impl Fn(u32) -> &'a str,
    ) -> Vec<Value> {
        let mut ids: Vec<u32> = (0..counts.len() as u32)
            .filter(|id| counts[*id as usize] > 0)
            .collect();
        ids.sort_by(|a, b| {
            counts[*b as usize]
                .cmp(&counts[*a as usize])
                .then_with(|| label(*a).cmp(label(*b)))
        });
        let mut rows: Vec<Value> = ids
            .iter()
            .take(limit)
            .map(|id| json!({"label": label(*id), "key": self.key(*id), "value": counts[*id as usize]}))
            .collect();
        if other && ids.len() > limit {
            let rest: u64 = ids[limit..].iter().map(|id| counts[*id as usize]).sum();
            rows.push(json!({"label": OTHER_LABEL, "key": null, "value": rest}));
        }
        rows
    }

    pub(crate) fn tile(&self, tile: &str, filter: &TileFilter) -> TileResult<Vec<Value>> {
        let scope = Scope::new(self, filter);
        let rows = match tile {
            "lead-funnel" => self.funnel(&scope),
            "new-leads-by-campaign" => self.grouped_rows(
                &self.count_leads_by(&scope, &self.lead_campaign),
                MAX_ROWS,
                true,
            ),
            "new-leads-by-lead-source" => self.grouped_rows(
                &self.count_leads_by(&scope, &self.lead_source),
                MAX_ROWS,
                true,
            ),
            "new-leads-by-first-source" => self.grouped_rows(
                &self.count_leads_by(&scope, &self.first_source),
                MAX_ROWS,
                true,
            ),
            "new-leads-by-channel" => self.grouped_rows_labelled(
                &self.count_leads_by(&scope, &self.lead_channel),
                MAX_ROWS,
                true,
                |id| self.channel_label(id),
            ),
            "new-leads-from-chat" => vec![self.count_via(&scope, VIA_CHAT, "chat")],
            "new-leads-from-forms" => vec![self.count_via(&scope, VIA_FORM, "forms")],
            "sales-by-lead-source" => self.sales_by_source(&scope),
            "pipeline-by-lead-source" => self.pipeline_by_source(&scope),
            "top-referring-sites" => {
                let mut counts = self.count_leads_by(&scope, &self.referrer);
                counts[0] = 0; // leads without a referrer are not a site
                self.grouped_rows(&counts, TOP_10, false)
            }
            "top-forms" => self.top_forms(&scope),
            "source-performance" => self.source_performance(&scope),
            "campaign-channel-split" => self.campaign_split(&scope, filter.campaign.as_deref()),
            "conversion-rate-by-source" => self.conversion_by_source(&scope),
            NEW_LEADS_TREND | CONVERSION_TREND => {
                let trend = filter.trend.as_ref().ok_or_else(|| {
                    Refusal::invalid("bucket", format!("{tile} needs its buckets (?bucket=)"))
                })?;
                self.trend(tile, &scope, trend)
                    .into_iter()
                    .map(|row| serde_json::to_value(row).unwrap_or(Value::Null))
                    .collect()
            }
            other => {
                return Err(Refusal::invalid(
                    "tile",
                    format!("tile {other} is not computed from the model"),
                ))
            }
        };
        Ok(rows)
    }

    fn funnel(&self, scope: &Scope) -> Vec<Value> {
        // counts[furthest stage]: 0 open, 1 in progress, 2 qualified; plus disqualified.
        let mut furthest = [0u64; 3];
        let mut disqualified = 0u64;
        self.each_lead(scope, |i| {
            let r = self.reached[i];
            let stage = if r & QUALIFIED != 0 {
                2
            } else if r & IN_PROGRESS != 0 {
                1
            } else {
                0
            };
            furthest[stage] += 1;
            disqualified += u64::from(r & DISQUALIFIED != 0);
        });
        let _ = OPEN;
        let reached_open = furthest[0] + furthest[1] + furthest[2];
        let reached_progress = furthest[1] + furthest[2];
        vec![
            json!({"label": "Open", "key": "open", "value": reached_open, "furthest": furthest[0]}),
            json!({"label": "In progress", "key": "in_progress", "value": reached_progress, "furthest": furthest[1]}),
            json!({"label": "Qualified", "key": "qualified", "value": furthest[2], "furthest": furthest[2]}),
            json!({"label": "Disqualified", "key": "disqualified", "value": disqualified, "separate": true}),
        ]
    }

    fn count_via(&self, scope: &Scope, via: u8, name: &str) -> Value {
        let mut count = 0u64;
        self.each_lead(scope, |i| count += u64::from(self.via[i] == via));
        json!({"label": format!("New leads from {name}"), "value": count})
    }

    /// Calls `visit(sale, person)` for every sale with `status` that happened in the period
    /// and whose person passes the filters (sales without a person only when unfiltered).
    fn each_sale(&self, scope: &Scope, status: u8, mut visit: impl FnMut(usize, usize)) {
        for s in 0..self.sale_status.len() {
            if self.sale_status[s] != status {
                continue;
            }
            let at = self.sale_at[s];
            if at < scope.from || at >= scope.to {
                continue;
            }
            let p = self.sale_person[s] as usize;
            if p == 0 || !self.person_passes(scope, p) {
                if p == 0 && !scope.filters_person() {
                    visit(s, 0);
                }
                continue;
            }
            visit(s, p);
        }
    }

    fn source_of(&self, p: usize) -> u32 {
        if p == 0 || p >= self.lead_source.len() {
            0
        } else {
            self.lead_source[p]
        }
    }

    fn sales_by_source(&self, scope: &Scope) -> Vec<Value> {
        let mut counts = vec![0u64; self.text.len()];
        self.each_sale(scope, SALE_WON, |_, p| {
            counts[self.source_of(p) as usize] += 1;
        });
        self.grouped_rows(&counts, MAX_ROWS, true)
    }

    fn pipeline_by_source(&self, scope: &Scope) -> Vec<Value> {
        let mut sums: std::collections::HashMap<(u32, u32), i128> = Default::default();
        let mut counts: std::collections::HashMap<(u32, u32), u64> = Default::default();
        self.each_sale(scope, SALE_OPEN, |s, p| {
            let key = (self.source_of(p), self.sale_currency[s]);
            *sums.entry(key).or_default() += i128::from(self.sale_amount[s]);
            *counts.entry(key).or_default() += 1;
        });
        let mut entries: Vec<((u32, u32), i128)> = sums.into_iter().collect();
        entries.sort_by(|a, b| {
            self.label(a.0 .1)
                .cmp(self.label(b.0 .1))
                .then(b.1.cmp(&a.1))
                .then_with(|| self.label(a.0 .0).cmp(self.label(b.0 .0)))
        });
        entries
            .into_iter()
            .map(|((source, currency), minor)| {
                let code = self.key(currency);
                let value = minor as f64 / 10f64.powi(minor_digits(code) as i32);
                json!({
                    "label": self.label(source),
                    "key": self.key(source),
                    "value": value,
                    "currency": code,
                    "amount_minor": minor as i64,
                    "sales": counts[&(source, currency)],
                })
            })
            .collect()
    }

    fn top_forms(&self, scope: &Scope) -> Vec<Value> {
        let mut counts: std::collections::HashMap<u32, u64> = Default::default();
        self.each_lead(scope, |i| {
            if self.form[i] != 0 {
                *counts.entry(self.form[i]).or_default() += 1;
            }
        });
        let mut entries: Vec<(String, u64)> = counts
            .into_iter()
            .map(|(form, n)| {
                let key = self
                    .forms
                    .get(&i64::from(form))
                    .cloned()
                    .unwrap_or_else(|| format!("form {form}"));
                (key, n)
            })
            .collect();
        entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        entries
            .into_iter()
            .take(TOP_10)
            .map(|(key, n)| json!({"label": key, "key": key, "value": n}))
            .collect()
    }

    /// Leads of the period and their won sales (any time), per `(source, medium)` slot
    /// of the persons' lead generation.
    fn cohort(
        &self,
        scope: &Scope,
        by_medium: bool,
    ) -> std::collections::HashMap<(u32, u32), (u64, u64)> {
        let mut groups: std::collections::HashMap<(u32, u32), (u64, u64)> = Default::default();
        let medium = |i: usize| if by_medium { self.lead_medium[i] } else { 0 };
        self.each_lead(scope, |i| {
            groups
                .entry((self.lead_source[i], medium(i)))
                .or_default()
                .0 += 1;
        });
        for s in 0..self.sale_status.len() {
            if self.sale_status[s] != SALE_WON {
                continue;
            }
            let p = self.sale_person[s] as usize;
            if p == 0 || !self.person_passes(scope, p) {
                continue;
            }
            let created = self.created[p];
            if created < scope.from || created >= scope.to {
                continue;
            }
            groups
                .entry((self.lead_source[p], medium(p)))
                .or_default()
                .1 += 1;
        }
        groups
    }

    fn source_performance(&self, scope: &Scope) -> Vec<Value> {
        let mut entries: Vec<((u32, u32), (u64, u64))> =
            self.cohort(scope, true).into_iter().collect();
        entries.sort_by(|a, b| {
            b.1 .0
                .cmp(&a.1 .0)
                .then_with(|| self.label(a.0 .0).cmp(self.label(b.0 .0)))
                .then_with(|| self.label(a.0 .1).cmp(self.label(b.0 .1)))
        });
        entries
            .into_iter()
            .map(|((source, medium), (leads, deals))| {
                json!({
                    "label": format!("{} / {}", self.label(source), self.label(medium)),
                    "key": serde_json::to_string(&[self.key(source), self.key(medium)]).unwrap_or_default(),
                    "value": leads,
                    "source": self.label(source),
                    "medium": self.label(medium),
                    "leads": leads,
                    "deals": deals,
                    "conversion_rate": rate(deals, leads),
                })
            })
            .collect()
    }

    fn conversion_by_source(&self, scope: &Scope) -> Vec<Value> {
        let mut entries: Vec<(u32, (u64, u64))> = self
            .cohort(scope, false)
            .into_iter()
            .map(|((source, _), v)| (source, v))
            .collect();
        entries.sort_by(|a, b| {
            rate(b.1 .1, b.1 .0)
                .total_cmp(&rate(a.1 .1, a.1 .0))
                .then_with(|| self.label(a.0).cmp(self.label(b.0)))
        });
        entries
            .into_iter()
            .map(|(source, (leads, deals))| {
                json!({
                    "label": self.label(source),
                    "key": self.key(source),
                    "value": rate(deals, leads),
                    "leads": leads,
                    "deals": deals,
                })
            })
            .collect()
    }

    /// The campaign with most new leads in the scope.
    fn top_campaign(&self, scope: &Scope) -> Option<u32> {
        let counts = self.count_leads_by(scope, &self.lead_campaign);
        (1..counts.len())
            .filter(|id| counts[*id] > 0)
            .max_by(|a, b| counts[*a].cmp(&counts[*b]).then(b.cmp(a)))
            .map(|id| id as u32)
    }

    fn campaign_split(&self, scope: &Scope, campaign: Option<&str>) -> Vec<Value> {
        let campaign = match campaign {
            Some(name) => self.text.lookup(name),
            None => self.top_campaign(scope),
        };
        let Some(campaign) = campaign else {
            return Vec::new();
        };
        let mut counts = vec![0u64; self.text.len()];
        let mut total = 0u64;
        self.each_lead(scope, |i| {
            if self.lead_campaign[i] == campaign {
                counts[self.lead_source[i] as usize] += 1;
                total += 1;
            }
        });
        let mut rows = self.grouped_rows(&counts, MAX_ROWS, true);
        for row in &mut rows {
            let value = row["value"].as_u64().unwrap_or(0);
            row["share"] = json!(rate(value, total));
            row["campaign"] = json!(self.key(campaign));
        }
        rows
    }

    /// Person ids behind one row of a tile, newest first, at most `limit`.
    pub(crate) fn persons_of(
        &self,
        tile: &str,
        filter: &TileFilter,
        key: Option<&str>,
        limit: usize,
    ) -> TileResult<Vec<i64>> {
        let scope = Scope::new(self, filter);
        let dict = |key: Option<&str>| -> TileResult<u32> {
            match key {
                None => Err(needs_key()),
                Some("") => Ok(0),
                Some(k) => Ok(self.text.lookup(k).unwrap_or(NOBODY)),
            }
        };
        let mut out: Vec<usize> = Vec::new();
        let mut push = |i: usize| out.push(i);
        match tile {
            "lead-funnel" => {
                let bit = match key {
                    Some("open") => OPEN,
                    Some("in_progress") => IN_PROGRESS | QUALIFIED,
                    Some("qualified") => QUALIFIED,
                    Some("disqualified") => DISQUALIFIED,
                    _ => {
                        return Err(Refusal::invalid(
                            "key",
                            "must be open, in_progress, qualified or disqualified",
                        ))
                    }
                };
                self.each_lead(&scope, |i| {
                    if self.reached[i] & bit != 0 {
                        push(i)
                    }
                });
            }
            "new-leads-by-campaign" => {
                let id = dict(key)?;
                self.each_lead(&scope, |i| {
                    if self.lead_campaign[i] == id {
                        push(i)
                    }
                });
            }
            "new-leads-by-lead-source" | "conversion-rate-by-source" => {
                let id = dict(key)?;
                self.each_lead(&scope, |i| {
                    if self.lead_source[i] == id {
                        push(i)
                    }
                });
            }
            "new-leads-by-first-source" => {
                let id = dict(key)?;
                self.each_lead(&scope, |i| {
                    if self.first_source[i] == id {
                        push(i)
                    }
                });
            }
            "new-leads-by-channel" => {
                let id = dict(key)?;
                self.each_lead(&scope, |i| {
                    if self.lead_channel[i] == id {
                        push(i)
                    }
                });
            }
            "top-referring-sites" => {
                let id = dict(key)?;
                self.each_lead(&scope, |i| {
                    if self.referrer[i] == id {
                        push(i)
                    }
                });
            }
            "new-leads-from-chat" => self.each_lead(&scope, |i| {
                if self.via[i] == VIA_CHAT {
                    push(i)
                }
            }),
            "new-leads-from-forms" => self.each_lead(&scope, |i| {
                if self.via[i] == VIA_FORM {
                    push(i)
                }
            }),
            "top-forms" => {
                let key = key.ok_or_else(needs_key)?;
                let form = self
                    .forms
                    .iter()
                    .find(|(_, k)| k.as_str() == key)
                    .and_then(|(id, _)| u32::try_from(*id).ok())
                    .unwrap_or(NOBODY);
                self.each_lead(&scope, |i| {
                    if self.form[i] == form {
                        push(i)
                    }
                });
            }
            "source-performance" => {
                let key = key.ok_or_else(needs_key)?;
                let pair: [String; 2] = serde_json::from_str(key).map_err(|_| {
                    Refusal::invalid("key", "must be the row's key, a JSON pair [source, medium]")
                })?;
                let source = dict(Some(&pair[0]))?;
                let medium = dict(Some(&pair[1]))?;
                self.each_lead(&scope, |i| {
                    if self.lead_source[i] == source && self.lead_medium[i] == medium {
                        push(i)
                    }
                });
            }
            "campaign-channel-split" => {
                let source = dict(key)?;
                let campaign = match filter.campaign.as_deref() {
                    Some(name) => self.text.lookup(name).unwrap_or(NOBODY),
                    None => self.top_campaign(&scope).unwrap_or(NOBODY),
                };
                self.each_lead(&scope, |i| {
                    if self.lead_campaign[i] == campaign && self.lead_source[i] == source {
                        push(i)
                    }
                });
            }
            "sales-by-lead-source" | "pipeline-by-lead-source" => {
                let source = dict(key)?;
                let status = if tile == "sales-by-lead-source" {
                    SALE_WON
                } else {
                    SALE_OPEN
                };
                self.each_sale(&scope, status, |_, p| {
                    if p != 0 && self.lead_source[p] == source {
                        push(p)
                    }
                });
                out.sort_unstable();
                out.dedup();
            }
            NEW_LEADS_TREND | CONVERSION_TREND => {
                let trend = filter.trend.as_ref().ok_or_else(|| {
                    Refusal::invalid("bucket", format!("{tile} needs its buckets (?bucket=)"))
                })?;
                self.trend_persons(&scope, trend, key)?
                    .into_iter()
                    .for_each(&mut push);
            }
            other => {
                return Err(Refusal::invalid(
                    "tile",
                    format!("tile {other} has no persons to list"),
                ))
            }
        }
        // Newest first: by creation time, then id.
        out.sort_unstable_by(|a, b| self.created[*b].cmp(&self.created[*a]).then(b.cmp(a)));
        out.truncate(limit);
        Ok(out.into_iter().map(|i| i as i64).collect())
    }
}

/// `part / whole` in percent, one decimal; 0 when there is no whole.
pub(crate) fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

/// A drill-down without the row's key.
pub(crate) fn needs_key() -> Refusal {
    Refusal::invalid("key", "this tile's rows need a key (the row's `key`)")
}
