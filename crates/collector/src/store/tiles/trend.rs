//! Trend tiles: a figure per bucket of the period — a day, a week (from Monday) or a month of
//! the configured time zone — split into series by lead source or channel.
//!
//! The buckets are cut by the calendar of the time zone, not by fixed lengths: a day is 23 or
//! 25 hours long when the clocks change, and a bucket starts at that day's midnight. The first
//! and last bucket may reach outside the period; they count only the period's days but are
//! named by their own first day (a week by its Monday, a month by its 1st).
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

/// The trend tiles' ids.
pub(crate) const NEW_LEADS_TREND: &str = "new-leads-trend";
pub(crate) const CONVERSION_TREND: &str = "conversion-trend";

/// The most buckets one answer holds: a year of days, or twenty years of weeks.
pub(crate) const MAX_BUCKETS: usize = 1000;

pub(crate) fn is_trend(tile: &str) -> bool {
    tile == NEW_LEADS_TREND || tile == CONVERSION_TREND
}

/// How long a bucket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    pub(crate) fn parse(text: &str) -> Option<Bucket> {
        match text {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            "month" => Some(Bucket::Month),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    /// The first day of the bucket that holds `date`.
    pub(crate) fn start_of(self, date: Date) -> Date {
        match self {
            Bucket::Day => date,
            Bucket::Week => date
                .checked_sub(
                    jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset())),
                )
                .unwrap_or(date),
            Bucket::Month => date.first_of_month(),
        }
    }

    /// The first day of the next bucket after the one starting on `start`.
    fn next(self, start: Date) -> Option<Date> {
        match self {
            Bucket::Day => start.tomorrow().ok(),
            Bucket::Week => start.checked_add(jiff::Span::new().days(7)).ok(),
            Bucket::Month => start
                .checked_add(jiff::Span::new().months(1))
                .ok()
                .map(|d| d.first_of_month()),
        }
    }
}

/// What splits a trend into series. Named apart in the API document from attribution's
/// grouping, which is also a `By`: one name would let one schema replace the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = TrendBy)]
#[serde(rename_all = "snake_case")]
pub(crate) enum By {
    /// The source of the lead-generation touch.
    LeadSource,
    /// The channel of the lead-generation touch.
    Channel,
    /// One series: every lead.
    All,
}

impl By {
    pub(crate) fn parse(text: &str) -> Option<By> {
        match text {
            "lead_source" => Some(By::LeadSource),
            "channel" => Some(By::Channel),
            "all" => Some(By::All),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            By::LeadSource => "lead_source",
            By::Channel => "channel",
            By::All => "all",
        }
    }
}

/// A trend tile's bucket and split when the request names none: lead volume is read by
/// the week and by source, conversion (which needs more leads per point) by the month, whole.
pub(crate) fn defaults(tile: &str) -> (Bucket, By) {
    if tile == CONVERSION_TREND {
        (Bucket::Month, By::All)
    } else {
        (Bucket::Week, By::LeadSource)
    }
}

/// The buckets of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trend {
    pub(crate) bucket: Bucket,
    pub(crate) by: By,
    /// Each bucket's first day, in order.
    pub(crate) starts: Vec<Date>,
    /// Where each bucket begins, as Unix milliseconds (the first: where the period begins),
    /// then where the period ends: one more than `starts`.
    pub(crate) edges_ms: Vec<i64>,
}

impl Trend {
    /// The buckets of the whole days `from..=to` in `zone`; refused (with the reason) past
    /// [`MAX_BUCKETS`] or out of the calendar's range.
    pub(crate) fn new(
        bucket: Bucket,
        by: By,
        from: Date,
        to: Date,
        zone: &TimeZone,
    ) -> Result<Trend, String> {
        let midnight = |d: Date| -> Result<i64, String> {
            d.to_zoned(zone.clone())
                .map(|z| z.timestamp().as_millisecond())
                .map_err(|e| format!("{d} is out of range: {e}"))
        };
        let mut starts = vec![bucket.start_of(from)];
        let mut edges_ms = vec![midnight(from)?];
        while let Some(next) = bucket.next(starts[starts.len() - 1]).filter(|d| *d <= to) {
            if starts.len() == MAX_BUCKETS {
                return Err(format!(
                    "{} buckets from {from} to {to} would be more than {MAX_BUCKETS}; \
                     choose a longer bucket or a shorter period",
                    bucket.name()
                ));
            }
            starts.push(next);
            edges_ms.push(midnight(next)?);
        }
        let after = to
            .tomorrow()
            .map_err(|e| format!("{to} is out of range: {e}"))?;
        edges_ms.push(midnight(after)?);
        Ok(Trend {
            bucket,
            by,
            starts,
            edges_ms,
        })
    }

    /// The index of the bucket whose first day is `start`.
    pub(crate) fn index_of(&self, start: Date) -> Option<usize> {
        self.starts.binary_search(&start).ok()
    }
}

/// One point of a trend tile: a bucket of one series.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub(crate) struct TrendRow {
    /// The bucket's first day (`YYYY-MM-DD`, in the configured time zone): the day, the
    /// week's Monday, the month's 1st.
    #[schema(format = Date)]
    pub(crate) bucket: String,
    /// The series: a lead source, a channel's name, "All leads", "(none)" or "(other)".
    pub(crate) label: String,
    /// `[bucket, series]` as JSON for the drill-down (series: the stored value, `""` for
    /// none, `null` for all leads); null for "(other)".
    pub(crate) key: Option<String>,
    /// `new-leads-trend`: new leads (an integer). `conversion-trend`: deals / leads in %,
    /// one decimal; null when the bucket has no leads.
    #[schema(value_type = Option<f64>)]
    pub(crate) value: Option<serde_json::Number>,
    /// `conversion-trend`: the bucket's new leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) leads: Option<u64>,
    /// `conversion-trend`: the won sales of those leads, whenever won.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deals: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn buckets_follow_the_calendar_of_the_zone() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let days = Trend::new(
            Bucket::Day,
            By::All,
            date("2026-03-28"),
            date("2026-03-30"),
            &oslo,
        )
        .unwrap();
        // 2026-03-29 is 23 hours long in Oslo.
        let hours: Vec<i64> = days
            .edges_ms
            .windows(2)
            .map(|w| (w[1] - w[0]) / 3_600_000)
            .collect();
        assert_eq!(hours, [24, 23, 24]);
        let weeks = Trend::new(
            Bucket::Week,
            By::All,
            date("2026-10-21"),
            date("2026-11-02"),
            &oslo,
        )
        .unwrap();
        assert_eq!(
            weeks.starts,
            [date("2026-10-19"), date("2026-10-26"), date("2026-11-02")]
        );
        // The first week counts from the period's start (Wednesday); the Sunday of the
        // change is 25 hours long.
        assert_eq!(
            (weeks.edges_ms[1] - weeks.edges_ms[0]) / 3_600_000,
            5 * 24 + 1
        );
        let months = Trend::new(
            Bucket::Month,
            By::All,
            date("2026-01-31"),
            date("2026-03-01"),
            &TimeZone::UTC,
        )
        .unwrap();
        assert_eq!(
            months.starts,
            [date("2026-01-01"), date("2026-02-01"), date("2026-03-01")]
        );
        assert_eq!(months.index_of(date("2026-02-01")), Some(1));
        assert_eq!(months.index_of(date("2026-02-02")), None);
    }

    #[test]
    fn too_many_buckets_are_refused() {
        let zone = TimeZone::UTC;
        let many = Trend::new(
            Bucket::Day,
            By::All,
            date("2020-01-01"),
            date("2026-01-01"),
            &zone,
        );
        assert!(many.unwrap_err().contains("more than 1000"));
        assert!(Trend::new(
            Bucket::Month,
            By::All,
            date("0001-01-01"),
            date("9999-12-31"),
            &zone
        )
        .is_err());
        let edge = Trend::new(
            Bucket::Day,
            By::All,
            date("2026-01-01"),
            date("2026-01-01")
                .checked_add(jiff::Span::new().days(999))
                .unwrap(),
            &zone,
        )
        .unwrap();
        assert_eq!(edge.starts.len(), MAX_BUCKETS);
    }
}
