//! SQLite side of [`FormStore`] (migrations/0014_form_settings.sql). The registry's rows
//! are written as a form's first submission is stored (`records::form_row`);
//! here they are read and their settings changed.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::store::forms::{Form, FormPatch, FormStore, FIELD_NAME_SAMPLE, MAX_FIELD_NAMES};
use crate::store::StoreResult;

/// A form's row with its latest submission's time and its number of submissions, both
/// answered by the index `submissions_form (form_id, created_at)`.
const SELECT_FORM: &str = "SELECT f.id, f.key, f.name, f.utm_capture, f.created_at, \
     (SELECT max(s.created_at) FROM submissions s WHERE s.form_id = f.id), \
     (SELECT count(*) FROM submissions s WHERE s.form_id = f.id) \
     FROM forms f";

fn form_from(c: &Connection, row: &rusqlite::Row<'_>) -> rusqlite::Result<Form> {
    let id: i64 = row.get(0)?;
    Ok(Form {
        key: row.get(1)?,
        name: row.get(2)?,
        utm_capture: row.get(3)?,
        created_at: row.get(4)?,
        last_seen_at: row.get(5)?,
        submissions: row.get(6)?,
        fields: field_names(c, id)?,
    })
}

/// `email` (every submission has one) and the payload field names of the form's latest
/// submissions, sorted and bounded.
fn field_names(c: &Connection, form_id: i64) -> rusqlite::Result<Vec<String>> {
    let mut names = vec!["email".to_owned()];
    let more = c
        .prepare_cached(
            "SELECT DISTINCT j.key FROM (SELECT payload FROM submissions WHERE form_id = ?1 \
             ORDER BY created_at DESC LIMIT ?2) s, json_each(s.payload) j \
             WHERE j.key <> 'email' ORDER BY j.key LIMIT ?3",
        )?
        .query_map(
            params![
                form_id,
                FIELD_NAME_SAMPLE as i64,
                (MAX_FIELD_NAMES - 1) as i64
            ],
            |row| row.get::<_, String>(0),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    names.extend(more);
    Ok(names)
}

fn read_form(c: &Connection, key: &str) -> rusqlite::Result<Option<Form>> {
    let mut statement = c.prepare_cached(&format!("{SELECT_FORM} WHERE f.key = ?1"))?;
    let mut rows = statement.query([key])?;
    match rows.next()? {
        Some(row) => form_from(c, row).map(Some),
        None => Ok(None),
    }
}

#[async_trait]
impl FormStore for SqliteStore {
    async fn forms(&self) -> StoreResult<Vec<Form>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!("{SELECT_FORM} ORDER BY f.key"))?;
            let mut rows = statement.query([])?;
            let mut forms = Vec::new();
            while let Some(row) = rows.next()? {
                forms.push(form_from(c, row)?);
            }
            Ok(forms)
        })
        .await
    }

    async fn form(&self, key: String) -> StoreResult<Option<Form>> {
        self.read(move |c| read_form(c, &key)).await
    }

    async fn update_form(&self, key: String, patch: FormPatch) -> StoreResult<Option<Form>> {
        let lookup = key.clone();
        let found = self
            .writer
            .apply(move |c| {
                let id: Option<i64> = c
                    .prepare_cached("SELECT id FROM forms WHERE key = ?1")?
                    .query_row([&lookup], |row| row.get(0))
                    .optional()?;
                let Some(id) = id else { return Ok(false) };
                if let Some(name) = &patch.name {
                    c.prepare_cached("UPDATE forms SET name = ?2 WHERE id = ?1")?
                        .execute(params![id, name])?;
                }
                if let Some(capture) = patch.utm_capture {
                    c.prepare_cached("UPDATE forms SET utm_capture = ?2 WHERE id = ?1")?
                        .execute(params![id, capture])?;
                }
                Ok(true)
            })
            .await?;
        if !found {
            return Ok(None);
        }
        self.form(key).await
    }
}
