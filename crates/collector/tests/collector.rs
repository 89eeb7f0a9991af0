//! The collector through HTTP: the real binary on 127.0.0.1:0, a real SQLite file.
//!
//! Covers the acceptance journey (a LinkedIn ad first, a Facebook ad at the post) with tracker fields, the three body formats, the Referer
//! fallback, redirects, every client error with its JSON message, CORS, the API's JSON
//! shapes, tokens, static files, and graceful shutdown with the data committed.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{count, error_of, open_db, refusal_page_of, status_and_json, Collector, TOKEN};
use reqwest::blocking::multipart;
use serde_json::{json, Value};

const LINKEDIN_AT: &str = "1750000000000";
const FACEBOOK_AT: &str = "1750100000000";

/// What the tracker adds to a form after the journey's two visits: the LinkedIn ad first,
/// the Facebook ad last.
fn seed_tracker_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("lt_v", "1"),
        ("lt_first_source", "linkedin"),
        ("lt_first_medium", "paid_social"),
        ("lt_first_campaign", "webinar_sept"),
        ("lt_first_referrer", "https://www.linkedin.com/"),
        (
            "lt_first_landing_page",
            "https://acme.example/webinar?utm_source=linkedin&utm_medium=paid_social&utm_campaign=webinar_sept",
        ),
        ("lt_first_at", LINKEDIN_AT),
        ("lt_last_source", "facebook"),
        ("lt_last_medium", "paid_social"),
        ("lt_last_campaign", "spring"),
        ("lt_last_click_id", "IwAR0AbC"),
        ("lt_last_click_id_type", "fbclid"),
        (
            "lt_last_landing_page",
            "https://acme.example/webinar?utm_source=facebook&fbclid=IwAR0AbC",
        ),
        ("lt_last_at", FACEBOOK_AT),
    ]
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn seed_journey_new_person_then_returning_person() {
    let c = Collector::start();
    let mut fields = vec![
        ("email", "Kari.Nordmann@Acme-Tools.no"),
        ("name", "Kari Nordmann"),
        ("company", "Acme Tools AS"),
        ("country", "NO"),
        ("message", "Please call me"),
    ];
    fields.extend(seed_tracker_fields());
    let (status, receipt) = c.submit("webinar-signup", &fields);
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(
        keys(&receipt),
        set(&["submission_id", "person_id", "person_created"])
    );
    assert_eq!(receipt["person_created"], true);
    let person_id = receipt["person_id"].as_i64().unwrap();

    // Matching is case-insensitive, the address is kept as submitted.
    let person = c.person_by_email("kari.nordmann@acme-tools.no");
    assert_eq!(person["id"], person_id);
    assert_eq!(person["email"], "Kari.Nordmann@Acme-Tools.no");
    assert_eq!(person["name"], "Kari Nordmann");
    assert_eq!(person["country"], "NO");
    let first = &person["first_interaction"];
    assert_eq!(
        (&first["source"], &first["medium"], &first["campaign"]),
        (
            &json!("linkedin"),
            &json!("paid_social"),
            &json!("webinar_sept")
        )
    );
    assert_eq!(first["referrer"], "https://www.linkedin.com/");
    assert_eq!(first["at"], "2025-06-15T15:06:40.000Z");
    let lead = &person["lead_generation"];
    assert_eq!(
        (&lead["source"], &lead["medium"], &lead["campaign"]),
        (&json!("facebook"), &json!("paid_social"), &json!("spring"))
    );
    assert_eq!(lead["click_id"], "IwAR0AbC");
    assert_eq!(lead["click_id_type"], "fbclid");
    assert_eq!(lead["at"], "2025-06-16T18:53:20.000Z");

    let company_id = person["company_id"]
        .as_i64()
        .expect("a company was created");
    let (status, company) = c.api(&format!("/api/v1/companies/{company_id}"));
    assert_eq!(status, 200, "{company}");
    assert_eq!(company["name"], "Acme Tools AS");
    assert_eq!(company["domain"], "acme-tools.no");
    assert_eq!(company["source"]["source"], "facebook");
    assert_eq!(company["source"]["campaign"], "spring");

    let (status, subs) = c.api(&format!("/api/v1/persons/{person_id}/submissions"));
    assert_eq!(status, 200, "{subs}");
    let items = subs["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], receipt["submission_id"]);
    assert_eq!(items[0]["form"], "webinar-signup");
    assert_eq!(items[0]["conversion"]["source"], "facebook");
    // Person fields and wire fields are not payload; everything else is.
    assert_eq!(items[0]["payload"], json!({"message": "Please call me"}));

    // The same person comes back through a newsletter link and submits again.
    let mut again = vec![
        ("email", "KARI.NORDMANN@acme-tools.no"),
        ("name", "K. Nordmann"),
        ("company", "Another Company"),
    ];
    again.extend(
        seed_tracker_fields()
            .into_iter()
            .filter(|(n, _)| !n.starts_with("lt_last_")),
    );
    again.extend([
        ("lt_last_source", "newsletter"),
        ("lt_last_medium", "email"),
        ("lt_last_campaign", "may_news"),
    ]);
    let (status, second) = c.submit("contact", &again);
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["person_created"], false);
    assert_eq!(second["person_id"], person_id);
    assert_ne!(second["submission_id"], receipt["submission_id"]);

    assert_eq!(
        c.person_by_email("Kari.Nordmann@Acme-Tools.no"),
        person,
        "an existing person never changes"
    );
    let (_, company_again) = c.api(&format!("/api/v1/companies/{company_id}"));
    assert_eq!(company_again, company, "an existing company never changes");
    let (_, subs) = c.api(&format!("/api/v1/persons/{person_id}/submissions"));
    let items = subs["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["form"], "contact");
    assert_eq!(items[1]["conversion"]["source"], "newsletter");
    assert_eq!(items[1]["conversion"]["medium"], "email");
    assert_eq!(items[1]["conversion"]["channel"], "email");
    assert_eq!(items[1]["conversion"]["campaign"], "may_news");
    assert_eq!(items[0]["conversion"]["source"], "facebook");
}

#[test]
fn multipart_and_json_bodies() {
    let c = Collector::start();

    let form = multipart::Form::new()
        .text("email", "mp@multi.example")
        .text("interest", "crm")
        .text("interest", "api")
        .text("lt_last_source", "google")
        .text("lt_last_medium", "cpc")
        .part(
            "cv",
            multipart::Part::bytes(b"%PDF-1.4 not really".to_vec())
                .file_name("cv.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
        .text("note", "line one\nline two");
    let response = c
        .post("/f/careers")
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .unwrap();
    let (status, receipt) = status_and_json(response);
    assert_eq!(status, 201, "{receipt}");
    let (_, subs) = c.api(&format!(
        "/api/v1/persons/{}/submissions",
        receipt["person_id"]
    ));
    let sub = &subs["items"][0];
    assert_eq!(
        sub["payload"],
        json!({"interest": ["crm", "api"], "note": "line one\nline two"}),
        "file parts are not kept"
    );
    assert_eq!(sub["conversion"]["source"], "google");
    assert_eq!(sub["conversion"]["medium"], "cpc");

    let body = json!({
        "email": "js@json.example",
        "first_name": "Jo",
        "last_name": "Smith",
        "phone": 4712345678u64,
        "seats": 12,
        "newsletter": true,
        "tags": ["a", "b"],
        "meta": {"plan": "pro"},
        "lt_last_source": "bing",
        "lt_last_medium": "cpc",
    });
    let response = c
        .post("/f/pricing")
        .header("content-type", "application/json; charset=utf-8")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    let (status, receipt) = status_and_json(response);
    assert_eq!(status, 201, "{receipt}");
    let person = c.person_by_email("js@json.example");
    assert_eq!(person["name"], "Jo Smith");
    let (_, subs) = c.api(&format!(
        "/api/v1/persons/{}/submissions",
        receipt["person_id"]
    ));
    assert_eq!(
        subs["items"][0]["payload"],
        json!({"seats": 12, "newsletter": true, "tags": ["a", "b"], "meta": {"plan": "pro"}}),
        "JSON values keep their types"
    );
    assert_eq!(subs["items"][0]["conversion"]["source"], "bing");
}

#[test]
fn without_tracker_fields_the_referer_header_is_the_touch() {
    let c = Collector::start();
    let referer =
        "https://acme.example/pricing?utm_source=Newsletter&utm_medium=email&utm_campaign=May+News";
    let response = c
        .post("/f/pricing")
        .header("accept", "application/json")
        .header("referer", referer)
        .form(&[("email", "plain@form.example")])
        .send()
        .unwrap();
    let (status, _) = status_and_json(response);
    assert_eq!(status, 201);
    let person = c.person_by_email("plain@form.example");
    let lead = &person["lead_generation"];
    assert_eq!(lead["source"], "newsletter");
    assert_eq!(lead["medium"], "email");
    assert_eq!(lead["campaign"], "may_news");
    assert_eq!(lead["landing_page"], referer);
    assert_eq!(person["first_interaction"], person["lead_generation"]);
    let at: jiff::Timestamp = lead["at"].as_str().unwrap().parse().unwrap();
    assert!((jiff::Timestamp::now() - at).get_seconds().abs() < 120);

    // No Referer at all, or one that names a plain page: the attribution was lost (the tag
    // is missing there), which is not a direct visit. Its own source and channel, searchable.
    let (status, _) = c.submit("pricing", &[("email", "untracked@form.example")]);
    assert_eq!(status, 201);
    let response = c
        .post("/f/pricing")
        .header("accept", "application/json")
        .header("referer", "https://acme.example/pricing")
        .form(&[("email", "plain-page@form.example")])
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    for email in ["untracked@form.example", "plain-page@form.example"] {
        let lead = &c.person_by_email(email)["lead_generation"];
        assert_eq!(
            (&lead["source"], &lead["medium"], &lead["channel"]),
            (&json!("(untracked)"), &json!("(none)"), &json!("untracked")),
            "{email}"
        );
    }
    let (status, found) = c.api("/api/v1/persons?lead_generation.channel=untracked");
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["items"].as_array().unwrap().len(), 2, "{found}");
    let (_, tile) = c.api("/api/v1/tiles/new-leads-by-channel");
    assert!(
        tile["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["label"] == "Untracked" && r["key"] == "untracked" && r["value"] == 2),
        "{tile}"
    );
    // The tracker's own direct visit stays Direct.
    let (status, _) = c.submit(
        "pricing",
        &[
            ("email", "direct@form.example"),
            ("lt_v", "1"),
            ("lt_last_source", "(direct)"),
            ("lt_last_medium", "(none)"),
        ],
    );
    assert_eq!(status, 201);
    let lead = &c.person_by_email("direct@form.example")["lead_generation"];
    assert_eq!(
        (&lead["source"], &lead["channel"]),
        (&json!("(direct)"), &json!("direct"))
    );
}

#[test]
fn browsers_are_redirected_to_the_thank_you_page() {
    let c = Collector::start();
    let browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    let response = c
        .post("/f/contact")
        .header("accept", browser_accept)
        .form(&[("email", "a@redirect.example")])
        .send()
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/thanks");

    let thanks = c.get("/thanks").send().unwrap();
    assert_eq!(thanks.status(), 200);
    assert!(thanks.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(thanks.text().unwrap().contains("Thank you"));

    let response = c
        .post("/f/contact")
        .form(&[
            ("email", "b@redirect.example"),
            ("_redirect", "https://acme.example/takk?from=form"),
        ])
        .send()
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "https://acme.example/takk?from=form"
    );

    // A redirect that is not an absolute http(s) URL is ignored, not followed.
    let response = c
        .post("/f/contact")
        .form(&[
            ("email", "c@redirect.example"),
            ("_redirect", "javascript:alert(document.cookie)"),
        ])
        .send()
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/thanks");

    // 303 means committed, and `_redirect` is not payload.
    let person = c.person_by_email("b@redirect.example");
    let (_, subs) = c.api(&format!("/api/v1/persons/{}/submissions", person["id"]));
    assert_eq!(subs["items"][0]["payload"], json!({}));
}

#[test]
fn client_errors_are_json_with_a_message_and_write_nothing() {
    let c = Collector::start();
    let post = |body: &str, content_type: &str| {
        c.post("/f/contact")
            .header("content-type", content_type)
            .header("accept", "application/json")
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    let urlencoded = "application/x-www-form-urlencoded";

    // 422 names the field.
    assert_eq!(
        error_of(post("name=Ada", urlencoded), 422),
        "email: email is required"
    );
    assert_eq!(
        error_of(post("email=not-an-address", urlencoded), 422),
        "email: email is not a valid e-mail address"
    );
    assert_eq!(
        error_of(
            post(r#"{"email": ["a@b.example"]}"#, "application/json"),
            422
        ),
        "email: must be a string, not a JSON array or object"
    );
    assert_eq!(
        error_of(
            post(
                r#"{"email": "a@b.example", "_redirect": {"to": "/x"}}"#,
                "application/json"
            ),
            422
        ),
        "_redirect: must be a string, not a JSON array or object"
    );

    // 400 for bodies that cannot be read.
    let message = error_of(post(r#"{"email": "a@b.example""#, "application/json"), 400);
    assert!(message.starts_with("malformed JSON body"), "{message}");
    assert_eq!(
        error_of(post(r#"["a@b.example"]"#, "application/json"), 400),
        "the JSON body must be an object of fields"
    );
    let message = error_of(
        post(
            "--B\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nunterminated",
            "multipart/form-data; boundary=B",
        ),
        400,
    );
    assert!(message.starts_with("malformed multipart body"), "{message}");

    let message = error_of(post("email=a%FF%FE%40b.example", urlencoded), 400);
    assert!(message.contains("not valid UTF-8"), "{message}");

    // 415 names what works.
    let message = error_of(post("email=a@b.example", "text/plain"), 415);
    assert!(message.contains("text/plain"), "{message}");
    assert!(message.contains("multipart/form-data"), "{message}");
    // A browser's post is refused with a page it can show.
    let response = c
        .post("/f/contact")
        .body("email=a@b.example")
        .send()
        .unwrap();
    assert!(refusal_page_of(response, 415).contains("(none)"));

    let gzipped = c
        .post("/f/contact")
        .header("content-type", urlencoded)
        .header("content-encoding", "gzip")
        .body(vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])
        .send()
        .unwrap();
    let message = refusal_page_of(gzipped, 415);
    assert!(message.contains("Content-Encoding gzip"), "{message}");

    // 413: declared length, streamed (chunked) length, and field count.
    let big = format!("email=a%40b.example&blob={}", "x".repeat(70 * 1024));
    assert_eq!(
        error_of(post(&big, urlencoded), 413),
        "request body is larger than 65536 bytes"
    );
    let chunked = c
        .post("/f/contact")
        .header("content-type", urlencoded)
        .body(reqwest::blocking::Body::new(std::io::Cursor::new(
            big.clone().into_bytes(),
        )))
        .send()
        .unwrap();
    assert!(refusal_page_of(chunked, 413).contains("request body is larger than 65536 bytes"));
    let many: String = (0..250).map(|i| format!("f{i}=1&")).collect();
    let message = error_of(post(&format!("{many}email=a%40b.example"), urlencoded), 413);
    assert!(message.contains("too many fields"), "{message}");

    // 404 for a form key that cannot be one, 405 for other methods.
    let message = refusal_page_of(
        c.post("/f/not.a.key")
            .form(&[("email", "a@b.example")])
            .send()
            .unwrap(),
        404,
    );
    assert!(message.contains("no such form"), "{message}");
    // A message is shown as text: markup in it is not markup.
    let page = refusal_page_of(
        c.post("/f/contact")
            .form(&[("email", "<b>x</b>@no")])
            .send()
            .unwrap(),
        422,
    );
    assert!(
        page.contains("email: email is not a valid e-mail address"),
        "{page}"
    );
    let response = c.get("/f/contact").send().unwrap();
    assert_eq!(response.headers()["allow"], "POST, OPTIONS");
    error_of(response, 405);

    let db = open_db(&c.db);
    assert_eq!(count(&db, "persons"), 0, "a refused post writes nothing");
    assert_eq!(count(&db, "submissions"), 0);
    assert_eq!(count(&db, "companies"), 0);
}

#[test]
fn api_requires_a_token_and_answers_errors_in_json() {
    let c = Collector::start();
    let (status, receipt) = c.submit("contact", &[("email", "private@person.example")]);
    assert_eq!(status, 201);
    let person_path = format!("/api/v1/persons/{}", receipt["person_id"]);

    for path in [
        "/api/v1/persons?email=private%40person.example",
        person_path.as_str(),
        "/api/v1/companies/1",
        "/api/v1/no-such-endpoint",
    ] {
        let response = c.get(path).send().unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let message = error_of(response, 401);
        assert!(message.contains("API token"), "{message}");
        let wrong = c.get(path).bearer_auth("wrong-token").send().unwrap();
        error_of(wrong, 401);
        let basic = c
            .get(path)
            .header("authorization", format!("Basic {TOKEN}"))
            .send()
            .unwrap();
        error_of(basic, 401);
    }

    let with_token = |path: &str| c.get(path).bearer_auth(TOKEN).send().unwrap();
    assert_eq!(
        error_of(with_token("/api/v1/persons/999999"), 404),
        "no person with id 999999"
    );
    assert_eq!(
        error_of(with_token("/api/v1/persons/999999/submissions"), 404),
        "no person with id 999999"
    );
    assert_eq!(
        error_of(with_token("/api/v1/companies/424242"), 404),
        "no company with id 424242"
    );
    let message = error_of(with_token("/api/v1/persons/abc"), 400);
    assert!(message.starts_with("invalid path parameter"), "{message}");
    let message = error_of(with_token("/api/v1/persons?e-mail=x"), 400);
    assert!(message.contains("unknown field \"e-mail\""), "{message}");
    error_of(with_token("/api/v1/nothing-here"), 404);
    let (status, body) = c.api("/api/v1/persons?email=nobody%40nowhere.example");
    assert_eq!(
        (status, body),
        (200, json!({"items": [], "next": null, "total": 0}))
    );

    // Unknown paths outside the API are JSON 404s too.
    error_of(c.get("/no/such/page").send().unwrap(), 404);
}

#[test]
fn api_json_shapes() {
    let c = Collector::start();
    let mut fields = vec![
        ("email", "shape@shapes.example"),
        ("company", "Shapes Ltd"),
        ("free_text", "x"),
    ];
    fields.extend(seed_tracker_fields());
    let (_, receipt) = c.submit("shapes", &fields);
    let person = c.person_by_email("shape@shapes.example");

    let touch_keys = set(&[
        "source",
        "medium",
        "campaign",
        "term",
        "content",
        "id",
        "click_id",
        "click_id_type",
        "referrer",
        "landing_page",
        "at",
        "channel",
    ]);
    assert_eq!(person["first_interaction"]["channel"], "paid_social");
    assert_eq!(person["lead_generation"]["channel"], "paid_social");
    assert_eq!(
        keys(&person),
        set(&[
            "id",
            "email",
            "name",
            "company_id",
            "country",
            "phone",
            "created_at",
            "first_interaction",
            "lead_generation",
            "status",
            "owner_id",
            "updated_at",
            "consent"
        ])
    );
    assert_eq!(keys(&person["first_interaction"]), touch_keys);
    assert_eq!(keys(&person["lead_generation"]), touch_keys);
    assert_eq!(person["name"], Value::Null, "unknown values are null");
    assert_eq!(person["lead_generation"]["term"], Value::Null);

    let (_, person_by_id) = c.api(&format!("/api/v1/persons/{}", receipt["person_id"]));
    assert_eq!(person_by_id, person);

    let (_, subs) = c.api(&format!(
        "/api/v1/persons/{}/submissions",
        receipt["person_id"]
    ));
    assert_eq!(keys(&subs), set(&["items"]));
    let sub = &subs["items"][0];
    assert_eq!(
        keys(sub),
        set(&[
            "id",
            "form",
            "created_at",
            "conversion",
            "payload",
            "utm_capture"
        ])
    );
    assert_eq!(sub["utm_capture"], true, "a new form captures");
    assert_eq!(keys(&sub["conversion"]), touch_keys);

    let (_, company) = c.api(&format!("/api/v1/companies/{}", person["company_id"]));
    assert_eq!(
        keys(&company),
        set(&[
            "id",
            "name",
            "domain",
            "domain_mixes_scripts",
            "created_at",
            "source"
        ])
    );
    assert_eq!(keys(&company["source"]), touch_keys);

    // Every time is RFC 3339 in UTC, and creation times are now.
    for created in [
        &person["created_at"],
        &sub["created_at"],
        &company["created_at"],
    ] {
        let text = created.as_str().unwrap();
        assert!(text.ends_with('Z'), "{text}");
        let at: jiff::Timestamp = text.parse().unwrap();
        assert!(
            (jiff::Timestamp::now() - at).get_seconds().abs() < 120,
            "{text}"
        );
    }
    let at: jiff::Timestamp = person["first_interaction"]["at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(at.as_millisecond().to_string(), LINKEDIN_AT);
}

#[test]
fn cors_lets_other_origins_post_and_read_the_answer() {
    let c = Collector::start();
    let preflight = c
        .client
        .request(reqwest::Method::OPTIONS, c.url("/f/contact"))
        .header("origin", "https://customer.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,accept")
        .send()
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("content-type") && allowed.contains("accept"),
        "{allowed}"
    );

    let response = c
        .post("/f/contact")
        .header("origin", "https://customer.example")
        .header("accept", "application/json")
        .json(&json!({"email": "cors@customer.example"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");

    // Errors are readable across origins too, so a page can show the message.
    let response = c
        .post("/f/contact")
        .header("origin", "https://customer.example")
        .json(&json!({"email": "nope"}))
        .send()
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    error_of(response, 422);
}

#[test]
fn healthz_and_static_files() {
    let c = Collector::start();
    let (status, body) = status_and_json(c.get("/healthz").send().unwrap());
    assert_eq!((status, body), (200, json!({"status": "ok"})));

    // The demo site is served at `/` from www/ (read from disk in debug builds).
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let index = std::fs::read(repo.join("www/index.html")).expect("www/index.html exists");
    let response = c.get("/").send().unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(response.bytes().unwrap().as_ref(), index.as_slice());
    let revalidated = c.get("/").header("if-none-match", &etag).send().unwrap();
    assert_eq!(revalidated.status(), 304);

    // Form posts and API answers are not compressed: that work stays off the ingest path.
    let response = c
        .post("/f/contact")
        .header("accept", "application/json")
        .header("accept-encoding", "gzip")
        .form(&[("email", "zip@static.example")])
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(!response.headers().contains_key("content-encoding"));

    // Tracker files: with CORS and the right types once built, a hint until then.
    let tracker_dir = repo.join("target/leadtrail-tracker");
    for (file, mime) in [
        ("leadtrail.js", "text/javascript"),
        ("leadtrail_tracker.js", "text/javascript"),
        ("leadtrail_tracker_bg.wasm", "application/wasm"),
    ] {
        let response = c.get(&format!("/{file}")).send().unwrap();
        if tracker_dir.join(file).is_file() {
            assert_eq!(response.status(), 200, "{file}");
            let h = response.headers();
            assert_eq!(h["access-control-allow-origin"], "*", "{file}");
            assert!(
                h["content-type"].to_str().unwrap().starts_with(mime),
                "{file}"
            );
            assert!(h.contains_key("cache-control") && h.contains_key("etag"));
            let on_disk = std::fs::read(tracker_dir.join(file)).unwrap();
            assert_eq!(response.bytes().unwrap().as_ref(), on_disk.as_slice());
            // Browsers get it compressed.
            let gzipped = c
                .get(&format!("/{file}"))
                .header("accept-encoding", "gzip")
                .send()
                .unwrap();
            assert_eq!(gzipped.headers()["content-encoding"], "gzip", "{file}");
            assert_eq!(gzipped.headers()["access-control-allow-origin"], "*");
            let compressed = gzipped.bytes().unwrap();
            let mut unzipped = Vec::new();
            flate2::read::GzDecoder::new(compressed.as_ref())
                .read_to_end(&mut unzipped)
                .unwrap();
            assert_eq!(unzipped, on_disk, "{file}");
        } else {
            let message = error_of(response, 404);
            assert!(message.contains("xtask build-tracker"), "{message}");
        }
    }

    // Nothing outside the folders is reachable.
    let response = c.get("/../Cargo.toml").send().unwrap();
    assert_ne!(response.status(), 200);
}

#[test]
fn minted_tokens_work_on_a_running_collector() {
    let c = Collector::start();
    let output = common::command()
        .args(["token", "create", "--name", "integration"])
        .arg("--db")
        .arg(&c.db)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "prints the token and nothing else: {stdout:?}"
    );
    let token = lines[0];
    assert!(token.starts_with("ltk_") && token.len() > 40, "{token}");

    let response = c
        .get("/api/v1/persons?email=a%40b.example")
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let other = format!("ltk_{}", "0".repeat(64));
    error_of(
        c.get("/api/v1/persons?email=a%40b.example")
            .bearer_auth(&other)
            .send()
            .unwrap(),
        401,
    );
    // The token is stored only as a hash.
    let db = std::fs::read(&c.db).unwrap();
    let wal = std::fs::read(c.db.with_extension("db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    }
}

#[test]
fn commands_that_work_on_a_database_refuse_one_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    std::fs::write(
        dir.path().join("persons.csv"),
        "external_id,email\n1,a@b.example\n",
    )
    .unwrap();
    for args in [
        vec!["token", "create"],
        vec!["import", "persons.csv"],
        vec!["reclassify"],
        vec!["aliases", "list"],
        vec!["aliases", "set", "instg", "instagram"],
        vec!["explain", "--url", "https://acme.example/?gclid=x"],
    ] {
        let output = common::command()
            .args(&args)
            .arg("--db")
            .arg(&missing)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stderr.contains("does not exist"), "{args:?}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{args:?} printed {:?}",
            output.stdout
        );
        assert!(!missing.exists(), "{args:?} created the database");
    }
    // Without --db either: no leadtrail.db appears in the working directory.
    let output = common::command()
        .args(["token", "create"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(!dir.path().join("leadtrail.db").exists());
}

#[cfg(unix)]
#[test]
fn database_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let c = Collector::start();
    c.submit("perm", &[("email", "perm@files.example")]);
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", c.db.display());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}: {mode:o}");
    }
}

#[test]
fn body_limit_comes_from_the_environment_and_the_flag() {
    let c = Collector::start_with(&[], &[("LEADTRAIL_MAX_BODY_BYTES", "2048")]);
    let body = |size: usize| format!("email=a%40b.example&pad={}", "x".repeat(size));
    let post = |text: String| {
        c.post("/f/limits")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(text)
            .send()
            .unwrap()
    };
    assert_eq!(post(body(1500)).status(), 201);
    assert_eq!(
        error_of(post(body(3000)), 413),
        "request body is larger than 2048 bytes"
    );
    drop(c);

    let c = Collector::start_with(
        &["--max-body-bytes", "4096"],
        &[("LEADTRAIL_MAX_BODY_BYTES", "2048")],
    );
    let response = c
        .post("/f/limits")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body(3000))
        .send()
        .unwrap();
    assert_eq!(response.status(), 201, "the flag wins over the environment");
}

#[test]
fn sigterm_commits_everything_acknowledged_and_exits_zero() {
    let mut c = Collector::start();
    let total = 25;
    for i in 0..total {
        let email = format!("person{i}@term.example");
        let (status, _) = c.submit("shutdown", &[("email", &email), ("lt_last_source", "x")]);
        assert_eq!(status, 201);
    }
    let status = c.signal_and_wait("TERM");
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        c.log()
    );
    assert!(c.log().contains("SIGTERM"), "{}", c.log());

    let db = open_db(&c.db);
    assert_eq!(count(&db, "submissions"), total);
    assert_eq!(count(&db, "persons"), total);
    drop(db);

    // A restart on the same file needs no manual step and sees everything.
    let (dir, db_path) = c.into_dir();
    let c = Collector::start_in(dir, db_path, &[], &[]);
    c.person_by_email("person24@term.example");
}

#[test]
fn sigint_also_shuts_down_cleanly() {
    let mut c = Collector::start();
    let (status, _) = c.submit("shutdown", &[("email", "int@term.example")]);
    assert_eq!(status, 201);
    let status = c.signal_and_wait("INT");
    assert!(status.success(), "exit status {status:?}");
    assert_eq!(count(&open_db(&c.db), "submissions"), 1);
}

#[test]
fn a_request_in_flight_at_sigterm_is_finished() {
    let mut c = Collector::start();
    let host = c.base.trim_start_matches("http://").to_owned();
    let body = "email=inflight%40term.example&lt_last_source=slow";
    let (head, tail) = body.split_at(10);

    let mut stream = TcpStream::connect(&host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /f/inflight HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Accept: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    // Drop the fixture's idle keep-alive connections so only the request in flight is open.
    c.client = reqwest::blocking::Client::new();
    let pid = c.pid().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(500));

    // No new connections are taken while the old one finishes.
    assert!(
        TcpStream::connect(&host).is_err(),
        "still accepting after SIGTERM"
    );

    stream.write_all(tail.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");

    let status = c.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let db = open_db(&c.db);
    let email: String = db
        .query_row("SELECT email FROM persons", [], |r| r.get(0))
        .unwrap();
    assert_eq!(email, "inflight@term.example");
}

#[test]
fn pages_forbid_inline_script_framing_and_leaking_their_urls() {
    let c = Collector::start();
    for path in [
        "/",
        "/dashboard",
        "/people",
        "/links",
        "/api/docs",
        "/thanks",
    ] {
        let response = c.get(path).send().unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{path}: no {name}"))
        };
        let csp = header("content-security-policy");
        let directive = |name: &str| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.starts_with(name))
                .map(str::to_owned)
        };
        assert_eq!(
            directive("frame-ancestors").as_deref(),
            Some("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        let scripts = directive("script-src")
            .or_else(|| directive("default-src"))
            .unwrap();
        assert!(!scripts.contains("unsafe-inline"), "{path}: {csp}");
        assert!(
            !scripts.contains("unsafe-eval'") || scripts.contains("wasm-unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
    }
}

#[test]
fn redirects_go_only_where_the_operator_allows() {
    let c = Collector::start_with(
        &[],
        &[("LEADTRAIL_ALLOWED_ORIGINS", "https://www.acme.example")],
    );
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let location = |redirect: &str| {
        let response = client
            .post(c.url("/f/redirects"))
            .header("origin", "https://www.acme.example")
            .form(&[("email", "r@acme.example"), ("_redirect", redirect)])
            .send()
            .unwrap();
        assert_eq!(response.status(), 303, "{redirect}");
        response.headers()["location"].to_str().unwrap().to_owned()
    };
    assert_eq!(
        location("https://www.acme.example/takk"),
        "https://www.acme.example/takk"
    );
    assert_eq!(location("/thanks.html"), "/thanks.html");
    for refused in [
        "https://evil.example/",
        "https://www.acme.example@evil.example/",
        "https://user:pw@www.acme.example/",
        "http://www.acme.example/",
    ] {
        assert_eq!(location(refused), "/thanks", "{refused}");
    }

    // Without an allow-list any http(s) site, its host written as browsers send it.
    let open = Collector::start();
    let response = client
        .post(open.url("/f/redirects"))
        .form(&[
            ("email", "r@acme.example"),
            ("_redirect", "https://bücher.example/danke"),
        ])
        .send()
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        "https://xn--bcher-kva.example/danke"
    );
}
