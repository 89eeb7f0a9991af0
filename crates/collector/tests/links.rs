//! Issue 5 against the real binary: explain, the link builder (warnings, 422s), saved links
//! and their CSV, source aliases on new data and through `reclassify`, the link check
//! against local servers that redirect with and without the query, and the CLI commands
//! (demo data among them: stored classified, as collected data is).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{command, error_of, status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

fn post_json(c: &Collector, path: &str, body: &Value) -> (u16, Value) {
    status_and_json(c.post(path).bearer_auth(TOKEN).json(body).send().unwrap())
}

fn run(args: &[&str]) -> Output {
    command().args(args).output().expect("run leadtrail")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn explain_shows_the_touch_its_channel_and_the_rule() {
    let c = Collector::start();
    let url = common::urlencode(
        "https://acme.example/webinar?utm_source=LinkedIn&utm_medium=paid_social&utm_campaign=Webinar Sept&li_fat_id=AbC",
    );
    let (status, body) = c.api(&format!("/api/v1/explain?url={url}"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channel"]["id"], "paid_social");
    assert_eq!(body["channel"]["name"], "Paid Social");
    assert_eq!(body["rule"]["id"], "paid_social_medium");
    assert!(body["rule"]["description"]
        .as_str()
        .unwrap()
        .contains("paid_social"));
    assert_eq!(body["touch"]["source"], "linkedin");
    assert_eq!(body["touch"]["campaign"], "webinar_sept");
    assert_eq!(
        body["touch"]["click_id"], "AbC",
        "click ids keep their case"
    );
    assert_eq!(body["touch"]["channel"], "paid_social");
    assert_eq!(body["visit"], "campaign");

    // A referral from a search engine, without parameters.
    let (_, body) = c.api(&format!(
        "/api/v1/explain?url={}&referrer={}",
        common::urlencode("https://acme.example/pricing"),
        common::urlencode("https://www.bing.com/search?q=crm")
    ));
    assert_eq!(body["channel"]["id"], "organic_search", "{body}");
    assert_eq!(body["touch"]["source"], "bing");

    let missing = c.get("/api/v1/explain").bearer_auth(TOKEN).send().unwrap();
    assert!(error_of(missing, 422).starts_with("url:"));
    let anonymous = c.get("/api/v1/explain?url=x").send().unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[test]
fn the_link_builder_warns_and_refuses_with_the_field() {
    let c = Collector::start();
    // Put `linkedin` and `webinar_sept` into the data.
    let (status, _) = c.submit(
        "signup",
        &[
            ("email", "known@acme.example"),
            ("lt_v", "1"),
            ("lt_last_source", "linkedin"),
            ("lt_last_medium", "paid_social"),
            ("lt_last_campaign", "webinar_sept"),
        ],
    );
    assert_eq!(status, 201);

    let (status, body) = post_json(
        &c,
        "/api/v1/links",
        &json!({
            "url": "https://acme.example/webinar?ref=nav&utm_source=old#signup",
            "source": "Linked In",
            "medium": "Paid Social",
            "campaign": "Webinar  Sept!",
            "term": "CRM Tool",
        }),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["url"],
        "https://acme.example/webinar?ref=nav&utm_source=linked_in&utm_medium=paid_social&utm_campaign=webinar_sept&utm_term=CRM%20Tool#signup"
    );
    assert_eq!(body["channel"], "paid_social");
    let kinds: Vec<(&str, &str)> = body["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["kind"].as_str().unwrap(), w["field"].as_str().unwrap()))
        .collect();
    assert!(
        kinds.contains(&("similar_to_known", "source")),
        "Linked In vs linkedin: {body}"
    );
    assert!(kinds.contains(&("replaced_utm", "url")), "{body}");
    assert!(kinds.contains(&("rewritten", "campaign")), "{body}");
    for w in body["warnings"].as_array().unwrap() {
        assert!(!w["message"].as_str().unwrap().is_empty());
    }

    let (_, body) = post_json(
        &c,
        "/api/v1/links",
        &json!({"url": "https://acme.example/", "source": "linkedin", "medium": "carrier_pigeon", "campaign": "x"}),
    );
    assert!(
        body["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "unknown_medium"),
        "{body}"
    );

    for (request, field) in [
        (
            json!({"url": "ftp://acme.example/", "source": "a", "medium": "b", "campaign": "c"}),
            "url",
        ),
        (
            json!({"url": "https://acme.example/", "source": " ", "medium": "b", "campaign": "c"}),
            "source",
        ),
        (
            json!({"url": "https://acme.example/", "source": "a", "medium": "b", "campaign": "🙂"}),
            "campaign",
        ),
    ] {
        let response = c
            .post("/api/v1/links")
            .bearer_auth(TOKEN)
            .json(&request)
            .send()
            .unwrap();
        let message = error_of(response, 422);
        assert!(message.starts_with(&format!("{field}:")), "{message}");
    }
    let bad = c
        .post("/api/v1/links")
        .bearer_auth(TOKEN)
        .body("{not json")
        .send()
        .unwrap();
    error_of(bad, 400);
    let missing = c
        .post("/api/v1/links")
        .bearer_auth(TOKEN)
        .json(&json!({"url": "https://acme.example/"}))
        .send()
        .unwrap();
    error_of(missing, 400);
}

#[test]
fn a_campaign_template_from_the_config_gives_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("leadtrail.toml");
    std::fs::write(&config, "campaign_template = \"{yyyy}_{mm}_{name}\"\n").unwrap();
    let c = Collector::start_with(&["--config", config.to_str().unwrap()], &[]);
    let link = |campaign: &str| {
        post_json(
            &c,
            "/api/v1/links",
            &json!({"url": "https://acme.example/", "source": "linkedin", "medium": "social", "campaign": campaign}),
        )
        .1
    };
    let template_warnings = |body: &Value| {
        body["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["kind"] == "campaign_template")
            .count()
    };
    assert_eq!(template_warnings(&link("webinar_sept")), 1);
    assert_eq!(template_warnings(&link("2025_09_webinar_sept")), 0);

    // A template that cannot be parsed stops the start with a clear message.
    std::fs::write(&config, "campaign_template = \"{nope}\"\n").unwrap();
    let out = run(&[
        "link",
        "--config",
        config.to_str().unwrap(),
        "--url",
        "https://a.example/",
        "--source",
        "a",
        "--medium",
        "email",
        "--campaign",
        "c",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("campaign_template"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn saved_links_are_listed_per_campaign_and_exported_as_csv() {
    let c = Collector::start();
    let save = |name: &str, campaign: &str, source: &str| {
        post_json(
            &c,
            "/api/v1/links/saved",
            &json!({"name": name, "url": "https://acme.example/webinar?a=1", "source": source,
                    "medium": "paid_social", "campaign": campaign, "content": "=cmd()"}),
        )
    };
    let (status, first) = save("LinkedIn ad, variant \"A\"", "Webinar Sept", "linkedin");
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["link"]["campaign"], "webinar_sept");
    assert_eq!(first["link"]["channel"], "paid_social");
    assert!(first["link"]["url"]
        .as_str()
        .unwrap()
        .contains("utm_campaign=webinar_sept"));
    assert!(first["warnings"].is_array());
    let (status, _) = save("Facebook ad", "webinar_sept", "facebook");
    assert_eq!(status, 201);
    let (status, _) = save("Other", "spring_sale", "facebook");
    assert_eq!(status, 201);

    // The same name twice in one campaign is refused, naming the field.
    let duplicate = c
        .post("/api/v1/links/saved")
        .bearer_auth(TOKEN)
        .json(
            &json!({"name": "Facebook ad", "url": "https://acme.example/", "source": "x",
                      "medium": "email", "campaign": "webinar_sept"}),
        )
        .send()
        .unwrap();
    assert!(error_of(duplicate, 422).starts_with("name:"));

    let (status, list) = c.api("/api/v1/links/saved?campaign=Webinar%20Sept");
    assert_eq!(status, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Facebook ad", "LinkedIn ad, variant \"A\""]);
    let (_, all) = c.api("/api/v1/links/saved");
    assert_eq!(all["items"].as_array().unwrap().len(), 3);

    let csv = c
        .get("/api/v1/links/saved?campaign=webinar_sept&format=csv")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("leadtrail-links-webinar_sept.csv"));
    let body = csv.text().unwrap();
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{body}");
    assert!(lines[0].starts_with("campaign,name,url,target,utm_source"));
    assert!(
        lines[2].starts_with("webinar_sept,\"LinkedIn ad, variant \"\"A\"\"\",https://acme.example/webinar?a=1&utm_source=linkedin"),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].contains(",'=cmd(),"),
        "formula defused: {}",
        lines[2]
    );

    let id = first["link"]["id"].as_i64().unwrap();
    let delete = |id: i64| {
        c.client
            .delete(c.url(&format!("/api/v1/links/saved/{id}")))
            .bearer_auth(TOKEN)
            .send()
            .unwrap()
    };
    assert_eq!(delete(id).status(), 204);
    error_of(delete(id), 404);
    let bad_format = c
        .get("/api/v1/links/saved?format=xlsx")
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    error_of(bad_format, 400);
}

/// A person's lead-generation source and channel, from the API.
fn lead(c: &Collector, email: &str) -> (String, String) {
    let person = c.person_by_email(email);
    (
        person["lead_generation"]["source"]
            .as_str()
            .unwrap()
            .to_owned(),
        person["lead_generation"]["channel"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

fn submit_from(c: &Collector, email: &str, source: &str) {
    let (status, body) = c.submit(
        "signup",
        &[
            ("email", email),
            ("lt_v", "1"),
            ("lt_last_source", source),
            ("lt_last_medium", "social"),
            ("lt_last_click_id", "IwAR0MiXeD"),
            ("lt_last_click_id_type", "fbclid"),
        ],
    );
    assert_eq!(status, 201, "{body}");
}

#[test]
fn aliases_apply_to_new_data_and_through_reclassify() {
    let c = Collector::start();
    submit_from(&c, "before@acme.example", "fbk");
    assert_eq!(
        lead(&c, "before@acme.example"),
        ("fbk".into(), "organic_social".into()),
        "social medium, unknown source"
    );

    let put = |alias: &str, source: &str| {
        status_and_json(
            c.client
                .put(c.url(&format!("/api/v1/aliases/{alias}")))
                .bearer_auth(TOKEN)
                .json(&json!({ "source": source }))
                .send()
                .unwrap(),
        )
    };
    let (status, body) = put("FBK", "YouTube");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["alias"], "fbk");
    assert_eq!(body["source"], "youtube");
    // A circle is refused.
    let (status, body) = put("youtube", "fbk");
    assert_eq!(status, 422, "{body}");
    let (_, list) = c.api("/api/v1/aliases");
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert!(list["builtin_count"].as_u64().unwrap() > 10);

    // New data gets the alias at once: the writer's cache was refreshed.
    submit_from(&c, "after@acme.example", "fbk");
    let after = c.person_by_email("after@acme.example");
    assert_eq!(after["lead_generation"]["source"], "youtube");
    assert_eq!(after["lead_generation"]["channel"], "organic_video");
    assert_eq!(after["lead_generation"]["click_id"], "IwAR0MiXeD");
    // Stored data waits for reclassify.
    assert_eq!(lead(&c, "before@acme.example").0, "fbk");

    // Reclassify while the server runs: its writes go through SQLite's lock.
    let db = c.db.to_str().unwrap().to_owned();
    let out = run(&["reclassify", "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("sources changed"), "{report}");
    assert!(!report.contains(" 0 sources changed"), "{report}");
    assert_eq!(
        lead(&c, "before@acme.example"),
        ("youtube".into(), "organic_video".into())
    );
    let again = run(&["reclassify", "--db", &db]);
    assert!(
        text(&again.stdout).contains("0 channels changed, 0 sources changed, 0 rows updated"),
        "idempotent: {}",
        text(&again.stdout)
    );

    // Removing the alias and reclassifying brings the source as received back.
    let removed = c
        .client
        .delete(c.url("/api/v1/aliases/fbk"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(removed.status(), 204);
    let missing = c
        .client
        .delete(c.url("/api/v1/aliases/fbk"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    error_of(missing, 404);
    // This time through the server's own writer.
    let (status, counts) = post_json(&c, "/api/v1/reclassify", &json!({}));
    assert_eq!(status, 200, "{counts}");
    assert!(counts["source_changed"].as_u64().unwrap() >= 3, "{counts}");
    assert!(counts["rules_version"].is_u64());
    assert_eq!(
        lead(&c, "after@acme.example"),
        ("fbk".into(), "organic_social".into())
    );
    let submissions = c.api(&format!(
        "/api/v1/persons/{}/submissions",
        c.person_by_email("after@acme.example")["id"]
    ));
    assert_eq!(submissions.1["items"][0]["conversion"]["source"], "fbk");
}

#[test]
fn reclassify_and_aliases_work_on_a_stopped_database() {
    let mut c = Collector::start();
    submit_from(&c, "ola@acme.example", "Instg");
    assert_eq!(c.signal_and_wait("TERM").code(), Some(0));
    let db = c.db.to_str().unwrap().to_owned();

    let out = run(&["aliases", "set", "instg", "instagram", "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&["aliases", "list", "--db", &db]);
    assert_eq!(text(&out.stdout), "instg\tinstagram\n");
    let out = run(&["reclassify", "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(" 4 sources changed"),
        "first, lead, conversion, company: {}",
        text(&out.stdout)
    );

    let conn = common::open_db(&c.db);
    let (source, channel, raw): (String, String, String) = conn
        .query_row(
            "SELECT lead_source, lead_channel, lead_raw_source FROM persons",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (source.as_str(), channel.as_str(), raw.as_str()),
        ("instagram", "organic_social", "instg")
    );
    let out = run(&["aliases", "remove", "nope", "--db", &db]);
    assert!(!out.status.success());
}

#[test]
fn demo_data_is_stored_classified_so_reclassify_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let out = run(&["demo-data", "--persons", "400", "--seed", "5", "--db", db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("400 persons"),
        "{}",
        text(&out.stdout)
    );

    let conn = common::open_db(std::path::Path::new(db));
    let unclassified: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM persons WHERE first_channel IS NULL \
                OR first_rules_version IS NULL OR lead_channel IS NULL \
                OR lead_rules_version IS NULL) \
             + (SELECT count(*) FROM submissions WHERE conv_channel IS NULL \
                OR conv_rules_version IS NULL) \
             + (SELECT count(*) FROM companies WHERE src_channel IS NULL \
                OR src_rules_version IS NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unclassified, 0);
    drop(conn);

    let out = run(&["reclassify", "--db", db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("0 channels changed, 0 sources changed, 0 rows updated"),
        "{report}"
    );
}

/// A tiny HTTP server on 127.0.0.1 with fixed redirects:
/// `/keep` → `/final` with the same query, `/drop` → `/final` without it,
/// `/chain` → `/keep` (relative), `/loop` → `/loop`, `/ftp` → an ftp: URL, `/absolute` →
/// `http://127.0.0.1:PORT/final` with the query.
fn redirecting_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let own = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let own = own.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let target = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                let redirect = |to: String| {
                    format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                };
                let response = match path {
                    "/keep" => redirect(format!("/final?{query}")),
                    "/drop" => redirect("/final".into()),
                    "/chain" => redirect(format!("keep?{query}")),
                    "/loop" => redirect(format!("/loop?{query}")),
                    "/ftp" => redirect("ftp://files.example/x".into()),
                    "/absolute" => redirect(format!("{own}/final?{query}")),
                    _ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .to_owned(),
                };
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    base
}

/// The test sites listen on 127.0.0.1: an intranet host the operator allowed.
const ALLOW_LOCAL: (&str, &str) = ("LEADTRAIL_LINK_CHECK_ALLOWED_HOSTS", "127.0.0.1");

#[test]
fn the_link_check_follows_redirects_and_reports_lost_parameters() {
    let c = Collector::start_with(&[], &[ALLOW_LOCAL]);
    let site = redirecting_server();
    let tags = "utm_source=linkedin&utm_medium=paid_social&utm_campaign=webinar_sept";
    let check = |path: &str| {
        post_json(
            &c,
            "/api/v1/links/check",
            &json!({ "url": format!("{site}{path}?{tags}") }),
        )
    };

    let (status, kept) = check("/chain");
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["utm_survive"], true, "{kept}");
    assert_eq!(kept["redirects"], 2);
    assert_eq!(kept["final_status"], 200);
    assert!(kept["final_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{site}/final?")));
    assert_eq!(kept["lost"], json!([]));

    let (_, dropped) = check("/drop");
    assert_eq!(dropped["utm_survive"], false, "{dropped}");
    assert_eq!(
        dropped["lost"],
        json!(["utm_source", "utm_medium", "utm_campaign"])
    );
    assert_eq!(dropped["final_url"], format!("{site}/final"));
    assert_eq!(dropped["utm"][0]["sent"], "linkedin");
    assert_eq!(dropped["utm"][0]["arrived"], Value::Null);

    let (_, looping) = check("/loop");
    assert_eq!(looping["utm_survive"], Value::Null, "{looping}");
    assert!(looping["error"].as_str().unwrap().contains("more than 10"));
    assert_eq!(looping["hops"].as_array().unwrap().len(), 11);

    let (_, ftp) = check("/ftp");
    assert_eq!(ftp["utm_survive"], Value::Null);
    assert!(ftp["error"].as_str().unwrap().contains("ftp"), "{ftp}");

    // Nothing listens on this port any more.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (_, refused) = post_json(
        &c,
        "/api/v1/links/check",
        &json!({ "url": format!("http://127.0.0.1:{port}/?utm_source=a") }),
    );
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("could not be loaded"),
        "{refused}"
    );

    for url in ["file:///etc/passwd?utm_source=a", "https://acme.example/"] {
        let response = c
            .post("/api/v1/links/check")
            .bearer_auth(TOKEN)
            .json(&json!({ "url": url }))
            .send()
            .unwrap();
        assert!(error_of(response, 422).starts_with("url:"));
    }
    let anonymous = c
        .post("/api/v1/links/check")
        .json(&json!({ "url": format!("{site}/keep?{tags}") }))
        .send()
        .unwrap();
    assert_eq!(
        anonymous.status(),
        401,
        "the check fetches URLs: token only"
    );
}

#[test]
fn the_cli_builds_explains_and_checks_links() {
    let out = run(&[
        "link",
        "--url",
        "https://acme.example/webinar",
        "--source",
        "LinkedIn",
        "--medium",
        "carrier pigeon",
        "--campaign",
        "Webinar Sept",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "https://acme.example/webinar?utm_source=linkedin&utm_medium=carrier_pigeon&utm_campaign=webinar_sept\n"
    );
    assert!(
        text(&out.stderr).contains("warning: medium \"carrier_pigeon\""),
        "{}",
        text(&out.stderr)
    );

    let out = run(&[
        "link",
        "--url",
        "mailto:x@y",
        "--source",
        "a",
        "--medium",
        "b",
        "--campaign",
        "c",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("url:"), "{}", text(&out.stderr));

    let out = run(&["explain", "--url", "https://acme.example/?gclid=Cj0KCQ"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let explained: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(explained["channel"]["id"], "paid_search");
    assert_eq!(
        explained["rule"]["id"], "paid_search",
        "gclid resolves to google / cpc"
    );
    assert_eq!(explained["touch"]["click_id"], "Cj0KCQ");

    let site = redirecting_server();
    let run = |args: &[&str]| {
        command()
            .args(args)
            .env(ALLOW_LOCAL.0, ALLOW_LOCAL.1)
            .output()
            .expect("run leadtrail")
    };
    let base = ["link", "--url"];
    let kept = run(&[
        &base[..],
        &[
            &format!("{site}/keep"),
            "--source",
            "a",
            "--medium",
            "email",
            "--campaign",
            "c",
            "--check",
        ],
    ]
    .concat());
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    assert!(text(&kept.stderr).contains("ok: every utm_* parameter arrives"));
    let dropped = run(&[
        "link",
        "--check",
        "--url",
        &format!("{site}/drop?utm_source=a"),
    ]);
    assert!(!dropped.status.success());
    assert!(
        text(&dropped.stderr).contains("LOST: utm_source"),
        "{}",
        text(&dropped.stderr)
    );
}

/// A listener on 127.0.0.1 that answers 200 and counts the connections it accepted, and
/// keeps the last request's head.
fn counting_server() -> (u16, Arc<AtomicUsize>, Arc<Mutex<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let head = Arc::new(Mutex::new(String::new()));
    let (counted, seen) = (Arc::clone(&count), Arc::clone(&head));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut text = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                text.push_str(&line);
            }
            *seen.lock().unwrap() = text;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (port, count, head)
}

#[test]
fn the_link_check_reaches_no_private_address_in_any_spelling() {
    let c = Collector::start();
    let (port, connections, _) = counting_server();
    let mut answers = Vec::new();
    for host in [
        "127.0.0.1",
        "127.1",
        "0x7f000001",
        "2130706433",
        "0177.0.0.1",
        "[::ffff:127.0.0.1]",
        "[::1]",
        "0.0.0.0",
        "localhost",
    ] {
        let (status, report) = post_json(
            &c,
            "/api/v1/links/check",
            &json!({ "url": format!("http://{host}:{port}/?utm_source=a") }),
        );
        assert_eq!(status, 200, "{host}: {report}");
        assert_eq!(report["utm_survive"], Value::Null, "{host}: {report}");
        answers.push(report["error"].clone());
    }
    // One answer for all, and the listener never saw the collector.
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    assert!(answers[0].as_str().unwrap().contains("could not be loaded"));
    assert_eq!(connections.load(Ordering::SeqCst), 0);

    // A closed port and a refused address look the same.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let (_, closed) = post_json(
        &c,
        "/api/v1/links/check",
        &json!({ "url": format!("http://127.0.0.1:{closed_port}/?utm_source=a") }),
    );
    assert_eq!(closed["error"], answers[0]);
}

#[test]
fn an_allowed_intranet_host_does_not_open_the_others_and_userinfo_is_never_sent() {
    // `localhost` is allowed; a redirect from it to 127.0.0.1 (another name for the same
    // machine, not allowed) stops at that hop.
    let c = Collector::start_with(&[], &[("LEADTRAIL_LINK_CHECK_ALLOWED_HOSTS", "localhost")]);
    let (port, connections, head) = counting_server();
    let (_, ok) = post_json(
        &c,
        "/api/v1/links/check",
        &json!({ "url": format!("http://user:secret@localhost:{port}/?utm_source=a") }),
    );
    assert_eq!(ok["utm_survive"], true, "{ok}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    let seen = head.lock().unwrap().to_ascii_lowercase();
    assert!(!seen.contains("authorization"), "{seen}");
    assert!(!ok.to_string().contains("secret"), "{ok}");

    let site = redirecting_server();
    let site_port = site.rsplit(':').next().unwrap();
    // /keep redirects to a relative path: same host, allowed.
    let (_, kept) = post_json(
        &c,
        "/api/v1/links/check",
        &json!({ "url": format!("http://localhost:{site_port}/keep?utm_source=a") }),
    );
    assert_eq!(kept["utm_survive"], true, "{kept}");
    // An absolute redirect to 127.0.0.1 is refused at that hop.
    let (status, jumped) = post_json(
        &c,
        "/api/v1/links/check",
        &json!({ "url": format!("http://localhost:{site_port}/absolute?utm_source=a") }),
    );
    assert_eq!(status, 200);
    assert_eq!(jumped["utm_survive"], Value::Null, "{jumped}");
    assert_eq!(jumped["redirects"], 1, "{jumped}");
    assert!(
        jumped["error"]
            .as_str()
            .unwrap()
            .contains("could not be loaded"),
        "{jumped}"
    );
    let (_, direct) = post_json(
        &c,
        "/api/v1/links/check",
        &json!({ "url": format!("http://127.0.0.1:{port}/?utm_source=a") }),
    );
    assert!(
        direct["error"]
            .as_str()
            .unwrap()
            .contains("could not be loaded"),
        "{direct}"
    );
}

/// A database stored under the first rules, which knew neither AI assistants nor most
/// webmail: `reclassify` moves those touches to their channels, with the network's name as
/// the source, the medium of the channel and the referring host kept as the raw source.
#[test]
fn reclassify_moves_ai_assistant_and_webmail_touches_of_a_stored_database() {
    let mut c = Collector::start();
    let visits = [
        ("gpt@acme.example", "chatgpt.com", "https://chatgpt.com/c/1"),
        (
            "pplx@acme.example",
            "perplexity.ai",
            "https://www.perplexity.ai/search/x",
        ),
        (
            "gmx@acme.example",
            "deref-gmx.net",
            "https://deref-gmx.net/mail/client/x/dereferrer/",
        ),
        (
            "ionos@acme.example",
            "email.ionos.de",
            "https://email.ionos.de/appsuite/",
        ),
        (
            "blog@acme.example",
            "blog.partner.example",
            "https://blog.partner.example/post",
        ),
    ];
    for (email, host, referrer) in visits {
        let (status, body) = c.submit(
            "signup",
            &[
                ("email", email),
                ("lt_v", "1"),
                ("lt_last_source", host),
                ("lt_last_medium", "referral"),
                ("lt_last_referrer", referrer),
            ],
        );
        assert_eq!(status, 201, "{body}");
    }
    // New data is stored settled at once.
    let gpt = c.person_by_email("gpt@acme.example");
    assert_eq!(gpt["lead_generation"]["channel"], "ai_assistants");
    assert_eq!(gpt["lead_generation"]["source"], "chatgpt");
    assert_eq!(
        c.person_by_email("gmx@acme.example")["lead_generation"]["medium"],
        "email"
    );
    // The tiles and search know the channel.
    let (status, tile) = c.api("/api/v1/tiles/new-leads-by-channel");
    assert_eq!(status, 200, "{tile}");
    assert!(
        tile["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["label"] == "AI Assistants"
                && r["key"] == "ai_assistants"
                && r["value"] == 2),
        "{tile}"
    );
    let (status, found) = c.api("/api/v1/persons?lead_generation.channel=ai_assistants");
    assert_eq!(status, 200, "{found}");
    let mut emails: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    emails.sort_unstable();
    assert_eq!(emails, ["gpt@acme.example", "pplx@acme.example"]);
    assert_eq!(c.signal_and_wait("TERM").code(), Some(0));

    // Put every touch back the way rules version 1 stored it: the host as the source,
    // `referral`, channel Referral.
    let conn = rusqlite::Connection::open(&c.db).unwrap();
    for (prefix, table) in [
        ("first", "persons"),
        ("lead", "persons"),
        ("conv", "submissions"),
        ("src", "companies"),
    ] {
        conn.execute(
            &format!(
                "UPDATE {table} SET {prefix}_source = coalesce({prefix}_raw_source, {prefix}_source), \
                 {prefix}_medium = 'referral', {prefix}_channel = 'referral', \
                 {prefix}_rules_version = 1, {prefix}_raw_source = NULL \
                 WHERE {prefix}_referrer IS NOT NULL"
            ),
            [],
        )
        .unwrap();
    }
    let before: i64 = conn
        .query_row(
            "SELECT count(*) FROM persons WHERE lead_channel = 'referral'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(before, 5);
    drop(conn);

    let db = c.db.to_str().unwrap().to_owned();
    let out = run(&["reclassify", "--db", &db]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(!report.contains(" 0 channels changed"), "{report}");

    let conn = common::open_db(&c.db);
    let lead = |email: &str| -> (String, String, String, Option<String>, i64) {
        conn.query_row(
            "SELECT lead_channel, lead_source, lead_medium, lead_raw_source, lead_rules_version \
             FROM persons WHERE email = ?1",
            [email],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
    };
    let version = i64::from(leadtrail_core::channel::RULES_VERSION);
    assert_eq!(
        lead("gpt@acme.example"),
        (
            "ai_assistants".into(),
            "chatgpt".into(),
            "referral".into(),
            Some("chatgpt.com".into()),
            version
        )
    );
    assert_eq!(
        lead("pplx@acme.example"),
        (
            "ai_assistants".into(),
            "perplexity".into(),
            "referral".into(),
            Some("perplexity.ai".into()),
            version
        )
    );
    assert_eq!(
        lead("gmx@acme.example"),
        (
            "email".into(),
            "gmx".into(),
            "email".into(),
            Some("deref-gmx.net".into()),
            version
        )
    );
    assert_eq!(
        lead("ionos@acme.example"),
        (
            "email".into(),
            "ionos".into(),
            "email".into(),
            Some("email.ionos.de".into()),
            version
        )
    );
    assert_eq!(
        lead("blog@acme.example"),
        (
            "referral".into(),
            "partner.example".into(),
            "referral".into(),
            Some("blog.partner.example".into()),
            version
        )
    );
    let conv: (String, String) = conn
        .query_row(
            "SELECT s.conv_channel, s.conv_source FROM submissions s \
             JOIN persons p ON p.id = s.person_id WHERE p.email = 'gmx@acme.example'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(conv, ("email".into(), "gmx".into()));
    drop(conn);

    let again = run(&["reclassify", "--db", &db]);
    assert!(
        text(&again.stdout).contains("0 channels changed, 0 sources changed, 0 rows updated"),
        "idempotent: {}",
        text(&again.stdout)
    );
}
