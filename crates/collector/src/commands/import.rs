//! `leadtrail import FILE`: loads historical persons, submissions (with their touches and
//! times) and sales from CSV or JSON Lines into the database.
//!
//! One row is one record, told apart by its `kind` (`person`, `submission`, `sale`); the
//! fields are those of the API (`POST /api/v1/submissions`, `POST /api/v1/sales`), and in
//! CSV the touch objects are flattened to `first_<field>` and `touch_<field>` columns and
//! `payload` is a JSON object in one cell. docs/import.md lists them all.
//!
//! Every record needs an `external_id`: a record whose id is already stored is skipped, so
//! a file can be imported again (after a crash, or grown) without duplicates. A bad row is
//! reported with its line and reason and skipped; `--strict` stops at the first.
//!
//! Speed: rows are validated here and written through the store's one writer in batches of
//! [`BATCH_ROWS`] (one transaction each), while the next batch is parsed — per-row
//! requests would pay a round trip and a commit each.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leadtrail_core::identity::Email;
use serde_json::{Map, Value};

use crate::ops::submission_input as input;
use crate::refusal::{Refusal, Refused};
use crate::store::leads::{ImportOutcome, ImportRecord};
use crate::store::Store;

/// Rows written per transaction: large enough that the commit's fsync is noise, small
/// enough that a batch's memory and the writer's pause for other writers stay small.
pub(crate) const BATCH_ROWS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// From the file name: `.csv`, or `.jsonl` / `.ndjson` / `.json`.
    pub(crate) fn of_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ImportOptions {
    pub(crate) file: PathBuf,
    pub(crate) format: Option<Format>,
    pub(crate) strict: bool,
    /// Show a progress bar (on stderr, when it is a terminal).
    pub(crate) progress: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ImportSummary {
    pub(crate) rows: u64,
    pub(crate) created: u64,
    pub(crate) already_there: u64,
    pub(crate) rejected: u64,
    pub(crate) seconds: f64,
}

impl ImportSummary {
    pub(crate) fn rows_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.rows as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// A row that was refused, with where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowError {
    pub(crate) line: u64,
    pub(crate) reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

// Consent is not among them: it is stated through a form, so it comes with submissions.
const PERSON_FIELDS: [&str; 11] = [
    "kind",
    "external_id",
    "email",
    "name",
    "company",
    "country",
    "phone",
    "status",
    "at",
    "first_interaction",
    "touch",
];

const SALE_FIELDS: [&str; 8] = [
    "kind",
    "external_id",
    "email",
    "title",
    "amount",
    "currency",
    "status",
    "at",
];

fn required_external_id(map: &Map<String, Value>) -> Refused<String> {
    input::optional_text(map, "external_id", input::MAX_EXTERNAL_ID_CHARS)?
        .flatten()
        .ok_or_else(|| {
            Refusal::invalid("external_id", "is required: it makes the import idempotent")
        })
}

/// One row's object as an import record.
pub(crate) fn record_of(map: &Map<String, Value>, now: i64) -> Refused<ImportRecord> {
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    match kind {
        "person" => {
            input::check_fields(map, &PERSON_FIELDS)?;
            let external_id = required_external_id(map)?;
            let status = match map.get("status") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.is_empty() => None,
                Some(v) => Some(input::lead_status("status", v)?),
            };
            let (submission, _) =
                input::submission_with(map, "import".to_owned(), "import".to_owned(), now)?;
            Ok(ImportRecord::Person {
                external_id,
                submission,
                status,
            })
        }
        "submission" => {
            let mut map = map.clone();
            if map.get("channel").and_then(Value::as_str) == Some("") {
                map.remove("channel");
            }
            let (submission, external_id) = input::submission(&map, "import", now)?;
            let external_id = external_id.ok_or_else(|| {
                Refusal::invalid("external_id", "is required: it makes the import idempotent")
            })?;
            Ok(ImportRecord::Submission {
                external_id,
                submission,
            })
        }
        "sale" => {
            input::check_fields(map, &SALE_FIELDS)?;
            required_external_id(map)?;
            let person_email_key = match input::optional_text(map, "email", 254)?.flatten() {
                Some(raw) => Some(
                    Email::parse(&raw)
                        .map_err(|e| Refusal::invalid("email", e.message()))?
                        .key,
                ),
                None => None,
            };
            if person_email_key.is_none() {
                return Err(Refusal::invalid(
                    "email",
                    "is required: it links the sale to its person",
                ));
            }
            let sale = input::sale_body(map, None, None, now)?;
            Ok(ImportRecord::Sale {
                person_email_key,
                sale,
            })
        }
        "" => Err(Refusal::invalid(
            "kind",
            "is required: person, submission or sale",
        )),
        other => Err(Refusal::invalid(
            "kind",
            format!("{other:?} is not one of person, submission, sale"),
        )),
    }
}

/// A CSV row as the JSON object the API would take: empty cells are absent, `first_*` and
/// `touch_*` columns form the touch objects, `payload` is parsed as JSON.
fn csv_row_object(headers: &[String], row: &csv::StringRecord) -> Refused<Map<String, Value>> {
    let mut map = Map::new();
    let mut first = Map::new();
    let mut touch = Map::new();
    for (name, value) in headers.iter().zip(row.iter()) {
        if value.is_empty() {
            continue;
        }
        if let Some(field) = name.strip_prefix("first_") {
            first.insert(field.to_owned(), Value::String(value.to_owned()));
        } else if let Some(field) = name.strip_prefix("touch_") {
            touch.insert(field.to_owned(), Value::String(value.to_owned()));
        } else if name == "payload" {
            let payload: Value = serde_json::from_str(value)
                .map_err(|e| Refusal::invalid("payload", format!("is not JSON: {e}")))?;
            map.insert(name.clone(), payload);
        } else {
            map.insert(name.clone(), Value::String(value.to_owned()));
        }
    }
    if !first.is_empty() {
        map.insert("first_interaction".to_owned(), Value::Object(first));
    }
    if !touch.is_empty() {
        map.insert("touch".to_owned(), Value::Object(touch));
    }
    Ok(map)
}

/// Rows of either format, one at a time: `(line, object or why not)`.
type Rows = Box<dyn Iterator<Item = anyhow::Result<(u64, Result<Map<String, Value>, String>)>>>;

/// Counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    progress: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

fn rows(path: &Path, format: Format, progress: ProgressBar) -> anyhow::Result<Rows> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BufReader::with_capacity(
        1 << 20,
        Counting {
            inner: file,
            progress,
        },
    );
    match format {
        Format::Jsonl => {
            let lines = reader.lines().enumerate().filter_map(|(index, line)| {
                let line_no = index as u64 + 1;
                match line {
                    Err(e) => Some(Err(
                        anyhow::Error::new(e).context(format!("cannot read line {line_no}"))
                    )),
                    Ok(text) if text.trim().is_empty() => None,
                    Ok(text) => Some(Ok((
                        line_no,
                        match serde_json::from_str::<Value>(&text) {
                            Ok(Value::Object(map)) => Ok(map),
                            Ok(_) => Err("a line must be one JSON object".to_owned()),
                            Err(e) => Err(format!("malformed JSON: {e}")),
                        },
                    ))),
                }
            });
            Ok(Box::new(lines))
        }
        Format::Csv => {
            let mut csv = csv::ReaderBuilder::new()
                .flexible(false)
                .from_reader(reader);
            let headers: Vec<String> = csv
                .headers()
                .context("cannot read the CSV header row")?
                .iter()
                .map(|h| h.trim().to_owned())
                .collect();
            if !headers.iter().any(|h| h == "kind") {
                bail!("the CSV header row has no `kind` column (see docs/import.md)");
            }
            let records = csv.into_records().map(move |record| match record {
                Ok(record) => {
                    let line = record.position().map_or(0, |p| p.line());
                    Ok((
                        line,
                        csv_row_object(&headers, &record).map_err(|e| e.to_string()),
                    ))
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    match e.kind() {
                        csv::ErrorKind::Io(_) => Err(anyhow::Error::new(e)),
                        _ => Ok((line, Err(format!("malformed CSV: {e}")))),
                    }
                }
            });
            Ok(Box::new(records))
        }
    }
}

/// A batch being written: one outcome per record.
type BatchTask =
    tokio::task::JoinHandle<crate::store::StoreResult<Vec<Result<ImportOutcome, String>>>>;

/// Runs an import into `store`; returns the summary, or the first error with `strict`.
/// Refused rows are reported through `report` as they are found.
pub(crate) async fn run(
    store: Arc<dyn Store>,
    options: &ImportOptions,
    mut report: impl FnMut(&RowError),
) -> anyhow::Result<ImportSummary> {
    let format = match options.format.or_else(|| Format::of_path(&options.file)) {
        Some(format) => format,
        None => bail!(
            "cannot tell the format of {} from its name; give --format csv or --format jsonl",
            options.file.display()
        ),
    };
    let size = std::fs::metadata(&options.file)
        .with_context(|| format!("cannot open {}", options.file.display()))?
        .len();
    let progress = if options.progress {
        let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let now = crate::time::now_ms();
    let mut summary = ImportSummary::default();
    let mut batch: Vec<ImportRecord> = Vec::with_capacity(BATCH_ROWS);
    let mut lines: Vec<u64> = Vec::with_capacity(BATCH_ROWS);
    // The batch being written while the next one is parsed.
    let mut in_flight: Option<(BatchTask, Vec<u64>)> = None;

    let settle = |summary: &mut ImportSummary,
                  outcomes: Vec<Result<ImportOutcome, String>>,
                  lines: &[u64],
                  report: &mut dyn FnMut(&RowError)|
     -> Option<RowError> {
        let mut first_error = None;
        for (outcome, line) in outcomes.into_iter().zip(lines) {
            match outcome {
                Ok(ImportOutcome::Created) => summary.created += 1,
                Ok(ImportOutcome::AlreadyThere) => summary.already_there += 1,
                Err(reason) => {
                    summary.rejected += 1;
                    let error = RowError {
                        line: *line,
                        reason,
                    };
                    report(&error);
                    first_error.get_or_insert(error);
                }
            }
        }
        first_error
    };

    let mut rows = rows(&options.file, format, progress.clone())?;
    loop {
        let next = rows.next().transpose()?;
        let done = next.is_none();
        if let Some((line, object)) = next {
            summary.rows += 1;
            match object.and_then(|map| record_of(&map, now).map_err(|e| e.to_string())) {
                Ok(record) => {
                    batch.push(record);
                    lines.push(line);
                }
                Err(reason) => {
                    summary.rejected += 1;
                    let error = RowError { line, reason };
                    report(&error);
                    if options.strict {
                        // The rows before this one are kept, as without --strict: the
                        // file's order is the import's order.
                        if let Some((task, in_flight_lines)) = in_flight.take() {
                            let outcomes = task.await??;
                            settle(&mut summary, outcomes, &in_flight_lines, &mut report);
                        }
                        if !batch.is_empty() {
                            let outcomes = store.import_records(std::mem::take(&mut batch)).await?;
                            settle(&mut summary, outcomes, &lines, &mut report);
                        }
                        progress.finish_and_clear();
                        bail!("stopped at the first bad row (--strict): {error}");
                    }
                }
            }
        }
        if batch.len() >= BATCH_ROWS || (done && !batch.is_empty()) {
            if let Some((task, in_flight_lines)) = in_flight.take() {
                let outcomes = task.await??;
                let error = settle(&mut summary, outcomes, &in_flight_lines, &mut report);
                if let (true, Some(error)) = (options.strict, error) {
                    progress.finish_and_clear();
                    bail!("stopped at the first bad row (--strict): {error}");
                }
            }
            let records = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
            let store = Arc::clone(&store);
            let task = tokio::spawn(async move { store.import_records(records).await });
            in_flight = Some((
                task,
                std::mem::replace(&mut lines, Vec::with_capacity(BATCH_ROWS)),
            ));
            let seconds = started.elapsed().as_secs_f64().max(1e-9);
            progress.set_message(format!(
                "{} rows, {:.0} rows/s",
                summary.rows,
                summary.rows as f64 / seconds
            ));
        }
        if done {
            break;
        }
    }
    if let Some((task, in_flight_lines)) = in_flight.take() {
        let outcomes = task.await??;
        let error = settle(&mut summary, outcomes, &in_flight_lines, &mut report);
        if let (true, Some(error)) = (options.strict, error) {
            progress.finish_and_clear();
            bail!("stopped at the first bad row (--strict): {error}");
        }
    }
    progress.finish_and_clear();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
