//! SQLite side of [`JourneyStore`]: one row per submission that carried a journey (table
//! `journeys`, 0017), written by the writer with the submission, read per person.
//!
//! The rows hold core's journey text, so a post costs one insert of a compact text; the
//! channels are worked out when read, with the aliases of that moment, as reclassifying
//! would.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use leadtrail_core::{journey, Touch};
use rusqlite::{Connection, OptionalExtension};

use super::links_channels::{load_aliases, prepare_touch};
use super::SqliteStore;
use crate::store::journeys::{
    CompanyJourney, CompanyPerson, JourneyStore, JourneySubmission, JourneyTouch, PersonJourney,
    COMPANY_JOURNEY_PERSONS,
};
use crate::store::{CompanyId, PersonId, StoreResult, SubmissionId};

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

/// The journeys up to the lead of the persons created in `[from_ms, to_ms)`, in one query
/// for a report over many leads: per person, the touches their creating submission
/// carried, by time, each with its channel. A person whose creating post carried no
/// journey is absent.
pub(crate) fn lead_journeys_created(
    c: &Connection,
    from_ms: i64,
    to_ms: i64,
) -> rusqlite::Result<HashMap<PersonId, Vec<(Touch, &'static str)>>> {
    let aliases = load_aliases(c)?;
    let mut statement = c.prepare_cached(
        "SELECT j.person_id, j.touches FROM journeys j JOIN persons p ON p.id = j.person_id \
         WHERE p.created_at >= ?1 AND p.created_at < ?2 \
           AND j.submission_id = (SELECT min(s.id) FROM submissions s WHERE s.person_id = j.person_id)",
    )?;
    let mut rows = statement.query((from_ms, to_ms))?;
    let mut out = HashMap::new();
    while let Some(row) = rows.next()? {
        let person: PersonId = row.get(0)?;
        let text: String = row.get(1)?;
        let mut touches: Vec<(Touch, &'static str)> = journey::decode(&text)
            .iter()
            .map(|touch| {
                let (touch, class) = prepare_touch(touch, None, &aliases);
                (touch, class.channel.unwrap_or("unassigned"))
            })
            .collect();
        touches.sort_by_key(|(touch, _)| touch.at.unwrap_or(i64::MAX));
        out.insert(person, touches);
    }
    Ok(out)
}

/// The journeys of the company's persons (the oldest [`COMPANY_JOURNEY_PERSONS`]), each
/// read as [`person_journey`] reads it, and when the company's first deal was won: a deal
/// of the company's own or of one of its persons. `None` for no such company.
pub(crate) fn company_journey(
    c: &Connection,
    company_id: CompanyId,
) -> rusqlite::Result<Option<CompanyJourney>> {
    let exists = c
        .prepare_cached("SELECT 1 FROM companies WHERE id = ?1")?
        .query_row([company_id], |_| Ok(()))
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let listed: Vec<(PersonId, Option<String>, String)> = c
        .prepare_cached(
            "SELECT id, name, email FROM persons WHERE company_id = ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map((company_id, COMPANY_JOURNEY_PERSONS), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let total: i64 = c
        .prepare_cached("SELECT count(*) FROM persons WHERE company_id = ?1")?
        .query_row([company_id], |row| row.get(0))?;
    let mut persons = Vec::with_capacity(listed.len());
    for (id, name, email) in listed {
        // A person erased since the list was read is left out.
        if let Some(journey) = person_journey(c, id)? {
            persons.push(CompanyPerson {
                id,
                name,
                email,
                journey,
            });
        }
    }
    let first_won_deal_at: Option<i64> = c
        .prepare_cached(
            "SELECT min(coalesce(closed_at, at)) FROM sales WHERE status = 'won' \
             AND (company_id = ?1 OR person_id IN (SELECT id FROM persons WHERE company_id = ?1))",
        )?
        .query_row([company_id], |row| row.get(0))?;
    Ok(Some(CompanyJourney {
        persons_left_out: total - i64::try_from(persons.len()).unwrap_or(i64::MAX),
        persons,
        first_won_deal_at,
    }))
}

#[async_trait]
impl JourneyStore for SqliteStore {
    async fn person_journey(&self, id: PersonId) -> StoreResult<Option<PersonJourney>> {
        self.read(move |c| person_journey(c, id)).await
    }

    async fn company_journey(&self, id: CompanyId) -> StoreResult<Option<CompanyJourney>> {
        self.read(move |c| company_journey(c, id)).await
    }
}

#[cfg(test)]
mod tests {
    use leadtrail_core::identity::Email;
    use leadtrail_core::TouchOrigin;

    use super::*;
    use crate::store::{IncomingSubmission, Store};

    const T0: i64 = 1_750_000_000_000;

    fn touch(source: &str, medium: &str, at: i64) -> Touch {
        Touch {
            source: Some(source.into()),
            medium: Some(medium.into()),
            at: Some(at),
            ..Touch::default()
        }
    }

    fn post(email: &str, at: i64, journey: Vec<Touch>) -> IncomingSubmission {
        IncomingSubmission {
            form_key: "contact".into(),
            channel: "form".into(),
            email: Email::parse(email).unwrap(),
            name: None,
            company: None,
            country: None,
            phone: None,
            payload: serde_json::Map::new(),
            first: journey.first().cloned(),
            current: journey.last().cloned().unwrap_or_default(),
            journey,
            origin: TouchOrigin::Tracker,
            received_at: at,
            consent_policy: Default::default(),
            requester: Default::default(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lead_journeys_are_the_creating_posts_by_time_with_channels() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("leadtrail.db")).unwrap();
        let lead = vec![
            touch("linkedin", "paid_social", T0),
            touch("google", "organic", T0 + 1),
        ];
        let ada = store
            .record_submission(post("ada@acme.example", T0 + 10, lead.clone()))
            .await
            .unwrap();
        // A later post of Ada's is not her lead's journey.
        let mut later = lead.clone();
        later.push(touch("newsletter", "email", T0 + 20));
        store
            .record_submission(post("ada@acme.example", T0 + 30, later))
            .await
            .unwrap();
        // A person created outside the period is left out, and one without a journey too.
        store
            .record_submission(post("old@acme.example", T0 - 1_000, lead))
            .await
            .unwrap();
        store
            .record_submission(post("none@acme.example", T0 + 40, Vec::new()))
            .await
            .unwrap();

        let journeys = store
            .read(move |c| lead_journeys_created(c, T0, T0 + 1_000))
            .await
            .unwrap();
        assert_eq!(journeys.len(), 1, "{journeys:?}");
        let touches = &journeys[&ada.person_id];
        let read: Vec<_> = touches
            .iter()
            .map(|(t, channel)| (t.source.as_deref().unwrap(), *channel))
            .collect();
        assert_eq!(
            read,
            [("linkedin", "paid_social"), ("google", "organic_search")]
        );

        let whole = store.person_journey(ada.person_id).await.unwrap().unwrap();
        assert_eq!(whole.touches.len(), 3);
        assert_eq!(
            whole
                .touches
                .iter()
                .map(|t| t.before_lead)
                .collect::<Vec<_>>(),
            [true, true, false]
        );
    }
}
