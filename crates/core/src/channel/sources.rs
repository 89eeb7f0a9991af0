//! What a source *is* (search engine, social network, video or shopping site, webmail) and
//! which spellings name the same source.
//!
//! Both come from data files in `crates/core/data/` (see its README for origin, licence and
//! key syntax), compiled in and parsed on first use. The host lists (webmail, search
//! engines, social networks, AI assistants) give both at once: each line names a host
//! pattern and the source it stands for, and the file says the category. Only the channel rules and the link
//! builder call into this module, so the tracker, which does neither, carries none of it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use crate::clean::normalise_name;
use crate::touch::Touch;

const GA4_CATEGORIES: &str = include_str!("../../data/ga4-source-categories.csv");
const OUR_CATEGORIES: &str = include_str!("../../data/source-categories.csv");
const BUILTIN_ALIASES: &str = include_str!("../../data/source-aliases.csv");

/// `host,source` lists, one per category: read after the two category files (and winning
/// over them for the same key), their sources laid over the built-in aliases.
const HOST_LISTS: [(&str, SourceCategory); 4] = [
    (
        include_str!("../../data/webmail.csv"),
        SourceCategory::Email,
    ),
    (
        include_str!("../../data/search-engines.csv"),
        SourceCategory::Search,
    ),
    (
        include_str!("../../data/social-networks.csv"),
        SourceCategory::Social,
    ),
    (
        include_str!("../../data/ai-assistants.csv"),
        SourceCategory::Ai,
    ),
];

/// Every data file the rules read, for the fingerprint that guards `RULES_VERSION`.
#[cfg(test)]
pub(super) const DATA_FILES: [&str; 7] = [
    GA4_CATEGORIES,
    OUR_CATEGORIES,
    BUILTIN_ALIASES,
    HOST_LISTS[0].0,
    HOST_LISTS[1].0,
    HOST_LISTS[2].0,
    HOST_LISTS[3].0,
];

/// The host lists with their category, for tests.
#[cfg(test)]
pub(super) fn host_lists() -> impl Iterator<Item = (usize, String, String, SourceCategory)> {
    HOST_LISTS.into_iter().flat_map(|(text, category)| {
        rows(text).filter_map(move |(line, row)| {
            row.ok()
                .map(|(k, v)| (line, k.to_owned(), v.to_owned(), category))
        })
    })
}

/// The exact (not domain or brand) entries of the category lists, for table tests.
#[cfg(test)]
pub(super) fn exact_entries() -> Vec<(String, SourceCategory)> {
    category_table()
        .exact
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// The kind of site a source is, as far as the channel rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub(crate) enum SourceCategory {
    Search,
    Social,
    Video,
    Shopping,
    /// Webmail and mail apps; not one of Google's categories.
    Email,
    /// AI assistants (ChatGPT, Perplexity, Claude …); not one of Google's categories.
    Ai,
}

impl SourceCategory {
    pub const fn id(self) -> &'static str {
        match self {
            SourceCategory::Search => "search",
            SourceCategory::Social => "social",
            SourceCategory::Video => "video",
            SourceCategory::Shopping => "shopping",
            SourceCategory::Email => "email",
            SourceCategory::Ai => "ai",
        }
    }

    /// Reads a category as written in the data files: ours (`search`) or Google's
    /// (`SOURCE_CATEGORY_SEARCH`).
    fn from_data(raw: &str) -> Option<SourceCategory> {
        let raw = raw.trim();
        let id = raw.strip_prefix("SOURCE_CATEGORY_").unwrap_or(raw);
        [
            SourceCategory::Search,
            SourceCategory::Social,
            SourceCategory::Video,
            SourceCategory::Shopping,
            SourceCategory::Email,
            SourceCategory::Ai,
        ]
        .into_iter()
        .find(|c| c.id().eq_ignore_ascii_case(id))
    }
}

/// How a key in a data file or an operator's alias matches sources.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pattern {
    /// Exactly this (normalised) source.
    Exact(String),
    /// `.example.com`: the domain and every sub-domain.
    Domain(String),
    /// `brand.*`: the brand (one or more labels) right under a public suffix
    /// (`google.co.uk`, `mail.yahoo.de`), not its sub-domains.
    Brand(String),
    /// `.brand.*`: the brand under any public suffix, and every sub-domain of it
    /// (`gmx.at`, `lightmailer.gmx.at`).
    DomainBrand(String),
}

impl Pattern {
    fn parse(raw: &str) -> Option<Pattern> {
        let raw = raw.trim();
        let (make, body): (fn(String) -> Pattern, &str) =
            match (raw.strip_prefix('.'), raw.strip_suffix(".*")) {
                (Some(_), Some(_)) => (Pattern::DomainBrand, &raw[1..raw.len() - 2]),
                (Some(d), None) => (Pattern::Domain, d),
                (None, Some(b)) => (Pattern::Brand, b),
                (None, None) => (Pattern::Exact, raw),
            };
        let body = normalise_name(body)?;
        let body = body.strip_prefix("www.").unwrap_or(&body).to_owned();
        // A key must be one spelling, not a list or a glob: these would never match anything.
        if body.is_empty()
            || body.contains([',', '*'])
            || body.starts_with('.')
            || body.ends_with('.')
        {
            return None;
        }
        Some(make(body))
    }
}

/// The part of `host` before its public suffix, when that suffix is a known one of the
/// ICANN section (`co.uk`, `de`, `com.br`): the brand a `brand.*` key names. Private
/// suffixes (`blogspot.com`) do not count: a blog there is nobody's brand.
pub(super) fn before_public_suffix(host: &str) -> Option<&str> {
    let suffix = psl::suffix(host.as_bytes())?;
    if !suffix.is_known() || suffix.typ() != Some(psl::Type::Icann) {
        return None;
    }
    let brand = host.get(..host.len().checked_sub(suffix.as_bytes().len() + 1)?)?;
    (host.as_bytes().get(brand.len()) == Some(&b'.') && !brand.is_empty()).then_some(brand)
}

/// Sources (or source patterns) to values: categories, or alias targets.
#[derive(Debug, Clone)]
struct SourceTable<V> {
    exact: BTreeMap<String, V>,
    domains: BTreeMap<String, V>,
    brands: BTreeMap<String, V>,
    domain_brands: BTreeMap<String, V>,
}

impl<V> Default for SourceTable<V> {
    fn default() -> Self {
        SourceTable {
            exact: BTreeMap::new(),
            domains: BTreeMap::new(),
            brands: BTreeMap::new(),
            domain_brands: BTreeMap::new(),
        }
    }
}

impl<V> SourceTable<V> {
    /// Inserts, replacing an earlier value for the same pattern; returns the replaced one.
    fn insert(&mut self, pattern: Pattern, value: V) -> Option<V> {
        match pattern {
            Pattern::Exact(k) => self.exact.insert(k, value),
            Pattern::Domain(k) => self.domains.insert(k, value),
            Pattern::Brand(k) => self.brands.insert(k, value),
            Pattern::DomainBrand(k) => self.domain_brands.insert(k, value),
        }
    }

    /// Looks up an already normalised source: the exact key first; then, from the whole
    /// host down to shorter and shorter parent domains, a `.domain` key, a `brand.*` key
    /// (for the whole host only) or a `.brand.*` key — so the most specific key wins.
    fn get(&self, source: &str) -> Option<&V> {
        let source = source.strip_prefix("www.").unwrap_or(source);
        if let Some(v) = self.exact.get(source) {
            return Some(v);
        }
        let brand_of_host = before_public_suffix(source);
        let mut rest = source;
        loop {
            if let Some(v) = self.domains.get(rest) {
                return Some(v);
            }
            // `rest` ends with the host's suffix, so its brand is the same prefix, shortened.
            let brand = brand_of_host.and_then(|b| b.get(source.len() - rest.len()..));
            if let Some(brand) = brand.filter(|b| !b.is_empty()) {
                if rest.len() == source.len() {
                    if let Some(v) = self.brands.get(brand) {
                        return Some(v);
                    }
                }
                if let Some(v) = self.domain_brands.get(brand) {
                    return Some(v);
                }
            }
            match rest.split_once('.') {
                Some((_, shorter)) if !shorter.is_empty() => rest = shorter,
                _ => break,
            }
        }
        None
    }

    fn len(&self) -> usize {
        self.exact.len() + self.domains.len() + self.brands.len() + self.domain_brands.len()
    }
}

/// One line of a data file that could not be read, for the tests that keep the files clean.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BadLine {
    line: usize,
    text: String,
}

/// The `(key, value)` rows of a two-column data file: `#` comments, blank lines and a header
/// row (`source,…` or `alias,…`) are skipped.
fn rows(text: &str) -> impl Iterator<Item = (usize, Result<(&str, &str), BadLine>)> {
    text.lines().enumerate().filter_map(|(index, line)| {
        let trimmed = line.trim();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("source,")
            || trimmed.starts_with("alias,")
        {
            return None;
        }
        let row = trimmed
            .split_once(',')
            .filter(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty() && !v.contains(','))
            .map(|(k, v)| (k.trim(), v.trim()))
            .ok_or_else(|| BadLine {
                line: index + 1,
                text: line.to_owned(),
            });
        Some((index + 1, row))
    })
}

/// Reads a category file into `table`; returns the lines it could not use.
fn load_categories(table: &mut SourceTable<SourceCategory>, text: &str) -> Vec<BadLine> {
    let mut bad = Vec::new();
    for (line, row) in rows(text) {
        let parsed = row.and_then(|(key, category)| {
            match (Pattern::parse(key), SourceCategory::from_data(category)) {
                (Some(p), Some(c)) => Ok((p, c)),
                _ => Err(BadLine {
                    line,
                    text: format!("{key},{category}"),
                }),
            }
        });
        match parsed {
            Ok((pattern, category)) => {
                table.insert(pattern, category);
            }
            Err(b) => bad.push(b),
        }
    }
    bad
}

/// Reads a `host,source` list into `table`: the host pattern and the source name both get
/// the list's category. Returns the lines it could not use.
fn load_hosts(
    table: &mut SourceTable<SourceCategory>,
    text: &str,
    category: SourceCategory,
) -> Vec<BadLine> {
    let mut bad = Vec::new();
    for (line, row) in rows(text) {
        match row.map(|(host, source)| (Pattern::parse(host), Pattern::parse(source))) {
            Ok((Some(host), Some(source @ Pattern::Exact(_)))) => {
                table.insert(host, category);
                table.insert(source, category);
            }
            Ok(_) => bad.push(BadLine {
                line,
                text: text.lines().nth(line - 1).unwrap_or_default().to_owned(),
            }),
            Err(b) => bad.push(b),
        }
    }
    bad
}

fn category_table() -> &'static SourceTable<SourceCategory> {
    static TABLE: OnceLock<SourceTable<SourceCategory>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = SourceTable::default();
        // Bad lines are caught by the tests; at run time the rest of the list still counts.
        load_categories(&mut table, GA4_CATEGORIES);
        load_categories(&mut table, OUR_CATEGORIES);
        for (text, category) in HOST_LISTS {
            load_hosts(&mut table, text, category);
        }
        table
    })
}

/// The category of a source (`google` → search, `m.facebook.com` → social,
/// `mail.google.com` → email), or `None` for any other site or name. The source is
/// normalised first, so `Facebook` and ` facebook ` are found too.
pub(crate) fn source_category(source: &str) -> Option<SourceCategory> {
    let source = normalise_name(source)?;
    category_table().get(&source).copied()
}

/// Longest chain of aliases followed; data with a longer one is rejected when it is built.
const MAX_ALIAS_HOPS: usize = 8;

/// Why operator-supplied aliases were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasError {
    /// The alias (left side) is empty or not a usable key.
    InvalidAlias { alias: String },
    /// The source an alias points to is empty or not a plain name.
    InvalidSource { alias: String, source: String },
    /// The same alias was given twice with different sources.
    Conflict {
        alias: String,
        first: String,
        second: String,
    },
    /// Following the aliases from this name leads back to it (or on for too long).
    Cycle { source: String },
}

impl fmt::Display for AliasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AliasError::InvalidAlias { alias } => write!(
                f,
                "alias {alias:?} is not usable: give a name, `.domain.com` or `brand.*`"
            ),
            AliasError::InvalidSource { alias, source } => write!(
                f,
                "alias {alias:?} points to {source:?}, which is not a plain source name"
            ),
            AliasError::Conflict {
                alias,
                first,
                second,
            } => write!(
                f,
                "alias {alias:?} is given twice, for {first:?} and for {second:?}"
            ),
            AliasError::Cycle { source } => {
                write!(f, "aliases starting at {source:?} go round in a circle")
            }
        }
    }
}

impl std::error::Error for AliasError {}

/// A table of source spellings merged into one name (`fb`, `facebook.com`,
/// `m.facebook.com`, `Facebook` → `facebook`).
///
/// [`SourceAliases::builtin`] holds leadtrail's defaults (`data/source-aliases.csv`);
/// [`SourceAliases::builtin_with`] lays an operator's own pairs over them. Aliases are
/// followed until a name has none, so an operator who maps `facebook` → `meta` also
/// catches every built-in spelling of Facebook.
#[derive(Debug, Clone, Default)]
pub struct SourceAliases {
    table: SourceTable<String>,
}

impl SourceAliases {
    /// No aliases at all: every source stays as written (after normalisation).
    pub fn none() -> SourceAliases {
        SourceAliases::default()
    }

    /// The built-in aliases.
    pub fn builtin() -> &'static SourceAliases {
        static BUILTIN: OnceLock<SourceAliases> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let pairs = rows(BUILTIN_ALIASES)
                .chain(HOST_LISTS.into_iter().flat_map(|(text, _)| rows(text)))
                .filter_map(|(_, row)| row.ok());
            // The built-in file is checked by the tests; should it ever be broken, no
            // aliases is a safer fallback than a panic inside a request.
            SourceAliases::none()
                .with_pairs(pairs)
                .unwrap_or_else(|_| SourceAliases::none())
        })
    }

    /// Only the given `(alias, source)` pairs.
    #[cfg(test)]
    pub(crate) fn from_pairs<A: AsRef<str>, S: AsRef<str>>(
        pairs: impl IntoIterator<Item = (A, S)>,
    ) -> Result<SourceAliases, AliasError> {
        SourceAliases::none().with_pairs(pairs)
    }

    /// The built-in aliases with the operator's `(alias, source)` pairs laid over them: an
    /// operator's pair replaces a built-in one for the same alias.
    pub fn builtin_with<A: AsRef<str>, S: AsRef<str>>(
        pairs: impl IntoIterator<Item = (A, S)>,
    ) -> Result<SourceAliases, AliasError> {
        SourceAliases::builtin().clone().with_pairs(pairs)
    }

    fn with_pairs<A: AsRef<str>, S: AsRef<str>>(
        mut self,
        pairs: impl IntoIterator<Item = (A, S)>,
    ) -> Result<SourceAliases, AliasError> {
        let mut given: BTreeMap<Pattern, String> = BTreeMap::new();
        for (alias, source) in pairs {
            let (alias, source) = (alias.as_ref(), source.as_ref());
            let pattern = Pattern::parse(alias).ok_or_else(|| AliasError::InvalidAlias {
                alias: alias.to_owned(),
            })?;
            let target = match Pattern::parse(source) {
                Some(Pattern::Exact(name)) => name,
                _ => {
                    return Err(AliasError::InvalidSource {
                        alias: alias.to_owned(),
                        source: source.to_owned(),
                    })
                }
            };
            if let Some(first) = given.get(&pattern) {
                if *first != target {
                    return Err(AliasError::Conflict {
                        alias: alias.to_owned(),
                        first: first.clone(),
                        second: target,
                    });
                }
            }
            given.insert(pattern.clone(), target.clone());
            // `fb → fb` says nothing; storing it would only look like a cycle.
            if pattern != Pattern::Exact(target.clone()) {
                self.table.insert(pattern, target);
            }
        }
        self.check_chains()?;
        Ok(self)
    }

    /// Rejects tables in which following aliases never stops.
    fn check_chains(&self) -> Result<(), AliasError> {
        for start in self
            .table
            .exact
            .values()
            .chain(self.table.domains.values())
            .chain(self.table.brands.values())
            .chain(self.table.domain_brands.values())
        {
            let mut seen = BTreeSet::new();
            let mut current = start.as_str();
            // A domain key naming its own domain (`.web.de` → `web.de`) stops there.
            while let Some(next) = self.table.get(current).filter(|n| *n != current) {
                if !seen.insert(current.to_owned()) || seen.len() > MAX_ALIAS_HOPS {
                    return Err(AliasError::Cycle {
                        source: start.clone(),
                    });
                }
                current = next;
            }
        }
        Ok(())
    }

    /// Number of alias entries.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// The one name for a source: normalised (trimmed, lower-case, spaces → `_`), then
    /// aliases followed. `None` when nothing is left of the source after cleaning.
    pub fn canonical(&self, source: &str) -> Option<String> {
        let mut current = normalise_name(source)?;
        for _ in 0..=MAX_ALIAS_HOPS {
            match self.table.get(&current) {
                Some(next) if *next != current => current = next.clone(),
                _ => break,
            }
        }
        Some(current)
    }

    /// Rewrites a touch's source to its one name. Nothing else changes: click ids keep their
    /// case and the referrer stays as it was received.
    pub fn apply(&self, touch: &mut Touch) {
        if let Some(source) = touch.source.as_deref() {
            touch.source = self.canonical(source);
        }
    }
}

/// The built-in one name for a source (see [`SourceAliases::canonical`]).
#[cfg(test)]
pub(crate) fn canonical_source(source: &str) -> Option<String> {
    SourceAliases::builtin().canonical(source)
}

#[cfg(test)]
mod tests;
