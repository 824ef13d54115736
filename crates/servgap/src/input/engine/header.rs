//! The header row of an input: names as written, matched as the SPEC
//! says (trimmed, ignoring case), with two matching names an error naming
//! both.

use crate::error::{Column, Error, Result};

/// A header row, matched case-insensitively after trimming.
#[derive(Debug, Clone)]
pub struct Header {
    /// Names as written (trimmed, BOM removed).
    pub names: Vec<String>,
    lower: Vec<String>,
}

impl Header {
    /// Builds a header from its fields.
    pub fn new(fields: Vec<String>) -> Self {
        let names: Vec<String> = fields
            .into_iter()
            .map(|f| f.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let lower = names.iter().map(|n| n.to_lowercase()).collect();
        Header { names, lower }
    }

    /// Builds the header of `file` (on 1-based `line`) from its fields;
    /// two columns whose names match (trimmed, case-insensitively) are an
    /// error naming both. Empty names (the trailing empty columns of some
    /// spreadsheet exports) cannot be asked for and may repeat.
    pub fn checked(file: &str, line: u64, fields: Vec<String>) -> Result<Self> {
        let header = Header::new(fields);
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, name) in header.lower.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            if let Some(&first) = seen.get(name.as_str()) {
                return Err(Error::file(
                    file,
                    Some(line),
                    format!(
                        "{} and {} have the same name (names are matched ignoring case and blanks): rename one",
                        header.column(first),
                        header.column(i)
                    ),
                ));
            }
            seen.insert(name, i);
        }
        Ok(header)
    }

    /// 0-based index of a column by name (case-insensitive).
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim().to_lowercase();
        self.lower.iter().position(|n| *n == name)
    }

    /// The column names for a message, each quoted as [`crate::error::quoted`] does:
    /// `'date', 'site', 'category'`.
    pub fn listing(&self) -> String {
        self.names
            .iter()
            .map(|n| crate::error::quoted(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The lowercase name of column `i`.
    pub fn lower(&self, i: usize) -> &str {
        &self.lower[i]
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the header is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The [`Column`] for index `i`.
    pub fn column(&self, i: usize) -> Column {
        Column {
            number: i + 1,
            name: self.names.get(i).cloned().unwrap_or_default(),
        }
    }
}
