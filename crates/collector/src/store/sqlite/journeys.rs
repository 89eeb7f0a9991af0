//! SQLite side of [`JourneyStore`]: one row per submission that carried a journey (table
//! `journeys`, 0018), written by the writer with the submission, read per person.
//!
//! The rows hold core's journey text, so a post costs one insert of a compact text; the
//! channels are worked out when read, with the aliases of that moment, as reclassifying
//! would.

use std::collections::HashSet;

use async_trait::async_trait;
use leadtrail_core::{journey, Touch};
use rusqlite::{Connection, OptionalExtension};

use super::links_channels::{load_aliases, prepare_touch};
use super::SqliteStore;
use crate::store::journeys::{JourneyStore, JourneySubmission, JourneyTouch, PersonJourney};
use crate::store::{PersonId, StoreResult, SubmissionId};

/// Stores the journey a submission carried (nothing for none), on the writer's connection.
pub(super) fn insert(
    connection: &Connection,
    submission_id: SubmissionId,
    person_id: PersonId,
    touches: &[Touch],
) -> rusqlite::Result<()> {
    if touches.is_empty() {
        return Ok(());
    }
    connection
        .prepare_cached(
            "INSERT INTO journeys (submission_id, person_id, touches) VALUES (?1, ?2, ?3)",
        )?
        .execute((submission_id, person_id, journey::encode(touches)))?;
    Ok(())
}

/// The person's journey on one connection; `None` for no such person. The attribution
/// models read the touches whose `before_lead` is set: the journey up to the lead.
pub(crate) fn person_journey(
    c: &Connection,
    person_id: PersonId,
) -> rusqlite::Result<Option<PersonJourney>> {
    let exists = c
        .prepare_cached("SELECT 1 FROM persons WHERE id = ?1")?
        .query_row([person_id], |_| Ok(()))
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let mut submissions: Vec<JourneySubmission> = c
        .prepare_cached(
            "SELECT s.id, s.created_at, f.key, s.channel FROM submissions s \
             JOIN forms f ON f.id = s.form_id WHERE s.person_id = ?1 ORDER BY s.id",
        )?
        .query_map([person_id], |row| {
            Ok(JourneySubmission {
                id: row.get(0)?,
                at: row.get(1)?,
                form_key: row.get(2)?,
                channel: row.get(3)?,
                lead_generation: false,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // The oldest submission created the person.
    let lead_submission = submissions.first().map(|s| s.id);
    if let Some(first) = submissions.first_mut() {
        first.lead_generation = true;
    }
    let aliases = load_aliases(c)?;
    let mut seen = HashSet::new();
    let mut touches = Vec::new();
    let mut statement = c.prepare_cached(
        "SELECT submission_id, touches FROM journeys WHERE person_id = ?1 ORDER BY submission_id",
    )?;
    let mut rows = statement.query([person_id])?;
    while let Some(row) = rows.next()? {
        let submission_id: SubmissionId = row.get(0)?;
        let text: String = row.get(1)?;
        // A later post carries the earlier touches again: each touch once, with the first
        // submission that carried it.
        for touch in journey::decode(&text) {
            if !seen.insert(touch.encode()) {
                continue;
            }
            let (touch, class) = prepare_touch(&touch, None, &aliases);
            touches.push(JourneyTouch {
                touch,
                channel: class.channel.unwrap_or("unassigned"),
                submission_id,
                before_lead: Some(submission_id) == lead_submission,
            });
        }
    }
    touches.sort_by_key(|t| t.touch.at.unwrap_or(i64::MAX));
    Ok(Some(PersonJourney {
        touches,
        submissions,
    }))
}

#[async_trait]
impl JourneyStore for SqliteStore {
    async fn person_journey(&self, id: PersonId) -> StoreResult<Option<PersonJourney>> {
        self.read(move |c| person_journey(c, id)).await
    }
}
