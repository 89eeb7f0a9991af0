//! Tests of the source lists and aliases.

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
    for (text, category) in HOST_LISTS {
        assert_eq!(
            load_hosts(&mut SourceTable::default(), text, category),
            vec![],
            "{category:?}"
        );
    }
    let all = rows(BUILTIN_ALIASES)
        .chain(HOST_LISTS.into_iter().flat_map(|(text, _)| rows(text)))
        .filter_map(|(_, r)| r.ok());
    assert_eq!(SourceAliases::none().with_pairs(all).err(), None);
    assert!(SourceAliases::builtin().len() > 400);
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
    // The host lists may repeat Google's entries (they also name the source), but they
    // too change a category of Google's only where we mean to.
    for (key, category) in &google.exact {
        let ours = category_table().exact.get(key);
        if ours != Some(category) && !overrides.contains(key) {
            overrides.push(key.clone());
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
fn brands_stand_before_a_known_public_suffix() {
    for (host, brand) in [
        ("google.de", "google"),
        ("google.com", "google"),
        ("google.co.uk", "google"),
        ("google.com.br", "google"),
        ("yahoo.co.jp", "yahoo"),
        ("yahoo.ne.jp", "yahoo"),
        ("google.gob.mx", "google"),
        ("mail.yahoo.de", "mail.yahoo"),
        ("lightmailer.gmx.at", "lightmailer.gmx"),
    ] {
        assert_eq!(before_public_suffix(host), Some(brand), "{host}");
    }
    for host in [
        "",
        "de",
        "co.uk",
        "google.evil",
        "google.evil.example",
        "acme.blogspot.com",
        ".de",
        "192.0.2.1",
    ] {
        assert_eq!(before_public_suffix(host), None, "{host}");
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
        ("news.ycombinator.com", "hacker_news"),
        ("deref-gmx.net", "gmx"),
        ("lightmailer.gmx.at", "gmx"),
        ("co106w.col106.mail.live.com", "outlook"),
        ("chat.openai.com", "chatgpt"),
        ("chatgpt.com", "chatgpt"),
        ("l.threads.com", "threads"),
        ("x.tumblr.com", "tumblr"),
        ("mailbusiness.ionos.fr", "ionos"),
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

/// Every line of the host lists does what it says: the host (and its sub-domains, for a
/// domain key) is in the list's category and stored under the line's source name, and so
/// is that name itself. A line that a more specific key elsewhere contradicts fails here.
#[test]
fn host_lists_name_and_categorise_their_hosts() {
    let mut failures = Vec::new();
    for (line, key, source, category) in host_lists() {
        let bare = key.trim_start_matches('.').trim_end_matches(".*");
        let mut hosts = Vec::new();
        if key.ends_with(".*") {
            hosts.push(format!("{bare}.de"));
            hosts.push(format!("{bare}.co.uk"));
        } else {
            hosts.push(bare.to_owned());
        }
        if key.starts_with('.') {
            let sub: Vec<String> = hosts.iter().map(|h| format!("x1.{h}")).collect();
            hosts.extend(sub);
        }
        for host in hosts.iter().map(String::as_str).chain([source.as_str()]) {
            let got = (source_category(host), canonical_source(host));
            if got != (Some(category), Some(source.clone())) {
                failures.push(format!("line {line} {key}: {host} → {got:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
