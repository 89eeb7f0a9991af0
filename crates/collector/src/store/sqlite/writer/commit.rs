//! The writer thread: takes what is queued, commits it as one batch, publishes the change
//! feed and hands the waiters to the WAL sync (see [`super`] for why it works this way).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::feed::{ChangeFeed, CommitObserver};
use super::wal_sync::WalSyncer;
use super::{makes_unavailable, store_error, Command, Write, WriteFn, WriterStats};
use crate::store::{StoreError, StoreResult};

/// A write's result before its transaction is committed.
enum Done {
    /// The tests' own writes.
    #[cfg(test)]
    Unit,
    Any(Box<dyn Any + Send>),
}

/// The waiter of a write, split from the operation so that the operation can be consumed
/// while the waiter waits for the commit.
enum Waiter {
    #[cfg(test)]
    Unit(oneshot::Sender<StoreResult<()>>),
    Any(oneshot::Sender<StoreResult<Box<dyn Any + Send>>>),
}

impl Waiter {
    /// A waiter whose client has gone away is not an error: what was committed stays.
    fn answer(self, result: StoreResult<Done>) {
        match self {
            Waiter::Any(tx) => {
                // Outside tests `Done` has one kind, so the match looks like a `map`.
                #[allow(clippy::bind_instead_of_map)]
                let _ = tx.send(result.and_then(|done| match done {
                    Done::Any(value) => Ok(value),
                    #[cfg(test)]
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

/// The writer thread's loop.
pub(super) fn run(
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
    let mut statistics = crate::store::sqlite::statistics::PlannerStatistics::new(&connection);
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

/// A write's operation.
enum Operation {
    Apply(WriteFn),
    #[cfg(test)]
    Execute(String),
    #[cfg(test)]
    Panic,
}

fn split(write: Write) -> (Operation, Waiter) {
    match write {
        Write::Apply(operation, reply) => (Operation::Apply(operation), Waiter::Any(reply)),
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
        Operation::Apply(operation) => operation(connection).map(Done::Any),
        #[cfg(test)]
        Operation::Execute(sql) => {
            connection.execute_batch(sql)?;
            Ok(Done::Unit)
        }
        #[cfg(test)]
        Operation::Panic => panic!("a bug in the writer (test)"),
    }
}
