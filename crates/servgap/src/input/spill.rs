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
use std::io::{BufWriter, Read, Write};
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

/// The partition of a respondent id (FNV-1a of its bytes, then mixed).
#[inline]
pub(crate) fn partition(id: &[u8]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in id {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // murmur3's finaliser: FNV alone leaves the top bits poorly mixed for
    // short ids that differ in their last bytes
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> (64 - PARTS.trailing_zeros())) as usize % PARTS
}

#[cfg(test)]
mod tests {
    use super::*;

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

/// One reader range's writers: a file per partition.
#[derive(Debug)]
pub(crate) struct SpillWriter {
    dir: Arc<SpillDir>,
    /// Order of this writer's range in the file.
    pub tag: usize,
    /// Opened on the first write.
    files: Vec<BufWriter<File>>,
    buf: Vec<u8>,
}

impl SpillWriter {
    /// A writer whose tag is the next in order (ranges are forked in file order).
    pub fn new(dir: Arc<SpillDir>) -> Self {
        let tag = dir.next_tag.fetch_add(1, Ordering::Relaxed);
        SpillWriter {
            dir,
            tag,
            files: Vec::new(),
            buf: Vec::with_capacity(64),
        }
    }

    /// Another writer in the same folder (for a later range).
    pub fn sibling(&self) -> Self {
        SpillWriter::new(self.dir.clone())
    }

    fn open(&mut self) -> Result<()> {
        for p in 0..PARTS {
            let path = self.dir.path(p, self.tag);
            let f = File::create(&path).map_err(|e| Error::io(&path, e))?;
            self.files.push(BufWriter::with_capacity(32 << 10, f));
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
        let b = &mut self.buf;
        b.clear();
        b.extend_from_slice(&line.to_le_bytes());
        b.extend_from_slice(&(id.len() as u16).to_le_bytes());
        b.extend_from_slice(id);
        b.extend_from_slice(&(item as u16).to_le_bytes());
        for c in codes {
            b.extend_from_slice(&c.to_le_bytes());
        }
        for g in groups {
            b.extend_from_slice(&g.to_le_bytes());
        }
        if self.files.is_empty() {
            self.open()?;
        }
        let p = partition(id);
        self.files[p]
            .write_all(&self.buf)
            .map_err(|e| Error::io(self.dir.path(p, self.tag), e))
    }

    /// Flushes every file.
    pub fn finish(&mut self) -> Result<()> {
        for (p, f) in self.files.iter_mut().enumerate() {
            f.flush()
                .map_err(|e| Error::io(self.dir.path(p, self.tag), e))?;
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
    let mut at = 0usize;
    let corrupt = || {
        Error::inconsistent(format!(
            "internal: spill file {} is damaged",
            path.display()
        ))
    };
    let take = |at: &mut usize, n: usize| -> Result<&[u8]> {
        let s = bytes.get(*at..*at + n).ok_or_else(corrupt)?;
        *at += n;
        Ok(s)
    };
    while at < bytes.len() {
        let line = u64::from_le_bytes(take(&mut at, 8)?.try_into().map_err(|_| corrupt())?);
        let len = u16::from_le_bytes(take(&mut at, 2)?.try_into().map_err(|_| corrupt())?) as usize;
        let id = take(&mut at, len)?;
        let item =
            u16::from_le_bytes(take(&mut at, 2)?.try_into().map_err(|_| corrupt())?) as usize;
        let mut codes = [0u16; 4];
        for c in codes.iter_mut().take(m) {
            *c = u16::from_le_bytes(take(&mut at, 2)?.try_into().map_err(|_| corrupt())?);
        }
        let mut groups = [0u32; 8];
        for g in groups.iter_mut().take(nby) {
            *g = u32::from_le_bytes(take(&mut at, 4)?.try_into().map_err(|_| corrupt())?);
        }
        each(SpillRecord {
            line,
            id,
            item,
            codes,
            groups,
        })?;
    }
    Ok(())
}
