//! One error type for the whole library, in the manner of the csv crate: a
//! boxed [`ErrorKind`] whose variants carry the place of the problem (file,
//! 1-based line, column, offending value), so that every message a user sees
//! points at the cell to fix, and a mapping to the documented exit codes.

use std::fmt;
use std::path::PathBuf;

/// Documented process exit codes (SPEC §5), shared by the binary and by Rust
/// programs that want to behave like it.
pub mod exit_codes {
    /// The run succeeded and every check passed.
    pub const SUCCESS: u8 = 0;
    /// The run succeeded but a check (threshold) failed.
    pub const CHECK_FAILED: u8 = 1;
    /// The command line was wrong (unknown flag, bad option value).
    pub const USAGE: u8 = 2;
    /// An input file held invalid data (bad value, unknown item, duplicate row…).
    pub const INVALID_INPUT: u8 = 3;
    /// A file could not be read or written.
    pub const IO: u8 = 4;
    /// servgap itself went wrong (an internal invariant failed): a bug to
    /// report, never a problem with the data. The value is BSD's
    /// `EX_SOFTWARE`, so that no data error can be mistaken for it.
    pub const INTERNAL: u8 = 70;
}

/// At most this many characters of a value are quoted in a message.
pub const QUOTE_LIMIT: usize = 80;

/// A user's value as a message quotes it: the text itself up to
/// [`QUOTE_LIMIT`] characters, else its first characters and its length, so
/// that a 64 MB field does not put 64 MB on standard error.
pub fn quoted(value: &str) -> String {
    let mut chars = value.char_indices();
    match chars.nth(QUOTE_LIMIT) {
        None => format!("'{value}'"),
        Some((cut, _)) => format!(
            "'{}…' ({} characters)",
            &value[..cut],
            value.chars().count()
        ),
    }
}

/// Bytes as a message shows them: upper-case hex pairs, e.g. `E9 2C`.
pub fn hex_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A column of an input file: its 1-based position and its header text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// 1-based column number.
    pub number: usize,
    /// The header text as written in the file.
    pub name: String,
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name.as_str() {
            "" => write!(f, "column {}", self.number),
            name => write!(f, "column {} {}", self.number, quoted(name)),
        }
    }
}

/// Where in an input an error points: the file, and the line and column
/// when the error has them (a duplicate also knows the first line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The input file (or `<stdin>`).
    pub file: String,
    /// 1-based line.
    pub line: Option<u64>,
    /// The column.
    pub column: Option<Column>,
}

/// Where in `file` line `line` is: `file:line`, and for a columnar input
/// (Parquet, Arrow IPC, a DataFrame) its 0-based data row and the line a
/// CSV export would have (SPEC §3.9).
fn place(file: &str, line: u64) -> String {
    match crate::input::is_columnar_name(file) && line >= 2 {
        true => format!("{file}: row {} (line {line} as CSV)", line - 2),
        false => format!("{file}:{line}"),
    }
}

/// An earlier occurrence: `line L`, or `row R` in a columnar input.
fn earlier(file: &str, line: u64) -> String {
    match crate::input::is_columnar_name(file) && line >= 2 {
        true => format!("row {}", line - 2),
        false => format!("line {line}"),
    }
}

/// The error type of the servgap library.
#[derive(Debug)]
pub struct Error(Box<ErrorKind>);

/// What went wrong, with the place it went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A cell holds a value that is not allowed there.
    #[error("{}: {column}: {problem}: {}", place(file, *line), quoted(value))]
    InvalidValue {
        /// The input file (or `<stdin>`).
        file: String,
        /// 1-based line where the record starts.
        line: u64,
        /// The column holding the value.
        column: Column,
        /// The offending value, as read.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The same key (respondent × item, weight category, …) is given twice.
    #[error("{}: {what} is given twice (first on {})", place(file, *line), first_line.map(|l| earlier(file, l)).unwrap_or_else(|| "an earlier line".into()))]
    Duplicate {
        /// The input file.
        file: String,
        /// 1-based line of the second occurrence.
        line: u64,
        /// 1-based line of the first occurrence, when known.
        first_line: Option<u64>,
        /// What is duplicated, e.g. "respondent 'R1' item 'q03'".
        what: String,
        /// The duplicated key's parts (e.g. respondent id and item).
        key: Vec<String>,
    },
    /// A structural problem with a file: missing column, ragged record, unknown form.
    #[error("{}: {message}", line.map(|l| place(file, l)).unwrap_or_else(|| file.clone()))]
    InvalidFile {
        /// The input file.
        file: String,
        /// 1-based line, where one applies.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// Bytes the input's encoding cannot decode, or a NUL byte: the file,
    /// line and column where they are, the bytes, and what to do.
    #[error("{file}:{line}: {}{problem}: bytes {} (after {}); {hint}", column.as_ref().map(|c| format!("{c}: ")).unwrap_or_default(), hex_bytes(bytes), quoted(after))]
    Undecodable {
        /// The input file (or `<stdin>`).
        file: String,
        /// 1-based line of the bytes.
        line: u64,
        /// The column they fall in, when the line could be split.
        column: Option<Column>,
        /// The offending bytes.
        bytes: Vec<u8>,
        /// What is wrong, e.g. "not valid UTF-8".
        problem: String,
        /// The text of the field before the bytes.
        after: String,
        /// What the user can do about it.
        hint: String,
    },
    /// Inputs that are each valid but do not fit together.
    #[error("{0}")]
    Inconsistent(String),
    /// servgap itself went wrong: a bug, not a problem with the input.
    #[error(
        "internal error (a bug in servgap, not a problem with your data; please report it): {0}"
    )]
    Internal(String),
    /// A bad option value (scale, encoding name, …); maps to the usage exit code.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

impl Error {
    /// The kind of error, with its details.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// The exit code the `servgap` binary uses for this error (see [`exit_codes`]).
    pub fn exit_code(&self) -> u8 {
        match &*self.0 {
            ErrorKind::Usage(_) => exit_codes::USAGE,
            ErrorKind::Io { .. } => exit_codes::IO,
            ErrorKind::Internal(_) => exit_codes::INTERNAL,
            _ => exit_codes::INVALID_INPUT,
        }
    }

    /// Where in an input the error points, for the errors about an input's
    /// content (invalid values, duplicates, structure, undecodable bytes).
    pub fn position(&self) -> Option<Position> {
        let at = |file: &String, line: Option<u64>, column: Option<&Column>| Position {
            file: file.clone(),
            line,
            column: column.cloned(),
        };
        match &*self.0 {
            ErrorKind::InvalidValue {
                file, line, column, ..
            } => Some(at(file, Some(*line), Some(column))),
            ErrorKind::Duplicate { file, line, .. } => Some(at(file, Some(*line), None)),
            ErrorKind::InvalidFile { file, line, .. } => Some(at(file, *line, None)),
            ErrorKind::Undecodable {
                file, line, column, ..
            } => Some(at(file, Some(*line), column.as_ref())),
            _ => None,
        }
    }

    /// The 1-based line the error points at, if any.
    pub fn line(&self) -> Option<u64> {
        match &*self.0 {
            ErrorKind::InvalidValue { line, .. } | ErrorKind::Duplicate { line, .. } => Some(*line),
            ErrorKind::InvalidFile { line, .. } => *line,
            ErrorKind::Undecodable { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// Adds `offset` to every line number (for records parsed from a later
    /// range of a file, whose lines were counted from the range start).
    pub(crate) fn shift_lines(mut self, offset: u64) -> Self {
        match &mut *self.0 {
            ErrorKind::InvalidValue { line, .. } => *line += offset,
            ErrorKind::Duplicate {
                line, first_line, ..
            } => {
                *line += offset;
                if let Some(f) = first_line {
                    *f += offset;
                }
            }
            ErrorKind::InvalidFile { line: Some(l), .. } => *l += offset,
            ErrorKind::Undecodable { line, .. } => *line += offset,
            _ => {}
        }
        self
    }

    /// A usage error: a bad option value or combination (exit code 2).
    pub fn usage(msg: impl Into<String>) -> Self {
        ErrorKind::Usage(msg.into()).into()
    }

    pub(crate) fn inconsistent(msg: impl Into<String>) -> Self {
        ErrorKind::Inconsistent(msg.into()).into()
    }

    /// An internal invariant failed: a bug in servgap.
    pub(crate) fn internal(msg: impl Into<String>) -> Self {
        ErrorKind::Internal(msg.into()).into()
    }

    pub(crate) fn file(file: &str, line: Option<u64>, msg: impl Into<String>) -> Self {
        ErrorKind::InvalidFile {
            file: file.to_string(),
            line,
            message: msg.into(),
        }
        .into()
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ErrorKind::Io {
            path: path.into(),
            source,
        }
        .into()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(kind))
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_about_an_input_say_where() {
        let e: Error = ErrorKind::InvalidValue {
            file: "s.csv".into(),
            line: 7,
            column: Column {
                number: 4,
                name: "perception".into(),
            },
            value: "9".into(),
            problem: "score outside the scale 1-7".into(),
        }
        .into();
        let p = e.position().unwrap_or_else(|| panic!("no position"));
        assert_eq!((p.file.as_str(), p.line), ("s.csv", Some(7)));
        assert_eq!(p.column.map(|c| c.number), Some(4));
        assert_eq!(e.exit_code(), exit_codes::INVALID_INPUT);
        assert_eq!(
            e.to_string(),
            "s.csv:7: column 4 'perception': score outside the scale 1-7: '9'"
        );
        let e = Error::file("w.csv", None, "the file is empty");
        assert_eq!(
            e.position().map(|p| (p.file, p.line)),
            Some(("w.csv".to_string(), None))
        );
        let e = Error::internal("a run without its cell");
        assert!(e.position().is_none());
        assert_eq!(e.exit_code(), exit_codes::INTERNAL);
        assert!(e
            .to_string()
            .starts_with("internal error (a bug in servgap"));
    }
}
