//! The tiles' read model: the few facts per person and per sale that the dashboard tiles
//! group and filter by, held in memory as dictionary-encoded columns and kept current by
//! the writer's change feed.
//!
//! Why not SQL per request: a grouped count over a million persons took 43–199 ms in SQLite
//! even with covering indexes, and a dashboard is a dozen of them. Here a tile is one tight
//! pass over a few flat arrays (a filter on the creation time, an increment in a counter
//! array indexed by the dictionary id) — about a millisecond per million persons.
//!
//! Layout: arrays indexed by the row id (person id, sale id), since SQLite hands out row ids
//! densely from 1; a hole (erased person, deleted sale) is marked dead. Every text value
//! (source, medium, campaign, channel, country, referrer host, currency) is replaced by a
//! `u32` from one shared dictionary; id 0 means "no value". About 41 bytes per person and 21
//! per sale.
//!
//! Keeping it current: loaded in full when registered, then every committed batch hands
//! over the rowids it touched. Each is re-read by its rowid (a point lookup), a missing row
//! meaning deleted. Statuses reached only grow (a status-history row is only ever deleted
//! together with its person), so a person's "furthest status" is an OR of status bits.
//! A person's channel is a column of its row, so `reclassify` (an UPDATE of that row
//! through the writer) reaches the model like any other change of the person.
//! The person's creating submission is its lowest-id submission. A person row that changes
//! is re-read together with its status history and creating submission (one statement, two
//! index probes), so a reused person id starts clean; other submissions are not followed.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::store::sqlite::writer::RowChange;

/// Largest row id the model holds: ids are dense from 1, so this is a bound on rows, and it
/// keeps a corrupt or hostile id from allocating gigabytes.
const MAX_ROW_ID: i64 = 200_000_000;
/// `created` of a slot without a live person.
pub(crate) const DEAD: u32 = u32::MAX;

/// Status bits.
pub(crate) const OPEN: u8 = 1;
pub(crate) const IN_PROGRESS: u8 = 2;
pub(crate) const QUALIFIED: u8 = 4;
pub(crate) const DISQUALIFIED: u8 = 8;

/// How a person's creating submission arrived.
pub(crate) const VIA_NONE: u8 = 0;
pub(crate) const VIA_FORM: u8 = 1;
pub(crate) const VIA_CHAT: u8 = 2;
pub(crate) const VIA_API: u8 = 3;
pub(crate) const VIA_IMPORT: u8 = 4;

pub(crate) fn status_bit(status: &str) -> u8 {
    match status {
        "open" => OPEN,
        "in_progress" => IN_PROGRESS,
        "qualified" => QUALIFIED,
        "disqualified" => DISQUALIFIED,
        _ => 0,
    }
}

fn via_of(channel: &str) -> u8 {
    match channel {
        "form" => VIA_FORM,
        "chat" => VIA_CHAT,
        "api" => VIA_API,
        "import" => VIA_IMPORT,
        _ => VIA_NONE,
    }
}

/// Sale statuses.
pub(crate) const SALE_NONE: u8 = 0;
pub(crate) const SALE_OPEN: u8 = 1;
pub(crate) const SALE_WON: u8 = 2;
pub(crate) const SALE_LOST: u8 = 3;

fn sale_status_of(status: &str) -> u8 {
    match status {
        "open" => SALE_OPEN,
        "won" => SALE_WON,
        "lost" => SALE_LOST,
        _ => SALE_NONE,
    }
}

/// Text values as small integers; 0 is "no value". Never shrinks: a value whose last row
/// went away keeps its id (and costs its bytes) until the next restart.
#[derive(Debug, Default, Clone)]
pub(crate) struct Dict {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
}

impl Dict {
    pub(crate) fn id(&mut self, value: Option<&str>) -> u32 {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return 0;
        };
        if let Some(id) = self.ids.get(value) {
            return *id;
        }
        if self.names.is_empty() {
            self.names.push("".into());
        }
        let id = u32::try_from(self.names.len()).unwrap_or(0);
        self.names.push(value.into());
        self.ids.insert(value.into(), id);
        id
    }

    pub(crate) fn lookup(&self, value: &str) -> Option<u32> {
        self.ids.get(value).copied()
    }

    pub(crate) fn name(&self, id: u32) -> Option<&str> {
        if id == 0 {
            return None;
        }
        self.names.get(id as usize).map(|n| &**n)
    }

    /// Counter arrays are this long.
    pub(crate) fn len(&self) -> usize {
        self.names.len().max(1)
    }

    pub(crate) fn bytes(&self) -> usize {
        self.names.iter().map(|n| n.len() * 2 + 40).sum()
    }
}

/// The model. Person columns are indexed by person id, sale columns by sale id.
#[derive(Debug, Default, Clone)]
pub(crate) struct Facts {
    /// Creation time in Unix seconds ([`DEAD`] where there is no person).
    pub(crate) created: Vec<u32>,
    /// Owner (associate id; 0 none).
    pub(crate) owner: Vec<u32>,
    pub(crate) country: Vec<u32>,
    /// Status bits of every status the person has had.
    pub(crate) reached: Vec<u8>,
    pub(crate) lead_source: Vec<u32>,
    pub(crate) lead_medium: Vec<u32>,
    pub(crate) lead_campaign: Vec<u32>,
    /// Channel id of the lead-generation touch (`paid_social`; 0 when not classified).
    pub(crate) lead_channel: Vec<u32>,
    pub(crate) first_source: Vec<u32>,
    /// Host of the lead-generation touch's referrer.
    pub(crate) referrer: Vec<u32>,
    /// How and through which form the person's creating submission came.
    pub(crate) via: Vec<u8>,
    pub(crate) form: Vec<u32>,

    pub(crate) sale_person: Vec<u32>,
    pub(crate) sale_status: Vec<u8>,
    pub(crate) sale_amount: Vec<i64>,
    pub(crate) sale_currency: Vec<u32>,
    /// When the sale happened, Unix seconds.
    pub(crate) sale_at: Vec<u32>,

    pub(crate) text: Dict,
    pub(crate) forms: HashMap<i64, String>,
    pub(crate) associates: HashMap<i64, String>,
}

fn secs(ms: i64) -> u32 {
    u32::try_from(ms.div_euclid(1000)).unwrap_or(if ms < 0 { 0 } else { DEAD - 1 })
}

fn slot(id: i64) -> Option<usize> {
    (1..=MAX_ROW_ID).contains(&id).then_some(id as usize)
}

/// The host of a referrer URL, lower-case, without a leading `www.`.
pub(crate) fn referrer_host(referrer: &str) -> Option<String> {
    let rest = referrer
        .split_once("://")
        .map_or(referrer, |(_, rest)| rest);
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('@')
        .next()
        .unwrap_or("");
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    (!host.is_empty()).then_some(host)
}

const PERSON_COLUMNS: &str = "p.id, p.created_at, p.owner_id, p.country, p.status, p.lead_source, \
     p.lead_medium, p.lead_campaign, p.first_source, p.lead_referrer, p.lead_channel";
/// Number of [`PERSON_COLUMNS`]; [`Facts::apply`] reads its own columns after them.
const PERSON_WIDTH: usize = 11;
const SALE_COLUMNS: &str = "id, person_id, status, amount_minor, currency, at";

impl Facts {
    /// Reads everything the tiles need from the database.
    pub(crate) fn load(connection: &Connection) -> rusqlite::Result<Facts> {
        let mut facts = Facts::default();
        let mut statement =
            connection.prepare(&format!("SELECT {PERSON_COLUMNS} FROM persons p"))?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            facts.put_person(row)?;
        }
        let mut statement = connection.prepare("SELECT person_id, status FROM status_changes")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            facts.put_status_change(row.get(0)?, &row.get::<_, String>(1)?);
        }
        let mut statement = connection
            .prepare("SELECT person_id, channel, form_id FROM submissions ORDER BY id")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            facts.put_submission(row.get(0)?, &row.get::<_, String>(1)?, row.get(2)?);
        }
        let mut statement = connection.prepare(&format!("SELECT {SALE_COLUMNS} FROM sales"))?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            facts.put_sale(row)?;
        }
        let mut statement = connection.prepare("SELECT id, key FROM forms")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            facts.forms.insert(row.get(0)?, row.get(1)?);
        }
        let mut statement = connection.prepare("SELECT id, name FROM associates")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            facts.associates.insert(row.get(0)?, row.get(1)?);
        }
        Ok(facts)
    }

    /// Follows one committed batch. Tables are handled in an order that lets a batch that
    /// creates a person and its first submission together see the person first.
    pub(crate) fn apply(
        &mut self,
        connection: &Connection,
        rows: &[RowChange],
    ) -> rusqlite::Result<()> {
        let mut by_table: HashMap<&str, Vec<i64>> = HashMap::new();
        for change in rows {
            by_table
                .entry(change.table.as_str())
                .or_default()
                .push(change.rowid);
        }
        for ids in by_table.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        let ids_of = |table: &str| by_table.get(table).map(Vec::as_slice).unwrap_or(&[]);
        if !ids_of("persons").is_empty() {
            // The person with everything derived from its other rows: a person id can be
            // reused (erase the newest person, create another, in one batch), so nothing
            // from the slot's previous occupant may survive.
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {PERSON_COLUMNS}, \
                   (SELECT group_concat(DISTINCT status) FROM status_changes WHERE person_id = p.id), \
                   s.channel, s.form_id \
                 FROM persons p LEFT JOIN submissions s \
                   ON s.id = (SELECT min(id) FROM submissions WHERE person_id = p.id) \
                 WHERE p.id = ?1"
            ))?;
            for &id in ids_of("persons") {
                let mut rows = statement.query([id])?;
                match rows.next()? {
                    Some(row) => {
                        self.put_person(row)?;
                        let i = id as usize;
                        if self.created.get(i).is_some_and(|c| *c != DEAD) {
                            let history: Option<String> = row.get(PERSON_WIDTH)?;
                            let status: String = row.get(4)?;
                            self.reached[i] = OPEN
                                | status_bit(&status)
                                | history
                                    .as_deref()
                                    .unwrap_or("")
                                    .split(',')
                                    .map(status_bit)
                                    .fold(0, |a, b| a | b);
                            let channel: Option<String> = row.get(PERSON_WIDTH + 1)?;
                            self.via[i] = channel.as_deref().map_or(VIA_NONE, via_of);
                            self.form[i] = row
                                .get::<_, Option<i64>>(PERSON_WIDTH + 2)?
                                .and_then(|f| u32::try_from(f).ok())
                                .unwrap_or(0);
                        }
                    }
                    None => self.remove_person(id),
                }
            }
        }
        if !ids_of("status_changes").is_empty() {
            let mut statement = connection
                .prepare_cached("SELECT person_id, status FROM status_changes WHERE id = ?1")?;
            for &id in ids_of("status_changes") {
                let found: Option<(i64, String)> = statement
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if let Some((person, status)) = found {
                    self.put_status_change(person, &status);
                }
            }
        }
        // Submissions are not followed: only a person's creating submission matters, and it
        // is committed with the person (re-read above). Later submissions change nothing here.
        if !ids_of("sales").is_empty() {
            let mut statement = connection
                .prepare_cached(&format!("SELECT {SALE_COLUMNS} FROM sales WHERE id = ?1"))?;
            for &id in ids_of("sales") {
                let mut rows = statement.query([id])?;
                match rows.next()? {
                    Some(row) => self.put_sale(row)?,
                    None => self.remove_sale(id),
                }
            }
        }
        if !ids_of("forms").is_empty() {
            let mut statement = connection.prepare_cached("SELECT key FROM forms WHERE id = ?1")?;
            for &id in ids_of("forms") {
                match statement.query_row([id], |r| r.get(0)).optional()? {
                    Some(key) => self.forms.insert(id, key),
                    None => self.forms.remove(&id),
                };
            }
        }
        if !ids_of("associates").is_empty() {
            let mut statement =
                connection.prepare_cached("SELECT name FROM associates WHERE id = ?1")?;
            for &id in ids_of("associates") {
                match statement.query_row([id], |r| r.get(0)).optional()? {
                    Some(name) => self.associates.insert(id, name),
                    None => self.associates.remove(&id),
                };
            }
        }
        Ok(())
    }

    fn grow_persons(&mut self, index: usize) {
        if index >= self.created.len() {
            let len = (index + 1).max(self.created.len() * 5 / 4);
            self.created.resize(len, DEAD);
            self.owner.resize(len, 0);
            self.country.resize(len, 0);
            self.reached.resize(len, 0);
            self.lead_source.resize(len, 0);
            self.lead_medium.resize(len, 0);
            self.lead_campaign.resize(len, 0);
            self.lead_channel.resize(len, 0);
            self.first_source.resize(len, 0);
            self.referrer.resize(len, 0);
            self.via.resize(len, VIA_NONE);
            self.form.resize(len, 0);
        }
    }

    fn put_person(&mut self, row: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        let id: i64 = row.get(0)?;
        let Some(i) = slot(id) else {
            tracing::warn!(id, "person id out of the tiles' range; left out of tiles");
            return Ok(());
        };
        self.grow_persons(i);
        let was_alive = self.created[i] != DEAD;
        self.created[i] = secs(row.get(1)?).min(DEAD - 1);
        self.owner[i] = row
            .get::<_, Option<i64>>(2)?
            .and_then(|o| u32::try_from(o).ok())
            .unwrap_or(0);
        self.country[i] = self.text.id(row.get::<_, Option<String>>(3)?.as_deref());
        let status: String = row.get(4)?;
        if !was_alive {
            self.reached[i] = 0;
            self.via[i] = VIA_NONE;
            self.form[i] = 0;
        }
        // Every person has been open: it is where a new lead starts.
        self.reached[i] |= OPEN | status_bit(&status);
        self.lead_source[i] = self.text.id(row.get::<_, Option<String>>(5)?.as_deref());
        self.lead_medium[i] = self.text.id(row.get::<_, Option<String>>(6)?.as_deref());
        self.lead_campaign[i] = self.text.id(row.get::<_, Option<String>>(7)?.as_deref());
        self.first_source[i] = self.text.id(row.get::<_, Option<String>>(8)?.as_deref());
        let host = row
            .get::<_, Option<String>>(9)?
            .as_deref()
            .and_then(referrer_host);
        self.referrer[i] = self.text.id(host.as_deref());
        self.lead_channel[i] = self.text.id(row.get::<_, Option<String>>(10)?.as_deref());
        Ok(())
    }

    fn remove_person(&mut self, id: i64) {
        if let Some(i) = slot(id).filter(|i| *i < self.created.len()) {
            self.created[i] = DEAD;
            self.reached[i] = 0;
            self.via[i] = VIA_NONE;
        }
    }

    fn put_status_change(&mut self, person: i64, status: &str) {
        if let Some(i) = slot(person).filter(|i| *i < self.created.len()) {
            if self.created[i] != DEAD {
                self.reached[i] |= status_bit(status);
            }
        }
    }

    fn put_submission(&mut self, person: i64, channel: &str, form: i64) {
        if let Some(i) = slot(person).filter(|i| *i < self.created.len()) {
            if self.created[i] != DEAD && self.via[i] == VIA_NONE {
                self.via[i] = via_of(channel);
                self.form[i] = u32::try_from(form).unwrap_or(0);
            }
        }
    }

    fn put_sale(&mut self, row: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        let id: i64 = row.get(0)?;
        let Some(i) = slot(id) else {
            return Ok(());
        };
        if i >= self.sale_status.len() {
            let len = (i + 1).max(self.sale_status.len() * 5 / 4);
            self.sale_person.resize(len, 0);
            self.sale_status.resize(len, SALE_NONE);
            self.sale_amount.resize(len, 0);
            self.sale_currency.resize(len, 0);
            self.sale_at.resize(len, 0);
        }
        self.sale_person[i] = row
            .get::<_, Option<i64>>(1)?
            .and_then(|p| u32::try_from(p).ok())
            .unwrap_or(0);
        self.sale_status[i] = sale_status_of(&row.get::<_, String>(2)?);
        self.sale_amount[i] = row.get(3)?;
        self.sale_currency[i] = self.text.id(Some(&row.get::<_, String>(4)?));
        self.sale_at[i] = secs(row.get(5)?);
        Ok(())
    }

    fn remove_sale(&mut self, id: i64) {
        if let Some(i) = slot(id).filter(|i| *i < self.sale_status.len()) {
            self.sale_status[i] = SALE_NONE;
            self.sale_person[i] = 0;
        }
    }

    /// Live persons.
    pub(crate) fn persons(&self) -> usize {
        self.created.iter().filter(|c| **c != DEAD).count()
    }

    /// Live sales.
    pub(crate) fn sales(&self) -> usize {
        self.sale_status.iter().filter(|s| **s != SALE_NONE).count()
    }

    /// Approximate heap bytes held (columns at capacity, dictionary, small maps).
    pub(crate) fn heap_bytes(&self) -> usize {
        let persons = self.created.capacity() * 4
            + self.owner.capacity() * 4
            + self.country.capacity() * 4
            + self.reached.capacity()
            + self.lead_source.capacity() * 4
            + self.lead_medium.capacity() * 4
            + self.lead_campaign.capacity() * 4
            + self.lead_channel.capacity() * 4
            + self.first_source.capacity() * 4
            + self.referrer.capacity() * 4
            + self.via.capacity()
            + self.form.capacity() * 4;
        let sales = self.sale_person.capacity() * 4
            + self.sale_status.capacity()
            + self.sale_amount.capacity() * 8
            + self.sale_currency.capacity() * 4
            + self.sale_at.capacity() * 4;
        let maps = self
            .forms
            .values()
            .chain(self.associates.values())
            .map(|v| v.len() + 48)
            .sum::<usize>();
        persons + sales + self.text.bytes() + maps
    }

    /// Comparable content (for tests: maintained vs reloaded), without capacity slack and
    /// with dictionary ids replaced by their text.
    #[cfg(test)]
    pub(crate) fn canonical(&self) -> Vec<String> {
        let name = |id: u32| self.text.name(id).unwrap_or("").to_owned();
        let mut out = Vec::new();
        for i in 0..self.created.len() {
            if self.created[i] == DEAD {
                continue;
            }
            out.push(format!(
                "p{i} {} o{} c{} r{} ls{} lm{} lc{} lch{} fs{} ref{} via{} f{}",
                self.created[i],
                self.owner[i],
                name(self.country[i]),
                self.reached[i],
                name(self.lead_source[i]),
                name(self.lead_medium[i]),
                name(self.lead_campaign[i]),
                name(self.lead_channel[i]),
                name(self.first_source[i]),
                name(self.referrer[i]),
                self.via[i],
                self.form[i]
            ));
        }
        for i in 0..self.sale_status.len() {
            if self.sale_status[i] == SALE_NONE {
                continue;
            }
            out.push(format!(
                "s{i} p{} st{} a{} {} at{}",
                self.sale_person[i],
                self.sale_status[i],
                self.sale_amount[i],
                name(self.sale_currency[i]),
                self.sale_at[i]
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrer_hosts() {
        assert_eq!(
            referrer_host("https://www.Google.com/search?q=x").as_deref(),
            Some("google.com")
        );
        assert_eq!(
            referrer_host("http://user@news.ycombinator.com:8080/item").as_deref(),
            Some("news.ycombinator.com")
        );
        assert_eq!(referrer_host("example.org").as_deref(), Some("example.org"));
        assert_eq!(referrer_host("https://"), None);
    }
}
