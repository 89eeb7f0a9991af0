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
//! a `focusin` or `click` (which do cross it) comes from later. Closed ones, and any other
//! root, a site hands to `observe`.
//!
//! A form of another document (an iframe's) is not a form of this page's realm: it is
//! left alone.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, EventTarget, FormData, HtmlFormElement};
use web_sys::{HtmlInputElement, Node, ShadowRoot};

/// Marks the inputs added here, so that the next submit replaces them.
const OWN: &str = "data-leadtrail";

/// The fields every matching form gets now (empty until ready and while opted out), and
/// the selector of the forms that match.
#[derive(Debug, Default)]
pub struct Forms {
    pub selector: String,
    pub fields: Vec<(String, String)>,
}

thread_local! {
    static FORMS: RefCell<Forms> = RefCell::default();
    /// The listeners, made once: the same function added twice to a target for the same
    /// event and phase is added once, so a root seen again costs nothing.
    static LISTENERS: RefCell<Option<Listeners>> = const { RefCell::new(None) };
}

struct Listeners {
    submit: js_sys::Function,
    formdata: js_sys::Function,
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

/// The fields the forms get now.
pub fn fields() -> Vec<(String, String)> {
    FORMS.with_borrow(|forms| forms.fields.clone())
}

/// The form an event is about, when it is one of this page's forms the selector matches.
fn matching_form(event: &Event) -> Option<HtmlFormElement> {
    let form = event.target()?.dyn_into::<HtmlFormElement>().ok()?;
    // A selector that is not CSS (`matches` throws) matches nothing.
    let matches = FORMS.with_borrow(|forms| form.matches(&forms.selector));
    matches.unwrap_or(false).then_some(form)
}

fn on_submit(event: Event) {
    let Some(form) = matching_form(&event) else {
        return;
    };
    let document = form.owner_document();
    if let Ok(own) = form.query_selector_all(&["input[", OWN, "]"].concat()) {
        for i in 0..own.length() {
            if let Some(input) = own.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                input.remove();
            }
        }
    }
    let controls = form.elements();
    for (name, value) in fields() {
        // A control of the site's own under that name gets the value instead: the form
        // never carries a field twice.
        if let Some(existing) = controls.named_item(&name) {
            if let Some(input) = existing.dyn_ref::<HtmlInputElement>() {
                input.set_value(&value);
            }
            continue;
        }
        let Some(input) = document
            .as_ref()
            .and_then(|d| d.create_element("input").ok())
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        input.set_type("hidden");
        input.set_name(&name);
        input.set_value(&value);
        let _ = input.set_attribute(OWN, "");
        let _ = form.append_with_node_1(&input);
    }
}

fn on_formdata(event: Event) {
    if matching_form(&event).is_none() {
        return;
    }
    // web-sys has no FormDataEvent: its `formData` is read by name.
    let Ok(data) = js_sys::Reflect::get(&event, &"formData".into()) else {
        return;
    };
    let Ok(data) = data.dyn_into::<FormData>() else {
        return;
    };
    for (name, value) in fields() {
        let _ = data.set_with_str(&name, &value);
    }
}

/// Looks for shadow roots on the path of an event that crosses their boundary.
fn on_interaction(event: Event) {
    for node in event.composed_path().iter() {
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

/// Starts filling the forms of `document`, of the open shadow roots in it and of those
/// that interactions come from later.
pub fn start(document: &Document) {
    if LISTENERS.with_borrow(Option::is_some) {
        return;
    }
    let listeners = Listeners {
        submit: listener(on_submit),
        formdata: listener(on_formdata),
    };
    LISTENERS.with_borrow_mut(|l| *l = Some(listeners));
    observe(document);
    let interaction = listener(on_interaction);
    for event in ["focusin", "click"] {
        let _ = document.add_event_listener_with_callback_and_bool(event, &interaction, true);
    }
}

/// Adds the two listeners to one target.
fn observe_target(target: &EventTarget) {
    LISTENERS.with_borrow(|listeners| {
        if let Some(l) = listeners {
            let _ = target.add_event_listener_with_callback_and_bool("submit", &l.submit, true);
            let _ = target.add_event_listener_with_callback_and_bool("formdata", &l.formdata, true);
        }
    });
}

/// Covers the forms under `root` (a document, a shadow root — closed ones too — or an
/// element), and those in the open shadow roots below it.
pub fn observe(root: &Node) {
    observe_target(root);
    let all = if let Some(document) = root.dyn_ref::<Document>() {
        document.query_selector_all("*")
    } else if let Some(shadow) = root.dyn_ref::<ShadowRoot>() {
        shadow.query_selector_all("*")
    } else if let Some(element) = root.dyn_ref::<Element>() {
        element.query_selector_all("*")
    } else {
        return;
    };
    let Ok(all) = all else {
        return;
    };
    for i in 0..all.length() {
        let shadow = all
            .item(i)
            .and_then(|n| n.dyn_into::<Element>().ok())
            .and_then(|e| e.shadow_root());
        if let Some(shadow) = shadow {
            observe(&shadow);
        }
    }
}
