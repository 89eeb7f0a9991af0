//! Each user's own settings of the app, kept on the server so they follow the user from
//! browser to browser: the language the pages speak, and per table the columns shown.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::StoreResult;

/// The languages the app speaks.
pub(crate) const LANGUAGES: [&str; 3] = ["en", "nb", "nl"];
/// How many columns one table's choice may name.
pub(crate) const MAX_COLUMNS: usize = 40;
/// How many tables one user keeps a choice for: far more than the app has, and a bound
/// on what a script can make the database hold.
pub(crate) const MAX_TABLES: usize = 100;
/// The longest table or column id.
pub(crate) const MAX_ID_LEN: usize = 64;

/// A table's or a column's id: 1 to 64 of `a-z 0-9 _ . -`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-'))
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Preferences {
    /// One of [`LANGUAGES`]; `None` follows the browser.
    pub(crate) language: Option<String>,
    /// Column ids per table id, in the order shown.
    pub(crate) columns: BTreeMap<String, Vec<String>>,
}

/// Why a choice of columns was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PreferenceError {
    #[error("a user keeps column choices for at most {MAX_TABLES} tables")]
    TooManyTables,
}

#[async_trait]
pub(crate) trait PreferenceStore: Send + Sync {
    /// The user's preferences; the defaults when none were stored.
    async fn preferences(&self, user: i64) -> StoreResult<Preferences>;
    /// Stores the language (`None`: follow the browser).
    async fn set_language(&self, user: i64, language: Option<String>) -> StoreResult<()>;
    /// Stores the columns of `table`; an empty list forgets the choice (the page's
    /// defaults again).
    async fn set_columns(
        &self,
        user: i64,
        table: String,
        columns: Vec<String>,
    ) -> StoreResult<Result<(), PreferenceError>>;
}
