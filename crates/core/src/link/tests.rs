//! The link builder, checked by reading its links back through the tracker's parser.

use super::*;
use crate::channel::Channel;
use crate::touch::Visit;
use proptest::prelude::*;

fn build(url: &str, source: &str, medium: &str, campaign: &str) -> Result<BuiltLink, LinkError> {
    build_link(
        &LinkRequest::new(url, source, medium, campaign),
        &LinkOptions::default(),
    )
}

fn codes(link: &BuiltLink) -> Vec<&'static str> {
    link.warnings.iter().map(LinkWarning::code).collect()
}

#[test]
fn the_seed_example() {
    let link = build(
        "https://acme.example/webinar",
        "LinkedIn",
        "Social",
        "Webinar Sept",
    )
    .unwrap();
    assert_eq!(
        link.url,
        "https://acme.example/webinar?utm_source=linkedin&utm_medium=social&utm_campaign=webinar_sept"
    );
    assert_eq!(link.warnings, vec![]);
    assert_eq!(link.channel.channel, Channel::OrganicSocial);
    let visit = Visit::read(&link.url, "", None);
    assert_eq!(visit.touch.source.as_deref(), Some("linkedin"));
    assert_eq!(visit.touch.campaign.as_deref(), Some("webinar_sept"));
}

#[test]
fn target_query_and_fragment_are_kept() {
    let link = build(
        "https://acme.example/p?ref=nav&x=1#pricing",
        "google",
        "cpc",
        "brand",
    )
    .unwrap();
    assert_eq!(
        link.url,
        "https://acme.example/p?ref=nav&x=1&utm_source=google&utm_medium=cpc&utm_campaign=brand#pricing"
    );
    assert_eq!(link.channel.channel, Channel::PaidSearch);
    // A hash route with its own "query" stays in the fragment, where servers never see it.
    let link = build("https://acme.example/app#/signup?step=2", "x", "email", "y").unwrap();
    assert_eq!(
        link.url,
        "https://acme.example/app?utm_source=x&utm_medium=email&utm_campaign=y#/signup?step=2"
    );
}

#[test]
fn existing_utm_parameters_are_replaced() {
    let link = build(
        "https://acme.example/?utm_source=old&UTM_Medium=x&a=1&utm_content=y&utm%5Fcampaign=z&&b=2",
        "newsletter",
        "email",
        "june",
    )
    .unwrap();
    assert_eq!(
        link.url,
        "https://acme.example/?a=1&b=2&utm_source=newsletter&utm_medium=email&utm_campaign=june"
    );
    assert_eq!(
        link.warnings,
        vec![LinkWarning::ReplacedUtm {
            params: vec![
                "utm_source".into(),
                "UTM_Medium".into(),
                "utm_content".into(),
                "utm_campaign".into()
            ]
        }]
    );
}

#[test]
fn bare_hosts_get_a_path_and_unsafe_characters_are_encoded() {
    assert_eq!(
        build("https://acme.example", "a", "email", "c")
            .unwrap()
            .url,
        "https://acme.example/?utm_source=a&utm_medium=email&utm_campaign=c"
    );
    assert_eq!(
        build("HTTPS://acme.example?x=1", "a", "email", "c")
            .unwrap()
            .url,
        "https://acme.example/?x=1&utm_source=a&utm_medium=email&utm_campaign=c"
    );
    assert_eq!(
        build("  https://acme.example:8443/über uns?q=\"a b\"<x>  ", "a", "email", "c").unwrap().url,
        "https://acme.example:8443/%C3%BCber%20uns?q=%22a%20b%22%3Cx%3E&utm_source=a&utm_medium=email&utm_campaign=c"
    );
}

/// Targets the hand-written parser let through broken or left unnormalised; the builder
/// now reads them as a browser does.
#[test]
fn targets_are_read_as_browsers_read_them() {
    for bad in [
        "https://acme.example:99999/",
        "https://acme.example:8o80/",
        "https://300.1.1.1/",
        "https://[::1/",
        "https:///acme.example/",
    ] {
        let error = build(bad, "a", "email", "c").unwrap_err();
        assert_eq!(error.field(), "url", "{bad}: {error}");
    }
    let url = |target: &str| build(target, "a", "email", "c").unwrap().url;
    assert_eq!(
        url("https://ACME.Example:443/a/./b/../c?x=1"),
        "https://acme.example/a/c?x=1&utm_source=a&utm_medium=email&utm_campaign=c"
    );
    assert_eq!(
        url("http://acme.example:8080/p?q={a|b}^`#top"),
        "http://acme.example:8080/p?q=%7Ba%7Cb%7D%5E%60&utm_source=a&utm_medium=email&utm_campaign=c#top"
    );
    assert_eq!(
        url("https://[::1]:8443/x"),
        "https://[::1]:8443/x?utm_source=a&utm_medium=email&utm_campaign=c"
    );
    assert_eq!(
        url("https://acme.example/#"),
        "https://acme.example/?utm_source=a&utm_medium=email&utm_campaign=c#"
    );
}

#[test]
fn term_content_and_id_keep_case_and_spaces() {
    let request = LinkRequest {
        term: Some("CRM Software".into()),
        content: Some(" Banner A & B ".into()),
        id: Some("Q3-2025".into()),
        ..LinkRequest::new("https://acme.example/", "Google", "CPC", "Brand")
    };
    let link = build_link(&request, &LinkOptions::default()).unwrap();
    assert_eq!(
        link.url,
        "https://acme.example/?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=CRM%20Software&utm_content=Banner%20A%20%26%20B&utm_id=Q3-2025"
    );
    let touch = Visit::read(&link.url, "", None).touch;
    assert_eq!(touch.term.as_deref(), Some("CRM Software"));
    assert_eq!(touch.content.as_deref(), Some("Banner A & B"));
    assert_eq!(touch.id.as_deref(), Some("Q3-2025"));

    let dropped = LinkRequest {
        term: Some("\u{0}\u{202E}".into()),
        content: Some(String::new()),
        ..LinkRequest::new("https://acme.example/", "google", "cpc", "brand")
    };
    let link = build_link(&dropped, &LinkOptions::default()).unwrap();
    assert_eq!(
        link.warnings,
        vec![LinkWarning::ValueDropped { field: "term" }]
    );
    assert!(!link.url.contains("utm_term") && !link.url.contains("utm_content"));
}

#[test]
fn bad_targets_and_values_are_errors() {
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("", "a", "b", "c", "url"),
        ("   ", "a", "b", "c", "url"),
        ("acme.example/x", "a", "b", "c", "url"),
        ("/relative/path", "a", "b", "c", "url"),
        ("javascript:alert(1)", "a", "b", "c", "url"),
        ("ftp://acme.example/", "a", "b", "c", "url"),
        ("https:///nohost", "a", "b", "c", "url"),
        ("https://exa mple.com/", "a", "b", "c", "url"),
        ("https://<script>/", "a", "b", "c", "url"),
        ("https://acme.example/\u{0}", "a", "b", "c", "url"),
        ("https://bücher.example/", "a", "b", "c", "url"),
        ("https://acme.example\\evil.example/", "a", "b", "c", "url"),
        ("https://acme.example/", "", "b", "c", "source"),
        ("https://acme.example/", "a", " \t", "c", "medium"),
        ("https://acme.example/", "a", "b", "\u{200B}", "campaign"),
        ("https://acme.example/", "🚀", "b", "c", "source"),
        ("https://acme.example/", "a", "b", "весна", "campaign"),
        ("https://acme.example/", "a", "---", "c", "medium"),
    ];
    for (url, source, medium, campaign, field) in cases {
        let error = build(url, source, medium, campaign).unwrap_err();
        assert_eq!(
            error.field(),
            *field,
            "{url} {source} {medium} {campaign}: {error}"
        );
        assert!(!error.to_string().is_empty());
    }
    assert_eq!(
        build("ftp://acme.example/", "a", "b", "c").unwrap_err(),
        LinkError::UnsupportedScheme {
            scheme: "ftp".into()
        }
    );
    assert!(matches!(
        build("https://acme.example/", "🚀", "b", "c").unwrap_err(),
        LinkError::NoUsableCharacters {
            field: "source",
            ..
        }
    ));
    assert!(matches!(
        build("https://acme.example/", "", "b", "c").unwrap_err(),
        LinkError::MissingValue { field: "source" }
    ));
}

#[test]
fn names_are_made_url_safe() {
    let cases = [
        ("LinkedIn", "linkedin"),
        ("  Webinar   Sept ", "webinar_sept"),
        ("Q&A Webinar", "q_a_webinar"),
        ("Høstkampanje 2025", "hostkampanje_2025"),
        ("Été à Paris", "ete_a_paris"),
        ("Straße", "strasse"),
        ("Ærlig Øl Å", "aerlig_ol_a"),
        ("Łódź", "lodz"),
        ("spring - sale", "spring-sale"),
        ("a__b", "a_b"),
        ("v1.2", "v1.2"),
        ("50% off!", "50_off"),
        ("_internal_", "internal"),
        ("--x--", "x"),
        ("new/launch?x=1", "new_launch_x_1"),
        ("black friday 🚀 deals", "black_friday_deals"),
        ("e-mail", "e-mail"),
    ];
    for (raw, expected) in cases {
        assert_eq!(normalise_link_name(raw).as_deref(), Some(expected), "{raw}");
    }
    for empty in ["", "   ", "🚀", "___", "весна", "\u{0}"] {
        assert_eq!(normalise_link_name(empty), None, "{empty:?}");
    }
    let link = build(
        "https://acme.example/",
        "Partner A",
        "Referral",
        "Q&A Webinar",
    )
    .unwrap();
    assert_eq!(link.campaign, "q_a_webinar");
    assert_eq!(
        link.warnings,
        vec![LinkWarning::Rewritten {
            field: "campaign",
            from: "q&a_webinar".into(),
            to: "q_a_webinar".into()
        }]
    );
}

#[test]
fn near_duplicates_of_known_values_warn() {
    let options = LinkOptions {
        known_sources: &["linkedin", "Partner A"],
        known_mediums: &["newsletter"],
        known_campaigns: &["webinar_sept"],
        ..LinkOptions::default()
    };
    let request = LinkRequest::new(
        "https://acme.example/",
        "LinkedIn",
        "newsletter",
        "webinar_sept",
    );
    assert_eq!(build_link(&request, &options).unwrap().warnings, vec![]);

    let request = LinkRequest::new(
        "https://acme.example/",
        "Linked In",
        "news letter",
        "Webinar-Sept",
    );
    let link = build_link(&request, &options).unwrap();
    assert_eq!(
        link.warnings,
        vec![
            LinkWarning::SimilarToKnown {
                field: "source",
                value: "linked_in".into(),
                known: "linkedin".into()
            },
            LinkWarning::SimilarToKnown {
                field: "medium",
                value: "news_letter".into(),
                known: "newsletter".into()
            },
            LinkWarning::SimilarToKnown {
                field: "campaign",
                value: "webinar-sept".into(),
                known: "webinar_sept".into()
            },
        ]
    );
    assert!(link.warnings[1]
        .to_string()
        .contains("did you mean \"newsletter\""));

    // Known values are compared normalised: "Partner A" in the data is `partner_a`.
    let request = LinkRequest::new("https://acme.example/", "partner-a", "referral", "x");
    let link = build_link(&request, &options).unwrap();
    assert_eq!(codes(&link), ["similar_to_known"]);
}

#[test]
fn mediums_outside_the_known_list_warn() {
    let link = build("https://acme.example/", "partner", "webinar", "x").unwrap();
    assert_eq!(
        link.warnings,
        vec![LinkWarning::UnknownMedium {
            medium: "webinar".into(),
            channel: Channel::Unassigned
        }]
    );
    assert!(link.warnings[0].to_string().contains("Unassigned"));
    // The built-in list suggests its own spelling.
    let link = build("https://acme.example/", "crm", "E-Mail", "x").unwrap();
    assert_eq!(
        link.warnings,
        vec![LinkWarning::SimilarToKnown {
            field: "medium",
            value: "e-mail".into(),
            known: "email".into()
        }]
    );
    // The operator's own mediums count as known.
    let options = LinkOptions {
        known_mediums: &["webinar"],
        ..LinkOptions::default()
    };
    let request = LinkRequest::new("https://acme.example/", "partner", "webinar", "x");
    assert_eq!(build_link(&request, &options).unwrap().warnings, vec![]);
}

#[test]
fn every_known_medium_has_a_channel() {
    for medium in KNOWN_MEDIUMS {
        let link = build("https://acme.example/", "acme_partner", medium, "x").unwrap();
        assert_ne!(link.channel.channel, Channel::Unassigned, "{medium}");
        assert_eq!(link.warnings, vec![], "{medium}");
    }
}

#[test]
fn source_aliases_warn() {
    let link = build("https://acme.example/", "fb", "paid_social", "x").unwrap();
    assert_eq!(
        link.warnings,
        vec![LinkWarning::SourceAlias {
            value: "fb".into(),
            canonical: "facebook".into()
        }]
    );
    assert_eq!(link.channel.channel, Channel::PaidSocial);
    let aliases = SourceAliases::from_pairs([("partner_a", "partner_alpha")]).unwrap();
    let options = LinkOptions {
        aliases: Some(&aliases),
        ..LinkOptions::default()
    };
    let request = LinkRequest::new("https://acme.example/", "Partner A", "referral", "x");
    assert_eq!(
        codes(&build_link(&request, &options).unwrap()),
        ["source_alias"]
    );
}

#[test]
fn click_ids_in_the_target_warn() {
    let link = build(
        "https://acme.example/?gclid=abc&x=1",
        "linkedin",
        "social",
        "x",
    )
    .unwrap();
    assert_eq!(
        link.warnings,
        vec![LinkWarning::ClickIdInTarget {
            param: "gclid".into()
        }]
    );
    // And the channel shows why it matters.
    assert_eq!(link.channel.channel, Channel::PaidSearch);
}

#[test]
fn campaign_templates() {
    let template = CampaignTemplate::parse("{yyyy}_{mm}_{name}").unwrap();
    let options = LinkOptions {
        campaign_template: Some(&template),
        ..LinkOptions::default()
    };
    let ok = LinkRequest::new(
        "https://acme.example/",
        "google",
        "cpc",
        "2025_09_Webinar Sept",
    );
    assert_eq!(build_link(&ok, &options).unwrap().warnings, vec![]);
    let bad = LinkRequest::new("https://acme.example/", "google", "cpc", "webinar_sept");
    assert_eq!(
        build_link(&bad, &options).unwrap().warnings,
        vec![LinkWarning::CampaignTemplate {
            campaign: "webinar_sept".into(),
            template: "{yyyy}_{mm}_{name}".into()
        }]
    );

    let cases: &[(&str, &str, bool)] = &[
        ("{yyyy}_{mm}_{name}", "2025_09_webinar_sept", true),
        ("{yyyy}_{mm}_{name}", "2025_13_webinar", false),
        ("{yyyy}_{mm}_{name}", "2025_00_webinar", false),
        ("{yyyy}_{mm}_{name}", "2025_9_webinar", false),
        ("{yyyy}_{mm}_{name}", "2025_09_", false),
        ("{yyyy}_{mm}_{name}", "25_09_webinar", false),
        ("{yyyy}-{mm}-{dd}_{word}", "2025-02-28_launch", true),
        ("{yyyy}-{mm}-{dd}_{word}", "2025-02-32_launch", false),
        ("{yyyy}-{mm}-{dd}_{word}", "2025-02-28_launch_x", false),
        ("{brand|generic}_{word}_q{q}", "brand_crm_q3", true),
        ("{brand|generic}_{word}_q{q}", "generic_crm_q4", true),
        ("{brand|generic}_{word}_q{q}", "other_crm_q3", false),
        ("{brand|generic}_{word}_q{q}", "brand_crm_q5", false),
        ("{ brand | generic }_{word}", "generic_x", true),
        ("Promo {yy}", "promo_25", true),
        ("promo_{n}", "promo_12345", true),
        ("promo_{n}", "promo_", false),
        ("promo_{n}", "promo_12a", false),
        ("{name}_{name}", "a_b", true),
        ("{name}_{name}", "a_b_c", true),
        ("{name}_{name}", "abc", false),
        ("webinar", "webinar", true),
        ("webinar", "webinars", false),
        ("{word}", "", false),
    ];
    for (template, campaign, expected) in cases {
        let parsed = CampaignTemplate::parse(template).unwrap();
        assert_eq!(
            parsed.matches(campaign),
            *expected,
            "{template} ~ {campaign}"
        );
    }
    for (bad, error) in [
        ("", TemplateError::Empty),
        ("  ", TemplateError::Empty),
        ("{yyyy", TemplateError::Unclosed),
        ("{a{b}}", TemplateError::Unclosed),
        ("yyyy}", TemplateError::UnexpectedClose),
        (
            "{month}",
            TemplateError::UnknownPlaceholder {
                name: "month".into(),
            },
        ),
        (
            "{|}",
            TemplateError::UnknownPlaceholder { name: "|".into() },
        ),
    ] {
        assert_eq!(CampaignTemplate::parse(bad), Err(error), "{bad:?}");
    }
    assert!(matches!(
        CampaignTemplate::parse(&"x".repeat(500)),
        Err(TemplateError::TooLong)
    ));
    assert_eq!(template.to_string(), "{yyyy}_{mm}_{name}");
}

#[test]
fn template_matching_is_not_exponential() {
    let template = CampaignTemplate::parse(&"{name}_".repeat(20)).unwrap();
    let campaign = "a_".repeat(120) + "!";
    assert!(!template.matches(&campaign));
}

/// A target URL with its own parameters (some of them `utm_*`) and maybe a fragment.
fn target() -> impl Strategy<Value = (String, Vec<(String, String)>, Option<String>)> {
    let key = prop_oneof![
        any::<String>(),
        Just("utm_source".to_owned()),
        Just("UTM_Campaign".to_owned()),
        Just("utm_x".to_owned()),
        Just("gclid".to_owned()),
        Just("ref".to_owned()),
    ];
    (
        prop::sample::select(vec!["https", "http", "HTTPS"]),
        "[a-z][a-z0-9-]{0,10}\\.(com|example|no|co\\.uk)",
        prop::option::of(1u16..),
        "(/[A-Za-z0-9._~%-]{0,8}){0,3}",
        prop::collection::vec((key, any::<String>()), 0..5),
        prop::option::of(any::<String>()),
    )
        .prop_map(|(scheme, host, port, path, params, fragment)| {
            let mut url = format!("{scheme}://{host}");
            if let Some(port) = port {
                url.push_str(&format!(":{port}"));
            }
            url.push_str(&path);
            let mut query = String::new();
            for (k, v) in &params {
                query::push_pair(&mut query, k, v);
            }
            if !query.is_empty() {
                url.push('?');
                url.push_str(&query);
            }
            let fragment = fragment.map(|f| query::encode(&f));
            if let Some(f) = &fragment {
                url.push('#');
                url.push_str(f);
            }
            (url, params, fragment)
        })
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9 _.&%-]{1,30}",
        "[a-z0-9]{1,8}(_[a-z0-9]{1,8}){0,3}"
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn built_links_read_back_exactly(
        (url, params, fragment) in target(),
        source in name(),
        medium in name(),
        campaign in name(),
        term in prop::option::of(any::<String>()),
        content in prop::option::of(any::<String>()),
        id in prop::option::of(any::<String>()),
    ) {
        let request = LinkRequest { url, source, medium, campaign, term, content, id };
        let Ok(link) = build_link(&request, &LinkOptions::default()) else {
            // Only names with nothing usable in them fail; the target is always valid here.
            prop_assert!(normalise_link_name(&request.source).is_none()
                || normalise_link_name(&request.medium).is_none()
                || normalise_link_name(&request.campaign).is_none());
            return Ok(());
        };
        // The builder reports exactly the normalised values…
        prop_assert_eq!(Some(link.source.clone()), normalise_link_name(&request.source));
        prop_assert_eq!(Some(link.medium.clone()), normalise_link_name(&request.medium));
        prop_assert_eq!(Some(link.campaign.clone()), normalise_link_name(&request.campaign));
        prop_assert_eq!(&link.term, &request.term.as_deref().and_then(clean_value));
        prop_assert_eq!(&link.content, &request.content.as_deref().and_then(clean_value));
        prop_assert_eq!(&link.id, &request.id.as_deref().and_then(clean_value));
        for value in [&link.source, &link.medium, &link.campaign] {
            prop_assert!(value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || is_separator(c)));
        }
        // …and the tracker's parser reads exactly those back.
        let touch = Visit::read(&link.url, "", None).touch;
        prop_assert_eq!(touch.source.as_ref(), Some(&link.source));
        prop_assert_eq!(touch.medium.as_ref(), Some(&link.medium));
        prop_assert_eq!(touch.campaign.as_ref(), Some(&link.campaign));
        prop_assert_eq!(&touch.term, &link.term);
        prop_assert_eq!(&touch.content, &link.content);
        prop_assert_eq!(&touch.id, &link.id);
        prop_assert_eq!(crate::channel::classify(&touch), link.channel);
        // The target's other parameters survive, in order; its utm_* do not.
        let q = query::query_of(&link.url);
        let others: Vec<(String, String)> = query::pairs(q)
            .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("utm_"))
            .collect();
        let expected: Vec<(String, String)> = params
            .into_iter()
            .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("utm_"))
            .collect();
        prop_assert_eq!(others, expected);
        let utm_count = query::pairs(q).filter(|(k, _)| k.to_ascii_lowercase().starts_with("utm_")).count();
        let optional = [&link.term, &link.content, &link.id].iter().filter(|v| v.is_some()).count();
        prop_assert_eq!(utm_count, 3 + optional);
        match fragment {
            Some(f) => {
                let tail = format!("#{f}");
                prop_assert!(link.url.ends_with(&tail));
            }
            None => prop_assert!(!link.url.contains('#')),
        }
    }

    #[test]
    fn clean_names_pass_through_unchanged(source in "[a-z0-9]{1,8}(_[a-z0-9]{1,8}){0,3}", campaign in "[a-z0-9]{1,8}([-._][a-z0-9]{1,8}){0,3}") {
        let link = build("https://acme.example/", &source, "email", &campaign).unwrap();
        prop_assert_eq!(&link.source, &source);
        prop_assert_eq!(&link.campaign, &campaign);
        prop_assert!(!link.warnings.iter().any(|w| w.code() == "rewritten"));
    }

    #[test]
    fn link_names_are_idempotent(raw in any::<String>()) {
        if let Some(once) = normalise_link_name(&raw) {
            prop_assert_eq!(normalise_link_name(&once), Some(once.clone()));
            prop_assert!(once.chars().count() <= MAX_VALUE_CHARS);
        }
    }

    #[test]
    fn building_never_panics(url in any::<String>(), source in any::<String>(), medium in any::<String>(), campaign in any::<String>(), template in any::<String>()) {
        let template = CampaignTemplate::parse(&template).ok();
        let options = LinkOptions { campaign_template: template.as_ref(), known_sources: &["linkedin"], ..LinkOptions::default() };
        let _ = build_link(&LinkRequest::new(&url, &source, &medium, &campaign), &options);
        if let Some(t) = &template { let _ = t.matches(&campaign); }
    }
}
