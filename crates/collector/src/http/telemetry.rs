//! What an operator watches: `GET /metrics` in Prometheus's text format, and a request id
//! on every request (its log lines and the `X-Request-Id` answer header).
//!
//! The metrics are recorded with the `metrics` facade wherever they happen (the writer,
//! the WAL sync, the form endpoint); `serve` installs the Prometheus recorder once, and
//! without it (tests, the command-line tools) every recording is a no-op. Per request the
//! cost is one counter and one histogram keyed by the route's pattern (`/f/{form_key}`,
//! never the path with its ids, so the number of series stays bounded).

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::Instrument;

use super::error::ApiError;
use super::AppState;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Longest incoming request id kept; a longer or odd one is replaced by a new one.
const MAX_REQUEST_ID: usize = 64;

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// Seconds: from a fast form post (sub-millisecond) to a slow export page.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Writes per committed batch (the writer takes at most 512).
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// Installs the Prometheus recorder for this process (once; later calls keep the first).
pub(crate) fn install() -> anyhow::Result<()> {
    if PROMETHEUS.get().is_some() {
        return Ok(());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full("leadtrail_writer_batch_size".into()),
            BATCH_BUCKETS,
        )?
        .install_recorder()?;
    describe();
    let _ = PROMETHEUS.set(handle);
    Ok(())
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "leadtrail_http_requests_total",
        "HTTP requests answered, by route pattern, method and status"
    );
    describe_histogram!(
        "leadtrail_http_request_duration_seconds",
        Unit::Seconds,
        "time to answer a request, by route pattern"
    );
    describe_gauge!(
        "leadtrail_writer_queue_depth",
        "writes waiting for the writer when it took its last batch"
    );
    describe_histogram!(
        "leadtrail_writer_batch_size",
        "writes committed together in one transaction"
    );
    describe_histogram!(
        "leadtrail_writer_commit_seconds",
        Unit::Seconds,
        "time from BEGIN to COMMIT of a batch"
    );
    describe_histogram!(
        "leadtrail_wal_sync_seconds",
        Unit::Seconds,
        "time of one fdatasync of the WAL (covers every batch committed meanwhile)"
    );
    describe_gauge!(
        "leadtrail_wal_bytes",
        Unit::Bytes,
        "size of the WAL file when scraped"
    );
    describe_histogram!(
        "leadtrail_read_model_update_seconds",
        Unit::Seconds,
        "time the read models take to follow a commit (before its writes are answered)"
    );
    describe_histogram!(
        "leadtrail_read_model_load_seconds",
        Unit::Seconds,
        "time to load a read model in full (first dashboard or search)"
    );
    describe_counter!(
        "leadtrail_form_posts_rate_limited_total",
        "form posts refused with 429 for their address's rate"
    );
    describe_counter!(
        "leadtrail_form_posts_honeypot_total",
        "form posts dropped because their honeypot field was filled"
    );
}

/// `GET /metrics`: every metric in Prometheus's text exposition format.
pub(crate) async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Some(handle) = PROMETHEUS.get() else {
        return Err(ApiError::Internal(
            "GET /metrics without the Prometheus recorder installed".into(),
        ));
    };
    // Absent between a truncating checkpoint and the next write: then it is empty.
    let wal = std::fs::metadata(&state.wal_path).map_or(0, |m| m.len());
    metrics::gauge!("leadtrail_wal_bytes").set(wal as f64);
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"))
        .body(handle.render()))
}

/// A sane id a client or proxy sent: 1–64 visible ASCII letters, digits, `-`, `_`, `.`,
/// `:`; anything else is replaced, so that no header can smuggle text into the logs.
fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?.trim();
    let sane = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    sane.then(|| value.to_owned())
}

fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Gives the request its id (the client's if sane, else a new one), runs it inside a
/// `request` span that carries the id into every log line it writes, answers the id in
/// `X-Request-Id`, and counts the request with its time.
pub(crate) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = incoming_id(&req).unwrap_or_else(new_id);
    let span = tracing::info_span!("request", id = %id);
    let method = req.method().clone();
    let mut response = next.call(req).instrument(span).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(other)".to_owned());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    metrics::counter!(
        "leadtrail_http_requests_total",
        "route" => route.clone(),
        "method" => method.as_str().to_owned(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("leadtrail_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}
