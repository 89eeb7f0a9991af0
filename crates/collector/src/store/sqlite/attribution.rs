//! SQLite side of [`AttributionStore`]: read by SQL, not from the tiles' model, which
//! keeps neither the first interaction's medium, campaign and channel nor touch times.
//!
//! A lead's stored journey is the one its creating submission (the person's oldest)
//! carried (table `journeys`); its touches are merged through today's aliases and
//! classified by today's rules, as the person's journey reads them. A lead without one —
//! stored before journeys were, or posted without the tracker — reads as
//! `[first interaction, lead-generation touch]`.
use std::collections::HashMap;

use async_trait::async_trait;
use rusqlite::{params, Connection};

use super::journeys::lead_journeys_created;
use super::SqliteStore;
use crate::attribution::report::LeadJourney;
use crate::attribution::{journey, Touchpoint};
use crate::store::attribution::{AttributionStore, LeadFilter};
use crate::store::StoreResult;

/// A touch from five columns: source, medium, campaign, channel, at.
fn touchpoint(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Touchpoint> {
    Ok(Touchpoint {
        source: row.get(at)?,
        medium: row.get(at + 1)?,
        campaign: row.get(at + 2)?,
        channel: row.get(at + 3)?,
        at: row.get(at + 4)?,
    })
}

/// The leads of `filter` with their journeys and won sales, on one connection (cost and
/// return reads them in the same transaction as its costs).
pub(crate) fn lead_journeys(
    c: &Connection,
    filter: &LeadFilter,
) -> rusqlite::Result<Vec<LeadJourney>> {
    let mut statement = c.prepare_cached(
        "SELECT id, created_at, \
                first_source, first_medium, first_campaign, first_channel, first_at, \
                lead_source, lead_medium, lead_campaign, lead_channel, lead_at \
         FROM persons \
         WHERE created_at >= ?1 AND created_at < ?2 \
           AND (?3 IS NULL OR owner_id = ?3) AND (?4 IS NULL OR country = ?4) \
         ORDER BY created_at, id",
    )?;
    let params = params![filter.from_ms, filter.to_ms, filter.owner, filter.country];
    let rows: Vec<(LeadJourney, Touchpoint, Touchpoint)> = statement
        .query_map(params, |row| {
            let lead = LeadJourney {
                person_id: row.get(0)?,
                lead_at: row.get(1)?,
                touches: Vec::new(),
                won: Vec::new(),
            };
            Ok((lead, touchpoint(row, 2)?, touchpoint(row, 7)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stored = stored_journeys(c, filter)?;
    let mut leads: Vec<LeadJourney> = rows
        .into_iter()
        .map(|(mut lead, first, last)| {
            let stored = stored.remove(&lead.person_id).unwrap_or_default();
            lead.touches = journey(first, last, stored);
            lead
        })
        .collect();
    let slot: HashMap<i64, usize> = leads
        .iter()
        .enumerate()
        .map(|(i, lead)| (lead.person_id, i))
        .collect();
    let mut statement = c.prepare_cached(
        "SELECT s.person_id, s.currency, s.amount_minor FROM sales s \
         JOIN persons p ON p.id = s.person_id \
         WHERE s.status = 'won' AND p.created_at >= ?1 AND p.created_at < ?2 \
           AND (?3 IS NULL OR p.owner_id = ?3) AND (?4 IS NULL OR p.country = ?4) \
         ORDER BY s.id",
    )?;
    let mut rows = statement.query(params)?;
    while let Some(row) = rows.next()? {
        let person: i64 = row.get(0)?;
        if let Some(i) = slot.get(&person) {
            leads[*i].won.push((row.get(1)?, row.get(2)?));
        }
    }
    Ok(leads)
}

/// The stored journeys up to the lead of the leads of `filter`'s period, by person (the
/// owner and country are narrowed by the caller, which looks up only its leads).
fn stored_journeys(
    c: &Connection,
    filter: &LeadFilter,
) -> rusqlite::Result<HashMap<i64, Vec<Touchpoint>>> {
    Ok(lead_journeys_created(c, filter.from_ms, filter.to_ms)?
        .into_iter()
        .map(|(person, touches)| {
            let touches = touches
                .into_iter()
                .map(|(touch, channel)| Touchpoint {
                    source: touch.source,
                    medium: touch.medium,
                    campaign: touch.campaign,
                    channel: Some(channel.to_owned()),
                    at: touch.at,
                })
                .collect();
            (person, touches)
        })
        .collect())
}

#[async_trait]
impl AttributionStore for SqliteStore {
    async fn lead_journeys(&self, filter: LeadFilter) -> StoreResult<Vec<LeadJourney>> {
        self.read(move |c| lead_journeys(c, &filter)).await
    }
}
