//! A person's journey: the touches their form posts carried (`lt_journey`), in order, and
//! their submissions on the same timeline.
use async_trait::async_trait;
use leadtrail_core::Touch;

use super::{CompanyId, PersonId, StoreResult, SubmissionId};

/// One touch of a person's journey, as read back: cleaned when it was stored, its source
/// merged through today's aliases and classified by today's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JourneyTouch {
    pub(crate) touch: Touch,
    /// [`leadtrail_core::Channel::id`].
    pub(crate) channel: &'static str,
    /// The first of the person's submissions that carried it.
    pub(crate) submission_id: SubmissionId,
    /// True for the touches of the journey the lead-generation submission (the one that
    /// created the person) carried: the journey up to the lead.
    pub(crate) before_lead: bool,
}

/// One of the person's submissions, placed on the journey's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JourneySubmission {
    pub(crate) id: SubmissionId,
    /// Unix ms.
    pub(crate) at: i64,
    pub(crate) form_key: String,
    /// How it arrived: `form`, `api`, `import`, ….
    pub(crate) channel: String,
    /// True for the submission that created the person.
    pub(crate) lead_generation: bool,
}

/// A person's journey: touches ordered by time (a touch without one after those with), and
/// the person's submissions oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PersonJourney {
    pub(crate) touches: Vec<JourneyTouch>,
    pub(crate) submissions: Vec<JourneySubmission>,
}

/// One person of a company with their journey, for the company's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompanyPerson {
    pub(crate) id: PersonId,
    pub(crate) name: Option<String>,
    pub(crate) email: String,
    pub(crate) journey: PersonJourney,
}

/// The journeys of a company's persons, to be merged onto one timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompanyJourney {
    /// The persons, oldest first, at most [`COMPANY_JOURNEY_PERSONS`].
    pub(crate) persons: Vec<CompanyPerson>,
    /// The company's persons beyond those.
    pub(crate) persons_left_out: i64,
    /// When the first won deal of the company or one of its persons was won (Unix ms).
    pub(crate) first_won_deal_at: Option<i64>,
}

/// The most persons a company's timeline reads: the oldest, who came before its deals.
pub(crate) const COMPANY_JOURNEY_PERSONS: i64 = 100;

#[async_trait]
pub(crate) trait JourneyStore: Send + Sync {
    /// The person's journey; `None` when there is no such person.
    async fn person_journey(&self, id: PersonId) -> StoreResult<Option<PersonJourney>>;

    /// The journeys of the company's persons; `None` when there is no such company.
    async fn company_journey(&self, id: CompanyId) -> StoreResult<Option<CompanyJourney>>;
}
