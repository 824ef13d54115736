//! Period × group cells of the Service Quality Index: what the incident
//! log and the volume file are read into, and what the SQI analysis
//! computes from. One cell per period × group holds a count per weight
//! category ([`CountVec`], as narrow as the counts allow), the days with
//! data (a bit per day of the period) and the volume handled, so memory
//! grows with periods × groups, never with the log's rows.
//!
//! Logs are usually sorted by date and site, so cells are mostly made in
//! order and found one after another; each reader of a range of a file
//! makes its own table, and tables merge by keeping a later range's cells
//! where its reader left them ([`CellTable::absorb`]): only the period two
//! ranges share is added cell by cell.

use std::collections::HashMap;

use chrono::NaiveDate;
use foldhash::fast::FixedState;

use super::counts::{CountSlice, CountVec};
use crate::period::{Period, PeriodKind};

type FastMap<K, V> = HashMap<K, V, FixedState>;

fn fast_map<K, V>() -> FastMap<K, V> {
    HashMap::with_hasher(FixedState::with_seed(0x5_91_de_ad))
}

/// Byte separating the values of a group key (unit separator).
pub(crate) const SEP: u8 = 0x1f;

/// One period × group of the SQI, as accumulated.
#[derive(Debug, Clone, Copy)]
pub struct CellHead {
    /// The period's sort key (the table's kind of period).
    pub key: i32,
    /// The group's code in the table ([`CellTable::groups`]).
    pub group: u32,
    /// Bit `i` set: day `i` of the period has an incident or a volume row.
    pub days: u32,
    /// Bit `i` set: day `i` has a volume row.
    pub volume_days: u32,
    /// Sum of the volume rows (0 when none).
    pub volume: f64,
}

/// One cell as a partial result records it (`servgap sqi
/// --emit-partial`): the period's sort key, the group's index in the
/// partial's groups, the day sets, the volume and the non-zero counts as
/// `(category, count)`. Written as an array in that order, not an object:
/// a year of 3,000 sites is a million cells, and the field names were
/// half of each.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(into = "CellArray", from = "CellArray")]
pub(crate) struct CellRecord {
    pub period: i32,
    pub group: u32,
    pub days: u32,
    pub volume_days: u32,
    pub volume: f64,
    pub counts: Vec<(u32, u64)>,
}

/// A [`CellRecord`] as written: `[period, group, days, volume_days,
/// volume, [[category, count], …]]`.
type CellArray = (i32, u32, u32, u32, f64, Vec<(u32, u64)>);

impl From<CellRecord> for CellArray {
    fn from(r: CellRecord) -> Self {
        (r.period, r.group, r.days, r.volume_days, r.volume, r.counts)
    }
}

impl From<CellArray> for CellRecord {
    fn from((period, group, days, volume_days, volume, counts): CellArray) -> Self {
        CellRecord {
            period,
            group,
            days,
            volume_days,
            volume,
            counts,
        }
    }
}

/// Why a cell record cannot be added to a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordClash {
    /// A count would pass 4,294,967,295 (the category).
    Overflow(usize),
    /// A day of the cell has a volume row in both.
    VolumeTwice,
    /// The record names a group or category the table lacks.
    Misfit,
}

/// Cells another reader made over a later range of the file, kept where
/// that reader left them: merging two ranges of a sorted log then copies
/// only the cells both have (the period at the seam), not the whole
/// range (for a year × 3,000 sites, 44 MB to copy and fault in, a tenth of
/// the run).
#[derive(Debug, Clone)]
pub struct Part {
    /// The table index of `heads[skip]`.
    pub start: u32,
    /// Leading cells added into an earlier part's (the period both ranges
    /// share); they are not the table's.
    skip: usize,
    heads: Vec<CellHead>,
    counts: CountVec,
}

impl Part {
    /// The part's cells.
    pub fn heads(&self) -> &[CellHead] {
        &self.heads[self.skip..]
    }

    /// Their counts, `k` per cell.
    pub(crate) fn counts(&self, k: usize) -> CountSlice<'_> {
        self.counts.slice().skip(self.skip * k)
    }
}

/// Period × group cells with their category counts.
#[derive(Debug)]
pub struct CellTable {
    /// The kind of period the cells are.
    pub kind: PeriodKind,
    /// Categories of the weight table (the stride of `counts`).
    pub k: usize,
    /// The cells of other readers' ranges of the file, merged in where
    /// their readers left them (see [`CellTable::absorb`]): cells
    /// `0..base`, in order.
    earlier: Vec<Part>,
    /// The index of `heads[0]`: the cells in `earlier`.
    base: u32,
    /// The cells this table made itself, from index `base` on.
    heads: Vec<CellHead>,
    /// `heads.len() × k` counts, row-major, as narrow as they fit (see
    /// [`CountVec`]); a cell whose count would pass 4,294,967,295 is an
    /// error, never a wrong number.
    counts: CountVec,
    /// Group values by code; a group is the tuple of `--by` values.
    pub groups: Vec<Vec<String>>,
    group_codes: FastMap<Box<[u8]>, u32>,
    /// Group keys by code.
    group_keys: Vec<Box<[u8]>>,
    /// Per group: its latest cell as (period key, cell). While every group's
    /// periods arrive in order (sorted logs) a later period is a new cell
    /// and nothing else needs looking up; the first period out of order
    /// builds `index` from `heads`, which is kept from then on.
    latest: Vec<(i32, u32)>,
    /// (period key, group) → cell, once the log has been out of order.
    index: Option<FastMap<(i32, u32), u32>>,
    /// The cell returned last: a second file in the same order as the
    /// first (the volume file after the log) finds its cells one after
    /// another.
    prev: u32,
    /// Whether `heads` are in strictly increasing (period key, group)
    /// order, so that a cell can be found by binary search.
    pub sorted: bool,
    /// Distinct dates (days from the common era) with any row.
    pub dates: std::collections::BTreeSet<i32>,
    /// Which categories occur in the incident log.
    pub seen: Vec<bool>,
    /// The first count that passed 4,294,967,295 when ranges were merged,
    /// as (period key, group, category).
    pub overflow: Option<(i32, u32, usize)>,
    /// Whether merging ranges met a day with a volume row in both: a
    /// duplicate, unless the volume file's rows are summed.
    pub volume_overlap: bool,
    /// Look-ups by a scan of a period's cells, before an index is built.
    run_scans: u32,
}

impl CellTable {
    /// An empty table of periods of `kind` with `k` categories.
    pub fn new(kind: PeriodKind, k: usize) -> Self {
        CellTable {
            kind,
            k,
            earlier: Vec::new(),
            base: 0,
            heads: Vec::new(),
            counts: CountVec::default(),
            groups: Vec::new(),
            group_codes: fast_map(),
            group_keys: Vec::new(),
            latest: Vec::new(),
            index: None,
            prev: u32::MAX,
            sorted: true,
            dates: Default::default(),
            seen: vec![false; k],
            overflow: None,
            volume_overlap: false,
            run_scans: 0,
        }
    }

    /// How many cells the table has.
    pub fn len(&self) -> usize {
        self.base as usize + self.heads.len()
    }

    /// Where cell `c` (an index the table gave) is: `None` and its index in
    /// `heads` for this table's own cells, else the earlier part holding it
    /// and its index there.
    #[inline(always)]
    fn slot(&self, c: u32) -> (Option<usize>, usize) {
        match c.checked_sub(self.base) {
            Some(i) => (None, i as usize),
            None => {
                // c < base: some earlier part starts at or before it
                let at = self
                    .earlier
                    .partition_point(|p| p.start <= c)
                    .saturating_sub(1);
                let part = &self.earlier[at];
                (Some(at), part.skip + (c - part.start) as usize)
            }
        }
    }

    /// Cell `c`.
    #[inline(always)]
    pub(crate) fn head(&self, c: u32) -> Option<&CellHead> {
        match self.slot(c) {
            (None, i) => self.heads.get(i),
            (Some(at), i) => self.earlier[at].heads.get(i),
        }
    }

    /// Cell `c`, to change (`c` is an index the table gave).
    #[inline(always)]
    pub(crate) fn head_mut(&mut self, c: u32) -> &mut CellHead {
        match self.slot(c) {
            (None, i) => &mut self.heads[i],
            (Some(at), i) => &mut self.earlier[at].heads[i],
        }
    }

    /// Adds `value` to the count of category `cat` in cell `c` (an index
    /// the table gave); `false`, with nothing changed, when the count
    /// would pass 4,294,967,295.
    #[inline(always)]
    pub(crate) fn add_count(&mut self, c: u32, cat: usize, value: u64) -> bool {
        let k = self.k;
        match self.slot(c) {
            (None, i) => self.counts.add(i * k + cat, value),
            (Some(at), i) => self.earlier[at].counts.add(i * k + cat, value),
        }
    }

    /// Adds each `(category, value)` of `adds` to the counts of cell `c`
    /// (an index the table gave), its place found once: the index in
    /// `adds` of the first that would pass 4,294,967,295 (nothing of it
    /// added), else `None`.
    #[inline(always)]
    pub(crate) fn add_counts(
        &mut self,
        c: u32,
        adds: impl Iterator<Item = (usize, u64)> + Clone,
    ) -> Option<usize> {
        let k = self.k;
        match self.slot(c) {
            (None, i) => self.counts.add_all(i * k, adds),
            (Some(at), i) => self.earlier[at].counts.add_all(i * k, adds),
        }
    }

    /// The cells in order, part by part: (index of the first, heads, counts).
    pub(crate) fn parts(&self) -> impl Iterator<Item = (u32, &[CellHead], CountSlice<'_>)> {
        let k = self.k;
        self.earlier
            .iter()
            .map(move |p| (p.start, p.heads(), p.counts(k)))
            .chain(std::iter::once((
                self.base,
                &self.heads[..],
                self.counts.slice(),
            )))
    }

    /// The cells part by part, dropping the rest of the table.
    pub fn into_parts(self) -> Vec<Part> {
        let current = Part {
            start: self.base,
            skip: 0,
            heads: self.heads,
            counts: self.counts,
        };
        let mut parts = self.earlier;
        if parts.is_empty() || !current.heads.is_empty() {
            parts.push(current);
        }
        parts
    }

    /// The last cell, in index order.
    pub(crate) fn last_head(&self) -> Option<&CellHead> {
        self.heads
            .last()
            .or_else(|| self.earlier.last().and_then(|p| p.heads.last()))
    }

    /// The cell of `(period key, group)` in a sorted table, by binary search.
    fn find_sorted(&self, key: (i32, u32)) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, self.len() as u32);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let h = self.head(mid)?;
            if (h.key, h.group) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        self.head(lo)
            .filter(|h| (h.key, h.group) == key)
            .map(|_| lo)
    }

    /// The month cells rolled up into periods of `kind` (quarters or
    /// years), which a 32-bit day set cannot hold: a rolled cell's `days`
    /// is the number of its dates with data (the months' day sets are
    /// disjoint, so their sizes add up) and its `volume_days` is 1 when a
    /// month had a volume row; volumes and counts add up. `None` when a
    /// count would pass 4,294,967,295.
    pub(crate) fn rolled_up(&self, kind: PeriodKind) -> Option<CellTable> {
        let mut out = CellTable::new(kind, self.k);
        for key in &self.group_keys {
            out.group(key);
        }
        let mut counts = vec![0u64; self.k];
        for (_, heads, part_counts) in self.parts() {
            for (i, h) in heads.iter().enumerate() {
                let month = Period::of_key(self.kind, h.key);
                let c = out.cell(kind.period_holding(month), h.group);
                let head = out.head_mut(c);
                head.days += h.days.count_ones();
                head.volume_days |= u32::from(h.volume_days != 0);
                head.volume += h.volume;
                for (cat, n) in counts.iter_mut().enumerate() {
                    *n = u64::from(part_counts.get(i * self.k + cat));
                }
                if out
                    .add_counts(
                        c,
                        counts.iter().copied().enumerate().filter(|(_, n)| *n > 0),
                    )
                    .is_some()
                {
                    return None;
                }
            }
        }
        out.volume_overlap = self.volume_overlap;
        out.dates = self.dates.clone();
        out.seen = self.seen.clone();
        Some(out)
    }

    pub(crate) fn empty_like(&self) -> Self {
        CellTable::new(self.kind, self.k)
    }

    /// The code of a group key (values joined by [`SEP`]).
    pub(crate) fn group(&mut self, key: &[u8]) -> u32 {
        if let Some(&g) = self.group_codes.get(key) {
            return g;
        }
        self.new_group(key)
    }

    #[cold]
    fn new_group(&mut self, key: &[u8]) -> u32 {
        let g = self.groups.len() as u32;
        self.groups.push(
            key.split(|&b| b == SEP)
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect(),
        );
        self.group_codes.insert(key.into(), g);
        self.group_keys.push(key.into());
        g
    }

    /// The cell of a period and group, created empty when new.
    #[inline]
    pub(crate) fn cell(&mut self, period: Period, group: u32) -> u32 {
        let key = period.sort_key();
        let g = group as usize;
        if g >= self.latest.len() {
            self.latest.resize(g + 1, (i32::MIN, u32::MAX));
        }
        let (last, c) = self.latest[g];
        if last == key {
            return c;
        }
        if let Some((next, _)) = self.next_head_mut(key, group) {
            return next;
        }
        if self.index.is_none() && last < key {
            let c = self.push_cell(period, group);
            self.latest[g] = (key, c);
            self.prev = c;
            return c;
        }
        let c = self.cell_out_of_order(period, group);
        self.prev = c;
        c
    }

    /// The cell after the one returned last when it is `(key, group)`, with
    /// its head to change: [`CellTable::cell`]'s quickest case after the
    /// group's latest cell (a second file in the first one's order, as the
    /// volume file after the log, finds its cells one after another), with
    /// one look-up of the cell's part.
    #[inline(always)]
    fn next_head_mut(&mut self, key: i32, group: u32) -> Option<(u32, &mut CellHead)> {
        let c = self.prev.wrapping_add(1);
        let h = match self.slot(c) {
            (None, i) => self.heads.get_mut(i)?,
            (Some(at), i) => self.earlier[at].heads.get_mut(i)?,
        };
        if h.key != key || h.group != group {
            return None;
        }
        self.prev = c;
        Some((c, h))
    }

    /// [`CellTable::cell`] for a period before the group's latest: a
    /// binary search while the cells are sorted, else a hash look-up (the
    /// index is built on first use and kept from then on).
    #[cold]
    fn cell_out_of_order(&mut self, period: Period, group: u32) -> u32 {
        let key = period.sort_key();
        if self.index.is_none() && self.sorted {
            if let Some(c) = self.find_sorted((key, group)) {
                return c;
            }
        }
        if self.index.is_none() && self.earlier.is_empty() && self.run_scans < 64 {
            // One reader's cells, in period order but not in group order
            // (its range started within a day): the period's cells are
            // found by bisection and scanned, a few times before an index
            // pays (the first volume row of a share, see `VolumePlan`).
            self.run_scans += 1;
            let from = self.heads.partition_point(|h| h.key < key);
            let found = self.heads[from..]
                .iter()
                .take_while(|h| h.key == key)
                .position(|h| h.group == group);
            if let Some(i) = found {
                return self.base + (from + i) as u32;
            }
        }
        if self.index.is_none() {
            let mut m = fast_map();
            m.reserve(self.len());
            for (start, heads, _) in self.parts() {
                for (i, h) in heads.iter().enumerate() {
                    m.insert((h.key, h.group), start + i as u32);
                }
            }
            self.index = Some(m);
        }
        let found = self.index.as_ref().and_then(|m| m.get(&(key, group)));
        let c = match found {
            Some(&c) => c,
            None => {
                let c = self.push_cell(period, group);
                if let Some(m) = self.index.as_mut() {
                    m.insert((key, group), c);
                }
                c
            }
        };
        let latest = &mut self.latest[group as usize];
        if key >= latest.0 {
            *latest = (key, c);
        }
        c
    }

    fn push_cell(&mut self, period: Period, group: u32) -> u32 {
        let c = self.len() as u32;
        if let Some(h) = self.last_head() {
            self.sorted &= (h.key, h.group) < (period.sort_key(), group);
        }
        self.heads.push(CellHead {
            key: period.sort_key(),
            group,
            days: 0,
            volume_days: 0,
            volume: 0.0,
        });
        self.counts.grow(self.k);
        c
    }

    /// Adds the cells of a table read over a later range of the same file.
    pub(crate) fn absorb(&mut self, mut other: CellTable) {
        // The other reader's group codes in this table; in a sorted log
        // both readers meet the groups in the same order, and nothing
        // changes.
        let remap: Vec<u32> = other.group_keys.iter().map(|key| self.group(key)).collect();
        if remap.iter().enumerate().any(|(i, &g)| g as usize != i) {
            // (a reader that starts within a day meets that day's later
            // groups first: sorted in this table's codes, not its own)
            let mut prev = None;
            let mut sorted = true;
            let earlier = other.earlier.iter_mut().map(|p| &mut p.heads[p.skip..]);
            for heads in earlier.chain(std::iter::once(&mut other.heads[..])) {
                for h in heads.iter_mut() {
                    h.group = remap[h.group as usize];
                    let key = (h.key, h.group);
                    sorted &= prev.is_none_or(|p| p < key);
                    prev = Some(key);
                }
            }
            other.sorted = sorted;
        }
        if !self.append_part(&mut other, &remap) {
            self.add_cells(&other);
        }
        self.dates.extend(std::mem::take(&mut other.dates));
        for (s, o) in self.seen.iter_mut().zip(&other.seen) {
            *s |= o;
        }
        self.overflow = self.overflow.or(other.overflow);
        self.volume_overlap |= other.volume_overlap;
        self.prev = u32::MAX;
    }

    /// Adds the cells of `other` one by one, as if read here.
    fn add_cells(&mut self, other: &CellTable) {
        for (_, heads, counts) in other.parts() {
            for (i, h) in heads.iter().enumerate() {
                let c = self.cell(Period::of_key(self.kind, h.key), h.group);
                self.add_cell(c, h, counts.cell(i, self.k));
            }
        }
    }

    /// The code of the group with these `--by` values.
    pub(crate) fn group_of_values(&mut self, values: &[String]) -> u32 {
        let key = values.join(&(SEP as char).to_string());
        self.group(key.as_bytes())
    }

    /// Every cell as a record, in index order.
    pub(crate) fn records(&self) -> Vec<CellRecord> {
        let k = self.k;
        let mut out = Vec::with_capacity(self.len());
        for (_, heads, counts) in self.parts() {
            for (i, h) in heads.iter().enumerate() {
                out.push(CellRecord {
                    period: h.key,
                    group: h.group,
                    days: h.days,
                    volume_days: h.volume_days,
                    volume: h.volume,
                    counts: counts
                        .cell(i, k)
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| *n > 0)
                        .map(|(cat, n)| (cat as u32, u64::from(n)))
                        .collect(),
                });
            }
        }
        out
    }

    /// Adds a cell record, its group `group` (a code of this table) and
    /// its period of this table's kind; the clash that stops it, if any
    /// (a volume day in both is added all the same).
    pub(crate) fn add_record(&mut self, group: u32, r: &CellRecord) -> Result<(), RecordClash> {
        if r.counts.iter().any(|&(cat, _)| cat as usize >= self.k)
            || group as usize >= self.groups.len()
        {
            return Err(RecordClash::Misfit);
        }
        let c = self.cell(Period::of_key(self.kind, r.period), group);
        let mine = self.head_mut(c);
        let twice = mine.volume_days & r.volume_days != 0;
        mine.days |= r.days;
        mine.volume_days |= r.volume_days;
        mine.volume += r.volume;
        for &(cat, n) in &r.counts {
            if !self.add_count(c, cat as usize, n) {
                return Err(RecordClash::Overflow(cat as usize));
            }
        }
        if twice {
            self.volume_overlap = true;
            return Err(RecordClash::VolumeTwice);
        }
        Ok(())
    }

    /// Adds a cell's days, volume and counts into cell `c`.
    fn add_cell(&mut self, c: u32, h: &CellHead, counts: CountSlice<'_>) {
        let mine = self.head_mut(c);
        let overlap = mine.volume_days & h.volume_days != 0;
        mine.days |= h.days;
        mine.volume_days |= h.volume_days;
        mine.volume += h.volume;
        let key = (mine.key, mine.group);
        self.volume_overlap |= overlap;
        for (cat, b) in counts.iter().enumerate() {
            if !self.add_count(c, cat, u64::from(b)) {
                self.overflow.get_or_insert((key.0, key.1, cat));
            }
        }
    }

    /// Keeps the cells of `other` (a single reader's, its groups already
    /// in this table's codes) as a part after this table's, when `other`
    /// has no period before this table's last, and its cells of that
    /// period come first: those are added into this table's cells (new
    /// ones made), the rest stay where they are. So it is for a log sorted
    /// by date, split between readers. `false` (nothing changed) otherwise.
    fn append_part(&mut self, other: &mut CellTable, remap: &[u32]) -> bool {
        if !other.earlier.is_empty() {
            return false;
        }
        let period = |d: &i32| {
            NaiveDate::from_num_days_from_ce_opt(*d).map(|d| self.kind.period_of(d).0.sort_key())
        };
        let (Some(last), Some(first)) = (
            self.dates.last().and_then(period),
            other.dates.first().and_then(period),
        ) else {
            // one of the two has no cells
            self.append_cells(other, 0, remap);
            return true;
        };
        if first < last {
            return false;
        }
        let seam = other.heads.iter().take_while(|h| h.key == last).count();
        if other.heads[seam..].iter().any(|h| h.key == last) {
            return false;
        }
        let k = self.k;
        for i in 0..seam {
            let h = other.heads[i];
            let c = self.cell(Period::of_key(self.kind, h.key), h.group);
            self.add_cell(c, &h, other.counts.slice().cell(i, k));
        }
        self.append_cells(other, seam, remap);
        true
    }

    /// Makes the cells of `other` from `skip` on a part after this table's.
    fn append_cells(&mut self, other: &mut CellTable, skip: usize, remap: &[u32]) {
        let live = other.heads.len() - skip;
        if live == 0 {
            return;
        }
        let after = |a: Option<&CellHead>, b: Option<&CellHead>| match (a, b) {
            (Some(a), Some(b)) => (a.key, a.group) < (b.key, b.group),
            _ => true,
        };
        self.sorted &= other.sorted && after(self.last_head(), other.heads.get(skip));
        if !self.heads.is_empty() {
            let base = self.base;
            self.base += self.heads.len() as u32;
            self.earlier.push(Part {
                start: base,
                skip: 0,
                heads: std::mem::take(&mut self.heads),
                counts: std::mem::take(&mut self.counts),
            });
        }
        let start = self.base;
        // Each group's latest cell: the other's are later, unless shared.
        for (g, &(key, c)) in other.latest.iter().enumerate() {
            let Some(local) = (c as usize).checked_sub(skip).filter(|_| c != u32::MAX) else {
                continue;
            };
            let Some(&g) = remap.get(g) else { continue };
            if g as usize >= self.latest.len() {
                self.latest.resize(g as usize + 1, (i32::MIN, u32::MAX));
            }
            if key > self.latest[g as usize].0 {
                self.latest[g as usize] = (key, start + local as u32);
            }
        }
        self.earlier.push(Part {
            start,
            skip,
            heads: std::mem::take(&mut other.heads),
            counts: std::mem::take(&mut other.counts),
        });
        self.base += live as u32;
        self.index = None;
    }
}
