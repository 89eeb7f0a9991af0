//! leadtrail's browser tracker: the WebAssembly module behind the script a site embeds.
//!
//! The loader `js/leadtrail.js` only starts this module, handing it the page's URL and
//! referrer as they were when the script started (before a single-page app's router can
//! rewrite them). Everything else happens here: the visit is read with the browser's own
//! URL parser and core's normalisation — the very code the collector runs, so a touch
//! means the same on both sides ([`page`]); the two touches and the opt-out live in
//! localStorage ([`storage`], rules in [`memory`]); the forms get the touches as hidden
//! `lt_*` fields ([`forms`]); links to the site's other domains carry them in one signed
//! parameter, which the tracker there adopts ([`links`], [`memory::adopt`]); and
//! `window.leadtrail` answers the page's scripts.
//!
//! It ships to every page of every customer site, so size is a design goal (only the
//! web-sys bindings used, ASCII-only lower-casing in core, touches stored in core's compact
//! query-string form rather than as JSON), and it must never break a page: nothing here
//! panics on anything a page, a URL or the storage can hold, and every failing browser call
//! costs at most the tracker's own work.

pub mod forms;
pub mod links;
pub mod memory;
pub mod page;
pub mod storage;

use leadtrail_core::wire::{STORAGE_FIRST, STORAGE_JOURNEY, STORAGE_LAST};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// What a page view needs again when the visitor opts back in.
#[derive(Debug, Clone)]
struct PageState {
    href: String,
    referrer: String,
    lookback_days: u32,
    respect_gpc: bool,
}

thread_local! {
    static PAGE: RefCell<PageState> = const {
        RefCell::new(PageState {
            href: String::new(),
            referrer: String::new(),
            lookback_days: 0,
            respect_gpc: false,
        })
    };
}

// (The exports carry plain comments: wasm-bindgen copies doc comments into the glue, which
// ships to every page.)
//
// Starts the tracker on this page: `href` and `referrer` as the loader captured them,
// `script_url`, the loader's own URL, to find its tag and settings, and `adopted`, the
// journey of the link from another of the site's domains this page was opened by, as the
// collector verified it ("" for none). True when the tag names other domains: the loader
// then asks the collector to sign the journey for their links.
#[wasm_bindgen]
pub fn start(href: String, referrer: String, script_url: &str, adopted: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let settings = page::Settings::of_tag(&document, script_url);
    forms::set(Some(settings.forms), Vec::new());
    let linking = links::set_domains(settings.link_domains);
    PAGE.with_borrow_mut(|page| {
        *page = PageState {
            href,
            referrer,
            lookback_days: settings.lookback_days,
            respect_gpc: settings.respect_gpc,
        }
    });
    if tracking() {
        if let Some(joined) = memory::adopt(
            &storage::read(STORAGE_FIRST),
            &storage::read(STORAGE_JOURNEY),
            adopted,
        ) {
            storage::write(STORAGE_FIRST, &joined.first);
            if let Some(last) = &joined.last {
                storage::write(STORAGE_LAST, last);
            }
            storage::write(STORAGE_JOURNEY, &joined.journey);
            // The visit continues the journey from the other domain: its referrer (that
            // domain's page) is no referral.
            PAGE.with_borrow_mut(|page| page.referrer.clear());
        }
    }
    view();
    forms::start(&document.into());
    linking
}

/// False while opted out, or when Global Privacy Control is on and respected.
fn tracking() -> bool {
    let respect_gpc = PAGE.with_borrow(|page| page.respect_gpc);
    let gpc =
        respect_gpc && web_sys::window().is_some_and(|w| page::global_privacy_control(&w.into()));
    !gpc && !storage::opted_out()
}

/// One page view: reads the visit, updates the memory and gives the forms their fields —
/// none while opted out or when Global Privacy Control is on and respected.
fn view() {
    forms::set(None, Vec::new());
    if !tracking() {
        return;
    }
    let PageState {
        href,
        referrer,
        lookback_days,
        ..
    } = PAGE.with_borrow(PageState::clone);
    // Whole milliseconds; `as` saturates, and NaN (a broken clock) becomes 0.
    let now_ms = js_sys::Date::now() as i64;
    let visit = page::read_visit(&href, &referrer, now_ms);
    let first = storage::read(STORAGE_FIRST);
    let last = storage::read(STORAGE_LAST);
    let journey = storage::read(STORAGE_JOURNEY);
    let view = memory::remember(&first, &last, &journey, &visit, now_ms, lookback_days);
    if let Some(first) = &view.store_first {
        storage::write(STORAGE_FIRST, first);
    }
    if let Some(last) = &view.store_last {
        storage::write(STORAGE_LAST, last);
    }
    if view.store_journey {
        storage::write(STORAGE_JOURNEY, &view.journey);
    }
    forms::set(None, view.fields());
}

// The fields the forms get now, as a plain object (`{lt_v: "1", lt_first_source: …}`),
// for sites that post with fetch or serialise forms themselves. Built with the browser's
// own calls: a serialiser would ship to every page.
#[wasm_bindgen]
pub fn attribution() -> JsValue {
    let object = js_sys::Object::new();
    forms::with_fields(|fields| {
        for (name, value) in fields {
            let _ = js_sys::Reflect::set(&object, &name.into(), &value.into());
        }
    });
    object.into()
}

// Forgets the touches, remembers the opt-out and stops the fields.
#[wasm_bindgen(js_name = optOut)]
pub fn opt_out() {
    storage::opt_out();
    forms::set(None, Vec::new());
    links::set_token(String::new());
}

// The token the collector signed for this visitor's journey: links and forms to the
// site's other domains carry it from now on.
#[wasm_bindgen]
pub fn link(token: String) {
    if tracking() {
        links::set_token(token);
    }
}

// Clears the opt-out and records this page view again.
#[wasm_bindgen(js_name = optIn)]
pub fn opt_in() {
    storage::opt_in();
    view();
}

// Covers the forms under `root`, which the tracker cannot see by itself: a closed shadow
// root, or a shadow root made after the page started that no visitor touched yet.
#[wasm_bindgen]
pub fn observe(root: JsValue) {
    forms::observe(&root);
}
