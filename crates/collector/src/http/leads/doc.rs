//! Request bodies of the leads API, for the OpenAPI document only: the handlers read the
//! JSON themselves ([`crate::ops::submission_input`]) to name refused and unknown fields precisely.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// A touch as sent: the touch JSON fields, every one optional; values are cleaned.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TouchInput {
    pub(crate) source: Option<String>,
    pub(crate) medium: Option<String>,
    pub(crate) campaign: Option<String>,
    pub(crate) term: Option<String>,
    pub(crate) content: Option<String>,
    /// utm_id
    pub(crate) id: Option<String>,
    pub(crate) click_id: Option<String>,
    pub(crate) click_id_type: Option<String>,
    pub(crate) referrer: Option<String>,
    pub(crate) landing_page: Option<String>,
    /// RFC 3339 (or Unix milliseconds).
    pub(crate) at: Option<String>,
}

/// `PATCH /api/v1/persons/{id}`: any of these; attribution fields are refused (read-only).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonPatchInput {
    /// `open`, `in_progress`, `qualified`, `disqualified`.
    #[schema(value_type = Option<LeadStatus>)]
    pub(crate) status: Option<String>,
    /// An associate id, or null to remove the owner.
    pub(crate) owner_id: Option<i64>,
    pub(crate) country: Option<String>,
    pub(crate) name: Option<String>,
}

/// `PATCH /api/v1/companies/{id}`: the name; the source is attribution and refused.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompanyPatchInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub(crate) name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssociateInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub(crate) name: String,
    pub(crate) email: Option<String>,
}

/// `POST /api/v1/sales`: `person_id` and/or `company_id`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SaleInput {
    #[schema(minimum = 1)]
    pub(crate) person_id: Option<i64>,
    #[schema(minimum = 1)]
    pub(crate) company_id: Option<i64>,
    pub(crate) title: String,
    /// A decimal number or string (`"1234.50"`), at most the currency's decimals.
    #[schema(value_type = String, example = "1234.50")]
    pub(crate) amount: String,
    /// ISO 4217, upper case.
    #[schema(example = "EUR")]
    pub(crate) currency: String,
    /// `open` (default), `won`, `lost`.
    #[schema(value_type = Option<SaleStatus>)]
    pub(crate) status: Option<String>,
    /// RFC 3339; defaults to now.
    pub(crate) at: Option<String>,
    /// An id from another system; a known one answers 200 with the stored sale.
    pub(crate) external_id: Option<String>,
}

/// `PATCH /api/v1/sales/{id}`: any of these.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SalePatchInput {
    pub(crate) title: Option<String>,
    #[schema(value_type = Option<String>)]
    pub(crate) amount: Option<String>,
    pub(crate) currency: Option<String>,
    /// `open`, `won`, `lost`; `closed_at` is set when it becomes won or lost.
    #[schema(value_type = Option<SaleStatus>)]
    pub(crate) status: Option<String>,
    pub(crate) at: Option<String>,
    pub(crate) person_id: Option<i64>,
    pub(crate) company_id: Option<i64>,
}

/// `POST /api/v1/submissions`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubmissionInput {
    /// The form key (registered on first use).
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub(crate) form: String,
    /// `form`, `chat`, `api` (default), `import`.
    #[schema(value_type = Option<SubmissionChannel>)]
    pub(crate) channel: Option<String>,
    pub(crate) email: String,
    pub(crate) name: Option<String>,
    pub(crate) company: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) phone: Option<String>,
    /// The visitor's remembered first interaction.
    pub(crate) first_interaction: Option<TouchInput>,
    /// The touch that led to this submission (its conversion); `(direct) / (none)` if absent.
    pub(crate) touch: Option<TouchInput>,
    /// RFC 3339, for history; defaults to now.
    pub(crate) at: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub(crate) payload: Option<serde_json::Value>,
    /// `true`/`false` (or yes/no): e-marketing consent given or withdrawn.
    #[schema(value_type = Option<String>)]
    pub(crate) consent_e_marketing: Option<serde_json::Value>,
    /// Makes the call idempotent: a known id writes nothing and answers 200.
    pub(crate) external_id: Option<String>,
}

/// A lead's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LeadStatus {
    Open,
    InProgress,
    Qualified,
    Disqualified,
}

/// A sale's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SaleStatus {
    Open,
    Won,
    Lost,
}

/// Where a submission came in.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SubmissionChannel {
    Form,
    Chat,
    Api,
    Import,
}
