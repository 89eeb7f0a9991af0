//! leadtrail's browser tracker, compiled to wasm and started by the loader `js/leadtrail.js`.
//!
//! On every page view it reads the page URL and `document.referrer` through core's
//! normalisation (the very code the collector runs), updates the touches remembered in
//! localStorage ([`memory`]) and puts both touches into the site's forms ([`forms`]).
//!
//! It ships to every page of every customer site, so it is built for size (no serde, no
//! `url`, no float formatting), and it must never break a page: nothing here panics on
//! anything a page, a URL or the storage can do, and no error reaches the page.
//!
//! It is `no_std` (with `alloc`): std's panic handler formats its message, and that
//! machinery alone was a fifth of the module. In the page build (feature
//! `page-panic-handler`) a panic — which would be a bug — traps instead: the wasm call
//! throws, and the loader catches and logs it.

#![no_std]

extern crate alloc;

pub mod forms;
pub mod memory;

use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use leadtrail_core::Visit;
use wasm_bindgen::prelude::*;

use memory::BrowserStorage;

/// Look-back window when the script tag gives none (or nonsense).
pub const DEFAULT_LOOKBACK_DAYS: u32 = 90;

/// Settings from the script tag's `data-` attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// `data-lookback-days`: how long the last touch counts.
    pub lookback_days: u32,
    /// `data-respect-gpc`: treat Global Privacy Control as an opt-out.
    pub respect_gpc: bool,
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

#[cfg(all(target_arch = "wasm32", feature = "page-panic-handler"))]
#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

// The settings of `start`. Atomics rather than a cell: a `static` must be `Sync`, and the
// page runs the tracker on one thread, so these are plain loads and stores.
static LOOKBACK_DAYS: AtomicU32 = AtomicU32::new(DEFAULT_LOOKBACK_DAYS);
static RESPECT_GPC: AtomicBool = AtomicBool::new(false);

fn settings() -> Settings {
    Settings {
        lookback_days: LOOKBACK_DAYS.load(Ordering::Relaxed),
        respect_gpc: RESPECT_GPC.load(Ordering::Relaxed),
    }
}

#[wasm_bindgen]
extern "C" {
    /// The page's `window`. web-sys's `window()` probes four globals to find it; a tracker
    /// only ever runs in a page.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: web_sys::Window;

    /// `navigator`, as far as the tracker needs it.
    type PrivacyNavigator;

    #[wasm_bindgen(thread_local_v2, js_name = navigator)]
    static NAVIGATOR: PrivacyNavigator;

    /// `navigator.globalPrivacyControl`: `true`, `false` or `undefined` (most browsers).
    /// Read on every page view rather than cached, as the browser may change it.
    #[wasm_bindgen(method, getter, js_name = globalPrivacyControl)]
    fn global_privacy_control(this: &PrivacyNavigator) -> JsValue;
}

// (The exported functions carry plain comments: wasm-bindgen copies doc comments into the
// glue, which ships to every page.)
//
// Entry point, called once by the loader with the script tag's settings
// (`lookback_days` 0 means the default).
#[wasm_bindgen]
pub fn start(forms_selector: &str, lookback_days: u32, respect_gpc: bool) {
    let lookback_days = if lookback_days == 0 {
        DEFAULT_LOOKBACK_DAYS
    } else {
        lookback_days
    };
    LOOKBACK_DAYS.store(lookback_days, Ordering::Relaxed);
    RESPECT_GPC.store(respect_gpc, Ordering::Relaxed);
    forms::set_selector(forms_selector);
    record_page_view();
    if let Some(document) = WINDOW.with(web_sys::Window::document) {
        forms::listen(&document);
    }
}

// The fields the forms of this page get, as a plain object (`{lt_v: "1", …}`); empty when
// opted out. For sites that post with `fetch` and build the body themselves.
#[wasm_bindgen]
pub fn attribution() -> js_sys::Object {
    let object = js_sys::Object::new();
    for (name, value) in forms::fields() {
        let _ = js_sys::Reflect::set(&object, &name.into(), &value.into());
    }
    object
}

// Turns tracking off in this browser: sets the opt-out flag, forgets the stored touches
// and stops adding fields to forms.
#[wasm_bindgen(js_name = optOut)]
pub fn opt_out() {
    memory::opt_out(&WINDOW.with(BrowserStorage::of));
    forms::set_fields(Vec::new());
}

// Clears the opt-out flag and records this page view as if the page had just loaded.
// Global Privacy Control, where respected, still wins.
#[wasm_bindgen(js_name = optIn)]
pub fn opt_in() {
    memory::opt_in(&WINDOW.with(BrowserStorage::of));
    record_page_view();
}

/// Reads this page view, updates the remembered touches and sets the forms' fields.
pub fn record_page_view() {
    forms::set_fields(page_view_fields(settings()));
}

/// The fields for this page view under `settings`, updating localStorage on the way.
pub fn page_view_fields(settings: Settings) -> Vec<(String, String)> {
    let window = WINDOW.with(Clone::clone);
    let gpc = settings.respect_gpc
        && NAVIGATOR.with(|n| n.global_privacy_control().as_bool()) == Some(true);
    let storage = BrowserStorage::of(&window);
    if memory::opted_out(&storage, gpc) {
        return Vec::new();
    }
    let href = window.location().href().unwrap_or_default();
    let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
    // Whole milliseconds; `as` saturates, and NaN (a broken clock) becomes 0.
    let now_ms = js_sys::Date::now() as i64;
    let visit = Visit::read(&href, &referrer, Some(now_ms));
    memory::remember(&storage, &visit, now_ms, settings.lookback_days).fields()
}
