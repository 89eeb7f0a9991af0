//! URLs as the browser sees them: the WHATWG URL standard through the `url` crate, for
//! every URL the server reads or builds.
//!
//! The tracker reads `location.href` and `document.referrer`, which the browser has
//! already parsed and serialised: host lower-cased and punycoded, percent-encoding
//! completed, default port dropped, `www.GOOGLE.com:443` and `%77ww.google.com` both
//! `www.google.com`. A URL the collector is handed (a post's `Referer`, the landing page
//! or referrer of a submission sent by a server or an import) can be in any spelling, so it
//! is serialised the same way first; core's own readers then see what the tracker would
//! have seen.

use std::borrow::Cow;

use crate::touch::Visit;

/// [`Visit::read`] of URLs the server was handed (a post's `Referer`, a link to explain):
/// both serialised as the browser would have, so the touch is the one the tracker would
/// have read on that page.
pub fn read_visit(page_url: &str, referrer: &str, at: Option<i64>) -> Visit {
    Visit::read(&canonical(page_url), &canonical(referrer), at)
}

/// `raw` as the browser would serialise it when it is an absolute `http(s)` URL, else `raw`
/// itself (untouched): garbage is still cleaned and stored as text, and other schemes
/// (`android-app://…` referrers) keep the spelling they came in.
pub fn canonical(raw: &str) -> Cow<'_, str> {
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            let serialised: String = url.into();
            if serialised == raw {
                Cow::Borrowed(raw)
            } else {
                Cow::Owned(serialised)
            }
        }
        _ => Cow::Borrowed(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn urls_are_serialised_as_browsers_do() {
        let cases = [
            (
                "HTTPS://WWW.Google.COM:443/search?q=x",
                "https://www.google.com/search?q=x",
            ),
            ("https://%77ww.google.com/", "https://www.google.com/"),
            (
                "https://www.BÜCHER.example/",
                "https://www.xn--bcher-kva.example/",
            ),
            (
                "https://acme.example/über uns?q=\"a b\"",
                "https://acme.example/%C3%BCber%20uns?q=%22a%20b%22",
            ),
            ("  https://acme.example/a/../b  ", "https://acme.example/b"),
            ("http://0x7f.1/", "http://127.0.0.1/"),
        ];
        for (raw, browser) in cases {
            assert_eq!(canonical(raw), browser, "{raw}");
        }
    }

    #[test]
    fn what_is_no_url_is_left_alone() {
        for raw in [
            "",
            "not a url",
            "/relative?utm_source=x",
            "https://exa mple.com/",
            "https://",
            "android-app://com.Google.android.gm/",
            "id://`$i\u{54B}rmo/",
        ] {
            assert!(
                matches!(canonical(raw), Cow::Borrowed(b) if b == raw),
                "{raw}"
            );
        }
    }

    /// Spellings the hand-written readers got wrong: each is read as the browser reads the
    /// same address, which is what the tracker would have been handed.
    #[test]
    fn a_url_handed_to_the_server_gives_the_trackers_touch() {
        let cases = [
            // A percent-encoded host was a referral from "%77ww.google.com".
            (
                "https://acme.example/",
                "https://%77ww.google.com/",
                "https://www.google.com/",
            ),
            // Capitals in an international name: the browser gives the xn-- form.
            (
                "https://acme.example/",
                "https://www.BÜCHER.example/",
                "https://www.xn--bcher-kva.example/",
            ),
            // The site itself, spelled with an escape: internal navigation, not a referral.
            (
                "https://acme.example/signup",
                "https://acme%2Eexample/pricing",
                "https://acme.example/pricing",
            ),
        ];
        for (page, raw_referrer, browser_referrer) in cases {
            let server = read_visit(page, raw_referrer, Some(1));
            let tracker = Visit::read(page, browser_referrer, Some(1));
            assert_eq!(server, tracker, "{raw_referrer}");
        }
        let google = read_visit("https://acme.example/", "https://%77ww.google.com/", None);
        assert_eq!(
            (
                google.touch.source.as_deref(),
                google.touch.medium.as_deref()
            ),
            (Some("google"), Some("organic"))
        );
        let idn = read_visit("https://acme.example/", "https://www.BÜCHER.example/", None);
        assert_eq!(idn.touch.source.as_deref(), Some("xn--bcher-kva.example"));
        let internal = read_visit(
            "https://acme.example/signup",
            "https://acme%2Eexample/",
            None,
        );
        assert_eq!(internal.kind, crate::touch::VisitKind::Internal);

        // The page's own spelling: campaign parameters read the same.
        let page = read_visit("HTTPS://ACME.example:443/p?utm_source=LinkedIn#x", "", None);
        assert_eq!(page.touch.source.as_deref(), Some("linkedin"));
        assert_eq!(
            page.touch.landing_page.as_deref(),
            Some("https://acme.example/p?utm_source=LinkedIn")
        );
    }

    proptest! {
        #[test]
        fn serialising_twice_changes_nothing(raw in any::<String>()) {
            let once = canonical(&raw).into_owned();
            prop_assert_eq!(canonical(&once), once.as_str());
        }
    }
}
