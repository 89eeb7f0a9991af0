//! SQLite side of [`crate::store::LinkStore`]: aliases, saved links, known values, and
//! reclassification of stored touches (the same step the writer applies to new ones, see
//! [`super::links_channels`]).
use async_trait::async_trait;
use leadtrail_core::channel::{AliasError, SourceAliases};
use leadtrail_core::clean::normalise_name;
use rusqlite::Connection;

use super::links_channels::{self, alias_pairs, load_aliases, prepare_touch};
use super::schema::{self, touch_columns, TOUCH_WIDTH};
use super::SqliteStore;
use crate::refusal::{Refusal, Refused};
use crate::store::links::{
    KnownValues, NewSavedLink, ReclassifyBatch, SavedLink, SourceAlias, TouchRole,
};
use crate::store::{LinkStore, StoreResult};

/// The table and column prefix of a role's inline touch.
const fn role_columns(role: TouchRole) -> (&'static str, &'static str) {
    match role {
        TouchRole::FirstInteraction => ("persons", schema::FIRST),
        TouchRole::LeadGeneration => ("persons", schema::LEAD),
        TouchRole::Conversion => ("submissions", schema::CONVERSION),
        TouchRole::CompanySource => ("companies", schema::COMPANY_SOURCE),
    }
}

const SAVED_LINK_COLUMNS: &str = "id, campaign, name, url, target, source, medium, term, \
                                  content, utm_id, channel, created_at";

fn saved_link_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SavedLink> {
    Ok(SavedLink {
        id: row.get(0)?,
        link: NewSavedLink {
            campaign: row.get(1)?,
            name: row.get(2)?,
            url: row.get(3)?,
            target: row.get(4)?,
            source: row.get(5)?,
            medium: row.get(6)?,
            term: row.get(7)?,
            content: row.get(8)?,
            utm_id: row.get(9)?,
            channel: row.get(10)?,
            created_at: row.get(11)?,
        },
    })
}

/// Distinct non-null values of one indexed column, by a loose index scan: one index seek
/// per distinct value (`min(col) WHERE col > previous`), so a million rows with fifty
/// sources cost fifty seeks, not a million-entry scan. Every touch column read here leads
/// an index (0001 and 0003 create them).
fn distinct_indexed(
    connection: &Connection,
    table: &str,
    column: &str,
    limit: usize,
) -> rusqlite::Result<Vec<String>> {
    connection
        .prepare_cached(&format!(
            "WITH RECURSIVE v(x) AS ( \
               SELECT (SELECT min({column}) FROM {table}) \
               UNION ALL \
               SELECT (SELECT min({column}) FROM {table} WHERE {column} > v.x) FROM v \
               WHERE v.x IS NOT NULL LIMIT ?1 \
             ) SELECT x FROM v WHERE x IS NOT NULL"
        ))?
        .query_map([limit as i64 + 1], |row| row.get(0))?
        .collect()
}

/// Distinct values of a touch field over every role and the saved links, sorted.
fn distinct_field(
    connection: &Connection,
    field: &str,
    limit: usize,
) -> rusqlite::Result<Vec<String>> {
    let mut values = std::collections::BTreeSet::new();
    for role in TouchRole::ALL {
        let (table, prefix) = role_columns(role);
        values.extend(distinct_indexed(
            connection,
            table,
            &format!("{prefix}_{field}"),
            limit,
        )?);
    }
    // Saved links are few; a plain DISTINCT is fine.
    let saved: Vec<String> = connection
        .prepare_cached(&format!(
            "SELECT DISTINCT {field} FROM saved_links LIMIT ?1"
        ))?
        .query_map([limit as i64], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    values.extend(saved);
    Ok(values.into_iter().take(limit).collect())
}

fn known_values(connection: &Connection, limit: usize) -> rusqlite::Result<KnownValues> {
    Ok(KnownValues {
        sources: distinct_field(connection, "source", limit)?,
        mediums: distinct_field(connection, "medium", limit)?,
        campaigns: distinct_field(connection, "campaign", limit)?,
    })
}

/// One batch of reclassification on the writer's connection.
fn reclassify(
    connection: &Connection,
    role: TouchRole,
    after: i64,
    limit: usize,
) -> rusqlite::Result<ReclassifyBatch> {
    let (table, p) = role_columns(role);
    let aliases = load_aliases(connection)?;
    let select = format!(
        "SELECT id, {}, {p}_channel, {p}_rules_version, {p}_raw_source FROM {table} \
         WHERE id > ?1 ORDER BY id LIMIT ?2",
        touch_columns(p)
    );
    let update = format!(
        "UPDATE {table} SET {p}_source = ?1, {p}_channel = ?2, {p}_rules_version = ?3, \
         {p}_raw_source = ?4, {p}_medium = ?5 WHERE id = ?6"
    );
    let mut batch = ReclassifyBatch::default();
    let rows: Vec<_> = connection
        .prepare_cached(&select)?
        .query_map((after, limit as i64), |row| {
            Ok((
                row.get::<_, i64>(0)?,
                schema::touch_from_row(row, 1)?,
                row.get::<_, Option<String>>(1 + TOUCH_WIDTH)?,
                row.get::<_, Option<i64>>(2 + TOUCH_WIDTH)?,
                row.get::<_, Option<String>>(3 + TOUCH_WIDTH)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut statement = connection.prepare_cached(&update)?;
    for (id, touch, channel, version, raw_source) in rows {
        batch.scanned += 1;
        batch.last_id = Some(id);
        let (stored, class) = prepare_touch(&touch, raw_source.as_deref(), &aliases);
        let channel_changed = class.channel != channel.as_deref();
        let source_changed = stored.source != touch.source;
        // A medium that only the referrer gave follows the lists (`referral` → `email`).
        let medium_changed = stored.medium != touch.medium;
        if channel_changed
            || source_changed
            || medium_changed
            || class.rules_version != version
            || class.raw_source != raw_source
        {
            statement.execute((
                &stored.source,
                class.channel,
                class.rules_version,
                &class.raw_source,
                &stored.medium,
                id,
            ))?;
            batch.updated += 1;
            batch.channel_changed += u64::from(channel_changed);
            batch.source_changed += u64::from(source_changed);
        }
    }
    Ok(batch)
}

/// Adds or replaces an alias after checking the whole table with it.
fn put_alias(
    connection: &Connection,
    alias: &str,
    source: &str,
    now: i64,
) -> rusqlite::Result<Result<SourceAlias, AliasError>> {
    let invalid_alias = || AliasError::InvalidAlias {
        alias: alias.to_owned(),
    };
    let Some(key) = normalise_name(alias) else {
        return Ok(Err(invalid_alias()));
    };
    let Some(target) = normalise_name(source) else {
        return Ok(Err(AliasError::InvalidSource {
            alias: alias.to_owned(),
            source: source.to_owned(),
        }));
    };
    let mut pairs: Vec<(String, String)> = alias_pairs(connection)?
        .into_iter()
        .filter(|(a, _)| *a != key)
        .collect();
    pairs.push((key.clone(), target.clone()));
    if let Err(error) = SourceAliases::builtin_with(pairs) {
        return Ok(Err(error));
    }
    connection
        .prepare_cached(
            "INSERT INTO source_aliases (alias, source, created_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (alias) DO UPDATE SET source = excluded.source, \
             created_at = excluded.created_at",
        )?
        .execute((&key, &target, now))?;
    links_channels::forget_writer_aliases();
    Ok(Ok(SourceAlias {
        alias: key,
        source: target,
        created_at: now,
    }))
}

#[async_trait]
impl LinkStore for SqliteStore {
    async fn source_aliases(&self) -> StoreResult<Vec<SourceAlias>> {
        self.read(|c| {
            c.prepare_cached("SELECT alias, source, created_at FROM source_aliases ORDER BY alias")?
                .query_map([], |row| {
                    Ok(SourceAlias {
                        alias: row.get(0)?,
                        source: row.get(1)?,
                        created_at: row.get(2)?,
                    })
                })?
                .collect()
        })
        .await
    }

    async fn put_source_alias(
        &self,
        alias: &str,
        source: &str,
        now: i64,
    ) -> StoreResult<Result<SourceAlias, AliasError>> {
        let (alias, source) = (alias.to_owned(), source.to_owned());
        self.writer
            .apply(move |c| put_alias(c, &alias, &source, now))
            .await
    }

    async fn delete_source_alias(&self, alias: &str) -> StoreResult<bool> {
        let key = normalise_name(alias).unwrap_or_default();
        self.writer
            .apply(move |c| {
                let deleted = c
                    .prepare_cached("DELETE FROM source_aliases WHERE alias = ?1")?
                    .execute([&key])?;
                links_channels::forget_writer_aliases();
                Ok(deleted > 0)
            })
            .await
    }

    async fn effective_aliases(&self) -> StoreResult<SourceAliases> {
        self.read(load_aliases).await
    }

    async fn known_link_values(&self, limit: usize) -> StoreResult<KnownValues> {
        self.read(move |c| known_values(c, limit)).await
    }

    async fn saved_links(&self, campaign: Option<String>) -> StoreResult<Vec<SavedLink>> {
        self.read(move |c| {
            c.prepare_cached(&format!(
                "SELECT {SAVED_LINK_COLUMNS} FROM saved_links \
                 WHERE ?1 IS NULL OR campaign = ?1 ORDER BY campaign, name, id"
            ))?
            .query_map([campaign], saved_link_from_row)?
            .collect()
        })
        .await
    }

    async fn save_link(&self, link: NewSavedLink) -> StoreResult<Refused<SavedLink>> {
        self.writer
            .apply(move |c| {
                let l = &link;
                let inserted = c
                    .prepare_cached(
                        "INSERT INTO saved_links (campaign, name, url, target, source, medium, \
                         term, content, utm_id, channel, created_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
                         ON CONFLICT (campaign, name) DO NOTHING",
                    )?
                    .execute((
                        &l.campaign,
                        &l.name,
                        &l.url,
                        &l.target,
                        &l.source,
                        &l.medium,
                        &l.term,
                        &l.content,
                        &l.utm_id,
                        &l.channel,
                        l.created_at,
                    ))?;
                if inserted == 0 {
                    return Ok(Err(Refusal::invalid(
                        "name",
                        format!(
                            "campaign {:?} already has a link named {:?}",
                            l.campaign, l.name
                        ),
                    )));
                }
                Ok(Ok(SavedLink {
                    id: c.last_insert_rowid(),
                    link: l.clone(),
                }))
            })
            .await
    }

    async fn delete_saved_link(&self, id: i64) -> StoreResult<bool> {
        self.writer
            .apply(move |c| {
                Ok(c.prepare_cached("DELETE FROM saved_links WHERE id = ?1")?
                    .execute([id])?
                    > 0)
            })
            .await
    }

    async fn touch_rows(&self, role: TouchRole) -> StoreResult<u64> {
        let (table, _) = role_columns(role);
        self.read(move |c| {
            c.prepare_cached(&format!("SELECT count(*) FROM {table}"))?
                .query_row([], |row| row.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
        })
        .await
    }

    async fn reclassify_batch(
        &self,
        role: TouchRole,
        after: i64,
        limit: usize,
    ) -> StoreResult<ReclassifyBatch> {
        let limit = limit.max(1);
        self.writer
            .apply(move |c| reclassify(c, role, after, limit))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrated() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        schema::MIGRATIONS.to_latest(&mut c).unwrap();
        c
    }

    #[test]
    fn known_values_are_distinct_sorted_and_capped() {
        let c = migrated();
        for (i, source) in ["linkedin", "google", "linkedin", "facebook", "google"]
            .iter()
            .enumerate()
        {
            c.execute(
                "INSERT INTO persons (email, email_key, created_at, lead_source, first_source, \
                 lead_medium) VALUES (?1, ?1, 0, ?2, 'newsletter', 'cpc')",
                (format!("p{i}@x.example"), source),
            )
            .unwrap();
        }
        let known = known_values(&c, 100).unwrap();
        assert_eq!(
            known.sources,
            ["facebook", "google", "linkedin", "newsletter"]
        );
        assert_eq!(known.mediums, ["cpc"]);
        assert!(known.campaigns.is_empty());
        assert_eq!(known_values(&c, 2).unwrap().sources, ["facebook", "google"]);
    }

    /// The loose index scan seeks the index; it never scans the table.
    #[test]
    fn known_values_seek_the_indexes() {
        let c = migrated();
        for role in TouchRole::ALL {
            let (table, prefix) = role_columns(role);
            for field in ["source", "medium", "campaign"] {
                let column = format!("{prefix}_{field}");
                let plan: Vec<String> = c
                    .prepare(&format!(
                        "EXPLAIN QUERY PLAN SELECT min({column}) FROM {table} WHERE {column} > 'a'"
                    ))
                    .unwrap()
                    .query_map([], |row| row.get::<_, String>(3))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                assert!(
                    plan.iter().all(|step| !step.starts_with("SCAN")),
                    "{column}: {plan:?}"
                );
            }
        }
    }
}
