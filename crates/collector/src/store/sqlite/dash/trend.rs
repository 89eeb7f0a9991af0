//! The trend tiles computed from [`Facts`]: the period's new leads (and, for conversion,
//! their won sales) counted per bucket and series. Two passes over the person columns: the
//! first totals each series to choose the largest, the second counts into a small
//! bucket × series table, finding a lead's bucket by a binary search in the bucket edges.

use super::compute::{needs_key, rate, to_secs, Scope, NOBODY, OTHER_LABEL};
use super::facts::{Facts, SALE_WON};
use crate::refusal::Refusal;
use crate::store::tiles::trend::{By, Trend, TrendRow, CONVERSION_TREND};
use crate::store::tiles::TileResult;

/// Series drawn one by one; the rest are summed into "(other)".
const MAX_SERIES: usize = 10;
/// The one series of `by=all`.
pub(crate) const ALL_LABEL: &str = "All leads";
/// Slot of a value outside the series drawn.
const OTHER_SLOT: u16 = u16::MAX;

/// The series of one answer: which dictionary ids are drawn, in which order.
struct Series {
    /// Dictionary ids drawn, largest total first (one entry, ignored, for `by=all`).
    ids: Vec<u32>,
    /// Slot of each dictionary id in `ids`, [`OTHER_SLOT`] for the rest.
    slot: Vec<u16>,
    other: bool,
}

impl Facts {
    /// The column a split reads; `None` for `by=all`.
    fn split_column(&self, by: By) -> Option<&[u32]> {
        match by {
            By::LeadSource => Some(&self.lead_source),
            By::Channel => Some(&self.lead_channel),
            By::All => None,
        }
    }

    fn series_label(&self, by: By, id: u32) -> &str {
        match by {
            By::LeadSource => self.label(id),
            By::Channel => self.channel_label(id),
            By::All => ALL_LABEL,
        }
    }

    /// The series of the scope's leads: the [`MAX_SERIES`] with most leads (ties by label).
    fn series(&self, scope: &Scope, by: By) -> Series {
        let Some(column) = self.split_column(by) else {
            return Series {
                ids: vec![0],
                slot: Vec::new(),
                other: false,
            };
        };
        let mut totals = vec![0u64; self.text.len()];
        self.each_lead(scope, |i| totals[column[i] as usize] += 1);
        let mut ids: Vec<u32> = (0..totals.len() as u32)
            .filter(|id| totals[*id as usize] > 0)
            .collect();
        ids.sort_by(|a, b| {
            totals[*b as usize]
                .cmp(&totals[*a as usize])
                .then_with(|| self.series_label(by, *a).cmp(self.series_label(by, *b)))
        });
        let other = ids.len() > MAX_SERIES;
        ids.truncate(MAX_SERIES);
        let mut slot = vec![OTHER_SLOT; totals.len()];
        for (n, id) in ids.iter().enumerate() {
            slot[*id as usize] = n as u16;
        }
        Series { ids, slot, other }
    }

    /// The rows of a trend tile: every bucket, and in it every series (zeros included).
    pub(crate) fn trend(&self, tile: &str, scope: &Scope, trend: &Trend) -> Vec<TrendRow> {
        let conversion = tile == CONVERSION_TREND;
        let series = self.series(scope, trend.by);
        let width = series.ids.len() + usize::from(series.other);
        let buckets = trend.starts.len();
        let inner: Vec<u32> = trend.edges_ms[1..buckets]
            .iter()
            .map(|ms| to_secs(*ms))
            .collect();
        let bucket_of = |created: u32| inner.partition_point(|edge| *edge <= created);
        let column = self.split_column(trend.by);
        let slot_of = |p: usize| -> usize {
            match column {
                None => 0,
                Some(column) => match series.slot[column[p] as usize] {
                    OTHER_SLOT => width - 1,
                    n => n as usize,
                },
            }
        };
        let mut leads = vec![0u64; buckets * width];
        self.each_lead(scope, |i| {
            leads[bucket_of(self.created[i]) * width + slot_of(i)] += 1;
        });
        let mut deals = vec![0u64; if conversion { buckets * width } else { 0 }];
        if conversion {
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
                deals[bucket_of(created) * width + slot_of(p)] += 1;
            }
        }
        let mut rows = Vec::with_capacity(buckets * width);
        for (b, start) in trend.starts.iter().enumerate() {
            let bucket = start.to_string();
            for n in 0..width {
                let (label, key) = match series.ids.get(n) {
                    Some(id) => {
                        let series_key = (trend.by != By::All).then(|| self.key(*id));
                        (
                            self.series_label(trend.by, *id).to_owned(),
                            serde_json::to_string(&(&bucket, series_key)).ok(),
                        )
                    }
                    None => (OTHER_LABEL.to_owned(), None),
                };
                let count = leads[b * width + n];
                rows.push(if conversion {
                    let won = deals[b * width + n];
                    TrendRow {
                        bucket: bucket.clone(),
                        label,
                        key,
                        value: (count > 0)
                            .then(|| serde_json::Number::from_f64(rate(won, count)))
                            .flatten(),
                        leads: Some(count),
                        deals: Some(won),
                    }
                } else {
                    TrendRow {
                        bucket: bucket.clone(),
                        label,
                        key,
                        value: Some(count.into()),
                        leads: None,
                        deals: None,
                    }
                });
            }
        }
        rows
    }

    /// The leads behind one trend row: its `key` is `[bucket, series]` as JSON.
    pub(super) fn trend_persons(
        &self,
        scope: &Scope,
        trend: &Trend,
        key: Option<&str>,
    ) -> TileResult<Vec<usize>> {
        let key = key.ok_or_else(needs_key)?;
        let (bucket, series): (String, Option<String>) =
            serde_json::from_str(key).map_err(|_| {
                Refusal::invalid("key", "must be the row's key, a JSON pair [bucket, series]")
            })?;
        let start = bucket
            .parse()
            .ok()
            .and_then(|d| trend.index_of(d))
            .ok_or_else(|| {
                Refusal::invalid(
                    "key",
                    format!(
                        "{bucket:?} is not the first day of a {} bucket of this period",
                        trend.bucket.name()
                    ),
                )
            })?;
        let (from, to) = (
            to_secs(trend.edges_ms[start]),
            to_secs(trend.edges_ms[start + 1]),
        );
        let wanted = match (self.split_column(trend.by), series.as_deref()) {
            (None, _) => None,
            (Some(column), Some("")) => Some((column, 0)),
            (Some(column), Some(value)) => {
                Some((column, self.text.lookup(value).unwrap_or(NOBODY)))
            }
            (Some(_), None) => {
                return Err(Refusal::invalid(
                    "key",
                    format!(
                        "a {} series needs its value (\"(other)\" rows list no persons)",
                        trend.by.name()
                    ),
                ))
            }
        };
        let mut out = Vec::new();
        self.each_lead(scope, |i| {
            let created = self.created[i];
            if created >= from && created < to && wanted.is_none_or(|(column, id)| column[i] == id)
            {
                out.push(i);
            }
        });
        Ok(out)
    }
}
