//! The touch normaliser and URL handling on arbitrary text (what a page URL, a referrer,
//! a stored touch or a form's `lt_*` fields can hold): no panics, bounded output, and
//! the round trips the tracker and the collector rely on; the journey's text likewise.

#![no_main]

use leadtrail_core::clean::{normalise_name, MAX_URL_CHARS, MAX_VALUE_CHARS};
use leadtrail_core::wire::{read_touch, touch_fields, Slot};
use leadtrail_core::{journey, Touch, Visit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (url, referrer) = text.split_once('\n').unwrap_or((text, ""));
    let visit = Visit::read(url, referrer, Some(1_750_000_000_000));
    let touch = &visit.touch;
    for value in [&touch.source, &touch.medium, &touch.campaign, &touch.term]
        .into_iter()
        .flatten()
    {
        assert!(value.chars().count() <= MAX_VALUE_CHARS);
    }
    for value in [&touch.referrer, &touch.landing_page].into_iter().flatten() {
        assert!(value.chars().count() <= MAX_URL_CHARS);
    }
    // localStorage round trip (the tracker) and the hidden fields (tracker → collector).
    assert_eq!(&Touch::decode(&touch.encode()), touch);
    let fields: Vec<(String, String)> = touch_fields(Slot::Last, touch).collect();
    let read = read_touch(Slot::Last, fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    if !touch.is_empty() {
        assert_eq!(read.as_ref(), Some(touch));
    }
    // Anything stored is read back cleaned, whatever was written there.
    let _ = Touch::decode(text);
    // A journey read from hostile text is bounded and reads back as itself.
    let touches = journey::decode(text);
    assert!(touches.len() <= journey::MAX_TOUCHES);
    assert_eq!(journey::decode(&journey::encode(&touches)), touches);
    // Whatever storage held, the page view's journey reads back bounded.
    let (next, _) = journey::remember(text, touch, &visit);
    let read = journey::decode(&next);
    assert!(read.len() <= journey::MAX_TOUCHES);
    if let Some(once) = normalise_name(text) {
        assert_eq!(normalise_name(&once).as_deref(), Some(once.as_str()));
    }
});
