//! The period an answer counts: whole days in the configured time zone, given as `from`
//! and `to` or named relative to today (`last-30-days`, `this-quarter`, …): a dashboard
//! keeps the name, so it shows the latest days whenever it is opened.
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::ToSpan;
use serde::Serialize;

use crate::http::error::ApiError;
pub(crate) use crate::store::tiles::RelativePeriod;

/// A period of whole days in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) from: Date,
    pub(crate) to: Date,
}

pub(crate) fn parse_date(name: &'static str, text: &str) -> Result<Date, ApiError> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| ApiError::invalid(name, format!("must be a date YYYY-MM-DD, not {text:?}")))
}

pub(crate) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Period {
    /// `from`/`to` as given, defaulting to year to date in `zone` at `now`.
    pub(crate) fn resolve(
        from: Option<&str>,
        to: Option<&str>,
        zone: &TimeZone,
        now: jiff::Timestamp,
    ) -> Result<Period, ApiError> {
        let today = now.to_zoned(zone.clone()).date();
        let to = match to {
            Some(text) => parse_date("to", text)?,
            None => today,
        };
        let from = match from {
            Some(text) => parse_date("from", text)?,
            None => Date::new(to.year(), 1, 1).map_err(|e| ApiError::Internal(e.to_string()))?,
        };
        if from > to {
            return Err(ApiError::invalid("from", "must not be after to"));
        }
        Ok(Period { from, to })
    }

    /// `[start of from, start of the day after to)` as Unix milliseconds.
    pub(crate) fn bounds_ms(&self, zone: &TimeZone) -> Result<(i64, i64), ApiError> {
        let start = |d: Date| -> Result<i64, ApiError> {
            d.to_zoned(zone.clone())
                .map(|z| z.timestamp().as_millisecond())
                .map_err(|e| ApiError::invalid("from", format!("is out of range: {e}")))
        };
        let after = self
            .to
            .tomorrow()
            .map_err(|e| ApiError::invalid("to", format!("is out of range: {e}")))?;
        Ok((start(self.from)?, start(after)?))
    }
}

/// The period an answer counts (a tile, costs, attribution), inclusive, as `YYYY-MM-DD`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PeriodJson {
    #[schema(format = Date)]
    pub(crate) from: String,
    #[schema(format = Date)]
    pub(crate) to: String,
}

impl From<Period> for PeriodJson {
    fn from(period: Period) -> PeriodJson {
        PeriodJson {
            from: period.from.to_string(),
            to: period.to.to_string(),
        }
    }
}

const NAMES: [(&str, RelativePeriod); 9] = [
    ("last-7-days", RelativePeriod::Last7Days),
    ("last-30-days", RelativePeriod::Last30Days),
    ("last-90-days", RelativePeriod::Last90Days),
    ("this-month", RelativePeriod::ThisMonth),
    ("last-month", RelativePeriod::LastMonth),
    ("this-quarter", RelativePeriod::ThisQuarter),
    ("last-quarter", RelativePeriod::LastQuarter),
    ("this-year", RelativePeriod::ThisYear),
    ("last-year", RelativePeriod::LastYear),
];

/// Reads a period's name; `field` names the parameter in the error.
pub(crate) fn parse_relative(field: &'static str, text: &str) -> Result<RelativePeriod, ApiError> {
    let text = text.trim();
    NAMES
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, period)| *period)
        .ok_or_else(|| {
            let names: Vec<&str> = NAMES.iter().map(|(name, _)| *name).collect();
            ApiError::invalid(
                field,
                format!("must be one of {}, not {text:?}", names.join(", ")),
            )
        })
}

fn out_of_range(e: jiff::Error) -> ApiError {
    ApiError::invalid("period", format!("is out of range: {e}"))
}

fn quarter_start(day: Date) -> Result<Date, ApiError> {
    let month = (day.month() - 1) / 3 * 3 + 1;
    Date::new(day.year(), month, 1).map_err(out_of_range)
}

impl RelativePeriod {
    /// The days this name stands for on `today`.
    pub(crate) fn on(self, today: Date) -> Result<Period, ApiError> {
        let last_days = |n: i64| -> Result<Period, ApiError> {
            let from = today.checked_sub((n - 1).days()).map_err(out_of_range)?;
            Ok(Period { from, to: today })
        };
        let day_before = |d: Date| d.yesterday().map_err(out_of_range);
        match self {
            RelativePeriod::Last7Days => last_days(7),
            RelativePeriod::Last30Days => last_days(30),
            RelativePeriod::Last90Days => last_days(90),
            RelativePeriod::ThisMonth => Ok(Period {
                from: today.first_of_month(),
                to: today,
            }),
            RelativePeriod::LastMonth => {
                let to = day_before(today.first_of_month())?;
                Ok(Period {
                    from: to.first_of_month(),
                    to,
                })
            }
            RelativePeriod::ThisQuarter => Ok(Period {
                from: quarter_start(today)?,
                to: today,
            }),
            RelativePeriod::LastQuarter => {
                let to = day_before(quarter_start(today)?)?;
                Ok(Period {
                    from: quarter_start(to)?,
                    to,
                })
            }
            RelativePeriod::ThisYear => Ok(Period {
                from: today.first_of_year(),
                to: today,
            }),
            RelativePeriod::LastYear => {
                let to = day_before(today.first_of_year())?;
                Ok(Period {
                    from: to.first_of_year(),
                    to,
                })
            }
        }
    }

    /// The days this name stands for at `now` in `zone`.
    pub(crate) fn resolve(self, zone: &TimeZone, now: jiff::Timestamp) -> Result<Period, ApiError> {
        self.on(now.to_zoned(zone.clone()).date())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn days(name: &str, today: Date) -> (String, String) {
        let p = parse_relative("period", name).unwrap().on(today).unwrap();
        (p.from.to_string(), p.to.to_string())
    }

    fn pair(from: &str, to: &str) -> (String, String) {
        (from.to_owned(), to.to_owned())
    }

    #[test]
    fn names_resolve_to_whole_calendar_days() {
        let today = date(2026, 3, 1);
        assert_eq!(days("last-7-days", today), pair("2026-02-23", "2026-03-01"));
        assert_eq!(
            days("last-30-days", today),
            pair("2026-01-31", "2026-03-01")
        );
        assert_eq!(
            days("last-90-days", today),
            pair("2025-12-02", "2026-03-01")
        );
        assert_eq!(days("this-month", today), pair("2026-03-01", "2026-03-01"));
        assert_eq!(days("last-month", today), pair("2026-02-01", "2026-02-28"));
        assert_eq!(
            days("this-quarter", today),
            pair("2026-01-01", "2026-03-01")
        );
        assert_eq!(
            days("last-quarter", today),
            pair("2025-10-01", "2025-12-31")
        );
        assert_eq!(days("this-year", today), pair("2026-01-01", "2026-03-01"));
        assert_eq!(days("last-year", today), pair("2025-01-01", "2025-12-31"));
        // January: last month and last quarter are in the year before.
        let jan = date(2028, 1, 15);
        assert_eq!(days("last-month", jan), pair("2027-12-01", "2027-12-31"));
        assert_eq!(days("this-quarter", jan), pair("2028-01-01", "2028-01-15"));
        assert_eq!(days("last-quarter", jan), pair("2027-10-01", "2027-12-31"));
        // A leap year's February, and a quarter that starts in July.
        assert_eq!(
            days("last-month", date(2028, 3, 31)),
            pair("2028-02-01", "2028-02-29")
        );
        assert_eq!(
            days("this-quarter", date(2026, 9, 30)),
            pair("2026-07-01", "2026-09-30")
        );
    }

    #[test]
    fn today_is_the_configured_zone_s() {
        // 23:30 UTC on 31 May is already 1 June in Oslo.
        let now: jiff::Timestamp = "2026-05-31T23:30:00Z".parse().unwrap();
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let p = RelativePeriod::ThisMonth.resolve(&oslo, now).unwrap();
        assert_eq!((p.from, p.to), (date(2026, 6, 1), date(2026, 6, 1)));
        let p = RelativePeriod::ThisMonth
            .resolve(&TimeZone::UTC, now)
            .unwrap();
        assert_eq!((p.from, p.to), (date(2026, 5, 1), date(2026, 5, 31)));
    }

    #[test]
    fn the_names_read_are_the_names_written() {
        // The OpenAPI document lists the serde names: each must be one the API takes.
        for (name, period) in NAMES {
            assert_eq!(serde_json::to_value(period).unwrap(), name);
        }
    }

    #[test]
    fn unknown_names_are_refused_naming_the_field() {
        for bad in ["", "last-8-days", "30", "LAST-YEAR", "yesterday"] {
            let e = parse_relative("period", bad).unwrap_err().to_string();
            assert!(e.starts_with("period"), "{e}");
            assert!(e.contains("last-30-days"), "{e}");
        }
        assert_eq!(
            parse_relative("period", " this-year ").unwrap(),
            RelativePeriod::ThisYear
        );
    }
}
