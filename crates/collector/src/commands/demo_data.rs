//! `leadtrail demo-data --persons N`: fills an empty database with a realistic,
//! deterministic mix of leads so that a new user sees full dashboards at once — campaigns
//! on several channels with click ids, forms and chats, first interactions that differ from
//! the lead generation, repeat submissions, statuses with their history, sales (open, won,
//! lost; EUR and USD), owners, countries, spread over two years with growth.
//!
//! Every submission is written by the step a form post goes through
//! ([`record_in_write`]): touch values cleaned as the tracker's fields are, sources merged
//! through the aliases, touches classified into channels with the rules version, first
//! interaction, lead generation and company by the attribution rules. Demo data is therefore
//! stored exactly like collected data, and `leadtrail reclassify` right after it has
//! nothing to change. It goes through the store's writer in large transactions (the server
//! is not running); the same `--seed` gives the same data, with times relative to `--now`
//! (default: the current day at midnight UTC, so that reruns on one day match).

use std::path::Path;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use leadtrail_core::identity::Email;
use leadtrail_core::{Touch, TouchField, TouchOrigin};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection};
use serde_json::{Map, Value};

use crate::store::leads::{ConsentPolicy, Requester};
use crate::store::sqlite::{record_in_write, SqliteStore};
use crate::store::{IncomingSubmission, Store};

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
pub(crate) struct DemoOptions {
    pub(crate) persons: usize,
    pub(crate) seed: u64,
    /// Unix ms that "now" is for the generated history.
    pub(crate) now_ms: i64,
    pub(crate) progress: bool,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DemoSummary {
    pub(crate) persons: u64,
    pub(crate) submissions: u64,
    pub(crate) status_changes: u64,
    pub(crate) sales: u64,
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

impl GenTouch {
    /// The touch as the tracker's hidden fields would bring it: every value cleaned by
    /// [`Touch::set`] and missing parts resolved, as the form endpoint reads them.
    fn tracked(&self) -> Touch {
        let mut touch = Touch::default();
        touch.set(TouchField::Source, self.source);
        touch.set(TouchField::Medium, self.medium);
        let optional = [
            (TouchField::Campaign, self.campaign),
            (TouchField::ClickId, self.click_id.as_deref()),
            (TouchField::ClickIdType, self.click_id_type),
            (TouchField::Referrer, self.referrer),
        ];
        for (field, value) in optional {
            if let Some(value) = value {
                touch.set(field, value);
            }
        }
        touch.set(TouchField::LandingPage, &self.landing_page);
        touch.set(TouchField::At, &self.at.to_string());
        touch.resolve();
        touch
    }
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

/// A generated lead: the submissions that create and follow them, and what became of them.
struct DemoLead {
    /// The first creates the person; the later ones are repeat conversions.
    submissions: Vec<IncomingSubmission>,
    owner: Option<i64>,
    /// Status changes in order, with their times; the last is the current status.
    statuses: Vec<(&'static str, i64)>,
    sale: Option<DemoSale>,
}

struct DemoSale {
    title: String,
    amount_minor: i64,
    currency: &'static str,
    status: &'static str,
    at: i64,
    closed_at: Option<i64>,
}

/// The domain of a demo company's e-mail addresses (`fjord-analytics.example`).
fn company_domain(company: &str) -> String {
    format!("{}.example", company.to_lowercase().replace(' ', "-"))
}

/// Makes the leads, in order, from one random stream: the same seed gives the same leads.
struct Generator {
    rng: StdRng,
    now_ms: i64,
    persons: usize,
    sales: usize,
}

impl Generator {
    /// The next leads, created at `created`.
    fn leads(&mut self, created: &[i64]) -> anyhow::Result<Vec<DemoLead>> {
        created.iter().map(|&at| self.lead(at)).collect()
    }

    /// The next lead, created at `at`.
    fn lead(&mut self, at: i64) -> anyhow::Result<DemoLead> {
        self.persons += 1;
        let lead = lead(&mut self.rng, self.persons, at, self.now_ms, self.sales + 1)?;
        self.sales += usize::from(lead.sale.is_some());
        Ok(lead)
    }
}

/// Generates the lead with person number `number`, created at `at`; its sale, if it has
/// one, is number `sale_no`.
fn lead(
    rng: &mut StdRng,
    number: usize,
    at: i64,
    now_ms: i64,
    sale_no: usize,
) -> anyhow::Result<DemoLead> {
    let first_name = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last_name = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let company = rng
        .random_bool(0.6)
        .then(|| COMPANIES[rng.random_range(0..COMPANIES.len())]);
    // Company people write from their company's domain; the others from a free-mail one
    // (example.com counts as one), so that they belong to no company.
    let domain = company.map_or_else(|| "example.com".to_owned(), company_domain);
    let address = format!(
        "{}.{}{number}@{domain}",
        first_name.to_lowercase(),
        last_name.to_lowercase().replace(' ', "")
    );
    let email = Email::parse(&address)
        .map_err(|e| anyhow::anyhow!("demo e-mail {address}: {}", e.message()))?;
    let country = pick_weighted(rng, COUNTRIES, |c| c.1).0;
    let owner = rng
        .random_bool(0.8)
        .then(|| rng.random_range(1..=OWNERS.len() as i64));
    let lead_at = at - rng.random_range(0..3_600_000);
    let lead = touch(rng, lead_at);
    let first = if rng.random_bool(0.6) {
        None
    } else {
        let first_at = lead.at - rng.random_range(1..60) * DAY_MS;
        Some(touch(rng, first_at))
    };
    // Where the lead went: most stay open; some progress; a few drop out.
    let roll = rng.random::<f64>();
    let path: &[&'static str] = if roll < 0.50 {
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
    let chat = rng.random_bool(0.08);
    let (channel, form) = if chat {
        ("chat", "website-chat")
    } else {
        ("form", lead.form)
    };
    let creating = IncomingSubmission {
        form_key: form.to_owned(),
        channel: channel.to_owned(),
        email,
        name: Some(format!("{first_name} {last_name}")),
        company: company.map(str::to_owned),
        country: Some(country.to_owned()),
        phone: None,
        payload: Map::from_iter([("message".to_owned(), Value::from("Hello"))]),
        first: first.as_ref().map(GenTouch::tracked),
        current: lead.tracked(),
        journey: Vec::new(),
        origin: TouchOrigin::Tracker,
        received_at: at,
        consent_policy: ConsentPolicy::GiveAndWithdraw,
        requester: Requester::default(),
    };
    let mut submissions = vec![creating];
    // About two more submissions each, later, on their own touches.
    let more = rng.random_range(0..=4);
    for _ in 0..more {
        let later = (at + rng.random_range(1..180) * DAY_MS / 2).min(now_ms - 1);
        let conv = touch(rng, later);
        submissions.push(IncomingSubmission {
            form_key: conv.form.to_owned(),
            channel: "form".to_owned(),
            payload: Map::new(),
            first: None,
            current: conv.tracked(),
            journey: Vec::new(),
            received_at: later,
            ..submissions[0].clone()
        });
    }
    let mut when = at;
    let mut statuses = Vec::with_capacity(path.len());
    for step in path {
        when = (when + rng.random_range(1..30) * DAY_MS).min(now_ms - 1);
        statuses.push((*step, when));
    }
    let wants_sale = match status {
        "qualified" => rng.random_bool(0.8),
        "in_progress" => rng.random_bool(0.15),
        _ => false,
    };
    let sale = wants_sale.then(|| {
        let sale_at = (when + rng.random_range(0..20) * DAY_MS).min(now_ms - 1);
        let old = now_ms - sale_at > 45 * DAY_MS;
        let sale_status = if !old || status != "qualified" {
            "open"
        } else if rng.random_bool(0.55) {
            "won"
        } else if rng.random_bool(0.5) {
            "lost"
        } else {
            "open"
        };
        let closed_at = (sale_status != "open")
            .then(|| (sale_at + rng.random_range(1..40) * DAY_MS).min(now_ms - 1));
        let currency = if country == "US" || rng.random_bool(0.05) {
            "USD"
        } else {
            "EUR"
        };
        DemoSale {
            title: format!("Deal {sale_no}"),
            amount_minor: rng.random_range(5..500) * 10_000,
            currency,
            status: sale_status,
            at: sale_at,
            closed_at,
        }
    });
    Ok(DemoLead {
        submissions,
        owner,
        statuses,
        sale,
    })
}

/// Writes generated leads on the writer's connection (inside its transaction).
fn write_leads(connection: &Connection, leads: &[DemoLead]) -> rusqlite::Result<DemoSummary> {
    // A larger page cache than the writer's default, on this command's own connection
    // only: every chunk writes into a dozen indexes. (256 MiB measured no faster than this
    // at a million persons.)
    connection.execute_batch("PRAGMA cache_size = -65536")?;
    let mut summary = DemoSummary::default();
    for lead in leads {
        let mut person = None;
        for submission in &lead.submissions {
            let receipt = record_in_write(connection, submission)?;
            person.get_or_insert(receipt.person_id);
            summary.persons += u64::from(receipt.person_created);
            summary.submissions += 1;
        }
        let Some(person) = person else {
            continue;
        };
        let status = lead.statuses.last().map_or("open", |(status, _)| *status);
        connection
            .prepare_cached("UPDATE persons SET status = ?2, owner_id = ?3 WHERE id = ?1")?
            .execute(params![person, status, lead.owner])?;
        for (status, at) in &lead.statuses {
            connection
                .prepare_cached(
                    "INSERT INTO status_changes (person_id, status, changed_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![person, status, at])?;
            summary.status_changes += 1;
        }
        if let Some(sale) = &lead.sale {
            connection
                .prepare_cached(
                    "INSERT INTO sales (person_id, company_id, title, amount_minor, currency, \
                     status, at, closed_at, created_at, updated_at) \
                     VALUES (?1, (SELECT company_id FROM persons WHERE id = ?1), ?2, ?3, ?4, \
                     ?5, ?6, ?7, ?6, ?8)",
                )?
                .execute(params![
                    person,
                    sale.title,
                    sale.amount_minor,
                    sale.currency,
                    sale.status,
                    sale.at,
                    sale.closed_at,
                    sale.closed_at.unwrap_or(sale.at),
                ])?;
            summary.sales += 1;
        }
    }
    Ok(summary)
}

/// The owners and forms every demo has, before any lead.
fn write_setup(connection: &Connection, start: i64) -> rusqlite::Result<i64> {
    let existing: i64 = connection.query_row("SELECT count(*) FROM persons", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(existing);
    }
    for (i, name) in OWNERS.iter().enumerate() {
        let email = format!(
            "{}@acme.example",
            name.split(' ').next().unwrap_or("owner").to_lowercase()
        );
        connection.execute(
            "INSERT INTO associates (id, name, email, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![i as i64 + 1, name, email, start],
        )?;
    }
    // Registered up front so that form ids follow this list rather than first use.
    for (i, key) in FORMS.iter().enumerate() {
        connection.execute(
            "INSERT INTO forms (id, key, created_at) VALUES (?1, ?2, ?3)",
            params![i as i64 + 1, key, start],
        )?;
    }
    Ok(0)
}

/// Fills the database at `path`, which must hold no persons yet.
pub(crate) fn generate(path: &Path, options: &DemoOptions) -> anyhow::Result<DemoSummary> {
    let store =
        SqliteStore::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let filled = runtime.block_on(fill(&store, path, options));
    runtime.block_on(store.shutdown());
    drop(store);
    let summary = filled?;
    // Outside the writer: a checkpoint cannot run inside its transaction.
    let connection = Connection::open(path)?;
    connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")?;
    Ok(summary)
}

async fn fill(
    store: &SqliteStore,
    path: &Path,
    options: &DemoOptions,
) -> anyhow::Result<DemoSummary> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let start = options.now_ms - 730 * DAY_MS;
    let existing = store.writer().apply(move |c| write_setup(c, start)).await?;
    if existing > 0 {
        bail!(
            "{} already holds {existing} persons; demo data goes into a new database (use another --db)",
            path.display()
        );
    }

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
    let mut generator = Generator {
        rng,
        now_ms: options.now_ms,
        persons: 0,
        sales: 0,
    };
    let mut chunks = created.chunks(CHUNK);
    let mut pending = chunks.next().map(|c| generator.leads(c)).transpose()?;
    let mut summary = DemoSummary::default();
    while let Some(leads) = pending.take() {
        let persons = leads.len() as u64;
        let write = store.writer().apply(move |c| write_leads(c, &leads));
        // The next chunk is made while the writer thread stores this one: `join` polls the
        // write first, which hands it to the writer, then makes the chunk on this thread.
        let make_next = async { chunks.next().map(|c| generator.leads(c)).transpose() };
        let (written, next) = futures_util::future::join(write, make_next).await;
        let written = written?;
        pending = next?;
        summary.persons += written.persons;
        summary.submissions += written.submissions;
        summary.status_changes += written.status_changes;
        summary.sales += written.sales;
        bar.inc(persons);
    }
    bar.finish_and_clear();
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

    #[test]
    fn touches_are_stored_as_collected_ones_so_reclassify_changes_nothing() {
        use crate::store::links::{ReclassifyBatch, TouchRole};
        use crate::store::LinkStore;
        use leadtrail_core::channel::RULES_VERSION;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // An operator's alias set before the demo is applied to it, as to any new touch.
        let store = SqliteStore::open(&path).unwrap();
        runtime.block_on(async {
            store
                .put_source_alias("partner_a", "Partner Alpha", 0)
                .await
                .unwrap()
                .unwrap();
            store.shutdown().await;
        });
        drop(store);
        let options = DemoOptions {
            persons: 1500,
            seed: 11,
            now_ms: 1_767_225_600_000,
            progress: false,
        };
        generate(&path, &options).unwrap();

        let c = Connection::open(&path).unwrap();
        for (table, role) in [
            ("persons", "first"),
            ("persons", "lead"),
            ("submissions", "conv"),
            ("companies", "src"),
        ] {
            assert!(count(&c, &format!("SELECT count(*) FROM {table}")) > 0);
            let unclassified = count(
                &c,
                &format!(
                    "SELECT count(*) FROM {table} WHERE {role}_channel IS NULL \
                     OR {role}_rules_version IS NOT {RULES_VERSION}"
                ),
            );
            assert_eq!(unclassified, 0, "{role} touches without a channel");
        }
        // Values cleaned as the form endpoint cleans them, and sources merged by the alias
        // (the source as received kept for reclassify).
        for sql in [
            "SELECT count(*) FROM persons WHERE lead_source LIKE '% %' OR lead_campaign LIKE '% %'",
            "SELECT count(*) FROM submissions WHERE conv_source IN ('partner a', 'partner_a')",
        ] {
            assert_eq!(count(&c, sql), 0, "{sql}");
        }
        for sql in [
            "SELECT count(*) FROM persons WHERE lead_source = 'partner_b'",
            "SELECT count(*) FROM persons WHERE lead_campaign = '<img_src=x_onerror=alert(1)>'",
            "SELECT count(*) FROM submissions WHERE conv_source = 'partner_alpha' \
             AND conv_raw_source = 'partner_a'",
            "SELECT count(*) FROM persons WHERE lead_channel = 'paid_search' \
             AND lead_click_id_type = 'gclid'",
        ] {
            assert!(count(&c, sql) > 0, "{sql}");
        }
        drop(c);

        let store = SqliteStore::open(&path).unwrap();
        let total = runtime.block_on(async {
            let mut total = ReclassifyBatch::default();
            for role in TouchRole::ALL {
                let mut after = 0;
                loop {
                    let batch = store.reclassify_batch(role, after, 1000).await.unwrap();
                    total.scanned += batch.scanned;
                    total.updated += batch.updated;
                    total.channel_changed += batch.channel_changed;
                    total.source_changed += batch.source_changed;
                    match batch.last_id {
                        Some(id) => after = id,
                        None => break,
                    }
                }
            }
            store.shutdown().await;
            total
        });
        assert!(total.scanned > 1500 * 3, "{total:?}");
        assert_eq!(
            (total.updated, total.channel_changed, total.source_changed),
            (0, 0, 0),
            "{total:?}"
        );
    }
}
