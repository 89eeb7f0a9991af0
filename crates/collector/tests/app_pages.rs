//! The app's pages through the binary: each page at its URL, the record pages at the URL
//! of their record (`/people/123` serves `person.html`, which reads the id from its own
//! URL), anything else under those paths the usual JSON 404, and the text catalogues.

mod common;

use std::path::PathBuf;

fn www(file: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "..", "www", file]
        .iter()
        .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn record_urls_serve_their_page_and_nothing_else_does() {
    let c = common::Collector::start();
    for (url, file) in [
        ("/people/123", "person.html"),
        ("/companies/45", "company.html"),
        ("/selections/7?view=board", "selection.html"),
        ("/people/1234567890123456789", "person.html"),
        ("/people", "people.html"),
        ("/companies", "companies.html"),
        ("/selections", "selections.html"),
        ("/settings", "settings.html"),
        ("/links", "links.html"),
        ("/account", "account.html"),
    ] {
        let response = c.get(url).send().unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "text/html; charset=utf-8", "{url}");
        assert!(
            header("content-security-policy").contains("script-src 'self'"),
            "{url}"
        );
        assert_eq!(header("referrer-policy"), "same-origin", "{url}");
        assert_eq!(response.text().unwrap(), www(file), "{url}");
    }
    for url in [
        "/people/12a",
        "/people/-1",
        "/people/12345678901234567890",
        "/people/1/2",
        "/people/",
        "/companies/%31",
        "/selections/7/board",
        "/person/1",
    ] {
        let response = c.get(url).send().unwrap();
        let path = url.split('?').next().unwrap();
        assert_eq!(
            common::error_of(response, 404),
            format!("nothing at {path}"),
            "{url}"
        );
    }
}

#[test]
fn the_text_catalogues_are_served_as_json() {
    let c = common::Collector::start();
    for lang in ["en", "nb", "nl"] {
        let response = c.get(&format!("/app/i18n/{lang}.json")).send().unwrap();
        assert_eq!(response.status(), 200, "{lang}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let catalogue: serde_json::Value = response.json().unwrap();
        assert!(catalogue["nav"]["people"].is_string(), "{lang}");
    }
}
