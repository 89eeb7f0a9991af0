//! Cleaning of values that come from URLs, referrers and form fields.
//!
//! Every value is treated as hostile: it is length-capped (by characters, on a character
//! boundary), stripped of control and bidirectional-override characters, and trimmed.
//! Cleaning never rejects a value; whatever survives is safe to store verbatim and is
//! escaped wherever it is shown.

use alloc::borrow::ToOwned;
use alloc::string::String;

/// Longest campaign value kept (source, medium, campaign, term, content, id), in characters.
pub const MAX_VALUE_CHARS: usize = 256;
/// Longest click id kept, in characters. Real ones are well under 200.
pub(crate) const MAX_CLICK_ID_CHARS: usize = 256;
/// Longest URL kept (landing page, referrer), in characters.
pub const MAX_URL_CHARS: usize = 2048;

/// True for characters that must never be stored: C0/C1 controls and the Unicode
/// bidirectional controls that can make a value display as something it is not.
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Strips unsafe characters, trims, and caps at `max_chars` characters.
/// Returns `None` when nothing is left.
pub fn clean_text(raw: &str, max_chars: usize) -> Option<String> {
    let mut out = String::with_capacity(raw.len().min(max_chars * 4));
    for c in raw
        .trim()
        .chars()
        .filter(|c| !is_unsafe_char(*c))
        .take(max_chars)
    {
        out.push(c);
    }
    let trimmed = out.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == out.len() {
        Some(out)
    } else {
        Some(trimmed.to_owned())
    }
}

/// Normalises a campaign *name* (source, medium, campaign): cleaned, lower-case, and every
/// run of inner white space becomes one `_` (`"Webinar Sept"` → `"webinar_sept"`), so that
/// spellings a human sees as equal are stored as equal.
pub fn normalise_name(raw: &str) -> Option<String> {
    let cleaned = clean_text(raw, MAX_VALUE_CHARS)?;
    let mut out = String::with_capacity(cleaned.len());
    let mut in_space = false;
    for c in cleaned.chars() {
        if c.is_whitespace() {
            in_space = true;
            continue;
        }
        if in_space {
            out.push('_');
            in_space = false;
        }
        push_lowercase(&mut out, c);
    }
    Some(out)
}

/// Appends `c` in lower case. Natively that is Unicode's full mapping. In the wasm
/// tracker only ASCII letters are lowered: Unicode's case tables would add about 6 KB
/// (gzip) to every page, and the collector normalises every value it receives again with
/// the full mapping, so stored data is the same either way.
#[inline]
fn push_lowercase(out: &mut String, c: char) {
    #[cfg(not(target_arch = "wasm32"))]
    out.extend(c.to_lowercase());
    #[cfg(target_arch = "wasm32")]
    out.push(c.to_ascii_lowercase());
}

/// Cleans a free-text campaign value (term, content, id): case and inner spaces are kept.
pub fn clean_value(raw: &str) -> Option<String> {
    clean_text(raw, MAX_VALUE_CHARS)
}

/// Cleans a click id: case is significant to the ad platforms, so it is kept; anything that
/// could not be part of an id (white space) is removed.
pub(crate) fn clean_click_id(raw: &str) -> Option<String> {
    let no_space: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    clean_text(&no_space, MAX_CLICK_ID_CHARS)
}

/// Cleans a URL (landing page, referrer). A fragment is dropped: it never reaches a server
/// and often carries tokens that have no business in a CRM. On the server an absolute URL
/// is first serialised as the browser would have ([`crate::web_url`]), so that a page is
/// stored in one spelling whoever sent it.
pub(crate) fn clean_url(raw: &str) -> Option<String> {
    #[cfg(feature = "url")]
    let canonical = crate::web_url::canonical(raw.trim());
    #[cfg(feature = "url")]
    let raw: &str = &canonical;
    clean_text(crate::bytes::before(raw, b'#'), MAX_URL_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_are_trimmed_lowercased_and_underscored() {
        assert_eq!(normalise_name("  LinkedIn ").as_deref(), Some("linkedin"));
        assert_eq!(
            normalise_name("Webinar   Sept").as_deref(),
            Some("webinar_sept")
        );
        assert_eq!(normalise_name(" \t ").as_deref(), None);
        assert_eq!(normalise_name("ÉTÉ Promo").as_deref(), Some("été_promo"));
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        assert_eq!(
            clean_value("a\u{0}b\u{7}c\u{202E}d\n").as_deref(),
            Some("abcd")
        );
        assert_eq!(clean_value("\u{202E}\u{0}").as_deref(), None);
    }

    #[test]
    fn click_ids_keep_case() {
        assert_eq!(
            clean_click_id(" EAIaIQob ChMI ").as_deref(),
            Some("EAIaIQobChMI")
        );
    }

    #[test]
    fn urls_lose_their_fragment() {
        assert_eq!(
            clean_url("https://a.example/p?x=1#token=secret").as_deref(),
            Some("https://a.example/p?x=1")
        );
    }

    #[test]
    fn long_values_are_capped_on_a_char_boundary() {
        let long = "é".repeat(1000);
        let cleaned = clean_value(&long).unwrap();
        assert_eq!(cleaned.chars().count(), MAX_VALUE_CHARS);
    }

    proptest! {
        #[test]
        fn cleaned_values_are_bounded_and_safe(raw in any::<String>()) {
            for cleaned in [clean_value(&raw), normalise_name(&raw), clean_click_id(&raw)].into_iter().flatten() {
                prop_assert!(cleaned.chars().count() <= MAX_VALUE_CHARS);
                prop_assert!(!cleaned.chars().any(is_unsafe_char));
                prop_assert_eq!(cleaned.trim(), cleaned.as_str());
                prop_assert!(!cleaned.is_empty());
            }
            if let Some(url) = clean_url(&raw) {
                prop_assert!(url.chars().count() <= MAX_URL_CHARS);
                prop_assert!(!url.contains('#'));
            }
        }

        #[test]
        fn normalising_is_idempotent(raw in any::<String>()) {
            if let Some(once) = normalise_name(&raw) {
                prop_assert_eq!(normalise_name(&once), Some(once.clone()));
            }
        }
    }
}
