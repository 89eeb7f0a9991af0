//! Finding persons and companies by criteria, and saved selections.
//!
//! Criteria come in two spellings — the query string (`field=value`, `field[op]=value`,
//! several ANDed) and a JSON tree (`{"all": […]}` / `{"any": […]}` nesting, leaves
//! `{"field", "op", "value"}`) — and both parse into one [`Criteria`] tree, checked against
//! the field registry ([`fields`]). The tree is what a selection stores ([`Criteria::to_json`]),
//! whichever spelling created it. Backends compile the tree into parameterised SQL; values
//! never become SQL text.
//!
//! ## The field registry
//! Each searchable field names its value kind (which operators apply, how values are read)
//! and where its value lives for persons (table alias `p`) and for companies (alias `c`):
//! a value of the row, or "any related row" (a person's submissions, a company's persons).
//! The SQL fragments use only the subset SQLite and PostgreSQL share. Adding a touch field
//! (e.g. `channel`) is one entry in [`TOUCH_SEARCH_FIELDS`]; adding another field is one
//! [`Field`] line in [`fields`].

use crate::refusal::{Refusal, Refused};
use std::sync::LazyLock;

use async_trait::async_trait;
use serde_json::{json, Map, Value};

use super::{Company, Person, StoreResult};

/// What a search or a selection is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Person,
    Company,
}

impl Entity {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Entity::Person => "person",
            Entity::Company => "company",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Entity> {
        [Entity::Person, Entity::Company]
            .into_iter()
            .find(|e| e.name() == name)
    }

    fn plural(self) -> &'static str {
        match self {
            Entity::Person => "persons",
            Entity::Company => "companies",
        }
    }
}

/// A criterion's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    In,
    Contains,
    Empty,
    NotEmpty,
    Gte,
    Lte,
}

impl Op {
    pub(crate) const ALL: [Op; 7] = [
        Op::Eq,
        Op::In,
        Op::Contains,
        Op::Empty,
        Op::NotEmpty,
        Op::Gte,
        Op::Lte,
    ];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::In => "in",
            Op::Contains => "contains",
            Op::Empty => "empty",
            Op::NotEmpty => "not_empty",
            Op::Gte => "gte",
            Op::Lte => "lte",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// The lead statuses, in the order of the board's columns.
pub(crate) const LEAD_STATUSES: [&str; 4] = ["open", "in_progress", "qualified", "disqualified"];

/// How a field's values are read and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// Text compared as stored.
    Text,
    /// Text the store keeps trimmed and lower-cased (sources, media, campaigns, e-mail keys): values
    /// are normalised the same way, so `LinkedIn` finds `linkedin`.
    Lower,
    /// A lead status.
    Status,
    /// A time: RFC 3339, or a `YYYY-MM-DD` day in UTC.
    Time,
    /// A row id (an associate).
    Id,
}

impl ValueKind {
    pub(crate) const fn ops(self) -> &'static [Op] {
        match self {
            ValueKind::Text | ValueKind::Lower => &Op::ALL,
            ValueKind::Status => &[Op::Eq, Op::In],
            ValueKind::Time => &[Op::Eq, Op::Gte, Op::Lte],
            ValueKind::Id => &[Op::Eq, Op::In, Op::Empty, Op::NotEmpty],
        }
    }
}

/// Where a field's value lives for one entity: SQL over the alias `p` (persons) or `c`
/// (companies).
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A column or scalar expression of the row, e.g. `p.first_source`.
    Value(String),
    /// True when any related row matches: `<alias>.id IN ({select} WHERE {column} …)`, where
    /// `select` picks the outer row's id from the related rows. Deliberately not a
    /// correlated `EXISTS`: without statistics SQLite drives such a subquery from the
    /// value's index once per outer row (persons × matching submissions); the list form
    /// reads the matches once.
    Any { select: String, column: String },
    /// The one related row (if any) matches: `{key} IN ({select} WHERE {column} …)`; no
    /// related row counts as an empty value.
    One {
        key: String,
        select: String,
        column: String,
    },
}

/// One searchable field.
#[derive(Debug)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) kind: ValueKind,
    pub(crate) person: Option<Target>,
    pub(crate) company: Option<Target>,
}

impl Field {
    pub(crate) fn target(&self, entity: Entity) -> Option<&Target> {
        match entity {
            Entity::Person => self.person.as_ref(),
            Entity::Company => self.company.as_ref(),
        }
    }
}

/// The touch fields that are searchable in every role; each role's columns are named
/// `<prefix>_<field>` (first_, lead_, conv_, src_).
pub(crate) const TOUCH_SEARCH_FIELDS: &[&str] =
    &["source", "medium", "campaign", "term", "content", "channel"];

fn value(sql: impl Into<String>) -> Option<Target> {
    Some(Target::Value(sql.into()))
}

fn any(select: &str, column: impl Into<String>) -> Option<Target> {
    Some(Target::Any {
        select: select.to_owned(),
        column: column.into(),
    })
}

/// A person's company.
fn company_of_person(column: impl Into<String>) -> Option<Target> {
    Some(Target::One {
        key: "p.company_id".to_owned(),
        select: "SELECT c.id FROM companies c".to_owned(),
        column: column.into(),
    })
}

/// A company's persons, from the company's side.
const COMPANY_PERSONS: &str = "SELECT p.company_id FROM persons p";
const PERSON_SUBMISSIONS: &str = "SELECT s.person_id FROM submissions s";
const COMPANY_SUBMISSIONS: &str =
    "SELECT p.company_id FROM persons p JOIN submissions s ON s.person_id = p.id";
const PERSON_FORMS: &str = "SELECT s.person_id FROM submissions s JOIN forms f ON f.id = s.form_id";
const COMPANY_FORMS: &str = "SELECT p.company_id FROM persons p \
     JOIN submissions s ON s.person_id = p.id JOIN forms f ON f.id = s.form_id";

fn field(
    name: impl Into<String>,
    kind: ValueKind,
    person: Option<Target>,
    company: Option<Target>,
) -> Field {
    Field {
        name: name.into(),
        kind,
        person,
        company,
    }
}

/// Source, medium and campaign are normalised at capture (trimmed, lower-case), channels
/// are lower-case ids (`paid_social`); term and content keep their case.
fn touch_kind(name: &str) -> ValueKind {
    if matches!(name, "source" | "medium" | "campaign" | "channel") {
        ValueKind::Lower
    } else {
        ValueKind::Text
    }
}

/// Every searchable field, in the order error messages list them.
pub(crate) fn fields() -> &'static [Field] {
    static FIELDS: LazyLock<Vec<Field>> = LazyLock::new(|| {
        use ValueKind::*;
        let mut all = Vec::new();
        for f in TOUCH_SEARCH_FIELDS {
            let k = touch_kind(f);
            all.push(field(
                format!("first_interaction.{f}"),
                k,
                value(format!("p.first_{f}")),
                any(COMPANY_PERSONS, format!("p.first_{f}")),
            ));
            all.push(field(
                format!("lead_generation.{f}"),
                k,
                value(format!("p.lead_{f}")),
                any(COMPANY_PERSONS, format!("p.lead_{f}")),
            ));
            all.push(field(
                format!("conversion.{f}"),
                k,
                any(PERSON_SUBMISSIONS, format!("s.conv_{f}")),
                any(COMPANY_SUBMISSIONS, format!("s.conv_{f}")),
            ));
            all.push(field(
                format!("company.source.{f}"),
                k,
                company_of_person(format!("c.src_{f}")),
                value(format!("c.src_{f}")),
            ));
            all.push(field(
                format!("source.{f}"),
                k,
                None,
                value(format!("c.src_{f}")),
            ));
        }
        all.extend([
            field(
                "status",
                Status,
                value("p.status"),
                any(COMPANY_PERSONS, "p.status"),
            ),
            field(
                "owner",
                Id,
                value("p.owner_id"),
                any(COMPANY_PERSONS, "p.owner_id"),
            ),
            field(
                "country",
                Text,
                value("p.country"),
                any(COMPANY_PERSONS, "p.country"),
            ),
            field(
                "form",
                Text,
                any(PERSON_FORMS, "f.key"),
                any(COMPANY_FORMS, "f.key"),
            ),
            field(
                "email",
                Lower,
                value("p.email_key"),
                any(COMPANY_PERSONS, "p.email_key"),
            ),
            field("name", Text, value("p.name"), value("c.name")),
            field(
                "company.name",
                Text,
                company_of_person("c.name"),
                value("c.name"),
            ),
            field(
                "domain",
                Lower,
                company_of_person("c.domain"),
                value("c.domain"),
            ),
            // A company's persons (the company card lists them); a company is its own id.
            field("company_id", Id, value("p.company_id"), value("c.id")),
            field(
                "created_at",
                Time,
                value("p.created_at"),
                value("c.created_at"),
            ),
        ]);
        all
    });
    &FIELDS
}

/// The names of the fields `entity` can be searched by.
pub(crate) fn field_names(entity: Entity) -> Vec<&'static str> {
    fields()
        .iter()
        .filter(|f| f.target(entity).is_some())
        .map(|f| f.name.as_str())
        .collect()
}

fn find_field(name: &str, entity: Entity) -> Result<&'static Field, Refusal> {
    fields()
        .iter()
        .find(|f| f.name == name && f.target(entity).is_some())
        .ok_or_else(|| {
            Refusal::Malformed(format!(
                "unknown field {name:?} for {}; valid fields: {}",
                entity.plural(),
                field_names(entity).join(", ")
            ))
        })
}

/// A value as a statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Text(String),
    Int(i64),
}

/// What a leaf asks of its field's value, ready for SQL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Eq(Scalar),
    In(Vec<Scalar>),
    /// A LIKE pattern with `\` as escape character, wildcards in the value escaped.
    Like(String),
    Empty,
    NotEmpty,
    Gte(Scalar),
    Lte(Scalar),
    /// `from <= value < until` (a whole day).
    Range(i64, i64),
}

/// One criterion, with the spelling it was given in (kept for [`Criteria::to_json`]).
#[derive(Debug, Clone)]
pub struct Condition {
    pub(crate) field: &'static Field,
    pub(crate) op: Op,
    pub(crate) value: Value,
    pub(crate) test: Test,
}

/// A parsed, checked criteria tree.
#[derive(Debug, Clone)]
pub enum Criteria {
    All(Vec<Criteria>),
    Any(Vec<Criteria>),
    Leaf(Condition),
    /// The members of a static selection (not part of the public syntax).
    MemberOf(i64),
}

// A criterion that cannot be used is a `Refusal::Malformed`; the message names the field
// or operator and lists the valid ones.

/// Deepest nesting and most leaves a JSON tree may have: enough for any hand-written
/// query, and keeps a hostile request from building an enormous statement.
const MAX_DEPTH: usize = 8;
const MAX_LEAVES: usize = 200;
const MAX_IN_VALUES: usize = 1000;

impl Criteria {
    /// Everything.
    pub(crate) fn everything() -> Criteria {
        Criteria::All(Vec::new())
    }

    /// Both trees.
    pub(crate) fn and(self, other: Criteria) -> Criteria {
        Criteria::All(vec![self, other])
    }

    /// The query-string form: `(key, value)` pairs, keys `field` or `field[op]`, all ANDed.
    pub(crate) fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        entity: Entity,
    ) -> Result<Criteria, Refusal> {
        let mut leaves = Vec::new();
        for (key, raw) in pairs {
            let (name, op) = match key.split_once('[') {
                Some((name, rest)) => {
                    let op = rest.strip_suffix(']').ok_or_else(|| {
                        Refusal::Malformed(format!(
                            "malformed criterion {key:?}; write field=value or field[op]=value"
                        ))
                    })?;
                    (name, parse_op(op, name)?)
                }
                None => (key, Op::Eq),
            };
            let field = find_field(name, entity)?;
            let value = if op == Op::In {
                Value::Array(
                    raw.split(',')
                        .map(|v| Value::String(v.to_owned()))
                        .collect(),
                )
            } else {
                Value::String(raw.to_owned())
            };
            leaves.push(Criteria::Leaf(condition(field, op, value)?));
            if leaves.len() > MAX_LEAVES {
                return Err(Refusal::Malformed(format!(
                    "more than {MAX_LEAVES} criteria"
                )));
            }
        }
        Ok(Criteria::All(leaves))
    }

    /// The JSON tree form. `{}` and `{"all": []}` match everything.
    pub(crate) fn from_json(tree: &Value, entity: Entity) -> Result<Criteria, Refusal> {
        let mut leaves = 0;
        parse_node(tree, entity, 0, &mut leaves)
    }

    /// The JSON tree form of this tree (what selections store).
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Criteria::All(items) => {
                json!({ "all": items.iter().map(Criteria::to_json).collect::<Vec<_>>() })
            }
            Criteria::Any(items) => {
                json!({ "any": items.iter().map(Criteria::to_json).collect::<Vec<_>>() })
            }
            Criteria::Leaf(c) => {
                let mut leaf = Map::new();
                leaf.insert("field".into(), Value::String(c.field.name.clone()));
                leaf.insert("op".into(), Value::String(c.op.name().into()));
                if !matches!(c.op, Op::Empty | Op::NotEmpty) {
                    leaf.insert("value".into(), c.value.clone());
                }
                Value::Object(leaf)
            }
            Criteria::MemberOf(id) => json!({ "member_of": id }),
        }
    }
}

fn parse_op(name: &str, field: &str) -> Result<Op, Refusal> {
    Op::from_name(name).ok_or_else(|| {
        Refusal::Malformed(format!(
            "unknown operator {name:?} on {field}; valid operators: {}",
            Op::ALL.map(Op::name).join(", ")
        ))
    })
}

fn parse_node(
    node: &Value,
    entity: Entity,
    depth: usize,
    leaves: &mut usize,
) -> Result<Criteria, Refusal> {
    if depth > MAX_DEPTH {
        return Err(Refusal::Malformed(format!(
            "criteria nest deeper than {MAX_DEPTH} levels"
        )));
    }
    let object = node.as_object().ok_or_else(|| {
        Refusal::Malformed(format!(
            "a criteria node must be an object with \"all\", \"any\" or \"field\", not {node}"
        ))
    })?;
    if object.is_empty() {
        return Ok(Criteria::everything());
    }
    for group in ["all", "any"] {
        if let Some(items) = object.get(group) {
            if object.len() != 1 {
                return Err(Refusal::Malformed(format!(
                    "a node with \"{group}\" has no other keys"
                )));
            }
            let items = items.as_array().ok_or_else(|| {
                Refusal::Malformed(format!("\"{group}\" must be an array of criteria"))
            })?;
            let children = items
                .iter()
                .map(|item| parse_node(item, entity, depth + 1, leaves))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(if group == "all" {
                Criteria::All(children)
            } else {
                Criteria::Any(children)
            });
        }
    }
    if let Some(extra) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "field" | "op" | "value"))
    {
        return Err(Refusal::Malformed(format!(
            "unknown key {extra:?} in a criterion; a leaf has \"field\", \"op\" and \"value\", a group \"all\" or \"any\""
        )));
    }
    let name = object
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| Refusal::Malformed("a criterion needs \"field\" (a string)".to_owned()))?;
    let op = match object.get("op") {
        None => Op::Eq,
        Some(Value::String(op)) => parse_op(op, name)?,
        Some(other) => {
            return Err(Refusal::Malformed(format!(
                "\"op\" of {name} must be a string, not {other}"
            )))
        }
    };
    let field = find_field(name, entity)?;
    *leaves += 1;
    if *leaves > MAX_LEAVES {
        return Err(Refusal::Malformed(format!(
            "more than {MAX_LEAVES} criteria"
        )));
    }
    let value = object.get("value").cloned().unwrap_or(Value::Null);
    Ok(Criteria::Leaf(condition(field, op, value)?))
}

/// Checks `op` against the field's kind and reads the value.
fn condition(field: &'static Field, op: Op, value: Value) -> Result<Condition, Refusal> {
    let name = field.name.as_str();
    if !field.kind.ops().contains(&op) {
        return Err(Refusal::Malformed(format!(
            "operator {:?} does not apply to {name}; valid for {name}: {}",
            op.name(),
            field
                .kind
                .ops()
                .iter()
                .map(|o| o.name())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let test = match op {
        Op::Empty => Test::Empty,
        Op::NotEmpty => Test::NotEmpty,
        Op::In => {
            let items: Vec<Value> = match &value {
                Value::Array(items) => items.clone(),
                Value::String(s) => s.split(',').map(|v| Value::String(v.to_owned())).collect(),
                other => {
                    return Err(Refusal::Malformed(format!(
                        "{name}: \"in\" takes a list of values, not {other}"
                    )))
                }
            };
            if items.is_empty() {
                return Err(Refusal::Malformed(format!(
                    "{name}: \"in\" needs at least one value"
                )));
            }
            if items.len() > MAX_IN_VALUES {
                return Err(Refusal::Malformed(format!(
                    "{name}: \"in\" takes at most {MAX_IN_VALUES} values"
                )));
            }
            Test::In(
                items
                    .iter()
                    .map(|v| scalar(field, v))
                    .collect::<Result<_, _>>()?,
            )
        }
        Op::Contains => {
            let text = text_of(field, &value)?;
            Test::Like(format!("%{}%", escape_like(&normalise(field, &text))))
        }
        Op::Eq | Op::Gte | Op::Lte if field.kind == ValueKind::Time => {
            let text = text_of(field, &value)?;
            let (from, until, is_day) = parse_time(&text).ok_or_else(|| {
                Refusal::Malformed(format!(
                    "{name}: {text:?} is not a time (use RFC 3339, e.g. 2025-06-01T12:00:00Z, or YYYY-MM-DD)"
                ))
            })?;
            // A day means the whole day: `lte 2025-06-30` includes June 30.
            match (op, is_day) {
                (Op::Eq, true) => Test::Range(from, until),
                (Op::Eq, false) => Test::Eq(Scalar::Int(from)),
                (Op::Gte, _) => Test::Gte(Scalar::Int(from)),
                (_, true) => Test::Lte(Scalar::Int(until - 1)),
                _ => Test::Lte(Scalar::Int(from)),
            }
        }
        Op::Eq => Test::Eq(scalar(field, &value)?),
        Op::Gte => Test::Gte(scalar(field, &value)?),
        Op::Lte => Test::Lte(scalar(field, &value)?),
    };
    Ok(Condition {
        field,
        op,
        value,
        test,
    })
}

fn text_of(field: &Field, value: &Value) -> Result<String, Refusal> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err(Refusal::Malformed(format!(
            "{}: a value is required",
            field.name
        ))),
        other => Err(Refusal::Malformed(format!(
            "{}: expected a single value, not {other}",
            field.name
        ))),
    }
}

fn normalise(field: &Field, text: &str) -> String {
    use leadtrail_core::identity::{ascii_domain, Email};
    match field.kind {
        // E-mail keys and company domains are stored canonical (IDNA domains, composed
        // letters): a whole address or domain is made so too; a fragment for `contains`
        // can only be lower-cased.
        ValueKind::Lower => match Email::parse(text) {
            Ok(email) => email.key,
            Err(_) if field.name == "domain" => {
                ascii_domain(text.trim()).unwrap_or_else(|| text.trim().to_lowercase())
            }
            Err(_) => text.trim().to_lowercase(),
        },
        _ => text.to_owned(),
    }
}

fn scalar(field: &Field, value: &Value) -> Result<Scalar, Refusal> {
    let text = text_of(field, value)?;
    let name = &field.name;
    match field.kind {
        ValueKind::Text | ValueKind::Lower => Ok(Scalar::Text(normalise(field, &text))),
        ValueKind::Status => {
            let status = text.trim();
            if LEAD_STATUSES.contains(&status) {
                Ok(Scalar::Text(status.to_owned()))
            } else {
                Err(Refusal::Malformed(format!(
                    "{name}: {text:?} is not a lead status; valid: {}",
                    LEAD_STATUSES.join(", ")
                )))
            }
        }
        ValueKind::Id => text.trim().parse::<i64>().map(Scalar::Int).map_err(|_| {
            Refusal::Malformed(format!("{name}: {text:?} is not an id (a whole number)"))
        }),
        ValueKind::Time => parse_time(&text)
            .map(|(from, _, _)| Scalar::Int(from))
            .ok_or_else(|| Refusal::Malformed(format!("{name}: {text:?} is not a time"))),
    }
}

/// `(start ms, end ms exclusive, whether it was a whole day)`; a timestamp is its own
/// one-millisecond span.
fn parse_time(text: &str) -> Option<(i64, i64, bool)> {
    let text = text.trim();
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        let ms = t.as_millisecond();
        return Some((ms, ms + 1, false));
    }
    let day = text.parse::<jiff::civil::Date>().ok()?;
    let start = day.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    let next = day
        .tomorrow()
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    Some((start.as_millisecond(), next.as_millisecond(), true))
}

/// Escapes LIKE's wildcards (and the escape character) so they match themselves.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One page of results in the request's id order; `next` is the last id when more may follow.
#[derive(Debug, Clone)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next: Option<i64>,
}

/// A search: the tree, where to continue, how many, and in which direction: ids ascending
/// from above `after`, or with `newest_first` descending from below it (ids grow with
/// creation, so that is newest first).
#[derive(Debug, Clone)]
pub(crate) struct SearchRequest {
    pub(crate) criteria: Criteria,
    pub(crate) after: Option<i64>,
    pub(crate) limit: usize,
    pub(crate) newest_first: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SelectionKind {
    Static,
    Dynamic,
}

impl SelectionKind {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            SelectionKind::Static => "static",
            SelectionKind::Dynamic => "dynamic",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<SelectionKind> {
        [SelectionKind::Static, SelectionKind::Dynamic]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// A saved selection. `criteria` is the stored JSON tree (parse it with
/// [`Criteria::from_json`] to evaluate a dynamic selection).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Selection {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) entity: Entity,
    pub(crate) kind: SelectionKind,
    pub(crate) criteria: Value,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct NewSelection {
    pub(crate) name: String,
    pub(crate) entity: Entity,
    pub(crate) kind: SelectionKind,
    pub(crate) criteria: Criteria,
}

/// Why a selection write is refused, as every backend words it; nothing was written.
pub(crate) mod refused {
    use super::Entity;
    use crate::refusal::Refusal;

    pub(crate) fn no_selection(id: i64) -> Refusal {
        Refusal::not_found(format!("no selection with id {id}"))
    }

    /// Members are only kept (and changed) for static selections.
    pub(crate) fn not_static() -> Refusal {
        Refusal::invalid(
            "kind",
            "members are added and removed only in static selections; a dynamic selection's \
             members follow its criteria",
        )
    }

    /// The criteria of a static selection were evaluated at creation; changing them later
    /// would misstate what the member list is.
    pub(crate) fn criteria_of_static() -> Refusal {
        Refusal::invalid(
            "criteria",
            "a static selection keeps the members found when it was created; change its \
             members instead, or create a dynamic selection",
        )
    }

    /// Ids that are not persons (or companies) of the selection's entity.
    pub(crate) fn unknown_members(entity: Entity, ids: &[i64]) -> Refusal {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        Refusal::invalid(
            "ids",
            format!("no {} with id {}", entity.name(), ids.join(", ")),
        )
    }
}

#[async_trait]
pub(crate) trait SearchStore: Send + Sync {
    async fn search_persons(&self, request: SearchRequest) -> StoreResult<Page<Person>>;
    async fn search_companies(&self, request: SearchRequest) -> StoreResult<Page<Company>>;
    /// How many rows of `entity` match.
    async fn count_matches(&self, entity: Entity, criteria: Criteria) -> StoreResult<u64>;

    /// Creates a selection; a static one gets the members the criteria find now, in the
    /// same transaction.
    async fn create_selection(&self, new: NewSelection) -> StoreResult<Selection>;
    /// Every selection, by id.
    async fn selections(&self) -> StoreResult<Vec<Selection>>;
    async fn selection(&self, id: i64) -> StoreResult<Option<Selection>>;
    /// Renames, and for a dynamic selection replaces its criteria.
    async fn update_selection(
        &self,
        id: i64,
        name: Option<String>,
        criteria: Option<Criteria>,
    ) -> StoreResult<Refused<Selection>>;
    /// Whether it existed.
    async fn delete_selection(&self, id: i64) -> StoreResult<bool>;
    /// Adds (or removes) members of a static selection; all or nothing. Returns how many
    /// rows changed (ids already in, or not in, change nothing).
    async fn change_members(&self, id: i64, ids: Vec<i64>, add: bool) -> StoreResult<Refused<u64>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(c: &Criteria) -> &Condition {
        match c {
            Criteria::All(items) => leaf(&items[0]),
            Criteria::Leaf(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn query_string_keys_and_operators() {
        let c = Criteria::from_query(
            [
                ("lead_generation.source", "LinkedIn "),
                ("status[in]", "open,qualified"),
            ],
            Entity::Person,
        )
        .unwrap();
        let Criteria::All(items) = &c else { panic!() };
        assert_eq!(items.len(), 2);
        assert_eq!(
            leaf(&items[0]).test,
            Test::Eq(Scalar::Text("linkedin".into()))
        );
        assert_eq!(
            leaf(&items[1]).test,
            Test::In(vec![
                Scalar::Text("open".into()),
                Scalar::Text("qualified".into())
            ])
        );
    }

    #[test]
    fn unknown_field_and_operator_name_the_valid_ones() {
        let e = Criteria::from_query([("nope", "x")], Entity::Person).unwrap_err();
        assert!(
            e.to_string().contains("\"nope\"") && e.to_string().contains("lead_generation.source"),
            "{e}"
        );
        let e = Criteria::from_query([("name[like]", "x")], Entity::Person).unwrap_err();
        assert!(
            e.to_string().contains("\"like\"") && e.to_string().contains("not_empty"),
            "{e}"
        );
        let e = Criteria::from_query([("created_at[contains]", "x")], Entity::Person).unwrap_err();
        assert!(
            e.to_string().contains("created_at") && e.to_string().contains("gte"),
            "{e}"
        );
        let e = Criteria::from_query([("source.source", "x")], Entity::Person).unwrap_err();
        assert!(e.to_string().contains("source.source"), "{e}");
        assert!(Criteria::from_query([("source.source", "x")], Entity::Company).is_ok());
    }

    #[test]
    fn days_cover_the_whole_day_and_timestamps_are_exact() {
        let c = Criteria::from_query([("created_at[lte]", "2025-06-30")], Entity::Person).unwrap();
        assert_eq!(leaf(&c).test, Test::Lte(Scalar::Int(1_751_327_999_999)));
        let c = Criteria::from_query([("created_at[gte]", "2025-06-30")], Entity::Person).unwrap();
        assert_eq!(leaf(&c).test, Test::Gte(Scalar::Int(1_751_241_600_000)));
        let c = Criteria::from_query([("created_at", "2025-06-30")], Entity::Person).unwrap();
        assert_eq!(
            leaf(&c).test,
            Test::Range(1_751_241_600_000, 1_751_328_000_000)
        );
        let c = Criteria::from_query(
            [("created_at[gte]", "2025-06-30T12:00:00+02:00")],
            Entity::Person,
        )
        .unwrap();
        assert_eq!(leaf(&c).test, Test::Gte(Scalar::Int(1_751_277_600_000)));
        let e =
            Criteria::from_query([("created_at[gte]", "yesterday")], Entity::Person).unwrap_err();
        assert!(e.to_string().starts_with("created_at:"), "{e}");
    }

    #[test]
    fn contains_escapes_wildcards() {
        let c = Criteria::from_query([("name[contains]", "50%_\\")], Entity::Person).unwrap();
        assert_eq!(leaf(&c).test, Test::Like("%50\\%\\_\\\\%".into()));
    }

    #[test]
    fn json_trees_round_trip() {
        let tree = json!({"any": [
            {"field": "lead_generation.source", "op": "eq", "value": "linkedin"},
            {"all": [
                {"field": "status", "op": "in", "value": ["open", "qualified"]},
                {"field": "country", "op": "empty"}
            ]}
        ]});
        let parsed = Criteria::from_json(&tree, Entity::Person).unwrap();
        assert_eq!(parsed.to_json(), tree);
        let again = Criteria::from_json(&parsed.to_json(), Entity::Person).unwrap();
        assert_eq!(again.to_json(), tree);
    }

    #[test]
    fn bad_trees_are_refused() {
        for (tree, needle) in [
            (json!([]), "must be an object"),
            (json!({"all": {}}), "array"),
            (json!({"all": [], "any": []}), "no other keys"),
            (json!({"field": "status", "value": "won"}), "status:"),
            (json!({"field": "owner", "value": "x"}), "owner:"),
            (json!({"field": "status", "op": 3}), "op"),
            (json!({"field": "name", "valu": 3}), "valu"),
            (json!({"field": "name"}), "value is required"),
            (
                json!({"field": "name", "op": "in", "value": []}),
                "at least one",
            ),
        ] {
            let e = Criteria::from_json(&tree, Entity::Person).unwrap_err();
            assert!(e.to_string().contains(needle), "{tree}: {e}");
        }
        let mut deep = json!({"field": "name", "value": "x"});
        for _ in 0..20 {
            deep = json!({ "all": [deep] });
        }
        assert!(Criteria::from_json(&deep, Entity::Person).is_err());
    }

    #[test]
    fn company_id_finds_a_company_s_persons() {
        let c = Criteria::from_query([("company_id", "42")], Entity::Person).unwrap();
        let Condition { field, test, .. } = leaf(&c);
        assert_eq!(field.name, "company_id");
        assert!(matches!(field.person, Some(Target::Value(ref sql)) if sql == "p.company_id"));
        assert!(format!("{test:?}").contains("42"), "{test:?}");
        let err =
            Criteria::from_query([("company_id[contains]", "4")], Entity::Person).unwrap_err();
        assert!(err.to_string().contains("contains"), "{}", err.to_string());
        assert!(Criteria::from_query([("company_id", "x")], Entity::Person).is_err());
    }

    #[test]
    fn every_field_has_a_target_and_unique_name() {
        let mut names: Vec<_> = fields().iter().map(|f| f.name.as_str()).collect();
        assert!(fields()
            .iter()
            .all(|f| f.person.is_some() || f.company.is_some()));
        let before = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
