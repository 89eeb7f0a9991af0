//! `leadtrail link`, `explain`, `reclassify` and `aliases`.
//!
//! `link` and `explain` need no database; given `--db` they use its aliases (and `link`
//! its known values, for "did you mean" warnings). `reclassify` and `aliases` work on a
//! database whether or not a server is running on it: every write goes through a store
//! writer in small transactions, and SQLite's locking (WAL, busy timeout) orders them with
//! the server's.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{self, Overrides, Settings};
use crate::ops::explain::explain;
use crate::ops::json::LinkJson;
use crate::ops::link_check::{check_link, CheckLimits, CheckReport};
use crate::ops::reclassify;
use crate::store::links::KnownValues;
use crate::store::sqlite::SqliteStore;
use crate::store::{LinkStore, Store};
use crate::time::now_ms;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use leadtrail_core::channel::{SourceAliases, RULES_VERSION};
use leadtrail_core::link::{build_link, CampaignTemplate, LinkOptions, LinkRequest};

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    /// SQLite database file [env: LEADTRAIL_DB] [default: leadtrail.db]
    #[arg(long, value_name = "PATH")]
    pub(crate) db: Option<PathBuf>,
    /// TOML config file [env: LEADTRAIL_CONFIG]
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct LinkArgs {
    /// The page the link points to (absolute http(s) URL); with --check alone, the link.
    #[arg(long)]
    pub(crate) url: String,
    #[arg(long)]
    pub(crate) source: Option<String>,
    #[arg(long)]
    pub(crate) medium: Option<String>,
    #[arg(long)]
    pub(crate) campaign: Option<String>,
    #[arg(long)]
    pub(crate) term: Option<String>,
    #[arg(long)]
    pub(crate) content: Option<String>,
    /// utm_id
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// Follow the link's redirects and say whether its utm_* parameters survive
    /// (exit status 1 when they do not).
    #[arg(long)]
    pub(crate) check: bool,
    /// Print the whole answer as JSON (as the API gives it).
    #[arg(long)]
    pub(crate) json: bool,
    /// Compare with this database's sources, mediums and campaigns, and use its aliases.
    #[arg(long, value_name = "PATH")]
    pub(crate) db: Option<PathBuf>,
    /// TOML config file (for `campaign_template`) [env: LEADTRAIL_CONFIG]
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The landing page URL, as the visitor's browser shows it.
    #[arg(long)]
    pub(crate) url: String,
    /// The page the visitor came from (document.referrer).
    #[arg(long, default_value = "")]
    pub(crate) referrer: String,
    /// Use this database's source aliases too.
    #[arg(long, value_name = "PATH")]
    pub(crate) db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AliasCommand {
    /// List the operator's aliases.
    List(DbArgs),
    /// Count ALIAS as SOURCE from now on (`leadtrail reclassify` for stored touches).
    Set {
        alias: String,
        source: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Remove an alias.
    Remove {
        alias: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn settings(db: Option<PathBuf>, config: Option<PathBuf>) -> anyhow::Result<Settings> {
    config::load(
        &Overrides {
            db,
            config,
            ..Overrides::default()
        },
        std::env::vars(),
    )
    .context("cannot load settings")
}

fn open(path: &std::path::Path) -> anyhow::Result<Arc<SqliteStore>> {
    Ok(Arc::new(SqliteStore::open_existing(path).with_context(
        || format!("cannot open database {}", path.display()),
    )?))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub(crate) fn link(args: LinkArgs) -> anyhow::Result<bool> {
    let rt = runtime()?;
    let missing: Vec<&str> = [
        ("--source", &args.source),
        ("--medium", &args.medium),
        ("--campaign", &args.campaign),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_none())
    .map(|(n, _)| n)
    .collect();
    if missing.len() == 3 && args.check {
        // Check an existing link as it is.
        let limits = CheckLimits::of(&settings(None, args.config.clone())?);
        let report = rt.block_on(check_link(&args.url, &limits))?;
        return Ok(print_check(&report, args.json));
    }
    if !missing.is_empty() {
        bail!("{} required to build a link", missing.join(", "));
    }
    let settings = settings(None, args.config.clone())?;
    let template = settings
        .campaign_template
        .as_deref()
        .map(CampaignTemplate::parse)
        .transpose()
        .context("campaign_template")?;
    let (known, aliases) = match &args.db {
        Some(path) => {
            let store = open(path)?;
            rt.block_on(async {
                let known = store.known_link_values(5_000).await;
                let aliases = store.effective_aliases().await;
                store.shutdown().await;
                Ok::<_, anyhow::Error>((known?, aliases?))
            })?
        }
        None => (KnownValues::default(), SourceAliases::builtin().clone()),
    };
    let sources: Vec<&str> = known.sources.iter().map(String::as_str).collect();
    let mediums: Vec<&str> = known.mediums.iter().map(String::as_str).collect();
    let campaigns: Vec<&str> = known.campaigns.iter().map(String::as_str).collect();
    let request = LinkRequest {
        url: args.url.clone(),
        source: args.source.clone().unwrap_or_default(),
        medium: args.medium.clone().unwrap_or_default(),
        campaign: args.campaign.clone().unwrap_or_default(),
        term: args.term.clone(),
        content: args.content.clone(),
        id: args.id.clone(),
    };
    let built = build_link(
        &request,
        &LinkOptions {
            known_sources: &sources,
            known_mediums: &mediums,
            known_campaigns: &campaigns,
            campaign_template: template.as_ref(),
            aliases: Some(&aliases),
        },
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", e.field()))?;
    let url = built.url.clone();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&LinkJson::from(built))?);
    } else {
        println!("{url}");
        eprintln!(
            "channel: {} (rule {})",
            built.channel.channel, built.channel.rule
        );
        for warning in &built.warnings {
            eprintln!("warning: {warning}");
        }
    }
    if args.check {
        let report = rt.block_on(check_link(&url, &CheckLimits::of(&settings)))?;
        return Ok(print_check(&report, args.json));
    }
    Ok(true)
}

/// Prints a check's outcome; true when the parameters survived.
fn print_check(report: &CheckReport, json: bool) -> bool {
    if json {
        if let Ok(text) = serde_json::to_string_pretty(report) {
            println!("{text}");
        }
    } else {
        for hop in &report.hops {
            match &hop.location {
                Some(next) => eprintln!("{} {} -> {next}", hop.status, hop.url),
                None => eprintln!("{} {}", hop.status, hop.url),
            }
        }
        match (report.utm_survive, &report.error) {
            (Some(true), _) => eprintln!(
                "ok: every utm_* parameter arrives at {} ({} redirects)",
                report.final_url, report.redirects
            ),
            (Some(false), _) => eprintln!(
                "LOST: {} dropped or changed on the way to {}",
                report.lost.join(", "),
                report.final_url
            ),
            (None, Some(error)) => eprintln!("check failed: {error}"),
            (None, None) => eprintln!("check failed"),
        }
    }
    report.utm_survive == Some(true)
}

pub(crate) fn explain_visit(args: ExplainArgs) -> anyhow::Result<()> {
    let aliases = match &args.db {
        Some(path) => {
            let store = open(path)?;
            runtime()?.block_on(async {
                let aliases = store.effective_aliases().await;
                store.shutdown().await;
                aliases
            })?
        }
        None => SourceAliases::builtin().clone(),
    };
    let explained = explain(&args.url, &args.referrer, &aliases, now_ms());
    println!("{}", serde_json::to_string_pretty(&explained)?);
    Ok(())
}

pub(crate) fn reclassify(args: DbArgs) -> anyhow::Result<()> {
    let settings = settings(args.db, args.config)?;
    let store = open(&settings.db)?;
    let rt = runtime()?;
    let result = rt.block_on(async {
        let total = reclassify::touches(store.as_ref()).await?;
        let bar = ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{msg:>17} [{bar:40}] {pos}/{len} touches ({per_sec}, {eta} left)",
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .progress_chars("=> "),
        );
        let totals = reclassify::reclassify(store.as_ref(), |role, batch| {
            bar.set_message(role.name());
            bar.inc(batch.scanned);
        })
        .await?;
        bar.finish_and_clear();
        Ok::<_, anyhow::Error>(totals)
    });
    rt.block_on(store.shutdown());
    let totals = result?;
    println!(
        "reclassified {} touches with rules version {RULES_VERSION}: \
         {} channels changed, {} sources changed, {} rows updated",
        totals.scanned, totals.channel_changed, totals.source_changed, totals.updated
    );
    Ok(())
}

pub(crate) fn aliases(command: AliasCommand) -> anyhow::Result<()> {
    let db = match &command {
        AliasCommand::List(db) | AliasCommand::Set { db, .. } | AliasCommand::Remove { db, .. } => {
            settings(db.db.clone(), db.config.clone())?.db
        }
    };
    let store = open(&db)?;
    let rt = runtime()?;
    let result = rt.block_on(async {
        match &command {
            AliasCommand::List(_) => {
                for alias in store.source_aliases().await? {
                    println!("{}\t{}", alias.alias, alias.source);
                }
            }
            AliasCommand::Set { alias, source, .. } => {
                let saved = store
                    .put_source_alias(alias, source, now_ms())
                    .await?
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("{}\t{}", saved.alias, saved.source);
                eprintln!("new touches get it now; run `leadtrail reclassify` for stored ones");
            }
            AliasCommand::Remove { alias, .. } => {
                if !store.delete_source_alias(alias).await? {
                    bail!("no alias {alias:?}");
                }
            }
        }
        Ok(())
    });
    rt.block_on(store.shutdown());
    result
}
