//! `GET /api/v1/persons/{id}/journey`: the touches the person's form posts carried
//! (`lt_journey`), in order with their channels, and the person's submissions on the same
//! timeline.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::access::Access;
use super::api::{rfc3339, TouchJson};
use super::error::ApiError;
use super::openapi::ErrorJson;
use super::routes::Router;
use super::AppState;
use crate::store::journeys::{JourneySubmission, JourneyTouch, PersonJourney};

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/persons/{id}/journey", person_journey)
        .allow(Access::Read);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(person_journey),
    components(schemas(JourneyJson, JourneyTouchJson, JourneySubmissionJson))
)]
pub(crate) struct JourneyApi;

/// A person's journey.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct JourneyJson {
    pub(crate) person_id: i64,
    /// The touches, oldest first (a touch without a time last); each once, however many
    /// posts carried it. Empty when no post of the person carried a journey.
    pub(crate) touches: Vec<JourneyTouchJson>,
    /// The person's submissions, oldest first: the first created the person.
    pub(crate) submissions: Vec<JourneySubmissionJson>,
}

/// One touch of the journey.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct JourneyTouchJson {
    /// The touch, its source merged through the source aliases and its `channel` by the
    /// current rules.
    pub(crate) touch: TouchJson,
    /// The first submission that carried it.
    pub(crate) submission_id: i64,
    /// True for the touches before the lead: those the lead-generation submission carried.
    pub(crate) before_lead: bool,
}

/// A submission on the journey's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct JourneySubmissionJson {
    pub(crate) id: i64,
    /// When it was received (RFC 3339 UTC).
    pub(crate) at: Option<String>,
    pub(crate) form: String,
    /// How it arrived: `form`, `api`, `import`.
    pub(crate) channel: String,
    /// True for the submission that created the person (lead generation).
    pub(crate) lead_generation: bool,
}

impl From<JourneyTouch> for JourneyTouchJson {
    fn from(t: JourneyTouch) -> JourneyTouchJson {
        JourneyTouchJson {
            touch: TouchJson {
                channel: Some(t.channel),
                ..TouchJson::from(t.touch)
            },
            submission_id: t.submission_id,
            before_lead: t.before_lead,
        }
    }
}

impl From<JourneySubmission> for JourneySubmissionJson {
    fn from(s: JourneySubmission) -> JourneySubmissionJson {
        JourneySubmissionJson {
            id: s.id,
            at: rfc3339(s.at),
            form: s.form_key,
            channel: s.channel,
            lead_generation: s.lead_generation,
        }
    }
}

/// `GET /api/v1/persons/{id}/journey`.
#[utoipa::path(get, path = "/api/v1/persons/{id}/journey", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses(
        (status = 200, description = "the touches in order with their channels, and the submissions", body = JourneyJson),
        (status = 404, description = "no such person", body = ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn person_journey(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let PersonJourney {
        touches,
        submissions,
    } = state
        .store
        .person_journey(id)
        .await?
        .ok_or_else(|| ApiError::no_person(id))?;
    Ok(HttpResponse::Ok().json(JourneyJson {
        person_id: id,
        touches: touches.into_iter().map(JourneyTouchJson::from).collect(),
        submissions: submissions
            .into_iter()
            .map(JourneySubmissionJson::from)
            .collect(),
    }))
}
