//! Puts the attribution fields into the site's forms.
//!
//! Two listeners on `document` cover every way a form's data leaves the page:
//! - `submit` in the capture phase: it runs before any handler of the site (which may
//!   read the form or cancel the event), and it sees forms added after the tracker
//!   started; it adds (or refreshes) hidden inputs, so a plain HTML post carries them;
//! - `formdata`: fired whenever a form's data set is built — a normal submission,
//!   `form.submit()` (which fires no `submit` event) and `new FormData(form)` in a site's
//!   fetch code — and sets the same values on it.
//!
//! Nothing here may throw into the page: every DOM call that can fail is checked, and a
//! failure only means a form without the fields.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use spin::mutex::SpinMutex;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, FormData};

/// Marks the inputs this tracker added, so that a second submit replaces them instead of
/// adding duplicates, and fields of an earlier state (say, before an opt-out) go away.
const OWN_INPUT_ATTRIBUTE: &str = "data-leadtrail";
const OWN_INPUT_SELECTOR: &str = "input[data-leadtrail]";

#[wasm_bindgen]
extern "C" {
    /// `FormDataEvent`, which web-sys does not bind.
    #[wasm_bindgen(extends = Event)]
    type FormDataEvent;

    /// `undefined` for a `formdata` event some script made up with `new Event`.
    #[wasm_bindgen(method, getter, js_name = formData)]
    fn form_data(this: &FormDataEvent) -> JsValue;
}

// The page runs the tracker on one thread, so these locks are never contended; `try_lock`
// (never `lock`) keeps a re-entrant call from spinning forever: it just sees nothing.

/// CSS selector of the forms to fill (`data-forms`); empty means `form`.
static SELECTOR: SpinMutex<String> = SpinMutex::new(String::new());
/// The fields every matching form gets now; empty when opted out.
static FIELDS: SpinMutex<Vec<(String, String)>> = SpinMutex::new(Vec::new());
static LISTENING: AtomicBool = AtomicBool::new(false);

/// Sets which forms get fields (`data-forms`).
pub fn set_selector(selector: &str) {
    if let Some(mut s) = SELECTOR.try_lock() {
        selector.clone_into(&mut s);
    }
}

/// Sets the fields that forms get from now on.
pub fn set_fields(fields: Vec<(String, String)>) {
    if let Some(mut f) = FIELDS.try_lock() {
        *f = fields;
    }
}

/// The fields that forms get now.
pub fn fields() -> Vec<(String, String)> {
    FIELDS.try_lock().map(|f| f.clone()).unwrap_or_default()
}

/// Installs the two document listeners, once however often it is called.
pub fn listen(document: &Document) {
    if LISTENING.swap(true, Ordering::Relaxed) {
        return;
    }
    let on_submit = Closure::<dyn Fn(Event)>::new(|event: Event| {
        if let Some(form) = matching_form(&event) {
            refresh_hidden_inputs(&form, &fields());
        }
    });
    let on_formdata = Closure::<dyn Fn(Event)>::new(|event: Event| {
        if matching_form(&event).is_some() {
            set_form_data(&event, &fields());
        }
    });
    let _ = document.add_event_listener_with_callback_and_bool(
        "submit",
        on_submit.as_ref().unchecked_ref(),
        true,
    );
    let _ = document.add_event_listener_with_callback_and_bool(
        "formdata",
        on_formdata.as_ref().unchecked_ref(),
        true,
    );
    // The listeners live as long as the page.
    on_submit.forget();
    on_formdata.forget();
}

/// The event's form when it matches the configured selector. An invalid selector
/// (`matches` throws) matches nothing.
fn matching_form(event: &Event) -> Option<Element> {
    let form = event.target()?.dyn_into::<Element>().ok()?;
    let selector = SELECTOR.try_lock().map(|s| s.clone())?;
    let selector = if selector.is_empty() {
        String::from("form")
    } else {
        selector
    };
    form.matches(&selector).unwrap_or(false).then_some(form)
}

/// Replaces this tracker's hidden inputs in `form` with one per field.
pub fn refresh_hidden_inputs(form: &Element, fields: &[(String, String)]) {
    if let Ok(old) = form.query_selector_all(OWN_INPUT_SELECTOR) {
        for i in 0..old.length() {
            if let Some(node) = old.get(i) {
                node.unchecked_into::<Element>().remove();
            }
        }
    }
    let Some(document) = form.owner_document() else {
        return;
    };
    for (name, value) in fields {
        let Ok(input) = document.create_element("input") else {
            return;
        };
        let set = input
            .set_attribute("type", "hidden")
            .and_then(|()| input.set_attribute("name", name))
            .and_then(|()| input.set_attribute("value", value))
            .and_then(|()| input.set_attribute(OWN_INPUT_ATTRIBUTE, ""));
        if set.is_ok() {
            let _ = form.append_with_node_1(&input);
        }
    }
}

/// Sets every field on the data set of a `formdata` event.
fn set_form_data(event: &Event, fields: &[(String, String)]) {
    let Ok(data) = event
        .unchecked_ref::<FormDataEvent>()
        .form_data()
        .dyn_into::<FormData>()
    else {
        return;
    };
    for (name, value) in fields {
        let _ = data.set_with_str(name, value);
    }
}
