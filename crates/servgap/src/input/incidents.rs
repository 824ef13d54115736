//! The incident log and the volume file of the Service Quality Index (SPEC
//! §3.6), read straight into a table of cells: one cell per period ×
//! group, holding a count per weight category, the days with data (a bit per
//! day of the period) and the volume handled. Memory therefore grows with
//! periods × groups, never with the log's rows.
//!
//! Logs are usually sorted by date and site, so consecutive rows share their
//! date, their group and their cell: the reader compares those cells' bytes
//! with the previous row's before it parses or looks anything up, and tries
//! the category after the previous one before a hash look-up. A large log is
//! split between threads, each with its own cells, merged at the end; each
//! thread also reads the volume rows of its own dates first ([`VolumePlan`]).
//! Counts are kept as narrow as they fit ([`super::cell_counts`]).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Mutex;

use chrono::NaiveDate;
use foldhash::fast::FixedState;

use super::cell_counts::{CountSlice, CountVec};
use super::engine::fields::{field_end, Pattern};
use super::engine::lines::{ParseStop, RangeEnd, RecordSink, RecordView};
use super::weights::WeightTable;
use super::{
    invalid, read_csv, read_csv_then, short_eq, trim_bytes, Header, OnInvalid, ReadInfo,
    ReadOptions, RejectTally, RowCounts, Source,
};
use crate::error::{Error, ErrorKind, Result};
use crate::period::{parse_date, Period, PeriodKind};

type FastMap<K, V> = HashMap<K, V, FixedState>;

fn fast_map<K, V>() -> FastMap<K, V> {
    HashMap::with_hasher(FixedState::with_seed(0x5_91_de_ad))
}

/// Byte separating the values of a group key (unit separator).
const SEP: u8 = 0x1f;

/// One period × group of the SQI, as accumulated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CellHead {
    /// The period's sort key (the table's kind of period).
    pub key: i32,
    pub group: u32,
    /// Bit `i` set: day `i` of the period has an incident or a volume row.
    pub days: u32,
    /// Bit `i` set: day `i` has a volume row.
    pub volume_days: u32,
    /// Sum of the volume rows (0 when none).
    pub volume: f64,
}

/// Cells another reader made over a later range of the file, kept where
/// that reader left them: merging two ranges of a sorted log then copies
/// only the cells both have (the period at the seam), not the whole
/// range (for a year × 3,000 sites, 44 MB to copy and fault in, a tenth of
/// the run).
#[derive(Debug, Clone)]
pub(crate) struct Part {
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
    pub fn counts(&self, k: usize) -> CountSlice<'_> {
        self.counts.slice().skip(self.skip * k)
    }
}

/// Period × group cells with their category counts.
#[derive(Debug)]
pub(crate) struct CellTable {
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
    /// Group keys by code, and the group that followed each one last.
    group_keys: Vec<Box<[u8]>>,
    successor: Vec<u32>,
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
    volume_overlap: bool,
    /// Look-ups by a scan of a period's cells, before an index is built.
    run_scans: u32,
}

impl CellTable {
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
            successor: Vec::new(),
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
    fn head(&self, c: u32) -> Option<&CellHead> {
        match self.slot(c) {
            (None, i) => self.heads.get(i),
            (Some(at), i) => self.earlier[at].heads.get(i),
        }
    }

    /// Cell `c`, to change (`c` is an index the table gave).
    #[inline(always)]
    fn head_mut(&mut self, c: u32) -> &mut CellHead {
        match self.slot(c) {
            (None, i) => &mut self.heads[i],
            (Some(at), i) => &mut self.earlier[at].heads[i],
        }
    }

    /// Adds `value` to the count of category `cat` in cell `c` (an index
    /// the table gave); `false`, with nothing changed, when the count
    /// would pass 4,294,967,295.
    #[inline(always)]
    fn add_count(&mut self, c: u32, cat: usize, value: u64) -> bool {
        let k = self.k;
        match self.slot(c) {
            (None, i) => self.counts.add(i * k + cat, value),
            (Some(at), i) => self.earlier[at].counts.add(i * k + cat, value),
        }
    }

    /// The cells in order, part by part: (index of the first, heads, counts).
    fn parts(&self) -> impl Iterator<Item = (u32, &[CellHead], CountSlice<'_>)> {
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
    fn last_head(&self) -> Option<&CellHead> {
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

    fn empty_like(&self) -> Self {
        CellTable::new(self.kind, self.k)
    }

    /// The code of a group key (values joined by [`SEP`]).
    fn group(&mut self, key: &[u8]) -> u32 {
        if let Some(&g) = self.group_codes.get(key) {
            return g;
        }
        self.new_group(key)
    }

    /// The code of a group key, trying first the group that followed
    /// `prev` last time (sorted logs list their sites in the same order
    /// every day).
    #[inline]
    fn group_after(&mut self, prev: Option<u32>, key: &[u8]) -> u32 {
        let guess = prev.and_then(|p| self.successor.get(p as usize)).copied();
        if let Some(g) = guess.filter(|&g| g != u32::MAX) {
            if short_eq(&self.group_keys[g as usize], key) {
                return g;
            }
        }
        let g = self.group(key);
        if let Some(p) = prev {
            if let Some(s) = self.successor.get_mut(p as usize) {
                *s = g;
            }
        }
        g
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
        self.successor.push(u32::MAX);
        g
    }

    /// The cell of a period and group, created empty when new.
    #[inline]
    fn cell(&mut self, period: Period, group: u32) -> u32 {
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
    fn absorb(&mut self, mut other: CellTable) {
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

/// The date cell of the previous row, parsed.
#[derive(Debug, Clone, Default)]
struct DateCache {
    raw: Vec<u8>,
    date: Option<(NaiveDate, Period, u32)>,
}

/// Where the columns of an incident log or volume file are.
#[derive(Debug, Clone)]
struct Layout {
    width: usize,
    date: usize,
    by: Vec<usize>,
    /// The category column (incidents; `usize::MAX` for volume).
    category: usize,
    /// The count column (incidents) or the volume column.
    value: Option<usize>,
}

impl Layout {
    /// Whether the line readers can read this layout: narrow enough, and
    /// each column with one role (they match a line cell by cell, so a
    /// `--by` column that is also the date, category, count or volume
    /// column goes through the tokenizer's rows).
    fn lines_fit(&self) -> bool {
        self.width <= MAX_FIELDS
            && !self
                .by
                .iter()
                .any(|&b| b == self.date || b == self.category || Some(b) == self.value)
    }

    fn find(file: &str, header: &Header, need: &str, what: &str) -> Result<usize> {
        header.find(need).ok_or_else(|| {
            Error::file(
                file,
                Some(1),
                format!(
                    "{what} needs a '{need}' column (found: {})",
                    header.listing()
                ),
            )
        })
    }

    fn by_columns(file: &str, header: &Header, by: &[String], what: &str) -> Result<Vec<usize>> {
        by.iter()
            .map(|b| {
                header.find(b).ok_or_else(|| {
                    Error::file(
                        file,
                        Some(1),
                        format!(
                            "{what} has no column '{b}' named by --by (found: {})",
                            header.listing()
                        ),
                    )
                })
            })
            .collect()
    }
}

/// What the incident and volume readers share: file, layout, policy, caches.
#[derive(Debug)]
struct RowState {
    file: String,
    header: Header,
    layout: Layout,
    on_invalid: OnInvalid,
    rows_read: u64,
    rows_used: u64,
    tally: RejectTally,
    date: DateCache,
    /// The group cells of the previous row, joined by [`SEP`], and their code.
    group_raw: Vec<u8>,
    /// Where each `--by` value lies in `group_raw`.
    group_bounds: Vec<(usize, usize)>,
    /// The previous row's date and `--by` cells with their separators.
    date_pattern: Pattern,
    group_patterns: Vec<Pattern>,
    /// Whether the line reader matches `group_patterns` (not when it
    /// matches whole prefixes, or when groups change on every line).
    match_groups: bool,
    group: Option<u32>,
    /// The previous row's cell, valid while date and group repeat.
    cell: Option<u32>,
    table: CellTable,
}

impl RowState {
    fn new(
        file: String,
        header: Header,
        layout: Layout,
        on_invalid: OnInvalid,
        table: CellTable,
    ) -> Self {
        RowState {
            file,
            header,
            layout,
            on_invalid,
            rows_read: 0,
            rows_used: 0,
            tally: RejectTally::default(),
            date: DateCache::default(),
            group_raw: Vec::new(),
            group_bounds: Vec::new(),
            date_pattern: Pattern::default(),
            group_patterns: Vec::new(),
            match_groups: true,
            group: None,
            cell: None,
            table,
        }
    }

    fn fork(&self) -> Self {
        let mut forked = RowState::new(
            self.file.clone(),
            self.header.clone(),
            self.layout.clone(),
            self.on_invalid,
            self.table.empty_like(),
        );
        forked.match_groups = self.match_groups;
        forked
    }

    fn merge(&mut self, later: RowState, off: u64) {
        self.rows_read += later.rows_read;
        self.rows_used += later.rows_used;
        self.tally.merge(later.tally, off);
        self.table.absorb(later.table);
        self.cell = None;
        self.group = None;
    }

    fn reject(
        &mut self,
        line: u64,
        col: usize,
        value: &[u8],
        reason: &str,
        problem: String,
    ) -> Result<()> {
        let (file, header) = (&self.file, &self.header);
        super::reject_row(self.on_invalid, &mut self.tally, line, reason, || {
            invalid(file, line, header, col, value, problem)
        })
    }

    fn ragged(&mut self, line: u64, fields: usize) -> Result<()> {
        let (file, width) = (&self.file, self.layout.width);
        super::reject_row(
            self.on_invalid,
            &mut self.tally,
            line,
            "wrong number of fields",
            || super::engine::ragged(file, line, fields, width),
        )
    }

    /// Whether the line readers can start: the previous row's date and
    /// cell are known and the file is narrow enough.
    fn ready_for_lines(&self, width: usize) -> bool {
        self.date.date.is_some() && self.cell.is_some() && width <= MAX_FIELDS
    }

    /// The cell a row belongs to, and its day bit; `Err(col)` when the
    /// date is invalid. Repeated dates and groups cost a comparison each.
    #[inline(always)]
    fn locate<'a>(
        &mut self,
        field: impl Fn(usize) -> &'a [u8],
    ) -> std::result::Result<(u32, u32), usize> {
        let raw = field(self.layout.date);
        let same_date = self.date.date.is_some() && short_eq(&self.date.raw, raw);
        if !same_date {
            self.cell = None;
            self.date.raw.clear();
            self.date.raw.extend_from_slice(raw);
            self.date.date = parse_date(trim_bytes(raw)).map(|d| {
                let (p, bit) = self.table.kind.period_of(d);
                (d, p, bit)
            });
            if let Some((d, _, _)) = self.date.date {
                self.table
                    .dates
                    .insert(chrono::Datelike::num_days_from_ce(&d));
            }
            let sep = sep_of(self.layout.date, self.layout.width);
            self.date_pattern = Pattern::new(raw, sep).unwrap_or_default();
        }
        let Some((_, period, bit)) = self.date.date else {
            return Err(self.layout.date);
        };
        let same_group = self.group.is_some() && self.same_group(&field);
        if !same_group {
            self.cell = None;
            self.group_raw.clear();
            self.group_bounds.clear();
            for (i, &c) in self.layout.by.iter().enumerate() {
                if i > 0 {
                    self.group_raw.push(SEP);
                }
                let at = self.group_raw.len();
                self.group_raw.extend_from_slice(trim_bytes(field(c)));
                self.group_bounds.push((at, self.group_raw.len()));
            }
            self.group_patterns.clear();
            let wanted = if self.match_groups {
                self.layout.by.len()
            } else {
                0
            };
            for (&c, &(a, b)) in self.layout.by.iter().zip(&self.group_bounds).take(wanted) {
                let raw = field(c);
                let pattern = if raw.len() == b - a {
                    Pattern::new(raw, sep_of(c, self.layout.width)).unwrap_or_default()
                } else {
                    Pattern::default()
                };
                self.group_patterns.push(pattern);
            }
            self.group = Some(self.table.group_after(self.group, &self.group_raw));
        }
        let cell = match self.cell {
            Some(c) => c,
            None => {
                let g = self.group.unwrap_or(0);
                let c = self.table.cell(period, g);
                self.cell = Some(c);
                c
            }
        };
        Ok((cell, 1u32 << bit))
    }

    /// Makes group `g` (one `--by` column) and its `cell` the previous
    /// row's, as [`RowState::locate`] would have: what the next line is
    /// compared with.
    fn enter_group(&mut self, g: u32, cell: u32) {
        self.group_raw.clear();
        if let Some(k) = self.table.group_keys.get(g as usize) {
            self.group_raw.extend_from_slice(k);
        }
        self.group_bounds.clear();
        self.group_bounds.push((0, self.group_raw.len()));
        self.group_patterns.clear();
        self.group = Some(g);
        self.cell = Some(cell);
    }

    #[inline(always)]
    fn same_group<'a>(&self, field: &impl Fn(usize) -> &'a [u8]) -> bool {
        match self.layout.by.as_slice() {
            [] => true,
            [c] => short_eq(&self.group_raw, field(*c)),
            cols => {
                let mut at = 0;
                for (i, &c) in cols.iter().enumerate() {
                    if i > 0 {
                        if self.group_raw.get(at) != Some(&SEP) {
                            return false;
                        }
                        at += 1;
                    }
                    let v = field(c);
                    match self.group_raw.get(at..at + v.len()) {
                        Some(s) if short_eq(s, v) => at += v.len(),
                        _ => return false,
                    }
                }
                at == self.group_raw.len()
            }
        }
    }
}

/// Parses a count: a whole number of at least 0 (`3`, ` 3 `, `3.0`).
#[inline(always)]
fn parse_count(raw: &[u8]) -> Option<u64> {
    if !raw.is_empty() && raw.len() <= 18 && raw.iter().all(|b| b.is_ascii_digit()) {
        return Some(raw.iter().fold(0u64, |a, &b| a * 10 + (b - b'0') as u64));
    }
    parse_count_slow(raw)
}

#[cold]
fn parse_count_slow(raw: &[u8]) -> Option<u64> {
    let t = trim_bytes(raw);
    let s = std::str::from_utf8(t).ok()?;
    if let Ok(n) = s.parse::<u64>() {
        return Some(n);
    }
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9.0e15).then_some(v as u64)
}

/// Reads an incident log (`date,category[,count][,group columns…]`).
pub(crate) struct IncidentSink {
    state: RowState,
    /// What each column is, for the line reader.
    roles: Vec<Role>,
    names: Vec<Box<[u8]>>,
    /// Each category followed by its separator, for the line reader.
    patterns: Vec<Pattern>,
    exact: FastMap<Box<[u8]>, usize>,
    weights: std::sync::Arc<WeightTable>,
    last_category: usize,
    /// How many leading columns are date and `--by` columns when the rest
    /// of the line is the category then the count (or the category alone):
    /// the usual layout, whose lines are then matched as one repeated
    /// prefix, a category and a number. 0 for other layouts.
    prefix_cols: usize,
    /// This reader's share of the volume file, and those of the readers
    /// merged into it (see [`VolumePlan`]).
    volume: Vec<VolumeShare>,
}

impl IncidentSink {
    fn new(
        file: String,
        header: Header,
        weights: std::sync::Arc<WeightTable>,
        kind: PeriodKind,
        by: &[String],
        on_invalid: OnInvalid,
    ) -> Result<Self> {
        let what = "the incident log";
        let layout = Layout {
            width: header.len(),
            date: Layout::find(&file, &header, "date", what)?,
            category: Layout::find(&file, &header, "category", what)?,
            value: header.find("count"),
            by: Layout::by_columns(&file, &header, by, what)?,
        };
        let k = weights.categories.len();
        let names: Vec<Box<[u8]>> = weights
            .categories
            .iter()
            .map(|c| c.category.as_bytes().into())
            .collect();
        let mut exact = fast_map();
        for (i, n) in names.iter().enumerate() {
            exact.insert(n.clone(), i);
        }
        let roles = Role::of(&layout);
        let prefix_cols = match roles.as_slice() {
            [lead @ .., Role::Category, Role::Count] | [lead @ .., Role::Category]
                if !lead.is_empty()
                    && lead
                        .iter()
                        .all(|r| matches!(r, Role::Date | Role::Group(_))) =>
            {
                lead.len()
            }
            _ => 0,
        };
        let sep = sep_of(layout.category, layout.width);
        let patterns = names
            .iter()
            .map(|n| Pattern::new(n, sep).unwrap_or_default())
            .collect();
        Ok(IncidentSink {
            roles,
            patterns,
            state: RowState {
                match_groups: prefix_cols == 0,
                ..RowState::new(file, header, layout, on_invalid, CellTable::new(kind, k))
            },
            names,
            exact,
            weights,
            last_category: usize::MAX,
            prefix_cols,
            volume: Vec::new(),
        })
    }

    #[inline(always)]
    fn category(&mut self, raw: &[u8]) -> Option<usize> {
        let next = self.last_category.wrapping_add(1);
        let next = if next >= self.names.len() { 0 } else { next };
        if short_eq(&self.names[next], raw) {
            self.last_category = next;
            return Some(next);
        }
        let c = match self.exact.get(raw) {
            Some(&c) => c,
            None => self
                .weights
                .find(std::str::from_utf8(trim_bytes(raw)).ok()?)?,
        };
        self.last_category = c;
        Some(c)
    }

    #[inline(always)]
    fn row<'a>(
        &mut self,
        line: u64,
        nfields: usize,
        field: impl Fn(usize) -> &'a [u8],
    ) -> Result<()> {
        self.state.rows_read += 1;
        if nfields != self.state.layout.width {
            return self.state.ragged(line, nfields);
        }
        let craw = field(self.state.layout.category);
        let Some(cat) = self.category(craw) else {
            let col = self.state.layout.category;
            let problem = if trim_bytes(craw).is_empty() {
                "the category is missing".to_string()
            } else {
                format!(
                    "unknown category (the weights '{}' know: {})",
                    self.weights.name,
                    self.weights.names()
                )
            };
            return self
                .state
                .reject(line, col, craw, "unknown category", problem);
        };
        let count = match self.state.layout.value {
            None => 1,
            Some(c) => match parse_count(field(c)) {
                Some(n) => n,
                None => {
                    return self.state.reject(
                        line,
                        c,
                        field(c),
                        "invalid count",
                        "a count must be a whole number of at least 0".into(),
                    )
                }
            },
        };
        let (cell, bit) = match self.state.locate(&field) {
            Ok(x) => x,
            Err(col) => {
                return self.state.reject(
                    line,
                    col,
                    field(col),
                    "invalid date",
                    "not a date (YYYY-MM-DD or an RFC 3339 timestamp)".into(),
                )
            }
        };
        let t = &mut self.state.table;
        if !t.add_count(cell, cat, count) {
            let col = self
                .state
                .layout
                .value
                .unwrap_or(self.state.layout.category);
            let problem = format!(
                "the counts of '{}' in this period add up to more than 4,294,967,295",
                self.weights.categories[cat].category
            );
            let st = &self.state;
            return Err(invalid(
                &st.file,
                line,
                &st.header,
                col,
                field(col),
                problem,
            ));
        }
        t.head_mut(cell).days |= bit;
        t.seen[cat] = true;
        self.state.rows_used += 1;
        Ok(())
    }
}

impl IncidentSink {
    /// Reads ordinary lines until one is not: a new date, an unknown or
    /// misspelt category, a count that is not plain digits, a ragged or
    /// CRLF line. Fields are found by matching the previous line's (same
    /// date, same group, the next category), not by scanning for commas.
    fn lines(&mut self, region: &[u8], max_start: usize) -> (usize, u64) {
        if !self.state.ready_for_lines(self.roles.len()) {
            return (0, 0);
        }
        let mut bounds = [(0usize, 0usize); MAX_FIELDS];
        let (mut pos, mut n) = (0usize, 0u64);
        // The previous line's date and group cells as one pattern (usual
        // layout only): a line that starts with it has the same cell.
        let mut prefix = Pattern::default();
        let with_count = self.state.layout.value.is_some();
        while pos < max_start {
            if prefix.matches(region, pos) {
                let Some(cell) = self.state.cell else { break };
                let Some((cat, value, p)) =
                    self.category_then_count(region, pos + prefix.len(), with_count)
                else {
                    break;
                };
                let t = &mut self.state.table;
                if !t.add_count(cell, cat, value) {
                    break;
                }
                t.seen[cat] = true;
                self.last_category = cat;
                pos = p;
                n += 1;
                continue;
            }
            if let Some((p, prefix_len)) = self.next_group_line(region, pos, with_count) {
                prefix = Pattern::at(region, pos, prefix_len).unwrap_or_default();
                pos = p;
                n += 1;
                continue;
            }
            let cats = CategoryMatch {
                patterns: &self.patterns,
                exact: &self.exact,
                last: self.last_category,
            };
            let Some(m) =
                self.state
                    .match_line(&self.roles, Some(&cats), 18, region, pos, &mut bounds)
            else {
                break;
            };
            let cell = if m.regroup {
                match self.state.locate(|i| &region[bounds[i].0..bounds[i].1]) {
                    Ok((cell, bit)) => {
                        self.state.table.head_mut(cell).days |= bit;
                        cell
                    }
                    Err(_) => break,
                }
            } else {
                match self.state.cell {
                    Some(c) => c,
                    None => break,
                }
            };
            let t = &mut self.state.table;
            if !t.add_count(cell, m.category, m.value) {
                break;
            }
            t.seen[m.category] = true;
            self.last_category = m.category;
            if self.prefix_cols > 0 {
                let end = bounds[self.prefix_cols - 1].1;
                prefix = Pattern::at(region, pos, end + 1 - pos).unwrap_or_default();
            }
            pos = m.end;
            n += 1;
        }
        self.state.rows_read += n;
        self.state.rows_used += n;
        (pos, n)
    }
}

impl IncidentSink {
    /// The category cell at `p` (the one after the previous line's is tried
    /// first) and the count after it (1 without a count column): category,
    /// count and the position after the line; `None` unless both are plain.
    #[inline(always)]
    fn category_then_count(
        &self,
        region: &[u8],
        mut p: usize,
        with_count: bool,
    ) -> Option<(usize, u64, usize)> {
        let next = self.last_category.wrapping_add(1);
        let next = if next >= self.patterns.len() { 0 } else { next };
        let cat = if self.patterns[next].matches(region, p) {
            p += self.patterns[next].len();
            next
        } else {
            let e = field_end(region, p, if with_count { b',' } else { b'\n' })?;
            let c = *self.exact.get(&region[p..e])?;
            p = e + 1;
            c
        };
        if !with_count {
            return Some((cat, 1, p));
        }
        let (value, end) = number_then_newline(region, p, 18)?;
        Some((cat, value, end))
    }

    /// In the usual layout (`date,GROUP,category[,count]`), the first line
    /// of the next group on the same date: the group the previous one was
    /// followed by last time, a category given exactly and a plain count.
    /// Adds the line and returns the position after it and the length of
    /// its date and group cells; `None` (nothing changed) for any other
    /// line.
    #[inline]
    fn next_group_line(
        &mut self,
        region: &[u8],
        pos: usize,
        with_count: bool,
    ) -> Option<(usize, usize)> {
        let st = &self.state;
        if self.prefix_cols != 2 || st.layout.date != 0 || st.layout.by.as_slice() != [1] {
            return None;
        }
        let (_, period, bit) = st.date.date?;
        if st.cell.is_none() || !st.date_pattern.matches(region, pos) {
            return None;
        }
        let g_at = pos + st.date_pattern.len();
        let g_end = field_end(region, g_at, b',')?;
        let raw = &region[g_at..g_end];
        let t = &st.table;
        let g = t.successor.get(st.group? as usize).copied()?;
        if !t
            .group_keys
            .get(g as usize)
            .is_some_and(|k| short_eq(k, raw))
        {
            return None;
        }
        let (cat, value, p) = self.category_then_count(region, g_end + 1, with_count)?;
        // The whole line is valid: its cell (found or created; doing this
        // again is harmless if the count then overflows).
        let st = &mut self.state;
        let t = &mut st.table;
        let cell = t.cell(period, g);
        t.head_mut(cell).days |= 1u32 << bit;
        if !t.add_count(cell, cat, value) {
            return None;
        }
        t.seen[cat] = true;
        self.last_category = cat;
        st.enter_group(g, cell);
        Some((p, g_end + 1 - pos))
    }
}

/// A plain whole number of one to `max_digits` digits at `p`, then `\n`:
/// the number and the position after the newline.
#[inline(always)]
fn number_then_newline(region: &[u8], p: usize, max_digits: usize) -> Option<(u64, usize)> {
    let (mut v, mut q) = (0u64, p);
    while let Some(d) = region
        .get(q)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|d| *d < 10)
    {
        v = v * 10 + d as u64;
        q += 1;
        if q - p > max_digits {
            return None;
        }
    }
    (q > p && region.get(q) == Some(&b'\n')).then_some((v, q + 1))
}

/// The separator after column `i` of `width`.
#[inline(always)]
fn sep_of(i: usize, width: usize) -> u8 {
    if i + 1 == width {
        b'\n'
    } else {
        b','
    }
}

/// The weights' categories, for matching the category cell of a line.
struct CategoryMatch<'a> {
    patterns: &'a [Pattern],
    exact: &'a FastMap<Box<[u8]>, usize>,
    /// The previous line's category (the next one is tried first).
    last: usize,
}

/// What matching one ordinary line found.
struct Matched {
    /// Just after the line's `\n`.
    end: usize,
    /// The whole number in the count (incidents) or volume column.
    value: u64,
    /// The category (incidents).
    category: usize,
    /// Whether a group cell differs from the previous line's.
    regroup: bool,
}

impl RowState {
    /// Matches one line of a sorted log at `pos` against the previous
    /// line's date and group cells, the next category and a plain whole
    /// number of at most `max_digits` digits; `None` when the line is not
    /// ordinary (it then goes through the tokenizer). `bounds` receives
    /// each cell's span, for [`RowState::locate`] when the group changed.
    #[inline(always)]
    fn match_line(
        &self,
        roles: &[Role],
        cats: Option<&CategoryMatch<'_>>,
        max_digits: usize,
        region: &[u8],
        pos: usize,
        bounds: &mut [(usize, usize); MAX_FIELDS],
    ) -> Option<Matched> {
        let width = roles.len();
        let mut p = pos;
        let mut m = Matched {
            end: 0,
            value: 1,
            category: usize::MAX,
            regroup: false,
        };
        for (i, role) in roles.iter().enumerate() {
            let start = p;
            let sep = sep_of(i, width);
            match *role {
                Role::Date => {
                    let d = &self.date_pattern;
                    if !d.matches(region, p) {
                        return None;
                    }
                    p += d.len();
                }
                Role::Group(j) => match self.group_patterns.get(j) {
                    Some(g) if g.matches(region, p) => p += g.len(),
                    _ => {
                        p = field_end(region, p, sep)? + 1;
                        m.regroup = true;
                    }
                },
                Role::Category => {
                    let c = cats?;
                    let next = c.last.wrapping_add(1);
                    let next = if next >= c.patterns.len() { 0 } else { next };
                    if c.patterns[next].matches(region, p) {
                        p += c.patterns[next].len();
                        m.category = next;
                    } else {
                        let e = field_end(region, p, sep)?;
                        m.category = *c.exact.get(&region[p..e])?;
                        p = e + 1;
                    }
                }
                Role::Count => {
                    let mut v = 0u64;
                    let mut q = p;
                    while q < region.len() && region[q].is_ascii_digit() {
                        v = v.wrapping_mul(10).wrapping_add((region[q] - b'0') as u64);
                        q += 1;
                    }
                    if q == p || q - p > max_digits || region.get(q) != Some(&sep) {
                        return None;
                    }
                    m.value = v;
                    p = q + 1;
                }
                Role::Other => p = field_end(region, p, sep)? + 1,
            }
            bounds[i] = (start, p - 1);
        }
        m.end = p;
        Some(m)
    }
}

/// Most columns a line reader handles; wider files go through the tokenizer.
const MAX_FIELDS: usize = 32;

/// What a column of an incident log or volume file holds.
#[derive(Debug, Clone, Copy)]
enum Role {
    Date,
    /// The j-th `--by` column.
    Group(usize),
    Category,
    Count,
    Other,
}

impl Role {
    fn of(layout: &Layout) -> Vec<Role> {
        (0..layout.width)
            .map(|c| {
                if c == layout.date {
                    Role::Date
                } else if let Some(j) = layout.by.iter().position(|&b| b == c) {
                    Role::Group(j)
                } else if c == layout.category {
                    Role::Category
                } else if Some(c) == layout.value {
                    Role::Count
                } else {
                    Role::Other
                }
            })
            .collect()
    }
}

impl RecordSink for IncidentSink {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        self.row(line, rec.len(), |i| rec.get(i))
    }

    fn takes_lines(&self) -> bool {
        self.state.layout.lines_fit()
    }

    fn quote_free_lines(
        &mut self,
        _line: u64,
        region: &[u8],
        max_start: usize,
    ) -> Result<(usize, u64)> {
        Ok(self.lines(region, max_start))
    }

    #[inline]
    fn quote_free_line(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        self.row(line, ends.len(), |i| {
            let start = if i == 0 { 0 } else { ends[i - 1] + 1 };
            &bytes[start..ends[i]]
        })
    }

    fn fork(&self) -> Self {
        IncidentSink {
            roles: self.roles.clone(),
            state: self.state.fork(),
            names: self.names.clone(),
            patterns: self.patterns.clone(),
            exact: self.exact.clone(),
            weights: self.weights.clone(),
            last_category: usize::MAX,
            prefix_cols: self.prefix_cols,
            volume: Vec::new(),
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        self.state.merge(later.state, off);
        self.volume.extend(later.volume);
        Ok(())
    }
}

/// Reads a volume file (`date[,group columns…],volume`) into a table.
pub(crate) struct VolumeSink {
    state: RowState,
    roles: Vec<Role>,
    /// Whether the file has columns beyond date, the `--by` columns and
    /// volume: its rows are then summed per date and group; otherwise a
    /// date and group given twice is an error.
    summed: bool,
}

impl VolumeSink {
    #[inline(always)]
    fn row<'a>(
        &mut self,
        line: u64,
        nfields: usize,
        field: impl Fn(usize) -> &'a [u8],
    ) -> Result<()> {
        self.state.rows_read += 1;
        if nfields != self.state.layout.width {
            return self.state.ragged(line, nfields);
        }
        let vc = self.state.layout.value.unwrap_or(0);
        let raw = field(vc);
        let volume = match super::parse_number(raw) {
            Some(v) if v >= 0.0 => v,
            _ => {
                return self.state.reject(
                    line,
                    vc,
                    raw,
                    "invalid volume",
                    "a volume must be a number of at least 0".into(),
                )
            }
        };
        let (cell, bit) = match self.state.locate(&field) {
            Ok(x) => x,
            Err(col) => {
                return self.state.reject(
                    line,
                    col,
                    field(col),
                    "invalid date",
                    "not a date (YYYY-MM-DD or an RFC 3339 timestamp)".into(),
                )
            }
        };
        let head = self.state.table.head_mut(cell);
        if !self.summed && head.volume_days & bit != 0 {
            let mut key = vec![
                String::from_utf8_lossy(trim_bytes(field(self.state.layout.date))).into_owned(),
            ];
            key.extend(
                self.state
                    .layout
                    .by
                    .iter()
                    .map(|&c| String::from_utf8_lossy(trim_bytes(field(c))).into_owned()),
            );
            return Err(ErrorKind::Duplicate {
                file: self.state.file.clone(),
                line,
                first_line: None,
                what: format!("the volume of {}", key.join(" / ")),
                key,
            }
            .into());
        }
        head.days |= bit;
        head.volume_days |= bit;
        head.volume += volume;
        self.state.rows_used += 1;
        Ok(())
    }
}

impl VolumeSink {
    /// Reads ordinary lines (a known date, whole-number volumes, no
    /// duplicate) as [`IncidentSink::lines`] does; every other line goes
    /// through the tokenizer and [`VolumeSink::row`].
    fn lines(&mut self, region: &[u8], max_start: usize) -> (usize, u64) {
        if !self.state.ready_for_lines(self.roles.len()) {
            return (0, 0);
        }
        if let [Role::Date, Role::Group(0), Role::Count] = self.roles.as_slice() {
            return self.site_lines(region, max_start);
        }
        let mut bounds = [(0usize, 0usize); MAX_FIELDS];
        let (mut pos, mut n) = (0usize, 0u64);
        while pos < max_start {
            let Some(m) = self
                .state
                .match_line(&self.roles, None, 15, region, pos, &mut bounds)
            else {
                break;
            };
            let (cell, bit) = if m.regroup {
                match self.state.locate(|i| &region[bounds[i].0..bounds[i].1]) {
                    Ok(x) => x,
                    Err(_) => break,
                }
            } else {
                match (self.state.cell, self.state.date.date) {
                    (Some(c), Some((_, _, bit))) => (c, 1u32 << bit),
                    _ => break,
                }
            };
            let head = self.state.table.head_mut(cell);
            if !self.summed && head.volume_days & bit != 0 {
                break; // a duplicate: reported by the tokenizer's path
            }
            head.days |= bit;
            head.volume_days |= bit;
            head.volume += m.value as f64;
            pos = m.end;
            n += 1;
        }
        self.state.rows_read += n;
        self.state.rows_used += n;
        (pos, n)
    }
}

impl VolumeSink {
    /// [`VolumeSink::lines`] for the usual `date,site,volume` layout, whose
    /// site changes on every line: the date is matched as the previous
    /// line's, the site is tried as the one that followed the previous site
    /// last time (sites come in the same order every day), then looked up.
    /// A new date or site, or anything unusual, goes to the tokenizer.
    fn site_lines(&mut self, region: &[u8], max_start: usize) -> (usize, u64) {
        let Some((_, period, bit)) = self.state.date.date else {
            return (0, 0);
        };
        let (Some(mut g), Some(mut cell)) = (self.state.group, self.state.cell) else {
            return (0, 0);
        };
        let bit = 1u32 << bit;
        let period_key = period.sort_key();
        let date = self.state.date_pattern;
        let (mut pos, mut n) = (0usize, 0u64);
        while pos < max_start && date.matches(region, pos) {
            let p = pos + date.len();
            let Some(e) = field_end(region, p, b',') else {
                break;
            };
            let key = &region[p..e];
            let t = &mut self.state.table;
            let guess = t.successor.get(g as usize).copied().unwrap_or(u32::MAX);
            let next = match t.group_keys.get(guess as usize) {
                Some(k) if short_eq(k, key) => guess,
                _ => match t.group_codes.get(key) {
                    Some(&c) => {
                        if let Some(s) = t.successor.get_mut(g as usize) {
                            *s = c;
                        }
                        c
                    }
                    None => break,
                },
            };
            let Some((v, end)) = number_then_newline(region, e + 1, 15) else {
                break;
            };
            let summed = self.summed;
            let add = |head: &mut CellHead| {
                if !summed && head.volume_days & bit != 0 {
                    return false; // a duplicate: reported by the tokenizer's path
                }
                head.days |= bit;
                head.volume_days |= bit;
                head.volume += v as f64;
                true
            };
            let (c, added) = match t.next_head_mut(period_key, next) {
                Some((c, head)) => (c, add(head)),
                None => {
                    let c = t.cell(period, next);
                    (c, add(t.head_mut(c)))
                }
            };
            if !added {
                break;
            }
            (g, cell) = (next, c);
            pos = end;
            n += 1;
        }
        if n > 0 {
            self.state.enter_group(g, cell);
        }
        self.state.rows_read += n;
        self.state.rows_used += n;
        (pos, n)
    }
}

impl RecordSink for VolumeSink {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        self.row(line, rec.len(), |i| rec.get(i))
    }

    fn takes_lines(&self) -> bool {
        self.state.layout.lines_fit()
    }

    fn quote_free_lines(
        &mut self,
        _line: u64,
        region: &[u8],
        max_start: usize,
    ) -> Result<(usize, u64)> {
        Ok(self.lines(region, max_start))
    }

    #[inline]
    fn quote_free_line(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        self.row(line, ends.len(), |i| {
            let start = if i == 0 { 0 } else { ends[i - 1] + 1 };
            &bytes[start..ends[i]]
        })
    }

    fn fork(&self) -> Self {
        VolumeSink {
            roles: self.roles.clone(),
            state: self.state.fork(),
            summed: self.summed,
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        self.state.merge(later.state, off);
        Ok(())
    }
}

/// What reading the incident log (and the volume file) produced.
#[derive(Debug)]
pub(crate) struct IncidentData {
    pub table: CellTable,
    pub incident_rows: RowCounts,
    pub volume_rows: Option<RowCounts>,
    pub encoding: String,
}

fn counts(rows_read: u64, rows_used: u64, tally: RejectTally) -> RowCounts {
    RowCounts {
        rows_read,
        rows_used,
        rows_rejected: tally.total(),
        rejections: tally.reasons,
    }
}

/// Reads the incident log, then the volume file into the same cells. A
/// large log read by several threads has each thread read its share of the
/// volume file too, into its own cells, before the cells are merged (see
/// [`VolumePlan`]); when the shares cannot be read apart, it all is read
/// again, the volume file after the log.
pub(crate) fn read_incidents(
    incidents: &Source,
    volume: Option<&Source>,
    weights: std::sync::Arc<WeightTable>,
    kind: PeriodKind,
    by: &[String],
    opts: &ReadOptions,
) -> Result<IncidentData> {
    let read = IncidentRead {
        incidents,
        volume,
        weights,
        kind,
        by,
        opts,
    };
    let plan = volume.and_then(|vs| VolumePlan::new(incidents, vs, by, opts));
    if let Some(data) = read.with(plan.as_ref())? {
        return Ok(data);
    }
    read.with(None)?
        .ok_or_else(|| Error::internal("the volume file was not read"))
}

/// The arguments of [`read_incidents`].
struct IncidentRead<'a> {
    incidents: &'a Source,
    volume: Option<&'a Source>,
    weights: std::sync::Arc<WeightTable>,
    kind: PeriodKind,
    by: &'a [String],
    opts: &'a ReadOptions,
}

impl IncidentRead<'_> {
    /// Reads with or without a plan for the volume file; `None` when the
    /// plan's shares could not be read apart.
    fn with(&self, plan: Option<&VolumePlan>) -> Result<Option<IncidentData>> {
        let IncidentRead {
            incidents,
            volume,
            ref weights,
            kind,
            by,
            opts,
        } = *self;
        let name = incidents.name();
        let share = |i: usize, s: &mut IncidentSink| {
            if let Some(p) = plan {
                s.read_volume_share(i, p, by, opts.on_invalid);
            }
        };
        let (sink, info): (IncidentSink, ReadInfo) = read_csv_then(
            incidents,
            opts,
            |h| IncidentSink::new(name.clone(), h, weights.clone(), kind, by, opts.on_invalid),
            &share,
        )?;
        let incident_rows = counts(sink.state.rows_read, sink.state.rows_used, sink.state.tally);
        let table = sink.state.table;
        if let Some((key, group, cat)) = table.overflow {
            let mut cell = Period::of_key(kind, key).label();
            for (b, v) in by
                .iter()
                .zip(table.groups.get(group as usize).into_iter().flatten())
            {
                cell.push_str(&format!(", {b} {v}"));
            }
            return Err(Error::file(
                &name,
                None,
                format!(
                    "the counts of '{}' in {cell} add up to more than 4,294,967,295",
                    weights.categories[cat].category
                ),
            ));
        }
        let (table, volume_rows) = match (volume, plan) {
            (Some(vs), Some(plan)) if !sink.volume.is_empty() => {
                match plan.rows(sink.volume, &table, vs, by, opts)? {
                    Some(rows) => (table, Some(rows)),
                    None => return Ok(None),
                }
            }
            (Some(vs), _) => {
                let (table, rows) = read_volume(vs, table, by, opts)?;
                (table, Some(rows))
            }
            (None, _) => (table, None),
        };
        Ok(Some(IncidentData {
            table,
            incident_rows,
            volume_rows,
            encoding: info.encoding,
        }))
    }
}

/// Whether a volume file's rows are summed per date and group: it has
/// columns beyond date, the `by` group columns and volume (otherwise a
/// date and group given twice is an error).
fn rows_summed(h: &Header, by: usize) -> bool {
    h.len() > by + 2
}

/// The layout of a volume file's header.
fn volume_layout(vname: &str, h: &Header, by: &[String]) -> Result<Layout> {
    let what = "the volume file";
    Ok(Layout {
        width: h.len(),
        date: Layout::find(vname, h, "date", what)?,
        category: usize::MAX,
        value: Some(Layout::find(vname, h, "volume", what)?),
        by: Layout::by_columns(vname, h, by, what)?,
    })
}

impl VolumeSink {
    /// A reader of volume rows into `table`; `summed` when the file has
    /// columns beyond date, the `--by` columns and volume.
    fn new(
        vname: String,
        h: Header,
        layout: Layout,
        on_invalid: OnInvalid,
        table: CellTable,
    ) -> Self {
        VolumeSink {
            roles: Role::of(&layout),
            summed: rows_summed(&h, layout.by.len()),
            // Volume rows change group on nearly every line.
            state: RowState {
                match_groups: false,
                ..RowState::new(vname, h, layout, on_invalid, table)
            },
        }
    }
}

/// Reads the volume file into the cells of `table`.
fn read_volume(
    vs: &Source,
    table: CellTable,
    by: &[String],
    opts: &ReadOptions,
) -> Result<(CellTable, RowCounts)> {
    let vname = vs.name();
    let slot = Mutex::new(Some(table));
    let vopts = ReadOptions {
        threads: 1,
        ..opts.clone()
    };
    let (sink, _): (VolumeSink, ReadInfo) = read_csv(vs, &vopts, |h| {
        let layout = volume_layout(&vname, &h, by)?;
        let t = slot
            .lock()
            .ok()
            .and_then(|mut s| s.take())
            .ok_or_else(|| Error::internal("the volume file was opened twice"))?;
        Ok(VolumeSink::new(
            vname.clone(),
            h,
            layout,
            opts.on_invalid,
            t,
        ))
    })
    .map_err(|e| first_volume_line(e, vs, by, &vopts))?;
    let rows = counts(sink.state.rows_read, sink.state.rows_used, sink.state.tally);
    Ok((sink.state.table, rows))
}

/// What one reader thread made of its share of the volume file.
struct VolumeShare {
    /// Which share (the index of the thread's range of the log).
    index: usize,
    end: std::result::Result<RangeEnd, ParseStop>,
    rows_read: u64,
    rows_used: u64,
    tally: RejectTally,
}

/// The volume file cut where the dates of the log's reader threads meet,
/// so that each thread reads the volume rows of its own dates into its own
/// cells while the other does the same, instead of one thread reading the
/// whole file after the log (a year × 3,000 sites: 15 ms on one core).
///
/// Share `i` holds the lines from the first whose date is after the first
/// date of the log's range `i` (the day that range shares with the one
/// before; its volume rows go to the earlier range, which ends with that
/// day). The cut points are found by bisection, as if both files were
/// sorted by date; they are only about speed: any volume row read into
/// another range's cells is merged like the log's own rows. What the
/// shares cannot settle sends the reader back to reading the volume file
/// whole after the log: a range that ran past its end (a quoted newline
/// at a cut), a file that is not UTF-8, a day with volume rows in two
/// shares of a file whose rows are not summed (a duplicate, reported with
/// its lines by the whole read).
#[derive(Debug)]
pub(crate) struct VolumePlan {
    path: std::path::PathBuf,
    name: String,
    header: Header,
    data_line: u64,
    len: u64,
    /// Each share's bytes, by the log's range.
    shares: Vec<(u64, u64)>,
}

impl VolumePlan {
    /// A plan when the log is a UTF-8 file large enough to be split between
    /// threads and the volume file is a file with a `date` column.
    fn new(incidents: &Source, volume: &Source, by: &[String], opts: &ReadOptions) -> Option<Self> {
        use super::engine::lines::split_points;
        // both regular files: a pipe or FIFO cannot be read twice
        let (Some(log), Some(vpath)) = (incidents.regular_file(), volume.regular_file()) else {
            return None;
        };
        if !matches!(opts.encoding, super::EncodingChoice::Auto) {
            return None;
        }
        let (fields, start) = plain_header(log)?;
        let date = Header::new(fields).find("date")?;
        let len = std::fs::metadata(log).ok()?.len();
        let splits = split_points(log, start, len, opts.threads()).ok()?;
        if splits.len() < 3 {
            return None; // read on one thread
        }
        let vname = volume.name();
        let (fields, vstart) = plain_header(vpath)?;
        let header = Header::new(fields);
        volume_layout(&vname, &header, by).ok()?;
        let vdate = header.find("date")?;
        let vlen = std::fs::metadata(vpath).ok()?.len();
        let mut log_file = std::fs::File::open(log).ok()?;
        let mut vfile = std::fs::File::open(vpath).ok()?;
        let mut cuts = vec![vstart];
        for &at in &splits[1..splits.len() - 1] {
            let (_, line, _) = line_from(&mut log_file, at, len)?;
            let first = date_of(&line, date)?;
            let cut = first_line_after(&mut vfile, vstart, vlen, vdate, first)?;
            cuts.push(cut.max(*cuts.last()?));
        }
        cuts.push(vlen);
        Some(VolumePlan {
            path: vpath.to_path_buf(),
            name: vname,
            header,
            data_line: 2,
            len: vlen,
            shares: cuts.windows(2).map(|w| (w[0], w[1])).collect(),
        })
    }

    /// The volume rows read by the shares, once the log's readers are
    /// merged (`table`); `None` when the shares could not be read apart.
    /// The first error in file order is the error.
    fn rows(
        &self,
        mut shares: Vec<VolumeShare>,
        table: &CellTable,
        vs: &Source,
        by: &[String],
        opts: &ReadOptions,
    ) -> Result<Option<RowCounts>> {
        shares.sort_by_key(|s| s.index);
        if !shares.iter().map(|s| s.index).eq(0..self.shares.len()) {
            return Ok(None); // a range's cells were not merged (it overran)
        }
        let (mut read, mut used) = (0, 0);
        let mut tally = RejectTally::default();
        let mut line_offset = self.data_line - 1;
        let last = shares.len() - 1;
        for (i, share) in shares.into_iter().enumerate() {
            // share 0 numbers its lines from the header; the others from 1
            let shift = if i == 0 { 0 } else { line_offset };
            match share.end {
                Err(ParseStop::NotUtf8) => return Ok(None),
                Err(ParseStop::Error(e)) => {
                    let vopts = ReadOptions {
                        threads: 1,
                        ..opts.clone()
                    };
                    let e = if i == 0 { e } else { e.shift_lines(shift) };
                    return Err(first_volume_line(e, vs, by, &vopts));
                }
                Ok(end) => {
                    if end.overran && i < last {
                        return Ok(None);
                    }
                    read += share.rows_read;
                    used += share.rows_used;
                    tally.merge(share.tally, shift);
                    line_offset += end.newlines;
                }
            }
        }
        let summed = rows_summed(&self.header, by.len());
        if table.volume_overlap && !summed {
            return Ok(None); // a duplicate day, for the whole read to report
        }
        Ok(Some(counts(read, used, tally)))
    }
}

impl IncidentSink {
    /// Reads share `i` of the volume file into this reader's cells (see
    /// [`VolumePlan`]).
    fn read_volume_share(
        &mut self,
        i: usize,
        plan: &VolumePlan,
        by: &[String],
        on_invalid: OnInvalid,
    ) {
        let Some(&(from, to)) = plan.shares.get(i) else {
            return; // not a share: the plan is dropped
        };
        let mut share = VolumeShare {
            index: i,
            end: Ok(RangeEnd {
                consumed: 0,
                newlines: 0,
                records: 0,
                overran: false,
            }),
            rows_read: 0,
            rows_used: 0,
            tally: RejectTally::default(),
        };
        let layout = match volume_layout(&plan.name, &plan.header, by) {
            Ok(l) => l,
            Err(e) => {
                share.end = Err(e.into());
                self.volume.push(share);
                return;
            }
        };
        if from < to {
            let empty = self.state.table.empty_like();
            let table = std::mem::replace(&mut self.state.table, empty);
            let header = plan.header.clone();
            let mut sink = VolumeSink::new(plan.name.clone(), header, layout, on_invalid, table);
            let cfg = super::engine::lines::ParseConfig {
                file_offset: from,
                soft_limit: (to < plan.len).then_some(to - from),
                max_records: None,
                first_line: if i == 0 { plan.data_line } else { 1 },
                validate_utf8: true,
                progress: None,
                path: &plan.name,
            };
            share.end = std::fs::File::open(&plan.path)
                .and_then(|mut f| f.seek(SeekFrom::Start(from)).map(|_| f))
                .map_err(|e| ParseStop::from(Error::io(&plan.path, e)))
                .and_then(|f| super::engine::lines::parse_stream(f, &cfg, &mut sink));
            share.rows_read = sink.state.rows_read;
            share.rows_used = sink.state.rows_used;
            share.tally = sink.state.tally;
            self.state.table = sink.state.table;
        }
        self.volume.push(share);
    }
}

/// A header of plain fields (no quotes, no byte-order mark) and where the
/// data starts; `None` for any other, or when the first 4 KB are not UTF-8
/// (a GB18030 file is read whole after the log, not twice).
fn plain_header(path: &std::path::Path) -> Option<(Vec<String>, u64)> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut win = vec![0u8; 1 << 12];
    let n = f.read(&mut win).ok()?;
    match std::str::from_utf8(&win[..n]) {
        // (a character cut at the window's end is fine)
        Err(e) if e.error_len().is_some() => return None,
        _ => {}
    }
    let end = memchr::memchr(b'\n', &win[..n])?;
    let line = win[..end].strip_suffix(b"\r").unwrap_or(&win[..end]);
    if line.starts_with(b"\xEF\xBB\xBF") || line.contains(&b'"') {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    Some((
        text.split(',').map(str::to_string).collect(),
        end as u64 + 1,
    ))
}

/// The first line that starts at or after `at` (at least 1) in a file of
/// `len` bytes: its start, its bytes without the line end, and where the
/// next line starts; `None` when there is none within 4 KB, or it is
/// longer.
fn line_from(f: &mut std::fs::File, at: u64, len: u64) -> Option<(u64, Vec<u8>, u64)> {
    let from = at.checked_sub(1)?;
    let mut win = vec![0u8; (1 << 12).min(len.checked_sub(from)? as usize)];
    f.seek(SeekFrom::Start(from)).ok()?;
    f.read_exact(&mut win).ok()?;
    let start = memchr::memchr(b'\n', &win)? + 1;
    let rest = &win[start..];
    let end = match memchr::memchr(b'\n', rest) {
        Some(e) => e,
        None if from + win.len() as u64 == len => rest.len(),
        None => return None,
    };
    let line = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
    let at = from + start as u64;
    Some((at, line.to_vec(), (at + end as u64 + 1).min(len)))
}

/// The date in column `col` of a line (as the line reader reads one:
/// unquoted, trimmed).
fn date_of(line: &[u8], col: usize) -> Option<NaiveDate> {
    parse_date(trim_bytes(line.split(|&b| b == b',').nth(col)?))
}

/// Where the first line dated after `day` starts, between the data's
/// `start` and `len`, by bisection (exact for a file sorted by date);
/// `None` when a probe finds no line.
fn first_line_after(
    f: &mut std::fs::File,
    start: u64,
    len: u64,
    col: usize,
    day: NaiveDate,
) -> Option<u64> {
    let after = |line: &[u8]| date_of(line, col).is_some_and(|d| d > day);
    // The answer is a line start in lo..=hi; lo is a line start.
    let (mut lo, mut hi) = (start, len);
    while hi - lo > 1 << 12 {
        let mid = lo + (hi - lo) / 2;
        let (at, line, next) = line_from(f, mid, len)?;
        if at >= hi {
            return None;
        }
        if after(&line) {
            hi = at;
        } else {
            lo = next;
        }
    }
    // the lines of lo..hi (4 KB at most), and the one that ends past hi
    let mut win = vec![0u8; (hi - lo + (1 << 12)).min(len - lo) as usize];
    f.seek(SeekFrom::Start(lo)).ok()?;
    f.read_exact(&mut win).ok()?;
    let mut at = 0;
    while lo + (at as u64) < hi {
        let end = memchr::memchr(b'\n', &win[at..]).map_or(win.len(), |e| at + e);
        let line = &win[at..end];
        if after(line.strip_suffix(b"\r").unwrap_or(line)) {
            return Some(lo + at as u64);
        }
        at = end + 1;
    }
    Some(hi)
}

/// Completes a duplicate-volume error with the line of the first row for
/// the same day and group, found by reading the (small) volume file again.
fn first_volume_line(e: Error, source: &Source, by: &[String], opts: &ReadOptions) -> Error {
    let ErrorKind::Duplicate {
        file,
        line,
        first_line: None,
        what,
        key,
    } = e.kind()
    else {
        return e;
    };
    let Some(day) = key.first().and_then(|d| parse_date(d.as_bytes())) else {
        return e;
    };
    if source.regular_file().is_none() {
        return e; // a stream cannot be read again
    }
    struct Find {
        cols: Option<(usize, Vec<usize>)>,
        day: NaiveDate,
        groups: Vec<String>,
        first: Option<u64>,
    }
    impl RecordSink for Find {
        fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
            if let (None, Some((dc, bcs))) = (self.first, &self.cols) {
                let same = parse_date(trim_bytes(rec.get(*dc))) == Some(self.day)
                    && bcs
                        .iter()
                        .zip(&self.groups)
                        .all(|(&c, g)| rec.text(c) == *g);
                if same {
                    self.first = Some(line);
                }
            }
            Ok(())
        }
        fn fork(&self) -> Self {
            Find {
                cols: self.cols.clone(),
                day: self.day,
                groups: self.groups.clone(),
                first: None,
            }
        }
        fn merge(&mut self, later: Self, off: u64) -> Result<()> {
            if self.first.is_none() {
                self.first = later.first.map(|l| l + off);
            }
            Ok(())
        }
    }
    let found = read_csv(source, opts, |h| {
        let cols = h
            .find("date")
            .zip(by.iter().map(|b| h.find(b)).collect::<Option<Vec<_>>>());
        Ok(Find {
            cols,
            day,
            groups: key[1..].to_vec(),
            first: None,
        })
    });
    match found {
        Ok((f, _)) if f.first.is_some_and(|l| l < *line) => ErrorKind::Duplicate {
            file: file.clone(),
            line: *line,
            first_line: f.first,
            what: what.clone(),
            key: key.clone(),
        }
        .into(),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the first line dated after `day` starts, line by line.
    fn by_hand(text: &[u8], start: usize, day: NaiveDate) -> u64 {
        let mut at = start;
        for line in text[start..].split_inclusive(|&b| b == b'\n') {
            let bare = line.strip_suffix(b"\n").unwrap_or(line);
            let bare = bare.strip_suffix(b"\r").unwrap_or(bare);
            if date_of(bare, 0).is_some_and(|d| d > day) {
                return at as u64;
            }
            at += line.len();
        }
        text.len() as u64
    }

    #[test]
    fn the_volume_cut_is_the_first_line_after_the_day_however_lines_end() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        // 40 days × 30 sites (over 4 KB, so that bisection runs), with \n
        // or \r\n, with and without a newline after the last line
        for (end, last) in [("\n", true), ("\r\n", true), ("\n", false), ("\r\n", false)] {
            let mut text = format!("date,site,volume{end}");
            let start = text.len();
            for d in 0..40 {
                let day = first + chrono::Days::new(d);
                for s in 0..30 {
                    text.push_str(&format!("{day},S{s:02},{}{end}", 100 + s));
                }
            }
            if !last {
                text.truncate(text.len() - end.len());
            }
            let path = dir.path().join("volume.csv");
            std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
            let mut f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{e}"));
            let len = text.len() as u64;
            let days = [0, 1, 17, 38, 39].map(|d| first + chrono::Days::new(d));
            for day in std::iter::once(first - chrono::Days::new(1)).chain(days) {
                let got = first_line_after(&mut f, start as u64, len, 0, day);
                assert_eq!(
                    got,
                    Some(by_hand(text.as_bytes(), start, day)),
                    "{end:?} {last} {day}"
                );
            }
            // after the last day: the end of the file
            let past = first + chrono::Days::new(39);
            assert_eq!(
                first_line_after(&mut f, start as u64, len, 0, past),
                Some(len)
            );
            // the last line: the next starts at the end, newline or not
            let at = text.trim_end().rfind('\n').map_or(0, |p| p + 1) as u64;
            let line = line_from(&mut f, at, len).map(|(a, l, next)| (a, l.len(), next));
            assert_eq!(
                line,
                Some((at, "2025-02-09,S29,129".len(), len)),
                "{end:?} {last}"
            );
        }
    }
}
