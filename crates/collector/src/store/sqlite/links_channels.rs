//! Channels and source aliases on the write path: what the writer does to a touch before it
//! stores it, and the same step again for `reclassify`.
//!
//! The operator's aliases (table `source_aliases`, laid over core's built-in ones) are read
//! by the writer thread once and cached there. The cache is dropped when the writer itself
//! changes the table ([`forget_writer_aliases`], called by the alias writes, which run on
//! the writer thread) and when another connection — another process, such as the CLI while
//! the server runs — has committed anything (SQLite's `PRAGMA data_version`, one cheap
//! statement per submission). Classifying costs about a microsecond per touch.
//!
//! The form endpoint's submissions arrive already prepared ([`PreparedTouches`], made on
//! the request's thread with the aliases the writer last published): preparing two
//! touches was a tenth of the writer's time, and the writer is the one thread every
//! submission waits for. The writer uses them only if they were made with the very
//! aliases it holds (the same `Arc`), and prepares again otherwise, so an alias change
//! applies to every submission written after it, exactly as before.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use leadtrail_core::channel::hosts::settle;
use leadtrail_core::channel::{classify_with, SourceAliases, RULES_VERSION};
use leadtrail_core::Touch;
use rusqlite::Connection;

use super::schema::Classified;

thread_local! {
    /// The writer thread's aliases and the `data_version` they were read at. Thread-local
    /// because every write runs on its store's one writer thread.
    static WRITER_ALIASES: RefCell<Option<(i64, Arc<SourceAliases>)>> = const { RefCell::new(None) };
    /// Where the writer thread publishes the aliases it loads (set once at its start).
    static WRITER_BOARD: RefCell<Option<Arc<AliasBoard>>> = const { RefCell::new(None) };
}

/// The aliases a store's writer holds now, for the threads that prepare touches ahead of
/// it. Empty until the writer first loads them, and after it dropped them.
#[derive(Debug, Default)]
pub(super) struct AliasBoard(Mutex<Option<Arc<SourceAliases>>>);

impl AliasBoard {
    pub(super) fn current(&self) -> Option<Arc<SourceAliases>> {
        self.0.lock().map_or(None, |held| held.clone())
    }

    fn set(&self, aliases: Option<Arc<SourceAliases>>) {
        if let Ok(mut held) = self.0.lock() {
            *held = aliases;
        }
    }
}

/// Makes this thread (a store's writer) publish its aliases on `board`.
pub(super) fn publish_writer_aliases_on(board: Arc<AliasBoard>) {
    WRITER_BOARD.with(|slot| *slot.borrow_mut() = Some(board));
}

fn publish(aliases: Option<Arc<SourceAliases>>) {
    WRITER_BOARD.with(|slot| {
        if let Some(board) = slot.borrow().as_ref() {
            board.set(aliases);
        }
    });
}

/// A submission's touches as the writer stores them: cleaned, merged through the aliases
/// and classified.
#[derive(Debug, Clone)]
pub(super) struct PreparedTouches {
    /// The aliases they were prepared with.
    aliases: Arc<SourceAliases>,
    /// The first interaction, when the browser remembered one.
    pub(crate) first: Option<(Touch, Classified)>,
    /// The touch that led to the submission.
    pub(crate) current: (Touch, Classified),
}

impl PreparedTouches {
    pub(super) fn new(
        first: Option<&Touch>,
        current: &Touch,
        aliases: Arc<SourceAliases>,
    ) -> PreparedTouches {
        PreparedTouches {
            first: first.map(|touch| prepare_touch(touch, None, &aliases)),
            current: prepare_touch(current, None, &aliases),
            aliases,
        }
    }

    /// True when made with exactly `aliases` (not merely equal ones: the same load).
    pub(super) fn made_with(&self, aliases: &Arc<SourceAliases>) -> bool {
        Arc::ptr_eq(&self.aliases, aliases)
    }

    /// `(first, first_class, current, current_class)` as the attribution rules and the INSERTs
    /// take them. Without a remembered first interaction, its class is the current
    /// touch's, as `Attribution::decide` then takes the current touch as the first.
    pub(super) fn roles(&self) -> (Option<&Touch>, &Classified, &Touch, &Classified) {
        let (current, current_class) = (&self.current.0, &self.current.1);
        match &self.first {
            Some((first, first_class)) => (Some(first), first_class, current, current_class),
            None => (None, current_class, current, current_class),
        }
    }
}

/// The operator's `(alias, source)` pairs, in alias order.
pub(super) fn alias_pairs(connection: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    connection
        .prepare_cached("SELECT alias, source FROM source_aliases ORDER BY alias")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}

/// The built-in aliases with the operator's laid over them. Pairs are checked when they
/// are written; should the table still be unusable (edited by hand), the built-in ones
/// alone are used rather than refusing submissions.
pub(super) fn load_aliases(connection: &Connection) -> rusqlite::Result<SourceAliases> {
    let pairs = alias_pairs(connection)?;
    if pairs.is_empty() {
        return Ok(SourceAliases::builtin().clone());
    }
    Ok(SourceAliases::builtin_with(pairs).unwrap_or_else(|error| {
        tracing::error!(%error, "the source_aliases table is unusable; using the built-in aliases");
        SourceAliases::builtin().clone()
    }))
}

/// The aliases the writer applies, from its cache when nothing changed them.
pub(super) fn writer_aliases(connection: &Connection) -> rusqlite::Result<Arc<SourceAliases>> {
    let version: i64 = connection
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |row| row.get(0))?;
    let cached = WRITER_ALIASES.with(|cache| {
        cache
            .borrow()
            .as_ref()
            .filter(|(at, _)| *at == version)
            .map(|(_, aliases)| Arc::clone(aliases))
    });
    if let Some(aliases) = cached {
        return Ok(aliases);
    }
    let aliases = Arc::new(load_aliases(connection)?);
    WRITER_ALIASES.with(|cache| *cache.borrow_mut() = Some((version, Arc::clone(&aliases))));
    publish(Some(Arc::clone(&aliases)));
    Ok(aliases)
}

/// Drops the writer thread's cached aliases; the next submission reads them again.
pub(super) fn forget_writer_aliases() {
    WRITER_ALIASES.with(|cache| *cache.borrow_mut() = None);
    publish(None);
}

/// A touch ready to be stored: its source merged through the aliases, and its channel.
/// `raw_source` is the source the touch arrived with, when it differs from the stored one
/// (reclassification starts from it). An empty touch stays empty and unclassified.
pub(super) fn prepare_touch(
    touch: &Touch,
    raw_source: Option<&str>,
    aliases: &SourceAliases,
) -> (Touch, Classified) {
    if touch.is_empty() {
        return (touch.clone(), Classified::default());
    }
    let mut stored = touch.clone();
    // Reclassifying starts again from the source as received (kept as `raw_source`); a
    // source and medium that only the referrer gave are settled from the lists, the
    // referring host kept as the raw source (core `channel::hosts::settle`).
    if raw_source.is_some() {
        stored.source = raw_source.map(str::to_owned);
    }
    let raw = settle(&mut stored, aliases);
    let decision = classify_with(&stored, aliases);
    let classified = Classified {
        channel: Some(decision.channel.id()),
        rules_version: Some(i64::from(RULES_VERSION)),
        raw_source: raw,
    };
    (stored, classified)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(source: &str, medium: &str) -> Touch {
        Touch {
            source: Some(source.into()),
            medium: Some(medium.into()),
            click_id: Some("AbC".into()),
            click_id_type: Some("fbclid".into()),
            ..Touch::default()
        }
    }

    #[test]
    fn aliases_rewrite_the_source_and_keep_the_raw_one() {
        let aliases = SourceAliases::builtin_with([("fb", "facebook")]).unwrap();
        let (stored, classified) = prepare_touch(&touch("fb", "paid_social"), None, &aliases);
        assert_eq!(stored.source.as_deref(), Some("facebook"));
        assert_eq!(
            stored.click_id.as_deref(),
            Some("AbC"),
            "click ids keep their case"
        );
        assert_eq!(classified.channel, Some("paid_social"));
        assert_eq!(classified.rules_version, Some(i64::from(RULES_VERSION)));
        assert_eq!(classified.raw_source.as_deref(), Some("fb"));
    }

    #[test]
    fn an_unaliased_source_keeps_no_raw_copy() {
        let (stored, classified) =
            prepare_touch(&touch("linkedin", "cpc"), None, SourceAliases::builtin());
        assert_eq!(stored.source.as_deref(), Some("linkedin"));
        assert_eq!(classified.raw_source, None);
        assert_eq!(classified.channel, Some("paid_social"));
    }

    #[test]
    fn the_raw_source_wins_over_the_stored_one() {
        // The alias fb → facebook was removed: reclassify starts again from `fb`.
        let stored_before = touch("facebook", "social");
        let (stored, classified) =
            prepare_touch(&stored_before, Some("fb"), &SourceAliases::none());
        assert_eq!(stored.source.as_deref(), Some("fb"));
        assert_eq!(classified.raw_source, None);
    }

    #[test]
    fn an_empty_touch_is_not_classified() {
        let (stored, classified) = prepare_touch(&Touch::default(), None, SourceAliases::builtin());
        assert!(stored.is_empty());
        assert_eq!(classified, Classified::default());
    }

    /// Through the real store: every role gets its channel, and the API reads it back.
    #[tokio::test]
    async fn the_writer_stores_a_channel_for_every_role() {
        use crate::store::sqlite::SqliteStore;
        use crate::store::{IncomingSubmission, Store};
        use leadtrail_core::identity::Email;
        use leadtrail_core::{Channel, TouchOrigin};

        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        let first = Touch {
            source: Some("google".into()),
            medium: Some("organic".into()),
            ..Touch::default()
        };
        let current = Touch {
            source: Some("Facebook.com".into()),
            medium: Some("paid_social".into()),
            click_id: Some("IwAR0xYz".into()),
            click_id_type: Some("fbclid".into()),
            ..Touch::default()
        };
        let receipt = store
            .record_submission(IncomingSubmission {
                form_key: "f".into(),
                channel: "form".into(),
                email: Email::parse("ola@acme.example").unwrap(),
                name: None,
                company: Some("Acme".into()),
                country: None,
                phone: None,
                payload: Default::default(),
                first: Some(first),
                current,
                journey: Vec::new(),
                origin: TouchOrigin::Tracker,
                received_at: 1_726_000_000_000,
                consent_policy: Default::default(),
                requester: Default::default(),
            })
            .await
            .unwrap();
        let person = store.person(receipt.person_id).await.unwrap().unwrap();
        assert_eq!(person.first_channel, Some(Channel::OrganicSearch));
        assert_eq!(person.lead_channel, Some(Channel::PaidSocial));
        let lead = person.lead_generation.unwrap();
        assert_eq!(
            lead.source.as_deref(),
            Some("facebook"),
            "built-in alias applied"
        );
        assert_eq!(lead.click_id.as_deref(), Some("IwAR0xYz"));
        let submissions = store.submissions_of(receipt.person_id).await.unwrap();
        assert_eq!(submissions[0].conversion_channel, Some(Channel::PaidSocial));
        let company = store
            .company(receipt.company_id.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(company.source_channel, Some(Channel::PaidSocial));
        store.shutdown().await;

        let c = Connection::open(dir.path().join("t.db")).unwrap();
        let (raw, version): (Option<String>, i64) = c
            .query_row(
                "SELECT lead_raw_source, lead_rules_version FROM persons",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(raw.as_deref(), Some("facebook.com"));
        assert_eq!(version, i64::from(RULES_VERSION));
    }
}
