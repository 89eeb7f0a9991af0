//! Attribution models: how one lead's credit is shared among the touches of its journey,
//! and the credited leads, deals and revenue per group that the attribution API, its tile
//! and cost and return read. Pure: no I/O, no clock.
//!
//! A lead's journey runs from its first interaction to its lead-generation touch (the
//! touch of the submission that created the person). A person without a stored journey
//! has the journey `[first interaction, lead-generation touch]`, one touch when both are
//! the same; that is also the right reading of data stored before journeys were.
//!
//! The models, for a journey of `n` touches `t1 … tn` (`tn` the lead-generation touch):
//! - `first_interaction`: all to `t1`;
//! - `last_touch`: all to `tn`, the lead source as the four data points store it;
//! - `last_non_direct`: all to the last touch that is not direct (`(direct)`,
//!   `(untracked)` or no source); to `tn` when every touch is direct;
//! - `linear`: `1/n` each;
//! - `position_based`: 40 % to `t1`, 40 % to `tn`, 20 % shared equally by the touches
//!   between; one touch takes 100 %, two take 50 % each (no middle to share with);
//! - `time_decay`: each touch weighs `2^(-age / half_life)`, its age counted back from the
//!   lead's time, shares in proportion; a touch without a time takes the time of the next
//!   touch that has one (the lead's time at the latest), a touch after the lead counts as
//!   age 0.
//!
//! Credits of one lead add up to 1; a group's credit is the sum over the touches in it.
pub(crate) mod figures;
pub(crate) mod report;

#[cfg(test)]
mod cost_tests;
#[cfg(test)]
mod tests;

use serde::Serialize;

/// How a lead's credit is shared among its touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Model {
    FirstInteraction,
    LastTouch,
    LastNonDirect,
    Linear,
    PositionBased,
    TimeDecay,
}

impl Model {
    pub(crate) const ALL: [Model; 6] = [
        Model::FirstInteraction,
        Model::LastTouch,
        Model::LastNonDirect,
        Model::Linear,
        Model::PositionBased,
        Model::TimeDecay,
    ];

    pub(crate) const fn id(self) -> &'static str {
        match self {
            Model::FirstInteraction => "first_interaction",
            Model::LastTouch => "last_touch",
            Model::LastNonDirect => "last_non_direct",
            Model::Linear => "linear",
            Model::PositionBased => "position_based",
            Model::TimeDecay => "time_decay",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.id() == text)
    }

    /// The ids, for messages: `first_interaction, last_touch, …`.
    pub(crate) fn ids() -> String {
        Model::ALL.map(Model::id).join(", ")
    }
}

/// Default half-life of `time_decay`: a touch a week before the lead counts half.
pub(crate) const DEFAULT_HALF_LIFE_MS: i64 = 7 * 86_400_000;

/// One touch as the models see it: its groups and its time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Touchpoint {
    pub(crate) source: Option<String>,
    pub(crate) medium: Option<String>,
    pub(crate) campaign: Option<String>,
    /// The channel's id (`paid_social`), as classified when stored.
    pub(crate) channel: Option<String>,
    /// Unix milliseconds.
    pub(crate) at: Option<i64>,
}

impl Touchpoint {
    /// Direct for the models: a visit that says nothing of how the visitor came.
    pub(crate) fn is_direct(&self) -> bool {
        match self.source.as_deref() {
            None => true,
            Some(source) => {
                source == leadtrail_core::touch::DIRECT_SOURCE
                    || source == leadtrail_core::touch::UNTRACKED_SOURCE
            }
        }
    }

    /// Same place, whatever the time (a journey's last touch is the lead's own touch).
    fn same_place(&self, other: &Touchpoint) -> bool {
        self.source == other.source
            && self.medium == other.medium
            && self.campaign == other.campaign
    }
}

/// A lead's journey from what is stored: the stored journey when there is one, framed so
/// that it starts with the first interaction and ends with the lead-generation touch (as
/// the first-interaction and last-touch models must agree with the person's data points);
/// without one, `[first, lead]`, one touch when the two are identical.
pub(crate) fn journey(
    first: Touchpoint,
    lead: Touchpoint,
    stored: Vec<Touchpoint>,
) -> Vec<Touchpoint> {
    let mut touches = stored;
    if touches.first().is_none_or(|t| !t.same_place(&first)) {
        touches.insert(0, first);
    }
    match touches.last() {
        Some(last) if touches.len() > 1 && last.same_place(&lead) => {}
        Some(last) if *last == lead => {}
        _ => touches.push(lead),
    }
    touches
}

/// Each touch's share of one lead, in the journey's order; they add up to 1 (an empty
/// journey has no credits). `lead_at` is the lead's time (Unix ms); `half_life_ms` is
/// `time_decay`'s, positive.
pub(crate) fn credits(
    model: Model,
    touches: &[Touchpoint],
    lead_at: i64,
    half_life_ms: i64,
) -> Vec<f64> {
    let n = touches.len();
    let mut out = vec![0.0; n];
    if n == 0 {
        return out;
    }
    match model {
        Model::FirstInteraction => out[0] = 1.0,
        Model::LastTouch => out[n - 1] = 1.0,
        Model::LastNonDirect => {
            let at = touches
                .iter()
                .rposition(|t| !t.is_direct())
                .unwrap_or(n - 1);
            out[at] = 1.0;
        }
        Model::Linear => out.fill(1.0 / n as f64),
        Model::PositionBased => match n {
            1 => out[0] = 1.0,
            2 => out.fill(0.5),
            _ => {
                out.fill(0.2 / (n - 2) as f64);
                out[0] = 0.4;
                out[n - 1] = 0.4;
            }
        },
        Model::TimeDecay => {
            let half_life = half_life_ms.max(1) as f64;
            let mut next_at = lead_at;
            for (i, touch) in touches.iter().enumerate().rev() {
                let at = touch.at.unwrap_or(next_at).min(lead_at);
                next_at = at;
                let age = (lead_at - at) as f64;
                out[i] = (-age / half_life).exp2();
            }
            let sum: f64 = out.iter().sum();
            if sum > 0.0 && sum.is_finite() {
                out.iter_mut().for_each(|c| *c /= sum);
            } else {
                // Every touch so old that its weight underflows: the newest takes it all.
                out.fill(0.0);
                out[n - 1] = 1.0;
            }
        }
    }
    out
}

/// What the credits are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = AttributionBy)]
#[serde(rename_all = "snake_case")]
pub(crate) enum By {
    Source,
    Medium,
    Campaign,
    Channel,
    /// Source and medium together, as the source-performance tile groups them (not a
    /// value of the API's `by`).
    #[serde(skip)]
    SourceMedium,
}

impl By {
    pub(crate) const ALL: [By; 4] = [By::Source, By::Medium, By::Campaign, By::Channel];

    pub(crate) const fn id(self) -> &'static str {
        match self {
            By::Source => "source",
            By::Medium => "medium",
            By::Campaign => "campaign",
            By::Channel => "channel",
            By::SourceMedium => "source_medium",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<By> {
        By::ALL.into_iter().find(|b| b.id() == text)
    }

    /// The touch's group: its stored value, `""` for none; for source and medium the JSON
    /// pair `["source","medium"]`.
    pub(crate) fn key_of(self, touch: &Touchpoint) -> String {
        match self {
            By::SourceMedium => {
                let pair = [
                    touch.source.as_deref().unwrap_or_default(),
                    touch.medium.as_deref().unwrap_or_default(),
                ];
                return serde_json::to_string(&pair).unwrap_or_default();
            }
            By::Source => touch.source.clone(),
            By::Medium => touch.medium.clone(),
            By::Campaign => touch.campaign.clone(),
            By::Channel => touch.channel.clone(),
        }
        .unwrap_or_default()
    }

    /// A group's label: the value; the channel's name for channels; "(none)" for none.
    pub(crate) fn label_of(self, key: &str) -> String {
        if key.is_empty() {
            return "(none)".to_owned();
        }
        match self {
            By::Channel => leadtrail_core::channel::Channel::from_id(key)
                .map_or(key, |c| c.name())
                .to_owned(),
            By::SourceMedium => {
                let [source, medium]: [String; 2] = serde_json::from_str(key).unwrap_or_default();
                let part = |v: &str| {
                    if v.is_empty() {
                        "(none)".to_owned()
                    } else {
                        v.to_owned()
                    }
                };
                format!("{} / {}", part(&source), part(&medium))
            }
            _ => key.to_owned(),
        }
    }
}

/// One lead's credit per group (the group's key, `""` for none), in the order the groups
/// first appear in the journey; the shares add up to 1. Cost and return credits through
/// this too, so every figure follows the same model.
pub(crate) fn group_credits(
    model: Model,
    by: By,
    touches: &[Touchpoint],
    lead_at: i64,
    half_life_ms: i64,
) -> Vec<(String, f64)> {
    let mut groups: Vec<(String, f64)> = Vec::new();
    for (touch, credit) in touches
        .iter()
        .zip(credits(model, touches, lead_at, half_life_ms))
    {
        let key = by.key_of(touch);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, sum)) => *sum += credit,
            None => groups.push((key, credit)),
        }
    }
    groups.retain(|(_, credit)| *credit > 0.0);
    groups
}
