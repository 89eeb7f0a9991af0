//! Links to the site's other domains on a real page, in headless Chromium: which links and
//! forms get the signed `lt_link` token and when, and what the tracker on the other domain
//! makes of a journey it adopts. (The collector's signing and verifying are tested through
//! the binary in crates/collector/tests/cross_domain.rs; the whole path across two origins
//! in tests/e2e/cross-domain.test.mjs.)
#![cfg(target_arch = "wasm32")]

use leadtrail_core::wire::{STORAGE_FIRST, STORAGE_JOURNEY, STORAGE_LAST};
use wasm_bindgen::JsValue;

use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const LOADER: &str = "https://collector.example/leadtrail.js";
const LINKEDIN: &str =
    "https://www.acme.example/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=webinar";

/// Runs `body` (JavaScript) in the page and returns its value; an exception fails the test.
fn js(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body)
        .call0(&JsValue::NULL)
        .unwrap_or_else(|e| panic!("the page threw: {e:?}"))
}

fn text(value: JsValue) -> String {
    value.as_string().unwrap_or_default()
}

/// The loader's tag with `data-link-domains`, as a site writes it.
fn tag(domains: &str) {
    js(&format!(
        "document.querySelectorAll('script[data-test]').forEach((s) => s.remove());
         const s = document.createElement('script');
         s.type = 'text/plain'; s.dataset.test = ''; s.src = '{LOADER}';
         s.setAttribute('data-link-domains', '{domains}');
         document.head.append(s);"
    ));
}

fn field(name: &str) -> String {
    let fields = leadtrail_tracker::attribution();
    text(js_sys::Reflect::get(&fields, &name.into()).unwrap())
}

/// The `href` of a link to `href` after `event` on it (navigation cancelled).
fn after(event: &str, href: &str) -> String {
    text(js(&format!(
        "const a = document.createElement('a');
         a.href = '{href}'; a.textContent = 'go';
         document.body.append(a);
         const stop = (e) => e.preventDefault();
         window.addEventListener('click', stop);
         a.dispatchEvent(new PointerEvent('{event}', {{bubbles: true, composed: true, cancelable: true}}));
         window.removeEventListener('click', stop);
         a.remove();
         return a.href;"
    )))
}

#[test]
fn links_and_forms_to_the_other_domains_carry_the_token() {
    js("localStorage.clear()");
    tag(" app.example.com, Book.Example.com ,");
    assert!(leadtrail_tracker::start(
        LINKEDIN.into(),
        String::new(),
        LOADER,
        ""
    ));

    // Before the collector has signed, nothing is added.
    assert_eq!(
        after("click", "https://app.example.com/signup"),
        "https://app.example.com/signup"
    );
    leadtrail_tracker::link("1.abc.sig".into());
    assert_eq!(
        after("click", "https://app.example.com/signup?plan=pro#top"),
        "https://app.example.com/signup?plan=pro&lt_link=1.abc.sig#top"
    );
    assert_eq!(
        after("pointerdown", "https://book.example.com/"),
        "https://book.example.com/?lt_link=1.abc.sig"
    );
    // Another domain, a subdomain of one, and the site itself: left alone.
    for href in [
        "https://other.example/app.example.com",
        "https://www.app.example.com/",
        "https://www.acme.example/pricing",
    ] {
        assert_eq!(after("click", href), href);
    }
    // A newer token replaces the one a link already carries.
    leadtrail_tracker::link("1.new.sig".into());
    assert_eq!(
        after("click", "https://app.example.com/?lt_link=1.abc.sig"),
        "https://app.example.com/?lt_link=1.new.sig"
    );
    // A link inside an open shadow root, clicked on its text.
    let inside = text(js("
        const host = document.createElement('div');
        document.body.append(host);
        const root = host.attachShadow({mode: 'open'});
        root.innerHTML = '<a href=\"https://app.example.com/x\"><span>go</span></a>';
        window.addEventListener('click', (e) => e.preventDefault(), {once: true});
        root.querySelector('span').click();
        const href = root.querySelector('a').href;
        host.remove();
        return href;"));
    assert_eq!(inside, "https://app.example.com/x?lt_link=1.new.sig");

    // Forms: a POST form in its action, a GET form in a hidden input, others not at all.
    let forms = text(js("
        const sent = (method, action) => {
            const form = document.createElement('form');
            form.method = method; form.action = action;
            form.innerHTML = '<input name=\"email\" value=\"a@b.example\">';
            form.addEventListener('submit', (e) => e.preventDefault());
            document.body.append(form);
            form.requestSubmit();
            form.remove();
            const input = form.elements.namedItem('lt_link');
            return form.action + ' ' + (input ? input.value : '-');
        };
        return [sent('post', 'https://app.example.com/signup'),
                sent('get', 'https://app.example.com/search?q=x'),
                sent('post', 'https://other.example/signup')].join('|');"));
    assert_eq!(
        forms,
        "https://app.example.com/signup?lt_link=1.new.sig -|\
         https://app.example.com/search?q=x 1.new.sig|\
         https://other.example/signup -"
    );

    // Opted out: no token any more.
    leadtrail_tracker::opt_out();
    assert_eq!(
        after("click", "https://app.example.com/"),
        "https://app.example.com/"
    );
    leadtrail_tracker::link("1.late.sig".into());
    assert_eq!(
        after("click", "https://app.example.com/"),
        "https://app.example.com/",
        "a token that arrives after the opt-out is not used"
    );
    leadtrail_tracker::opt_in();
}

#[test]
fn a_tag_without_other_domains_asks_for_no_token() {
    js("localStorage.clear()");
    tag("");
    assert!(!leadtrail_tracker::start(
        LINKEDIN.into(),
        String::new(),
        LOADER,
        ""
    ));
}

/// A journey the collector verified, as site A's tracker remembered it: LinkedIn two days
/// ago, then a Google ad an hour ago.
fn carried(now: f64) -> String {
    let day = 86_400_000.0;
    format!(
        "1,source=linkedin&medium=paid_social&campaign=webinar&at={},source=google&medium=cpc&click_id=Cj0&click_id_type=gclid&at={}",
        (now - 2.0 * day) as i64,
        (now - 3_600_000.0) as i64,
    )
}

#[test]
fn the_app_adopts_the_journey_and_keeps_the_first_interaction_from_the_site() {
    js("localStorage.clear()");
    tag("");
    let now = js_sys::Date::now();
    // The page opened by the link: its referrer is site A's page, which is no referral.
    leadtrail_tracker::start(
        "https://app.example.com/signup".into(),
        "https://www.acme.example/pricing".into(),
        LOADER,
        &carried(now),
    );
    assert_eq!(field("lt_first_source"), "linkedin");
    assert_eq!(field("lt_first_campaign"), "webinar");
    assert_eq!(field("lt_last_source"), "google");
    assert_eq!(field("lt_last_click_id"), "Cj0");
    assert_eq!(field("lt_journey"), carried(now));
    let stored = |key: &str| text(js(&format!("return localStorage.getItem('{key}')")));
    assert!(stored(STORAGE_FIRST).starts_with("source=linkedin"));
    assert!(stored(STORAGE_LAST).starts_with("source=google"));
    assert_eq!(stored(STORAGE_JOURNEY), carried(now));
}

#[test]
fn an_older_first_interaction_of_the_app_stays_and_nothing_is_adopted_while_opted_out() {
    js("localStorage.clear()");
    tag("");
    let now = js_sys::Date::now();
    let year_ago = (now - 365.0 * 86_400_000.0) as i64;
    js(&format!(
        "localStorage.setItem('{STORAGE_FIRST}', 'source=(direct)&medium=(none)&at={year_ago}');
         localStorage.setItem('{STORAGE_JOURNEY}', '1,source=(direct)&medium=(none)&at={year_ago}');"
    ));
    leadtrail_tracker::start(
        "https://app.example.com/".into(),
        "https://www.acme.example/".into(),
        LOADER,
        &carried(now),
    );
    assert_eq!(field("lt_first_source"), "(direct)");
    assert_eq!(field("lt_first_at"), year_ago.to_string());
    assert_eq!(field("lt_last_source"), "google");

    // Without a verified journey (the loader passes "" for a forged or expired link), the
    // app's own reading applies: site A's page is a referral.
    js("localStorage.clear()");
    leadtrail_tracker::start(
        "https://app.example.com/".into(),
        "https://www.acme.example/pricing".into(),
        LOADER,
        "",
    );
    assert_eq!(field("lt_first_source"), "acme.example");
    assert_eq!(field("lt_last_medium"), "referral");

    js("localStorage.clear()");
    leadtrail_tracker::opt_out();
    leadtrail_tracker::start(
        "https://app.example.com/".into(),
        String::new(),
        LOADER,
        &carried(now),
    );
    assert_eq!(field("lt_first_source"), "");
    assert_eq!(
        text(js(&format!(
            "return String(localStorage.getItem('{STORAGE_FIRST}'))"
        ))),
        "null"
    );
    leadtrail_tracker::opt_in();
}
