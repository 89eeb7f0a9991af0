//! `leadtrail demo-data --persons N`: fills an empty database with a realistic,
//! deterministic mix of leads so that a new user sees full dashboards at once — campaigns
//! on several channels with click ids, forms and chats, first interactions that differ from
//! the lead generation, repeat submissions, statuses with their history, sales (open, won,
//! lost; EUR and USD), owners, countries, spread over two years with growth.
//!
//! Written straight into SQLite (the server is not running) in large transactions with the
//! schema's own migrations applied first; the same `--seed` gives the same data, with times
//! relative to `--now` (default: the current day at midnight UTC, so that reruns on one
//! day match).

use std::path::Path;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection};

use crate::store::sqlite::SqliteStore;
use crate::store::Store;

const DAY_MS: i64 = 86_400_000;
/// Persons written per transaction.
const CHUNK: usize = 20_000;

/// A way leads arrive: touch values and how often.
struct Channel {
    weight: u32,
    source: &'static str,
    medium: &'static str,
    campaigns: &'static [&'static str],
    click_id_type: Option<&'static str>,
    referrer: Option<&'static str>,
    form: &'static str,
}

const CHANNELS: &[Channel] = &[
    Channel {
        weight: 14,
        source: "google",
        medium: "cpc",
        campaigns: &["brand_search", "generic_search", "competitor_terms"],
        click_id_type: Some("gclid"),
        referrer: Some("https://www.google.com/"),
        form: "demo-request",
    },
    Channel {
        weight: 16,
        source: "google",
        medium: "organic",
        campaigns: &[],
        click_id_type: None,
        referrer: Some("https://www.google.com/"),
        form: "contact",
    },
    Channel {
        weight: 4,
        source: "bing",
        medium: "cpc",
        campaigns: &["brand_search"],
        click_id_type: Some("msclkid"),
        referrer: Some("https://www.bing.com/"),
        form: "demo-request",
    },
    Channel {
        weight: 10,
        source: "linkedin",
        medium: "paid_social",
        campaigns: &["webinar_sept", "ebook_q1", "cfo_guide"],
        click_id_type: Some("li_fat_id"),
        referrer: Some("https://www.linkedin.com/"),
        form: "webinar-signup",
    },
    Channel {
        weight: 5,
        source: "linkedin",
        medium: "social",
        campaigns: &[],
        click_id_type: None,
        referrer: Some("https://www.linkedin.com/feed/"),
        form: "contact",
    },
    Channel {
        weight: 8,
        source: "facebook",
        medium: "paid_social",
        campaigns: &["retargeting", "webinar_sept"],
        click_id_type: Some("fbclid"),
        referrer: Some("https://m.facebook.com/"),
        form: "ebook-download",
    },
    Channel {
        weight: 9,
        source: "newsletter",
        medium: "email",
        campaigns: &["october_news", "monthly_digest", "product_launch"],
        click_id_type: None,
        referrer: None,
        form: "newsletter",
    },
    Channel {
        weight: 3,
        source: "partner a",
        medium: "email",
        campaigns: &["partner_program"],
        click_id_type: None,
        referrer: None,
        form: "contact",
    },
    Channel {
        weight: 4,
        source: "partner b",
        medium: "webinar",
        campaigns: &["partner_webinar"],
        click_id_type: None,
        referrer: None,
        form: "webinar-signup",
    },
    Channel {
        weight: 2,
        source: "partner c",
        medium: "referral",
        campaigns: &[],
        click_id_type: None,
        referrer: Some("https://www.partner-c.example/partners"),
        form: "contact",
    },
    Channel {
        weight: 3,
        source: "news.ycombinator.com",
        medium: "referral",
        campaigns: &[],
        click_id_type: None,
        referrer: Some("https://news.ycombinator.com/item?id=1"),
        form: "pricing",
    },
    Channel {
        weight: 2,
        source: "chatgpt.com",
        medium: "referral",
        campaigns: &[],
        click_id_type: None,
        referrer: Some("https://chatgpt.com/"),
        form: "pricing",
    },
    Channel {
        weight: 2,
        source: "g2.com",
        medium: "referral",
        campaigns: &[],
        click_id_type: None,
        referrer: Some("https://www.g2.com/products/x/reviews"),
        form: "demo-request",
    },
    // Values from URLs are hostile; the demo keeps one so the pages show it as text.
    Channel {
        weight: 1,
        source: "twitter",
        medium: "social",
        campaigns: &["<img src=x onerror=alert(1)>"],
        click_id_type: Some("twclid"),
        referrer: Some("https://t.co/"),
        form: "contact",
    },
    Channel {
        weight: 17,
        source: "(direct)",
        medium: "(none)",
        campaigns: &[],
        click_id_type: None,
        referrer: None,
        form: "contact",
    },
];

const FIRST_NAMES: &[&str] = &[
    "Ola", "Kari", "Anna", "Lars", "Eva", "Jan", "Sofie", "Pieter", "Emma", "Noah", "Mia", "Lucas",
    "Ingrid", "Sven", "Fatima", "Ahmed", "Maria", "Jonas", "Elif", "Chen",
];
const LAST_NAMES: &[&str] = &[
    "Nordmann",
    "Hansen",
    "Jansen",
    "de Vries",
    "Berg",
    "Larsen",
    "Smit",
    "Johansson",
    "Müller",
    "Nielsen",
    "Virtanen",
    "Smith",
    "Bakker",
    "Lund",
    "Khan",
    "Garcia",
];
const COMPANIES: &[&str] = &[
    "Acme",
    "Fjord Analytics",
    "Polder Systems",
    "Nordlys",
    "Tulip Logistics",
    "Viking Cloud",
    "Delta Foods",
    "Aurora Health",
    "Baltic Retail",
    "Kanal Media",
];
const COUNTRIES: &[(&str, u32)] = &[
    ("NO", 30),
    ("SE", 15),
    ("DK", 8),
    ("NL", 20),
    ("DE", 10),
    ("GB", 7),
    ("US", 6),
    ("FI", 4),
];
const OWNERS: &[&str] = &[
    "Ada Lovelace",
    "Grace Hopper",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Ken Thompson",
    "Margaret Hamilton",
];
const FORMS: &[&str] = &[
    "contact",
    "demo-request",
    "webinar-signup",
    "ebook-download",
    "newsletter",
    "pricing",
    "website-chat",
    "careers",
];

/// What the command was asked for.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub persons: usize,
    pub seed: u64,
    /// Unix ms that "now" is for the generated history.
    pub now_ms: i64,
    pub progress: bool,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub persons: u64,
    pub submissions: u64,
    pub status_changes: u64,
    pub sales: u64,
}

fn pick_weighted<'a, T>(rng: &mut StdRng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut n = rng.random_range(0..total);
    for item in items {
        let w = weight(item);
        if n < w {
            return item;
        }
        n -= w;
    }
    &items[items.len() - 1]
}

fn click_id(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    (0..24)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// One generated touch.
struct GenTouch {
    source: &'static str,
    medium: &'static str,
    campaign: Option<&'static str>,
    click_id: Option<String>,
    click_id_type: Option<&'static str>,
    referrer: Option<&'static str>,
    landing_page: String,
    at: i64,
    form: &'static str,
}

fn touch(rng: &mut StdRng, at: i64) -> GenTouch {
    let channel = pick_weighted(rng, CHANNELS, |c| c.weight);
    let campaign = (!channel.campaigns.is_empty())
        .then(|| channel.campaigns[rng.random_range(0..channel.campaigns.len())]);
    let click_id_type = channel.click_id_type;
    let mut landing_page = format!("https://acme.example/{}", channel.form);
    if let Some(campaign) = campaign {
        landing_page.push_str(&format!(
            "?utm_source={}&utm_medium={}&utm_campaign={}",
            channel.source, channel.medium, campaign
        ));
    }
    GenTouch {
        source: channel.source,
        medium: channel.medium,
        campaign,
        click_id: click_id_type.map(|_| click_id(rng)),
        click_id_type,
        referrer: channel.referrer,
        landing_page,
        at,
        form: channel.form,
    }
}

/// Fills the database at `path`, which must hold no persons yet.
pub fn generate(path: &Path, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    // Creates the file and applies the migrations the collector would.
    let store =
        SqliteStore::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    actix_web::rt::System::new().block_on(store.shutdown());
    drop(store);

    let mut connection = Connection::open(path)?;
    connection.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;")?;
    let existing: i64 = connection.query_row("SELECT count(*) FROM persons", [], |r| r.get(0))?;
    if existing > 0 {
        bail!(
            "{} already holds {existing} persons; demo data goes into a new database (use another --db)",
            path.display()
        );
    }
    let mut rng = StdRng::seed_from_u64(options.seed);
    let start = options.now_ms - 730 * DAY_MS;

    let transaction = connection.transaction()?;
    for (i, name) in OWNERS.iter().enumerate() {
        let email = format!(
            "{}@acme.example",
            name.split(' ').next().unwrap_or("owner").to_lowercase()
        );
        transaction.execute(
            "INSERT INTO associates (id, name, email, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![i as i64 + 1, name, email, start],
        )?;
    }
    for (i, key) in FORMS.iter().enumerate() {
        transaction.execute(
            "INSERT INTO forms (id, key, created_at) VALUES (?1, ?2, ?3)",
            params![i as i64 + 1, key, start],
        )?;
    }
    for (i, name) in COMPANIES.iter().enumerate() {
        transaction.execute(
            "INSERT INTO companies (id, name, match_key, domain, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![i as i64 + 1, name, name.to_lowercase(), format!("{}.example", name.to_lowercase().replace(' ', "-")), start],
        )?;
    }
    transaction.commit()?;
    let form_id = |key: &str| {
        FORMS
            .iter()
            .position(|f| *f == key)
            .map_or(1, |i| i as i64 + 1)
    };

    // Creation times, sorted so that ids follow time; more leads lately (growth).
    let mut created: Vec<i64> = (0..options.persons)
        .map(|_| {
            let age = 1.0 - rng.random::<f64>().sqrt();
            options.now_ms - 1 - (age * 730.0 * DAY_MS as f64) as i64
        })
        .collect();
    created.sort_unstable();

    let bar = if options.progress {
        ProgressBar::new(options.persons as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} demo data [{bar:40}] {pos}/{len} persons ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let mut summary = DemoSummary::default();
    let mut sale_no = 0u64;
    for (chunk_no, chunk) in created.chunks(CHUNK).enumerate() {
        let transaction = connection.transaction()?;
        {
            let mut person = transaction.prepare_cached(
                "INSERT INTO persons (id, email, email_key, name, company_id, country, status, owner_id, created_at, \
                 first_source, first_medium, first_campaign, first_click_id, first_click_id_type, first_referrer, first_landing_page, first_at, \
                 lead_source, lead_medium, lead_campaign, lead_click_id, lead_click_id_type, lead_referrer, lead_landing_page, lead_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
            )?;
            let mut submission = transaction.prepare_cached(
                "INSERT INTO submissions (person_id, form_id, channel, origin, created_at, payload, \
                 conv_source, conv_medium, conv_campaign, conv_click_id, conv_click_id_type, conv_referrer, conv_landing_page, conv_at) \
                 VALUES (?1, ?2, ?3, 'tracker', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?4)",
            )?;
            let mut status_change = transaction.prepare_cached(
                "INSERT INTO status_changes (person_id, status, changed_at) VALUES (?1, ?2, ?3)",
            )?;
            let mut sale = transaction.prepare_cached(
                "INSERT INTO sales (person_id, company_id, title, amount_minor, currency, status, at, closed_at, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?9)",
            )?;
            for (offset, &at) in chunk.iter().enumerate() {
                let id = (chunk_no * CHUNK + offset) as i64 + 1;
                let first_name = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
                let last_name = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
                let email = format!(
                    "{}.{}{id}@example.com",
                    first_name.to_lowercase(),
                    last_name.to_lowercase().replace(' ', "")
                );
                let company = rng
                    .random_bool(0.6)
                    .then(|| rng.random_range(1..=COMPANIES.len() as i64));
                let country = pick_weighted(&mut rng, COUNTRIES, |c| c.1).0;
                let owner = rng
                    .random_bool(0.8)
                    .then(|| rng.random_range(1..=OWNERS.len() as i64));
                let lead_at = at - rng.random_range(0..3_600_000);
                let lead = touch(&mut rng, lead_at);
                let first = if rng.random_bool(0.6) {
                    None
                } else {
                    let first_at = lead.at - rng.random_range(1..60) * DAY_MS;
                    Some(touch(&mut rng, first_at))
                };
                let first_ref = first.as_ref().unwrap_or(&lead);
                // Where the lead went: most stay open; some progress; a few drop out.
                let roll = rng.random::<f64>();
                let path: &[&str] = if roll < 0.50 {
                    &[]
                } else if roll < 0.75 {
                    &["in_progress"]
                } else if roll < 0.87 {
                    &["in_progress", "qualified"]
                } else if roll < 0.93 {
                    &["disqualified"]
                } else {
                    &["in_progress", "disqualified"]
                };
                let status = path.last().copied().unwrap_or("open");
                person.execute(params![
                    id,
                    email,
                    email,
                    format!("{first_name} {last_name}"),
                    company,
                    country,
                    status,
                    owner,
                    at,
                    first_ref.source,
                    first_ref.medium,
                    first_ref.campaign,
                    first_ref.click_id,
                    first_ref.click_id_type,
                    first_ref.referrer,
                    first_ref.landing_page,
                    first_ref.at,
                    lead.source,
                    lead.medium,
                    lead.campaign,
                    lead.click_id,
                    lead.click_id_type,
                    lead.referrer,
                    lead.landing_page,
                    lead.at,
                ])?;
                summary.persons += 1;
                let chat = rng.random_bool(0.08);
                let (channel, form) = if chat {
                    ("chat", "website-chat")
                } else {
                    ("form", lead.form)
                };
                submission.execute(params![
                    id,
                    form_id(form),
                    channel,
                    at,
                    r#"{"message":"Hello"}"#,
                    lead.source,
                    lead.medium,
                    lead.campaign,
                    lead.click_id,
                    lead.click_id_type,
                    lead.referrer,
                    lead.landing_page,
                ])?;
                summary.submissions += 1;
                // About two more submissions each, later, on their own touches.
                let more = rng.random_range(0..=4);
                for _ in 0..more {
                    let later =
                        (at + rng.random_range(1..180) * DAY_MS / 2).min(options.now_ms - 1);
                    let conv = touch(&mut rng, later);
                    submission.execute(params![
                        id,
                        form_id(conv.form),
                        "form",
                        later,
                        "{}",
                        conv.source,
                        conv.medium,
                        conv.campaign,
                        conv.click_id,
                        conv.click_id_type,
                        conv.referrer,
                        conv.landing_page,
                    ])?;
                    summary.submissions += 1;
                }
                let mut when = at;
                for step in path {
                    when = (when + rng.random_range(1..30) * DAY_MS).min(options.now_ms - 1);
                    status_change.execute(params![id, step, when])?;
                    summary.status_changes += 1;
                }
                let wants_sale = match status {
                    "qualified" => rng.random_bool(0.8),
                    "in_progress" => rng.random_bool(0.15),
                    _ => false,
                };
                if wants_sale {
                    sale_no += 1;
                    let sale_at = (when + rng.random_range(0..20) * DAY_MS).min(options.now_ms - 1);
                    let old = options.now_ms - sale_at > 45 * DAY_MS;
                    let sale_status = if !old || status != "qualified" {
                        "open"
                    } else if rng.random_bool(0.55) {
                        "won"
                    } else if rng.random_bool(0.5) {
                        "lost"
                    } else {
                        "open"
                    };
                    let closed = (sale_status != "open").then(|| {
                        (sale_at + rng.random_range(1..40) * DAY_MS).min(options.now_ms - 1)
                    });
                    let currency = if country == "US" || rng.random_bool(0.05) {
                        "USD"
                    } else {
                        "EUR"
                    };
                    let amount = rng.random_range(5..500) * 10_000;
                    sale.execute(params![
                        id,
                        company,
                        format!("Deal {sale_no}"),
                        amount,
                        currency,
                        sale_status,
                        sale_at,
                        closed,
                        closed.unwrap_or(sale_at),
                    ])?;
                    summary.sales += 1;
                }
            }
        }
        transaction.commit()?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(c: &Connection, sql: &str) -> i64 {
        c.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn same_seed_same_data_and_a_realistic_mix() {
        let dir = tempfile::tempdir().unwrap();
        let options = DemoOptions {
            persons: 3000,
            seed: 7,
            now_ms: 1_767_225_600_000,
            progress: false,
        };
        let a = dir.path().join("a.db");
        let b = dir.path().join("b.db");
        let summary = generate(&a, &options).unwrap();
        assert_eq!(generate(&b, &options).unwrap(), summary);
        assert_eq!(summary.persons, 3000);
        assert!((7000..11000).contains(&summary.submissions), "{summary:?}");
        let ca = Connection::open(&a).unwrap();
        let cb = Connection::open(&b).unwrap();
        let digest = "SELECT sum(id * length(email) + created_at % 1000003 + length(coalesce(lead_campaign, ''))) FROM persons";
        assert_eq!(count(&ca, digest), count(&cb, digest));
        // Two years of history, statuses with history, sales of every status, chats.
        let span = count(
            &ca,
            "SELECT (max(created_at) - min(created_at)) / 86400000 FROM persons",
        );
        assert!(span > 600, "{span} days");
        for sql in [
            "SELECT count(*) FROM sales WHERE status = 'won'",
            "SELECT count(*) FROM sales WHERE status = 'open'",
            "SELECT count(*) FROM sales WHERE status = 'lost'",
            "SELECT count(*) FROM status_changes WHERE status = 'qualified'",
            "SELECT count(*) FROM submissions WHERE channel = 'chat'",
            "SELECT count(*) FROM persons WHERE lead_click_id_type = 'gclid'",
            "SELECT count(*) FROM persons WHERE first_source IS NOT lead_source",
            "SELECT count(DISTINCT owner_id) FROM persons",
        ] {
            assert!(count(&ca, sql) > 0, "{sql}");
        }
        // Refuses a database that already has persons.
        assert!(generate(&a, &options)
            .unwrap_err()
            .to_string()
            .contains("already holds"));
    }
}
