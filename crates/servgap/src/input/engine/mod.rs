//! The record engine: everything between an input's bytes and a reader's
//! rows. It decides where bytes come from and how they are decoded
//! ([`decode`]), splits a large file between cores and merges what each
//! core read in file order, parses lines and quoted fields ([`lines`]),
//! matches the header ([`header`]), and partitions rows through temporary
//! files when a file's rows of one key are scattered ([`spill`]).
//! Readers (the other modules of [`crate::input`]) say what a valid row
//! is; the engine decides how to read it fast.

pub(crate) mod decode;
pub(crate) mod fields;
pub(crate) mod header;
pub(crate) mod ledger;
pub mod lines;
pub(crate) mod rows;
pub(crate) mod spill;

use std::io::Read;
use std::path::Path;

use serde::Serialize;

pub use header::Header;
use lines::{ParseConfig, ParseStop, RecordSink, RecordView};

use super::{EncodingChoice, OnInvalid, ReadOptions, Source};
use crate::error::{Error, ErrorKind, Result};
use crate::model::tallies::RejectTally;

/// Applies the invalid-row policy to a row: its error by default, a skip
/// counted under `reason` with `--on-invalid skip`.
/// The errors of invalid rows read with [`OnInvalid::Report`], in the
/// order met (at most [`MAX_REPORTED`]).
static REPORTED: std::sync::Mutex<Vec<Error>> = std::sync::Mutex::new(Vec::new());

/// The most errors kept for `--on-invalid report`.
pub const MAX_REPORTED: usize = 10_000;

/// Keeps an invalid row's error for [`take_reported`].
fn report(e: Error) {
    let mut kept = REPORTED.lock().unwrap_or_else(|p| p.into_inner());
    if kept.len() < MAX_REPORTED {
        kept.push(e);
    }
}

/// The errors of the invalid rows read with `--on-invalid report` since
/// the last call, by file and line, each once.
pub fn take_reported() -> Vec<Error> {
    let mut kept = std::mem::take(&mut *REPORTED.lock().unwrap_or_else(|p| p.into_inner()));
    let key = |e: &Error| {
        e.position()
            .map(|p| (p.file, p.line.unwrap_or(0)))
            .unwrap_or_default()
    };
    kept.sort_by_key(key);
    kept.dedup_by(|a, b| key(a) == key(b) && a.to_string() == b.to_string());
    kept
}

pub(crate) fn reject_row(
    policy: OnInvalid,
    tally: &mut RejectTally,
    line: u64,
    reason: &str,
    err: impl FnOnce() -> Error,
) -> Result<()> {
    match policy {
        OnInvalid::Error => Err(err()),
        OnInvalid::Skip => {
            tally.add(reason, line);
            Ok(())
        }
        OnInvalid::Report => {
            tally.add(reason, line);
            report(err());
            Ok(())
        }
    }
}

/// The error of a record whose field count differs from the header's.
pub(crate) fn ragged(file: &str, line: u64, fields: usize, width: usize) -> Error {
    Error::file(
        file,
        Some(line),
        format!("the record has {fields} fields but the header has {width}"),
    )
}

/// Whether a cell counts as missing: empty, `NA`, `N/A` (any case).
#[inline]
pub fn is_missing(cell: &[u8]) -> bool {
    let c = cell.trim_ascii();
    c.is_empty() || c.eq_ignore_ascii_case(b"na") || c.eq_ignore_ascii_case(b"n/a")
}

/// Parses a number cell (trimmed); `None` when it is not a finite number.
#[inline]
pub fn parse_number(cell: &[u8]) -> Option<f64> {
    let c = cell.trim_ascii();
    if c.len() == 1 && c[0].is_ascii_digit() {
        return Some((c[0] - b'0') as f64);
    }
    let s = std::str::from_utf8(c).ok()?;
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Builds an invalid-value error for a cell.
pub(crate) fn invalid(
    file: &str,
    line: u64,
    header: &Header,
    col: usize,
    value: &[u8],
    problem: impl Into<String>,
) -> Error {
    ErrorKind::InvalidValue {
        file: file.to_string(),
        line,
        column: header.column(col),
        value: String::from_utf8_lossy(value).into_owned(),
        problem: problem.into(),
    }
    .into()
}

/// What a whole read found out about the bytes.
#[derive(Debug, Clone, Serialize)]
pub struct ReadInfo {
    /// The encoding used, e.g. `UTF-8` or `gb18030`.
    pub encoding: String,
}

/// Reads a whole input: header first, then `make` builds the sink from the
/// header, then every data record goes to it (in parallel for large UTF-8
/// files).
pub(crate) fn read_csv<S, F>(source: &Source, opts: &ReadOptions, make: F) -> Result<(S, ReadInfo)>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    read_csv_then(source, opts, make, &|_, _| {})
}

/// [`read_csv`], handing each reader thread's sink to `done` after its
/// range when a large UTF-8 file is split (see
/// [`lines::parse_file_parallel`]).
///
/// A regular file without `--encoding` is read in place, on several
/// threads when large, as long as its bytes are plain UTF-8 text; anything
/// else (standard input, a pipe or FIFO, a named encoding, a file with a
/// byte that is not UTF-8, a NUL byte or lone CR line ends) streams through
/// the strict decoder of [`decode`], which names the line, column and bytes
/// of anything it cannot decode.
pub(crate) fn read_csv_then<S, F>(
    source: &Source,
    opts: &ReadOptions,
    make: F,
    done: lines::RangeDone<'_, S>,
) -> Result<(S, ReadInfo)>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    let name = source.name();
    match source {
        Source::Columnar(path, format) => {
            return read_columnar(&name, path.as_deref(), *format, opts, make)
        }
        #[cfg(feature = "polars")]
        Source::Frame(f) => return read_frame(&name, f.frame(), "DataFrame", opts, make),
        Source::Path(_) | Source::Stdin => {}
    }
    match (source.regular_file(), opts.encoding) {
        (Some(path), EncodingChoice::Auto) => {
            if let Some(read) = read_utf8_file(path, &name, opts, &make, done)? {
                return Ok(read);
            }
            if let Some(p) = &opts.progress {
                p.store(0, std::sync::atomic::Ordering::Relaxed);
            }
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            read_stream(file, None, &name, opts, make)
        }
        (_, choice) => {
            let encoding = match choice {
                EncodingChoice::Auto => None,
                EncodingChoice::Named(e) => Some(e),
            };
            match source {
                Source::Path(path) => {
                    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
                    read_stream(file, encoding, &name, opts, make)
                }
                Source::Stdin => read_stream(std::io::stdin().lock(), encoding, &name, opts, make),
                _ => Err(Error::internal("a columnar input reached the CSV reader")),
            }
        }
    }
}

/// Reads a Parquet or Arrow IPC file (standard input for `None`) through
/// polars and its rows as the CSV they stand for (see [`crate::input::frame`]).
#[cfg(feature = "polars")]
fn read_columnar<S, F>(
    name: &str,
    path: Option<&Path>,
    format: crate::input::ColumnarFormat,
    opts: &ReadOptions,
    make: F,
) -> Result<(S, ReadInfo)>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    let frame = crate::input::frame::read_file(path, format, name)?;
    read_frame(name, &frame, format.as_str(), opts, make)
}

/// Without the `polars` feature a columnar input is a usage error.
#[cfg(not(feature = "polars"))]
fn read_columnar<S, F>(
    name: &str,
    _path: Option<&Path>,
    format: crate::input::ColumnarFormat,
    _opts: &ReadOptions,
    _make: F,
) -> Result<(S, ReadInfo)>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    Err(Error::usage(format!(
        "{name}: reading {} needs servgap built with its `polars` feature",
        format.as_str()
    )))
}

/// Reads a frame's rows as the CSV text they stand for, through the same
/// engine and row rules as a CSV file.
#[cfg(feature = "polars")]
fn read_frame<S, F>(
    name: &str,
    frame: &polars::prelude::DataFrame,
    what: &str,
    opts: &ReadOptions,
    make: F,
) -> Result<(S, ReadInfo)>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    let reader = crate::input::frame::FrameReader::new(name, frame)?;
    let (sink, _) = read_stream(reader, Some(encoding_rs::UTF_8), name, opts, make)?;
    Ok((
        sink,
        ReadInfo {
            encoding: what.into(),
        },
    ))
}

/// Reads a regular file in place as UTF-8; `None` when its bytes are not
/// plain UTF-8 text (then it is read again through the decoder).
fn read_utf8_file<S, F>(
    path: &Path,
    name: &str,
    opts: &ReadOptions,
    make: &F,
    done: lines::RangeDone<'_, S>,
) -> Result<Option<(S, ReadInfo)>>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    let hdr = match lines::read_header_utf8(path, name) {
        Ok(Some(hdr)) => hdr,
        Ok(None) => return Err(Error::file(name, None, "the file is empty (no header row)")),
        Err(ParseStop::Error(e)) => return Err(e),
        Err(ParseStop::NotUtf8) => return Ok(None),
    };
    if lines::starts_with_lone_cr(path)? {
        return Ok(None);
    }
    let mut sink = make(Header::checked(name, hdr.line, hdr.fields.clone())?)?;
    let threads = opts.threads();
    let big = std::fs::metadata(path)
        .map(|m| m.len() >= lines::split_min_bytes())
        .unwrap_or(false);
    let partitioned = threads > 1
        && big
        && sink
            .partition_key()
            .is_some_and(|k| lines::key_recurs(path, name, &hdr, k));
    if partitioned {
        sink.enable_spill()?;
    }
    let progress = opts.progress.as_deref();
    match lines::parse_file_parallel(path, name, &hdr, &mut sink, threads, progress, done) {
        Ok(summary) if summary.records == 0 => Err(no_data(name, hdr.line)),
        Ok(_) => Ok(Some((
            sink,
            ReadInfo {
                encoding: "UTF-8".into(),
            },
        ))),
        Err(ParseStop::Error(e)) => Err(e),
        Err(ParseStop::NotUtf8) => Ok(None),
    }
}

/// The error of a file with a header and no data rows.
fn no_data(name: &str, header_line: u64) -> Error {
    Error::file(
        name,
        Some(header_line),
        "the file has a header row but no data rows: nothing to analyse",
    )
}

/// Reads a stream through the strict decoder, sequentially.
fn read_stream<R, S, F>(
    reader: R,
    encoding: Option<&'static encoding_rs::Encoding>,
    name: &str,
    opts: &ReadOptions,
    make: F,
) -> Result<(S, ReadInfo)>
where
    R: Read,
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    let mut decoded = decode::DecodeReader::new(reader, name, encoding);
    let mut lazy = LazySink::<S, F> {
        make: &make,
        name,
        header_line: 0,
        sink: None,
    };
    let cfg = ParseConfig {
        file_offset: 0,
        soft_limit: None,
        max_records: None,
        first_line: 1,
        validate_utf8: false,
        progress: opts.progress.as_deref(),
        path: name,
    };
    let end = match lines::parse_stream(&mut decoded, &cfg, &mut lazy) {
        Ok(end) => end,
        Err(ParseStop::Error(e)) => return Err(e),
        Err(ParseStop::NotUtf8) => return Err(Error::internal("decoded text is not UTF-8")),
    };
    match lazy.sink {
        Some(_) if end.records <= 1 => Err(no_data(name, lazy.header_line)),
        Some(s) => Ok((
            s,
            ReadInfo {
                encoding: decoded.encoding_name(),
            },
        )),
        None => Err(Error::file(
            name,
            None,
            "the input is empty (no header row)",
        )),
    }
}

/// Builds the real sink from the first record of a sequential stream.
struct LazySink<'f, S, F> {
    make: &'f F,
    name: &'f str,
    header_line: u64,
    sink: Option<S>,
}

impl<S: RecordSink, F: Fn(Header) -> Result<S> + Sync> RecordSink for LazySink<'_, S, F> {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        match &mut self.sink {
            Some(s) => s.record(line, rec),
            None => {
                let fields = (0..rec.len()).map(|i| rec.text(i)).collect();
                self.header_line = line;
                self.sink = Some((self.make)(Header::checked(self.name, line, fields)?)?);
                Ok(())
            }
        }
    }
    fn fork(&self) -> Self {
        LazySink {
            make: self.make,
            name: self.name,
            header_line: 0,
            sink: None,
        }
    }
    fn merge(&mut self, _later: Self, _line_offset: u64) -> Result<()> {
        Ok(())
    }
}

/// The lines of the records of a regular file that `key_of` gives a key
/// (`0..keys`), per key in file order; `None` for a stream or when the
/// file cannot be read again.
pub(crate) fn lines_by_key(
    source: &Source,
    read: &ReadOptions,
    keys: usize,
    key_of: impl Fn(&Header, &RecordView<'_>) -> Option<usize> + Sync,
) -> Option<Vec<Vec<u64>>> {
    struct Lines<'m, K> {
        header: Header,
        key_of: &'m K,
        lines: Vec<Vec<u64>>,
    }
    impl<K: Fn(&Header, &RecordView<'_>) -> Option<usize> + Sync> RecordSink for Lines<'_, K> {
        fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
            if let Some(l) = (self.key_of)(&self.header, rec).and_then(|k| self.lines.get_mut(k)) {
                l.push(line);
            }
            Ok(())
        }
        fn fork(&self) -> Self {
            Lines {
                header: self.header.clone(),
                key_of: self.key_of,
                lines: vec![Vec::new(); self.lines.len()],
            }
        }
        fn merge(&mut self, later: Self, off: u64) -> Result<()> {
            for (mine, theirs) in self.lines.iter_mut().zip(later.lines) {
                mine.extend(theirs.iter().map(|l| l + off));
            }
            Ok(())
        }
    }
    source.regular_file()?;
    let (found, _) = read_csv(source, read, |header| {
        Ok(Lines {
            header,
            key_of: &key_of,
            lines: vec![Vec::new(); keys],
        })
    })
    .ok()?;
    Some(found.lines)
}

/// The lines of the first two rows of `source` that `matches` (given the
/// header and a record), for naming both rows of a duplicate whose first
/// line a reader's records do not keep. `None` when there are not two, or
/// when the input cannot be read again (standard input, a pipe).
pub(crate) fn first_two_lines(
    source: &Source,
    read: &ReadOptions,
    matches: impl Fn(&Header, &RecordView<'_>) -> bool + Sync,
) -> Option<(u64, u64)> {
    let found = lines_by_key(source, read, 1, |h, rec| matches(h, rec).then_some(0))?;
    match found.first().map(Vec::as_slice) {
        Some([a, b, ..]) => Some((*a, *b)),
        _ => None,
    }
}

/// `(line, fields)` of every record of a small file.
pub(crate) type SmallRows = Vec<(u64, Vec<String>)>;

/// Reads a small file completely into records (for instruments, weights, maps).
pub(crate) fn read_small(source: &Source, opts: &ReadOptions) -> Result<(Header, SmallRows)> {
    struct Rows(Vec<(u64, Vec<String>)>, Header);
    impl RecordSink for Rows {
        fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
            self.0
                .push((line, (0..rec.len()).map(|i| rec.text(i)).collect()));
            Ok(())
        }
        fn fork(&self) -> Self {
            Rows(Vec::new(), self.1.clone())
        }
        fn merge(&mut self, later: Self, off: u64) -> Result<()> {
            self.0
                .extend(later.0.into_iter().map(|(l, r)| (l + off, r)));
            Ok(())
        }
    }
    let (rows, _) = read_csv(
        source,
        &ReadOptions {
            threads: 1,
            progress: None,
            ..opts.clone()
        },
        |h| Ok(Rows(Vec::new(), h)),
    )?;
    Ok((rows.1, rows.0))
}

/// Checks a small file's records against its header width.
pub(crate) fn check_width(name: &str, header: &Header, line: u64, row: &[String]) -> Result<()> {
    if row.len() != header.len() {
        return Err(Error::file(
            name,
            Some(line),
            format!(
                "the record has {} fields but the header has {}",
                row.len(),
                header.len()
            ),
        ));
    }
    Ok(())
}
