//! The query planner's statistics (`sqlite_stat1`), refreshed by the writer after large
//! changes — an import, a reclassification, demo data — so that searches keep picking
//! the right indexes without a restart.
//!
//! SQLite reads the statistics when a connection loads the schema. `ANALYZE` reloads them
//! for its own connection only (it changes the schema cookie just when it creates
//! `sqlite_stat1`), so the refresh also bumps `schema_version` — what any DDL does — and
//! every other connection (the read pool, another process's collector) reloads the schema
//! with the new statistics at its next statement. `analysis_limit` samples each index instead of reading all of it, which
//! keeps a refresh of a large file short (see `refresh_statistics` at open).

use rusqlite::Connection;

/// Rows changed since the last analysis that count as a large change.
pub(super) const LARGE_CHANGE_ROWS: u64 = 50_000;

/// Counts the rows the writer's connection changed since the statistics were refreshed.
#[derive(Debug)]
pub(super) struct PlannerStatistics {
    /// `total_changes()` of the connection when they were last refreshed.
    refreshed_at: u64,
}

impl PlannerStatistics {
    pub(super) fn new(connection: &Connection) -> PlannerStatistics {
        PlannerStatistics {
            refreshed_at: connection.total_changes(),
        }
    }

    fn due(&self, connection: &Connection) -> bool {
        connection.total_changes().saturating_sub(self.refreshed_at) >= LARGE_CHANGE_ROWS
    }

    /// After a commit: refreshes when a large change has accumulated and no write waits
    /// (a bulk writer's batches keep the queue full; the refresh comes when they stop).
    pub(super) fn after_commit(&mut self, connection: &Connection, queue_empty: bool) {
        if queue_empty && self.due(connection) {
            self.refresh(connection);
        }
    }

    /// At shutdown: whatever was left (a command-line import stops right after its last
    /// batch).
    pub(super) fn at_stop(&mut self, connection: &Connection) {
        if self.due(connection) {
            self.refresh(connection);
        }
    }

    fn refresh(&mut self, connection: &Connection) {
        let started = std::time::Instant::now();
        match analyse(connection) {
            Ok(()) => tracing::info!(
                millis = started.elapsed().as_millis() as u64,
                "refreshed the query planner's statistics after a large change"
            ),
            // An optimisation only: the data is committed either way.
            Err(error) => tracing::warn!(%error, "could not refresh query statistics"),
        }
        self.refreshed_at = connection.total_changes();
    }
}

/// A sampled `ANALYZE`, then the schema cookie moved on so that other connections load
/// what it wrote.
fn analyse(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch("PRAGMA analysis_limit = 400; BEGIN IMMEDIATE; ANALYZE;")?;
    let bumped = connection
        .query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
        .and_then(|v| connection.pragma_update(None, "schema_version", v + 1));
    match bumped {
        Ok(()) => connection.execute_batch("COMMIT"),
        Err(e) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat_rows(c: &Connection) -> i64 {
        c.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
    }

    #[test]
    fn a_large_change_refreshes_the_statistics_once_the_queue_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let c = Connection::open(dir.path().join("s.db")).unwrap();
        let other = Connection::open(dir.path().join("s.db")).unwrap();
        let schema_version = |c: &Connection| -> i64 {
            c.query_row("PRAGMA schema_version", [], |r| r.get(0))
                .unwrap()
        };
        c.execute_batch("CREATE TABLE t (x INTEGER); CREATE INDEX t_x ON t (x);")
            .unwrap();
        let mut stats = PlannerStatistics::new(&c);
        c.execute_batch("INSERT INTO t VALUES (1), (2), (3)")
            .unwrap();
        stats.after_commit(&c, true);
        assert_eq!(stat_rows(&c), 0, "a small change leaves them");
        let mut insert = c.prepare("INSERT INTO t VALUES (?1)").unwrap();
        c.execute_batch("BEGIN").unwrap();
        for i in 0..LARGE_CHANGE_ROWS {
            insert.execute([i as i64]).unwrap();
        }
        c.execute_batch("COMMIT").unwrap();
        stats.after_commit(&c, false);
        assert_eq!(stat_rows(&c), 0, "not while writes wait");
        stats.after_commit(&c, true);
        assert_eq!(stat_rows(&c), 1);
        // Again after a second large change: the other connection is told to reload.
        let seen = schema_version(&other);
        c.execute_batch("BEGIN").unwrap();
        for i in 0..LARGE_CHANGE_ROWS {
            insert.execute([i as i64]).unwrap();
        }
        c.execute_batch("COMMIT").unwrap();
        stats.after_commit(&c, true);
        assert!(schema_version(&other) > seen);
        let analysed: String = c
            .query_row("SELECT stat FROM sqlite_stat1 WHERE idx = 't_x'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(analysed.split(' ').next().unwrap().parse::<u64>().unwrap() > 0);
    }
}
