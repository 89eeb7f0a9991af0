//! Working the leads (issue 3): lead status and its history, owners (associates), sales,
//! consent, export and erasure of a person, server-side submissions and import.
//!
//! Domain refusals (an unknown owner, a sale for a person that does not exist) are values
//! of [`LeadError`] inside the `Ok` of a [`StoreResult`]: storage worked, the request was
//! wrong, and nothing was written.

use async_trait::async_trait;
use serde_json::Value;

use super::{
    Company, CompanyId, IncomingSubmission, Person, PersonId, StoreResult, Submission,
    SubmissionReceipt,
};

pub type AssociateId = i64;
pub type SaleId = i64;

/// A lead's status: `open` → `in_progress` → `qualified`, or `disqualified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadStatus {
    Open,
    InProgress,
    Qualified,
    Disqualified,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 4] = [
        LeadStatus::Open,
        LeadStatus::InProgress,
        LeadStatus::Qualified,
        LeadStatus::Disqualified,
    ];

    /// The stored and JSON spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Open => "open",
            LeadStatus::InProgress => "in_progress",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified => "disqualified",
        }
    }

    pub fn parse(text: &str) -> Option<LeadStatus> {
        LeadStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A sale's (opportunity's) status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleStatus {
    Open,
    Won,
    Lost,
}

impl SaleStatus {
    pub const ALL: [SaleStatus; 3] = [SaleStatus::Open, SaleStatus::Won, SaleStatus::Lost];

    pub const fn as_str(self) -> &'static str {
        match self {
            SaleStatus::Open => "open",
            SaleStatus::Won => "won",
            SaleStatus::Lost => "lost",
        }
    }

    pub fn parse(text: &str) -> Option<SaleStatus> {
        SaleStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub const fn is_closed(self) -> bool {
        !matches!(self, SaleStatus::Open)
    }
}

/// A consent statement (today only for the e-marketing purpose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub given: bool,
    /// Unix ms of the submission that stated it.
    pub at: i64,
    /// The key of the form it was stated through.
    pub form: Option<String>,
}

/// One row of a person's consent history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub purpose: String,
    pub consent: Consent,
    pub submission_id: Option<i64>,
    /// False for a statement the form was not allowed to make: kept as evidence of the
    /// attempt, it changed nothing.
    pub applied: bool,
    pub evidence: Requester,
}

/// Which consent statements a form may make. Anyone can post any address to the public
/// endpoint, so a form that may withdraw consent lets anyone withdraw anyone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConsentPolicy {
    /// The form states nothing about consent.
    None,
    /// The form may record consent as given (an opt-in box), not withdraw it.
    #[default]
    Give,
    /// A preference centre: the form may give and withdraw consent.
    GiveAndWithdraw,
}

impl ConsentPolicy {
    pub fn parse(text: &str) -> Option<ConsentPolicy> {
        match text.trim() {
            "none" => Some(ConsentPolicy::None),
            "give" => Some(ConsentPolicy::Give),
            "give_and_withdraw" => Some(ConsentPolicy::GiveAndWithdraw),
            _ => None,
        }
    }

    /// Whether a statement that consent is `given` (or withdrawn) takes effect.
    pub const fn allows(self, given: bool) -> bool {
        match self {
            ConsentPolicy::None => false,
            ConsentPolicy::Give => given,
            ConsentPolicy::GiveAndWithdraw => true,
        }
    }
}

/// The consent policy of every form: the operator's per-form choices over a default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormConsent {
    pub default: ConsentPolicy,
    pub forms: std::collections::HashMap<String, ConsentPolicy>,
}

impl FormConsent {
    pub fn policy(&self, form_key: &str) -> ConsentPolicy {
        self.forms.get(form_key).copied().unwrap_or(self.default)
    }
}

/// Who sent a submission, as far as the collector can tell: kept with a consent statement
/// as its evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requester {
    /// The page's origin (`Origin`, or the `Referer`'s origin), when a browser sent it.
    pub origin: Option<String>,
    /// The client's address as the connection shows it.
    pub address: Option<String>,
}

/// The form field that states consent to the e-marketing purpose.
pub const CONSENT_FIELD: &str = "consent_e_marketing";

/// Reads a consent field's value: given, withdrawn, or `None` when it states neither
/// (absent, empty, or a value we do not understand — which changes nothing). A repeated
/// field (a hidden "no" followed by a checked box "yes") counts by its last value.
pub fn consent_value(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" | "on" | "given" => Some(true),
            "no" | "false" | "0" | "off" | "withdrawn" => Some(false),
            _ => None,
        },
        Value::Array(items) => items.last().and_then(consent_value),
        Value::Null | Value::Object(_) => None,
    }
}

/// The purpose the seed shows attribution data under.
pub const PURPOSE_E_MARKETING: &str = "e_marketing";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: LeadStatus,
    pub changed_at: i64,
}

/// What `PATCH /persons/{id}` changes; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonPatch {
    pub status: Option<LeadStatus>,
    pub owner_id: Option<Option<AssociateId>>,
    pub country: Option<Option<String>>,
    pub name: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Associate {
    pub id: AssociateId,
    pub name: String,
    pub email: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSale {
    pub person_id: Option<PersonId>,
    pub company_id: Option<CompanyId>,
    pub title: String,
    /// In the currency's minor unit (cents).
    pub amount_minor: i64,
    pub currency: String,
    pub status: SaleStatus,
    pub at: i64,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub id: SaleId,
    pub person_id: Option<PersonId>,
    pub company_id: Option<CompanyId>,
    pub title: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: SaleStatus,
    pub at: i64,
    pub closed_at: Option<i64>,
    pub external_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What `PATCH /sales/{id}` changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalePatch {
    pub title: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub status: Option<SaleStatus>,
    pub at: Option<i64>,
    pub person_id: Option<Option<PersonId>>,
    pub company_id: Option<Option<CompanyId>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleFilter {
    pub person_id: Option<PersonId>,
    pub company_id: Option<CompanyId>,
    pub status: Option<SaleStatus>,
}

/// Everything stored about one person (the privacy export).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonExport {
    pub person: Person,
    pub company: Option<Company>,
    pub submissions: Vec<Submission>,
    pub status_changes: Vec<StatusChange>,
    pub consents: Vec<ConsentRecord>,
    pub sales: Vec<Sale>,
    pub associate: Option<Associate>,
}

/// What an erasure did besides deleting the person's own rows, and what it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// Companies whose source was the person's touch: scrubbed down to source, medium,
    /// campaign and channel (those too when they held the e-mail) and detached.
    pub company_sources_scrubbed: Vec<CompanyId>,
    /// Free text elsewhere that still contains the e-mail (a sale's title, a selection's
    /// criteria, another person's landing page …): for a person to review, since only
    /// they can tell a mention from data that belongs to someone else.
    pub mentions: Vec<Mention>,
}

/// A field that contains an erased person's e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub table: &'static str,
    pub column: String,
    pub id: i64,
}

/// The answer to a server-side submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalReceipt {
    pub receipt: SubmissionReceipt,
    /// True when the external id was already known: nothing was written, and `receipt`
    /// describes the earlier submission.
    pub replayed: bool,
}

/// A request the store refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadError {
    #[error("{0}")]
    NotFound(String),
    /// A field refers to something that does not exist or clashes with stored data.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

pub type LeadResult<T> = StoreResult<Result<T, LeadError>>;

/// One record of an import, validated; see `commands::import` for the file formats.
#[derive(Debug, Clone)]
pub enum ImportRecord {
    /// A person without a submission: first interaction and lead generation as given.
    Person {
        external_id: String,
        submission: IncomingSubmission,
        status: Option<LeadStatus>,
    },
    /// A submission, attributed by the seed's rules as if it arrived at its time.
    Submission {
        external_id: String,
        submission: IncomingSubmission,
    },
    /// A sale linked to the person with this e-mail key (if given).
    Sale {
        person_email_key: Option<String>,
        sale: NewSale,
    },
}

/// What importing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    /// Its external id (or, for persons, e-mail) was already stored: nothing written.
    AlreadyThere,
}

#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Applies a patch; a status change is recorded in the history with `at`.
    async fn update_person(&self, id: PersonId, patch: PersonPatch, at: i64) -> LeadResult<Person>;
    /// The person's status changes, oldest first.
    async fn status_changes(&self, id: PersonId) -> StoreResult<Vec<StatusChange>>;

    async fn create_associate(
        &self,
        name: String,
        email: Option<String>,
        at: i64,
    ) -> LeadResult<Associate>;
    async fn associates(&self) -> StoreResult<Vec<Associate>>;
    async fn associate(&self, id: AssociateId) -> StoreResult<Option<Associate>>;

    /// Creates a sale; with a known `external_id` answers the stored sale and `false`.
    async fn create_sale(&self, sale: NewSale, now: i64) -> LeadResult<(Sale, bool)>;
    async fn update_sale(&self, id: SaleId, patch: SalePatch, now: i64) -> LeadResult<Sale>;
    async fn sale(&self, id: SaleId) -> StoreResult<Option<Sale>>;
    async fn sales(&self, filter: SaleFilter) -> StoreResult<Vec<Sale>>;

    /// [`super::Store::record_submission`] plus idempotency by `external_id`.
    async fn record_external_submission(
        &self,
        submission: IncomingSubmission,
        external_id: Option<String>,
    ) -> StoreResult<ExternalReceipt>;

    async fn export_person(&self, id: PersonId) -> StoreResult<Option<PersonExport>>;
    /// Erases the person and everything about them, wherever it was copied; `None` when
    /// there was no such person.
    async fn erase_person(&self, id: PersonId) -> StoreResult<Option<Erasure>>;

    /// Imports records in one transaction; one result per record, in order.
    async fn import_records(
        &self,
        records: Vec<ImportRecord>,
    ) -> StoreResult<Vec<Result<ImportOutcome, String>>>;
}
