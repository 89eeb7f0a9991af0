//! `leadtrail import-costs FILE`: campaign costs from a CSV file, in leadtrail's own
//! layout (`date,source,medium,campaign,amount,currency`) or as the cost reports of Google
//! Ads, Microsoft Advertising, Meta Ads Manager and LinkedIn Campaign Manager export them
//! (docs/import.md maps each column).
//!
//! The whole file is checked before anything is written, and written in one transaction:
//! a bad row fails the import with its line, and nothing of the file is stored. A row's
//! key (day, source, medium, campaign, currency) replaces what an earlier import stored,
//! so a report can be imported again, or a corrected one over it.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::store::costs::{Amount, CostRow, CostWrite};
use crate::store::Store;

/// Most errors listed before the rest are only counted.
const MAX_LISTED_ERRORS: usize = 20;

/// Whose report a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Layout {
    /// Recognised by the header row.
    Auto,
    /// `date,source,medium,campaign,amount|amount_minor,currency`.
    Leadtrail,
    Google,
    Microsoft,
    Meta,
    Linkedin,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Auto => "auto",
            Layout::Leadtrail => "leadtrail",
            Layout::Google => "google",
            Layout::Microsoft => "microsoft",
            Layout::Meta => "meta",
            Layout::Linkedin => "linkedin",
        }
    }

    /// The source and medium a platform's rows are stored with (the source as its click
    /// ids name it, so that costs meet the leads its ads brought).
    fn platform_touch(self) -> (&'static str, &'static str) {
        match self {
            Layout::Google => ("google", "cpc"),
            Layout::Microsoft => ("bing", "cpc"),
            Layout::Meta => ("facebook", "cpc"),
            Layout::Linkedin => ("linkedin", "cpc"),
            Layout::Auto | Layout::Leadtrail => ("", ""),
        }
    }
}

/// Where a layout's values are, by column index.
#[derive(Debug, Clone)]
struct Columns {
    layout: Layout,
    date: usize,
    source: Option<usize>,
    medium: Option<usize>,
    campaign: usize,
    amount: Option<usize>,
    amount_minor: Option<usize>,
    currency: Option<usize>,
    /// Meta names the currency in the amount's header: `Amount spent (EUR)`.
    currency_in_header: Option<String>,
}

fn clean_header(cell: &str) -> String {
    cell.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// The columns of `header` for `layout`, if it is that layout's header.
fn columns_for(layout: Layout, header: &[String]) -> Option<Columns> {
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let mut columns = Columns {
        layout,
        date: 0,
        source: None,
        medium: None,
        campaign: 0,
        amount: None,
        amount_minor: None,
        currency: None,
        currency_in_header: None,
    };
    match layout {
        Layout::Auto => return None,
        Layout::Leadtrail => {
            columns.date = find(&["date", "day"])?;
            columns.source = Some(find(&["source"])?);
            columns.medium = Some(find(&["medium"])?);
            columns.campaign = find(&["campaign"])?;
            columns.amount = find(&["amount"]);
            columns.amount_minor = find(&["amount_minor"]);
            columns.amount.or(columns.amount_minor)?;
            columns.currency = Some(find(&["currency"])?);
        }
        Layout::Google => {
            columns.date = find(&["day", "date"])?;
            columns.campaign = find(&["campaign"])?;
            columns.amount = Some(find(&["cost"])?);
            columns.currency = Some(find(&["currency code", "currency"])?);
        }
        Layout::Microsoft => {
            columns.date = find(&["gregorian date", "time period", "date", "day"])?;
            columns.campaign = find(&["campaign name", "campaign"])?;
            columns.amount = Some(find(&["spend"])?);
            columns.currency = Some(find(&["currency code", "currency"])?);
        }
        Layout::Meta => {
            columns.date = find(&["day", "reporting starts"])?;
            columns.campaign = find(&["campaign name"])?;
            let at = header.iter().position(|h| h.starts_with("amount spent"))?;
            columns.amount = Some(at);
            columns.currency = find(&["currency"]);
            if columns.currency.is_none() {
                let named = header[at]
                    .strip_prefix("amount spent (")?
                    .strip_suffix(')')?
                    .to_ascii_uppercase();
                columns.currency_in_header = Some(named);
            }
        }
        Layout::Linkedin => {
            columns.date = find(&["start date (in utc)", "date"])?;
            columns.campaign = find(&["campaign name", "campaign"])?;
            columns.amount = Some(find(&["total spent", "amount spent"])?);
            columns.currency = Some(find(&["currency"])?);
        }
    }
    Some(columns)
}

/// The layout a header row is, trying the most specific first.
fn detect(wanted: Layout, header: &[String]) -> Option<Columns> {
    let order: &[Layout] = match wanted {
        Layout::Auto => &[
            Layout::Leadtrail,
            Layout::Meta,
            Layout::Linkedin,
            Layout::Microsoft,
            Layout::Google,
        ],
        Layout::Leadtrail => &[Layout::Leadtrail],
        Layout::Google => &[Layout::Google],
        Layout::Microsoft => &[Layout::Microsoft],
        Layout::Meta => &[Layout::Meta],
        Layout::Linkedin => &[Layout::Linkedin],
    };
    order.iter().find_map(|layout| columns_for(*layout, header))
}

/// A platform report's day as `YYYY-MM-DD`: ISO, `YYYY/MM/DD`, or the US `M/D/YYYY`
/// the Microsoft and LinkedIn reports write.
fn platform_day(text: &str) -> String {
    let text = text.trim();
    let parts: Vec<&str> = text.split('/').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        [m, d, y] if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => text.to_owned(),
    }
}

/// A report's amount as plain decimal text: `1,234.56` → `1234.56`. Only commas between
/// groups of three digits before the point are taken out; anything else is left for the
/// amount check to refuse.
fn platform_amount(text: &str) -> String {
    let text = text.trim();
    let whole = text.split('.').next().unwrap_or("");
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3);
    if grouped {
        text.replace(',', "")
    } else {
        text.to_owned()
    }
}

/// Rows a platform report adds that are not campaign days: totals and footers.
fn is_report_furniture(date: &str, first: &str) -> bool {
    let date = date.trim().to_lowercase();
    let first = first.trim().to_lowercase();
    date.is_empty()
        || date.starts_with("total")
        || first.starts_with("total")
        || first.starts_with('©')
        || first.starts_with("(c)")
}

/// Reads and checks the whole file: its rows, or every error with its line.
pub(crate) fn read_file(path: &Path, wanted: Layout) -> anyhow::Result<(Layout, Vec<CostRow>)> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let mut columns: Option<Columns> = None;
    let mut rows = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut failed = 0usize;
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader
            .read_record(&mut record)
            .with_context(|| format!("{} is not readable CSV", path.display()))?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let Some(cols) = &columns else {
            let header: Vec<String> = record.iter().map(clean_header).collect();
            columns = detect(wanted, &header);
            // Platform reports open with a title and a date range: lines before the
            // header are skipped, at most a few.
            if columns.is_none() && line >= 12 {
                bail!(
                    "{}: no header row of the {} layout in the first 12 lines; docs/import.md \
                     lists the columns of each layout",
                    path.display(),
                    wanted.name()
                );
            }
            continue;
        };
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("");
        let layout = cols.layout;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if layout != Layout::Leadtrail && is_report_furniture(cell(Some(cols.date)), cell(Some(0)))
        {
            continue;
        }
        let (platform_source, platform_medium) = layout.platform_touch();
        let platform = layout != Layout::Leadtrail;
        let day = if platform {
            platform_day(cell(Some(cols.date)))
        } else {
            cell(Some(cols.date)).to_owned()
        };
        let amount_text = if platform {
            platform_amount(cell(cols.amount))
        } else {
            cell(cols.amount).trim().to_owned()
        };
        let minor_text = cell(cols.amount_minor).trim();
        let currency = match &cols.currency_in_header {
            Some(code) => code.clone(),
            None => cell(cols.currency).to_owned(),
        };
        let parsed = (|| {
            let amount = match (amount_text.is_empty(), minor_text.is_empty()) {
                (false, true) => Amount::Decimal(&amount_text),
                (true, false) => Amount::Minor(minor_text.parse::<i64>().map_err(|_| {
                    format!("amount_minor {minor_text:?} is not a whole number of minor units")
                })?),
                (true, true) => return Err("the amount is empty".to_owned()),
                (false, false) => return Err("give amount or amount_minor, not both".to_owned()),
            };
            CostRow::parse(
                &day,
                if platform {
                    platform_source
                } else {
                    cell(cols.source)
                },
                if platform {
                    platform_medium
                } else {
                    cell(cols.medium)
                },
                cell(Some(cols.campaign)),
                amount,
                &currency,
            )
        })();
        match parsed {
            Ok(row) => rows.push(row),
            Err(message) => {
                failed += 1;
                if errors.len() < MAX_LISTED_ERRORS {
                    errors.push(format!("line {line}: {message}"));
                }
            }
        }
    }
    let Some(columns) = columns else {
        bail!(
            "{}: no header row of the {} layout; docs/import.md lists the columns of each layout",
            path.display(),
            wanted.name()
        );
    };
    if failed > 0 {
        let more = failed.saturating_sub(errors.len());
        let tail = if more > 0 {
            format!("\n… and {more} more")
        } else {
            String::new()
        };
        bail!(
            "{}: {failed} bad row(s), nothing imported:\n{}{tail}",
            path.display(),
            errors.join("\n")
        );
    }
    if rows.is_empty() {
        bail!("{}: no cost rows after the header", path.display());
    }
    Ok((columns.layout, rows))
}

/// Imports the file; what was written, and the layout it was read as.
pub(crate) async fn run(
    store: Arc<dyn Store>,
    path: &Path,
    layout: Layout,
) -> anyhow::Result<(Layout, usize, CostWrite)> {
    let (layout, rows) = read_file(path, layout)?;
    let count = rows.len();
    let written = store
        .replace_costs(rows)
        .await
        .context("cannot write the costs (nothing was written)")?;
    Ok((layout, count, written))
}

/// The layout's name as the summary line prints it.
pub(crate) fn layout_name(layout: Layout) -> &'static str {
    layout.name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_amounts_lose_their_group_separators_only() {
        assert_eq!(platform_amount("1,234.56"), "1234.56");
        assert_eq!(platform_amount("12,345,678"), "12345678");
        assert_eq!(platform_amount("1234.56"), "1234.56");
        assert_eq!(
            platform_amount("12,34"),
            "12,34",
            "a decimal comma is not guessed"
        );
    }

    #[test]
    fn report_days_become_iso_days() {
        assert_eq!(platform_day("2026-03-02"), "2026-03-02");
        assert_eq!(platform_day("3/2/2026"), "2026-03-02");
        assert_eq!(platform_day("2026/03/02"), "2026-03-02");
    }

    #[test]
    fn headers_name_their_layout() {
        let header = |cells: &[&str]| cells.iter().map(|c| clean_header(c)).collect::<Vec<_>>();
        let of = |cells: &[&str]| detect(Layout::Auto, &header(cells)).map(|c| c.layout);
        assert_eq!(
            of(&["date", "source", "medium", "campaign", "amount", "currency"]),
            Some(Layout::Leadtrail)
        );
        assert_eq!(
            of(&["\u{feff}Day", "Campaign", "Currency code", "Cost"]),
            Some(Layout::Google)
        );
        assert_eq!(
            of(&["Gregorian date", "Campaign name", "Currency code", "Spend"]),
            Some(Layout::Microsoft)
        );
        assert_eq!(
            of(&["Day", "Campaign name", "Amount spent (EUR)"]),
            Some(Layout::Meta)
        );
        assert_eq!(
            of(&[
                "Start Date (in UTC)",
                "Campaign Name",
                "Total Spent",
                "Currency"
            ]),
            Some(Layout::Linkedin)
        );
        assert_eq!(of(&["Campaign report"]), None);
    }
}
