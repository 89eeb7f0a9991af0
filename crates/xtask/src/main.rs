//! Project automation, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! Plain Rust instead of shell scripts, so the same commands work on every developer's
//! machine and in CI: each task installs what it needs first (`ensure-tools`).

mod api_check;
mod bench_ingest;
mod bench_search;
mod bench_tiles;
mod bench_tracker;
mod cpu_time;
mod dist;
mod fuzz;
mod install;
mod serve;
mod soak;
mod test;
mod tools;
mod tracker;
mod util;
mod vendor;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build, test and run leadtrail")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what is missing (wasm32 target, the pinned wasm-bindgen-cli, npm packages,
    /// Chromium and chromedriver).
    EnsureTools,
    /// List every prerequisite as found or missing, with the command that installs it.
    Doctor,
    /// Build the tracker into target/leadtrail-tracker and print its size report.
    BuildTracker,
    /// Run every test: native, the tracker's in Chromium, end to end; with the size report.
    Test,
    /// Build everything and start the collector on 127.0.0.1:8080 with ./leadtrail.db.
    Run {
        /// Fill a new database with this many demo persons first (`leadtrail demo-data`).
        #[arg(long, value_name = "PERSONS")]
        demo_data: Option<usize>,
        /// Passed on to `leadtrail serve` (write them after `--`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Build the self-contained release binary target/release/leadtrail and check it.
    Dist,
    /// Check the API against its OpenAPI document with Schemathesis (a step of `test`).
    ApiCheck,
    /// Run every fuzz target (fuzz/) for a bounded time; installs nightly and cargo-fuzz.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u32,
    },
    /// Benchmarks with their figures printed: `cargo xtask bench [PART]` (no part: all).
    Bench {
        #[arg(value_enum)]
        part: Option<BenchPart>,
        /// `ingest`: also measure the posts while readers run the marketing dashboard,
        /// searches and a CSV export in a loop.
        #[arg(long)]
        with_readers: bool,
    },
    /// The release collector under mixed load for N minutes (posts at --rate while
    /// readers loop), with a line of figures per minute and a check of every post.
    Soak {
        #[arg(long, default_value_t = 60)]
        minutes: u64,
        /// Posts per second (each a new person).
        #[arg(long, default_value_t = 500.0)]
        rate: f64,
        /// Demo persons in the database before the soak starts.
        #[arg(long, default_value_t = 20_000)]
        persons: usize,
        /// Soak this collector binary instead of building target/release/leadtrail.
        #[arg(long, value_name = "PATH")]
        binary: Option<std::path::PathBuf>,
    },
}

/// The parts of `cargo xtask bench`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BenchPart {
    /// Durable form posts per second against /healthz, latency, peak memory (wrk).
    Ingest,
    /// The tracker's download size and its cost on a page in headless Chromium.
    Tracker,
    /// Every dashboard tile and a whole dashboard at 100k and 1M persons, next to DuckDB.
    Tiles,
    /// Criteria search (first page and total) at 1M persons, every field and operator,
    /// next to DuckDB.
    Search,
}

fn bench(part: Option<BenchPart>, with_readers: bool) -> Result<()> {
    let parts = match part {
        Some(part) => vec![part],
        None => BenchPart::value_variants().to_vec(),
    };
    for part in parts {
        match part {
            BenchPart::Ingest => bench_ingest::run_ingest(with_readers)?,
            BenchPart::Tiles => bench_tiles::run_tiles()?,
            BenchPart::Search => bench_search::run_search()?,
            BenchPart::Tracker => bench_tracker::run_tracker()?,
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<()> = match cli.task {
        Task::EnsureTools => tools::ensure(tools::Need::BuildAndBrowser).map(|_| ()),
        Task::Doctor => tools::doctor(),
        Task::BuildTracker => tools::ensure(tools::Need::Build).and_then(|tools| {
            tracker::build(&tools)?;
            tracker::report().map(|_| ())
        }),
        Task::Test => test::test(),
        Task::Run { demo_data, args } => serve::serve(args, demo_data),
        Task::Dist => dist::dist(),
        Task::ApiCheck => tools::ensure_named("schemathesis")
            .and_then(|_| api_check::check())
            .map(|note| {
                if let Some(note) = note {
                    println!("{note}");
                }
            }),
        Task::Bench { part, with_readers } => bench(part, with_readers),
        Task::Soak {
            minutes,
            rate,
            persons,
            binary,
        } => soak::soak(&soak::SoakOptions {
            minutes,
            rate,
            persons,
            binary,
        }),
        Task::Fuzz { seconds } => fuzz::fuzz(seconds),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
