//! Tiles against fixtures computed by hand (the source-performance example with partners A, B and C among them), period
//! edges in two time zones, owner and country filters, empty data, and a property test that
//! the model kept current by the change feed equals a fresh load.

use proptest::prelude::*;
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use tempfile::TempDir;

use super::facts::Facts;
use crate::http::tiles::period::Period;
use crate::store::links::TouchRole;
use crate::store::sqlite::SqliteStore;
use crate::store::tiles::trend::{defaults, is_trend, Trend};
use crate::store::tiles::{TileFilter, TILES};
use crate::store::{LinkStore, TileStore};

/// 2025-01-01T00:00:00Z and 2026-01-01T00:00:00Z.
const Y2025: i64 = 1_735_689_600_000;
const Y2026: i64 = 1_767_225_600_000;
const DAY: i64 = 86_400_000;

pub(super) async fn open() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    store
        .writer
        .execute("PRAGMA synchronous = OFF")
        .await
        .unwrap();
    (dir, store)
}

pub(super) async fn sql(
    store: &SqliteStore,
    f: impl Fn(&Connection) -> rusqlite::Result<()> + Send + 'static,
) {
    store.writer.apply(f).await.unwrap();
}

/// A person as the tiles see it; returns nothing, ids are given.
#[derive(Clone, Default)]
pub(super) struct P {
    pub(super) id: i64,
    pub(super) created: i64,
    pub(super) owner: Option<i64>,
    pub(super) country: Option<&'static str>,
    pub(super) status: &'static str,
    pub(super) source: Option<&'static str>,
    pub(super) medium: Option<&'static str>,
    pub(super) campaign: Option<&'static str>,
    pub(super) first_source: Option<&'static str>,
    pub(super) referrer: Option<&'static str>,
    /// Marketing channel id of the lead-generation touch (NULL: never classified).
    pub(super) lead_channel: Option<&'static str>,
    /// How the creating submission came (`form`, `chat`).
    pub(super) channel: &'static str,
    pub(super) form: &'static str,
}

pub(super) fn insert_person(c: &Connection, p: &P) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO persons (id, email, email_key, country, status, owner_id, created_at, \
         first_source, lead_source, lead_medium, lead_campaign, lead_referrer, lead_channel) \
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            p.id,
            format!("p{}@example.com", p.id),
            p.country,
            p.status,
            p.owner,
            p.created,
            p.first_source.or(p.source),
            p.source,
            p.medium,
            p.campaign,
            p.referrer,
            p.lead_channel
        ],
    )?;
    c.execute(
        "INSERT INTO forms (key, created_at) VALUES (?1, 0) ON CONFLICT (key) DO NOTHING",
        [p.form],
    )?;
    c.execute(
        "INSERT INTO submissions (person_id, form_id, channel, origin, created_at) \
         VALUES (?1, (SELECT id FROM forms WHERE key = ?2), ?3, 'tracker', ?4)",
        params![p.id, p.form, p.channel, p.created],
    )?;
    Ok(())
}

fn status_change(c: &Connection, person: i64, status: &str, at: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO status_changes (person_id, status, changed_at) VALUES (?1, ?2, ?3)",
        params![person, status, at],
    )?;
    c.execute(
        "UPDATE persons SET status = ?2 WHERE id = ?1",
        params![person, status],
    )?;
    Ok(())
}

pub(super) fn sale(
    c: &Connection,
    person: Option<i64>,
    status: &str,
    minor: i64,
    currency: &str,
    at: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO sales (person_id, title, amount_minor, currency, status, at, created_at, updated_at) \
         VALUES (?1, 'deal', ?2, ?3, ?4, ?5, ?5, ?5)",
        params![person, minor, currency, status, at],
    )?;
    Ok(())
}

/// The source-performance example (partners A, B and C), plus what the other tiles need (comments give the figures).
fn partner_fixture(c: &Connection) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO associates (id, name, created_at) VALUES (1, 'Ann', 0), (2, 'Bob', 0)",
        [],
    )?;
    let march = Y2025 + 60 * DAY;
    // Partner A / email: 30 leads (ids 1–30), owner Ann, Norway, campaign spring, form
    // contact; 20 of them first came from linkedin.
    for i in 1..=30 {
        insert_person(
            c,
            &P {
                id: i,
                created: march + i * 3_600_000,
                owner: Some(1),
                country: Some("NO"),
                status: "open",
                source: Some("Partner A"),
                medium: Some("email"),
                campaign: Some("spring"),
                first_source: if i <= 20 { Some("linkedin") } else { None },
                channel: "form",
                form: "contact",
                ..P::default()
            },
        )?;
    }
    // Partner B / webinar: 50 leads (ids 31–80), owner Bob, Netherlands, campaign
    // webinar_sept, form webinar-signup; the first 5 came through chat.
    for i in 31..=80 {
        insert_person(
            c,
            &P {
                id: i,
                created: march + 30 * DAY + i * 60_000,
                owner: Some(2),
                country: Some("NL"),
                status: "open",
                source: Some("Partner B"),
                medium: Some("webinar"),
                campaign: Some("webinar_sept"),
                channel: if i <= 35 { "chat" } else { "form" },
                form: "webinar-signup",
                ..P::default()
            },
        )?;
    }
    // Partner C / referral: 10 leads (ids 81–90), no owner, Norway, also campaign
    // webinar_sept, referred by www.partner-c.example, form contact.
    for i in 81..=90 {
        insert_person(
            c,
            &P {
                id: i,
                created: march + 90 * DAY + i * 60_000,
                country: Some("NO"),
                status: "open",
                source: Some("Partner C"),
                medium: Some("referral"),
                campaign: Some("webinar_sept"),
                referrer: Some("https://www.partner-c.example/partners?x=1"),
                channel: "form",
                form: "contact",
                ..P::default()
            },
        )?;
    }
    // Funnel among A: 1–10 in progress; 11–15 in progress then qualified; 16–18 in
    // progress then disqualified. Reached in progress: 18; qualified 5; disqualified 3.
    for i in 1..=18 {
        status_change(c, i, "in_progress", march + 100 * DAY)?;
    }
    for i in 11..=15 {
        status_change(c, i, "qualified", march + 101 * DAY)?;
    }
    for i in 16..=18 {
        status_change(c, i, "disqualified", march + 101 * DAY)?;
    }
    // Deals (won sales): A 2, B 10, C 1, all in 2025.
    for p in [1, 2] {
        sale(c, Some(p), "won", 10_000, "EUR", march + 120 * DAY)?;
    }
    for p in 31..=40 {
        sale(c, Some(p), "won", 20_000, "EUR", march + 120 * DAY)?;
    }
    sale(c, Some(81), "won", 5_000, "EUR", march + 120 * DAY)?;
    // Pipeline: B three open sales of 100.00 EUR; A one of 50.00 USD; one lost sale of A
    // and one open sale without a person (counted only without owner/country filters).
    for p in [41, 42, 43] {
        sale(c, Some(p), "open", 10_000, "EUR", march + 130 * DAY)?;
    }
    sale(c, Some(3), "open", 5_000, "USD", march + 130 * DAY)?;
    sale(c, Some(4), "lost", 99_900, "EUR", march + 130 * DAY)?;
    sale(c, None, "open", 70_000, "JPY", march + 130 * DAY)?;
    Ok(())
}

fn year_2025() -> TileFilter {
    TileFilter {
        from_ms: Y2025,
        to_ms: Y2026,
        ..TileFilter::default()
    }
}

/// `filter` with the default buckets of `tile` (in UTC) when it is a trend tile.
pub(super) fn with_trend(tile: &str, filter: TileFilter) -> TileFilter {
    if !is_trend(tile) {
        return filter;
    }
    let date = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
    };
    let (bucket, by) = defaults(tile);
    let trend = Trend::new(
        bucket,
        by,
        date(filter.from_ms),
        date(filter.to_ms - 1),
        &jiff::tz::TimeZone::UTC,
    )
    .unwrap();
    TileFilter {
        trend: Some(trend),
        ..filter
    }
}

async fn rows(store: &SqliteStore, tile: &'static str, filter: TileFilter) -> Vec<Value> {
    store.tile_rows(tile, filter).await.unwrap().unwrap()
}

/// `[(label, value)]` of a tile's rows.
async fn pairs(
    store: &SqliteStore,
    tile: &'static str,
    filter: TileFilter,
) -> Vec<(String, Value)> {
    rows(store, tile, filter)
        .await
        .into_iter()
        .map(|r| (r["label"].as_str().unwrap().to_owned(), r["value"].clone()))
        .collect()
}

fn expect(list: &[(&str, Value)]) -> Vec<(String, Value)> {
    list.iter()
        .map(|(l, v)| ((*l).to_owned(), v.clone()))
        .collect()
}

#[tokio::test]
async fn every_tile_matches_the_hand_computed_partner_fixture() {
    let (_dir, store) = open().await;
    sql(&store, partner_fixture).await;
    let y = year_2025;

    let perf = rows(&store, "source-performance", y()).await;
    let table: Vec<Value> = perf
        .iter()
        .map(|r| {
            json!([
                r["source"],
                r["medium"],
                r["leads"],
                r["deals"],
                r["conversion_rate"]
            ])
        })
        .collect();
    assert_eq!(
        table,
        vec![
            json!(["Partner B", "webinar", 50, 10, 20.0]),
            json!(["Partner A", "email", 30, 2, 6.7]),
            json!(["Partner C", "referral", 10, 1, 10.0]),
        ]
    );
    assert_eq!(
        pairs(&store, "conversion-rate-by-source", y()).await,
        expect(&[
            ("Partner B", json!(20.0)),
            ("Partner C", json!(10.0)),
            ("Partner A", json!(6.7))
        ])
    );
    assert_eq!(
        pairs(&store, "new-leads-by-lead-source", y()).await,
        expect(&[
            ("Partner B", json!(50)),
            ("Partner A", json!(30)),
            ("Partner C", json!(10))
        ])
    );
    assert_eq!(
        pairs(&store, "new-leads-by-first-source", y()).await,
        expect(&[
            ("Partner B", json!(50)),
            ("linkedin", json!(20)),
            ("Partner A", json!(10)),
            ("Partner C", json!(10))
        ])
    );
    assert_eq!(
        pairs(&store, "new-leads-by-campaign", y()).await,
        expect(&[("webinar_sept", json!(60)), ("spring", json!(30))])
    );
    assert_eq!(
        pairs(&store, "new-leads-from-chat", y()).await[0].1,
        json!(5)
    );
    assert_eq!(
        pairs(&store, "new-leads-from-forms", y()).await[0].1,
        json!(85)
    );
    assert_eq!(
        pairs(&store, "top-forms", y()).await,
        expect(&[("webinar-signup", json!(50)), ("contact", json!(40))])
    );
    assert_eq!(
        pairs(&store, "top-referring-sites", y()).await,
        expect(&[("partner-c.example", json!(10))])
    );
    assert_eq!(
        pairs(&store, "sales-by-lead-source", y()).await,
        expect(&[
            ("Partner B", json!(10)),
            ("Partner A", json!(2)),
            ("Partner C", json!(1))
        ])
    );
    let pipeline: Vec<Value> = rows(&store, "pipeline-by-lead-source", y())
        .await
        .iter()
        .map(|r| {
            json!([
                r["label"],
                r["currency"],
                r["amount_minor"],
                r["value"],
                r["sales"]
            ])
        })
        .collect();
    assert_eq!(
        pipeline,
        vec![
            json!(["Partner B", "EUR", 30000, 300.0, 3]),
            json!(["(none)", "JPY", 70000, 70000.0, 1]),
            json!(["Partner A", "USD", 5000, 50.0, 1]),
        ]
    );
    let funnel: Vec<Value> = rows(&store, "lead-funnel", y())
        .await
        .iter()
        .map(|r| json!([r["key"], r["value"]]))
        .collect();
    assert_eq!(
        funnel,
        vec![
            json!(["open", 90]),
            json!(["in_progress", 18]),
            json!(["qualified", 5]),
            json!(["disqualified", 3])
        ]
    );
    // Default campaign: the one with most leads (webinar_sept: B 50, C 10).
    let split: Vec<Value> = rows(&store, "campaign-channel-split", y())
        .await
        .iter()
        .map(|r| json!([r["label"], r["value"], r["share"], r["campaign"]]))
        .collect();
    assert_eq!(
        split,
        vec![
            json!(["Partner B", 50, 83.3, "webinar_sept"]),
            json!(["Partner C", 10, 16.7, "webinar_sept"])
        ]
    );
    let spring = TileFilter {
        campaign: Some("spring".into()),
        ..y()
    };
    assert_eq!(
        rows(&store, "campaign-channel-split", spring).await[0]["share"],
        json!(100.0)
    );
    let unknown = TileFilter {
        campaign: Some("nope".into()),
        ..y()
    };
    assert!(rows(&store, "campaign-channel-split", unknown)
        .await
        .is_empty());

    // Every catalogue tile answers (selection-list needs its parameter).
    for tile in TILES {
        let answer = store
            .tile_rows(tile.id, with_trend(tile.id, y()))
            .await
            .unwrap();
        assert_eq!(answer.is_err(), tile.id == "selection-list", "{}", tile.id);
    }
}

/// `[(label, key, value)]` of a tile's rows.
async fn labelled(
    store: &SqliteStore,
    tile: &'static str,
    filter: TileFilter,
) -> Vec<(String, String, Value)> {
    rows(store, tile, filter)
        .await
        .into_iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_owned(),
                r["key"].as_str().unwrap().to_owned(),
                r["value"].clone(),
            )
        })
        .collect()
}

async fn drill_ids(store: &SqliteStore, tile: &'static str, key: &str) -> Vec<i64> {
    store
        .tile_persons(tile, year_2025(), Some(key.to_owned()), 100)
        .await
        .unwrap()
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect()
}

#[tokio::test]
async fn new_leads_by_channel_counts_the_channel_of_each_lead_touch() {
    let (_dir, store) = open().await;
    let lead = |id: i64, lead_channel: Option<&'static str>| P {
        id,
        created: Y2025 + id * DAY,
        status: "open",
        source: Some("some-source"),
        lead_channel,
        channel: "form",
        form: "contact",
        ..P::default()
    };
    sql(&store, move |c| {
        c.execute(
            "INSERT INTO associates (id, name, created_at) VALUES (1, 'Ann', 0)",
            [],
        )?;
        for id in 1..=4 {
            insert_person(c, &lead(id, Some("paid_search")))?;
        }
        for id in 5..=7 {
            insert_person(c, &lead(id, Some("email")))?;
        }
        // Stored before channels existed, not reclassified yet.
        for id in 8..=9 {
            insert_person(c, &lead(id, None))?;
        }
        insert_person(c, &lead(10, Some("organic_social")))?;
        // A channel a newer build wrote: shown by its id rather than dropped.
        insert_person(c, &lead(11, Some("future_channel")))?;
        // Outside the period.
        insert_person(
            c,
            &P {
                created: Y2025 - DAY,
                ..lead(12, Some("paid_search"))
            },
        )?;
        insert_person(
            c,
            &P {
                owner: Some(1),
                ..lead(13, Some("email"))
            },
        )?;
        // The first interaction's channel is another touch's: not what this tile counts.
        c.execute("UPDATE persons SET first_channel = 'display'", [])?;
        Ok(())
    })
    .await;
    let row = |label: &str, key: &str, value: u64| (label.to_owned(), key.to_owned(), json!(value));
    assert_eq!(
        labelled(&store, "new-leads-by-channel", year_2025()).await,
        vec![
            row("Email", "email", 4),
            row("Paid Search", "paid_search", 4),
            row("(none)", "", 2),
            row("Organic Social", "organic_social", 1),
            row("future_channel", "future_channel", 1),
        ]
    );
    let owned_by_ann = TileFilter {
        owner: Some(1),
        ..year_2025()
    };
    assert_eq!(
        labelled(&store, "new-leads-by-channel", owned_by_ann).await,
        vec![row("Email", "email", 1)]
    );
    // A row's key lists its persons, newest first; "" is the unclassified row.
    assert_eq!(
        drill_ids(&store, "new-leads-by-channel", "paid_search").await,
        [4, 3, 2, 1]
    );
    assert_eq!(drill_ids(&store, "new-leads-by-channel", "").await, [9, 8]);
    assert!(drill_ids(&store, "new-leads-by-channel", "display")
        .await
        .is_empty());
}

#[tokio::test]
async fn reclassify_reaches_the_model_without_a_reload() {
    let (_dir, store) = open().await;
    // Leads stored unclassified, as before migration 0003.
    sql(&store, |c| {
        for (id, source, medium) in [
            (1, "google", "cpc"),
            (2, "google", "cpc"),
            (3, "google", "cpc"),
            (4, "newsletter", "email"),
            (5, "newsletter", "email"),
        ] {
            insert_person(
                c,
                &P {
                    id,
                    created: Y2025 + id * DAY,
                    status: "open",
                    source: Some(source),
                    medium: Some(medium),
                    channel: "form",
                    form: "contact",
                    ..P::default()
                },
            )?;
        }
        Ok(())
    })
    .await;
    assert_eq!(
        pairs(&store, "new-leads-by-channel", year_2025()).await,
        expect(&[("(none)", json!(5))])
    );
    let maintained = store.dash.facts(&store.writer).await.unwrap();

    let mut after = 0;
    while let Some(last) = store
        .reclassify_batch(TouchRole::LeadGeneration, after, 2)
        .await
        .unwrap()
        .last_id
    {
        after = last;
    }
    assert_eq!(
        pairs(&store, "new-leads-by-channel", year_2025()).await,
        expect(&[("Paid Search", json!(3)), ("Email", json!(2))])
    );
    let fresh = store.read(Facts::load).await.unwrap();
    assert_eq!(maintained.read().unwrap().canonical(), fresh.canonical());
}

#[tokio::test]
async fn owner_and_country_filters_narrow_every_figure() {
    let (_dir, store) = open().await;
    sql(&store, partner_fixture).await;
    let ann = TileFilter {
        owner: Some(1),
        ..year_2025()
    };
    assert_eq!(
        pairs(&store, "new-leads-by-lead-source", ann.clone()).await,
        expect(&[("Partner A", json!(30))])
    );
    assert_eq!(
        pairs(&store, "pipeline-by-lead-source", ann.clone()).await,
        expect(&[("Partner A", json!(50.0))])
    );
    let funnel = rows(&store, "lead-funnel", ann).await;
    assert_eq!(funnel[0]["value"], json!(30));
    let norway = TileFilter {
        country: Some("NO".into()),
        ..year_2025()
    };
    assert_eq!(
        pairs(&store, "sales-by-lead-source", norway.clone()).await,
        expect(&[("Partner A", json!(2)), ("Partner C", json!(1))])
    );
    let both = TileFilter {
        country: Some("NL".into()),
        owner: Some(2),
        ..year_2025()
    };
    assert_eq!(
        pairs(&store, "new-leads-from-chat", both).await[0].1,
        json!(5)
    );
    let mismatch = TileFilter {
        country: Some("NL".into()),
        owner: Some(1),
        ..year_2025()
    };
    assert_eq!(
        pairs(&store, "new-leads-from-forms", mismatch).await[0].1,
        json!(0)
    );
    let nowhere = TileFilter {
        country: Some("XX".into()),
        ..year_2025()
    };
    assert!(rows(&store, "source-performance", nowhere.clone())
        .await
        .is_empty());
    assert!(rows(&store, "pipeline-by-lead-source", nowhere)
        .await
        .is_empty());
    let no_owner = TileFilter {
        owner: Some(99),
        ..year_2025()
    };
    assert!(rows(&store, "new-leads-by-campaign", no_owner)
        .await
        .is_empty());

    // Drill-down: the persons behind a row, newest first.
    let ids: Vec<i64> = store
        .tile_persons(
            "new-leads-by-lead-source",
            year_2025(),
            Some("Partner C".into()),
            3,
        )
        .await
        .unwrap()
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, vec![90, 89, 88]);
    let qualified = store
        .tile_persons("lead-funnel", year_2025(), Some("qualified".into()), 100)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(qualified.len(), 5);
    let perf_key = serde_json::to_string(&["Partner A", "email"]).unwrap();
    let partner_a = store
        .tile_persons("source-performance", year_2025(), Some(perf_key), 500)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(partner_a.len(), 30);
    assert!(store
        .tile_persons("lead-funnel", year_2025(), Some("bogus".into()), 5)
        .await
        .unwrap()
        .is_err());
}

#[tokio::test]
async fn empty_database_answers_zeroes_and_empty_lists() {
    let (_dir, store) = open().await;
    for tile in TILES.iter().filter(|t| t.id != "selection-list") {
        let rows = rows(&store, tile.id, with_trend(tile.id, year_2025())).await;
        match tile.id {
            // Every month, with no rate where there are no leads.
            "conversion-trend" => {
                assert_eq!(rows.len(), 12);
                assert!(
                    rows.iter()
                        .all(|r| r["value"].is_null() && r["leads"] == json!(0)),
                    "{rows:?}"
                )
            }
            // Shares of nothing are zero, not absent.
            "lead-funnel" | "attribution-quality" => {
                assert!(rows.iter().all(|r| r["value"] == json!(0)), "{rows:?}")
            }
            "new-leads-from-chat" | "new-leads-from-forms" => {
                assert_eq!(rows[0]["value"], json!(0))
            }
            _ => assert!(rows.is_empty(), "{}: {rows:?}", tile.id),
        }
    }
}

#[tokio::test]
async fn period_edges_follow_the_configured_time_zone() {
    let (_dir, store) = open().await;
    // 2024-12-31T23:30Z (already 1 January 00:30 in Oslo) and 2025-01-01T00:30Z.
    let late = Y2025 - 1_800_000;
    let early = Y2025 + 1_800_000;
    sql(&store, move |c| {
        insert_person(
            c,
            &P {
                id: 1,
                created: late,
                status: "open",
                source: Some("late"),
                channel: "form",
                form: "f",
                ..P::default()
            },
        )?;
        insert_person(
            c,
            &P {
                id: 2,
                created: early,
                status: "open",
                source: Some("early"),
                channel: "form",
                form: "f",
                ..P::default()
            },
        )
    })
    .await;
    let count = |zone: &str, from: &str, to: &str| {
        let zone = jiff::tz::TimeZone::get(zone).unwrap();
        let period = Period::resolve(Some(from), Some(to), &zone, jiff::Timestamp::now()).unwrap();
        let (from_ms, to_ms) = period.bounds_ms(&zone).unwrap();
        TileFilter {
            from_ms,
            to_ms,
            ..TileFilter::default()
        }
    };
    let labels = |rows: Vec<(String, Value)>| rows.into_iter().map(|(l, _)| l).collect::<Vec<_>>();
    assert_eq!(
        labels(
            pairs(
                &store,
                "new-leads-by-lead-source",
                count("UTC", "2024-12-31", "2024-12-31")
            )
            .await
        ),
        ["late"]
    );
    assert_eq!(
        labels(
            pairs(
                &store,
                "new-leads-by-lead-source",
                count("UTC", "2025-01-01", "2025-12-31")
            )
            .await
        ),
        ["early"]
    );
    assert!(pairs(
        &store,
        "new-leads-by-lead-source",
        count("Europe/Oslo", "2024-12-31", "2024-12-31")
    )
    .await
    .is_empty());
    let mut oslo_new_year = labels(
        pairs(
            &store,
            "new-leads-by-lead-source",
            count("Europe/Oslo", "2025-01-01", "2025-01-01"),
        )
        .await,
    );
    oslo_new_year.sort();
    assert_eq!(oslo_new_year, ["early", "late"]);
    // Year to date defaults to 1 January of the zone's current year.
    let zone = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
    let now: jiff::Timestamp = "2025-06-15T12:00:00Z".parse().unwrap();
    let ytd = Period::resolve(None, None, &zone, now).unwrap();
    assert_eq!(
        (ytd.from.to_string(), ytd.to.to_string()),
        ("2025-01-01".into(), "2025-06-15".into())
    );
    assert!(Period::resolve(Some("2025-02-01"), Some("2025-01-01"), &zone, now).is_err());
    assert!(Period::resolve(Some("2025-13-01"), None, &zone, now).is_err());
}

#[tokio::test]
async fn selections_list_their_persons_static_and_dynamic() {
    let (_dir, store) = open().await;
    sql(&store, partner_fixture).await;
    sql(&store, |c| {
        c.execute_batch(
            "INSERT INTO selections (id, name, entity, kind, created_at, updated_at) VALUES
               (1, 'Hot leads', 'person', 'static', 0, 0);
             INSERT INTO selections (id, name, entity, kind, criteria, created_at, updated_at) VALUES
               (2, 'Norway', 'person', 'dynamic', '{\"field\": \"country\", \"value\": \"NO\"}', 0, 0);
             INSERT INTO selection_members (selection_id, member_id, added_at) VALUES (1, 5, 0), (1, 50, 0);",
        )
    })
    .await;
    let filter = TileFilter {
        selection: Some(1),
        ..year_2025()
    };
    let rows = rows(&store, "selection-list", filter.clone()).await;
    let ids: Vec<Value> = rows.iter().map(|r| r["person_id"].clone()).collect();
    assert_eq!(ids, vec![json!(50), json!(5)]);
    let only_no = TileFilter {
        country: Some("NO".into()),
        ..filter
    };
    assert_eq!(
        store
            .tile_rows("selection-list", only_no)
            .await
            .unwrap()
            .unwrap()
            .len(),
        1
    );
    let dynamic = TileFilter {
        selection: Some(2),
        ..year_2025()
    };
    // Norway: Partner A's 30 and Partner C's 10; Ann owns the 30.
    let norway = store
        .tile_rows("selection-list", dynamic.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(norway.len(), 40);
    let ann = TileFilter {
        owner: Some(1),
        ..dynamic.clone()
    };
    assert_eq!(
        store
            .tile_rows("selection-list", ann)
            .await
            .unwrap()
            .unwrap()
            .len(),
        30
    );
    let in_nl = TileFilter {
        country: Some("NL".into()),
        ..dynamic
    };
    assert!(store
        .tile_rows("selection-list", in_nl)
        .await
        .unwrap()
        .unwrap()
        .is_empty());
    let missing = TileFilter {
        selection: Some(9),
        ..year_2025()
    };
    assert!(store
        .tile_rows("selection-list", missing)
        .await
        .unwrap()
        .is_err());
}

/// One random change to the data.
#[derive(Debug, Clone)]
enum Op {
    NewPerson {
        source: u8,
        country: u8,
        owner: u8,
        day: u16,
        chat: bool,
    },
    Submit {
        person: u8,
    },
    Status {
        person: u8,
        status: u8,
    },
    NewSale {
        person: u8,
        status: u8,
        amount: u16,
    },
    SaleStatus {
        sale: u8,
        status: u8,
    },
    DeleteSale {
        sale: u8,
    },
    Erase {
        person: u8,
    },
    /// `reclassify` giving a person's lead touch another channel (or none).
    Reclassify {
        person: u8,
        channel: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..4, 0u8..3, 0u8..3, 0u16..700, any::<bool>())
            .prop_map(|(source, country, owner, day, chat)| Op::NewPerson { source, country, owner, day, chat }),
        1 => any::<u8>().prop_map(|person| Op::Submit { person }),
        2 => (any::<u8>(), 0u8..4).prop_map(|(person, status)| Op::Status { person, status }),
        2 => (any::<u8>(), 0u8..3, any::<u16>()).prop_map(|(person, status, amount)| Op::NewSale { person, status, amount }),
        1 => (any::<u8>(), 0u8..3).prop_map(|(sale, status)| Op::SaleStatus { sale, status }),
        1 => any::<u8>().prop_map(|sale| Op::DeleteSale { sale }),
        1 => any::<u8>().prop_map(|person| Op::Erase { person }),
        1 => (any::<u8>(), 0u8..4).prop_map(|(person, channel)| Op::Reclassify { person, channel }),
    ]
}

const STATUSES: [&str; 4] = ["open", "in_progress", "qualified", "disqualified"];
const SALE_STATUSES: [&str; 3] = ["open", "won", "lost"];
const CHANNELS: [Option<&str>; 4] = [
    Some("paid_search"),
    Some("organic_social"),
    Some("email"),
    None,
];

/// Picks an existing row id by `pick` (modulo the rows present), if any.
fn nth_id(c: &Connection, table: &str, pick: u8) -> rusqlite::Result<Option<i64>> {
    let ids: Vec<i64> = c
        .prepare(&format!("SELECT id FROM {table} ORDER BY id"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((!ids.is_empty()).then(|| ids[pick as usize % ids.len()]))
}

fn run_op(c: &Connection, op: &Op) -> rusqlite::Result<()> {
    match *op {
        Op::NewPerson {
            source,
            country,
            owner,
            day,
            chat,
        } => {
            c.execute("INSERT OR IGNORE INTO associates (id, name, created_at) VALUES (1, 'Ann', 0), (2, 'Bob', 0)", [])?;
            let id: i64 = c.query_row("SELECT coalesce(max(id), 0) + 1 FROM persons", [], |r| {
                r.get(0)
            })?;
            insert_person(
                c,
                &P {
                    id,
                    created: Y2025 - 365 * DAY + i64::from(day) * DAY,
                    owner: (owner > 0).then_some(i64::from(owner)),
                    country: ["NO", "NL", "SE"].get(country as usize).copied(),
                    status: "open",
                    source: ["google", "linkedin", "newsletter", "partner"]
                        .get(source as usize)
                        .copied(),
                    medium: Some("cpc"),
                    campaign: (source % 2 == 0).then_some("spring"),
                    referrer: (source == 0).then_some("https://www.google.com/"),
                    lead_channel: CHANNELS[source as usize % CHANNELS.len()],
                    channel: if chat { "chat" } else { "form" },
                    form: if chat { "chat" } else { "contact" },
                    ..P::default()
                },
            )
        }
        Op::Submit { person } => {
            if let Some(p) = nth_id(c, "persons", person)? {
                c.execute(
                    "INSERT INTO submissions (person_id, form_id, channel, origin, created_at) \
                     VALUES (?1, (SELECT min(id) FROM forms), 'api', 'api', 1)",
                    [p],
                )?;
            }
            Ok(())
        }
        Op::Status { person, status } => match nth_id(c, "persons", person)? {
            Some(p) => status_change(c, p, STATUSES[status as usize], Y2025),
            None => Ok(()),
        },
        Op::NewSale {
            person,
            status,
            amount,
        } => {
            let p = nth_id(c, "persons", person)?;
            sale(
                c,
                p,
                SALE_STATUSES[status as usize],
                i64::from(amount),
                ["EUR", "USD"][person as usize % 2],
                Y2025 + i64::from(amount) * 1000,
            )
        }
        Op::SaleStatus { sale, status } => {
            if let Some(s) = nth_id(c, "sales", sale)? {
                c.execute(
                    "UPDATE sales SET status = ?2 WHERE id = ?1",
                    params![s, SALE_STATUSES[status as usize]],
                )?;
            }
            Ok(())
        }
        Op::DeleteSale { sale } => {
            if let Some(s) = nth_id(c, "sales", sale)? {
                c.execute("DELETE FROM sales WHERE id = ?1", [s])?;
            }
            Ok(())
        }
        Op::Erase { person } => {
            if let Some(p) = nth_id(c, "persons", person)? {
                c.execute("DELETE FROM persons WHERE id = ?1", [p])?;
            }
            Ok(())
        }
        Op::Reclassify { person, channel } => {
            if let Some(p) = nth_id(c, "persons", person)? {
                c.execute(
                    "UPDATE persons SET lead_channel = ?2 WHERE id = ?1",
                    params![p, CHANNELS[channel as usize]],
                )?;
            }
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The model kept current by the change feed equals a full reload, and so do the
    /// tiles computed from it, after any mix of inserts, status changes, sales changes,
    /// reclassifications and erasures committed in batches of any size.
    #[test]
    fn maintained_model_equals_full_recomputation(
        batches in proptest::collection::vec(proptest::collection::vec(op(), 1..8), 1..12)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (_dir, store) = open().await;
            // Some data before the model loads, the rest after.
            let (before, after) = batches.split_at(batches.len() / 2);
            for batch in before {
                let batch = batch.clone();
                sql(&store, move |c| batch.iter().try_for_each(|op| run_op(c, op))).await;
            }
            let maintained = store.dash.facts(&store.writer).await.unwrap();
            for batch in after {
                // Concurrent writes land in one commit together.
                let writes = batch.iter().cloned().map(|op| {
                    store.writer.apply(move |c| run_op(c, &op))
                });
                for result in futures_util::future::join_all(writes).await {
                    result.unwrap();
                }
            }
            let fresh = store.read(Facts::load).await.unwrap();
            let maintained = maintained.read().unwrap().clone();
            prop_assert_eq!(maintained.canonical(), fresh.canonical());
            let filter = TileFilter { from_ms: Y2025 - 400 * DAY, to_ms: Y2026, ..TileFilter::default() };
            let no = TileFilter { country: Some("NO".into()), owner: Some(1), ..filter.clone() };
            for tile in TILES.iter().filter(|t| t.id != "selection-list") {
                for f in [&filter, &no] {
                    let f = &with_trend(tile.id, f.clone());
                    prop_assert_eq!(maintained.tile(tile.id, f), fresh.tile(tile.id, f), "{}", tile.id);
                }
            }
            Ok(())
        })?;
    }
}
