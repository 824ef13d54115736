//! External radix partitioning of long-form survey rows, for exports whose
//! rows of one respondent are scattered through the file.
//!
//! Accumulating such a file directly costs several cache misses per row (the
//! respondent index and the answer store are far larger than the CPU caches).
//! Instead, the first pass validates each row and appends a compact record to
//! one of [`PARTS`] temporary files chosen by a hash of the respondent id;
//! the second pass builds one small store per partition from its records,
//! with the partition's state staying in cache. Records keep their line, so
//! duplicates and conflicting groups are still reported with their lines,
//! and records are read back in file order (each reader range writes its own
//! files, read in range order).

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// Number of partitions: with a million respondents a partition holds about
/// 4,000, whose index and answers (~600 KB) stay in a core's L2 cache.
pub(crate) const PARTS: usize = 256;

/// Readers that may spill at once (each keeps [`PARTS`] files open).
pub(crate) const MAX_WRITERS: usize = 3;

/// The temporary folder shared by the writers of one read.
#[derive(Debug)]
pub(crate) struct SpillDir {
    dir: tempfile::TempDir,
    next_tag: AtomicUsize,
}

impl SpillDir {
    pub fn new() -> Result<Arc<Self>> {
        let dir = tempfile::Builder::new()
            .prefix("servgap-spill-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        Ok(Arc::new(SpillDir {
            dir,
            next_tag: AtomicUsize::new(0),
        }))
    }

    fn path(&self, part: usize, tag: usize) -> PathBuf {
        self.dir.path().join(format!("p{part:02}-r{tag}"))
    }
}

/// The partition of a respondent id: its bytes taken eight at a time,
/// multiplied in, then murmur3's finaliser (the top bits must be well mixed
/// for short ids that differ only in their last bytes).
#[inline]
pub(crate) fn partition(id: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ id.len() as u64;
    let mut chunks = id.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = 0u64;
        for (i, &b) in rest.iter().enumerate() {
            w |= (b as u64) << (8 * i);
        }
        h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> (64 - PARTS.trailing_zeros())) as usize % PARTS
}

/// Appends `v` as LEB128 (seven bits a byte, low first).
#[inline(always)]
fn put_varint(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push(v as u8 | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

/// Writes `v` as LEB128 into `r` at `n`; returns the position after it.
/// `r` has room: callers leave at least ten bytes per number.
#[inline(always)]
fn varint_into(r: &mut [u8; 128], mut n: usize, mut v: u64) -> usize {
    while v >= 0x80 {
        r[n & 127] = v as u8 | 0x80;
        v >>= 7;
        n += 1;
    }
    r[n & 127] = v as u8;
    n + 1
}

/// Reads a LEB128 number at `*at`.
#[inline(always)]
fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0u32;
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        if shift > 63 {
            return None;
        }
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let dir = SpillDir::new().expect("temp dir");
        let mut w = SpillWriter::new(dir.clone());
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
        let mut back = Vec::new();
        for p in 0..PARTS {
            read_partition(&dir, p, w.tag, 2, 3, |r| {
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
}

/// Bytes a partition buffers before they go to its file.
const FLUSH: usize = 16 << 10;

/// One reader range's writers: a file per partition.
///
/// A record is: the line as the difference from the partition's previous
/// record, the id's length and bytes, the item, each score code and each
/// group code; numbers are LEB128, so a record of a typical export is about
/// 15 bytes.
#[derive(Debug)]
pub(crate) struct SpillWriter {
    dir: Arc<SpillDir>,
    /// Order of this writer's range in the file.
    pub tag: usize,
    /// Opened on the first write.
    files: Vec<File>,
    /// Per partition: bytes not yet written and the last record's line.
    bufs: Vec<(Vec<u8>, u64)>,
}

impl SpillWriter {
    /// A writer whose tag is the next in order (ranges are forked in file order).
    pub fn new(dir: Arc<SpillDir>) -> Self {
        let tag = dir.next_tag.fetch_add(1, Ordering::Relaxed);
        SpillWriter {
            dir,
            tag,
            files: Vec::new(),
            bufs: Vec::new(),
        }
    }

    /// Another writer in the same folder (for a later range).
    pub fn sibling(&self) -> Self {
        SpillWriter::new(self.dir.clone())
    }

    #[cold]
    fn open(&mut self) -> Result<()> {
        for p in 0..PARTS {
            let path = self.dir.path(p, self.tag);
            let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
            self.files.push(f);
            self.bufs.push((Vec::with_capacity(FLUSH + 64), 0));
        }
        Ok(())
    }

    /// Appends a record: line, id, item, score codes, group codes.
    #[inline]
    pub fn write(
        &mut self,
        line: u64,
        id: &[u8],
        item: usize,
        codes: &[u16],
        groups: &[u32],
    ) -> Result<()> {
        if self.files.is_empty() {
            self.open()?;
        }
        let p = partition(id);
        let Some((b, last)) = self.bufs.get_mut(p) else {
            return Err(Error::inconsistent("internal: no spill partition"));
        };
        let delta = line.wrapping_sub(*last);
        *last = line;
        if id.len() <= 32 && codes.len() <= 4 && groups.len() <= 8 {
            // The usual record, laid out on the stack and appended at once.
            let mut r = [0u8; 128];
            let mut n = varint_into(&mut r, 0, delta);
            n = varint_into(&mut r, n, id.len() as u64);
            r[n..n + id.len()].copy_from_slice(id);
            n = varint_into(&mut r, n + id.len(), item as u64);
            for &c in codes {
                n = varint_into(&mut r, n, u64::from(c));
            }
            for &g in groups {
                n = varint_into(&mut r, n, u64::from(g));
            }
            b.extend_from_slice(&r[..n]);
        } else {
            put_varint(b, delta);
            put_varint(b, id.len() as u64);
            b.extend_from_slice(id);
            put_varint(b, item as u64);
            for &c in codes {
                put_varint(b, u64::from(c));
            }
            for &g in groups {
                put_varint(b, u64::from(g));
            }
        }
        if b.len() >= FLUSH {
            self.flush_part(p)?;
        }
        Ok(())
    }

    fn flush_part(&mut self, p: usize) -> Result<()> {
        if let (Some(f), Some((b, _))) = (self.files.get_mut(p), self.bufs.get_mut(p)) {
            f.write_all(b)
                .map_err(|e| Error::io(self.dir.path(p, self.tag), e))?;
            b.clear();
        }
        Ok(())
    }

    /// Writes out what every partition still buffers.
    pub fn finish(&mut self) -> Result<()> {
        for p in 0..self.files.len() {
            self.flush_part(p)?;
        }
        Ok(())
    }

    /// The folder, for the second pass.
    pub fn dir(&self) -> Arc<SpillDir> {
        self.dir.clone()
    }
}

/// One record read back.
pub(crate) struct SpillRecord<'a> {
    pub line: u64,
    pub id: &'a [u8],
    pub item: usize,
    pub codes: [u16; 4],
    pub groups: [u32; 8],
}

/// Reads every record of partition `part` written by range `tag`, in order.
pub(crate) fn read_partition(
    dir: &SpillDir,
    part: usize,
    tag: usize,
    m: usize,
    nby: usize,
    mut each: impl FnMut(SpillRecord<'_>) -> Result<()>,
) -> Result<()> {
    let path = dir.path(part, tag);
    let mut bytes = Vec::new();
    match File::open(&path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes).map_err(|e| Error::io(&path, e))?;
        }
        // A range that wrote nothing opened no files.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, e)),
    }
    let corrupt = || {
        Error::inconsistent(format!(
            "internal: spill file {} is damaged",
            path.display()
        ))
    };
    let (mut at, mut line) = (0usize, 0u64);
    while at < bytes.len() {
        let mut record = || -> Option<SpillRecord<'_>> {
            line = line.wrapping_add(get_varint(&bytes, &mut at)?);
            let len = usize::try_from(get_varint(&bytes, &mut at)?).ok()?;
            let id = bytes.get(at..at.checked_add(len)?)?;
            at += len;
            let item = usize::try_from(get_varint(&bytes, &mut at)?).ok()?;
            let mut codes = [0u16; 4];
            for c in codes.iter_mut().take(m) {
                *c = u16::try_from(get_varint(&bytes, &mut at)?).ok()?;
            }
            let mut groups = [0u32; 8];
            for g in groups.iter_mut().take(nby) {
                *g = u32::try_from(get_varint(&bytes, &mut at)?).ok()?;
            }
            Some(SpillRecord {
                line,
                id,
                item,
                codes,
                groups,
            })
        };
        let rec = record().ok_or_else(corrupt)?;
        each(rec)?;
    }
    Ok(())
}
