//! The forms registry: every form key a submission has named, with its settings.
//!
//! A form is registered by its first submission (the writer inserts the row as it stores
//! it). Its settings are a display name and whether UTM capture is on. With capture off,
//! posts to the form endpoint are stored without touches: the submission's conversion is
//! empty and a new person's first interaction and lead generation are `(direct)`. Touches
//! given explicitly through the API or an import are stored as given, whatever the form.
//!
//! When a form was last seen and which field names it was posted with are read from its
//! submissions, so the ingest path writes nothing for them.

use async_trait::async_trait;

use super::StoreResult;

/// Most field names listed for a form.
pub(crate) const MAX_FIELD_NAMES: usize = 100;
/// How many of a form's latest submissions its field names are read from.
pub(crate) const FIELD_NAME_SAMPLE: usize = 500;
/// Longest display name of a form, in characters.
pub(crate) const MAX_FORM_NAME_CHARS: usize = 200;

/// A registered form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Form {
    pub(crate) key: String,
    /// The admin's name for it; `None` until one is given.
    pub(crate) name: Option<String>,
    pub(crate) utm_capture: bool,
    /// When its first submission arrived (Unix ms).
    pub(crate) created_at: i64,
    /// Its latest submission's time, if any remain (erasure removes them).
    pub(crate) last_seen_at: Option<i64>,
    pub(crate) submissions: i64,
    /// `email` and the payload field names of its latest submissions, sorted.
    pub(crate) fields: Vec<String>,
}

/// A change to a form's settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FormPatch {
    /// `Some(None)` clears the name.
    pub(crate) name: Option<Option<String>>,
    pub(crate) utm_capture: Option<bool>,
}

#[async_trait]
pub(crate) trait FormStore: Send + Sync {
    /// Every registered form, by key.
    async fn forms(&self) -> StoreResult<Vec<Form>>;
    async fn form(&self, key: String) -> StoreResult<Option<Form>>;
    /// Applies `patch`; `None` when no form has that key.
    async fn update_form(&self, key: String, patch: FormPatch) -> StoreResult<Option<Form>>;
}
