//! Storage of persons, companies, submissions and API tokens, behind the [`Store`] trait
//! so that a PostgreSQL backend can join the SQLite one later (one module per backend).
//!
//! Contract for every backend:
//! - [`Store::record_submission`] applies the attribution rules
//!   ([`leadtrail_core::Attribution::decide`]) atomically: the person, the company and the
//!   submission are written together or not at all, and the future resolves only after
//!   the data is durable (committed). A 2xx answer to the client relies on that.
//! - Reads never wait for the writer.
//! - Times are Unix milliseconds (UTC); the HTTP layer formats them.

pub(crate) mod accounts;
pub(crate) mod attribution;
pub(crate) mod companies;
pub(crate) mod costs;
pub(crate) mod forms;
pub(crate) mod invitations;
pub(crate) mod journeys;
pub(crate) mod leads;
pub(crate) mod links;
pub(crate) mod preferences;
pub(crate) mod quality;
pub(crate) mod search;
pub(crate) mod sqlite;
pub(crate) mod tiles;

pub(crate) use accounts::AccountStore;
pub(crate) use attribution::AttributionStore;
pub(crate) use companies::CompanyStore;
pub(crate) use costs::CostStore;
pub(crate) use forms::FormStore;
pub(crate) use invitations::InvitationStore;
pub(crate) use journeys::JourneyStore;
pub(crate) use leads::LeadStore;
pub(crate) use links::LinkStore;
pub(crate) use preferences::PreferenceStore;
pub(crate) use quality::QualityStore;
pub(crate) use search::SearchStore;
pub(crate) use tiles::TileStore;

use async_trait::async_trait;
use leadtrail_core::{Channel, Touch, TouchOrigin};
use serde_json::{Map, Value};

/// Longest form key: it becomes a row and shows up in dashboards.
pub(crate) const MAX_FORM_KEY_CHARS: usize = 64;

/// True for form keys: 1–64 characters of `A–Z a–z 0–9 _ -` (a key is registered the
/// first time a post names it).
pub(crate) fn is_valid_form_key(key: &str) -> bool {
    (1..=MAX_FORM_KEY_CHARS).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(crate) type PersonId = i64;
pub(crate) type CompanyId = i64;
pub(crate) type SubmissionId = i64;

/// A validated form submission, ready to be attributed and stored.
#[derive(Debug, Clone)]
pub(crate) struct IncomingSubmission {
    /// The form's key (from `/f/{form_key}` or the API's `form`); registered on first use.
    pub(crate) form_key: String,
    /// How it arrived: `form`, `chat`, `api`, `import`.
    pub(crate) channel: String,
    /// Already validated by [`leadtrail_core::identity::Email::parse`].
    pub(crate) email: leadtrail_core::identity::Email,
    pub(crate) name: Option<String>,
    /// The form's company field, cleaned.
    pub(crate) company: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) phone: Option<String>,
    /// Every field that is neither a recognised person field nor a wire-contract field.
    pub(crate) payload: Map<String, Value>,
    /// The browser's remembered first interaction, if it sent one.
    pub(crate) first: Option<Touch>,
    /// The touch that led to this submission (the conversion).
    pub(crate) current: Touch,
    /// The touches before it, oldest first (`lt_journey`), cleaned; empty for none.
    pub(crate) journey: Vec<Touch>,
    pub(crate) origin: TouchOrigin,
    /// Unix ms; the server's clock unless an import or the API gives history.
    pub(crate) received_at: i64,
    /// Which consent statements this submission may make, and who sent it (the evidence
    /// kept with a statement).
    pub(crate) consent_policy: leads::ConsentPolicy,
    pub(crate) requester: leads::Requester,
}

/// What [`Store::record_submission`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubmissionReceipt {
    pub(crate) submission_id: SubmissionId,
    pub(crate) person_id: PersonId,
    pub(crate) person_created: bool,
    pub(crate) company_id: Option<CompanyId>,
    pub(crate) company_created: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Person {
    pub(crate) id: PersonId,
    /// As first submitted (matching is case-insensitive).
    pub(crate) email: String,
    pub(crate) name: Option<String>,
    pub(crate) company_id: Option<CompanyId>,
    pub(crate) country: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) first_interaction: Option<Touch>,
    pub(crate) lead_generation: Option<Touch>,
    /// Channels of the two touches as stored (see [`LinkStore`] for reclassification);
    /// `None` for an absent touch or a row not yet classified.
    pub(crate) first_channel: Option<Channel>,
    pub(crate) lead_channel: Option<Channel>,
    /// Lead status: `open`, `in_progress`, `qualified`, `disqualified` ([`leads::LeadStatus`]).
    pub(crate) status: leads::LeadStatus,
    /// The associate who owns the lead.
    pub(crate) owner_id: Option<i64>,
    /// Last change through the API; the creation time until then.
    pub(crate) updated_at: i64,
    /// The e-marketing consent in force, if the person ever stated one.
    pub(crate) consent_e_marketing: Option<leads::Consent>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Company {
    pub(crate) id: CompanyId,
    pub(crate) name: String,
    pub(crate) domain: Option<String>,
    pub(crate) created_at: i64,
    /// The lead-generation touch of the new person the company was created with.
    pub(crate) source: Option<Touch>,
    pub(crate) source_channel: Option<Channel>,
    /// The domain mixes scripts the way a look-alike of another domain does.
    pub(crate) domain_mixes_scripts: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Submission {
    pub(crate) id: SubmissionId,
    pub(crate) person_id: PersonId,
    pub(crate) form: String,
    pub(crate) channel: String,
    pub(crate) created_at: i64,
    pub(crate) conversion: Touch,
    pub(crate) conversion_channel: Option<Channel>,
    pub(crate) origin: TouchOrigin,
    pub(crate) payload: Map<String, Value>,
    /// False when its form had UTM capture off: the conversion is empty on purpose.
    pub(crate) utm_capture: bool,
}

/// Storage failures, as the HTTP layer needs to tell them apart.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// The database cannot take writes right now (disk full, read-only, locked too long):
    /// the client should retry later (503 with `Retry-After`). Nothing was written.
    #[error("storage is temporarily unavailable: {0}")]
    Unavailable(String),
    /// The store is shutting down and takes no more writes.
    #[error("storage is shutting down")]
    Closed,
    /// Anything else: a bug or a corrupt database. Nothing was written.
    #[error("storage failure: {0}")]
    Internal(String),
}

pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// Everything a backend stores. Each concern has a trait of its own (one file each, so that
/// features grow without touching one another); this one holds the spine's part.
#[async_trait]
pub(crate) trait Store:
    LeadStore
    + CompanyStore
    + AttributionStore
    + SearchStore
    + TileStore
    + LinkStore
    + AccountStore
    + InvitationStore
    + PreferenceStore
    + QualityStore
    + FormStore
    + CostStore
    + JourneyStore
    + Send
    + Sync
    + 'static
{
    /// Attributes and stores one submission; resolves once it is committed.
    async fn record_submission(
        &self,
        submission: IncomingSubmission,
    ) -> StoreResult<SubmissionReceipt>;

    async fn person(&self, id: PersonId) -> StoreResult<Option<Person>>;
    /// Persons whose e-mail matches case-insensitively (zero or one today); the API finds
    /// them through search, the store's tests through this.
    #[cfg(test)]
    async fn persons_by_email(&self, email: &str) -> StoreResult<Vec<Person>>;
    /// The person's submissions, oldest first.
    async fn submissions_of(&self, person: PersonId) -> StoreResult<Vec<Submission>>;
    async fn company(&self, id: CompanyId) -> StoreResult<Option<Company>>;

    /// The first table of API tokens (hashes only), which the store's tests write and
    /// read as a plain row; tokens are the accounts' now.
    #[cfg(test)]
    async fn insert_api_token(&self, name: &str, sha256: [u8; 32]) -> StoreResult<()>;
    #[cfg(test)]
    async fn api_token_exists(&self, sha256: [u8; 32]) -> StoreResult<bool>;

    /// Cheap liveness check of the database (for `/healthz`).
    async fn health(&self) -> StoreResult<()>;
    /// Stops taking writes, commits everything already acknowledged, and returns when done.
    async fn shutdown(&self);
}
