//! API routes of working the leads, inside the token-protected `/api/v1` scope:
//! lead status and owner (`PATCH /persons/{id}`), status history, associates, sales,
//! server-side submissions, and privacy (consent is shown with the person; export and
//! erasure of a person). Attribution stays read-only everywhere.

pub(crate) mod doc;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::ApiError;
use super::json::{json_object, CompanyJson, Items, PersonJson, SubmissionJson};
use super::routes::Router;
use super::AppState;
use crate::http::access::{Access, Principal};
use crate::ops::submission_input as input;
use crate::store::leads::{
    Associate, ConsentRecord, PersonPatch, Sale, SaleFilter, SalePatch, StatusChange,
};
use crate::time::{now_ms, rfc3339};
use leadtrail_core::identity::{Email, MAX_NAME_CHARS};

pub(crate) fn routes(r: &mut Router<'_>) {
    r.patch("/persons/{id}", patch_person)
        .allow(Access::Work)
        .audit("person.update")
        .delete("/persons/{id}", erase_person)
        .allow(Access::Admin)
        .audit("person.erase")
        .get("/persons/{id}/export", export_person)
        .allow(Access::Export)
        .audit("person.export")
        .get("/persons/{id}/status_changes", status_changes)
        .allow(Access::Read)
        .patch("/companies/{id}", patch_company)
        .allow(Access::Work)
        .audit("company.update")
        .post("/submissions", create_submission)
        .allow(Access::Work)
        .audit("submission.create")
        .patch("/submissions/{id}", patch_submission)
        .allow(Access::Work)
        .audit("submission.update")
        .post("/associates", create_associate)
        .allow(Access::Work)
        .audit("associate.create")
        .get("/associates", list_associates)
        .allow(Access::Read)
        .get("/associates/{id}", get_associate)
        .allow(Access::Read)
        .post("/sales", create_sale)
        .allow(Access::Work)
        .audit("sale.create")
        .get("/sales", list_sales)
        .allow(Access::Read)
        .get("/sales/{id}", get_sale)
        .allow(Access::Read)
        .patch("/sales/{id}", patch_sale)
        .allow(Access::Work)
        .audit("sale.update");
}

fn check(map: &Map<String, Value>, accepted: &[&str]) -> Result<(), ApiError> {
    input::check_fields(map, accepted).map_err(ApiError::from)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct StatusChangeJson {
    #[schema(value_type = String)]
    pub(crate) status: &'static str,
    pub(crate) at: Option<String>,
    /// Who changed it, as the audit log names them (a user's e-mail, `token "NAME" of
    /// OWNER`, `configured api_token`); `null` for imported statuses and older changes.
    pub(crate) actor: Option<String>,
}

impl From<StatusChange> for StatusChangeJson {
    fn from(c: StatusChange) -> StatusChangeJson {
        StatusChangeJson {
            status: c.status.as_str(),
            at: rfc3339(c.changed_at),
            actor: c.actor,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct AssociateJson {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) created_at: Option<String>,
}

impl From<Associate> for AssociateJson {
    fn from(a: Associate) -> AssociateJson {
        AssociateJson {
            id: a.id,
            name: a.name,
            email: a.email,
            created_at: rfc3339(a.created_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SaleJson {
    pub(crate) id: i64,
    pub(crate) person_id: Option<i64>,
    pub(crate) company_id: Option<i64>,
    pub(crate) title: String,
    /// Exact decimal text in the currency's unit (`"1234.50"`).
    pub(crate) amount: String,
    /// The same amount in minor units (cents), an integer.
    pub(crate) amount_minor: i64,
    pub(crate) currency: String,
    /// `open`, `won` or `lost`.
    #[schema(value_type = String)]
    pub(crate) status: &'static str,
    pub(crate) at: Option<String>,
    /// When it was won or lost.
    pub(crate) closed_at: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) created_at: Option<String>,
    pub(crate) updated_at: Option<String>,
}

impl From<Sale> for SaleJson {
    fn from(s: Sale) -> SaleJson {
        SaleJson {
            id: s.id,
            person_id: s.person_id,
            company_id: s.company_id,
            title: s.title,
            amount: input::amount_text(s.amount_minor, input::currency_exponent(&s.currency)),
            amount_minor: s.amount_minor,
            currency: s.currency,
            status: s.status.as_str(),
            at: rfc3339(s.at),
            closed_at: s.closed_at.and_then(rfc3339),
            external_id: s.external_id,
            created_at: rfc3339(s.created_at),
            updated_at: rfc3339(s.updated_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ConsentRecordJson {
    pub(crate) purpose: String,
    pub(crate) given: bool,
    pub(crate) at: Option<String>,
    pub(crate) form: Option<String>,
    pub(crate) submission_id: Option<i64>,
    /// False when the form was not allowed to make this statement (`form_consent`): kept
    /// as evidence of the attempt, it changed nothing.
    pub(crate) applied: bool,
    /// The origin of the page that posted it, when a browser did.
    pub(crate) origin: Option<String>,
    /// The address the post came from.
    pub(crate) address: Option<String>,
}

impl From<ConsentRecord> for ConsentRecordJson {
    fn from(c: ConsentRecord) -> ConsentRecordJson {
        ConsentRecordJson {
            purpose: c.purpose,
            given: c.consent.given,
            at: rfc3339(c.consent.at),
            form: c.consent.form,
            submission_id: c.submission_id,
            applied: c.applied,
            origin: c.evidence.origin,
            address: c.evidence.address,
        }
    }
}

/// A submission in the export: everything stored with it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ExportedSubmissionJson {
    #[serde(flatten)]
    pub(crate) submission: SubmissionJson,
    pub(crate) channel: String,
    #[schema(value_type = String)]
    pub(crate) origin: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PersonExportJson {
    pub(crate) exported_at: Option<String>,
    pub(crate) person: PersonJson,
    pub(crate) phone: Option<String>,
    pub(crate) company: Option<CompanyJson>,
    pub(crate) owner: Option<AssociateJson>,
    pub(crate) submissions: Vec<ExportedSubmissionJson>,
    pub(crate) status_changes: Vec<StatusChangeJson>,
    pub(crate) consents: Vec<ConsentRecordJson>,
    pub(crate) sales: Vec<SaleJson>,
    /// The touches the person's posts carried, as `GET /api/v1/persons/{id}/journey` gives them.
    pub(crate) journey: Vec<crate::http::journey::JourneyTouchJson>,
}

/// The answer to a submission, as `POST /f/{form_key}` gives it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SubmissionReceiptJson {
    pub(crate) submission_id: i64,
    pub(crate) person_id: i64,
    pub(crate) person_created: bool,
}

const PERSON_PATCH_FIELDS: [&str; 5] = ["status", "owner_id", "owner", "country", "name"];

/// `PATCH /api/v1/persons/{id}`: status, owner, country, name. A status change is kept in
/// the history with its time and who made it.
#[utoipa::path(patch, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    request_body = doc::PersonPatchInput,
    responses((status = 200, description = "the changed person", body = PersonJson), (status = 404, description = "no such person", body = super::json::ErrorJson), (status = 422, description = "a refused field (attribution is read-only), unknown fields, an unknown owner", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn patch_person(
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
    principal: web::ReqData<Principal>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let map = json_object(&body)?;
    check(&map, &PERSON_PATCH_FIELDS)?;
    let mut patch = PersonPatch::default();
    if let Some(status) = map.get("status") {
        patch.status = Some(input::lead_status("status", status)?);
    }
    if map.contains_key("owner_id") && map.contains_key("owner") {
        return Err(ApiError::invalid(
            "owner_id",
            "give owner_id or owner, not both",
        ));
    }
    patch.owner_id = match input::optional_id(&map, "owner_id")? {
        Some(owner) => Some(owner),
        None => input::optional_id(&map, "owner")?,
    };
    patch.country = input::optional_text(&map, "country", input::MAX_SHORT_FIELD_CHARS)?;
    patch.name = input::optional_text(&map, "name", MAX_NAME_CHARS)?;
    if patch == PersonPatch::default() {
        return Err(ApiError::invalid(
            "body",
            format!(
                "nothing to change; give any of {}",
                PERSON_PATCH_FIELDS.join(", ")
            ),
        ));
    }
    let person = state
        .store
        .update_person(id, patch, now_ms(), Some(principal.actor()))
        .await??;
    Ok(HttpResponse::Ok().json(PersonJson::from(person)))
}

/// `GET /api/v1/persons/{id}/status_changes`, oldest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/status_changes", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, description = "status changes, oldest first", body = Items<StatusChangeJson>), (status = 404, description = "no such person", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn status_changes(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if state.store.person(id).await?.is_none() {
        return Err(ApiError::no_person(id));
    }
    let items = state
        .store
        .status_changes(id)
        .await?
        .into_iter()
        .map(StatusChangeJson::from)
        .collect();
    Ok(HttpResponse::Ok().json(Items::<StatusChangeJson> { items }))
}

/// `PATCH /api/v1/companies/{id}`: the name, which people read and may correct. The source
/// is attribution and read-only; the company is still matched by the key it was created
/// with, so its persons stay and new leads from its domain keep finding it.
#[utoipa::path(patch, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "company id")),
    request_body = doc::CompanyPatchInput,
    responses((status = 200, description = "the renamed company", body = CompanyJson), (status = 422, description = "a refused field (the source is attribution and read-only), unknown fields, a missing or blank name", body = super::json::ErrorJson), (status = 404, description = "no such company", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn patch_company(
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let map = json_object(&body)?;
    if state.store.company(id).await?.is_none() {
        return Err(ApiError::no_company(id));
    }
    check(&map, &["name"])?;
    let name = input::required_text(&map, "name", MAX_NAME_CHARS)?;
    let company = state
        .store
        .rename_company(id, name)
        .await?
        .ok_or_else(|| ApiError::no_company(id))?;
    Ok(HttpResponse::Ok().json(CompanyJson::from(company)))
}

/// `PATCH /api/v1/submissions/{id}`: submissions are records of what was sent; their
/// conversion is attribution and read-only.
#[utoipa::path(patch, path = "/api/v1/submissions/{id}", tag = "submissions",
    params(("id" = i64, Path, description = "submission id")),
    responses((status = 422, description = "a submission cannot be changed; its conversion is attribution and read-only", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn patch_submission(
    _id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let map = json_object(&body)?;
    check(&map, &[])?;
    Err(ApiError::invalid(
        "body",
        "a submission is a record of what was sent and cannot be changed",
    ))
}

/// `POST /api/v1/submissions`: a submission from a server (chat, offline event,
/// integration). Same rules and same answer as `POST /f/{form_key}` with JSON; with a known
/// `external_id` nothing is written and the earlier submission is answered with 200.
#[utoipa::path(post, path = "/api/v1/submissions", tag = "submissions",
    request_body = doc::SubmissionInput,
    responses((status = 201, description = "stored", body = SubmissionReceiptJson), (status = 200, description = "the external_id was known: nothing written, the earlier submission", body = SubmissionReceiptJson), (status = 422, description = "a refused field", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn create_submission(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if body.len() > state.max_body_bytes {
        return Err(ApiError::too_large(state.max_body_bytes));
    }
    let map = json_object(&body)?;
    if map.contains_key("kind") {
        return Err(ApiError::invalid("body", "unknown field kind"));
    }
    let (submission, external_id) = input::submission(&map, "api", now_ms())?;
    let done = state
        .store
        .record_external_submission(submission, external_id)
        .await?;
    let body = SubmissionReceiptJson {
        submission_id: done.receipt.submission_id,
        person_id: done.receipt.person_id,
        person_created: done.receipt.person_created,
    };
    let mut response = if done.replayed {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    };
    Ok(response.json(body))
}

/// `POST /api/v1/associates` with `name` and optional `email`.
#[utoipa::path(post, path = "/api/v1/associates", tag = "associates",
    request_body = doc::AssociateInput,
    responses((status = 201, description = "created", body = AssociateJson), (status = 422, description = "a refused field, or the e-mail is taken", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn create_associate(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let map = json_object(&body)?;
    check(&map, &["name", "email"])?;
    let name = input::required_text(&map, "name", MAX_NAME_CHARS)?;
    let email = match input::optional_text(&map, "email", 254)?.flatten() {
        Some(raw) => Some(
            Email::parse(&raw)
                .map_err(|e| ApiError::invalid("email", e.message()))?
                .key,
        ),
        None => None,
    };
    let associate = state
        .store
        .create_associate(name, email, now_ms())
        .await??;
    let location = format!("/api/v1/associates/{}", associate.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(AssociateJson::from(associate)))
}

/// `GET /api/v1/associates`
#[utoipa::path(get, path = "/api/v1/associates", tag = "associates",
    responses((status = 200, description = "every associate", body = Items<AssociateJson>)),
    security(("bearer" = [])))]
pub(crate) async fn list_associates(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = state
        .store
        .associates()
        .await?
        .into_iter()
        .map(AssociateJson::from)
        .collect();
    Ok(HttpResponse::Ok().json(Items::<AssociateJson> { items }))
}

/// `GET /api/v1/associates/{id}`
#[utoipa::path(get, path = "/api/v1/associates/{id}", tag = "associates",
    params(("id" = i64, Path, description = "associate id")),
    responses((status = 200, description = "the associate", body = AssociateJson), (status = 404, description = "no such associate", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn get_associate(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let associate = state
        .store
        .associate(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no associate with id {id}")))?;
    Ok(HttpResponse::Ok().json(AssociateJson::from(associate)))
}

/// `POST /api/v1/sales`: 201 with the sale; 200 with the stored one when `external_id` is
/// already known.
#[utoipa::path(post, path = "/api/v1/sales", tag = "sales",
    request_body = doc::SaleInput,
    responses((status = 201, description = "created", body = SaleJson), (status = 200, description = "the external_id was known: the stored sale", body = SaleJson), (status = 422, description = "a refused field, or a person or company that does not exist", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn create_sale(
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let map = json_object(&body)?;
    if map.contains_key("kind") {
        return Err(ApiError::invalid("body", "unknown field kind"));
    }
    let sale = input::new_sale(&map, now_ms())?;
    if sale.person_id.is_none() && sale.company_id.is_none() {
        return Err(ApiError::invalid(
            "person_id",
            "a sale belongs to a person, a company or both: give person_id and/or company_id",
        ));
    }
    let (sale, created) = state.store.create_sale(sale, now_ms()).await??;
    let location = format!("/api/v1/sales/{}", sale.id);
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response
        .insert_header((header::LOCATION, location))
        .json(SaleJson::from(sale)))
}

const SALE_PATCH_FIELDS: [&str; 7] = [
    "title",
    "amount",
    "currency",
    "status",
    "at",
    "person_id",
    "company_id",
];

/// `PATCH /api/v1/sales/{id}`: `closed_at` is set when the status becomes won or lost.
#[utoipa::path(patch, path = "/api/v1/sales/{id}", tag = "sales",
    params(("id" = i64, Path, description = "sale id")),
    request_body = doc::SalePatchInput,
    responses((status = 200, description = "the changed sale", body = SaleJson), (status = 404, description = "no such sale", body = super::json::ErrorJson), (status = 422, description = "a refused field", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn patch_sale(
    id: web::Path<i64>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let map = json_object(&body)?;
    check(&map, &SALE_PATCH_FIELDS)?;
    let current = state
        .store
        .sale(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no sale with id {id}")))?;
    let mut patch = SalePatch::default();
    if map.contains_key("title") {
        patch.title = Some(input::required_text(&map, "title", MAX_NAME_CHARS)?);
    }
    if map.contains_key("currency") {
        patch.currency = Some(input::currency("currency", map.get("currency"))?);
    }
    let currency = patch.currency.as_deref().unwrap_or(&current.currency);
    if map.contains_key("amount") {
        patch.amount_minor = Some(input::amount_minor(
            "amount",
            map.get("amount"),
            input::currency_exponent(currency),
        )?);
    } else if patch.currency.is_some()
        && input::currency_exponent(currency) != input::currency_exponent(&current.currency)
    {
        return Err(ApiError::invalid(
            "amount",
            "the new currency has another number of decimals: give the amount too",
        ));
    }
    if let Some(status) = map.get("status") {
        patch.status = Some(input::sale_status("status", status)?);
    }
    if map.contains_key("at") {
        patch.at = Some(
            input::optional_time(&map, "at")?
                .ok_or_else(|| ApiError::invalid("at", "must be an RFC 3339 time"))?,
        );
    }
    patch.person_id = input::optional_id(&map, "person_id")?;
    patch.company_id = input::optional_id(&map, "company_id")?;
    if patch == SalePatch::default() {
        return Err(ApiError::invalid(
            "body",
            format!(
                "nothing to change; give any of {}",
                SALE_PATCH_FIELDS.join(", ")
            ),
        ));
    }
    let sale = state.store.update_sale(id, patch, now_ms()).await??;
    Ok(HttpResponse::Ok().json(SaleJson::from(sale)))
}

/// `GET /api/v1/sales/{id}`
#[utoipa::path(get, path = "/api/v1/sales/{id}", tag = "sales",
    params(("id" = i64, Path, description = "sale id")),
    responses((status = 200, description = "the sale", body = SaleJson), (status = 404, description = "no such sale", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn get_sale(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let sale = state
        .store
        .sale(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no sale with id {id}")))?;
    Ok(HttpResponse::Ok().json(SaleJson::from(sale)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SaleQuery {
    pub(crate) person_id: Option<i64>,
    pub(crate) company_id: Option<i64>,
    pub(crate) status: Option<String>,
}

/// `GET /api/v1/sales?person_id=&company_id=&status=`, oldest first.
#[utoipa::path(get, path = "/api/v1/sales", tag = "sales",
    params(("person_id" = Option<i64>, Query, description = "sales of this person"), ("company_id" = Option<i64>, Query, description = "sales of this company"), ("status" = Option<doc::SaleStatus>, Query, description = "open, won or lost")),
    responses((status = 200, description = "matching sales, oldest first", body = Items<SaleJson>), (status = 400, description = "a bad parameter", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn list_sales(
    query: web::Query<SaleQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            input::sale_status("status", &Value::String(text.to_owned()))
                .map_err(|e| ApiError::bad_request(e.to_string()))?,
        ),
    };
    let items = state
        .store
        .sales(SaleFilter {
            person_id: query.person_id,
            company_id: query.company_id,
            status,
        })
        .await?
        .into_iter()
        .map(SaleJson::from)
        .collect();
    Ok(HttpResponse::Ok().json(Items::<SaleJson> { items }))
}

/// `GET /api/v1/persons/{id}/export`: everything stored about the person.
#[utoipa::path(get, path = "/api/v1/persons/{id}/export", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, description = "everything stored about the person", body = PersonExportJson), (status = 404, description = "no such person", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn export_person(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let export = state
        .store
        .export_person(id)
        .await?
        .ok_or_else(|| ApiError::no_person(id))?;
    let phone = export.person.phone.clone();
    let body = PersonExportJson {
        exported_at: rfc3339(now_ms()),
        person: PersonJson::from(export.person),
        phone,
        company: export.company.map(CompanyJson::from),
        owner: export.associate.map(AssociateJson::from),
        submissions: export
            .submissions
            .into_iter()
            .map(|s| ExportedSubmissionJson {
                channel: s.channel.clone(),
                origin: match s.origin {
                    leadtrail_core::TouchOrigin::Tracker => "tracker",
                    leadtrail_core::TouchOrigin::RefererHeader => "referer_header",
                    leadtrail_core::TouchOrigin::Api => "api",
                },
                submission: SubmissionJson::from(s),
            })
            .collect(),
        status_changes: export
            .status_changes
            .into_iter()
            .map(StatusChangeJson::from)
            .collect(),
        consents: export
            .consents
            .into_iter()
            .map(ConsentRecordJson::from)
            .collect(),
        sales: export.sales.into_iter().map(SaleJson::from).collect(),
        journey: export
            .journey
            .into_iter()
            .map(crate::http::journey::JourneyTouchJson::from)
            .collect(),
    };
    let filename = format!("attachment; filename=\"person-{id}.json\"");
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, filename))
        .json(body))
}

/// What an erasure did besides deleting the person's own rows, and what it left.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ErasureJson {
    pub(crate) person_id: i64,
    /// Companies whose source was this person's touch: scrubbed down to source, medium,
    /// campaign and channel, and no longer linked to the person.
    pub(crate) company_sources_scrubbed: Vec<i64>,
    /// Free text elsewhere that still contains the e-mail, for a person to review.
    pub(crate) mentions: Vec<MentionJson>,
}

/// A field that still contains an erased person's e-mail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct MentionJson {
    /// `sales`, `selections`, `dashboards`, `saved_links`, `submissions`, `persons`, …
    pub(crate) table: String,
    pub(crate) column: String,
    pub(crate) id: i64,
}

/// `DELETE /api/v1/persons/{id}`: erases the person, their submissions (touches and
/// payloads), status history, consents and selection memberships, and scrubs the copy of
/// their touch that a company they created keeps as its source; their sales stay,
/// unlinked. Answers what was scrubbed and which free-text fields still mention the
/// e-mail.
#[utoipa::path(delete, path = "/api/v1/persons/{id}", tag = "persons",
    params(("id" = i64, Path, description = "person id")),
    responses((status = 200, description = "erased: the person, submissions, touches, payloads, status history, consents, selection memberships, the personal fields of a company source that was their touch; sales stay, unlinked", body = ErasureJson), (status = 404, description = "no such person", body = super::json::ErrorJson)),
    security(("bearer" = [])))]
pub(crate) async fn erase_person(
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let Some(erasure) = state.store.erase_person(id).await? else {
        return Err(ApiError::no_person(id));
    };
    tracing::info!(
        person_id = id,
        company_sources = erasure.company_sources_scrubbed.len(),
        mentions = erasure.mentions.len(),
        "person erased"
    );
    Ok(HttpResponse::Ok().json(ErasureJson {
        person_id: id,
        company_sources_scrubbed: erasure.company_sources_scrubbed,
        mentions: erasure
            .mentions
            .into_iter()
            .map(|m| MentionJson {
                table: m.table.to_owned(),
                column: m.column,
                id: m.id,
            })
            .collect(),
    }))
}

/// The leads part of the OpenAPI document (see [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    patch_person,
    status_changes,
    export_person,
    erase_person,
    patch_company,
    create_submission,
    patch_submission,
    create_associate,
    list_associates,
    get_associate,
    create_sale,
    list_sales,
    get_sale,
    patch_sale
))]
pub(crate) struct LeadsApi;
