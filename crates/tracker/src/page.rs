//! What the tracker reads from the page: the visit (the URL's query through the browser's
//! own WHATWG URL parser) and the settings on the script tag.

use leadtrail_core::query;
use leadtrail_core::Visit;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Url};

/// Look-back window when the script tag gives none (or nonsense).
pub const DEFAULT_LOOKBACK_DAYS: u32 = 90;
/// Longest look-back window a tag may ask for: a hundred years.
const MAX_LOOKBACK_DAYS: u32 = 36_500;

/// The decoded query parameters of `href` as the browser's `URLSearchParams` reads them,
/// in order; none when `href` is no absolute URL.
pub fn query_pairs(href: &str) -> Vec<(String, String)> {
    let Ok(url) = Url::new(href) else {
        return Vec::new();
    };
    // `Array.from` walks the params as `[name, value]` pairs.
    let entries = js_sys::Array::from(&url.search_params());
    entries
        .iter()
        .map(|entry| {
            let pair = js_sys::Array::from(&entry);
            let text = |i| pair.get(i).as_string().unwrap_or_default();
            (text(0), text(1))
        })
        .collect()
}

/// One page view read in the browser: core's rules on the parameters the browser parsed.
pub fn read_visit(href: &str, referrer: &str, now_ms: i64) -> Visit {
    let pairs = query_pairs(href);
    Visit::read_with(
        href,
        |key| query::first_of(pairs.iter().cloned(), key),
        referrer,
        Some(now_ms),
    )
}

/// The settings a site writes on the script tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `data-forms`: the CSS selector of the forms that get the fields (default `form`).
    pub forms: String,
    /// `data-lookback-days`: how long a last touch counts.
    pub lookback_days: u32,
    /// `data-respect-gpc`: Global Privacy Control turns the tracker off.
    pub respect_gpc: bool,
    /// `data-link-domains`: the site's other domains, whose links carry the touches, as
    /// written (comma-separated host names; read where a link is decorated).
    pub link_domains: String,
}

impl Settings {
    /// The settings of the tag that loaded `script_url` (a module script has no
    /// `document.currentScript`; its resolved `src` is compared, as an SVG `script` has
    /// none), else of the first tag that names the loader.
    pub fn of_tag(document: &Document, script_url: &str) -> Settings {
        let src = |tag: &Element| {
            js_sys::Reflect::get(tag, &"src".into())
                .ok()
                .and_then(|src| src.as_string())
        };
        let by_url = document
            .query_selector_all("script[src]")
            .ok()
            .and_then(|tags| {
                (0..tags.length())
                    .filter_map(|i| tags.item(i))
                    .map(JsCast::unchecked_into::<Element>)
                    .find(|tag| src(tag).as_deref() == Some(script_url))
            });
        let tag = by_url.or_else(|| {
            document
                .query_selector("script[src*=\"leadtrail.js\"]")
                .ok()
                .flatten()
        });
        let attribute = |name| tag.as_ref().and_then(|t| t.get_attribute(name));
        Settings {
            forms: attribute("data-forms").unwrap_or_else(|| "form".into()),
            lookback_days: lookback_days(attribute("data-lookback-days").as_deref()),
            respect_gpc: attribute("data-respect-gpc").is_some_and(|v| v != "false"),
            link_domains: attribute("data-link-domains").unwrap_or_default(),
        }
    }
}

/// `data-lookback-days` read as a whole number of days (leading digits, as `parseInt`
/// would); nothing usable, zero or a negative number is the default, and it is capped.
pub fn lookback_days(raw: Option<&str>) -> u32 {
    let raw = raw.unwrap_or("").trim_start();
    let raw = raw.strip_prefix('+').unwrap_or(raw);
    let digits = raw.bytes().take_while(u8::is_ascii_digit).take(9);
    let days = digits.fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    match days {
        0 => DEFAULT_LOOKBACK_DAYS,
        days => days.min(MAX_LOOKBACK_DAYS),
    }
}

/// True when the browser sends Global Privacy Control (`navigator.globalPrivacyControl`).
pub fn global_privacy_control(window: &JsValue) -> bool {
    js_sys::Reflect::get(window, &"navigator".into())
        .and_then(|navigator| js_sys::Reflect::get(&navigator, &"globalPrivacyControl".into()))
        .is_ok_and(|gpc| gpc == JsValue::TRUE)
}
