//! `cargo xtask bench search`: criteria search at 1M persons (about three submissions
//! each, from `leadtrail demo-data`): a fixed list of criteria trees — the usual questions,
//! one per field × operator, AND / OR trees up to 8 leaves — each asked through HTTP against
//! the release binary (first page of 50 and the exact total), with median and p99 per
//! query; the same questions in DuckDB (Python package `duckdb`) over the same data in the
//! same run, as the analytic anchor, with its counts checked against ours. The driver is
//! bench_search.py; databases are cached by size and seed in target/bench-search/.
//! `LEADTRAIL_BENCH_SIZES` (e.g. `100000`) overrides the size, `LEADTRAIL_BENCH_ONLY` (a
//! substring) limits the queries, `LEADTRAIL_BENCH_BINARY` runs another build (an older
//! commit's, for a before/after comparison) instead of building this one.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::util::{cargo, cargo_target_dir, repo_root, run};

const DRIVER: &str = include_str!("bench_search.py");
const TOKEN: &str = "bench-search-token-0123456789abcdef";
const SEED: u64 = 42;

pub(crate) fn run_search() -> Result<()> {
    // The bench compares with DuckDB.
    crate::tools::ensure_named("python3 with duckdb")?;
    let binary = match std::env::var_os("LEADTRAIL_BENCH_BINARY") {
        Some(path) if !path.is_empty() => std::path::PathBuf::from(path),
        _ => {
            run(cargo().args(["build", "--release", "-p", "leadtrail-collector"]))?;
            cargo_target_dir().join("release").join("leadtrail")
        }
    };
    let dir = repo_root().join("target").join("bench-search");
    std::fs::create_dir_all(&dir)?;
    let driver = dir.join("bench_search.py");
    std::fs::write(&driver, DRIVER)?;
    let sizes: Vec<usize> = match std::env::var("LEADTRAIL_BENCH_SIZES") {
        Ok(text) if !text.trim().is_empty() => text
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .context("LEADTRAIL_BENCH_SIZES: numbers, comma-separated")
            })
            .collect::<Result<_>>()?,
        _ => vec![1_000_000],
    };
    for persons in sizes {
        let db = dir.join(format!("{persons}-seed{SEED}.db"));
        if !db.exists() {
            // Written under another name first, so that an interrupted build is not
            // mistaken for a cached database.
            let partial = dir.join(format!("{persons}-seed{SEED}.partial.db"));
            for stale in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{stale}", partial.display()));
            }
            println!("generating {persons} demo persons into {} …", db.display());
            run(Command::new(&binary)
                .args([
                    "demo-data",
                    "--persons",
                    &persons.to_string(),
                    "--seed",
                    &SEED.to_string(),
                    "--db",
                ])
                .arg(&partial))?;
            std::fs::rename(&partial, &db)?;
        }
        println!("\n== search, {persons} persons ({}) ==", db.display());
        let mut server = Command::new(&binary)
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(&db)
            .env("LEADTRAIL_API_TOKEN", TOKEN)
            .env("LEADTRAIL_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start the collector")?;
        let pid = server.id();
        let mut line = String::new();
        let stdout = server.stdout.take().context("no stdout")?;
        BufReader::new(stdout).read_line(&mut line)?;
        let url = line
            .trim()
            .strip_prefix("leadtrail listening on ")
            .map(str::to_owned)
            .context("the collector did not announce its address")?;
        let outcome = run(Command::new("python3")
            .arg(&driver)
            .args([url.as_str(), TOKEN])
            .arg(&db)
            .arg(pid.to_string()));
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let _ = server.wait();
        outcome?;
    }
    Ok(())
}
