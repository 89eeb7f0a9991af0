//! The channel of a touch — Organic Search, Paid Social, Email, Direct, … — by an ordered
//! list of published rules in the style of Google Analytics 4's default channel grouping.
//!
//! The first rule that matches decides, and the decision names it ([`ChannelDecision::rule`]),
//! so that anyone can see *why* a touch landed where it did. The rules read the touch's
//! medium, source (merged through [`SourceAliases`]), campaign, click-id type, and the
//! category of the source — or, when the source is not a known site, of the referrer's host
//! — from the lists in `crates/core/data/` (Google's published source categories plus our
//! own: webmail, regional search engines, newer networks; see the README there).
//!
//! A touch without source or medium is first completed the way the tracker completes it
//! ([`Touch::resolve`]: click id, then referrer, then `(direct)`), so raw and resolved
//! touches classify alike. Values are compared normalised (trimmed, lower-case, spaces → `_`).
//!
//! "Paid medium" below is GA4's pattern `^(.*cp.*|ppc|retargeting|paid.*)$`; the "shopping
//! campaign" pattern is GA4's `^(.*(([^a-df-z]|^)shop|shopping).*)$`.
//!
//! | # | rule | channel | when |
//! |---|---|---|---|
//! | 1 | `untracked` | Untracked | source `(untracked)`: a form post without tracker fields or a telling `Referer` |
//! | 2 | `direct` | Direct | source `(direct)`, medium `(none)`, `(not set)` or missing |
//! | 3 | `cross_network` | Cross-network | campaign contains `cross-network` (or `cross_network`) |
//! | 4 | `paid_shopping_medium` | Paid Shopping | medium `paid_shopping`, `paid-shopping`, `paidshopping`, `shopping_ads`, `shopping-ads` |
//! | 5 | `paid_search_medium` | Paid Search | medium `paid_search`, `paid-search`, `paidsearch`, `sem`, `search_ads`, `search-ads` |
//! | 6 | `paid_social_medium` | Paid Social | medium `paid_social`, `paid-social`, `paidsocial`, `social_paid`, `social-paid`, `social_ads`, `social-ads` |
//! | 7 | `paid_video_medium` | Paid Video | medium `paid_video`, `paid-video`, `paidvideo`, `video_ads`, `video-ads` |
//! | 8 | `paid_shopping` | Paid Shopping | shopping source or shopping campaign, and a paid medium |
//! | 9 | `paid_search` | Paid Search | search source and a paid medium |
//! | 10 | `paid_social` | Paid Social | social source and a paid medium |
//! | 11 | `paid_video` | Paid Video | video source and a paid medium |
//! | 12 | `display` | Display | medium `display`, `banner`, `expandable`, `interstitial`, `cpm` |
//! | 13 | `click_id_search` | Paid Search | click id `gclid`, `gbraid`, `wbraid`, `msclkid` or `yclid` |
//! | 14 | `click_id_social` | Paid Social | click id `li_fat_id`, `ttclid`, `twclid`, `sccid`, `epik` or `rdt_cid`; or `fbclid` with a paid medium |
//! | 15 | `click_id_display` | Display | click id `dclid` |
//! | 16 | `click_id_affiliate` | Affiliates | click id `irclickid` |
//! | 17 | `paid_other` | Paid Other | a paid medium |
//! | 18 | `email` | Email | source or medium `email`, `e-mail`, `e_mail`, `e mail`, `newsletter` |
//! | 19 | `affiliates` | Affiliates | medium `affiliate` or `affiliates` |
//! | 20 | `audio` | Audio | medium `audio` |
//! | 21 | `sms` | SMS | source or medium `sms` |
//! | 22 | `mobile_push` | Mobile Push Notifications | medium ends with `push` or contains `mobile` or `notification`, or source `firebase` |
//! | 23 | `organic_shopping` | Organic Shopping | shopping source |
//! | 24 | `organic_social` | Organic Social | social source |
//! | 25 | `organic_video` | Organic Video | video source |
//! | 26 | `organic_search` | Organic Search | search source |
//! | 27 | `webmail` | Email | webmail source (`mail.google.com`, `outlook.live.com`, the Gmail app …) |
//! | 28 | `ai_assistant` | AI Assistants | AI-assistant source (`chatgpt.com`, `perplexity.ai`, `claude.ai` …) |
//! | 29 | `social_medium` | Organic Social | medium `social`, `social-network`, `social-media`, `social_network`, `social_media`, `sm` |
//! | 30 | `video_medium` | Organic Video | medium contains `video` |
//! | 31 | `organic_medium` | Organic Search | medium `organic` |
//! | 32 | `shopping_campaign` | Organic Shopping | shopping campaign |
//! | 33 | `referral` | Referral | medium `referral`, `app`, `link` |
//! | 34 | `unassigned` | Unassigned | anything else |
//!
//! Where this differs from GA4, and why:
//! - A medium that *names* a paid channel (rules 4–7) wins over the source list: a link
//!   tagged `google / paid_social` is a social ad, whatever site it points from.
//! - Click ids (rules 13–16) stand in for the ad platform's own data, which GA4 has and we
//!   do not: a `gclid` proves a Google ad click even when the link's `utm_*` say otherwise,
//!   as GA4's auto-tagging does. `fbclid` rides on every outbound Facebook link, ads and posts
//!   alike, so it only counts with a paid medium.
//! - Mediums that name an unpaid channel outright (rules 18–22) come before the source lists:
//!   a newsletter whose campaign is called `shop_week` is Email, not Organic Shopping.
//! - Within the unpaid rules the source lists (23–28) come before the generic mediums
//!   (29–32): `youtube / social` is Organic Video, as the tracker writes referrals from
//!   YouTube that way.
//! - `newsletter` counts as an e-mail medium and source; webmail is a source category.
//! - When the source is not a known site, the referrer's host stands in for it: a link
//!   tagged `spring_promo / cpc` that arrives from google.com is Paid Search, not Paid Other.
//!   And when source and medium are just what the tracker derived from the referrer, the
//!   host's own category comes first: the tracker's short host list calls the Gmail app
//!   (`android-app://com.google.android.gm`) and `email.seznam.cz` search engines, the
//!   lists here know them as webmail.
//! - GA4's Paid Other and Mobile Push Notifications are channels here too, and two are ours
//!   (21 in all). AI Assistants: a visit from ChatGPT, Perplexity, Claude, Gemini or Copilot
//!   (by referrer, or by the `utm_source=chatgpt.com` those links carry) is neither search
//!   nor a referral; paid links from them, should there be any, are Paid Other. Untracked: a
//!   form post that arrived without the tracker's fields and without a `Referer` that says
//!   how the visitor came (`attribution::untracked_if_direct`) lost its attribution — it is
//!   not a direct visit, and counting it as one hides a page where the tag is missing.
//! - Referring hosts are matched by registrable domain and public suffix ([`hosts`]): the
//!   lists name `.tumblr.com` once for every blog, and webmail servers (`mail.…`, `owa.…`)
//!   and the `deref-*` redirectors of webmail are recognised by their shape.
//!
//! Changing the rules or the data files changes the outcome for stored touches: bump
//! [`RULES_VERSION`], which is stored with every classified touch.

pub mod hosts;
mod sources;

use std::fmt;

use crate::clean::normalise_name;
use crate::click_ids;
use crate::touch::{Touch, DIRECT_MEDIUM, DIRECT_SOURCE, NOT_SET, UNTRACKED_SOURCE};

#[cfg(test)]
pub(crate) use sources::canonical_source;
pub(crate) use sources::{source_category, SourceCategory};
pub use sources::{AliasError, SourceAliases};

/// Version of the rules and their data. Stored with every classified touch so that
/// `reclassify` knows which touches are stale. A test pins a fingerprint of the rules and
/// data files: it fails until this number (and the fingerprint) is updated.
pub const RULES_VERSION: u32 = 2;

/// A marketing channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Channel {
    Direct,
    OrganicSearch,
    PaidSearch,
    OrganicSocial,
    PaidSocial,
    Email,
    Affiliates,
    Referral,
    Display,
    OrganicVideo,
    PaidVideo,
    OrganicShopping,
    PaidShopping,
    Sms,
    Audio,
    CrossNetwork,
    PaidOther,
    MobilePush,
    AiAssistants,
    Untracked,
    Unassigned,
}

impl Channel {
    pub const ALL: [Channel; 21] = [
        Channel::Direct,
        Channel::OrganicSearch,
        Channel::PaidSearch,
        Channel::OrganicSocial,
        Channel::PaidSocial,
        Channel::Email,
        Channel::Affiliates,
        Channel::Referral,
        Channel::Display,
        Channel::OrganicVideo,
        Channel::PaidVideo,
        Channel::OrganicShopping,
        Channel::PaidShopping,
        Channel::Sms,
        Channel::Audio,
        Channel::CrossNetwork,
        Channel::PaidOther,
        Channel::MobilePush,
        Channel::AiAssistants,
        Channel::Untracked,
        Channel::Unassigned,
    ];

    /// Stable identifier, for storage, JSON and search criteria (`organic_search`).
    pub const fn id(self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::OrganicSearch => "organic_search",
            Channel::PaidSearch => "paid_search",
            Channel::OrganicSocial => "organic_social",
            Channel::PaidSocial => "paid_social",
            Channel::Email => "email",
            Channel::Affiliates => "affiliates",
            Channel::Referral => "referral",
            Channel::Display => "display",
            Channel::OrganicVideo => "organic_video",
            Channel::PaidVideo => "paid_video",
            Channel::OrganicShopping => "organic_shopping",
            Channel::PaidShopping => "paid_shopping",
            Channel::Sms => "sms",
            Channel::Audio => "audio",
            Channel::CrossNetwork => "cross_network",
            Channel::PaidOther => "paid_other",
            Channel::MobilePush => "mobile_push",
            Channel::AiAssistants => "ai_assistants",
            Channel::Untracked => "untracked",
            Channel::Unassigned => "unassigned",
        }
    }

    /// The name people read (`Organic Search`), as GA4 spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Channel::Direct => "Direct",
            Channel::OrganicSearch => "Organic Search",
            Channel::PaidSearch => "Paid Search",
            Channel::OrganicSocial => "Organic Social",
            Channel::PaidSocial => "Paid Social",
            Channel::Email => "Email",
            Channel::Affiliates => "Affiliates",
            Channel::Referral => "Referral",
            Channel::Display => "Display",
            Channel::OrganicVideo => "Organic Video",
            Channel::PaidVideo => "Paid Video",
            Channel::OrganicShopping => "Organic Shopping",
            Channel::PaidShopping => "Paid Shopping",
            Channel::Sms => "SMS",
            Channel::Audio => "Audio",
            Channel::CrossNetwork => "Cross-network",
            Channel::PaidOther => "Paid Other",
            Channel::MobilePush => "Mobile Push Notifications",
            Channel::AiAssistants => "AI Assistants",
            Channel::Untracked => "Untracked",
            Channel::Unassigned => "Unassigned",
        }
    }

    /// The channel for an [`id`](Channel::id).
    pub fn from_id(id: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.id() == id)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The outcome of [`classify`]: the channel and the id of the rule that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChannelDecision {
    pub channel: Channel,
    pub rule: &'static str,
}

/// What the rules look at, computed once per touch.
#[derive(Debug)]
struct Facts {
    source: String,
    medium: String,
    campaign: String,
    /// The click-id parameter (`gclid`), if the touch has a known one.
    click_id: Option<&'static str>,
    /// The source's category, or else the referrer host's.
    category: Option<SourceCategory>,
}

impl Facts {
    fn paid(&self) -> bool {
        let m = self.medium.as_str();
        m.contains("cp") || m == "ppc" || m == "retargeting" || m.starts_with("paid")
    }

    fn is(&self, category: SourceCategory) -> bool {
        self.category == Some(category)
    }

    fn medium_in(&self, list: &[&str]) -> bool {
        list.contains(&self.medium.as_str())
    }

    fn click_in(&self, list: &[&str]) -> bool {
        self.click_id.is_some_and(|c| list.contains(&c))
    }

    fn shopping_campaign(&self) -> bool {
        let c = self.campaign.as_str();
        c.contains("shopping")
            || c.match_indices("shop").any(|(at, _)| {
                // GA4's `([^a-df-z]|^)shop`: at the start, or after anything but a lower-case
                // letter other than `e` ("eshop" counts, "workshop" does not).
                c[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|p| !p.is_ascii_lowercase() || p == 'e')
            })
    }
}

const EMAIL_NAMES: &[&str] = &["email", "e-mail", "e_mail", "e mail", "newsletter"];

/// One rule of the ordered list.
#[derive(Clone, Copy)]
pub struct Rule {
    /// Stable id, stored with decisions and shown by `explain`.
    pub id: &'static str,
    pub channel: Channel,
    /// When the rule matches, in words.
    pub when: &'static str,
    test: fn(&Facts) -> bool,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("when", &self.when)
            .finish()
    }
}

const fn rule(
    id: &'static str,
    channel: Channel,
    when: &'static str,
    test: fn(&Facts) -> bool,
) -> Rule {
    Rule {
        id,
        channel,
        when,
        test,
    }
}

/// The rules in the order they are tried; the last always matches.
pub const RULES: &[Rule] = &[
    rule(
        "untracked",
        Channel::Untracked,
        "source (untracked): a form post without tracker fields or a Referer that tells",
        |f| f.source == UNTRACKED_SOURCE,
    ),
    rule(
        "direct",
        Channel::Direct,
        "source (direct) and medium (none), (not set) or missing",
        |f| f.source == DIRECT_SOURCE && matches!(f.medium.as_str(), DIRECT_MEDIUM | NOT_SET | ""),
    ),
    rule(
        "cross_network",
        Channel::CrossNetwork,
        "campaign contains cross-network or cross_network",
        |f| f.campaign.contains("cross-network") || f.campaign.contains("cross_network"),
    ),
    rule(
        "paid_shopping_medium",
        Channel::PaidShopping,
        "medium paid_shopping, paid-shopping, paidshopping, shopping_ads or shopping-ads",
        |f| {
            f.medium_in(&[
                "paid_shopping",
                "paid-shopping",
                "paidshopping",
                "shopping_ads",
                "shopping-ads",
            ])
        },
    ),
    rule(
        "paid_search_medium",
        Channel::PaidSearch,
        "medium paid_search, paid-search, paidsearch, sem, search_ads or search-ads",
        |f| {
            f.medium_in(&[
                "paid_search",
                "paid-search",
                "paidsearch",
                "sem",
                "search_ads",
                "search-ads",
            ])
        },
    ),
    rule(
        "paid_social_medium",
        Channel::PaidSocial,
        "medium paid_social, paid-social, paidsocial, social_paid, social-paid, social_ads or social-ads",
        |f| {
            f.medium_in(&[
                "paid_social",
                "paid-social",
                "paidsocial",
                "social_paid",
                "social-paid",
                "social_ads",
                "social-ads",
            ])
        },
    ),
    rule(
        "paid_video_medium",
        Channel::PaidVideo,
        "medium paid_video, paid-video, paidvideo, video_ads or video-ads",
        |f| {
            f.medium_in(&[
                "paid_video",
                "paid-video",
                "paidvideo",
                "video_ads",
                "video-ads",
            ])
        },
    ),
    rule(
        "paid_shopping",
        Channel::PaidShopping,
        "shopping source or shopping campaign, and a paid medium",
        |f| (f.is(SourceCategory::Shopping) || f.shopping_campaign()) && f.paid(),
    ),
    rule(
        "paid_search",
        Channel::PaidSearch,
        "search source and a paid medium",
        |f| f.is(SourceCategory::Search) && f.paid(),
    ),
    rule(
        "paid_social",
        Channel::PaidSocial,
        "social source and a paid medium",
        |f| f.is(SourceCategory::Social) && f.paid(),
    ),
    rule(
        "paid_video",
        Channel::PaidVideo,
        "video source and a paid medium",
        |f| f.is(SourceCategory::Video) && f.paid(),
    ),
    rule(
        "display",
        Channel::Display,
        "medium display, banner, expandable, interstitial or cpm",
        |f| f.medium_in(&["display", "banner", "expandable", "interstitial", "cpm"]),
    ),
    rule(
        "click_id_search",
        Channel::PaidSearch,
        "click id gclid, gbraid, wbraid, msclkid or yclid",
        |f| f.click_in(&["gclid", "gbraid", "wbraid", "msclkid", "yclid"]),
    ),
    rule(
        "click_id_social",
        Channel::PaidSocial,
        "click id li_fat_id, ttclid, twclid, sccid, epik or rdt_cid; or fbclid with a paid medium",
        |f| {
            f.click_in(&["li_fat_id", "ttclid", "twclid", "sccid", "epik", "rdt_cid"])
                || (f.click_in(&["fbclid"]) && f.paid())
        },
    ),
    rule(
        "click_id_display",
        Channel::Display,
        "click id dclid",
        |f| f.click_in(&["dclid"]),
    ),
    rule(
        "click_id_affiliate",
        Channel::Affiliates,
        "click id irclickid",
        |f| f.click_in(&["irclickid"]),
    ),
    rule("paid_other", Channel::PaidOther, "a paid medium: contains cp, is ppc or retargeting, or starts with paid", |f| {
        f.paid()
    }),
    rule(
        "email",
        Channel::Email,
        "source or medium email, e-mail, e_mail, e mail or newsletter",
        |f| EMAIL_NAMES.contains(&f.source.as_str()) || f.medium_in(EMAIL_NAMES),
    ),
    rule(
        "affiliates",
        Channel::Affiliates,
        "medium affiliate or affiliates",
        |f| f.medium_in(&["affiliate", "affiliates"]),
    ),
    rule("audio", Channel::Audio, "medium audio", |f| {
        f.medium == "audio"
    }),
    rule("sms", Channel::Sms, "source or medium sms", |f| {
        f.source == "sms" || f.medium == "sms"
    }),
    rule(
        "mobile_push",
        Channel::MobilePush,
        "medium ends with push or contains mobile or notification, or source firebase",
        |f| {
            f.medium.ends_with("push")
                || f.medium.contains("mobile")
                || f.medium.contains("notification")
                || f.source == "firebase"
        },
    ),
    rule(
        "organic_shopping",
        Channel::OrganicShopping,
        "shopping source",
        |f| f.is(SourceCategory::Shopping),
    ),
    rule(
        "organic_social",
        Channel::OrganicSocial,
        "social source",
        |f| f.is(SourceCategory::Social),
    ),
    rule(
        "organic_video",
        Channel::OrganicVideo,
        "video source",
        |f| f.is(SourceCategory::Video),
    ),
    rule(
        "organic_search",
        Channel::OrganicSearch,
        "search source",
        |f| f.is(SourceCategory::Search),
    ),
    rule("webmail", Channel::Email, "webmail source (mail.google.com, outlook.live.com, the Gmail app …)", |f| {
        f.is(SourceCategory::Email)
    }),
    rule(
        "ai_assistant",
        Channel::AiAssistants,
        "AI-assistant source (chatgpt.com, perplexity.ai, claude.ai, gemini.google.com …)",
        |f| f.is(SourceCategory::Ai),
    ),
    rule(
        "social_medium",
        Channel::OrganicSocial,
        "medium social, social-network, social-media, social_network, social_media or sm",
        |f| {
            f.medium_in(&[
                "social",
                "social-network",
                "social-media",
                "social_network",
                "social_media",
                "sm",
            ])
        },
    ),
    rule(
        "video_medium",
        Channel::OrganicVideo,
        "medium contains video",
        |f| f.medium.contains("video"),
    ),
    rule(
        "organic_medium",
        Channel::OrganicSearch,
        "medium organic",
        |f| f.medium == "organic",
    ),
    rule(
        "shopping_campaign",
        Channel::OrganicShopping,
        "campaign contains shopping, or shop at its start or after a non-letter or e",
        |f| f.shopping_campaign(),
    ),
    rule(
        "referral",
        Channel::Referral,
        "medium referral, app or link",
        |f| f.medium_in(&["referral", "app", "link"]),
    ),
    rule("unassigned", Channel::Unassigned, "anything else", |_| true),
];

/// The rule with this id.
pub fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Classifies a touch with the built-in source aliases.
#[cfg(test)]
pub(crate) fn classify(touch: &Touch) -> ChannelDecision {
    classify_with(touch, SourceAliases::builtin())
}

/// Classifies a touch, merging source spellings with `aliases` first.
pub fn classify_with(touch: &Touch, aliases: &SourceAliases) -> ChannelDecision {
    let facts = facts(touch, aliases);
    let rule = RULES
        .iter()
        .find(|r| (r.test)(&facts))
        .unwrap_or(&RULES[RULES.len() - 1]);
    ChannelDecision {
        channel: rule.channel,
        rule: rule.id,
    }
}

fn facts(touch: &Touch, aliases: &SourceAliases) -> Facts {
    // Fields are public and may hold anything (a stored row, an API call): clean them the
    // way `Touch::set` would, so that a value that cleans to nothing counts as missing.
    // `(not set)` is written by `Touch::resolve` as is; normalising would make it `(not_set)`.
    let name = |v: Option<String>| {
        v.as_deref().and_then(normalise_name).map(|n| {
            if n == "(not_set)" {
                NOT_SET.to_owned()
            } else {
                n
            }
        })
    };
    let mut touch = touch.clone();
    touch.source = name(touch.source.take());
    touch.medium = name(touch.medium.take());
    touch.campaign = name(touch.campaign.take());
    touch.click_id_type = touch
        .click_id_type
        .as_deref()
        .and_then(normalise_name)
        .filter(|t| click_ids::by_param(t).is_some());
    if touch.source.is_none() || touch.medium.is_none() {
        touch.resolve();
    }
    let source = touch
        .source
        .as_deref()
        .and_then(|s| aliases.canonical(s))
        .unwrap_or_default();
    let medium = touch.medium.unwrap_or_default();
    let (source, medium, category) =
        match touch.referrer.as_deref().and_then(hosts::referrer_source) {
            // Source and medium are what the tracker (or the server) derived from this
            // referrer, not campaign parameters: the host itself says more than the
            // tracker's short list (which knows no webmail, so the Gmail app is a
            // `referral` there). Read as the server stores them, raw and stored touches
            // classify alike.
            Some(referrer)
                if touch.source.as_deref().is_some_and(|s| {
                    hosts::is_derived(s, &medium, &referrer)
                        || s == source && {
                            // Stored already merged through the aliases.
                            aliases.canonical(&referrer.source).as_deref() == Some(s)
                                && medium == referrer.medium
                        }
                }) =>
            {
                let source = aliases.canonical(&referrer.source).unwrap_or(source);
                (source, referrer.medium.to_owned(), referrer.category)
            }
            Some(referrer) => {
                let category = source_category(&source).or(referrer.category);
                (source, medium, category)
            }
            None => {
                let category = source_category(&source);
                (source, medium, category)
            }
        };
    Facts {
        source,
        medium,
        campaign: touch.campaign.unwrap_or_default(),
        click_id: touch
            .click_id_type
            .as_deref()
            .and_then(click_ids::by_param)
            .map(|kind| kind.param),
        category,
    }
}

#[cfg(test)]
mod referrer_tests;
#[cfg(test)]
mod tests;
