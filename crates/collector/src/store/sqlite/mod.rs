//! The SQLite backend of [`Store`]: one database file in WAL mode, one writer thread that
//! commits in groups ([`writer`], which knows no table), what a submission writes
//! ([`records`]), and a pool of read-only connections for queries.
//!
//! Durability: a write's future resolves only after the COMMIT that contains it returned
//! and the WAL was synced to disk — a 2xx sent on that means the row survives a crash or
//! power loss. The sync is SQLite's `synchronous=FULL` per-commit sync, done on a thread
//! of its own (the writer's `wal_sync`) so the writer builds the next batch meanwhile. Reads run on
//! tokio's blocking pool on their own connections (`query_only`), so they never wait for
//! the writer and never block a runtime thread.
//!
//! ## Schema (migrations/, applied at open, idempotent)
//! `forms` (key, registered on first use; a name and UTM capture: [`forms`]),
//! `companies` (display name, unique match key, domain, source touch), `persons` (e-mail
//! as given and its unique lower-case key, name,
//! company, country, phone, lead status, owner, first-interaction and lead-generation
//! touches), `submissions` (person, form, channel, origin, JSON payload, conversion
//! touch), `api_tokens` (SHA-256 only), a minimal `associates` for persons' owners, and
//! `users`, `sessions` and `audit_log` ([`accounts`]).
//! Times are Unix milliseconds.
//!
//! ## Why touches are stored inline
//! Each touch lives in the row it belongs to, one column per field, prefixed by its role
//! (`first_*`, `lead_*` on persons, `conv_*` on submissions, `src_*` on companies), rather
//! than in a shared `touches` table referenced by id:
//! - the searches and tiles that come next ask "persons whose lead-generation source is X,
//!   created in this period" — inline, that is one index `(lead_source, created_at)`,
//!   covering for counts; with a shared table every criterion is a join, and no index can
//!   combine a touch's value with its owner's creation time;
//! - a person reads in one row lookup, and erasing a person leaves no orphan touches;
//! - a new person costs three inserts instead of six.
//!
//! The price is width (11 columns per role) and that the same touch is stored twice when
//! it plays two roles (a new person's lead generation is also its first conversion).
//! A touch with no field set reads back as `None` where the type allows absence.
//!
//! ## Indexes
//! Source, medium and campaign of each role are indexed with `created_at` second (equality
//! on the value, the period as a range, counts answered from the index). Measured with the
//! writer benchmark (tests.rs), these twelve indexes cost about 30 % of the writer's CPU
//! per new person (≈20 µs instead of ≈14 µs); searching a million persons without them
//! would be a full scan per criterion.

mod accounts;
mod attribution;
mod companies;
mod costs;
mod dash;
mod erasure;
mod forms;
mod invitations;
mod journeys;
mod leads;
mod links;
mod links_channels;
mod preferences;
mod quality;
mod records;
mod rekey;
mod schema;
mod search;
mod statistics;
mod tiles;
mod writer;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod upgrade_every_version_tests;
#[cfg(test)]
mod upgrade_tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub(crate) use writer::Writer;

/// The schema version this build migrates databases to.
pub(crate) const SCHEMA_VERSION: usize = schema::SCHEMA_VERSION;

use links_channels::{AliasBoard, PreparedTouches};

use super::{
    Company, CompanyId, IncomingSubmission, Person, PersonId, Store, StoreError, StoreResult,
    Submission, SubmissionReceipt,
};

/// Tuning of a [`SqliteStore`]; the defaults suit the collector.
#[derive(Debug, Clone)]
pub(crate) struct StoreOptions {
    /// How long a connection waits for another process's lock before giving up with
    /// [`StoreError::Unavailable`].
    pub(crate) busy_timeout: Duration,
    /// Most writes committed in one transaction.
    pub(crate) max_batch: usize,
    /// Writes that may wait for the writer before callers wait for room.
    pub(crate) queue_capacity: usize,
    /// Read-only connections in the pool.
    pub(crate) readers: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
            max_batch: 512,
            queue_capacity: 8192,
            readers: 4,
        }
    }
}

type ReadPool = r2d2::Pool<SqliteConnectionManager>;

/// The SQLite store. Open once at start-up and share as `Arc<dyn Store>`.
pub(crate) struct SqliteStore {
    path: PathBuf,
    writer: Writer,
    readers: ReadPool,
    /// The dashboard tiles' read model (loaded on first use).
    dash: dash::DashState,
    /// Search's read model (loaded on the first search).
    search: search::SearchState,
    /// The aliases the writer holds, to prepare submissions' touches before they reach it.
    aliases: Arc<AliasBoard>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Creates a missing database file readable by its owner only: it holds personal data.
/// SQLite gives the WAL and shared-memory files the database file's permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, brings its schema up to date,
    /// and starts the writer thread and the read pool.
    pub(crate) fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, StoreOptions::default())
    }

    /// Opens the database at `path`, which must exist: for the commands that only work on
    /// a collector's database (a mistyped path must not make a new, empty one).
    pub(crate) fn open_existing(path: &Path) -> Result<SqliteStore, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Unavailable(format!(
                "{} does not exist (give the collector's database with --db, LEADTRAIL_DB or \
                 the config file; `leadtrail serve` creates a new one)",
                path.display()
            )));
        }
        SqliteStore::open(path)
    }

    pub(crate) fn open_with(path: &Path, options: StoreOptions) -> Result<SqliteStore, StoreError> {
        create_private(path).map_err(|e| {
            StoreError::Unavailable(format!("cannot open database {}: {e}", path.display()))
        })?;
        let mut connection = Connection::open(path).map_err(|e| open_error(path, &e))?;
        refuse_newer_schema(&connection, path)?;
        configure_writer(&connection, &options).map_err(|e| open_error(path, &e))?;
        schema::MIGRATIONS
            .to_latest(&mut connection)
            .map_err(|e| migration_error(path, e))?;
        schema::prune_id_floors(&connection).map_err(|e| open_error(path, &e))?;
        refresh_statistics(&connection, path);

        let busy_ms = options.busy_timeout.as_millis();
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(move |c| {
                // query_only rather than a read-only open: it keeps WAL's shared-memory
                // handling ordinary, and still refuses any write.
                c.execute_batch(&format!(
                    "PRAGMA query_only = ON; PRAGMA busy_timeout = {busy_ms};"
                ))
            });
        let readers = r2d2::Pool::builder()
            .max_size(options.readers.max(1))
            .min_idle(Some(1))
            .connection_timeout(options.busy_timeout.max(Duration::from_secs(1)))
            .build(manager)
            .map_err(|e| {
                StoreError::Unavailable(format!(
                    "cannot open read connections to {}: {e}",
                    path.display()
                ))
            })?;

        let aliases = Arc::new(AliasBoard::default());
        let writer = Writer::start(
            connection,
            path,
            writer::WriterConfig {
                max_batch: options.max_batch,
                queue_capacity: options.queue_capacity,
            },
            Arc::clone(&aliases),
        )?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writer,
            readers,
            dash: dash::DashState::default(),
            search: search::SearchState::default(),
            aliases,
        })
    }

    /// The writer, for callers that want to send writes without the trait object.
    pub(crate) fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Records a submission in the writer's next batch. `prepared`: its touches, prepared
    /// on the caller's thread (see [`PreparedTouches`]); the writer prepares them itself
    /// when they are missing or stale.
    async fn record_prepared(
        &self,
        submission: IncomingSubmission,
        prepared: Option<PreparedTouches>,
    ) -> StoreResult<SubmissionReceipt> {
        self.writer
            .apply(move |c| records::record_prepared(c, &submission, prepared.as_ref()))
            .await
    }

    /// Runs `query` on a pooled read connection on tokio's blocking pool.
    async fn read<T, F>(&self, query: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let connection = pool.get().map_err(|e| {
                StoreError::Unavailable(format!("no read connection available: {e}"))
            })?;
            query(&connection).map_err(|e| writer::store_error(&e))
        })
        .await
        .map_err(|e| StoreError::Internal(format!("read task failed: {e}")))?
    }
}

/// Refuses a database migrated by a newer build before anything is written to it (not
/// even the journal mode): an older binary started by mistake leaves it as it was.
fn refuse_newer_schema(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| open_error(path, &e))?;
    if version > schema::SCHEMA_VERSION as i64 {
        return Err(StoreError::Internal(format!(
            "database {} has schema version {version}, newer than this leadtrail knows \
             ({}); use a newer leadtrail (or restore a backup taken before the upgrade)",
            path.display(),
            schema::SCHEMA_VERSION
        )));
    }
    Ok(())
}

/// The write connection's settings. `journal_mode=WAL` is stored in the file; the others
/// hold for this connection. `secure_delete` zeroes freed space (deleted rows, the old
/// copy of an updated row), so that an erased person leaves no bytes behind in the file.
fn configure_writer(connection: &Connection, options: &StoreOptions) -> rusqlite::Result<()> {
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!(
                "the database refused WAL mode (journal_mode={mode})"
            )),
        ));
    }
    connection.busy_timeout(options.busy_timeout)?;
    connection.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16384;
         PRAGMA journal_size_limit = 67108864;
         PRAGMA secure_delete = ON;",
    )?;
    connection.set_prepared_statement_cache_capacity(32);
    Ok(())
}

/// Lets SQLite refresh the planner's statistics (`sqlite_stat1`) where tables grew a lot
/// since they were last analysed, as its documentation advises for long-lived connections.
/// Without them, searches that AND several criteria pick poor indexes (80–190 ms instead of
/// 4 ms at 100k persons). `analysis_limit` bounds the work to a sample, so a start-up on a
/// large file stays quick. Statistics are an optimisation: a failure (a read-only file) is
/// logged, never fatal.
fn refresh_statistics(connection: &Connection, path: &Path) {
    if let Err(error) =
        connection.execute_batch("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;")
    {
        tracing::warn!(db = %path.display(), %error, "could not refresh query statistics");
    }
}

fn open_error(path: &Path, error: &rusqlite::Error) -> StoreError {
    let message = format!("cannot open database {}: {error}", path.display());
    match writer::store_error(error) {
        StoreError::Unavailable(_) => StoreError::Unavailable(message),
        _ => StoreError::Internal(message),
    }
}

fn migration_error(path: &Path, error: rusqlite_migration::Error) -> StoreError {
    match error {
        rusqlite_migration::Error::RusqliteError { err, .. } => open_error(path, &err),
        rusqlite_migration::Error::MigrationDefinition(
            rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
        ) => StoreError::Internal(format!(
            "database {} has a newer schema than this leadtrail knows (version {}); \
             use a newer leadtrail",
            path.display(),
            schema::SCHEMA_VERSION
        )),
        other => StoreError::Internal(format!(
            "cannot migrate database {}: {other}",
            path.display()
        )),
    }
}

/// Records one submission on the writer's connection, from inside a write given as code
/// ([`Writer::apply`]): the step every form post goes through (source aliases,
/// channel classification with the rules version, the attribution rules, company
/// matching), for bulk writers that commit many submissions in one transaction
/// (`leadtrail demo-data`) and must store them exactly as collected ones.
pub(crate) fn record_in_write(
    connection: &Connection,
    submission: &IncomingSubmission,
) -> rusqlite::Result<SubmissionReceipt> {
    records::record(connection, submission)
}

#[async_trait]
impl Store for SqliteStore {
    async fn record_submission(
        &self,
        submission: IncomingSubmission,
    ) -> StoreResult<SubmissionReceipt> {
        // Prepared here, on the request's thread, to spare the writer (links_channels).
        let prepared = self.aliases.current().map(|aliases| {
            PreparedTouches::new(submission.first.as_ref(), &submission.current, aliases)
        });
        self.record_prepared(submission, prepared).await
    }

    async fn person(&self, id: PersonId) -> StoreResult<Option<Person>> {
        self.read(move |c| {
            c.prepare_cached(&format!("{} WHERE id = ?1", *schema::SELECT_PERSON))?
                .query_row([id], schema::person_from_row)
                .optional()
        })
        .await
    }

    #[cfg(test)]
    async fn persons_by_email(&self, email: &str) -> StoreResult<Vec<Person>> {
        // The key Email::parse makes (canonical form); an address it refuses can only
        // match a person stored before addresses were canonical.
        let key = leadtrail_core::identity::Email::parse(email)
            .map(|e| e.key)
            .unwrap_or_else(|_| email.trim().to_lowercase());
        self.read(move |c| {
            c.prepare_cached(&format!(
                "{} WHERE email_key = ?1 ORDER BY id",
                *schema::SELECT_PERSON
            ))?
            .query_map([key], schema::person_from_row)?
            .collect()
        })
        .await
    }

    async fn submissions_of(&self, person: PersonId) -> StoreResult<Vec<Submission>> {
        self.read(move |c| {
            c.prepare_cached(&schema::SELECT_SUBMISSIONS_OF)?
                .query_map([person], schema::submission_from_row)?
                .collect()
        })
        .await
    }

    async fn company(&self, id: CompanyId) -> StoreResult<Option<Company>> {
        self.read(move |c| {
            c.prepare_cached(&format!("{} WHERE id = ?1", *schema::SELECT_COMPANY))?
                .query_row([id], schema::company_from_row)
                .optional()
        })
        .await
    }

    #[cfg(test)]
    async fn insert_api_token(&self, name: &str, sha256: [u8; 32]) -> StoreResult<()> {
        let (name, created_at) = (name.to_owned(), crate::time::now_ms());
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "INSERT INTO api_tokens (name, sha256, created_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (sha256) DO NOTHING",
                )?
                .execute((&name, &sha256[..], created_at))
                .map(|_| ())
            })
            .await
    }

    #[cfg(test)]
    async fn api_token_exists(&self, sha256: [u8; 32]) -> StoreResult<bool> {
        self.read(move |c| {
            c.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM api_tokens WHERE sha256 = ?1 AND revoked_at IS NULL)",
            )?
            .query_row([&sha256[..]], |row| row.get(0))
        })
        .await
    }

    async fn health(&self) -> StoreResult<()> {
        if !self.writer.is_running() {
            return Err(StoreError::Unavailable(
                "the database writer is not running".into(),
            ));
        }
        // Reads the schema page: proves the file is there and readable, not just the pool.
        self.read(|c| {
            c.prepare_cached("SELECT count(*) FROM sqlite_schema")?
                .query_row([], |row| row.get::<_, i64>(0))
        })
        .await
        .map(|_| ())
    }

    async fn shutdown(&self) {
        self.writer.shutdown().await;
    }
}
