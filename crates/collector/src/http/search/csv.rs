//! CSV exports of search results and selection members: every attribution column, written
//! page by page from the read pool while the response streams, so an export of a million
//! persons never sits in memory.
//!
//! Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab
//! or carriage return) get a leading `'`: exported attribution values come from visitors'
//! URLs, and `=HYPERLINK(…)` in a campaign name must stay text when the file is opened.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use leadtrail_core::{Touch, TouchField};

use crate::http::error::ApiError;
use crate::store::search::{Criteria, Entity, SearchRequest};
use crate::store::{Company, Person, Store};
use crate::time::rfc3339;

/// Rows read per query while streaming: big enough that per-query overhead is small,
/// small enough that a page is a few hundred kilobytes.
const PAGE_ROWS: usize = 500;

const PERSON_COLUMNS: [&str; 8] = [
    "id",
    "email",
    "name",
    "company_id",
    "country",
    "status",
    "owner_id",
    "created_at",
];
const COMPANY_COLUMNS: [&str; 4] = ["id", "name", "domain", "created_at"];

fn header_line(entity: Entity) -> String {
    let (base, roles): (&[&str], &[&str]) = match entity {
        Entity::Person => (&PERSON_COLUMNS, &["first_interaction", "lead_generation"]),
        Entity::Company => (&COMPANY_COLUMNS, &["source"]),
    };
    let mut cells: Vec<String> = base.iter().map(|c| (*c).to_owned()).collect();
    for role in roles {
        for field in TouchField::ALL {
            cells.push(format!("{role}.{}", field.name()));
        }
    }
    line(cells.iter().map(String::as_str))
}

/// One cell, neutralised against formulas and quoted when it must be.
pub(super) fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn line<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    let mut out = cells.map(cell).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

fn time(ms: i64) -> String {
    rfc3339(ms).unwrap_or_default()
}

fn touch_cells(touch: Option<&Touch>, cells: &mut Vec<String>) {
    for field in TouchField::ALL {
        let value = match (touch, field) {
            (Some(t), TouchField::At) => t.at.map(time),
            (Some(t), f) => t.get(f),
            (None, _) => None,
        };
        cells.push(value.unwrap_or_default());
    }
}

fn person_line(p: &Person) -> String {
    let mut cells = vec![
        p.id.to_string(),
        p.email.clone(),
        p.name.clone().unwrap_or_default(),
        p.company_id.map(|i| i.to_string()).unwrap_or_default(),
        p.country.clone().unwrap_or_default(),
        p.status.as_str().to_owned(),
        p.owner_id.map(|i| i.to_string()).unwrap_or_default(),
        time(p.created_at),
    ];
    touch_cells(p.first_interaction.as_ref(), &mut cells);
    touch_cells(p.lead_generation.as_ref(), &mut cells);
    line(cells.iter().map(String::as_str))
}

fn company_line(c: &Company) -> String {
    let mut cells = vec![
        c.id.to_string(),
        c.name.clone(),
        c.domain.clone().unwrap_or_default(),
        time(c.created_at),
    ];
    touch_cells(c.source.as_ref(), &mut cells);
    line(cells.iter().map(String::as_str))
}

struct Export {
    store: Arc<dyn Store>,
    entity: Entity,
    criteria: Criteria,
    after: Option<i64>,
    newest_first: bool,
    remaining: Option<usize>,
    started: bool,
    finished: bool,
}

impl Export {
    /// The next chunk: the header first, then one page of rows; `None` when done.
    async fn next_chunk(&mut self) -> Option<Result<Bytes, ApiError>> {
        if self.finished {
            return None;
        }
        let mut out = String::new();
        if !self.started {
            self.started = true;
            out.push_str(&header_line(self.entity));
        }
        let limit = PAGE_ROWS.min(self.remaining.unwrap_or(usize::MAX));
        if limit == 0 {
            self.finished = true;
            return Some(Ok(Bytes::from(out)));
        }
        let request = SearchRequest {
            criteria: self.criteria.clone(),
            after: self.after,
            limit,
            newest_first: self.newest_first,
        };
        let (rows, next) = match self.entity {
            Entity::Person => match self.store.search_persons(request).await {
                Ok(page) => {
                    page.items
                        .iter()
                        .for_each(|r| out.push_str(&person_line(r)));
                    (page.items.len(), page.next)
                }
                Err(e) => return self.fail(e.into()),
            },
            Entity::Company => match self.store.search_companies(request).await {
                Ok(page) => {
                    page.items
                        .iter()
                        .for_each(|c| out.push_str(&company_line(c)));
                    (page.items.len(), page.next)
                }
                Err(e) => return self.fail(e.into()),
            },
        };
        if let Some(remaining) = &mut self.remaining {
            *remaining = remaining.saturating_sub(rows);
        }
        self.after = next;
        if next.is_none() {
            self.finished = true;
        }
        Some(Ok(Bytes::from(out)))
    }

    /// A failure after the status line went out can only cut the body short; the client
    /// sees an incomplete transfer rather than a truncated file that looks whole.
    fn fail(&mut self, e: ApiError) -> Option<Result<Bytes, ApiError>> {
        tracing::warn!(error = %e, "CSV export stopped");
        self.finished = true;
        Some(Err(e))
    }
}

/// A streamed CSV answer of everything `criteria` finds after `after` (at most `cap` rows).
pub(super) fn response(
    store: Arc<dyn Store>,
    entity: Entity,
    criteria: Criteria,
    after: Option<i64>,
    cap: Option<usize>,
    newest_first: bool,
    file_name: &str,
) -> HttpResponse {
    let export = Export {
        store,
        entity,
        criteria,
        after,
        newest_first,
        remaining: cap,
        started: false,
        finished: false,
    };
    let body = futures_util::stream::unfold(export, |mut export| async move {
        export.next_chunk().await.map(|chunk| (chunk, export))
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}.csv\""),
        ))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("linkedin"), "linkedin");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+31"), "'+31");
        assert_eq!(cell("-x"), "'-x");
        assert_eq!(cell("@sum"), "'@sum");
        assert_eq!(
            cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn headers_have_every_attribution_column() {
        let person = header_line(Entity::Person);
        assert!(person.starts_with(
            "id,email,name,company_id,country,status,owner_id,created_at,first_interaction.source,"
        ));
        assert!(person.contains("lead_generation.landing_page,lead_generation.at\r\n"));
        assert_eq!(person.split(',').count(), 8 + 22);
        let company = header_line(Entity::Company);
        assert_eq!(company.split(',').count(), 4 + 11);
    }
}
