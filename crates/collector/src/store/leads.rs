//! Working the leads: lead status and its history, owners (associates), sales,
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

pub(crate) type AssociateId = i64;
pub(crate) type SaleId = i64;

/// A lead's status: `open` → `in_progress` → `qualified`, or `disqualified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LeadStatus {
    Open,
    InProgress,
    Qualified,
    Disqualified,
}

impl LeadStatus {
    pub(crate) const ALL: [LeadStatus; 4] = [
        LeadStatus::Open,
        LeadStatus::InProgress,
        LeadStatus::Qualified,
        LeadStatus::Disqualified,
    ];

    /// The stored and JSON spelling.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            LeadStatus::Open => "open",
            LeadStatus::InProgress => "in_progress",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified => "disqualified",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<LeadStatus> {
        LeadStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A sale's (opportunity's) status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SaleStatus {
    Open,
    Won,
    Lost,
}

impl SaleStatus {
    pub(crate) const ALL: [SaleStatus; 3] = [SaleStatus::Open, SaleStatus::Won, SaleStatus::Lost];

    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            SaleStatus::Open => "open",
            SaleStatus::Won => "won",
            SaleStatus::Lost => "lost",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<SaleStatus> {
        SaleStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub(crate) const fn is_closed(self) -> bool {
        !matches!(self, SaleStatus::Open)
    }
}

/// A consent statement (today only for the e-marketing purpose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Consent {
    pub(crate) given: bool,
    /// Unix ms of the submission that stated it.
    pub(crate) at: i64,
    /// The key of the form it was stated through.
    pub(crate) form: Option<String>,
}

/// One row of a person's consent history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConsentRecord {
    pub(crate) purpose: String,
    pub(crate) consent: Consent,
    pub(crate) submission_id: Option<i64>,
    /// False for a statement the form was not allowed to make: kept as evidence of the
    /// attempt, it changed nothing.
    pub(crate) applied: bool,
    pub(crate) evidence: Requester,
}

/// Which consent statements a form may make. Anyone can post any address to the public
/// endpoint, so a form that may withdraw consent lets anyone withdraw anyone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ConsentPolicy {
    /// The form states nothing about consent.
    None,
    /// The form may record consent as given (an opt-in box), not withdraw it.
    #[default]
    Give,
    /// A preference centre: the form may give and withdraw consent.
    GiveAndWithdraw,
}

impl ConsentPolicy {
    pub(crate) fn parse(text: &str) -> Option<ConsentPolicy> {
        match text.trim() {
            "none" => Some(ConsentPolicy::None),
            "give" => Some(ConsentPolicy::Give),
            "give_and_withdraw" => Some(ConsentPolicy::GiveAndWithdraw),
            _ => None,
        }
    }

    /// Whether a statement that consent is `given` (or withdrawn) takes effect.
    pub(crate) const fn allows(self, given: bool) -> bool {
        match self {
            ConsentPolicy::None => false,
            ConsentPolicy::Give => given,
            ConsentPolicy::GiveAndWithdraw => true,
        }
    }
}

/// The consent policy of every form: the operator's per-form choices over a default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FormConsent {
    pub(crate) default: ConsentPolicy,
    pub(crate) forms: std::collections::HashMap<String, ConsentPolicy>,
}

impl FormConsent {
    pub(crate) fn policy(&self, form_key: &str) -> ConsentPolicy {
        self.forms.get(form_key).copied().unwrap_or(self.default)
    }
}

/// Who sent a submission, as far as the collector can tell: kept with a consent statement
/// as its evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Requester {
    /// The page's origin (`Origin`, or the `Referer`'s origin), when a browser sent it.
    pub(crate) origin: Option<String>,
    /// The client's address as the connection shows it.
    pub(crate) address: Option<String>,
}

/// The form field that states consent to the e-marketing purpose.
pub(crate) const CONSENT_FIELD: &str = "consent_e_marketing";

/// Reads a consent field's value: given, withdrawn, or `None` when it states neither
/// (absent, empty, or a value we do not understand — which changes nothing). A repeated
/// field (a hidden "no" followed by a checked box "yes") counts by its last value.
pub(crate) fn consent_value(value: &Value) -> Option<bool> {
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

/// The purpose attribution data is shown under (e-marketing).
pub(crate) const PURPOSE_E_MARKETING: &str = "e_marketing";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusChange {
    pub(crate) status: LeadStatus,
    pub(crate) changed_at: i64,
    /// Who changed it, as the audit log names them; `None` for imports and older changes.
    pub(crate) actor: Option<String>,
}

/// What `PATCH /persons/{id}` changes; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PersonPatch {
    pub(crate) status: Option<LeadStatus>,
    pub(crate) owner_id: Option<Option<AssociateId>>,
    pub(crate) country: Option<Option<String>>,
    pub(crate) name: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Associate {
    pub(crate) id: AssociateId,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewSale {
    pub(crate) person_id: Option<PersonId>,
    pub(crate) company_id: Option<CompanyId>,
    pub(crate) title: String,
    /// In the currency's minor unit (cents).
    pub(crate) amount_minor: i64,
    pub(crate) currency: String,
    pub(crate) status: SaleStatus,
    pub(crate) at: i64,
    pub(crate) external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sale {
    pub(crate) id: SaleId,
    pub(crate) person_id: Option<PersonId>,
    pub(crate) company_id: Option<CompanyId>,
    pub(crate) title: String,
    pub(crate) amount_minor: i64,
    pub(crate) currency: String,
    pub(crate) status: SaleStatus,
    pub(crate) at: i64,
    pub(crate) closed_at: Option<i64>,
    pub(crate) external_id: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// What `PATCH /sales/{id}` changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SalePatch {
    pub(crate) title: Option<String>,
    pub(crate) amount_minor: Option<i64>,
    pub(crate) currency: Option<String>,
    pub(crate) status: Option<SaleStatus>,
    pub(crate) at: Option<i64>,
    pub(crate) person_id: Option<Option<PersonId>>,
    pub(crate) company_id: Option<Option<CompanyId>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SaleFilter {
    pub(crate) person_id: Option<PersonId>,
    pub(crate) company_id: Option<CompanyId>,
    pub(crate) status: Option<SaleStatus>,
}

/// Everything stored about one person (the privacy export).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PersonExport {
    pub(crate) person: Person,
    pub(crate) company: Option<Company>,
    pub(crate) submissions: Vec<Submission>,
    pub(crate) status_changes: Vec<StatusChange>,
    pub(crate) consents: Vec<ConsentRecord>,
    pub(crate) sales: Vec<Sale>,
    pub(crate) associate: Option<Associate>,
    /// The touches the person's posts carried ([`super::journeys`]), in order.
    pub(crate) journey: Vec<super::journeys::JourneyTouch>,
}

/// What an erasure did besides deleting the person's own rows, and what it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Erasure {
    /// Companies whose source was the person's touch: scrubbed down to source, medium,
    /// campaign and channel (those too when they held the e-mail) and detached.
    pub(crate) company_sources_scrubbed: Vec<CompanyId>,
    /// Free text elsewhere that still contains the e-mail (a sale's title, a selection's
    /// criteria, another person's landing page …): for a person to review, since only
    /// they can tell a mention from data that belongs to someone else.
    pub(crate) mentions: Vec<Mention>,
}

/// A field that contains an erased person's e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    pub(crate) table: &'static str,
    pub(crate) column: String,
    pub(crate) id: i64,
}

/// The answer to a server-side submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExternalReceipt {
    pub(crate) receipt: SubmissionReceipt,
    /// True when the external id was already known: nothing was written, and `receipt`
    /// describes the earlier submission.
    pub(crate) replayed: bool,
}

/// A request the store refused (a row that is not there, a field that clashes with stored
/// data); nothing was written.
pub(crate) type LeadError = crate::refusal::Refusal;

pub(crate) type LeadResult<T> = StoreResult<Result<T, LeadError>>;

/// One record of an import, validated; see `commands::import` for the file formats.
#[derive(Debug, Clone)]
pub(crate) enum ImportRecord {
    /// A person without a submission: first interaction and lead generation as given.
    Person {
        external_id: String,
        submission: IncomingSubmission,
        status: Option<LeadStatus>,
    },
    /// A submission, attributed as if it arrived at its time.
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
pub(crate) enum ImportOutcome {
    Created,
    /// Its external id (or, for persons, e-mail) was already stored: nothing written.
    AlreadyThere,
}

#[async_trait]
pub(crate) trait LeadStore: Send + Sync {
    /// Applies a patch; a status change is recorded in the history with `at` and `actor`.
    async fn update_person(
        &self,
        id: PersonId,
        patch: PersonPatch,
        at: i64,
        actor: Option<String>,
    ) -> LeadResult<Person>;
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
