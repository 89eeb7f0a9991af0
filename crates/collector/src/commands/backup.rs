//! `leadtrail backup --to FILE`, the scheduled backups of `serve --backup-every`, and the
//! lock file by which `serve` tells `restore` that it is running.
//!
//! A backup is `VACUUM INTO` on a connection of its own: one read transaction, so the copy
//! is the database as of one commit, and in WAL mode the collector's writer keeps
//! committing meanwhile (a reader never blocks it). The online backup API was the other
//! candidate, but copying in steps restarts from the first page whenever another
//! connection commits between two steps — under steady ingest it never finishes — and
//! copying in one step holds the same single read transaction as `VACUUM INTO` without
//! compacting the copy. The price of the long read is that checkpoints cannot recycle the
//! WAL until the copy is done, so the WAL grows by what was written during the backup.
//!
//! The copy is written next to its target as `FILE.partial` and renamed into place only
//! once `PRAGMA integrity_check` says `ok`, so a `FILE` that exists is a whole, checked
//! backup.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};

use crate::store::sqlite::SCHEMA_VERSION;

/// Tables every leadtrail database has had since its first schema version.
const CORE_TABLES: [&str; 3] = ["persons", "submissions", "forms"];

/// What a checked database file holds.
#[derive(Debug)]
pub(crate) struct Checked {
    /// Its schema version (`PRAGMA user_version`, the migrations applied).
    pub(crate) version: usize,
    /// Rows per table, by table name.
    pub(crate) tables: Vec<(String, i64)>,
}

/// Checks that `path` is a whole leadtrail database this build can open: SQLite's
/// integrity check passes, it has leadtrail's tables, and its schema is not newer than
/// this build's. Reads only.
pub(crate) fn check_database(path: &Path) -> anyhow::Result<Checked> {
    if !path.is_file() {
        bail!("{} does not exist or is not a file", path.display());
    }
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", path.display()))?;
    let not_sqlite = || format!("{} is not a SQLite database", path.display());
    let version: usize = c
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .with_context(not_sqlite)?;
    let integrity: Vec<String> = c
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .with_context(not_sqlite)?;
    if integrity != ["ok"] {
        bail!(
            "{} is damaged (integrity check: {})",
            path.display(),
            integrity.join("; ")
        );
    }
    let names: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if version == 0 || CORE_TABLES.iter().any(|t| !names.iter().any(|n| n == t)) {
        bail!(
            "{} is not a leadtrail database (no leadtrail schema in it)",
            path.display()
        );
    }
    if version > SCHEMA_VERSION {
        bail!(
            "{} has schema version {version}, newer than this leadtrail knows ({SCHEMA_VERSION}); \
             use a newer leadtrail",
            path.display()
        );
    }
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let count: i64 = c.query_row(
            &format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")),
            [],
            |row| row.get(0),
        )?;
        tables.push((name, count));
    }
    Ok(Checked { version, tables })
}

/// A finished backup.
#[derive(Debug)]
pub(crate) struct Backup {
    pub(crate) path: PathBuf,
    pub(crate) bytes: u64,
    pub(crate) seconds: f64,
    pub(crate) checked: Checked,
}

/// Copies the database at `db` to `to` (which must not exist) while others may write it,
/// then checks the copy. With `progress`, draws a bar on stderr.
pub(crate) fn backup(db: &Path, to: &Path, progress: bool) -> anyhow::Result<Backup> {
    if to.exists() {
        bail!("{} already exists; give a new file", to.display());
    }
    if !db.is_file() {
        bail!("{} does not exist", db.display());
    }
    let started = Instant::now();
    let partial = with_suffix(to, ".partial");
    // A partial file is what an interrupted backup left; it is never a backup.
    let _ = std::fs::remove_file(&partial);
    let source = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", db.display()))?;
    source.busy_timeout(Duration::from_secs(30))?;
    let total: u64 = source.query_row(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        [],
        |row| row.get::<_, i64>(0),
    )? as u64;
    let bar = progress.then(|| progress_bar(total));
    let watcher = bar.clone().map(|bar| watch_size(partial.clone(), bar));
    let copied = source.execute("VACUUM INTO ?1", [path_text(&partial)?]);
    if let Some((stop, handle)) = watcher {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = handle.join();
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e).with_context(|| format!("cannot copy {}", db.display()));
    }
    drop(source);
    let checked = match check_database(&partial) {
        Ok(checked) => checked,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context("the copy failed its check"));
        }
    };
    private(&partial)?;
    File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, to)
        .with_context(|| format!("cannot move the copy to {}", to.display()))?;
    sync_dir(to);
    Ok(Backup {
        path: to.to_owned(),
        bytes: std::fs::metadata(to)?.len(),
        seconds: started.elapsed().as_secs_f64(),
        checked,
    })
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "backup {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Follows the copy's size on a thread (VACUUM INTO reports no progress of its own).
fn watch_size(
    path: PathBuf,
    bar: indicatif::ProgressBar,
) -> (
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::spawn(move || {
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok(meta) = std::fs::metadata(&path) {
                bar.set_position(meta.len().min(bar.length().unwrap_or(u64::MAX)));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    (stop, handle)
}

fn path_text(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not a UTF-8 path", path.display()))
}

pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A backup holds personal data and token hashes: owner only.
pub(crate) fn private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(())
}

/// Makes a rename durable (best effort: not every file system syncs directories).
pub(crate) fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}

/// Prints a finished backup: where, how big, and the rows of each table.
pub(crate) fn print_summary(backup: &Backup) {
    println!(
        "backup {}: {} bytes in {:.1} s, schema version {}, integrity ok",
        backup.path.display(),
        backup.bytes,
        backup.seconds,
        backup.checked.version
    );
    for (table, rows) in &backup.checked.tables {
        println!("  {table}: {rows} rows");
    }
}

/// The scheduled backups' file names: `leadtrail-20260101T020000Z.db`, so that names
/// sort by time and the schedule deletes only files it made.
const SCHEDULED_PREFIX: &str = "leadtrail-";
const SCHEDULED_SUFFIX: &str = ".db";

/// Takes a backup every `every` into `dir`, keeping the newest `keep`, on a thread of its
/// own for as long as the process runs. A failed backup is logged and tried again at the
/// next tick.
pub(crate) fn schedule(db: PathBuf, every: Duration, keep: usize, dir: PathBuf) {
    std::thread::Builder::new()
        .name("backups".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            match scheduled_once(&db, &dir, keep) {
                Ok(backup) => tracing::info!(
                    file = %backup.path.display(),
                    bytes = backup.bytes,
                    seconds = backup.seconds,
                    "backup taken"
                ),
                Err(error) => tracing::error!(error = %format!("{error:#}"), "backup failed"),
            }
        })
        .ok();
}

fn scheduled_once(db: &Path, dir: &Path, keep: usize) -> anyhow::Result<Backup> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot make backup directory {}", dir.display()))?;
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S%.3fZ");
    let to = dir.join(format!("{SCHEDULED_PREFIX}{stamp}{SCHEDULED_SUFFIX}"));
    let backup = backup(db, &to, false)?;
    let mut ours: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(SCHEDULED_PREFIX) && n.ends_with(SCHEDULED_SUFFIX))
        })
        .collect();
    ours.sort();
    let excess = ours.len().saturating_sub(keep);
    for old in &ours[..excess] {
        if let Err(error) = std::fs::remove_file(old) {
            tracing::warn!(file = %old.display(), %error, "cannot delete an old backup");
        }
    }
    Ok(backup)
}

/// The lock `serve` holds on `<db>.lock` for as long as it runs, so that `restore` can
/// tell that a collector has the database open. The operating system releases it when
/// the process ends, however it ends; the file itself stays (deleting it would race
/// with the next holder).
#[derive(Debug)]
pub(crate) struct ServeLock {
    _file: File,
}

impl ServeLock {
    pub(crate) fn path(db: &Path) -> PathBuf {
        with_suffix(db, ".lock")
    }

    pub(crate) fn acquire(db: &Path, holder: &str) -> anyhow::Result<ServeLock> {
        let path = ServeLock::path(db);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .with_context(|| format!("cannot open lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(ServeLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "a leadtrail collector is serving {} (it holds {}); stop it before {holder}",
                db.display(),
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }
}
