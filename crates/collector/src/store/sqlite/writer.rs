//! The one writer: a thread that owns the only write connection and commits what request
//! handlers send it in groups (group commit).
//!
//! Why one thread: SQLite allows one writer at a time anyway, and every durable commit
//! costs an fsync. Handlers that each opened a transaction would queue on the
//! database lock and pay one fsync each; here they queue on a channel and share one.
//!
//! The loop blocks for the first command, then takes whatever else is already queued (up
//! to a cap) — there is deliberately no timer waiting for a batch to fill: under load the
//! queue fills by itself while the previous batch runs, and when idle a lone
//! request is committed at once (a 2 ms wait halved throughput when it was measured).
//! The batch runs in one `BEGIN IMMEDIATE … COMMIT`. A command that fails for a reason of
//! its own (a constraint, a bug) must roll back alone while the others commit; rather than
//! paying a SAVEPOINT per command on every batch (SQLite then copies every page a command
//! touches into a sub-journal — a quarter of the writer's time when profiled), the batch
//! first runs without savepoints, and only if a command fails is it rolled back and
//! replayed with a SAVEPOINT per command. Only after COMMIT returns and the WAL is synced
//! ([`super::wal_sync`], on its own thread while the next batch runs) is any waiter
//! answered: an answer means durable.
//!
//! Errors that say the database cannot take writes now — disk full, read-only, I/O error,
//! cannot open, busy/locked — abort the whole batch (SQLite may already have rolled the
//! transaction back) and answer every waiter [`StoreError::Unavailable`]: none of them was
//! acknowledged, so nothing acknowledged is lost, and the client retries later.
//!
//! ## Extending it
//! Feature modules (leads, sales, selections, dashboards …) send their writes as code with
//! [`SubmissionWriter::apply`] instead of adding a variant here. Such code may run twice
//! (a batch replayed write by write), so it is `Fn`, and it must not have effects outside
//! the connection.
//!
//! ## Change feed
//! Read models that must follow the data as it arrives (the dashboard's in-memory
//! aggregates) register a [`CommitObserver`] with [`SubmissionWriter::observe`]. SQLite's
//! update hook notes every row a batch inserts, updates or deletes; after COMMIT, and before
//! any waiter is answered, each observer is called on this thread with the writer's own
//! connection and those rows. An answered write is therefore already visible to every
//! observer. The rows are hints ("this rowid may have changed"): a rolled-back savepoint's
//! rows are reported too, so observers re-read each row and treat a missing one as deleted.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use leadtrail_core::identity::CompanyIdentity;
use leadtrail_core::{Attribution, Touch, TouchOrigin};
use rusqlite::types::ToSql;
use rusqlite::{Connection, ErrorCode, OptionalExtension};
use tokio::sync::{mpsc, oneshot};

use super::links_channels::{self, AliasBoard, PreparedTouches};
use super::schema::{self, touch_params};
use super::wal_sync::WalSyncer;
use crate::store::{IncomingSubmission, StoreError, StoreResult, SubmissionReceipt};

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
    Record(
        Box<Recording>,
        oneshot::Sender<StoreResult<SubmissionReceipt>>,
    ),
    /// The writer's tests' plain write (an API token row).
    #[cfg(test)]
    InsertToken {
        name: String,
        sha256: [u8; 32],
        created_at: i64,
        reply: oneshot::Sender<StoreResult<()>>,
    },
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

/// One row a committed batch may have changed (SQLite's update hook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowChange {
    pub(crate) table: String,
    pub(crate) rowid: i64,
}

/// Follows the data as it is committed. Called on the writer thread with the writer's
/// connection: once with `None` when registered (load everything), then after every
/// commit with the rows it may have changed. Must be quick: writes wait for it.
pub(crate) type CommitObserver = Box<dyn FnMut(&Connection, Option<&[RowChange]>) + Send>;

/// A write's result before its transaction is committed.
enum Done {
    Receipt(SubmissionReceipt),
    /// The tests' own writes.
    #[cfg(test)]
    Unit,
    Any(Box<dyn Any + Send>),
}

/// The waiter of a write, split from the operation so that the operation can be consumed
/// while the waiter waits for the commit.
enum Waiter {
    Receipt(oneshot::Sender<StoreResult<SubmissionReceipt>>),
    #[cfg(test)]
    Unit(oneshot::Sender<StoreResult<()>>),
    Any(oneshot::Sender<StoreResult<Box<dyn Any + Send>>>),
}

impl Waiter {
    /// A waiter whose client has gone away is not an error: what was committed stays.
    fn answer(self, result: StoreResult<Done>) {
        match self {
            Waiter::Receipt(tx) => {
                let _ = tx.send(result.and_then(|done| match done {
                    Done::Receipt(receipt) => Ok(receipt),
                    _ => Err(StoreError::Internal("write answered out of kind".into())),
                }));
            }
            Waiter::Any(tx) => {
                let _ = tx.send(result.and_then(|done| match done {
                    Done::Any(value) => Ok(value),
                    _ => Err(StoreError::Internal("write answered out of kind".into())),
                }));
            }
            #[cfg(test)]
            Waiter::Unit(tx) => {
                let _ = tx.send(result.map(|_| ()));
            }
        }
    }
}

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
pub(crate) struct SubmissionWriter {
    commands: mpsc::Sender<Command>,
    closing: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The writer thread's counters, for tests (the thread logs them at stop).
    #[cfg(test)]
    stats: Arc<WriterStats>,
}

impl SubmissionWriter {
    /// Starts the writer thread on `connection` (already configured and migrated).
    /// `syncer`: who makes commits durable before they are answered (see
    /// [`super::wal_sync`]); without one the connection must sync on its own
    /// (`synchronous=FULL`).
    pub(super) fn start(
        connection: Connection,
        config: WriterConfig,
        syncer: Option<WalSyncer>,
        aliases: Arc<AliasBoard>,
    ) -> StoreResult<Self> {
        let (commands, queue) = mpsc::channel(config.queue_capacity.max(1));
        let max_batch = config.max_batch.max(1);
        let stats = Arc::new(WriterStats::default());
        let thread_stats = Arc::clone(&stats);
        let thread = std::thread::Builder::new()
            .name("leadtrail-sqlite-writer".into())
            .spawn(move || {
                links_channels::publish_writer_aliases_on(aliases);
                run(connection, queue, max_batch, &thread_stats, syncer);
            })
            .map_err(|e| StoreError::Internal(format!("cannot start the writer thread: {e}")))?;
        Ok(SubmissionWriter {
            commands,
            closing: AtomicBool::new(false),
            thread: Mutex::new(Some(thread)),
            #[cfg(test)]
            stats,
        })
    }

    /// `prepared`: the submission's touches, prepared on the caller's thread (see
    /// [`PreparedTouches`]); the writer prepares them itself when they are missing or
    /// stale.
    pub(super) async fn record(
        &self,
        submission: IncomingSubmission,
        prepared: Option<PreparedTouches>,
    ) -> StoreResult<SubmissionReceipt> {
        let recording = Box::new(Recording {
            submission,
            prepared,
        });
        self.call(|reply| Write::Record(recording, reply)).await
    }

    #[cfg(test)]
    pub(crate) async fn insert_api_token(
        &self,
        name: &str,
        sha256: [u8; 32],
        created_at: i64,
    ) -> StoreResult<()> {
        let name = name.to_owned();
        self.call(|reply| Write::InsertToken {
            name,
            sha256,
            created_at,
            reply,
        })
        .await
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

impl Drop for SubmissionWriter {
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

/// The writer thread's loop.
fn run(
    mut connection: Connection,
    mut queue: mpsc::Receiver<Command>,
    max_batch: usize,
    stats: &WriterStats,
    mut syncer: Option<WalSyncer>,
) {
    let mut batch: Vec<Write> = Vec::with_capacity(max_batch);
    let mut shutdown_waiters = Vec::new();
    let mut stopping = false;
    // Time spent waiting for work: with the WAL sync thread's figures, it tells when
    // tuning whether the writer, the disk or the HTTP side sets the pace.
    let mut idle = std::time::Duration::ZERO;
    let mut feed = ChangeFeed::install(&connection);
    let mut new_observers = Vec::new();
    let mut statistics = super::statistics::PlannerStatistics::new(&connection);
    loop {
        if stopping {
            // The queue is closed to senders; what it still holds was accepted and must
            // be committed before the shutdown is answered.
            fill(
                &mut queue,
                &mut batch,
                &mut shutdown_waiters,
                &mut new_observers,
                max_batch,
            );
            if batch.is_empty() {
                break;
            }
        } else {
            let waiting = std::time::Instant::now();
            let first = queue.blocking_recv();
            idle += waiting.elapsed();
            let Some(first) = first else {
                break; // every handle dropped
            };
            match first {
                Command::Write(write) => batch.push(write),
                Command::Shutdown(waiter) => shutdown_waiters.push(waiter),
                Command::Observe(observer, loaded) => new_observers.push((observer, loaded)),
            }
            fill(
                &mut queue,
                &mut batch,
                &mut shutdown_waiters,
                &mut new_observers,
                max_batch,
            );
            metrics::gauge!("leadtrail_writer_queue_depth").set(queue.len() as f64);
            if !shutdown_waiters.is_empty() {
                stopping = true;
                queue.close();
            }
        }
        if !batch.is_empty() {
            commit_guarded(
                &mut connection,
                std::mem::take(&mut batch),
                stats,
                &mut feed,
                syncer.as_ref(),
            );
            batch.reserve(max_batch);
            statistics.after_commit(&connection, queue.is_empty());
        }
        for (observer, loaded) in new_observers.drain(..) {
            let started = std::time::Instant::now();
            feed.add(&connection, observer);
            metrics::histogram!("leadtrail_read_model_load_seconds")
                .record(started.elapsed().as_secs_f64());
            let _ = loaded.send(());
        }
    }
    statistics.at_stop(&connection);
    // Everything committed is answered before the shutdown is.
    if let Some(syncer) = syncer.as_mut() {
        syncer.finish();
    }
    for waiter in shutdown_waiters {
        let _ = waiter.send(());
    }
    tracing::debug!(
        batches = stats.batches(),
        writes = stats.writes(),
        idle_ms = idle.as_millis() as u64,
        "sqlite writer stopped"
    );
}

/// Takes what is already queued, without waiting, up to `max_batch` writes.
fn fill(
    queue: &mut mpsc::Receiver<Command>,
    batch: &mut Vec<Write>,
    shutdown_waiters: &mut Vec<oneshot::Sender<()>>,
    new_observers: &mut Vec<(CommitObserver, oneshot::Sender<()>)>,
    max_batch: usize,
) {
    while batch.len() < max_batch {
        match queue.try_recv() {
            Ok(Command::Write(write)) => batch.push(write),
            Ok(Command::Shutdown(waiter)) => shutdown_waiters.push(waiter),
            // Added after this batch commits: an observer loads the committed state.
            Ok(Command::Observe(observer, loaded)) => new_observers.push((observer, loaded)),
            Err(_) => break,
        }
    }
}

/// Commits a batch; a panic in it (a bug) costs that batch, not the writer: its waiters'
/// senders are dropped with it, so they see "writer stopped" instead of hanging.
fn commit_guarded(
    connection: &mut Connection,
    batch: Vec<Write>,
    stats: &WriterStats,
    feed: &mut ChangeFeed,
    syncer: Option<&WalSyncer>,
) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        commit_batch(connection, batch, stats, feed, syncer)
    }));
    feed.discard();
    if outcome.is_err() {
        tracing::error!("the sqlite writer panicked while committing a batch; batch dropped");
        if !connection.is_autocommit() {
            let _ = connection.execute_batch("ROLLBACK");
        }
    }
}

fn commit_batch(
    connection: &mut Connection,
    batch: Vec<Write>,
    stats: &WriterStats,
    feed: &mut ChangeFeed,
    syncer: Option<&WalSyncer>,
) {
    #[cfg(test)]
    if let [Write::Execute(..)] = &batch[..] {
        // Alone, and outside a transaction: some connection states refuse BEGIN IMMEDIATE
        // (query_only does), and the statement that lifts them must still run.
        if let Some(Write::Execute(sql, reply)) = batch.into_iter().next() {
            let _ = reply.send(connection.execute_batch(&sql).map_err(|e| store_error(&e)));
        }
        return;
    }
    let (operations, waiters): (Vec<Operation>, Vec<Waiter>) = batch.into_iter().map(split).unzip();
    let started = std::time::Instant::now();
    metrics::histogram!("leadtrail_writer_batch_size").record(operations.len() as f64);
    let results = match run_together(connection, &operations) {
        Ok(Together::Committed(done)) => done.into_iter().map(Ok).collect(),
        Ok(Together::OneFailed) => match run_isolated(connection, &operations) {
            Ok(results) => results,
            Err(error) => return fail_all(connection, waiters, &error),
        },
        Err(error) => return fail_all(connection, waiters, &error),
    };
    metrics::histogram!("leadtrail_writer_commit_seconds").record(started.elapsed().as_secs_f64());
    // Committed: the read models catch up before anyone is told, so that an answered
    // write is visible everywhere.
    let started = std::time::Instant::now();
    feed.publish(connection);
    metrics::histogram!("leadtrail_read_model_update_seconds")
        .record(started.elapsed().as_secs_f64());
    stats.batches.fetch_add(1, Ordering::Relaxed);
    stats
        .writes
        .fetch_add(waiters.len() as u64, Ordering::Relaxed);
    let answer = move |synced: Result<(), String>| {
        for (waiter, result) in waiters.into_iter().zip(results) {
            waiter.answer(match &synced {
                Ok(()) => result,
                Err(why) => Err(StoreError::Unavailable(why.clone())),
            });
        }
    };
    match syncer {
        Some(syncer) => syncer.after_next_sync(Box::new(answer)),
        None => answer(Ok(())),
    }
}

enum Together {
    Committed(Vec<Done>),
    /// A write failed for a reason of its own; everything was rolled back.
    OneFailed,
}

/// The fast path: every write of the batch in one transaction, no savepoints. Savepoints
/// make SQLite copy each page a write touches into a sub-journal first; measured, that
/// was a quarter of the writer's time. Failures are rare, so they pay instead: the batch
/// is rolled back and replayed by [`run_isolated`].
fn run_together(connection: &Connection, operations: &[Operation]) -> rusqlite::Result<Together> {
    connection.execute_batch("BEGIN IMMEDIATE")?;
    let mut done = Vec::with_capacity(operations.len());
    for operation in operations {
        match apply(connection, operation) {
            Ok(result) => done.push(result),
            Err(error) if makes_unavailable(&error) => return Err(error),
            Err(error) => {
                tracing::warn!(%error, "a write failed; replaying its batch write by write");
                connection.execute_batch("ROLLBACK")?;
                return Ok(Together::OneFailed);
            }
        }
    }
    connection.execute_batch("COMMIT")?;
    Ok(Together::Committed(done))
}

/// The slow path: each write in its own savepoint, so that one failing write rolls back
/// alone and the others commit.
fn run_isolated(
    connection: &Connection,
    operations: &[Operation],
) -> rusqlite::Result<Vec<StoreResult<Done>>> {
    connection.execute_batch("BEGIN IMMEDIATE")?;
    let mut results = Vec::with_capacity(operations.len());
    for operation in operations {
        match in_savepoint(connection, operation) {
            Ok(done) => results.push(Ok(done)),
            Err(Failure {
                error,
                batch_intact,
            }) if makes_unavailable(&error) || !batch_intact => {
                // The database cannot take writes now, or the transaction is unusable (or
                // already rolled back by SQLite): nothing of this batch is kept, and nobody
                // is told otherwise.
                return Err(error);
            }
            Err(Failure { error, .. }) => {
                tracing::error!(%error, "a write failed and was rolled back alone");
                results.push(Err(store_error(&error)));
            }
        }
    }
    connection.execute_batch("COMMIT")?;
    Ok(results)
}

/// Rolls back whatever is open and answers every waiter with the same error.
fn fail_all(
    connection: &Connection,
    waiters: impl IntoIterator<Item = Waiter>,
    error: &rusqlite::Error,
) {
    if !connection.is_autocommit() {
        let _ = connection.execute_batch("ROLLBACK");
    }
    tracing::warn!(error = %error, "a write batch failed; nothing of it was committed");
    for waiter in waiters {
        waiter.answer(Err(store_error(error)));
    }
}

/// A submission on its way to [`record`].
pub(super) struct Recording {
    submission: IncomingSubmission,
    prepared: Option<PreparedTouches>,
}

/// A write's operation.
enum Operation {
    Record(Box<Recording>),
    Apply(WriteFn),
    #[cfg(test)]
    InsertToken {
        name: String,
        sha256: [u8; 32],
        created_at: i64,
    },
    #[cfg(test)]
    Execute(String),
    #[cfg(test)]
    Panic,
}

fn split(write: Write) -> (Operation, Waiter) {
    match write {
        Write::Apply(operation, reply) => (Operation::Apply(operation), Waiter::Any(reply)),
        Write::Record(submission, reply) => (Operation::Record(submission), Waiter::Receipt(reply)),
        #[cfg(test)]
        Write::InsertToken {
            name,
            sha256,
            created_at,
            reply,
        } => (
            Operation::InsertToken {
                name,
                sha256,
                created_at,
            },
            Waiter::Unit(reply),
        ),
        #[cfg(test)]
        Write::Execute(sql, reply) => (Operation::Execute(sql), Waiter::Unit(reply)),
        #[cfg(test)]
        Write::Panic(reply) => (Operation::Panic, Waiter::Unit(reply)),
    }
}

/// Why a write failed, and whether the batch around it can go on.
struct Failure {
    error: rusqlite::Error,
    /// False when the write's changes could not be undone on their own (or SQLite rolled
    /// the whole transaction back): the batch must be abandoned.
    batch_intact: bool,
}

/// Runs one operation inside its own savepoint: on error, everything it wrote is undone.
fn in_savepoint(connection: &Connection, operation: &Operation) -> Result<Done, Failure> {
    let outcome = connection
        .prepare_cached("SAVEPOINT write_command")
        .and_then(|mut savepoint| savepoint.execute([]))
        .and_then(|_| apply(connection, operation))
        .and_then(|done| {
            connection
                .prepare_cached("RELEASE write_command")?
                .execute([])?;
            Ok(done)
        });
    outcome.map_err(|error| {
        let undone = !connection.is_autocommit()
            && connection
                .execute_batch("ROLLBACK TO write_command; RELEASE write_command")
                .is_ok();
        Failure {
            error,
            batch_intact: undone,
        }
    })
}

fn apply(connection: &Connection, operation: &Operation) -> rusqlite::Result<Done> {
    match operation {
        Operation::Record(recording) => record_prepared(
            connection,
            &recording.submission,
            recording.prepared.as_ref(),
        )
        .map(Done::Receipt),
        Operation::Apply(operation) => operation(connection).map(Done::Any),
        #[cfg(test)]
        Operation::InsertToken {
            name,
            sha256,
            created_at,
        } => {
            connection
                .prepare_cached(
                    "INSERT INTO api_tokens (name, sha256, created_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (sha256) DO NOTHING",
                )?
                .execute((name, &sha256[..], *created_at))?;
            Ok(Done::Unit)
        }
        #[cfg(test)]
        Operation::Execute(sql) => {
            connection.execute_batch(sql)?;
            Ok(Done::Unit)
        }
        #[cfg(test)]
        Operation::Panic => panic!("a bug in the writer (test)"),
    }
}

/// The attribution rules, applied to one submission (see [`Attribution::decide`]). Consent
/// stated in the payload is recorded with it ([`super::leads::note_consent`]).
pub(super) fn record(
    connection: &Connection,
    submission: &IncomingSubmission,
) -> rusqlite::Result<SubmissionReceipt> {
    record_prepared(connection, submission, None)
}

/// [`record`], with the touches already prepared when `prepared` was made with the
/// aliases the writer holds now.
fn record_prepared(
    connection: &Connection,
    submission: &IncomingSubmission,
    prepared: Option<&PreparedTouches>,
) -> rusqlite::Result<SubmissionReceipt> {
    let IncomingSubmission {
        form_key,
        channel,
        email,
        name,
        company,
        country,
        phone,
        payload,
        first,
        current,
        origin,
        received_at,
        ..
    } = submission;
    let received_at = *received_at;
    let (form_id, utm_capture) = form_row(connection, form_key, received_at)?;
    // A form with UTM capture off keeps nothing of how the visitor came; touches given
    // through the API or an import are the caller's records and are kept as given.
    let captured = utm_capture || *origin == TouchOrigin::Api;
    // Aliases and channels before the attribution rules: every role stores the merged source
    // and its touch's channel. `first_class` is the first interaction's, which is the
    // current touch's when the browser remembered none (as Attribution::decide picks).
    let aliases = links_channels::writer_aliases(connection)?;
    let prepared_here;
    let prepared = match prepared {
        Some(prepared) if captured && prepared.made_with(&aliases) => prepared,
        _ if captured => {
            prepared_here = PreparedTouches::new(first.as_ref(), current, aliases);
            &prepared_here
        }
        _ => {
            prepared_here = PreparedTouches::new(None, &direct_touch(received_at), aliases);
            &prepared_here
        }
    };
    let (first, first_class, current, current_class) = prepared.roles();
    let no_class = schema::Classified::default();
    let existing: Option<(i64, Option<i64>)> = connection
        .prepare_cached("SELECT id, company_id FROM persons WHERE email_key = ?1")?
        .query_row([&email.key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;

    let (person_id, person_created, company_id, company_created, conversion) = match existing {
        Some((person_id, company_id)) => {
            // An existing person — and so their company — never changes.
            let attribution = Attribution::decide(first, current, false, false);
            (person_id, false, company_id, false, attribution.conversion)
        }
        None => {
            let identity = CompanyIdentity::of(company.as_deref(), email);
            let known_company = match &identity {
                Some(identity) => connection
                    .prepare_cached("SELECT id FROM companies WHERE match_key = ?1")?
                    .query_row([&identity.key], |row| row.get::<_, i64>(0))
                    .optional()?,
                None => None,
            };
            let company_is_new = identity.is_some() && known_company.is_none();
            let attribution = Attribution::decide(first, current, true, company_is_new);
            let company_id = match (identity, known_company) {
                (Some(_), Some(id)) => Some(id),
                (Some(identity), None) => Some(insert_company(
                    connection,
                    &identity,
                    attribution.company_source,
                    current_class,
                    received_at,
                )?),
                (None, _) => None,
            };
            let empty = Touch::default();
            let first_interaction = attribution.first_interaction.unwrap_or(&empty);
            let lead_generation = attribution.lead_generation.unwrap_or(&empty);
            let id = schema::next_id(connection, schema::IdTable::Persons, false)?;
            let mut params: Vec<&dyn ToSql> = vec![
                &id,
                &email.as_given,
                &email.key,
                &name,
                &company_id,
                &country,
                &phone,
                &received_at,
            ];
            params.extend(touch_params(first_interaction));
            params.extend(touch_params(lead_generation));
            params.extend(if attribution.first_interaction.is_some() {
                first_class.params()
            } else {
                no_class.params()
            });
            params.extend(if attribution.lead_generation.is_some() {
                current_class.params()
            } else {
                no_class.params()
            });
            connection
                .prepare_cached(&schema::INSERT_PERSON)?
                .execute(&*params)?;
            let person_id = connection.last_insert_rowid();
            if company_is_new && attribution.company_source.is_some() {
                own_company_source(connection, company_id, person_id)?;
            }
            (
                person_id,
                true,
                company_id,
                company_is_new,
                attribution.conversion,
            )
        }
    };

    let payload = serde_json::to_string(payload)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let origin = schema::origin_text(*origin);
    let id = schema::next_id(connection, schema::IdTable::Submissions, false)?;
    let mut params: Vec<&dyn ToSql> = vec![
        &id,
        &person_id,
        &form_id,
        &channel,
        &origin,
        &received_at,
        &payload,
    ];
    let no_touch = Touch::default();
    if captured {
        params.extend(touch_params(conversion));
        params.extend(current_class.params());
    } else {
        params.extend(touch_params(&no_touch));
        params.extend(no_class.params());
    }
    connection
        .prepare_cached(&schema::INSERT_SUBMISSION)?
        .execute(&*params)?;
    let submission_id = connection.last_insert_rowid();
    // With capture off nothing of how the visitor came is kept, the journey included.
    if captured {
        super::journeys::insert(connection, submission_id, person_id, &submission.journey)?;
    }
    if !captured {
        connection
            .prepare_cached("UPDATE submissions SET utm_capture = 0 WHERE id = ?1")?
            .execute([submission_id])?;
    }
    super::leads::note_consent(
        connection,
        super::leads::ConsentSource {
            person_id,
            form_id,
            submission_id,
            policy: submission.consent_policy,
            requester: &submission.requester,
        },
        submission.payload.get(crate::store::leads::CONSENT_FIELD),
        received_at,
    )?;
    Ok(SubmissionReceipt {
        submission_id,
        person_id,
        person_created,
        company_id,
        company_created,
    })
}

/// The form's id and whether it captures UTM touches (a new form does), registering the
/// key on first use. The one row lookup every submission makes anyway.
fn form_row(connection: &Connection, key: &str, now: i64) -> rusqlite::Result<(i64, bool)> {
    let known = connection
        .prepare_cached("SELECT id, utm_capture FROM forms WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some(known) = known {
        return Ok(known);
    }
    connection
        .prepare_cached("INSERT INTO forms (key, created_at) VALUES (?1, ?2)")?
        .execute((key, now))?;
    Ok((connection.last_insert_rowid(), true))
}

/// What a submission to a form with UTM capture off counts as: a direct visit, at the
/// time it arrived.
fn direct_touch(received_at: i64) -> Touch {
    let mut touch = Touch {
        at: Some(received_at),
        ..Touch::default()
    };
    touch.resolve();
    touch
}

pub(super) fn insert_company(
    connection: &Connection,
    identity: &CompanyIdentity,
    source: Option<&Touch>,
    class: &schema::Classified,
    now: i64,
) -> rusqlite::Result<i64> {
    let empty = Touch::default();
    let mut params: Vec<&dyn ToSql> = vec![
        &identity.display_name,
        &identity.key,
        &identity.domain,
        &identity.domain_mixes_scripts,
        &now,
    ];
    params.extend(touch_params(source.unwrap_or(&empty)));
    let no_class = schema::Classified::default();
    params.extend(if source.is_some() { class } else { &no_class }.params());
    connection
        .prepare_cached(&schema::INSERT_COMPANY)?
        .execute(&*params)?;
    Ok(connection.last_insert_rowid())
}

/// Notes whose touch a new company's source is (the person it was created with), so that
/// erasing that person scrubs it and only their export carries it.
pub(super) fn own_company_source(
    connection: &Connection,
    company_id: Option<i64>,
    person_id: i64,
) -> rusqlite::Result<()> {
    if let Some(company_id) = company_id {
        connection
            .prepare_cached("UPDATE companies SET src_person_id = ?2 WHERE id = ?1")?
            .execute((company_id, person_id))?;
    }
    Ok(())
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

/// The rows the current batch touched, noted by SQLite's update hook, and the observers
/// that follow them (see "Change feed").
struct ChangeFeed {
    touched: Arc<Mutex<Vec<RowChange>>>,
    observers: Vec<CommitObserver>,
}

impl ChangeFeed {
    /// Installs the update hook only once there is an observer: until then the hot path
    /// pays nothing for it.
    fn install(_connection: &Connection) -> ChangeFeed {
        ChangeFeed {
            touched: Arc::new(Mutex::new(Vec::new())),
            observers: Vec::new(),
        }
    }

    fn add(&mut self, connection: &Connection, mut observer: CommitObserver) {
        if self.observers.is_empty() {
            let touched = Arc::clone(&self.touched);
            connection.update_hook(Some(
                move |_action: rusqlite::hooks::Action, _db: &str, table: &str, rowid: i64| {
                    if let Ok(mut touched) = touched.lock() {
                        touched.push(RowChange {
                            table: table.to_owned(),
                            rowid,
                        });
                    }
                },
            ));
        }
        let loaded = catch_unwind(AssertUnwindSafe(|| observer(connection, None)));
        if loaded.is_err() {
            tracing::error!("a commit observer panicked while loading; it was dropped");
            return;
        }
        self.observers.push(observer);
    }

    /// Hands the committed batch's rows to every observer. An observer that panics is
    /// dropped (a bug): the writer and the other observers go on.
    fn publish(&mut self, connection: &Connection) {
        if self.observers.is_empty() {
            return;
        }
        let rows = match self.touched.lock() {
            Ok(mut touched) => std::mem::take(&mut *touched),
            Err(_) => return,
        };
        if rows.is_empty() {
            return;
        }
        self.observers.retain_mut(|observer| {
            let ok = catch_unwind(AssertUnwindSafe(|| observer(connection, Some(&rows)))).is_ok();
            if !ok {
                tracing::error!("a commit observer panicked; it was dropped");
            }
            ok
        });
    }

    /// Forgets rows of a batch that was not committed.
    fn discard(&self) {
        if let Ok(mut touched) = self.touched.lock() {
            touched.clear();
        }
    }
}
