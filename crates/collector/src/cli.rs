//! `leadtrail`: the collector's command line (the binary's `main` calls [`main`]).
//!
//! - `leadtrail serve`: runs the collector (form endpoint, API, tracker, demo site).
//! - `leadtrail user create|list|set-role|disable|reset-password`: accounts
//!   (commands/accounts.rs).
//! - `leadtrail token create|list|revoke`: API tokens; `create` prints the new token once.
//! - `leadtrail import FILE`: loads historical persons, submissions and sales.
//! - `leadtrail import-costs FILE`: loads campaign costs (commands/costs.rs).
//! - `leadtrail link`, `explain`, `reclassify`, `aliases`: campaign links and channels
//!   (commands/links.rs).
//! - `leadtrail demo-data --persons N`: fills a new database with demo leads.
//! - `leadtrail backup --to FILE`, `leadtrail restore FILE`: copies of the database
//!   (commands/backup.rs, commands/restore.rs).
//!
//! Logs go to stderr (filter with `LEADTRAIL_LOG`, e.g. `debug`; `LEADTRAIL_LOG_FORMAT=json`
//! for JSON lines); stdout carries only what a caller parses: the "listening" line, or the new token.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::commands;
use crate::config::{self, Overrides, Settings};
use crate::http;
use crate::store::sqlite::SqliteStore;
use crate::store::Store;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "leadtrail",
    version,
    about = "Self-hosted lead attribution: collector and API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the collector.
    Serve(ServeArgs),
    /// Manage users: who may sign in, and as what.
    User {
        #[command(subcommand)]
        command: commands::accounts::UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: commands::accounts::TokenCommand,
    },
    /// Import historical persons, submissions and sales from CSV or JSON Lines.
    Import(ImportArgs),
    /// Import campaign costs from CSV (leadtrail's layout or an ad platform's cost report).
    ImportCosts(ImportCostsArgs),
    /// Build a tagged campaign link (and check that its tags survive redirects).
    Link(commands::links::LinkArgs),
    /// Show the touch and channel a visit would be stored with, and the rule that gave it.
    Explain(commands::links::ExplainArgs),
    /// Recompute channels (and apply source aliases) of every stored touch.
    Reclassify(commands::links::DbArgs),
    /// Manage source aliases (`fb` counts as `facebook`).
    Aliases {
        #[command(subcommand)]
        command: commands::links::AliasCommand,
    },
    /// Fill a new database with realistic demo leads (deterministic for a seed).
    DemoData(DemoDataArgs),
    /// Copy the database to a file while the collector serves, and check the copy.
    Backup(BackupArgs),
    /// Replace the database with a backup (the collector must be stopped).
    Restore(RestoreArgs),
}

#[derive(Debug, Args)]
struct BackupArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The new backup file (must not exist)
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
}

#[derive(Debug, Args)]
struct RestoreArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The backup to restore
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Args)]
struct ImportArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The file to import (.csv, or .jsonl / .ndjson)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The file's format, when its name does not tell
    #[arg(long, value_enum)]
    format: Option<commands::import::Format>,
    /// Stop at the first bad row instead of reporting and skipping it
    #[arg(long)]
    strict: bool,
    /// Make a new database when none exists at the path (without it, a missing database
    /// is an error, so that a mistyped path does not import into an empty one)
    #[arg(long)]
    create: bool,
}

#[derive(Debug, Args)]
struct ImportCostsArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The CSV file of costs
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Whose layout the file has; `auto` recognises it by its header row
    #[arg(long, value_enum, default_value = "auto")]
    layout: commands::costs::Layout,
}

#[derive(Debug, Args)]
struct DemoDataArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// How many persons to create (about three submissions each).
    #[arg(long, value_name = "N", default_value_t = 5000)]
    persons: usize,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Settings shared by every command that opens the database.
#[derive(Debug, Args)]
struct CommonArgs {
    /// SQLite database file [env: LEADTRAIL_DB] [default: leadtrail.db]
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// TOML config file [env: LEADTRAIL_CONFIG]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Address to listen on; port 0 picks a free one [env: LEADTRAIL_ADDR] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// A fixed API token that acts as an admin, for automation [env: LEADTRAIL_API_TOKEN]
    #[arg(long, value_name = "TOKEN")]
    api_token: Option<String>,
    /// Largest accepted form body in bytes [env: LEADTRAIL_MAX_BODY_BYTES] [default: 65536]
    #[arg(long, value_name = "N")]
    max_body_bytes: Option<usize>,
    /// Form posts per minute one client address may make; 0 = no limit
    /// [env: LEADTRAIL_FORM_POSTS_PER_MINUTE] [default: 60]
    #[arg(long, value_name = "N")]
    form_posts_per_minute: Option<u32>,
    /// Form posts one address may make at once [env: LEADTRAIL_FORM_POST_BURST] [default: 60]
    #[arg(long, value_name = "N")]
    form_post_burst: Option<u32>,
    /// Take a backup this often, e.g. 24h [env: LEADTRAIL_BACKUP_EVERY] [default: none]
    #[arg(long, value_name = "DURATION")]
    backup_every: Option<String>,
    /// Scheduled backups to keep, the newest [env: LEADTRAIL_BACKUP_KEEP] [default: 7]
    #[arg(long, value_name = "N")]
    backup_keep: Option<u32>,
    /// Directory of scheduled backups [env: LEADTRAIL_BACKUP_DIR]
    #[arg(long, value_name = "PATH")]
    backup_dir: Option<PathBuf>,
}

fn settings_from(overrides: Overrides) -> anyhow::Result<Settings> {
    config::load(&overrides, std::env::vars()).context("cannot load settings")
}

impl CommonArgs {
    /// The settings of a command that takes only `--db` and `--config`.
    fn settings(self) -> anyhow::Result<Settings> {
        settings_from(Overrides {
            config: self.config,
            db: self.db,
            ..Overrides::default()
        })
    }
}

/// Whether a command may make a new database where none is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    Create,
    Refuse,
}

fn open_store(settings: &Settings, missing: Missing) -> anyhow::Result<Arc<dyn Store>> {
    let store = match missing {
        Missing::Create => SqliteStore::open(&settings.db),
        Missing::Refuse => SqliteStore::open_existing(&settings.db),
    }
    .with_context(|| format!("cannot open database {}", settings.db.display()))?;
    Ok(Arc::new(store))
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = settings_from(Overrides {
        config: args.common.config,
        db: args.common.db,
        addr: args.addr,
        api_token: args.api_token,
        max_body_bytes: args.max_body_bytes,
        form_posts_per_minute: args.form_posts_per_minute,
        form_post_burst: args.form_post_burst,
        backup_every: args.backup_every,
        backup_keep: args.backup_keep,
        backup_dir: args.backup_dir,
    })?;
    let _lock = commands::backup::ServeLock::acquire(&settings.db, "serving it again")?;
    let store = open_store(&settings, Missing::Create)?;
    if let (Some(every), Some(dir)) = (&settings.backup_every, &settings.backup_dir) {
        // Both checked when the settings were loaded.
        let every =
            std::time::Duration::from_secs(config::parse_duration_secs(every).unwrap_or(86_400));
        commands::backup::schedule(
            settings.db.clone(),
            every,
            settings.backup_keep as usize,
            dir.clone(),
        );
    }
    actix_web::rt::System::new().block_on(http::serve(settings, store))
}

fn import(args: ImportArgs) -> anyhow::Result<()> {
    let settings = args.common.settings()?;
    let missing = if args.create {
        Missing::Create
    } else {
        Missing::Refuse
    };
    let store = open_store(&settings, missing)?;
    let options = commands::import::ImportOptions {
        file: args.file,
        format: args.format,
        strict: args.strict,
        progress: std::io::stderr().is_terminal(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let result = runtime.block_on(async {
        let result = commands::import::run(store.clone(), &options, |error| {
            eprintln!("leadtrail import: {error} (skipped)");
        })
        .await;
        store.shutdown().await;
        result
    });
    let summary = result?;
    println!(
        "imported {} rows from {}: {} created, {} already there, {} rejected, in {:.1} s ({:.0} rows/s)",
        summary.rows,
        options.file.display(),
        summary.created,
        summary.already_there,
        summary.rejected,
        summary.seconds,
        summary.rows_per_second()
    );
    Ok(())
}

fn import_costs(args: ImportCostsArgs) -> anyhow::Result<()> {
    let settings = args.common.settings()?;
    let store = open_store(&settings, Missing::Refuse)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let result = runtime.block_on(async {
        let result = commands::costs::run(store.clone(), &args.file, args.layout).await;
        store.shutdown().await;
        result
    });
    let (layout, rows, written) = result?;
    println!(
        "imported {rows} cost rows from {} ({} layout): {} new, {} replaced",
        args.file.display(),
        commands::costs::layout_name(layout),
        written.created,
        written.replaced
    );
    Ok(())
}

fn demo_data(args: DemoDataArgs) -> anyhow::Result<()> {
    use crate::commands::demo_data::{generate, DemoOptions};
    let settings = args.common.settings()?;
    if args.persons == 0 || args.persons > 20_000_000 {
        anyhow::bail!("--persons must be between 1 and 20000000");
    }
    // "Now" is today's midnight (UTC): reruns on one day give the same data.
    let now_ms = crate::time::now_ms();
    let options = DemoOptions {
        persons: args.persons,
        seed: args.seed,
        now_ms: now_ms - now_ms.rem_euclid(86_400_000),
        progress: std::io::stderr().is_terminal(),
    };
    let started = std::time::Instant::now();
    let summary = generate(&settings.db, &options)?;
    println!(
        "demo data in {}: {} persons, {} submissions, {} status changes, {} sales ({:.1} s)",
        settings.db.display(),
        summary.persons,
        summary.submissions,
        summary.status_changes,
        summary.sales,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let settings = args.common.settings()?;
    let backup = commands::backup::backup(&settings.db, &args.to, std::io::stderr().is_terminal())?;
    commands::backup::print_summary(&backup);
    Ok(())
}

fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let settings = args.common.settings()?;
    let restored = commands::restore::restore(&args.file, &settings.db)?;
    println!(
        "restored {} from {} (schema version {}, migrated on the next start if older)",
        settings.db.display(),
        args.file.display(),
        restored.version
    );
    for (table, rows) in &restored.tables {
        println!("  {table}: {rows} rows");
    }
    if let Some(replaced) = &restored.replaced {
        println!("the replaced database is kept at {}", replaced.display());
    }
    Ok(())
}

/// Parses the command line, runs the command and says how it ended.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("LEADTRAIL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // JSON lines for log collectors; each request's lines carry its id in `span`.
    let json = std::env::var("LEADTRAIL_LOG_FORMAT").is_ok_and(|f| f.trim() == "json");
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    if json {
        logs.json().with_ansi(false).init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::User { command } => commands::accounts::user(command),
        Command::Token { command } => commands::accounts::token(command),
        Command::Import(args) => import(args),
        Command::ImportCosts(args) => import_costs(args),
        Command::Link(args) => match commands::links::link(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Explain(args) => commands::links::explain_visit(args),
        Command::Reclassify(args) => commands::links::reclassify(args),
        Command::Aliases { command } => commands::links::aliases(command),
        Command::DemoData(args) => demo_data(args),
        Command::Backup(args) => backup(args),
        Command::Restore(args) => restore(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leadtrail: {e:#}");
            ExitCode::FAILURE
        }
    }
}
