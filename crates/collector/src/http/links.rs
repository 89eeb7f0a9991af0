//! API routes of campaign links, aliases and channel explanations.
//! Registered inside the token-protected `/api/v1` scope.
//!
//! - `GET /explain?url=…&referrer=…` — the touch a visit would store, its channel and rule.
//! - `POST /links` — builds a tagged link ([`leadtrail_core::link`]); 422 names the field.
//! - `POST /links/check` — follows a link's redirects, says whether its `utm_*` survive.
//! - `GET|POST /links/saved`, `DELETE /links/saved/{id}` — saved links;
//!   `GET /links/saved?campaign=…&format=csv` exports them for ad platforms.
//! - `GET /aliases`, `PUT|DELETE /aliases/{alias}` — the operator's source aliases.
//! - `POST /reclassify` — `leadtrail reclassify` through this server's writer, so that
//!   read models that follow its commits (the dashboards) see the new channels at once.
//!
//! The known values that "did you mean" warnings compare with come from the database and
//! are cached per worker for [`KNOWN_VALUES_TTL`]: the page asks on every keystroke.

pub(crate) mod doc;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use leadtrail_core::channel::SourceAliases;
use leadtrail_core::link::{build_link, BuiltLink, LinkError, LinkOptions, LinkRequest};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::error::ApiError;
use super::routes::Router;
use super::AppState;
use crate::http::access::Access;
use crate::ops::json::LinkJson;
use crate::store::links::{KnownValues, NewSavedLink, SavedLink, SourceAlias};
use crate::time::{now_ms, rfc3339};

/// How long the known sources, mediums and campaigns are reused before being read again.
pub(crate) const KNOWN_VALUES_TTL: Duration = Duration::from_secs(30);
/// Most known values of each kind compared with (a sane data set has far fewer).
const KNOWN_VALUES_LIMIT: usize = 5_000;
/// Longest saved-link name, in characters.
const MAX_NAME_CHARS: usize = 200;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.app_data(web::Data::new(KnownCache::default()))
        .get("/explain", explain_visit)
        .allow(Access::Read)
        .post("/links", create_link)
        .allow(Access::Read)
        .post("/links/check", check_link)
        .allow(Access::Work)
        .get("/links/saved", list_saved)
        .allow(Access::Read)
        .post("/links/saved", save_link)
        .allow(Access::Work)
        .delete("/links/saved/{id}", delete_saved)
        .allow(Access::Work)
        .post("/reclassify", reclassify)
        .allow(Access::Admin)
        .audit("settings.reclassify")
        .get("/aliases", list_aliases)
        .allow(Access::Read)
        .put("/aliases/{alias}", put_alias)
        .allow(Access::Admin)
        .audit("settings.alias")
        .delete("/aliases/{alias}", delete_alias)
        .allow(Access::Admin)
        .audit("settings.alias.delete");
}

/// The links part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(explain_visit, create_link, check_link, list_saved, save_link, delete_saved,
          reclassify, list_aliases, put_alias, delete_alias),
    // Named here because the search routes' `format` parameter uses it too.
    components(schemas(doc::SavedFormat)),
    tags((name = "links", description = "Campaign links, channels and source aliases"))
)]
pub(crate) struct LinksApi;

/// Known values, read at most every [`KNOWN_VALUES_TTL`] (one cache per worker).
#[derive(Debug, Default)]
pub(crate) struct KnownCache {
    cached: Mutex<Option<(Instant, Arc<KnownValues>)>>,
}

impl KnownCache {
    async fn get(&self, state: &AppState) -> Result<Arc<KnownValues>, ApiError> {
        if let Ok(cached) = self.cached.lock() {
            if let Some((at, values)) = cached.as_ref() {
                if at.elapsed() < KNOWN_VALUES_TTL {
                    return Ok(Arc::clone(values));
                }
            }
        }
        let values = Arc::new(state.store.known_link_values(KNOWN_VALUES_LIMIT).await?);
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some((Instant::now(), Arc::clone(&values)));
        }
        Ok(values)
    }

    fn forget(&self) {
        if let Ok(mut cached) = self.cached.lock() {
            *cached = None;
        }
    }
}

/// Parses a JSON body into `T`, answering 400 with serde's message rather than actix's
/// plain-text default.
fn json_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON here: {e}")))
}

/// 422 for a link that cannot be built; the message starts with the field's name, as
/// every 422 of the API does.
fn link_error(error: &LinkError) -> ApiError {
    ApiError::invalid(error.field(), error.to_string())
}

/// Builds a link with the known values, aliases and template of this collector.
async fn build(
    request: &LinkRequest,
    state: &AppState,
    known: &KnownCache,
) -> Result<Result<BuiltLink, LinkError>, ApiError> {
    let values = known.get(state).await?;
    let aliases = state.store.effective_aliases().await?;
    fn strs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let (sources, mediums, campaigns) = (
        strs(&values.sources),
        strs(&values.mediums),
        strs(&values.campaigns),
    );
    let options = LinkOptions {
        known_sources: &sources,
        known_mediums: &mediums,
        known_campaigns: &campaigns,
        campaign_template: state.campaign_template.as_ref(),
        aliases: Some(&aliases),
    };
    Ok(build_link(request, &options))
}

/// `POST /api/v1/links`
#[utoipa::path(post, path = "/api/v1/links", tag = "links", request_body = doc::LinkInput,
    responses((status = 200, description = "the tagged link, its values as the link carries them, channel and warnings", body = LinkJson),
              (status = 422, description = "a value or the URL cannot be used; the message starts with the field", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn create_link(
    body: web::Bytes,
    state: web::Data<AppState>,
    known: web::Data<KnownCache>,
) -> Result<HttpResponse, ApiError> {
    let request: LinkRequest = json_body(&body)?;
    Ok(match build(&request, &state, &known).await? {
        Ok(built) => HttpResponse::Ok().json(LinkJson::from(built)),
        Err(error) => return Err(link_error(&error)),
    })
}

#[derive(Debug, Deserialize)]
struct ExplainQuery {
    url: Option<String>,
    referrer: Option<String>,
}

/// `GET /api/v1/explain?url=…&referrer=…`
#[utoipa::path(get, path = "/api/v1/explain", tag = "links",
    params(("url" = String, Query, min_length = 1, pattern = "\\S", description = "the landing page URL"),
           ("referrer" = Option<String>, Query, description = "the page the visitor came from")),
    responses((status = 200, description = "the touch that would be stored (with its channel), the channel and the rule that gave it", body = crate::ops::explain::Explained),
              (status = 422, description = "no url", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn explain_visit(
    query: web::Query<ExplainQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let url = query
        .url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("url", "the page URL is required (?url=…)"))?;
    let aliases: SourceAliases = state.store.effective_aliases().await?;
    let explained = crate::ops::explain::explain(
        &url,
        query.referrer.as_deref().unwrap_or(""),
        &aliases,
        now_ms(),
    );
    Ok(HttpResponse::Ok().json(explained))
}

#[derive(Debug, Deserialize)]
struct CheckRequest {
    url: String,
}

/// `POST /api/v1/links/check` `{"url": "…"}`: follows the link's redirects (see
/// [`crate::ops::link_check`] for the limits) and reports whether its `utm_*` parameters arrive.
#[utoipa::path(post, path = "/api/v1/links/check", tag = "links", request_body = doc::CheckInput,
    responses((status = 200, description = "the redirect chain and whether every utm_* parameter arrived", body = crate::ops::link_check::CheckReport),
              (status = 422, description = "not an http(s) URL, or no utm_* parameters", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn check_link(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let request: CheckRequest = json_body(&body)?;
    match crate::ops::link_check::check_link(&request.url, &state.link_check).await {
        Ok(report) => Ok(HttpResponse::Ok().json(report)),
        Err(refused) => Err(ApiError::invalid("url", refused.to_string())),
    }
}

/// A saved link as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SavedLinkJson {
    id: i64,
    campaign: String,
    name: String,
    url: String,
    target: String,
    source: String,
    medium: String,
    term: Option<String>,
    content: Option<String>,
    utm_id: Option<String>,
    channel: String,
    created_at: Option<String>,
}

impl From<SavedLink> for SavedLinkJson {
    fn from(s: SavedLink) -> SavedLinkJson {
        let l = s.link;
        SavedLinkJson {
            id: s.id,
            campaign: l.campaign,
            name: l.name,
            url: l.url,
            target: l.target,
            source: l.source,
            medium: l.medium,
            term: l.term,
            content: l.content,
            utm_id: l.utm_id,
            channel: l.channel,
            created_at: rfc3339(l.created_at),
        }
    }
}

#[derive(Debug, Deserialize)]
struct SavedQuery {
    campaign: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/links/saved[?campaign=…][&format=csv]`
#[utoipa::path(get, path = "/api/v1/links/saved", tag = "links",
    params(("campaign" = Option<String>, Query, description = "only this campaign's links"),
           ("format" = Option<doc::SavedFormat>, Query, description = "`json` (default) or `csv`")),
    responses((status = 200, description = "`{\"items\": [saved link]}`, or CSV for ad platforms", content((super::json::Items<SavedLinkJson> = "application/json"), (String = "text/csv"))),
              (status = 400, description = "unknown format", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn list_saved(
    query: web::Query<SavedQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format must be json or csv, not {other:?}"
            )))
        }
    };
    let campaign = query
        .campaign
        .filter(|c| !c.trim().is_empty())
        .map(|c| leadtrail_core::link::normalise_link_name(&c).unwrap_or(c));
    let links = state.store.saved_links(campaign.clone()).await?;
    if !csv {
        let items: Vec<SavedLinkJson> = links.into_iter().map(SavedLinkJson::from).collect();
        return Ok(HttpResponse::Ok().json(json!({ "items": items })));
    }
    let file = match &campaign {
        Some(c) => format!("leadtrail-links-{c}.csv"),
        None => "leadtrail-links.csv".to_owned(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(saved_links_csv(&links)))
}

/// The CSV export: one row per link, the columns ad platforms ask for (final URL and the
/// tags), RFC 4180 quoting. Cells that a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@` first) are prefixed with `'`: names and terms come from users.
pub(crate) fn saved_links_csv(links: &[SavedLink]) -> String {
    fn cell(value: &str) -> String {
        let value = match value.chars().next() {
            Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
            _ => value.to_owned(),
        };
        if value.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value
        }
    }
    let mut out = String::from(
        "campaign,name,url,target,utm_source,utm_medium,utm_campaign,utm_term,utm_content,utm_id,channel,created_at\r\n",
    );
    for s in links {
        let l = &s.link;
        let created = rfc3339(l.created_at).unwrap_or_default();
        let row = [
            l.campaign.as_str(),
            &l.name,
            &l.url,
            &l.target,
            &l.source,
            &l.medium,
            &l.campaign,
            l.term.as_deref().unwrap_or(""),
            l.content.as_deref().unwrap_or(""),
            l.utm_id.as_deref().unwrap_or(""),
            &l.channel,
            &created,
        ];
        out.push_str(&row.map(cell).join(","));
        out.push_str("\r\n");
    }
    out
}

#[derive(Debug, Deserialize)]
struct SaveRequest {
    name: String,
    #[serde(flatten)]
    link: LinkRequest,
}

/// `POST /api/v1/links/saved`: the link request plus a `name`; the link is built here, so
/// a saved link always follows the naming rules. 201 with the saved link and the warnings.
#[utoipa::path(post, path = "/api/v1/links/saved", tag = "links", request_body = doc::SaveLinkInput,
    responses((status = 201, description = "saved; `Location` names it", body = doc::SavedLinkCreated),
              (status = 422, description = "a value cannot be used, or the name is taken in the campaign", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn save_link(
    body: web::Bytes,
    state: web::Data<AppState>,
    known: web::Data<KnownCache>,
) -> Result<HttpResponse, ApiError> {
    let request: SaveRequest = json_body(&body)?;
    let name = leadtrail_core::clean::clean_value(&request.name)
        .ok_or_else(|| ApiError::invalid("name", "a name for the link is required"))?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("the name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    let built = match build(&request.link, &state, &known).await? {
        Ok(built) => built,
        Err(error) => return Err(link_error(&error)),
    };
    let saved = state
        .store
        .save_link(NewSavedLink {
            campaign: built.campaign.clone(),
            name,
            url: built.url.clone(),
            target: request.link.url.trim().to_owned(),
            source: built.source.clone(),
            medium: built.medium.clone(),
            term: built.term.clone(),
            content: built.content.clone(),
            utm_id: built.id.clone(),
            channel: built.channel.channel.id().to_owned(),
            created_at: now_ms(),
        })
        .await??;
    known.forget();
    let link = SavedLinkJson::from(saved);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/links/saved/{}", link.id)))
        .json(json!({
            "link": link,
            "warnings": built.warnings,
        })))
}

/// `DELETE /api/v1/links/saved/{id}`
#[utoipa::path(delete, path = "/api/v1/links/saved/{id}", tag = "links",
    params(("id" = i64, Path, description = "saved link id")),
    responses((status = 204, description = "deleted"), (status = 404, description = "no such link", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn delete_saved(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if state.store.delete_saved_link(id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found(format!("no saved link with id {id}")))
    }
}

/// `POST /api/v1/reclassify`: re-applies the aliases and channel rules to every stored
/// touch, in small transactions through the writer (form posts keep flowing between
/// them), and answers with the counts once done.
#[utoipa::path(post, path = "/api/v1/reclassify", tag = "links",
    responses((status = 200, description = "`{\"scanned\", \"channel_changed\", \"source_changed\", \"updated\", \"rules_version\"}`")),
    security(("bearer" = [])))]
async fn reclassify(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let totals = crate::ops::reclassify::reclassify(state.store.as_ref(), |_, _| {}).await?;
    Ok(HttpResponse::Ok().json(json!({
        "rules_version": leadtrail_core::channel::RULES_VERSION,
        "scanned": totals.scanned,
        "channel_changed": totals.channel_changed,
        "source_changed": totals.source_changed,
        "updated": totals.updated,
    })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AliasJson {
    alias: String,
    source: String,
    created_at: Option<String>,
}

impl From<SourceAlias> for AliasJson {
    fn from(a: SourceAlias) -> AliasJson {
        AliasJson {
            alias: a.alias,
            source: a.source,
            created_at: rfc3339(a.created_at),
        }
    }
}

/// `GET /api/v1/aliases`: the operator's aliases (the built-in ones are in
/// `crates/core/data/source-aliases.csv`; `builtin_count` says how many there are).
#[utoipa::path(get, path = "/api/v1/aliases", tag = "links",
    responses((status = 200, description = "the operator's aliases and how many built-in ones there are", body = doc::AliasList)),
    security(("bearer" = [])))]
async fn list_aliases(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items: Vec<AliasJson> = state
        .store
        .source_aliases()
        .await?
        .into_iter()
        .map(AliasJson::from)
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "items": items,
        "builtin_count": SourceAliases::builtin().len(),
    })))
}

#[derive(Debug, Deserialize)]
struct AliasBody {
    source: String,
}

/// `PUT /api/v1/aliases/{alias}` `{"source": "facebook"}`: new touches get the source;
/// stored ones after `leadtrail reclassify`.
#[utoipa::path(put, path = "/api/v1/aliases/{alias}", tag = "links", request_body = doc::AliasInput,
    params(("alias" = String, Path, description = "a name, `.domain.com` or `brand.*`")),
    responses((status = 200, description = "the alias as stored", body = AliasJson),
              (status = 422, description = "unusable, or aliases would go round in a circle", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn put_alias(
    alias: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
    known: web::Data<KnownCache>,
) -> Result<HttpResponse, ApiError> {
    let body: AliasBody = json_body(&body)?;
    let saved = state
        .store
        .put_source_alias(&alias, &body.source, now_ms())
        .await?
        .map_err(|e| ApiError::invalid("alias", e.to_string()))?;
    known.forget();
    Ok(HttpResponse::Ok().json(AliasJson::from(saved)))
}

/// `DELETE /api/v1/aliases/{alias}`
#[utoipa::path(delete, path = "/api/v1/aliases/{alias}", tag = "links",
    params(("alias" = String, Path, description = "the alias")),
    responses((status = 204, description = "removed"), (status = 404, description = "no such alias", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
async fn delete_alias(
    alias: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if state.store.delete_source_alias(&alias).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found(format!(
            "no alias {:?}",
            alias.as_str()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(name: &str, term: Option<&str>) -> SavedLink {
        SavedLink {
            id: 1,
            link: NewSavedLink {
                campaign: "webinar_sept".into(),
                name: name.into(),
                url: "https://acme.example/?a=1&utm_source=linkedin".into(),
                target: "https://acme.example/?a=1".into(),
                source: "linkedin".into(),
                medium: "paid_social".into(),
                term: term.map(str::to_owned),
                content: None,
                utm_id: None,
                channel: "paid_social".into(),
                created_at: 0,
            },
        }
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let csv = saved_links_csv(&[saved("Ad, \"A\"", Some("=HYPERLINK(1)"))]);
        let mut lines = csv.split("\r\n");
        assert!(lines.next().unwrap().starts_with("campaign,name,url,"));
        let row = lines.next().unwrap();
        assert!(row.starts_with("webinar_sept,\"Ad, \"\"A\"\"\","), "{row}");
        assert!(row.contains(",'=HYPERLINK(1),"), "{row}");
        assert_eq!(lines.next(), Some(""));
    }
}
