//! `GET /metrics` and request ids through the binary: the Prometheus text behind the API's
//! authentication, the figures a post moves, and every request's id in its answer and in
//! its JSON log lines.

mod common;

use common::{cli_ok, Collector, TOKEN};

fn metrics(collector: &Collector, token: &str) -> (u16, String, String) {
    let response = collector.get("/metrics").bearer_auth(token).send().unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, content_type, response.text().unwrap())
}

/// The value of the first sample line that starts with `series` and names every label.
fn sample(text: &str, series: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(series))
        .find(|line| labels.iter().all(|l| line.contains(l)))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[test]
fn metrics_count_requests_writes_and_refusals_for_admins_only() {
    let collector = Collector::start_with(
        &["--form-posts-per-minute", "1", "--form-post-burst", "2"],
        &[],
    );
    for i in 0..2 {
        let (status, _) = collector.submit("contact", &[("email", &format!("m{i}@example.com"))]);
        assert_eq!(status, 201);
    }
    let (status, _) = collector.submit("contact", &[("email", "over@example.com")]);
    assert_eq!(status, 429);

    // Without a sign-in: refused like the API.
    let response = collector.get("/metrics").send().unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // A viewer's token may read the API, not the metrics.
    cli_ok(
        &collector.db,
        &[
            "user",
            "create",
            "--email",
            "v@example.com",
            "--name",
            "V",
            "--role",
            "viewer",
        ],
        "a long viewer password 123\n",
    );
    let viewer = cli_ok(
        &collector.db,
        &[
            "token",
            "create",
            "--user",
            "v@example.com",
            "--scope",
            "read",
        ],
        "",
    );
    let viewer = viewer.lines().last().unwrap().trim().to_owned();
    assert_eq!(metrics(&collector, &viewer).0, 403);
    // An operator's read-only token may.
    let read = cli_ok(&collector.db, &["token", "create", "--scope", "read"], "");
    let read = read.lines().last().unwrap().trim().to_owned();
    let (status, content_type, _) = metrics(&collector, &read);
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/plain"), "{content_type}");

    let (status, _, text) = metrics(&collector, TOKEN);
    assert_eq!(status, 200);
    let route = "route=\"/f/{form_key}\"";
    assert_eq!(
        sample(
            &text,
            "leadtrail_http_requests_total",
            &[route, "status=\"201\"", "method=\"POST\""]
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "leadtrail_http_requests_total",
            &[route, "status=\"429\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "leadtrail_form_posts_rate_limited_total", &[]),
        Some(1.0)
    );
    assert!(
        sample(
            &text,
            "leadtrail_http_request_duration_seconds_count",
            &[route]
        )
        .unwrap()
            >= 3.0
    );
    assert!(sample(&text, "leadtrail_writer_batch_size_count", &[]).unwrap() >= 1.0);
    assert!(sample(&text, "leadtrail_writer_commit_seconds_count", &[]).unwrap() >= 1.0);
    assert!(sample(&text, "leadtrail_wal_sync_seconds_count", &[]).unwrap() >= 1.0);
    assert!(sample(&text, "leadtrail_read_model_update_seconds_count", &[]).is_some());
    assert!(sample(&text, "leadtrail_writer_queue_depth", &[]).is_some());
    assert!(
        sample(&text, "leadtrail_wal_bytes", &[]).unwrap() > 0.0,
        "{text}"
    );
    // Ids never become labels: a person's page is counted under its pattern.
    collector.api("/api/v1/persons/1");
    let (_, _, text) = metrics(&collector, TOKEN);
    assert!(text.contains("route=\"/api/v1/persons/{id}\""), "{text}");
    assert!(!text.contains("/api/v1/persons/1\""));
}

#[test]
fn a_filled_honeypot_is_counted() {
    let collector = Collector::start();
    let (status, _) = collector.submit("contact", &[("email", "bot@example.com"), ("lt_hp", "x")]);
    assert!(status < 300, "{status}");
    let (_, _, text) = metrics(&collector, TOKEN);
    assert_eq!(
        sample(&text, "leadtrail_form_posts_honeypot_total", &[]),
        Some(1.0),
        "{text}"
    );
}

#[test]
fn every_request_has_an_id_in_its_answer_and_its_json_log_lines() {
    let collector = Collector::start_with(
        &[],
        &[("LEADTRAIL_LOG_FORMAT", "json"), ("LEADTRAIL_LOG", "debug")],
    );
    let id_of = |response: &reqwest::blocking::Response| {
        response
            .headers()
            .get("x-request-id")
            .expect("an X-Request-Id")
            .to_str()
            .unwrap()
            .to_owned()
    };
    let first = collector.get("/healthz").send().unwrap();
    let second = collector.get("/healthz").send().unwrap();
    let (a, b) = (id_of(&first), id_of(&second));
    assert_ne!(a, b);
    assert!(
        a.len() == 16 && a.chars().all(|c| c.is_ascii_hexdigit()),
        "{a}"
    );
    // A proxy's id is kept; an unusable one is replaced.
    let kept = collector
        .get("/healthz")
        .header("x-request-id", "edge-42.abc:7")
        .send()
        .unwrap();
    assert_eq!(id_of(&kept), "edge-42.abc:7");
    for bad in ["has space", "semi;colon<b>", &"x".repeat(65)] {
        let replaced = collector
            .get("/healthz")
            .header("x-request-id", bad)
            .send()
            .unwrap();
        let id = id_of(&replaced);
        assert_ne!(id, bad);
        assert_eq!(id.len(), 16);
    }
    let (status, _) = collector.submit("contact", &[("email", "logged@example.com")]);
    assert_eq!(status, 201);
    let posted = collector
        .post("/f/contact")
        .header("accept", "application/json")
        .header("x-request-id", "trace-me-1")
        .form(&[("email", "traced@example.com")])
        .send()
        .unwrap();
    assert_eq!(posted.status().as_u16(), 201);

    // Every line is JSON; the post's request line carries its id.
    let log = collector.log();
    let mut found = false;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if value["fields"]["path"] == "/f/contact" && value["span"]["id"] == "trace-me-1" {
            assert_eq!(value["fields"]["status"], 201);
            found = true;
        }
    }
    assert!(found, "no request line with the id:\n{log}");
}
