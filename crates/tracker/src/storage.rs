//! The browser's memory: localStorage under core's `wire` keys, through web-sys.
//!
//! localStorage fails in the wild in three ways: blocked (reading `window.localStorage`
//! throws, with some privacy settings, sandboxed frames or a page that replaces it), full
//! (every write throws) and broken (any call throws). Each costs the memory across page
//! views, never the fields of this one, and never an exception on the page: every call's
//! error is dropped.

use leadtrail_core::wire::{STORAGE_FIRST, STORAGE_JOURNEY, STORAGE_LAST, STORAGE_OPT_OUT};

/// The page's localStorage, or `None` where there is none or it is blocked.
fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The value under `key`; `""` when there is none or it cannot be read.
pub(crate) fn read(key: &str) -> String {
    local()
        .and_then(|s| s.get_item(key).ok().flatten())
        .unwrap_or_default()
}

/// Stores `value` under `key` when storage lets it.
pub(crate) fn write(key: &str, value: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, value);
    }
}

/// True when this browser opted out.
pub(crate) fn opted_out() -> bool {
    read(STORAGE_OPT_OUT) == "1"
}

/// Forgets the touches and the journey and remembers the opt-out; forgetting first frees room for the
/// flag in a full storage.
pub(crate) fn opt_out() {
    if let Some(storage) = local() {
        let _ = storage.remove_item(STORAGE_FIRST);
        let _ = storage.remove_item(STORAGE_LAST);
        let _ = storage.remove_item(STORAGE_JOURNEY);
        let _ = storage.set_item(STORAGE_OPT_OUT, "1");
    }
}

/// Clears the opt-out flag.
pub(crate) fn opt_in() {
    if let Some(storage) = local() {
        let _ = storage.remove_item(STORAGE_OPT_OUT);
    }
}
