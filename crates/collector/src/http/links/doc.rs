//! Request bodies of the links API, for the OpenAPI document only: the handlers read the
//! JSON themselves (core's `LinkRequest`) to answer with the API's own error messages.
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

/// `POST /api/v1/links`: what to tag a link with.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkInput {
    /// Absolute http(s) URL of the page; its query and fragment are kept.
    pub url: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: Option<String>,
    pub content: Option<String>,
    /// utm_id
    pub id: Option<String>,
}

/// `POST /api/v1/links/saved`: a link request plus its name in the campaign's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SaveLinkInput {
    pub name: String,
    pub url: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: Option<String>,
    pub content: Option<String>,
    pub id: Option<String>,
}

/// `POST /api/v1/links/check`
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInput {
    /// The tagged link to follow.
    pub url: String,
}

/// `PUT /api/v1/aliases/{alias}`
#[derive(Debug, Serialize, ToSchema)]
pub struct AliasInput {
    /// The one name the alias counts as.
    pub source: String,
}
