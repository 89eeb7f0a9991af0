//! Request bodies of the leads API, for the OpenAPI document only: the handlers read the
//! JSON themselves ([`super::input`]) to name refused and unknown fields precisely.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// A touch as sent: the touch JSON fields, every one optional; values are cleaned.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TouchInput {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub term: Option<String>,
    pub content: Option<String>,
    /// utm_id
    pub id: Option<String>,
    pub click_id: Option<String>,
    pub click_id_type: Option<String>,
    pub referrer: Option<String>,
    pub landing_page: Option<String>,
    /// RFC 3339 (or Unix milliseconds).
    pub at: Option<String>,
}

/// `PATCH /api/v1/persons/{id}`: any of these; attribution fields are refused (read-only).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatchInput {
    /// `open`, `in_progress`, `qualified`, `disqualified`.
    #[schema(value_type = Option<LeadStatus>)]
    pub status: Option<String>,
    /// An associate id, or null to remove the owner.
    pub owner_id: Option<i64>,
    pub country: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssociateInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    pub email: Option<String>,
}

/// `POST /api/v1/sales`: `person_id` and/or `company_id`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleInput {
    #[schema(minimum = 1)]
    pub person_id: Option<i64>,
    #[schema(minimum = 1)]
    pub company_id: Option<i64>,
    pub title: String,
    /// A decimal number or string (`"1234.50"`), at most the currency's decimals.
    #[schema(value_type = String, example = "1234.50")]
    pub amount: String,
    /// ISO 4217, upper case.
    #[schema(example = "EUR")]
    pub currency: String,
    /// `open` (default), `won`, `lost`.
    #[schema(value_type = Option<SaleStatus>)]
    pub status: Option<String>,
    /// RFC 3339; defaults to now.
    pub at: Option<String>,
    /// An id from another system; a known one answers 200 with the stored sale.
    pub external_id: Option<String>,
}

/// `PATCH /api/v1/sales/{id}`: any of these.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalePatchInput {
    pub title: Option<String>,
    #[schema(value_type = Option<String>)]
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// `open`, `won`, `lost`; `closed_at` is set when it becomes won or lost.
    #[schema(value_type = Option<SaleStatus>)]
    pub status: Option<String>,
    pub at: Option<String>,
    pub person_id: Option<i64>,
    pub company_id: Option<i64>,
}

/// `POST /api/v1/submissions`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    /// The form key (registered on first use).
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub form: String,
    /// `form`, `chat`, `api` (default), `import`.
    #[schema(value_type = Option<SubmissionChannel>)]
    pub channel: Option<String>,
    pub email: String,
    pub name: Option<String>,
    pub company: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    /// The visitor's remembered first interaction.
    pub first_interaction: Option<TouchInput>,
    /// The touch that led to this submission (its conversion); `(direct) / (none)` if absent.
    pub touch: Option<TouchInput>,
    /// RFC 3339, for history; defaults to now.
    pub at: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
    /// `true`/`false` (or yes/no): e-marketing consent given or withdrawn.
    #[schema(value_type = Option<String>)]
    pub consent_e_marketing: Option<serde_json::Value>,
    /// Makes the call idempotent: a known id writes nothing and answers 200.
    pub external_id: Option<String>,
}

/// A lead's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    Open,
    InProgress,
    Qualified,
    Disqualified,
}

/// A sale's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SaleStatus {
    Open,
    Won,
    Lost,
}

/// Where a submission came in.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionChannel {
    Form,
    Chat,
    Api,
    Import,
}
