//! Request bodies of the links API, for the OpenAPI document only: the handlers read the
//! JSON themselves (core's `LinkRequest`) to answer with the API's own error messages.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// `POST /api/v1/links`: what to tag a link with.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LinkInput {
    /// Absolute http(s) URL of the page; its query and fragment are kept.
    #[schema(
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(/[!-~]*)?$"
    )]
    pub(crate) url: String,
    /// Each name needs a character a link can carry (a–z, 0–9, _, - or .).
    #[schema(pattern = "[A-Za-z0-9_.-]")]
    pub(crate) source: String,
    #[schema(pattern = "[A-Za-z0-9_.-]")]
    pub(crate) medium: String,
    #[schema(pattern = "[A-Za-z0-9_.-]")]
    pub(crate) campaign: String,
    pub(crate) term: Option<String>,
    pub(crate) content: Option<String>,
    /// utm_id
    pub(crate) id: Option<String>,
}

/// `POST /api/v1/links/saved`: a link request plus its name in the campaign's list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SaveLinkInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub(crate) name: String,
    #[schema(
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(/[!-~]*)?$"
    )]
    pub(crate) url: String,
    #[schema(pattern = "[A-Za-z0-9_.-]")]
    pub(crate) source: String,
    #[schema(pattern = "[A-Za-z0-9_.-]")]
    pub(crate) medium: String,
    #[schema(pattern = "[A-Za-z0-9_.-]")]
    pub(crate) campaign: String,
    pub(crate) term: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) id: Option<String>,
}

/// `POST /api/v1/links/check`
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CheckInput {
    /// The tagged link to follow.
    #[schema(
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(/[!-~]*)?$"
    )]
    pub(crate) url: String,
}

/// `PUT /api/v1/aliases/{alias}`
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AliasInput {
    /// The one name the alias counts as.
    pub(crate) source: String,
}

/// `GET /api/v1/aliases`: the operator's aliases, and how many built-in ones there are.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AliasList {
    pub(crate) items: Vec<super::AliasJson>,
    pub(crate) builtin_count: usize,
}

/// `?format=` of saved links and of listings.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SavedFormat {
    Json,
    Csv,
}

/// `POST /api/v1/links/saved`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SavedLinkCreated {
    pub(crate) link: super::SavedLinkJson,
    /// What to consider about the values, as `POST /api/v1/links` answers them.
    #[schema(value_type = Vec<Object>)]
    pub(crate) warnings: Vec<serde_json::Value>,
}
