//! The collector's HTTP side: routes, shared state, and the server's life cycle (bind,
//! announce, serve, shut down gracefully on SIGTERM/SIGINT).
//!
//! Routes:
//! - `POST /f/{form_key}` (+ CORS preflight): the public form endpoint ([`form`]);
//! - `POST /t/link`, `POST /t/adopt`: the tracker's links across domains ([`cross_domain`]);
//! - `/api/v1/…`: each route with its access decision per role ([`access`]), signed in by
//!   a session cookie ([`session`]) or a Bearer token ([`auth`]); signing in and the OpenAPI
//!   document `/api/v1/openapi.json` ([`openapi`]) are public;
//! - `GET /healthz`, `GET /thanks`;
//! - everything else: tracker files, then the demo site, then a JSON 404 ([`assets`]),
//!   compressed when the client accepts it.

pub(crate) mod abuse;
pub(crate) mod access;
#[cfg(test)]
mod access_table;
pub(crate) mod api;
pub(crate) mod assets;
pub(crate) mod attribution;
pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod costs;
pub(crate) mod cross_domain;
pub(crate) mod error;
pub(crate) mod exports;
pub(crate) mod form;
pub(crate) mod forms;
pub(crate) mod journey;
pub(crate) mod json;
pub(crate) mod leads;
mod limits;
pub(crate) mod links;
pub(crate) mod openapi;
pub(crate) mod password;
pub(crate) mod preferences;
pub(crate) mod quality;
mod routes;
pub(crate) mod search;
pub(crate) mod session;
pub(crate) mod telemetry;
pub(crate) mod tiles;
pub(crate) mod tokens;
pub(crate) mod users;

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders, ErrorHandlers, Next};
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;

use crate::config::Settings;
use crate::store::Store;
use error::ApiError;
use routes::Router;

/// How long in-flight requests may take to finish once shutdown has begun.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How long a client may take to send a request's head (line and headers) once it has
/// connected or reused a connection: a client trickling its headers in holds a
/// connection and a little memory, so it is cut off (408) while others are served.
const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an idle keep-alive connection stays open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Largest body of any route that reads one through an extractor (JSON or raw bytes)
/// without setting its own limit; the form endpoint has its own (`max_body_bytes`).
const DEFAULT_EXTRACTOR_BODY_BYTES: usize = 256 * 1024;
/// Shorter configured tokens are accepted but warned about: they can be guessed.
const MIN_SAFE_TOKEN_CHARS: usize = 16;

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) store: Arc<dyn Store>,
    /// The database's WAL file, whose size `GET /metrics` reports.
    pub(crate) wal_path: std::path::PathBuf,
    /// SHA-256 of the configured API token, if one is configured.
    pub(crate) api_token_sha256: Option<[u8; 32]>,
    pub(crate) max_body_bytes: usize,
    /// Where dashboards count their days (validated when the settings were loaded).
    pub(crate) time_zone: jiff::tz::TimeZone,
    /// Per-address limit on form posts; `None` when turned off.
    pub(crate) form_rate_limit: Option<abuse::RateLimiter>,
    /// Origins whose pages may post forms (normalised); empty means any.
    pub(crate) allowed_origins: Vec<String>,
    /// The operator's campaign naming template (link builder warnings).
    pub(crate) campaign_template: Option<leadtrail_core::link::CampaignTemplate>,
    /// How far the link check may go, and which intranet hosts it may reach.
    pub(crate) link_check: crate::ops::link_check::CheckLimits,
    /// Which consent statements each form may make.
    pub(crate) form_consent: crate::store::leads::FormConsent,
    /// How long sign-ins last.
    pub(crate) sessions: session::SessionSettings,
    /// Failed sign-ins per e-mail and per address.
    pub(crate) sign_in_throttle: session::SignInThrottle,
    /// What the configuration sets, as `GET /api/v1/settings` shows it.
    pub(crate) settings_view: forms::SettingsJson,
    /// The `time_decay` attribution model's half-life, in milliseconds.
    pub(crate) attribution_half_life_ms: i64,
    /// The key that signs links across domains.
    pub(crate) link_key: cross_domain::LinkKey,
    /// Per-address limit on signing and adopting links.
    pub(crate) link_rate_limit: Option<abuse::RateLimiter>,
}

impl AppState {
    pub(crate) fn new(settings: &Settings, store: Arc<dyn Store>) -> AppState {
        AppState {
            store,
            wal_path: crate::commands::backup::with_suffix(&settings.db, "-wal"),
            api_token_sha256: settings.api_token.as_deref().map(auth::token_sha256),
            max_body_bytes: settings.max_body_bytes,
            time_zone: jiff::tz::TimeZone::get(&settings.time_zone)
                .unwrap_or(jiff::tz::TimeZone::UTC),
            form_rate_limit: abuse::RateLimiter::new(
                settings.form_posts_per_minute,
                settings.form_post_burst,
            ),
            allowed_origins: settings.allowed_origins.clone(),
            link_check: crate::ops::link_check::CheckLimits::of(settings),
            form_consent: settings.form_consent(),
            sessions: session::SessionSettings::from(settings),
            sign_in_throttle: session::SignInThrottle::default(),
            settings_view: forms::SettingsJson::of(settings),
            attribution_half_life_ms: settings.attribution_half_life_ms(),
            link_key: cross_domain::LinkKey::next_to(&settings.db),
            link_rate_limit: cross_domain::rate_limiter(settings.form_posts_per_minute),
            // Checked when the settings were loaded.
            campaign_template: settings
                .campaign_template
                .as_deref()
                .and_then(|t| leadtrail_core::link::CampaignTemplate::parse(t).ok()),
        }
    }
}

/// `GET /healthz` (and `HEAD`): 200 when the database answers, 503 when it does not.
#[utoipa::path(method(get, head), path = "/healthz", tag = "forms",
    responses((status = 200, description = "the database answers",
               example = json!({"status": "ok"})),
              (status = 503, description = "the database does not answer",
               body = json::ErrorJson)))]
async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.store.health().await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(serde_json::json!({ "status": "ok" })))
}

async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found(format!("nothing at {}", req.path())))
}

/// An `/api/v1` path no route matched: what is there is only told to who is signed in.
async fn api_not_found(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    match access::authenticate(&req, &state).await? {
        Some(_) => not_found(req).await,
        None => Err(ApiError::Unauthorized),
    }
}

/// Logs each request at debug level (method, path, status, time), without building any
/// of it when debug logging is off: this sits on the ingest hot path.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return next.call(req).await;
    }
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let response = next.call(req).await?;
    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}

/// The application: every route, middleware and extractor setting.
pub(crate) fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(
            web::JsonConfig::default()
                .limit(DEFAULT_EXTRACTOR_BODY_BYTES)
                .error_handler(error::json_error),
        )
        .app_data(web::PayloadConfig::default().limit(DEFAULT_EXTRACTOR_BODY_BYTES))
        .wrap(from_fn(limits::head_and_url))
        .wrap(DefaultHeaders::new().add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")))
        .wrap(from_fn(log_request))
        // Outside the request log, so that its line carries the request's id.
        .wrap(from_fn(telemetry::observe))
        .configure(|cfg| register(&mut Router::new(cfg, &mut Vec::new())))
        // Static files are compressed for browsers that accept it (the tracker's size
        // budget is counted gzipped); form posts and API answers are not, to keep the
        // ingest path free of that work.
        .service(
            web::scope("")
                .wrap(Compress::default())
                .default_service(web::to(assets::fallback)),
        )
}

/// Every route with a handler of its own; the pages and files of [`assets::fallback`]
/// come after them.
fn register(r: &mut Router<'_>) {
    use access::Access;
    r.get("/healthz", healthz)
        .allow(Access::Public)
        .route(Method::HEAD, "/healthz", healthz)
        .allow(Access::Public)
        .get("/thanks", assets::thank_you)
        .allow(Access::Public)
        // For a Prometheus scraper: an admin's token (read scope is enough).
        .get("/metrics", telemetry::metrics)
        .allow(Access::AdminRead)
        .scope(
            "/f",
            |scope| scope.wrap(from_fn(form::allow_origin)),
            |r| {
                r.post("/{form_key}", form::submit)
                    .allow(Access::Public)
                    .route(Method::OPTIONS, "/{form_key}", form::preflight)
                    .allow(Access::Public)
                    .otherwise(not_found);
            },
        )
        // The tracker's links across domains: public, as the form endpoint, with its CORS.
        .scope(
            "/t",
            |scope| scope.wrap(from_fn(form::allow_origin)),
            |r| {
                cross_domain::routes(r);
                r.otherwise(not_found);
            },
        )
        // Public: the document describes the API and holds no data.
        .get("/api/v1/openapi.json", openapi::serve)
        .allow(Access::Public)
        .scope(
            "/api/v1",
            |scope| {
                scope
                    .wrap(ErrorHandlers::new().default_handler(limits::json_error))
                    .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
            },
            |r| {
                r.get("/persons/{id}", api::person)
                    .allow(Access::Read)
                    .get("/persons/{id}/submissions", api::submissions)
                    .allow(Access::Read)
                    .get("/companies/{id}", api::company)
                    .allow(Access::Read);
                session::routes(r);
                tokens::routes(r);
                users::routes(r);
                password::routes(r);
                preferences::routes(r);
                audit::routes(r);
                leads::routes(r);
                journey::routes(r);
                search::routes(r);
                tiles::routes(r);
                attribution::routes(r);
                quality::routes(r);
                links::routes(r);
                forms::routes(r);
                costs::routes(r);
                exports::routes(r);
                r.otherwise(api_not_found);
            },
        );
}

/// The routes the app registers, as [`register`] registers them for the server.
pub(crate) fn registered_routes() -> Vec<routes::RegisteredRoute> {
    let mut seen = Vec::new();
    let _ = App::new().configure(|cfg| register(&mut Router::new(cfg, &mut seen)));
    seen
}

/// Resolves when the process is asked to stop (SIGTERM or SIGINT). The handlers are
/// installed before this returns its future, so a signal that arrives right after the
/// "listening" line is never lost to the default action (which would exit non-zero).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = &'static str>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        }
    })
}

/// Serves until SIGTERM/SIGINT, then stops accepting, lets in-flight requests finish,
/// and shuts the store down (committing everything acknowledged) before returning.
pub(crate) async fn serve(settings: Settings, store: Arc<dyn Store>) -> anyhow::Result<()> {
    if let Some(token) = &settings.api_token {
        if token.chars().count() < MIN_SAFE_TOKEN_CHARS {
            tracing::warn!(
                "the configured API token is shorter than {MIN_SAFE_TOKEN_CHARS} characters; \
                 use `leadtrail token create` for a strong one"
            );
        }
    }
    if let Ok(0) = store.count_users().await {
        tracing::warn!(
            db = %settings.db.display(),
            "no one can sign in yet: create the first admin with \
             `leadtrail user create --email EMAIL --name NAME --role admin --db {}`",
            settings.db.display()
        );
    }
    // Made now rather than on the first sign-in for an unknown e-mail, which would
    // otherwise take twice as long as any other and tell that the e-mail is unknown.
    let _ = crate::accounts::password::decoy_hash();
    telemetry::install().context("cannot set up the metrics")?;
    let state = web::Data::new(AppState::new(&settings, store.clone()));
    let server = HttpServer::new(move || app(state.clone()))
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .client_request_timeout(REQUEST_HEAD_TIMEOUT)
        .keep_alive(KEEP_ALIVE)
        .bind(&settings.addr)
        .with_context(|| format!("cannot listen on {}", settings.addr))?;
    let addr = *server
        .addrs()
        .first()
        .context("the server is bound to no address")?;
    let stop_requested = shutdown_signal()?;
    let server = server.run();
    let handle = server.handle();

    tracing::info!(db = %settings.db.display(), %addr, "collector started");
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "leadtrail listening on http://{addr}")
        .and_then(|()| stdout.flush())
        .context("cannot write to stdout")?;
    drop(stdout);

    actix_web::rt::spawn(async move {
        let signal = stop_requested.await;
        tracing::info!(
            signal,
            "stopping: no new connections, finishing requests in flight"
        );
        handle.stop(true).await;
    });
    server.await.context("server failed")?;
    store.shutdown().await;
    tracing::info!("stopped; everything acknowledged is committed");
    Ok(())
}
