//! The tiles and dashboards API through the real binary: data posted through the form
//! endpoint shows up in the tiles at once, filters and periods are checked, the drill-down
//! lists the persons behind a row, dashboards are created, changed and deleted, presets
//! are read-only, and a hostile campaign name comes back as the same plain text.

mod common;

use common::{error_of, Collector, TOKEN};
use serde_json::{json, Value};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";
/// As core's cleaning stores it (spaces in campaign names become underscores): still markup.
const HOSTILE_STORED: &str = "<img_src=x_onerror=alert(1)>";

fn labels(body: &Value) -> Vec<(String, Value)> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["label"].as_str().unwrap().to_owned(), r["value"].clone()))
        .collect()
}

/// The e-mails of a drill-down page, in its order.
fn item_emails(body: &Value) -> Vec<&str> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect()
}

#[test]
fn tiles_follow_posted_leads_with_filters_and_drill_down() {
    let c = Collector::start_with(&[], &[("LEADTRAIL_TIME_ZONE", "Europe/Oslo")]);
    let (status, body) = c.api("/api/v1/tiles");
    assert_eq!(status, 200);
    let ids: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"lead-funnel") && ids.contains(&"source-performance") && ids.len() >= 14,
        "{ids:?}"
    );

    // Load the model first, so that the posts below reach it through the change feed.
    let (status, before) = c.api("/api/v1/tiles/new-leads-by-lead-source");
    assert_eq!((status, before["rows"].clone()), (200, json!([])));

    for (email, source) in [
        ("a@example.com", "linkedin"),
        ("b@example.com", "linkedin"),
        ("c@example.com", "newsletter"),
    ] {
        let (status, body) = c.submit(
            "webinar",
            &[
                ("email", email),
                ("country", "NO"),
                ("lt_v", "1"),
                ("lt_last_source", source),
                ("lt_last_medium", "social"),
                ("lt_last_campaign", HOSTILE),
            ],
        );
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = c.api("/api/v1/tiles/new-leads-by-lead-source");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tile"], "new-leads-by-lead-source");
    assert_eq!(body["kind"], "donut");
    let year = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Oslo").unwrap())
        .year();
    assert_eq!(body["period"]["from"], format!("{year}-01-01"));
    assert_eq!(
        labels(&body),
        vec![
            ("linkedin".into(), json!(2)),
            ("newsletter".into(), json!(1))
        ]
    );

    let (_, body) = c.api("/api/v1/tiles/new-leads-by-campaign");
    assert_eq!(labels(&body), vec![(HOSTILE_STORED.to_owned(), json!(3))]);
    assert_eq!(
        c.api("/api/v1/tiles/new-leads-from-forms").1["rows"][0]["value"],
        json!(3)
    );
    assert_eq!(
        c.api("/api/v1/tiles/top-forms").1["rows"][0]["label"],
        json!("webinar")
    );

    // Filters and periods.
    assert_eq!(
        c.api("/api/v1/tiles/new-leads-by-lead-source?country=SE").1["rows"],
        json!([])
    );
    assert_eq!(
        labels(&c.api("/api/v1/tiles/new-leads-by-lead-source?country=NO").1).len(),
        2
    );
    assert_eq!(
        c.api("/api/v1/tiles/new-leads-by-lead-source?owner=7").1["rows"],
        json!([])
    );
    assert_eq!(
        c.api("/api/v1/tiles/new-leads-by-lead-source?from=2000-01-01&to=2000-12-31")
            .1["rows"],
        json!([])
    );
    let bad_date = c
        .get("/api/v1/tiles/lead-funnel?from=yesterday")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(error_of(bad_date, 422).contains("from"));
    let reversed = c
        .get("/api/v1/tiles/lead-funnel?from=2025-02-01&to=2025-01-01")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(error_of(reversed, 422).contains("from"));
    let bad_owner = c
        .get("/api/v1/tiles/lead-funnel?owner=ann")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(error_of(bad_owner, 422).contains("owner"));
    let unknown = c
        .get("/api/v1/tiles/no-such-tile")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(error_of(unknown, 404).contains("no-such-tile"));
    let no_selection = c
        .get("/api/v1/tiles/selection-list")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    // A tile parameter that cannot be used is a 422 naming it, as the same selection is
    // refused when a dashboard is saved.
    assert!(error_of(no_selection, 422).starts_with("selection: "));
    let missing = c
        .get("/api/v1/tiles/selection-list?selection=987654")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(
        error_of(missing, 422),
        "selection: there is no selection 987654"
    );
    assert_eq!(
        c.get("/api/v1/tiles/lead-funnel")
            .send()
            .unwrap()
            .status()
            .as_u16(),
        401
    );

    // Drill-down.
    let (status, body) = c.api("/api/v1/tiles/new-leads-by-lead-source/persons?key=linkedin");
    assert_eq!(status, 200, "{body}");
    let emails = item_emails(&body);
    assert_eq!(emails, ["b@example.com", "a@example.com"]);
    let (_, body) = c.api(&format!(
        "/api/v1/tiles/new-leads-by-campaign/persons?key={}",
        common::urlencode(HOSTILE_STORED)
    ));
    assert_eq!(body["items"].as_array().unwrap().len(), 3);

    let (status, values) = c.api("/api/v1/tiles/filters");
    assert_eq!(status, 200);
    assert_eq!(values["countries"], json!(["NO"]));
}

#[test]
fn dashboards_are_created_changed_deleted_and_presets_are_read_only() {
    let c = Collector::start();
    let (status, body) = c.api("/api/v1/dashboards");
    assert_eq!(status, 200);
    let presets: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(presets, ["marketing", "lead-nurturing", "sales"]);
    let (status, marketing) = c.api("/api/v1/dashboards/marketing");
    assert_eq!((status, marketing["preset"].clone()), (200, json!(true)));

    let send = |method: reqwest::Method, path: &str, body: &str| {
        c.client
            .request(method, c.url(path))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    let created = send(
        reqwest::Method::POST,
        "/api/v1/dashboards",
        r#"{"name":"Mine","tiles":[{"tile":"lead-funnel"},{"tile":"campaign-channel-split","campaign":"spring"}],"filters":{"country":"NO","from":"2025-01-01"}}"#,
    );
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["tiles"][1],
        json!({"tile": "campaign-channel-split", "campaign": "spring"})
    );
    assert_eq!(
        created["filters"],
        json!({"country": "NO", "from": "2025-01-01"})
    );

    let replaced = send(
        reqwest::Method::PUT,
        &format!("/api/v1/dashboards/{id}"),
        r#"{"name":"Renamed","tiles":[{"tile":"top-forms"}]}"#,
    );
    assert_eq!(replaced.status().as_u16(), 200);
    assert_eq!(
        c.api(&format!("/api/v1/dashboards/{id}")).1["name"],
        "Renamed"
    );
    assert_eq!(
        c.api("/api/v1/dashboards").1["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    assert!(error_of(
        send(
            reqwest::Method::POST,
            "/api/v1/dashboards",
            r#"{"name":"x","tiles":[{"tile":"nope"}]}"#
        ),
        422
    )
    .contains("tiles"));
    assert!(error_of(
        send(
            reqwest::Method::POST,
            "/api/v1/dashboards",
            r#"{"name":"","tiles":[{"tile":"top-forms"}]}"#
        ),
        422
    )
    .contains("name"));
    assert!(error_of(
        send(
            reqwest::Method::POST,
            "/api/v1/dashboards",
            r#"{"name":"x","tiles":[{"tile":"selection-list"}]}"#
        ),
        422
    )
    .contains("selection"));
    assert!(error_of(
        send(reqwest::Method::POST, "/api/v1/dashboards", "{nope"),
        400
    )
    .contains("JSON"));
    assert_eq!(
        send(reqwest::Method::DELETE, "/api/v1/dashboards/marketing", "")
            .status()
            .as_u16(),
        405
    );
    assert_eq!(
        send(
            reqwest::Method::PUT,
            "/api/v1/dashboards/sales",
            r#"{"name":"x","tiles":[{"tile":"top-forms"}]}"#
        )
        .status()
        .as_u16(),
        405
    );

    assert_eq!(
        send(
            reqwest::Method::DELETE,
            &format!("/api/v1/dashboards/{id}"),
            ""
        )
        .status()
        .as_u16(),
        204
    );
    assert_eq!(c.api(&format!("/api/v1/dashboards/{id}")).0, 404);
    assert_eq!(
        send(
            reqwest::Method::DELETE,
            &format!("/api/v1/dashboards/{id}"),
            ""
        )
        .status()
        .as_u16(),
        404
    );
    assert_eq!(c.api("/api/v1/dashboards/nope").0, 404);
}

/// `[(label, key, value)]` of a tile's rows.
fn keyed(body: &Value) -> Vec<(String, String, Value)> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_owned(),
                r["key"].as_str().unwrap().to_owned(),
                r["value"].clone(),
            )
        })
        .collect()
}

#[test]
fn new_leads_by_channel_follows_posted_touches_and_reclassify() {
    let c = Collector::start();
    // Load the model first, so that the posts below reach it through the change feed.
    let (status, before) = c.api("/api/v1/tiles/new-leads-by-channel");
    assert_eq!((status, before["rows"].clone()), (200, json!([])));

    let tracked: &[(&str, &[(&str, &str)])] = &[
        (
            "paid1@example.com",
            &[("lt_last_source", "Google"), ("lt_last_medium", "cpc")],
        ),
        (
            "paid2@example.com",
            &[
                ("lt_last_source", "google"),
                ("lt_last_medium", "cpc"),
                ("lt_last_click_id", "Cj0KCQ"),
                ("lt_last_click_id_type", "gclid"),
            ],
        ),
        // The lead-generation touch is the one that made the lead (the last), not the
        // first interaction.
        (
            "paid3@example.com",
            &[
                ("lt_first_source", "newsletter"),
                ("lt_first_medium", "email"),
                ("lt_last_source", "google"),
                ("lt_last_medium", "cpc"),
            ],
        ),
        (
            "mail@example.com",
            &[
                ("lt_last_source", "newsletter"),
                ("lt_last_medium", "email"),
            ],
        ),
        // Only a referrer: source and medium are derived from it.
        (
            "search@example.com",
            &[(
                "lt_last_referrer",
                "https://www.bing.com/search?q=leadtrail",
            )],
        ),
        (
            "social@example.com",
            &[("lt_last_referrer", "https://www.linkedin.com/feed/")],
        ),
    ];
    for (email, touch) in tracked {
        let mut fields = vec![("email", *email), ("lt_v", "1")];
        fields.extend_from_slice(touch);
        let (status, body) = c.submit("contact", &fields);
        assert_eq!(status, 201, "{body}");
    }
    // No tracker: the page the form was on (the Referer header) is the touch.
    let post_from = |email: &str, page: Option<&str>| {
        let mut request = c
            .post("/f/contact")
            .header("accept", "application/json")
            .form(&[("email", email)]);
        if let Some(page) = page {
            request = request.header("referer", page);
        }
        assert_eq!(request.send().unwrap().status().as_u16(), 201);
    };
    post_from(
        "ad@example.com",
        Some("https://acme.example/pricing?utm_source=facebook&utm_medium=paid_social"),
    );
    // A post without tracker fields or Referer: the attribution was lost, not direct.
    post_from("direct@example.com", None);
    // A later submission of a known lead changes nothing about how they became one.
    let (status, _) = c.submit(
        "contact",
        &[
            ("email", "mail@example.com"),
            ("lt_v", "1"),
            ("lt_last_source", "google"),
            ("lt_last_medium", "cpc"),
        ],
    );
    assert_eq!(status, 201);

    let (status, body) = c.api("/api/v1/tiles/new-leads-by-channel");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["tile"].clone(), body["kind"].clone()),
        (json!("new-leads-by-channel"), json!("donut"))
    );
    let row = |label: &str, key: &str, value: u64| (label.to_owned(), key.to_owned(), json!(value));
    let expected = vec![
        row("Paid Search", "paid_search", 3),
        row("Email", "email", 1),
        row("Organic Search", "organic_search", 1),
        row("Organic Social", "organic_social", 1),
        row("Paid Social", "paid_social", 1),
        row("Untracked", "untracked", 1),
    ];
    assert_eq!(keyed(&body), expected);
    let (status, body) = c.api("/api/v1/tiles/new-leads-by-channel/persons?key=paid_search");
    assert_eq!(status, 200, "{body}");
    let emails = item_emails(&body);
    assert_eq!(
        emails,
        [
            "paid3@example.com",
            "paid2@example.com",
            "paid1@example.com"
        ]
    );
    let (_, marketing) = c.api("/api/v1/dashboards/marketing");
    assert!(marketing["tiles"]
        .as_array()
        .unwrap()
        .contains(&json!({"tile": "new-leads-by-channel"})));

    // A lead stored without a channel (as before channels existed) is "(none)" until a
    // reclassification, which the running server's tiles follow without a restart.
    let (dir, db) = c.into_dir();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE persons SET lead_channel = NULL, lead_rules_version = NULL \
             WHERE email_key = 'direct@example.com'",
            [],
        )
        .unwrap();
    let c = Collector::start_in(dir, db, &[], &[]);
    let (_, body) = c.api("/api/v1/tiles/new-leads-by-channel");
    assert!(keyed(&body).contains(&row("(none)", "", 1)), "{body}");
    assert!(
        !keyed(&body).contains(&row("Untracked", "untracked", 1)),
        "{body}"
    );
    let reclassified = c
        .post("/api/v1/reclassify")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    let (status, report) = common::status_and_json(reclassified);
    assert_eq!(
        (status, report["channel_changed"].clone()),
        (200, json!(1)),
        "{report}"
    );
    let (_, body) = c.api("/api/v1/tiles/new-leads-by-channel");
    assert_eq!(keyed(&body), expected);
}
