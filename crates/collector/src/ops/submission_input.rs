//! Reading and validating the JSON of the leads API and of `leadtrail import`'s rows (the
//! same shapes) into the store's types. Every refusal names the field and says what to send.
//!
//! Shared rules: times are RFC 3339 strings (`2025-06-01T12:00:00Z`); touch objects have the
//! touch JSON fields and are cleaned by core's `Touch::set`; attribution fields of stored
//! records are read-only; an unknown field is refused rather than silently ignored.

use leadtrail_core::clean::clean_text;
use leadtrail_core::identity::{Email, MAX_NAME_CHARS};
use leadtrail_core::{Touch, TouchField, TouchOrigin};
use serde_json::{Map, Value};

use crate::refusal::{Refusal, Refused};
use crate::store::is_valid_form_key;
use crate::store::leads::{
    ConsentPolicy, LeadStatus, NewSale, Requester, SaleStatus, CONSENT_FIELD,
};
use crate::store::IncomingSubmission;

/// Longest kept country and phone values (as the form endpoint keeps them).
pub(crate) const MAX_SHORT_FIELD_CHARS: usize = 64;
/// Longest external id: an id from another system, not a document.
pub(crate) const MAX_EXTERNAL_ID_CHARS: usize = 200;
/// Largest amount in minor units: sums of many stay far from i64's limit.
pub(crate) const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// Fields that hold attribution: recorded by the attribution rules, never edited.
pub(crate) const ATTRIBUTION_FIELDS: [&str; 4] = [
    "first_interaction",
    "lead_generation",
    "conversion",
    "source",
];

/// Refuses attribution fields (read-only) and fields not in `accepted`, naming them.
pub(crate) fn check_fields(map: &Map<String, Value>, accepted: &[&str]) -> Refused<()> {
    for field in ATTRIBUTION_FIELDS {
        if map.contains_key(field) && !accepted.contains(&field) {
            return Err(Refusal::invalid(
                field,
                "attribution is read-only: it is recorded from the tracker's data when the \
                 record is created and cannot be changed",
            ));
        }
    }
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| !accepted.contains(k))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Refusal::invalid(
        "body",
        format!(
            "unknown field{} {}; accepted: {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            accepted.join(", ")
        ),
    ))
}

/// A text field: `Ok(None)` when absent, `Ok(Some(None))` when null or blank.
pub(crate) fn optional_text(
    map: &Map<String, Value>,
    field: &'static str,
    max_chars: usize,
) -> Refused<Option<Option<String>>> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => {
            if s.chars().count() > max_chars {
                return Err(Refusal::invalid(
                    field,
                    format!("is longer than {max_chars} characters"),
                ));
            }
            Ok(Some(clean_text(s, max_chars)))
        }
        Some(_) => Err(Refusal::invalid(field, "must be a string or null")),
    }
}

/// A text field that must be present and not blank.
pub(crate) fn required_text(
    map: &Map<String, Value>,
    field: &'static str,
    max_chars: usize,
) -> Refused<String> {
    optional_text(map, field, max_chars)?
        .flatten()
        .ok_or_else(|| Refusal::invalid(field, "is required"))
}

/// An id field: `Ok(None)` when absent, `Ok(Some(None))` when null.
pub(crate) fn optional_id(
    map: &Map<String, Value>,
    field: &'static str,
) -> Refused<Option<Option<i64>>> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(id) if id > 0 => Ok(Some(Some(id))),
            _ => Err(Refusal::invalid(field, "must be a positive integer id")),
        },
        Some(_) => Err(Refusal::invalid(field, "must be an integer id or null")),
    }
}

/// RFC 3339 text as Unix milliseconds.
pub(crate) fn parse_time(field: &'static str, text: &str) -> Refused<i64> {
    text.trim()
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| {
            Refusal::invalid(
                field,
                format!("{text:?} is not an RFC 3339 time (e.g. 2025-06-01T12:00:00Z)"),
            )
        })
}

pub(crate) fn optional_time(map: &Map<String, Value>, field: &'static str) -> Refused<Option<i64>> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => parse_time(field, s).map(Some),
        Some(_) => Err(Refusal::invalid(
            field,
            "must be an RFC 3339 time string (e.g. 2025-06-01T12:00:00Z)",
        )),
    }
}

pub(crate) fn lead_status(field: &'static str, value: &Value) -> Refused<LeadStatus> {
    value.as_str().and_then(LeadStatus::parse).ok_or_else(|| {
        Refusal::invalid(
            field,
            format!(
                "must be one of {}",
                LeadStatus::ALL.map(LeadStatus::as_str).join(", ")
            ),
        )
    })
}

pub(crate) fn sale_status(field: &'static str, value: &Value) -> Refused<SaleStatus> {
    value.as_str().and_then(SaleStatus::parse).ok_or_else(|| {
        Refusal::invalid(
            field,
            format!(
                "must be one of {}",
                SaleStatus::ALL.map(SaleStatus::as_str).join(", ")
            ),
        )
    })
}

/// A touch object (the touch JSON fields), every value cleaned by [`Touch::set`]; `at` is an
/// RFC 3339 string (or Unix milliseconds).
pub(crate) fn touch(field: &'static str, value: &Value) -> Refused<Option<Touch>> {
    let map = match value {
        Value::Null => return Ok(None),
        Value::Object(map) => map,
        _ => return Err(Refusal::invalid(field, "must be an object of touch fields")),
    };
    let mut touch = Touch::default();
    for (name, value) in map {
        let Some(touch_field) = TouchField::from_name(name) else {
            return Err(Refusal::invalid(
                field,
                format!(
                    "unknown touch field {name}; accepted: {}",
                    TouchField::ALL.map(TouchField::name).join(", ")
                ),
            ));
        };
        match (touch_field, value) {
            (_, Value::Null) => {}
            (TouchField::At, Value::String(s)) if s.trim().is_empty() => {}
            // Unix milliseconds as text, as the tracker's wire format and CSV files carry them.
            (TouchField::At, Value::String(s)) if s.trim().bytes().all(|b| b.is_ascii_digit()) => {
                touch.set(TouchField::At, s);
            }
            (TouchField::At, Value::String(s)) => {
                touch.at = Some(parse_time(field, s)?);
            }
            (TouchField::At, Value::Number(n)) => match n.as_i64() {
                Some(ms) if ms >= 0 => touch.at = Some(ms),
                _ => return Err(Refusal::invalid(field, "at must be a time")),
            },
            (_, Value::String(s)) => touch.set(touch_field, s),
            _ => return Err(Refusal::invalid(field, format!("{name} must be a string"))),
        }
    }
    Ok((!touch.is_empty()).then_some(touch))
}

/// The minor-unit exponent of an ISO 4217 currency. Most have 2; these do not.
pub(crate) fn currency_exponent(code: &str) -> u32 {
    match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// Three upper-case letters (ISO 4217 form); lower case is refused rather than guessed.
pub(crate) fn currency(field: &'static str, value: Option<&Value>) -> Refused<String> {
    match value {
        Some(Value::String(s)) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
            Ok(s.clone())
        }
        None | Some(Value::Null) => Err(Refusal::invalid(field, "is required (e.g. EUR)")),
        _ => Err(Refusal::invalid(
            field,
            "must be an ISO 4217 code: three upper-case letters (e.g. EUR)",
        )),
    }
}

/// A decimal amount (JSON number or string, `1234.5`) in the currency's minor units,
/// exactly: more decimals than the currency has are refused, not rounded.
pub(crate) fn amount_minor(
    field: &'static str,
    value: Option<&Value>,
    exponent: u32,
) -> Refused<i64> {
    let text = match value {
        Some(Value::String(s)) => s.trim().to_owned(),
        // serde_json prints the shortest text that reads back as the same number, so a
        // literal like 19.99 comes back as "19.99".
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => return Err(Refusal::invalid(field, "is required")),
        Some(_) => {
            return Err(Refusal::invalid(
                field,
                "must be a decimal number or string",
            ))
        }
    };
    let bad = || {
        Refusal::invalid(
            field,
            format!(
                "{text:?} is not an amount; write a non-negative decimal with at most \
                 {exponent} decimals, e.g. 1234.50"
            ),
        )
    };
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && fraction.is_empty())
    {
        return Err(bad());
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > exponent as usize {
        return Err(bad());
    }
    let scale = 10i64.pow(exponent);
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let mut minor_fraction: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| bad())?
    };
    minor_fraction *= 10i64.pow(exponent - fraction.len() as u32);
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(minor_fraction))
        .filter(|m| *m <= MAX_AMOUNT_MINOR)
        .ok_or_else(|| Refusal::invalid(field, "is too large"))
}

/// Minor units back as decimal text (`123450`, 2 → `1234.50`).
pub(crate) fn amount_text(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10i64.pow(exponent);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = exponent as usize
    )
}

/// The fields of a server-side submission (`POST /api/v1/submissions`) and of a
/// `submission` import row.
pub(crate) const SUBMISSION_FIELDS: [&str; 14] = [
    "form",
    "channel",
    "email",
    "name",
    "company",
    "country",
    "phone",
    "first_interaction",
    "touch",
    "at",
    "payload",
    "external_id",
    CONSENT_FIELD,
    "kind",
];

pub(crate) const CHANNELS: [&str; 4] = ["form", "chat", "api", "import"];

/// A server-side submission from its JSON object. `default_channel` is `api` for the API
/// and `import` for imports; `now` is used when no `at` is given.
pub(crate) fn submission(
    map: &Map<String, Value>,
    default_channel: &str,
    now: i64,
) -> Refused<(IncomingSubmission, Option<String>)> {
    check_fields(map, &SUBMISSION_FIELDS)?;
    let form = required_text(map, "form", 64)?;
    if !is_valid_form_key(&form) {
        return Err(Refusal::invalid(
            "form",
            "must be 1–64 characters of A–Z, a–z, 0–9, _ and -",
        ));
    }
    let channel = match map.get("channel") {
        None | Some(Value::Null) => default_channel.to_owned(),
        Some(Value::String(s)) if CHANNELS.contains(&s.as_str()) => s.clone(),
        Some(_) => {
            return Err(Refusal::invalid(
                "channel",
                format!("must be one of {}", CHANNELS.join(", ")),
            ))
        }
    };
    submission_with(map, form, channel, now)
}

/// The person fields, touches, time, payload and external id of a submission-like object.
pub(crate) fn submission_with(
    map: &Map<String, Value>,
    form: String,
    channel: String,
    now: i64,
) -> Refused<(IncomingSubmission, Option<String>)> {
    let email_text = match map.get("email") {
        Some(Value::String(s)) => s.as_str(),
        None | Some(Value::Null) => "",
        Some(_) => return Err(Refusal::invalid("email", "must be a string")),
    };
    let email = Email::parse(email_text).map_err(|e| Refusal::invalid("email", e.message()))?;
    let received_at = optional_time(map, "at")?.unwrap_or(now);
    let first = match map.get("first_interaction") {
        Some(v) => touch("first_interaction", v)?.map(|mut t| {
            t.resolve();
            t
        }),
        None => None,
    };
    let mut current = match map.get("touch") {
        Some(v) => touch("touch", v)?,
        None => None,
    }
    .unwrap_or_default();
    current.resolve();
    if current.at.is_none() {
        current.at = Some(received_at);
    }
    let mut payload = match map.get("payload") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(p)) => p.clone(),
        Some(_) => return Err(Refusal::invalid("payload", "must be an object")),
    };
    if let Some(consent) = map.get(CONSENT_FIELD) {
        payload.insert(CONSENT_FIELD.to_owned(), consent.clone());
    }
    let external_id = optional_text(map, "external_id", MAX_EXTERNAL_ID_CHARS)?.flatten();
    let submission = IncomingSubmission {
        form_key: form,
        channel,
        email,
        name: optional_text(map, "name", MAX_NAME_CHARS)?.flatten(),
        company: optional_text(map, "company", MAX_NAME_CHARS)?.flatten(),
        country: optional_text(map, "country", MAX_SHORT_FIELD_CHARS)?.flatten(),
        phone: optional_text(map, "phone", MAX_SHORT_FIELD_CHARS)?.flatten(),
        payload,
        first,
        current,
        journey: Vec::new(),
        origin: TouchOrigin::Api,
        received_at,
        // A token holder's system speaks for its own records (a CRM's opt-outs).
        consent_policy: ConsentPolicy::GiveAndWithdraw,
        requester: Requester::default(),
    };
    Ok((submission, external_id))
}

/// The fields of `POST /api/v1/sales`.
pub(crate) const SALE_FIELDS: [&str; 9] = [
    "person_id",
    "company_id",
    "title",
    "amount",
    "currency",
    "status",
    "at",
    "external_id",
    "kind",
];

/// A new sale from its JSON object (links are checked by the store).
pub(crate) fn new_sale(map: &Map<String, Value>, now: i64) -> Refused<NewSale> {
    check_fields(map, &SALE_FIELDS)?;
    let person_id = optional_id(map, "person_id")?.flatten();
    let company_id = optional_id(map, "company_id")?.flatten();
    sale_body(map, person_id, company_id, now)
}

/// The sale fields other than the links.
pub(crate) fn sale_body(
    map: &Map<String, Value>,
    person_id: Option<i64>,
    company_id: Option<i64>,
    now: i64,
) -> Refused<NewSale> {
    let title = required_text(map, "title", MAX_NAME_CHARS)?;
    let currency = currency("currency", map.get("currency"))?;
    let amount_minor = amount_minor("amount", map.get("amount"), currency_exponent(&currency))?;
    let status = match map.get("status") {
        None | Some(Value::Null) => SaleStatus::Open,
        Some(v) => sale_status("status", v)?,
    };
    Ok(NewSale {
        person_id,
        company_id,
        title,
        amount_minor,
        currency,
        status,
        at: optional_time(map, "at")?.unwrap_or(now),
        external_id: optional_text(map, "external_id", MAX_EXTERNAL_ID_CHARS)?.flatten(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_are_exact_minor_units() {
        assert_eq!(
            amount_minor("amount", Some(&json!("1234.5")), 2),
            Ok(123450)
        );
        assert_eq!(amount_minor("amount", Some(&json!(19.99)), 2), Ok(1999));
        assert_eq!(amount_minor("amount", Some(&json!(1000)), 0), Ok(1000));
        assert_eq!(amount_minor("amount", Some(&json!("0.125")), 3), Ok(125));
        assert_eq!(amount_minor("amount", Some(&json!("1.50")), 0).ok(), None);
        assert_eq!(amount_minor("amount", Some(&json!("1.500")), 2), Ok(150));
        for bad in [
            json!("-1"),
            json!("1e3"),
            json!("abc"),
            json!("1."),
            json!(".5"),
            json!(true),
        ] {
            assert!(amount_minor("amount", Some(&bad), 2).is_err(), "{bad}");
        }
        assert!(amount_minor("amount", Some(&json!("99999999999999999999")), 2).is_err());
        assert_eq!(amount_text(123450, 2), "1234.50");
        assert_eq!(amount_text(5, 3), "0.005");
        assert_eq!(amount_text(7, 0), "7");
    }

    #[test]
    fn unknown_and_read_only_fields_are_named() {
        let map = json!({"status": "open", "first_interaction": {}})
            .as_object()
            .unwrap()
            .clone();
        let e = check_fields(&map, &["status"]).unwrap_err();
        assert!(
            matches!(&e, Refusal::Invalid { field: "first_interaction", message } if message.contains("read-only")),
            "{e}"
        );
        let map = json!({"status": "open", "colour": 1, "size": 2})
            .as_object()
            .unwrap()
            .clone();
        let e = check_fields(&map, &["status"]).unwrap_err();
        assert!(e.to_string().contains("colour, size"), "{e}");
    }

    #[test]
    fn touches_are_cleaned_and_times_read() {
        let t = touch(
            "touch",
            &json!({"source": " LinkedIn ", "campaign": "Webinar Sept", "at": "2025-01-02T03:04:05Z"}),
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.source.as_deref(), Some("linkedin"));
        assert_eq!(t.at, Some(1_735_787_045_000));
        assert!(touch("touch", &json!({"colour": "x"})).is_err());
        assert_eq!(touch("touch", &json!({})).unwrap(), None);
    }
}
