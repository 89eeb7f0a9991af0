//! A touch: one interaction of a visitor with the site and what brought them there.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::clean::{clean_click_id, clean_url, clean_value, normalise_name};
use crate::click_ids;
use crate::query;
use crate::referrer::{classify_host, host_of, is_same_site};

/// Source and medium of a visit that came from nowhere in particular.
pub const DIRECT_SOURCE: &str = "(direct)";
pub(crate) const DIRECT_MEDIUM: &str = "(none)";
/// Source or medium of a campaign link that left it out.
pub(crate) const NOT_SET: &str = "(not set)";
/// Source of a form post that arrived without the tracker's fields and with no `Referer`
/// that says how the visitor came: the attribution was lost, which is not a direct visit.
pub const UNTRACKED_SOURCE: &str = "(untracked)";

/// The fields of a touch, in wire order. `Id` is `utm_id`; `At` is Unix time in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TouchField {
    Source,
    Medium,
    Campaign,
    Term,
    Content,
    Id,
    ClickId,
    ClickIdType,
    Referrer,
    LandingPage,
    At,
}

impl TouchField {
    pub const ALL: [TouchField; 11] = [
        TouchField::Source,
        TouchField::Medium,
        TouchField::Campaign,
        TouchField::Term,
        TouchField::Content,
        TouchField::Id,
        TouchField::ClickId,
        TouchField::ClickIdType,
        TouchField::Referrer,
        TouchField::LandingPage,
        TouchField::At,
    ];

    /// The field's name in JSON, in storage and (prefixed) on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            TouchField::Source => "source",
            TouchField::Medium => "medium",
            TouchField::Campaign => "campaign",
            TouchField::Term => "term",
            TouchField::Content => "content",
            TouchField::Id => "id",
            TouchField::ClickId => "click_id",
            TouchField::ClickIdType => "click_id_type",
            TouchField::Referrer => "referrer",
            TouchField::LandingPage => "landing_page",
            TouchField::At => "at",
        }
    }

    pub fn from_name(name: &str) -> Option<TouchField> {
        TouchField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The `utm_*` query parameter that carries this field, if any.
    pub(crate) const fn utm_param(self) -> Option<&'static str> {
        match self {
            TouchField::Source => Some("utm_source"),
            TouchField::Medium => Some("utm_medium"),
            TouchField::Campaign => Some("utm_campaign"),
            TouchField::Term => Some("utm_term"),
            TouchField::Content => Some("utm_content"),
            TouchField::Id => Some("utm_id"),
            _ => None,
        }
    }
}

/// Latest plausible timestamp (year 9999) — anything beyond is garbage, not a time.
const MAX_AT_MS: i64 = 253_402_300_799_999;

/// Source, medium, campaign and context of one interaction. Every field is optional and
/// every value in it has been cleaned by [`Touch::set`]; construct touches through it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Touch {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub term: Option<String>,
    pub content: Option<String>,
    pub id: Option<String>,
    pub click_id: Option<String>,
    pub click_id_type: Option<String>,
    pub referrer: Option<String>,
    pub landing_page: Option<String>,
    /// Unix time in milliseconds.
    pub at: Option<i64>,
}

impl Touch {
    /// Sets a field from a raw (hostile) value, cleaning it the way that field needs.
    /// An empty or unusable value clears the field.
    pub fn set(&mut self, field: TouchField, raw: &str) {
        match field {
            TouchField::Source => self.source = normalise_name(raw),
            TouchField::Medium => self.medium = normalise_name(raw),
            TouchField::Campaign => self.campaign = normalise_name(raw),
            TouchField::Term => self.term = clean_value(raw),
            TouchField::Content => self.content = clean_value(raw),
            TouchField::Id => self.id = clean_value(raw),
            TouchField::ClickId => self.click_id = clean_click_id(raw),
            TouchField::ClickIdType => {
                self.click_id_type =
                    normalise_name(raw).filter(|t| click_ids::by_param(t).is_some())
            }
            TouchField::Referrer => self.referrer = clean_url(raw),
            TouchField::LandingPage => self.landing_page = clean_url(raw),
            TouchField::At => {
                let raw = raw.trim();
                self.at = if !raw.is_empty()
                    && raw.len() <= 16
                    && raw.bytes().all(|b| b.is_ascii_digit())
                {
                    raw.parse::<i64>().ok().filter(|ms| *ms <= MAX_AT_MS)
                } else {
                    None
                };
            }
        }
    }

    /// The text of a field (`at` as decimal milliseconds).
    pub fn get(&self, field: TouchField) -> Option<String> {
        let text = match field {
            TouchField::Source => &self.source,
            TouchField::Medium => &self.medium,
            TouchField::Campaign => &self.campaign,
            TouchField::Term => &self.term,
            TouchField::Content => &self.content,
            TouchField::Id => &self.id,
            TouchField::ClickId => &self.click_id,
            TouchField::ClickIdType => &self.click_id_type,
            TouchField::Referrer => &self.referrer,
            TouchField::LandingPage => &self.landing_page,
            TouchField::At => return self.at.map(decimal),
        };
        text.clone()
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        TouchField::ALL.into_iter().all(|f| self.get(f).is_none())
    }

    /// A touch from `(name, value)` pairs, every value cleaned; unknown names are ignored.
    pub(crate) fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Touch {
        let mut touch = Touch::default();
        for (name, value) in pairs {
            if let Some(field) = TouchField::from_name(name.as_ref()) {
                touch.set(field, value.as_ref());
            }
        }
        touch
    }

    /// Compact form for browser storage: a query string of the set fields.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for field in TouchField::ALL {
            if let Some(value) = self.get(field) {
                query::push_pair(&mut out, field.name(), &value);
            }
        }
        out
    }

    /// Reads [`Touch::encode`]'s form, cleaning every value again: storage is user-writable.
    pub fn decode(encoded: &str) -> Touch {
        Touch::from_pairs(query::pairs(encoded))
    }

    /// Fills a missing source and medium from the click id or the referrer, so that a
    /// touch that says *how* a visitor came also says *from where*. Touches with campaign
    /// parameters but no source or medium get `(not set)`, as in common analytics tools.
    pub fn resolve(&mut self) {
        if self.source.is_some() && self.medium.is_some() {
            return;
        }
        let from_click = self.click_id_type.as_deref().and_then(click_ids::by_param);
        let from_referrer = self
            .referrer
            .as_deref()
            .and_then(host_of)
            .map(|h| classify_host(&h));
        let has_campaign = self.campaign.is_some()
            || self.id.is_some()
            || self.source.is_some()
            || self.medium.is_some();
        let (source, medium) = match (from_click, from_referrer) {
            (Some(kind), _) => (kind.source.to_owned(), kind.medium),
            // Normalised like every source read from a URL (a referring host may carry
            // non-ASCII capitals), so that the touch reads back the same from storage.
            (None, Some((host_source, medium))) => {
                (normalise_name(&host_source).unwrap_or(host_source), medium)
            }
            (None, None) if has_campaign => (NOT_SET.to_owned(), NOT_SET),
            (None, None) => (DIRECT_SOURCE.to_owned(), DIRECT_MEDIUM),
        };
        if self.source.is_none() {
            self.source = Some(source);
        }
        if self.medium.is_none() {
            self.medium = Some(medium.to_owned());
        }
    }

    /// True for `(direct) / (none)`.
    pub fn is_direct(&self) -> bool {
        self.source.as_deref() == Some(DIRECT_SOURCE)
            && self.medium.as_deref() == Some(DIRECT_MEDIUM)
    }
}

/// Why a page view makes the touch it does; it decides whether the touch replaces the
/// remembered last touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    /// The URL carries `utm_*` parameters.
    Campaign,
    /// The URL carries an ad click id and no `utm_*` parameters.
    ClickId,
    /// The referrer is another site.
    Referral,
    /// The referrer is this site: navigation inside it.
    Internal,
    /// No referrer at all.
    Direct,
}

/// One page view, read into a touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub touch: Touch,
    pub kind: VisitKind,
}

impl Visit {
    /// Reads the page URL and `document.referrer` (either may be empty or garbage) at
    /// `at` (Unix ms) into a touch with source and medium always set.
    pub fn read(page_url: &str, referrer: &str, at: Option<i64>) -> Visit {
        let q = query::query_of(page_url);
        Visit::read_with(page_url, |key| query::get(q, key), referrer, at)
    }

    /// [`Visit::read`] with the page's query parameters read by someone else — the
    /// browser's own URL parser in the tracker: `param(key)` is the first decoded value of
    /// `key`, keys compared as [`query::get`] does.
    pub fn read_with(
        page_url: &str,
        param: impl Fn(&str) -> Option<String>,
        referrer: &str,
        at: Option<i64>,
    ) -> Visit {
        let mut touch = Touch::default();
        let mut has_utm = false;
        for field in TouchField::ALL {
            if let Some(name) = field.utm_param() {
                if let Some(value) = param(name) {
                    touch.set(field, &value);
                    has_utm |= touch.get(field).is_some();
                }
            }
        }
        for kind in click_ids::CLICK_IDS {
            if let Some(value) = param(kind.param) {
                touch.set(TouchField::ClickId, &value);
                if touch.click_id.is_some() {
                    touch.click_id_type = Some(kind.param.to_owned());
                    break;
                }
            }
        }
        let page_host = host_of(page_url);
        let referrer_host = host_of(referrer);
        let internal = match (&referrer_host, &page_host) {
            (Some(r), Some(p)) => is_same_site(r, p) || is_same_site(p, r),
            _ => false,
        };
        if referrer_host.is_some() && !internal {
            touch.set(TouchField::Referrer, referrer);
        }
        touch.set(TouchField::LandingPage, page_url);
        touch.at = at.filter(|ms| (0..=MAX_AT_MS).contains(ms));
        let kind = if has_utm {
            VisitKind::Campaign
        } else if touch.click_id.is_some() {
            VisitKind::ClickId
        } else if touch.referrer.is_some() {
            VisitKind::Referral
        } else if internal {
            VisitKind::Internal
        } else {
            VisitKind::Direct
        };
        touch.resolve();
        Visit { touch, kind }
    }

    /// True when this visit replaces the remembered last touch: campaign parameters, a
    /// click id or an external referrer. Direct visits and internal navigation never do.
    pub fn replaces_last_touch(&self) -> bool {
        matches!(
            self.kind,
            VisitKind::Campaign | VisitKind::ClickId | VisitKind::Referral
        )
    }
}

/// `n` as decimal text. Written out rather than `to_string()`: the formatting machinery
/// that `Display` brings would ship to every page in the tracker.
fn decimal(n: i64) -> String {
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(21);
    if n < 0 {
        out.push('-');
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `touch` fuzz target: a referring host with non-ASCII capitals became
    /// the source unnormalised, and read back from storage lower-cased.
    #[test]
    fn a_referring_hosts_source_reads_back_the_same() {
        let visit = Visit::read(
            "",
            "id://`$i\u{54B}\u{466}rmo/\0$K",
            Some(1_750_000_000_000),
        );
        assert_eq!(Touch::decode(&visit.touch.encode()), visit.touch);
        assert_eq!(visit.touch.source.as_deref(), Some("`$i\u{57B}\u{467}rmo"));
    }

    #[test]
    fn decimal_matches_display() {
        for n in [0, 7, -7, 10, 1_700_000_000_000, i64::MAX, i64::MIN] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
    use proptest::prelude::*;

    fn read(url: &str, referrer: &str) -> Visit {
        Visit::read(url, referrer, Some(1_700_000_000_000))
    }

    #[test]
    fn campaign_link_gives_a_campaign_touch() {
        let v = read(
            "https://acme.example/signup?utm_source=LinkedIn&utm_medium=Paid%20Social&utm_campaign=Webinar+Sept&utm_term=CRM&li_fat_id=AbC",
            "https://www.linkedin.com/",
        );
        assert_eq!(v.kind, VisitKind::Campaign);
        assert!(v.replaces_last_touch());
        assert_eq!(v.touch.source.as_deref(), Some("linkedin"));
        assert_eq!(v.touch.medium.as_deref(), Some("paid_social"));
        assert_eq!(v.touch.campaign.as_deref(), Some("webinar_sept"));
        assert_eq!(v.touch.term.as_deref(), Some("CRM"));
        assert_eq!(v.touch.click_id.as_deref(), Some("AbC"));
        assert_eq!(v.touch.click_id_type.as_deref(), Some("li_fat_id"));
        assert_eq!(
            v.touch.referrer.as_deref(),
            Some("https://www.linkedin.com/")
        );
        assert_eq!(v.touch.at, Some(1_700_000_000_000));
    }

    #[test]
    fn click_id_alone_implies_source_and_medium() {
        let v = read("https://acme.example/?gclid=Cj0KCQ", "");
        assert_eq!(v.kind, VisitKind::ClickId);
        assert_eq!(
            (v.touch.source.as_deref(), v.touch.medium.as_deref()),
            (Some("google"), Some("cpc"))
        );
        assert_eq!(v.touch.click_id.as_deref(), Some("Cj0KCQ"));
    }

    #[test]
    fn utm_wins_over_click_id_for_source() {
        let v = read(
            "https://acme.example/?fbclid=IwAR&utm_source=facebook&utm_medium=paid_social",
            "",
        );
        assert_eq!(v.touch.medium.as_deref(), Some("paid_social"));
        assert_eq!(v.touch.click_id_type.as_deref(), Some("fbclid"));
    }

    #[test]
    fn referrers_make_organic_social_and_referral_touches() {
        let v = read("https://acme.example/", "https://www.google.com/");
        assert_eq!(v.kind, VisitKind::Referral);
        assert_eq!(
            (v.touch.source.as_deref(), v.touch.medium.as_deref()),
            (Some("google"), Some("organic"))
        );
        let v = read(
            "https://acme.example/",
            "https://news.ycombinator.com/item?id=1",
        );
        assert_eq!(
            (v.touch.source.as_deref(), v.touch.medium.as_deref()),
            (Some("news.ycombinator.com"), Some("referral"))
        );
    }

    #[test]
    fn internal_navigation_and_direct_visits() {
        let v = read(
            "https://acme.example/signup",
            "https://acme.example/webinar?utm_source=x",
        );
        assert_eq!(v.kind, VisitKind::Internal);
        assert!(!v.replaces_last_touch());
        assert!(v.touch.is_direct());
        assert_eq!(v.touch.referrer, None);
        let v = read("https://acme.example/signup", "https://blog.acme.example/");
        assert_eq!(v.kind, VisitKind::Internal);
        let v = read("https://acme.example/", "");
        assert_eq!(v.kind, VisitKind::Direct);
        assert!(v.touch.is_direct());
        assert_eq!(
            v.touch.landing_page.as_deref(),
            Some("https://acme.example/")
        );
    }

    #[test]
    fn utm_without_source_is_not_set() {
        let v = read("https://acme.example/?utm_campaign=spring", "");
        assert_eq!(v.kind, VisitKind::Campaign);
        assert_eq!(v.touch.source.as_deref(), Some(NOT_SET));
        assert_eq!(v.touch.medium.as_deref(), Some(NOT_SET));
    }

    #[test]
    fn empty_utm_values_do_not_make_a_campaign() {
        let v = read("https://acme.example/?utm_source=%20&utm_medium=", "");
        assert_eq!(v.kind, VisitKind::Direct);
    }

    #[test]
    fn hostile_values_are_cleaned() {
        let v = read("https://acme.example/?utm_campaign=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%00%E2%80%AE", "javascript:alert(1)");
        assert_eq!(
            v.touch.campaign.as_deref(),
            Some("<img_src=x_onerror=alert(1)>")
        );
        assert_eq!(v.touch.referrer, None);
    }

    #[test]
    fn encode_decode_round_trip() {
        let v = read(
            "https://acme.example/p?utm_source=a&utm_term=x%26y%3Dz&gclid=Q",
            "https://b.example/",
        );
        assert_eq!(Touch::decode(&v.touch.encode()), v.touch);
    }

    #[test]
    fn decoding_garbage_cleans_it() {
        let t = Touch::decode("source=%20LinkedIn&at=-5&click_id_type=evil&nonsense=1&medium");
        assert_eq!(t.source.as_deref(), Some("linkedin"));
        assert_eq!(t.at, None);
        assert_eq!(t.click_id_type, None);
        assert_eq!(t.medium, None);
    }

    proptest! {
        #[test]
        fn reading_any_visit_never_panics_and_always_has_source(url in any::<String>(), referrer in any::<String>(), at in any::<i64>()) {
            let v = Visit::read(&url, &referrer, Some(at));
            prop_assert!(v.touch.source.is_some());
            prop_assert!(v.touch.medium.is_some());
            prop_assert_eq!(Touch::decode(&v.touch.encode()), v.touch);
        }

        #[test]
        fn campaign_params_round_trip(source in "[a-z][a-z0-9_]{0,20}", campaign in "[a-z][a-z0-9_]{0,20}") {
            let url = format!("https://acme.example/?utm_source={source}&utm_medium=email&utm_campaign={campaign}");
            let v = Visit::read(&url, "", None);
            prop_assert_eq!(v.touch.source, Some(source));
            prop_assert_eq!(v.touch.campaign, Some(campaign));
        }
    }
}
