//! URLs the collector is handed, read through the real binary as a browser reads them (the
//! WHATWG URL standard): a post's `Referer`, the landing page and referrer of a submission
//! sent by a server, the link builder's target, the allowed origins. Each case is one the
//! hand-written readers got wrong.

mod common;

use common::{error_of, status_and_json, Collector, TOKEN};
use serde_json::{json, Value};

fn post_json(c: &Collector, path: &str, body: &Value) -> (u16, Value) {
    status_and_json(c.post(path).bearer_auth(TOKEN).json(body).send().unwrap())
}

#[test]
fn a_server_side_submission_stores_its_urls_as_the_browser_writes_them() {
    let c = Collector::start();
    let (status, body) = post_json(
        &c,
        "/api/v1/submissions",
        &json!({
            "form": "crm-sync",
            "email": "server@urls.example",
            "touch": {
                // A percent-encoded host is still Google: an organic search, not a referral
                // from "%77ww.google.com".
                "referrer": "https://%77ww.google.com/search?q=sensors",
                "landing_page": "HTTPS://Acme.example:443/pumps/../sensors?ref=1#top",
            },
        }),
    );
    assert_eq!(status, 201, "{body}");
    let person = c.person_by_email("server@urls.example");
    let touch = &person["lead_generation"];
    assert_eq!(
        (touch["source"].as_str(), touch["medium"].as_str()),
        (Some("google"), Some("organic")),
        "{touch}"
    );
    assert_eq!(touch["referrer"], "https://www.google.com/search?q=sensors");
    assert_eq!(touch["landing_page"], "https://acme.example/sensors?ref=1");
}

#[test]
fn the_referer_fallback_reads_the_page_as_the_browser_would() {
    let c = Collector::start();
    // A plain form without the tracker, on a page whose address the Referer spells oddly.
    let response = c
        .post("/f/contact")
        .header("accept", "application/json")
        .header(
            "referer",
            "HTTPS://Acme.example:443/contact?UTM_Source=Newsletter&utm_medium=email&utm_campaign=May%20News",
        )
        .form(&[("email", "referer@urls.example")])
        .send()
        .unwrap();
    let (status, body) = status_and_json(response);
    assert_eq!(status, 201, "{body}");
    let touch = c.person_by_email("referer@urls.example")["lead_generation"].clone();
    assert_eq!(touch["source"], "newsletter");
    assert_eq!(touch["campaign"], "may_news");
    assert_eq!(
        touch["landing_page"],
        "https://acme.example/contact?UTM_Source=Newsletter&utm_medium=email&utm_campaign=May%20News"
    );
}

#[test]
fn the_link_builder_refuses_broken_targets_and_writes_links_as_browsers_do() {
    let c = Collector::start();
    for target in ["https://acme.example:99999/", "https://300.1.1.1/webinar"] {
        let response = c
            .post("/api/v1/links")
            .bearer_auth(TOKEN)
            .json(&json!({"url": target, "source": "a", "medium": "email", "campaign": "c"}))
            .send()
            .unwrap();
        let message = error_of(response, 422);
        assert!(message.starts_with("url:"), "{target}: {message}");
    }
    let (status, body) = post_json(
        &c,
        "/api/v1/links",
        &json!({
            "url": "https://ACME.example:443/events/../webinar?ref=nav#signup",
            "source": "LinkedIn", "medium": "social", "campaign": "Webinar Sept",
        }),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["url"],
        "https://acme.example/webinar?ref=nav&utm_source=linkedin&utm_medium=social&utm_campaign=webinar_sept#signup"
    );
}

#[test]
fn an_allowed_origin_with_its_default_port_matches_what_browsers_send() {
    // Browsers never send `:443` in Origin; the setting may well carry it.
    let c = Collector::start_with(
        &[],
        &[("LEADTRAIL_ALLOWED_ORIGINS", "https://WWW.Acme.example:443/")],
    );
    let response = c
        .post("/f/contact")
        .header("origin", "https://www.acme.example")
        .header("accept", "application/json")
        .form(&[("email", "origin@urls.example")])
        .send()
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://www.acme.example"
    );
    assert_eq!(response.status(), 201);
}
