//! What a referring host says, on the server: its category from the lists (matched by
//! registrable domain and public suffix, so `l.threads.com`, `x.tumblr.com` and
//! `co106w.col106.mail.live.com` need no line of their own), the source name leadtrail
//! stores for it, and the medium that goes with that category.
//!
//! The tracker derives a first `(source, medium)` from a short list of its own
//! ([`classify_host`]); the server derives again from the full lists and stores this one,
//! keeping the raw host beside it. Both derivations are recognised as "what the referrer
//! says" (and not campaign parameters) by [`is_derived`], so a stored touch can be derived
//! again when the lists change.

use crate::referrer::{classify_host, host_of};
use crate::touch::Touch;

use super::sources::{before_public_suffix, source_category, SourceAliases, SourceCategory};

/// The mediums a referrer alone implies, by category.
pub(crate) const ORGANIC: &str = "organic";
pub(crate) const SOCIAL: &str = "social";
pub const EMAIL: &str = "email";
pub(crate) const REFERRAL: &str = "referral";

/// What a referrer says about a visit without campaign parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReferrerSource {
    /// The referring host, as [`host_of`] gives it (lower-case, no `www.`, no port).
    pub host: String,
    /// The name to store: the network's (`gmx`, `chatgpt`), else the registrable domain.
    pub source: String,
    /// `organic` for search, `social` for social, `email` for webmail, else `referral`.
    pub medium: &'static str,
    pub category: Option<SourceCategory>,
}

/// The registrable domain of a host (`example.co.uk` for `blog.example.co.uk`), unless it
/// is an IP address or a single label. A suffix the list does not know counts as one label,
/// as the list's own algorithm says (`evil.example` for `google.evil.example`).
pub fn registrable_domain(host: &str) -> Option<&str> {
    if host.starts_with('[') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let domain = psl::domain(host.as_bytes())?;
    std::str::from_utf8(domain.as_bytes()).ok()
}

/// Labels of a sub-domain that serve webmail: `mail.`, `webmail.`, `email.`, `owa.`,
/// numbered webmail servers (`mail01.`, `webmail1f.`) and the names providers give them.
fn is_mail_label(label: &str) -> bool {
    const NAMES: &[&str] = &[
        "mail",
        "email",
        "e-mail",
        "webmail",
        "webmailer",
        "lightmailer",
        "mailbusiness",
        "messagerie",
        "messageriepro",
        "owa",
        "posta",
        "correo",
        "courrier",
        "poczta",
        "roundcube",
        "squirrelmail",
        "zimbra",
    ];
    if NAMES.contains(&label) {
        return true;
    }
    // mail01, webmail1f, mail2: a mail name, then a number, then at most a letter or two.
    ["webmail", "mail"].iter().any(|name| {
        label.strip_prefix(name).is_some_and(|rest| {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0
                && rest.len() - digits <= 2
                && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        })
    })
}

/// Categories the lists do not name but the host's shape does: webmail servers under any
/// domain (`mail.example.com`, `webmail1f.orange.fr`) and webmail link redirectors
/// (`deref-gmx.net`, `deref-web-02.de`).
fn category_by_shape(host: &str) -> Option<SourceCategory> {
    let domain = registrable_domain(host)?;
    if domain.starts_with("deref-") {
        return Some(SourceCategory::Email);
    }
    let sub = host.strip_suffix(domain)?.strip_suffix('.')?;
    sub.split('.')
        .any(is_mail_label)
        .then_some(SourceCategory::Email)
}

/// The category of a referring host: the lists, then the host's shape, then the tracker's
/// own search-engine and social list (`images.google.de` is Google's search).
pub(crate) fn host_category(host: &str) -> Option<SourceCategory> {
    source_category(host)
        .or_else(|| category_by_shape(host))
        .or_else(|| {
            // The tracker matches engines by label; only trust it under a real suffix.
            before_public_suffix(host)?;
            match classify_host(host).1 {
                ORGANIC => Some(SourceCategory::Search),
                SOCIAL => Some(SourceCategory::Social),
                _ => None,
            }
        })
}

/// The medium a referrer of this category implies.
pub(crate) fn medium_for(category: Option<SourceCategory>) -> &'static str {
    match category {
        Some(SourceCategory::Search) => ORGANIC,
        Some(SourceCategory::Social) => SOCIAL,
        Some(SourceCategory::Email) => EMAIL,
        _ => REFERRAL,
    }
}

/// What `referrer` (a URL) says, or `None` when it has no host.
pub(crate) fn referrer_source(referrer: &str) -> Option<ReferrerSource> {
    let host = host_of(referrer)?;
    let web = {
        let scheme = referrer.trim_start().get(..8).unwrap_or_default();
        scheme.to_ascii_lowercase().starts_with("https://")
            || scheme.to_ascii_lowercase().starts_with("http://")
    };
    let category = host_category(&host);
    let aliases = SourceAliases::builtin();
    let named = aliases.canonical(&host).filter(|name| *name != host);
    let source = match named {
        Some(name) => name,
        None if category.is_some() && !web => host.clone(),
        None => match classify_host(&host) {
            // The tracker's engine names (`google` for images.google.de).
            (name, ORGANIC | SOCIAL) if category.is_some() && name != host => name,
            _ => web
                .then(|| registrable_domain(&host))
                .flatten()
                .filter(|domain| {
                    // A listed host without a name of its own keeps its host, and so does
                    // a known network's other product (docs.google.com): stored as
                    // `google` it would read as the search engine.
                    source_category(&host).is_none()
                        && source_category(domain).is_none()
                        && aliases.canonical(domain).as_deref() == Some(*domain)
                })
                .map_or_else(|| host.clone(), str::to_owned),
        },
    };
    Some(ReferrerSource {
        medium: medium_for(category),
        source,
        category,
        host,
    })
}

/// True when a touch's `source` (as received, before aliases) and `medium` are only what
/// its referrer says — derived by the tracker or by [`referrer_source`] — rather than
/// campaign parameters.
pub(crate) fn is_derived(source: &str, medium: &str, referrer: &ReferrerSource) -> bool {
    let (tracker_source, tracker_medium) = classify_host(&referrer.host);
    let tracker_source = crate::clean::normalise_name(&tracker_source).unwrap_or(tracker_source);
    (source == tracker_source && medium == tracker_medium)
        || (source == referrer.source && medium == referrer.medium)
        // Derived by an earlier version of the lists, which gave the host another medium.
        || (source == referrer.host && [ORGANIC, SOCIAL, EMAIL, REFERRAL].contains(&medium))
}

/// What the referrer of `touch` says, when the touch's source (as received) and medium are
/// only that: the server then stores this source and medium instead, the host beside them.
/// `None` for touches whose source or medium a campaign link or click id gave, and for
/// touches without a referrer.
pub(crate) fn derived_referrer(touch: &Touch) -> Option<ReferrerSource> {
    if touch.click_id_type.is_some() {
        return None;
    }
    let referrer = referrer_source(touch.referrer.as_deref()?)?;
    is_derived(
        touch.source.as_deref()?,
        touch.medium.as_deref()?,
        &referrer,
    )
    .then_some(referrer)
}

/// Settles a touch as the server stores it: when its source and medium are only what its
/// referrer says, they become the lists' source name and the medium of its category.
/// Returns the referring host, which the caller keeps beside the source as received.
pub(crate) fn settle_referrer(touch: &mut Touch) -> Option<String> {
    let referrer = derived_referrer(touch)?;
    touch.source = Some(referrer.source);
    touch.medium = Some(referrer.medium.to_owned());
    Some(referrer.host)
}

/// A touch as the server stores it: settled from its referrer ([`settle_referrer`]) and its
/// source merged through `aliases` — an alias of the referring host itself first, so that
/// an operator's `blog.partner.com → partner` still applies. Returns the source as received
/// (the referring host, for a settled touch) when it differs from the stored one.
pub fn settle(touch: &mut Touch, aliases: &SourceAliases) -> Option<String> {
    let received = touch
        .source
        .as_deref()
        .and_then(crate::clean::normalise_name);
    touch.source = received.clone();
    let host = settle_referrer(touch);
    let by_host = host
        .as_deref()
        .and_then(|h| aliases.canonical(h))
        .filter(|name| Some(name) != host.as_ref());
    touch.source = by_host.or_else(|| touch.source.as_deref().and_then(|s| aliases.canonical(s)));
    host.or(received)
        .filter(|raw| Some(raw) != touch.source.as_ref())
}
