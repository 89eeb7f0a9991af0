//! Evaluation of criteria trees on the model: each leaf's test compiled once (as SQL
//! decides it), a pass over the column it names, and bitsets combined word by word.

use std::collections::{HashMap, HashSet};

use super::{grow, slot, Dict, Model, Texts, NONE};

/// Form ids the model holds a flag for (more forms: SQL answers).
const MAX_FORMS: usize = 1 << 20;
use crate::store::search::{Criteria, Entity, Scalar, Target, Test, TOUCH_SEARCH_FIELDS};

impl Dict {
    /// For each id, whether its value passes `test`.
    fn decide(&self, test: &TextTest) -> Vec<bool> {
        (0..self.len() as u32)
            .map(|id| test.passes(self.name(id)))
            .collect()
    }
}

/// Whether `text` contains `needle` (already ASCII-lower-case), ignoring ASCII case as
/// SQLite's `LIKE` does (other letters compare as they are).
fn contains_ascii_ci(text: &str, needle: &[u8]) -> bool {
    let hay = text.as_bytes();
    let Some(&first) = needle.first() else {
        return true;
    };
    if hay.len() < needle.len() {
        return false;
    }
    (0..=hay.len() - needle.len()).any(|i| {
        hay[i].to_ascii_lowercase() == first
            && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
    })
}

/// The text between `%…%` of a `contains` pattern, unescaped, ASCII-lower-cased.
fn like_needle(pattern: &str) -> Option<Vec<u8>> {
    let inner = pattern.strip_prefix('%')?.strip_suffix('%')?;
    let mut out = Vec::with_capacity(inner.len());
    let mut escaped = false;
    for b in inner.bytes() {
        match (escaped, b) {
            (false, b'\\') => escaped = true,
            // An unescaped wildcard is not what the parser makes: let SQL decide.
            (false, b'%' | b'_') => return None,
            _ => {
                out.push(b.to_ascii_lowercase());
                escaped = false;
            }
        }
    }
    (!escaped).then_some(out)
}

/// A test on a text column, compiled once per leaf.
enum TextTest {
    Eq(String),
    In(HashSet<String>),
    /// ASCII-lower-cased.
    Contains(Vec<u8>),
    Empty,
    NotEmpty,
    Gte(String),
    Lte(String),
}

impl TextTest {
    /// `None` when the model cannot decide `test` on text (the caller asks SQL).
    fn of(test: &Test) -> Option<TextTest> {
        let text = |s: &Scalar| match s {
            Scalar::Text(t) => Some(t.clone()),
            Scalar::Int(_) => None,
        };
        Some(match test {
            Test::Eq(s) => TextTest::Eq(text(s)?),
            Test::In(list) => TextTest::In(list.iter().map(text).collect::<Option<_>>()?),
            Test::Like(pattern) => TextTest::Contains(like_needle(pattern)?),
            Test::Empty => TextTest::Empty,
            Test::NotEmpty => TextTest::NotEmpty,
            Test::Gte(s) => TextTest::Gte(text(s)?),
            Test::Lte(s) => TextTest::Lte(text(s)?),
            Test::Range(..) => return None,
        })
    }

    /// What SQL decides for a column holding `value`; text compares by bytes (SQLite's
    /// BINARY collation).
    fn passes(&self, value: Option<&str>) -> bool {
        match (self, value) {
            (TextTest::Empty, v) => v.is_none_or(str::is_empty),
            (_, None) => false,
            (TextTest::Eq(x), Some(v)) => v == x,
            (TextTest::In(set), Some(v)) => set.contains(v),
            (TextTest::Contains(needle), Some(v)) => contains_ascii_ci(v, needle),
            (TextTest::NotEmpty, Some(v)) => !v.is_empty(),
            (TextTest::Gte(x), Some(v)) => v >= x.as_str(),
            (TextTest::Lte(x), Some(v)) => v <= x.as_str(),
        }
    }
}

/// A test on an integer column.
enum IntTest {
    In(HashSet<i64>),
    Empty,
    NotEmpty,
    /// `from <= v <= to`.
    Between(i64, i64),
}

impl IntTest {
    fn of(test: &Test) -> Option<IntTest> {
        let int = |s: &Scalar| match s {
            Scalar::Int(n) => Some(*n),
            Scalar::Text(_) => None,
        };
        Some(match test {
            Test::Eq(s) => IntTest::In(HashSet::from([int(s)?])),
            Test::In(list) => IntTest::In(list.iter().map(int).collect::<Option<_>>()?),
            // An integer is never `''`.
            Test::Empty => IntTest::Empty,
            Test::NotEmpty => IntTest::NotEmpty,
            Test::Gte(s) => IntTest::Between(int(s)?, i64::MAX),
            Test::Lte(s) => IntTest::Between(i64::MIN + 1, int(s)?),
            Test::Range(from, until) => IntTest::Between(*from, until.checked_sub(1)?),
            Test::Like(_) => return None,
        })
    }

    fn passes(&self, value: i64) -> bool {
        match self {
            IntTest::Empty => value == NONE,
            _ if value == NONE => false,
            IntTest::In(set) => set.contains(&value),
            IntTest::NotEmpty => true,
            IntTest::Between(from, to) => *from <= value && value <= *to,
        }
    }
}

/// A set of row ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    fn empty(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }

    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn and(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    fn or(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Up to `n` ids after `after` (before it when `descending`), in that order.
    pub(crate) fn page(&self, after: Option<i64>, n: usize, descending: bool) -> Vec<i64> {
        let mut out = Vec::with_capacity(n.min(1024));
        let bits = self.0.len() * 64;
        if descending {
            let mut i = match after {
                Some(a) if a <= 0 => return out,
                Some(a) => (a as usize).min(bits),
                None => bits,
            };
            while i > 0 && out.len() < n {
                i -= 1;
                let w = self.0[i / 64] & (u64::MAX >> (63 - i % 64));
                if w == 0 {
                    i -= i % 64;
                    continue;
                }
                let top = 63 - w.leading_zeros() as usize;
                i = i - i % 64 + top;
                out.push(i as i64);
            }
        } else {
            let mut i = match after {
                Some(a) if a < 0 => 0,
                Some(a) => a as usize + 1,
                None => 0,
            };
            while i < bits && out.len() < n {
                let w = self.0[i / 64] & (u64::MAX << (i % 64));
                if w == 0 {
                    i = (i / 64 + 1) * 64;
                    continue;
                }
                i = i - i % 64 + w.trailing_zeros() as usize;
                out.push(i as i64);
                i += 1;
            }
        }
        out
    }
}

impl Model {
    fn live(&self, entity: Entity) -> Bits {
        let created = match entity {
            Entity::Person => &self.p_created,
            Entity::Company => &self.c_created,
        };
        let mut bits = Bits::empty(created.len());
        for (i, c) in created.iter().enumerate() {
            if *c != NONE {
                bits.set(i);
            }
        }
        bits
    }

    /// The ids of `entity` that `criteria` matches, or `None` when the model cannot decide
    /// it (the caller asks SQL). `members` holds the resolved static selections of
    /// `MemberOf` nodes.
    pub(crate) fn matches(
        &self,
        criteria: &Criteria,
        entity: Entity,
        members: &HashMap<i64, Vec<i64>>,
    ) -> Option<Bits> {
        if self.broken {
            return None;
        }
        // Computed once per tree: every `all` starts from it.
        let live = self.live(entity);
        let mut bits = self.eval(criteria, entity, members, &live)?;
        bits.and(&live);
        Some(bits)
    }

    fn len(&self, entity: Entity) -> usize {
        match entity {
            Entity::Person => self.persons_len(),
            Entity::Company => self.companies_len(),
        }
    }

    fn eval(
        &self,
        criteria: &Criteria,
        entity: Entity,
        members: &HashMap<i64, Vec<i64>>,
        live: &Bits,
    ) -> Option<Bits> {
        let len = self.len(entity);
        match criteria {
            Criteria::All(items) => {
                let mut bits = live.clone();
                for item in items {
                    bits.and(&self.eval(item, entity, members, live)?);
                }
                Some(bits)
            }
            Criteria::Any(items) => {
                let mut bits = Bits::empty(len);
                for item in items {
                    bits.or(&self.eval(item, entity, members, live)?);
                }
                Some(bits)
            }
            Criteria::MemberOf(selection) => {
                let mut bits = Bits::empty(len);
                for id in members.get(selection)? {
                    if let Some(i) = slot(*id) {
                        bits.set(i);
                    }
                }
                Some(bits)
            }
            Criteria::Leaf(condition) => {
                let target = condition.field.target(entity)?;
                let test = &condition.test;
                match entity {
                    Entity::Person => self.person_leaf(target, test),
                    Entity::Company => self.company_leaf(target, test),
                }
            }
        }
    }

    /// Which touches pass `test` on searchable field `field`.
    fn touches_passing(&self, field: &str, test: &Test) -> Option<Vec<bool>> {
        let f = TOUCH_SEARCH_FIELDS.iter().position(|n| *n == field)?;
        let values = self.text.decide(&TextTest::of(test)?);
        if self.touches.table.is_empty() {
            return Some(vec![values[0]]);
        }
        Some(
            self.touches
                .table
                .iter()
                .map(|t| values[t[f] as usize])
                .collect(),
        )
    }

    fn scan<T: Copy>(column: &[T], len: usize, pass: impl Fn(T) -> bool) -> Bits {
        let mut bits = Bits::empty(len);
        for (i, v) in column.iter().enumerate() {
            if pass(*v) {
                bits.set(i);
            }
        }
        bits
    }

    fn texts_passing(texts: &Texts, len: usize, test: &Test) -> Option<Bits> {
        let test = TextTest::of(test)?;
        let mut bits = Bits::empty(len);
        for i in 0..len {
            if test.passes(texts.get(i)) {
                bits.set(i);
            }
        }
        Some(bits)
    }

    fn ints_passing(column: &[i64], len: usize, test: &Test) -> Option<Bits> {
        let test = IntTest::of(test)?;
        Some(Model::scan(column, len, |v| test.passes(v)))
    }

    /// Companies passing a test on one of their own columns (`c.…`).
    fn company_column(&self, column: &str, test: &Test) -> Option<Bits> {
        let len = self.companies_len();
        Some(match column {
            "c.name" => Model::texts_passing(&self.c_name, len, test)?,
            "c.domain" => Model::texts_passing(&self.c_domain, len, test)?,
            "c.created_at" => Model::ints_passing(&self.c_created, len, test)?,
            "c.id" => {
                let test = IntTest::of(test)?;
                let mut bits = Bits::empty(len);
                for (i, c) in self.c_created.iter().enumerate() {
                    if *c != NONE && test.passes(i as i64) {
                        bits.set(i);
                    }
                }
                bits
            }
            other => {
                let touches = self.touches_passing(other.strip_prefix("c.src_")?, test)?;
                Model::scan(&self.c_src, len, |t| touches[t as usize])
            }
        })
    }

    /// Persons passing a test on one of their own columns (`p.…`).
    fn person_column(&self, column: &str, test: &Test) -> Option<Bits> {
        let len = self.persons_len();
        Some(match column {
            "p.created_at" => Model::ints_passing(&self.p_created, len, test)?,
            "p.owner_id" => Model::ints_passing(&self.p_owner, len, test)?,
            "p.company_id" => Model::ints_passing(&self.p_company, len, test)?,
            "p.status" => {
                let test = TextTest::of(test)?;
                // Code 0 (a status outside the list) cannot be stored under the CHECK.
                let codes: Vec<bool> = std::iter::once(false)
                    .chain(
                        crate::store::search::LEAD_STATUSES
                            .iter()
                            .map(|s| test.passes(Some(s))),
                    )
                    .collect();
                Model::scan(&self.p_status, len, |s| codes[s as usize])
            }
            "p.country" => {
                let values = self.text.decide(&TextTest::of(test)?);
                Model::scan(&self.p_country, len, |v| values[v as usize])
            }
            "p.email_key" => Model::texts_passing(&self.p_email, len, test)?,
            "p.name" => Model::texts_passing(&self.p_name, len, test)?,
            other => {
                if let Some(field) = other.strip_prefix("p.first_") {
                    let touches = self.touches_passing(field, test)?;
                    Model::scan(&self.p_first, len, |t| touches[t as usize])
                } else {
                    let touches = self.touches_passing(other.strip_prefix("p.lead_")?, test)?;
                    Model::scan(&self.p_lead, len, |t| touches[t as usize])
                }
            }
        })
    }

    /// Persons with a submission whose column (`s.…` or the form's `f.key`) passes.
    fn persons_with_submission(&self, column: &str, test: &Test) -> Option<Bits> {
        let mut bits = Bits::empty(self.persons_len());
        if column == "f.key" {
            let test = TextTest::of(test)?;
            // Form ids are few and small: a flag per id.
            let mut forms = Vec::new();
            for (id, key) in &self.forms {
                if let Ok(id) = usize::try_from(*id) {
                    if id > 0 && id < MAX_FORMS && test.passes(Some(key)) {
                        grow(&mut forms, id, false);
                        forms[id] = true;
                    }
                }
            }
            if self
                .forms
                .keys()
                .any(|id| usize::try_from(*id).map_or(true, |id| id >= MAX_FORMS))
            {
                return None;
            }
            for (person, form) in self.s_person.iter().zip(&self.s_form) {
                if *person != 0 && forms.get(*form as usize).copied().unwrap_or(false) {
                    bits.set(*person as usize);
                }
            }
        } else {
            let touches = self.touches_passing(column.strip_prefix("s.conv_")?, test)?;
            for (person, touch) in self.s_person.iter().zip(&self.s_conv) {
                if *person != 0 && touches[*touch as usize] {
                    bits.set(*person as usize);
                }
            }
        }
        Some(bits)
    }

    fn person_leaf(&self, target: &Target, test: &Test) -> Option<Bits> {
        match target {
            Target::Value(column) => self.person_column(column, test),
            Target::Any { column, .. } => self.persons_with_submission(column, test),
            Target::One { key, column, .. } if key == "p.company_id" => {
                let companies = self.company_column(column, test)?;
                let empty = *test == Test::Empty;
                Some(Model::scan(&self.p_company, self.persons_len(), |c| {
                    if c == NONE {
                        empty
                    } else {
                        usize::try_from(c).is_ok_and(|c| companies.get(c))
                    }
                }))
            }
            Target::One { .. } => None,
        }
    }

    fn company_leaf(&self, target: &Target, test: &Test) -> Option<Bits> {
        match target {
            Target::Value(column) => self.company_column(column, test),
            Target::Any { column, .. } => {
                // Companies with any person passing: the person-side test, then each
                // passing person's company.
                let persons = if column.starts_with("p.") {
                    self.person_column(column, test)?
                } else {
                    self.persons_with_submission(column, test)?
                };
                let mut bits = Bits::empty(self.companies_len());
                for (i, company) in self.p_company.iter().enumerate() {
                    if *company != NONE && self.p_created[i] != NONE && persons.get(i) {
                        if let Some(c) = slot(*company) {
                            bits.set(c);
                        }
                    }
                }
                Some(bits)
            }
            Target::One { .. } => None,
        }
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn pages_walk_set_bits_both_ways() {
        let mut bits = Bits::empty(300);
        for i in [1, 2, 63, 64, 65, 130, 299] {
            bits.set(i);
        }
        assert_eq!(bits.count(), 7);
        assert_eq!(bits.page(None, 3, false), vec![1, 2, 63]);
        assert_eq!(bits.page(Some(63), 3, false), vec![64, 65, 130]);
        assert_eq!(bits.page(Some(299), 3, false), Vec::<i64>::new());
        assert_eq!(bits.page(None, 3, true), vec![299, 130, 65]);
        assert_eq!(bits.page(Some(65), 10, true), vec![64, 63, 2, 1]);
        assert_eq!(bits.page(Some(1), 10, true), Vec::<i64>::new());
    }

    #[test]
    fn contains_ignores_ascii_case_only() {
        assert!(contains_ascii_ci("LinkedIn", b"kedi"));
        assert!(!contains_ascii_ci("ÅSE", "å".as_bytes()));
        assert!(contains_ascii_ci("", b""));
        assert_eq!(like_needle("%50\\%\\_\\\\%"), Some(b"50%_\\".to_vec()));
    }
}
