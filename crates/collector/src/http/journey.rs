//! `GET /api/v1/persons/{id}/journey`: the touches the person's form posts carried
//! (`lt_journey`), in order with their channels, and the person's submissions on the same
//! timeline. `GET /api/v1/companies/{id}/journey`: those of all the company's persons on
//! one timeline, with the time of its first won deal.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::access::Access;
use super::error::ApiError;
use super::json::ErrorJson;
use super::routes::Router;
use super::AppState;
use crate::ops::json::TouchJson;
use crate::store::journeys::{
    CompanyJourney, CompanyPerson, JourneySubmission, JourneyTouch, PersonJourney,
};
use crate::time::rfc3339;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/persons/{id}/journey", person_journey)
        .allow(Access::Read)
        .get("/companies/{id}/journey", company_journey)
        .allow(Access::Read);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(person_journey, company_journey),
    components(schemas(
        JourneyJson,
        JourneyTouchJson,
        JourneySubmissionJson,
        CompanyJourneyJson,
        CompanyJourneyTouchJson,
        CompanyJourneySubmissionJson
    ))
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

/// The journeys of a company's persons on one timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CompanyJourneyJson {
    pub(crate) company_id: i64,
    /// Every person's touches, oldest first (a touch without a time last), each once per
    /// person; the same campaign reaching two persons shows twice.
    pub(crate) touches: Vec<CompanyJourneyTouchJson>,
    /// Every person's submissions, oldest first.
    pub(crate) submissions: Vec<CompanyJourneySubmissionJson>,
    /// When the first deal of the company (or of one of its persons) was won (RFC 3339
    /// UTC); `null` before any.
    pub(crate) first_won_deal_at: Option<String>,
    /// Persons of the company not on the timeline: it holds the oldest 100.
    pub(crate) persons_left_out: i64,
}

/// One touch on a company's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CompanyJourneyTouchJson {
    pub(crate) person_id: i64,
    /// The person's name, or their e-mail address when they gave none.
    pub(crate) person_name: String,
    /// As in a person's journey: with its `channel` by the current rules.
    pub(crate) touch: TouchJson,
    pub(crate) submission_id: i64,
    /// True for the touches the person's lead-generation submission carried.
    pub(crate) before_lead: bool,
    /// True when no deal was won yet or the touch came before the first: a touch without
    /// a time counts as before.
    pub(crate) before_first_deal: bool,
}

/// One submission on a company's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CompanyJourneySubmissionJson {
    pub(crate) person_id: i64,
    /// The person's name, or their e-mail address when they gave none.
    pub(crate) person_name: String,
    pub(crate) id: i64,
    /// When it was received (RFC 3339 UTC).
    pub(crate) at: Option<String>,
    pub(crate) form: String,
    /// How it arrived: `form`, `api`, `import`.
    pub(crate) channel: String,
    /// True for the submission that created its person (their lead generation).
    pub(crate) lead_generation: bool,
}

impl CompanyJourneyJson {
    /// The persons' journeys merged onto one timeline.
    fn merged(company_id: i64, journey: CompanyJourney) -> CompanyJourneyJson {
        let won = journey.first_won_deal_at;
        let mut touches: Vec<(Option<i64>, CompanyJourneyTouchJson)> = Vec::new();
        let mut submissions: Vec<(i64, CompanyJourneySubmissionJson)> = Vec::new();
        for CompanyPerson {
            id,
            name,
            email,
            journey,
        } in journey.persons
        {
            let person_name = name.filter(|n| !n.is_empty()).unwrap_or(email);
            for t in journey.touches {
                let at = t.touch.at;
                let before_first_deal = match (won, at) {
                    (Some(won), Some(at)) => at < won,
                    _ => true,
                };
                let json = JourneyTouchJson::from(t);
                touches.push((
                    at,
                    CompanyJourneyTouchJson {
                        person_id: id,
                        person_name: person_name.clone(),
                        touch: json.touch,
                        submission_id: json.submission_id,
                        before_lead: json.before_lead,
                        before_first_deal,
                    },
                ));
            }
            for s in journey.submissions {
                let at = s.at;
                let json = JourneySubmissionJson::from(s);
                submissions.push((
                    at,
                    CompanyJourneySubmissionJson {
                        person_id: id,
                        person_name: person_name.clone(),
                        id: json.id,
                        at: json.at,
                        form: json.form,
                        channel: json.channel,
                        lead_generation: json.lead_generation,
                    },
                ));
            }
        }
        // Stable sorts: equal times keep the persons' order (oldest person first).
        touches.sort_by_key(|(at, _)| at.unwrap_or(i64::MAX));
        submissions.sort_by_key(|(at, s)| (*at, s.id));
        CompanyJourneyJson {
            company_id,
            touches: touches.into_iter().map(|(_, t)| t).collect(),
            submissions: submissions.into_iter().map(|(_, s)| s).collect(),
            first_won_deal_at: won.and_then(rfc3339),
            persons_left_out: journey.persons_left_out,
        }
    }
}

/// `GET /api/v1/companies/{id}/journey`.
#[utoipa::path(get, path = "/api/v1/companies/{id}/journey", tag = "companies",
    params(("id" = i64, Path, description = "company id")),
    responses(
        (status = 200, description = "the touches and submissions of the company's persons on one timeline, and its first won deal", body = CompanyJourneyJson),
        (status = 404, description = "no such company", body = ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn company_journey(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let journey = state
        .store
        .company_journey(id)
        .await?
        .ok_or_else(|| ApiError::no_company(id))?;
    Ok(HttpResponse::Ok().json(CompanyJourneyJson::merged(id, journey)))
}
