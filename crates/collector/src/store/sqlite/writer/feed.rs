//! The change feed: the rows each committed batch touched, handed to the read models that
//! follow the data (see "Change feed" in [`super`]).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

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

/// The rows the current batch touched, noted by SQLite's update hook, and the observers
/// that follow them (see "Change feed").
pub(super) struct ChangeFeed {
    touched: Arc<Mutex<Vec<RowChange>>>,
    observers: Vec<CommitObserver>,
}

impl ChangeFeed {
    /// Installs the update hook only once there is an observer: until then the hot path
    /// pays nothing for it.
    pub(super) fn install(_connection: &Connection) -> ChangeFeed {
        ChangeFeed {
            touched: Arc::new(Mutex::new(Vec::new())),
            observers: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, connection: &Connection, mut observer: CommitObserver) {
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
    pub(super) fn publish(&mut self, connection: &Connection) {
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
    pub(super) fn discard(&self) {
        if let Ok(mut touched) = self.touched.lock() {
            touched.clear();
        }
    }
}
