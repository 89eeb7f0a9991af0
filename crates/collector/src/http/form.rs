//! `POST /f/{form_key}`: the public form endpoint that any website's forms post to.
//!
//! The body is read once, capped at the configured size, then parsed by its content type
//! (urlencoded, multipart or JSON) into a list of named fields. Those are sorted into the
//! recognised person fields, the tracker's `lt_*` wire fields and the free payload,
//! validated, and handed to the store, which answers only after the submission is
//! committed.
//!
//! Without tracker fields (JavaScript off, a plain HTML form, a server posting on a
//! visitor's behalf) the conversion touch is read from the post's `Referer` header, taken
//! as the page the form was on: its `utm_*` parameters and click ids count, the origin is
//! recorded as `referer_header`. Browsers posting across origins usually send only the
//! origin there, so this mainly helps same-origin set-ups; the tracker's fields are the
//! main path.
//!
//! Abuse ([`super::abuse`]): before the body is read, a post from an origin outside the
//! configured allow-list is refused (403) and a client over its rate gets 429 with
//! `Retry-After`; after parsing, a post whose honeypot field is filled is answered like
//! a success and dropped. Bodies are capped in size and time, fields in count and name
//! length.

use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use leadtrail_core::attribution::untracked_if_direct;
use leadtrail_core::clean::clean_text;
use leadtrail_core::identity::{Email, MAX_NAME_CHARS};
use leadtrail_core::web_url;
use leadtrail_core::wire::{self, Slot};
use leadtrail_core::{journey, Touch, TouchOrigin};
use serde_json::{Map, Value};

use super::abuse::{self, HONEYPOT_FIELD};
use super::error::ApiError;
use super::AppState;
use crate::store::leads::{ConsentPolicy, Requester, CONSENT_FIELD};
use crate::store::{is_valid_form_key, IncomingSubmission, MAX_FORM_KEY_CHARS};

/// Most fields one post may carry (hidden tracker fields included, about 23 of them).
pub const MAX_FIELDS: usize = 200;
/// Longest field name accepted, in characters.
pub const MAX_FIELD_NAME_CHARS: usize = 128;
/// Longest kept country and phone values.
const MAX_SHORT_FIELD_CHARS: usize = 64;
/// Longest accepted `_redirect` URL.
const MAX_REDIRECT_CHARS: usize = 2048;
/// Longest a client may take to send its body once the headers are in: a form body is
/// small, and a client trickling it in holds a connection that others need.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Where a browser goes after posting without a (usable) `_redirect`.
pub(crate) const THANK_YOU_PATH: &str = "/thanks";
/// The field that names the thank-you page to go to after a browser post.
pub(crate) const REDIRECT_FIELD: &str = "_redirect";

/// One field's value as the body format carried it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    /// From a JSON body: kept as JSON in the payload (numbers stay numbers).
    Json(Value),
}

impl FieldValue {
    /// The value as text, for fields that must be text; `Ok(None)` for JSON `null`.
    fn as_text(&self) -> Result<Option<String>, &'static str> {
        match self {
            FieldValue::Text(s) => Ok(Some(s.clone())),
            FieldValue::Json(Value::String(s)) => Ok(Some(s.clone())),
            FieldValue::Json(Value::Number(n)) => Ok(Some(n.to_string())),
            FieldValue::Json(Value::Bool(b)) => Ok(Some(b.to_string())),
            FieldValue::Json(Value::Null) => Ok(None),
            FieldValue::Json(Value::Array(_) | Value::Object(_)) => {
                Err("must be a string, not a JSON array or object")
            }
        }
    }

    fn into_json(self) -> Value {
        match self {
            FieldValue::Text(s) => Value::String(s),
            FieldValue::Json(v) => v,
        }
    }
}

/// The body formats the endpoint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    UrlEncoded,
    Multipart,
    Json,
}

/// Tells the body format from `Content-Type`; anything else is a 415 naming what works.
pub(crate) fn body_kind(req: &HttpRequest) -> Result<BodyKind, ApiError> {
    let unsupported = |what: &str| {
        ApiError::UnsupportedMediaType(format!(
            "unsupported content type {what}; send application/x-www-form-urlencoded, \
             multipart/form-data or application/json"
        ))
    };
    let mime = match req.mime_type() {
        Ok(Some(mime)) => mime,
        Ok(None) => return Err(unsupported("(none)")),
        Err(_) => return Err(unsupported("(malformed header)")),
    };
    let essence = (mime.type_().as_str(), mime.subtype().as_str());
    match essence {
        ("application", "x-www-form-urlencoded") => Ok(BodyKind::UrlEncoded),
        ("multipart", "form-data") => Ok(BodyKind::Multipart),
        ("application", "json") => Ok(BodyKind::Json),
        _ => Err(unsupported(mime.essence_str())),
    }
}

/// Refuses compressed bodies: browsers never send them, and a small compressed body can
/// expand to many megabytes before any size check sees it.
pub(crate) fn refuse_content_encoding(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(header::CONTENT_ENCODING) {
        None => Ok(()),
        Some(v) if v.as_bytes().eq_ignore_ascii_case(b"identity") => Ok(()),
        Some(v) => Err(ApiError::UnsupportedMediaType(format!(
            "Content-Encoding {} is not accepted; send the body uncompressed",
            String::from_utf8_lossy(v.as_bytes())
        ))),
    }
}

/// Reads the whole body, refusing it as soon as it grows past `limit`.
pub(crate) async fn read_body(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Collects fields while enforcing the count and name limits.
#[derive(Debug, Default)]
struct FieldList {
    fields: Vec<(String, FieldValue)>,
    /// Every part seen, kept or not (file parts, nameless fields).
    seen: usize,
}

impl FieldList {
    fn push(&mut self, name: String, value: FieldValue) -> Result<(), ApiError> {
        self.seen += 1;
        if self.seen > MAX_FIELDS {
            return Err(ApiError::PayloadTooLarge(format!(
                "too many fields; at most {MAX_FIELDS} are accepted"
            )));
        }
        if name.chars().count() > MAX_FIELD_NAME_CHARS {
            return Err(ApiError::bad_request(format!(
                "a field name is longer than {MAX_FIELD_NAME_CHARS} characters"
            )));
        }
        // A nameless field cannot be told apart from any other; it carries nothing.
        if !name.is_empty() {
            self.fields.push((name, value));
        }
        Ok(())
    }
}

/// Percent-decodes one urlencoded component (`+` is a space). Malformed escapes are kept
/// literally, as browsers' own parsers do; bytes that are not UTF-8 once decoded are
/// refused rather than silently replaced, so that no mangled address is ever stored.
fn decode_component(raw: &[u8]) -> Result<String, ApiError> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| {
        ApiError::bad_request("malformed form body: a field is not valid UTF-8 once decoded")
    })
}

pub fn parse_urlencoded(body: &[u8]) -> Result<Vec<(String, FieldValue)>, ApiError> {
    let mut fields = FieldList::default();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &[][..]),
        };
        fields.push(
            decode_component(name)?,
            FieldValue::Text(decode_component(value)?),
        )?;
    }
    Ok(fields.fields)
}

pub fn parse_json(body: &[u8]) -> Result<Vec<(String, FieldValue)>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?;
    let Value::Object(object) = value else {
        return Err(ApiError::bad_request(
            "the JSON body must be an object of fields",
        ));
    };
    let mut fields = FieldList::default();
    for (name, value) in object {
        fields.push(name, FieldValue::Json(value))?;
    }
    Ok(fields.fields)
}

/// Reads the text fields of a multipart body; file parts are counted but not kept.
pub(crate) async fn parse_multipart(
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Vec<(String, FieldValue)>, ApiError> {
    let stream = futures_util::stream::once(async move { Ok(body) });
    let mut multipart = actix_multipart::Multipart::new(headers, stream);
    let mut fields = FieldList::default();
    while let Some(part) = multipart.next().await {
        let mut part =
            part.map_err(|e| ApiError::bad_request(format!("malformed multipart body: {e}")))?;
        let (name, is_file) = match part.content_disposition() {
            Some(cd) => (
                cd.get_name().map(str::to_owned),
                cd.get_filename().is_some() || cd.get_filename_ext().is_some(),
            ),
            None => (None, false),
        };
        if is_file {
            fields.push(String::new(), FieldValue::Text(String::new()))?;
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::bad_request(format!("malformed multipart body: {e}")))?;
            value.extend_from_slice(&chunk);
        }
        let Some(name) = name else { continue };
        let text = String::from_utf8(value).map_err(|_| {
            ApiError::bad_request("a multipart text field is not valid UTF-8".to_owned())
        })?;
        fields.push(name, FieldValue::Text(text))?;
    }
    Ok(fields.fields)
}

/// A `_redirect` value the browser may be sent to: an absolute http(s) URL with a host and
/// no `user:password@` (a trusted-looking `https://trusted.example@evil.example` goes to
/// evil.example), written as the browser would (the host in punycode, non-ASCII
/// percent-encoded), or a path on the collector's own site (`/thanks.html` — one leading
/// `/`, since `//host` and `/\host` would leave the site). White space, controls and
/// backslashes (which browsers read as `/`) are refused before the URL is read.
pub fn safe_redirect(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty()
        || raw.chars().count() > MAX_REDIRECT_CHARS
        || raw
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return None;
    }
    if raw.starts_with('/') {
        if raw.starts_with("//") {
            return None;
        }
        let mut out = String::with_capacity(raw.len());
        for c in raw.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
        return Some(out);
    }
    // Only a URL that names its scheme itself: `acme.example/x` is not one.
    let scheme = raw.split(':').next().unwrap_or("").to_ascii_lowercase();
    let after_scheme = &raw[scheme.len()..];
    // `https:///path` would be read as the host `path`.
    if scheme != "http" && scheme != "https"
        || !after_scheme.starts_with("://")
        || after_scheme[3..].starts_with('/')
    {
        return None;
    }
    let url = url::Url::parse(raw).ok()?;
    let has_host = url.host_str().is_some_and(|h| !h.is_empty());
    if !has_host || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    Some(url.to_string())
}

/// The origin (`https://www.example.com`) of a URL such as a `Referer`.
fn origin_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
}

/// Whether a browser may be sent to `redirect` (already made safe): a path on the
/// collector's own site always; another site only when it is an allowed origin, if the
/// operator set any (else a form could bounce visitors to any site).
pub(crate) fn redirect_allowed(redirect: &str, allowed_origins: &[String]) -> bool {
    if allowed_origins.is_empty() || redirect.starts_with('/') {
        return true;
    }
    url::Url::parse(redirect)
        .map(|url| url.origin().ascii_serialization())
        .is_ok_and(|origin| allowed_origins.contains(&origin))
}

/// A parsed submission plus where to send the browser afterwards.
#[derive(Debug)]
pub struct ParsedForm {
    pub(crate) submission: IncomingSubmission,
    /// A usable `_redirect`, if the form gave one.
    pub(crate) redirect: Option<String>,
}

/// Recognised person fields, as the store wants them.
#[derive(Debug, Default)]
struct PersonFields {
    email: Option<String>,
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    company: Option<String>,
    country: Option<String>,
    phone: Option<String>,
}

impl PersonFields {
    /// The slot a recognised field name fills, with the name as `'static` for messages.
    fn slot(&mut self, name: &str) -> Option<(&'static str, &mut Option<String>)> {
        Some(match name {
            "email" => ("email", &mut self.email),
            "name" => ("name", &mut self.name),
            "first_name" => ("first_name", &mut self.first_name),
            "last_name" => ("last_name", &mut self.last_name),
            "company" => ("company", &mut self.company),
            "country" => ("country", &mut self.country),
            "phone" => ("phone", &mut self.phone),
            _ => return None,
        })
    }
}

/// Adds a payload field; a repeated name (checkboxes, multi-selects) becomes an array.
fn add_to_payload(
    payload: &mut Map<String, Value>,
    repeated: &mut Vec<String>,
    name: String,
    value: Value,
) {
    match payload.get_mut(&name) {
        None => {
            payload.insert(name, value);
        }
        Some(existing) => {
            if repeated.contains(&name) {
                if let Value::Array(items) = existing {
                    items.push(value);
                }
            } else {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
                repeated.push(name);
            }
        }
    }
}

/// Sorts fields into person fields, touches and payload, and validates them.
///
/// `referer` is the post's `Referer` header, used only when the tracker sent no touch;
/// `now_ms` is the server's clock.
pub fn build_submission(
    form_key: &str,
    fields: Vec<(String, FieldValue)>,
    referer: Option<&str>,
    now_ms: i64,
) -> Result<ParsedForm, ApiError> {
    let mut person = PersonFields::default();
    let mut wire_pairs: Vec<(String, String)> = Vec::new();
    let mut payload = Map::new();
    let mut repeated = Vec::new();
    let mut redirect = None;

    for (name, value) in fields {
        if let Some((field, slot)) = person.slot(&name) {
            let text = value
                .as_text()
                .map_err(|message| ApiError::invalid(field, message))?;
            // The first non-empty value wins: a form with a repeated field is ambiguous,
            // and the first one is what a person sees at the top of the form.
            if slot.is_none() {
                *slot = text.filter(|t| !t.trim().is_empty());
            }
        } else if wire::is_contract_field(&name) {
            if let Ok(Some(text)) = value.as_text() {
                wire_pairs.push((name, text));
            }
        } else if name == REDIRECT_FIELD {
            let text = value
                .as_text()
                .map_err(|message| ApiError::invalid(REDIRECT_FIELD, message))?;
            if redirect.is_none() {
                redirect = text;
            }
        } else {
            add_to_payload(&mut payload, &mut repeated, name, value.into_json());
        }
    }

    let email = Email::parse(person.email.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid("email", e.message()))?;
    let name = person.name.or_else(|| {
        let parts: Vec<&str> = [&person.first_name, &person.last_name]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });

    let pairs = || wire_pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let mut first = wire::read_touch(Slot::First, pairs());
    let last = wire::read_touch(Slot::Last, pairs());
    let (mut current, origin) = match last {
        Some(touch) => (touch, TouchOrigin::Tracker),
        // No tracker fields at all: a Referer without campaign parameters says nothing of
        // how the visitor came, and the touch is untracked rather than direct.
        None if first.is_none() => (
            untracked_if_direct(web_url::read_visit(referer.unwrap_or(""), "", Some(now_ms)).touch),
            TouchOrigin::RefererHeader,
        ),
        None => (
            web_url::read_visit(referer.unwrap_or(""), "", Some(now_ms)).touch,
            if first.is_some() {
                TouchOrigin::Tracker
            } else {
                TouchOrigin::RefererHeader
            },
        ),
    };
    current.resolve();
    if let Some(first) = first.as_mut() {
        first.resolve();
    }
    let journey = read_journey(pairs());

    let submission = IncomingSubmission {
        form_key: form_key.to_owned(),
        channel: "form".to_owned(),
        email,
        name: name.and_then(|n| clean_text(&n, MAX_NAME_CHARS)),
        company: person.company.and_then(|c| clean_text(&c, MAX_NAME_CHARS)),
        country: person
            .country
            .and_then(|c| clean_text(&c, MAX_SHORT_FIELD_CHARS)),
        phone: person
            .phone
            .and_then(|p| clean_text(&p, MAX_SHORT_FIELD_CHARS)),
        payload,
        first,
        current,
        journey,
        origin,
        received_at: now_ms,
        // The endpoint sets both from its settings and the request.
        consent_policy: ConsentPolicy::None,
        requester: Requester::default(),
    };
    Ok(ParsedForm {
        submission,
        redirect: redirect.as_deref().and_then(safe_redirect),
    })
}

/// Longest `lt_journey` read: twice what the tracker sends at most. A longer one is
/// ignored whole (the post is stored without a journey) rather than cut at a guess.
const MAX_JOURNEY_BYTES: usize = 16_384;

/// The journey of `lt_journey`, read as hostile text: each touch cleaned as the two
/// touches are (core's `Touch::decode`, then `resolve`), one without a source dropped, at
/// most 20 kept (the first and the newest) within core's byte bound. Another version, or
/// a field over [`MAX_JOURNEY_BYTES`], is no journey.
fn read_journey<'a>(mut fields: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<Touch> {
    let Some((_, text)) = fields.find(|(name, _)| *name == wire::JOURNEY_FIELD) else {
        return Vec::new();
    };
    if text.len() > MAX_JOURNEY_BYTES {
        tracing::debug!(bytes = text.len(), "lt_journey over its limit: ignored");
        return Vec::new();
    }
    let mut touches = journey::decode(text);
    for touch in &mut touches {
        touch.resolve();
    }
    touches
}

/// True when the answer should be JSON rather than a redirect: the client asked for it
/// (`Accept: application/json`), or a script sent the post. Browsers' default `Accept`
/// (`text/html,…,*/*`) does not count, so plain forms get a redirect.
pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    accepts_json(headers) || is_script_request(headers)
}

/// True for posts a page's script sent and reads itself, where a redirect would only be
/// followed out of sight (or, to the site's own thank-you page, fail its CORS check): the
/// `X-Requested-With` that jQuery and others set, htmx's `HX-Request`, the browser's
/// own `Sec-Fetch-Mode: cors` on every cross-origin `fetch` and XHR (form navigations
/// say `navigate`), and a JSON body, which no HTML form can send.
fn is_script_request(headers: &HeaderMap) -> bool {
    const HX_REQUEST: &str = "hx-request";
    const X_REQUESTED_WITH: &str = "x-requested-with";
    const SEC_FETCH_MODE: &str = "sec-fetch-mode";
    let non_empty = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| !v.trim().is_empty())
    };
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    json_body
        || non_empty(X_REQUESTED_WITH)
        || headers
            .get(HX_REQUEST)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        || headers
            .get(SEC_FETCH_MODE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("cors"))
}

/// True when `Accept` names `application/json` (not refused with `q=0`).
fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let media = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case("application/json") && !refused
        })
}

/// A field's value as the form endpoint reads it: text, or a JSON number, boolean or null
/// (read as text); objects and arrays are refused.
fn form_value() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    serde_json::from_value(serde_json::json!({"type": ["string", "number", "boolean", "null"]}))
        .expect("a valid schema")
}

/// A field whose every value is accepted: `lt_v` (only `1` or `"1"` turns the hidden
/// fields on) and a consent (only the values it names change anything).
fn any_value() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
        .build()
        .into()
}

/// The fields of a form post, for the OpenAPI document (the handler reads any field).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct FormPostDoc {
    /// Required; persons are matched by it, case-insensitively.
    #[schema(format = Email)]
    pub(crate) email: String,
    #[schema(schema_with = form_value)]
    pub(crate) name: Option<String>,
    /// Joined with `last_name` when `name` is absent.
    #[schema(schema_with = form_value)]
    pub(crate) first_name: Option<String>,
    #[schema(schema_with = form_value)]
    pub(crate) last_name: Option<String>,
    #[schema(schema_with = form_value)]
    pub(crate) company: Option<String>,
    #[schema(schema_with = form_value)]
    pub(crate) country: Option<String>,
    #[schema(schema_with = form_value)]
    pub(crate) phone: Option<String>,
    /// `yes`/`no` (true/false, 1/0, on/off, given/withdrawn): consent to the e-marketing
    /// purpose. Any other value states nothing and changes nothing.
    #[schema(schema_with = any_value)]
    pub(crate) consent_e_marketing: Option<String>,
    /// Where a browser goes afterwards (http(s) URL or a path on the collector).
    #[serde(rename = "_redirect")]
    #[schema(schema_with = form_value)]
    pub(crate) redirect: Option<String>,
    /// `1`; with `lt_first_<field>` and `lt_last_<field>` (source, medium, campaign, term,
    /// content, id, click_id, click_id_type, referrer, landing_page, at): the tracker's
    /// hidden fields. Every other field is kept as the submission's payload.
    #[schema(schema_with = any_value)]
    pub(crate) lt_v: Option<String>,
}

/// `POST /f/{form_key}`.
#[utoipa::path(post, path = "/f/{form_key}", tag = "forms",
    params(("form_key" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$",
             description = "1–64 characters of A–Z a–z 0–9 _ -; registered on first use")),
    request_body(content(
        (FormPostDoc = "application/x-www-form-urlencoded"),
        (FormPostDoc = "multipart/form-data"),
        (FormPostDoc = "application/json"))),
    responses(
        (status = 201, description = "stored (with `Accept: application/json`)",
         body = super::leads::SubmissionReceiptJson),
        (status = 303, description = "stored; the browser is sent to `_redirect` or /thanks"),
        // Refusals: JSON for a script, a short page (the message as text) for a browser.
        (status = 400, description = "malformed body", content((super::json::ErrorJson = "application/json"), (String = "text/html"))),
        (status = 404, description = "not a form key (the path names no form)", content((super::json::ErrorJson = "application/json"), (String = "text/html"))),
        (status = 413, description = "body too large", content((super::json::ErrorJson = "application/json"), (String = "text/html"))),
        (status = 415, description = "unsupported content type", content((super::json::ErrorJson = "application/json"), (String = "text/html"))),
        (status = 422, description = "a field is refused (named)", content((super::json::ErrorJson = "application/json"), (String = "text/html"))),
    ))]
pub(crate) async fn submit(
    req: HttpRequest,
    form_key: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let answer = receive(&req, form_key.into_inner(), payload, state).await;
    match answer {
        // A person whose browser posted the form reads the refusal as a page.
        Err(error) if !wants_json(req.headers()) => Ok(refusal_page(&error)),
        answer => answer,
    }
}

/// A refused browser post as a page a person can read: the status and headers of the
/// error (`Retry-After`, …), its message as text, and no script.
fn refusal_page(error: &ApiError) -> HttpResponse {
    use actix_web::ResponseError;
    let message: String = error
        .to_string()
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect();
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Your form was not sent</title>\n</head>\n<body>\n\
         <h1>Your form was not sent</h1>\n<p>{message}</p>\n\
         <p>Use your browser's back button to correct the form and send it again.</p>\n\
         </body>\n</html>\n"
    );
    let mut response = error.error_response().set_body(html);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    response.map_into_boxed_body()
}

async fn receive(
    req: &HttpRequest,
    form_key: String,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let req = req.clone();
    if !is_valid_form_key(&form_key) {
        return Err(ApiError::not_found(format!(
            "no such form; form keys are 1–{MAX_FORM_KEY_CHARS} characters of A–Z, a–z, 0–9, _ and -"
        )));
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    if !abuse::origin_allowed(&state.allowed_origins, origin) {
        return Err(ApiError::Forbidden(
            "this site may not post to this collector (its origin is not allowed)".to_owned(),
        ));
    }
    if let (Some(limiter), Some(peer)) = (&state.form_rate_limit, req.peer_addr()) {
        limiter
            .check(peer.ip(), std::time::Instant::now())
            .map_err(|retry_after_secs| {
                metrics::counter!("leadtrail_form_posts_rate_limited_total").increment(1);
                ApiError::TooManyRequests { retry_after_secs }
            })?;
    }
    let kind = body_kind(&req)?;
    refuse_content_encoding(req.headers())?;
    let body =
        actix_web::rt::time::timeout(BODY_TIMEOUT, read_body(&req, payload, state.max_body_bytes))
            .await
            .map_err(|_| ApiError::Timeout)??;
    let fields = match kind {
        BodyKind::UrlEncoded => parse_urlencoded(&body)?,
        BodyKind::Json => parse_json(&body)?,
        BodyKind::Multipart => parse_multipart(req.headers(), body).await?,
    };
    if is_honeypot_filled(&fields) {
        tracing::debug!(form = %form_key, "honeypot filled: post dropped");
        metrics::counter!("leadtrail_form_posts_honeypot_total").increment(1);
        let redirect = fields
            .iter()
            .find(|(name, _)| name == REDIRECT_FIELD)
            .and_then(|(_, value)| value.as_text().ok().flatten())
            .and_then(|url| safe_redirect(&url))
            .filter(|url| redirect_allowed(url, &state.allowed_origins));
        return Ok(success_answer(&req, redirect, SubmissionAnswer::default()));
    }
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok());
    let now_ms = crate::time::now_ms();
    let mut parsed = build_submission(&form_key, fields, referer, now_ms)?;
    parsed.redirect = parsed
        .redirect
        .filter(|url| redirect_allowed(url, &state.allowed_origins));
    // Only a consent statement uses the policy and keeps the evidence: most posts carry
    // none, and they skip the lookup and the Referer's parse.
    if parsed.submission.payload.contains_key(CONSENT_FIELD) {
        parsed.submission.consent_policy = state.form_consent.policy(&form_key);
        parsed.submission.requester = Requester {
            origin: origin
                .map(str::to_owned)
                .or_else(|| referer.and_then(origin_of)),
            address: req.peer_addr().map(|peer| peer.ip().to_string()),
        };
    }
    let receipt = state.store.record_submission(parsed.submission).await?;
    tracing::debug!(
        form = %form_key,
        submission_id = receipt.submission_id,
        person_id = receipt.person_id,
        person_created = receipt.person_created,
        "submission recorded"
    );

    Ok(success_answer(
        &req,
        parsed.redirect,
        SubmissionAnswer {
            submission_id: receipt.submission_id,
            person_id: receipt.person_id,
            person_created: receipt.person_created,
        },
    ))
}

/// What a JSON client is told about a recorded submission.
#[derive(Debug, Default, serde::Serialize)]
struct SubmissionAnswer {
    submission_id: i64,
    person_id: i64,
    person_created: bool,
}

/// True when the honeypot field came with a value: people never see it, bots fill it.
fn is_honeypot_filled(fields: &[(String, FieldValue)]) -> bool {
    fields.iter().any(|(name, value)| {
        name == HONEYPOT_FIELD
            && match value {
                FieldValue::Text(text) => !text.trim().is_empty(),
                FieldValue::Json(Value::Null) => false,
                FieldValue::Json(Value::String(text)) => !text.trim().is_empty(),
                FieldValue::Json(_) => true,
            }
    })
}

/// 201 with the ids for JSON clients, else 303 to the thank-you page. A dropped bot post
/// gets the same answer (with zero ids), so that it cannot tell it was caught.
fn success_answer(
    req: &HttpRequest,
    redirect: Option<String>,
    answer: SubmissionAnswer,
) -> HttpResponse {
    if wants_json(req.headers()) {
        return HttpResponse::Created()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(answer);
    }
    let location = redirect.unwrap_or_else(|| THANK_YOU_PATH.to_owned());
    let location = HeaderValue::from_str(&location)
        .unwrap_or_else(|_| HeaderValue::from_static(THANK_YOU_PATH));
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// `OPTIONS /f/{form_key}`: the CORS preflight of a cross-origin script post (JSON bodies,
/// `Accept: application/json`, and the headers libraries add: htmx's `HX-*`, jQuery's
/// `X-Requested-With`, a framework's own). Every header the page asks for is allowed:
/// form posts carry no cookies or credentials, and the endpoint reads none of these
/// headers for anything but choosing the answer's format. The allowed origin is added by
/// [`allow_origin`].
#[utoipa::path(options, path = "/f/{form_key}", tag = "forms",
    params(("form_key" = String, Path,
             description = "1–64 characters of A–Z a–z 0–9 _ -; registered on first use")),
    responses((status = 204, description = "the CORS preflight: `POST` with the headers the page \
                                            asks for is allowed")))]
pub(crate) async fn preflight(req: HttpRequest) -> HttpResponse {
    let mut response = HttpResponse::NoContent();
    response
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "POST"))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
        // The allowed headers follow the request's: caches keep the answers apart.
        .insert_header((header::VARY, "Access-Control-Request-Headers"));
    let requested = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .filter(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace));
    match requested {
        Some(headers) => {
            response.insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, headers.clone()))
        }
        None => {
            response.insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Accept"))
        }
    };
    response.finish()
}

/// Middleware for `/f/*`: which origins' scripts may read the answers (errors included);
/// see [`CorsAnswer`].
pub(crate) async fn allow_origin(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    // Decided before the call: the handler needs the only reference to the request.
    let cors = CorsAnswer::for_request(req.request());
    let mut response = next.call(req).await?;
    cors.apply(response.headers_mut());
    Ok(response)
}

/// The CORS headers of an answer of the form endpoint, or of the thank-you page a script's
/// post may be redirected to. Without an allow-list, any origin may read it: form posts
/// carry no cookies or credentials, so `*` exposes nothing. With one, only the allowed
/// origin that asks is named (with `Vary: Origin`, so caches keep answers to different
/// origins apart); other origins get no CORS header, and their browsers hide the answer
/// from their scripts.
pub(crate) struct CorsAnswer {
    allowed: Option<HeaderValue>,
    restricted: bool,
    from_htmx: bool,
}

/// The response headers htmx 2 looks for after every request. The collector sends none of
/// them, but a header the answer does not expose makes the browser log an error for each
/// look, so they are exposed (and absent) for htmx's requests.
const HTMX_RESPONSE_HEADERS: &str = "HX-Location, HX-Push, HX-Push-Url, HX-Redirect, \
    HX-Refresh, HX-Replace-Url, HX-Reselect, HX-Reswap, HX-Retarget, HX-Trigger, \
    HX-Trigger-After-Settle, HX-Trigger-After-Swap";

impl CorsAnswer {
    pub(crate) fn for_request(req: &HttpRequest) -> CorsAnswer {
        let allowed = match req.app_data::<web::Data<AppState>>() {
            Some(state) if !state.allowed_origins.is_empty() => req
                .headers()
                .get(header::ORIGIN)
                .filter(|origin| {
                    origin.to_str().is_ok_and(|origin| {
                        abuse::origin_allowed(&state.allowed_origins, Some(origin))
                    })
                })
                .cloned(),
            _ => Some(HeaderValue::from_static("*")),
        };
        let restricted = allowed.as_ref().is_none_or(|v| v != "*");
        CorsAnswer {
            allowed,
            restricted,
            from_htmx: req.headers().contains_key("hx-request"),
        }
    }

    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        if let Some(origin) = self.allowed {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if self.from_htmx {
                headers.insert(
                    header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    HeaderValue::from_static(HTMX_RESPONSE_HEADERS),
                );
            }
        }
        if self.restricted {
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
}

/// The form endpoint's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(submit, preflight))]
pub(crate) struct FormApi;

#[cfg(test)]
mod tests {
    use super::*;

    fn text_fields(pairs: &[(&str, &str)]) -> Vec<(String, FieldValue)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), FieldValue::Text((*v).to_owned())))
            .collect()
    }

    const NOW: i64 = 1_750_000_000_000;

    #[test]
    fn tracker_fields_make_first_and_current_touch() {
        let parsed = build_submission(
            "signup",
            text_fields(&[
                ("email", " Ada@Acme.example "),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("company", " Acme  AS "),
                ("lt_v", "1"),
                ("lt_first_source", "LinkedIn"),
                ("lt_first_medium", "paid_social"),
                ("lt_first_at", "1700000000000"),
                ("lt_last_source", "facebook"),
                ("lt_last_campaign", "Spring Sale"),
                ("message", "hello\nthere"),
                ("_redirect", "https://acme.example/thanks?x=1"),
            ]),
            Some("https://acme.example/signup?utm_source=ignored"),
            NOW,
        )
        .unwrap();
        let s = parsed.submission;
        assert_eq!(s.email.key, "ada@acme.example");
        assert_eq!(s.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(s.company.as_deref(), Some("Acme  AS"));
        assert_eq!(s.origin, TouchOrigin::Tracker);
        let first = s.first.unwrap();
        assert_eq!(first.source.as_deref(), Some("linkedin"));
        assert_eq!(first.at, Some(1_700_000_000_000));
        assert_eq!(s.current.source.as_deref(), Some("facebook"));
        assert_eq!(s.current.campaign.as_deref(), Some("spring_sale"));
        // resolve() fills what the touch left out.
        assert_eq!(s.current.medium.as_deref(), Some("(not set)"));
        assert_eq!(
            Value::Object(s.payload),
            serde_json::json!({"message": "hello\nthere"})
        );
        assert_eq!(
            parsed.redirect.as_deref(),
            Some("https://acme.example/thanks?x=1")
        );
    }

    #[test]
    fn without_tracker_fields_the_referer_is_the_touch() {
        let parsed = build_submission(
            "contact",
            text_fields(&[("email", "ola@example.org")]),
            Some("https://acme.example/contact?utm_source=Newsletter&utm_medium=email&utm_campaign=may"),
            NOW,
        )
        .unwrap();
        let s = parsed.submission;
        assert_eq!(s.origin, TouchOrigin::RefererHeader);
        assert_eq!(s.first, None);
        assert_eq!(s.current.source.as_deref(), Some("newsletter"));
        assert_eq!(s.current.medium.as_deref(), Some("email"));
        assert_eq!(s.current.campaign.as_deref(), Some("may"));
        assert_eq!(s.current.at, Some(NOW));

        let direct = build_submission(
            "contact",
            text_fields(&[("email", "ola@example.org")]),
            None,
            NOW,
        )
        .unwrap()
        .submission;
        // Nothing says how the visitor came: untracked, not direct.
        assert_eq!(direct.current.source.as_deref(), Some("(untracked)"));
        assert_eq!(direct.origin, TouchOrigin::RefererHeader);
    }

    #[test]
    fn email_is_required_and_validated_by_name() {
        for (fields, message) in [
            (text_fields(&[("name", "x")]), "email: email is required"),
            (text_fields(&[("email", "  ")]), "email: email is required"),
            (
                text_fields(&[("email", "not-an-address")]),
                "email: email is not a valid e-mail address",
            ),
        ] {
            let err = build_submission("f", fields, None, NOW).unwrap_err();
            assert!(matches!(
                err,
                ApiError::Refused(crate::refusal::Refusal::Invalid { field: "email", .. })
            ));
            assert_eq!(err.to_string(), message);
        }
        let err = build_submission(
            "f",
            vec![(
                "email".into(),
                FieldValue::Json(serde_json::json!(["a@b.org"])),
            )],
            None,
            NOW,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("email: "), "{err}");
    }

    #[test]
    fn repeated_payload_fields_become_arrays_and_json_keeps_types() {
        let mut fields = text_fields(&[
            ("email", "a@b.org"),
            ("interest", "crm"),
            ("interest", "api"),
            ("interest", "sso"),
        ]);
        fields.push(("seats".into(), FieldValue::Json(serde_json::json!(12))));
        fields.push((
            "phone".into(),
            FieldValue::Json(serde_json::json!(4712345678u64)),
        ));
        let s = build_submission("f", fields, None, NOW).unwrap().submission;
        assert_eq!(
            Value::Object(s.payload),
            serde_json::json!({"interest": ["crm", "api", "sso"], "seats": 12})
        );
        assert_eq!(s.phone.as_deref(), Some("4712345678"));
    }

    #[test]
    fn redirects_must_be_absolute_http_urls_or_own_paths() {
        assert_eq!(
            safe_redirect(" https://acme.example/takk ").as_deref(),
            Some("https://acme.example/takk")
        );
        assert_eq!(
            safe_redirect("HTTP://acme.example").as_deref(),
            Some("http://acme.example/")
        );
        assert_eq!(
            safe_redirect("https://bücher.example/danke").as_deref(),
            Some("https://xn--bcher-kva.example/danke")
        );
        assert_eq!(
            safe_redirect("https://acme.example/tack-så").as_deref(),
            Some("https://acme.example/tack-s%C3%A5")
        );
        assert_eq!(
            safe_redirect("/thanks.html?x=1").as_deref(),
            Some("/thanks.html?x=1")
        );
        assert_eq!(safe_redirect("/").as_deref(), Some("/"));
        for bad in [
            "",
            "thanks",
            "//evil.example/",
            "/\\evil.example/",
            "/\tevil",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https:\\\\evil.example",
            "https://acme.example/a b",
            "https://acme.example/\r\nSet-Cookie: x=1",
            "ftp://acme.example/",
            "https://trusted.example@evil.example/",
            "https://user:pass@acme.example/",
            "acme.example/thanks",
        ] {
            assert_eq!(safe_redirect(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn redirects_to_other_sites_follow_the_allowed_origins() {
        let allowed = vec!["https://www.acme.example".to_owned()];
        assert!(redirect_allowed("https://www.acme.example/takk", &allowed));
        assert!(redirect_allowed("/thanks.html", &allowed));
        assert!(!redirect_allowed("https://evil.example/", &allowed));
        assert!(!redirect_allowed("http://www.acme.example/", &allowed));
        assert!(redirect_allowed("https://evil.example/", &[]));
    }

    #[test]
    fn form_keys() {
        assert!(is_valid_form_key("newsletter-signup_2"));
        assert!(is_valid_form_key(&"k".repeat(64)));
        for bad in ["", "a b", "a/b", "ø", "a.b", &"k".repeat(65)] {
            assert!(!is_valid_form_key(bad), "{bad:?}");
        }
    }

    #[test]
    fn body_parsers_enforce_shape_and_limits() {
        let fields = parse_urlencoded(b"email=a%40b.org&x=1&x=2&=nameless").unwrap();
        assert_eq!(fields.len(), 3);
        assert_eq!(
            fields[0],
            ("email".into(), FieldValue::Text("a@b.org".into()))
        );

        let fields = parse_urlencoded(b"a=x+y%2Bz&b=100%&c=%e2%82%ac&d").unwrap();
        let texts: Vec<(&str, &FieldValue)> = fields.iter().map(|(n, v)| (n.as_str(), v)).collect();
        assert_eq!(
            texts,
            vec![
                ("a", &FieldValue::Text("x y+z".into())),
                ("b", &FieldValue::Text("100%".into())),
                ("c", &FieldValue::Text("€".into())),
                ("d", &FieldValue::Text(String::new())),
            ]
        );
        assert!(matches!(
            parse_urlencoded(b"email=a%FF%FE%40b.org"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(parse_json(b"[1,2]"), Err(ApiError::BadRequest(_))));
        assert!(matches!(
            parse_json(b"{\"email\":"),
            Err(ApiError::BadRequest(_))
        ));
        let many: String = (0..=MAX_FIELDS).map(|i| format!("f{i}=1&")).collect();
        assert!(matches!(
            parse_urlencoded(many.as_bytes()),
            Err(ApiError::PayloadTooLarge(_))
        ));
        let long_name = format!("{}=1", "n".repeat(MAX_FIELD_NAME_CHARS + 1));
        assert!(matches!(
            parse_urlencoded(long_name.as_bytes()),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn accept_header_decides_json() {
        let mut headers = HeaderMap::new();
        assert!(!wants_json(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"),
        );
        assert!(!wants_json(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/plain, Application/JSON;q=0.9"),
        );
        assert!(wants_json(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json;q=0"),
        );
        assert!(!wants_json(&headers));
    }

    #[test]
    fn script_requests_get_json_whatever_they_accept() {
        let with = |name: &'static str, value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
            headers.insert(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
            wants_json(&headers)
        };
        assert!(with("x-requested-with", "XMLHttpRequest"));
        assert!(with("hx-request", "true"));
        assert!(with("sec-fetch-mode", "cors"));
        assert!(!with("hx-request", "false"));
        assert!(!with("x-requested-with", " "));
        assert!(!with("sec-fetch-mode", "navigate"));
        assert!(!with("sec-fetch-mode", "no-cors"));
    }

    #[actix_web::test]
    async fn multipart_keeps_text_and_skips_files() {
        let body = concat!(
            "--XyZ\r\n",
            "Content-Disposition: form-data; name=\"email\"\r\n\r\n",
            "a@b.org\r\n",
            "--XyZ\r\n",
            "Content-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\n",
            "Content-Type: application/pdf\r\n\r\n",
            "%PDF-1.4 binary\r\n",
            "--XyZ\r\n",
            "Content-Disposition: form-data; name=\"note\"\r\n\r\n",
            "multi\r\nline\r\n",
            "--XyZ--\r\n",
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=XyZ"),
        );
        let fields = parse_multipart(&headers, Bytes::from_static(body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(
            fields,
            vec![
                ("email".into(), FieldValue::Text("a@b.org".into())),
                ("note".into(), FieldValue::Text("multi\r\nline".into())),
            ]
        );
        let broken = parse_multipart(&headers, Bytes::from_static(b"--XyZ\r\ngarbage")).await;
        assert!(matches!(broken, Err(ApiError::BadRequest(_))), "{broken:?}");
    }
}
