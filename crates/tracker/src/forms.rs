//! Putting the fields into the site's forms.
//!
//! Two listeners, in the capture phase (before any handler of the site, which may read the
//! form or cancel the event), on `document` (so that forms added later are covered too):
//! `submit` adds or replaces hidden `lt_*` inputs, for code that reads the form's inputs;
//! `formdata` sets the fields on every data set the browser builds from a form — a
//! submission, `form.submit()` (which fires no submit event) and `new FormData(form)` in a
//! site's own fetch code.
//!
//! Neither event crosses a shadow root's boundary, so the same two listeners go on every
//! open shadow root the tracker can see: those on the page when it starts, and those that
//! a `focusin`, `click` or `pointerdown` (which do cross it) comes from later. The same
//! events and `submit` decorate links and forms to the site's other domains ([`crate::links`]). Closed ones, and any other
//! root, a site hands to `observe`.
//!
//! A form of another document (an iframe's) is not a form of this page's realm: it is
//! left alone.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, FormData, HtmlFormElement, HtmlInputElement, ShadowRoot};

/// Marks the inputs added here, so that the next submit replaces them.
const OWN: &str = "data-leadtrail";

/// The fields every matching form gets now (empty until ready and while opted out), the
/// selector of the forms that match, and the listeners once made.
struct Forms {
    selector: String,
    fields: Vec<(String, String)>,
    listeners: Option<Listeners>,
}

/// The listeners, made once: the same function added twice to a target for the same event
/// and phase is added once, so a root seen again costs nothing.
struct Listeners {
    submit: js_sys::Function,
    formdata: js_sys::Function,
}

thread_local! {
    static FORMS: RefCell<Forms> = const {
        RefCell::new(Forms {
            selector: String::new(),
            fields: Vec::new(),
            listeners: None,
        })
    };
}

/// Sets what the forms get from now on.
pub fn set(selector: Option<String>, fields: Vec<(String, String)>) {
    FORMS.with_borrow_mut(|forms| {
        if let Some(selector) = selector {
            forms.selector = selector;
        }
        forms.fields = fields;
    });
}

/// Runs `f` on the fields the forms get now. Nothing `f` may call on the page runs the
/// tracker again before it returns (setting values and appending inputs fire no event).
pub fn with_fields<T>(f: impl FnOnce(&[(String, String)]) -> T) -> T {
    FORMS.with_borrow(|forms| f(&forms.fields))
}

/// The form an event is about, when it is one of this page's forms the selector matches.
fn matching_form(event: &Event) -> Option<HtmlFormElement> {
    let form = event.target()?.dyn_into::<HtmlFormElement>().ok()?;
    // A selector that is not CSS (`matches` throws) matches nothing.
    let matches = FORMS.with_borrow(|forms| form.matches(&forms.selector));
    matches.unwrap_or(false).then_some(form)
}

/// The elements under `root` that match `selector` (any node with `querySelectorAll`: a
/// document, a shadow root, an element); none when it has no such call or it throws.
fn select(root: &JsValue, selector: &str) -> Vec<Element> {
    let Ok(list) = root.unchecked_ref::<Element>().query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(JsCast::unchecked_into)
        .collect()
}

fn on_submit(event: Event) {
    if let Some(form) = event.target().and_then(|t| t.dyn_into().ok()) {
        crate::links::decorate_form(&form);
    }
    let Some(form) = matching_form(&event) else {
        return;
    };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    with_fields(|fields| {
        // Inputs added by an earlier submit stay and get the new values; those of a field
        // the form no longer carries (after an opt-out, say) go.
        for own in select(&form, &["input[", OWN, "]"].concat()) {
            let name = own.get_attribute("name").unwrap_or_default();
            if !fields.iter().any(|(n, _)| *n == name) {
                own.remove();
            }
        }
        let controls = form.elements();
        for (name, value) in fields {
            // A control under that name, the site's own or one added here, gets the value:
            // the form never carries a field twice.
            if let Some(existing) = controls.named_item(name) {
                if let Some(input) = existing.dyn_ref::<HtmlInputElement>() {
                    input.set_value(value);
                }
                continue;
            }
            let Ok(input) = document.create_element("input") else {
                return;
            };
            let input: HtmlInputElement = input.unchecked_into();
            input.set_type("hidden");
            input.set_name(name);
            input.set_value(value);
            let _ = input.set_attribute(OWN, "");
            let _ = form.append_with_node_1(&input);
        }
    });
}

fn on_formdata(event: Event) {
    if matching_form(&event).is_none() {
        return;
    }
    // web-sys has no FormDataEvent: its `formData` is read by name (and calls on anything
    // else than a FormData fail, caught).
    let Ok(data) = js_sys::Reflect::get(&event, &"formData".into()) else {
        return;
    };
    let data: FormData = data.unchecked_into();
    with_fields(|fields| {
        for (name, value) in fields {
            let _ = data.set_with_str(name, value);
        }
    });
}

/// Looks for shadow roots on the path of an event that crosses their boundary (`focusin`,
/// `click` and `pointerdown` do), and for a link about to be followed.
fn on_interaction(event: Event) {
    for node in event.composed_path().iter() {
        crate::links::decorate_link(&node);
        if let Ok(root) = node.dyn_into::<ShadowRoot>() {
            observe_target(&root);
        }
    }
}

fn listener(handler: fn(Event)) -> js_sys::Function {
    Closure::<dyn Fn(Event)>::new(handler)
        .into_js_value()
        .unchecked_into()
}

/// Starts filling the forms of the page, of the open shadow roots in it and of those that
/// interactions come from later.
pub fn start(document: &JsValue) {
    let first = FORMS.with_borrow_mut(|forms| {
        let first = forms.listeners.is_none();
        forms.listeners.get_or_insert_with(|| Listeners {
            submit: listener(on_submit),
            formdata: listener(on_formdata),
        });
        first
    });
    if !first {
        return;
    }
    observe(document);
    let interaction = listener(on_interaction);
    for event in ["focusin", "click", "pointerdown"] {
        listen(document, event, &interaction);
    }
}

fn listen(target: &JsValue, event: &str, listener: &js_sys::Function) {
    let target = target.unchecked_ref::<web_sys::EventTarget>();
    let _ = target.add_event_listener_with_callback_and_bool(event, listener, true);
}

/// Adds the two listeners to one target.
fn observe_target(target: &JsValue) {
    FORMS.with_borrow(|forms| {
        if let Some(l) = &forms.listeners {
            listen(target, "submit", &l.submit);
            listen(target, "formdata", &l.formdata);
        }
    });
}

/// Covers the forms under `root` (a document, a shadow root — closed ones too — or an
/// element), and those in the open shadow roots below it. Anything else is left alone:
/// the browser's calls on it fail, caught.
pub fn observe(root: &JsValue) {
    if !root.is_object() {
        return;
    }
    observe_target(root);
    for element in select(root, "*") {
        if let Some(shadow) = element.shadow_root() {
            observe(&shadow);
        }
    }
}
