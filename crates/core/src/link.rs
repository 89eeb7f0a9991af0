//! The link builder: campaign links whose names stay consistent, so that `LinkedIn`,
//! `linkedin ` and `Linked In` do not end up as three sources in the reports.
//!
//! [`build_link`] tags a target URL with `utm_source`, `utm_medium`, `utm_campaign` and,
//! when given, `utm_term`, `utm_content` and `utm_id`, and says what it changed and what
//! looks wrong ([`LinkWarning`]). A link it builds reads back through the tracker's parser
//! ([`Visit::read`]) to exactly the values it reports.
//!
//! ## Naming rules
//!
//! Source, medium and campaign:
//! 1. Control and invisible direction characters are removed, the value is trimmed and
//!    capped at 256 characters.
//! 2. Lower-case; every run of white space becomes one `_` (`Webinar Sept` → `webinar_sept`).
//!    Steps 1–2 are what the tracker itself does to every value it reads.
//! 3. Latin letters with accents fold to plain ones (`Høstkampanje` → `hostkampanje`,
//!    `été` → `ete`, `ß` → `ss`, `æ` → `ae`).
//! 4. Only `a`–`z`, `0`–`9`, `_`, `-` and `.` are kept — characters that never need escaping
//!    in a URL. Any other character becomes `_` (`Q&A` → `q_a`, `50%` → `50`).
//! 5. A run of separators (`_`, `-`, `.`) shrinks to one — its first `-` or `.` if it has
//!    one, else `_` (`spring - sale` → `spring-sale`, `a__b` → `a_b`) — and separators at
//!    either end are dropped.
//! 6. A name with nothing left is an error ([`LinkError::NoUsableCharacters`]); a name that
//!    steps 3–5 changed comes with a [`LinkWarning::Rewritten`].
//!
//! Term, content and id keep their case, spaces and punctuation: they are only cleaned as in
//! step 1 and percent-encoded in the link.
//!
//! ## The target URL
//!
//! It must be an absolute `http://` or `https://` URL with a host, and is read by the
//! WHATWG URL parser, as a browser reads it. Its host, port, path, its own query parameters
//! (in order, as written) and its fragment are kept; every `utm_*` parameter it already has
//! is removed (and named in a warning) so that the new tags are the only ones. The link is
//! written as the browser would write it: scheme and host lower-case, a default port
//! (`:443` on https) and `.`/`..` path segments dropped, a bare host given its `/` path.
//! Characters a URL may not contain (spaces, quotes, `<`, `>`, non-ASCII letters, and `^`,
//! `|`, `{`, `}`, backtick, which browsers pass but other systems refuse) are
//! percent-encoded. Control characters, backslashes, an invalid port or IP address, and
//! international host names not written as `xn--…` are refused.
//!
//! ## Campaign templates
//!
//! An operator may require campaign names of a given shape with a [`CampaignTemplate`]:
//! literal text plus placeholders in braces; the whole campaign must match.
//!
//! | placeholder | matches |
//! |---|---|
//! | `{yyyy}` | a four-digit year |
//! | `{yy}` | a two-digit year |
//! | `{mm}` | a month, `01`–`12` |
//! | `{dd}` | a day, `01`–`31` |
//! | `{q}` | a quarter, `1`–`4` |
//! | `{n}` | one or more digits |
//! | `{word}` | one or more letters or digits |
//! | `{name}` | one or more name characters: letters, digits, `_`, `-`, `.` |
//! | `{a\|b\|c}` | exactly one of the listed words |
//!
//! `{yyyy}_{mm}_{name}` accepts `2025_09_webinar_sept` and rejects `webinar_sept`;
//! `{brand|generic}_{word}_q{q}` accepts `brand_crm_q3`. Literal text is normalised like a
//! name (lower-case, spaces → `_`). A campaign that does not match gets a warning, not an
//! error: the operator decides whether the shape is a rule or a habit.

use std::fmt;

use crate::channel::{classify_with, ChannelDecision, SourceAliases};
use crate::clean::{clean_value, normalise_name, MAX_VALUE_CHARS};
use crate::click_ids;
use crate::query;
use crate::touch::{TouchField, Visit};

/// Mediums the channel rules know by name, in the one spelling we recommend for each.
/// A medium outside this list (and outside the operator's own) gets a warning.
pub(crate) const KNOWN_MEDIUMS: &[&str] = &[
    "cpc",
    "ppc",
    "cpm",
    "cpv",
    "cpa",
    "paid",
    "paid_search",
    "paid_social",
    "paid_video",
    "paid_shopping",
    "retargeting",
    "display",
    "banner",
    "interstitial",
    "social",
    "organic",
    "video",
    "referral",
    "link",
    "app",
    "email",
    "newsletter",
    "affiliate",
    "sms",
    "audio",
    "push",
];

/// What to tag a link with. `url`, `source`, `medium` and `campaign` are required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinkRequest {
    pub url: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    #[cfg_attr(feature = "serde", serde(default))]
    pub term: Option<String>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub content: Option<String>,
    /// `utm_id`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub id: Option<String>,
}

impl LinkRequest {
    pub fn new(url: &str, source: &str, medium: &str, campaign: &str) -> LinkRequest {
        LinkRequest {
            url: url.to_owned(),
            source: source.to_owned(),
            medium: medium.to_owned(),
            campaign: campaign.to_owned(),
            ..LinkRequest::default()
        }
    }
}

/// What the builder compares a request with. All optional: the default checks only the
/// built-in medium list and aliases.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkOptions<'a> {
    /// Sources already in use (from the data or saved links); a new one that differs only in
    /// case, spacing or punctuation gets a "did you mean" warning.
    pub known_sources: &'a [&'a str],
    /// Mediums already in use, checked before [`KNOWN_MEDIUMS`].
    pub known_mediums: &'a [&'a str],
    /// Campaigns already in use.
    pub known_campaigns: &'a [&'a str],
    /// The operator's required campaign shape.
    pub campaign_template: Option<&'a CampaignTemplate>,
    /// Source aliases; the built-in ones when `None`.
    pub aliases: Option<&'a SourceAliases>,
}

/// A tagged link and what the builder has to say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BuiltLink {
    pub url: String,
    /// The values as the link carries them, and as the tracker will read them.
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: Option<String>,
    pub content: Option<String>,
    pub id: Option<String>,
    /// The channel a click on the link will be counted in.
    pub channel: ChannelDecision,
    pub warnings: Vec<LinkWarning>,
}

/// Something about a link worth a second look. None of them stops the link being built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkWarning {
    /// A name was changed beyond case and spacing (naming rules 3–5).
    Rewritten {
        field: &'static str,
        from: String,
        to: String,
    },
    /// A name differs from one already in use only in case, spacing or punctuation.
    SimilarToKnown {
        field: &'static str,
        value: String,
        known: String,
    },
    /// The source is an alias: reports will count it under another name.
    SourceAlias { value: String, canonical: String },
    /// The medium is neither in use nor one the channel rules know.
    UnknownMedium {
        medium: String,
        channel: crate::channel::Channel,
    },
    /// The campaign does not have the shape of the operator's template.
    CampaignTemplate { campaign: String, template: String },
    /// The target already had these `utm_*` parameters; they were removed.
    ReplacedUtm { params: Vec<String> },
    /// The target carries an ad click id: every visitor would look like an ad click.
    ClickIdInTarget { param: String },
    /// A term, content or id was given but nothing was left after cleaning.
    ValueDropped { field: &'static str },
}

impl LinkWarning {
    /// Stable identifier of the kind of warning.
    pub const fn code(&self) -> &'static str {
        match self {
            LinkWarning::Rewritten { .. } => "rewritten",
            LinkWarning::SimilarToKnown { .. } => "similar_to_known",
            LinkWarning::SourceAlias { .. } => "source_alias",
            LinkWarning::UnknownMedium { .. } => "unknown_medium",
            LinkWarning::CampaignTemplate { .. } => "campaign_template",
            LinkWarning::ReplacedUtm { .. } => "replaced_utm",
            LinkWarning::ClickIdInTarget { .. } => "click_id_in_target",
            LinkWarning::ValueDropped { .. } => "value_dropped",
        }
    }
}

impl fmt::Display for LinkWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkWarning::Rewritten { field, from, to } => write!(
                f,
                "{field} {from:?} became {to:?}: links carry only a–z, 0–9, _, - and ."
            ),
            LinkWarning::SimilarToKnown {
                field,
                value,
                known,
            } => write!(
                f,
                "{field} {value:?} differs from {known:?} only in case, spacing or punctuation: did you mean {known:?}?"
            ),
            LinkWarning::SourceAlias { value, canonical } => write!(
                f,
                "source {value:?} is counted as {canonical:?}; use {canonical:?} to keep names consistent"
            ),
            LinkWarning::UnknownMedium { medium, channel } => write!(
                f,
                "medium {medium:?} is not a known medium; clicks will count as {channel}"
            ),
            LinkWarning::CampaignTemplate { campaign, template } => write!(
                f,
                "campaign {campaign:?} does not follow the naming template {template:?}"
            ),
            LinkWarning::ReplacedUtm { params } => write!(
                f,
                "the target already had {}; replaced by the new tags",
                params.join(", ")
            ),
            LinkWarning::ClickIdInTarget { param } => write!(
                f,
                "the target carries the ad click id {param:?}: every visitor would count as an ad click"
            ),
            LinkWarning::ValueDropped { field } => {
                write!(f, "{field} had nothing usable in it and was left out")
            }
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for LinkWarning {
    /// `{"kind": code, "message": text, …the warning's fields}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", self.code())?;
        map.serialize_entry("message", &self.to_string())?;
        match self {
            LinkWarning::Rewritten { field, from, to } => {
                map.serialize_entry("field", field)?;
                map.serialize_entry("from", from)?;
                map.serialize_entry("to", to)?;
            }
            LinkWarning::SimilarToKnown {
                field,
                value,
                known,
            } => {
                map.serialize_entry("field", field)?;
                map.serialize_entry("value", value)?;
                map.serialize_entry("known", known)?;
            }
            LinkWarning::SourceAlias { value, canonical } => {
                map.serialize_entry("field", "source")?;
                map.serialize_entry("value", value)?;
                map.serialize_entry("canonical", canonical)?;
            }
            LinkWarning::UnknownMedium { medium, channel } => {
                map.serialize_entry("field", "medium")?;
                map.serialize_entry("value", medium)?;
                map.serialize_entry("channel", channel)?;
            }
            LinkWarning::CampaignTemplate { campaign, template } => {
                map.serialize_entry("field", "campaign")?;
                map.serialize_entry("value", campaign)?;
                map.serialize_entry("template", template)?;
            }
            LinkWarning::ReplacedUtm { params } => {
                map.serialize_entry("field", "url")?;
                map.serialize_entry("params", params)?;
            }
            LinkWarning::ClickIdInTarget { param } => {
                map.serialize_entry("field", "url")?;
                map.serialize_entry("param", param)?;
            }
            LinkWarning::ValueDropped { field } => {
                map.serialize_entry("field", field)?;
            }
        }
        map.end()
    }
}

/// Why a link could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// A required value (url, source, medium, campaign) is empty.
    MissingValue { field: &'static str },
    /// A name had no character a link can carry (e.g. only emoji or Cyrillic).
    NoUsableCharacters { field: &'static str, value: String },
    /// The target is not an absolute URL with a host, or has control characters.
    InvalidUrl { reason: String },
    /// The target is absolute but not http(s).
    UnsupportedScheme { scheme: String },
}

impl LinkError {
    /// The request field at fault.
    pub const fn field(&self) -> &'static str {
        match self {
            LinkError::MissingValue { field } | LinkError::NoUsableCharacters { field, .. } => {
                field
            }
            LinkError::InvalidUrl { .. } | LinkError::UnsupportedScheme { .. } => "url",
        }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::MissingValue { field } => write!(f, "{field} is required"),
            LinkError::NoUsableCharacters { field, value } => write!(
                f,
                "{field} {value:?} has no character a link can carry (a–z, 0–9, _, - or .)"
            ),
            LinkError::InvalidUrl { reason } => write!(f, "url {reason}"),
            LinkError::UnsupportedScheme { scheme } => write!(
                f,
                "url must start with https:// or http://, not {scheme}://"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// The plain letters for accented Latin letters (already lower-case).
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

fn is_separator(c: char) -> bool {
    matches!(c, '_' | '-' | '.')
}

/// A source, medium or campaign as a link carries it (naming rules 1–5), or `None` when
/// nothing is left.
pub fn normalise_link_name(raw: &str) -> Option<String> {
    let lowered = normalise_name(raw)?;
    let mut safe = String::with_capacity(lowered.len());
    for c in lowered.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || is_separator(c) {
            safe.push(c);
        } else if let Some(plain) = fold_latin(c) {
            safe.push_str(plain);
        } else {
            safe.push('_');
        }
    }
    let mut out = String::with_capacity(safe.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if !run.is_empty() {
            out.push(run.chars().find(|c| *c != '_').unwrap_or('_'));
            run.clear();
        }
    };
    for c in safe.chars().take(MAX_VALUE_CHARS) {
        if is_separator(c) {
            run.push(c);
        } else {
            // Separators at the very start are dropped rather than flushed.
            if out.is_empty() {
                run.clear();
            }
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    // A trailing run is dropped: separators at either end say nothing.
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// What a name looks like when case, spacing and punctuation are ignored.
fn likeness(name: &str) -> String {
    normalise_link_name(name)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The first of `known` that `value` differs from only in case, spacing or punctuation;
/// `Ok(())` when `value` is one of them exactly, `Err(None)` when it is like none of them.
fn compare_with_known(value: &str, known: &[&str]) -> Result<(), Option<String>> {
    let normalised: Vec<String> = known
        .iter()
        .filter_map(|k| normalise_link_name(k))
        .collect();
    if normalised.iter().any(|k| k == value) {
        return Ok(());
    }
    let key = likeness(value);
    Err(normalised
        .into_iter()
        .find(|k| !key.is_empty() && likeness(k) == key))
}

/// A target URL split for tagging.
struct Target {
    /// `scheme://authority/path`, without query and fragment.
    base: String,
    /// Its query parameters as written, minus `utm_*`.
    kept: Vec<String>,
    /// `#…`, or empty.
    fragment: String,
    removed_utm: Vec<String>,
    click_ids: Vec<String>,
}

/// Percent-encodes what may not appear in a URL as it stands (space, quotes, `<>`, `\`,
/// `^`, backtick, `{|}`, non-ASCII), leaving escapes and delimiters as they are.
fn encode_unsafe(part: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        let allowed = c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?%#[]".contains(c);
        if allowed {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

fn is_valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    !host.starts_with(['.', '-'])
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

fn must_be_absolute() -> LinkError {
    LinkError::InvalidUrl {
        reason: "must be an absolute URL starting with https:// or http://".into(),
    }
}

/// Why the URL parser refused a target, in the builder's words.
fn parse_error(error: url::ParseError) -> LinkError {
    use url::ParseError as E;
    let reason = match error {
        E::EmptyHost => "has no host".to_owned(),
        E::InvalidPort => "has an invalid port (use a number from 1 to 65535)".to_owned(),
        E::InvalidIpv4Address | E::InvalidIpv6Address => "has an invalid IP address".to_owned(),
        E::InvalidDomainCharacter | E::IdnaError => "has an invalid host".to_owned(),
        E::RelativeUrlWithoutBase | E::RelativeUrlWithCannotBeABaseBase => {
            return must_be_absolute()
        }
        other => format!("is not a valid URL ({other})"),
    };
    LinkError::InvalidUrl { reason }
}

/// Reads the target with the WHATWG URL parser (the browser's): host lower-cased, default
/// port and dot segments dropped, and what a URL may not contain percent-encoded as the
/// browser would encode it — then also the few characters browsers leave but other
/// systems refuse (`^`, `|`, `{`, `}`, backtick; see [`encode_unsafe`]).
fn parse_target(raw: &str) -> Result<Target, LinkError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(LinkError::MissingValue { field: "url" });
    }
    if text.chars().any(char::is_control) {
        return Err(LinkError::InvalidUrl {
            reason: "contains control characters".into(),
        });
    }
    // Browsers read `\` as `/` in http URLs, so `https://a.example\b.example/` would point
    // somewhere other than it seems to: refuse rather than guess.
    if text.contains('\\') {
        return Err(LinkError::InvalidUrl {
            reason: "contains a backslash; use / in URLs".into(),
        });
    }
    // The parser is as lenient as a browser's address bar (`https:x`, `https:///x` both
    // become `https://x/`); a link someone types into the builder says what it means.
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(must_be_absolute());
    };
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        let looks_like_scheme = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        return Err(if looks_like_scheme {
            LinkError::UnsupportedScheme {
                scheme: scheme.to_ascii_lowercase(),
            }
        } else {
            must_be_absolute()
        });
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return Err(LinkError::InvalidUrl {
            reason: "has no host".into(),
        });
    }
    // The parser would turn an international name into its xn-- form silently; the
    // operator should see the name the link will carry.
    if !authority.is_ascii() {
        return Err(LinkError::InvalidUrl {
            reason: "has an invalid host (write international names as xn--…)".into(),
        });
    }
    let url = url::Url::parse(text).map_err(parse_error)?;
    let host = url.host_str().unwrap_or("");
    let domain_ok = match url.host() {
        Some(url::Host::Domain(domain)) => is_valid_host(domain),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
    };
    if !domain_ok {
        return Err(LinkError::InvalidUrl {
            reason: format!("has an invalid host {host:?} (write international names as xn--…)"),
        });
    }
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    let mut target = Target {
        base: encode_unsafe(base.as_str()),
        kept: Vec::new(),
        fragment: url
            .fragment()
            .map(|f| format!("#{}", encode_unsafe(f)))
            .unwrap_or_default(),
        removed_utm: Vec::new(),
        click_ids: Vec::new(),
    };
    let query = url.query().unwrap_or("");
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let key = query::decode(piece.split('=').next().unwrap_or(""));
        if key.to_ascii_lowercase().starts_with("utm_") {
            if !target.removed_utm.contains(&key) {
                target.removed_utm.push(key);
            }
            continue;
        }
        if let Some(kind) = click_ids::by_param(&key) {
            if !target.click_ids.iter().any(|p| p == kind.param) {
                target.click_ids.push(kind.param.to_owned());
            }
        }
        target.kept.push(encode_unsafe(piece));
    }
    Ok(target)
}

/// A required name: normalised, with a warning if rules 3–5 changed it.
fn required_name(
    field: &'static str,
    raw: &str,
    warnings: &mut Vec<LinkWarning>,
) -> Result<String, LinkError> {
    let Some(plain) = normalise_name(raw) else {
        return Err(LinkError::MissingValue { field });
    };
    let Some(safe) = normalise_link_name(raw) else {
        return Err(LinkError::NoUsableCharacters {
            field,
            value: raw.trim().to_owned(),
        });
    };
    if safe != plain {
        warnings.push(LinkWarning::Rewritten {
            field,
            from: plain,
            to: safe.clone(),
        });
    }
    Ok(safe)
}

fn optional_value(
    field: &'static str,
    raw: Option<&str>,
    warnings: &mut Vec<LinkWarning>,
) -> Option<String> {
    let raw = raw?;
    let cleaned = clean_value(raw);
    if cleaned.is_none() && !raw.is_empty() {
        warnings.push(LinkWarning::ValueDropped { field });
    }
    cleaned
}

/// Compares a name with the known ones, warning about a near-duplicate. True when the name
/// is known or a near-duplicate was reported (nothing more to say about it), false when it
/// is like none of them.
fn check_known(
    field: &'static str,
    value: &str,
    known: &[&str],
    warnings: &mut Vec<LinkWarning>,
) -> bool {
    match compare_with_known(value, known) {
        Ok(()) => true,
        Err(Some(known)) => {
            warnings.push(LinkWarning::SimilarToKnown {
                field,
                value: value.to_owned(),
                known,
            });
            true
        }
        Err(None) => false,
    }
}

/// Builds a tagged link; see the module documentation for the rules.
pub fn build_link(
    request: &LinkRequest,
    options: &LinkOptions<'_>,
) -> Result<BuiltLink, LinkError> {
    let mut warnings = Vec::new();
    let target = parse_target(&request.url)?;
    let source = required_name("source", &request.source, &mut warnings)?;
    let medium = required_name("medium", &request.medium, &mut warnings)?;
    let campaign = required_name("campaign", &request.campaign, &mut warnings)?;
    let term = optional_value("term", request.term.as_deref(), &mut warnings);
    let content = optional_value("content", request.content.as_deref(), &mut warnings);
    let id = optional_value("id", request.id.as_deref(), &mut warnings);

    let mut query = target.kept.join("&");
    let tags = [
        (TouchField::Source, Some(&source)),
        (TouchField::Medium, Some(&medium)),
        (TouchField::Campaign, Some(&campaign)),
        (TouchField::Term, term.as_ref()),
        (TouchField::Content, content.as_ref()),
        (TouchField::Id, id.as_ref()),
    ];
    for (field, value) in tags {
        if let (Some(param), Some(value)) = (field.utm_param(), value) {
            query::push_pair(&mut query, param, value);
        }
    }
    let url = format!("{}?{}{}", target.base, query, target.fragment);

    let aliases = options.aliases.unwrap_or_else(|| SourceAliases::builtin());
    let channel = classify_with(&Visit::read(&url, "", None).touch, aliases);

    if !target.removed_utm.is_empty() {
        warnings.push(LinkWarning::ReplacedUtm {
            params: target.removed_utm,
        });
    }
    for param in target.click_ids {
        warnings.push(LinkWarning::ClickIdInTarget { param });
    }
    if !check_known("source", &source, options.known_sources, &mut warnings) {
        if let Some(canonical) = aliases.canonical(&source).filter(|c| *c != source) {
            warnings.push(LinkWarning::SourceAlias {
                value: source.clone(),
                canonical,
            });
        }
    }
    if !check_known("medium", &medium, options.known_mediums, &mut warnings)
        && !check_known("medium", &medium, KNOWN_MEDIUMS, &mut warnings)
    {
        warnings.push(LinkWarning::UnknownMedium {
            medium: medium.clone(),
            channel: channel.channel,
        });
    }
    check_known(
        "campaign",
        &campaign,
        options.known_campaigns,
        &mut warnings,
    );
    if let Some(template) = options.campaign_template {
        if !template.matches(&campaign) {
            warnings.push(LinkWarning::CampaignTemplate {
                campaign: campaign.clone(),
                template: template.as_str().to_owned(),
            });
        }
    }

    Ok(BuiltLink {
        url,
        source,
        medium,
        campaign,
        term,
        content,
        id,
        channel,
        warnings,
    })
}

/// Why a campaign template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    Empty,
    /// A `{` without its `}`.
    Unclosed,
    /// A `}` without its `{`.
    UnexpectedClose,
    UnknownPlaceholder {
        name: String,
    },
    TooLong,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Empty => f.write_str("the campaign template is empty"),
            TemplateError::Unclosed => f.write_str("the campaign template has a { without its }"),
            TemplateError::UnexpectedClose => {
                f.write_str("the campaign template has a } without its {")
            }
            TemplateError::UnknownPlaceholder { name } => write!(
                f,
                "unknown placeholder {{{name}}}: use {{yyyy}}, {{yy}}, {{mm}}, {{dd}}, {{q}}, {{n}}, {{word}}, {{name}} or {{a|b}}"
            ),
            TemplateError::TooLong => f.write_str("the campaign template is too long"),
        }
    }
}

impl std::error::Error for TemplateError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TemplatePart {
    Literal(Vec<char>),
    Year4,
    Year2,
    Month,
    Day,
    Quarter,
    Digits,
    Word,
    Name,
    OneOf(Vec<Vec<char>>),
}

/// Longest template accepted, in characters; templates are short by nature.
const MAX_TEMPLATE_CHARS: usize = 200;

/// An operator's required shape for campaign names; syntax in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignTemplate {
    text: String,
    parts: Vec<TemplatePart>,
}

/// Template literals are compared with normalised campaigns, so they are lower-cased and
/// their spaces become `_` the same way.
fn template_literal(raw: &str) -> Vec<char> {
    raw.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

impl CampaignTemplate {
    pub fn parse(text: &str) -> Result<CampaignTemplate, TemplateError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TemplateError::Empty);
        }
        if text.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong);
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                Some(at) if rest[at..].starts_with('}') => {
                    return Err(TemplateError::UnexpectedClose)
                }
                Some(at) => {
                    if at > 0 {
                        parts.push(TemplatePart::Literal(template_literal(&rest[..at])));
                    }
                    let inner_and_rest = &rest[at + 1..];
                    let close = inner_and_rest.find('}').ok_or(TemplateError::Unclosed)?;
                    let inner = &inner_and_rest[..close];
                    if inner.contains('{') {
                        return Err(TemplateError::Unclosed);
                    }
                    parts.push(Self::placeholder(inner)?);
                    rest = &inner_and_rest[close + 1..];
                }
                None => {
                    parts.push(TemplatePart::Literal(template_literal(rest)));
                    rest = "";
                }
            }
        }
        Ok(CampaignTemplate {
            text: text.to_owned(),
            parts,
        })
    }

    fn placeholder(inner: &str) -> Result<TemplatePart, TemplateError> {
        let name = inner.trim();
        Ok(match name {
            "yyyy" => TemplatePart::Year4,
            "yy" => TemplatePart::Year2,
            "mm" => TemplatePart::Month,
            "dd" => TemplatePart::Day,
            "q" => TemplatePart::Quarter,
            "n" => TemplatePart::Digits,
            "word" => TemplatePart::Word,
            "name" => TemplatePart::Name,
            _ if name.contains('|') => {
                let words: Vec<Vec<char>> = name
                    .split('|')
                    .map(|w| template_literal(w.trim()))
                    .filter(|w| !w.is_empty())
                    .collect();
                if words.is_empty() {
                    return Err(TemplateError::UnknownPlaceholder {
                        name: name.to_owned(),
                    });
                }
                TemplatePart::OneOf(words)
            }
            _ => {
                return Err(TemplateError::UnknownPlaceholder {
                    name: name.to_owned(),
                })
            }
        })
    }

    /// The template as the operator wrote it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the whole of `campaign` has the template's shape.
    pub fn matches(&self, campaign: &str) -> bool {
        let chars: Vec<char> = campaign.chars().collect();
        // Campaigns are capped at 256 characters; anything far longer is not one.
        if chars.len() > MAX_VALUE_CHARS * 4 {
            return false;
        }
        let n = chars.len();
        // can[i][p]: the parts from i on match chars[p..] exactly. Filled from the end, so
        // every part is tried at every position once: no exponential backtracking.
        let width = n + 1;
        let mut can = vec![false; (self.parts.len() + 1) * width];
        can[self.parts.len() * width + n] = true;
        for (i, part) in self.parts.iter().enumerate().rev() {
            for p in 0..=n {
                let next = |end: usize| can[(i + 1) * width + end];
                can[i * width + p] = part_ends(part, &chars, p).into_iter().any(next);
            }
        }
        can[0]
    }
}

impl fmt::Display for CampaignTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Where `part` can end when it starts at `p`.
fn part_ends(part: &TemplatePart, chars: &[char], p: usize) -> Vec<usize> {
    let rest = &chars[p..];
    let digits = |k: usize| rest.len() >= k && rest[..k].iter().all(char::is_ascii_digit);
    let number = |k: usize| -> u32 {
        rest[..k]
            .iter()
            .fold(0, |acc, c| acc * 10 + c.to_digit(10).unwrap_or(0))
    };
    let run = |class: fn(&char) -> bool| -> Vec<usize> {
        let len = rest.iter().take_while(|c| class(c)).count();
        (1..=len).map(|k| p + k).collect()
    };
    match part {
        TemplatePart::Literal(text) => {
            if rest.starts_with(text) {
                vec![p + text.len()]
            } else {
                vec![]
            }
        }
        TemplatePart::Year4 if digits(4) => vec![p + 4],
        TemplatePart::Year2 if digits(2) => vec![p + 2],
        TemplatePart::Month if digits(2) && (1..=12).contains(&number(2)) => vec![p + 2],
        TemplatePart::Day if digits(2) && (1..=31).contains(&number(2)) => vec![p + 2],
        TemplatePart::Quarter if rest.first().is_some_and(|c| ('1'..='4').contains(c)) => {
            vec![p + 1]
        }
        TemplatePart::Digits => run(char::is_ascii_digit),
        TemplatePart::Word => run(|c| c.is_ascii_alphanumeric()),
        TemplatePart::Name => run(|c| c.is_ascii_alphanumeric() || is_separator(*c)),
        TemplatePart::OneOf(words) => words
            .iter()
            .filter(|w| rest.starts_with(w))
            .map(|w| p + w.len())
            .collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests;
