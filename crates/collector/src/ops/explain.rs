//! `explain`: the touch a visit would store — read from the page URL and referrer exactly
//! as the tracker reads them once the browser has parsed them
//! ([`leadtrail_core::web_url::read_visit`]), its source merged through the aliases as the
//! writer merges it — with its channel and the rule that gave it. Shared by
//! `GET /api/v1/explain` and `leadtrail explain`.

use leadtrail_core::channel::hosts::settle;
use leadtrail_core::channel::{classify_with, rule_by_id, SourceAliases};
use leadtrail_core::{Touch, VisitKind};
use serde::Serialize;

use super::json::TouchJson;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Explained {
    /// The touch as it would be stored, with its `channel` id.
    pub(crate) touch: TouchJson,
    /// What kind of visit this is for the tracker: `campaign`, `click_id`, `referral`,
    /// `internal` or `direct`; only the first three replace the remembered last touch.
    pub(crate) visit: &'static str,
    pub(crate) replaces_last_touch: bool,
    pub(crate) channel: ChannelJson,
    pub(crate) rule: RuleJson,
    /// Set when an alias renamed the source.
    pub(crate) source_alias: Option<AliasApplied>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ChannelJson {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct RuleJson {
    pub(crate) id: &'static str,
    /// 1-based position in the ordered rule list (docs/channels-and-links.md, core channel.rs).
    pub(crate) position: usize,
    pub(crate) description: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AliasApplied {
    pub(crate) from: String,
    pub(crate) to: String,
}

const fn visit_name(kind: VisitKind) -> &'static str {
    match kind {
        VisitKind::Campaign => "campaign",
        VisitKind::ClickId => "click_id",
        VisitKind::Referral => "referral",
        VisitKind::Internal => "internal",
        VisitKind::Direct => "direct",
    }
}

/// Explains a visit to `url` from `referrer` (either may be empty or garbage) at `now`.
pub(crate) fn explain(url: &str, referrer: &str, aliases: &SourceAliases, now: i64) -> Explained {
    let visit = leadtrail_core::web_url::read_visit(url, referrer, Some(now));
    let mut touch: Touch = visit.touch.clone();
    let raw = touch.source.clone();
    // As the writer stores it: settled from the referrer, merged through the aliases.
    settle(&mut touch, aliases);
    let decision = classify_with(&touch, aliases);
    let rule = rule_by_id(decision.rule);
    let source_alias = match (raw, &touch.source) {
        (Some(from), Some(to)) if from != *to => Some(AliasApplied {
            from,
            to: to.clone(),
        }),
        _ => None,
    };
    Explained {
        touch: TouchJson::with_channel(touch, Some(decision.channel)),
        visit: visit_name(visit.kind),
        replaces_last_touch: visit.replaces_last_touch(),
        channel: ChannelJson {
            id: decision.channel.id(),
            name: decision.channel.name(),
        },
        rule: RuleJson {
            id: decision.rule,
            position: leadtrail_core::channel::RULES
                .iter()
                .position(|r| r.id == decision.rule)
                .map_or(0, |i| i + 1),
            description: rule.map_or("", |r| r.when),
        },
        source_alias,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_link_explains_its_channel_and_rule() {
        let e = explain(
            "https://acme.example/?utm_source=FB&utm_medium=paid_social&fbclid=IwAR0x",
            "",
            SourceAliases::builtin(),
            0,
        );
        assert_eq!(e.channel.id, "paid_social");
        assert_eq!(e.rule.id, "paid_social_medium");
        assert_eq!(e.touch.source.as_deref(), Some("facebook"));
        assert_eq!(e.touch.click_id.as_deref(), Some("IwAR0x"));
        assert_eq!(e.source_alias.as_ref().map(|a| a.from.as_str()), Some("fb"));
        assert_eq!(e.visit, "campaign");
    }

    #[test]
    fn a_search_referral_is_organic_search() {
        let e = explain(
            "https://acme.example/pricing",
            "https://www.google.com/",
            SourceAliases::builtin(),
            0,
        );
        assert_eq!(e.channel.id, "organic_search");
        assert_eq!(e.touch.medium.as_deref(), Some("organic"));
        assert!(e.replaces_last_touch);
    }
}
