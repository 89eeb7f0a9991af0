//! What the browser remembers across page views and visits: the first interaction and
//! the last significant touch, kept in localStorage under core's `wire` keys.
//!
//! The rules live here, apart from the DOM, and take the storage as a parameter so that
//! the browser tests can drive them with the real `window.localStorage` (and with a
//! storage that refuses everything, as Safari's private mode and sandboxed frames do).

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use leadtrail_core::wire::{self, Slot, STORAGE_FIRST, STORAGE_LAST, STORAGE_OPT_OUT};
use leadtrail_core::{Touch, Visit};

/// Milliseconds in a day, for the look-back window.
const DAY_MS: i64 = 86_400_000;

/// The storage refused the operation: it is blocked, full, or threw for another reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

/// A string key-value store with localStorage's failure modes: any call may throw.
pub trait KeyValueStore {
    fn get(&self, key: &str) -> Result<Option<String>, Refused>;
    fn set(&self, key: &str, value: &str) -> Result<(), Refused>;
    fn remove(&self, key: &str) -> Result<(), Refused>;
}

/// `window.localStorage`, or nothing where merely asking for it throws (blocked cookies,
/// sandboxed iframes) or it does not exist.
#[derive(Debug, Clone)]
pub struct BrowserStorage(Option<web_sys::Storage>);

impl BrowserStorage {
    pub fn of(window: &web_sys::Window) -> BrowserStorage {
        BrowserStorage(window.local_storage().ok().flatten())
    }
}

impl KeyValueStore for BrowserStorage {
    fn get(&self, key: &str) -> Result<Option<String>, Refused> {
        let storage = self.0.as_ref().ok_or(Refused)?;
        storage.get_item(key).map_err(|_| Refused)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), Refused> {
        let storage = self.0.as_ref().ok_or(Refused)?;
        storage.set_item(key, value).map_err(|_| Refused)
    }

    fn remove(&self, key: &str) -> Result<(), Refused> {
        let storage = self.0.as_ref().ok_or(Refused)?;
        storage.remove_item(key).map_err(|_| Refused)
    }
}

/// The two touches a form carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touches {
    pub first: Touch,
    pub last: Touch,
}

impl Touches {
    /// The hidden fields that carry both touches: `lt_v`, `lt_first_*`, `lt_last_*`.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![(wire::VERSION_FIELD.to_owned(), wire::VERSION.to_owned())];
        fields.extend(wire::touch_fields(Slot::First, &self.first));
        fields.extend(wire::touch_fields(Slot::Last, &self.last));
        fields
    }
}

/// True when this browser has said no: the site's opt-out flag, or Global Privacy Control
/// where the site asked to respect it. `gpc` is checked first so that a GPC browser's
/// storage is not even read.
pub fn opted_out(store: &impl KeyValueStore, gpc: bool) -> bool {
    gpc || matches!(store.get(STORAGE_OPT_OUT), Ok(Some(flag)) if flag == "1")
}

/// A stored touch, or `None` when it is missing or unusable: storage is user-writable, so
/// what comes back is cleaned again by `decode` and must at least name a source.
fn stored_touch(store: &impl KeyValueStore, key: &str) -> Result<Option<Touch>, Refused> {
    Ok(store
        .get(key)?
        .map(|encoded| Touch::decode(&encoded))
        .filter(|touch| touch.source.is_some()))
}

/// True while a touch made at `at` still counts at `now_ms`. A touch without a time
/// cannot be aged and so no longer counts: the tracker always writes one.
fn within_lookback(at: Option<i64>, now_ms: i64, lookback_days: u32) -> bool {
    at.is_some_and(|at| now_ms.saturating_sub(at) <= i64::from(lookback_days) * DAY_MS)
}

/// Applies one page view to the remembered touches and returns the two this page's forms
/// carry.
///
/// - first interaction: the stored one; when there is none, this visit's touch, which is
///   then stored (also for a direct or internal visit) and never overwritten;
/// - last touch: this visit's touch when the visit replaces it (campaign, click id,
///   external referrer; then it is stored); else the stored one while it is younger than
///   the look-back window; else this visit's (direct) touch.
///
/// Storage that refuses to be read means no memory: both touches are this visit's.
/// Storage that refuses writes (full) loses only the memory, never the fields.
pub fn remember(
    store: &impl KeyValueStore,
    visit: &Visit,
    now_ms: i64,
    lookback_days: u32,
) -> Touches {
    let current = &visit.touch;
    let Ok(stored_first) = stored_touch(store, STORAGE_FIRST) else {
        return Touches {
            first: current.clone(),
            last: current.clone(),
        };
    };
    let first = match stored_first {
        Some(first) => first,
        None => {
            let _ = store.set(STORAGE_FIRST, &current.encode());
            current.clone()
        }
    };
    let last = if visit.replaces_last_touch() {
        let _ = store.set(STORAGE_LAST, &current.encode());
        current.clone()
    } else {
        match stored_touch(store, STORAGE_LAST) {
            Ok(Some(last)) if within_lookback(last.at, now_ms, lookback_days) => last,
            _ => current.clone(),
        }
    };
    Touches { first, last }
}

/// Forgets this browser's touches and sets the opt-out flag.
pub fn opt_out(store: &impl KeyValueStore) {
    let _ = store.set(STORAGE_OPT_OUT, "1");
    let _ = store.remove(STORAGE_FIRST);
    let _ = store.remove(STORAGE_LAST);
}

/// Clears the opt-out flag.
pub fn opt_in(store: &impl KeyValueStore) {
    let _ = store.remove(STORAGE_OPT_OUT);
}
