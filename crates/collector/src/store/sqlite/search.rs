//! SQLite side of [`crate::store::SearchStore`]: compiles a [`Criteria`] tree into a WHERE
//! clause with `?` parameters (values never become SQL text), pages by id, and keeps
//! selections.
//!
//! Plans (measured on 100k persons with 200k submissions, no ANALYZE): equality and `in`
//! on a first/lead source, medium or campaign use the `(x_source, created_at)` indexes and
//! sort only the matches by id (< 1 ms a page); criteria on related rows (conversion,
//! form, a company's persons, a person's company) are uncorrelated `IN (SELECT …)` lists
//! read once (conversion source ≈ 10 ms a page) — correlated `EXISTS` ran the value's
//! index once per person and took minutes. Criteria without an index walk the table in id
//! order and stop after a page.

mod model;
#[cfg(test)]
mod model_tests;
mod state;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::{schema, SqliteStore};
use crate::refusal::Refused;
use crate::store::search::{
    refused, Criteria, Entity, NewSelection, Page, Scalar, SearchRequest, Selection, SelectionKind,
    Target, Test,
};
use crate::store::{Company, Person, SearchStore, StoreResult};
use crate::time::now_ms;
use model::Bits;
use state::ModelHandle;
pub(crate) use state::SearchState;

/// A WHERE clause and its parameters, in order.
#[derive(Debug, Default)]
pub(super) struct Where {
    pub(crate) sql: String,
    pub(crate) params: Vec<SqlValue>,
}

impl Where {
    pub(crate) fn of(criteria: &Criteria, entity: Entity) -> Where {
        let mut w = Where::default();
        w.push(criteria, entity);
        w
    }

    fn push(&mut self, criteria: &Criteria, entity: Entity) {
        match criteria {
            Criteria::All(items) | Criteria::Any(items) if items.is_empty() => {
                // An empty AND is true; an empty OR is false.
                self.sql.push_str(if matches!(criteria, Criteria::All(_)) {
                    "1"
                } else {
                    "0"
                });
            }
            Criteria::All(items) | Criteria::Any(items) => {
                let joiner = if matches!(criteria, Criteria::All(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.sql.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(joiner);
                    }
                    self.push(item, entity);
                }
                self.sql.push(')');
            }
            Criteria::MemberOf(selection) => {
                self.sql.push_str(alias(entity));
                self.sql.push_str(
                    ".id IN (SELECT member_id FROM selection_members WHERE selection_id = ?)",
                );
                self.params.push(SqlValue::Integer(*selection));
            }
            Criteria::Leaf(condition) => {
                // The parser only accepts fields that have a target for the entity; a
                // tree built otherwise matches nothing rather than panicking.
                match condition.field.target(entity) {
                    Some(Target::Value(expr)) => self.test(expr, &condition.test),
                    Some(Target::Any { select, column }) => {
                        self.sql
                            .push_str(&format!("{}.id IN ({select} WHERE ", alias(entity)));
                        self.test(column, &condition.test);
                        self.sql.push(')');
                    }
                    Some(Target::One {
                        key,
                        select,
                        column,
                    }) => {
                        // Without a related row the value is empty.
                        let empty = condition.test == Test::Empty;
                        if empty {
                            self.sql.push_str(&format!("({key} IS NULL OR "));
                        }
                        self.sql.push_str(&format!("{key} IN ({select} WHERE "));
                        self.test(column, &condition.test);
                        self.sql.push(')');
                        if empty {
                            self.sql.push(')');
                        }
                    }
                    None => self.sql.push('0'),
                }
            }
        }
    }

    fn test(&mut self, expr: &str, test: &Test) {
        let sql = &mut self.sql;
        match test {
            Test::Eq(v) => {
                sql.push_str(&format!("{expr} = ?"));
                self.params.push(sql_value(v));
            }
            Test::In(values) => {
                let marks = vec!["?"; values.len()].join(", ");
                sql.push_str(&format!("{expr} IN ({marks})"));
                self.params.extend(values.iter().map(sql_value));
            }
            Test::Like(pattern) => {
                sql.push_str(&format!("{expr} LIKE ? ESCAPE '\\'"));
                self.params.push(SqlValue::Text(pattern.clone()));
            }
            Test::Empty => sql.push_str(&format!("({expr} IS NULL OR {expr} = '')")),
            Test::NotEmpty => sql.push_str(&format!("({expr} IS NOT NULL AND {expr} <> '')")),
            Test::Gte(v) => {
                sql.push_str(&format!("{expr} >= ?"));
                self.params.push(sql_value(v));
            }
            Test::Lte(v) => {
                sql.push_str(&format!("{expr} <= ?"));
                self.params.push(sql_value(v));
            }
            Test::Range(from, until) => {
                sql.push_str(&format!("({expr} >= ? AND {expr} < ?)"));
                self.params.push(SqlValue::Integer(*from));
                self.params.push(SqlValue::Integer(*until));
            }
        }
    }
}

fn sql_value(v: &Scalar) -> SqlValue {
    match v {
        Scalar::Text(t) => SqlValue::Text(t.clone()),
        Scalar::Int(n) => SqlValue::Integer(*n),
    }
}

const fn alias(entity: Entity) -> &'static str {
    match entity {
        Entity::Person => "p",
        Entity::Company => "c",
    }
}

const fn table(entity: Entity) -> &'static str {
    match entity {
        Entity::Person => "persons",
        Entity::Company => "companies",
    }
}

/// The column list of a shared `SELECT … FROM table` statement, so that search reads rows
/// exactly as the rest of the store does (and follows it when columns are added).
fn column_list(select: &str, table: &str) -> String {
    select
        .strip_prefix("SELECT ")
        .and_then(|rest| rest.strip_suffix(&format!(" FROM {table}")))
        .unwrap_or_else(|| panic!("unexpected shape of the shared select: {select}"))
        .to_owned()
}

static PERSON_COLUMNS: LazyLock<String> =
    LazyLock::new(|| column_list(&schema::SELECT_PERSON, "persons"));
static COMPANY_COLUMNS: LazyLock<String> =
    LazyLock::new(|| column_list(&schema::SELECT_COMPANY, "companies"));

/// `SELECT <columns> FROM <table> WHERE id IN (<one page of matching ids>) ORDER BY id`:
/// the page is found on the narrow id query (which can use the attribution indexes), and
/// only its rows are read in full. Newest first, the ids run down from below the cursor.
fn page_sql(entity: Entity, columns: &str, where_sql: &str, newest_first: bool) -> String {
    let (t, a) = (table(entity), alias(entity));
    let (beyond, order) = if newest_first {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    format!(
        "SELECT {columns} FROM {t} WHERE id IN \
         (SELECT {a}.id FROM {t} {a} WHERE {where_sql} AND {a}.id {beyond} ? \
         ORDER BY {a}.id {order} LIMIT ?) \
         ORDER BY id {order}"
    )
}

fn page_params(w: Where, request: &SearchRequest) -> Vec<SqlValue> {
    let mut params = w.params;
    let start = if request.newest_first {
        i64::MAX
    } else {
        i64::MIN
    };
    params.push(SqlValue::Integer(request.after.unwrap_or(start)));
    params.push(SqlValue::Integer(
        i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX),
    ));
    params
}

/// Trims the extra row fetched to learn whether another page follows.
fn into_page<T>(mut items: Vec<T>, limit: usize, id: impl Fn(&T) -> i64) -> Page<T> {
    let more = items.len() > limit;
    items.truncate(limit);
    let next = if more { items.last().map(id) } else { None };
    Page { items, next }
}

fn selection_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Selection> {
    let bad = |i: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
    };
    let entity: String = row.get(2)?;
    let kind: String = row.get(3)?;
    let criteria: String = row.get(4)?;
    Ok(Selection {
        id: row.get(0)?,
        name: row.get(1)?,
        entity: Entity::from_name(&entity).ok_or_else(|| bad(2, format!("entity {entity:?}")))?,
        kind: SelectionKind::from_name(&kind).ok_or_else(|| bad(3, format!("kind {kind:?}")))?,
        criteria: serde_json::from_str(&criteria).map_err(|e| bad(4, e.to_string()))?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

const SELECT_SELECTION: &str =
    "SELECT id, name, entity, kind, criteria, created_at, updated_at FROM selections";

fn read_selection(c: &Connection, id: i64) -> rusqlite::Result<Option<Selection>> {
    c.prepare_cached(&format!("{SELECT_SELECTION} WHERE id = ?1"))?
        .query_row([id], selection_from_row)
        .optional()
}

/// The static selections a tree names (`MemberOf`), with their member ids, for the model.
fn members_of(
    c: &Connection,
    criteria: &Criteria,
    out: &mut HashMap<i64, Vec<i64>>,
) -> rusqlite::Result<()> {
    match criteria {
        Criteria::All(items) | Criteria::Any(items) => {
            for item in items {
                members_of(c, item, out)?;
            }
        }
        Criteria::MemberOf(id) if !out.contains_key(id) => {
            let ids = c
                .prepare_cached("SELECT member_id FROM selection_members WHERE selection_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            out.insert(*id, ids);
        }
        Criteria::MemberOf(_) | Criteria::Leaf(_) => {}
    }
    Ok(())
}

/// The model's answer for `criteria`, or `None` when it cannot decide the tree.
fn model_matches(
    c: &Connection,
    model: &ModelHandle,
    criteria: &Criteria,
    entity: Entity,
) -> rusqlite::Result<Option<Arc<Bits>>> {
    let mut members = HashMap::new();
    members_of(c, criteria, &mut members)?;
    Ok(model.matches(criteria, entity, &members))
}

/// The rows of `ids` (one page, in the page's order); rows deleted since the model
/// answered are left out.
fn rows_by_id<T>(
    c: &Connection,
    entity: Entity,
    ids: &[i64],
    newest_first: bool,
    read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let columns = match entity {
        Entity::Person => &*PERSON_COLUMNS,
        Entity::Company => &*COMPANY_COLUMNS,
    };
    let sql = format!(
        "SELECT {columns} FROM {} WHERE id IN ({}) ORDER BY id {}",
        table(entity),
        vec!["?"; ids.len()].join(", "),
        if newest_first { "DESC" } else { "ASC" }
    );
    let rows = c
        .prepare_cached(&sql)?
        .query_map(params_from_iter(ids), read)?
        .collect();
    rows
}

/// One page through SQL alone.
fn sql_page<T>(
    c: &Connection,
    entity: Entity,
    request: &SearchRequest,
    read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let w = Where::of(&request.criteria, entity);
    let columns = match entity {
        Entity::Person => &*PERSON_COLUMNS,
        Entity::Company => &*COMPANY_COLUMNS,
    };
    let sql = page_sql(entity, columns, &w.sql, request.newest_first);
    let params = page_params(w, request);
    let rows = c
        .prepare(&sql)?
        .query_map(params_from_iter(params), read)?
        .collect();
    rows
}

impl SqliteStore {
    /// One page of `entity` (one more row than asked, to tell whether another follows): ids
    /// from the model when it is loaded and decides the tree, rows from SQLite.
    async fn page<T: Send + 'static>(
        &self,
        entity: Entity,
        request: SearchRequest,
        read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> StoreResult<Vec<T>> {
        let model = self.search.model(&self.writer);
        self.read(move |c| {
            if let Some(model) = model {
                if let Some(bits) = model_matches(c, &model, &request.criteria, entity)? {
                    let ids = bits.page(
                        request.after,
                        request.limit.saturating_add(1),
                        request.newest_first,
                    );
                    return rows_by_id(c, entity, &ids, request.newest_first, read);
                }
            }
            sql_page(c, entity, &request, read)
        })
        .await
    }
}

#[async_trait]
impl SearchStore for SqliteStore {
    async fn search_persons(&self, request: SearchRequest) -> StoreResult<Page<Person>> {
        let limit = request.limit;
        let rows = self
            .page(Entity::Person, request, schema::person_from_row)
            .await?;
        Ok(into_page(rows, limit, |p| p.id))
    }

    async fn search_companies(&self, request: SearchRequest) -> StoreResult<Page<Company>> {
        let limit = request.limit;
        let rows = self
            .page(Entity::Company, request, schema::company_from_row)
            .await?;
        Ok(into_page(rows, limit, |r| r.id))
    }

    async fn count_matches(&self, entity: Entity, criteria: Criteria) -> StoreResult<u64> {
        let model = self.search.model(&self.writer);
        let w = Where::of(&criteria, entity);
        let sql = format!(
            "SELECT count(*) FROM {} {} WHERE {}",
            table(entity),
            alias(entity),
            w.sql
        );
        self.read(move |c| {
            if let Some(model) = model {
                if let Some(bits) = model_matches(c, &model, &criteria, entity)? {
                    return Ok(bits.count());
                }
            }
            c.prepare(&sql)?
                .query_row(params_from_iter(w.params), |row| row.get::<_, i64>(0))
                .map(|n| u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn create_selection(&self, new: NewSelection) -> StoreResult<Selection> {
        let criteria_json = new.criteria.to_json().to_string();
        let members = (new.kind == SelectionKind::Static).then(|| {
            let w = Where::of(&new.criteria, new.entity);
            let (t, a) = (table(new.entity), alias(new.entity));
            (
                format!(
                    "INSERT INTO selection_members (selection_id, member_id, added_at) \
                     SELECT ?, {a}.id, ? FROM {t} {a} WHERE {}",
                    w.sql
                ),
                w.params,
            )
        });
        let now = now_ms();
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "INSERT INTO selections (name, entity, kind, criteria, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                )?
                .execute(rusqlite::params![
                    new.name,
                    new.entity.name(),
                    new.kind.name(),
                    criteria_json,
                    now
                ])?;
                let id = c.last_insert_rowid();
                if let Some((sql, params)) = &members {
                    let mut all = vec![SqlValue::Integer(id), SqlValue::Integer(now)];
                    all.extend(params.iter().cloned());
                    c.prepare(sql)?.execute(params_from_iter(all))?;
                }
                read_selection(c, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
            })
            .await
    }

    async fn selections(&self) -> StoreResult<Vec<Selection>> {
        self.read(|c| {
            c.prepare_cached(&format!("{SELECT_SELECTION} ORDER BY id"))?
                .query_map([], selection_from_row)?
                .collect()
        })
        .await
    }

    async fn selection(&self, id: i64) -> StoreResult<Option<Selection>> {
        self.read(move |c| read_selection(c, id)).await
    }

    async fn update_selection(
        &self,
        id: i64,
        name: Option<String>,
        criteria: Option<Criteria>,
    ) -> StoreResult<Refused<Selection>> {
        let criteria = criteria.map(|c| c.to_json().to_string());
        let now = now_ms();
        self.writer
            .apply(move |c| {
                let Some(current) = read_selection(c, id)? else {
                    return Ok(Err(refused::no_selection(id)));
                };
                if criteria.is_some() && current.kind == SelectionKind::Static {
                    return Ok(Err(refused::criteria_of_static()));
                }
                c.prepare_cached(
                    "UPDATE selections SET name = coalesce(?1, name), \
                     criteria = coalesce(?2, criteria), updated_at = ?3 WHERE id = ?4",
                )?
                .execute(rusqlite::params![name, criteria, now, id])?;
                read_selection(c, id)?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)
                    .map(Ok)
            })
            .await
    }

    async fn delete_selection(&self, id: i64) -> StoreResult<bool> {
        self.writer
            .apply(move |c| {
                // selection_members rows go with it (ON DELETE CASCADE).
                c.prepare_cached("DELETE FROM selections WHERE id = ?1")?
                    .execute([id])
                    .map(|n| n > 0)
            })
            .await
    }

    async fn change_members(&self, id: i64, ids: Vec<i64>, add: bool) -> StoreResult<Refused<u64>> {
        let now = now_ms();
        self.writer
            .apply(move |c| {
                let Some(selection) = read_selection(c, id)? else {
                    return Ok(Err(refused::no_selection(id)));
                };
                if selection.kind != SelectionKind::Static {
                    return Ok(Err(refused::not_static()));
                }
                let mut changed = 0u64;
                if add {
                    let exists = format!(
                        "SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)",
                        table(selection.entity)
                    );
                    let mut unknown = Vec::new();
                    for member in &ids {
                        let found: bool =
                            c.prepare_cached(&exists)?.query_row([member], |r| r.get(0))?;
                        if !found {
                            unknown.push(*member);
                        }
                    }
                    if !unknown.is_empty() {
                        return Ok(Err(refused::unknown_members(selection.entity, &unknown)));
                    }
                    let mut insert = c.prepare_cached(
                        "INSERT OR IGNORE INTO selection_members (selection_id, member_id, added_at) \
                         VALUES (?1, ?2, ?3)",
                    )?;
                    for member in &ids {
                        changed += insert.execute(rusqlite::params![id, member, now])? as u64;
                    }
                } else {
                    let mut delete = c.prepare_cached(
                        "DELETE FROM selection_members WHERE selection_id = ?1 AND member_id = ?2",
                    )?;
                    for member in &ids {
                        changed += delete.execute(rusqlite::params![id, member])? as u64;
                    }
                }
                if changed > 0 {
                    c.prepare_cached("UPDATE selections SET updated_at = ?1 WHERE id = ?2")?
                        .execute(rusqlite::params![now, id])?;
                }
                Ok(Ok(changed))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::search::fields;

    fn migrated() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        schema::MIGRATIONS.to_latest(&mut c).unwrap();
        c
    }

    fn plan(c: &Connection, entity: Entity, w: &Where) -> String {
        let (t, a) = (table(entity), alias(entity));
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT {a}.id FROM {t} {a} WHERE {} AND {a}.id > ? ORDER BY {a}.id LIMIT ?",
            w.sql
        );
        let mut params = w.params.clone();
        params.push(SqlValue::Integer(0));
        params.push(SqlValue::Integer(51));
        c.prepare(&sql)
            .unwrap()
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
            .join("; ")
    }

    /// Every field with every operator compiles to SQL SQLite accepts, values only ever as
    /// parameters, and no criterion becomes a correlated subquery (run once per row).
    #[test]
    fn every_field_and_operator_compiles_without_values_in_the_sql() {
        let c = migrated();
        let hostile = "x' OR '1'='1";
        for entity in [Entity::Person, Entity::Company] {
            for field in fields().iter().filter(|f| f.target(entity).is_some()) {
                for op in field.kind.ops() {
                    let value = match (field.kind, op) {
                        (crate::store::search::ValueKind::Time, _) => "2025-06-01",
                        (crate::store::search::ValueKind::Status, _) => "open",
                        (crate::store::search::ValueKind::Id, _) => "7",
                        _ => hostile,
                    };
                    let key = format!("{}[{}]", field.name, op.name());
                    let criteria = Criteria::from_query([(key.as_str(), value)], entity).unwrap();
                    let w = Where::of(&criteria, entity);
                    assert!(!w.sql.contains("OR '1'"), "{key}: {}", w.sql);
                    let plan = plan(&c, entity, &w);
                    assert!(!plan.contains("CORRELATED"), "{key}: {plan}");
                }
            }
        }
    }

    #[test]
    fn attribution_equality_uses_its_index() {
        let c = migrated();
        for (key, index) in [
            ("lead_generation.source", "persons_lead_source"),
            ("first_interaction.campaign", "persons_first_campaign"),
            ("conversion.medium", "submissions_conv_medium"),
            ("company.source.source", "companies_src_source"),
        ] {
            let criteria = Criteria::from_query([(key, "linkedin")], Entity::Person).unwrap();
            let plan = plan(&c, Entity::Person, &Where::of(&criteria, Entity::Person));
            assert!(plan.contains(index), "{key}: {plan}");
        }
    }
}
