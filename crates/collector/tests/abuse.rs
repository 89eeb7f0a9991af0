//! The public form endpoint against abuse, through the real binary: the per-address rate
//! limit (429 + Retry-After), the honeypot, the origin allow-list with its CORS answers,
//! and the size and time limits of every route (bodies, headers, slow clients).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{count, error_of, open_db, status_and_json, Collector, TOKEN};

#[test]
fn a_client_over_its_rate_gets_429_with_retry_after_and_nothing_is_written() {
    let c = Collector::start_with(
        &["--form-posts-per-minute", "6", "--form-post-burst", "3"],
        &[],
    );
    for i in 0..3 {
        let (status, body) = c.submit("rate", &[("email", &format!("r{i}@rate.example"))]);
        assert_eq!(status, 201, "{body}");
    }
    let response = c
        .post("/f/rate")
        .header("accept", "application/json")
        .form(&[("email", "over@rate.example")])
        .send()
        .unwrap();
    let retry_after: u32 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    let message = error_of(response, 429);
    assert!(message.contains("too many requests"), "{message}");
    assert_eq!(count(&open_db(&c.db), "submissions"), 3);

    // The limit is on form posts only: the API and health checks still answer.
    assert_eq!(c.get("/healthz").send().unwrap().status(), 200);
    let (status, _) = c.api("/api/v1/persons?email=r0%40rate.example");
    assert_eq!(status, 200);
}

#[test]
fn the_honeypot_drops_bot_posts_with_a_normal_answer() {
    let c = Collector::start();
    // A bot fills every field, the hidden one too.
    let (status, body) = c.submit(
        "contact",
        &[
            ("email", "bot@spam.example"),
            ("lt_hp", "http://spam.example"),
        ],
    );
    assert_eq!(status, 201, "{body}");
    assert!(body["submission_id"].is_i64(), "{body}");
    let redirected = c
        .post("/f/contact")
        .form(&[
            ("email", "bot2@spam.example"),
            ("lt_hp", "x"),
            ("_redirect", "https://acme.example/takk"),
        ])
        .send()
        .unwrap();
    assert_eq!(redirected.status(), 303);
    assert_eq!(
        redirected.headers()["location"],
        "https://acme.example/takk"
    );
    let json = c
        .post("/f/contact")
        .header("accept", "application/json")
        .json(&serde_json::json!({"email": "bot3@spam.example", "lt_hp": 1}))
        .send()
        .unwrap();
    assert_eq!(json.status(), 201);
    assert_eq!(count(&open_db(&c.db), "submissions"), 0);
    assert_eq!(count(&open_db(&c.db), "persons"), 0);

    // A person leaves it empty (or the form has none): recorded, and the field is not
    // part of the payload.
    let (status, _) = c.submit("contact", &[("email", "ada@acme.example"), ("lt_hp", "")]);
    assert_eq!(status, 201);
    let db = open_db(&c.db);
    assert_eq!(count(&db, "submissions"), 1);
    let payload: String = db
        .query_row("SELECT payload FROM submissions", [], |row| row.get(0))
        .unwrap();
    assert_eq!(payload, "{}");
}

#[test]
fn only_allowed_origins_may_post_and_read_answers() {
    let c = Collector::start_with(
        &[],
        &[(
            "LEADTRAIL_ALLOWED_ORIGINS",
            "https://www.acme.example,http://localhost:3000",
        )],
    );
    let post = |origin: Option<&str>, email: &str| {
        let mut request = c
            .post("/f/contact")
            .header("accept", "application/json")
            .form(&[("email", email)]);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send().unwrap()
    };

    let allowed = post(Some("https://www.acme.example"), "a@acme.example");
    assert_eq!(allowed.status(), 201);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://www.acme.example"
    );
    assert_eq!(allowed.headers()["vary"], "Origin");

    let refused = post(Some("https://evil.example"), "b@acme.example");
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let message = error_of(refused, 403);
    assert!(message.contains("origin"), "{message}");

    // Servers and curl send no Origin: no header can stop them, so they are not refused.
    assert_eq!(post(None, "c@acme.example").status(), 201);

    // The preflight names the allowed origin only.
    let preflight = |origin: &str| {
        c.client
            .request(reqwest::Method::OPTIONS, c.url("/f/contact"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
            .unwrap()
    };
    let ok = preflight("http://localhost:3000");
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(preflight("https://evil.example")
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    assert_eq!(count(&open_db(&c.db), "submissions"), 2);
}

#[test]
fn without_an_allow_list_any_origin_may_read_form_answers_but_not_the_api() {
    let c = Collector::start();
    let response = c
        .post("/f/contact")
        .header("origin", "https://anywhere.example")
        .header("accept", "application/json")
        .form(&[("email", "a@b.example")])
        .send()
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    // The API is for the collector's own pages: no CORS header lets another site read it.
    let api = c
        .get("/api/v1/persons?email=a%40b.example")
        .bearer_auth(TOKEN)
        .header("origin", "https://anywhere.example")
        .send()
        .unwrap();
    assert_eq!(api.status(), 200);
    assert!(api.headers().get("access-control-allow-origin").is_none());
}

/// Writes raw bytes on a new connection and returns what the server answers (until it
/// closes or `wait` passes).
fn raw_exchange(c: &Collector, request: &[u8], wait: Duration) -> String {
    let host = c.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// A body too big to read is answered with a 4xx (`status`, when given, exactly), or —
/// when the server answers early and closes while the client is still sending — the send
/// fails on the connection. A time-out or any other failure is not a refusal.
fn assert_refused(
    what: &str,
    response: reqwest::Result<reqwest::blocking::Response>,
    status: Option<u16>,
) {
    match response {
        Ok(response) => match status {
            Some(status) => assert_eq!(response.status(), status, "{what}"),
            None => assert!(
                response.status().is_client_error(),
                "{what}: {}",
                response.status()
            ),
        },
        Err(error) => assert!(
            !error.is_timeout() && (error.is_request() || error.is_body()),
            "{what}: the send failed, but not by the server closing the connection: {error:?}"
        ),
    }
}

#[test]
fn oversized_heads_and_bodies_are_refused_on_every_route() {
    let c = Collector::start();
    // A huge header block: refused (431) without reading it all (actix caps a request
    // head at 128 KiB).
    let big_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let answer = raw_exchange(&c, big_header.as_bytes(), Duration::from_secs(5));
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "{}",
        answer.lines().next().unwrap_or("(nothing)")
    );
    // Below the HTTP layer's cap but over the documented 32 KiB: 431 that says why.
    let response = c
        .get("/healthz")
        .header("x-pad", "a".repeat(40 * 1024))
        .send()
        .unwrap();
    assert!(error_of(response, 431).contains("larger than 32768 bytes"));
    let response = c
        .get("/api/v1/persons")
        .bearer_auth(TOKEN)
        .header("x-pad", "a".repeat(16 * 1024))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "16 KiB of headers are fine");
    // A URL over 8 KiB: 414, in JSON.
    let long_url = format!("/api/v1/persons?email={}", "a".repeat(9 * 1024));
    let response = c.get(&long_url).bearer_auth(TOKEN).send().unwrap();
    assert!(error_of(response, 414).contains("longer than 8192 bytes"));

    // A body over the extractors' cap on a route that reads one: 413 in the API's JSON.
    let response = c
        .post("/api/v1/links/check")
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(vec![b' '; 300 * 1024])
        .send();
    match response {
        Ok(response) => {
            assert!(error_of(response, 413).contains("larger than 262144 bytes"));
        }
        Err(error) => assert!(error.is_request() || error.is_body(), "{error:?}"),
    }

    // A body over the default extractor limit (256 KiB), on an API route: 413, or
    // refused before (the route does not read bodies). Either way, never accepted.
    let huge = vec![b'x'; 2 * 1024 * 1024];
    let response = c
        .post("/api/v1/persons")
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(huge.clone())
        .send();
    assert_refused("a 2 MiB API body", response, None);
    // The form endpoint: its own cap.
    let response = c
        .post("/f/contact")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send();
    assert_refused("a 2 MiB form body", response, Some(413));
    assert_eq!(c.get("/healthz").send().unwrap().status(), 200);
    // Too many fields, too long a name.
    let many: String = (0..250).map(|i| format!("f{i}=1&")).collect();
    let response = c
        .post("/f/contact")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email=a%40b.example&{many}"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(count(&open_db(&c.db), "submissions"), 0);
}

#[test]
fn slow_clients_are_cut_off_while_others_are_served() {
    let c = Collector::start();
    let host = c.base.trim_start_matches("http://").to_owned();

    // One client trickles its headers in, another stops halfway through its body.
    let mut head_trickler = TcpStream::connect(&host).unwrap();
    head_trickler
        .write_all(b"POST /f/slow HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut body_staller = TcpStream::connect(&host).unwrap();
    body_staller
        .write_all(
            b"POST /f/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Accept: application/json\r\nContent-Length: 40\r\n\r\nemail=half",
        )
        .unwrap();

    // Meanwhile everyone else is served at once.
    let started = Instant::now();
    for i in 0..20 {
        let (status, _) = c.submit("fast", &[("email", &format!("f{i}@fast.example"))]);
        assert_eq!(status, 201);
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // The head trickler keeps sending a byte a second, and is cut off within the
    // request-head timeout (5 s) even so.
    let trickle_started = Instant::now();
    head_trickler
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut closed = false;
    while trickle_started.elapsed() < Duration::from_secs(12) {
        if head_trickler.write_all(b"X").is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        match head_trickler.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {
                // An answer (408) then a close.
                closed = true;
                break;
            }
            Err(_) => {}
        }
        std::thread::sleep(Duration::from_millis(950));
    }
    assert!(closed, "a client trickling its headers was never cut off");
    assert!(
        trickle_started.elapsed() < Duration::from_secs(9),
        "{:?}",
        trickle_started.elapsed()
    );

    // The stalled body is answered 408 within the body timeout (10 s).
    body_staller
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = body_staller.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("took too long"), "{answer}");

    let db = open_db(&c.db);
    assert_eq!(count(&db, "submissions"), 20);
    drop(db);
    let (status, _) = status_and_json(c.get("/healthz").send().unwrap());
    assert_eq!(status, 200);
}
