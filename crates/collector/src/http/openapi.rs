//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the HTTP API, generated from the
//! handlers' and JSON types' annotations (utoipa). Each route module has its own
//! `#[derive(OpenApi)]` struct; [`document`] merges them — a new module adds one
//! `.merge(...)` line there. The document holds no personal data, so it is served without
//! a token (the API calls it describes still need one).

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::HttpResponse;
use serde_json::{json, Value};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadtrail",
        description = "Self-hosted lead attribution: the form endpoint and the JSON API. \
                       API calls need `Authorization: Bearer <token>`; times are RFC 3339 UTC.",
    ),
    paths(super::healthz, serve),
    tags(
        (name = "forms", description = "The public form endpoint websites post to"),
        (name = "persons", description = "Persons (leads), their status, submissions and privacy"),
        (name = "companies", description = "Companies"),
        (name = "associates", description = "Owners of leads"),
        (name = "sales", description = "Sales (opportunities)"),
        (name = "submissions", description = "Server-side submissions"),
    )
)]
struct BaseApi;

/// The whole document: the base merged with every route module's part.
pub(crate) fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BaseApi::openapi();
    doc.merge(super::api::SpineApi::openapi());
    doc.merge(super::form::FormApi::openapi());
    doc.merge(super::cross_domain::CrossDomainApi::openapi());
    doc.merge(super::leads::LeadsApi::openapi());
    doc.merge(super::journey::JourneyApi::openapi());
    doc.merge(super::links::LinksApi::openapi());
    doc.merge(super::search::SearchApi::openapi());
    doc.merge(super::tiles::doc::TilesApi::openapi());
    doc.merge(super::quality::QualityApi::openapi());
    doc.merge(super::session::SessionApi::openapi());
    doc.merge(super::tokens::TokensApi::openapi());
    doc.merge(super::users::UsersApi::openapi());
    doc.merge(super::password::PasswordApi::openapi());
    doc.merge(super::preferences::PreferencesApi::openapi());
    doc.merge(super::audit::AuditApi::openapi());
    doc.merge(super::forms::FormsApi::openapi());
    doc.merge(super::attribution::AttributionApi::openapi());
    doc.merge(super::costs::CostsApi::openapi());
    doc.merge(super::exports::ExportsApi::openapi());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            super::access::SESSION_COOKIE,
            "the session cookie `POST /api/v1/session` sets (the pages use it)",
        ))),
    );
    doc
}

/// The document as JSON, built once.
static DOCUMENT_JSON: LazyLock<String> = LazyLock::new(|| {
    serde_json::to_value(document())
        .map(|mut doc| {
            add_common_answers(&mut doc);
            doc
        })
        .and_then(|doc| serde_json::to_string_pretty(&doc))
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot build the OpenAPI document: {e}\"}}"))
});

const OPERATIONS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

/// The access decision of every registered route, by method and path.
fn decisions() -> std::collections::HashMap<(String, String), super::access::Access> {
    super::registered_routes()
        .into_iter()
        .filter_map(|r| Some(((r.method, r.path), r.access?)))
        .collect()
}

/// The answers that come from the layers every handler sits behind rather than from the
/// handler, added to each operation they apply to: 401 from the sign-in check and 403 from
/// the route's access decision (whose roles and token scope are listed as `x-roles` and
/// `x-token-scope`), 400 from the path extractor (a non-numeric id) and from the JSON body
/// readers (malformed JSON).
fn add_common_answers(doc: &mut Value) {
    let decisions = decisions();
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorJson"}}}
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in OPERATIONS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let access = decisions.get(&(method.to_owned(), path.clone())).copied();
            if let Some(access) = access.filter(|a| *a != super::access::Access::Public) {
                let roles: Vec<&str> = access.roles().iter().map(|r| r.name()).collect();
                let scope = access.token_scope_name();
                operation.insert("x-roles".into(), json!(roles));
                operation.insert("x-token-scope".into(), json!(scope));
                let note = match scope {
                    "none" => format!(
                        "\n\nRoles: {}; a signed-in session only, no token.",
                        roles.join(", ")
                    ),
                    _ => format!(
                        "\n\nRoles: {}; a token needs the scope `{scope}`.",
                        roles.join(", ")
                    ),
                };
                let description = operation
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                operation.insert(
                    "description".into(),
                    json!(format!("{description}{note}").trim_start()),
                );
                let security = operation.entry("security").or_insert_with(|| json!([]));
                if let Some(list) = security.as_array_mut() {
                    if !list.iter().any(|s| s.get("bearer").is_some()) {
                        list.push(json!({"bearer": []}));
                    }
                    list.push(json!({"session": []}));
                }
                if let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                {
                    responses.entry("403").or_insert_with(|| {
                        error("refused: the role or the token's scope does not allow it, or a signed-in write came from another site")
                    });
                }
            }
            let secured = operation
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty());
            let numeric_path_parameter = operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "path" && p["schema"]["type"] == "integer");
            let json_body = operation
                .get("requestBody")
                .is_some_and(|b| b["content"].get("application/json").is_some());
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if secured {
                responses.entry("401").or_insert_with(|| {
                    error("not signed in: no session cookie and no valid API token (`Authorization: Bearer <token>`)")
                });
            }
            if numeric_path_parameter || json_body {
                responses.entry("400").or_insert_with(|| {
                    error("the request cannot be read: a path parameter that is not a number, or a body that is not JSON")
                });
            }
        }
    }
}

/// `GET /api/v1/openapi.json`
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "forms",
    responses((status = 200, description = "this document (OpenAPI 3.1)", content_type = "application/json",
               body = Object)))]
pub(crate) async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(DOCUMENT_JSON.as_str())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Registered routes that are pages for people rather than API operations, so the
    /// document leaves them out. The demo site, the app's pages, the tracker and vendor
    /// files are served by the fallback and are no routes at all.
    const NOT_IN_DOCUMENT: &[(&str, &str)] = &[
        // The built-in page a plain form post lands on when it names no `_redirect`.
        ("get", "/thanks"),
        // Prometheus's text format for a scraper, not JSON: described on docs/operations.md.
        ("get", "/metrics"),
    ];

    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    fn documented() -> BTreeSet<(String, String)> {
        let doc: serde_json::Value = serde_json::from_str(&DOCUMENT_JSON).unwrap();
        let mut found = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS {
                if item.get(method).is_some() {
                    found.insert((method.to_owned(), path.clone()));
                }
            }
        }
        found
    }

    fn listed(routes: &BTreeSet<(String, String)>) -> String {
        let lines: Vec<String> = routes
            .iter()
            .map(|(method, path)| format!("  {} {path}", method.to_uppercase()))
            .collect();
        lines.join("\n")
    }

    #[test]
    fn document_lists_exactly_the_routes_the_app_registers() {
        let registered: BTreeSet<(String, String)> = crate::http::registered_routes()
            .into_iter()
            .map(|r| (r.method, r.path))
            .collect();
        for (method, path) in NOT_IN_DOCUMENT {
            assert!(
                registered.contains(&(method.to_string(), path.to_string())),
                "{method} {path} is listed as left out of the document but is not registered"
            );
        }
        let excluded: BTreeSet<(String, String)> = NOT_IN_DOCUMENT
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        let served: BTreeSet<_> = registered.difference(&excluded).cloned().collect();
        let documented = documented();
        let undocumented: BTreeSet<_> = served.difference(&documented).cloned().collect();
        let not_served: BTreeSet<_> = documented.difference(&served).cloned().collect();
        assert!(
            undocumented.is_empty() && not_served.is_empty(),
            "registered but missing from the document:\n{}\nin the document but not registered:\n{}",
            listed(&undocumented),
            listed(&not_served)
        );
        // The list is the app's own: it holds the routes of every module.
        for path in [
            "/api/v1/tiles/{tile}",
            "/api/v1/dashboards/{id}",
            "/f/{form_key}",
        ] {
            assert!(
                served.iter().any(|(_, p)| p == path),
                "{path} not registered"
            );
        }
    }

    /// Two types with one schema name leave one of them in the document, silently: the
    /// trend tiles' `by` (with `all`) and attribution's `by` both were `By`.
    #[test]
    fn groupings_of_trends_and_attribution_keep_their_own_values() {
        let doc: serde_json::Value = serde_json::from_str(&DOCUMENT_JSON).unwrap();
        let values = |name: &str| doc["components"]["schemas"][name]["enum"].to_string();
        assert_eq!(values("TrendBy"), r#"["lead_source","channel","all"]"#);
        assert_eq!(
            values("AttributionBy"),
            r#"["source","medium","campaign","channel"]"#
        );
        assert!(doc["components"]["schemas"].get("By").is_none());
    }
}
