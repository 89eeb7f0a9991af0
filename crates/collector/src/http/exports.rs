//! `GET /api/v1/exports/offline-conversions?platform=&from=&to=[&include=qualified]`: the
//! closed loop. Won deals (and, asked for, qualified leads) of persons whose touches carry
//! the platform's click id, as the CSV file that platform's offline-conversion upload
//! takes (docs/api.md, "Back to the ad platforms", names each layout and its source).
//!
//! Marketers and admins only: every row is a person's click id (and for LinkedIn a hash of
//! their e-mail), personal data that leaves for another company, as the person exports do.
//! Erased persons are gone from the tables it reads; persons who withdrew their
//! e-marketing consent are left out.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::access::Access;
use super::error::ApiError;
use super::json::ErrorJson;
use super::quality::period_of;
use super::routes::Router;
use super::AppState;
use crate::store::costs::{
    exponent_of, minor_to_decimal, ConversionKind, OfflineConversion, Platform,
};

pub(crate) fn routes(r: &mut Router<'_>) {
    r.get("/exports/offline-conversions", offline_conversions)
        .allow(Access::Export);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(offline_conversions),
    components(schemas(Platform)),
    tags((name = "exports", description = "Files for other systems: conversions for the ad platforms"))
)]
pub(crate) struct ExportsApi;

/// Google Ads, "conversions from clicks" template: one click id column of three filled.
pub(crate) const GOOGLE_HEADER: &str = "Google Click ID,GBRAID,WBRAID,Conversion Name,\
Conversion Time,Conversion Value,Conversion Currency";
/// Microsoft Advertising, offline conversions template.
pub(crate) const MICROSOFT_HEADER: &str =
    "Microsoft Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency";
/// Meta, offline events by file: the Conversions API's parameter names.
pub(crate) const META_HEADER: &str =
    "event_name,event_time,action_source,fbc,value,currency,order_id";
/// LinkedIn Campaign Manager, CSV conversion template.
pub(crate) const LINKEDIN_HEADER: &str =
    "email,firstname,lastname,employeecompany,title,country,timestamp,eventtype,amount,currency";

/// The conversion names the Google and Microsoft files give; make conversion actions
/// (goals) of these names before the first upload.
pub(crate) const WON_NAME: &str = "Won deal";
pub(crate) const QUALIFIED_NAME: &str = "Qualified lead";

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExportQuery {
    platform: Option<String>,
    from: Option<String>,
    to: Option<String>,
    include: Option<String>,
    won_name: Option<String>,
    qualified_name: Option<String>,
}

/// Longest conversion name taken (Google's limit for a conversion action's name).
const MAX_NAME_CHARS: usize = 100;

/// The conversion names the Google and Microsoft files give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Names {
    pub(crate) won: String,
    pub(crate) qualified: String,
}

impl Default for Names {
    fn default() -> Names {
        Names {
            won: WON_NAME.to_owned(),
            qualified: QUALIFIED_NAME.to_owned(),
        }
    }
}

/// A conversion name as given: cleaned of control characters, not empty, not too long.
fn name_of(field: &'static str, value: Option<&str>, default: &str) -> Result<String, ApiError> {
    let Some(raw) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(default.to_owned());
    };
    leadtrail_core::clean::clean_text(raw, MAX_NAME_CHARS + 1)
        .filter(|name| name.chars().count() <= MAX_NAME_CHARS)
        .ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("must be the conversion action's name, 1 to {MAX_NAME_CHARS} characters"),
            )
        })
}

/// Click ids go into files other programs read: only the characters ids are made of, and
/// never a leading character a spreadsheet reads as a formula.
fn plausible_click_id(id: &str) -> bool {
    id.len() <= 256
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~'))
}

fn value_text(conversion: &OfflineConversion) -> (String, String) {
    match &conversion.value {
        Some((minor, currency)) => (
            minor_to_decimal(*minor, exponent_of(currency)),
            currency.clone(),
        ),
        None => (String::new(), String::new()),
    }
}

fn zoned(at_ms: i64, zone: &TimeZone) -> Result<jiff::Zoned, ApiError> {
    Timestamp::from_millisecond(at_ms)
        .map(|t| t.to_zoned(zone.clone()))
        .map_err(|e| ApiError::Internal(format!("a stored time is out of range: {e}")))
}

/// The file for `platform`: its parameter line (if any), header and one line per conversion.
pub(crate) fn render(
    platform: Platform,
    conversions: &[OfflineConversion],
    zone: &TimeZone,
    names: &Names,
) -> Result<String, ApiError> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut raw = String::new();
    let header = match platform {
        Platform::Google => {
            // Each time carries its offset as well; the template reads that first.
            let name = zone
                .iana_name()
                .filter(|name| !matches!(*name, "UTC" | "Etc/UTC"))
                .unwrap_or("+0000");
            raw.push_str(&format!("Parameters:TimeZone={name}\r\n"));
            GOOGLE_HEADER
        }
        Platform::Microsoft => {
            raw.push_str("Parameters:TimeZone=+0000\r\n");
            MICROSOFT_HEADER
        }
        Platform::Meta => META_HEADER,
        Platform::Linkedin => LINKEDIN_HEADER,
    };
    raw.push_str(header);
    raw.push_str("\r\n");
    let fail = |e: csv::Error| ApiError::Internal(format!("cannot write the file: {e}"));
    for conversion in conversions {
        if !plausible_click_id(&conversion.click_id) {
            continue;
        }
        let (value, currency) = value_text(conversion);
        let won = conversion.kind == ConversionKind::WonDeal;
        let name = if won { &names.won } else { &names.qualified };
        let id = conversion.click_id.as_str();
        match platform {
            Platform::Google => {
                let time = zoned(conversion.at, zone)?
                    .strftime("%Y-%m-%d %H:%M:%S%:z")
                    .to_string();
                let column = |kind: &str| {
                    if conversion.click_id_type == kind {
                        id
                    } else {
                        ""
                    }
                };
                out.write_record([
                    column("gclid"),
                    column("gbraid"),
                    column("wbraid"),
                    name,
                    &time,
                    &value,
                    &currency,
                ])
                .map_err(fail)?;
            }
            Platform::Microsoft => {
                let time = zoned(conversion.at, &TimeZone::UTC)?
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string();
                out.write_record([id, name, &time, &value, &currency])
                    .map_err(fail)?;
            }
            Platform::Meta => {
                let time = zoned(conversion.at, zone)?
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string();
                let event = if won { "Purchase" } else { "Lead" };
                let fbc = format!("fb.1.{}.{id}", conversion.click_at.unwrap_or(conversion.at));
                let order = format!(
                    "leadtrail-{}-{}-{}",
                    if won { "won" } else { "qualified" },
                    conversion.person_id,
                    conversion.at
                );
                out.write_record([
                    event,
                    &time,
                    "system_generated",
                    &fbc,
                    &value,
                    &currency,
                    &order,
                ])
                .map_err(fail)?;
            }
            Platform::Linkedin => {
                let email = hex::encode(Sha256::digest(
                    conversion.email.trim().to_lowercase().as_bytes(),
                ));
                let event = if won { "purchase" } else { "qualified_lead" };
                out.write_record([
                    email.as_str(),
                    "",
                    "",
                    "",
                    "",
                    "",
                    &conversion.at.to_string(),
                    event,
                    &value,
                    &currency,
                ])
                .map_err(fail)?;
            }
        }
    }
    let body = out
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("cannot write the file: {e}")))?;
    raw.push_str(&String::from_utf8_lossy(&body));
    Ok(raw)
}

/// `GET /api/v1/exports/offline-conversions`
#[utoipa::path(get, path = "/api/v1/exports/offline-conversions", tag = "exports",
    params(
        ("platform" = Platform, Query, description = "`google` (gclid, gbraid, wbraid), `microsoft` (msclkid), `meta` (fbclid) or `linkedin` (li_fat_id)"),
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "first day of the conversions (YYYY-MM-DD, in the configured time zone); default: 1 January of `to`'s year"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$",
         description = "last day, inclusive (YYYY-MM-DD); default: today; not before `from`"),
        ("include" = Option<String>, Query, pattern = "^(qualified)?$",
         description = "`qualified`: also the leads first qualified in the period"),
        ("won_name" = Option<String>, Query, max_length = 100,
         description = "Google and Microsoft: the conversion name of won deals; default `Won deal`"),
        ("qualified_name" = Option<String>, Query, max_length = 100,
         description = "Google and Microsoft: the conversion name of qualified leads; default `Qualified lead`")),
    responses((status = 200, description = "the platform's upload file", content_type = "text/csv", body = String),
              (status = 400, description = "the query string cannot be read", body = ErrorJson),
              (status = 422, description = "a parameter is refused (named)", body = ErrorJson)),
    security(("bearer" = [])))]
async fn offline_conversions(
    query: web::Query<ExportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let platform = match query.platform.as_deref() {
        None | Some("") => {
            return Err(ApiError::invalid(
                "platform",
                "is required: google, microsoft, meta or linkedin",
            ))
        }
        Some(text) => Platform::parse(text).ok_or_else(|| {
            ApiError::invalid("platform", "must be google, microsoft, meta or linkedin")
        })?,
    };
    let qualified = match query.include.as_deref() {
        None | Some("") => false,
        Some("qualified") => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "include",
                "must be qualified (or absent)",
            ))
        }
    };
    let names = Names {
        won: name_of("won_name", query.won_name.as_deref(), WON_NAME)?,
        qualified: name_of(
            "qualified_name",
            query.qualified_name.as_deref(),
            QUALIFIED_NAME,
        )?,
    };
    let (period, from_ms, to_ms) = period_of(query.from.as_deref(), query.to.as_deref(), &state)?;
    let conversions = state
        .store
        .offline_conversions(platform, from_ms, to_ms, qualified)
        .await?;
    let body = render(platform, &conversions, &state.time_zone, &names)?;
    let name = match platform {
        Platform::Google => "google",
        Platform::Microsoft => "microsoft",
        Platform::Meta => "meta",
        Platform::Linkedin => "linkedin",
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"leadtrail-{name}-offline-conversions-{}-{}.csv\"",
                period.from, period.to
            ),
        ))
        .body(body))
}
