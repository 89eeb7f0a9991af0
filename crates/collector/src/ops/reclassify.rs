//! Reclassification: the current aliases and channel rules applied again to every stored
//! touch, role by role, in transactions of [`BATCH`] rows through the store's writer, so
//! that form posts keep flowing between them. `leadtrail reclassify` and
//! `POST /api/v1/reclassify` both run it.

use crate::store::links::{ReclassifyBatch, TouchRole};
use crate::store::{LinkStore, StoreResult};

/// Rows per transaction. Each commit costs an fsync (about 0.1 s on the test machine), so
/// batches are large; 2000 rows take a few milliseconds of the writer's time, so a running
/// server's form posts never wait long for the lock.
pub(crate) const BATCH: usize = 2000;

/// What a whole run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Totals {
    pub(crate) scanned: u64,
    pub(crate) channel_changed: u64,
    pub(crate) source_changed: u64,
    pub(crate) updated: u64,
}

/// Runs through every role's touches; `progress` hears of each batch (the CLI's bar).
pub(crate) async fn reclassify<S: LinkStore + ?Sized>(
    store: &S,
    mut progress: impl FnMut(TouchRole, &ReclassifyBatch),
) -> StoreResult<Totals> {
    let mut totals = Totals::default();
    for role in TouchRole::ALL {
        let mut after = 0;
        loop {
            let batch = store.reclassify_batch(role, after, BATCH).await?;
            totals.scanned += batch.scanned;
            totals.channel_changed += batch.channel_changed;
            totals.source_changed += batch.source_changed;
            totals.updated += batch.updated;
            progress(role, &batch);
            match batch.last_id {
                Some(id) => after = id,
                None => break,
            }
        }
    }
    Ok(totals)
}

/// How many touches a run will look at, for a progress bar.
pub(crate) async fn touches<S: LinkStore + ?Sized>(store: &S) -> StoreResult<u64> {
    let mut total = 0;
    for role in TouchRole::ALL {
        total += store.touch_rows(role).await?;
    }
    Ok(total)
}
