//! What the browser remembers across page views and visits — the first interaction and
//! the last significant touch — and what a page view makes of it.
//!
//! Pure rules: `storage` reads localStorage (under core's `wire` keys) and passes what it
//! found, and writes back what [`PageView`] says to store. Storage that refuses to be read
//! looks like empty storage here, and storage that refuses writes loses only the memory,
//! never the fields.

use leadtrail_core::wire::{self, Slot};
use leadtrail_core::{bytes, journey, Touch, Visit};

/// Milliseconds in a day, for the look-back window.
const DAY_MS: i64 = 86_400_000;

/// The outcome of one page view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageView {
    /// The first interaction the forms carry.
    pub first: Touch,
    /// The last significant touch the forms carry.
    pub last: Touch,
    /// The encoded touch to store as the first interaction, when there was none.
    pub store_first: Option<String>,
    /// The encoded touch to store as the last touch, when this visit replaces it.
    pub store_last: Option<String>,
    /// The journey the forms carry, encoded.
    pub journey: String,
    /// Whether `journey` changed and is to be stored.
    pub store_journey: bool,
}

impl PageView {
    /// The hidden fields that carry both touches, in wire order: `lt_v`, then every set
    /// field of the first interaction and of the last touch.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(24);
        out.push((wire::VERSION_FIELD.into(), wire::VERSION.into()));
        out.extend(wire::touch_fields(Slot::First, &self.first));
        out.extend(wire::touch_fields(Slot::Last, &self.last));
        out.push((wire::JOURNEY_FIELD.into(), self.journey.clone()));
        out
    }
}

/// A stored touch, or `None` when it is missing or unusable: storage is user-writable, so
/// what comes back is cleaned again by `decode` and must at least name a source.
fn stored_touch(encoded: &str) -> Option<Touch> {
    Some(Touch::decode(encoded)).filter(|touch| touch.source.is_some())
}

/// The touches to store after following a link from another of the site's domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    /// The encoded first interaction: the earliest one either domain knows.
    pub first: String,
    /// The encoded last touch: the newest campaign touch of either, when there is one.
    pub last: Option<String>,
    /// The encoded journey: both journeys in the order of their times.
    pub journey: String,
}

/// Joins the journey a followed link carries (`adopted`, already verified by the
/// collector) with the one remembered here, as one visitor's path across the site's
/// domains: the touches of both in the order of their times (the same touch once), a
/// direct visit only as the very first, within the journey's bounds; the first
/// interaction is the earliest of either, the last touch the newest campaign touch of
/// either. `None` when the link carries no touch.
///
/// Works on the encoded touches as they are, as `journey::remember` does: each is decoded
/// only for its time and whether it is direct.
pub fn adopt(stored_first: &str, stored_journey: &str, adopted: &str) -> Option<Adopted> {
    let theirs = touches(adopted);
    if theirs.is_empty() {
        return None;
    }
    let mut all = touches(stored_journey);
    // A first interaction stored before journeys were kept.
    if all.is_empty() {
        all.extend(read(stored_first));
    }
    for touch in theirs {
        // Both journeys are in time order: a touch goes after every touch not newer. The
        // same touch (a link followed twice) is kept once.
        if !all.iter().any(|t| t.0 == touch.0) {
            let at = all.iter().position(|t| t.1 > touch.1).unwrap_or(all.len());
            all.insert(at, touch);
        }
    }
    // A direct visit counts only as the very first.
    let mut i = 1;
    while i < all.len() {
        if all[i].2 {
            all.remove(i);
        } else {
            i += 1;
        }
    }
    // The first and the newest always stay.
    while all.len() > journey::MAX_TOUCHES
        || (all.len() > 2 && all.iter().map(|t| t.0.len() + 1).sum::<usize>() >= journey::MAX_BYTES)
    {
        all.remove(1);
    }
    let mut text = String::from(journey::VERSION);
    for t in &all {
        text.push(',');
        text.push_str(t.0);
    }
    Some(Adopted {
        first: all.first()?.0.into(),
        last: all.iter().rev().find(|t| !t.2).map(|t| t.0.into()),
        journey: text,
    })
}

/// An encoded touch with its time and whether it is direct; `None` without a source.
fn read(encoded: &str) -> Option<(&str, Option<i64>, bool)> {
    stored_touch(encoded).map(|t| (encoded, t.at, t.is_direct()))
}

/// The touches of a journey's text (none for another version).
fn touches(journey: &str) -> Vec<(&str, Option<i64>, bool)> {
    let mut parts = bytes::split(journey, b',');
    if parts.next() != Some(journey::VERSION) {
        return Vec::new();
    }
    parts.filter_map(read).collect()
}

/// True while a touch made at `at` still counts at `now_ms`. A touch without a time
/// cannot be aged and so no longer counts: the tracker always writes one.
fn within_lookback(at: Option<i64>, now_ms: i64, lookback_days: u32) -> bool {
    at.is_some_and(|at| now_ms.saturating_sub(at) <= i64::from(lookback_days) * DAY_MS)
}

/// Applies one page view to the remembered touches and journey (`""` for none):
///
/// - first interaction: the stored one; when there is none, this visit's touch, which is
///   then stored (also for a direct or internal visit) and never overwritten;
/// - last touch: this visit's touch when the visit replaces it (campaign, click id,
///   external referrer; then it is stored); else the stored one while it is younger than
///   the look-back window; else this visit's (direct) touch;
/// - journey: core's `journey::remember`, started from the first interaction.
pub fn remember(
    stored_first: &str,
    stored_last: &str,
    stored_journey: &str,
    visit: &Visit,
    now_ms: i64,
    lookback_days: u32,
) -> PageView {
    let current = &visit.touch;
    let (first, store_first) = match stored_touch(stored_first) {
        Some(first) => (first, None),
        None => (current.clone(), Some(current.encode())),
    };
    let (last, store_last) = if visit.replaces_last_touch() {
        (current.clone(), Some(current.encode()))
    } else {
        match stored_touch(stored_last) {
            Some(last) if within_lookback(last.at, now_ms, lookback_days) => (last, None),
            _ => (current.clone(), None),
        }
    };
    let (journey, store_journey) = journey::remember(stored_journey, &first, visit);
    PageView {
        first,
        last,
        store_first,
        store_last,
        journey,
        store_journey,
    }
}
