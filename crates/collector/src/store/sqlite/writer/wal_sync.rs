//! Makes the writer's commits durable on a thread of their own, so that the writer runs
//! the next batch's SQL while the disk flushes the previous one.
//!
//! SQLite's `synchronous=FULL` in WAL mode is `NORMAL` plus one sync of the WAL file after
//! each commit (its documentation: NORMAL syncs the WAL before each checkpoint, the
//! database after each checkpoint, and the WAL header when the log is reused; FULL adds
//! the per-commit sync). Here the write connection runs `NORMAL` and this thread does that
//! one added sync, `fdatasync` on the WAL file, before the batch's waiters are answered.
//! An answer still means "on disk": the frames of a commit are written (to the page
//! cache) before COMMIT returns, and the sync that follows covers every byte written
//! before it, whichever descriptor wrote it.
//!
//! What changes is only when the writer waits: under load, commit N+1 is being built while
//! commit N is flushed, and one `fdatasync` covers every commit that arrived meanwhile.
//! Rows of a commit that is not yet synced are visible to readers a moment before its
//! writers are answered; after a power cut those rows may be gone, and none of their
//! writers was told they were stored.
//!
//! If the sync fails the batches it covered are answered "unavailable" (503): their rows
//! may or may not have reached the disk, so a client's retry may store one twice — the
//! rare failure is paid with a possible duplicate, never with an acknowledged loss.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Called once the commits before it are on disk (`Ok`) or could not be synced (`Err`,
/// why). Answers a batch's waiters.
pub(super) type AfterSync = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Batches that may wait for a sync before the writer waits too: more would only queue
/// answers the disk cannot give faster.
const QUEUED_BATCHES: usize = 64;

/// The handle the writer thread owns.
pub(super) struct WalSyncer {
    batches: Option<SyncSender<AfterSync>>,
    thread: Option<JoinHandle<()>>,
}

impl WalSyncer {
    /// Starts the thread for the WAL of the database at `database`. Fails when the WAL
    /// file cannot be opened; the writer then keeps SQLite's own per-commit sync.
    pub(super) fn start(database: &Path) -> std::io::Result<WalSyncer> {
        let wal = wal_path(database);
        let file = File::open(&wal)?;
        let (batches, queue) = mpsc::sync_channel(QUEUED_BATCHES);
        let thread = std::thread::Builder::new()
            .name("leadtrail-wal-sync".into())
            .spawn(move || run(WalFile { path: wal, file }, &queue))?;
        Ok(WalSyncer {
            batches: Some(batches),
            thread: Some(thread),
        })
    }

    /// Queues a committed batch's answers behind the next sync. Blocks while
    /// [`QUEUED_BATCHES`] batches wait already (back-pressure on the writer).
    pub(super) fn after_next_sync(&self, after: AfterSync) {
        let Some(batches) = &self.batches else {
            return after(Err("the WAL sync thread has stopped".into()));
        };
        if let Err(mpsc::SendError(after)) = batches.send(after) {
            after(Err("the WAL sync thread has stopped".into()));
        }
    }

    /// Syncs and answers everything queued, then ends the thread.
    pub(super) fn finish(&mut self) {
        self.batches = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the WAL sync thread panicked");
            }
        }
    }
}

impl Drop for WalSyncer {
    fn drop(&mut self) {
        self.finish();
    }
}

fn wal_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn run(mut wal: WalFile, queue: &Receiver<AfterSync>) {
    let mut waiting = Vec::with_capacity(QUEUED_BATCHES);
    let (mut syncs, mut batches, mut syncing) = (0u64, 0u64, std::time::Duration::ZERO);
    while let Ok(first) = queue.recv() {
        waiting.push(first);
        // Everything committed by now is covered by the one sync below.
        waiting.extend(queue.try_iter());
        let started = std::time::Instant::now();
        let outcome = wal.sync().map_err(|error| {
            tracing::error!(%error, wal = %wal.path.display(), "cannot sync the WAL to disk");
            format!("the database could not be synced to disk: {error}")
        });
        let took = started.elapsed();
        metrics::histogram!("leadtrail_wal_sync_seconds").record(took.as_secs_f64());
        syncing += took;
        syncs += 1;
        batches += waiting.len() as u64;
        for after in waiting.drain(..) {
            after(outcome.clone());
        }
    }
    // Tells, when tuning, whether the disk's flush or the writer sets the pace.
    tracing::debug!(
        syncs,
        batches,
        mean_sync_us = syncing.as_micros() as u64 / syncs.max(1),
        busy_ms = syncing.as_millis() as u64,
        "WAL sync thread stops"
    );
}

/// The WAL file, kept open. SQLite keeps the same file while any connection is open (it
/// truncates it, never replaces it); should it ever be replaced all the same, the new one
/// is opened, and should it be gone — deleted only after a complete, synced checkpoint —
/// there is nothing left to sync.
struct WalFile {
    path: PathBuf,
    file: File,
}

impl WalFile {
    fn sync(&mut self) -> std::io::Result<()> {
        match std::fs::metadata(&self.path) {
            Ok(on_disk) => {
                let open = self.file.metadata()?;
                if (on_disk.dev(), on_disk.ino()) != (open.dev(), open.ino()) {
                    self.file = File::open(&self.path)?;
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        }
        self.file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// What each batch was told, in the order it was told.
    type Told = Arc<Mutex<Vec<(usize, Result<(), String>)>>>;

    fn answers(count: usize, syncer: &WalSyncer) -> Told {
        let seen = Arc::new(Mutex::new(Vec::new()));
        for n in 0..count {
            let seen = Arc::clone(&seen);
            syncer.after_next_sync(Box::new(move |outcome| {
                seen.lock().unwrap().push((n, outcome))
            }));
        }
        seen
    }

    /// A database path whose WAL file exists (the syncer needs nothing else).
    fn database_with_wal() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        std::fs::write(wal_path(&db), b"frames").unwrap();
        (dir, db)
    }

    #[test]
    fn answers_every_batch_in_commit_order_and_finish_waits_for_them() {
        let (_dir, db) = database_with_wal();
        let mut syncer = WalSyncer::start(&db).unwrap();
        let seen = answers(500, &syncer);
        syncer.finish();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 500);
        assert!(seen
            .iter()
            .enumerate()
            .all(|(i, (n, outcome))| i == *n && outcome.is_ok()));
    }

    #[test]
    fn no_wal_file_no_syncer() {
        let dir = tempfile::tempdir().unwrap();
        assert!(WalSyncer::start(&dir.path().join("x.db")).is_err());
    }

    #[test]
    fn a_replaced_wal_is_reopened_and_a_removed_one_needs_no_sync() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let wal = wal_path(&db);
        std::fs::write(&wal, b"old").unwrap();
        let mut file = WalFile {
            path: wal.clone(),
            file: File::open(&wal).unwrap(),
        };
        let old_inode = file.file.metadata().unwrap().ino();
        std::fs::remove_file(&wal).unwrap();
        file.sync().unwrap();
        std::fs::write(&wal, b"new").unwrap();
        file.sync().unwrap();
        let inode = file.file.metadata().unwrap().ino();
        assert_eq!(inode, std::fs::metadata(&wal).unwrap().ino());
        assert_ne!(inode, old_inode);
    }

    #[test]
    fn after_the_thread_stopped_batches_are_told_so() {
        let (_dir, db) = database_with_wal();
        let mut syncer = WalSyncer::start(&db).unwrap();
        syncer.finish();
        let seen = answers(1, &syncer);
        assert!(seen.lock().unwrap()[0].1.is_err());
    }
}
