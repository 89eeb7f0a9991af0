//! The JSON API under `/api/v1` (behind [`super::auth::require_token`]): persons, their
//! submissions, companies; their JSON shapes are in [`super::json`].

use actix_web::{web, HttpResponse};

use super::error::ApiError;
use super::json::{CompanyJson, Items, PersonJson, SubmissionJson};
use super::AppState;

/// `GET /api/v1/persons/{id}`
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, description = "the person", body = PersonJson),
              (status = 404, description = "no such person", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn person(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let person = state
        .store
        .person(id)
        .await?
        .ok_or_else(|| ApiError::no_person(id))?;
    Ok(HttpResponse::Ok().json(PersonJson::from(person)))
}

/// `GET /api/v1/persons/{id}/submissions`, oldest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/submissions", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, description = "the person's submissions, oldest first",
               body = Items<SubmissionJson>),
              (status = 404, description = "no such person", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn submissions(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // An unknown person is a 404, not an empty list: the caller has the wrong id.
    if state.store.person(id).await?.is_none() {
        return Err(ApiError::no_person(id));
    }
    let items = state
        .store
        .submissions_of(id)
        .await?
        .into_iter()
        .map(SubmissionJson::from)
        .collect();
    Ok(HttpResponse::Ok().json(Items::<SubmissionJson> { items }))
}

/// `GET /api/v1/companies/{id}`
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, description = "the company", body = CompanyJson),
              (status = 404, description = "no such company", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn company(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let company = state
        .store
        .company(id)
        .await?
        .ok_or_else(|| ApiError::no_company(id))?;
    Ok(HttpResponse::Ok().json(CompanyJson::from(company)))
}

/// The spine's part of the OpenAPI document (see [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(paths(person, submissions, company))]
pub(crate) struct SpineApi;
