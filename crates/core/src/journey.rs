//! The journey: the touches a browser remembers in order, besides the first interaction
//! and the last touch — the first interaction, then every visit that would replace the
//! last touch (campaign parameters, a click id, an external referrer).
//!
//! One compact, versioned text serves localStorage and the `lt_journey` field alike:
//! `1,<touch>,<touch>,…`, each touch in [`Touch::encode`]'s query-string form, whose
//! escaping leaves no `,` inside a touch. It is bounded: at most [`MAX_TOUCHES`] touches
//! and, beyond two, [`MAX_BYTES`] of text; the oldest go first, never the first one.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bytes;
use crate::touch::{Touch, Visit};

/// The encoding's version, its first element.
pub const VERSION: &str = "1";
/// Most touches a journey keeps.
pub const MAX_TOUCHES: usize = 20;
/// Most bytes of encoded journey, while it has more than two touches (the first and the
/// newest stay whatever they weigh; each is bounded by the cleaning caps).
pub const MAX_BYTES: usize = 8_000;
/// The same touch again within this time (a reload, the back button, a second tab) is
/// not a new one.
const SAME_TOUCH_MS: i64 = 30 * 60_000;

/// The journey's text: the version, then each touch after a `,`.
pub fn encode(touches: &[Touch]) -> String {
    let mut out = String::from(VERSION);
    for touch in touches {
        out.push(',');
        out.push_str(&touch.encode());
    }
    out
}

/// Reads [`encode`]'s form as hostile text: every touch is cleaned again by
/// [`Touch::decode`], one that names no source is dropped, and the result is trimmed to
/// the bounds. Another version, or no text, is no journey.
pub fn decode(encoded: &str) -> Vec<Touch> {
    let mut parts = bytes::split(encoded, b',');
    if parts.next() != Some(VERSION) {
        return Vec::new();
    }
    let mut touches: Vec<Touch> = parts
        .map(Touch::decode)
        .filter(|touch| touch.source.is_some())
        .collect();
    trim(&mut touches);
    touches
}

/// Drops the oldest touches after the first until the journey is within its bounds.
fn trim(touches: &mut Vec<Touch>) {
    if touches.len() > MAX_TOUCHES {
        touches.drain(1..touches.len() - (MAX_TOUCHES - 1));
    }
    while touches.len() > 2 && encode(touches).len() > MAX_BYTES {
        touches.remove(1);
    }
}

/// True when the encoded touch `b` is `a` again soon after: the same fields but for the
/// time and the landing page. Compared as text (the encoding is canonical: fields in one
/// order, values escaped one way), which keeps the tracker small.
fn same_touch(a: &str, b: &str) -> bool {
    let at = |t| Touch::decode(t).at;
    let soon = match (at(a), at(b)) {
        (Some(a), Some(b)) => b.saturating_sub(a) < SAME_TOUCH_MS,
        _ => false,
    };
    let plain = |t| {
        bytes::split(t, b'&').filter(|pair| {
            let key = bytes::before(pair, b'=');
            key != "at" && key != "landing_page"
        })
    };
    soon && plain(a).eq(plain(b))
}

/// Applies one page view to the stored journey text (`""` for none): a journey starts with
/// `first`, the first interaction; a visit that replaces the last touch is added unless it
/// is the newest touch again. The journey's text, and whether it changed (to be stored).
///
/// Works on the encoded touches as they are, so the tracker carries no decoding of its
/// own: what storage holds is cleaned by the collector, and bounded here.
pub fn remember(stored: &str, first: &Touch, visit: &Visit) -> (String, bool) {
    let first_text;
    let current = visit.touch.encode();
    let mut parts: Vec<&str> = bytes::split(stored, b',').collect();
    let started = parts.len() < 2 || parts[0] != VERSION;
    if started {
        first_text = first.encode();
        parts.clear();
        parts.push(VERSION);
        parts.push(&first_text);
    }
    let added = visit.replaces_last_touch() && !same_touch(parts[parts.len() - 1], &current);
    if added {
        parts.push(&current);
        // The version, the first touch and the newest always stay.
        while parts.len() > MAX_TOUCHES + 1
            || (parts.len() > 3 && parts.iter().map(|p| p.len() + 1).sum::<usize>() > MAX_BYTES)
        {
            parts.remove(2);
        }
    }
    let mut text = String::new();
    for part in parts {
        if !text.is_empty() {
            text.push(',');
        }
        text.push_str(part);
    }
    (text, started || added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    fn visit(query: &str, at: i64) -> Visit {
        Visit::read(&format!("https://acme.example/{query}"), "", Some(at))
    }

    #[test]
    fn a_journey_starts_with_the_first_interaction_even_direct() {
        let direct = visit("", 1);
        let (text, changed) = remember("", &direct.touch, &direct);
        assert!(changed);
        assert_eq!(decode(&text), [Touch::decode(&direct.touch.encode())]);
    }

    #[test]
    fn direct_visits_are_not_added_and_campaigns_are() {
        let first = visit("?utm_source=linkedin", 1);
        let (stored, _) = remember("", &first.touch, &first);
        assert_eq!(
            decode(&stored).len(),
            1,
            "the first visit is not added twice"
        );
        assert_eq!(
            remember(&stored, &first.touch, &visit("", 2)),
            (stored.clone(), false)
        );
        let (text, changed) = remember(&stored, &first.touch, &visit("?gclid=x", 3));
        assert!(changed);
        assert_eq!(decode(&text).len(), 2);
    }

    #[test]
    fn the_same_touch_soon_after_is_one_touch() {
        let first = visit("?utm_source=a", 0);
        let (stored, _) = remember("", &first.touch, &first);
        let (_, reload) = remember(&stored, &first.touch, &visit("?utm_source=a", 60_000));
        assert!(!reload);
        let other_page = visit("x?utm_source=a", 60_000);
        assert!(!remember(&stored, &first.touch, &other_page).1);
        let (text, _) = remember(&stored, &first.touch, &visit("?utm_source=a", 86_400_000));
        assert_eq!(decode(&text).len(), 2);
    }

    #[test]
    fn twenty_five_campaigns_keep_the_first_and_the_newest_nineteen() {
        let first = visit("", 0);
        let mut stored = remember("", &first.touch, &first).0;
        for n in 1..=25 {
            let v = visit(&format!("?utm_source=s{n}"), n * 1000);
            stored = remember(&stored, &first.touch, &v).0;
        }
        let touches = decode(&stored);
        assert_eq!(touches.len(), MAX_TOUCHES);
        assert_eq!(touches[0].source.as_deref(), Some("(direct)"));
        assert_eq!(touches[0].at, Some(0));
        assert_eq!(touches[1].source.as_deref(), Some("s7"));
        assert_eq!(touches[19].source.as_deref(), Some("s25"));
    }

    #[test]
    fn long_touches_are_bounded_in_bytes() {
        let first = visit("", 0);
        let mut stored = remember("", &first.touch, &first).0;
        for n in 1..=20 {
            let long = "x".repeat(250);
            let v = visit(
                &format!("?utm_source=s{n}&utm_term={long}&utm_content={long}"),
                n,
            );
            stored = remember(&stored, &first.touch, &v).0;
        }
        assert!(stored.len() <= MAX_BYTES, "{}", stored.len());
        let touches = decode(&stored);
        assert_eq!(touches[0].source.as_deref(), Some("(direct)"));
        assert_eq!(touches[0].at, Some(0));
        assert_eq!(touches.last().unwrap().source.as_deref(), Some("s20"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_reads_bounded_and_round_trips(text in "1(,[a-z_=&%0-9A-F()]{0,40}){0,30}") {
            let touches = decode(&text);
            proptest::prop_assert!(touches.len() <= MAX_TOUCHES);
            proptest::prop_assert_eq!(decode(&encode(&touches)), touches);
            let v = visit("?utm_source=new", 5);
            let (next, _) = remember(&text, &v.touch, &v);
            let read = decode(&next);
            proptest::prop_assert!(read.len() <= MAX_TOUCHES);
            let newest = read.last().and_then(|t| t.source.as_deref());
            proptest::prop_assert_eq!(newest, Some("new"));
        }
    }

    #[test]
    fn hostile_text_is_cleaned_bounded_or_no_journey() {
        assert!(decode("").is_empty());
        assert!(decode("2,source=a").is_empty());
        assert!(decode("source=a").is_empty());
        let touches = decode("1,source=%20LinkedIn%00&at=-1,medium=x,,source=b&click_id_type=evil");
        assert_eq!(touches.len(), 2);
        assert_eq!(touches[0].source.as_deref(), Some("linkedin"));
        assert_eq!(touches[0].at, None);
        assert_eq!(touches[1].click_id_type, None);
        let many = format!("1{}", ",source=a".repeat(5000));
        assert_eq!(decode(&many).len(), MAX_TOUCHES);
    }
}
