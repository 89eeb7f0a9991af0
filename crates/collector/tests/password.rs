//! A user changes their own password: the current one is asked for, the new one checked,
//! every other session ends and this one goes on under a new cookie.

mod common;

use std::io::Write;
use std::process::Stdio;

use serde_json::{json, Value};

const PASSWORD: &str = "a fine long passphrase";

fn sign_in(c: &common::Collector, password: &str) -> Option<String> {
    let response = c
        .post("/api/v1/session")
        .json(&json!({"email": "mia@example.com", "password": password}))
        .send()
        .unwrap();
    (response.status() == 200).then(|| cookie_of(&response))
}

fn cookie_of(response: &reqwest::blocking::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

fn me(c: &common::Collector, cookie: &str) -> u16 {
    c.get("/api/v1/me")
        .header("cookie", cookie)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn a_new_password_needs_the_current_one_and_ends_the_other_sessions() {
    let c = common::Collector::start();
    let mut child = common::command()
        .args([
            "user",
            "create",
            "--email",
            "mia@example.com",
            "--name",
            "Mia",
            "--role",
            "viewer",
        ])
        .arg("--db")
        .arg(&c.db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success());
    let here = sign_in(&c, PASSWORD).unwrap();
    let elsewhere = sign_in(&c, PASSWORD).unwrap();

    let change = |cookie: &str, body: Value| {
        c.post("/api/v1/me/password")
            .header("cookie", cookie)
            .header("origin", &c.base)
            .json(&body)
            .send()
            .unwrap()
    };
    let (status, body) = common::status_and_json(change(
        &here,
        json!({"current_password": "not it at all", "new_password": "a brand new passphrase"}),
    ));
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (422, "current_password: the current password is wrong")
    );
    let (status, body) = common::status_and_json(change(
        &here,
        json!({"current_password": PASSWORD, "new_password": "qwerty123"}),
    ));
    assert_eq!(status, 422);
    assert!(
        body["error"].as_str().unwrap().starts_with("password:"),
        "{body}"
    );
    assert_eq!(me(&c, &here), 200, "refused changes change nothing");

    let changed = change(
        &here,
        json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
    );
    assert_eq!(changed.status(), 204);
    let renewed = cookie_of(&changed);
    assert_ne!(renewed, here);
    assert_eq!(me(&c, &renewed), 200, "this browser stays signed in");
    assert_eq!(me(&c, &here), 401, "under a new id");
    assert_eq!(me(&c, &elsewhere), 401, "other sessions end");
    assert!(sign_in(&c, PASSWORD).is_none());
    assert!(sign_in(&c, "a brand new passphrase").is_some());

    // Tokens do not change passwords.
    let (status, _) = common::status_and_json(
        c.post("/api/v1/me/password")
            .bearer_auth(common::TOKEN)
            .json(&json!({"current_password": "x", "new_password": "a brand new passphrase"}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 403);

    let (_, log) = c.api("/api/v1/audit?action=user.password");
    assert_eq!(log["items"].as_array().unwrap().len(), 1, "{log}");
    assert_eq!(log["items"][0]["actor"], "mia@example.com");
    assert_eq!(log["items"][0]["target"], "mia@example.com");
}
