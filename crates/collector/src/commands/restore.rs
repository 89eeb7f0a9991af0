//! `leadtrail restore FILE`: puts a backup in the database's place while no collector
//! runs, keeping the replaced database (with its WAL) aside.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::backup::{check_database, private, sync_dir, with_suffix, ServeLock};

/// What a restore did.
#[derive(Debug)]
pub(crate) struct Restored {
    pub(crate) version: usize,
    pub(crate) tables: Vec<(String, i64)>,
    /// Where the database it replaced now is, if there was one.
    pub(crate) replaced: Option<PathBuf>,
}

/// Checks `file`, then makes it the database at `db`. Refuses while a collector serves
/// `db`, and leaves `db` untouched when the file does not pass its check.
pub(crate) fn restore(file: &Path, db: &Path) -> anyhow::Result<Restored> {
    let checked = check_database(file)?;
    // Held until the new file is in place, so that a collector starting meanwhile waits
    // for nothing half-done: it refuses to start.
    let _lock = ServeLock::acquire(db, "restoring")?;
    let incoming = with_suffix(db, ".restoring");
    let _ = std::fs::remove_file(&incoming);
    std::fs::copy(file, &incoming)
        .with_context(|| format!("cannot copy {} next to {}", file.display(), db.display()))?;
    private(&incoming)?;
    std::fs::File::open(&incoming)?.sync_all()?;

    let replaced = if db.exists() {
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
        let aside = with_suffix(db, &format!(".replaced-{stamp}"));
        // The WAL and shared memory go with it under SQLite's names for the new path,
        // so the database set aside opens whole; a stale WAL left next to the restored
        // file would otherwise be replayed into it.
        for suffix in ["-wal", "-shm"] {
            let from = with_suffix(db, suffix);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&aside, suffix))
                    .with_context(|| format!("cannot move {} aside", from.display()))?;
            }
        }
        std::fs::rename(db, &aside)
            .with_context(|| format!("cannot move {} aside", db.display()))?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&incoming, db)
        .with_context(|| format!("cannot move the restored file to {}", db.display()))?;
    sync_dir(db);
    Ok(Restored {
        version: checked.version,
        tables: checked.tables,
        replaced,
    })
}
