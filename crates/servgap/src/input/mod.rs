//! Readers for every input file of SPEC §3. This module owns what all readers
//! share: where bytes come from ([`Source`]), how they are decoded
//! ([`EncodingChoice`]: UTF-8 with or without BOM, else GB18030, or a named
//! encoding), how header names are matched (trimmed, case-insensitive), what
//! counts as missing, and how an invalid row is handled ([`OnInvalid`]).
//! Readers validate and hand records to accumulators; they never compute
//! figures.

pub mod columns;
pub mod customers;
pub(crate) mod engine;
pub mod events;
#[cfg(feature = "polars")]
pub mod frame;
pub mod gap_inputs;
pub mod importance;
pub(crate) mod incidents;
pub mod instrument;
pub mod survey;
pub mod weights;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::error::{Error, Result};
pub(crate) use crate::model::tallies::RejectTally;
pub use crate::model::tallies::{InputRows, OnInvalid, Rejection, RowCounts};
pub(crate) use engine::{
    check_width, invalid, read_csv, read_csv_then, read_small, reject_row, SmallRows,
};
pub use engine::{is_missing, parse_number, take_reported, Header, ReadInfo, MAX_REPORTED};

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A CSV file on disk.
    Path(PathBuf),
    /// Standard input (`-` on the command line), as CSV.
    Stdin,
    /// A Parquet or Arrow IPC file (`None`: standard input holding one),
    /// read through polars (the `polars` feature) with the same rules as
    /// CSV.
    Columnar(Option<PathBuf>, ColumnarFormat),
    /// A polars `DataFrame` the calling program holds, read with the same
    /// rules as CSV (the `polars` feature).
    #[cfg(feature = "polars")]
    Frame(frame::NamedFrame),
}

/// The columnar file formats (SPEC §3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnarFormat {
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// Arrow IPC, also called Feather (`.arrow`, `.ipc`, `.feather`).
    Ipc,
}

impl ColumnarFormat {
    /// The format a path's extension names, if it names one.
    pub fn of_path(path: &str) -> Option<Self> {
        let ext = Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" => Some(ColumnarFormat::Parquet),
            "arrow" | "ipc" | "feather" => Some(ColumnarFormat::Ipc),
            _ => None,
        }
    }

    /// Its name in messages and in the JSON's `encoding`.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnarFormat::Parquet => "Parquet",
            ColumnarFormat::Ipc => "Arrow IPC",
        }
    }
}

/// How an input's bytes are laid out (`--input-format`): from the path's
/// extension (`auto`, the default: `.parquet`, `.arrow`, `.ipc`,
/// `.feather` are columnar, anything else CSV), or as named for paths
/// without such an extension and for standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// By extension; CSV otherwise.
    #[default]
    Auto,
    /// CSV (unless the extension says Parquet or IPC).
    Csv,
    /// Parquet (unless the extension says otherwise).
    Parquet,
    /// Arrow IPC (unless the extension says otherwise).
    Ipc,
}

impl Source {
    /// `-` means standard input, anything else a path; a path ending in
    /// `.parquet`, `.arrow`, `.ipc` or `.feather` is columnar.
    pub fn from_arg(arg: &str) -> Self {
        Self::from_arg_as(arg, InputFormat::Auto)
    }

    /// [`Source::from_arg`], with `format` for standard input and paths
    /// whose extension names no columnar format.
    pub fn from_arg_as(arg: &str, format: InputFormat) -> Self {
        let path = (arg != "-").then(|| PathBuf::from(arg));
        let columnar = ColumnarFormat::of_path(arg).or(match format {
            InputFormat::Parquet => Some(ColumnarFormat::Parquet),
            InputFormat::Ipc => Some(ColumnarFormat::Ipc),
            InputFormat::Auto | InputFormat::Csv => None,
        });
        match (columnar, path) {
            (Some(f), path) => Source::Columnar(path, f),
            (None, Some(p)) => Source::Path(p),
            (None, None) => Source::Stdin,
        }
    }

    /// A polars `DataFrame` as an input, `name` naming it in messages.
    #[cfg(feature = "polars")]
    pub fn from_frame(name: impl Into<String>, frame: polars::prelude::DataFrame) -> Self {
        Source::Frame(frame::NamedFrame::new(name.into(), frame))
    }

    /// The path of a regular CSV file, which can be read in place, split
    /// between threads and read twice; `None` for standard input, pipes,
    /// FIFOs, devices and columnar inputs, which are read once, as a
    /// stream.
    pub fn regular_file(&self) -> Option<&Path> {
        match self {
            Source::Path(p) if std::fs::metadata(p).is_ok_and(|m| m.is_file()) => Some(p),
            _ => None,
        }
    }

    /// The name used in messages and in the JSON `inputs`.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "<stdin>".to_string(),
            Source::Columnar(Some(p), _) => p.display().to_string(),
            Source::Columnar(None, f) => format!("<stdin {}>", f.as_str()),
            #[cfg(feature = "polars")]
            Source::Frame(f) => f.name(),
        }
    }
}

/// Whether an input of this name is columnar, so that a message names the
/// 0-based row beside the line a CSV export would have.
pub(crate) fn is_columnar_name(name: &str) -> bool {
    ColumnarFormat::of_path(name).is_some()
        || name.starts_with("<stdin Parquet")
        || name.starts_with("<stdin Arrow")
        || name.starts_with("DataFrame '")
}

/// How the bytes of an input are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Valid UTF-8 (with or without BOM) is UTF-8; anything else GB18030.
    #[default]
    Auto,
    /// A named encoding (`--encoding`).
    Named(&'static encoding_rs::Encoding),
}

impl EncodingChoice {
    /// Parses an encoding name such as `utf-8`, `gb18030`, `gbk`, `big5`,
    /// `cp949`, `euc-kr`, `shift_jis`, `windows-1252` (WHATWG labels).
    pub fn parse(name: &str) -> Result<Self> {
        let lower = name.trim().to_ascii_lowercase();
        if lower == "auto" {
            return Ok(EncodingChoice::Auto);
        }
        let label = match lower.as_str() {
            "cp949" | "uhc" | "ms949" => "euc-kr",
            "cp936" | "ms936" => "gbk",
            "cp932" | "ms932" | "sjis" => "shift_jis",
            "cp1252" => "windows-1252",
            "utf8" => "utf-8",
            other => other,
        };
        encoding_rs::Encoding::for_label(label.as_bytes())
            .map(EncodingChoice::Named)
            .ok_or_else(|| Error::usage(format!("unknown encoding '{name}' (try utf-8, gb18030, gbk, big5, cp949, shift_jis, windows-1252)")))
    }
}

/// Options shared by every reader.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// How bytes are decoded.
    pub encoding: EncodingChoice,
    /// Policy for invalid rows.
    pub on_invalid: OnInvalid,
    /// Threads for large files (0 = all cores).
    pub threads: usize,
    /// Bytes read so far, for a progress display.
    pub progress: Option<Arc<AtomicU64>>,
    /// How the inputs named by path are laid out (`--input-format`).
    pub input_format: InputFormat,
}

/// The most threads a read uses, whatever `--threads` asks for: more than
/// the machine's cores only adds ranges, and each costs a buffer.
pub const MAX_THREADS: usize = 64;

impl ReadOptions {
    /// The threads a read uses: `threads`, or all cores (up to 8) for 0;
    /// at most [`MAX_THREADS`].
    fn threads(&self) -> usize {
        if self.on_invalid == OnInvalid::Report {
            // one range: every error's line is the file's
            return 1;
        }
        if self.threads > 0 {
            self.threads.min(MAX_THREADS)
        } else {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(8)
        }
    }
}

/// Checks the `--by` columns of a command: a column named twice (matched
/// as header names are: trimmed, ignoring case) is a usage error.
pub fn check_by(by: &[String]) -> Result<()> {
    for (i, b) in by.iter().enumerate() {
        let key = b.trim().to_lowercase();
        if let Some(first) = by[..i].iter().find(|a| a.trim().to_lowercase() == key) {
            return Err(Error::usage(format!(
                "--by {first} and --by {b} name the same column: give it once"
            )));
        }
    }
    Ok(())
}

/// Which built-in table an option's argument names (`Some(index)`), or
/// `None` for a file to read (`-` for standard input). A file of that name
/// wins over a built-in. An argument that is neither, and looks like a
/// name rather than a path (no folder, no extension), is a usage error
/// listing the built-ins: `--weights fedex13` is a typo, not a missing file.
pub(crate) fn builtin_or_file(arg: &str, option: &str, names: &[&str]) -> Result<Option<usize>> {
    if arg == "-" || Path::new(arg).exists() {
        return Ok(None);
    }
    if let Some(i) = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(arg.trim()))
    {
        return Ok(Some(i));
    }
    let looks_like_a_name = !arg.contains(['/', '\\', '.']);
    if looks_like_a_name {
        return Err(Error::usage(format!(
            "{option} {}: not a built-in table ({}) and no file of that name",
            crate::error::quoted(arg),
            names.join(", ")
        )));
    }
    Ok(None)
}
