//! `GET /api/v1/me/preferences`, `PUT /api/v1/me/preferences/language` and
//! `PUT /api/v1/me/preferences/columns/{table}`: the signed-in user's own settings of the
//! app (the language of the pages, the columns of each table), stored on the server so
//! they follow the user to any browser. Each user reads and writes only their own.

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

use super::access::{Access, Principal};
use super::error::ApiError;
use super::json::ErrorJson;
use super::routes::Router;
use super::AppState;
use crate::store::preferences::{
    is_valid_id, PreferenceError, Preferences, LANGUAGES, MAX_COLUMNS, MAX_ID_LEN,
};

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/me/preferences", get_preferences)
        .allow(Access::SignedIn)
        .put("/me/preferences/language", put_language)
        .allow(Access::SignedInWrite)
        .put("/me/preferences/columns/{table}", put_columns)
        .allow(Access::SignedInWrite);
}

/// The preferences part of the OpenAPI document (merged in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_preferences, put_language, put_columns),
    components(schemas(PreferencesJson, Language))
)]
pub(crate) struct PreferencesApi;

/// A language the app speaks.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum Language {
    En,
    Nb,
    Nl,
}

/// `{"language": "nb", "columns": {"company.persons": ["name", "status"]}}`
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PreferencesJson {
    /// The language the pages speak; `null`: the browser's (Accept-Language).
    #[schema(value_type = Option<Language>)]
    language: Option<String>,
    /// Per table of the pages, the ids of the columns shown, in order.
    #[schema(value_type = BTreeMap<String, Vec<String>>)]
    columns: BTreeMap<String, Vec<String>>,
}

impl From<Preferences> for PreferencesJson {
    fn from(p: Preferences) -> Self {
        PreferencesJson {
            language: p.language,
            columns: p.columns,
        }
    }
}

/// The signed-in user's id: preferences are a user's, and the operator token of the
/// configuration has no user.
fn user_of(req: &HttpRequest) -> Result<i64, ApiError> {
    let principal = req
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or(ApiError::Unauthorized)?;
    principal.user.map(|u| u.id).ok_or_else(|| {
        ApiError::Forbidden(
            "preferences belong to a user; the configured operator token has none (sign in, or use a user's token)"
                .to_owned(),
        )
    })
}

fn json_of(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))
}

/// A language from a body: one of [`LANGUAGES`], or `null` for the browser's.
fn language_of(body: &[u8]) -> Result<Option<String>, ApiError> {
    let refused = || {
        ApiError::invalid(
            "language",
            format!(
                "must be one of {} as a JSON string, or null to follow the browser",
                LANGUAGES.join(", ")
            ),
        )
    };
    match json_of(body)? {
        Value::Null => Ok(None),
        Value::String(code) if LANGUAGES.contains(&code.as_str()) => Ok(Some(code)),
        _ => Err(refused()),
    }
}

/// A table's id from the path.
fn table_of(table: String) -> Result<String, ApiError> {
    if is_valid_id(&table) {
        Ok(table)
    } else {
        Err(ApiError::invalid(
            "table",
            format!("a table id is 1 to {MAX_ID_LEN} of a-z, 0-9, _, . and -"),
        ))
    }
}

/// Column ids from a body: a JSON array of distinct ids, at most [`MAX_COLUMNS`].
fn columns_of(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let Value::Array(items) = json_of(body)? else {
        return Err(ApiError::invalid(
            "columns",
            "must be a JSON array of column ids ([] forgets the choice)",
        ));
    };
    if items.len() > MAX_COLUMNS {
        return Err(ApiError::invalid(
            "columns",
            format!("at most {MAX_COLUMNS} columns, not {}", items.len()),
        ));
    }
    let mut columns: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(id) = item else {
            return Err(ApiError::invalid("columns", "every column id is a string"));
        };
        if !is_valid_id(&id) {
            return Err(ApiError::invalid(
                "columns",
                format!("a column id is 1 to {MAX_ID_LEN} of a-z, 0-9, _, . and -"),
            ));
        }
        if columns.contains(&id) {
            return Err(ApiError::invalid("columns", format!("{id} is named twice")));
        }
        columns.push(id);
    }
    Ok(columns)
}

/// `GET /api/v1/me/preferences`
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "users",
    responses(
        (status = 200, description = "the signed-in user's preferences (defaults when none are stored)", body = PreferencesJson),
        (status = 403, description = "the configured operator token, which has no user", body = ErrorJson)),
    security(("bearer" = [])))]
async fn get_preferences(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user = user_of(&req)?;
    let preferences = state.store.preferences(user).await?;
    Ok(HttpResponse::Ok().json(PreferencesJson::from(preferences)))
}

/// `PUT /api/v1/me/preferences/language`
#[utoipa::path(put, path = "/api/v1/me/preferences/language", tag = "users",
    request_body(content = Option<Language>,
        description = "`\"en\"`, `\"nb\"` or `\"nl\"`; `null` follows the browser's language"),
    responses(
        (status = 200, description = "stored: the user's preferences now", body = PreferencesJson),
        (status = 400, description = "the body is not JSON", body = ErrorJson),
        (status = 403, description = "the configured operator token, which has no user", body = ErrorJson),
        (status = 422, description = "not a language the app speaks", body = ErrorJson)),
    security(("bearer" = [])))]
async fn put_language(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = user_of(&req)?;
    let language = language_of(&body)?;
    state.store.set_language(user, language).await?;
    let preferences = state.store.preferences(user).await?;
    Ok(HttpResponse::Ok().json(PreferencesJson::from(preferences)))
}

/// `PUT /api/v1/me/preferences/columns/{table}`
#[utoipa::path(put, path = "/api/v1/me/preferences/columns/{table}", tag = "users",
    params(("table" = String, Path, pattern = r"^[a-z0-9_.\-]{1,64}$",
        description = "the table's id, as the page names it (`company.persons`)")),
    request_body(content = Vec<String>,
        description = "the ids of the columns to show, in order (at most 40, each 1 to 64 of a-z, 0-9, _, . and -); `[]` forgets the choice"),
    responses(
        (status = 200, description = "stored: the user's preferences now", body = PreferencesJson),
        (status = 400, description = "the body is not JSON", body = ErrorJson),
        (status = 403, description = "the configured operator token, which has no user", body = ErrorJson),
        (status = 422, description = "the table id or a column id is refused, too many columns or tables (the message says which)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn put_columns(
    req: HttpRequest,
    state: web::Data<AppState>,
    table: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = user_of(&req)?;
    let table = table_of(table.into_inner())?;
    let columns = columns_of(&body)?;
    match state.store.set_columns(user, table, columns).await? {
        Ok(()) => {}
        Err(refused @ PreferenceError::TooManyTables) => {
            return Err(ApiError::invalid("table", refused.to_string()))
        }
    }
    let preferences = state.store.preferences(user).await?;
    Ok(HttpResponse::Ok().json(PreferencesJson::from(preferences)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_the_apps_or_null() {
        assert_eq!(language_of(b"\"nb\"").unwrap().as_deref(), Some("nb"));
        assert_eq!(language_of(b"null").unwrap(), None);
        for refused in [&b"\"de\""[..], b"\"NB\"", b"1", b"[\"nb\"]", b"{}"] {
            assert!(
                matches!(
                    language_of(refused),
                    Err(ApiError::Refused(crate::refusal::Refusal::Invalid { .. }))
                ),
                "{}",
                String::from_utf8_lossy(refused)
            );
        }
        assert!(matches!(language_of(b"nb"), Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn columns_are_distinct_ids_and_not_too_many() {
        assert_eq!(
            columns_of(br#"["name", "lead.source", "first-medium_2"]"#).unwrap(),
            ["name", "lead.source", "first-medium_2"]
        );
        assert!(columns_of(b"[]").unwrap().is_empty());
        let forty: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
        assert_eq!(
            columns_of(serde_json::to_string(&forty).unwrap().as_bytes())
                .unwrap()
                .len(),
            40
        );
        let forty_one: Vec<String> = (0..41).map(|i| format!("c{i}")).collect();
        let too_long = format!("[\"{}\"]", "a".repeat(65));
        for refused in [
            serde_json::to_string(&forty_one).unwrap(),
            too_long,
            r#"["Name"]"#.to_owned(),
            r#"["a b"]"#.to_owned(),
            r#"[""]"#.to_owned(),
            r#"["a", "a"]"#.to_owned(),
            r#"[1]"#.to_owned(),
            r#"{"columns": ["a"]}"#.to_owned(),
            r#""a""#.to_owned(),
        ] {
            assert!(
                matches!(
                    columns_of(refused.as_bytes()),
                    Err(ApiError::Refused(crate::refusal::Refusal::Invalid { .. }))
                ),
                "{refused}"
            );
        }
        assert!(table_of("company.persons".to_owned()).is_ok());
        assert!(table_of("Company".to_owned()).is_err());
        assert!(table_of(String::new()).is_err());
    }
}
