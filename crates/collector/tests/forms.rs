//! The forms registry and UTM capture, through the binary: a form is registered by its
//! first post; with capture off its posts are stored without touches and new persons are
//! `(direct)`; turned on again, touches are back. Bad changes are refused by name, and
//! only admins change forms or read the configuration.

mod common;

use common::{cli_ok, error_of, status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

const PASSWORD: &str = "a fine long passphrase";

/// A post from a page whose tracker remembered LinkedIn first and a newsletter last.
fn tracked_fields(email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("email", email.to_owned()),
        ("message", "hello".to_owned()),
        ("lt_v", "1".to_owned()),
        ("lt_first_source", "linkedin".to_owned()),
        ("lt_first_medium", "paid_social".to_owned()),
        ("lt_first_campaign", "spring".to_owned()),
        ("lt_last_source", "newsletter".to_owned()),
        ("lt_last_medium", "email".to_owned()),
        ("lt_last_campaign", "may".to_owned()),
    ]
}

fn post(c: &Collector, form: &str, email: &str) -> Value {
    let fields = tracked_fields(email);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let (status, body) = c.submit(form, &fields);
    assert_eq!(status, 201, "{body}");
    body
}

fn patch(c: &Collector, token: &str, key: &str, body: &str) -> reqwest::blocking::Response {
    c.client
        .patch(c.url(&format!("/api/v1/forms/{key}")))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .unwrap()
}

fn submissions_of(c: &Collector, person_id: i64) -> Vec<Value> {
    let (status, body) = c.api(&format!("/api/v1/persons/{person_id}/submissions"));
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[test]
fn capture_off_stores_posts_without_touches_and_on_again_with_them() {
    let c = Collector::start();
    let first = post(&c, "contact", "ada@acme.example");

    // Registered by its first post, capturing, with the fields it was posted with.
    let (status, form) = c.api("/api/v1/forms/contact");
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["key"], "contact");
    assert_eq!(form["name"], Value::Null);
    assert_eq!(form["utm_capture"], true);
    assert_eq!(form["submissions"], 1);
    assert_eq!(form["fields"], json!(["email", "message"]));
    assert!(form["last_seen_at"].is_string(), "{form}");
    let (_, list) = c.api("/api/v1/forms");
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let items = submissions_of(&c, first["person_id"].as_i64().unwrap());
    assert_eq!(items[0]["utm_capture"], true);
    assert_eq!(items[0]["conversion"]["source"], "newsletter");

    // Off: named and switched in one change.
    let response = patch(
        &c,
        TOKEN,
        "contact",
        r#"{"utm_capture": false, "name": "Contact us"}"#,
    );
    let (status, form) = status_and_json(response);
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["utm_capture"], false);
    assert_eq!(form["name"], "Contact us");

    let off = post(&c, "contact", "bob@beta.example");
    assert_eq!(off["person_created"], true);
    let bob = c.person_by_email("bob@beta.example");
    assert_eq!(bob["first_interaction"]["source"], "(direct)", "{bob}");
    assert_eq!(bob["first_interaction"]["medium"], "(none)", "{bob}");
    assert_eq!(bob["lead_generation"]["source"], "(direct)", "{bob}");
    assert_eq!(bob["lead_generation"]["campaign"], Value::Null, "{bob}");
    let items = submissions_of(&c, off["person_id"].as_i64().unwrap());
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["utm_capture"], false, "{}", items[0]);
    for field in ["source", "medium", "campaign", "channel"] {
        assert_eq!(items[0]["conversion"][field], Value::Null, "{}", items[0]);
    }
    // The company the new person brought is (direct) too.
    let company_id = bob["company_id"].as_i64().unwrap();
    let (_, company) = c.api(&format!("/api/v1/companies/{company_id}"));
    assert_eq!(company["source"]["source"], "(direct)", "{company}");
    // A known person's submission keeps nothing either, and their attribution stays.
    let again = post(&c, "contact", "ada@acme.example");
    let items = submissions_of(&c, again["person_id"].as_i64().unwrap());
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["utm_capture"], false);
    assert_eq!(items[1]["conversion"]["source"], Value::Null);
    let ada = c.person_by_email("ada@acme.example");
    assert_eq!(ada["lead_generation"]["source"], "newsletter");

    // Other forms are not affected.
    let other = post(&c, "webinar", "cy@gamma.example");
    let items = submissions_of(&c, other["person_id"].as_i64().unwrap());
    assert_eq!(items[0]["utm_capture"], true);
    assert_eq!(items[0]["conversion"]["source"], "newsletter");

    // On again: touches from the next post on.
    let (status, form) = status_and_json(patch(&c, TOKEN, "contact", r#"{"utm_capture": true}"#));
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["name"], "Contact us", "a change leaves the rest alone");
    let on = post(&c, "contact", "dee@delta.example");
    let dee = c.person_by_email("dee@delta.example");
    assert_eq!(dee["first_interaction"]["source"], "linkedin", "{dee}");
    assert_eq!(dee["lead_generation"]["source"], "newsletter", "{dee}");
    let items = submissions_of(&c, on["person_id"].as_i64().unwrap());
    assert_eq!(items[0]["utm_capture"], true);
    assert_eq!(items[0]["conversion"]["campaign"], "may");

    let (_, form) = c.api("/api/v1/forms/contact");
    assert_eq!(form["submissions"], 4, "{form}");

    // The change is in the audit log, naming the form.
    let (status, audit) = c.api("/api/v1/audit?action=settings.form");
    assert_eq!(status, 200, "{audit}");
    let entries = audit["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    assert_eq!(entries[0]["target"], "form contact", "{audit}");
}

#[test]
fn touches_given_through_the_api_are_kept_whatever_the_form() {
    let c = Collector::start();
    post(&c, "crm", "first@acme.example");
    let (status, _) = status_and_json(patch(&c, TOKEN, "crm", r#"{"utm_capture": false}"#));
    assert_eq!(status, 200);
    let response = c
        .post("/api/v1/submissions")
        .bearer_auth(TOKEN)
        .json(&json!({
            "form": "crm",
            "email": "eve@epsilon.example",
            "touch": {"source": "partner", "medium": "referral"}
        }))
        .send()
        .unwrap();
    let (status, body) = status_and_json(response);
    assert_eq!(status, 201, "{body}");
    let eve = c.person_by_email("eve@epsilon.example");
    assert_eq!(eve["lead_generation"]["source"], "partner", "{eve}");
}

#[test]
fn bad_changes_are_refused_by_name_and_unknown_forms_are_404() {
    let c = Collector::start();
    post(&c, "contact", "ada@acme.example");
    for (body, status, says) in [
        (
            r#"{"utm_capture": "off"}"#,
            422,
            "utm_capture: must be true or false",
        ),
        (
            r#"{"utm_capture": null}"#,
            422,
            "utm_capture: must be true or false",
        ),
        (r#"{"name": 12}"#, 422, "name: must be a string"),
        (r#"{"key": "other"}"#, 422, "unknown field \"key\""),
        ("{}", 422, "nothing to change"),
        (r#"["utm_capture"]"#, 400, "must be an object"),
        ("utm_capture=false", 400, "malformed JSON body"),
    ] {
        let message = error_of(patch(&c, TOKEN, "contact", body), status);
        assert!(message.contains(says), "{body}: {message}");
    }
    let long = format!(r#"{{"name": "{}"}}"#, "x".repeat(201));
    let message = error_of(patch(&c, TOKEN, "contact", &long), 422);
    assert!(message.starts_with("name: "), "{message}");
    // Nothing was changed by the refusals.
    let (_, form) = c.api("/api/v1/forms/contact");
    assert_eq!(form["utm_capture"], true);
    assert_eq!(form["name"], Value::Null);

    for key in ["nosuchform", "not%20a%20key"] {
        let message = error_of(patch(&c, TOKEN, key, r#"{"utm_capture": false}"#), 404);
        assert!(message.contains("no form"), "{message}");
        let (status, body) = c.api(&format!("/api/v1/forms/{key}"));
        assert_eq!(status, 404, "{body}");
    }
    // A PATCH does not register a form.
    let (_, list) = c.api("/api/v1/forms");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[test]
fn marketers_and_viewers_read_forms_but_change_nothing() {
    let c = Collector::start();
    post(&c, "contact", "ada@acme.example");
    for role in ["marketer", "viewer"] {
        let email = format!("{role}@example.com");
        cli_ok(
            &c.db,
            &[
                "user", "create", "--email", &email, "--name", role, "--role", role,
            ],
            &format!("{PASSWORD}\n"),
        );
        let scope = if role == "viewer" { "read" } else { "write" };
        let token = cli_ok(
            &c.db,
            &["token", "create", "--user", &email, "--scope", scope],
            "",
        );
        let token = token.trim().lines().last().unwrap().trim().to_owned();
        let response = c
            .get("/api/v1/forms/contact")
            .bearer_auth(&token)
            .send()
            .unwrap();
        let (status, body) = status_and_json(response);
        assert_eq!(status, 200, "{role}: {body}");
        let message = error_of(
            patch(&c, &token, "contact", r#"{"utm_capture": false}"#),
            403,
        );
        assert!(message.contains("admin"), "{role}: {message}");
        let response = c
            .get("/api/v1/settings")
            .bearer_auth(&token)
            .send()
            .unwrap();
        let message = error_of(response, 403);
        assert!(message.contains("admin"), "{role}: {message}");
    }
    let (_, form) = c.api("/api/v1/forms/contact");
    assert_eq!(form["utm_capture"], true);
}

#[test]
fn the_settings_show_the_configuration() {
    let c = Collector::start_with(
        &["--form-post-burst", "7"],
        &[
            ("LEADTRAIL_ALLOWED_ORIGINS", "https://www.acme.example"),
            ("LEADTRAIL_FORM_POSTS_PER_MINUTE", "30"),
        ],
    );
    let (status, settings) = c.api("/api/v1/settings");
    assert_eq!(status, 200, "{settings}");
    assert_eq!(
        settings["allowed_origins"],
        json!(["https://www.acme.example"])
    );
    assert_eq!(settings["form_posts_per_minute"], 30);
    assert_eq!(settings["form_post_burst"], 7);
    assert_eq!(settings["max_body_bytes"], 65536);
    assert_eq!(settings["tracker_lookback_days"], 90);
    assert_eq!(settings["editable"], false);
}
