//! leadtrail's browser tracker: the wasm half of the script a site embeds.
//!
//! The loader `js/leadtrail.js` does what needs the page — reads `location`, `referrer`
//! and localStorage, honours the opt-out and Global Privacy Control, puts the fields into
//! forms — and asks this module one question per page view ([`page_view`]): given this
//! visit and what the browser remembered, which touches do the forms carry and what must
//! be remembered now? The answer is computed by core's normalisation, the very code the
//! collector runs, so a touch means the same on both sides.
//!
//! It ships to every page of every customer site, so size is the first design goal: the
//! module takes and returns plain strings (no DOM bindings, no serde, no `url`, no float
//! formatting), which keeps the wasm-bindgen glue to a string codec. It must never break
//! a page: nothing here panics on anything a page, a URL or the storage can hold.
//!
//! It is `no_std` (with `alloc`): std's panic handler formats its message, and that
//! machinery alone was a fifth of the module. In the page build (feature
//! `page-panic-handler`) a panic — which would be a bug — traps instead: the wasm call
//! throws, and the loader catches and logs it.

#![no_std]

extern crate alloc;

pub mod memory;

use alloc::string::String;

use leadtrail_core::Visit;
use wasm_bindgen::prelude::*;

/// Look-back window when the script tag gives none (or nonsense).
pub const DEFAULT_LOOKBACK_DAYS: u32 = 90;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[cfg(all(target_arch = "wasm32", feature = "page-panic-handler"))]
#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

// (The export carries a plain comment: wasm-bindgen copies doc comments into the glue,
// which ships to every page.)
//
// One page view: `href` and `referrer` of the page, the clock in milliseconds, the two
// touches localStorage held ("" when none, unreadable or blocked) and the look-back
// window in days (0: the default). The answer is three lines — see `memory::PageView::wire`.
#[wasm_bindgen(js_name = pageView)]
pub fn page_view(
    href: &str,
    referrer: &str,
    now_ms: f64,
    stored_first: &str,
    stored_last: &str,
    lookback_days: u32,
) -> String {
    // Whole milliseconds; `as` saturates, and NaN (a broken clock) becomes 0.
    let now_ms = now_ms as i64;
    let lookback_days = if lookback_days == 0 {
        DEFAULT_LOOKBACK_DAYS
    } else {
        lookback_days
    };
    let visit = Visit::read(href, referrer, Some(now_ms));
    memory::remember(stored_first, stored_last, &visit, now_ms, lookback_days).wire()
}
