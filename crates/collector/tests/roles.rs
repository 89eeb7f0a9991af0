//! Each role against every route, through the binary: the OpenAPI document lists who may
//! call each operation (`x-roles`, `x-token-scope`, written from the routes' own decisions);
//! an admin, a marketer and a viewer, signed in with a session and with tokens, call every
//! operation, and exactly those the document does not allow them are refused with a 403
//! that says why. (The unit test `http::access_table` holds the decisions themselves
//! against a written table.)

mod common;

use common::cli_ok as cli;

use reqwest::Method;
use serde_json::{json, Value};

const PASSWORD: &str = "a fine long passphrase";

/// How a caller signs in.
enum Credentials {
    Token(String),
    Cookie(String),
}

struct Caller {
    label: String,
    role: &'static str,
    /// The token's scope; `None` for a session (which has its role's full reach).
    scope: Option<&'static str>,
    credentials: Credentials,
}

/// An operation's path with every parameter filled with a value that names nothing, so
/// that allowed calls end in 404 or 422 rather than changing data.
fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{alias}", "no-such-alias")
        .replace("{tile}", "no-such-tile")
}

#[test]
fn every_operation_refuses_exactly_the_roles_and_scopes_it_does_not_name() {
    let c = common::Collector::start();
    let mut callers = Vec::new();
    for role in ["admin", "marketer", "viewer"] {
        let email = format!("{role}@example.com");
        cli(
            &c.db,
            &[
                "user", "create", "--email", &email, "--name", role, "--role", role,
            ],
            &format!("{PASSWORD}\n"),
        );
        let scopes: &[&'static str] = if role == "viewer" {
            &["read"]
        } else {
            &["read", "write"]
        };
        for scope in scopes {
            let token = cli(
                &c.db,
                &["token", "create", "--user", &email, "--scope", scope],
                "",
            );
            callers.push(Caller {
                label: format!("{role} with a {scope} token"),
                role,
                scope: Some(scope),
                credentials: Credentials::Token(token),
            });
        }
        let response = c
            .post("/api/v1/session")
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .unwrap();
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        callers.push(Caller {
            label: format!("{role} signed in"),
            role,
            scope: None,
            credentials: Credentials::Cookie(cookie),
        });
    }

    let (status, doc) = common::status_and_json(c.get("/api/v1/openapi.json").send().unwrap());
    assert_eq!(status, 200);
    let mut checked = 0;
    let mut refused = 0;
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(roles) = operation.get("x-roles").and_then(Value::as_array) else {
                // Public: the form endpoint, health, the document, signing in, invitations.
                let public = !path.starts_with("/api/v1/")
                    || [
                        ("get", "/api/v1/openapi.json"),
                        ("post", "/api/v1/session"),
                        ("post", "/api/v1/invitations/accept"),
                    ]
                    .contains(&(method.as_str(), path.as_str()));
                assert!(public, "{method} {path} has no roles in the document");
                continue;
            };
            let roles: Vec<&str> = roles.iter().filter_map(Value::as_str).collect();
            let needs = operation["x-token-scope"].as_str().unwrap();
            // Signing out with a session would end it for the calls after.
            if path == "/api/v1/session" && method == "delete" {
                continue;
            }
            for caller in &callers {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let mut request = c.client.request(method.clone(), c.url(&concrete(path)));
                request = match &caller.credentials {
                    Credentials::Token(token) => request.bearer_auth(token),
                    Credentials::Cookie(cookie) => {
                        request.header("cookie", cookie).header("origin", &c.base)
                    }
                };
                if matches!(method, Method::POST | Method::PUT | Method::PATCH) {
                    request = request.json(&json!({}));
                }
                let (status, body) = common::status_and_json(request.send().unwrap());
                let may = roles.contains(&caller.role)
                    && !(caller.scope == Some("read") && needs == "write")
                    && !(caller.scope.is_some() && needs == "none");
                checked += 1;
                if may && (status == 403 || status == 401) {
                    wrong.push(format!(
                        "{method} {path}: {} got {status} {body}",
                        caller.label
                    ));
                } else if !may {
                    refused += 1;
                    let message = body["error"].as_str().unwrap_or_default();
                    let says_why = message.contains("may not") || message.contains("scope");
                    if status != 403 || !says_why {
                        wrong.push(format!(
                            "{method} {path}: {} should be refused with 403, got {status} {body}",
                            caller.label
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        checked > 400,
        "only {checked} calls: did the document list the operations?"
    );
    assert!(refused > 100, "only {refused} refusals");

    // Beyond the route: a viewer reads pages of persons as JSON but exports no CSV.
    let viewer = callers
        .iter()
        .find(|c| c.label == "viewer signed in")
        .unwrap();
    let Credentials::Cookie(cookie) = &viewer.credentials else {
        unreachable!()
    };
    let get =
        |path: &str| common::status_and_json(c.get(path).header("cookie", cookie).send().unwrap());
    assert_eq!(get("/api/v1/persons").0, 200);
    let (status, body) = get("/api/v1/persons?format=csv");
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("viewer may not export"));
    let (status, _) = common::status_and_json(
        c.get("/api/v1/companies")
            .header("cookie", cookie)
            .header("accept", "text/csv")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 403);
    // Unknown API paths tell nothing to who is not signed in.
    assert_eq!(c.get("/api/v1/nothing-here").send().unwrap().status(), 401);
    assert_eq!(
        c.get("/api/v1/nothing-here")
            .header("cookie", cookie)
            .send()
            .unwrap()
            .status(),
        404
    );
}
