//! The column map of `--columns FILE` (SPEC §3.1): real exports name their
//! columns after the question text, so a CSV `column,item,measure` says which
//! column holds which item's expectation, perception, adequate or desired
//! score. `column` is a header text (case-insensitive) or a 1-based number.

pub use crate::model::responses::Measure;

use super::{check_width, read_small, Header, ReadOptions, Source};
use crate::error::{quoted, Error, Result};

/// One mapping row: raw column reference, item id, measure, and its line.
#[derive(Debug, Clone)]
pub struct ColumnMapEntry {
    /// Header text or 1-based number, as written.
    pub column: String,
    /// Item id.
    pub item: String,
    /// Which score.
    pub measure: Measure,
    /// Line in the map file.
    pub line: u64,
}

/// A parsed `--columns` file.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// The map file's name.
    pub file: String,
    /// Its rows.
    pub entries: Vec<ColumnMapEntry>,
}

impl ColumnMap {
    /// Reads a column map (always UTF-8 or GB18030 by detection).
    pub fn load(source: &Source) -> Result<Self> {
        let file = source.name();
        let (header, rows) = read_small(source, &ReadOptions::default())?;
        let need = |c: &str| {
            header.find(c).ok_or_else(|| {
                Error::file(
                    &file,
                    Some(1),
                    format!("a column map needs a '{c}' column (column,item,measure)"),
                )
            })
        };
        let (cc, ic, mc) = (need("column")?, need("item")?, need("measure")?);
        let mut entries = Vec::new();
        for (line, row) in &rows {
            check_width(&file, &header, *line, row)?;
            let measure = Measure::parse(&row[mc]).ok_or_else(|| {
                super::invalid(
                    &file,
                    *line,
                    &header,
                    mc,
                    row[mc].as_bytes(),
                    "measure must be expectation, perception, adequate or desired",
                )
            })?;
            entries.push(ColumnMapEntry {
                column: row[cc].clone(),
                item: row[ic].clone(),
                measure,
                line: *line,
            });
        }
        Ok(ColumnMap { file, entries })
    }

    /// Resolves a column reference against a survey header.
    pub(crate) fn resolve(&self, e: &ColumnMapEntry, header: &Header) -> Result<usize> {
        if let Some(i) = header.find(&e.column) {
            return Ok(i);
        }
        if let Ok(n) = e.column.trim().parse::<usize>() {
            if n >= 1 && n <= header.len() {
                return Ok(n - 1);
            }
            return Err(Error::file(
                &self.file,
                Some(e.line),
                format!(
                    "column number {n} is outside the survey's {} columns",
                    header.len()
                ),
            ));
        }
        Err(Error::file(
            &self.file,
            Some(e.line),
            format!("the survey has no column {}", quoted(&e.column)),
        ))
    }
}
