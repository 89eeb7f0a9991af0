//! When search's model is loaded and how requests reach it: on the first search after
//! start, in the background (the writer loads it on its thread, between batches, then keeps
//! it current); until then — and if loading failed — requests are answered by SQL alone,
//! so no request waits for the load.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use futures_util::FutureExt;

use super::model::{Bits, Model};
use crate::store::search::{Criteria, Entity};
use crate::store::sqlite::Writer;

pub(super) type SharedModel = Arc<RwLock<Model>>;

/// The loaded model, with the last tree it answered: a CSV export asks for the same tree
/// page after page, and a listing for its page and its total.
#[derive(Debug, Clone)]
pub(super) struct ModelHandle {
    model: SharedModel,
    shared: Arc<Shared>,
}

/// A tree's answer while the model is at `version`.
#[derive(Debug)]
struct Answer {
    key: String,
    version: u64,
    bits: Arc<Bits>,
}

impl ModelHandle {
    #[cfg(test)]
    pub(super) fn shared(&self) -> SharedModel {
        Arc::clone(&self.model)
    }

    /// The ids of `entity` matching `criteria`, or `None` when the model cannot decide it.
    pub(super) fn matches(
        &self,
        criteria: &Criteria,
        entity: Entity,
        members: &HashMap<i64, Vec<i64>>,
    ) -> Option<Arc<Bits>> {
        // Static selections' members are not followed by the model (their table has no row
        // ids for the change feed): trees naming one are not kept.
        let key = members
            .is_empty()
            .then(|| format!("{}:{}", entity.name(), criteria.to_json()));
        let model = self.model.read().unwrap_or_else(|p| p.into_inner());
        let version = model.version();
        if let Some(key) = &key {
            let last = self.shared.last.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(answer) = last.as_ref() {
                if answer.version == version && &answer.key == key {
                    return Some(Arc::clone(&answer.bits));
                }
            }
        }
        let bits = Arc::new(model.matches(criteria, entity, members)?);
        drop(model);
        if let Some(key) = key {
            *self.shared.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(Answer {
                key,
                version,
                bits: Arc::clone(&bits),
            });
        }
        Some(bits)
    }
}

/// How long a request that started the load waits before asking again: the writer may be
/// busy with a long batch, and a second registration only costs a no-op observer.
const RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub(crate) struct SearchState {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// Set once the model has loaded.
    ready: OnceLock<SharedModel>,
    /// Some observer has taken on the loading (later registrations step aside).
    claimed: AtomicBool,
    /// When the load was last asked for (ms since `epoch`; 0 never).
    asked: AtomicU64,
    epoch: OnceLock<Instant>,
    last: Mutex<Option<Answer>>,
}

impl SearchState {
    /// The model if it is loaded; otherwise asks the writer to load it (without waiting)
    /// and answers `None`.
    pub(super) fn model(&self, writer: &Writer) -> Option<ModelHandle> {
        let shared = &self.shared;
        if let Some(model) = shared.ready.get() {
            return Some(ModelHandle {
                model: Arc::clone(model),
                shared: Arc::clone(shared),
            });
        }
        if shared.claimed.load(Ordering::Acquire) {
            return None;
        }
        let epoch = *shared.epoch.get_or_init(Instant::now);
        let now = u64::try_from(epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let asked = shared.asked.load(Ordering::Acquire);
        let due = asked == 0 || now.saturating_sub(asked) > RETRY_AFTER.as_millis() as u64;
        if !due
            || shared
                .asked
                .compare_exchange(asked, now, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return None;
        }
        let mine = Arc::clone(shared);
        let mut model: Option<SharedModel> = None;
        let observer = Box::new(
            move |connection: &rusqlite::Connection,
                  rows: Option<&[crate::store::sqlite::writer::RowChange]>| {
                match (rows, &model) {
                    (None, _) => {
                        if mine.claimed.swap(true, Ordering::AcqRel) {
                            return;
                        }
                        let started = Instant::now();
                        match Model::load(connection) {
                            Ok(loaded) => {
                                let (persons, submissions, bytes) = loaded.size();
                                tracing::info!(
                                    persons,
                                    submissions,
                                    mb = bytes / 1_000_000,
                                    ms = started.elapsed().as_millis() as u64,
                                    "search model loaded"
                                );
                                let shared: SharedModel = Arc::new(RwLock::new(loaded));
                                model = Some(Arc::clone(&shared));
                                let _ = mine.ready.set(shared);
                            }
                            Err(error) => {
                                // Search goes on through SQL.
                                tracing::error!(%error, "cannot load the search model");
                            }
                        }
                    }
                    (Some(rows), Some(model)) => {
                        let mut model = model.write().unwrap_or_else(|p| p.into_inner());
                        if let Err(error) = model.apply(connection, rows) {
                            tracing::error!(%error, "search model could not follow a commit");
                        }
                    }
                    (Some(_), None) => {}
                }
            },
        );
        // Sends the registration if the writer's queue has room, without waiting for the
        // load (the observer itself publishes the model when it is done).
        let _ = writer.observe(observer).now_or_never();
        None
    }
}
