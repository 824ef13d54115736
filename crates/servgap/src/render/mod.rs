//! Renderers: one per output format, each over the same result structs, so
//! a figure is computed once and only formatted here. Numbers are shown with
//! four decimals in tables and Markdown, in full precision in JSON and CSV.

pub mod csv;
pub mod json;
pub mod markdown;
pub mod table;

use serde::Serialize;

use crate::error::{Error, Result};

/// Output formats of the computing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Aligned terminal tables.
    Table,
    /// GitHub-flavoured Markdown (for CI job summaries).
    Markdown,
    /// The JSON document of SPEC §6.
    Json,
    /// CSV blocks, one per table, separated by a blank line.
    Csv,
}

impl Format {
    /// Parses `table`, `markdown` (or `md`), `json`, `csv`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            _ => Err(Error::usage(format!(
                "unknown format '{s}' (table, markdown, json, csv)"
            ))),
        }
    }
}

/// The lines under a text report saying why rows were rejected:
/// `  rejected 3 × not a number (first on line 5)`.
pub(crate) fn rejection_lines(
    rejections: &[crate::model::tallies::Rejection],
) -> impl Iterator<Item = String> + '_ {
    rejections.iter().map(|j| {
        format!(
            "  rejected {} × {} (first on line {})",
            j.count, j.reason, j.first_line
        )
    })
}

/// A rectangular table of text cells: the common form that the table,
/// Markdown and CSV renderers lay out.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    /// Title shown above the table.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Which columns are numeric (right-aligned).
    pub numeric: Vec<bool>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// Formats an optional number with `places` decimals; `—` when unavailable.
pub fn fixed(x: Option<f64>, places: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{:.*}", places, if v == 0.0 { 0.0 } else { v }),
        Some(v) => v.to_string(),
        None => "—".to_string(),
    }
}

/// Formats a p-value: fixed below 1e-4 shows `<0.0001`.
pub fn p_value(x: Option<f64>) -> String {
    match x {
        Some(p) if p < 1e-4 => "<0.0001".into(),
        other => fixed(other, 4),
    }
}

/// Full-precision text of a number for CSV (empty when unavailable).
pub fn full(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// Formats an optional count.
pub fn count(x: Option<u64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

/// Tables of the gap model and of hard-standard compliance.
pub mod gap_tables;

/// Renders a gap-model report in the chosen format.
pub fn gaps(report: &crate::gaps::GapsReport, format: Format) -> Result<String> {
    use survey_tables::Precision;
    match format {
        Format::Json => json::render(report),
        Format::Csv => csv::render(&gap_tables::gaps_tables(report, Precision::Full)),
        Format::Table => Ok(table::render(
            &gap_tables::gaps_tables(report, Precision::Display),
            &gap_tables::gaps_footer(report),
        )),
        Format::Markdown => Ok(markdown::render(
            &format!("Gap model: {}", report.inputs.customers),
            &gap_tables::gaps_tables(report, Precision::Display),
            &gap_tables::gaps_footer(report),
        )),
    }
}

/// Renders a compliance report in the chosen format.
pub fn compliance(report: &crate::compliance::ComplianceReport, format: Format) -> Result<String> {
    use survey_tables::Precision;
    match format {
        Format::Json => json::render(report),
        Format::Csv => csv::render(&gap_tables::compliance_tables(report, Precision::Full)),
        Format::Table => Ok(table::render(
            &gap_tables::compliance_tables(report, Precision::Display),
            &gap_tables::compliance_footer(report),
        )),
        Format::Markdown => Ok(markdown::render(
            &format!("Hard-standard compliance: {}", report.inputs.events),
            &gap_tables::compliance_tables(report, Precision::Display),
            &gap_tables::compliance_footer(report),
        )),
    }
}

/// Tables and CSV of an SQI report.
pub mod sqi_tables;

/// Writes an SQI report in the chosen format. JSON and CSV are streamed
/// (a year of daily figures per site is a million rows); tables and
/// Markdown are laid out first.
pub fn sqi_to(
    report: &crate::sqi::SqiReport,
    format: Format,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let ioerr = |e: std::io::Error| Error::io("<output>", e);
    match format {
        Format::Json => {
            // serde_json writes token by token: a concrete buffer makes
            // each token a copy instead of a call through `dyn Write`.
            use std::io::Write as _;
            let mut buf = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            serde_json::to_writer_pretty(&mut buf, report).map_err(|e| {
                match e.io_error_kind() {
                    Some(kind) => Error::io("<output>", std::io::Error::new(kind, e)),
                    None => Error::internal(format!("writing JSON: {e}")),
                }
            })?;
            buf.write_all(b"\n").map_err(ioerr)?;
            buf.flush().map_err(ioerr)
        }
        Format::Csv => sqi_tables::write_csv(report, out),
        Format::Table => out
            .write_all(
                table::render(&sqi_tables::sqi_tables(report), &sqi_tables::footer(report))
                    .as_bytes(),
            )
            .map_err(ioerr),
        Format::Markdown => out
            .write_all(
                markdown::render(
                    &format!("Service Quality Index: {}", report.inputs.incidents),
                    &sqi_tables::sqi_tables(report),
                    &sqi_tables::footer(report),
                )
                .as_bytes(),
            )
            .map_err(ioerr),
    }
}

/// Renders an SQI report to a string (see [`sqi_to`]).
pub fn sqi(report: &crate::sqi::SqiReport, format: Format) -> Result<String> {
    let mut buf = Vec::new();
    sqi_to(report, format, &mut buf)?;
    String::from_utf8(buf).map_err(|e| Error::internal(format!("rendering: {e}")))
}

/// Tables of a survey report, for the text renderers.
pub mod survey_tables;

/// Renders a survey report in the chosen format.
pub fn survey(report: &crate::survey::SurveyReport, format: Format) -> Result<String> {
    use survey_tables::{footer, survey_tables, Precision};
    match format {
        Format::Json => json::render(report),
        Format::Csv => csv::render(&survey_tables(report, Precision::Full)),
        Format::Table => Ok(table::render(
            &survey_tables(report, Precision::Display),
            &footer(report),
        )),
        Format::Markdown => Ok(markdown::render(
            &format!("SERVQUAL: {}", report.inputs.survey),
            &survey_tables(report, Precision::Display),
            &footer(report),
        )),
    }
}
