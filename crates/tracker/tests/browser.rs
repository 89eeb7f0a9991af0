//! The tracker in headless Chromium: the storage rules against the real
//! `window.localStorage` (also full and blocked), the page view read from the real
//! `location`, and the hidden fields put into real forms by real submit and formdata events.
//!
//! Run with `cargo xtask test`, or directly:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p leadtrail-tracker --target wasm32-unknown-unknown`.
//! All tests share one page, so each one starts by clearing what it uses.
#![cfg(target_arch = "wasm32")]

use leadtrail_core::wire::{STORAGE_FIRST, STORAGE_LAST, STORAGE_OPT_OUT};
use leadtrail_core::{Touch, Visit};
use leadtrail_tracker::memory::{self, BrowserStorage, KeyValueStore, Refused, Touches};
use leadtrail_tracker::{forms, Settings};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, FormData, HtmlFormElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const own = Object.getOwnPropertyDescriptor(window, "localStorage");
export function block_local_storage() {
  Object.defineProperty(window, "localStorage", {
    configurable: true,
    get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
  });
}
export function unblock_local_storage() {
  if (own) { Object.defineProperty(window, "localStorage", own); } else { delete window.localStorage; }
}
export function set_gpc(on) {
  if (on) { Object.defineProperty(navigator, "globalPrivacyControl", { configurable: true, value: true }); }
  else { delete navigator.globalPrivacyControl; }
}
export function fill_storage_until_full() {
  // Halving chunks down to one character, so that not even a tiny value fits.
  let error = "never full";
  for (let i = 0, size = 1 << 20; size >= 1 && i < 10000; i++) {
    try { localStorage.setItem("f" + i, "x".repeat(size)); } catch (e) { error = e.name; size >>= 1; }
  }
  return error;
}
export function set_page_url(url) { history.replaceState(null, "", url); }
"#)]
extern "C" {
    fn block_local_storage();
    fn unblock_local_storage();
    fn set_gpc(on: bool);
    fn fill_storage_until_full() -> String;
    fn set_page_url(url: &str);
}

const NOW: i64 = 1_750_000_000_000;
const DAY: i64 = 86_400_000;
const LINKEDIN: &str =
    "https://acme.example/?utm_source=LinkedIn&utm_medium=paid_social&utm_campaign=Webinar+Sept";
const FACEBOOK: &str =
    "https://acme.example/webinar?utm_source=facebook&utm_medium=paid_social&utm_campaign=spring";
const HOME: &str = "https://acme.example/";
const SIGNUP: &str = "https://acme.example/signup";

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

fn document() -> Document {
    window().document().expect("a document")
}

fn local_storage() -> web_sys::Storage {
    window().local_storage().unwrap().expect("localStorage")
}

/// The real localStorage, emptied.
fn fresh_storage() -> BrowserStorage {
    local_storage().clear().unwrap();
    BrowserStorage::of(&window())
}

fn stored(key: &str) -> Option<String> {
    local_storage().get_item(key).unwrap()
}

fn stored_touch(key: &str) -> Option<Touch> {
    stored(key).map(|s| Touch::decode(&s))
}

fn visit(url: &str, referrer: &str, at: i64) -> Visit {
    Visit::read(url, referrer, Some(at))
}

fn remember(store: &impl KeyValueStore, url: &str, referrer: &str, at: i64) -> Touches {
    memory::remember(store, &visit(url, referrer, at), at, 90)
}

fn source_medium(touch: &Touch) -> (&str, &str) {
    (
        touch.source.as_deref().unwrap_or("?"),
        touch.medium.as_deref().unwrap_or("?"),
    )
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

// ---- the storage rules ---------------------------------------------------------------

#[wasm_bindgen_test]
fn first_interaction_is_stored_once_and_never_overwritten() {
    let store = fresh_storage();
    let touches = remember(&store, LINKEDIN, "https://www.linkedin.com/", NOW);
    assert_eq!(source_medium(&touches.first), ("linkedin", "paid_social"));
    assert_eq!(touches.first.campaign.as_deref(), Some("webinar_sept"));
    assert_eq!(touches.first.at, Some(NOW));
    let first_stored = stored(STORAGE_FIRST).expect("first interaction stored");
    assert_eq!(Touch::decode(&first_stored), touches.first);

    let later = remember(&store, FACEBOOK, "https://facebook.com/", NOW + DAY);
    assert_eq!(source_medium(&later.first), ("linkedin", "paid_social"));
    assert_eq!(source_medium(&later.last), ("facebook", "paid_social"));
    assert_eq!(stored(STORAGE_FIRST), Some(first_stored));
}

#[wasm_bindgen_test]
fn a_direct_first_visit_is_the_first_interaction() {
    let store = fresh_storage();
    let touches = remember(&store, HOME, "", NOW);
    assert!(touches.first.is_direct());
    assert_eq!(touches.first.landing_page.as_deref(), Some(HOME));
    assert!(stored_touch(STORAGE_FIRST).unwrap().is_direct());
    // A direct visit is no last touch to remember.
    assert_eq!(stored(STORAGE_LAST), None);

    let later = remember(&store, LINKEDIN, "", NOW + DAY);
    assert!(later.first.is_direct());
    assert_eq!(source_medium(&later.last), ("linkedin", "paid_social"));
}

#[wasm_bindgen_test]
fn the_last_touch_survives_navigation_and_direct_returns() {
    let store = fresh_storage();
    remember(&store, FACEBOOK, "https://facebook.com/", NOW);
    let stored_last = stored(STORAGE_LAST).expect("last touch stored");

    // Internal navigation to a page without parameters.
    let signup = remember(&store, SIGNUP, FACEBOOK, NOW + 1000);
    assert_eq!(source_medium(&signup.last), ("facebook", "paid_social"));
    assert_eq!(
        signup.last.landing_page.as_deref(),
        Some(FACEBOOK),
        "the touch is the campaign visit's, not this page's"
    );
    // A direct return a month later.
    let back = remember(&store, HOME, "", NOW + 30 * DAY);
    assert_eq!(source_medium(&back.last), ("facebook", "paid_social"));
    assert_eq!(stored(STORAGE_LAST), Some(stored_last));
}

#[wasm_bindgen_test]
fn referrals_and_click_ids_replace_the_last_touch() {
    let store = fresh_storage();
    remember(&store, FACEBOOK, "", NOW);

    let search = remember(&store, HOME, "https://www.google.com/", NOW + DAY);
    assert_eq!(source_medium(&search.last), ("google", "organic"));
    assert_eq!(
        source_medium(&stored_touch(STORAGE_LAST).unwrap()),
        ("google", "organic")
    );

    let ad = remember(
        &store,
        "https://acme.example/?gclid=Cj0KCQ_x",
        "",
        NOW + 2 * DAY,
    );
    assert_eq!(source_medium(&ad.last), ("google", "cpc"));
    assert_eq!(ad.last.click_id.as_deref(), Some("Cj0KCQ_x"));

    // Same-site referrers (sub-domains included) are navigation, not referrals.
    let blog = remember(
        &store,
        SIGNUP,
        "https://blog.acme.example/post",
        NOW + 3 * DAY,
    );
    assert_eq!(source_medium(&blog.last), ("google", "cpc"));
    assert_eq!(source_medium(&blog.first), ("facebook", "paid_social"));
}

#[wasm_bindgen_test]
fn a_last_touch_older_than_the_look_back_window_no_longer_counts() {
    let store = fresh_storage();
    remember(&store, FACEBOOK, "", NOW);

    let inside = NOW + 90 * DAY;
    let touches = memory::remember(&store, &visit(HOME, "", inside), inside, 90);
    assert_eq!(source_medium(&touches.last), ("facebook", "paid_social"));

    let outside = inside + 1;
    let touches = memory::remember(&store, &visit(HOME, "", outside), outside, 90);
    assert!(touches.last.is_direct());
    assert_eq!(touches.last.at, Some(outside));
    assert_eq!(touches.last.landing_page.as_deref(), Some(HOME));
    // The first interaction never expires.
    assert_eq!(source_medium(&touches.first), ("facebook", "paid_social"));

    // The window is configurable.
    let week = NOW + 8 * DAY;
    let touches = memory::remember(&store, &visit(HOME, "", week), week, 7);
    assert!(touches.last.is_direct());
    let touches = memory::remember(&store, &visit(HOME, "", week), week, 9);
    assert_eq!(source_medium(&touches.last), ("facebook", "paid_social"));
}

#[wasm_bindgen_test]
fn what_comes_back_from_storage_is_cleaned_again() {
    let store = fresh_storage();
    local_storage()
        .set_item(
            STORAGE_FIRST,
            "source=%20News%0Aletter&medium=Email&at=not-a-time&click_id_type=evil",
        )
        .unwrap();
    local_storage()
        .set_item(STORAGE_LAST, "nonsense&&==&source=")
        .unwrap();
    let touches = remember(&store, HOME, "", NOW);
    assert_eq!(source_medium(&touches.first), ("newsletter", "email"));
    assert_eq!(touches.first.at, None);
    assert_eq!(touches.first.click_id_type, None);
    // A stored last touch without a source is no touch: this visit's counts.
    assert!(touches.last.is_direct());
    assert_eq!(touches.last.at, Some(NOW));
}

#[wasm_bindgen_test]
fn a_stored_first_interaction_without_a_source_is_replaced() {
    let store = fresh_storage();
    local_storage().set_item(STORAGE_FIRST, "garbage").unwrap();
    let touches = remember(&store, LINKEDIN, "", NOW);
    assert_eq!(source_medium(&touches.first), ("linkedin", "paid_social"));
    assert_eq!(stored_touch(STORAGE_FIRST), Some(touches.first));
}

#[wasm_bindgen_test]
fn full_storage_still_gives_this_visits_touch() {
    let store = fresh_storage();
    let error = fill_storage_until_full();
    assert_eq!(error, "QuotaExceededError");

    let touches = remember(&store, LINKEDIN, "", NOW);
    assert_eq!(source_medium(&touches.first), ("linkedin", "paid_social"));
    assert_eq!(source_medium(&touches.last), ("linkedin", "paid_social"));
    assert_eq!(stored(STORAGE_FIRST), None, "nothing fitted");
    let fields = touches.fields();
    assert_eq!(field(&fields, "lt_first_source"), Some("linkedin"));
    assert_eq!(field(&fields, "lt_last_campaign"), Some("webinar_sept"));
    local_storage().clear().unwrap();
}

/// A storage that throws on every call, as a blocked one does.
struct Blocked;

impl KeyValueStore for Blocked {
    fn get(&self, _: &str) -> Result<Option<String>, Refused> {
        Err(Refused)
    }
    fn set(&self, _: &str, _: &str) -> Result<(), Refused> {
        Err(Refused)
    }
    fn remove(&self, _: &str) -> Result<(), Refused> {
        Err(Refused)
    }
}

#[wasm_bindgen_test]
fn blocked_storage_gives_this_visits_touch_as_both() {
    let touches = remember(&Blocked, FACEBOOK, "", NOW);
    assert_eq!(touches.first, touches.last);
    assert_eq!(source_medium(&touches.last), ("facebook", "paid_social"));
    let internal = remember(&Blocked, SIGNUP, FACEBOOK, NOW);
    assert!(internal.first.is_direct() && internal.last.is_direct());
    assert!(!memory::opted_out(&Blocked, false));
}

// ---- the page view, from the real location and storage --------------------------------

const SETTINGS: Settings = Settings {
    lookback_days: 90,
    respect_gpc: false,
};

/// Runs `body` with the test page's URL set to `query` (on the runner's own origin), and
/// puts the URL back afterwards.
fn with_page_query<T>(query: &str, body: impl FnOnce() -> T) -> T {
    let original = window().location().href().unwrap();
    set_page_url(query);
    let result = body();
    set_page_url(&original);
    result
}

#[wasm_bindgen_test]
fn a_page_view_reads_the_location_and_updates_storage() {
    fresh_storage();
    let fields = with_page_query(
        "?utm_source=LinkedIn&utm_medium=Paid+Social&utm_campaign=Webinar+Sept&li_fat_id=AbC",
        || leadtrail_tracker::page_view_fields(SETTINGS),
    );
    assert_eq!(field(&fields, "lt_v"), Some("1"));
    assert_eq!(field(&fields, "lt_first_source"), Some("linkedin"));
    assert_eq!(field(&fields, "lt_first_medium"), Some("paid_social"));
    assert_eq!(field(&fields, "lt_last_campaign"), Some("webinar_sept"));
    assert_eq!(field(&fields, "lt_last_click_id"), Some("AbC"));
    assert_eq!(field(&fields, "lt_last_click_id_type"), Some("li_fat_id"));
    let landing = field(&fields, "lt_first_landing_page").unwrap();
    assert!(
        landing.ends_with(
            "?utm_source=LinkedIn&utm_medium=Paid+Social&utm_campaign=Webinar+Sept&li_fat_id=AbC"
        ),
        "{landing}"
    );
    let at: i64 = field(&fields, "lt_first_at").unwrap().parse().unwrap();
    assert!((js_sys::Date::now() as i64 - at).abs() < 60_000);
    assert_eq!(
        stored_touch(STORAGE_LAST)
            .and_then(|t| t.campaign)
            .as_deref(),
        Some("webinar_sept")
    );

    // The next page, without parameters, still carries both touches.
    let next = leadtrail_tracker::page_view_fields(SETTINGS);
    assert_eq!(field(&next, "lt_first_source"), Some("linkedin"));
    assert_eq!(field(&next, "lt_last_source"), Some("linkedin"));
}

#[wasm_bindgen_test]
fn a_page_view_with_blocked_storage_still_has_fields() {
    fresh_storage();
    block_local_storage();
    let fields = with_page_query("?utm_source=facebook&utm_medium=paid_social", || {
        leadtrail_tracker::page_view_fields(SETTINGS)
    });
    unblock_local_storage();
    assert_eq!(field(&fields, "lt_first_source"), Some("facebook"));
    assert_eq!(field(&fields, "lt_last_source"), Some("facebook"));
    assert_eq!(stored(STORAGE_FIRST), None);
}

#[wasm_bindgen_test]
fn opted_out_browsers_get_no_fields_and_no_storage() {
    fresh_storage();
    local_storage().set_item(STORAGE_OPT_OUT, "1").unwrap();
    let fields = with_page_query("?utm_source=facebook", || {
        leadtrail_tracker::page_view_fields(SETTINGS)
    });
    assert!(fields.is_empty());
    assert_eq!(stored(STORAGE_FIRST), None);
    assert_eq!(stored(STORAGE_LAST), None);
}

#[wasm_bindgen_test]
fn global_privacy_control_counts_only_where_the_site_asks() {
    fresh_storage();
    set_gpc(true);
    let respecting = leadtrail_tracker::page_view_fields(Settings {
        respect_gpc: true,
        ..SETTINGS
    });
    let stored_while_respecting = stored(STORAGE_FIRST);
    let ignoring = leadtrail_tracker::page_view_fields(SETTINGS);
    set_gpc(false);
    assert!(respecting.is_empty());
    assert_eq!(stored_while_respecting, None);
    assert_eq!(field(&ignoring, "lt_v"), Some("1"));

    fresh_storage();
    let without_gpc = leadtrail_tracker::page_view_fields(Settings {
        respect_gpc: true,
        ..SETTINGS
    });
    assert_eq!(field(&without_gpc, "lt_v"), Some("1"));
}

#[wasm_bindgen_test]
fn the_js_api_gives_fields_and_opts_out_and_in() {
    fresh_storage();
    with_page_query("?utm_source=newsletter&utm_medium=email", || {
        leadtrail_tracker::start("form", 0, false)
    });
    let object = leadtrail_tracker::attribution();
    let get = |name: &str| {
        js_sys::Reflect::get(&object, &name.into())
            .unwrap()
            .as_string()
    };
    assert_eq!(get("lt_v").as_deref(), Some("1"));
    assert_eq!(get("lt_first_source").as_deref(), Some("newsletter"));
    assert_eq!(get("lt_last_medium").as_deref(), Some("email"));

    leadtrail_tracker::opt_out();
    assert_eq!(stored(STORAGE_OPT_OUT).as_deref(), Some("1"));
    assert_eq!(stored(STORAGE_FIRST), None, "opting out forgets");
    assert_eq!(stored(STORAGE_LAST), None, "opting out forgets");
    assert_eq!(
        js_sys::Object::keys(&leadtrail_tracker::attribution()).length(),
        0
    );

    leadtrail_tracker::opt_in();
    assert_eq!(stored(STORAGE_OPT_OUT), None);
    let object = leadtrail_tracker::attribution();
    assert_eq!(
        js_sys::Reflect::get(&object, &"lt_v".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("1")
    );
}

// ---- forms ------------------------------------------------------------------------------

/// A form in the page with one field of the site's own and a submit handler that stops
/// the navigation (it runs after the tracker's capture-phase listener, as a site's would).
fn site_form(class: &str) -> HtmlFormElement {
    let document = document();
    let form: HtmlFormElement = document.create_element("form").unwrap().unchecked_into();
    form.set_class_name(class);
    form.set_inner_html(r#"<input name="email" value="ada@example.com">"#);
    let stop = Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| e.prevent_default());
    form.add_event_listener_with_callback("submit", stop.as_ref().unchecked_ref())
        .unwrap();
    stop.forget();
    document.body().unwrap().append_child(&form).unwrap();
    form
}

fn hidden_inputs(form: &Element) -> Vec<(String, String)> {
    let list = form.query_selector_all("input[type=hidden]").unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|n| {
            let e: Element = n.unchecked_into();
            (
                e.get_attribute("name").unwrap_or_default(),
                e.get_attribute("value").unwrap_or_default(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn listening_with(selector: &str, fields: &[(&str, &str)]) {
    forms::listen(&document());
    forms::set_selector(selector);
    forms::set_fields(pairs(fields));
}

#[wasm_bindgen_test]
fn submitting_a_form_adds_and_then_refreshes_hidden_fields() {
    listening_with(
        "form",
        &[
            ("lt_v", "1"),
            ("lt_first_source", "linkedin"),
            ("lt_last_campaign", "webinar_sept"),
        ],
    );
    // Added after the tracker started listening: delegation on document covers it.
    let form = site_form("late");
    form.request_submit().unwrap();
    assert_eq!(
        hidden_inputs(&form),
        pairs(&[
            ("lt_v", "1"),
            ("lt_first_source", "linkedin"),
            ("lt_last_campaign", "webinar_sept")
        ])
    );

    forms::set_fields(pairs(&[("lt_v", "1"), ("lt_first_source", "facebook")]));
    form.request_submit().unwrap();
    assert_eq!(
        hidden_inputs(&form),
        pairs(&[("lt_v", "1"), ("lt_first_source", "facebook")]),
        "refreshed, no duplicates, stale fields gone"
    );
    let data = FormData::new_with_form(&form).unwrap();
    assert_eq!(
        data.get("email").as_string().as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        data.get("lt_first_source").as_string().as_deref(),
        Some("facebook")
    );
    form.remove();
}

#[wasm_bindgen_test]
fn form_data_built_by_script_carries_the_fields() {
    listening_with("form", &[("lt_v", "1"), ("lt_last_source", "google")]);
    // Never submitted, so no hidden inputs: only the formdata event can add them, as for a
    // site that posts `new FormData(form)` with fetch, or calls form.submit().
    let form = site_form("fetching");
    let data = FormData::new_with_form(&form).unwrap();
    assert_eq!(
        data.get("lt_last_source").as_string().as_deref(),
        Some("google")
    );
    assert_eq!(data.get("lt_v").as_string().as_deref(), Some("1"));
    assert!(hidden_inputs(&form).is_empty());
    form.remove();
}

#[wasm_bindgen_test]
fn only_forms_matching_the_selector_get_fields() {
    listening_with(".lead", &[("lt_v", "1")]);
    let lead = site_form("lead");
    let search = site_form("search");
    lead.request_submit().unwrap();
    search.request_submit().unwrap();
    assert_eq!(hidden_inputs(&lead), pairs(&[("lt_v", "1")]));
    assert!(hidden_inputs(&search).is_empty());
    assert!(FormData::new_with_form(&search)
        .unwrap()
        .get("lt_v")
        .is_null());

    // A selector that is not CSS matches nothing and throws nothing.
    forms::set_selector("[[nonsense");
    let data = FormData::new_with_form(&lead).unwrap();
    assert_eq!(
        data.get("lt_v").as_string().as_deref(),
        Some("1"),
        "the inputs from before"
    );
    let other = site_form("lead");
    other.request_submit().unwrap();
    assert!(hidden_inputs(&other).is_empty());
    lead.remove();
    search.remove();
    other.remove();
}

#[wasm_bindgen_test]
fn opted_out_forms_lose_the_fields_they_had() {
    listening_with("form", &[("lt_v", "1")]);
    let form = site_form("again");
    form.request_submit().unwrap();
    assert_eq!(hidden_inputs(&form).len(), 1);
    forms::set_fields(Vec::new());
    form.request_submit().unwrap();
    assert!(hidden_inputs(&form).is_empty());
    form.remove();
}

/// The tracker's allocator (lol_alloc's free list, which these tests run on too) under
/// churn: blocks of many sizes and alignments, freed out of order so that free blocks
/// coalesce, across several `memory.grow`s; every block must keep its own bytes.
#[wasm_bindgen_test]
fn the_allocator_keeps_blocks_apart_through_growth_and_reuse() {
    let pages_before = core::arch::wasm32::memory_size(0);
    let mut live: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut seed: u32 = 12345;
    let mut next = || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        seed >> 8
    };
    for round in 0..4000u32 {
        let size = match next() % 10 {
            0 => 70_000 + (next() % 70_000) as usize, // larger than a wasm page
            1..=3 => (next() % 4096) as usize,
            _ => (next() % 64) as usize + 1,
        };
        let tag = (round % 251) as u8;
        live.push((tag, vec![tag; size]));
        // Free a pseudo-random earlier block now and then: out-of-order frees coalesce.
        if next() % 3 == 0 && !live.is_empty() {
            let index = next() as usize % live.len();
            let (tag, block) = live.swap_remove(index);
            assert!(block.iter().all(|b| *b == tag), "a block was overwritten");
        }
        if live.len() > 64 {
            live.drain(..32);
        }
    }
    for (tag, block) in &live {
        assert!(block.iter().all(|b| b == tag), "a block was overwritten");
    }
    // Boxed values of a higher alignment land aligned.
    #[repr(align(64))]
    struct Aligned([u8; 64]);
    let boxes: Vec<Box<Aligned>> = (0..100).map(|i| Box::new(Aligned([i as u8; 64]))).collect();
    for (i, b) in boxes.iter().enumerate() {
        assert_eq!(core::ptr::from_ref::<Aligned>(b).addr() % 64, 0);
        assert!(b.0.iter().all(|x| *x == i as u8));
    }
    assert!(
        core::arch::wasm32::memory_size(0) > pages_before,
        "the test should have grown memory"
    );
}
