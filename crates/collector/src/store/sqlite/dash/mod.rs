//! The tiles' in-memory read model ([`facts`]), the tiles computed from it ([`compute`]),
//! and its registration with the writer's change feed.

pub(crate) mod compute;
pub(crate) mod facts;
mod trend;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod trend_tests;

use std::sync::{Arc, RwLock};

use tokio::sync::OnceCell;

use super::Writer;
use crate::store::{StoreError, StoreResult};
pub(crate) use facts::Facts;

/// The model, shared by the writer thread (which keeps it current) and the readers.
pub(crate) type SharedFacts = Arc<RwLock<Facts>>;

/// Loaded on first use: a collector nobody asks for tiles (an ingest-only node, the ingest
/// benchmark) pays neither the memory nor the per-commit upkeep.
#[derive(Debug, Default)]
pub(crate) struct DashState {
    facts: OnceCell<SharedFacts>,
}

impl DashState {
    pub(crate) async fn facts(&self, writer: &Writer) -> StoreResult<SharedFacts> {
        self.facts
            .get_or_try_init(|| async {
                let shared: SharedFacts = Arc::default();
                let model = Arc::clone(&shared);
                let failed = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let load_failed = Arc::clone(&failed);
                writer
                    .observe(Box::new(move |connection, rows| {
                        let mut facts = model.write().unwrap_or_else(|p| p.into_inner());
                        let outcome = match rows {
                            None => Facts::load(connection).map(|loaded| *facts = loaded),
                            Some(rows) => facts.apply(connection, rows),
                        };
                        if let Err(error) = outcome {
                            // Re-reading what was just committed failed: the model may lag
                            // until the next load; say so loudly rather than hide it.
                            tracing::error!(%error, "tiles could not follow a commit");
                            if rows.is_none() {
                                load_failed.store(true, std::sync::atomic::Ordering::Release);
                            }
                        }
                    }))
                    .await?;
                if failed.load(std::sync::atomic::Ordering::Acquire) {
                    return Err(StoreError::Internal("cannot load the tiles' model".into()));
                }
                Ok(shared)
            })
            .await
            .cloned()
    }
}
