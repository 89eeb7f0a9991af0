//! Form posts that a page's script sends across origins, as the libraries customers' sites
//! use send them (htmx, jQuery, fetch), through the real binary: the preflight allows the
//! headers they add, script posts get the JSON answer whatever they accept, and every
//! answer a script can meet — 201, errors, the 303 and the /thanks page it leads to — is
//! readable from the page's origin.

mod common;

use common::{error_of, status_and_json, Collector};
use reqwest::blocking::Response;
use reqwest::Method;

const SITE: &str = "https://www.customer.example";

fn preflight(c: &Collector, origin: &str, requested_headers: Option<&str>) -> Response {
    let mut request = c
        .client
        .request(Method::OPTIONS, c.url("/f/contact"))
        .header("origin", origin)
        .header("access-control-request-method", "POST");
    if let Some(headers) = requested_headers {
        request = request.header("access-control-request-headers", headers);
    }
    request.send().unwrap()
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

/// Every `Vary` value of a response, one entry per listed name, lower-cased.
fn vary(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect()
}

#[test]
fn the_preflight_allows_the_headers_htmx_and_jquery_add() {
    let c = Collector::start();
    // What Chromium asks before htmx 2 posts a form to another origin.
    let htmx = "hx-current-url,hx-request,hx-target,hx-trigger";
    let response = preflight(&c, SITE, Some(htmx));
    assert_eq!(response.status(), 204);
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        header(&response, "access-control-allow-methods"),
        Some("POST")
    );
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some(htmx)
    );
    assert!(
        header(&response, "access-control-allow-credentials").is_none(),
        "form posts carry no credentials"
    );
    assert!(vary(&response).contains(&"access-control-request-headers".to_owned()));

    let jquery = "x-requested-with,content-type";
    let response = preflight(&c, SITE, Some(jquery));
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some(jquery)
    );

    // A preflight that asks for no header gets the two a JSON post needs.
    let response = preflight(&c, SITE, None);
    assert_eq!(response.status(), 204);
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some("Content-Type, Accept")
    );
}

#[test]
fn with_an_allow_list_the_preflight_names_the_origin_and_varies_on_both() {
    let c = Collector::start_with(&[], &[("LEADTRAIL_ALLOWED_ORIGINS", SITE)]);
    let response = preflight(&c, SITE, Some("hx-request,hx-target"));
    assert_eq!(header(&response, "access-control-allow-origin"), Some(SITE));
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some("hx-request,hx-target")
    );
    let vary = vary(&response);
    assert!(vary.contains(&"origin".to_owned()), "{vary:?}");
    assert!(
        vary.contains(&"access-control-request-headers".to_owned()),
        "{vary:?}"
    );

    let other = preflight(&c, "https://evil.example", Some("hx-request"));
    assert!(header(&other, "access-control-allow-origin").is_none());
}

#[test]
fn script_posts_get_the_json_answer_whatever_they_accept() {
    let c = Collector::start();
    let marks = [
        ("hx-request", "true", "htmx@script-posts.example"),
        (
            "x-requested-with",
            "XMLHttpRequest",
            "jquery@script-posts.example",
        ),
        ("sec-fetch-mode", "cors", "fetch@script-posts.example"),
    ];
    for (name, value, email) in marks {
        let response = c
            .post("/f/contact")
            .header("origin", SITE)
            .header("accept", "*/*")
            .header(name, value)
            .form(&[
                ("email", email),
                ("_redirect", "https://www.customer.example/thanks"),
                ("lt_v", "1"),
                ("lt_last_source", "LinkedIn"),
                ("lt_last_medium", "paid_social"),
                ("lt_last_campaign", "Webinar Sept"),
            ])
            .send()
            .unwrap();
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some("*"),
            "{name}"
        );
        // htmx looks for its own response headers after every request: exposed, so the
        // browser does not log an error for each look.
        let exposed = header(&response, "access-control-expose-headers").unwrap_or("");
        assert_eq!(
            exposed.contains("HX-Trigger"),
            name == "hx-request",
            "{name}: {exposed}"
        );
        let (status, body) = status_and_json(response);
        assert_eq!(status, 201, "{name}: {body}");
        assert!(body["submission_id"].as_i64().unwrap() > 0, "{body}");
        assert_eq!(body["person_created"], true, "{body}");

        let person = c.person_by_email(email);
        assert_eq!(person["id"], body["person_id"]);
        assert_eq!(person["lead_generation"]["source"], "linkedin");
        assert_eq!(person["lead_generation"]["campaign"], "webinar_sept");
    }

    // Their errors are JSON and readable too, so the page can say what is wrong.
    let response = c
        .post("/f/contact")
        .header("origin", SITE)
        .header("accept", "*/*")
        .header("hx-request", "true")
        .form(&[("email", "not an address")])
        .send()
        .unwrap();
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
    let message = error_of(response, 422);
    assert!(message.contains("email"), "{message}");
}

#[test]
fn an_unmarked_post_is_redirected_and_the_thank_you_page_is_readable_across_origins() {
    let c = Collector::start();
    // jQuery's $.ajax across origins: `Accept: */*` and no header that says "script".
    let response = c
        .post("/f/contact")
        .header("origin", SITE)
        .header("accept", "*/*")
        .form(&[("email", "plain-ajax@script-posts.example")])
        .send()
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(header(&response, "location"), Some("/thanks"));
    assert_eq!(header(&response, "access-control-allow-origin"), Some("*"));
    c.person_by_email("plain-ajax@script-posts.example");

    // The browser follows with the page's origin; the page must be readable by it.
    let thanks = c.get("/thanks").header("origin", SITE).send().unwrap();
    assert_eq!(thanks.status(), 200);
    assert_eq!(header(&thanks, "access-control-allow-origin"), Some("*"));
    assert!(thanks.text().unwrap().contains("<html"));
}

#[test]
fn with_an_allow_list_the_thank_you_page_names_allowed_origins_only() {
    let c = Collector::start_with(&[], &[("LEADTRAIL_ALLOWED_ORIGINS", SITE)]);
    let thanks = c.get("/thanks").header("origin", SITE).send().unwrap();
    assert_eq!(thanks.status(), 200);
    assert_eq!(header(&thanks, "access-control-allow-origin"), Some(SITE));
    assert!(vary(&thanks).contains(&"origin".to_owned()));

    let other = c
        .get("/thanks")
        .header("origin", "https://evil.example")
        .send()
        .unwrap();
    assert_eq!(other.status(), 200, "the page itself is public");
    assert!(header(&other, "access-control-allow-origin").is_none());
}
