//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the HTTP API, generated from the
//! handlers' and JSON types' annotations (utoipa). Each route module has its own
//! `#[derive(OpenApi)]` struct; [`document`] merges them — a new module adds one
//! `.merge(...)` line there. The document holds no personal data, so it is served without
//! a token (the API calls it describes still need one).

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

/// Every error answer: `{"error": "<message>"}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorJson {
    /// What went wrong and, for a refused field, which one (`field: reason`).
    pub error: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "leadtrail",
        description = "Self-hosted lead attribution: the form endpoint and the JSON API. \
                       API calls need `Authorization: Bearer <token>`; times are RFC 3339 UTC.",
    ),
    paths(super::healthz),
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
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BaseApi::openapi();
    doc.merge(super::api::SpineApi::openapi());
    doc.merge(super::form::FormApi::openapi());
    doc.merge(super::leads::LeadsApi::openapi());
    doc.merge(super::links::LinksApi::openapi());
    doc.merge(super::search::SearchApi::openapi());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    doc
}

/// The document as JSON, built once.
static DOCUMENT_JSON: LazyLock<String> = LazyLock::new(|| {
    document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot build the OpenAPI document: {e}\"}}"))
});

/// `GET /api/v1/openapi.json`
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(DOCUMENT_JSON.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_lists_every_route_module() {
        let doc: serde_json::Value = serde_json::from_str(&DOCUMENT_JSON).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/healthz",
            "/f/{form_key}",
            "/api/v1/persons/{id}",
            "/api/v1/sales",
            "/api/v1/submissions",
            "/api/v1/links",
            "/api/v1/explain",
            "/api/v1/persons",
            "/api/v1/persons/search",
            "/api/v1/selections/{id}/board",
        ] {
            assert!(paths.contains_key(path), "{path} missing");
        }
    }
}
