//! Renderers: one per output format, each over the same results, so a
//! figure is computed once and only formatted here. Every result is a
//! [`Report`]: serialised as it is for JSON ([`json`]), and for the other
//! formats a list of tables of typed cells, defined once per result
//! ([`tabular`]; the results' tables are in `survey_tables`, `gap_tables`
//! and `sqi_tables`), that each format lays out: terminal tables
//! ([`table`]) and Markdown ([`markdown`]) for people, one CSV table
//! ([`csv`]) and an Excel workbook of them all ([`xlsx`]) for data. Number text for both audiences is in [`number`]. Renderers
//! see results only, never the readers or how records are stored.

pub mod charts;
pub mod csv;
#[cfg(feature = "polars")]
pub mod frame;
pub mod json;
pub mod markdown;
pub mod number;
pub mod report;
pub mod table;
pub mod tabular;
pub mod xlsx;

use serde::Serialize;

use crate::error::{Error, Result};
pub use number::{count, fixed, full, p_value};
pub use tabular::{Audience, Table, Tabular, TextTable};

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
    /// One table as plain CSV (the main one, or [`Layout::table`]).
    Csv,
    /// Every table as a sheet of one Excel workbook.
    Xlsx,
    /// One table as a Parquet file (the main one, or [`Layout::table`];
    /// the `polars` feature).
    Parquet,
}

impl Format {
    /// Parses `table`, `markdown` (or `md`), `json`, `csv`, `xlsx`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "parquet" => Ok(Format::Parquet),
            _ => Err(Error::usage(format!(
                "unknown format '{s}' (table, markdown, json, csv, xlsx, parquet)"
            ))),
        }
    }

    /// The format a file name's extension asks for (`.json`, `.csv`,
    /// `.md`, `.xlsx`, `.parquet`, `.txt` for tables), if any.
    pub fn from_extension(path: &str) -> Option<Self> {
        let ext = std::path::Path::new(path).extension()?.to_str()?;
        match ext.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Markdown),
            "xlsx" => Some(Format::Xlsx),
            "parquet" => Some(Format::Parquet),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

/// How a result is laid out beyond its format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The table CSV writes (`--table`); `None` for the result's main table.
    pub table: Option<String>,
    /// Whether CSV starts with a UTF-8 byte-order mark (`--bom`, for Excel).
    pub bom: bool,
    /// The width terminal tables fit into, dropping their least important
    /// columns; `None` shows every column (`--wide`).
    pub width: Option<usize>,
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
/// ([`Tabular`]) for their audience, a row at a time (a million-row table
/// is never held as text).
pub fn write<R: Report>(
    report: &R,
    format: Format,
    layout: &Layout,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    let ioerr = |e: std::io::Error| Error::io("<output>", e);
    match format {
        Format::Json => json::write(report, out),
        Format::Csv => {
            let table = chosen_table(report, layout)?;
            if layout.bom {
                out.write_all("\u{feff}".as_bytes()).map_err(ioerr)?;
            }
            report.write_csv(&table, out)
        }
        #[cfg(feature = "polars")]
        Format::Parquet => frame::write_parquet(&chosen_table(report, layout)?, out),
        #[cfg(not(feature = "polars"))]
        Format::Parquet => Err(Error::usage(
            "Parquet output needs servgap built with its `polars` feature",
        )),
        Format::Xlsx => xlsx::write(report, out),
        Format::Table => table::write(
            &report.tables_for(Audience::People),
            &report.footer(),
            layout.width,
            out,
        )
        .map_err(ioerr),
        Format::Markdown => markdown::write(
            &report.title(),
            &report.tables_for(Audience::People),
            &report.footer(),
            out,
        )
        .map_err(ioerr),
    }
}

/// The data table `layout` names, or the report's main table.
fn chosen_table<'r, R: Report>(report: &'r R, layout: &Layout) -> Result<Table<'r>> {
    let name = layout.table.as_deref().unwrap_or(report.main_table());
    report.data_table(name).ok_or_else(|| {
        Error::usage(format!(
            "no table '{name}' in this result (--table list names them: {})",
            report.table_names().join(", ")
        ))
    })
}

/// Renders `report` in `format` to a string (see [`write()`]), every
/// column shown. An xlsx workbook is binary: use [`write()`].
pub fn render<R: Report>(report: &R, format: Format) -> Result<String> {
    let mut buf = Vec::new();
    write(report, format, &Layout::default(), &mut buf)?;
    String::from_utf8(buf).map_err(|e| Error::internal(format!("rendering: {e}")))
}

/// A result every format can render: serialisable (JSON) and tabular (the
/// others).
pub trait Report: Serialize + Tabular {
    /// Writes one of the data tables as CSV.
    fn write_csv(&self, table: &Table<'_>, out: &mut dyn std::io::Write) -> Result<()> {
        csv::write_table(table, out)
    }

    /// The data table `name` as a DataFrame, its columns the JSON field
    /// names (`None` when the result has no such table).
    #[cfg(feature = "polars")]
    fn data_frame(&self, name: &str) -> Option<Result<polars::prelude::DataFrame>> {
        self.data_table(name).map(|t| frame::table_frame(&t))
    }

    /// Every data table as a DataFrame, with its name, in order.
    #[cfg(feature = "polars")]
    fn data_frames(&self) -> Result<Vec<(String, polars::prelude::DataFrame)>> {
        self.tables_for(Audience::Data)
            .iter()
            .map(|t| Ok((t.name.clone(), frame::table_frame(t)?)))
            .collect()
    }
}

impl Report for crate::survey::SurveyReport {}
impl Report for crate::gaps::GapsReport {}
impl Report for crate::compliance::ComplianceReport {}
impl Report for crate::value::ValueReport {}
impl Report for crate::chain::ChainReport {}

impl Report for crate::sqi::SqiReport {
    fn write_csv(&self, table: &Table<'_>, out: &mut dyn std::io::Write) -> Result<()> {
        match table.name.as_str() {
            "periods" => sqi_tables::write_periods_csv(self, out),
            _ => csv::write_table(table, out),
        }
    }
}

pub mod gap_tables;
pub mod sqi_tables;
pub mod survey_tables;
pub mod value_tables;

#[cfg(test)]
mod tests;
