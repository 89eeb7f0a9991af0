//! The journey across domains: a site whose forms live on another domain (an app, a
//! booking page) has the tracker hand the visitor's touches over in one link parameter.
//!
//! The browser holds no key, so the collector signs: `POST /t/link` takes the journey the
//! tracker on site A remembers and answers a token, the journey compressed with its expiry
//! (ten minutes) and an HMAC-SHA256 under the collector's key. The tracker on site B finds
//! the token in its URL and asks `POST /t/adopt` whether it holds: only a token this
//! collector signed, unchanged and unexpired, gives back its journey, which B's tracker
//! then remembers as its own. The expiry is about the link; the form post that follows
//! minutes or days later carries the adopted touches as every post carries its touches.
//!
//! The token is readable by whoever sees the link (signed, not encrypted): it carries what
//! the hidden fields of a form on site A would carry anyway, and the tracker on B takes it
//! off the address bar.
//!
//! The key: 32 random bytes the collector makes on first use and keeps next to its
//! database (`<db>-link-key`, readable by the owner only). Where that file cannot be
//! written, a key for this process only is used (links then do not outlive a restart).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use leadtrail_core::{journey, Touch};
use serde::Serialize;
use sha2::Sha256;

use super::error::ApiError;
use super::routes::Router;
use super::{abuse, AppState};

/// How long a signed link may be followed.
pub(crate) const LINK_LIFETIME_SECS: i64 = 10 * 60;
/// Largest body `POST /t/link` reads: a journey is at most 8,000 bytes of text, beyond
/// which the tracker never sends (with room for a journey's last, larger touch).
const MAX_JOURNEY_BODY_BYTES: usize = 16 * 1024;
/// Largest body `POST /t/adopt` reads.
const MAX_TOKEN_BODY_BYTES: usize = 8 * 1024;
/// Most bytes of journey text a link carries, so that it stays a short parameter: the
/// oldest touches after the first go until it fits (the first and the newest always stay).
pub(crate) const MAX_LINK_JOURNEY_BYTES: usize = 2_000;
/// Most bytes a token's payload may inflate to: more is not a token this collector made.
const MAX_PAYLOAD_BYTES: u64 = 12 * 1024;
/// The token's version, its first element.
const TOKEN_VERSION: &str = "1";
/// Bytes of the HMAC the token keeps: 128 bits, as much as a forger has to guess.
const SIGNATURE_BYTES: usize = 16;
/// Requests per minute and burst per client address, for both routes together: a page
/// view of a site that links to another domain signs once (and every five minutes while
/// it stays open and visible), so an office behind one address stays well within it. Off
/// with the form endpoint's limit (`form_posts_per_minute = 0`, as behind a proxy, where
/// every client has the proxy's address).
const REQUESTS_PER_MINUTE: u32 = 240;
const REQUEST_BURST: u32 = 120;

/// The collector's signing key, read or made on first use.
pub(crate) struct LinkKey {
    path: PathBuf,
    key: OnceLock<[u8; 32]>,
}

impl LinkKey {
    /// The key kept in `<db>-link-key`.
    pub(crate) fn next_to(db: &Path) -> LinkKey {
        LinkKey {
            path: crate::commands::backup::with_suffix(db, "-link-key"),
            key: OnceLock::new(),
        }
    }

    fn get(&self) -> &[u8; 32] {
        self.key.get_or_init(|| match load_or_create(&self.path) {
            Ok(key) => key,
            Err(e) => {
                tracing::warn!(
                    path = %self.path.display(),
                    error = %e,
                    "cannot keep the key that signs cross-domain links; links signed now \
                     stop working when the collector restarts"
                );
                rand::random()
            }
        })
    }
}

/// Reads the key file (64 hex digits), or makes it when there is none. Made with
/// `create_new`, so two processes starting together end up with the same key.
fn load_or_create(path: &Path) -> std::io::Result<[u8; 32]> {
    let read = |path: &Path| -> std::io::Result<[u8; 32]> {
        let text = std::fs::read_to_string(path)?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut key).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not 64 hex digits: {e}", path.display()),
            )
        })?;
        Ok(key)
    };
    match read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        other => return other,
    }
    let key: [u8; 32] = rand::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(hex::encode(key).as_bytes())?;
            file.sync_all()?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(e),
    }
}

/// The per-address limit of both routes; none when the form endpoint has none.
pub(crate) fn rate_limiter(form_posts_per_minute: u32) -> Option<abuse::RateLimiter> {
    (form_posts_per_minute > 0)
        .then(|| abuse::RateLimiter::new(REQUESTS_PER_MINUTE, REQUEST_BURST))
        .flatten()
}

fn mac(key: &[u8; 32], data: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"leadtrail link ");
    mac.update(data.as_bytes());
    mac
}

/// The journey as a link carries it: cleaned, and without the oldest touches after the
/// first while it weighs more than [`MAX_LINK_JOURNEY_BYTES`].
fn link_journey(touches: &mut Vec<Touch>) -> String {
    while touches.len() > 2 && journey::encode(touches).len() > MAX_LINK_JOURNEY_BYTES {
        touches.remove(1);
    }
    journey::encode(touches)
}

/// `1.<data>.<signature>`: `data` the payload `<expiry, Unix seconds>\n<journey>`
/// deflated, both parts unpadded base64url (nothing in it needs escaping in a URL).
fn sign(key: &[u8; 32], journey: &str, expires_at: i64) -> String {
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec does not fail.
    let _ = deflate.write_all(format!("{expires_at}\n{journey}").as_bytes());
    let data = URL_SAFE_NO_PAD.encode(deflate.finish().unwrap_or_default());
    let signature = mac(key, &data).finalize().into_bytes();
    let signature = URL_SAFE_NO_PAD.encode(&signature[..SIGNATURE_BYTES]);
    format!("{TOKEN_VERSION}.{data}.{signature}")
}

/// Why a token is not taken.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Not in the token's form at all.
    Malformed(&'static str),
    /// Well-formed, but not signed by this collector's key as it is.
    Forged,
    /// Signed, but its ten minutes are over.
    Expired { at: i64 },
}

/// The journey a token carries, when this collector signed it and it has not expired at
/// `now` (Unix seconds). The signature is checked (in constant time) before anything of
/// the payload is read.
fn verify(key: &[u8; 32], token: &str, now: i64) -> Result<String, Refusal> {
    let mut parts = token.trim().split('.');
    let (Some(version), Some(data), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Malformed("a link token is `1.<data>.<signature>`"));
    };
    if version != TOKEN_VERSION {
        return Err(Refusal::Malformed(
            "unknown link token version (this collector makes `1.`)",
        ));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| Refusal::Malformed("the signature is not base64url"))?;
    if signature.len() != SIGNATURE_BYTES
        || mac(key, data).verify_truncated_left(&signature).is_err()
    {
        return Err(Refusal::Forged);
    }
    // Signed by this key: what follows was made by `sign`, and is read defensively all
    // the same.
    let compressed = URL_SAFE_NO_PAD.decode(data).map_err(|_| Refusal::Forged)?;
    let mut payload = String::new();
    flate2::read::DeflateDecoder::new(compressed.as_slice())
        .take(MAX_PAYLOAD_BYTES)
        .read_to_string(&mut payload)
        .map_err(|_| Refusal::Forged)?;
    let (expires_at, journey) = payload.split_once('\n').ok_or(Refusal::Forged)?;
    let expires_at: i64 = expires_at.parse().map_err(|_| Refusal::Forged)?;
    if now > expires_at {
        return Err(Refusal::Expired { at: expires_at });
    }
    Ok(journey.to_owned())
}

/// Refuses a page whose origin is not on the allow-list, and a client over its rate.
fn admit(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    if !abuse::origin_allowed(&state.allowed_origins, origin) {
        return Err(ApiError::Forbidden(
            "this site may not use this collector (its origin is not allowed)".to_owned(),
        ));
    }
    if let (Some(limiter), Some(peer)) = (&state.link_rate_limit, req.peer_addr()) {
        limiter
            .check(peer.ip(), std::time::Instant::now())
            .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    }
    Ok(())
}

/// The body as text, bounded.
async fn text_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<String, ApiError> {
    let body = super::form::read_body(req, payload, limit).await?;
    String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request("the body is not UTF-8 text"))
}

fn now_secs() -> i64 {
    crate::time::now_ms().div_euclid(1000)
}

/// A signed link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct LinkTokenJson {
    /// The value of the `lt_link` parameter.
    pub(crate) token: String,
    /// Until when the link may be followed (RFC 3339 UTC).
    pub(crate) expires_at: Option<String>,
}

/// A followed link's journey.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AdoptedJourneyJson {
    /// The journey the link carries, in the `lt_journey` encoding.
    pub(crate) journey: String,
}

/// `POST /t/link`: signs the journey a tracker remembers, for links to the site's other
/// domains.
#[utoipa::path(post, path = "/t/link", tag = "forms",
    request_body(content = String, content_type = "text/plain",
        description = "the journey in the `lt_journey` encoding (`1,<touch>,…`), at most 16 KiB",
        example = "1,source=linkedin&medium=paid_social&at=1750000000000"),
    responses(
        (status = 200, description = "the signed token, for ten minutes; a journey over \
            2,000 bytes keeps its first and newest touches", body = LinkTokenJson,
         example = json!({"token": "1.JYs7DoAgDET3nqU3v…", "expires_at": "2026-12-07T23:50:00Z"})),
        (status = 400, description = "the body is not a journey with a touch that names a source",
         body = super::json::ErrorJson),
        (status = 403, description = "the page's origin is not allowed", body = super::json::ErrorJson),
        (status = 413, description = "the body is over 16 KiB", body = super::json::ErrorJson),
        (status = 429, description = "too many requests from this address", body = super::json::ErrorJson)))]
pub(crate) async fn link(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    admit(&req, &state)?;
    let text = text_body(&req, payload, MAX_JOURNEY_BODY_BYTES).await?;
    let mut touches = journey::decode(text.trim());
    if touches.is_empty() {
        return Err(ApiError::bad_request(
            "the body is not a journey: `1,<touch>,…` with at least one touch that names a \
             source (see docs/tracker.md)",
        ));
    }
    let journey = link_journey(&mut touches);
    let expires_at = now_secs() + LINK_LIFETIME_SECS;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(LinkTokenJson {
            token: sign(state.link_key.get(), &journey, expires_at),
            expires_at: crate::time::rfc3339(expires_at.saturating_mul(1000)),
        }))
}

/// `POST /t/adopt`: the journey of a followed link, when this collector signed it and its
/// ten minutes are not over.
#[utoipa::path(post, path = "/t/adopt", tag = "forms",
    request_body(content = String, content_type = "text/plain",
        description = "the `lt_link` parameter's value, at most 8 KiB"),
    responses(
        (status = 200, description = "the journey the link carries, cleaned", body = AdoptedJourneyJson,
         example = json!({"journey": "1,source=linkedin&medium=paid_social&at=1750000000000"})),
        (status = 400, description = "not a link token", body = super::json::ErrorJson),
        (status = 403, description = "the page's origin is not allowed", body = super::json::ErrorJson),
        (status = 413, description = "the body is over 8 KiB", body = super::json::ErrorJson),
        (status = 422, description = "`token`: the signature does not match (forged, altered \
            or signed by another collector), or the link expired", body = super::json::ErrorJson),
        (status = 429, description = "too many requests from this address", body = super::json::ErrorJson)))]
pub(crate) async fn adopt(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    admit(&req, &state)?;
    let token = text_body(&req, payload, MAX_TOKEN_BODY_BYTES).await?;
    let journey =
        verify(state.link_key.get(), &token, now_secs()).map_err(|refusal| match refusal {
            Refusal::Malformed(why) => ApiError::bad_request(format!("not a link token: {why}")),
            Refusal::Forged => ApiError::invalid(
                "token",
                "the signature does not match (forged, altered, or signed by another collector)",
            ),
            Refusal::Expired { at } => ApiError::invalid(
                "token",
                format!(
                    "the link expired at {} (links hold for ten minutes)",
                    crate::time::rfc3339(at.saturating_mul(1000)).unwrap_or_default()
                ),
            ),
        })?;
    // Cleaned again, as everything a browser hands over.
    let journey = journey::encode(&journey::decode(&journey));
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AdoptedJourneyJson { journey }))
}

pub(crate) fn routes(r: &mut Router<'_>) {
    use super::access::Access;
    r.post("/link", link)
        .allow(Access::Public)
        .post("/adopt", adopt)
        .allow(Access::Public);
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(link, adopt))]
pub(crate) struct CrossDomainApi;

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn touches(sources: &[&str]) -> Vec<Touch> {
        sources
            .iter()
            .enumerate()
            .map(|(n, source)| {
                Touch::decode(&format!(
                    "source={source}&medium=cpc&landing_page=https%3A%2F%2Fa.example%2F%3Fp%3D{}&at={n}",
                    "x".repeat(200)
                ))
            })
            .collect()
    }

    #[test]
    fn a_signed_journey_verifies_until_it_expires() {
        let journey = journey::encode(&touches(&["linkedin", "google"]));
        let token = sign(&KEY, &journey, 1_000);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "{token}"
        );
        assert!(
            token.len() < journey.len(),
            "compressed: {} vs {}",
            token.len(),
            journey.len()
        );
        assert_eq!(verify(&KEY, &token, 1_000), Ok(journey));
        assert_eq!(
            verify(&KEY, &token, 1_001),
            Err(Refusal::Expired { at: 1_000 })
        );
    }

    #[test]
    fn altered_or_foreign_tokens_are_forged() {
        let token = sign(&KEY, "1,source=a", 1_000);
        assert_eq!(verify(&[8; 32], &token, 0), Err(Refusal::Forged));
        let (data, signature) = token.rsplit_once('.').unwrap();
        let other = sign(&KEY, "1,source=b", 1_000);
        let other_data = other.rsplit_once('.').unwrap().0;
        assert_eq!(
            verify(&KEY, &format!("{other_data}.{signature}"), 0),
            Err(Refusal::Forged)
        );
        // A shorter signature (its first 6 bytes) is not enough.
        assert_eq!(
            verify(&KEY, &format!("{data}.{}", &signature[..8]), 0),
            Err(Refusal::Forged)
        );
        assert_eq!(verify(&KEY, &format!("{data}."), 0), Err(Refusal::Forged));
        assert!(matches!(verify(&KEY, "", 0), Err(Refusal::Malformed(_))));
        assert!(matches!(
            verify(&KEY, "2.a.b", 0),
            Err(Refusal::Malformed(_))
        ));
        assert!(matches!(
            verify(&KEY, &format!("{token}.x"), 0),
            Err(Refusal::Malformed(_))
        ));
        assert!(matches!(
            verify(&KEY, &format!("{data}.!!"), 0),
            Err(Refusal::Malformed(_))
        ));
    }

    #[test]
    fn a_long_journey_keeps_its_first_and_newest_touches_within_the_link_bound() {
        let sources: Vec<String> = (0..20).map(|n| format!("s{n}")).collect();
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        let mut all = touches(&sources);
        let text = link_journey(&mut all);
        assert!(text.len() <= MAX_LINK_JOURNEY_BYTES, "{}", text.len());
        let kept = journey::decode(&text);
        assert_eq!(kept[0].source.as_deref(), Some("s0"));
        assert_eq!(kept.last().unwrap().source.as_deref(), Some("s19"));
        assert!(kept.len() < 20);
    }

    #[test]
    fn the_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db-link-key");
        let made = load_or_create(&path).unwrap();
        assert_eq!(load_or_create(&path).unwrap(), made);
        std::fs::write(&path, "not hex").unwrap();
        assert!(load_or_create(&path).is_err());
    }
}
