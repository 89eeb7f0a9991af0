//! Shapes of the search and selection API, for the OpenAPI document only: the handlers read
//! and write the JSON themselves (to name unknown fields and operators precisely).
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::json::{CompanyJson, PersonJson};

/// A node of a criteria tree: a group (`all` = AND, `any` = OR, nesting up to 8 levels) or
/// a leaf (`field`, `op`, `value`). `{}` matches everything. Fields: see
/// `GET /api/v1/search/fields`; operators `eq` (default), `in` (a list), `contains`
/// (wildcards are literal), `empty`, `not_empty` (no value), `gte`, `lte`. Times are
/// RFC 3339 or `YYYY-MM-DD` (a whole day, UTC).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CriteriaNode {
    #[schema(no_recursion)]
    pub(crate) all: Option<Vec<CriteriaNode>>,
    #[schema(no_recursion)]
    pub(crate) any: Option<Vec<CriteriaNode>>,
    #[schema(example = "lead_generation.source")]
    pub(crate) field: Option<String>,
    #[schema(example = "eq")]
    pub(crate) op: Option<String>,
    /// A string (or number) for most operators, a list for `in`.
    #[schema(value_type = Option<Object>)]
    pub(crate) value: Option<serde_json::Value>,
}

/// One page of persons in id order; `next` is the cursor of the following page (`null` on
/// the last).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PersonPage {
    pub(crate) items: Vec<PersonJson>,
    pub(crate) next: Option<String>,
    /// How many persons match in all (the same on every page).
    pub(crate) total: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CompanyPage {
    pub(crate) items: Vec<CompanyJson>,
    pub(crate) next: Option<String>,
    /// How many companies match in all (the same on every page).
    pub(crate) total: u64,
}

/// A selection's members: persons or companies, as the selection's entity says.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberPage {
    pub(crate) items: Vec<Member>,
    pub(crate) next: Option<String>,
    /// How many members match in all (the same on every page).
    pub(crate) total: u64,
}

/// One member of a selection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum Member {
    Person(Box<PersonJson>),
    Company(Box<CompanyJson>),
}

/// `POST /api/v1/selections`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SelectionInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub(crate) name: String,
    /// `person` or `company`.
    #[schema(value_type = Entity)]
    pub(crate) entity: String,
    /// `static` (members found now, then changed by hand) or `dynamic` (criteria
    /// re-evaluated on every read).
    #[schema(value_type = SelectionKind)]
    pub(crate) kind: String,
    /// A criteria tree, or the query-string form (`"lead_generation.source=x&status=open"`);
    /// stored as the tree. Without it a dynamic selection holds everything, a static one
    /// starts empty.
    #[schema(value_type = Option<Object>)]
    pub(crate) criteria: Option<serde_json::Value>,
}

/// `PATCH /api/v1/selections/{id}`: a new name, and for dynamic selections new criteria.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SelectionPatch {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub(crate) name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub(crate) criteria: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SelectionOut {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) entity: String,
    pub(crate) kind: String,
    #[schema(value_type = Object)]
    pub(crate) criteria: serde_json::Value,
    pub(crate) created_at: Option<String>,
    pub(crate) updated_at: Option<String>,
    /// How many members it has now (in `GET /api/v1/selections` and
    /// `GET /api/v1/selections/{id}`; `null` in a listing when stored criteria no longer apply).
    pub(crate) member_count: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SelectionList {
    pub(crate) items: Vec<SelectionOut>,
}

/// Member ids to add or remove (static selections).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberIds {
    #[schema(min_items = 1, max_items = 10000)]
    pub(crate) ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BoardColumn {
    /// `open`, `in_progress`, `qualified`, `disqualified` — always in this order.
    pub(crate) status: String,
    pub(crate) total: u64,
    pub(crate) items: Vec<PersonJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Board {
    pub(crate) selection: SelectionOut,
    pub(crate) columns: Vec<BoardColumn>,
}

/// What a selection holds.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Entity {
    Person,
    Company,
}

/// How a selection keeps its members.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SelectionKind {
    Static,
    Dynamic,
}

/// `?order=` of listings: `id` (oldest first, the default) or `newest` (newest first).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ListOrder {
    Id,
    Newest,
}
