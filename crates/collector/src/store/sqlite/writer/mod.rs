//! The one writer, SQLite's commit engine: a thread that owns the only write connection
//! and commits what request handlers send it in groups (group commit). It knows no table:
//! every write reaches it as code ([`Writer::apply`]); what a form post writes is
//! [`super::records`].
//!
//! Why one thread: SQLite allows one writer at a time anyway, and every durable commit
//! costs an fsync. Handlers that each opened a transaction would queue on the
//! database lock and pay one fsync each; here they queue on a channel and share one.
//!
//! The loop ([`commit`]) blocks for the first command, then takes whatever else is already queued (up
//! to a cap) — there is deliberately no timer waiting for a batch to fill: under load the
//! queue fills by itself while the previous batch runs, and when idle a lone
//! request is committed at once (a 2 ms wait halved throughput when it was measured).
//! The batch runs in one `BEGIN IMMEDIATE … COMMIT`. A command that fails for a reason of
//! its own (a constraint, a bug) must roll back alone while the others commit; rather than
//! paying a SAVEPOINT per command on every batch (SQLite then copies every page a command
//! touches into a sub-journal — a quarter of the writer's time when profiled), the batch
//! first runs without savepoints, and only if a command fails is it rolled back and
//! replayed with a SAVEPOINT per command. Only after COMMIT returns and the WAL is synced
//! ([`wal_sync`], on its own thread while the next batch runs) is any waiter
//! answered: an answer means durable.
//!
//! Errors that say the database cannot take writes now — disk full, read-only, I/O error,
//! cannot open, busy/locked — abort the whole batch (SQLite may already have rolled the
//! transaction back) and answer every waiter [`StoreError::Unavailable`]: none of them was
//! acknowledged, so nothing acknowledged is lost, and the client retries later.
//!
//! ## Extending it
//! Feature modules (submissions, leads, sales, selections, dashboards …) send their writes
//! as code with [`Writer::apply`] instead of adding a variant here. Such code may run twice
//! (a batch replayed write by write), so it is `Fn`, and it must not have effects outside
//! the connection.
//!
//! ## Change feed
//! Read models that must follow the data as it arrives (the dashboard's in-memory
//! aggregates) register a [`CommitObserver`] with [`Writer::observe`] ([`feed`]). SQLite's
//! update hook notes every row a batch inserts, updates or deletes; after COMMIT, and before
//! any waiter is answered, each observer is called on this thread with the writer's own
//! connection and those rows. An answered write is therefore already visible to every
//! observer. The rows are hints ("this rowid may have changed"): a rolled-back savepoint's
//! rows are reported too, so observers re-read each row and treat a missing one as deleted.

mod commit;
mod feed;
mod wal_sync;

use std::any::Any;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, ErrorCode};
use tokio::sync::{mpsc, oneshot};

pub(crate) use feed::{CommitObserver, RowChange};

use super::links_channels::{self, AliasBoard};
use crate::store::{StoreError, StoreResult};
use wal_sync::WalSyncer;

/// One unit of work for the writer, with where to send its answer.
pub(super) enum Command {
    Write(Write),
    /// Registers a read model that follows every commit (see "Change feed").
    Observe(CommitObserver, oneshot::Sender<()>),
    /// Commit everything queued, stop taking commands, answer, and end the thread.
    Shutdown(oneshot::Sender<()>),
}

/// The write operations, each paired with its waiter.
pub(super) enum Write {
    /// A feature module's write, given as code (see "Extending it").
    Apply(WriteFn, oneshot::Sender<StoreResult<Box<dyn Any + Send>>>),
    /// Runs raw SQL on the write connection: lets tests put the real connection into the
    /// states they need (a size cap that makes SQLite report a full disk, `query_only`).
    #[cfg(test)]
    Execute(String, oneshot::Sender<StoreResult<()>>),
    /// Panics inside the writer, as a bug would.
    #[cfg(test)]
    Panic(oneshot::Sender<StoreResult<()>>),
}

/// A write given as code. It may run more than once (a batch replayed write by write after
/// one failed), so it is `Fn` and must only act through the connection.
pub(crate) type WriteFn = Box<dyn Fn(&Connection) -> rusqlite::Result<Box<dyn Any + Send>> + Send>;

/// How the writer is tuned.
#[derive(Debug, Clone, Copy)]
pub(super) struct WriterConfig {
    /// Most commands in one transaction.
    pub(crate) max_batch: usize,
    /// Commands that may wait in the queue before senders wait for room (back-pressure).
    pub(crate) queue_capacity: usize,
}

/// Counters of what the writer committed, for benchmarks and tests.
#[derive(Debug, Default)]
pub(crate) struct WriterStats {
    batches: AtomicU64,
    writes: AtomicU64,
}

impl WriterStats {
    /// Transactions committed.
    pub(crate) fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Writes answered from committed transactions (failed writes included).
    pub(crate) fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }
}

/// The handle request handlers use: sends commands to the writer thread and awaits the
/// answers. Cheap to share behind `&`.
pub(crate) struct Writer {
    commands: mpsc::Sender<Command>,
    closing: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The writer thread's counters, for tests (the thread logs them at stop).
    #[cfg(test)]
    stats: Arc<WriterStats>,
}

impl Writer {
    /// Starts the writer thread on `connection` (already configured and migrated) of the
    /// database at `path`, with commits made durable by [`durable_commits`].
    pub(super) fn start(
        connection: Connection,
        path: &Path,
        config: WriterConfig,
        aliases: Arc<AliasBoard>,
    ) -> StoreResult<Self> {
        let syncer = durable_commits(&connection, path).map_err(|e| super::open_error(path, &e))?;
        let (commands, queue) = mpsc::channel(config.queue_capacity.max(1));
        let max_batch = config.max_batch.max(1);
        let stats = Arc::new(WriterStats::default());
        let thread_stats = Arc::clone(&stats);
        let thread = std::thread::Builder::new()
            .name("leadtrail-sqlite-writer".into())
            .spawn(move || {
                links_channels::publish_writer_aliases_on(aliases);
                commit::run(connection, queue, max_batch, &thread_stats, syncer);
            })
            .map_err(|e| StoreError::Internal(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer {
            commands,
            closing: AtomicBool::new(false),
            thread: Mutex::new(Some(thread)),
            #[cfg(test)]
            stats,
        })
    }

    /// Runs a feature module's write in the next batch and resolves once it is committed.
    /// `operation` may run more than once (see "Extending it"); its value is what the last
    /// run returned.
    pub(crate) async fn apply<T, F>(&self, operation: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let write: WriteFn = Box::new(move |connection| {
            operation(connection).map(|v| Box::new(v) as Box<dyn Any + Send>)
        });
        let value = self.call(|reply| Write::Apply(write, reply)).await?;
        value
            .downcast::<T>()
            .map(|boxed| *boxed)
            .map_err(|_| StoreError::Internal("write answered out of kind".into()))
    }

    /// Registers a read model that follows every commit; resolves once it has loaded
    /// (its first call, with `None`, has returned).
    pub(crate) async fn observe(&self, observer: CommitObserver) -> StoreResult<()> {
        let (reply, loaded) = oneshot::channel();
        self.commands
            .send(Command::Observe(observer, reply))
            .await
            .map_err(|_| self.stopped())?;
        loaded.await.map_err(|_| self.dropped())
    }

    #[cfg(test)]
    pub(super) async fn execute(&self, sql: &str) -> StoreResult<()> {
        let sql = sql.to_owned();
        self.call(|reply| Write::Execute(sql, reply)).await
    }

    #[cfg(test)]
    pub(super) async fn panic(&self) -> StoreResult<()> {
        self.call(Write::Panic).await
    }

    #[cfg(test)]
    pub(crate) fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// False once the thread has ended (shut down, or died).
    pub(crate) fn is_running(&self) -> bool {
        !self.commands.is_closed()
    }

    /// Why a command could not be handed over or answered.
    fn stopped(&self) -> StoreError {
        if self.closing.load(Ordering::Acquire) {
            StoreError::Closed
        } else {
            StoreError::Unavailable("the database writer has stopped".into())
        }
    }

    /// Why a handed-over command was never answered: the writer dropped its batch (a
    /// panic, caught, which is a bug) or the thread is gone.
    fn dropped(&self) -> StoreError {
        if self.is_running() {
            StoreError::Internal("the write failed unexpectedly; see the log".into())
        } else {
            self.stopped()
        }
    }

    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<StoreResult<T>>) -> Write,
    ) -> StoreResult<T> {
        if self.closing.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Write(make(reply)))
            .await
            .map_err(|_| self.stopped())?;
        answer.await.map_err(|_| self.dropped())?
    }

    /// Stops taking writes, waits until everything queued is committed and answered, and
    /// joins the thread. Safe to call more than once.
    pub(crate) async fn shutdown(&self) {
        self.closing.store(true, Ordering::Release);
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Shutdown(reply)).await.is_ok() {
            let _ = done.await;
        }
        let thread = self.take_thread();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    fn take_thread(&self) -> Option<JoinHandle<()>> {
        self.thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }
}

impl Drop for Writer {
    /// Dropped without `shutdown()`: no caller can still be waiting (every call borrows
    /// the writer), so the queue only holds commands of cancelled calls. Let the thread
    /// commit those and join it, so that a store reopened right after sees them.
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Release);
        let (reply, _done) = oneshot::channel();
        if self.commands.try_send(Command::Shutdown(reply)).is_ok() {
            if let Some(thread) = self.take_thread() {
                let _ = thread.join();
            }
        }
    }
}
/// True for errors that mean "the database cannot take writes right now" rather than "this
/// write is wrong".
pub(super) fn makes_unavailable(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(
            ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
        )
    )
}

/// The store's error for a SQLite error.
pub(super) fn store_error(error: &rusqlite::Error) -> StoreError {
    if makes_unavailable(error) {
        StoreError::Unavailable(error.to_string())
    } else {
        StoreError::Internal(error.to_string())
    }
}

/// Who makes each commit durable. The WAL exists once the schema is migrated; with a
/// [`WalSyncer`] on it the connection drops to `synchronous=NORMAL` and the syncer adds
/// FULL's per-commit sync on its own thread. Should the WAL file not open, the connection
/// keeps `FULL` and syncs in the writer, as before.
fn durable_commits(connection: &Connection, path: &Path) -> rusqlite::Result<Option<WalSyncer>> {
    match WalSyncer::start(path) {
        Ok(syncer) => {
            connection.execute_batch("PRAGMA synchronous = NORMAL;")?;
            Ok(Some(syncer))
        }
        Err(error) => {
            tracing::warn!(db = %path.display(), %error,
                "cannot open the WAL for syncing; the writer syncs each commit itself");
            Ok(None)
        }
    }
}
