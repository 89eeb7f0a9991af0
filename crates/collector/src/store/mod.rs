//! Storage of persons, companies, submissions and API tokens, behind the [`Store`] trait
//! so that a PostgreSQL backend can join the SQLite one later (one module per backend).
//!
//! Contract for every backend:
//! - [`Store::record_submission`] applies the seed's attribution rules
//!   ([`leadtrail_core::Attribution::decide`]) atomically: the person, the company and the
//!   submission are written together or not at all, and the future resolves only after
//!   the data is durable (committed). A 2xx answer to the client relies on that.
//! - Reads never wait for the writer.
//! - Times are Unix milliseconds (UTC); the HTTP layer formats them.

pub mod accounts;
pub mod leads;
pub mod links;
pub mod quality;
pub mod search;
pub mod sqlite;
pub mod tiles;

pub use accounts::AccountStore;
pub use leads::LeadStore;
pub use links::LinkStore;
pub use quality::QualityStore;
pub use search::SearchStore;
pub use tiles::TileStore;

use async_trait::async_trait;
use leadtrail_core::{Channel, Touch, TouchOrigin};
use serde_json::{Map, Value};

pub type PersonId = i64;
pub type CompanyId = i64;
pub type SubmissionId = i64;

/// A validated form submission, ready to be attributed and stored.
#[derive(Debug, Clone)]
pub struct IncomingSubmission {
    /// The form's key (from `/f/{form_key}` or the API's `form`); registered on first use.
    pub form_key: String,
    /// How it arrived: `form`, `chat`, `api`, `import`.
    pub channel: String,
    /// Already validated by [`leadtrail_core::identity::Email::parse`].
    pub email: leadtrail_core::identity::Email,
    pub name: Option<String>,
    /// The form's company field, cleaned.
    pub company: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    /// Every field that is neither a recognised person field nor a wire-contract field.
    pub payload: Map<String, Value>,
    /// The browser's remembered first interaction, if it sent one.
    pub first: Option<Touch>,
    /// The touch that led to this submission (the conversion).
    pub current: Touch,
    pub origin: TouchOrigin,
    /// Unix ms; the server's clock unless an import or the API gives history.
    pub received_at: i64,
    /// Which consent statements this submission may make, and who sent it (the evidence
    /// kept with a statement).
    pub consent_policy: leads::ConsentPolicy,
    pub requester: leads::Requester,
}

/// What [`Store::record_submission`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionReceipt {
    pub submission_id: SubmissionId,
    pub person_id: PersonId,
    pub person_created: bool,
    pub company_id: Option<CompanyId>,
    pub company_created: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: PersonId,
    /// As first submitted (matching is case-insensitive).
    pub email: String,
    pub name: Option<String>,
    pub company_id: Option<CompanyId>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub created_at: i64,
    pub first_interaction: Option<Touch>,
    pub lead_generation: Option<Touch>,
    /// Channels of the two touches as stored (see [`LinkStore`] for reclassification);
    /// `None` for an absent touch or a row not yet classified.
    pub first_channel: Option<Channel>,
    pub lead_channel: Option<Channel>,
    /// Lead status: `open`, `in_progress`, `qualified`, `disqualified` ([`leads::LeadStatus`]).
    pub status: leads::LeadStatus,
    /// The associate who owns the lead.
    pub owner_id: Option<i64>,
    /// Last change through the API; the creation time until then.
    pub updated_at: i64,
    /// The e-marketing consent in force, if the person ever stated one.
    pub consent_e_marketing: Option<leads::Consent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    pub domain: Option<String>,
    pub created_at: i64,
    /// The lead-generation touch of the new person the company was created with.
    pub source: Option<Touch>,
    pub source_channel: Option<Channel>,
    /// The domain mixes scripts the way a look-alike of another domain does.
    pub domain_mixes_scripts: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: SubmissionId,
    pub person_id: PersonId,
    pub form: String,
    pub channel: String,
    pub created_at: i64,
    pub conversion: Touch,
    pub conversion_channel: Option<Channel>,
    pub origin: TouchOrigin,
    pub payload: Map<String, Value>,
}

/// Storage failures, as the HTTP layer needs to tell them apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
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

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything a backend stores. Each concern has a trait of its own (one file each, so that
/// features grow without touching one another); this one holds the spine's part.
#[async_trait]
pub trait Store:
    LeadStore
    + SearchStore
    + TileStore
    + LinkStore
    + AccountStore
    + QualityStore
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
    /// Persons whose e-mail matches case-insensitively (zero or one today).
    async fn persons_by_email(&self, email: &str) -> StoreResult<Vec<Person>>;
    /// The person's submissions, oldest first.
    async fn submissions_of(&self, person: PersonId) -> StoreResult<Vec<Submission>>;
    async fn company(&self, id: CompanyId) -> StoreResult<Option<Company>>;

    /// Stores a minted API token by its SHA-256 hash; the token itself is never stored.
    async fn insert_api_token(&self, name: &str, sha256: [u8; 32]) -> StoreResult<()>;
    async fn api_token_exists(&self, sha256: [u8; 32]) -> StoreResult<bool>;

    /// Cheap liveness check of the database (for `/healthz`).
    async fn health(&self) -> StoreResult<()>;
    /// Stops taking writes, commits everything already acknowledged, and returns when done.
    async fn shutdown(&self);
}
