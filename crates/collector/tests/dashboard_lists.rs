//! A saved selection as a dashboard's list tile, through the real binary: a dashboard keeps
//! a dynamic selection of persons (evaluated when the tile is read, so a new lead that
//! matches shows up), and refuses, naming the field, a selection that does not exist or
//! that lists companies, so that a saved dashboard always draws.

mod common;

use common::{error_of, status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

fn send(
    c: &Collector,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> reqwest::blocking::Response {
    c.client
        .request(method, c.url(path))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .unwrap()
}

fn selection(c: &Collector, body: Value) -> i64 {
    let (status, made) =
        status_and_json(send(c, reqwest::Method::POST, "/api/v1/selections", body));
    assert_eq!(status, 201, "{made}");
    made["id"].as_i64().unwrap()
}

#[test]
fn a_dynamic_selection_is_a_list_tile_and_unknown_selections_are_refused() {
    let c = Collector::start();
    for email in ["ola@example.no", "kari@example.no"] {
        let (status, body) = c.submit("contact", &[("email", email), ("country", "NO")]);
        assert_eq!(status, 201, "{body}");
    }
    let norway = selection(
        &c,
        json!({"name": "Norway", "entity": "person", "kind": "dynamic", "criteria": "country=NO"}),
    );
    let companies = selection(
        &c,
        json!({"name": "Firms", "entity": "company", "kind": "dynamic"}),
    );

    let tiles = json!([{"tile": "selection-list", "selection": norway}, {"tile": "lead-funnel"}]);
    let (status, made) = status_and_json(send(
        &c,
        reqwest::Method::POST,
        "/api/v1/dashboards",
        json!({"name": "Leads in Norway", "tiles": tiles}),
    ));
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["tiles"], tiles);
    let id = made["id"].as_str().unwrap();
    let (_, stored) = c.api(&format!("/api/v1/dashboards/{id}"));
    assert_eq!(
        stored["tiles"][0],
        json!({"tile": "selection-list", "selection": norway})
    );

    // The tile lists the selection's persons as of now: a new match shows up.
    let list = |c: &Collector| {
        let (status, body) = c.api(&format!("/api/v1/tiles/selection-list?selection={norway}"));
        assert_eq!(status, 200, "{body}");
        let mut emails: Vec<String> = body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["value"].as_str().unwrap().to_owned())
            .collect();
        emails.sort();
        emails
    };
    assert_eq!(list(&c), ["kari@example.no", "ola@example.no"]);
    let (status, body) = c.submit(
        "contact",
        &[("email", "nils@example.no"), ("country", "NO")],
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        list(&c),
        ["kari@example.no", "nils@example.no", "ola@example.no"]
    );

    // A selection that is not there, or that lists companies, is refused by name.
    for (selection, says) in [
        (987_654, "there is no selection 987654"),
        (companies, "lists companies"),
    ] {
        let tiles = json!([{"tile": "selection-list", "selection": selection}]);
        let created = send(
            &c,
            reqwest::Method::POST,
            "/api/v1/dashboards",
            json!({"name": "x", "tiles": tiles}),
        );
        let message = error_of(created, 422);
        assert!(
            message.contains("tiles") && message.contains(says),
            "{message}"
        );
        let replaced = send(
            &c,
            reqwest::Method::PUT,
            &format!("/api/v1/dashboards/{id}"),
            json!({"name": "x", "tiles": tiles}),
        );
        let message = error_of(replaced, 422);
        assert!(message.contains(says), "{message}");
    }
    let (_, unchanged) = c.api(&format!("/api/v1/dashboards/{id}"));
    assert_eq!(
        unchanged["name"], "Leads in Norway",
        "a refused change changes nothing"
    );
}
