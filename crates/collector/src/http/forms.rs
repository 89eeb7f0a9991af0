//! The forms registry and the collector's settings, for the `/settings` page:
//! `GET /api/v1/forms`, `GET|PATCH /api/v1/forms/{key}` (a form's name and UTM capture)
//! and `GET /api/v1/settings` (what the configuration sets: allowed origins, rate limits,
//! body size, consent defaults, which are read-only at runtime).
//!
//! Form keys and field names are no personal data and name forms in dashboards, so every
//! role reads the registry; changing a form, and reading the configuration, is an admin's.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::access::Access;
use super::error::ApiError;
use super::json::ErrorJson;
use super::json::Items;
use super::routes::Router;
use super::AppState;
use crate::config::Settings;
use crate::store::forms::{Form, FormPatch, MAX_FORM_NAME_CHARS};
use crate::store::is_valid_form_key;
use crate::time::rfc3339;

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/forms", list_forms)
        .allow(Access::Read)
        .get("/forms/{key}", get_form)
        .allow(Access::Read)
        .patch("/forms/{key}", patch_form)
        .allow(Access::Admin)
        .audit("settings.form")
        .get("/settings", settings)
        .allow(Access::AdminRead);
}

/// The forms part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_forms, get_form, patch_form, settings),
    components(schemas(FormJson, FormPatchJson, SettingsJson)),
    tags((name = "settings", description = "Forms and the collector's settings (the /settings page)"))
)]
pub(crate) struct FormsApi;

/// A registered form.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct FormJson {
    /// The key in `/f/{key}`.
    key: String,
    /// The admin's name for it; `null` until one is given.
    name: Option<String>,
    /// When off, posts to the form are stored without touches: the submission's
    /// conversion is empty and a new person's attribution is `(direct)`.
    utm_capture: bool,
    /// When its first submission arrived.
    created_at: Option<String>,
    /// Its latest submission's time (`null` once none remain).
    last_seen_at: Option<String>,
    submissions: i64,
    /// `email` and the payload field names of its latest 500 submissions (the form's own
    /// fields: not the person fields, `_redirect` or `lt_*`), at most 100.
    fields: Vec<String>,
}

impl From<Form> for FormJson {
    fn from(form: Form) -> FormJson {
        FormJson {
            key: form.key,
            name: form.name,
            utm_capture: form.utm_capture,
            created_at: rfc3339(form.created_at),
            last_seen_at: form.last_seen_at.and_then(rfc3339),
            submissions: form.submissions,
            fields: form.fields,
        }
    }
}

/// `{"name"?, "utm_capture"?}`: at least one of them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
#[allow(dead_code)]
pub(crate) struct FormPatchJson {
    /// A display name, one line; `null` or an empty text clears it.
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    name: Option<String>,
    #[schema(nullable = false)]
    utm_capture: Option<bool>,
}

/// What the configuration sets, read-only at runtime (flags, `LEADTRAIL_*` variables or
/// the config file, see docs/configuration.md).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct SettingsJson {
    /// Origins whose pages may post forms; empty means any.
    allowed_origins: Vec<String>,
    /// Form posts one client address may make per minute; 0 means no limit.
    form_posts_per_minute: u32,
    form_post_burst: u32,
    /// Largest accepted form body, in bytes.
    max_body_bytes: usize,
    /// The consent policy of forms not named in `form_consent`.
    form_consent_default: String,
    /// `KEY=policy` per form.
    form_consent: Vec<String>,
    /// Where dashboards count their days.
    time_zone: String,
    /// The tracker's default look-back window in days (its tag's `data-lookback-days`).
    tracker_lookback_days: u32,
    /// Always false: these change in the configuration, and take effect on restart.
    editable: bool,
}

/// The tracker's `data-lookback-days` when its tag has none (crates/tracker/src/page.rs).
const TRACKER_LOOKBACK_DAYS: u32 = 90;

impl SettingsJson {
    pub(crate) fn of(settings: &Settings) -> SettingsJson {
        SettingsJson {
            allowed_origins: settings.allowed_origins.clone(),
            form_posts_per_minute: settings.form_posts_per_minute,
            form_post_burst: settings.form_post_burst,
            max_body_bytes: settings.max_body_bytes,
            form_consent_default: settings.form_consent_default.clone(),
            form_consent: settings.form_consent.clone(),
            time_zone: settings.time_zone.clone(),
            tracker_lookback_days: TRACKER_LOOKBACK_DAYS,
            editable: false,
        }
    }
}

/// The path's key, or the 404 an unknown form gets (a key no post could register is
/// unknown too).
fn form_key(key: String) -> Result<String, ApiError> {
    if is_valid_form_key(&key) {
        Ok(key)
    } else {
        Err(no_form(&key))
    }
}

fn no_form(key: &str) -> ApiError {
    ApiError::not_found(format!(
        "no form with the key {key:?}; a form is registered by its first post to /f/{{key}}"
    ))
}

/// `GET /api/v1/forms`
#[utoipa::path(get, path = "/api/v1/forms", tag = "settings",
    responses((status = 200, description = "`{\"items\": [form]}`, by key", body = Items<FormJson>)),
    security(("bearer" = [])))]
async fn list_forms(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let forms = state.store.forms().await?;
    Ok(HttpResponse::Ok().json(Items {
        items: forms.into_iter().map(FormJson::from).collect::<Vec<_>>(),
    }))
}

/// `GET /api/v1/forms/{key}`
#[utoipa::path(get, path = "/api/v1/forms/{key}", tag = "settings",
    params(("key" = String, Path, description = "the form's key", example = "contact")),
    responses(
        (status = 200, description = "the form", body = FormJson),
        (status = 404, description = "no such form", body = ErrorJson)),
    security(("bearer" = [])))]
async fn get_form(
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = form_key(key.into_inner())?;
    match state.store.form(key.clone()).await? {
        Some(form) => Ok(HttpResponse::Ok().json(FormJson::from(form))),
        None => Err(no_form(&key)),
    }
}

/// The change a PATCH body asks for; every refusal names its field.
fn form_patch(body: &[u8]) -> Result<FormPatch, ApiError> {
    let map: Map<String, Value> = super::json::json_object(body)?;
    if let Some(unknown) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "utm_capture"))
    {
        return Err(ApiError::invalid(
            "body",
            format!("unknown field {unknown:?}; a form's settings are name and utm_capture"),
        ));
    }
    let mut patch = FormPatch::default();
    match map.get("name") {
        None => {}
        Some(Value::Null) => patch.name = Some(None),
        Some(Value::String(name)) => {
            let name = name.trim();
            if name.chars().count() > MAX_FORM_NAME_CHARS {
                return Err(ApiError::invalid(
                    "name",
                    format!("a form's name is at most {MAX_FORM_NAME_CHARS} characters"),
                ));
            }
            if name.chars().any(char::is_control) {
                return Err(ApiError::invalid(
                    "name",
                    "a form's name is one line of text, without control characters",
                ));
            }
            patch.name = Some((!name.is_empty()).then(|| name.to_owned()));
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "name",
                "must be a string (or null to clear it)",
            ))
        }
    }
    match map.get("utm_capture") {
        None => {}
        Some(Value::Bool(on)) => patch.utm_capture = Some(*on),
        Some(_) => return Err(ApiError::invalid("utm_capture", "must be true or false")),
    }
    if patch == FormPatch::default() {
        return Err(ApiError::invalid(
            "body",
            "nothing to change; give name and/or utm_capture",
        ));
    }
    Ok(patch)
}

/// `PATCH /api/v1/forms/{key}`
#[utoipa::path(patch, path = "/api/v1/forms/{key}", tag = "settings",
    params(("key" = String, Path, description = "the form's key", example = "contact")),
    request_body(content = FormPatchJson,
        description = "a name, and/or UTM capture on or off (from the next post on)"),
    responses(
        (status = 200, description = "the form as changed", body = FormJson),
        (status = 400, description = "the body is not a JSON object", body = ErrorJson),
        (status = 404, description = "no such form", body = ErrorJson),
        (status = 422, description = "a field is refused (named), or there is nothing to change", body = ErrorJson)),
    security(("bearer" = [])))]
async fn patch_form(
    state: web::Data<AppState>,
    key: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let key = form_key(key.into_inner())?;
    let patch = form_patch(&body)?;
    match state.store.update_form(key.clone(), patch).await? {
        Some(form) => Ok(HttpResponse::Ok().json(FormJson::from(form))),
        None => Err(no_form(&key)),
    }
}

/// `GET /api/v1/settings`
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, description = "what the configuration sets (read-only here)", body = SettingsJson)),
    security(("bearer" = [])))]
async fn settings(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(&state.settings_view)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default shown is the tracker's own (a crate built for the browser only).
    #[test]
    fn the_lookback_default_is_the_trackers() {
        let tracker = include_str!("../../../tracker/src/page.rs");
        let declared = format!("DEFAULT_LOOKBACK_DAYS: u32 = {TRACKER_LOOKBACK_DAYS};");
        assert!(
            tracker.contains(&declared),
            "the tracker no longer says {declared}"
        );
    }

    fn refusal(body: &str) -> String {
        form_patch(body.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn patch_bodies_are_read_strictly() {
        assert_eq!(
            form_patch(br#"{"utm_capture": false}"#).unwrap(),
            FormPatch {
                name: None,
                utm_capture: Some(false)
            }
        );
        assert_eq!(
            form_patch(br#"{"name": "  Contact us  "}"#).unwrap().name,
            Some(Some("Contact us".to_owned()))
        );
        assert_eq!(form_patch(br#"{"name": ""}"#).unwrap().name, Some(None));
        assert_eq!(form_patch(br#"{"name": null}"#).unwrap().name, Some(None));
        assert_eq!(
            refusal(r#"{"utm_capture": "no"}"#),
            "utm_capture: must be true or false"
        );
        assert!(refusal(r#"{"name": 3}"#).starts_with("name: must be a string"));
        assert!(refusal(&format!(r#"{{"name": "{}"}}"#, "n".repeat(201))).starts_with("name: "));
        assert!(refusal(r#"{"name": "a\nb"}"#).starts_with("name: "));
        assert!(refusal(r#"{"key": "x"}"#).contains("unknown field \"key\""));
        assert!(refusal("{}").contains("nothing to change"));
        assert!(matches!(form_patch(b"[1]"), Err(ApiError::BadRequest(_))));
    }
}
