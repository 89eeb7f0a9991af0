//! The trend tiles from the model against a plain evaluation of the same data: the period's
//! persons and their won sales read by SQL, each put into its bucket by converting its
//! creation time to a date of the time zone (no bucket edges involved), over random persons
//! around the clock changes of 2026, in several zones, bucket lengths and splits.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use leadtrail_core::Channel;
use proptest::prelude::*;
use rusqlite::params;
use serde_json::{json, Value};

use super::tests::{insert_person, open, sale, sql, P};
use crate::store::tiles::trend::{Bucket, By, Trend, CONVERSION_TREND, NEW_LEADS_TREND};
use crate::store::tiles::TileFilter;
use crate::store::TileStore;

const SOURCES: [&str; 13] = [
    "google",
    "bing",
    "linkedin",
    "facebook",
    "newsletter",
    "partner_a",
    "partner_b",
    "partner_c",
    "webinar",
    "podcast",
    "reddit",
    "x",
    "tiktok",
];
const CHANNELS: [Option<&str>; 5] = [
    Some("paid_search"),
    Some("organic_social"),
    Some("email"),
    Some("referral"),
    None,
];
const ZONES: [&str; 4] = ["Europe/Oslo", "Europe/Amsterdam", "UTC", "America/New_York"];
/// 2026-03-01T00:00:00Z: persons are created in the 280 days after it (both changes of 2026).
const MARCH_2026: i64 = 1_772_323_200_000;

#[derive(Debug, Clone)]
struct Lead {
    /// Milliseconds after [`MARCH_2026`].
    offset: i64,
    /// Index into [`SOURCES`], past its end for none.
    source: usize,
    channel: usize,
    owner: Option<i64>,
    /// Won sales, then other sales.
    won: u8,
    lost: u8,
}

fn lead() -> impl Strategy<Value = Lead> {
    (
        0..280 * 86_400_000i64,
        0..SOURCES.len() + 1,
        0..CHANNELS.len(),
        prop_oneof![Just(None), Just(Some(1i64)), Just(Some(2i64))],
        0u8..3,
        0u8..2,
    )
        .prop_map(|(offset, source, channel, owner, won, lost)| Lead {
            offset,
            source,
            channel,
            owner,
            won,
            lost,
        })
}

/// Persons close to an edge make the interesting cases: round some creation times to a
/// whole hour (midnights in every zone are whole hours).
fn snapped(lead: &Lead, snap: bool) -> i64 {
    let at = MARCH_2026 + lead.offset;
    if snap {
        at - at.rem_euclid(3_600_000) - i64::from(lead.offset % 3 == 0)
    } else {
        at
    }
}

/// The first day of the bucket of `date`, found by walking the calendar.
fn bucket_start(bucket: Bucket, date: Date) -> Date {
    match bucket {
        Bucket::Day => date,
        Bucket::Week => {
            let mut d = date;
            while d.weekday() != Weekday::Monday {
                d = d.yesterday().unwrap();
            }
            d
        }
        Bucket::Month => Date::new(date.year(), date.month(), 1).unwrap(),
    }
}

fn channel_label(id: Option<&str>) -> String {
    id.map_or("(none)".to_owned(), |id| {
        Channel::from_id(id).map_or(id.to_owned(), |c| c.name().to_owned())
    })
}

/// The rows the tile should answer, from the persons of the period as SQL reads them.
fn expected(
    persons: &[(i64, Option<String>, Option<String>, u64)],
    tile: &str,
    trend: &Trend,
    zone: &TimeZone,
    from: Date,
    to: Date,
) -> Vec<Value> {
    // (label, key) of each person's series.
    let series_of = |source: &Option<String>, channel: &Option<String>| match trend.by {
        By::All => ("All leads".to_owned(), None),
        By::LeadSource => (
            source.clone().unwrap_or_else(|| "(none)".to_owned()),
            Some(source.clone().unwrap_or_default()),
        ),
        By::Channel => (
            channel_label(channel.as_deref()),
            Some(channel.clone().unwrap_or_default()),
        ),
    };
    let mut totals: BTreeMap<(String, Option<String>), u64> = BTreeMap::new();
    // One series of all leads, even of none.
    if trend.by == By::All {
        totals.insert(("All leads".to_owned(), None), 0);
    }
    for (_, source, channel, _) in persons {
        *totals.entry(series_of(source, channel)).or_default() += 1;
    }
    let mut order: Vec<((String, Option<String>), u64)> = totals.into_iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0 .0.cmp(&b.0 .0)));
    let other = order.len() > 10;
    let drawn: Vec<(String, Option<String>)> = order.into_iter().take(10).map(|(s, _)| s).collect();
    let mut cells: BTreeMap<(Date, usize), (u64, u64)> = BTreeMap::new();
    for (created, source, channel, won) in persons {
        let day = jiff::Timestamp::from_millisecond(*created)
            .unwrap()
            .to_zoned(zone.clone())
            .date();
        let series = series_of(source, channel);
        let slot = drawn
            .iter()
            .position(|s| *s == series)
            .unwrap_or(drawn.len());
        let cell = cells
            .entry((bucket_start(trend.bucket, day), slot))
            .or_default();
        cell.0 += 1;
        cell.1 += won;
    }
    let mut rows = Vec::new();
    let mut start = bucket_start(trend.bucket, from);
    while start <= to {
        for slot in 0..drawn.len() + usize::from(other) {
            let (label, key) = match drawn.get(slot) {
                Some((label, series)) => (
                    label.clone(),
                    json!(serde_json::to_string(&(start.to_string(), series)).unwrap()),
                ),
                None => ("(other)".to_owned(), Value::Null),
            };
            let (leads, deals) = cells.get(&(start, slot)).copied().unwrap_or_default();
            rows.push(if tile == CONVERSION_TREND {
                let value = if leads == 0 {
                    Value::Null
                } else {
                    json!((deals as f64 * 1000.0 / leads as f64).round() / 10.0)
                };
                json!({"bucket": start.to_string(), "label": label, "key": key,
                       "value": value, "leads": leads, "deals": deals})
            } else {
                json!({"bucket": start.to_string(), "label": label, "key": key, "value": leads})
            });
        }
        start = match trend.bucket {
            Bucket::Day => start.tomorrow().unwrap(),
            Bucket::Week => start.checked_add(jiff::Span::new().days(7)).unwrap(),
            Bucket::Month => start.checked_add(jiff::Span::new().months(1)).unwrap(),
        };
    }
    rows
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Every trend answer equals the plain evaluation, and the drill-down of every row
    /// (but "(other)") lists as many persons as the row counts.
    #[test]
    fn trends_equal_a_plain_evaluation(
        leads in proptest::collection::vec(lead(), 0..120),
        snap in any::<bool>(),
        zone in 0..ZONES.len(),
        first_day in 0i64..270,
        days in 0i64..200,
        owner in prop_oneof![Just(None), Just(Some(1i64))],
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (_dir, store) = open().await;
            // Half the persons before the model loads, half through the change feed.
            let (before, after) = leads.split_at(leads.len() / 2);
            for (n, part) in [before, after].into_iter().enumerate() {
                let part: Vec<Lead> = part.to_vec();
                let offset = if n == 0 { 0 } else { before.len() as i64 };
                sql(&store, move |c| {
                    c.execute("INSERT OR IGNORE INTO associates (id, name, created_at) VALUES (1, 'Ann', 0), (2, 'Bob', 0)", [])?;
                    for (i, lead) in part.iter().enumerate() {
                        let id = offset + i as i64 + 1;
                        let created = snapped(lead, snap);
                        insert_person(c, &P {
                            id,
                            created,
                            owner: lead.owner,
                            status: "open",
                            source: SOURCES.get(lead.source).copied(),
                            lead_channel: CHANNELS[lead.channel],
                            channel: "form",
                            form: "contact",
                            ..P::default()
                        })?;
                        for _ in 0..lead.won {
                            sale(c, Some(id), "won", 100, "EUR", created + 86_400_000)?;
                        }
                        for _ in 0..lead.lost {
                            sale(c, Some(id), "lost", 100, "EUR", created)?;
                        }
                    }
                    Ok(())
                }).await;
                if n == 0 {
                    store.dash.facts(&store.writer).await.unwrap();
                }
            }

            let zone = TimeZone::get(ZONES[zone]).unwrap();
            let from = Date::new(2026, 3, 1).unwrap().checked_add(jiff::Span::new().days(first_day)).unwrap();
            let to = from.checked_add(jiff::Span::new().days(days)).unwrap();
            let from_ms = from.to_zoned(zone.clone()).unwrap().timestamp().as_millisecond();
            let to_ms = to.tomorrow().unwrap().to_zoned(zone.clone()).unwrap().timestamp().as_millisecond();
            let persons: Vec<(i64, Option<String>, Option<String>, u64)> = store
                .read(move |c| {
                    c.prepare(
                        "SELECT p.created_at, p.lead_source, p.lead_channel, \
                           (SELECT count(*) FROM sales s WHERE s.person_id = p.id AND s.status = 'won') \
                         FROM persons p \
                         WHERE p.created_at >= ?1 AND p.created_at < ?2 \
                           AND (?3 IS NULL OR p.owner_id = ?3)",
                    )?
                    .query_map(params![from_ms, to_ms, owner], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?
                    .collect()
                })
                .await
                .unwrap();

            for tile in [NEW_LEADS_TREND, CONVERSION_TREND] {
                for bucket in [Bucket::Day, Bucket::Week, Bucket::Month] {
                    for by in [By::LeadSource, By::Channel, By::All] {
                        let trend = Trend::new(bucket, by, from, to, &zone).unwrap();
                        let want = expected(&persons, tile, &trend, &zone, from, to);
                        let filter = TileFilter {
                            from_ms,
                            to_ms,
                            owner,
                            trend: Some(trend),
                            ..TileFilter::default()
                        };
                        let got = store.tile_rows(tile, filter.clone()).await.unwrap().unwrap();
                        prop_assert_eq!(&got, &want, "{} {:?} {:?}", tile, bucket, by);
                        let leads_of = |row: &Value| row.get("leads").unwrap_or(&row["value"]).as_u64().unwrap();
                        for row in got.iter().filter(|r| !r["key"].is_null() && leads_of(r) > 0) {
                            let leads = leads_of(row);
                            let listed = store
                                .tile_persons(tile, filter.clone(), row["key"].as_str().map(str::to_owned), 500)
                                .await
                                .unwrap()
                                .unwrap();
                            prop_assert_eq!(listed.len() as u64, leads, "{}", row);
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
}

#[tokio::test]
async fn a_drill_down_key_must_name_a_bucket_of_the_period() {
    let (_dir, store) = open().await;
    let zone = TimeZone::get("Europe/Oslo").unwrap();
    let from = Date::new(2026, 3, 1).unwrap();
    let to = Date::new(2026, 3, 31).unwrap();
    let trend = Trend::new(Bucket::Week, By::LeadSource, from, to, &zone).unwrap();
    let filter = TileFilter {
        from_ms: trend.edges_ms[0],
        to_ms: *trend.edges_ms.last().unwrap(),
        trend: Some(trend),
        ..TileFilter::default()
    };
    let drill = |key: Option<&str>| {
        let store = &store;
        let filter = filter.clone();
        let key = key.map(str::to_owned);
        async move {
            store
                .tile_persons(NEW_LEADS_TREND, filter, key, 10)
                .await
                .unwrap()
        }
    };
    // A Tuesday is no week's first day; the week of 2026-02-23 holds the period's first day.
    assert!(drill(Some(r#"["2026-03-03","google"]"#))
        .await
        .unwrap_err()
        .to_string()
        .contains("first day of a week bucket"));
    assert_eq!(drill(Some(r#"["2026-02-23","google"]"#)).await, Ok(vec![]));
    assert!(drill(Some("google"))
        .await
        .unwrap_err()
        .to_string()
        .contains("JSON pair"));
    assert!(drill(None)
        .await
        .unwrap_err()
        .to_string()
        .starts_with("key: "));
    assert!(drill(Some(r#"["2026-03-02",null]"#))
        .await
        .unwrap_err()
        .to_string()
        .contains("(other)"));
}
