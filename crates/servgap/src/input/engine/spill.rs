//! External radix partitioning of long-form survey rows, for exports whose
//! rows of one respondent are scattered through the file.
//!
//! Accumulating such a file directly costs several cache misses per row (the
//! respondent index and the answer store are far larger than the CPU caches).
//! Instead, the first pass validates each row and appends a compact record to
//! one of [`PARTS`] partitions chosen by a hash of the respondent id; the
//! second pass builds one small store per partition from its records, with
//! the partition's state staying in cache. Each reader range writes one
//! unnamed temporary file, in blocks that each hold records of a single
//! partition, and keeps the blocks' places (one file instead of a file per
//! partition: creating hundreds of files cost more than writing them).
//! Records keep their line, so duplicates and conflicting groups are still
//! reported with their lines, and records are read back in file order (each
//! reader range has its own file, read in range order).

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::bytes::{id_words, SHORT_ID};
use crate::error::{Error, Result};

/// Number of partitions: with a million respondents a partition holds about
/// 4,000, whose index and answers (~600 KB) mostly stay in a core's L2 cache.
pub(crate) const PARTS: usize = 256;

/// The temporary files of one read, one per reader range, numbered by tag
/// in range order; each range hands its file in when it is done.
#[derive(Debug, Default)]
pub(crate) struct SpillSet {
    next_tag: AtomicUsize,
    done: Mutex<Vec<(usize, SpillFile)>>,
}

impl SpillSet {
    pub fn new() -> Arc<Self> {
        Arc::new(SpillSet::default())
    }

    /// The finished files by tag (`None` for a range that wrote nothing).
    pub fn take_files(&self) -> Result<Vec<Option<SpillFile>>> {
        let mut done = self
            .done
            .lock()
            .map_err(|_| Error::internal("a spill writer failed"))?;
        let mut files: Vec<Option<SpillFile>> = Vec::new();
        files.resize_with(self.next_tag.load(Ordering::Relaxed), || None);
        for (tag, f) in done.drain(..) {
            if let Some(slot) = files.get_mut(tag) {
                *slot = Some(f);
            }
        }
        Ok(files)
    }
}

/// One reader range's records: an unlinked temporary file and, per
/// partition, the offset and length of each of its blocks in write order.
#[derive(Debug)]
pub(crate) struct SpillFile {
    file: File,
    blocks: Vec<Vec<(u64, usize)>>,
    /// Records written, and their bytes.
    records: u64,
    bytes: u64,
}

/// [`id_words`] of the id `win[..len]` (`len` ≤ [`SHORT_ID`]), read from a
/// window of 24 bytes as three loads and masks.
#[inline(always)]
fn window_words(win: &[u8; 24], len: usize) -> [u64; 3] {
    let masks = &ID_MASKS[len.min(SHORT_ID)];
    let mut w = [0u64; 3];
    for (i, slot) in w.iter_mut().enumerate() {
        let mut a = [0u8; 8];
        a.copy_from_slice(&win[i * 8..i * 8 + 8]);
        *slot = u64::from_le_bytes(a) & masks[i];
    }
    w[2] |= (len as u64) << 56;
    w
}

/// Per id length: the bits of each of the three words that hold id bytes.
const ID_MASKS: [[u64; 3]; SHORT_ID + 1] = {
    let mut t = [[0u64; 3]; SHORT_ID + 1];
    let mut len = 0;
    while len <= SHORT_ID {
        let mut i = 0;
        while i < 3 {
            let keep = if len <= i * 8 {
                0
            } else if len - i * 8 >= 8 {
                8
            } else {
                len - i * 8
            };
            t[len][i] = if keep == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * keep)) - 1
            };
            i += 1;
        }
        len += 1;
    }
    t
};

/// The partition of a short id's words: folded, then murmur3's finaliser
/// (the top bits must be well mixed for short ids that differ only in
/// their last bytes).
#[inline(always)]
fn partition_of_words(w: &[u64; 3]) -> usize {
    let mut h = w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> (64 - PARTS.trailing_zeros())) as usize % PARTS
}

/// The partition of a respondent id: [`partition_of_words`] for short ids;
/// longer ones are taken eight bytes at a time, multiplied in, then
/// finalised the same way.
#[inline]
pub(crate) fn partition(id: &[u8]) -> usize {
    if let Some(w) = id_words(id) {
        return partition_of_words(&w);
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ id.len() as u64;
    let mut chunks = id.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
    }
    let mut w = 0u64;
    for (i, &b) in chunks.remainder().iter().enumerate() {
        w |= (b as u64) << (8 * i);
    }
    partition_of_words(&[h, w, 0])
}

/// Bytes a partition buffers before they go to the file as one block.
const FLUSH: usize = 16 << 10;

/// Room after [`FLUSH`] bytes for one more record of the usual shape,
/// written as a fixed-size copy.
const SLACK: usize = 64;

/// A partition's buffer: the bytes not yet written and the last record's line.
#[derive(Debug)]
struct PartBuf {
    bytes: Box<[u8]>,
    len: usize,
    last: u64,
}

/// One reader range's writer.
///
/// A record is: the line as the difference from the partition's previous
/// record (two bytes, or `FF FF` and eight), the id's length (one byte, or
/// `FF` and four) and bytes, the item (one byte, or `FF` and four), each
/// score code (one byte, or `FF` and two) and each group code (one byte, or
/// `FF` and four); all little-endian. A record of a typical export is about
/// 15 bytes, and the usual one is written with fixed-size copies.
#[derive(Debug)]
pub(crate) struct SpillWriter {
    set: Arc<SpillSet>,
    /// Order of this writer's range in the file.
    pub tag: usize,
    /// Created on the first write.
    file: Option<File>,
    written: u64,
    /// Records appended so far.
    records: u64,
    blocks: Vec<Vec<(u64, usize)>>,
    bufs: Vec<PartBuf>,
    scratch: Vec<u8>,
}

impl SpillWriter {
    /// A writer whose tag is the next in order (ranges are forked in file order).
    pub fn new(set: Arc<SpillSet>) -> Self {
        let tag = set.next_tag.fetch_add(1, Ordering::Relaxed);
        SpillWriter {
            set,
            tag,
            file: None,
            written: 0,
            records: 0,
            blocks: Vec::new(),
            bufs: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Another writer for the same read (for a later range).
    pub fn sibling(&self) -> Self {
        SpillWriter::new(self.set.clone())
    }

    #[cold]
    fn open(&mut self) -> Result<()> {
        let file = tempfile::tempfile().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        self.file = Some(file);
        self.blocks = vec![Vec::new(); PARTS];
        self.bufs = (0..PARTS)
            .map(|_| PartBuf {
                bytes: vec![0u8; FLUSH + SLACK].into_boxed_slice(),
                len: 0,
                last: 0,
            })
            .collect();
        Ok(())
    }

    /// Appends a record: line, id, item, score codes, group codes (any
    /// record; [`SpillWriter::write_in`] is the quick way for the usual one).
    pub fn write(
        &mut self,
        line: u64,
        id: &[u8],
        item: usize,
        codes: &[u16],
        groups: &[u32],
    ) -> Result<()> {
        if self.file.is_none() {
            self.open()?;
        }
        self.records += 1;
        let p = partition(id);
        let Some(b) = self.bufs.get_mut(p) else {
            return Err(Error::internal("no spill partition"));
        };
        let delta = line.wrapping_sub(b.last);
        b.last = line;
        let r = &mut self.scratch;
        r.clear();
        put(r, delta, 0xffff, 2, 8);
        put(r, id.len() as u64, 0xff, 1, 4);
        r.extend_from_slice(id);
        put(r, item as u64, 0xff, 1, 4);
        for &c in codes {
            put(r, u64::from(c), 0xff, 1, 2);
        }
        for &g in groups {
            put(r, u64::from(g), 0xff, 1, 4);
        }
        if b.len + r.len() > b.bytes.len() {
            self.flush_part(p)?;
        }
        let (b, r) = (&mut self.bufs[p], &self.scratch);
        if r.len() > b.bytes.len() {
            // A record larger than a buffer is a block of its own.
            let r = std::mem::take(&mut self.scratch);
            let res = self.write_block(p, &r);
            self.scratch = r;
            return res;
        }
        b.bytes[b.len..b.len + r.len()].copy_from_slice(r);
        b.len += r.len();
        if b.len >= FLUSH {
            self.flush_part(p)?;
        }
        Ok(())
    }

    /// [`SpillWriter::write`] for the id `region[at..at + len]`. The usual
    /// record (a short id with 24 bytes of `region` from `at`, every number
    /// below 255, at most eight after the id) is laid out with three word
    /// loads and fixed-size stores.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn write_in(
        &mut self,
        line: u64,
        region: &[u8],
        at: usize,
        len: usize,
        item: usize,
        codes: &[u16],
        groups: &[u32],
    ) -> Result<()> {
        let win = region
            .get(at..at + 24)
            .and_then(|w| <&[u8; 24]>::try_from(w).ok());
        let tail_len = 1 + codes.len() + groups.len();
        let (Some(win), true) = (
            win,
            len > 0 && len <= SHORT_ID && tail_len <= 8 && item < 0xff && !self.bufs.is_empty(),
        ) else {
            return self.write(line, &region[at..at + len], item, codes, groups);
        };
        let mut tail = item as u64;
        let mut small = true;
        for (i, &c) in codes.iter().enumerate() {
            small &= c < 0xff;
            tail |= u64::from(c & 0xff) << (8 * (1 + i));
        }
        for (i, &g) in groups.iter().enumerate() {
            small &= g < 0xff;
            tail |= u64::from(g & 0xff) << ((8 * (1 + codes.len() + i)) & 63);
        }
        let w = window_words(win, len);
        let p = partition_of_words(&w);
        let delta = line.wrapping_sub(self.bufs[p].last);
        if !small || delta >= 0xffff {
            return self.write(line, &region[at..at + len], item, codes, groups);
        }
        self.records += 1;
        let b = &mut self.bufs[p];
        b.last = line;
        let Some(dst) = b
            .bytes
            .get_mut(b.len..b.len + SLACK)
            .and_then(|d| <&mut [u8; SLACK]>::try_from(d).ok())
        else {
            return Err(Error::internal("spill buffer"));
        };
        dst[..2].copy_from_slice(&(delta as u16).to_le_bytes());
        dst[2] = len as u8;
        for (i, x) in w.iter().enumerate() {
            dst[3 + 8 * i..11 + 8 * i].copy_from_slice(&x.to_le_bytes());
        }
        let o = 3 + (len & 31);
        dst[o..o + 8].copy_from_slice(&tail.to_le_bytes());
        b.len += o + tail_len;
        if b.len >= FLUSH {
            self.flush_part(p)?;
        }
        Ok(())
    }

    /// Appends `bytes` (whole records of partition `p`) to the file as a block.
    fn write_block(&mut self, p: usize, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let (Some(f), Some(list)) = (self.file.as_mut(), self.blocks.get_mut(p)) else {
            return Err(Error::internal("no spill file"));
        };
        f.write_all(bytes)
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        list.push((self.written, bytes.len()));
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn flush_part(&mut self, p: usize) -> Result<()> {
        let Some(b) = self.bufs.get_mut(p) else {
            return Ok(());
        };
        let bytes = std::mem::take(&mut b.bytes);
        let len = std::mem::replace(&mut b.len, 0);
        let res = self.write_block(p, &bytes[..len]);
        self.bufs[p].bytes = bytes;
        res
    }

    /// Writes out what every partition still buffers and hands the file in.
    pub fn finish(&mut self) -> Result<()> {
        for p in 0..self.bufs.len() {
            self.flush_part(p)?;
        }
        self.bufs = Vec::new();
        if let Some(file) = self.file.take() {
            let blocks = std::mem::take(&mut self.blocks);
            self.set
                .done
                .lock()
                .map_err(|_| Error::internal("a spill writer failed"))?
                .push((
                    self.tag,
                    SpillFile {
                        file,
                        blocks,
                        records: self.records,
                        bytes: self.written,
                    },
                ));
        }
        Ok(())
    }

    /// The read's files, for the second pass.
    pub fn set(&self) -> Arc<SpillSet> {
        self.set.clone()
    }
}

/// Appends `v`: `small` bytes when below `limit`, else `limit` itself then
/// `wide` bytes (little-endian).
fn put(b: &mut Vec<u8>, v: u64, limit: u64, small: usize, wide: usize) {
    if v < limit {
        b.extend_from_slice(&v.to_le_bytes()[..small]);
    } else {
        b.extend_from_slice(&limit.to_le_bytes()[..small]);
        b.extend_from_slice(&v.to_le_bytes()[..wide]);
    }
}

/// Reads what [`put`] wrote at `*at`.
#[inline(always)]
fn get(bytes: &[u8], at: &mut usize, limit: u64, small: usize, wide: usize) -> Option<u64> {
    let le = |b: &[u8]| b.iter().rev().fold(0u64, |v, &c| v << 8 | u64::from(c));
    let v = le(bytes.get(*at..*at + small)?);
    *at += small;
    if v < limit {
        return Some(v);
    }
    let v = le(bytes.get(*at..*at + wide)?);
    *at += wide;
    Some(v)
}

/// A record of the usual shape, decoded ([`PartitionRecords::peek_usual`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct UsualRecord<'a> {
    /// Line within the writer's range.
    pub line: u64,
    /// The id.
    pub id: &'a [u8],
    /// [`id_words`] of the id.
    pub words: [u64; 3],
    /// The item, each score code, then each group code: a byte each from
    /// the lowest up, zero above them.
    pub tail: u64,
    /// Where the next record starts.
    next: usize,
}

/// One record read back.
pub(crate) struct SpillRecord<'a> {
    pub line: u64,
    pub id: &'a [u8],
    /// [`id_words`] of the id, when the record had the usual shape.
    pub words: Option<[u64; 3]>,
    pub item: usize,
    pub codes: [u16; 4],
    pub groups: [u32; 8],
}

impl SpillFile {
    /// About how many records partition `part` holds: its bytes at the
    /// file's average record size (to size the second pass's store).
    pub fn records_in(&self, part: usize) -> u64 {
        let bytes: usize = self
            .blocks
            .get(part)
            .map_or(0, |b| b.iter().map(|x| x.1).sum());
        if self.bytes == 0 {
            return 0;
        }
        (bytes as u128 * u128::from(self.records) / u128::from(self.bytes)) as u64
    }

    /// Every record of partition `part` to `each`, in the order written
    /// (the tests' way in; see [`SpillFile::partition_records`]).
    #[cfg(test)]
    pub fn read_partition(
        &self,
        part: usize,
        m: usize,
        nby: usize,
        buf: &mut Vec<u8>,
        mut each: impl FnMut(SpillRecord<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut records = self.partition_records(part, m, nby, buf)?;
        while let Some(rec) = records.next_record() {
            each(rec?)?;
        }
        Ok(())
    }

    /// Reads partition `part` into `buf` (scratch space, kept from call to
    /// call; it only grows) and returns its records, in the order written,
    /// with `m` score codes and `nby` group codes each. The reader's
    /// [`PartitionRecords::next_record`] is inlined into the caller's loop:
    /// with a callback per record, the call and the record passed on the
    /// stack cost 3% of the shuffled reader's instructions.
    pub fn partition_records<'b>(
        &self,
        part: usize,
        m: usize,
        nby: usize,
        buf: &'b mut Vec<u8>,
    ) -> Result<PartitionRecords<'b>> {
        let blocks = self.blocks.get(part).map_or(&[][..], |b| &b[..]);
        let total = blocks.iter().map(|b| b.1).sum();
        if buf.len() < total {
            buf.resize(total, 0);
        }
        let mut at = 0;
        for &(off, len) in blocks {
            read_at(&self.file, &mut buf[at..at + len], off)
                .map_err(|e| Error::io(std::env::temp_dir(), e))?;
            at += len;
        }
        let tail_len = 1 + m + nby;
        Ok(PartitionRecords {
            bytes: &buf[..total],
            at: 0,
            line: 0,
            m,
            nby,
            tail_len,
            // The tail's bytes, and ones above them (no escape byte among
            // them when `!tail | !mask` has no zero byte).
            mask: if tail_len >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * tail_len)) - 1
            },
        })
    }
}

/// The records of one partition, decoded one at a time
/// ([`SpillFile::partition_records`]).
pub(crate) struct PartitionRecords<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
    m: usize,
    nby: usize,
    tail_len: usize,
    mask: u64,
}

impl<'a> PartitionRecords<'a> {
    /// The next record; `None` after the last, `Some(Err)` when the bytes
    /// are damaged.
    #[inline(always)]
    pub fn next_record(&mut self) -> Option<Result<SpillRecord<'a>>> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let at = self.at;
        if let Some(u) = self.peek_usual() {
            self.take(&u);
            // (peek_usual saw 40 bytes at `at` and a short id's length)
            let len = usize::from(self.bytes[at + 2]);
            let byte = |i: usize| u.tail >> (8 * i) & 0xff;
            let mut codes = [0u16; 4];
            for (j, c) in codes.iter_mut().enumerate().take(self.m) {
                *c = byte(1 + j) as u16;
            }
            let mut groups = [0u32; 8];
            for (g, v) in groups.iter_mut().enumerate().take(self.nby) {
                *v = byte(1 + self.m + g) as u32;
            }
            return Some(Ok(SpillRecord {
                line: u.line,
                id: &self.bytes[at + 3..at + 3 + len],
                words: Some(u.words),
                item: byte(0) as usize,
                codes,
                groups,
            }));
        }
        Some(
            self.general_record()
                .ok_or_else(|| Error::internal("a spill file is damaged")),
        )
    }

    /// The record at the reader's position when it has the usual shape (a
    /// two-byte line step, a short id, one byte for each number after it,
    /// at least 40 bytes before the end), without moving past it:
    /// [`PartitionRecords::take`] does. The second pass's quick loop reads
    /// these; anything else goes through [`PartitionRecords::next_record`].
    #[inline(always)]
    pub fn peek_usual(&self) -> Option<UsualRecord<'a>> {
        let at = self.at;
        let win = self.bytes.get(at..)?.first_chunk::<40>()?;
        let delta = u16::from_le_bytes([win[0], win[1]]);
        let len = usize::from(win[2]);
        if self.tail_len > 8 || delta == 0xffff || len > SHORT_ID {
            return None;
        }
        let o = 3 + len;
        let t = u64::from_le_bytes(*win[o..].first_chunk::<8>()?) & self.mask;
        // an escaped number has an `FF` byte among the tail's
        let x = !t & self.mask | !self.mask;
        if x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080 != 0 {
            return None;
        }
        Some(UsualRecord {
            line: self.line.wrapping_add(u64::from(delta)),
            id: self.bytes.get(at + 3..at + 3 + len)?,
            words: window_words(win[3..].first_chunk::<24>()?, len),
            tail: t,
            next: at + o + self.tail_len,
        })
    }

    /// Moves past a record [`PartitionRecords::peek_usual`] returned.
    #[inline(always)]
    pub fn take(&mut self, u: &UsualRecord<'_>) {
        self.line = u.line;
        self.at = u.next;
    }

    /// A record with escaped (wide) values, or near the end of the bytes.
    #[inline(never)]
    fn general_record(&mut self) -> Option<SpillRecord<'a>> {
        let (bytes, at) = (self.bytes, &mut self.at);
        self.line = self.line.wrapping_add(get(bytes, at, 0xffff, 2, 8)?);
        let len = get(bytes, at, 0xff, 1, 4)? as usize;
        let id = bytes.get(*at..at.checked_add(len)?)?;
        *at += len;
        let item = get(bytes, at, 0xff, 1, 4)? as usize;
        let mut codes = [0u16; 4];
        for c in codes.iter_mut().take(self.m) {
            *c = get(bytes, at, 0xff, 1, 2)? as u16;
        }
        let mut groups = [0u32; 8];
        for g in groups.iter_mut().take(self.nby) {
            *g = get(bytes, at, 0xff, 1, 4)? as u32;
        }
        Some(SpillRecord {
            line: self.line,
            id,
            words: None,
            item,
            codes,
            groups,
        })
    }
}

/// Reads `buf.len()` bytes at `off` without moving a shared file position
/// (the second pass reads one file from several threads).
#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, off)
}

#[cfg(windows)]
fn read_at(f: &File, mut buf: &mut [u8], mut off: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, off)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                off += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let set = SpillSet::new();
        let mut w = SpillWriter::new(set.clone());
        let long_id = "R".repeat(40);
        // (line, id, item, codes, groups): short and long ids, lines that
        // jump and go back, large items, codes and group codes.
        type Record = (u64, String, usize, [u16; 2], [u32; 3]);
        let records: Vec<Record> = (0..3000u64)
            .map(|i| {
                let id = match i % 3 {
                    0 => format!("R{i:07}"),
                    1 => format!("{long_id}{}", i % 7),
                    _ => format!("{}", i % 11),
                };
                let line = if i % 5 == 0 {
                    u64::MAX - i
                } else {
                    i * 1_000_003
                };
                (
                    line,
                    id,
                    (i as usize * 37) % 700,
                    [i as u16, u16::MAX - i as u16],
                    [i as u32, u32::MAX, 0],
                )
            })
            .collect();
        for (line, id, item, codes, groups) in &records {
            w.write(*line, id.as_bytes(), *item, codes, groups)
                .expect("write");
        }
        w.finish().expect("finish");
        let files = set.take_files().expect("files");
        let file = files[w.tag].as_ref().expect("a file");
        // the partitions' estimated record counts: each rounded down
        let n = records.len() as u64;
        let estimated: u64 = (0..PARTS).map(|p| file.records_in(p)).sum();
        assert!(
            estimated <= n && estimated + PARTS as u64 >= n,
            "{estimated} of {n}"
        );
        let mut back = Vec::new();
        for p in 0..PARTS {
            file.read_partition(p, 2, 3, &mut Vec::new(), |r| {
                back.push((
                    r.line,
                    String::from_utf8_lossy(r.id).into_owned(),
                    r.item,
                    [r.codes[0], r.codes[1]],
                    [r.groups[0], r.groups[1], r.groups[2]],
                ));
                Ok(())
            })
            .expect("read");
        }
        // Within a partition records come back in the order written.
        let want = records;
        assert_eq!(back.len(), want.len());
        for (p, chunk) in (0..PARTS).map(|p| {
            (
                p,
                want.iter()
                    .filter(|r| partition(r.1.as_bytes()) == p)
                    .collect::<Vec<_>>(),
            )
        }) {
            let got: Vec<_> = back
                .iter()
                .filter(|r| partition(r.1.as_bytes()) == p)
                .collect();
            assert_eq!(got, chunk, "partition {p}");
        }
    }

    #[test]
    fn many_blocks_of_usual_and_unusual_records_read_back_in_order() {
        // Two writers (ranges); enough records that every partition flushes
        // several blocks, with an unusual record now and then between them.
        let set = SpillSet::new();
        let mut writers = [SpillWriter::new(set.clone()), SpillWriter::new(set.clone())];
        type Written = (u64, Vec<u8>, usize, u16, u32);
        let mut want: Vec<Vec<Written>> = vec![Vec::new(); 2];
        for i in 0..1_200_000u64 {
            let w = (i / 600_000) as usize;
            let id = if i % 997 == 0 {
                format!("a-much-longer-respondent-id-{i}")
            } else {
                format!("R{:07}", i % 50_000)
            };
            let line = 2 + i + if i % 1_001 == 0 { 70_000 } else { 0 };
            let item = (i % 22) as usize + if i % 5_003 == 0 { 300 } else { 0 };
            let code = (i % 7) as u16 + 1 + if i % 7_001 == 0 { 400 } else { 0 };
            let group = (i % 5) as u32;
            writers[w]
                .write(line, id.as_bytes(), item, &[code, 3], &[group])
                .expect("write");
            want[w].push((line, id.into_bytes(), item, code, group));
        }
        for w in &mut writers {
            w.finish().expect("finish");
        }
        let files = set.take_files().expect("files");
        for (w, want) in want.iter().enumerate() {
            let file = files[writers[w].tag].as_ref().expect("a file");
            assert!(file.blocks.iter().all(|b| b.len() >= 2), "several blocks");
            let mut by_part: Vec<Vec<Written>> = vec![Vec::new(); PARTS];
            for r in want {
                by_part[partition(&r.1)].push(r.clone());
            }
            for (p, expect) in by_part.iter().enumerate() {
                let mut got = Vec::new();
                file.read_partition(p, 2, 1, &mut Vec::new(), |r| {
                    assert_eq!(r.codes[1], 3);
                    got.push((r.line, r.id.to_vec(), r.item, r.codes[0], r.groups[0]));
                    Ok(())
                })
                .expect("read");
                assert_eq!(&got, expect, "writer {w} partition {p}");
            }
        }
    }

    #[test]
    fn partitions_are_balanced_for_short_similar_ids() {
        let mut counts = [0usize; PARTS];
        for c in 0..160 {
            for r in 1..=300 {
                counts[partition(format!("K{c}C{r:04}").as_bytes())] += 1;
            }
        }
        // 48,000 ids over 256 partitions: 187.5 expected each
        let (min, max) = (
            counts.iter().min().copied().unwrap_or(0),
            counts.iter().max().copied().unwrap_or(0),
        );
        assert!(min > 120 && max < 260, "min {min} max {max}");
    }

    #[test]
    fn id_words_are_the_bytes_little_endian_and_the_length() {
        // Every length to 23 (and 24: too long), bytes from a generator,
        // against the words built byte by byte.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for n in 0..=24usize {
            for _ in 0..50 {
                let id: Vec<u8> = (0..n)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        x as u8
                    })
                    .collect();
                let mut want = [0u64; 3];
                for (i, &b) in id.iter().enumerate() {
                    want[i / 8] |= u64::from(b) << (8 * (i % 8));
                }
                want[2] |= (n as u64) << 56;
                let got = id_words(&id);
                if n > SHORT_ID {
                    assert_eq!(got, None);
                } else {
                    assert_eq!(got, Some(want), "{id:?}");
                    let mut win = [0u8; 24];
                    win[..n].copy_from_slice(&id);
                    win[n..].fill(0xa5);
                    assert_eq!(window_words(&win, n), want, "window {id:?}");
                }
            }
        }
    }
}
