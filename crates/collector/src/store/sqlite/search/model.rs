//! Search's read model: what every criterion of the field registry tests, held in memory
//! as flat columns indexed by row id and kept current by the writer's change feed. It
//! answers a criteria tree with a bitset of matching ids (so the exact total is a popcount
//! and a page is the next set bits); SQLite stays the source of every row returned.
//!
//! Why: the SQL evaluation needs an index per field and operator and still walks most of
//! a million persons for a count, `contains`, or a criterion on related rows (a person's
//! submissions or forms: seconds at 1M). Here each leaf is one pass over a flat column
//! (a few milliseconds per million rows) and trees are word-wise AND / OR of bitsets.
//!
//! Layout: touches (the six searchable fields of a first interaction, lead generation,
//! conversion or company source) are kept as one id per touch into a table of distinct
//! touches, whose values are ids into one dictionary of texts; a leaf on a touch field
//! first decides each distinct touch, then scans the touch ids. Persons hold their two
//! touches, status, owner, country, company, creation time, e-mail key and name;
//! submissions their person, form and conversion touch; companies their source touch,
//! name, domain and creation time. `None` and `""` are different values (SQL's `= ''`
//! and `LIKE` tell them apart).
//!
//! The model decides exactly what the SQL of [`super::Where`] decides, test by test (the
//! property test in `model_tests.rs` holds them to it); a leaf it does not know (a field added
//! to the registry later) makes it decline, and the caller asks SQL.

mod eval;

use std::collections::HashMap;

use rusqlite::{Connection, Row};

use crate::store::search::TOUCH_SEARCH_FIELDS;
use crate::store::sqlite::writer::RowChange;
pub(crate) use eval::Bits;

/// Largest row id held: ids are dense from 1, so this bounds memory against a corrupt id.
const MAX_ROW_ID: i64 = 200_000_000;
/// An integer column's `NULL`, and the creation time of a slot without a row.
const NONE: i64 = i64::MIN;
const FIELDS: usize = TOUCH_SEARCH_FIELDS.len();

fn slot(id: i64) -> Option<usize> {
    (1..=MAX_ROW_ID).contains(&id).then_some(id as usize)
}

fn grow<T: Clone>(column: &mut Vec<T>, index: usize, fill: T) {
    if column.len() <= index {
        column.resize(index + 1, fill);
    }
}

/// Texts as ids: 0 is `NULL`; `""` is a value like any other.
#[derive(Debug, Default)]
struct Dict {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
}

impl Dict {
    fn id(&mut self, value: Option<&str>) -> u32 {
        let Some(value) = value else { return 0 };
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

    fn name(&self, id: u32) -> Option<&str> {
        (id != 0).then(|| self.names.get(id as usize).map(|n| &**n))?
    }

    fn len(&self) -> usize {
        self.names.len().max(1)
    }

    fn bytes(&self) -> usize {
        self.names.iter().map(|n| n.len() * 2 + 48).sum()
    }
}

/// One text per row, in one arena: rows that change append (the old bytes stay until a
/// restart), so memory is the texts plus 8 bytes a row.
#[derive(Debug, Default)]
struct Texts {
    arena: String,
    /// `(start, len)`; `len == u32::MAX` is `NULL`.
    spans: Vec<(u32, u32)>,
}

impl Texts {
    fn set(&mut self, index: usize, value: Option<&str>) {
        grow(&mut self.spans, index, (0, u32::MAX));
        self.spans[index] = match value {
            Some(v) if self.get(index) == Some(v) => return,
            Some(v) => {
                let start = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
                self.arena.push_str(v);
                (start, u32::try_from(v.len()).unwrap_or(0))
            }
            None => (0, u32::MAX),
        };
    }

    fn get(&self, index: usize) -> Option<&str> {
        let (start, len) = *self.spans.get(index)?;
        if len == u32::MAX {
            return None;
        }
        self.arena
            .get(start as usize..start as usize + len as usize)
    }

    fn bytes(&self) -> usize {
        self.arena.capacity() + self.spans.capacity() * 8
    }
}

/// Distinct touches: each is the dictionary ids of its six searchable fields.
#[derive(Debug, Default)]
struct Touches {
    table: Vec<[u32; FIELDS]>,
    ids: HashMap<[u32; FIELDS], u32>,
}

impl Touches {
    fn id(&mut self, values: [u32; FIELDS]) -> u32 {
        if self.table.is_empty() {
            self.table.push([0; FIELDS]);
            self.ids.insert([0; FIELDS], 0);
        }
        *self.ids.entry(values).or_insert_with(|| {
            self.table.push(values);
            u32::try_from(self.table.len() - 1).unwrap_or(0)
        })
    }
}

/// The model.
#[derive(Debug, Default)]
pub(crate) struct Model {
    /// Creation time, Unix ms; [`NONE`] where there is no person.
    p_created: Vec<i64>,
    /// Index into `LEAD_STATUSES` + 1 (0: unknown text).
    p_status: Vec<u32>,
    p_owner: Vec<i64>,
    p_company: Vec<i64>,
    p_country: Vec<u32>,
    p_first: Vec<u32>,
    p_lead: Vec<u32>,
    p_email: Texts,
    p_name: Texts,

    /// Person of each submission; 0 where there is no submission.
    s_person: Vec<u32>,
    /// Form id; 0 where it does not fit (no form has it).
    s_form: Vec<u32>,
    s_conv: Vec<u32>,

    c_created: Vec<i64>,
    c_src: Vec<u32>,
    c_name: Texts,
    c_domain: Texts,

    forms: HashMap<i64, String>,
    text: Dict,
    touches: Touches,
    /// A commit could not be followed: the model no longer answers (SQL does).
    broken: bool,
    /// Grows with every commit followed.
    version: u64,
}

/// Reads one row of a table into the model.
type Put = fn(&mut Model, &Row<'_>) -> rusqlite::Result<()>;

fn touch_columns(prefix: &str) -> String {
    TOUCH_SEARCH_FIELDS
        .iter()
        .map(|f| format!("{prefix}_{f}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn person_select() -> String {
    format!(
        "SELECT id, created_at, status, owner_id, company_id, country, email_key, name, {}, {} \
         FROM persons",
        touch_columns("first"),
        touch_columns("lead")
    )
}

fn submission_select() -> String {
    format!(
        "SELECT id, person_id, form_id, {} FROM submissions",
        touch_columns("conv")
    )
}

fn company_select() -> String {
    format!(
        "SELECT id, created_at, name, domain, {} FROM companies",
        touch_columns("src")
    )
}

fn status_code(status: &str) -> u32 {
    crate::store::search::LEAD_STATUSES
        .iter()
        .position(|s| *s == status)
        .map_or(0, |i| i as u32 + 1)
}

impl Model {
    pub(crate) fn load(c: &Connection) -> rusqlite::Result<Model> {
        let mut model = Model::default();
        for (sql, put) in [
            (person_select(), Model::put_person as Put),
            (submission_select(), Model::put_submission),
            (company_select(), Model::put_company),
        ] {
            let mut statement = c.prepare(&sql)?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                put(&mut model, row)?;
            }
        }
        let mut statement = c.prepare("SELECT id, key FROM forms")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            model.forms.insert(row.get(0)?, row.get(1)?);
        }
        Ok(model)
    }

    fn touch(&mut self, row: &Row<'_>, from: usize) -> rusqlite::Result<u32> {
        let mut values = [0; FIELDS];
        for (i, v) in values.iter_mut().enumerate() {
            *v = self.text.id(row.get_ref(from + i)?.as_str_or_null()?);
        }
        Ok(self.touches.id(values))
    }

    fn put_person(&mut self, row: &Row<'_>) -> rusqlite::Result<()> {
        let Some(i) = slot(row.get(0)?) else {
            return Ok(());
        };
        grow(&mut self.p_created, i, NONE);
        grow(&mut self.p_status, i, 0);
        grow(&mut self.p_owner, i, NONE);
        grow(&mut self.p_company, i, NONE);
        grow(&mut self.p_country, i, 0);
        grow(&mut self.p_first, i, 0);
        grow(&mut self.p_lead, i, 0);
        self.p_created[i] = row.get(1)?;
        self.p_status[i] = status_code(row.get_ref(2)?.as_str()?);
        self.p_owner[i] = row.get::<_, Option<i64>>(3)?.unwrap_or(NONE);
        self.p_company[i] = row.get::<_, Option<i64>>(4)?.unwrap_or(NONE);
        self.p_country[i] = self.text.id(row.get_ref(5)?.as_str_or_null()?);
        self.p_email.set(i, row.get_ref(6)?.as_str_or_null()?);
        self.p_name.set(i, row.get_ref(7)?.as_str_or_null()?);
        self.p_first[i] = self.touch(row, 8)?;
        self.p_lead[i] = self.touch(row, 8 + FIELDS)?;
        Ok(())
    }

    fn remove_person(&mut self, id: i64) {
        if let Some(i) = slot(id).filter(|i| *i < self.p_created.len()) {
            self.p_created[i] = NONE;
            self.p_email.set(i, None);
            self.p_name.set(i, None);
        }
    }

    fn put_submission(&mut self, row: &Row<'_>) -> rusqlite::Result<()> {
        let Some(i) = slot(row.get(0)?) else {
            return Ok(());
        };
        grow(&mut self.s_person, i, 0);
        grow(&mut self.s_form, i, 0);
        grow(&mut self.s_conv, i, 0);
        // Person ids are below `MAX_ROW_ID` (0: none).
        self.s_person[i] = slot(row.get(1)?).map_or(0, |p| p as u32);
        self.s_form[i] = u32::try_from(row.get::<_, i64>(2)?).unwrap_or(0);
        self.s_conv[i] = self.touch(row, 3)?;
        Ok(())
    }

    fn put_company(&mut self, row: &Row<'_>) -> rusqlite::Result<()> {
        let Some(i) = slot(row.get(0)?) else {
            return Ok(());
        };
        grow(&mut self.c_created, i, NONE);
        grow(&mut self.c_src, i, 0);
        self.c_created[i] = row.get(1)?;
        self.c_name.set(i, row.get_ref(2)?.as_str_or_null()?);
        self.c_domain.set(i, row.get_ref(3)?.as_str_or_null()?);
        self.c_src[i] = self.touch(row, 4)?;
        Ok(())
    }

    /// Follows one committed batch: every touched row of the tables it holds is read again
    /// by id; a missing row was deleted.
    pub(crate) fn apply(&mut self, c: &Connection, rows: &[RowChange]) -> rusqlite::Result<()> {
        self.version += 1;
        let outcome = self.follow(c, rows);
        self.broken |= outcome.is_err();
        outcome
    }

    fn follow(&mut self, c: &Connection, rows: &[RowChange]) -> rusqlite::Result<()> {
        let mut by_table: HashMap<&str, Vec<i64>> = HashMap::new();
        for change in rows {
            by_table
                .entry(change.table.as_str())
                .or_default()
                .push(change.rowid);
        }
        for (table, ids) in &mut by_table {
            ids.sort_unstable();
            ids.dedup();
            let (sql, put): (String, Put) = match *table {
                "persons" => (person_select(), Model::put_person),
                "submissions" => (submission_select(), Model::put_submission),
                "companies" => (company_select(), Model::put_company),
                "forms" => {
                    let mut statement = c.prepare_cached("SELECT key FROM forms WHERE id = ?1")?;
                    for &id in ids.iter() {
                        let mut found = statement.query([id])?;
                        match found.next()? {
                            Some(row) => self.forms.insert(id, row.get(0)?),
                            None => self.forms.remove(&id),
                        };
                    }
                    continue;
                }
                _ => continue,
            };
            let mut statement = c.prepare_cached(&format!("{sql} WHERE id = ?1"))?;
            for &id in ids.iter() {
                let mut found = statement.query([id])?;
                match found.next()? {
                    Some(row) => put(self, row)?,
                    None => match *table {
                        "persons" => self.remove_person(id),
                        "submissions" => {
                            if let Some(i) = slot(id).filter(|i| *i < self.s_person.len()) {
                                self.s_person[i] = 0;
                            }
                        }
                        _ => {
                            if let Some(i) = slot(id).filter(|i| *i < self.c_created.len()) {
                                self.c_created[i] = NONE;
                                self.c_name.set(i, None);
                                self.c_domain.set(i, None);
                            }
                        }
                    },
                }
            }
        }
        Ok(())
    }

    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// How many persons and submissions it holds, and its heap bytes (an estimate).
    pub(crate) fn size(&self) -> (usize, usize, usize) {
        let persons = self.p_created.iter().filter(|c| **c != NONE).count();
        let submissions = self.s_person.iter().filter(|p| **p != 0).count();
        let bytes = self.p_created.capacity() * 8
            + self.p_status.capacity() * 4
            + self.p_owner.capacity() * 8
            + self.p_company.capacity() * 8
            + (self.p_country.capacity() + self.p_first.capacity() + self.p_lead.capacity()) * 4
            + self.p_email.bytes()
            + self.p_name.bytes()
            + self.s_person.capacity() * 4
            + self.s_form.capacity() * 4
            + self.s_conv.capacity() * 4
            + self.c_created.capacity() * 8
            + self.c_src.capacity() * 4
            + self.c_name.bytes()
            + self.c_domain.bytes()
            + self.text.bytes()
            + self.touches.table.capacity() * (FIELDS * 4 + 40);
        (persons, submissions, bytes)
    }

    fn persons_len(&self) -> usize {
        self.p_created.len()
    }

    fn companies_len(&self) -> usize {
        self.c_created.len()
    }
}
