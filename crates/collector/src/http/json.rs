//! The JSON shapes that several answers share (a person, a touch, a submission, a company,
//! a list, an error), apart from the handlers: every route module and the OpenAPI document
//! take them from here, and this file takes nothing from the rest of `http/`.
//! Times are RFC 3339 UTC strings with millisecond precision; unknown touch values are
//! `null`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ApiError;
use crate::ops::json::TouchJson;
use crate::store::leads::Consent;
use crate::store::{Company, Person, Submission};
use crate::time::rfc3339;

/// Every error answer: `{"error": "<message>"}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorJson {
    /// What went wrong and, for a refused field, which one (`field: reason`).
    pub(crate) error: String,
}

/// Parses a request body that must be a JSON object.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the JSON body must be an object")),
        Err(e) => Err(ApiError::bad_request(format!("malformed JSON body: {e}"))),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PersonJson {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) name: Option<String>,
    pub(crate) company_id: Option<i64>,
    pub(crate) country: Option<String>,
    /// As given with the submission that created the person.
    pub(crate) phone: Option<String>,
    pub(crate) created_at: Option<String>,
    pub(crate) first_interaction: Option<TouchJson>,
    pub(crate) lead_generation: Option<TouchJson>,
    /// `open`, `in_progress`, `qualified` or `disqualified`.
    #[schema(value_type = String)]
    pub(crate) status: &'static str,
    /// The owning associate.
    pub(crate) owner_id: Option<i64>,
    pub(crate) updated_at: Option<String>,
    pub(crate) consent: ConsentsJson,
}

/// Consent per purpose; `null` when the person never stated one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ConsentsJson {
    pub(crate) e_marketing: Option<ConsentJson>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ConsentJson {
    /// True when given, false when withdrawn.
    pub(crate) given: bool,
    pub(crate) at: Option<String>,
    /// The form it was stated through.
    pub(crate) form: Option<String>,
}

impl From<Consent> for ConsentJson {
    fn from(c: Consent) -> ConsentJson {
        ConsentJson {
            given: c.given,
            at: rfc3339(c.at),
            form: c.form,
        }
    }
}

impl From<Person> for PersonJson {
    fn from(p: Person) -> PersonJson {
        PersonJson {
            status: p.status.as_str(),
            owner_id: p.owner_id,
            updated_at: rfc3339(p.updated_at),
            consent: ConsentsJson {
                e_marketing: p.consent_e_marketing.map(ConsentJson::from),
            },
            id: p.id,
            email: p.email,
            name: p.name,
            company_id: p.company_id,
            country: p.country,
            phone: p.phone,
            created_at: rfc3339(p.created_at),
            first_interaction: p
                .first_interaction
                .map(|t| TouchJson::with_channel(t, p.first_channel)),
            lead_generation: p
                .lead_generation
                .map(|t| TouchJson::with_channel(t, p.lead_channel)),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SubmissionJson {
    pub(crate) id: i64,
    pub(crate) form: String,
    pub(crate) created_at: Option<String>,
    pub(crate) conversion: TouchJson,
    #[schema(value_type = Object)]
    pub(crate) payload: Map<String, Value>,
    /// False when the form had UTM capture off: the conversion is empty on purpose.
    pub(crate) utm_capture: bool,
}

impl From<Submission> for SubmissionJson {
    fn from(s: Submission) -> SubmissionJson {
        SubmissionJson {
            id: s.id,
            form: s.form,
            created_at: rfc3339(s.created_at),
            conversion: TouchJson::with_channel(s.conversion, s.conversion_channel),
            payload: s.payload,
            utm_capture: s.utm_capture,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct CompanyJson {
    pub(crate) id: i64,
    pub(crate) name: String,
    /// The e-mail domain in its IDNA (punycode) form.
    pub(crate) domain: Option<String>,
    /// True when the domain mixes scripts the way a look-alike domain does (`acmе.example`
    /// with a Cyrillic `е`): worth a look before trusting the company.
    pub(crate) domain_mixes_scripts: bool,
    pub(crate) created_at: Option<String>,
    pub(crate) source: Option<TouchJson>,
}

impl From<Company> for CompanyJson {
    fn from(c: Company) -> CompanyJson {
        CompanyJson {
            id: c.id,
            name: c.name,
            domain: c.domain,
            domain_mixes_scripts: c.domain_mixes_scripts,
            created_at: rfc3339(c.created_at),
            source: c
                .source
                .map(|t| TouchJson::with_channel(t, c.source_channel)),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Items<T> {
    pub(crate) items: Vec<T>,
}
