//! Renderers: one per output format, each over the same results, so a
//! figure is computed once and only formatted here. Every result is a
//! [`Report`]: serialised as it is for JSON ([`json`]), and for the other
//! formats a list of tables of typed cells, defined once per result
//! ([`tabular`]; the results' tables are in `survey_tables`, `gap_tables`
//! and `sqi_tables`), that each format lays out: terminal tables
//! ([`table`]) and Markdown ([`markdown`]) for people, CSV blocks ([`csv`])
//! for data. Number text for both audiences is in [`number`]. Renderers
//! see results only, never the readers or how records are stored.

pub mod charts;
pub mod csv;
pub mod json;
pub mod markdown;
pub mod number;
pub mod report;
pub mod table;
pub mod tabular;

use serde::Serialize;

use crate::error::{Error, Result};
pub use number::{count, fixed, full, p_value};
pub use tabular::{Audience, Tabular, TextTable};

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

/// Writes `report` in `format`: JSON is the report serialised as it is
/// (the schema of SPEC §6); the other formats lay out the report's tables
/// ([`Tabular`]) for their audience. JSON and CSV are written as they are
/// made (the SQI's CSV streams its million-row block).
pub fn write<R: Report>(report: &R, format: Format, out: &mut dyn std::io::Write) -> Result<()> {
    let ioerr = |e: std::io::Error| Error::io("<output>", e);
    match format {
        Format::Json => json::write(report, out),
        Format::Csv => report.write_csv(out),
        Format::Table => out
            .write_all(
                table::render(&report.laid_out(Audience::People), &report.footer()).as_bytes(),
            )
            .map_err(ioerr),
        Format::Markdown => out
            .write_all(
                markdown::render(
                    &report.title(),
                    &report.laid_out(Audience::People),
                    &report.footer(),
                )
                .as_bytes(),
            )
            .map_err(ioerr),
    }
}

/// Renders `report` in `format` to a string (see [`write()`]).
pub fn render<R: Report>(report: &R, format: Format) -> Result<String> {
    let mut buf = Vec::new();
    write(report, format, &mut buf)?;
    String::from_utf8(buf).map_err(|e| Error::internal(format!("rendering: {e}")))
}

/// A result every format can render: serialisable (JSON) and tabular (the
/// others).
pub trait Report: Serialize + Tabular {
    /// Writes the data tables as CSV blocks.
    fn write_csv(&self, out: &mut dyn std::io::Write) -> Result<()> {
        let text = csv::render(&self.laid_out(Audience::Data))?;
        out.write_all(text.as_bytes())
            .map_err(|e| Error::io("<output>", e))
    }
}

impl Report for crate::survey::SurveyReport {}
impl Report for crate::gaps::GapsReport {}
impl Report for crate::compliance::ComplianceReport {}

impl Report for crate::sqi::SqiReport {
    fn write_csv(&self, out: &mut dyn std::io::Write) -> Result<()> {
        sqi_tables::write_csv(self, out)
    }
}

/// Renders a survey report in the chosen format.
pub fn survey(report: &crate::survey::SurveyReport, format: Format) -> Result<String> {
    render(report, format)
}

/// Renders a gap-model report in the chosen format.
pub fn gaps(report: &crate::gaps::GapsReport, format: Format) -> Result<String> {
    render(report, format)
}

/// Renders a compliance report in the chosen format.
pub fn compliance(report: &crate::compliance::ComplianceReport, format: Format) -> Result<String> {
    render(report, format)
}

/// Renders an SQI report in the chosen format.
pub fn sqi(report: &crate::sqi::SqiReport, format: Format) -> Result<String> {
    render(report, format)
}

/// Writes an SQI report in the chosen format (see [`write()`]).
pub fn sqi_to(
    report: &crate::sqi::SqiReport,
    format: Format,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    write(report, format, out)
}

pub mod gap_tables;
pub mod sqi_tables;
pub mod survey_tables;

#[cfg(test)]
mod tests;
