//! Links across domains through the real binary: `POST /t/link` signs a journey,
//! `POST /t/adopt` gives it back only for a token this collector signed, unchanged and
//! within its ten minutes; bad input is a clear 4xx; the key outlives a restart; the
//! origin allow-list and the rate limit apply.
//!
//! Expired and foreign tokens are made here the way the collector makes them, with the key
//! it keeps next to its database (or another key): the binary's clock is not moved.

mod common;

use std::io::Write;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{error_of, status_and_json, Collector};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const JOURNEY: &str = "1,source=linkedin&medium=paid_social&campaign=webinar&landing_page=https%3A%2F%2Fa.example%2F%3Futm_source%3Dlinkedin&at=1750000000000,source=google&medium=cpc&click_id=Cj0&click_id_type=gclid&at=1750000100000";

fn link(c: &Collector, body: &str) -> reqwest::blocking::Response {
    c.post("/t/link")
        .header("content-type", "text/plain;charset=UTF-8")
        .body(body.to_owned())
        .send()
        .unwrap()
}

fn adopt(c: &Collector, token: &str) -> reqwest::blocking::Response {
    c.post("/t/adopt")
        .header("content-type", "text/plain;charset=UTF-8")
        .body(token.to_owned())
        .send()
        .unwrap()
}

fn token_of(c: &Collector, journey: &str) -> String {
    let (status, body) = status_and_json(link(c, journey));
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// The key the collector keeps next to its database.
fn key_of(c: &Collector) -> Vec<u8> {
    let mut path = c.db.clone().into_os_string();
    path.push("-link-key");
    hex::decode(std::fs::read_to_string(path).unwrap().trim()).unwrap()
}

/// A token as the collector makes it, with any key and expiry.
fn forge(key: &[u8], journey: &str, expires_at: i64) -> String {
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate
        .write_all(format!("{expires_at}\n{journey}").as_bytes())
        .unwrap();
    let data = URL_SAFE_NO_PAD.encode(deflate.finish().unwrap());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(b"leadtrail link ");
    mac.update(data.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16]);
    format!("1.{data}.{signature}")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn a_signed_journey_is_adopted_for_ten_minutes() {
    let c = Collector::start();
    let response = link(&c, JOURNEY);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "*",
        "any site's tracker may ask"
    );
    let (status, body) = status_and_json(response);
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "nothing to escape in a URL: {token}"
    );
    // Shorter than the journey itself would be as a URL parameter.
    let escaped = common::urlencode(JOURNEY);
    assert!(
        token.len() < escaped.len(),
        "short: {} characters for {} of escaped journey",
        token.len(),
        escaped.len()
    );
    let expires = body["expires_at"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    assert!((now() + 590..=now() + 610).contains(&expires), "{body}");

    let (status, body) = status_and_json(adopt(&c, token));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["journey"], JOURNEY);

    // Valid until the last second, not after.
    let key = key_of(&c);
    let (status, body) = status_and_json(adopt(&c, &forge(&key, JOURNEY, now() + 5)));
    assert_eq!(status, 200, "{body}");
    let expired = error_of(adopt(&c, &forge(&key, JOURNEY, now() - 1)), 422);
    assert!(
        expired.starts_with("token: the link expired at "),
        "{expired}"
    );
}

#[test]
fn forged_altered_and_malformed_tokens_are_refused() {
    let c = Collector::start();
    let token = token_of(&c, JOURNEY);
    let forged = error_of(adopt(&c, &forge(&[9; 32], JOURNEY, now() + 600)), 422);
    assert!(forged.contains("signature does not match"), "{forged}");

    // Another journey under the signature of this one.
    let other = token_of(&c, "1,source=evil&at=1");
    let (_, signature) = token.rsplit_once('.').unwrap();
    let (other_data, _) = other.rsplit_once('.').unwrap();
    let swapped = error_of(adopt(&c, &format!("{other_data}.{signature}")), 422);
    assert!(swapped.contains("signature does not match"), "{swapped}");
    // One character changed anywhere.
    let mut altered = token.clone().into_bytes();
    let middle = altered.len() / 2;
    altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    assert_eq!(adopt(&c, &altered).status(), 422);

    for (body, says) in [
        ("", "not a link token"),
        ("hello", "not a link token"),
        ("2.abc.def", "unknown link token version"),
        ("1.abc.d!f", "not base64url"),
    ] {
        let message = error_of(adopt(&c, body), 400);
        assert!(message.contains(says), "{body:?}: {message}");
    }
    let message = error_of(adopt(&c, &"A".repeat(9 * 1024)), 413);
    assert!(message.contains("larger than"), "{message}");
}

#[test]
fn the_signing_route_takes_only_a_bounded_journey() {
    let c = Collector::start();
    for body in ["", "hello", "2,source=a", "1,medium=cpc&at=1", "1,"] {
        let message = error_of(link(&c, body), 400);
        assert!(message.contains("not a journey"), "{body:?}: {message}");
    }
    let not_text = c
        .post("/t/link")
        .body(vec![b'1', b',', 0xff, 0xfe])
        .send()
        .unwrap();
    assert!(error_of(not_text, 400).contains("UTF-8"));
    let message = error_of(
        link(&c, &format!("1,source=a&term={}", "x".repeat(17 * 1024))),
        413,
    );
    assert!(message.contains("larger than 16384 bytes"), "{message}");

    // Hostile values are cleaned before they are signed.
    let token = token_of(&c, "1,source=%20LinkedIn%00&click_id_type=evil&at=5");
    let (_, body) = status_and_json(adopt(&c, &token));
    assert_eq!(body["journey"], "1,source=linkedin&at=5");

    // A long journey keeps its first and newest touches within 2,000 bytes.
    let long: String = (0..20)
        .map(|n| format!(",source=s{n}&term={}&at={n}", "t".repeat(200)))
        .collect();
    let token = token_of(&c, &format!("1{long}"));
    let (_, body) = status_and_json(adopt(&c, &token));
    let journey = body["journey"].as_str().unwrap();
    assert!(journey.len() <= 2_000, "{}", journey.len());
    let sources: Vec<&str> = journey
        .split(',')
        .skip(1)
        .map(|t| t.split('&').next().unwrap())
        .collect();
    assert_eq!(sources.first(), Some(&"source=s0"));
    assert_eq!(sources.last(), Some(&"source=s19"));
    assert!(sources.len() < 20, "{sources:?}");
}

#[test]
fn links_signed_before_a_restart_are_still_adopted() {
    let c = Collector::start();
    let token = token_of(&c, JOURNEY);
    let key = key_of(&c);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut path = c.db.clone().into_os_string();
        path.push("-link-key");
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key is the owner's only");
    }
    let (dir, db) = c.into_dir();
    let c = Collector::start_in(dir, db, &[], &[]);
    assert_eq!(key_of(&c), key);
    let (status, body) = status_and_json(adopt(&c, &token));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn only_allowed_origins_may_sign_and_adopt_and_each_address_is_limited() {
    let c = Collector::start_with(
        &[],
        &[
            ("LEADTRAIL_ALLOWED_ORIGINS", "https://www.acme.example"),
            // On with the form endpoint's limit (whatever its own figures).
            ("LEADTRAIL_FORM_POSTS_PER_MINUTE", "1"),
        ],
    );
    let send = |path: &str, origin: &str, body: &str| {
        c.post(path)
            .header("origin", origin)
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    let allowed = send("/t/link", "https://www.acme.example", JOURNEY);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://www.acme.example"
    );
    let (status, body) = status_and_json(allowed);
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let refused = send("/t/adopt", "https://evil.example", &token);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(error_of(refused, 403).contains("origin is not allowed"));

    // 120 at once, then 429 with Retry-After.
    let mut last: Option<reqwest::blocking::Response> = None;
    for _ in 0..130 {
        let response = send("/t/adopt", "https://www.acme.example", &token);
        if response.status() == 429 {
            last = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let response = last.expect("the limit is reached");
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("too many requests"),
        "{body}"
    );
}
