//! The JSON shapes that both faces print: a touch (in the API's records and in
//! `leadtrail explain`) and a built link (`POST /api/v1/links` and `leadtrail link --json`).
//! The API's own shapes are in `http/json.rs`.

use leadtrail_core::channel::rule_by_id;
use leadtrail_core::link::BuiltLink;
use leadtrail_core::{Channel, Touch};
use serde::Serialize;

use crate::time::rfc3339;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct TouchJson {
    pub(crate) source: Option<String>,
    pub(crate) medium: Option<String>,
    pub(crate) campaign: Option<String>,
    pub(crate) term: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) click_id: Option<String>,
    pub(crate) click_id_type: Option<String>,
    pub(crate) referrer: Option<String>,
    pub(crate) landing_page: Option<String>,
    pub(crate) at: Option<String>,
    /// [`Channel::id`] as stored with the touch; `null` for a touch stored before channels
    /// existed and not yet reclassified.
    #[schema(value_type = Option<String>)]
    pub(crate) channel: Option<&'static str>,
}

impl TouchJson {
    /// A stored touch with its stored channel.
    pub(crate) fn with_channel(touch: Touch, channel: Option<Channel>) -> TouchJson {
        TouchJson {
            channel: channel.map(Channel::id),
            ..TouchJson::from(touch)
        }
    }
}

impl From<Touch> for TouchJson {
    /// Without a channel; use [`TouchJson::with_channel`] for stored touches.
    fn from(t: Touch) -> TouchJson {
        TouchJson {
            channel: None,
            source: t.source,
            medium: t.medium,
            campaign: t.campaign,
            term: t.term,
            content: t.content,
            id: t.id,
            click_id: t.click_id,
            click_id_type: t.click_id_type,
            referrer: t.referrer,
            landing_page: t.landing_page,
            at: t.at.and_then(rfc3339),
        }
    }
}

/// What the link builder answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct LinkJson {
    pub(crate) url: String,
    pub(crate) source: String,
    pub(crate) medium: String,
    pub(crate) campaign: String,
    pub(crate) term: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) id: Option<String>,
    /// [`leadtrail_core::Channel::id`] a click on the link counts in.
    pub(crate) channel: &'static str,
    pub(crate) channel_name: &'static str,
    pub(crate) rule: &'static str,
    pub(crate) rule_description: &'static str,
    /// `{"kind", "message", "field", …}` each.
    #[schema(value_type = Vec<Object>)]
    pub(crate) warnings: Vec<leadtrail_core::LinkWarning>,
}

impl From<BuiltLink> for LinkJson {
    fn from(b: BuiltLink) -> LinkJson {
        LinkJson {
            url: b.url,
            source: b.source,
            medium: b.medium,
            campaign: b.campaign,
            term: b.term,
            content: b.content,
            id: b.id,
            channel: b.channel.channel.id(),
            channel_name: b.channel.channel.name(),
            rule: b.channel.rule,
            rule_description: rule_by_id(b.channel.rule).map_or("", |r| r.when),
            warnings: b.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touch_json_has_every_field_and_nulls() {
        let touch = Touch {
            source: Some("linkedin".into()),
            at: Some(1_700_000_000_000),
            ..Touch::default()
        };
        let json = serde_json::to_value(TouchJson::from(touch)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "source": "linkedin", "medium": null, "campaign": null, "term": null,
                "content": null, "id": null, "click_id": null, "click_id_type": null,
                "referrer": null, "landing_page": null, "at": "2023-11-14T22:13:20.000Z",
                "channel": null
            })
        );
    }

    #[test]
    fn a_stored_touch_carries_its_channel_id() {
        let json = serde_json::to_value(TouchJson::with_channel(
            Touch::default(),
            Some(Channel::PaidSocial),
        ))
        .unwrap();
        assert_eq!(json["channel"], "paid_social");
    }
}
