//! Working the leads through the real binary: status and owners, read-only attribution,
//! associates, sales, server-side submissions, consent, export and erasure.

mod common;

use common::{error_of, status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

fn send(
    c: &Collector,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::blocking::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = c.client.request(method, c.url(path)).bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().unwrap()
}

fn call(c: &Collector, method: &str, path: &str, body: Value) -> (u16, Value) {
    status_and_json(send(c, method, path, Some(body)))
}

fn new_person(c: &Collector, email: &str) -> i64 {
    let (status, body) = c.submit(
        "signup",
        &[
            ("email", email),
            ("lt_v", "1"),
            ("lt_first_source", "linkedin"),
            ("lt_last_source", "facebook"),
        ],
    );
    assert_eq!(status, 201, "{body}");
    body["person_id"].as_i64().unwrap()
}

#[test]
fn status_owner_and_history() {
    let c = Collector::start();
    let id = new_person(&c, "ada@acme.example");
    let (_, person) = c.api(&format!("/api/v1/persons/{id}"));
    assert_eq!(person["status"], "open");
    assert_eq!(person["owner_id"], Value::Null);
    assert_eq!(person["updated_at"], person["created_at"]);
    assert_eq!(person["consent"], json!({"e_marketing": null}));

    let (status, associate) = call(
        &c,
        "POST",
        "/api/v1/associates",
        json!({"name": "Grace Hopper", "email": "Grace@Sales.example"}),
    );
    assert_eq!(status, 201, "{associate}");
    let owner = associate["id"].as_i64().unwrap();
    assert_eq!(associate["email"], "grace@sales.example");
    let (status, again) = call(
        &c,
        "POST",
        "/api/v1/associates",
        json!({"name": "Other", "email": "grace@sales.example"}),
    );
    assert_eq!(status, 422, "{again}");
    assert!(again["error"].as_str().unwrap().starts_with("email:"));
    let (status, list) = c.api("/api/v1/associates");
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, one) = c.api(&format!("/api/v1/associates/{owner}"));
    assert_eq!((status, &one["name"]), (200, &json!("Grace Hopper")));
    assert_eq!(c.api("/api/v1/associates/999").0, 404);

    let path = format!("/api/v1/persons/{id}");
    let (status, patched) = call(
        &c,
        "PATCH",
        &path,
        json!({"status": "in_progress", "owner_id": owner, "country": "NO", "name": "Ada L."}),
    );
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["status"], "in_progress");
    assert_eq!(patched["owner_id"], owner);
    assert_eq!(patched["country"], "NO");
    assert_eq!(patched["name"], "Ada L.");
    assert_ne!(patched["updated_at"], patched["created_at"]);
    // Attribution untouched by the patch.
    assert_eq!(patched["first_interaction"]["source"], "linkedin");
    assert_eq!(patched["lead_generation"]["source"], "facebook");

    // Same status again: not a change. Then qualified, and the owner removed.
    assert_eq!(
        call(&c, "PATCH", &path, json!({"status": "in_progress"})).0,
        200
    );
    let (status, patched) = call(
        &c,
        "PATCH",
        &path,
        json!({"status": "qualified", "owner_id": null}),
    );
    assert_eq!(status, 200);
    assert_eq!(patched["owner_id"], Value::Null);
    let (status, history) = c.api(&format!("/api/v1/persons/{id}/status_changes"));
    assert_eq!(status, 200);
    let statuses: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["in_progress", "qualified"]);
    assert!(history["items"][0]["at"].as_str().unwrap().ends_with('Z'));
    // Who changed it, named as the audit log names them (here the configured token).
    for item in history["items"].as_array().unwrap() {
        assert_eq!(item["actor"], "configured api_token", "{item}");
    }

    // Bad input: 422 naming the field, nothing changed.
    for (body, field) in [
        (json!({"status": "won"}), "status"),
        (json!({"owner_id": 999}), "owner_id"),
        (json!({"owner_id": "x"}), "owner_id"),
        (json!({"country": 5}), "country"),
        (json!({}), "body"),
    ] {
        let message = error_of(send(&c, "PATCH", &path, Some(body.clone())), 422);
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body} → {message}"
        );
    }
    assert_eq!(
        call(
            &c,
            "PATCH",
            "/api/v1/persons/999",
            json!({"status": "open"})
        )
        .0,
        404
    );
    let (_, person) = c.api(&path);
    assert_eq!(person["status"], "qualified");
}

#[test]
fn attribution_is_read_only() {
    let c = Collector::start();
    let id = new_person(&c, "bob@beta.example");
    let path = format!("/api/v1/persons/{id}");
    for field in ["first_interaction", "lead_generation"] {
        let message = error_of(
            send(
                &c,
                "PATCH",
                &path,
                Some(json!({"status": "qualified", field: {"source": "x"}})),
            ),
            422,
        );
        assert!(message.starts_with(field), "{message}");
        assert!(message.contains("read-only"), "{message}");
    }
    let message = error_of(
        send(
            &c,
            "PATCH",
            &path,
            Some(json!({"colour": "red", "size": 1})),
        ),
        422,
    );
    assert!(
        message.contains("colour") && message.contains("size"),
        "{message}"
    );

    let person = c.person_by_email("bob@beta.example");
    let company = person["company_id"].as_i64().unwrap();
    let message = error_of(
        send(
            &c,
            "PATCH",
            &format!("/api/v1/companies/{company}"),
            Some(json!({"source": {"source": "x"}})),
        ),
        422,
    );
    assert!(
        message.starts_with("source:") && message.contains("read-only"),
        "{message}"
    );
    let (_, submissions) = c.api(&format!("/api/v1/persons/{id}/submissions"));
    let submission = submissions["items"][0]["id"].as_i64().unwrap();
    let message = error_of(
        send(
            &c,
            "PATCH",
            &format!("/api/v1/submissions/{submission}"),
            Some(json!({"conversion": {"source": "x"}})),
        ),
        422,
    );
    assert!(
        message.starts_with("conversion:") && message.contains("read-only"),
        "{message}"
    );

    let (_, after) = c.api(&path);
    assert_eq!(after["status"], "open");
    assert_eq!(after["first_interaction"], person["first_interaction"]);
    let (_, company_after) = c.api(&format!("/api/v1/companies/{company}"));
    assert_eq!(company_after["source"]["source"], "facebook");
}

#[test]
fn sales_create_patch_list_and_refuse_bad_input() {
    let c = Collector::start();
    let person = new_person(&c, "carol@gamma.example");
    let company = c.person_by_email("carol@gamma.example")["company_id"]
        .as_i64()
        .unwrap();

    let (status, sale) = call(
        &c,
        "POST",
        "/api/v1/sales",
        json!({"person_id": person, "title": "Licence", "amount": "1234.5", "currency": "EUR",
               "status": "open", "at": "2025-03-01T10:00:00Z"}),
    );
    assert_eq!(status, 201, "{sale}");
    let sale_id = sale["id"].as_i64().unwrap();
    assert_eq!(sale["amount"], "1234.50");
    assert_eq!(sale["amount_minor"], 123450);
    assert_eq!(sale["at"], "2025-03-01T10:00:00.000Z");
    assert_eq!(sale["closed_at"], Value::Null);

    let (status, yen) = call(
        &c,
        "POST",
        "/api/v1/sales",
        json!({"company_id": company, "title": "Support", "amount": 5000, "currency": "JPY",
               "status": "won", "external_id": "crm-1"}),
    );
    assert_eq!(status, 201, "{yen}");
    assert_eq!(
        (yen["amount"].as_str(), yen["amount_minor"].as_i64()),
        (Some("5000"), Some(5000))
    );
    assert!(yen["closed_at"].is_string());
    // Idempotent by external id.
    let (status, again) = call(
        &c,
        "POST",
        "/api/v1/sales",
        json!({"company_id": company, "title": "Support", "amount": 5000, "currency": "JPY",
               "status": "won", "external_id": "crm-1"}),
    );
    assert_eq!((status, &again["id"]), (200, &yen["id"]));

    let (status, won) = call(
        &c,
        "PATCH",
        &format!("/api/v1/sales/{sale_id}"),
        json!({"status": "won", "amount": 2000.25}),
    );
    assert_eq!(status, 200, "{won}");
    assert_eq!(
        (won["status"].as_str(), won["amount"].as_str()),
        (Some("won"), Some("2000.25"))
    );
    assert!(won["closed_at"].is_string());

    let (status, list) = c.api(&format!("/api/v1/sales?person_id={person}"));
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, list) = c.api("/api/v1/sales?status=won");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let (_, list) = c.api(&format!("/api/v1/sales?company_id={company}&status=open"));
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    assert_eq!(c.api("/api/v1/sales?status=maybe").0, 400);
    let (status, one) = c.api(&format!("/api/v1/sales/{sale_id}"));
    assert_eq!((status, &one["title"]), (200, &json!("Licence")));
    assert_eq!(c.api("/api/v1/sales/999").0, 404);

    for (body, field) in [
        (
            json!({"title": "x", "amount": "1", "currency": "EUR"}),
            "person_id",
        ),
        (
            json!({"person_id": 999, "title": "x", "amount": "1", "currency": "EUR"}),
            "person_id",
        ),
        (
            json!({"company_id": 999, "title": "x", "amount": "1", "currency": "EUR"}),
            "company_id",
        ),
        (
            json!({"person_id": person, "title": "x", "amount": "1.234", "currency": "EUR"}),
            "amount",
        ),
        (
            json!({"person_id": person, "title": "x", "amount": "-1", "currency": "EUR"}),
            "amount",
        ),
        (
            json!({"person_id": person, "title": "x", "amount": "1", "currency": "eur"}),
            "currency",
        ),
        (
            json!({"person_id": person, "title": "x", "amount": "1", "currency": "EUR", "status": "done"}),
            "status",
        ),
        (
            json!({"person_id": person, "title": "x", "amount": "1", "currency": "EUR", "at": "yesterday"}),
            "at",
        ),
        (
            json!({"person_id": person, "amount": "1", "currency": "EUR"}),
            "title",
        ),
    ] {
        let message = error_of(send(&c, "POST", "/api/v1/sales", Some(body.clone())), 422);
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body} → {message}"
        );
    }
    let message = error_of(
        send(
            &c,
            "PATCH",
            &format!("/api/v1/sales/{sale_id}"),
            Some(json!({"status": "closed"})),
        ),
        422,
    );
    assert!(message.starts_with("status:"), "{message}");
    let (_, list) = c.api("/api/v1/sales");
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "nothing half-written"
    );
}

#[test]
fn server_side_submissions_follow_the_form_rules() {
    let c = Collector::start();
    let (status, body) = call(
        &c,
        "POST",
        "/api/v1/submissions",
        json!({
            "form": "chat-widget", "channel": "chat", "email": "Dan@Delta.example",
            "name": "Dan", "company": "Delta AS", "country": "SE",
            "first_interaction": {"source": "LinkedIn", "medium": "paid_social",
                                  "at": "2024-11-01T09:00:00Z"},
            "touch": {"source": "newsletter", "medium": "email", "campaign": "Spring"},
            "at": "2025-01-15T12:00:00Z",
            "payload": {"transcript_id": 42},
            "external_id": "chat-0001"
        }),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["person_created"], true);
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["person_created", "person_id", "submission_id"]);

    let person = c.person_by_email("dan@delta.example");
    assert_eq!(person["created_at"], "2025-01-15T12:00:00.000Z");
    assert_eq!(person["first_interaction"]["source"], "linkedin");
    assert_eq!(
        person["first_interaction"]["at"],
        "2024-11-01T09:00:00.000Z"
    );
    assert_eq!(person["lead_generation"]["source"], "newsletter");
    assert_eq!(person["lead_generation"]["campaign"], "spring");
    let (_, submissions) = c.api(&format!("/api/v1/persons/{}/submissions", person["id"]));
    let first = &submissions["items"][0];
    assert_eq!(first["form"], "chat-widget");
    assert_eq!(first["created_at"], "2025-01-15T12:00:00.000Z");
    assert_eq!(first["payload"], json!({"transcript_id": 42}));

    // The same external id again: nothing new, the earlier answer.
    let (status, replay) = call(
        &c,
        "POST",
        "/api/v1/submissions",
        json!({"form": "chat-widget", "email": "dan@delta.example", "external_id": "chat-0001"}),
    );
    assert_eq!(status, 200, "{replay}");
    assert_eq!(replay["submission_id"], body["submission_id"]);
    assert_eq!(replay["person_created"], false);

    // A later submission by the same person: own conversion, person unchanged.
    let (status, later) = call(
        &c,
        "POST",
        "/api/v1/submissions",
        json!({"form": "offline-event", "email": "dan@delta.example",
               "touch": {"source": "partner_a", "medium": "referral"}}),
    );
    assert_eq!(status, 201, "{later}");
    assert_eq!(later["person_created"], false);
    let (_, submissions) = c.api(&format!("/api/v1/persons/{}/submissions", person["id"]));
    assert_eq!(submissions["items"].as_array().unwrap().len(), 2);
    assert_eq!(submissions["items"][1]["conversion"]["source"], "partner_a");
    assert_eq!(
        c.person_by_email("dan@delta.example")["lead_generation"],
        person["lead_generation"]
    );

    for (body, field) in [
        (json!({"form": "f", "email": "nope"}), "email"),
        (json!({"email": "a@b.example"}), "form"),
        (
            json!({"form": "f", "email": "a@b.example", "channel": "fax"}),
            "channel",
        ),
        (
            json!({"form": "f", "email": "a@b.example", "at": "soon"}),
            "at",
        ),
        (
            json!({"form": "f", "email": "a@b.example", "touch": {"colour": "x"}}),
            "touch",
        ),
        (
            json!({"form": "f", "email": "a@b.example", "lead_generation": {}}),
            "lead_generation",
        ),
        (
            json!({"form": "f", "email": "a@b.example", "mood": "happy"}),
            "body",
        ),
    ] {
        let message = error_of(
            send(&c, "POST", "/api/v1/submissions", Some(body.clone())),
            422,
        );
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body} → {message}"
        );
    }
    assert_eq!(
        c.api("/api/v1/persons?email=a%40b.example").1["items"],
        json!([])
    );
    let unauthorised = c
        .post("/api/v1/submissions")
        .json(&json!({"form": "f", "email": "a@b.example"}))
        .send()
        .unwrap();
    assert_eq!(unauthorised.status(), 401);
}

#[test]
fn consent_is_given_and_withdrawn_through_forms() {
    // The preference centre may withdraw; other forms only give.
    let c = Collector::start_with(
        &[],
        &[("LEADTRAIL_FORM_CONSENT", "preferences=give_and_withdraw")],
    );
    let (status, _) = c.submit(
        "newsletter",
        &[("email", "eve@eps.example"), ("consent_e_marketing", "yes")],
    );
    assert_eq!(status, 201);
    let person = c.person_by_email("eve@eps.example");
    let consent = &person["consent"]["e_marketing"];
    assert_eq!(consent["given"], true);
    assert_eq!(consent["form"], "newsletter");
    assert!(consent["at"].as_str().unwrap().ends_with('Z'));

    // A form without the field changes nothing; a hidden "no" followed by an unchecked box
    // is a withdrawal.
    c.submit("contact", &[("email", "eve@eps.example")]);
    assert_eq!(
        c.person_by_email("eve@eps.example")["consent"]["e_marketing"]["given"],
        true
    );
    let (status, _) = c.submit(
        "preferences",
        &[("email", "eve@eps.example"), ("consent_e_marketing", "no")],
    );
    assert_eq!(status, 201);
    let consent = c.person_by_email("eve@eps.example")["consent"]["e_marketing"].clone();
    assert_eq!(
        (consent["given"].as_bool(), consent["form"].as_str()),
        (Some(false), Some("preferences"))
    );

    // Through the API, dated in the past: recorded in the history, but not in force.
    let (status, _) = call(
        &c,
        "POST",
        "/api/v1/submissions",
        json!({"form": "old-crm", "email": "eve@eps.example", "consent_e_marketing": true,
               "at": "2020-01-01T00:00:00Z"}),
    );
    assert_eq!(status, 201);
    assert_eq!(
        c.person_by_email("eve@eps.example")["consent"]["e_marketing"]["given"],
        false
    );

    let id = person["id"].as_i64().unwrap();
    let (status, export) = c.api(&format!("/api/v1/persons/{id}/export"));
    assert_eq!(status, 200);
    let history: Vec<(bool, &str)> = export["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["given"].as_bool().unwrap(), c["form"].as_str().unwrap()))
        .collect();
    assert_eq!(
        history,
        [
            (true, "old-crm"),
            (true, "newsletter"),
            (false, "preferences")
        ]
    );
}

#[test]
fn a_form_may_make_only_the_consent_statements_it_is_allowed_and_each_keeps_its_evidence() {
    let c = Collector::start_with(&[], &[("LEADTRAIL_FORM_CONSENT", "survey=none")]);
    let post = |form: &str, value: &str| {
        let response = c
            .post(&format!("/f/{form}"))
            .header("accept", "application/json")
            .header("origin", "https://www.eps.example")
            .form(&[("email", "ivy@eps.example"), ("consent_e_marketing", value)])
            .send()
            .unwrap();
        assert_eq!(response.status(), 201);
    };
    post("newsletter", "yes");
    // Someone else posts Ivy's address with a withdrawal to a form that may only give,
    // and a statement to a form that may make none: both are kept, neither applied.
    post("contact", "no");
    post("survey", "no");
    let person = c.person_by_email("ivy@eps.example");
    assert_eq!(person["consent"]["e_marketing"]["given"], true);
    assert_eq!(person["consent"]["e_marketing"]["form"], "newsletter");

    let id = person["id"].as_i64().unwrap();
    let (_, export) = c.api(&format!("/api/v1/persons/{id}/export"));
    let history: Vec<(bool, bool, &str)> = export["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["given"].as_bool().unwrap(),
                c["applied"].as_bool().unwrap(),
                c["form"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            (true, true, "newsletter"),
            (false, false, "contact"),
            (false, false, "survey")
        ]
    );
    for record in export["consents"].as_array().unwrap() {
        assert_eq!(record["origin"], "https://www.eps.example", "{record}");
        assert_eq!(record["address"], "127.0.0.1", "{record}");
    }
}

#[test]
fn a_consent_setting_that_is_not_a_policy_stops_the_start() {
    let output = common::command()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(tempfile::tempdir().unwrap().path().join("x.db"))
        .env("LEADTRAIL_FORM_CONSENT", "survey=maybe")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("form_consent"), "{stderr}");
}

/// Every occurrence of `needle` in the database's files (main file, WAL, journal).
fn files_containing(db: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for suffix in ["", "-wal", "-journal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn export_then_erasure_leaves_no_trace_in_the_file() {
    let c = Collector::start();
    let email = "frank.unique-marker@zeta.example";
    let id = new_person(&c, email);
    // Phone is a person field, kept for new persons only: a second person brings one.
    c.submit(
        "webinar",
        &[
            ("email", email),
            ("note", "call me"),
            ("consent_e_marketing", "on"),
        ],
    );
    let (_, with_phone) = call(
        &c,
        "POST",
        "/api/v1/submissions",
        json!({"form": "phone-lead", "email": "frank.phone-marker@zeta.example", "phone": "+47 12345678"}),
    );
    let phone_person = with_phone["person_id"].as_i64().unwrap();
    let path = format!("/api/v1/persons/{id}");
    call(
        &c,
        "PATCH",
        &path,
        json!({"status": "qualified", "name": "Frank Marker"}),
    );
    let company = c.person_by_email(email)["company_id"].as_i64().unwrap();
    let (status, sale) = call(
        &c,
        "POST",
        "/api/v1/sales",
        json!({"person_id": id, "company_id": company, "title": "Deal", "amount": "10", "currency": "EUR"}),
    );
    assert_eq!(status, 201);
    // Someone else stays.
    new_person(&c, "grace@zeta.example");
    // A static selection holding both; only the erased person leaves it.
    let (status, selection) = call(
        &c,
        "POST",
        "/api/v1/selections",
        json!({"name": "Zeta", "entity": "person", "kind": "static",
               "criteria": {"all": [{"field": "email", "op": "contains", "value": "zeta.example"}]}}),
    );
    assert_eq!(status, 201, "{selection}");
    let members = format!("/api/v1/selections/{}/members", selection["id"]);
    // Frank, the phone person and Grace.
    assert_eq!(c.api(&members).1["items"].as_array().unwrap().len(), 3);

    let (status, export) = c.api(&format!("{path}/export"));
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["person"]["email"], email);
    assert_eq!(export["person"]["status"], "qualified");
    assert_eq!(export["phone"], Value::Null);
    let (_, phone_export) = c.api(&format!("/api/v1/persons/{phone_person}/export"));
    assert_eq!(phone_export["phone"], "+47 12345678");
    assert_eq!(
        send(
            &c,
            "DELETE",
            &format!("/api/v1/persons/{phone_person}"),
            None
        )
        .status(),
        200
    );
    assert_eq!(export["company"]["id"], company);
    assert_eq!(export["submissions"].as_array().unwrap().len(), 2);
    assert_eq!(export["submissions"][1]["payload"]["note"], "call me");
    assert_eq!(export["submissions"][1]["channel"], "form");
    assert_eq!(export["status_changes"][0]["status"], "qualified");
    assert_eq!(export["consents"][0]["given"], true);
    assert_eq!(export["sales"][0]["id"], sale["id"]);

    assert!(
        !files_containing(&c.db, email.as_bytes()).is_empty(),
        "the e-mail is stored before"
    );
    let response = send(&c, "DELETE", &path, None);
    assert_eq!(response.status(), 200);
    assert_eq!(c.api(&path).0, 404);
    assert_eq!(c.api(&format!("{path}/export")).0, 404);
    assert_eq!(send(&c, "DELETE", &path, None).status(), 404);
    let (_, sale_after) = c.api(&format!("/api/v1/sales/{}", sale["id"]));
    assert_eq!(sale_after["person_id"], Value::Null);
    assert_eq!(sale_after["amount"], "10.00");
    assert_eq!(sale_after["company_id"], company);
    assert_eq!(c.person_by_email("grace@zeta.example")["status"], "open");
    assert_eq!(c.api(&members).1["items"].as_array().unwrap().len(), 1);

    // Checked while running (after the erasure's own checkpoint), then after a stop.
    for needle in [
        email.as_bytes(),
        b"unique-marker".as_slice(),
        b"+47 12345678".as_slice(),
        b"Frank Marker".as_slice(),
    ] {
        assert_eq!(
            files_containing(&c.db, needle),
            Vec::<String>::new(),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }
    let db = c.db.clone();
    let (dir, _) = c.into_dir();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        assert_eq!(common::count(&conn, "persons"), 1);
        assert_eq!(common::count(&conn, "submissions"), 1, "grace's");
        assert_eq!(common::count(&conn, "consents"), 0);
        assert_eq!(common::count(&conn, "status_changes"), 0);
        assert_eq!(
            common::count(&conn, "selection_members"),
            1,
            "grace stays a member"
        );
    }
    assert_eq!(
        files_containing(&db, email.as_bytes()),
        Vec::<String>::new()
    );
    drop(dir);
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn openapi_document_is_public_valid_json_and_lists_the_paths() {
    let c = Collector::start();
    let response = c.get("/api/v1/openapi.json").send().unwrap();
    assert_eq!(response.status(), 200, "served without a token");
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = response.json().unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/f/{form_key}", "post"),
        ("/healthz", "get"),
        ("/api/v1/persons/{id}", "get"),
        ("/api/v1/persons/{id}", "patch"),
        ("/api/v1/persons/{id}", "delete"),
        ("/api/v1/persons/{id}/submissions", "get"),
        ("/api/v1/persons/{id}/export", "get"),
        ("/api/v1/persons/{id}/status_changes", "get"),
        ("/api/v1/companies/{id}", "get"),
        ("/api/v1/associates", "post"),
        ("/api/v1/associates", "get"),
        ("/api/v1/associates/{id}", "get"),
        ("/api/v1/sales", "post"),
        ("/api/v1/sales", "get"),
        ("/api/v1/sales/{id}", "patch"),
        ("/api/v1/submissions", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    // Every reference resolves, and API calls declare the bearer scheme.
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{target} does not resolve"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(paths["/api/v1/sales"]["post"]["security"].is_array());
    // Nothing else under /api/v1 became public.
    assert_eq!(c.get("/api/v1/sales").send().unwrap().status(), 401);
}
