//! `cargo xtask bench ingest`: how many form posts the release collector makes durable
//! per second on this machine, at what latency and memory, against its own `/healthz`
//! in the same run as the denominator.
//!
//! The load generator is `wrk` (Debian's package, installed when missing) with a Lua
//! script: C, keep-alive, 64 connections, and its own latency histogram — a Rust client
//! would compete with the server for the same two cores no better, and would need to be
//! proved correct first. Each post carries a unique e-mail (a new person each time, the
//! expensive case) and the tracker's full set of hidden `lt_*` fields, a journey of three
//! touches included.
//!
//! "Durable" is counted, not assumed: after the run the server is stopped with SIGTERM and
//! the rows in `submissions` are counted in the database file.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::cpu_time::{CpuPerRequest, CpuSnapshot};
use crate::tools::{self, Need};
use crate::tracker;
use crate::util::{cargo, cargo_target_dir, run};

/// Connections the load generator keeps open.
const CONNECTIONS: u32 = 64;
/// How long each phase runs.
const PHASE: Duration = Duration::from_secs(12);
/// wrk's threads: one per core, so that it takes no more than the server's share.
const WRK_THREADS: u32 = 2;
/// What the collector prints once it listens (a contract with crates/collector).
const LISTENING: &str = "leadtrail listening on http://";

/// The ingest goals: durable posts against /healthz, latency, memory.
const GOAL_SHARE_OF_HEALTHZ: f64 = 0.5;
const GOAL_P99_MS: f64 = 25.0;
const GOAL_RSS_MB: f64 = 100.0;

/// wrk's Lua side: one unique e-mail per request (thread number + counter), a realistic
/// body, and a machine-readable summary at the end.
const POST_SCRIPT: &str = r#"
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
local counter = 0
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Accept"] = "application/json",
}
local touch = "&lt_v=1"
  .. "&lt_first_source=linkedin&lt_first_medium=paid_social&lt_first_campaign=spring_launch"
  .. "&lt_first_content=carousel_a&lt_first_click_id=AQEabc123&lt_first_click_id_type=li_fat_id"
  .. "&lt_first_landing_page=https%3A%2F%2Fwww.acme.example%2Fpricing%3Futm_source%3Dlinkedin"
  .. "&lt_first_at=1750000000000"
  .. "&lt_last_source=google&lt_last_medium=cpc&lt_last_campaign=brand_search&lt_last_term=crm+tool"
  .. "&lt_last_click_id=Cj0KCQjwEXAMPLE&lt_last_click_id_type=gclid"
  .. "&lt_last_referrer=https%3A%2F%2Fwww.google.com%2F"
  .. "&lt_last_landing_page=https%3A%2F%2Fwww.acme.example%2Fsignup%3Fgclid%3DCj0KCQjwEXAMPLE"
  .. "&lt_last_at=1750100000000"
  -- The journey of three touches the tracker keeps and posts with them.
  .. "&lt_journey="
  .. "1%2Csource%3Dlinkedin%26medium%3Dpaid_social%26campaign%3Dspring_launch%26conten"
  .. "t%3Dcarousel_a%26click_id%3DAQEabc123%26click_id_type%3Dli_fat_id%26landing_page"
  .. "%3Dhttps%253A%252F%252Fwww.acme.example%252Fpricing%253Futm_source%253Dlinkedin%"
  .. "26at%3D1750000000000%2Csource%3Dnewsletter%26medium%3Demail%26campaign%3Djune_ne"
  .. "ws%26landing_page%3Dhttps%253A%252F%252Fwww.acme.example%252Fblog%253Futm_source"
  .. "%253Dnewsletter%26at%3D1750050000000%2Csource%3Dgoogle%26medium%3Dcpc%26campaign"
  .. "%3Dbrand_search%26term%3Dcrm%2520tool%26click_id%3DCj0KCQjwEXAMPLE%26click_id_ty"
  .. "pe%3Dgclid%26referrer%3Dhttps%253A%252F%252Fwww.google.com%252F%26landing_page%3"
  .. "Dhttps%253A%252F%252Fwww.acme.example%252Fsignup%253Fgclid%253DCj0KCQjwEXAMPLE%2"
  .. "6at%3D1750100000000"
request = function()
  counter = counter + 1
  local body = "email=person-" .. tid .. "-" .. counter .. "%40company" .. (counter % 997) .. ".example"
    .. "&name=Ada+Lovelace&company=Company+" .. (counter % 997) .. "&country=NO&phone=%2B4712345678"
    .. "&message=Hello%2C+we+would+like+a+demo.&_redirect=https%3A%2F%2Fwww.acme.example%2Fthanks"
    .. touch
  return wrk.format("POST", "/f/bench", headers, body)
end
"#;

/// Shared by both phases: wrk's totals and latency percentiles as `key value` lines.
const SUMMARY_SCRIPT: &str = r#"
done = function(summary, latency, requests)
  io.write("bench requests ", summary.requests, "\n")
  io.write("bench duration_us ", summary.duration, "\n")
  io.write("bench non_2xx ", summary.errors.status, "\n")
  io.write("bench socket_errors ", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, "\n")
  io.write("bench p50_us ", latency:percentile(50), "\n")
  io.write("bench p99_us ", latency:percentile(99), "\n")
end
"#;

/// What one wrk run measured.
#[derive(Debug, Default, Clone)]
struct Phase {
    requests: u64,
    seconds: f64,
    non_2xx: u64,
    socket_errors: u64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    fn ok_per_second(&self) -> f64 {
        self.requests.saturating_sub(self.non_2xx) as f64 / self.seconds.max(1e-9)
    }
}

fn parse_summary(output: &str) -> Result<Phase> {
    let mut phase = Phase::default();
    let mut seen = 0;
    for line in output.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("bench") {
            continue;
        }
        let (Some(key), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        let value: f64 = value
            .parse()
            .with_context(|| format!("wrk printed {line:?}"))?;
        match key {
            "requests" => phase.requests = value as u64,
            "duration_us" => phase.seconds = value / 1e6,
            "non_2xx" => phase.non_2xx = value as u64,
            "socket_errors" => phase.socket_errors = value as u64,
            "p50_us" => phase.p50_ms = value / 1e3,
            "p99_us" => phase.p99_ms = value / 1e3,
            _ => continue,
        }
        seen += 1;
    }
    if seen < 6 {
        bail!("wrk's summary is incomplete:\n{output}");
    }
    Ok(phase)
}

fn ensure_wrk() -> Result<PathBuf> {
    tools::ensure_named("wrk")?;
    tools::find_in_path("wrk").context("wrk was installed but is not on PATH")
}

/// The release collector on a free port, with a fresh database; killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(binary: &Path, db: &Path) -> Result<Server> {
        let mut child = Command::new(binary)
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(["--api-token", crate::soak::SOAK_TOKEN])
            // The load comes from one address, far faster than any person: no rate limit.
            .env("LEADTRAIL_FORM_POSTS_PER_MINUTE", "0")
            .env("LEADTRAIL_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("cannot read the collector's first line")?;
        let Some(rest) = line.trim().strip_prefix(LISTENING) else {
            let _ = child.kill();
            bail!("the collector did not announce its address: {line:?}");
        };
        Ok(Server {
            base: format!("http://{rest}"),
            child,
        })
    }

    /// Bytes the server caused to be written to storage so far (`/proc/PID/io`).
    fn bytes_written(&self) -> Result<u64> {
        let io = std::fs::read_to_string(format!("/proc/{}/io", self.child.id()))?;
        io.lines()
            .find_map(|l| l.strip_prefix("write_bytes:"))
            .and_then(|v| v.trim().parse().ok())
            .context("no write_bytes in /proc/PID/io")
    }

    /// Peak resident memory so far (VmHWM), in MB.
    fn peak_rss_mb(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("no VmHWM in /proc/PID/status")?;
        Ok(kb / 1024.0)
    }

    /// SIGTERM, and the exit status must be success (everything acknowledged committed).
    fn stop(mut self) -> Result<()> {
        let pid = self.child.id().to_string();
        run(Command::new("kill").args(["-TERM", &pid]))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    bail!("the collector exited with {status} after SIGTERM");
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the collector did not stop within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
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

fn wrk(wrk: &Path, script: &Path, url: &str) -> Result<Phase> {
    let output = Command::new(wrk)
        .arg(format!("-t{WRK_THREADS}"))
        .arg(format!("-c{CONNECTIONS}"))
        .arg(format!("-d{}s", PHASE.as_secs()))
        .args(["--timeout", "10s", "-s"])
        .arg(script)
        .arg(url)
        .output()
        .context("cannot run wrk")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_summary(&stdout)
}

fn count_submissions(db: &Path) -> Result<u64> {
    let connection =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let rows: i64 = connection.query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))?;
    Ok(rows as u64)
}

pub(crate) fn run_ingest(with_readers: bool) -> Result<()> {
    let wrk_path = ensure_wrk()?;
    let tools = tools::ensure(Need::Build)?;
    tracker::build(&tools)?;
    run(cargo().args(["build", "--release", "-p", "leadtrail-collector"]))?;
    let binary = cargo_target_dir().join("release").join("leadtrail");

    let dir = std::env::temp_dir().join(format!("leadtrail-bench-ingest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let result = measure(&wrk_path, &binary, &dir, with_readers);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(wrk_path: &Path, binary: &Path, dir: &Path, with_readers: bool) -> Result<()> {
    let healthz_script = dir.join("healthz.lua");
    std::fs::write(&healthz_script, SUMMARY_SCRIPT)?;
    let post_script = dir.join("post.lua");
    std::fs::write(&post_script, format!("{POST_SCRIPT}\n{SUMMARY_SCRIPT}"))?;
    let db = dir.join("bench.db");

    let server = Server::start(binary, &db)?;
    println!(
        "\nbench ingest: {} — {CONNECTIONS} connections, {} s per phase, wrk -t{WRK_THREADS}",
        server.base,
        PHASE.as_secs()
    );
    let pid = server.child.id();
    println!("phase 1: GET /healthz");
    let cpu_before = CpuSnapshot::take(pid)?;
    let healthz = wrk(
        wrk_path,
        &healthz_script,
        &format!("{}/healthz", server.base),
    )?;
    let healthz_cpu =
        CpuPerRequest::between(&cpu_before, &CpuSnapshot::take(pid)?, healthz.requests);
    println!("phase 2: POST /f/bench (unique e-mails, full tracker fields)");
    let written_before = server.bytes_written()?;
    let cpu_before = CpuSnapshot::take(pid)?;
    let posts = wrk(wrk_path, &post_script, &format!("{}/f/bench", server.base))?;
    let posts_cpu = CpuPerRequest::between(&cpu_before, &CpuSnapshot::take(pid)?, posts.requests);
    let written = server.bytes_written()?.saturating_sub(written_before);
    // The same posts again while the soak's readers (dashboard, searches, CSV export) run.
    // Read while the server runs: WAL mode lets a reader in.
    let durable_alone = count_submissions(&db)?;
    let busy = if with_readers {
        println!("phase 3: POST /f/bench with readers active (dashboard, searches, CSV export)");
        let readers = crate::soak::Readers::start(&server.base);
        let posts = wrk(wrk_path, &post_script, &format!("{}/f/bench", server.base))?;
        Some((posts, readers.stop()))
    } else {
        None
    };
    let rss_mb = server.peak_rss_mb()?;
    server.stop()?;
    let durable_all = count_submissions(&db)?;
    let durable = durable_alone;
    let answered_ok = posts.requests.saturating_sub(posts.non_2xx);
    let durable_per_second = durable as f64 / posts.seconds.max(1e-9);
    let share = durable_per_second / healthz.per_second().max(1e-9);

    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!("\nIngest benchmark (release binary, 127.0.0.1, same 2 cores as wrk)");
    println!("{:<38} {:>12}  {:>10}", "measure", "value", "goal");
    let rows: Vec<(String, String, String, &str)> = vec![
        (
            "/healthz requests/s".into(),
            format!("{:.0}", healthz.ok_per_second()),
            String::new(),
            "",
        ),
        (
            "form posts answered 2xx/s".into(),
            format!("{:.0}", posts.ok_per_second()),
            String::new(),
            "",
        ),
        (
            "durable submissions/s (rows in the DB)".into(),
            format!("{durable_per_second:.0}"),
            String::new(),
            "",
        ),
        (
            "durable ÷ /healthz".into(),
            format!("{:.0} %", share * 100.0),
            format!("≥ {:.0} %", GOAL_SHARE_OF_HEALTHZ * 100.0),
            verdict(share >= GOAL_SHARE_OF_HEALTHZ),
        ),
        (
            "form post latency p50".into(),
            format!("{:.2} ms", posts.p50_ms),
            String::new(),
            "",
        ),
        (
            "form post latency p99".into(),
            format!("{:.2} ms", posts.p99_ms),
            format!("< {GOAL_P99_MS:.0} ms"),
            verdict(posts.p99_ms < GOAL_P99_MS),
        ),
        (
            "/healthz latency p50 / p99".into(),
            format!("{:.2}/{:.2} ms", healthz.p50_ms, healthz.p99_ms),
            String::new(),
            "",
        ),
        (
            "server peak RSS (VmHWM)".into(),
            format!("{rss_mb:.1} MB"),
            format!("< {GOAL_RSS_MB:.0} MB"),
            verdict(rss_mb < GOAL_RSS_MB),
        ),
        (
            "posts answered 2xx / rows in the DB".into(),
            format!("{answered_ok} / {durable}"),
            "rows ≥ 2xx".into(),
            verdict(durable >= answered_ok),
        ),
        (
            // What SQLite's page-sized WAL frames and checkpoints cost the disk: when
            // this rate nears the disk's, ingest is bound by it rather than by CPU.
            "disk writes per post / MB/s".into(),
            format!(
                "{:.1} KB / {:.0}",
                written as f64 / 1024.0 / posts.requests.max(1) as f64,
                written as f64 / 1e6 / posts.seconds.max(1e-9)
            ),
            String::new(),
            "",
        ),
        (
            "non-2xx answers, socket errors".into(),
            format!("{}, {}", posts.non_2xx, posts.socket_errors),
            String::new(),
            "",
        ),
    ];
    for (name, value, goal, verdict) in rows {
        println!("{name:<38} {value:>12}  {goal:>10}  {verdict}");
    }
    let mut answered_all = answered_ok;
    if let Some((busy, (reads, read_p99, read_errors))) = &busy {
        let ok = busy.requests.saturating_sub(busy.non_2xx);
        answered_all += ok;
        println!("with readers active:");
        println!(
            "{:<38} {:>12}",
            "form posts answered 2xx/s",
            format!("{:.0}", busy.ok_per_second())
        );
        println!(
            "{:<38} {:>12}",
            "form post latency p50 / p99",
            format!("{:.2}/{:.2} ms", busy.p50_ms, busy.p99_ms)
        );
        println!(
            "{:<38} {:>12}",
            "reads answered / p99 / errors",
            format!("{reads} / {read_p99:.1} ms / {read_errors}")
        );
    }
    if durable_all < answered_all {
        bail!("{answered_all} posts were acknowledged but only {durable_all} rows are in the database");
    }
    print_cpu_budget(&healthz_cpu, &posts_cpu);
    // wrk stops mid-request at the deadline: a post may have been committed without its
    // answer being counted, never the other way round.
    if durable < answered_ok {
        bail!("{answered_ok} posts were acknowledged but only {durable} rows are in the database");
    }
    Ok(())
}

/// Where each request's CPU goes, and what the share goal allows a post to cost: on a
/// machine that /healthz keeps busy, a post may cost at most `1 / share` times a /healthz
/// request's machine CPU (at /healthz's utilisation) for the goal to be reachable at all.
fn print_cpu_budget(healthz: &CpuPerRequest, posts: &CpuPerRequest) {
    println!("\nCPU per request, µs (server threads by name, wrk, whole machine)");
    let row = |name: &str, h: String, p: String| println!("{name:<38} {h:>12} {p:>12}");
    row("", "/healthz".into(), "POST".into());
    let names: std::collections::BTreeSet<&String> =
        healthz.threads.keys().chain(posts.threads.keys()).collect();
    let cell = |v: Option<&f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
    for name in names {
        row(
            &format!("thread {name}"),
            cell(healthz.threads.get(name)),
            cell(posts.threads.get(name)),
        );
    }
    row(
        "wrk (load generator)",
        format!("{:.1}", healthz.load_generator_us),
        format!("{:.1}", posts.load_generator_us),
    );
    row(
        "whole machine, busy",
        format!("{:.1}", healthz.machine_busy_us),
        format!("{:.1}", posts.machine_busy_us),
    );
    row(
        "whole machine, idle",
        format!("{:.0} %", healthz.machine_idle * 100.0),
        format!("{:.0} %", posts.machine_idle * 100.0),
    );
    println!(
        "budget: durable ÷ /healthz ≥ {:.0} % needs a post to cost ≤ {:.1} µs of machine CPU \
         (at /healthz's {:.0} % busy); it costs {:.1} µs at {:.0} % busy",
        GOAL_SHARE_OF_HEALTHZ * 100.0,
        healthz.machine_busy_us / GOAL_SHARE_OF_HEALTHZ,
        (1.0 - healthz.machine_idle) * 100.0,
        posts.machine_busy_us,
        (1.0 - posts.machine_idle) * 100.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrks_summary_lines() {
        let output = "Running 1s test\nbench requests 1200\nbench duration_us 2000000\n\
                      bench non_2xx 3\nbench socket_errors 0\nbench p50_us 850\nbench p99_us 4100\n";
        let phase = parse_summary(output).unwrap();
        assert_eq!(phase.requests, 1200);
        assert_eq!(phase.non_2xx, 3);
        assert!((phase.per_second() - 600.0).abs() < 1e-9);
        assert!((phase.ok_per_second() - 598.5).abs() < 1e-9);
        assert!((phase.p99_ms - 4.1).abs() < 1e-9);
        assert!(parse_summary("bench requests 1\n").is_err());
    }
}
