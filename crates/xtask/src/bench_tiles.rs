//! `cargo xtask bench tiles`: dashboard tiles at 100k and 1M persons (about three
//! submissions each, from `leadtrail demo-data`), each tile and the marketing dashboard
//! timed through HTTP against the release binary, side by side with the same aggregates in
//! DuckDB (Python package `duckdb`) over the same data, in the same run. The driver is
//! bench_tiles.py; databases are cached in target/bench-tiles/. `LEADTRAIL_BENCH_SIZES`
//! (e.g. `100000`) overrides the sizes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::util::{cargo, cargo_target_dir, repo_root, run};

const DRIVER: &str = include_str!("bench_tiles.py");
const TOKEN: &str = "bench-tiles-token-0123456789abcdef";

pub(crate) fn run_tiles() -> Result<()> {
    // The bench compares with DuckDB.
    crate::tools::ensure_named("python3 with duckdb")?;
    run(cargo().args(["build", "--release", "-p", "leadtrail-collector"]))?;
    let binary = cargo_target_dir().join("release").join("leadtrail");
    let dir = repo_root().join("target").join("bench-tiles");
    std::fs::create_dir_all(&dir)?;
    let driver = dir.join("bench_tiles.py");
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
        _ => vec![100_000, 1_000_000],
    };
    for persons in sizes {
        let db = dir.join(format!("{persons}.db"));
        if !db.exists() {
            println!("generating {persons} demo persons into {} …", db.display());
            run(Command::new(&binary)
                .args([
                    "demo-data",
                    "--persons",
                    &persons.to_string(),
                    "--seed",
                    "42",
                    "--db",
                ])
                .arg(&db))?;
        }
        println!("\n== tiles, {persons} persons ({}) ==", db.display());
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
