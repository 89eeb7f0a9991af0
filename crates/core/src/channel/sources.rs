//! What a source *is* (search engine, social network, video or shopping site, webmail) and
//! which spellings name the same source.
//!
//! Both come from data files in `crates/core/data/` (see its README for origin, licence and
//! key syntax), compiled in and parsed on first use. Only the channel rules and the link
//! builder call into this module, so the tracker, which does neither, carries none of it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use crate::clean::normalise_name;
use crate::touch::Touch;

const GA4_CATEGORIES: &str = include_str!("../../data/ga4-source-categories.csv");
const OUR_CATEGORIES: &str = include_str!("../../data/source-categories.csv");
const BUILTIN_ALIASES: &str = include_str!("../../data/source-aliases.csv");

/// Every data file the rules read, for the fingerprint that guards `RULES_VERSION`.
#[cfg(test)]
pub(super) const DATA_FILES: [&str; 3] = [GA4_CATEGORIES, OUR_CATEGORIES, BUILTIN_ALIASES];

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
pub enum SourceCategory {
    Search,
    Social,
    Video,
    Shopping,
    /// Webmail and mail apps; not one of Google's categories.
    Email,
}

impl SourceCategory {
    pub const fn id(self) -> &'static str {
        match self {
            SourceCategory::Search => "search",
            SourceCategory::Social => "social",
            SourceCategory::Video => "video",
            SourceCategory::Shopping => "shopping",
            SourceCategory::Email => "email",
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
    /// `brand.*`: the brand under a country or generic top-level domain.
    Brand(String),
}

impl Pattern {
    fn parse(raw: &str) -> Option<Pattern> {
        let raw = raw.trim();
        let (make, body): (fn(String) -> Pattern, &str) = if let Some(d) = raw.strip_prefix('.') {
            (Pattern::Domain, d)
        } else if let Some(b) = raw.strip_suffix(".*") {
            (Pattern::Brand, b)
        } else {
            (Pattern::Exact, raw)
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

/// True for the part of a host after a brand that a country or generic domain looks like:
/// `de`, `com`, `co.uk`, `com.br`.
fn is_top_level_tail(tail: &str) -> bool {
    let short_letters = |l: &str, range: std::ops::RangeInclusive<usize>| {
        range.contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase())
    };
    match tail.split_once('.') {
        None => short_letters(tail, 2..=3),
        Some((second_level, country)) => {
            matches!(
                second_level,
                "co" | "com" | "net" | "org" | "ne" | "or" | "ac" | "go" | "gob" | "gov" | "edu"
            ) && short_letters(country, 2..=2)
        }
    }
}

/// Sources (or source patterns) to values: categories, or alias targets.
#[derive(Debug, Clone)]
struct SourceTable<V> {
    exact: BTreeMap<String, V>,
    domains: BTreeMap<String, V>,
    brands: BTreeMap<String, V>,
}

impl<V> Default for SourceTable<V> {
    fn default() -> Self {
        SourceTable {
            exact: BTreeMap::new(),
            domains: BTreeMap::new(),
            brands: BTreeMap::new(),
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
        }
    }

    /// Looks up an already normalised source: exact key, then the longest matching domain,
    /// then a brand.
    fn get(&self, source: &str) -> Option<&V> {
        let source = source.strip_prefix("www.").unwrap_or(source);
        if let Some(v) = self.exact.get(source) {
            return Some(v);
        }
        let mut rest = source;
        loop {
            if let Some(v) = self.domains.get(rest) {
                return Some(v);
            }
            match rest.split_once('.') {
                Some((_, shorter)) if !shorter.is_empty() => rest = shorter,
                _ => break,
            }
        }
        let (brand, tail) = source.split_once('.')?;
        if is_top_level_tail(tail) {
            self.brands.get(brand)
        } else {
            None
        }
    }

    fn len(&self) -> usize {
        self.exact.len() + self.domains.len() + self.brands.len()
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

fn category_table() -> &'static SourceTable<SourceCategory> {
    static TABLE: OnceLock<SourceTable<SourceCategory>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = SourceTable::default();
        // Bad lines are caught by the tests; at run time the rest of the list still counts.
        load_categories(&mut table, GA4_CATEGORIES);
        load_categories(&mut table, OUR_CATEGORIES);
        table
    })
}

/// The category of a source (`google` → search, `m.facebook.com` → social,
/// `mail.google.com` → email), or `None` for any other site or name. The source is
/// normalised first, so `Facebook` and ` facebook ` are found too.
pub fn source_category(source: &str) -> Option<SourceCategory> {
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
            let pairs = rows(BUILTIN_ALIASES).filter_map(|(_, row)| row.ok());
            // The built-in file is checked by the tests; should it ever be broken, no
            // aliases is a safer fallback than a panic inside a request.
            SourceAliases::none()
                .with_pairs(pairs)
                .unwrap_or_else(|_| SourceAliases::none())
        })
    }

    /// Only the given `(alias, source)` pairs.
    pub fn from_pairs<A: AsRef<str>, S: AsRef<str>>(
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
        {
            let mut seen = BTreeSet::new();
            let mut current = start.as_str();
            while let Some(next) = self.table.get(current) {
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
pub fn canonical_source(source: &str) -> Option<String> {
    SourceAliases::builtin().canonical(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bad_lines(text: &str) -> Vec<BadLine> {
        load_categories(&mut SourceTable::default(), text)
    }

    #[test]
    fn data_files_have_no_unreadable_lines() {
        assert_eq!(bad_lines(GA4_CATEGORIES), vec![]);
        assert_eq!(bad_lines(OUR_CATEGORIES), vec![]);
        let bad_aliases: Vec<_> = rows(BUILTIN_ALIASES).filter(|(_, r)| r.is_err()).collect();
        assert_eq!(bad_aliases, vec![]);
        assert!(SourceAliases::none()
            .with_pairs(rows(BUILTIN_ALIASES).filter_map(|(_, r)| r.ok()))
            .is_ok());
    }

    #[test]
    fn google_list_is_complete_and_categories_are_known() {
        let mut table = SourceTable::default();
        load_categories(&mut table, GA4_CATEGORIES);
        // 819 rows, of which none repeats a key.
        assert_eq!(table.len(), 819);
        assert!(category_table().len() > 819 + 100);
    }

    /// Our file may override Google's list only where we mean to; and it must not repeat
    /// what Google's list already says.
    #[test]
    fn our_overrides_of_google_are_deliberate() {
        let mut google = SourceTable::default();
        load_categories(&mut google, GA4_CATEGORIES);
        let mut overrides = Vec::new();
        let mut repeats = Vec::new();
        for (_, row) in rows(OUR_CATEGORIES) {
            let (key, category) = row.unwrap();
            if let (Some(Pattern::Exact(k)), Some(c)) =
                (Pattern::parse(key), SourceCategory::from_data(category))
            {
                match google.exact.get(&k) {
                    Some(g) if *g == c => repeats.push(k),
                    Some(_) => overrides.push(k),
                    None => {}
                }
            }
        }
        overrides.sort();
        assert_eq!(
            overrides,
            ["email.seznam.cz", "mail.rambler.ru", "mail.yandex.ru"]
        );
        assert_eq!(repeats, Vec::<String>::new());
    }

    #[test]
    fn categories_of_common_sources() {
        let cases = [
            ("google", Some(SourceCategory::Search)),
            ("Google", Some(SourceCategory::Search)),
            ("google.com", Some(SourceCategory::Search)),
            ("www.google.co.uk", Some(SourceCategory::Search)),
            ("google.com.br", Some(SourceCategory::Search)),
            ("docs.google.com", None),
            ("google.evil.example", None),
            ("mail.google.com", Some(SourceCategory::Email)),
            ("mail.yahoo.com", Some(SourceCategory::Email)),
            ("uk.mail.yahoo.com", Some(SourceCategory::Email)),
            ("search.yahoo.com", Some(SourceCategory::Search)),
            ("answers.yahoo.com", Some(SourceCategory::Social)),
            ("email.seznam.cz", Some(SourceCategory::Email)),
            ("search.seznam.cz", Some(SourceCategory::Search)),
            ("m.facebook.com", Some(SourceCategory::Social)),
            ("business.facebook.com", Some(SourceCategory::Social)),
            ("notfacebook.com", None),
            ("old.reddit.com", Some(SourceCategory::Social)),
            ("music.youtube.com", Some(SourceCategory::Video)),
            ("youtube", Some(SourceCategory::Video)),
            ("amazon.de", Some(SourceCategory::Shopping)),
            ("amazon.co.jp", Some(SourceCategory::Shopping)),
            ("Google Shopping", Some(SourceCategory::Shopping)),
            ("yandex.com.tr", Some(SourceCategory::Search)),
            ("news.ycombinator.com", Some(SourceCategory::Social)),
            ("acme.example", None),
            ("", None),
            ("(direct)", None),
        ];
        for (source, expected) in cases {
            assert_eq!(source_category(source), expected, "{source}");
        }
    }

    #[test]
    fn brand_tails_look_like_country_domains() {
        for tail in ["de", "com", "co.uk", "com.br", "co.jp", "ne.jp", "gob.mx"] {
            assert!(is_top_level_tail(tail), "{tail}");
        }
        for tail in [
            "",
            "evil.com",
            "example",
            "c",
            "com.evil",
            "co.uk.evil",
            "d3",
        ] {
            assert!(!is_top_level_tail(tail), "{tail}");
        }
    }

    #[test]
    fn builtin_aliases_merge_spellings() {
        let cases = [
            ("fb", "facebook"),
            ("Facebook", "facebook"),
            ("facebook.com", "facebook"),
            ("m.facebook.com", "facebook"),
            ("www.facebook.com", "facebook"),
            ("l.facebook.com", "facebook"),
            ("lnkd.in", "linkedin"),
            ("LinkedIn", "linkedin"),
            ("x.com", "twitter"),
            ("t.co", "twitter"),
            ("youtu.be", "youtube"),
            ("google.de", "google"),
            ("AdWords", "google"),
            ("Google Ads", "google"),
            ("bing.com", "bing"),
            ("yandex.ru", "yandex"),
            ("newsletter", "newsletter"),
            ("news.ycombinator.com", "news.ycombinator.com"),
            ("docs.google.com", "docs.google.com"),
        ];
        for (raw, canonical) in cases {
            assert_eq!(canonical_source(raw).as_deref(), Some(canonical), "{raw}");
        }
        assert_eq!(canonical_source("  \u{0} "), None);
    }

    /// Every name the aliases produce is one the category lists know, and so is every name
    /// the tracker's own referrer table writes: otherwise a merge would lose the category.
    #[test]
    fn alias_targets_and_tracker_sources_have_categories() {
        let aliases = SourceAliases::builtin();
        for target in aliases
            .table
            .exact
            .values()
            .chain(aliases.table.domains.values())
            .chain(aliases.table.brands.values())
        {
            assert!(source_category(target).is_some(), "{target}");
        }
        for host in [
            "google.com",
            "bing.com",
            "search.yahoo.com",
            "duckduckgo.com",
            "baidu.com",
            "yandex.ru",
            "ecosia.org",
            "search.naver.com",
            "search.seznam.cz",
            "qwant.com",
            "startpage.com",
            "search.brave.com",
            "so.com",
            "sogou.com",
            "facebook.com",
            "instagram.com",
            "linkedin.com",
            "lnkd.in",
            "t.co",
            "twitter.com",
            "x.com",
            "youtube.com",
            "reddit.com",
            "tiktok.com",
            "pinterest.com",
            "threads.net",
            "bsky.app",
            "xing.com",
        ] {
            let (source, _) = crate::referrer::classify_host(host);
            assert!(source_category(&source).is_some(), "{host} → {source}");
        }
    }

    #[test]
    fn operator_aliases_lay_over_builtin_ones() {
        let aliases = SourceAliases::builtin_with([
            ("facebook", "meta"),
            ("Partner A", "partner_a"),
            (".acme-partner.com", "partner_a"),
        ])
        .unwrap();
        assert_eq!(aliases.canonical("fb").as_deref(), Some("meta"));
        assert_eq!(aliases.canonical("m.facebook.com").as_deref(), Some("meta"));
        assert_eq!(aliases.canonical("partner a").as_deref(), Some("partner_a"));
        assert_eq!(
            aliases.canonical("blog.acme-partner.com").as_deref(),
            Some("partner_a")
        );
        assert_eq!(
            aliases.canonical("linkedin.com").as_deref(),
            Some("linkedin")
        );

        let only = SourceAliases::from_pairs([("fb", "facebook")]).unwrap();
        assert_eq!(
            only.canonical("facebook.com").as_deref(),
            Some("facebook.com")
        );
        assert_eq!(only.len(), 1);

        let mut touch = Touch::decode("source=FB&click_id=AbC&click_id_type=fbclid");
        aliases.apply(&mut touch);
        assert_eq!(touch.source.as_deref(), Some("meta"));
        assert_eq!(touch.click_id.as_deref(), Some("AbC"));
    }

    #[test]
    fn bad_operator_aliases_are_refused() {
        assert!(matches!(
            SourceAliases::from_pairs([("", "x")]),
            Err(AliasError::InvalidAlias { .. })
        ));
        assert!(matches!(
            SourceAliases::from_pairs([("a", " ")]),
            Err(AliasError::InvalidSource { .. })
        ));
        assert!(matches!(
            SourceAliases::from_pairs([("a", ".b.com")]),
            Err(AliasError::InvalidSource { .. })
        ));
        assert!(matches!(
            SourceAliases::from_pairs([("a", "b"), ("A", "c")]),
            Err(AliasError::Conflict { .. })
        ));
        assert!(matches!(
            SourceAliases::from_pairs([("a", "b"), ("b", "a")]),
            Err(AliasError::Cycle { .. })
        ));
        assert!(SourceAliases::from_pairs([("a", "b"), ("A ", "B")]).is_ok());
        assert!(SourceAliases::from_pairs([("a", "a")]).unwrap().is_empty());
        let message = SourceAliases::from_pairs([("a", "b"), ("a", "c")])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("\"b\"") && message.contains("\"c\""),
            "{message}"
        );
    }

    proptest! {
        #[test]
        fn canonical_names_are_fixed_points(raw in any::<String>()) {
            if let Some(once) = canonical_source(&raw) {
                prop_assert_eq!(canonical_source(&once), Some(once.clone()));
            }
        }

        #[test]
        fn lookups_never_panic(raw in any::<String>(), pairs in proptest::collection::vec((any::<String>(), any::<String>()), 0..6)) {
            let _ = source_category(&raw);
            if let Ok(aliases) = SourceAliases::builtin_with(pairs) {
                let _ = aliases.canonical(&raw);
            }
        }
    }
}
