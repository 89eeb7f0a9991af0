//! SQLite side of [`crate::store::TileStore`]: tiles from the in-memory model ([`super::dash`]),
//! the selection list and drill-downs from SQL by id, dashboards in the `dashboards` table.
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};
use serde_json::{json, Value};

use super::{schema, SqliteStore};
use crate::refusal::Refusal;
use crate::store::attribution::{AttributionStore, LeadFilter};
use crate::store::tiles::ATTRIBUTION_TILE;
use crate::store::tiles::{
    DashboardInput, FilterValues, ModelStats, OwnerValue, StoredDashboard, TileFilter, TileResult,
};
use crate::store::{Person, StoreError, StoreResult, TileStore};
use crate::time::{now_ms, rfc3339};

/// The selection-list tile shows at most this many persons.
const SELECTION_ROWS: usize = 100;

fn dashboard_from_row(row: &Row<'_>) -> rusqlite::Result<StoredDashboard> {
    let tiles: String = row.get(2)?;
    let filters: String = row.get(3)?;
    let bad = |e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
    };
    Ok(StoredDashboard {
        id: row.get(0)?,
        name: row.get(1)?,
        tiles: serde_json::from_str(&tiles).map_err(bad)?,
        filters: serde_json::from_str(&filters).map_err(bad)?,
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
    })
}

const DASHBOARD_COLUMNS: &str = "id, name, tiles, filters, created_at, updated_at";

impl SqliteStore {
    /// Persons by id, in the order given (ids that no longer exist are left out).
    async fn persons_by_ids(&self, ids: Vec<i64>) -> StoreResult<Vec<Person>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(move |c| {
            let marks = vec!["?"; ids.len()].join(", ");
            let mut statement =
                c.prepare(&format!("{} WHERE id IN ({marks})", *schema::SELECT_PERSON))?;
            let mut found: Vec<Person> = statement
                .query_map(
                    rusqlite::params_from_iter(ids.iter()),
                    schema::person_from_row,
                )?
                .collect::<rusqlite::Result<_>>()?;
            found.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
            Ok(found)
        })
        .await
    }

    async fn selection_rows(&self, filter: TileFilter) -> StoreResult<TileResult<Vec<Value>>> {
        let Some(selection) = filter.selection else {
            return Ok(Err(Refusal::invalid(
                "selection",
                "selection-list needs ?selection=ID",
            )));
        };
        let found: Option<(String, String, String, String)> = self
            .read(move |c| {
                c.query_row(
                    "SELECT name, entity, kind, criteria FROM selections WHERE id = ?1",
                    [selection],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
            })
            .await?;
        let Some((name, entity, kind, criteria)) = found else {
            return Ok(Err(Refusal::invalid(
                "selection",
                format!("there is no selection {selection}"),
            )));
        };
        if entity != "person" {
            return Ok(Err(Refusal::invalid(
                "selection",
                format!("selection {selection} lists companies, not persons"),
            )));
        }
        if kind == "dynamic" {
            return self.dynamic_selection_rows(name, &criteria, filter).await;
        }
        self.read(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT p.id, p.email, p.name, p.country, p.status, p.created_at \
                 FROM selection_members m JOIN persons p ON p.id = m.member_id \
                 WHERE m.selection_id = ?1 AND (?2 IS NULL OR p.owner_id = ?2) \
                   AND (?3 IS NULL OR p.country = ?3) \
                 ORDER BY p.created_at DESC, p.id DESC LIMIT ?4",
            )?;
            let rows = statement
                .query_map(
                    params![
                        selection,
                        filter.owner,
                        filter.country,
                        SELECTION_ROWS as i64
                    ],
                    |r| {
                        let created: i64 = r.get(5)?;
                        Ok(person_row(
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            Some(r.get(4)?),
                            created,
                            &name,
                        ))
                    },
                )?
                .collect::<rusqlite::Result<Vec<Value>>>()?;
            Ok(Ok(rows))
        })
        .await
    }

    /// A dynamic selection's criteria, evaluated now by the search engine, narrowed by the
    /// owner and country filters; the first [`SELECTION_ROWS`] persons by id.
    async fn dynamic_selection_rows(
        &self,
        name: String,
        criteria: &str,
        filter: TileFilter,
    ) -> StoreResult<TileResult<Vec<Value>>> {
        use crate::store::search::{Criteria, Entity, SearchRequest};
        use crate::store::SearchStore;
        let tree: Value = serde_json::from_str(criteria).unwrap_or(Value::Null);
        let stored = match Criteria::from_json(&tree, Entity::Person) {
            Ok(c) => c,
            Err(e) => {
                return Ok(Err(Refusal::invalid(
                    "selection",
                    format!("the selection's criteria are not valid: {e}"),
                )))
            }
        };
        let owner = filter.owner.map(|o| o.to_string());
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(owner) = owner.as_deref() {
            pairs.push(("owner", owner));
        }
        if let Some(country) = filter.country.as_deref() {
            pairs.push(("country", country));
        }
        let narrowed = match Criteria::from_query(pairs, Entity::Person) {
            Ok(narrow) => Criteria::All(vec![stored, narrow]),
            Err(e) => {
                return Ok(Err(Refusal::invalid(
                    "selection",
                    format!("cannot filter the selection: {e}"),
                )))
            }
        };
        let page = self
            .search_persons(SearchRequest {
                criteria: narrowed,
                after: None,
                limit: SELECTION_ROWS,
                newest_first: false,
            })
            .await?;
        Ok(Ok(page
            .items
            .into_iter()
            .map(|p| person_row(p.id, p.email, p.name, p.country, None, p.created_at, &name))
            .collect()))
    }
}

/// A selection-list row.
fn person_row(
    id: i64,
    email: String,
    name: Option<String>,
    country: Option<String>,
    status: Option<String>,
    created_at: i64,
    selection: &str,
) -> Value {
    json!({
        "label": name.clone().unwrap_or_else(|| email.clone()),
        "key": id.to_string(),
        "value": email,
        "person_id": id,
        "name": name,
        "country": country,
        "status": status,
        "created_at": rfc3339(created_at),
        "selection": selection,
    })
}

/// A dashboard's content as the JSON columns store it.
fn input_columns(input: &DashboardInput) -> StoreResult<(String, String)> {
    let tiles = serde_json::to_string(&input.tiles)
        .map_err(|e| StoreError::Internal(format!("cannot encode tiles: {e}")))?;
    let filters = serde_json::to_string(&input.filters)
        .map_err(|e| StoreError::Internal(format!("cannot encode filters: {e}")))?;
    Ok((tiles, filters))
}

fn quality_scope(filter: &TileFilter) -> super::quality::PersonScope {
    super::quality::PersonScope {
        owner: filter.owner,
        country: filter.country.clone(),
    }
}

#[async_trait]
impl TileStore for SqliteStore {
    async fn tile_rows(
        &self,
        tile: &'static str,
        filter: TileFilter,
    ) -> StoreResult<TileResult<Vec<Value>>> {
        if tile == "selection-list" {
            return self.selection_rows(filter).await;
        }
        if tile == "attribution-quality" {
            // Read by SQL, not from the model: see the quality store.
            let report = self
                .quality_report_of(filter.from_ms, filter.to_ms, quality_scope(&filter))
                .await?;
            return Ok(Ok(report.tile_rows()));
        }
        if tile == ATTRIBUTION_TILE {
            // Read by SQL (touch times and whole journeys are not in the model). The API
            // draws it under the model and grouping asked for; here the defaults.
            use crate::attribution::{report::report, By, Model, DEFAULT_HALF_LIFE_MS};
            let leads = self
                .lead_journeys(LeadFilter {
                    from_ms: filter.from_ms,
                    to_ms: filter.to_ms,
                    owner: filter.owner,
                    country: filter.country,
                })
                .await?;
            let report = report(
                Model::LastTouch,
                By::Source,
                &leads,
                &[],
                DEFAULT_HALF_LIFE_MS,
            );
            return Ok(Ok(crate::attribution::figures::attribution_tile_rows(
                report,
            )));
        }
        let facts = self.dash.facts(&self.writer).await?;
        tokio::task::spawn_blocking(move || {
            let facts = facts.read().unwrap_or_else(|p| p.into_inner());
            facts.tile(tile, &filter)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("tile task failed: {e}")))
    }

    async fn tile_persons(
        &self,
        tile: &'static str,
        filter: TileFilter,
        key: Option<String>,
        limit: usize,
    ) -> StoreResult<TileResult<Vec<Person>>> {
        if tile == "selection-list" {
            return Ok(Err(Refusal::invalid(
                "tile",
                "selection-list rows are persons already",
            )));
        }
        if tile == "attribution-quality" {
            let report = self
                .quality_report_of(filter.from_ms, filter.to_ms, quality_scope(&filter))
                .await?;
            let Some(mut ids) = report.person_ids_of(key.as_deref().unwrap_or("")) else {
                return Ok(Err(Refusal::invalid(
                    "key",
                    format!(
                        "attribution-quality has no row {:?} in this period",
                        key.unwrap_or_default()
                    ),
                )));
            };
            ids.truncate(limit);
            return Ok(Ok(self.persons_by_ids(ids).await?));
        }
        let facts = self.dash.facts(&self.writer).await?;
        let ids = tokio::task::spawn_blocking(move || {
            let facts = facts.read().unwrap_or_else(|p| p.into_inner());
            facts.persons_of(tile, &filter, key.as_deref(), limit)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("tile task failed: {e}")))?;
        match ids {
            Ok(ids) => Ok(Ok(self.persons_by_ids(ids).await?)),
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    async fn tile_filter_values(&self) -> StoreResult<FilterValues> {
        let facts = self.dash.facts(&self.writer).await?;
        let countries_in_use: Vec<String> = self
            .read(|c| {
                c.prepare_cached(
                    "SELECT DISTINCT country FROM persons WHERE country IS NOT NULL ORDER BY country",
                )?
                .query_map([], |r| r.get(0))?
                .collect()
            })
            .await?;
        let facts = facts.read().unwrap_or_else(|p| p.into_inner());
        let mut owners: Vec<OwnerValue> = facts
            .associates
            .iter()
            .map(|(id, name)| OwnerValue {
                id: *id,
                name: name.clone(),
            })
            .collect();
        owners.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(FilterValues {
            owners,
            countries: countries_in_use,
        })
    }

    async fn tile_model_stats(&self) -> StoreResult<ModelStats> {
        let facts = self.dash.facts(&self.writer).await?;
        let facts = facts.read().unwrap_or_else(|p| p.into_inner());
        Ok(ModelStats {
            persons: facts.persons(),
            sales: facts.sales(),
            heap_bytes: facts.heap_bytes(),
        })
    }

    async fn dashboards(&self) -> StoreResult<Vec<StoredDashboard>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {DASHBOARD_COLUMNS} FROM dashboards ORDER BY id"
            ))?
            .query_map([], dashboard_from_row)?
            .collect()
        })
        .await
    }

    async fn dashboard(&self, id: i64) -> StoreResult<Option<StoredDashboard>> {
        self.read(move |c| {
            c.prepare_cached(&format!(
                "SELECT {DASHBOARD_COLUMNS} FROM dashboards WHERE id = ?1"
            ))?
            .query_row([id], dashboard_from_row)
            .optional()
        })
        .await
    }

    async fn create_dashboard(&self, input: DashboardInput) -> StoreResult<StoredDashboard> {
        let (tiles, filters) = input_columns(&input)?;
        let now = now_ms();
        let id = self
            .writer
            .apply(move |c| {
                c.prepare_cached(
                    "INSERT INTO dashboards (name, tiles, filters, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                )?
                .execute(params![input.name, tiles, filters, now])?;
                Ok(c.last_insert_rowid())
            })
            .await?;
        self.dashboard(id)
            .await?
            .ok_or_else(|| StoreError::Internal("the new dashboard is gone".into()))
    }

    async fn replace_dashboard(
        &self,
        id: i64,
        input: DashboardInput,
    ) -> StoreResult<Option<StoredDashboard>> {
        let (tiles, filters) = input_columns(&input)?;
        let now = now_ms();
        let changed = self
            .writer
            .apply(move |c| {
                c.prepare_cached(
                    "UPDATE dashboards SET name = ?2, tiles = ?3, filters = ?4, updated_at = ?5 \
                     WHERE id = ?1",
                )?
                .execute(params![id, input.name, tiles, filters, now])
            })
            .await?;
        if changed == 0 {
            return Ok(None);
        }
        self.dashboard(id).await
    }

    async fn delete_dashboard(&self, id: i64) -> StoreResult<bool> {
        let deleted = self
            .writer
            .apply(move |c| c.execute("DELETE FROM dashboards WHERE id = ?1", [id]))
            .await?;
        Ok(deleted > 0)
    }
}
