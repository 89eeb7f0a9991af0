//! The form endpoint's body parsers and the submission builder on arbitrary bytes: no
//! input may panic, and what they accept keeps the endpoint's limits.
//!
//! The first byte picks the path: urlencoded, JSON, or the `_redirect` check.

#![no_main]

use actix_web::http::header::HeaderValue;
use leadtrail_collector::fuzzing::{
    build_submission, parse_json, parse_urlencoded, safe_redirect, MAX_FIELDS,
    MAX_FIELD_NAME_CHARS,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let parsed = match selector % 3 {
        0 => parse_urlencoded(body),
        1 => parse_json(body),
        _ => {
            if let Ok(text) = std::str::from_utf8(body) {
                if let Some(url) = safe_redirect(text) {
                    // Whatever is let through must be a valid Location header value.
                    assert!(HeaderValue::from_str(&url).is_ok(), "{url:?}");
                    assert!(!url.contains(['\\', ' ', '\r', '\n', '\t']), "{url:?}");
                    assert!(!url.starts_with("//"), "{url:?}");
                }
            }
            return;
        }
    };
    let Ok(fields) = parsed else {
        return;
    };
    assert!(fields.len() <= MAX_FIELDS);
    assert!(fields
        .iter()
        .all(|(name, _)| !name.is_empty() && name.chars().count() <= MAX_FIELD_NAME_CHARS));
    // The body doubles as the Referer: the fallback touch reads it as a URL.
    let referer = std::str::from_utf8(body).ok();
    if let Ok(parsed) = build_submission("fuzz", fields, referer, 1_750_000_000_000) {
        assert!(!parsed.submission.email.key.is_empty());
    }
});
