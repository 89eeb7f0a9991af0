//! Each user's own preferences through the binary: the language and the columns per table
//! are stored per user, survive a restart, are refused with a 4xx saying why when they are
//! not what the app speaks or names, and go with their user.

mod common;

use common::cli_ok as cli;
use reqwest::blocking::RequestBuilder;
use serde_json::{json, Value};

const PASSWORD: &str = "a fine long passphrase";

fn make_user(c: &common::Collector, email: &str, role: &str) {
    cli(
        &c.db,
        &[
            "user", "create", "--email", email, "--name", "Kari", "--role", role,
        ],
        &format!("{PASSWORD}\n"),
    );
}

fn sign_in(c: &common::Collector, email: &str) -> String {
    let response = c
        .post("/api/v1/session")
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A browser's session: the cookie, and for writes the page's own origin.
struct Session<'a> {
    c: &'a common::Collector,
    cookie: String,
}

impl Session<'_> {
    fn get(&self) -> (u16, Value) {
        common::status_and_json(
            self.c
                .get("/api/v1/me/preferences")
                .header("cookie", &self.cookie)
                .send()
                .unwrap(),
        )
    }

    fn put(&self, path: &str) -> RequestBuilder {
        self.c
            .client
            .put(self.c.url(path))
            .header("cookie", &self.cookie)
            .header("origin", &self.c.base)
    }

    fn put_json(&self, path: &str, body: Value) -> (u16, Value) {
        common::status_and_json(self.put(path).json(&body).send().unwrap())
    }
}

#[test]
fn a_users_language_and_columns_are_theirs_and_checked() {
    let c = common::Collector::start();
    make_user(&c, "kari@example.com", "viewer");
    make_user(&c, "joost@example.com", "marketer");
    let kari = Session {
        c: &c,
        cookie: sign_in(&c, "kari@example.com"),
    };
    let joost = Session {
        c: &c,
        cookie: sign_in(&c, "joost@example.com"),
    };

    assert_eq!(kari.get(), (200, json!({"language": null, "columns": {}})));
    let (status, body) = kari.put_json("/api/v1/me/preferences/language", json!("nb"));
    assert_eq!(
        (status, &body),
        (200, &json!({"language": "nb", "columns": {}}))
    );
    let (status, body) = kari.put_json(
        "/api/v1/me/preferences/columns/company.persons",
        json!(["name", "lead_generation.source", "status"]),
    );
    assert_eq!(status, 200, "{body}");
    kari.put_json(
        "/api/v1/me/preferences/columns/selection.list",
        json!(["email"]),
    );
    assert_eq!(
        kari.get(),
        (
            200,
            json!({"language": "nb", "columns": {
                "company.persons": ["name", "lead_generation.source", "status"],
                "selection.list": ["email"],
            }})
        )
    );
    // Another user's are their own.
    assert_eq!(joost.get(), (200, json!({"language": null, "columns": {}})));
    joost.put_json("/api/v1/me/preferences/language", json!("nl"));
    assert_eq!(kari.get().1["language"], "nb");

    // A new choice replaces the old; [] forgets it; null follows the browser again.
    kari.put_json(
        "/api/v1/me/preferences/columns/company.persons",
        json!(["status", "name"]),
    );
    let (_, body) = kari.put_json("/api/v1/me/preferences/columns/selection.list", json!([]));
    assert_eq!(
        body["columns"],
        json!({"company.persons": ["status", "name"]})
    );
    let (_, body) = joost.put_json("/api/v1/me/preferences/language", Value::Null);
    assert_eq!(body["language"], Value::Null);

    // What is refused says why, and changes nothing.
    let refusals = [
        (
            "/api/v1/me/preferences/language",
            json!("de"),
            "language: must be one of en, nb, nl as a JSON string, or null to follow the browser",
        ),
        (
            "/api/v1/me/preferences/language",
            json!({"language": "nb"}),
            "language: must be one of en, nb, nl as a JSON string, or null to follow the browser",
        ),
        (
            "/api/v1/me/preferences/columns/Company%20persons",
            json!(["name"]),
            "table: a table id is 1 to 64 of a-z, 0-9, _, . and -",
        ),
        (
            "/api/v1/me/preferences/columns/company.persons",
            json!(["name", "name"]),
            "columns: name is named twice",
        ),
        (
            "/api/v1/me/preferences/columns/company.persons",
            json!(["<b>name</b>"]),
            "columns: a column id is 1 to 64 of a-z, 0-9, _, . and -",
        ),
        (
            "/api/v1/me/preferences/columns/company.persons",
            json!((0..41).map(|i| format!("c{i}")).collect::<Vec<_>>()),
            "columns: at most 40 columns, not 41",
        ),
        (
            "/api/v1/me/preferences/columns/company.persons",
            json!("name"),
            "columns: must be a JSON array of column ids ([] forgets the choice)",
        ),
    ];
    for (path, body, message) in refusals {
        let response = kari.put(path).json(&body).send().unwrap();
        assert_eq!(common::error_of(response, 422), message, "{path} {body}");
    }
    let malformed = kari
        .put("/api/v1/me/preferences/language")
        .header("content-type", "application/json")
        .body("nb")
        .send()
        .unwrap();
    assert!(common::error_of(malformed, 400).starts_with("malformed JSON body"));
    assert_eq!(
        kari.get().1,
        json!({"language": "nb", "columns": {"company.persons": ["status", "name"]}})
    );

    // A bound on what one user can make the database keep.
    for i in 0..99 {
        let (status, body) = kari.put_json(
            &format!("/api/v1/me/preferences/columns/t{i}"),
            json!(["a"]),
        );
        assert_eq!(status, 200, "{i}: {body}");
    }
    let response = kari
        .put("/api/v1/me/preferences/columns/one-too-many")
        .json(&json!(["a"]))
        .send()
        .unwrap();
    assert_eq!(
        common::error_of(response, 422),
        "table: a user keeps column choices for at most 100 tables"
    );
    let (status, _) = kari.put_json("/api/v1/me/preferences/columns/t5", json!(["b"]));
    assert_eq!(status, 200, "a table already kept can still change");

    // Without the page's origin, a cookie's write is another site's: refused.
    let cross = c
        .client
        .put(c.url("/api/v1/me/preferences/language"))
        .header("cookie", &kari.cookie)
        .header("origin", "https://evil.example")
        .json(&json!("en"))
        .send()
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(kari.get().1["language"], "nb");
}

#[test]
fn tokens_read_and_write_their_users_preferences_and_the_operator_has_none() {
    let c = common::Collector::start();
    make_user(&c, "kari@example.com", "viewer");
    make_user(&c, "anne@example.com", "admin");
    let read = cli(
        &c.db,
        &[
            "token",
            "create",
            "--user",
            "kari@example.com",
            "--scope",
            "read",
        ],
        "",
    );
    let write = cli(
        &c.db,
        &[
            "token",
            "create",
            "--user",
            "anne@example.com",
            "--scope",
            "write",
        ],
        "",
    );
    let put = |token: &str, body: Value| {
        c.client
            .put(c.url("/api/v1/me/preferences/language"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .unwrap()
    };
    let get = |token: &str| {
        common::status_and_json(
            c.get("/api/v1/me/preferences")
                .bearer_auth(token)
                .send()
                .unwrap(),
        )
    };
    assert_eq!(get(&read).0, 200);
    assert_eq!(put(&read, json!("nl")).status(), 403);
    assert_eq!(get(&read).1["language"], Value::Null);
    assert_eq!(put(&write, json!("nl")).status(), 200);
    assert_eq!(get(&write).1["language"], "nl");
    assert_eq!(get(&read).1["language"], Value::Null);

    let (status, body) = get(common::TOKEN);
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("the configured operator token has none"),
        "{body}"
    );
    assert_eq!(
        c.get("/api/v1/me/preferences").send().unwrap().status(),
        401
    );
}

#[test]
fn preferences_survive_a_restart_and_go_with_their_user() {
    let c = common::Collector::start();
    make_user(&c, "kari@example.com", "viewer");
    let kari = Session {
        c: &c,
        cookie: sign_in(&c, "kari@example.com"),
    };
    kari.put_json("/api/v1/me/preferences/language", json!("nb"));
    kari.put_json(
        "/api/v1/me/preferences/columns/company.persons",
        json!(["name"]),
    );
    let (dir, db) = c.into_dir();

    let c = common::Collector::start_in(dir, db, &[], &[]);
    let kari = Session {
        c: &c,
        cookie: sign_in(&c, "kari@example.com"),
    };
    assert_eq!(
        kari.get(),
        (
            200,
            json!({"language": "nb", "columns": {"company.persons": ["name"]}})
        )
    );
    let (dir, db) = c.into_dir();

    // The app has no way to delete a user (they are disabled); whatever deletes one's row
    // deletes their preferences with it.
    let writable = rusqlite::Connection::open(&db).unwrap();
    writable.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let user: i64 = writable
        .query_row(
            "SELECT id FROM users WHERE email = 'kari@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let kept = |table: &str| -> i64 {
        writable
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE user_id = ?1"),
                [user],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!((kept("user_preferences"), kept("user_columns")), (1, 1));
    writable
        .execute("DELETE FROM users WHERE id = ?1", [user])
        .unwrap();
    assert_eq!((kept("user_preferences"), kept("user_columns")), (0, 0));
    drop(dir);
}
