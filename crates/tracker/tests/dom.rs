//! The tracker on a real page, in headless Chromium: the forms it fills (and the ones it
//! leaves alone), shadow roots, frames, a site's own `lt_*` inputs and a localStorage that
//! throws; and the browser's reading of a URL against core's.
//!
//! The page is wasm-bindgen-test's own; the tracker is started on it once, with a campaign
//! URL, as the loader would start it.
#![cfg(target_arch = "wasm32")]

use std::sync::Once;

use leadtrail_core::Visit;
use leadtrail_tracker::page::read_visit;
use wasm_bindgen::{JsCast, JsValue};

use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CAMPAIGN: &str =
    "https://acme.example/landing?utm_source=LinkedIn&utm_medium=paid_social&utm_campaign=dom_tests";

fn started() {
    static START: Once = Once::new();
    START.call_once(|| {
        leadtrail_tracker::start(CAMPAIGN.into(), String::new(), "about:blank", "");
        assert_eq!(
            field(&leadtrail_tracker::attribution(), "lt_last_campaign"),
            "dom_tests"
        );
    });
}

/// Runs `body` (JavaScript, with `tracker` bound to an object of the tracker's exported
/// calls) in the page and returns its value; an exception fails the test.
fn js(body: &str) -> JsValue {
    let tracker = js_sys::Object::new();
    let set = |name: &str, f: JsValue| {
        js_sys::Reflect::set(&tracker, &name.into(), &f).unwrap();
    };
    set(
        "observe",
        wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(leadtrail_tracker::observe)
            .into_js_value(),
    );
    set(
        "optIn",
        wasm_bindgen::closure::Closure::<dyn Fn()>::new(leadtrail_tracker::opt_in).into_js_value(),
    );
    set(
        "attribution",
        wasm_bindgen::closure::Closure::<dyn Fn() -> JsValue>::new(leadtrail_tracker::attribution)
            .into_js_value(),
    );
    js_sys::Function::new_with_args("tracker", body)
        .call1(&JsValue::NULL, &tracker)
        .unwrap_or_else(|e| panic!("the page threw: {e:?}"))
}

/// A string property of a JavaScript object ("" when missing).
fn field(object: &JsValue, name: &str) -> String {
    js_sys::Reflect::get(object, &name.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// JSON of a value, to compare whole answers.
fn json(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().as_string().unwrap()
}

#[test]
fn a_form_gets_the_fields_on_submit_and_on_form_data() {
    started();
    let seen = js(r#"
        const form = document.createElement('form');
        form.innerHTML = '<input name="email" value="a@b.example">';
        form.addEventListener('submit', (e) => e.preventDefault());
        document.body.append(form);
        form.requestSubmit();
        const hidden = [...form.querySelectorAll('input[type=hidden]')].map((i) => i.name);
        const other = document.createElement('form');
        document.body.append(other);
        const data = Object.fromEntries(new FormData(other));
        form.remove(); other.remove();
        return { hidden: hidden.join(','), campaign: data.lt_last_campaign, source: data.lt_first_source };
    "#);
    assert!(
        field(&seen, "hidden").starts_with("lt_v,lt_first_source,"),
        "{}",
        field(&seen, "hidden")
    );
    assert_eq!(field(&seen, "campaign"), "dom_tests");
    assert_eq!(field(&seen, "source"), "linkedin");
}

#[test]
fn a_sites_own_lt_inputs_are_filled_not_duplicated() {
    started();
    let seen = js(r#"
        const form = document.createElement('form');
        form.innerHTML = '<input type="hidden" name="lt_last_source" value="stale">'
          + '<input type="text" name="lt_first_campaign" value="typed">';
        form.addEventListener('submit', (e) => e.preventDefault());
        document.body.append(form);
        form.requestSubmit();
        form.requestSubmit();
        const named = (n) => [...form.elements].filter((e) => e.name === n);
        const data = new FormData(form);
        const result = {
          inputs: named('lt_last_source').length + ',' + named('lt_first_campaign').length,
          value: named('lt_last_source')[0].value,
          posted: data.getAll('lt_last_source').join('|') + ';' + data.getAll('lt_first_campaign').join('|'),
          versions: String(data.getAll('lt_v').length),
        };
        form.remove();
        return result;
    "#);
    assert_eq!(
        field(&seen, "inputs"),
        "1,1",
        "no second input under a site's name"
    );
    assert_eq!(field(&seen, "value"), "linkedin");
    assert_eq!(field(&seen, "posted"), "linkedin;dom_tests");
    assert_eq!(field(&seen, "versions"), "1");
}

#[test]
fn forms_in_open_shadow_roots_are_covered_once_a_visitor_touches_them() {
    started();
    let seen = js(r#"
        const host = document.createElement('div');
        document.body.append(host);
        const root = host.attachShadow({ mode: 'open' });
        root.innerHTML = '<form><input name="email"><button type="button">go</button></form>';
        const form = root.querySelector('form');
        const before = new FormData(form).has('lt_v');
        // A click crosses the shadow boundary (submit and formdata do not).
        root.querySelector('button').click();
        const after = new FormData(form).get('lt_last_campaign');
        host.remove();
        return { before, after };
    "#);
    assert_eq!(
        js_sys::Reflect::get(&seen, &"before".into()).unwrap(),
        JsValue::FALSE
    );
    assert_eq!(field(&seen, "after"), "dom_tests");
}

#[test]
fn a_closed_shadow_root_is_left_alone_until_the_site_hands_it_over() {
    started();
    let seen = js(r#"
        const host = document.createElement('div');
        document.body.append(host);
        const root = host.attachShadow({ mode: 'closed' });
        root.innerHTML = '<form><input name="email"><button type="button">go</button></form>';
        const form = root.querySelector('form');
        root.querySelector('button').click();
        const alone = [...new FormData(form).keys()].join(',');
        tracker.observe(root);
        const observed = new FormData(form).get('lt_first_medium');
        tracker.observe(null);
        tracker.observe('not a node');
        host.remove();
        return { alone, observed };
    "#);
    assert_eq!(field(&seen, "alone"), "email");
    assert_eq!(field(&seen, "observed"), "paid_social");
}

#[test]
async fn a_form_in_a_frame_is_left_alone_without_error() {
    started();
    let loaded = js(r#"
        const frame = document.createElement('iframe');
        frame.srcdoc = '<form><input name="email" value="f@frame.example"></form>';
        document.body.append(frame);
        window.leadtrailTestFrame = frame;
        return new Promise((resolve) => frame.addEventListener('load', () => resolve(true)));
    "#);
    let loaded = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(loaded)).await;
    assert_eq!(loaded, Ok(JsValue::TRUE));
    let seen = js(r#"
        const frame = window.leadtrailTestFrame;
        const doc = frame.contentDocument;
        const form = doc.querySelector('form');
        form.addEventListener('submit', (e) => e.preventDefault());
        form.requestSubmit();
        const plain = [...new FormData(form).keys()].join(',');
        // Handed over, its forms are still another document's: left alone.
        tracker.observe(doc);
        form.requestSubmit();
        const observed = [...new FormData(form).keys()].join(',') + ';' + doc.querySelectorAll('input').length;
        frame.remove();
        return { plain, observed };
    "#);
    assert_eq!(field(&seen, "plain"), "email");
    assert_eq!(field(&seen, "observed"), "email;1");
}

#[test]
fn a_throwing_local_storage_getter_costs_the_memory_not_the_fields() {
    started();
    js(r#"
        Object.defineProperty(window, 'localStorage', {
          configurable: true,
          get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
        });
    "#);
    let threw = js("try { localStorage; return false; } catch (e) { return true; }");
    // optIn records the page view again, through the blocked storage.
    let fields = js("tracker.optIn(); return tracker.attribution();");
    js("delete window.localStorage;");
    assert_eq!(threw, JsValue::TRUE, "the getter really throws");
    assert_eq!(field(&fields, "lt_last_campaign"), "dom_tests");
    assert_eq!(field(&fields, "lt_first_source"), "linkedin");
}

#[test]
fn attribution_is_a_plain_object_in_wire_order() {
    started();
    let answer = leadtrail_tracker::attribution();
    assert!(answer.is_object() && !answer.is_instance_of::<js_sys::Map>());
    let text = json(&answer);
    assert!(
        text.starts_with(r#"{"lt_v":"1","lt_first_source":"linkedin""#),
        "{text}"
    );
}

/// A URL as the browser serialises it (what `location.href` and `document.referrer` hold);
/// what it cannot parse stays as it is.
fn as_browser_has_it(raw: &str) -> String {
    web_sys::Url::new(raw).map_or_else(|_| raw.to_owned(), |url| url.href())
}

/// A visit read in the browser and the same link read by the collector (which serialises
/// it as the browser would, then runs core's rules) give the same touch — for links in
/// any spelling: capitals, default ports, IDNA hosts, unescaped characters.
#[test]
fn the_browser_and_the_collector_read_a_link_into_the_same_touch() {
    let referrers = [
        "",
        "https://www.google.com/",
        "HTTPS://WWW.Google.COM:443/search?q=pumps",
        "https://acme.example/other",
        "https://blog.ACME.example./post",
        "%%%",
    ];
    let urls = [
        CAMPAIGN,
        "https://acme.example/?UTM_Source=News+Letter&utm_medium=E%2DMail&utm_campaign=%E2%82%AC",
        "https://acme.example/?gclid=Cj0KCQ&utm_term=a%0Ab%0D%09c%1B#frag?utm_source=x",
        "https://acme.example/signup?utm_source=a&utm_source=b&fbclid=IwAR",
        "https://acme.example/?utm_source=%FF%FE&utm_content=100%&utm_id=%zz%4",
        "https://acme.example/?=&&utm_medium&utm_campaign==x=y&li_fat_id=%20",
        "https://user:pw@acme.example:8443/p?utm_source=x;y&msclkid=M1",
        "https://acme.example/?utm_source=%3Cimg%20src%3Dx%3E",
        "HTTPS://WWW.ACME.Example:443/Landing?utm_source=LinkedIn&utm_campaign=Spring Sale",
        "https://bücher.example/über?utm_source=bücher&utm_medium=e-mail",
        "https://acme.example/a/../b/./c?utm_source=x&utm_content=\"q\"<>`{}",
        "https://acme.example/",
    ];
    for url in urls {
        for referrer in referrers {
            let browser = read_visit(
                &as_browser_has_it(url),
                &as_browser_has_it(referrer),
                1_750_000_000_000,
            );
            let collector =
                leadtrail_core::web_url::read_visit(url, referrer, Some(1_750_000_000_000));
            assert_eq!(browser, collector, "{url} from {referrer:?}");
            // And core's own reading of what the browser holds, as the tracker's rules run.
            let core = Visit::read(
                &as_browser_has_it(url),
                &as_browser_has_it(referrer),
                Some(1_750_000_000_000),
            );
            assert_eq!(browser, core, "{url} from {referrer:?}");
        }
    }
}
