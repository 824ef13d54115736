//! Turns CSV bytes into records with exact 1-based line numbers, as fast as
//! the machine allows, and hands them to a [`RecordSink`].
//!
//! Two parsers share the work. Blocks of input that hold no quote character
//! are split with `memchr` on commas and newlines (the common case for survey
//! and log exports, and several times faster than a byte-at-a-time state
//! machine). From the first block holding a `"` on, the stream goes through
//! `csv_core`, the csv crate's parser, so quoted fields, embedded commas and
//! newlines are read exactly as the csv crate reads them. Both parsers skip
//! blank lines and accept `\n` and `\r\n` line ends.
//!
//! A large UTF-8 file is split at a newline into ranges parsed on separate
//! threads, each into its own sink; the sinks are then merged in file order.
//! The thread before a split checks that the split point really is a record
//! boundary (not a newline inside a quoted field); if it is not, that thread
//! reads on to the end and the later ranges' work is discarded. Files are read
//! in blocks with `read`, never mapped, so memory does not grow with the file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Bytes per read. A quarter of a core's 1 MB L2 cache keeps what the
/// kernel just copied there while it is parsed: against 1 MB reads, 1.2%
/// off an SQI run and 1-2% off a survey run (medians of 30 and 10 runs).
const BLOCK: usize = 1 << 18;

/// One parsed record: its fields, borrowed from the parser's buffer.
pub struct RecordView<'a> {
    data: &'a [u8],
    ends: &'a [usize],
    /// Bytes between one field's end and the next one's start (1 for a comma
    /// in the fast parser, 0 for csv_core's unescaped output).
    gap: usize,
}

impl<'a> RecordView<'a> {
    /// A view of a quote-free line whose fields end at `ends` (commas between).
    pub(crate) fn of_line(data: &'a [u8], ends: &'a [usize]) -> Self {
        RecordView { data, ends, gap: 1 }
    }

    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i` as raw bytes (empty when out of range).
    #[inline]
    pub fn get(&self, i: usize) -> &'a [u8] {
        if i >= self.ends.len() {
            return &[];
        }
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] + self.gap
        };
        &self.data[start..self.ends[i]]
    }

    /// Field `i` as text, trimmed (lossy for bytes that are not UTF-8).
    pub fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.get(i)).trim().to_string()
    }
}

/// Receives records in file order. Implementations validate and accumulate.
pub trait RecordSink: Send + Sized {
    /// Handles one record starting at 1-based `line` (relative to the range
    /// being parsed; see [`RecordSink::merge`]).
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()>;

    /// An empty sink of the same configuration, for another range.
    fn fork(&self) -> Self;

    /// Appends what `later` accumulated over a later range of the same file.
    /// `line_offset` is added to every line number `later` recorded.
    fn merge(&mut self, later: Self, line_offset: u64) -> Result<()>;

    /// The column whose value keys the accumulated state (the respondent id
    /// of a long-form survey), if records can be partitioned by it: an
    /// unsorted file is then better partitioned by key than split into
    /// ranges whose states all overlap.
    fn partition_key(&self) -> Option<usize> {
        None
    }

    /// Tells the sink how many bytes of records it is about to receive, so
    /// it can size its state once instead of growing it.
    fn expect_bytes(&mut self, _bytes: u64) {}

    /// Asks the sink to partition its state through temporary files (see
    /// `input::spill`); returns whether it does.
    fn enable_spill(&mut self) -> Result<bool> {
        Ok(false)
    }

    /// Whether the sink reads whole quote-free lines itself
    /// ([`RecordSink::quote_free_lines`]) before the tokenizer splits them.
    fn takes_lines(&self) -> bool {
        false
    }

    /// Handles as many whole lines as it can from the start of `region`
    /// (quote-free; lines end in `\n`), starting none at or after
    /// `max_start`. Returns the bytes consumed (up to just after a `\n`)
    /// and the lines consumed; a line it does not take (an unusual one, an
    /// invalid one, the last one without `\n`) goes through
    /// [`RecordSink::quote_free_line`] next, so the outcome is the same.
    fn quote_free_lines(
        &mut self,
        _line: u64,
        _region: &[u8],
        _max_start: usize,
    ) -> Result<(usize, u64)> {
        Ok((0, 0))
    }

    /// Handles one line of a block without quotes, whose fields end at
    /// `ends` (offsets of the commas, then the line's length). The default
    /// calls [`RecordSink::record`]; a sink may handle common lines faster,
    /// as long as the outcome is the same.
    fn quote_free_line(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        self.record(
            line,
            &RecordView {
                data: bytes,
                ends,
                gap: 1,
            },
        )
    }
}

/// How a parse of one range ended.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RangeEnd {
    /// Byte offset (from where the parse started) of the record boundary it stopped at.
    pub consumed: u64,
    /// Newlines in the consumed bytes.
    pub newlines: u64,
    /// Records handed to the sink.
    pub records: u64,
    /// The soft limit fell inside a record: this parse went on to the end.
    pub overran: bool,
}

pub(crate) enum ParseStop {
    Error(Error),
    NotUtf8,
}

impl From<Error> for ParseStop {
    fn from(e: Error) -> Self {
        ParseStop::Error(e)
    }
}

pub(crate) struct ParseConfig<'p> {
    /// Stop at the first record boundary at or after this many bytes.
    pub soft_limit: Option<u64>,
    /// Stop after this many records.
    pub max_records: Option<u64>,
    /// Line number of the first byte.
    pub first_line: u64,
    /// Check that every block is valid UTF-8 (auto-detection).
    pub validate_utf8: bool,
    pub progress: Option<&'p AtomicU64>,
    pub path: &'p str,
    /// The file offset of the first byte (0 for other readers), for
    /// [`read_lead`].
    pub file_offset: u64,
}

/// Where in the buffer to put the bytes kept before the next read (`kept`
/// of them: an unfinished line), so that the read stores the file's bytes
/// from offset `at` at the same offset within a 64-byte line as they have
/// in the file. On this machine's CPUs the kernel copies the page cache
/// 3–4 times faster into a buffer so placed than into one 1 to 31 bytes
/// off (441 MB: 60 ms against 200–260 ms).
fn read_lead(buf: &[u8], at: u64, kept: usize) -> usize {
    let addr = buf.as_ptr() as usize;
    (at as usize).wrapping_sub(addr).wrapping_sub(kept) % LEAD
}

/// Room before a buffer's data for [`read_lead`].
const LEAD: usize = 64;

/// The smallest file read by more than one thread (4 MiB): below it the
/// ranges' set-up costs more than they save. The fuzz targets
/// (`cfg(fuzzing)`) split files from 256 bytes on, so that every input
/// they try also goes through the multi-threaded paths, and so does any
/// run with `SERVGAP_SPLIT_BYTES=N` in its environment (the fuzz
/// regression test replays saved inputs that way).
pub(crate) fn split_min_bytes() -> u64 {
    static MIN: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *MIN.get_or_init(|| {
        let default = if cfg!(fuzzing) { 256 } else { 4 << 20 };
        std::env::var("SERVGAP_SPLIT_BYTES")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    })
}

/// Where a parse is: the line and byte counts so far and its limits.
struct Cursor {
    /// Bytes from the start of the parse to the region being parsed.
    base: u64,
    /// The line of the next byte.
    line: u64,
    newlines: u64,
    records: u64,
    /// Stop at the first record starting at or after this byte (see
    /// [`ParseConfig::soft_limit`]); dropped once a record overran it.
    limit: Option<u64>,
    overran: bool,
    max_records: Option<u64>,
}

impl Cursor {
    /// Whether a record starting at `start` of the region is past a limit.
    fn stops_at(&self, start: usize) -> bool {
        self.limit.is_some_and(|l| self.base + start as u64 >= l)
            || self.max_records.is_some_and(|m| self.records >= m)
    }

    /// The end of the range at `pos` of the region.
    fn end(&self, pos: usize) -> RangeEnd {
        RangeEnd {
            consumed: self.base + pos as u64,
            newlines: self.newlines,
            records: self.records,
            overran: self.overran,
        }
    }
}

/// csv_core's state and output between regions, once a quote has been
/// seen: a record may span regions.
struct Tokenizer {
    core: csv_core::Reader,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    n_ends: usize,
    /// Inside a record (partial output held).
    in_record: bool,
    /// The line the record being read starts on.
    rec_line: u64,
}

/// Parses `src` record by record into `sink`: the buffer loop. Each region
/// of whole lines goes to one of three parsers (module docs): the sink's
/// own line reader while no quote has been seen and the sink takes lines
/// ([`sink_lines`]), a comma and newline scan while no quote has been seen
/// ([`split_lines`]), else the tokenizer ([`tokenize`]).
pub(crate) fn parse_stream<R: Read, S: RecordSink>(
    mut src: R,
    cfg: &ParseConfig<'_>,
    sink: &mut S,
) -> std::result::Result<RangeEnd, ParseStop> {
    let mut buf: Vec<u8> = vec![0; LEAD + BLOCK];
    // The data is buf[lead..filled]; its first byte is `cur.base` bytes
    // from the start of the parse.
    let mut lead = read_lead(&buf, cfg.file_offset, 0);
    let mut filled = lead;
    let mut cur = Cursor {
        base: 0,
        line: cfg.first_line,
        newlines: 0,
        records: 0,
        limit: cfg.soft_limit,
        overran: false,
        max_records: cfg.max_records,
    };
    let mut eof = false;
    let mut fast = true;
    let mut tok = Tokenizer {
        core: csv_core::Reader::new(),
        out: vec![0; 4096],
        out_len: 0,
        ends: vec![0; 64],
        n_ends: 0,
        in_record: false,
        rec_line: cfg.first_line,
    };
    let mut fast_ends: Vec<usize> = Vec::with_capacity(64);
    loop {
        // Fill the buffer (allocated once, never re-zeroed) up to its size or EOF.
        while !eof && filled < buf.len() {
            match src.read(&mut buf[filled..]) {
                Ok(0) => eof = true,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(super::decode::into_error(cfg.path, e).into()),
            }
        }
        if filled == lead {
            break;
        }
        let region_end = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[lead..filled]) {
                Some(p) => lead + p + 1,
                None => {
                    // A line longer than the buffer: grow it and read more.
                    let len = buf.len();
                    buf.resize(len * 2, 0);
                    continue;
                }
            }
        };
        let region = &buf[lead..region_end];
        if cfg.validate_utf8
            && (simdutf8::basic::from_utf8(region).is_err() || memchr::memchr(0, region).is_some())
        {
            // not plain UTF-8 text: the decoder reads it, and names the bytes
            return Err(ParseStop::NotUtf8);
        }
        if fast && memchr::memchr(b'"', region).is_some() {
            fast = false;
        }
        let (pos, stopped) = if fast && cfg.max_records.is_none() && sink.takes_lines() {
            sink_lines(&mut cur, region, sink, &mut fast_ends)?
        } else if fast {
            split_lines(&mut cur, region, sink, &mut fast_ends)?
        } else {
            tokenize(&mut cur, &mut tok, region, sink)?
        };
        if let Some(p) = cfg.progress {
            p.fetch_add(pos as u64, Ordering::Relaxed);
        }
        if stopped {
            return Ok(cur.end(pos));
        }
        if eof && region_end == filled {
            break;
        }
        let kept = filled - region_end;
        cur.base += (region_end - lead) as u64;
        if kept + 2 * LEAD > buf.len() {
            // an unfinished line nearly as long as the buffer: room for it
            // after the lead, and for more of it
            let len = buf.len();
            buf.resize(len * 2, 0);
        }
        let next = read_lead(&buf, cfg.file_offset + cur.base + kept as u64, kept);
        buf.copy_within(region_end..filled, next);
        lead = next;
        filled = next + kept;
    }
    if !fast {
        finish_tokenizer(&mut cur, &mut tok, cfg.path, sink)?;
    }
    Ok(cur.end(filled - lead))
}

/// The sink's own line reader over a quote-free region
/// ([`RecordSink::quote_free_lines`]); the lines it does not take go one
/// by one as split lines. Returns where it stopped and whether a limit
/// stopped it.
fn sink_lines<S: RecordSink>(
    cur: &mut Cursor,
    region: &[u8],
    sink: &mut S,
    fast_ends: &mut Vec<usize>,
) -> Result<(usize, bool)> {
    let mut start = 0usize;
    while start < region.len() {
        if cur.stops_at(start) {
            return Ok((start, true));
        }
        let max_start = cur.limit.map_or(region.len(), |l| {
            (l.saturating_sub(cur.base) as usize).min(region.len())
        });
        if start < max_start {
            let (used, n) = sink.quote_free_lines(cur.line, &region[start..], max_start - start)?;
            if used > 0 {
                start += used;
                cur.line += n;
                cur.newlines += n;
                cur.records += n;
                continue;
            }
        }
        let nl = memchr::memchr(b'\n', &region[start..]).map(|q| start + q);
        let mut lend = nl.unwrap_or(region.len());
        if lend > start && region[lend - 1] == b'\r' {
            lend -= 1;
        }
        if lend > start {
            fast_ends.clear();
            fast_ends.extend(memchr::memchr_iter(b',', &region[start..lend]));
            fast_ends.push(lend - start);
            sink.quote_free_line(cur.line, &region[start..lend], fast_ends)?;
            cur.records += 1;
        }
        match nl {
            Some(q) => {
                cur.line += 1;
                cur.newlines += 1;
                start = q + 1;
            }
            None => start = region.len(),
        }
    }
    fast_ends.clear();
    Ok((start, false))
}

/// One pass over a quote-free region finding commas and newlines eight
/// bytes at a time (SWAR); each line goes to the sink with its field
/// ends, the limits checked at each record start. Returns where it
/// stopped and whether a limit stopped it.
fn split_lines<S: RecordSink>(
    cur: &mut Cursor,
    region: &[u8],
    sink: &mut S,
    fast_ends: &mut Vec<usize>,
) -> Result<(usize, bool)> {
    fast_ends.clear();
    if cur.stops_at(0) {
        return Ok((0, true));
    }
    let mut start = 0usize;
    // the line ending at `p`: to the sink (unless blank), then the next one
    let mut finish =
        |p: usize, start: &mut usize, cur: &mut Cursor, ends: &mut Vec<usize>| -> Result<()> {
            let mut lend = p;
            if lend > *start && region[lend - 1] == b'\r' {
                lend -= 1;
            }
            if lend > *start {
                ends.push(lend - *start);
                sink.quote_free_line(cur.line, &region[*start..lend], ends)?;
                cur.records += 1;
            }
            ends.clear();
            cur.line += 1;
            cur.newlines += 1;
            *start = p + 1;
            Ok(())
        };
    let mut chunks = region.chunks_exact(8);
    let mut at = 0usize;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        let mut mask = zero_bytes(w ^ COMMAS) | zero_bytes(w ^ NEWLINES);
        while mask != 0 {
            let p = at + (mask.trailing_zeros() / 8) as usize;
            mask &= mask - 1;
            if region[p] == b',' {
                fast_ends.push(p - start);
                continue;
            }
            finish(p, &mut start, cur, fast_ends)?;
            if cur.stops_at(start) {
                fast_ends.clear();
                return Ok((start, true));
            }
        }
        at += 8;
    }
    for (j, &b) in chunks.remainder().iter().enumerate() {
        let p = at + j;
        if b == b',' {
            fast_ends.push(p - start);
        } else if b == b'\n' {
            finish(p, &mut start, cur, fast_ends)?;
            if cur.stops_at(start) {
                fast_ends.clear();
                return Ok((start, true));
            }
        }
    }
    if start < region.len() {
        // The last line of the input, without a newline.
        let mut lend = region.len();
        if region[lend - 1] == b'\r' {
            lend -= 1;
        }
        if lend > start {
            fast_ends.push(lend - start);
            sink.quote_free_line(cur.line, &region[start..lend], fast_ends)?;
            cur.records += 1;
        }
        start = region.len();
    }
    fast_ends.clear();
    Ok((start, false))
}

/// The tokenizer (csv_core) over a region, quotes and all; a record may
/// continue into the next region. Returns where it stopped and whether a
/// limit stopped it.
fn tokenize<S: RecordSink>(
    cur: &mut Cursor,
    tok: &mut Tokenizer,
    region: &[u8],
    sink: &mut S,
) -> Result<(usize, bool)> {
    let mut pos = 0usize;
    while pos < region.len() {
        if !tok.in_record {
            // At a record boundary: skip blank-line bytes, then check the limits.
            let boundary = cur.base + pos as u64;
            while pos < region.len() && (region[pos] == b'\n' || region[pos] == b'\r') {
                if region[pos] == b'\n' {
                    cur.line += 1;
                    cur.newlines += 1;
                }
                pos += 1;
            }
            if let Some(l) = cur.limit {
                let here = cur.base + pos as u64;
                if here >= l {
                    if boundary <= l {
                        return Ok((pos, true));
                    }
                    // The split point fell inside a record: read on to the end.
                    cur.overran = true;
                    cur.limit = None;
                }
            }
            if pos >= region.len() {
                break;
            }
            if cur.max_records.is_some_and(|m| cur.records >= m) {
                return Ok((pos, true));
            }
            tok.rec_line = cur.line;
            tok.in_record = true;
        }
        let input = &region[pos..];
        let (res, nin, nout, nend) = tok.core.read_record(
            input,
            &mut tok.out[tok.out_len..],
            &mut tok.ends[tok.n_ends..],
        );
        let newlines = memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
        cur.newlines += newlines;
        cur.line += newlines;
        pos += nin;
        tok.out_len += nout;
        tok.n_ends += nend;
        match res {
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::OutputFull => {
                let l = tok.out.len();
                tok.out.resize(l * 2, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => {
                let l = tok.ends.len();
                tok.ends.resize(l * 2, 0);
            }
            csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => {
                tok.emit(cur, sink)?;
            }
        }
    }
    Ok((pos, false))
}

impl Tokenizer {
    /// Hands the record read to the sink (unless empty) and starts anew.
    fn emit<S: RecordSink>(&mut self, cur: &mut Cursor, sink: &mut S) -> Result<()> {
        if self.n_ends > 0 {
            let view = RecordView {
                data: &self.out[..self.out_len],
                ends: &self.ends[..self.n_ends],
                gap: 0,
            };
            sink.record(self.rec_line, &view)?;
            cur.records += 1;
        }
        self.out_len = 0;
        self.n_ends = 0;
        self.in_record = false;
        Ok(())
    }
}

/// The last record of a stream without a final newline: a newline ends
/// it, unless the input ends inside a quoted field (the newline is then
/// field text), which is an error, not a record.
fn finish_tokenizer<S: RecordSink>(
    cur: &mut Cursor,
    tok: &mut Tokenizer,
    path: &str,
    sink: &mut S,
) -> Result<()> {
    if !(tok.in_record || tok.n_ends > 0 || tok.out_len > 0) {
        return Ok(());
    }
    if tok.out.len() < tok.out_len + 2 {
        tok.out.resize(tok.out_len + 2, 0);
    }
    if tok.ends.len() < tok.n_ends + 2 {
        tok.ends.resize(tok.n_ends + 2, 0);
    }
    let (res, _, nout, nend) = tok.core.read_record(
        b"\n",
        &mut tok.out[tok.out_len..],
        &mut tok.ends[tok.n_ends..],
    );
    if !matches!(res, csv_core::ReadRecordResult::Record) {
        return Err(Error::file(
            path,
            Some(tok.rec_line),
            "a quoted field of the record on this line is never closed: the input ends inside it (an unmatched '\"')",
        ));
    }
    tok.out_len += nout;
    tok.n_ends += nend;
    tok.emit(cur, sink)
}

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
pub(crate) const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
pub(crate) const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;

/// The high bit of each zero byte of `x`, exactly: no carry crosses a byte
/// boundary, so there are no false positives (unlike the classic
/// `(x - 0x01…) & !x & 0x80…`, which flags bytes above a zero byte).
#[inline(always)]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    !(((x & LO7).wrapping_add(LO7)) | x | LO7)
}

/// Reads the header record of a file (after any BOM), returning its fields
/// and the byte offset and line where the data begin.
pub(crate) struct HeaderRead {
    pub fields: Vec<String>,
    /// The header's 1-based line (after any blank lines).
    pub line: u64,
    pub data_offset: u64,
    pub data_line: u64,
}

struct HeaderSink(Option<(u64, Vec<String>)>);

impl RecordSink for HeaderSink {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        if self.0.is_none() {
            self.0 = Some((line, (0..rec.len()).map(|i| rec.text(i)).collect()));
        }
        Ok(())
    }
    fn fork(&self) -> Self {
        HeaderSink(None)
    }
    fn merge(&mut self, _later: Self, _line_offset: u64) -> Result<()> {
        Ok(())
    }
}

/// Reads the header of a UTF-8 file; `NotUtf8` when the header is not UTF-8.
pub(crate) fn read_header_utf8(
    path: &Path,
    name: &str,
) -> std::result::Result<Option<HeaderRead>, ParseStop> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bom = [0u8; 3];
    let mut got = 0;
    while got < 3 {
        match f.read(&mut bom[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(Error::io(path, e).into()),
        }
    }
    let skip = if got == 3 && bom == [0xEF, 0xBB, 0xBF] {
        3
    } else {
        0
    };
    f.seek(SeekFrom::Start(skip))
        .map_err(|e| Error::io(path, e))?;
    let mut sink = HeaderSink(None);
    let cfg = ParseConfig {
        file_offset: skip,
        soft_limit: None,
        max_records: Some(1),
        first_line: 1,
        validate_utf8: true,
        progress: None,
        path: name,
    };
    // Parse only the first record; validation covers the first block only.
    let end = parse_stream(f.take(64 << 20), &cfg, &mut sink)?;
    Ok(sink.0.map(|(line, fields)| HeaderRead {
        fields,
        line,
        data_offset: skip + end.consumed,
        data_line: 1 + end.newlines,
    }))
}

/// Whether the first 64 KB of a file hold a lone CR (a `\r` not followed
/// by `\n`): old Mac exports end their lines so, and are read through the
/// decoder, which makes them LF.
pub(crate) fn starts_with_lone_cr(path: &Path) -> Result<bool> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = vec![0u8; 1 << 16];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    let head = &head[..got];
    Ok(memchr::memchr_iter(b'\r', head).any(|p| head.get(p + 1).is_some_and(|&b| b != b'\n')))
}

/// Outcome of reading a whole file or stream into a sink.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StreamSummary {
    /// Records handed to the sink.
    #[allow(dead_code)]
    pub records: u64,
}

/// Samples the first 20,000 records of a file: are the rows of one key
/// (respondent) scattered, so that range-split states would overlap? They
/// are when a key recurs after others (more than 1% of rows), or when the
/// key changes on most rows (shuffled or item-major files, whose keys only
/// recur much later).
pub(crate) fn key_recurs(path: &Path, name: &str, hdr: &HeaderRead, key: usize) -> bool {
    struct Probe {
        key: usize,
        last: Vec<u8>,
        seen: std::collections::HashSet<Vec<u8>>,
        rows: u64,
        changes: u64,
        recurrences: u64,
    }
    impl RecordSink for Probe {
        fn record(&mut self, _line: u64, rec: &RecordView<'_>) -> Result<()> {
            let k = rec.get(self.key);
            self.rows += 1;
            if k != self.last.as_slice() {
                self.changes += 1;
                if !self.seen.insert(k.to_vec()) {
                    self.recurrences += 1;
                }
                self.last.clear();
                self.last.extend_from_slice(k);
            }
            Ok(())
        }
        fn fork(&self) -> Self {
            Probe {
                key: self.key,
                last: vec![],
                seen: Default::default(),
                rows: 0,
                changes: 0,
                recurrences: 0,
            }
        }
        fn merge(&mut self, _later: Self, _off: u64) -> Result<()> {
            Ok(())
        }
    }
    let mut probe = Probe {
        key,
        last: vec![],
        seen: Default::default(),
        rows: 0,
        changes: 0,
        recurrences: 0,
    };
    let cfg = ParseConfig {
        file_offset: hdr.data_offset,
        soft_limit: None,
        max_records: Some(20_000),
        first_line: hdr.data_line,
        validate_utf8: false,
        progress: None,
        path: name,
    };
    let Ok(mut f) = File::open(path) else {
        return false;
    };
    if f.seek(SeekFrom::Start(hdr.data_offset)).is_err() {
        return false;
    }
    let _ = parse_stream(f.take(4 << 20), &cfg, &mut probe);
    // short files split between threads (fuzzing) take the spill path too
    let enough = if split_min_bytes() < 4 << 20 { 4 } else { 100 };
    probe.rows >= enough && (probe.recurrences * 100 > probe.rows || probe.changes * 2 > probe.rows)
}

/// Where [`parse_file_parallel`] splits a file of `len` bytes whose data
/// starts at `start` between `threads` readers: `start`, then just after
/// the first newline at or after each share, then `len`. A file under
/// [`split_min_bytes`] (4 MB) is not split.
pub(crate) fn split_points(path: &Path, start: u64, len: u64, threads: usize) -> Result<Vec<u64>> {
    let data_len = len.saturating_sub(start);
    let threads = threads.max(1);
    let mut splits = vec![start];
    if threads > 1 && data_len >= split_min_bytes() {
        let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
        for t in 1..threads {
            let at = start + data_len * t as u64 / threads as u64;
            if at <= *splits.last().unwrap_or(&start) {
                continue;
            }
            f.seek(SeekFrom::Start(at))
                .map_err(|e| Error::io(path, e))?;
            let mut win = vec![0u8; 1 << 16];
            let mut off = at;
            loop {
                let n = f.read(&mut win).map_err(|e| Error::io(path, e))?;
                if n == 0 {
                    break;
                }
                if let Some(p) = memchr::memchr(b'\n', &win[..n]) {
                    let split = off + p as u64 + 1;
                    if split < len {
                        splits.push(split);
                    }
                    break;
                }
                off += n as u64;
            }
        }
    }
    splits.push(len);
    Ok(splits)
}

/// What a reader thread does with its sink once its range of the file is
/// read without error (see [`parse_file_parallel`]): the range's index and
/// the sink, before sinks are merged.
pub(crate) type RangeDone<'a, S> = &'a (dyn Fn(usize, &mut S) + Sync);

/// Parses the data records of a UTF-8 file from `hdr.data_offset`, on up to
/// `threads` threads. `NotUtf8` when a block turns out not to be UTF-8.
/// When the file is split, each thread hands its sink to `done` after its
/// range (not when it is read whole, on one thread).
pub(crate) fn parse_file_parallel<S: RecordSink>(
    path: &Path,
    name: &str,
    hdr: &HeaderRead,
    sink: &mut S,
    threads: usize,
    progress: Option<&AtomicU64>,
    done: RangeDone<'_, S>,
) -> std::result::Result<StreamSummary, ParseStop> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let start = hdr.data_offset;
    let splits = split_points(path, start, len, threads)?;
    let ranges: Vec<(u64, u64)> = splits.windows(2).map(|w| (w[0], w[1])).collect();
    let validate = true;
    let open_at = |off: u64| -> Result<File> {
        let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
        f.seek(SeekFrom::Start(off))
            .map_err(|e| Error::io(path, e))?;
        Ok(f)
    };
    if ranges.len() == 1 {
        let cfg = ParseConfig {
            file_offset: start,
            soft_limit: None,
            max_records: None,
            first_line: hdr.data_line,
            validate_utf8: validate,
            progress,
            path: name,
        };
        sink.expect_bytes(len - start);
        let end = parse_stream(open_at(start)?, &cfg, sink)?;
        return Ok(StreamSummary {
            records: end.records,
        });
    }
    let forks: Vec<S> = ranges
        .iter()
        .skip(1)
        .map(|(from, to)| {
            let mut f = sink.fork();
            f.expect_bytes(to - from);
            f
        })
        .collect();
    sink.expect_bytes(ranges[0].1 - ranges[0].0);
    let results: Vec<(std::result::Result<RangeEnd, ParseStop>, Option<S>)> =
        std::thread::scope(|scope| {
            let mut handles = Vec::new();
            for (i, mut s) in forks.into_iter().enumerate() {
                let (from, to) = ranges[i + 1];
                let thread = std::thread::Builder::new().name(format!("reader {}", i + 1));
                handles.push(thread.spawn_scoped(scope, move || {
                    let cfg = ParseConfig {
                        file_offset: from,
                        soft_limit: (to < len).then_some(to - from),
                        max_records: None,
                        first_line: 1,
                        validate_utf8: validate,
                        progress,
                        path: name,
                    };
                    let r = open_at(from)
                        .map_err(ParseStop::from)
                        .and_then(|f| parse_stream(f, &cfg, &mut s));
                    if r.is_ok() {
                        done(i + 1, &mut s);
                    }
                    (r, Some(s))
                }));
            }
            let (from, to) = ranges[0];
            let cfg = ParseConfig {
                file_offset: from,
                soft_limit: Some(to - from),
                max_records: None,
                first_line: hdr.data_line,
                validate_utf8: validate,
                progress,
                path: name,
            };
            let first = open_at(from)
                .map_err(ParseStop::from)
                .and_then(|f| parse_stream(f, &cfg, sink));
            if first.is_ok() {
                done(0, sink);
            }
            let mut all = vec![(first, None)];
            for h in handles {
                all.push(match h {
                    Ok(h) => h.join().unwrap_or_else(|_| {
                        (
                            Err(ParseStop::Error(Error::internal(
                                "a reader thread panicked",
                            ))),
                            None,
                        )
                    }),
                    Err(e) => (Err(ParseStop::Error(Error::io(path, e))), None),
                });
            }
            all
        });
    // Merge in file order; stop at the first range that overran or failed.
    let mut iter = results.into_iter();
    let (first, _) = iter
        .next()
        .ok_or_else(|| ParseStop::Error(Error::internal("no reader result")))?;
    let first = first?;
    let mut records = first.records;
    let mut line_offset = hdr.data_line - 1 + first.newlines;
    let mut overran = first.overran;
    for (res, s) in iter {
        if overran {
            break;
        }
        let end = res.map_err(|e| match e {
            ParseStop::Error(e) => ParseStop::Error(e.shift_lines(line_offset)),
            other => other,
        })?;
        if let Some(s) = s {
            sink.merge(s, line_offset)?;
        }
        records += end.records;
        line_offset += end.newlines;
        overran = end.overran;
    }
    Ok(StreamSummary { records })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scattered_keys_are_told_from_grouped_ones() {
        // 2,000 respondents × 22 items in several orders.
        let dir = tempfile::tempdir().expect("temp dir");
        let probe = |name: &str, rows: Vec<(u32, u32)>| {
            let mut text = String::from("respondent_id,item,e,p\n");
            for (r, i) in rows {
                text.push_str(&format!("R{r:05},q{i:02},5,4\n"));
            }
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            let Ok(Some(hdr)) = read_header_utf8(&path, name) else {
                panic!("no header in {name}");
            };
            key_recurs(&path, name, &hdr, 0)
        };
        let by_respondent: Vec<(u32, u32)> = (0..2000)
            .flat_map(|r| (1..=22).map(move |i| (r, i)))
            .collect();
        // item-major with more respondents than the sample: no key recurs
        // within it, but the key changes on every row
        let by_item: Vec<(u32, u32)> = (1..=2)
            .flat_map(|i| (0..30_000).map(move |r| (r, i)))
            .collect();
        let mut shuffled = by_respondent.clone();
        let mut x: u64 = 7;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        // respondents listed in an order of their own, but each one's rows together
        let mut grouped: Vec<(u32, u32)> = Vec::new();
        for r in 0..2000u32 {
            let r = (r * 7919) % 2000;
            grouped.extend((1..=22).map(|i| (r, i)));
        }
        assert!(!probe("sorted.csv", by_respondent));
        assert!(!probe("grouped.csv", grouped));
        assert!(probe("item_major.csv", by_item));
        assert!(probe("shuffled.csv", shuffled));
    }

    #[derive(Default)]
    struct Collect(Vec<(u64, Vec<String>)>);
    impl RecordSink for Collect {
        fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
            self.0.push((
                line,
                (0..rec.len())
                    .map(|i| String::from_utf8_lossy(rec.get(i)).into_owned())
                    .collect(),
            ));
            Ok(())
        }
        fn fork(&self) -> Self {
            Collect::default()
        }
        fn merge(&mut self, later: Self, off: u64) -> Result<()> {
            self.0
                .extend(later.0.into_iter().map(|(l, r)| (l + off, r)));
            Ok(())
        }
    }

    fn parse(bytes: &[u8]) -> Vec<(u64, Vec<String>)> {
        let cfg = ParseConfig {
            file_offset: 0,
            soft_limit: None,
            max_records: None,
            first_line: 1,
            validate_utf8: false,
            progress: None,
            path: "t",
        };
        let mut c = Collect::default();
        assert!(parse_stream(bytes, &cfg, &mut c).is_ok());
        c.0
    }

    fn csv_crate(bytes: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        r.byte_records()
            .map(|rec| {
                let rec = rec.unwrap_or_default();
                let line = rec.position().map_or(0, |p| p.line());
                (
                    line,
                    rec.iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn fast_and_quoted_parsers_agree_with_the_csv_crate() {
        let cases: Vec<&[u8]> = vec![
            b"a,b,c\n1,2,3\n4,5,6\n",
            b"a,b\n\n\n1,2\n",
            b"a,b\n\"x,y\",2\n\"multi\nline\",3\n4,5\n",
            b"a,b\n1,\"he said \"\"hi\"\"\"\n2,3",
            b"x\n",
            b"a,,b\n,,\n",
        ];
        for c in cases {
            let ours = parse(c);
            let fields: Vec<_> = ours.iter().map(|r| r.1.clone()).collect();
            let theirs: Vec<_> = csv_crate(c).into_iter().map(|r| r.1).collect();
            assert_eq!(fields, theirs, "input {:?}", String::from_utf8_lossy(c));
            if !c.contains(&b'"') {
                // Independent line count: the physical line of each non-blank line.
                let text = String::from_utf8_lossy(c);
                let expect: Vec<u64> = text
                    .split('\n')
                    .enumerate()
                    .filter(|(_, l)| !l.trim_end_matches('\r').is_empty())
                    .map(|(i, _)| i as u64 + 1)
                    .collect();
                assert_eq!(ours.iter().map(|r| r.0).collect::<Vec<_>>(), expect);
            }
        }
        // A quoted field spanning lines: the next record starts two lines on.
        let q = parse(b"a,b\n\"multi\nline\",3\n4,5\n");
        assert_eq!(q.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 4]);
    }

    #[test]
    fn an_unterminated_quote_is_an_error_naming_its_line() {
        let cfg = ParseConfig {
            file_offset: 0,
            soft_limit: None,
            max_records: None,
            first_line: 1,
            validate_utf8: false,
            progress: None,
            path: "t",
        };
        for text in [&b"a,b\n1,\"x\n2,3\n"[..], b"a,b\n1,\"x\n2,3", b"a,b\n1,\"x"] {
            let mut c = Collect::default();
            match parse_stream(text, &cfg, &mut c) {
                Err(ParseStop::Error(e)) => assert_eq!(e.line(), Some(2), "{e}"),
                _ => panic!("accepted {:?}", String::from_utf8_lossy(text)),
            }
        }
        // a quote closed at the very end, and quotes inside an unquoted field
        for text in [
            &b"a,b\n1,\"x\"\n"[..],
            b"a,b\n1,\"x\"",
            b"a,b\n1,5\" screen\n",
        ] {
            let mut c = Collect::default();
            assert!(
                parse_stream(text, &cfg, &mut c).is_ok(),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn a_line_nearly_as_long_as_the_buffer_after_a_short_one() {
        // The kept part of the long line is moved to just before the next
        // read's place in a 64-byte line: it must still fit.
        for len in (BLOCK - 8..BLOCK + 2 * LEAD).step_by(5) {
            let long = "x".repeat(len);
            let text = format!("a,b\n{long},y\nc,d\n");
            let rows = parse(text.as_bytes());
            assert_eq!(rows.len(), 3, "{len}");
            assert_eq!(rows[1], (2, vec![long.clone(), "y".to_string()]), "{len}");
            assert_eq!(rows[2], (3, vec!["c".to_string(), "d".to_string()]));
        }
    }

    #[test]
    fn parallel_split_matches_sequential_with_quotes_across_the_split() {
        let dir = std::env::temp_dir().join(format!("servgap-rec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("test value");
        // A file whose middle is inside a long quoted multi-line field, then plain rows.
        let mut s = String::from("h1,h2\n");
        for i in 0..40_000 {
            s.push_str(&format!("{i},plain\n"));
        }
        s.push_str("x,\"");
        for _ in 0..300_000 {
            s.push_str("in quotes\n");
        }
        s.push_str("\"\n");
        for i in 0..200_000 {
            s.push_str(&format!("{i},\"q\"\n"));
        }
        for (k, body) in [("q", s.clone()), ("p", s.replace('"', ""))] {
            let path = dir.join(format!("{k}.csv"));
            std::fs::write(&path, &body).expect("test value");
            let hdr = match read_header_utf8(&path, "t") {
                Ok(Some(h)) => h,
                _ => panic!("header"),
            };
            let mut par = Collect::default();
            assert!(parse_file_parallel(&path, "t", &hdr, &mut par, 3, None, &|_, _| {}).is_ok());
            let mut seq = parse(body.as_bytes());
            seq.remove(0);
            let fields: Vec<_> = csv_crate(body.as_bytes())
                .into_iter()
                .skip(1)
                .map(|r| r.1)
                .collect();
            assert!(
                seq.iter().map(|r| &r.1).eq(fields.iter()),
                "{k}: sequential parse differs from the csv crate"
            );
            assert_eq!(par.0.len(), seq.len(), "{k}");
            for (a, b) in par.0.iter().zip(&seq) {
                assert_eq!(a, b, "{k}");
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
