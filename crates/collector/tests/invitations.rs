//! Admins manage users from the API: invitations (a one-time link, 72 h) with which the
//! invitee sets a password, role changes, disabling; never the last admin.

mod common;

use std::io::Write;
use std::process::Stdio;

use serde_json::{json, Value};

const PASSWORD: &str = "a fine long passphrase";

fn create_user(db: &std::path::Path, email: &str, role: &str) {
    let mut child = common::command()
        .args([
            "user", "create", "--email", email, "--name", "Admin", "--role", role,
        ])
        .arg("--db")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success());
}

fn send(
    c: &common::Collector,
    method: reqwest::Method,
    path: &str,
    body: Value,
    cookie: Option<&str>,
) -> (u16, Value) {
    let mut request = c.client.request(method, c.url(path)).json(&body);
    request = match cookie {
        Some(cookie) => request.header("cookie", cookie).header("origin", &c.base),
        None => request.bearer_auth(common::TOKEN),
    };
    common::status_and_json(request.send().unwrap())
}

fn sign_in(c: &common::Collector, email: &str, password: &str) -> Option<String> {
    let response = c
        .post("/api/v1/session")
        .json(&json!({"email": email, "password": password}))
        .send()
        .unwrap();
    (response.status() == 200).then(|| {
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    })
}

#[test]
fn an_invitation_link_makes_a_user_once() {
    let c = common::Collector::start();
    create_user(&c.db, "boss@example.com", "admin");
    let admin = sign_in(&c, "boss@example.com", PASSWORD).unwrap();
    let post = reqwest::Method::POST;

    let (status, invited) = send(
        &c,
        post.clone(),
        "/api/v1/invitations",
        json!({"email": "Nina@Example.com", "name": "Nina", "role": "marketer"}),
        Some(&admin),
    );
    assert_eq!(status, 201, "{invited}");
    let link = invited["link"].as_str().unwrap();
    let (start, token) = link.split_once("/invite#").unwrap();
    assert_eq!(start, c.base, "a link to this collector");
    assert_eq!(token.len(), 64);
    let at = |field: &str| {
        invited[field]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
    };
    let valid = at("expires_at").duration_since(at("created_at"));
    assert_eq!(valid, jiff::SignedDuration::from_hours(72), "{invited}");
    let (status, body) = send(
        &c,
        post.clone(),
        "/api/v1/invitations",
        json!({"email": "boss@example.com", "name": "Again", "role": "viewer"}),
        Some(&admin),
    );
    assert_eq!(status, 422, "a user exists: {body}");

    let (status, pending) = send(
        &c,
        reqwest::Method::GET,
        "/api/v1/invitations",
        json!({}),
        Some(&admin),
    );
    assert_eq!(status, 200);
    assert_eq!(pending["items"].as_array().unwrap().len(), 1);
    assert!(
        pending["items"][0].get("link").is_none(),
        "the link is shown once"
    );

    let accept = |token: &str, password: &str| {
        common::status_and_json(
            c.post("/api/v1/invitations/accept")
                .json(&json!({"token": token, "password": password}))
                .send()
                .unwrap(),
        )
    };
    let (status, body) = accept(&"0".repeat(64), "another long passphrase");
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().unwrap().contains("not valid"),
        "{body}"
    );
    let (status, body) = accept(token, "password123");
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().unwrap().starts_with("password:"),
        "{body}"
    );
    let (status, user) = accept(token, "my own long passphrase");
    assert_eq!(status, 201, "{user}");
    assert_eq!(
        (user["email"].as_str(), user["role"].as_str()),
        (Some("Nina@Example.com"), Some("marketer"))
    );
    let (status, _) = accept(token, "my other long passphrase");
    assert_eq!(status, 422, "a link works once");
    assert!(sign_in(&c, "nina@example.com", "my own long passphrase").is_some());
    let (_, pending) = send(
        &c,
        reqwest::Method::GET,
        "/api/v1/invitations",
        json!({}),
        Some(&admin),
    );
    assert_eq!(pending["items"].as_array().unwrap().len(), 0);

    // Only admins invite.
    let nina = sign_in(&c, "nina@example.com", "my own long passphrase").unwrap();
    let (status, _) = send(
        &c,
        post,
        "/api/v1/invitations",
        json!({"email": "x@example.com", "name": "X", "role": "admin"}),
        Some(&nina),
    );
    assert_eq!(status, 403);

    let (_, log) = send(
        &c,
        reqwest::Method::GET,
        "/api/v1/audit?action=user.",
        json!({}),
        None,
    );
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user.create", "user.invite", "user.create"],
        "{log}"
    );
}

#[test]
fn admins_change_roles_and_disable_users_but_never_the_last_admin() {
    let c = common::Collector::start();
    create_user(&c.db, "boss@example.com", "admin");
    create_user(&c.db, "mo@example.com", "marketer");
    let admin = sign_in(&c, "boss@example.com", PASSWORD).unwrap();
    let mo = sign_in(&c, "mo@example.com", PASSWORD).unwrap();
    let patch = reqwest::Method::PATCH;

    let (status, users) = send(
        &c,
        reqwest::Method::GET,
        "/api/v1/users",
        json!({}),
        Some(&admin),
    );
    assert_eq!(status, 200);
    let items = users["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let boss_id = items[0]["id"].as_i64().unwrap();
    let mo_id = items[1]["id"].as_i64().unwrap();

    let (status, body) = send(
        &c,
        patch.clone(),
        &format!("/api/v1/users/{boss_id}"),
        json!({"role": "viewer"}),
        Some(&admin),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("last admin"));
    let (status, _) = send(
        &c,
        patch.clone(),
        &format!("/api/v1/users/{boss_id}"),
        json!({"disabled": true}),
        Some(&admin),
    );
    assert_eq!(status, 422);

    let (status, changed) = send(
        &c,
        patch.clone(),
        &format!("/api/v1/users/{mo_id}"),
        json!({"role": "viewer"}),
        Some(&admin),
    );
    assert_eq!((status, changed["role"].as_str()), (200, Some("viewer")));
    let (status, me) =
        common::status_and_json(c.get("/api/v1/me").header("cookie", &mo).send().unwrap());
    assert_eq!(
        (status, me["role"].as_str()),
        (200, Some("viewer")),
        "the role applies at once"
    );

    let (status, changed) = send(
        &c,
        patch.clone(),
        &format!("/api/v1/users/{mo_id}"),
        json!({"disabled": true}),
        Some(&admin),
    );
    assert_eq!((status, changed["disabled"].as_bool()), (200, Some(true)));
    assert_eq!(
        c.get("/api/v1/me")
            .header("cookie", &mo)
            .send()
            .unwrap()
            .status(),
        401,
        "signed out"
    );
    assert!(sign_in(&c, "mo@example.com", PASSWORD).is_none());
    let (status, _) = send(
        &c,
        patch.clone(),
        &format!("/api/v1/users/{mo_id}"),
        json!({"disabled": false, "role": "admin"}),
        Some(&admin),
    );
    assert_eq!(status, 200);
    assert!(sign_in(&c, "mo@example.com", PASSWORD).is_some());
    // Now there is another admin: the first may step down.
    let (status, _) = send(
        &c,
        patch.clone(),
        &format!("/api/v1/users/{boss_id}"),
        json!({"role": "marketer"}),
        Some(&admin),
    );
    assert_eq!(status, 200);

    let (status, body) = send(
        &c,
        patch.clone(),
        "/api/v1/users/999",
        json!({"role": "viewer"}),
        None,
    );
    assert_eq!(status, 404, "{body}");
    let (status, body) = send(
        &c,
        patch,
        &format!("/api/v1/users/{mo_id}"),
        json!({"role": "owner"}),
        None,
    );
    assert_eq!(status, 422, "{body}");

    let (_, log) = send(
        &c,
        reqwest::Method::GET,
        "/api/v1/audit?action=user.",
        json!({}),
        None,
    );
    let actions: Vec<(&str, &str)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    assert_eq!(
        &actions[..5],
        [
            ("user.role", "boss@example.com"),
            ("user.enable", "mo@example.com"),
            ("user.role", "mo@example.com"),
            ("user.disable", "mo@example.com"),
            ("user.role", "mo@example.com"),
        ],
        "{log}"
    );
}
