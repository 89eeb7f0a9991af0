//! Signing in on the real binary: cookie flags, /me, sign-out, idle and absolute expiry,
//! revocation on disable and password change, cross-site writes refused, throttled
//! failures with one answer for unknown e-mails and wrong passwords; personal tokens
//! (scope, expiry, revocation, last use) and the audit log.

mod common;

use common::cli_ok as cli;
use std::time::{Duration, Instant};

use reqwest::blocking::Response;
use serde_json::{json, Value};

const PASSWORD: &str = "a fine long passphrase";

/// `leadtrail user create` on the collector's database, the password piped in.
pub fn create_user(db: &std::path::Path, email: &str, role: &str, password: &str) {
    cli(
        db,
        &[
            "user",
            "create",
            "--email",
            email,
            "--name",
            "Test User",
            "--role",
            role,
        ],
        &format!("{password}\n"),
    );
}

fn sign_in(c: &common::Collector, email: &str, password: &str) -> Response {
    c.post("/api/v1/session")
        .json(&json!({"email": email, "password": password}))
        .send()
        .unwrap()
}

/// Signs in and returns the cookie header value (`lt_session=…`).
fn session(c: &common::Collector, email: &str) -> String {
    let response = sign_in(c, email, PASSWORD);
    assert_eq!(response.status(), 200);
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    set.split(';').next().unwrap().to_owned()
}

fn me(c: &common::Collector, cookie: &str) -> (u16, Value) {
    common::status_and_json(c.get("/api/v1/me").header("cookie", cookie).send().unwrap())
}

#[test]
fn a_session_cookie_signs_in_until_sign_out() {
    let c = common::Collector::start();
    create_user(&c.db, "Ada@Example.com", "marketer", PASSWORD);

    let response = sign_in(&c, " ada@example.COM ", PASSWORD);
    assert_eq!(response.status(), 200);
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=2592000"] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain http: no Secure flag ({set})"
    );
    let value = set
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("lt_session=")
        .unwrap();
    assert_eq!(value.len(), 64, "256 random bits, hex");
    let body: Value = response.json().unwrap();
    assert_eq!(body["email"], "Ada@Example.com");
    assert_eq!(body["role"], "marketer");
    assert_eq!(body["may_export"], true);

    let over_https = c
        .post("/api/v1/session")
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .unwrap();
    assert!(over_https.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));

    let cookie = format!("lt_session={value}");
    let (status, body) = me(&c, &cookie);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["signed_in_with"], "session");
    // The database holds the id's hash only.
    let db = std::fs::read(&c.db).unwrap_or_default();
    assert!(!db.windows(value.len()).any(|w| w == value.as_bytes()));

    let (status, _) = common::status_and_json(
        c.get("/api/v1/persons")
            .header("cookie", &cookie)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    let (status, body) = me(
        &c,
        "lt_session=0000000000000000000000000000000000000000000000000000000000000000",
    );
    assert_eq!(status, 401, "{body}");

    let out = c
        .client
        .delete(c.url("/api/v1/session"))
        .header("cookie", &cookie)
        .header("origin", &c.base)
        .send()
        .unwrap();
    assert_eq!(out.status(), 204);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(me(&c, &cookie).0, 401, "signed out");
}

#[test]
fn cookie_writes_must_come_from_the_collectors_own_pages() {
    let c = common::Collector::start();
    create_user(&c.db, "m@example.com", "marketer", PASSWORD);
    let cookie = session(&c, "m@example.com");
    let post = |origin: Option<&str>, referer: Option<&str>| {
        let mut request = c
            .post("/api/v1/selections")
            .header("cookie", &cookie)
            .json(&json!({"name": "Mine", "entity": "person", "kind": "static"}));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(referer) = referer {
            request = request.header("referer", referer);
        }
        common::status_and_json(request.send().unwrap())
    };
    let (status, body) = post(None, None);
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("cross-site"),
        "{body}"
    );
    let (status, body) = post(Some("https://evil.example"), None);
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("evil.example"),
        "{body}"
    );
    let (status, _) = post(None, Some("https://evil.example/page"));
    assert_eq!(status, 403);
    let (status, body) = post(None, Some(&format!("{}/people", c.base)));
    assert_eq!(
        status, 201,
        "a Referer from the pages will do without Origin: {body}"
    );
    let (status, body) = post(Some(&c.base), None);
    assert_eq!(status, 201, "{body}");
    // Reads need no origin; token writes need none either (browsers do not send tokens).
    assert_eq!(me(&c, &cookie).0, 200);
    let (status, _) = common::status_and_json(
        c.post("/api/v1/selections")
            .bearer_auth(common::TOKEN)
            .header("origin", "https://evil.example")
            .json(&json!({"name": "Scripted", "entity": "person", "kind": "static"}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201);
    // Signing in from another site's page is refused too.
    let (status, _) = common::status_and_json(
        c.post("/api/v1/session")
            .header("origin", "https://evil.example")
            .json(&json!({"email": "m@example.com", "password": PASSWORD}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 403);
}

#[test]
fn sessions_end_when_idle_at_their_lifetime_on_disable_and_on_a_new_password() {
    let c = common::Collector::start_with(
        &[],
        &[
            ("LEADTRAIL_SESSION_IDLE", "2s"),
            ("LEADTRAIL_SESSION_LIFETIME", "4s"),
        ],
    );
    create_user(&c.db, "a@example.com", "viewer", PASSWORD);

    let idle = session(&c, "a@example.com");
    std::thread::sleep(Duration::from_millis(2600));
    assert_eq!(me(&c, &idle).0, 401, "idle longer than session_idle");

    let busy = session(&c, "a@example.com");
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(3300) {
        assert_eq!(me(&c, &busy).0, 200, "in use, within its lifetime");
        std::thread::sleep(Duration::from_millis(500));
    }
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(me(&c, &busy).0, 401, "past session_lifetime however busy");

    let cookie = session(&c, "a@example.com");
    cli(
        &c.db,
        &["user", "reset-password", "a@example.com"],
        "another long passphrase\n",
    );
    assert_eq!(me(&c, &cookie).0, 401, "a new password ends sessions");
    assert_eq!(sign_in(&c, "a@example.com", PASSWORD).status(), 401);
    assert_eq!(
        sign_in(&c, "a@example.com", "another long passphrase").status(),
        200
    );

    cli(
        &c.db,
        &["user", "reset-password", "a@example.com"],
        &format!("{PASSWORD}\n"),
    );
    let cookie = session(&c, "a@example.com");
    cli(&c.db, &["user", "disable", "a@example.com"], "");
    assert_eq!(me(&c, &cookie).0, 401, "disabling ends sessions");
    let (status, body) = common::status_and_json(sign_in(&c, "a@example.com", PASSWORD));
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (401, "the e-mail or the password is wrong")
    );
}

#[test]
fn failed_sign_ins_get_one_answer_and_are_throttled_per_account() {
    let c = common::Collector::start();
    create_user(&c.db, "known@example.com", "admin", PASSWORD);

    let timed = |email: &str| {
        let started = Instant::now();
        let response = sign_in(&c, email, "not the password at all");
        let took = started.elapsed();
        let status = response.status().as_u16();
        (status, response.text().unwrap(), took)
    };
    let (wrong_status, wrong_body, _) = timed("known@example.com");
    let (unknown_status, unknown_body, _) = timed("nobody@example.com");
    assert_eq!((wrong_status, &wrong_body), (unknown_status, &unknown_body));
    assert_eq!(wrong_status, 401);
    // About the same time: each does one Argon2 verification (medians of three).
    // Interleaved, so that a burst of load on a shared machine hits both alike.
    let (mut wrong, mut unknown) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        wrong.push(timed("known@example.com").2);
        unknown.push(timed("other-nobody@example.com").2);
    }
    wrong.sort();
    unknown.sort();
    let (wrong, unknown) = (wrong[1], unknown[1]);
    eprintln!("sign-in refused in {wrong:?} (wrong password) and {unknown:?} (unknown e-mail)");
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    assert!((0.4..2.5).contains(&ratio), "{wrong:?} vs {unknown:?}");

    // Four failures so far for the known account, one for nobody@: one more (four more)
    // reaches five, after which even the right password is refused until the window ends.
    assert_eq!(timed("known@example.com").0, 401);
    let throttled = sign_in(&c, "known@example.com", PASSWORD);
    assert_eq!(throttled.status(), 429);
    let retry: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    for _ in 0..4 {
        assert_eq!(timed("nobody@example.com").0, 401);
    }
    let (status, body, _) = timed("nobody@example.com");
    assert_eq!(
        status, 429,
        "an unknown e-mail is throttled the same way: {body}"
    );
    // Another account is not held up by these.
    create_user(&c.db, "other@example.com", "viewer", PASSWORD);
    assert_eq!(sign_in(&c, "other@example.com", PASSWORD).status(), 200);

    let (status, body) = common::status_and_json(
        c.post("/api/v1/session")
            .json(&json!({"email": "x@example.com"}))
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (422, "password: password is required")
    );
}

#[test]
fn personal_tokens_have_a_scope_an_expiry_a_last_use_and_can_be_revoked() {
    let c = common::Collector::start();
    create_user(&c.db, "m@example.com", "marketer", PASSWORD);
    create_user(&c.db, "v@example.com", "viewer", PASSWORD);
    let cookie = session(&c, "m@example.com");
    let create = |cookie: &str, body: Value| {
        common::status_and_json(
            c.post("/api/v1/tokens")
                .header("cookie", cookie)
                .header("origin", &c.base)
                .json(&body)
                .send()
                .unwrap(),
        )
    };
    let (status, write) = create(&cookie, json!({"name": "crm sync", "scope": "write"}));
    assert_eq!(status, 201, "{write}");
    let write_token = write["token"].as_str().unwrap().to_owned();
    assert_eq!(write["user"], "m@example.com");
    let (_, read) = create(&cookie, json!({"name": "reports", "scope": "read"}));
    let read_token = read["token"].as_str().unwrap().to_owned();
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let (status, short) = create(
        &cookie,
        json!({"name": "short", "scope": "read", "expires_at": soon.to_string()}),
    );
    assert_eq!(status, 201, "{short}");
    let short_token = short["token"].as_str().unwrap().to_owned();
    let (status, body) = create(
        &cookie,
        json!({"name": "x", "scope": "read", "expires_at": "2001-01-01T00:00:00Z"}),
    );
    assert_eq!(status, 422, "{body}");
    let viewer = session(&c, "v@example.com");
    let (status, body) = create(&viewer, json!({"name": "mine", "scope": "write"}));
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("viewer's tokens can only read"));

    let with = |token: &str| {
        common::status_and_json(
            c.post("/api/v1/selections")
                .bearer_auth(token)
                .json(&json!({"name": format!("by {}", &token[..8]), "entity": "person", "kind": "static"}))
                .send()
                .unwrap(),
        )
    };
    assert_eq!(with(&write_token).0, 201);
    let (status, body) = with(&read_token);
    assert_eq!(status, 403);
    assert!(
        body["error"].as_str().unwrap().contains("scope read"),
        "{body}"
    );
    let (status, me) =
        common::status_and_json(c.get("/api/v1/me").bearer_auth(&read_token).send().unwrap());
    assert_eq!(
        (status, me["scope"].as_str(), me["role"].as_str()),
        (200, Some("read"), Some("marketer"))
    );

    // Last use is written in the background.
    let deadline = Instant::now() + Duration::from_secs(5);
    let listed = loop {
        let (_, list) = common::status_and_json(
            c.get("/api/v1/tokens")
                .header("cookie", &cookie)
                .send()
                .unwrap(),
        );
        let entry = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "crm sync")
            .cloned()
            .unwrap();
        if !entry["last_used_at"].is_null() || Instant::now() > deadline {
            break list;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{listed}");
    assert!(
        items.iter().all(|t| t.get("token").is_none()),
        "never listed: {listed}"
    );
    assert!(!items.iter().find(|t| t["name"] == "crm sync").unwrap()["last_used_at"].is_null());
    let (_, theirs) = common::status_and_json(
        c.get("/api/v1/tokens")
            .header("cookie", &viewer)
            .send()
            .unwrap(),
    );
    assert_eq!(
        theirs["items"].as_array().unwrap().len(),
        0,
        "a viewer sees only their own"
    );

    std::thread::sleep(Duration::from_millis(2200));
    assert_eq!(
        c.get("/api/v1/me")
            .bearer_auth(&short_token)
            .send()
            .unwrap()
            .status(),
        401,
        "expired"
    );

    let id = write["id"].as_i64().unwrap();
    let revoke = |cookie: &str| {
        c.client
            .delete(c.url(&format!("/api/v1/tokens/{id}")))
            .header("cookie", cookie)
            .header("origin", &c.base)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(revoke(&viewer), 404, "not a viewer's to revoke");
    assert_eq!(revoke(&cookie), 204);
    assert_eq!(
        with(&write_token).0,
        401,
        "the next request with it is refused"
    );

    // The audit log saw it, and only admins read it.
    let (status, _) = common::status_and_json(
        c.get("/api/v1/audit")
            .header("cookie", &cookie)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 403);
    let (status, log) = common::status_and_json(
        c.get("/api/v1/audit?action=token.")
            .bearer_auth(common::TOKEN)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{log}");
    let actions: Vec<(&str, &str)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("token.revoke", "m@example.com"),
            ("token.create", "m@example.com"),
            ("token.create", "m@example.com"),
            ("token.create", "m@example.com")
        ],
        "{log}"
    );
    assert!(log["items"][0]["target"]
        .as_str()
        .unwrap()
        .contains("\"crm sync\""));
    assert_eq!(log["items"][0]["address"], "127.0.0.1");
}

#[test]
fn the_audit_log_records_sign_ins_lead_work_exports_and_erasures() {
    let c = common::Collector::start();
    create_user(&c.db, "admin@example.com", "admin", PASSWORD);
    let (status, _) = c.submit(
        "audit",
        &[
            ("email", "erased.person@example.org"),
            ("name", "Erased Person"),
        ],
    );
    assert_eq!(status, 201);
    let id = c.person_by_email("erased.person@example.org")["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        sign_in(&c, "admin@example.com", "wrong password here").status(),
        401
    );
    let cookie = session(&c, "admin@example.com");
    let send = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut request = c
            .client
            .request(method, c.url(path))
            .header("cookie", &cookie)
            .header("origin", &c.base);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().unwrap().status().as_u16()
    };
    assert_eq!(
        send(
            reqwest::Method::PATCH,
            &format!("/api/v1/persons/{id}"),
            Some(json!({"status": "qualified"}))
        ),
        200
    );
    assert_eq!(
        send(
            reqwest::Method::GET,
            &format!("/api/v1/persons/{id}/export"),
            None
        ),
        200
    );
    assert_eq!(
        send(reqwest::Method::GET, "/api/v1/persons?format=csv", None),
        200
    );
    assert_eq!(
        send(
            reqwest::Method::DELETE,
            &format!("/api/v1/persons/{id}"),
            None
        ),
        200
    );
    assert_eq!(
        send(
            reqwest::Method::PUT,
            "/api/v1/aliases/fbk",
            Some(json!({"source": "facebook"}))
        ),
        200
    );

    let (status, log) = common::status_and_json(
        c.get("/api/v1/audit?limit=50")
            .header("cookie", &cookie)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{log}");
    let entries = log["items"].as_array().unwrap();
    let found: Vec<(String, String, String)> = entries
        .iter()
        .rev()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let person = format!("person {id}");
    let expected = [
        ("user.create", "cli", "admin@example.com"),
        ("session.create.failed", "admin@example.com", ""),
        ("session.create", "admin@example.com", ""),
        ("person.update", "admin@example.com", person.as_str()),
        ("person.export", "admin@example.com", person.as_str()),
        ("export.csv", "admin@example.com", "/api/v1/persons"),
        ("person.erase", "admin@example.com", person.as_str()),
        ("settings.alias", "admin@example.com", "alias fbk"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, t)| (a.to_string(), b.to_string(), t.to_string()))
        .collect();
    assert_eq!(found, expected, "{log}");
    assert!(entries
        .iter()
        .all(|e| e["at"].as_str().unwrap().ends_with('Z')));
    let text = log.to_string();
    assert!(
        !text.contains("erased.person") && !text.contains("Erased Person"),
        "no personal data of the erased: {text}"
    );

    let (_, page) = common::status_and_json(
        c.get("/api/v1/audit?limit=2")
            .header("cookie", &cookie)
            .send()
            .unwrap(),
    );
    let next = page["next"].as_str().unwrap();
    let (_, older) = common::status_and_json(
        c.get(&format!("/api/v1/audit?limit=2&cursor={next}"))
            .header("cookie", &cookie)
            .send()
            .unwrap(),
    );
    assert_eq!(older["items"][0]["action"], "export.csv");
    let (status, body) = common::status_and_json(
        c.get("/api/v1/audit?from=yesterday")
            .header("cookie", &cookie)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 400, "{body}");
}
