//! Ad-platform click ids: the query parameters that ad networks append to the links of
//! their ads, and the source and medium a click with one implies when the link carries no
//! `utm_*` parameters (auto-tagging).

/// One known click-id parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClickIdKind {
    /// The query parameter, as the platform writes it.
    pub param: &'static str,
    /// The source a click with this id comes from.
    pub source: &'static str,
    /// The medium it implies: `cpc` for ad clicks, `social` where the platform appends the
    /// id to every outbound link (paid and organic alike), `affiliate` for affiliate networks.
    pub medium: &'static str,
}

const fn kind(param: &'static str, source: &'static str, medium: &'static str) -> ClickIdKind {
    ClickIdKind {
        param,
        source,
        medium,
    }
}

/// Known click ids, in order of precedence when a URL carries several.
pub(crate) const CLICK_IDS: &[ClickIdKind] = &[
    kind("gclid", "google", "cpc"),
    kind("gbraid", "google", "cpc"),
    kind("wbraid", "google", "cpc"),
    kind("dclid", "google", "display"),
    kind("msclkid", "bing", "cpc"),
    kind("li_fat_id", "linkedin", "cpc"),
    kind("ttclid", "tiktok", "cpc"),
    kind("twclid", "twitter", "cpc"),
    kind("yclid", "yandex", "cpc"),
    kind("sccid", "snapchat", "cpc"),
    kind("epik", "pinterest", "cpc"),
    kind("rdt_cid", "reddit", "cpc"),
    kind("irclickid", "impact", "affiliate"),
    // Facebook adds fbclid to every outbound link, ads and organic posts alike.
    kind("fbclid", "facebook", "social"),
];

/// The click-id kind for a parameter name (case-insensitive).
pub(crate) fn by_param(param: &str) -> Option<&'static ClickIdKind> {
    CLICK_IDS
        .iter()
        .find(|k| k.param.eq_ignore_ascii_case(param))
}
