//! What a referring host says about a visit that carries no campaign parameters.
//!
//! Only a short list lives here because the tracker ships it to every page; the full
//! channel rules (with Google's published source categories) run on the server.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::bytes;

/// Extracts the host of an absolute URL: lower-case, without user info, port or a leading
/// `www.`. Returns `None` for anything that is not `scheme://host…`.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    // The scheme cannot hold a `:`, so the first one must start `://`.
    let (scheme, rest) = bytes::split_once(url, b':')?;
    let rest = rest.strip_prefix("//")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let authority_end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b'\\'))
        .unwrap_or(rest.len());
    let authority = rest.get(..authority_end)?;
    let host_port = match authority.bytes().rposition(|b| b == b'@') {
        Some(at) => authority.get(at + 1..)?,
        None => authority,
    };
    let host = if host_port.starts_with('[') {
        // An IPv6 literal, with its brackets.
        bytes::find(host_port, b']').map_or(Some(host_port), |end| host_port.get(..=end))?
    } else {
        bytes::before(host_port, b':')
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if host.is_empty()
        || host.len() > 253
        || host.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    Some(host.to_owned())
}

/// True when `host` is `site` or one of its sub-domains (both as from [`host_of`]).
pub(crate) fn is_same_site(host: &str, site: &str) -> bool {
    host == site
        || host
            .strip_suffix(site)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// `(label, source)`: a referrer host whose dot-separated labels include `label` (as in
/// `google` in `www.google.co.uk`) is that search engine.
const SEARCH_ENGINES: &[(&str, &str)] = &[
    ("google", "google"),
    ("bing", "bing"),
    ("yahoo", "yahoo"),
    ("duckduckgo", "duckduckgo"),
    ("baidu", "baidu"),
    ("yandex", "yandex"),
    ("ecosia", "ecosia"),
    ("naver", "naver"),
    ("seznam", "seznam"),
    ("qwant", "qwant"),
    ("startpage", "startpage"),
    ("brave", "brave"),
    ("so", "so.com"),
    ("sogou", "sogou"),
];

/// Social networks by registrable host, with the short source name marketers use.
const SOCIAL_HOSTS: &[(&str, &str)] = &[
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("instagram.com", "instagram"),
    ("linkedin.com", "linkedin"),
    ("lnkd.in", "linkedin"),
    ("t.co", "twitter"),
    ("twitter.com", "twitter"),
    ("x.com", "twitter"),
    ("youtube.com", "youtube"),
    ("reddit.com", "reddit"),
    ("tiktok.com", "tiktok"),
    ("pinterest.com", "pinterest"),
    ("threads.net", "threads"),
    ("bsky.app", "bluesky"),
    ("xing.com", "xing"),
];

/// Hosts that are search engines in name only (mail, maps, …) and must not count as search.
fn is_search_exception(host: &str) -> bool {
    host.starts_with("mail.")
        || host.starts_with("accounts.")
        || host.as_bytes().windows(4).any(|w| w == b"ads.")
}

/// True when `host` is the engine's own site: `google.co.uk`, `bing.com`, or one of the
/// engine's search sub-domains (`search.yahoo.co.jp`, `m.baidu.com`, `cn.bing.com`) — but
/// not its other products (`docs.google.com`, `maps.google.com`), which are referrals.
fn is_engine_host(host: &str, label: &str) -> bool {
    const SEARCH_SUBDOMAINS: &[&str] = &["search", "m", "cn", "images", "video", "mobile"];
    let mut labels = bytes::split(host, b'.');
    match (labels.next(), labels.next()) {
        (Some(first), _) if first == label => true,
        (Some(first), Some(second)) => second == label && SEARCH_SUBDOMAINS.contains(&first),
        _ => false,
    }
}

/// The `(source, medium)` a visit from `host` (as from [`host_of`]) gets: `google / organic`
/// for a search engine, `linkedin / social` for a known network, else `host / referral`.
pub(crate) fn classify_host(host: &str) -> (String, &'static str) {
    if !is_search_exception(host) {
        for (label, source) in SEARCH_ENGINES {
            // `so` is too short to match as a label anywhere: only so.com itself.
            let hit = if *label == "so" {
                host == "so.com"
            } else {
                is_engine_host(host, label)
            };
            if hit {
                return ((*source).to_owned(), "organic");
            }
        }
    }
    for (suffix, source) in SOCIAL_HOSTS {
        if is_same_site(host, suffix) {
            return ((*source).to_owned(), "social");
        }
    }
    (host.to_owned(), "referral")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_extracted_and_normalised() {
        assert_eq!(
            host_of("https://WWW.Google.co.uk/search?q=x").as_deref(),
            Some("google.co.uk")
        );
        assert_eq!(
            host_of("http://user:pw@news.ycombinator.com:8080/item").as_deref(),
            Some("news.ycombinator.com")
        );
        assert_eq!(
            host_of("android-app://com.google.android.gm/").as_deref(),
            Some("com.google.android.gm")
        );
        assert_eq!(host_of("not a url"), None);
        assert_eq!(host_of("https:///path"), None);
        assert_eq!(host_of(""), None);
    }

    #[test]
    fn search_social_and_referral() {
        assert_eq!(classify_host("google.de"), ("google".into(), "organic"));
        assert_eq!(
            classify_host("search.yahoo.co.jp"),
            ("yahoo".into(), "organic")
        );
        assert_eq!(
            classify_host("mail.google.com"),
            ("mail.google.com".into(), "referral")
        );
        assert_eq!(
            classify_host("docs.google.com"),
            ("docs.google.com".into(), "referral")
        );
        assert_eq!(classify_host("cn.bing.com"), ("bing".into(), "organic"));
        assert_eq!(classify_host("m.baidu.com"), ("baidu".into(), "organic"));
        assert_eq!(
            classify_host("m.facebook.com"),
            ("facebook".into(), "social")
        );
        assert_eq!(classify_host("lnkd.in"), ("linkedin".into(), "social"));
        assert_eq!(
            classify_host("news.ycombinator.com"),
            ("news.ycombinator.com".into(), "referral")
        );
        assert_eq!(
            classify_host("notfacebook.com"),
            ("notfacebook.com".into(), "referral")
        );
    }

    #[test]
    fn same_site_includes_subdomains_only() {
        assert!(is_same_site("shop.acme.com", "acme.com"));
        assert!(is_same_site("acme.com", "acme.com"));
        assert!(!is_same_site("evilacme.com", "acme.com"));
    }
}
