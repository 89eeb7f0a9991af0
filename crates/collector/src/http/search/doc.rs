//! Shapes of the search and selection API, for the OpenAPI document only: the handlers read
//! and write the JSON themselves (to name unknown fields and operators precisely).
#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::api::{CompanyJson, PersonJson};

/// A node of a criteria tree: a group (`all` = AND, `any` = OR, nesting up to 8 levels) or
/// a leaf (`field`, `op`, `value`). `{}` matches everything. Fields: see
/// `GET /api/v1/search/fields`; operators `eq` (default), `in` (a list), `contains`
/// (wildcards are literal), `empty`, `not_empty` (no value), `gte`, `lte`. Times are
/// RFC 3339 or `YYYY-MM-DD` (a whole day, UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct CriteriaNode {
    #[schema(no_recursion)]
    pub all: Option<Vec<CriteriaNode>>,
    #[schema(no_recursion)]
    pub any: Option<Vec<CriteriaNode>>,
    #[schema(example = "lead_generation.source")]
    pub field: Option<String>,
    #[schema(example = "eq")]
    pub op: Option<String>,
    /// A string (or number) for most operators, a list for `in`.
    #[schema(value_type = Option<Object>)]
    pub value: Option<serde_json::Value>,
}

/// One page of persons in id order; `next` is the cursor of the following page (`null` on
/// the last).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonPage {
    pub items: Vec<PersonJson>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyPage {
    pub items: Vec<CompanyJson>,
    pub next: Option<String>,
}

/// A selection's members: persons or companies, as the selection's entity says.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<Member>,
    pub next: Option<String>,
}

/// One member of a selection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Member {
    Person(PersonJson),
    Company(CompanyJson),
}

/// `POST /api/v1/selections`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionInput {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// `person` or `company`.
    #[schema(value_type = Entity)]
    pub entity: String,
    /// `static` (members found now, then changed by hand) or `dynamic` (criteria
    /// re-evaluated on every read).
    #[schema(value_type = SelectionKind)]
    pub kind: String,
    /// A criteria tree, or the query-string form (`"lead_generation.source=x&status=open"`);
    /// stored as the tree. Without it a dynamic selection holds everything, a static one
    /// starts empty.
    #[schema(value_type = Option<Object>)]
    pub criteria: Option<serde_json::Value>,
}

/// `PATCH /api/v1/selections/{id}`: a new name, and for dynamic selections new criteria.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionPatch {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub criteria: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionOut {
    pub id: i64,
    pub name: String,
    pub entity: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub criteria: serde_json::Value,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// `GET /api/v1/selections/{id}` only: how many members it has now.
    pub member_count: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SelectionList {
    pub items: Vec<SelectionOut>,
}

/// Member ids to add or remove (static selections).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIds {
    #[schema(min_items = 1, max_items = 10000)]
    pub ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumn {
    /// `open`, `in_progress`, `qualified`, `disqualified` — always in this order.
    pub status: String,
    pub total: u64,
    pub items: Vec<PersonJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    pub selection: SelectionOut,
    pub columns: Vec<BoardColumn>,
}

/// What a selection holds.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    Person,
    Company,
}

/// How a selection keeps its members.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SelectionKind {
    Static,
    Dynamic,
}
