//! Readers for every input file of SPEC §3. This module owns what all readers
//! share: where bytes come from ([`Source`]), how they are decoded
//! ([`EncodingChoice`]: UTF-8 with or without BOM, else GB18030, or a named
//! encoding), how header names are matched (trimmed, case-insensitive), what
//! counts as missing, and how an invalid row is handled ([`OnInvalid`]).
//! Readers validate and hand records to accumulators; they never compute
//! figures.

pub(crate) mod cell_counts;
pub mod columns;
pub(crate) mod decode;
pub mod events;
mod fields;
pub mod gap_inputs;
pub mod importance;
pub(crate) mod incidents;
pub mod instrument;
pub mod records;
pub(crate) mod spill;
pub mod survey;
pub mod weights;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Column, Error, ErrorKind, Result};
use records::{ParseConfig, ParseStop, RecordSink, RecordView};

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file on disk.
    Path(PathBuf),
    /// Standard input (`-` on the command line).
    Stdin,
}

impl Source {
    /// `-` means standard input, anything else a path.
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }

    /// The path of a regular file, which can be read in place, split between
    /// threads and read twice; `None` for standard input, pipes, FIFOs and
    /// devices, which are read once, as a stream.
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
        }
    }
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

/// What to do with a row holding an invalid value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnInvalid {
    /// Stop with an error naming file, line, column and value (the default).
    #[default]
    Error,
    /// Skip the row and count it as rejected, with its reason.
    Skip,
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
}

/// The most threads a read uses, whatever `--threads` asks for: more than
/// the machine's cores only adds ranges, and each costs a buffer.
pub const MAX_THREADS: usize = 64;

impl ReadOptions {
    /// The threads a read uses: `threads`, or all cores (up to 8) for 0;
    /// at most [`MAX_THREADS`].
    fn threads(&self) -> usize {
        if self.threads > 0 {
            self.threads.min(MAX_THREADS)
        } else {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(8)
        }
    }
}

/// Row counts every result carries: nothing vanishes silently.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowCounts {
    /// Data rows read (header excluded, blank lines excluded).
    pub rows_read: u64,
    /// Rows that went into the figures.
    pub rows_used: u64,
    /// Rows skipped as invalid (only with `--on-invalid skip`).
    pub rows_rejected: u64,
    /// Why rows were rejected, with counts.
    pub rejections: Vec<Rejection>,
}

/// The rows of one input file: what each report says it read, used and
/// rejected, file by file (the `input_rows` method of every report), so
/// that a caller can say what was skipped whatever the output format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputRows {
    /// The file (`<stdin>` for standard input).
    pub file: String,
    /// Its row counts.
    pub counts: RowCounts,
}

impl InputRows {
    /// The rows of `file`, from a report's flattened counts.
    pub fn new(file: &str, read: u64, used: u64, rejections: &[Rejection]) -> Self {
        InputRows {
            file: file.to_string(),
            counts: RowCounts {
                rows_read: read,
                rows_used: used,
                rows_rejected: rejections.iter().map(|r| r.count).sum(),
                rejections: rejections.to_vec(),
            },
        }
    }

    /// One line saying how many rows were rejected and why (`None` when
    /// none were), e.g. `survey.csv: 3 of 120 rows rejected: 2 not a number
    /// (first on line 5), 1 unknown item (line 9)`.
    pub fn rejection_note(&self) -> Option<String> {
        let c = &self.counts;
        if c.rows_rejected == 0 {
            return None;
        }
        let reasons: Vec<String> = c
            .rejections
            .iter()
            .map(|r| {
                let at = if r.count == 1 {
                    "line"
                } else {
                    "first on line"
                };
                format!("{} {} ({at} {})", r.count, r.reason, r.first_line)
            })
            .collect();
        let rows = if c.rows_read == 1 { "row" } else { "rows" };
        Some(format!(
            "{}: {} of {} {rows} rejected: {}",
            self.file,
            c.rows_rejected,
            c.rows_read,
            reasons.join(", ")
        ))
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

/// One reason rows were rejected, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The reason.
    pub reason: String,
    /// Rows rejected for it.
    pub count: u64,
    /// The first line rejected for it.
    pub first_line: u64,
}

/// Tallies rejected rows by reason.
#[derive(Debug, Clone, Default)]
pub(crate) struct RejectTally {
    pub reasons: Vec<Rejection>,
}

impl RejectTally {
    pub fn add(&mut self, reason: &str, line: u64) {
        if let Some(r) = self.reasons.iter_mut().find(|r| r.reason == reason) {
            r.count += 1;
            r.first_line = r.first_line.min(line);
        } else {
            self.reasons.push(Rejection {
                reason: reason.to_string(),
                count: 1,
                first_line: line,
            });
        }
    }

    /// Adds `n` rows rejected for `reason`, the first on `line`.
    pub fn add_many(&mut self, reason: &str, line: u64, n: u64) {
        if n == 0 {
            return;
        }
        self.add(reason, line);
        if let Some(r) = self.reasons.iter_mut().find(|r| r.reason == reason) {
            r.count += n - 1;
        }
    }

    pub fn total(&self) -> u64 {
        self.reasons.iter().map(|r| r.count).sum()
    }

    pub fn merge(&mut self, other: RejectTally, line_offset: u64) {
        for r in other.reasons {
            if let Some(m) = self.reasons.iter_mut().find(|m| m.reason == r.reason) {
                m.count += r.count;
                m.first_line = m.first_line.min(r.first_line + line_offset);
            } else {
                self.reasons.push(Rejection {
                    first_line: r.first_line + line_offset,
                    ..r
                });
            }
        }
    }
}

/// Applies the invalid-row policy to a row: its error by default, a skip
/// counted under `reason` with `--on-invalid skip`.
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

/// Whether a cell counts as missing: empty, `NA`, `N/A` (any case).
#[inline]
pub fn is_missing(cell: &[u8]) -> bool {
    let c = trim_bytes(cell);
    c.is_empty() || c.eq_ignore_ascii_case(b"na") || c.eq_ignore_ascii_case(b"n/a")
}

/// Equality of two short byte strings without a call into libc's memcmp,
/// which costs more than the comparison itself for ids of a few bytes.
#[inline]
pub fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |c: Option<&[u8; 8]>| c.map(|w| u64::from_ne_bytes(*w));
    if n >= 8 {
        let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
        for (x, y) in (&mut ca).zip(&mut cb) {
            if word(x.first_chunk()) != word(y.first_chunk()) {
                return false;
            }
        }
        // the remainder, as the last eight bytes (overlapping the words
        // already compared) rather than byte by byte
        return word(a.last_chunk()) == word(b.last_chunk());
    }
    let half = |c: Option<&[u8; 4]>| c.map(|w| u32::from_ne_bytes(*w));
    if n >= 4 {
        return half(a.first_chunk()) == half(b.first_chunk())
            && half(a.last_chunk()) == half(b.last_chunk());
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Trims ASCII white space from both ends.
#[inline]
pub fn trim_bytes(b: &[u8]) -> &[u8] {
    let mut s = 0;
    let mut e = b.len();
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    &b[s..e]
}

/// Parses a number cell (trimmed); `None` when it is not a finite number.
#[inline]
pub fn parse_number(cell: &[u8]) -> Option<f64> {
    let c = trim_bytes(cell);
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
/// [`records::parse_file_parallel`]).
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
    done: records::RangeDone<'_, S>,
) -> Result<(S, ReadInfo)>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    let name = source.name();
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
            }
        }
    }
}

/// Reads a regular file in place as UTF-8; `None` when its bytes are not
/// plain UTF-8 text (then it is read again through the decoder).
fn read_utf8_file<S, F>(
    path: &Path,
    name: &str,
    opts: &ReadOptions,
    make: &F,
    done: records::RangeDone<'_, S>,
) -> Result<Option<(S, ReadInfo)>>
where
    S: RecordSink,
    F: Fn(Header) -> Result<S> + Sync,
{
    let hdr = match records::read_header_utf8(path, name) {
        Ok(Some(hdr)) => hdr,
        Ok(None) => return Err(Error::file(name, None, "the file is empty (no header row)")),
        Err(ParseStop::Error(e)) => return Err(e),
        Err(ParseStop::NotUtf8) => return Ok(None),
    };
    if records::starts_with_lone_cr(path)? {
        return Ok(None);
    }
    let mut sink = make(Header::checked(name, hdr.line, hdr.fields.clone())?)?;
    let threads = opts.threads();
    let big = std::fs::metadata(path)
        .map(|m| m.len() >= 4 << 20)
        .unwrap_or(false);
    let partitioned = threads > 1
        && big
        && sink
            .partition_key()
            .is_some_and(|k| records::key_recurs(path, name, &hdr, k));
    if partitioned {
        sink.enable_spill()?;
    }
    let progress = opts.progress.as_deref();
    match records::parse_file_parallel(path, name, &hdr, &mut sink, threads, progress, done) {
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
    let end = match records::parse_stream(&mut decoded, &cfg, &mut lazy) {
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

#[cfg(test)]
mod tests {
    use super::short_eq;

    #[test]
    fn short_eq_is_equality() {
        // Every length to 40, equal and with one byte changed at every
        // position, and strings of different lengths with a common prefix.
        let base: Vec<u8> = (0..41u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=40 {
            let a = &base[..n];
            let copy = a.to_vec();
            assert!(short_eq(a, &copy), "len {n}");
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 0x20;
                assert!(!short_eq(a, &b), "len {n}, byte {i}");
            }
            assert!(!short_eq(a, &base[..n + 1]), "len {n} vs {}", n + 1);
        }
    }
}
