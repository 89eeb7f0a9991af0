//! Links to the site's other domains (`data-link-domains`): each carries the touches in
//! one `lt_link` parameter, the token the collector signed for this visitor's journey
//! (the loader asks for it, and again every five minutes while the page is visible).
//!
//! A link is decorated when it is about to be followed — on `pointerdown`, `click` and
//! `focusin` (before the browser reads its `href`: a new tab, a middle click, the keyboard)
//! — so it always carries the newest token, never one that expired while the page stayed
//! open. A form to another domain is decorated on submit: in its action, or, for a `GET`
//! form (whose action loses its query), in a hidden input.

use std::cell::RefCell;

use leadtrail_core::bytes;
use leadtrail_core::wire::LINK_PARAM;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlFormElement, HtmlInputElement, Url};

/// The other domains as the tag lists them, and the token their links get now (none yet,
/// or opted out: `""`).
struct Links {
    domains: String,
    token: String,
}

thread_local! {
    static LINKS: RefCell<Links> = const {
        RefCell::new(Links {
            domains: String::new(),
            token: String::new(),
        })
    };
}

/// The host names of `data-link-domains`: comma-separated, spaces around them ignored,
/// compared without regard to case (a URL's `hostname` is ASCII). Read as text where it
/// is used, which keeps the tracker small.
fn domains(list: &str) -> impl Iterator<Item = &str> {
    bytes::split(list, b',')
        .map(str::trim_ascii)
        .filter(|d| !d.is_empty())
}

/// Sets the site's other domains (`data-link-domains` as written); true when it names any.
pub fn set_domains(list: String) -> bool {
    let any = domains(&list).next().is_some();
    LINKS.with_borrow_mut(|links| links.domains = list);
    any
}

/// Sets the token the links get (`""`: none).
pub fn set_token(token: String) {
    LINKS.with_borrow_mut(|links| links.token = token);
}

/// `url` with the token, when it leads to one of the other domains and there is a token.
fn decorated(url: &str) -> Option<Url> {
    let url = Url::new(url).ok()?;
    LINKS.with_borrow(|links| {
        let host = url.hostname();
        let ours = !links.token.is_empty()
            && domains(&links.domains).any(|d| d.eq_ignore_ascii_case(&host));
        ours.then(|| url.search_params().set(LINK_PARAM, &links.token))
    })?;
    Some(url)
}

fn property(target: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(target, &name.into()).ok()?.as_string()
}

/// Decorates `node` when it is a link (`<a>`, `<area>`: their `href` property is the
/// resolved URL) to one of the other domains.
pub fn decorate_link(node: &JsValue) {
    if let Some(url) = property(node, "href").and_then(|href| decorated(&href)) {
        let _ = js_sys::Reflect::set(node, &"href".into(), &url.href().into());
    }
}

/// Decorates a form that is sent to one of the other domains.
pub fn decorate_form(form: &HtmlFormElement) {
    let Some(url) = property(form, "action").and_then(|action| decorated(&action)) else {
        return;
    };
    if property(form, "method").as_deref() != Some("get") {
        let _ = js_sys::Reflect::set(form, &"action".into(), &url.href().into());
        return;
    }
    let token = LINKS.with_borrow(|links| links.token.clone());
    let input = match form.elements().named_item(LINK_PARAM) {
        Some(existing) => existing.dyn_into::<HtmlInputElement>().ok(),
        None => web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("input").ok())
            .map(|input| {
                let input: HtmlInputElement = input.unchecked_into();
                input.set_type("hidden");
                input.set_name(LINK_PARAM);
                let _ = form.append_with_node_1(&input);
                input
            }),
    };
    if let Some(input) = input {
        input.set_value(&token);
    }
}
