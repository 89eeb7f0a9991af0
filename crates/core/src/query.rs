//! A minimal URL query codec: enough to read campaign parameters from a landing URL and a
//! `Referer`, to store touches compactly, and to build campaign links — without the `url`
//! crate, which would add about 160 KB to the tracker.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bytes;

/// Returns the query part of a URL (between `?` and `#`), or `""`.
pub(crate) fn query_of(url: &str) -> &str {
    bytes::split_once(bytes::before(url, b'#'), b'?').map_or("", |(_, query)| query)
}

/// Iterates the decoded `(key, value)` pairs of a query string (`a=1&b=x+y`).
/// Malformed escapes are kept literally rather than rejected.
pub fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    bytes::split(query, b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = bytes::split_once(pair, b'=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
}

/// The first value of `key` in a query string, decoded. Keys compare case-insensitively,
/// because hand-typed campaign links say `UTM_Source` as often as `utm_source`.
pub fn get(query: &str, key: &str) -> Option<String> {
    first_of(pairs(query), key)
}

/// The first value of `key` among decoded `(key, value)` pairs, keys compared as [`get`]
/// does: for pairs decoded elsewhere (the browser's `URLSearchParams`).
pub fn first_of(pairs: impl IntoIterator<Item = (String, String)>, key: &str) -> Option<String> {
    pairs
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes a query component (`+` is a space). Invalid UTF-8 becomes U+FFFD.
pub fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h * 16 + l);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True for bytes that stay unescaped in a query component (RFC 3986 unreserved).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Percent-encodes a query component; the result contains only unreserved characters and
/// `%XX` escapes, so it is safe in any URL and in HTML attributes.
pub fn encode(raw: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(raw.len());
    for &b in raw.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
    out
}

/// Appends `key=value` to a query string being built.
pub(crate) fn push_pair(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(&encode(key));
    out.push('=');
    out.push_str(&encode(value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_parameters_case_insensitively() {
        let q =
            query_of("https://a.example/x?UTM_Source=LinkedIn&utm_campaign=webinar+sept%21#frag");
        assert_eq!(get(q, "utm_source").as_deref(), Some("LinkedIn"));
        assert_eq!(get(q, "utm_campaign").as_deref(), Some("webinar sept!"));
        assert_eq!(get(q, "utm_medium"), None);
    }

    #[test]
    fn malformed_escapes_are_kept() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%E2%82%AC"), "€");
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn no_query_means_empty() {
        assert_eq!(query_of("https://a.example/x#a?b"), "");
        assert_eq!(query_of("nonsense"), "");
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(raw in any::<String>()) {
            prop_assert_eq!(decode(&encode(&raw)), raw);
        }

        #[test]
        fn decode_never_panics(raw in any::<String>()) {
            let _ = decode(&raw);
            let _ = pairs(&raw).count();
        }
    }
}
