//! `cargo xtask soak --minutes N`: the release collector under mixed load for a while.
//!
//! Posts arrive at a steady rate (`--rate`, posts per second, each a new person) while
//! readers loop over the marketing dashboard (the dashboard, then each of its tiles),
//! searches, and a CSV export of every person. Every minute it prints the server's
//! RSS, open file descriptors and WAL size, the minute's ingest and read p99 and its
//! errors; at the end it stops the server with SIGTERM and checks that every
//! acknowledged post is a row in the database.
//!
//! The load runs on the same cores as the server, from plain threads with blocking
//! clients: the figures are this machine's, with the soak's own cost in them.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::util::{cargo, cargo_target_dir, run};

const TOKEN: &str = "soak-token-0123456789abcdef";
const LISTENING: &str = "leadtrail listening on http://";
/// Threads that post; each waits for its post's turn on the shared schedule.
const POSTERS: usize = 16;

/// What one minute (or the whole run) saw.
#[derive(Default)]
struct Window {
    ingest_us: Vec<u32>,
    read_us: Vec<u32>,
    errors: u64,
    last_error: Option<String>,
}

impl Window {
    fn p99_ms(values: &mut [u32]) -> f64 {
        if values.is_empty() {
            return 0.0;
        }
        values.sort_unstable();
        let at = ((values.len() as f64) * 0.99).ceil() as usize;
        f64::from(values[at.saturating_sub(1).min(values.len() - 1)]) / 1000.0
    }
}

struct Shared {
    base: String,
    stop: AtomicBool,
    window: Mutex<Window>,
    /// The next post's number; post `n` is due at `start + n / rate`.
    next: AtomicU64,
    acknowledged: Mutex<Vec<u64>>,
    start: Instant,
    rate: f64,
}

impl Shared {
    fn record(&self, ingest: bool, took: Duration) {
        let us = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        let mut w = self.window.lock().unwrap();
        if ingest {
            w.ingest_us.push(us);
        } else {
            w.read_us.push(us);
        }
    }

    fn error(&self, what: String) {
        let mut w = self.window.lock().unwrap();
        w.errors += 1;
        w.last_error = Some(what);
    }
}

pub(crate) struct SoakOptions {
    pub(crate) minutes: u64,
    pub(crate) rate: f64,
    pub(crate) persons: usize,
    /// A collector binary to soak instead of building the release one (a `dist` copy).
    pub(crate) binary: Option<PathBuf>,
}

pub(crate) fn soak(options: &SoakOptions) -> Result<()> {
    let binary = match &options.binary {
        Some(binary) => binary.clone(),
        None => {
            run(cargo().args(["build", "--release", "-p", "leadtrail-collector"]))?;
            cargo_target_dir().join("release").join("leadtrail")
        }
    };
    let dir = std::env::temp_dir().join(format!("leadtrail-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let result = soak_in(&binary, &dir, options);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn soak_in(binary: &Path, dir: &Path, options: &SoakOptions) -> Result<()> {
    let db = dir.join("soak.db");
    println!("soak: demo data, {} persons", options.persons);
    run(Command::new(binary)
        .args([
            "demo-data",
            "--persons",
            &options.persons.to_string(),
            "--db",
        ])
        .arg(&db))?;
    let mut server = Server::start(binary, &db)?;
    println!(
        "soak: {} for {} min — {:.0} posts/s; readers: marketing dashboard, searches, CSV export",
        server.base, options.minutes, options.rate
    );
    let shared = Arc::new(Shared {
        base: server.base.clone(),
        stop: AtomicBool::new(false),
        window: Mutex::new(Window::default()),
        next: AtomicU64::new(0),
        acknowledged: Mutex::new(Vec::new()),
        start: Instant::now(),
        rate: options.rate,
    });
    let threads = start_load(&shared, true);
    let outcome = report_minutes(&shared, &server, &db, options.minutes);
    shared.stop.store(true, Ordering::Relaxed);
    for thread in threads {
        let _ = thread.join();
    }
    outcome?;
    server.stop()?;
    let acknowledged = std::mem::take(&mut *shared.acknowledged.lock().unwrap());
    let missing = missing_posts(&db, &acknowledged)?;
    println!(
        "soak: {} posts acknowledged, {} of them missing from the database",
        acknowledged.len(),
        missing
    );
    if missing > 0 {
        bail!("{missing} acknowledged posts are not in the database");
    }
    Ok(())
}

/// Posters (and, with `readers`, the three reader loops), until `shared.stop`.
fn start_load(shared: &Arc<Shared>, readers: bool) -> Vec<std::thread::JoinHandle<()>> {
    let mut threads = Vec::new();
    for _ in 0..POSTERS {
        let shared = Arc::clone(shared);
        threads.push(std::thread::spawn(move || poster(&shared)));
    }
    if readers {
        let loops: [fn(&Shared, &reqwest::blocking::Client); 3] = [dashboard, searches, export];
        for read in loops {
            let shared = Arc::clone(shared);
            threads.push(std::thread::spawn(move || {
                let client = client();
                while !shared.stop.load(Ordering::Relaxed) {
                    read(&shared, &client);
                }
            }));
        }
    }
    threads
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("an HTTP client")
}

fn poster(shared: &Shared) {
    let client = client();
    let url = format!("{}/f/soak", shared.base);
    while !shared.stop.load(Ordering::Relaxed) {
        let n = shared.next.fetch_add(1, Ordering::Relaxed);
        let due = shared.start + Duration::from_secs_f64(n as f64 / shared.rate);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        let body = format!(
            "email=soak-{n}%40company{}.example&name=Soak+Test&country=NO\
             &lt_v=1&lt_first_source=linkedin&lt_first_medium=paid_social\
             &lt_first_campaign=spring_launch&lt_first_at=1750000000000\
             &lt_last_source=google&lt_last_medium=cpc&lt_last_campaign=brand_search\
             &lt_last_at=1750100000000",
            n % 997
        );
        let sent = Instant::now();
        let answer = client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send();
        match answer {
            Ok(response) if response.status().as_u16() == 201 => {
                shared.record(true, sent.elapsed());
                shared.acknowledged.lock().unwrap().push(n);
            }
            Ok(response) => shared.error(format!("post: {}", response.status())),
            Err(e) => shared.error(format!("post: {e}")),
        }
    }
}

/// One timed GET that must answer 200; its body is read to the end.
fn get(shared: &Shared, client: &reqwest::blocking::Client, path: &str) -> Option<Vec<u8>> {
    let sent = Instant::now();
    let answer = client
        .get(format!("{}{path}", shared.base))
        .bearer_auth(TOKEN)
        .send();
    match answer {
        Ok(mut response) if response.status().is_success() => {
            let mut body = Vec::new();
            if let Err(e) = response.read_to_end(&mut body) {
                shared.error(format!("{path}: {e}"));
                return None;
            }
            shared.record(false, sent.elapsed());
            Some(body)
        }
        Ok(response) => {
            shared.error(format!("{path}: {}", response.status()));
            None
        }
        Err(e) => {
            shared.error(format!("{path}: {e}"));
            None
        }
    }
}

/// The marketing dashboard as the page draws it: the dashboard, then each tile.
fn dashboard(shared: &Shared, client: &reqwest::blocking::Client) {
    let Some(body) = get(shared, client, "/api/v1/dashboards/marketing") else {
        std::thread::sleep(Duration::from_secs(1));
        return;
    };
    let Ok(dashboard) = serde_json::from_slice::<serde_json::Value>(&body) else {
        shared.error("the marketing dashboard is not JSON".into());
        return;
    };
    for tile in dashboard["tiles"].as_array().into_iter().flatten() {
        let Some(id) = tile["tile"].as_str() else {
            continue;
        };
        let mut query = vec!["period=this-year".to_owned()];
        for param in ["campaign", "selection", "bucket", "by", "model"] {
            if let Some(value) = tile[param].as_str() {
                query.push(format!("{param}={value}"));
            } else if let Some(value) = tile[param].as_i64() {
                query.push(format!("{param}={value}"));
            }
        }
        get(
            shared,
            client,
            &format!("/api/v1/tiles/{id}?{}", query.join("&")),
        );
    }
}

const SEARCHES: &[&str] = &[
    "/api/v1/persons?first_interaction.channel=paid_search&limit=50",
    "/api/v1/persons?lead_generation.source=google&country=NO&limit=50",
    "/api/v1/persons?order=newest&limit=50",
    "/api/v1/persons?lead_generation.medium=cpc&created_at[gte]=2020-01-01&limit=50",
];

fn searches(shared: &Shared, client: &reqwest::blocking::Client) {
    for path in SEARCHES {
        get(shared, client, path);
    }
}

/// Every person as CSV: the longest read, streamed.
fn export(shared: &Shared, client: &reqwest::blocking::Client) {
    get(shared, client, "/api/v1/persons?format=csv");
}

fn report_minutes(shared: &Shared, server: &Server, db: &Path, minutes: u64) -> Result<()> {
    println!(
        "{:>4} {:>9} {:>6} {:>9} {:>9} {:>11} {:>9} {:>11} {:>7}",
        "min", "RSS MB", "fds", "WAL MB", "posts", "ingest p99", "reads", "read p99", "errors"
    );
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let mut total_errors = 0;
    let mut rss = Vec::new();
    for minute in 1..=minutes {
        let until = shared.start + Duration::from_secs(60 * minute);
        // Samples the WAL every second: its largest size in the minute is what matters.
        let mut wal_peak = 0;
        while Instant::now() < until {
            wal_peak = wal_peak.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
            std::thread::sleep(Duration::from_secs(1).min(until - Instant::now()));
        }
        let mut w = std::mem::take(&mut *shared.window.lock().unwrap());
        let rss_mb = server.rss_mb()?;
        rss.push(rss_mb);
        total_errors += w.errors;
        println!(
            "{minute:>4} {rss_mb:>9.1} {:>6} {:>9.1} {:>9} {:>8.2} ms {:>9} {:>8.1} ms {:>7}",
            server.open_fds()?,
            wal_peak as f64 / 1e6,
            w.ingest_us.len(),
            Window::p99_ms(&mut w.ingest_us),
            w.read_us.len(),
            Window::p99_ms(&mut w.read_us),
            w.errors
        );
        if let Some(error) = w.last_error {
            println!("      last error: {error}");
        }
        if !server.running() {
            bail!("the collector stopped during the soak");
        }
    }
    if rss.len() > 5 {
        let base = rss[4];
        let spread = rss[4..]
            .iter()
            .map(|r| (r - base) / base * 100.0)
            .fold(0.0f64, |a, b| if b.abs() > a.abs() { b } else { a });
        println!("soak: RSS after minute 5 moved at most {spread:+.1} % from {base:.1} MB");
    }
    println!("soak: {total_errors} errors");
    Ok(())
}

/// Acknowledged posts whose person is not in the database.
fn missing_posts(db: &Path, acknowledged: &[u64]) -> Result<usize> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stored = std::collections::HashSet::new();
    let mut statement = c.prepare("SELECT email FROM persons WHERE email LIKE 'soak-%'")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let email: String = row.get(0)?;
        if let Some(n) = email
            .strip_prefix("soak-")
            .and_then(|rest| rest.split('@').next())
            .and_then(|n| n.parse::<u64>().ok())
        {
            stored.insert(n);
        }
    }
    Ok(acknowledged.iter().filter(|n| !stored.contains(n)).count())
}

/// The release collector with the soak's token, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(binary: &Path, db: &Path) -> Result<Server> {
        let mut child = Command::new(binary)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--api-token",
                TOKEN,
                "--db",
            ])
            .arg(db)
            .env("LEADTRAIL_FORM_POSTS_PER_MINUTE", "0")
            .env("LEADTRAIL_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(rest) = line.trim().strip_prefix(LISTENING) else {
            let _ = child.kill();
            bail!("the collector did not announce its address: {line:?}");
        };
        Ok(Server {
            base: format!("http://{rest}"),
            child,
        })
    }

    fn running(&self) -> bool {
        Path::new(&format!("/proc/{}", self.child.id())).exists()
    }

    fn rss_mb(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("no VmRSS")?;
        Ok(kb / 1024.0)
    }

    fn open_fds(&self) -> Result<usize> {
        Ok(std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))?.count())
    }

    fn stop(&mut self) -> Result<()> {
        run(Command::new("kill").args(["-TERM", &self.child.id().to_string()]))?;
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the collector exited with {status} after SIGTERM");
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Readers for `bench ingest --with-readers`: the soak's three loops against `base`
/// until the returned flag is set; their request count and p99 are read at the end.
pub(crate) struct Readers {
    shared: Arc<Shared>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Readers {
    pub(crate) fn start(base: &str) -> Readers {
        let shared = Arc::new(Shared {
            base: base.to_owned(),
            stop: AtomicBool::new(false),
            window: Mutex::new(Window::default()),
            next: AtomicU64::new(0),
            acknowledged: Mutex::new(Vec::new()),
            start: Instant::now(),
            rate: 1.0,
        });
        let loops: [fn(&Shared, &reqwest::blocking::Client); 3] = [dashboard, searches, export];
        let threads = loops
            .into_iter()
            .map(|read| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let client = client();
                    while !shared.stop.load(Ordering::Relaxed) {
                        read(&shared, &client);
                    }
                })
            })
            .collect();
        Readers { shared, threads }
    }

    /// Stops them: (reads answered, read p99 ms, errors).
    pub(crate) fn stop(self) -> (usize, f64, u64) {
        self.shared.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            let _ = t.join();
        }
        let mut w = std::mem::take(&mut *self.shared.window.lock().unwrap());
        (w.read_us.len(), Window::p99_ms(&mut w.read_us), w.errors)
    }
}

pub(crate) const SOAK_TOKEN: &str = TOKEN;
