//! Strict decoding of an input's bytes into UTF-8 text, for every input
//! that is not a regular UTF-8 file read in place: standard input, pipes and
//! FIFOs, files in a legacy encoding, and files whose bytes turned out not to
//! be plain UTF-8 (SPEC §3).
//!
//! An input's text must never change silently: a byte sequence that its
//! encoding cannot decode is an error naming the line, the column and the
//! bytes in hex (never U+FFFD), and so is a NUL byte (binary data, or
//! UTF-16 read as something else). Lone CR line ends (old Mac exports)
//! become LF, so the parser downstream sees one kind of line end.
//!
//! Without `--encoding`, the encoding is decided as the bytes arrive, so a
//! pipe is read exactly as the same file on disk, however far into the
//! stream its first non-ASCII byte lies. A byte-order mark decides at once.
//! ASCII is the same text in UTF-8 and GB18030, so it passes before any
//! decision. At the first non-ASCII byte the reader holds the bytes back
//! until they show which encoding they are in:
//!
//! - UTF-8 when they hold a complete run of non-ASCII characters with a
//!   character of three or four bytes (every CJK character), two such runs
//!   of two-byte characters, two three-byte characters in a row, 1 MiB of
//!   valid UTF-8, or the end of the input. A later byte that is not UTF-8 is
//!   then an error: the file is UTF-8 with bad bytes, and re-reading it as
//!   GB18030 would turn every 上海 into 涓婃捣.
//! - GB18030 (Excel's "CSV" on a Chinese Windows) when a byte sequence that
//!   UTF-8 cannot decode comes first. GBK text almost never forms such runs
//!   of valid UTF-8: a lone two-byte GBK character often does, which is why
//!   one is not enough.

use std::io::{self, Read};

use encoding_rs::{DecoderResult, Encoding};

use crate::error::{Column, Error, ErrorKind};

/// Bytes per read from the underlying input.
const READ: usize = 1 << 16;
/// Bytes of valid UTF-8 after the first non-ASCII byte that settle an
/// undecided input as UTF-8.
const SNIFF_LIMIT: usize = 1 << 20;
/// Longest line tail kept for placing an error in its column.
const TAIL_LIMIT: usize = 1 << 20;
/// Longest header kept for naming the column of an error.
const HEADER_LIMIT: usize = 1 << 16;

/// How an input's bytes are to be decoded.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// No encoding named and none decided yet: ASCII passes, the first
    /// non-ASCII byte decides.
    Undecided,
    /// UTF-8: validated and passed through.
    Utf8 { named: bool },
    /// Another encoding, through `encoding_rs`.
    Other { named: bool },
}

/// A [`Read`] of UTF-8 text decoded strictly from `inner`; see the module
/// docs. A decoding error surfaces as an `io::Error` of kind `InvalidData`
/// wrapping the servgap [`Error`]; [`into_error`] unwraps it.
pub(crate) struct DecodeReader<R> {
    inner: R,
    file: String,
    mode: Mode,
    /// The encoding named or decided (UTF-8 until decided otherwise).
    encoding: &'static Encoding,
    decoder: Option<encoding_rs::Decoder>,
    /// Raw bytes not yet decoded: `raw[raw_at..]`.
    raw: Vec<u8>,
    raw_at: usize,
    eof: bool,
    /// The start of the input: a byte-order mark may still be there.
    at_start: bool,
    /// Decoded text not yet handed out: `out[out_at..ready]`; bytes from
    /// `ready` on are a CR whose next byte decides whether it ends a line.
    out: Vec<u8>,
    out_at: usize,
    ready: usize,
    /// Where the text handed out so far is: for naming an error's place.
    place: Place,
    /// A problem met in the newest text, made an error once the text
    /// before it is settled.
    pending: Option<Problem>,
    /// A decoding error met: returned once the text before it is out.
    failed: Option<Error>,
}

/// A problem a decoding step met.
#[derive(Debug, Clone, Copy)]
enum Problem {
    /// `raw[at..at + len]` cannot be decoded.
    Bytes { at: usize, len: usize },
    /// The text holds a NUL byte.
    Nul,
}

/// Line, column and header of the text decoded so far.
#[derive(Debug, Default)]
struct Place {
    /// Line ends so far.
    newlines: u64,
    /// The text since the last line end (up to [`TAIL_LIMIT`]).
    tail: Vec<u8>,
    tail_cut: bool,
    /// The first line, for the header's column names.
    header: Vec<u8>,
    header_done: bool,
}

impl Place {
    fn advance(&mut self, text: &[u8]) {
        if !self.header_done {
            match memchr::memchr(b'\n', text) {
                Some(p) => {
                    self.take_header(&text[..p]);
                    self.header_done = true;
                }
                None => self.take_header(text),
            }
        }
        let lines = memchr::memchr_iter(b'\n', text).count() as u64;
        match memchr::memrchr(b'\n', text) {
            Some(p) => {
                self.newlines += lines;
                self.tail.clear();
                self.tail_cut = false;
                self.push_tail(&text[p + 1..]);
            }
            None => self.push_tail(text),
        }
    }

    fn take_header(&mut self, text: &[u8]) {
        let room = HEADER_LIMIT.saturating_sub(self.header.len());
        self.header.extend_from_slice(&text[..text.len().min(room)]);
    }

    fn push_tail(&mut self, text: &[u8]) {
        let room = TAIL_LIMIT.saturating_sub(self.tail.len());
        if text.len() > room {
            self.tail_cut = true;
        }
        self.tail.extend_from_slice(&text[..text.len().min(room)]);
    }

    /// The 1-based line of the next byte.
    fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// The column of the next byte and the text of its field so far.
    fn column(&self) -> (Option<Column>, String) {
        // Fields of the line so far, quotes respected (a quoted field that
        // spans lines is taken from this line's start: rare enough).
        let (mut field, mut start, mut quoted) = (0usize, 0usize, false);
        for (i, &b) in self.tail.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b',' if !quoted => {
                    field += 1;
                    start = i + 1;
                }
                _ => {}
            }
        }
        let after = String::from_utf8_lossy(&self.tail[start..]).into_owned();
        let after = match after.char_indices().rev().nth(19) {
            Some((cut, _)) => format!("…{}", &after[cut..]),
            None => after,
        };
        if self.tail_cut {
            return (None, after);
        }
        let name = if self.header_done || self.newlines > 0 {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(self.header.as_slice())
                .records()
                .next()
                .and_then(|r| r.ok())
                .and_then(|r| {
                    r.get(field)
                        .map(|s| s.trim().trim_start_matches('\u{feff}').to_string())
                })
        } else {
            None
        };
        let column = Column {
            number: field + 1,
            name: name.unwrap_or_default(),
        };
        (Some(column), after)
    }
}

/// What a decoding step needs next.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// It used what it could; call again (after reading more when all raw
    /// bytes are used).
    Done,
    /// It cannot go on without more raw bytes (a character, a mark or the
    /// evidence for an encoding is cut by the read).
    NeedMore,
}

impl<R: Read> DecodeReader<R> {
    /// Decodes `inner` (named `file` in messages) as `encoding`, or decides
    /// the encoding from the bytes when it is `None`. A byte-order mark
    /// overrides a named encoding, as Excel's exports expect.
    pub fn new(inner: R, file: &str, encoding: Option<&'static Encoding>) -> Self {
        let mode = match encoding {
            None => Mode::Undecided,
            Some(e) if e == encoding_rs::UTF_8 => Mode::Utf8 { named: true },
            Some(_) => Mode::Other { named: true },
        };
        DecodeReader {
            inner,
            file: file.to_string(),
            mode,
            encoding: encoding.unwrap_or(encoding_rs::UTF_8),
            decoder: None,
            raw: Vec::with_capacity(READ),
            raw_at: 0,
            eof: false,
            at_start: true,
            out: Vec::with_capacity(READ * 2),
            out_at: 0,
            ready: 0,
            place: Place::default(),
            pending: None,
            failed: None,
        }
    }

    /// The encoding used, e.g. `UTF-8` or `gb18030` (final once the input
    /// is read).
    pub fn encoding_name(&self) -> String {
        match self.mode {
            Mode::Utf8 { .. } | Mode::Undecided => "UTF-8".to_string(),
            Mode::Other { .. } => self.encoding.name().to_string(),
        }
    }

    /// Reads more raw bytes after those not yet used, keeping the last few
    /// used ones (a decoder may name them in an error); sets `eof` at the
    /// end of the input.
    fn read_raw(&mut self) -> io::Result<()> {
        let keep = self.raw_at.min(4);
        if self.raw_at - keep >= READ || self.raw_at == self.raw.len() {
            self.raw.drain(..self.raw_at - keep);
            self.raw_at = keep;
        }
        let len = self.raw.len();
        self.raw.resize(len + READ, 0);
        loop {
            match self.inner.read(&mut self.raw[len..]) {
                Ok(n) => {
                    self.raw.truncate(len + n);
                    self.eof = n == 0;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.raw.truncate(len);
                    return Err(e);
                }
            }
        }
    }

    /// Decodes more text into `out`; `false` when nothing more will come.
    fn produce(&mut self) -> io::Result<bool> {
        loop {
            if self.failed.is_some() {
                return Ok(false);
            }
            let start = self.out.len();
            let step = self.step();
            if self.out.len() > start || self.pending.is_some() {
                self.settle();
                return Ok(true);
            }
            if self.eof && (self.raw_at == self.raw.len() || step == Step::Done) {
                if self.ready < self.out.len() {
                    // a CR at the very end of the input ends its line
                    self.settle();
                    return Ok(true);
                }
                return Ok(false);
            }
            if step == Step::NeedMore || self.raw_at == self.raw.len() {
                self.read_raw()?;
            }
        }
    }

    /// One step of decoding what `raw` holds, in the current mode.
    fn step(&mut self) -> Step {
        if self.at_start {
            if self.raw.len() - self.raw_at < 3 && !self.eof {
                return Step::NeedMore;
            }
            self.at_start = false;
            self.take_bom();
        }
        match self.mode {
            Mode::Undecided => self.sniff(),
            Mode::Utf8 { .. } => self.pass_utf8(),
            Mode::Other { .. } => self.decode_other(),
        }
    }

    /// A byte-order mark (UTF-8, UTF-16) decides the encoding and is dropped.
    fn take_bom(&mut self) {
        if let Some((enc, len)) = Encoding::for_bom(&self.raw[self.raw_at..]) {
            self.raw_at += len;
            self.encoding = enc;
            self.mode = if enc == encoding_rs::UTF_8 {
                Mode::Utf8 { named: true }
            } else {
                Mode::Other { named: true }
            };
        }
    }

    /// Undecided: ASCII passes; from the first non-ASCII byte on, the bytes
    /// are held until they decide the encoding (module docs).
    fn sniff(&mut self) -> Step {
        let rest = &self.raw[self.raw_at..];
        let ascii = ascii_prefix(rest);
        self.out.extend_from_slice(&rest[..ascii]);
        self.raw_at += ascii;
        let held = &self.raw[self.raw_at..];
        if held.is_empty() {
            return Step::Done;
        }
        let settled = self.eof || held.len() >= SNIFF_LIMIT;
        let utf8 = match simdutf8::compat::from_utf8(held) {
            Ok(_) if utf8_evidence(held) || settled => true,
            Ok(_) => return Step::NeedMore,
            Err(e) if utf8_evidence(&held[..e.valid_up_to()]) => true,
            Err(e) if e.error_len().is_some() => false,
            Err(_) if self.eof => false,
            Err(_) if settled => true,
            Err(_) => return Step::NeedMore,
        };
        if utf8 {
            self.mode = Mode::Utf8 { named: false };
            self.pass_utf8()
        } else {
            self.encoding = encoding_rs::GB18030;
            self.mode = Mode::Other { named: false };
            self.decode_other()
        }
    }

    /// UTF-8: the valid bytes pass; a character cut by the end of a read
    /// waits for the next one; anything else is an error.
    fn pass_utf8(&mut self) -> Step {
        let rest = &self.raw[self.raw_at..];
        let (valid, bad) = match simdutf8::compat::from_utf8(rest) {
            Ok(_) => (rest.len(), None),
            Err(e) => (e.valid_up_to(), Some(e.error_len())),
        };
        self.out.extend_from_slice(&rest[..valid]);
        self.raw_at += valid;
        match bad {
            None => Step::Done,
            Some(Some(len)) => {
                self.pending = Some(Problem::Bytes {
                    at: self.raw_at,
                    len,
                });
                Step::Done
            }
            Some(None) if self.eof => {
                self.pending = Some(Problem::Bytes {
                    at: self.raw_at,
                    len: self.raw.len() - self.raw_at,
                });
                Step::Done
            }
            Some(None) => Step::NeedMore,
        }
    }

    /// Another encoding: decoded strictly by `encoding_rs`.
    fn decode_other(&mut self) -> Step {
        let encoding = self.encoding;
        let decoder = self
            .decoder
            .get_or_insert_with(|| encoding.new_decoder_without_bom_handling());
        let src = &self.raw[self.raw_at..];
        let start = self.out.len();
        let room = decoder
            .max_utf8_buffer_length_without_replacement(src.len())
            .unwrap_or(src.len() * 4 + 16)
            .max(16);
        self.out.resize(start + room, 0);
        let (result, read, written) =
            decoder.decode_to_utf8_without_replacement(src, &mut self.out[start..], self.eof);
        self.out.truncate(start + written);
        self.raw_at += read;
        if self.eof && result == DecoderResult::InputEmpty {
            // a decoder told `last` must not be called again; a later
            // call (with nothing left to decode) gets a fresh one
            self.decoder = None;
        }
        if let DecoderResult::Malformed(bad, extra) = result {
            let end = self.raw_at - extra as usize;
            let bad = bad as usize;
            self.pending = Some(Problem::Bytes {
                at: end.saturating_sub(bad),
                len: bad,
            });
        }
        Step::Done
    }

    /// New text `out[ready..]`: lone CRs become LF, a NUL byte is an
    /// error, and the text up to a final CR (whose next byte is still to
    /// come) is ready to hand out; then a problem met is the error.
    fn settle(&mut self) {
        let from = self.ready;
        if let Some(p) = memchr::memchr(0, &self.out[from..]) {
            self.out.truncate(from + p);
            self.pending = Some(Problem::Nul);
        }
        let new = &mut self.out[from..];
        let mut i = 0;
        while let Some(p) = memchr::memchr(b'\r', &new[i..]) {
            let at = i + p;
            match new.get(at + 1) {
                Some(b'\n') | None => {}
                Some(_) => new[at] = b'\n',
            }
            i = at + 1;
        }
        let done = self.eof && self.raw_at == self.raw.len() || self.pending.is_some();
        let mut end = self.out.len();
        if self.out.last() == Some(&b'\r') {
            if done {
                self.out[end - 1] = b'\n';
            } else {
                end -= 1;
            }
        }
        if end > self.ready {
            self.place.advance(&self.out[self.ready..end]);
            self.ready = end;
        }
        match self.pending.take() {
            Some(Problem::Bytes { at, len }) => self.bytes_error(at, len),
            Some(Problem::Nul) => self.nul_error(),
            None => {}
        }
    }

    /// The error of the `len` bytes at `raw[at..]`.
    fn bytes_error(&mut self, at: usize, len: usize) {
        let end = (at + len).min(self.raw.len());
        let bytes = self.raw[at.min(end)..end].to_vec();
        let enc = self.encoding.name();
        let (problem, hint) = match self.mode {
            Mode::Utf8 { named: true } => (
                "not valid UTF-8".to_string(),
                "the input is not UTF-8: name its encoding with --encoding (e.g. gb18030, windows-1252)".to_string(),
            ),
            Mode::Utf8 { named: false } | Mode::Undecided => (
                "not valid UTF-8".to_string(),
                "the text before them is UTF-8, so the file is UTF-8 with bad bytes here: fix them, or name the file's encoding with --encoding (e.g. gb18030, windows-1252)".to_string(),
            ),
            Mode::Other { named: true } => (
                format!("not valid {enc}"),
                format!("the input is not {enc}: name its encoding with --encoding (e.g. utf-8, gb18030, big5, windows-1252)"),
            ),
            Mode::Other { named: false } => (
                format!("neither UTF-8 nor {enc}"),
                "name the file's encoding with --encoding (e.g. windows-1252, big5, shift_jis, cp949)".to_string(),
            ),
        };
        self.fail(bytes, problem, hint);
    }

    fn nul_error(&mut self) {
        let hint = if self.place.newlines == 0 && self.place.tail.len() <= 1 {
            "the input looks like UTF-16: save it as UTF-8 CSV, or name it with --encoding utf-16le"
        } else {
            "a CSV export holds no NUL bytes: the file is damaged or not text (UTF-16? then --encoding utf-16le)"
        };
        self.fail(vec![0], "a NUL byte".to_string(), hint.to_string());
    }

    fn fail(&mut self, bytes: Vec<u8>, problem: String, hint: String) {
        let (column, after) = self.place.column();
        self.failed = Some(
            ErrorKind::Undecodable {
                file: self.file.clone(),
                line: self.place.line(),
                column,
                bytes,
                problem,
                after,
                hint,
            }
            .into(),
        );
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.out_at == self.ready {
            if self.out_at > 0 {
                self.out.drain(..self.out_at);
                self.ready -= self.out_at;
                self.out_at = 0;
            }
            if !self.produce()? && self.out_at == self.ready {
                return match self.failed.take() {
                    Some(e) => Err(io::Error::new(io::ErrorKind::InvalidData, e)),
                    None => Ok(0),
                };
            }
        }
        let n = buf.len().min(self.ready - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

/// The servgap error inside an `io::Error` from a [`DecodeReader`], or the
/// I/O error as such, naming `file`.
pub(crate) fn into_error(file: &str, e: io::Error) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        if let Some(inner) = e.into_inner() {
            if let Ok(err) = inner.downcast::<Error>() {
                return *err;
            }
        }
        return Error::internal("a decoding error was lost");
    }
    Error::io(file, e)
}

/// Length of the ASCII prefix of `b`, eight bytes at a time.
fn ascii_prefix(b: &[u8]) -> usize {
    let mut i = 0;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if x & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&c| c >= 0x80)
        .unwrap_or(b.len() - i)
}

/// Whether valid UTF-8 text `s` (starting at a non-ASCII byte) shows that
/// the input is UTF-8 rather than GB18030 (module docs).
fn utf8_evidence(s: &[u8]) -> bool {
    let (mut weak_runs, mut wide, mut narrow, mut in_run) = (0, 0, 0, false);
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b < 0x80 {
            if in_run {
                if wide > 0 {
                    return true;
                }
                if narrow > 0 {
                    weak_runs += 1;
                    if weak_runs >= 2 {
                        return true;
                    }
                }
            }
            (in_run, wide, narrow) = (false, 0, 0);
            i += 1;
            continue;
        }
        in_run = true;
        let len = match b {
            0xF0..=0xF7 => 4,
            0xE0..=0xEF => 3,
            _ => 2,
        };
        if len >= 3 {
            wide += 1;
            if wide >= 2 {
                return true;
            }
        } else {
            narrow += 1;
        }
        i += len;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `bytes` read `chunk` bytes at a time.
    fn decode(
        bytes: &[u8],
        enc: Option<&'static Encoding>,
        chunk: usize,
    ) -> Result<(String, String), Error> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = DecodeReader::new(Trickle(bytes, chunk), "t.csv", enc);
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .map_err(|e| into_error("t.csv", e))?;
        Ok((
            String::from_utf8(out).expect("utf-8 out"),
            r.encoding_name(),
        ))
    }

    fn every_chunking(
        bytes: &[u8],
        enc: Option<&'static Encoding>,
    ) -> Result<(String, String), Error> {
        let first = decode(bytes, enc, 1 << 20);
        for chunk in [1, 2, 3, 5, 7, 64] {
            let other = decode(bytes, enc, chunk);
            assert_eq!(
                format!("{first:?}"),
                format!("{other:?}"),
                "chunks of {chunk}"
            );
        }
        first
    }

    fn error_of(r: Result<(String, String), Error>) -> (u64, Option<Column>, Vec<u8>, String) {
        match r.map_err(Error::into_kind) {
            Err(ErrorKind::Undecodable {
                line,
                column,
                bytes,
                problem,
                ..
            }) => (line, column, bytes, problem),
            other => panic!("expected a decoding error, got {other:?}"),
        }
    }

    #[test]
    fn utf8_with_and_without_bom_passes_unchanged() {
        let text = "date,site\n2026-01-01,上海\n";
        assert_eq!(
            every_chunking(text.as_bytes(), None).ok(),
            Some((text.into(), "UTF-8".into()))
        );
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(
            every_chunking(&bom, None).ok(),
            Some((text.into(), "UTF-8".into()))
        );
    }

    #[test]
    fn gb18030_is_decided_from_its_first_bytes() {
        let (gb, _, _) =
            encoding_rs::GB18030.encode("date,site\n2026-01-01,上海\n2026-01-02,广州\n");
        let (text, enc) = every_chunking(&gb, None).expect("decodes");
        assert_eq!(text, "date,site\n2026-01-01,上海\n2026-01-02,广州\n");
        assert_eq!(enc, "gb18030");
        // 知道: 知 is D6 AA, a valid two-byte UTF-8 sequence by chance
        let (gb, _, _) = encoding_rs::GB18030.encode("a\n知道,x\n");
        assert_eq!(
            every_chunking(&gb, None).ok(),
            Some(("a\n知道,x\n".into(), "gb18030".into()))
        );
    }

    #[test]
    fn a_bad_byte_in_utf8_text_is_an_error_at_its_place() {
        let bytes = b"date,site,category\n2026-01-01,\xE4\xB8\x8A\xE6\xB5\xB7,lost\n2026-01-01,Caf\xE9,lost\n";
        let (line, column, bad, problem) = error_of(every_chunking(bytes, None));
        assert_eq!(line, 3);
        assert_eq!(
            column.map(|c| (c.number, c.name)),
            Some((2, "site".to_string()))
        );
        assert_eq!(bad, [0xE9]);
        assert_eq!(problem, "not valid UTF-8");
        // the same with the bad byte in the same run as CJK text
        let (line, _, bad, _) = error_of(every_chunking(
            b"a,b\n1,\xE4\xB8\x8A\xE6\xB5\xB7\xE9\n",
            None,
        ));
        assert_eq!((line, bad), (2, vec![0xE9]));
    }

    #[test]
    fn a_latin1_byte_in_ascii_text_is_neither_utf8_nor_gb18030() {
        let (line, column, bad, problem) =
            error_of(every_chunking(b"date,site\n2026-01-01,Caf\xE9,x\n", None));
        assert_eq!(line, 2);
        assert_eq!(column.map(|c| c.number), Some(2));
        assert_eq!(bad, [0xE9]);
        assert_eq!(problem, "neither UTF-8 nor gb18030");
    }

    #[test]
    fn a_named_encoding_is_strict() {
        let (line, _, bad, problem) = error_of(every_chunking(
            b"a,b\n1,Caf\xE9\n",
            Some(encoding_rs::UTF_8),
        ));
        assert_eq!(
            (line, bad, problem.as_str()),
            (2, vec![0xE9], "not valid UTF-8")
        );
        let (w, _, _) = encoding_rs::WINDOWS_1252.encode("a,b\n1,Café\n");
        assert_eq!(
            every_chunking(&w, Some(encoding_rs::WINDOWS_1252)).ok(),
            Some(("a,b\n1,Café\n".into(), "windows-1252".into()))
        );
        // a truncated GB18030 character at the very end
        let (line, _, _, problem) =
            error_of(every_chunking(b"a\n\xD6", Some(encoding_rs::GB18030)));
        assert_eq!((line, problem.as_str()), (2, "not valid gb18030"));
    }

    #[test]
    fn lone_cr_line_ends_become_lf() {
        let text = b"a,b\r1,2\r3,4\r";
        assert_eq!(
            every_chunking(text, None).ok().map(|t| t.0),
            Some("a,b\n1,2\n3,4\n".into())
        );
        let crlf = b"a,b\r\n1,2\r\n";
        assert_eq!(
            every_chunking(crlf, None).ok().map(|t| t.0),
            Some("a,b\r\n1,2\r\n".into())
        );
        assert_eq!(
            every_chunking(b"a\r\rb", None).ok().map(|t| t.0),
            Some("a\n\nb".into())
        );
    }

    #[test]
    fn a_nul_byte_is_an_error() {
        let (line, column, bad, problem) = error_of(every_chunking(b"a,b\n1,x\x00y\n", None));
        assert_eq!((line, bad, problem.as_str()), (2, vec![0], "a NUL byte"));
        assert_eq!(column.map(|c| c.name), Some("b".to_string()));
    }

    #[test]
    fn a_utf16_bom_decides_utf16() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "a,b\n1,上海\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            every_chunking(&bytes, None).ok(),
            Some(("a,b\n1,上海\n".into(), "UTF-16LE".into()))
        );
    }

    #[test]
    fn evidence_needs_more_than_one_two_byte_character() {
        assert!(utf8_evidence("上,".as_bytes()));
        assert!(utf8_evidence("上海".as_bytes()));
        assert!(!utf8_evidence("é,".as_bytes()));
        assert!(utf8_evidence("é,é,".as_bytes()));
        assert!(!utf8_evidence("上".as_bytes()), "a run not yet ended");
        assert_eq!(ascii_prefix(b"abcdefghij\xC3\xA9"), 10);
        assert_eq!(ascii_prefix(b"abc"), 3);
    }
}
