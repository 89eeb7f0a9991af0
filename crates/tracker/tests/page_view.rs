//! The tracker's rules for a page view: what the forms carry and what the browser must
//! remember, read the way the tracker reads a page.
//!
//! The same tests run natively (`cargo test`, with core's own query parser) and, compiled
//! to wasm, in headless Chromium with the browser's URL parser (`cargo xtask test`, or
//! directly: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p leadtrail-tracker --target
//! wasm32-unknown-unknown`). What the tracker does with a real page — its forms, shadow
//! roots, frames and a broken localStorage — is in `dom.rs`; the whole journey against the
//! collector in `tests/e2e/tracker.test.mjs`.

use std::cell::RefCell;
use std::collections::BTreeMap;

use leadtrail_core::wire::{STORAGE_FIRST, STORAGE_JOURNEY, STORAGE_LAST, STORAGE_OPT_OUT};
use leadtrail_core::{journey, Touch, Visit};
use leadtrail_tracker::memory::{self, PageView};
use leadtrail_tracker::page::{lookback_days, DEFAULT_LOOKBACK_DAYS};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NOW: i64 = 1_750_000_000_000;
const DAY: i64 = 86_400_000;
const LINKEDIN: &str =
    "https://acme.example/?utm_source=LinkedIn&utm_medium=paid_social&utm_campaign=Webinar+Sept";
const FACEBOOK: &str =
    "https://acme.example/webinar?utm_source=facebook&utm_medium=paid_social&utm_campaign=spring";
const HOME: &str = "https://acme.example/";
const SIGNUP: &str = "https://acme.example/signup";

/// A page view read as the tracker reads it: in the browser through its URL parser.
fn read(url: &str, referrer: &str, at: i64) -> Visit {
    #[cfg(target_arch = "wasm32")]
    return leadtrail_tracker::page::read_visit(url, referrer, at);
    #[cfg(not(target_arch = "wasm32"))]
    Visit::read(url, referrer, Some(at))
}

/// A browser's localStorage as the tracker uses it: it reads both touches, applies the
/// rules and writes back what they say to store.
#[derive(Default)]
struct Browser {
    storage: RefCell<BTreeMap<String, String>>,
}

/// The fields a page view gives the forms.
struct Answer {
    fields: Vec<(String, String)>,
    store_first: String,
    store_last: String,
}

impl Answer {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Browser {
    fn stored(&self, key: &str) -> Option<String> {
        self.storage.borrow().get(key).cloned()
    }

    fn stored_touch(&self, key: &str) -> Option<Touch> {
        self.stored(key).map(|s| Touch::decode(&s))
    }

    fn put(&self, key: &str, value: &str) {
        self.storage
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
    }

    /// One page view with a look-back window of `days`, as its fields.
    fn view_for(&self, url: &str, referrer: &str, at: i64, days: u32) -> Answer {
        let view = self.remember(url, referrer, at, days);
        Answer {
            fields: view.fields(),
            store_first: view.store_first.unwrap_or_default(),
            store_last: view.store_last.unwrap_or_default(),
        }
    }

    fn view(&self, url: &str, referrer: &str, at: i64) -> Answer {
        self.view_for(url, referrer, at, DEFAULT_LOOKBACK_DAYS)
    }

    /// One page view through the rules, for the touches themselves.
    fn remember(&self, url: &str, referrer: &str, at: i64, days: u32) -> PageView {
        let first = self.stored(STORAGE_FIRST).unwrap_or_default();
        let last = self.stored(STORAGE_LAST).unwrap_or_default();
        let journey = self.stored(STORAGE_JOURNEY).unwrap_or_default();
        let visit = read(url, referrer, at);
        let view = memory::remember(&first, &last, &journey, &visit, at, days);
        if let Some(first) = &view.store_first {
            self.put(STORAGE_FIRST, first);
        }
        if let Some(last) = &view.store_last {
            self.put(STORAGE_LAST, last);
        }
        if view.store_journey {
            self.put(STORAGE_JOURNEY, &view.journey);
        }
        view
    }
}

impl Browser {
    /// Follows a link from another of the site's domains carrying `journey` (as the
    /// collector verified it), as `start` does: the joined touches are stored.
    fn adopt(&self, journey: &str) -> bool {
        let first = self.stored(STORAGE_FIRST).unwrap_or_default();
        let stored = self.stored(STORAGE_JOURNEY).unwrap_or_default();
        let Some(joined) = memory::adopt(&first, &stored, journey) else {
            return false;
        };
        self.put(STORAGE_FIRST, &joined.first);
        if let Some(last) = &joined.last {
            self.put(STORAGE_LAST, last);
        }
        self.put(STORAGE_JOURNEY, &joined.journey);
        true
    }

    fn journey_sources(&self) -> Vec<String> {
        journey::decode(&self.stored(STORAGE_JOURNEY).unwrap_or_default())
            .iter()
            .map(|t| source_medium(t).0.to_owned())
            .collect()
    }
}

fn source_medium(touch: &Touch) -> (&str, &str) {
    (
        touch.source.as_deref().unwrap_or("?"),
        touch.medium.as_deref().unwrap_or("?"),
    )
}

#[test]
fn the_answer_carries_both_touches_as_fields() {
    let browser = Browser::default();
    let answer = browser.view(
        "https://acme.example/?utm_source=LinkedIn&utm_medium=Paid+Social&utm_campaign=Webinar+Sept&li_fat_id=AbC",
        "",
        NOW,
    );
    assert_eq!(answer.field("lt_v"), Some("1"));
    assert_eq!(answer.field("lt_first_source"), Some("linkedin"));
    assert_eq!(answer.field("lt_first_medium"), Some("paid_social"));
    assert_eq!(answer.field("lt_last_campaign"), Some("webinar_sept"));
    assert_eq!(answer.field("lt_last_click_id"), Some("AbC"));
    assert_eq!(answer.field("lt_last_click_id_type"), Some("li_fat_id"));
    assert_eq!(
        answer.field("lt_first_landing_page"),
        Some("https://acme.example/?utm_source=LinkedIn&utm_medium=Paid+Social&utm_campaign=Webinar+Sept&li_fat_id=AbC")
    );
    assert_eq!(answer.field("lt_first_at"), Some("1750000000000"));
    assert_eq!(
        browser
            .stored_touch(STORAGE_LAST)
            .and_then(|t| t.campaign)
            .as_deref(),
        Some("webinar_sept")
    );

    // The next page, without parameters, still carries both touches and stores nothing.
    let next = browser.view(SIGNUP, HOME, NOW + 1000);
    assert_eq!(next.field("lt_first_source"), Some("linkedin"));
    assert_eq!(next.field("lt_last_source"), Some("linkedin"));
    assert_eq!(
        (next.store_first.as_str(), next.store_last.as_str()),
        ("", "")
    );
}

#[test]
fn hostile_values_cannot_break_the_answer_apart() {
    let browser = Browser::default();
    let answer = browser.view(
        "https://acme.example/?utm_source=a%0Ab&utm_campaign=x%0D%0Ay%26lt_v%3D2&utm_content=%E2%80%AEz",
        "https://evil.example/\n?q=1",
        NOW,
    );
    assert_eq!(answer.field("lt_v"), Some("1"));
    assert_eq!(answer.field("lt_first_source"), Some("ab"));
    assert_eq!(answer.field("lt_first_campaign"), Some("xy&lt_v=2"));
    assert_eq!(answer.field("lt_first_content"), Some("z"));
    assert_eq!(
        answer.fields.iter().filter(|(n, _)| n == "lt_v").count(),
        1,
        "a value cannot add a field"
    );
}

#[test]
fn nonsense_urls_storage_and_settings_still_answer() {
    for now in [0, -1, i64::MAX] {
        let visit = read("not a url", "%%%", now);
        let view = memory::remember("&&=", "=&", "1,,=&", &visit, now, lookback_days(Some("x")));
        let answer = view.fields();
        assert_eq!(answer[0], ("lt_v".to_owned(), "1".to_owned()));
        assert!(answer.contains(&("lt_first_source".to_owned(), "(direct)".to_owned())));
    }
}

#[test]
fn twenty_five_visits_keep_twenty_touches_with_the_first() {
    let browser = Browser::default();
    browser.view(HOME, "", NOW);
    for n in 1..=25 {
        let url = format!("https://acme.example/?utm_source=s{n}&utm_medium=email");
        browser.view(&url, "", NOW + n * DAY);
        // Direct returns and internal navigation in between are not journey touches.
        browser.view(HOME, "", NOW + n * DAY + 1000);
        browser.view(SIGNUP, HOME, NOW + n * DAY + 2000);
    }
    let answer = browser.view(SIGNUP, HOME, NOW + 30 * DAY);
    let stored = browser.stored(STORAGE_JOURNEY).unwrap();
    assert_eq!(answer.field("lt_journey"), Some(stored.as_str()));
    assert!(stored.len() <= journey::MAX_BYTES);
    let touches = journey::decode(&stored);
    let sources: Vec<_> = touches.iter().map(|t| source_medium(t).0).collect();
    let mut expected = vec!["(direct)".to_owned()];
    expected.extend((7..=25).map(|n| format!("s{n}")));
    assert_eq!(sources, expected);
    assert_eq!(touches[0].at, Some(NOW));
    assert_eq!(touches[19].at, Some(NOW + 25 * DAY));
}

#[test]
fn a_campaign_first_visit_is_one_journey_touch_and_referrals_add_one() {
    let browser = Browser::default();
    browser.view(LINKEDIN, "", NOW);
    browser.view(LINKEDIN, "", NOW + 1000);
    browser.view(HOME, "https://www.google.com/", NOW + DAY);
    let answer = browser.view(SIGNUP, HOME, NOW + DAY + 1000);
    let touches = journey::decode(answer.field("lt_journey").unwrap());
    let pairs: Vec<_> = touches.iter().map(source_medium).collect();
    assert_eq!(pairs, [("linkedin", "paid_social"), ("google", "organic")]);
}

#[test]
fn the_look_back_setting_reads_like_parse_int_and_is_capped() {
    assert_eq!(lookback_days(None), DEFAULT_LOOKBACK_DAYS);
    assert_eq!(lookback_days(Some("")), DEFAULT_LOOKBACK_DAYS);
    assert_eq!(lookback_days(Some("7")), 7);
    assert_eq!(lookback_days(Some(" 30 days")), 30);
    assert_eq!(lookback_days(Some("+14")), 14);
    assert_eq!(lookback_days(Some("0")), DEFAULT_LOOKBACK_DAYS);
    assert_eq!(lookback_days(Some("-5")), DEFAULT_LOOKBACK_DAYS);
    assert_eq!(lookback_days(Some("seven")), DEFAULT_LOOKBACK_DAYS);
    assert_eq!(lookback_days(Some("99999999999999")), 36_500);
}

#[test]
fn first_interaction_is_stored_once_and_never_overwritten() {
    let browser = Browser::default();
    let view = browser.remember(LINKEDIN, "https://www.linkedin.com/", NOW, 90);
    assert_eq!(source_medium(&view.first), ("linkedin", "paid_social"));
    assert_eq!(view.first.campaign.as_deref(), Some("webinar_sept"));
    assert_eq!(view.first.at, Some(NOW));
    let first_stored = browser
        .stored(STORAGE_FIRST)
        .expect("first interaction stored");
    assert_eq!(Touch::decode(&first_stored), view.first);

    let later = browser.remember(FACEBOOK, "https://facebook.com/", NOW + DAY, 90);
    assert_eq!(later.store_first, None);
    assert_eq!(source_medium(&later.first), ("linkedin", "paid_social"));
    assert_eq!(source_medium(&later.last), ("facebook", "paid_social"));
    assert_eq!(browser.stored(STORAGE_FIRST), Some(first_stored));
}

#[test]
fn a_direct_first_visit_is_the_first_interaction() {
    let browser = Browser::default();
    let view = browser.remember(HOME, "", NOW, 90);
    assert!(view.first.is_direct());
    assert_eq!(view.first.landing_page.as_deref(), Some(HOME));
    assert!(browser.stored_touch(STORAGE_FIRST).unwrap().is_direct());
    // A direct visit is no last touch to remember.
    assert_eq!(browser.stored(STORAGE_LAST), None);

    let later = browser.remember(LINKEDIN, "", NOW + DAY, 90);
    assert!(later.first.is_direct());
    assert_eq!(source_medium(&later.last), ("linkedin", "paid_social"));
}

#[test]
fn the_last_touch_survives_navigation_and_direct_returns() {
    let browser = Browser::default();
    browser.remember(FACEBOOK, "https://facebook.com/", NOW, 90);
    let stored_last = browser.stored(STORAGE_LAST).expect("last touch stored");

    // Internal navigation to a page without parameters.
    let signup = browser.remember(SIGNUP, FACEBOOK, NOW + 1000, 90);
    assert_eq!(source_medium(&signup.last), ("facebook", "paid_social"));
    assert_eq!(
        signup.last.landing_page.as_deref(),
        Some(FACEBOOK),
        "the touch is the campaign visit's, not this page's"
    );
    // A direct return a month later.
    let back = browser.remember(HOME, "", NOW + 30 * DAY, 90);
    assert_eq!(source_medium(&back.last), ("facebook", "paid_social"));
    assert_eq!(browser.stored(STORAGE_LAST), Some(stored_last));
}

#[test]
fn referrals_and_click_ids_replace_the_last_touch() {
    let browser = Browser::default();
    browser.remember(FACEBOOK, "", NOW, 90);

    let search = browser.remember(HOME, "https://www.google.com/", NOW + DAY, 90);
    assert_eq!(source_medium(&search.last), ("google", "organic"));
    assert_eq!(
        source_medium(&browser.stored_touch(STORAGE_LAST).unwrap()),
        ("google", "organic")
    );

    let ad = browser.remember(
        "https://acme.example/?gclid=Cj0KCQ_x",
        "",
        NOW + 2 * DAY,
        90,
    );
    assert_eq!(source_medium(&ad.last), ("google", "cpc"));
    assert_eq!(ad.last.click_id.as_deref(), Some("Cj0KCQ_x"));

    // Same-site referrers (sub-domains included) are navigation, not referrals.
    let blog = browser.remember(SIGNUP, "https://blog.acme.example/post", NOW + 3 * DAY, 90);
    assert_eq!(source_medium(&blog.last), ("google", "cpc"));
    assert_eq!(source_medium(&blog.first), ("facebook", "paid_social"));
}

#[test]
fn a_last_touch_older_than_the_look_back_window_no_longer_counts() {
    let browser = Browser::default();
    browser.remember(FACEBOOK, "", NOW, 90);

    let inside = NOW + 90 * DAY;
    let view = browser.remember(HOME, "", inside, 90);
    assert_eq!(source_medium(&view.last), ("facebook", "paid_social"));

    let outside = inside + 1;
    let view = browser.remember(HOME, "", outside, 90);
    assert!(view.last.is_direct());
    assert_eq!(view.last.at, Some(outside));
    assert_eq!(view.last.landing_page.as_deref(), Some(HOME));
    assert_eq!(
        view.store_last, None,
        "an expired touch is not replaced by a direct one"
    );
    // The first interaction never expires.
    assert_eq!(source_medium(&view.first), ("facebook", "paid_social"));

    // The window is configurable, and a tag without one means 90 days.
    let week = NOW + 8 * DAY;
    assert!(browser.remember(HOME, "", week, 7).last.is_direct());
    let nine = browser.remember(HOME, "", week, 9);
    assert_eq!(source_medium(&nine.last), ("facebook", "paid_social"));
    let default = browser.view_for(HOME, "", NOW + 91 * DAY, lookback_days(None));
    assert_eq!(default.field("lt_last_source"), Some("(direct)"));
    let long = browser.view_for(HOME, "", NOW + 91 * DAY, 365);
    assert_eq!(long.field("lt_last_source"), Some("facebook"));
}

#[test]
fn what_comes_back_from_storage_is_cleaned_again() {
    let browser = Browser::default();
    browser.put(
        STORAGE_FIRST,
        "source=%20News%0Aletter&medium=Email&at=not-a-time&click_id_type=evil",
    );
    browser.put(STORAGE_LAST, "nonsense&&==&source=");
    let view = browser.remember(HOME, "", NOW, 90);
    assert_eq!(source_medium(&view.first), ("newsletter", "email"));
    assert_eq!(view.first.at, None);
    assert_eq!(view.first.click_id_type, None);
    // A stored last touch without a source is no touch: this visit's counts.
    assert!(view.last.is_direct());
    assert_eq!(view.last.at, Some(NOW));
}

#[test]
fn a_stored_first_interaction_without_a_source_is_replaced() {
    let browser = Browser::default();
    browser.put(STORAGE_FIRST, "garbage");
    let view = browser.remember(LINKEDIN, "", NOW, 90);
    assert_eq!(source_medium(&view.first), ("linkedin", "paid_social"));
    assert_eq!(browser.stored_touch(STORAGE_FIRST), Some(view.first));
}

#[test]
fn storage_that_gives_nothing_makes_this_visit_both_touches() {
    // Blocked or full storage: the loader reads "" and its writes fail.
    let view = memory::remember("", "", "", &read(FACEBOOK, "", NOW), NOW, 90);
    assert_eq!(view.first, view.last);
    assert_eq!(source_medium(&view.last), ("facebook", "paid_social"));
    let internal = memory::remember("", "", "", &read(SIGNUP, FACEBOOK, NOW), NOW, 90);
    assert!(internal.first.is_direct() && internal.last.is_direct());
}

/// The page's work is the module's: the loader only starts it (and captures the URL and
/// referrer before anything on the page can change them) and talks to the collector.
#[test]
fn the_loader_holds_no_page_logic() {
    let loader = include_str!("../js/leadtrail.js");
    for key in [STORAGE_FIRST, STORAGE_LAST, STORAGE_OPT_OUT] {
        assert!(!loader.contains(key), "{key} in the loader");
    }
    for api in [
        "localStorage",
        "addEventListener",
        "URLSearchParams",
        "createElement",
    ] {
        assert!(!loader.contains(api), "the loader uses {api}");
    }
    assert!(loader.contains("location.href") && loader.contains("document.referrer"));
}

/// The tracker's allocator (talc, which the wasm run of these tests uses too) under
/// churn: blocks of many sizes and alignments, freed out of order so that free
/// blocks coalesce, across several `memory.grow`s; every block must keep its own bytes.
#[cfg(target_arch = "wasm32")]
#[test]
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

const APP_SIGNUP: &str = "https://app.example/signup";

#[test]
fn a_link_from_the_other_domain_brings_its_first_interaction_and_last_touch() {
    let site = Browser::default();
    site.view(LINKEDIN, "", NOW - 2 * DAY);
    site.view(HOME, "", NOW - DAY);
    site.view("https://acme.example/?gclid=Cj0", "", NOW - 3_600_000);
    let carried = site.stored(STORAGE_JOURNEY).unwrap();

    let app = Browser::default();
    assert!(app.adopt(&carried));
    // The visit the link opens continues that journey: no referrer of its own.
    let answer = app.view(APP_SIGNUP, "", NOW);
    assert_eq!(answer.field("lt_first_source"), Some("linkedin"));
    assert_eq!(answer.field("lt_first_campaign"), Some("webinar_sept"));
    assert_eq!(answer.field("lt_last_source"), Some("google"));
    assert_eq!(answer.field("lt_last_click_id"), Some("Cj0"));
    assert_eq!(app.journey_sources(), ["linkedin", "google"]);
    assert_eq!(answer.field("lt_journey"), Some(carried.as_str()));
}

#[test]
fn the_earliest_first_interaction_of_either_domain_wins() {
    let site = Browser::default();
    site.view(LINKEDIN, "", NOW - 2 * DAY);
    let carried = site.stored(STORAGE_JOURNEY).unwrap();

    // Known to the app for a year: its own first interaction stays, the ad is the last touch.
    let old_friend = Browser::default();
    old_friend.view(APP_SIGNUP, "", NOW - 365 * DAY);
    assert!(old_friend.adopt(&carried));
    let answer = old_friend.view(APP_SIGNUP, "", NOW);
    assert_eq!(answer.field("lt_first_source"), Some("(direct)"));
    assert_eq!(
        answer.field("lt_first_at"),
        Some((NOW - 365 * DAY).to_string().as_str())
    );
    assert_eq!(answer.field("lt_last_source"), Some("linkedin"));
    assert_eq!(old_friend.journey_sources(), ["(direct)", "linkedin"]);

    // Seen by the app only after the ad: the ad is the first interaction, and the app's
    // later direct visit is no journey touch.
    let newcomer = Browser::default();
    newcomer.view(APP_SIGNUP, "", NOW - DAY);
    assert!(newcomer.adopt(&carried));
    let answer = newcomer.view(APP_SIGNUP, "", NOW);
    assert_eq!(answer.field("lt_first_source"), Some("linkedin"));
    assert_eq!(answer.field("lt_last_source"), Some("linkedin"));
    assert_eq!(newcomer.journey_sources(), ["linkedin"]);
}

#[test]
fn both_journeys_join_in_time_order_once_and_bounded() {
    let site = Browser::default();
    site.view(LINKEDIN, "", NOW - 3 * DAY);
    site.view(FACEBOOK, "", NOW - DAY);
    let app = Browser::default();
    app.view(
        "https://app.example/?utm_source=newsletter",
        "",
        NOW - 2 * DAY,
    );
    let carried = site.stored(STORAGE_JOURNEY).unwrap();
    assert!(app.adopt(&carried));
    assert_eq!(
        app.journey_sources(),
        ["linkedin", "newsletter", "facebook"]
    );
    // The same link followed again (a second tab): nothing twice.
    assert!(app.adopt(&carried));
    assert_eq!(
        app.journey_sources(),
        ["linkedin", "newsletter", "facebook"]
    );
    assert_eq!(
        app.stored_touch(STORAGE_LAST).unwrap().source.as_deref(),
        Some("facebook")
    );

    let many = Browser::default();
    many.view(HOME, "", 0);
    for n in 1..=30 {
        many.view(
            &format!("https://acme.example/?utm_source=s{n}"),
            "",
            n * DAY,
        );
    }
    let app = Browser::default();
    app.view("https://app.example/?utm_source=own", "", 31 * DAY);
    assert!(app.adopt(&many.stored(STORAGE_JOURNEY).unwrap()));
    let sources = app.journey_sources();
    assert_eq!(sources.len(), journey::MAX_TOUCHES);
    assert_eq!(sources.first().map(String::as_str), Some("(direct)"));
    assert_eq!(sources.last().map(String::as_str), Some("own"));
}

#[test]
fn a_link_without_a_touch_changes_nothing() {
    let app = Browser::default();
    app.view(LINKEDIN, "", NOW);
    let before = app.stored(STORAGE_JOURNEY);
    for nothing in ["", "1", "1,medium=cpc", "2,source=a", "garbage"] {
        assert!(!app.adopt(nothing), "{nothing:?}");
    }
    assert_eq!(app.stored(STORAGE_JOURNEY), before);
}
