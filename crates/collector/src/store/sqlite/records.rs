//! What a submission writes: its form's row, a new person and maybe a new company by the
//! attribution rules, the submission with its conversion touch and journey, and the consent
//! it states; and a person imported without a submission. Runs inside a write on the
//! writer's connection ([`super::writer`]): a form post, an API submission, an import or the
//! demo data, all stored alike.

use std::sync::LazyLock;

use leadtrail_core::{Attribution, Touch, TouchOrigin};
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::companies::CompanyMatch;
use super::links_channels::{self, PreparedTouches};
use super::schema::{self, touch_params};
use crate::store::leads::{
    consent_value, ConsentPolicy, ExternalReceipt, ImportOutcome, LeadStatus, Requester,
    CONSENT_FIELD, PURPOSE_E_MARKETING,
};
use crate::store::{IncomingSubmission, PersonId, SubmissionReceipt};

/// The attribution rules, applied to one submission (see [`Attribution::decide`]). Consent
/// stated in the payload is recorded with it ([`note_consent`]).
pub(super) fn record(
    connection: &Connection,
    submission: &IncomingSubmission,
) -> rusqlite::Result<SubmissionReceipt> {
    record_prepared(connection, submission, None)
}

/// [`record`], with the touches already prepared when `prepared` was made with the
/// aliases the writer holds now.
pub(super) fn record_prepared(
    connection: &Connection,
    submission: &IncomingSubmission,
    prepared: Option<&PreparedTouches>,
) -> rusqlite::Result<SubmissionReceipt> {
    let IncomingSubmission {
        form_key,
        channel,
        email,
        name,
        company,
        country,
        phone,
        payload,
        first,
        current,
        origin,
        received_at,
        ..
    } = submission;
    let received_at = *received_at;
    let (form_id, utm_capture) = form_row(connection, form_key, received_at)?;
    // A form with UTM capture off keeps nothing of how the visitor came; touches given
    // through the API or an import are the caller's records and are kept as given.
    let captured = utm_capture || *origin == TouchOrigin::Api;
    // Aliases and channels before the attribution rules: every role stores the merged source
    // and its touch's channel. `first_class` is the first interaction's, which is the
    // current touch's when the browser remembered none (as Attribution::decide picks).
    let aliases = links_channels::writer_aliases(connection)?;
    let prepared_here;
    let prepared = match prepared {
        Some(prepared) if captured && prepared.made_with(&aliases) => prepared,
        _ if captured => {
            prepared_here = PreparedTouches::new(first.as_ref(), current, aliases);
            &prepared_here
        }
        _ => {
            prepared_here = PreparedTouches::new(None, &direct_touch(received_at), aliases);
            &prepared_here
        }
    };
    let (first, first_class, current, current_class) = prepared.roles();
    let no_class = schema::Classified::default();
    let existing: Option<(i64, Option<i64>)> = connection
        .prepare_cached("SELECT id, company_id FROM persons WHERE email_key = ?1")?
        .query_row([&email.key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;

    let (person_id, person_created, company_id, company_created, conversion) = match existing {
        Some((person_id, company_id)) => {
            // An existing person — and so their company — never changes.
            let attribution = Attribution::decide(first, current, false, false);
            (person_id, false, company_id, false, attribution.conversion)
        }
        None => {
            let company = CompanyMatch::find(connection, company.as_deref(), email)?;
            let attribution = Attribution::decide(first, current, true, company.is_new());
            let company = company.settle(
                connection,
                attribution.company_source,
                current_class,
                received_at,
            )?;
            let company_id = company.id;
            let empty = Touch::default();
            let first_interaction = attribution.first_interaction.unwrap_or(&empty);
            let lead_generation = attribution.lead_generation.unwrap_or(&empty);
            let id = schema::next_id(connection, schema::IdTable::Persons, false)?;
            let mut params: Vec<&dyn ToSql> = vec![
                &id,
                &email.as_given,
                &email.key,
                &name,
                &company_id,
                &country,
                &phone,
                &received_at,
            ];
            params.extend(touch_params(first_interaction));
            params.extend(touch_params(lead_generation));
            params.extend(if attribution.first_interaction.is_some() {
                first_class.params()
            } else {
                no_class.params()
            });
            params.extend(if attribution.lead_generation.is_some() {
                current_class.params()
            } else {
                no_class.params()
            });
            connection
                .prepare_cached(&schema::INSERT_PERSON)?
                .execute(&*params)?;
            let person_id = connection.last_insert_rowid();
            company.credit_source(connection, person_id)?;
            (
                person_id,
                true,
                company_id,
                company.created,
                attribution.conversion,
            )
        }
    };

    let payload = serde_json::to_string(payload)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let origin = schema::origin_text(*origin);
    let id = schema::next_id(connection, schema::IdTable::Submissions, false)?;
    let mut params: Vec<&dyn ToSql> = vec![
        &id,
        &person_id,
        &form_id,
        &channel,
        &origin,
        &received_at,
        &payload,
    ];
    let no_touch = Touch::default();
    if captured {
        params.extend(touch_params(conversion));
        params.extend(current_class.params());
    } else {
        params.extend(touch_params(&no_touch));
        params.extend(no_class.params());
    }
    connection
        .prepare_cached(&schema::INSERT_SUBMISSION)?
        .execute(&*params)?;
    let submission_id = connection.last_insert_rowid();
    // With capture off nothing of how the visitor came is kept, the journey included.
    if captured {
        super::journeys::insert(connection, submission_id, person_id, &submission.journey)?;
    }
    if !captured {
        connection
            .prepare_cached("UPDATE submissions SET utm_capture = 0 WHERE id = ?1")?
            .execute([submission_id])?;
    }
    note_consent(
        connection,
        ConsentSource {
            person_id,
            form_id,
            submission_id,
            policy: submission.consent_policy,
            requester: &submission.requester,
        },
        submission.payload.get(CONSENT_FIELD),
        received_at,
    )?;
    Ok(SubmissionReceipt {
        submission_id,
        person_id,
        person_created,
        company_id,
        company_created,
    })
}

/// The form's id and whether it captures UTM touches (a new form does), registering the
/// key on first use. The one row lookup every submission makes anyway.
fn form_row(connection: &Connection, key: &str, now: i64) -> rusqlite::Result<(i64, bool)> {
    let known = connection
        .prepare_cached("SELECT id, utm_capture FROM forms WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some(known) = known {
        return Ok(known);
    }
    connection
        .prepare_cached("INSERT INTO forms (key, created_at) VALUES (?1, ?2)")?
        .execute((key, now))?;
    Ok((connection.last_insert_rowid(), true))
}

/// What a submission to a form with UTM capture off counts as: a direct visit, at the
/// time it arrived.
fn direct_touch(received_at: i64) -> Touch {
    let mut touch = Touch {
        at: Some(received_at),
        ..Touch::default()
    };
    touch.resolve();
    touch
}

/// Records a consent statement made with a submission, and keeps the person's consent in
/// force up to date (the latest statement by time wins, so an imported old statement does
/// not override a newer one).
fn note_consent(
    connection: &Connection,
    submission: ConsentSource<'_>,
    value: Option<&Value>,
    at: i64,
) -> rusqlite::Result<()> {
    let Some(given) = value.and_then(consent_value) else {
        return Ok(());
    };
    let applied = submission.policy.allows(given);
    connection
        .prepare_cached(
            "INSERT INTO consents (person_id, purpose, given, at, form_id, submission_id, \
             applied, origin, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute((
            submission.person_id,
            PURPOSE_E_MARKETING,
            given,
            at,
            submission.form_id,
            submission.submission_id,
            applied,
            &submission.requester.origin,
            &submission.requester.address,
        ))?;
    if !applied {
        tracing::info!(
            form_id = submission.form_id,
            person_id = submission.person_id,
            given,
            "consent statement not applied: the form may not make it"
        );
        return Ok(());
    }
    connection
        .prepare_cached(
            "UPDATE persons SET consent_e_marketing = ?2, consent_e_marketing_at = ?3, \
             consent_e_marketing_form_id = ?4 \
             WHERE id = ?1 AND (consent_e_marketing_at IS NULL OR consent_e_marketing_at <= ?3)",
        )?
        .execute((submission.person_id, given, at, submission.form_id))?;
    Ok(())
}

/// The submission a consent statement came with.
#[derive(Debug, Clone, Copy)]
struct ConsentSource<'a> {
    person_id: PersonId,
    form_id: i64,
    submission_id: i64,
    policy: ConsentPolicy,
    requester: &'a Requester,
}

/// The receipt of an already stored submission, by its external id.
fn receipt_by_external_id(
    connection: &Connection,
    external_id: &str,
) -> rusqlite::Result<Option<SubmissionReceipt>> {
    connection
        .prepare_cached(
            "SELECT s.id, s.person_id, p.company_id FROM submissions s \
             JOIN persons p ON p.id = s.person_id WHERE s.external_id = ?1",
        )?
        .query_row([external_id], |row| {
            Ok(SubmissionReceipt {
                submission_id: row.get(0)?,
                person_id: row.get(1)?,
                person_created: false,
                company_id: row.get(2)?,
                company_created: false,
            })
        })
        .optional()
}

/// Records a submission unless its external id is known.
pub(super) fn record_once(
    connection: &Connection,
    submission: &IncomingSubmission,
    external_id: Option<&str>,
) -> rusqlite::Result<ExternalReceipt> {
    if let Some(external_id) = external_id {
        if let Some(receipt) = receipt_by_external_id(connection, external_id)? {
            return Ok(ExternalReceipt {
                receipt,
                replayed: true,
            });
        }
    }
    let receipt = record(connection, submission)?;
    if let Some(external_id) = external_id {
        connection
            .prepare_cached("UPDATE submissions SET external_id = ?2 WHERE id = ?1")?
            .execute((receipt.submission_id, external_id))?;
    }
    Ok(ExternalReceipt {
        receipt,
        replayed: false,
    })
}

static INSERT_IMPORTED_PERSON: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO persons (id, email, email_key, name, company_id, country, phone, \
         created_at, status, external_id, {}, {}, {}, {}) VALUES ({})",
        schema::touch_columns(schema::FIRST),
        schema::touch_columns(schema::LEAD),
        schema::class_columns(schema::FIRST),
        schema::class_columns(schema::LEAD),
        vec!["?"; 10 + 2 * (schema::TOUCH_WIDTH + schema::CLASS_WIDTH)].join(", ")
    )
});

/// A person without a submission (an import of a CRM's contacts): first interaction and
/// lead generation by the attribution rules, as if the person arrived through `current`; sources
/// merged through the aliases and classified into channels as the writer's `record` does.
pub(super) fn import_person(
    connection: &Connection,
    external_id: &str,
    person: &IncomingSubmission,
    status: Option<LeadStatus>,
) -> rusqlite::Result<ImportOutcome> {
    let known: bool = connection
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM persons WHERE external_id = ?1 OR email_key = ?2)",
        )?
        .query_row((external_id, &person.email.key), |row| row.get(0))?;
    if known {
        return Ok(ImportOutcome::AlreadyThere);
    }
    let prepared = PreparedTouches::new(
        person.first.as_ref(),
        &person.current,
        links_channels::writer_aliases(connection)?,
    );
    let (first, first_class, current, current_class) = prepared.roles();
    let company = CompanyMatch::find(connection, person.company.as_deref(), &person.email)?;
    let attribution = Attribution::decide(first, current, true, company.is_new());
    let company = company.settle(
        connection,
        attribution.company_source,
        current_class,
        person.received_at,
    )?;
    let company_id = company.id;
    let empty = Touch::default();
    let status = status.unwrap_or(LeadStatus::Open);
    let status_text = status.as_str();
    // An import may run beside a serving collector, which may erase meanwhile.
    let id = schema::next_id(connection, schema::IdTable::Persons, true)?;
    let mut params: Vec<&dyn ToSql> = vec![
        &id,
        &person.email.as_given,
        &person.email.key,
        &person.name,
        &company_id,
        &person.country,
        &person.phone,
        &person.received_at,
        &status_text,
        &external_id,
    ];
    params.extend(touch_params(
        attribution.first_interaction.unwrap_or(&empty),
    ));
    params.extend(touch_params(attribution.lead_generation.unwrap_or(&empty)));
    params.extend(first_class.params());
    params.extend(current_class.params());
    connection
        .prepare_cached(&INSERT_IMPORTED_PERSON)?
        .execute(&*params)?;
    let person_id = connection.last_insert_rowid();
    company.credit_source(connection, person_id)?;
    if status != LeadStatus::Open {
        insert_status_change(connection, person_id, status, person.received_at, None)?;
    }
    Ok(ImportOutcome::Created)
}

pub(super) fn insert_status_change(
    connection: &Connection,
    person_id: PersonId,
    status: LeadStatus,
    at: i64,
    actor: Option<&str>,
) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO status_changes (person_id, status, changed_at, actor) \
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute((person_id, status.as_str(), at, actor))?;
    Ok(())
}
