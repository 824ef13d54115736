//! The customer survey reader (SPEC §3.1): detects the long, wide, mapped
//! (`--columns`) or summary form from the header, validates every cell
//! (scale, missing markers, unknown items, duplicates, group consistency) and
//! stores each respondent's answers compactly for the computation.
//!
//! Answers are stored as 16-bit codes into a dictionary of the distinct score
//! values seen, so a million respondents × 22 items × E and P take 88 MB
//! whatever the scale, values stay exact, and unsorted exports (rows of one
//! respondent scattered through the file) are handled without a sort.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use serde::Serialize;

use super::columns::{ColumnMap, Measure};
use super::engine::fields::{field_end, Pattern, Separators};
use super::engine::lines::{RecordSink, RecordView};
use super::engine::spill::{
    PartitionRecords, SpillFile, SpillRecord, SpillSet, SpillWriter, PARTS,
};
use super::instrument::Instrument;
use super::{invalid, is_missing, trim_bytes, Header, OnInvalid, RejectTally, RowCounts};
use crate::error::{quoted, Error, ErrorKind, Result};

type FastMap<K, V> = HashMap<K, V, FixedState>;

fn fast_map<K, V>() -> FastMap<K, V> {
    HashMap::with_hasher(FixedState::with_seed(0x5e_4a_9a_11))
}

/// The response scale, e.g. 1–7 (SPEC §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scale {
    /// Lowest valid score.
    pub min: f64,
    /// Highest valid score.
    pub max: f64,
}

impl Default for Scale {
    fn default() -> Self {
        Scale { min: 1.0, max: 7.0 }
    }
}

impl Scale {
    /// Parses `a-b` (also `a..b`, `a:b`; a leading minus is a sign).
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = || Error::usage(format!("--scale must look like 1-7 (low-high), not '{s}'"));
        let (a, b) = if let Some((a, b)) = t.split_once("..") {
            (a, b)
        } else if let Some((a, b)) = t.split_once(':') {
            (a, b)
        } else {
            let start = usize::from(t.starts_with('-'));
            let p = t[start..].find('-').ok_or_else(bad)? + start;
            (&t[..p], &t[p + 1..])
        };
        let min: f64 = a.trim().parse().map_err(|_| bad())?;
        let max: f64 = b.trim().parse().map_err(|_| bad())?;
        if !(min.is_finite() && max.is_finite() && min < max) {
            return Err(bad());
        }
        Ok(Scale { min, max })
    }

    /// Whether `v` lies on the scale.
    #[inline]
    pub fn contains(&self, v: f64) -> bool {
        v >= self.min && v <= self.max
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.min, self.max)
    }
}

/// Which form the survey file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyForm {
    /// One row per respondent × item.
    Long,
    /// One row per respondent, `e_<item>` / `p_<item>` columns.
    Wide,
    /// Columns mapped by `--columns`.
    Mapped,
    /// One row per item with mean scores.
    Summary,
}

/// Distinct score values and their 16-bit codes (0 = missing).
#[derive(Debug, Clone, Default)]
pub(crate) struct ValueDict {
    pub values: Vec<f64>,
    lookup: FastMap<u64, u16>,
    digits: [u16; 10],
}

impl ValueDict {
    fn new() -> Self {
        ValueDict {
            values: Vec::new(),
            lookup: fast_map(),
            digits: [0; 10],
        }
    }

    /// The code of a valid value, adding it when new. `None` when full.
    #[inline]
    fn code(&mut self, v: f64) -> Option<u16> {
        let key = (v + 0.0).to_bits();
        if let Some(&c) = self.lookup.get(&key) {
            return Some(c);
        }
        if self.values.len() >= u16::MAX as usize - 1 {
            return None;
        }
        self.values.push(v);
        let c = self.values.len() as u16;
        self.lookup.insert(key, c);
        Some(c)
    }
}

/// Interned values of one grouping column.
#[derive(Debug, Clone)]
pub(crate) struct GroupDict {
    pub values: Vec<String>,
    lookup: FastMap<Box<[u8]>, u32>,
    last: Option<(Vec<u8>, u32)>,
}

impl GroupDict {
    fn new() -> Self {
        GroupDict {
            values: Vec::new(),
            lookup: fast_map(),
            last: None,
        }
    }

    /// The code of a value already seen, by the last value or a scan of a
    /// small dictionary (no hashing, no insertion); `None` otherwise.
    #[inline]
    fn known(&self, v: &[u8]) -> Option<u32> {
        if let Some((b, c)) = &self.last {
            if super::short_eq(b, v) {
                return Some(*c);
            }
        }
        if self.values.len() <= 16 {
            return self
                .values
                .iter()
                .position(|x| super::short_eq(x.as_bytes(), v))
                .map(|i| i as u32);
        }
        None
    }

    #[inline]
    fn code(&mut self, raw: &[u8]) -> u32 {
        let v = trim_bytes(raw);
        if let Some((b, c)) = &self.last {
            if super::short_eq(b, v) {
                return *c;
            }
        }
        let c = match self.lookup.get(v) {
            Some(&c) => c,
            None => {
                let c = self.values.len() as u32;
                self.values.push(String::from_utf8_lossy(v).into_owned());
                self.lookup.insert(v.into(), c);
                c
            }
        };
        self.last = Some((v.to_vec(), c));
        c
    }
}

/// A respondent id of up to 23 bytes, stored inline (no allocation, one
/// memory access per lookup in a table of a million respondents).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortId([u64; 3]);

impl ShortId {
    /// Bytes 0..23 little-endian in three words, the length in byte 23.
    #[inline]
    fn new(id: &[u8]) -> Option<Self> {
        super::engine::spill::id_words(id).map(ShortId)
    }

    fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(24);
        for w in self.0 {
            b.extend_from_slice(&w.to_le_bytes());
        }
        let len = b[23] as usize;
        b.truncate(len);
        b
    }
}

/// Short ids → index by open addressing (linear probing, at most three
/// quarters full): a multiplication and usually one slot of 32 bytes per
/// look-up. The spill's second pass looks up every row of a shuffled
/// export here.
#[derive(Debug, Clone, Default)]
struct ShortTable {
    /// (id, index); index `u32::MAX` marks an empty slot.
    slots: Vec<(ShortId, u32)>,
    len: usize,
    shift: u32,
}

impl ShortTable {
    const EMPTY: u32 = u32::MAX;

    #[inline(always)]
    fn home(&self, k: &ShortId) -> usize {
        let [a, b, c] = k.0;
        let x = a ^ b.rotate_left(21) ^ c.rotate_left(42);
        ((x ^ x >> 29).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, k: &ShortId) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut h = self.home(k);
        loop {
            let (sk, r) = &self.slots[h];
            if *r == Self::EMPTY {
                return None;
            }
            if sk == k {
                return Some(*r);
            }
            h = (h + 1) & mask;
        }
    }

    /// The index of `k`, or `r` after adding it: `(index, is_new)`.
    #[inline]
    fn get_or_insert(&mut self, k: ShortId, r: u32) -> (u32, bool) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow(self.len + 1);
        }
        let mask = self.slots.len() - 1;
        let mut h = self.home(&k);
        loop {
            let slot = &mut self.slots[h];
            if slot.1 == Self::EMPTY {
                *slot = (k, r);
                self.len += 1;
                return (r, true);
            }
            if slot.0 == k {
                return (slot.1, false);
            }
            h = (h + 1) & mask;
        }
    }

    fn insert(&mut self, k: ShortId, r: u32) {
        self.get_or_insert(k, r);
    }

    /// Makes room for `n` more ids; `Err` when memory does not allow it.
    fn try_reserve(&mut self, n: usize) -> std::result::Result<(), ()> {
        let want = (self.len + n).saturating_mul(4) / 3 + 1;
        if want <= self.slots.len() {
            return Ok(());
        }
        let mut probe: Vec<(ShortId, u32)> = Vec::new();
        probe
            .try_reserve_exact(want.next_power_of_two())
            .map_err(|_| ())?;
        drop(probe);
        self.grow(self.len + n);
        Ok(())
    }

    #[cold]
    fn grow(&mut self, n: usize) {
        let cap = (n.saturating_mul(4) / 3 + 1).next_power_of_two().max(16);
        let old = std::mem::replace(&mut self.slots, vec![(ShortId([0; 3]), Self::EMPTY); cap]);
        self.shift = 64 - cap.trailing_zeros();
        self.len = 0;
        for (k, r) in old {
            if r != Self::EMPTY {
                self.insert(k, r);
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&ShortId, u32)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.1 != Self::EMPTY)
            .map(|(k, r)| (k, *r))
    }
}

/// Respondent id → index: short ids inline, longer ones boxed. Exports
/// usually list respondents in increasing id order; while they do, ids are
/// only appended to a sorted list (a new id is known to be new by one
/// comparison with the last), and look-ups are binary searches. The first
/// id out of order turns the list into hash maps.
#[derive(Debug, Clone)]
pub(crate) struct IdIndex {
    /// `Some` while every id so far was short and larger than the one before:
    /// ids in index order (index = position).
    sorted: Option<Vec<ShortId>>,
    short: ShortTable,
    long: FastMap<Box<[u8]>, u32>,
}

impl std::fmt::Debug for ShortId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.bytes()))
    }
}

impl ShortId {
    /// The id's bytes on the stack, and their length.
    #[inline]
    fn raw(&self) -> ([u8; 24], usize) {
        let mut b = [0u8; 24];
        for (i, w) in self.0.iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        let len = b[23] as usize;
        (b, len)
    }

    /// Byte-wise order against an id.
    #[inline]
    fn cmp_bytes(&self, id: &[u8]) -> std::cmp::Ordering {
        let (b, len) = self.raw();
        b[..len].cmp(id)
    }
}

impl IdIndex {
    fn new() -> Self {
        IdIndex {
            sorted: Some(Vec::new()),
            short: ShortTable::default(),
            long: fast_map(),
        }
    }

    #[inline]
    fn get(&self, id: &[u8]) -> Option<u32> {
        if let Some(ids) = &self.sorted {
            return ids
                .binary_search_by(|k| k.cmp_bytes(id))
                .ok()
                .map(|i| i as u32);
        }
        match ShortId::new(id) {
            Some(k) => self.short.get(&k),
            None => self.long.get(id).copied(),
        }
    }

    /// Whether `id` is certainly absent: larger than every id of a sorted list.
    #[inline]
    fn beyond_last(&self, id: &[u8]) -> bool {
        match &self.sorted {
            Some(ids) => ids
                .last()
                .is_none_or(|k| k.cmp_bytes(id) == std::cmp::Ordering::Less),
            None => false,
        }
    }

    #[inline]
    fn insert(&mut self, id: &[u8], r: u32) {
        if let Some(ids) = &mut self.sorted {
            match ShortId::new(id) {
                Some(k)
                    if r as usize == ids.len()
                        && ids
                            .last()
                            .is_none_or(|l| l.cmp_bytes(id) == std::cmp::Ordering::Less) =>
                {
                    ids.push(k);
                    return;
                }
                _ => self.unsort(),
            }
        }
        match ShortId::new(id) {
            Some(k) => {
                self.short.insert(k, r);
            }
            None => {
                self.long.insert(id.into(), r);
            }
        }
    }

    /// The index of `id`, or `r` after adding it: `(index, is_new)`.
    #[inline]
    fn get_or_insert(&mut self, id: &[u8], r: u32) -> (u32, bool) {
        if self.beyond_last(id) {
            self.insert(id, r);
            return (r, true);
        }
        if self.sorted.is_none() {
            if let Some(k) = ShortId::new(id) {
                return self.short.get_or_insert(k, r);
            }
        }
        match self.get(id) {
            Some(found) => (found, false),
            None => {
                self.insert(id, r);
                (r, true)
            }
        }
    }

    /// Moves a sorted list into the hash maps.
    #[cold]
    fn unsort(&mut self) {
        if let Some(ids) = self.sorted.take() {
            let _ = self.short.try_reserve(ids.len());
            for (r, k) in ids.into_iter().enumerate() {
                self.short.insert(k, r as u32);
            }
        }
    }

    fn reserve(&mut self, n: usize) -> std::result::Result<(), ()> {
        match &mut self.sorted {
            Some(ids) => ids.try_reserve(n).map_err(|_| ()),
            None => self.short.try_reserve(n),
        }
    }

    /// Every id with its index.
    fn entries(&self) -> Box<dyn Iterator<Item = (Vec<u8>, u32)> + '_> {
        match &self.sorted {
            Some(ids) => Box::new(ids.iter().enumerate().map(|(r, k)| (k.bytes(), r as u32))),
            None => Box::new(
                self.short
                    .iter()
                    .map(|(k, r)| (k.bytes(), r))
                    .chain(self.long.iter().map(|(k, &r)| (k.to_vec(), r))),
            ),
        }
    }
}

/// How respondents are keyed.
#[derive(Debug, Clone)]
pub(crate) enum Keys {
    /// By the `respondent_id` column.
    Ids(IdIndex),
    /// By data row number (no id column): entry r is respondent r's row number.
    Rows(Vec<u64>),
}

/// Every respondent's answers, compactly.
#[derive(Debug, Clone)]
pub(crate) struct ResponseStore {
    /// Items in the instrument.
    pub k: usize,
    /// Measure → slot (None when the file has no such measure).
    pub slot: [Option<usize>; 4],
    /// Slots per item.
    pub m: usize,
    words: usize,
    /// `n × k × m` codes (0 = missing).
    pub codes: Vec<u16>,
    /// `n × words` bits: item row present.
    seen: Vec<u64>,
    /// `n × by` group codes.
    pub groups: Vec<u32>,
    /// Line where each respondent first appears.
    pub first_line: Vec<u64>,
    pub keys: Keys,
    pub values: ValueDict,
    pub group_dicts: Vec<GroupDict>,
    last: Option<(Vec<u8>, u32)>,
}

impl ResponseStore {
    fn new(k: usize, slot: [Option<usize>; 4], by: usize, by_id: bool) -> Self {
        let m = slot.iter().flatten().count();
        ResponseStore {
            k,
            slot,
            m,
            words: k.div_ceil(64),
            codes: Vec::new(),
            seen: Vec::new(),
            groups: Vec::new(),
            first_line: Vec::new(),
            keys: if by_id {
                Keys::Ids(IdIndex::new())
            } else {
                Keys::Rows(Vec::new())
            },
            values: ValueDict::new(),
            group_dicts: (0..by).map(|_| GroupDict::new()).collect(),
            last: None,
        }
    }

    fn empty_like(&self) -> Self {
        ResponseStore::new(
            self.k,
            self.slot,
            self.group_dicts.len(),
            matches!(self.keys, Keys::Ids(_)),
        )
    }

    /// Makes room for `n` more respondents where memory allows (a failed
    /// reservation only means the store grows as it fills).
    fn reserve(&mut self, n: usize) {
        let _ = self.codes.try_reserve(n * self.k * self.m);
        let _ = self.seen.try_reserve(n * self.words);
        let _ = self.groups.try_reserve(n * self.group_dicts.len());
        let _ = self.first_line.try_reserve(n);
        let _ = match &mut self.keys {
            Keys::Ids(idx) => idx.reserve(n),
            Keys::Rows(rows) => rows.try_reserve(n).map_err(|_| ()),
        };
    }

    /// [`ResponseStore::reserve`], and an id index that is a hash table
    /// from the start (the spill's second pass: its rows come in no order).
    fn reserve_hashed(&mut self, n: usize) {
        if let Keys::Ids(idx) = &mut self.keys {
            idx.unsort();
        }
        self.reserve(n);
    }

    /// Number of respondent slots (including ones moved to another store).
    pub fn len(&self) -> usize {
        self.first_line.len()
    }

    /// Number of respondents held here (moved ones excluded).
    pub fn live(&self) -> usize {
        self.first_line.iter().filter(|&&l| l != MOVED).count()
    }

    /// Whether respondent `r` lives in this store.
    #[inline]
    pub fn is_live(&self, r: usize) -> bool {
        self.first_line[r] != MOVED
    }

    fn push_respondent(&mut self, line: u64, groups: &[u32]) -> u32 {
        let r = self.first_line.len() as u32;
        self.codes.resize(self.codes.len() + self.k * self.m, 0);
        self.seen.resize(self.seen.len() + self.words, 0);
        self.groups.extend_from_slice(groups);
        self.first_line.push(line);
        r
    }

    /// Finds or adds the respondent with this id; `(index, is_new)`.
    #[inline(always)]
    fn respondent(&mut self, id: &[u8], line: u64, groups: &[u32]) -> (u32, bool) {
        if let Some((b, r)) = &self.last {
            if super::short_eq(b, id) {
                return (*r, false);
            }
        }
        let (r, new) = self.respondent_uncached(id, line, groups);
        match &mut self.last {
            Some((b, lr)) => {
                b.clear();
                b.extend_from_slice(id);
                *lr = r;
            }
            None => self.last = Some((id.to_vec(), r)),
        }
        (r, new)
    }

    /// [`ResponseStore::respondent`] without the previous-row cache, for
    /// rows whose respondents are scattered (the spill's second pass).
    #[inline]
    fn respondent_uncached(&mut self, id: &[u8], line: u64, groups: &[u32]) -> (u32, bool) {
        let (r, new) = match &mut self.keys {
            Keys::Ids(map) => map.get_or_insert(id, self.first_line.len() as u32),
            Keys::Rows(_) => (0, true),
        };
        if new {
            self.push_respondent(line, groups);
        }
        (r, new)
    }

    /// The respondent whose id has these [`ShortId`] words, added when new:
    /// `(index, is_new)`; `None` while the index is a sorted list (the
    /// caller then takes the general way).
    #[inline(always)]
    fn hashed_respondent(
        &mut self,
        words: [u64; 3],
        line: u64,
        groups: &[u32],
    ) -> Option<(u32, bool)> {
        let Keys::Ids(map) = &mut self.keys else {
            return None;
        };
        if map.sorted.is_some() {
            return None;
        }
        let (r, new) = map
            .short
            .get_or_insert(ShortId(words), self.first_line.len() as u32);
        if new {
            self.push_respondent(line, groups);
        }
        Some((r, new))
    }

    /// Whether `id` is certainly a new respondent: larger than every id of
    /// a store whose ids all came in increasing order.
    #[inline]
    fn is_next_sorted(&self, id: &[u8]) -> bool {
        matches!(&self.keys, Keys::Ids(map) if map.beyond_last(id))
    }

    #[inline]
    fn seen(&self, r: u32, item: usize) -> bool {
        self.seen[r as usize * self.words + item / 64] >> (item % 64) & 1 == 1
    }

    #[inline]
    fn mark(&mut self, r: u32, item: usize) {
        self.seen[r as usize * self.words + item / 64] |= 1 << (item % 64);
    }

    /// Respondent id text of every respondent (index order).
    pub fn ids(&self) -> Vec<String> {
        match &self.keys {
            Keys::Ids(map) => {
                let mut ids = vec![String::new(); self.len()];
                for (k, r) in map.entries() {
                    ids[r as usize] = String::from_utf8_lossy(&k).into_owned();
                }
                ids
            }
            Keys::Rows(rows) => rows.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// The sorted long-form line reader for the usual layout (id and group
/// cells, the item, two one-digit scores): see [`TwoScoreLines::read`].
struct TwoScoreLines<'a> {
    fast: &'a FastLong,
    /// Leading id and group columns.
    lead: usize,
    /// Store slots of the two scores, in column order.
    slots: (usize, usize),
    nby: usize,
}

impl TwoScoreLines<'_> {
    /// Reads lines from `region` while they are ordinary: the line's tail
    /// is four bytes, checked as one word. A line that does not start with
    /// the previous line's id and groups (`prefix`, respondent `r`) may
    /// start the next respondent of a sorted export: it is taken here too,
    /// once all of it has been checked. `first_line` is the line number of
    /// `region`'s first line. Returns the position after the last line
    /// taken, the lines taken and the next expected item.
    fn read(
        &self,
        store: &mut ResponseStore,
        (mut prefix, mut r, mut item): (Pattern, u32, usize),
        first_line: u64,
        region: &[u8],
        max_start: usize,
    ) -> (usize, u64, usize) {
        let (fast, lead, nby) = (self.fast, self.lead, self.nby);
        let (s0, s1) = self.slots;
        let (mut pos, mut n) = (0usize, 0u64);
        let digits = store.values.digits;
        let (k, m, words) = (store.k, store.m, store.words);
        let lead_roles = &fast.roles[..lead];
        let id_then_groups = matches!(lead_roles.first(), Some(LongRole::Id))
            && lead_roles[1..]
                .iter()
                .all(|r| matches!(r, LongRole::Group(_)));
        let (mut seen_at, mut row_at) = (r as usize * words, r as usize * k * m);
        'two: while pos < max_start {
            let mut p = pos;
            let mut next: Option<(&[u8], [u32; 8])> = None;
            if prefix.matches(region, p) {
                p += prefix.len();
            } else {
                if !id_then_groups {
                    break;
                }
                let mut groups = [0u32; 8];
                let mut id: &[u8] = &[];
                for role in lead_roles {
                    let Some(e) = field_end(region, p, b',') else {
                        break 'two;
                    };
                    let cell = &region[p..e];
                    match *role {
                        LongRole::Id => id = cell,
                        LongRole::Group(j) => match store.group_dicts[j].known(cell) {
                            Some(c) => groups[j] = c,
                            None => break 'two,
                        },
                        _ => break 'two,
                    }
                    p = e + 1;
                }
                let clean = |b: &[u8]| {
                    b.first().is_some_and(|c| !c.is_ascii_whitespace())
                        && b.last().is_some_and(|c| !c.is_ascii_whitespace())
                };
                if !clean(id) || !store.is_next_sorted(id) {
                    break;
                }
                next = Some((id, groups));
            }
            let lead_end = p;
            let ip = &fast.item_patterns[item];
            if !ip.matches(region, p) {
                break;
            }
            p += ip.len();
            let Some((c0, c1)) = two_digit_tail(region, p, &digits) else {
                break;
            };
            if let Some((id, groups)) = next {
                // The whole line is valid: the new respondent.
                let (nr, new) = store.respondent(id, first_line + n, &groups[..nby]);
                if !new {
                    break;
                }
                r = nr;
                (seen_at, row_at) = (r as usize * words, r as usize * k * m);
                prefix = Pattern::at(region, pos, lead_end - pos).unwrap_or_default();
            }
            let bit = 1u64 << (item % 64);
            let seen = &mut store.seen[seen_at + item / 64];
            if *seen & bit != 0 {
                break;
            }
            *seen |= bit;
            let base = row_at + item * m;
            store.codes[base + s0] = c0;
            store.codes[base + s1] = c1;
            item = if item + 1 == k { 0 } else { item + 1 };
            pos = p + 4;
            n += 1;
        }
        (pos, n, item)
    }
}

/// A group dictionary's values by length, for the shuffled line splitter:
/// group columns usually hold a few values of different lengths, so the
/// length names the one candidate and one comparison settles it (a call
/// and a scan of every value cost a shuffled file 7% of its instructions).
struct ValuesByLength<'a> {
    dict: &'a GroupDict,
    /// By length: 1 + the index of the only value that long, 0 for none,
    /// `u8::MAX` for several (or too many values to index).
    slot: [u8; 32],
}

impl<'a> ValuesByLength<'a> {
    fn new(dict: &'a GroupDict) -> Self {
        let mut slot = [0u8; 32];
        for (i, v) in dict.values.iter().enumerate() {
            if let Some(s) = slot.get_mut(v.len()) {
                *s = if *s == 0 && i < usize::from(u8::MAX) - 1 {
                    i as u8 + 1
                } else {
                    u8::MAX
                };
            }
        }
        ValuesByLength { dict, slot }
    }

    /// [`GroupDict::known`]: the code of a value already seen, else `None`.
    #[inline(always)]
    fn known(&self, v: &[u8]) -> Option<u32> {
        match self.slot.get(v.len()) {
            Some(0) => None,
            Some(&s) if s != u8::MAX => {
                let i = usize::from(s - 1);
                super::short_eq(self.dict.values.get(i)?.as_bytes(), v).then_some(i as u32)
            }
            _ => self.dict.known(v),
        }
    }
}

/// The usual long-form layout in spill mode (the id, the group columns,
/// the item, two one-digit scores): what [`UsualLine::spill`] reads with.
struct UsualLine<'a> {
    store: &'a ResponseStore,
    words: &'a ItemWords,
    /// Store slot of the first score column (the other's is the other of
    /// 0 and 1).
    first_slot: usize,
    region: &'a [u8],
    first_line: u64,
    max_start: usize,
}

impl UsualLine<'_> {
    /// Appends the region's lines to the partition files while they are
    /// ordinary (a clean id, group values and an item already known, two
    /// single-digit scores already seen); `G` is the number of group
    /// columns, and `cols` their group indices in column order, so the
    /// loops over them unroll. Returns the position after the last line
    /// taken and the number of lines.
    #[inline(never)]
    fn spill<const G: usize>(
        &self,
        spill: &mut SpillWriter,
        cols: [usize; G],
    ) -> Result<(usize, u64)> {
        let (region, store) = (self.region, self.store);
        let digits = store.values.digits;
        let dicts: [Option<ValuesByLength>; G] =
            cols.map(|j| store.group_dicts.get(j).map(ValuesByLength::new));
        let (mut pos, mut n) = (0usize, 0u64);
        'usual: while pos < self.max_start {
            let mut p = pos;
            let mut seps = Separators::at(region, p);
            let Some(e) = seps.next_comma(region, p) else {
                break;
            };
            let (id_at, id_len) = (p, e - p);
            match &region[p..e] {
                [a, .., z] if !a.is_ascii_whitespace() && !z.is_ascii_whitespace() => {}
                [a] if !a.is_ascii_whitespace() => {}
                _ => break,
            }
            p = e + 1;
            // group codes by group index, as the store keeps them
            let mut groups = [0u32; G];
            for (d, &j) in dicts.iter().zip(&cols) {
                let Some(e) = seps.next_comma(region, p) else {
                    break 'usual;
                };
                match (
                    d.as_ref().and_then(|d| d.known(&region[p..e])),
                    groups.get_mut(j),
                ) {
                    (Some(c), Some(g)) => *g = c,
                    _ => break 'usual,
                }
                p = e + 1;
            }
            let Some(e) = seps.next_comma(region, p) else {
                break;
            };
            let Some(item) = self.words.find(region, p, e - p) else {
                break;
            };
            p = e + 1;
            let Some((c0, c1)) = two_digit_tail(region, p, &digits) else {
                break;
            };
            // (by value, not by index: two narrow stores read back as one
            // word stalled store forwarding)
            let codes = if self.first_slot == 0 {
                [c0, c1]
            } else {
                [c1, c0]
            };
            spill.write_in(
                self.first_line + n,
                region,
                id_at,
                id_len,
                item,
                &codes,
                &groups,
            )?;
            pos = p + 4;
            n += 1;
        }
        Ok((pos, n))
    }
}

/// The codes of two one-digit scores already seen that end a line at
/// `region[p..]`: "d,d\n" checked as one word.
#[inline(always)]
fn two_digit_tail(region: &[u8], p: usize, digits: &[u16; 10]) -> Option<(u16, u16)> {
    let tail = region.get(p..p + 4)?;
    let w = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    if w & 0xff00_ff00 != 0x0a00_2c00 {
        return None;
    }
    let d0 = (w & 0xff).wrapping_sub(u32::from(b'0')) as usize;
    let d1 = ((w >> 16) & 0xff).wrapping_sub(u32::from(b'0')) as usize;
    let (&c0, &c1) = (digits.get(d0)?, digits.get(d1)?);
    (c0 != 0 && c1 != 0).then_some((c0, c1))
}

/// Layout of a respondent-level survey file.
#[derive(Debug, Clone)]
struct Layout {
    width: usize,
    id_col: Option<usize>,
    item_col: Option<usize>,
    /// Long form: measure → column.
    measure_cols: [Option<usize>; 4],
    /// Wide / mapped form: (column, item, slot).
    cells: Vec<(usize, usize, usize)>,
    by_cols: Vec<usize>,
}

/// Column roles of a long-form file, for the fast path of common rows.
#[derive(Debug, Clone)]
struct FastLong {
    width: usize,
    id: usize,
    item: usize,
    /// (column, slot) of each measure present.
    measures: Vec<(usize, usize)>,
    by: Vec<usize>,
    /// What each column is, for the line reader.
    roles: Vec<LongRole>,
    /// Each item id followed by the item column's separator.
    item_patterns: Vec<Pattern>,
    /// Item ids of at most eight bytes by their bytes as a word.
    item_words: Option<ItemWords>,
}

/// An open-addressing table from item ids of up to eight bytes, read as one
/// word, to items: shuffled exports give no "next item" to guess, and this
/// costs a multiplication and a comparison where a hash map costs a hash.
#[derive(Debug, Clone)]
struct ItemWords {
    /// (id bytes as a little-endian word, id length, item); length 0 is empty.
    slots: Vec<(u64, u8, u32)>,
    shift: u32,
}

impl ItemWords {
    fn new(ids: &[&[u8]]) -> Option<Self> {
        if ids.iter().any(|id| id.is_empty() || id.len() > 8) || ids.len() > 1 << 16 {
            return None;
        }
        let bits = (ids.len() * 2).next_power_of_two().max(16).trailing_zeros();
        let mut t = ItemWords {
            slots: vec![(0, 0, 0); 1 << bits],
            shift: 64 - bits,
        };
        for (i, id) in ids.iter().enumerate() {
            let w = Self::word(id);
            let mut h = t.home(w);
            while t.slots[h].1 != 0 {
                if t.slots[h].0 == w && t.slots[h].1 as usize == id.len() {
                    break; // the same id twice: the first one counts
                }
                h = (h + 1) & (t.slots.len() - 1);
            }
            if t.slots[h].1 == 0 {
                t.slots[h] = (w, id.len() as u8, i as u32);
            }
        }
        Some(t)
    }

    #[inline(always)]
    fn word(id: &[u8]) -> u64 {
        id.iter()
            .enumerate()
            .fold(0u64, |w, (i, &b)| w | (b as u64) << (8 * i))
    }

    #[inline(always)]
    fn home(&self, w: u64) -> usize {
        (w.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The item whose id is `region[at..at + len]`.
    #[inline(always)]
    fn find(&self, region: &[u8], at: usize, len: usize) -> Option<usize> {
        if len == 0 || len > 8 {
            return None;
        }
        let w = match region.get(at..at + 8) {
            Some(b) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                u64::from_le_bytes(a) & (u64::MAX >> (64 - 8 * len as u32))
            }
            None => Self::word(region.get(at..at + len)?),
        };
        let mut h = self.home(w);
        loop {
            let (sw, sl, item) = self.slots[h];
            if sl == 0 {
                return None;
            }
            if sw == w && sl as usize == len {
                return Some(item as usize);
            }
            h = (h + 1) & (self.slots.len() - 1);
        }
    }
}

/// A column of a long-form file, for the line reader.
#[derive(Debug, Clone, Copy)]
enum LongRole {
    Id,
    Item,
    /// A score: index into `FastLong::measures`.
    Measure(usize),
    /// The j-th `--by` column.
    Group(usize),
    Other,
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

/// Column roles of a wide or mapped file, for the fast path of common rows.
#[derive(Debug, Clone)]
struct FastWide {
    width: usize,
    id: Option<usize>,
    /// (column, item, slot) of each score cell.
    cells: Vec<(usize, usize, usize)>,
    by: Vec<usize>,
    /// The first column of the score cells when they are consecutive
    /// columns in order (the usual export): a row whose cells are all one
    /// byte is then read at every other byte from there.
    run_from: Option<usize>,
}

/// Most fields a fast-path line may have.
const FAST_FIELDS: usize = 64;

/// One row of a summary-form file.
#[derive(Debug, Clone)]
pub(crate) struct SummaryRow {
    pub line: u64,
    pub item: String,
    pub dimension: Option<String>,
    pub groups: Vec<String>,
    /// Means by measure index (E, P, A, D).
    pub means: [Option<f64>; 4],
    pub n: Option<f64>,
}

#[derive(Debug, Clone)]
struct SummaryLayout {
    width: usize,
    item_col: usize,
    dim_col: Option<usize>,
    mean_cols: [Option<usize>; 4],
    n_col: Option<usize>,
    by_cols: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Body {
    /// The first store receives records; later ranges' stores follow after [`RecordSink::merge`].
    Respondents(Layout, Vec<ResponseStore>),
    Summary(SummaryLayout, Vec<SummaryRow>),
}

/// Accumulates a survey file; see the module docs.
#[derive(Debug)]
pub(crate) struct SurveySink {
    file: String,
    header: Header,
    form: SurveyForm,
    scale: Scale,
    on_invalid: OnInvalid,
    instrument: Option<std::sync::Arc<Instrument>>,
    body: Body,
    rows_read: u64,
    rows_used: u64,
    tally: RejectTally,
    by_names: Vec<String>,
    /// The item expected next (long form), to skip the hash lookup.
    next_item: usize,
    /// Unsorted long form: rows go to partition files (see `input::spill`).
    spill: Option<SpillWriter>,
    /// Range tags of the stores in `body` (spill mode: the stores hold only
    /// each range's value and group dictionaries until `finish`), with the
    /// number of lines before each range (its records' lines are the
    /// range's own).
    spill_tags: Vec<(usize, u64)>,
    /// Long form: column roles for the fast path.
    fast: Option<FastLong>,
    /// Wide / mapped form: column roles for the fast path.
    fast_wide: Option<FastWide>,
    /// Reused cell codes of the wide fast path.
    scratch: Vec<u16>,
    /// Bytes this sink will receive (set by the reader), to size the store
    /// from the first line's length.
    expected_bytes: Option<u64>,
}

/// What reading a survey produced, for the computation.
#[derive(Debug, Clone)]
pub(crate) enum SurveyBody {
    /// One store per range read; a respondent lives in exactly one (tombstoned elsewhere).
    Respondents(Vec<ResponseStore>),
    Summary(Vec<SummaryRow>),
}

/// A read and validated survey.
#[derive(Debug, Clone)]
pub struct SurveyData {
    /// The form detected.
    pub form: SurveyForm,
    /// Row counts.
    pub counts: RowCounts,
    /// The `--by` column names as written in the header.
    pub by: Vec<String>,
    /// The file, and its item column (summary form), for naming an item
    /// the instrument lacks once the instrument is known.
    pub(crate) file: String,
    pub(crate) item_column: Option<crate::error::Column>,
    pub(crate) body: SurveyBody,
}

impl SurveyData {
    /// Number of respondents (0 for the summary form).
    pub fn respondents(&self) -> usize {
        match &self.body {
            SurveyBody::Respondents(s) => s.iter().map(ResponseStore::live).sum(),
            SurveyBody::Summary(_) => 0,
        }
    }

    /// Whether the data hold a measure (E, P, adequate, desired).
    pub fn has(&self, m: Measure) -> bool {
        match &self.body {
            SurveyBody::Respondents(s) => s.first().is_some_and(|s| s.slot[m.index()].is_some()),
            SurveyBody::Summary(rows) => rows.iter().any(|r| r.means[m.index()].is_some()),
        }
    }
}

/// Options of the survey reader.
#[derive(Debug, Clone, Default)]
pub struct SurveyReadOptions {
    /// Scale scores must lie on.
    pub scale: Scale,
    /// `--by` columns.
    pub by: Vec<String>,
    /// `--columns` map.
    pub columns: Option<ColumnMap>,
}

const LONG_MEASURES: [(&str, &[&str]); 4] = [
    ("expectation", &["expectation", "expected", "e"]),
    ("perception", &["perception", "perceived", "p"]),
    ("adequate", &["adequate", "minimum"]),
    ("desired", &["desired"]),
];

const SUMMARY_MEASURES: [&[&str]; 4] = [
    &["mean_e", "mean_expectation"],
    &["mean_p", "mean_perception"],
    &["mean_adequate", "mean_a", "mean_minimum"],
    &["mean_desired", "mean_d"],
];

fn slots_for(present: [bool; 4]) -> [Option<usize>; 4] {
    let mut slot = [None; 4];
    let mut n = 0;
    for (i, p) in present.iter().enumerate() {
        if *p {
            slot[i] = Some(n);
            n += 1;
        }
    }
    slot
}

impl SurveySink {
    /// Detects the form from the header and prepares the sink.
    pub(crate) fn new(
        file: String,
        header: Header,
        instrument: Option<std::sync::Arc<Instrument>>,
        opts: &SurveyReadOptions,
        on_invalid: OnInvalid,
    ) -> Result<Self> {
        let mut by_cols = Vec::new();
        for b in &opts.by {
            let c = header.find(b).ok_or_else(|| {
                Error::file(
                    &file,
                    Some(1),
                    format!(
                        "no column '{b}' to group by (the header has: {})",
                        header.listing()
                    ),
                )
            })?;
            by_cols.push(c);
        }
        let by_names: Vec<String> = by_cols.iter().map(|&c| header.names[c].clone()).collect();
        let ins = || {
            instrument
                .clone()
                .unwrap_or_else(|| std::sync::Arc::new(Instrument::servqual22()))
        };
        let id_col = header.find("respondent_id");
        let item_col = header.find("item");
        let find_any = |names: &[&str]| names.iter().find_map(|n| header.find(n));
        let width = header.len();
        let (form, body) = if let Some(map) = &opts.columns {
            let ins = ins();
            let mut cells = Vec::new();
            let mut present = [false; 4];
            let mut raw = Vec::new();
            let mut used: HashMap<(usize, usize), u64> = HashMap::new();
            let mut mapped: HashMap<usize, (u64, String)> = HashMap::new();
            let mut lines: Vec<[Option<u64>; 4]> = Vec::new();
            for e in &map.entries {
                let col = map.resolve(e, &header)?;
                if let Some((first, was)) = mapped.get(&col) {
                    return Err(Error::file(
                        &map.file,
                        Some(e.line),
                        format!(
                            "{} of the survey is mapped twice: to {} here and to {was} on line {first}",
                            header.column(col),
                            quoted(&format!("{} {:?}", e.item, e.measure).to_lowercase()),
                        ),
                    ));
                }
                mapped.insert(
                    col,
                    (
                        e.line,
                        quoted(&format!("{} {:?}", e.item, e.measure).to_lowercase()),
                    ),
                );
                let item = ins.lookup(e.item.as_bytes()).ok_or_else(|| {
                    Error::file(
                        &map.file,
                        Some(e.line),
                        format!("item '{}' is not in the instrument '{}'", e.item, ins.name),
                    )
                })?;
                if let Some(first) = used.insert((item, e.measure.index()), e.line) {
                    return Err(ErrorKind::Duplicate {
                        file: map.file.clone(),
                        line: e.line,
                        first_line: Some(first),
                        what: format!("item '{}' {:?}", e.item, e.measure).to_lowercase(),
                        key: vec![],
                    }
                    .into());
                }
                present[e.measure.index()] = true;
                raw.push((col, item, e.measure.index()));
                if lines.len() <= item {
                    lines.resize(item + 1, [None; 4]);
                }
                lines[item][e.measure.index()] = Some(e.line);
            }
            check_measures(&file, present)?;
            for (item, measures) in lines.iter().enumerate() {
                if let Some(problem) = unpaired(&ins.items[item].id, measures.map(|l| l.is_some()))
                {
                    let line = measures.iter().flatten().min().copied();
                    return Err(Error::file(&map.file, line, problem));
                }
            }
            let slot = slots_for(present);
            for (col, item, mi) in raw {
                cells.push((col, item, slot[mi].unwrap_or(0)));
            }
            let layout = Layout {
                width,
                id_col,
                item_col: None,
                measure_cols: [None; 4],
                cells,
                by_cols: by_cols.clone(),
            };
            let store = ResponseStore::new(ins.items.len(), slot, by_cols.len(), id_col.is_some());
            (SurveyForm::Mapped, Body::Respondents(layout, vec![store]))
        } else if let (Some(ic), true) = (item_col, find_any(SUMMARY_MEASURES[1]).is_some()) {
            let mean_cols = [0, 1, 2, 3].map(|i| find_any(SUMMARY_MEASURES[i]));
            if mean_cols[0].is_none() && mean_cols[3].is_none() {
                return Err(Error::file(
                    &file,
                    Some(1),
                    "a summary survey needs mean_e (or mean_desired) beside mean_p",
                ));
            }
            let layout = SummaryLayout {
                width,
                item_col: ic,
                dim_col: header.find("dimension"),
                mean_cols,
                n_col: header.find("n"),
                by_cols: by_cols.clone(),
            };
            (SurveyForm::Summary, Body::Summary(layout, Vec::new()))
        } else if let Some(ic) = item_col {
            let measure_cols = [0, 1, 2, 3].map(|i| find_any(LONG_MEASURES[i].1));
            let present = measure_cols.map(|c| c.is_some());
            check_measures(&file, present)?;
            let id = id_col.ok_or_else(|| {
                Error::file(
                    &file,
                    Some(1),
                    "a long-form survey needs a 'respondent_id' column",
                )
            })?;
            let ins = ins();
            let layout = Layout {
                width,
                id_col: Some(id),
                item_col: Some(ic),
                measure_cols,
                cells: vec![],
                by_cols: by_cols.clone(),
            };
            let store =
                ResponseStore::new(ins.items.len(), slots_for(present), by_cols.len(), true);
            (SurveyForm::Long, Body::Respondents(layout, vec![store]))
        } else {
            let ins = ins();
            let mut raw = Vec::new();
            let mut present = [false; 4];
            for (c, name) in header.names.iter().enumerate() {
                let lower = header.lower(c);
                let mi = match lower.get(..2) {
                    Some("e_") => 0,
                    Some("p_") => 1,
                    Some("a_") => 2,
                    Some("d_") => 3,
                    _ => continue,
                };
                if by_cols.contains(&c) {
                    continue;
                }
                let item = ins.lookup(&name.as_bytes()[2..]).ok_or_else(|| {
                    invalid(
                        &file,
                        1,
                        &header,
                        c,
                        name.as_bytes(),
                        format!(
                            "item '{}' is not in the instrument '{}'",
                            &name[2..],
                            ins.name
                        ),
                    )
                })?;
                present[mi] = true;
                raw.push((c, item, mi));
            }
            if raw.is_empty() {
                return Err(Error::file(
                    &file,
                    Some(1),
                    format!(
                        "cannot tell the survey form from the header ({}): expected long (respondent_id,item,expectation,perception), wide (e_<item>,p_<item>), summary (item,mean_e,mean_p) or a --columns map",
                        header.listing()
                    ),
                ));
            }
            check_measures(&file, present)?;
            let mut measures: Vec<[Option<usize>; 4]> = vec![[None; 4]; ins.items.len()];
            for &(c, item, mi) in &raw {
                measures[item][mi] = Some(c);
            }
            for (item, cols) in measures.iter().enumerate() {
                if let Some(problem) = unpaired(&ins.items[item].id, cols.map(|c| c.is_some())) {
                    let col = cols.iter().flatten().min().copied().unwrap_or(0);
                    return Err(Error::file(
                        &file,
                        Some(1),
                        format!("{}: {problem}", header.column(col)),
                    ));
                }
            }
            let slot = slots_for(present);
            let cells = raw
                .into_iter()
                .map(|(c, i, mi)| (c, i, slot[mi].unwrap_or(0)))
                .collect();
            let layout = Layout {
                width,
                id_col,
                item_col: None,
                measure_cols: [None; 4],
                cells,
                by_cols: by_cols.clone(),
            };
            let store = ResponseStore::new(ins.items.len(), slot, by_cols.len(), id_col.is_some());
            (SurveyForm::Wide, Body::Respondents(layout, vec![store]))
        };
        Ok(SurveySink {
            file,
            header,
            form,
            scale: opts.scale,
            on_invalid,
            instrument: if form == SurveyForm::Summary {
                instrument
            } else {
                Some(ins())
            },
            body,
            rows_read: 0,
            rows_used: 0,
            tally: RejectTally::default(),
            by_names,
            next_item: 0,
            spill: None,
            spill_tags: vec![(0, 0)],
            fast: None,
            fast_wide: None,
            scratch: Vec::new(),
            expected_bytes: None,
        }
        .with_fast_path())
    }

    /// Rejects a row: an error by default, a counted skip with `--on-invalid skip`.
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

    fn reject_err(&mut self, line: u64, err: Error, reason: &str) -> Result<()> {
        super::reject_row(self.on_invalid, &mut self.tally, line, reason, || err)
    }

    pub(crate) fn finish(mut self) -> Result<(SurveyData, Option<std::sync::Arc<Instrument>>)> {
        let counts = RowCounts {
            rows_read: self.rows_read,
            rows_used: self.rows_used,
            rows_rejected: self.tally.total(),
            rejections: self.tally.reasons.clone(),
        };
        let item_column = match &self.body {
            Body::Summary(layout, _) => Some(self.header.column(layout.item_col)),
            Body::Respondents(..) => None,
        };
        let body = match self.body {
            Body::Respondents(layout, holders) if self.spill.is_some() => {
                let mut writer = self
                    .spill
                    .take()
                    .ok_or_else(|| Error::internal("no spill writer"))?;
                writer.finish()?;
                let ctx = SecondPass {
                    file: &self.file,
                    header: &self.header,
                    by_cols: &layout.by_cols,
                    on_invalid: self.on_invalid,
                    item_ids: self
                        .instrument
                        .as_ref()
                        .map(|i| i.items.iter().map(|d| d.id.clone()).collect())
                        .unwrap_or_default(),
                    tags: &self.spill_tags,
                    holders: &holders,
                    files: &writer.set().take_files()?,
                };
                let (stores, tally, rejected) = ctx.run()?;
                let mut counts = counts;
                let mut all = self.tally.clone();
                all.merge(tally, 0);
                counts.rows_used -= rejected;
                counts.rows_rejected = all.total();
                counts.rejections = all.reasons;
                return Ok((
                    SurveyData {
                        form: self.form,
                        counts,
                        by: self.by_names,
                        file: self.file,
                        item_column: None,
                        body: SurveyBody::Respondents(stores),
                    },
                    self.instrument,
                ));
            }
            Body::Respondents(_, store) => SurveyBody::Respondents(store),
            Body::Summary(_, rows) => SurveyBody::Summary(rows),
        };
        Ok((
            SurveyData {
                form: self.form,
                counts,
                by: self.by_names,
                file: self.file,
                item_column,
                body,
            },
            self.instrument,
        ))
    }
}

/// What an item's scores lack, when it has some: a perception needs an
/// expectation (or desired level) beside it, and the reverse, or the item
/// would silently have no pairs (n = 0).
fn unpaired(item: &str, has: [bool; 4]) -> Option<String> {
    let (e, p, _, d) = (has[0], has[1], has[2], has[3]);
    let item = quoted(item);
    match (e || d, p) {
        (true, false) => Some(format!(
            "item {item} has expectation scores but no perception scores (p_ column or mapped perception)"
        )),
        (false, true) => Some(format!(
            "item {item} has perception scores but no expectation scores (e_ or d_ column, or mapped expectation)"
        )),
        _ => None,
    }
}

fn check_measures(file: &str, present: [bool; 4]) -> Result<()> {
    if !present[1] {
        return Err(Error::file(file, Some(1), "the survey has no perception scores (a 'perception' column, p_<item> columns, or a mapped perception)"));
    }
    if !present[0] && !present[3] {
        return Err(Error::file(file, Some(1), "the survey has no expectation scores (an 'expectation' or 'desired' column, e_<item> / d_<item> columns, or a mapped expectation)"));
    }
    Ok(())
}

/// Field `i` of a quote-free line whose fields end at `ends` (commas between).
#[inline(always)]
fn line_field<'a>(bytes: &'a [u8], ends: &[usize], i: usize) -> &'a [u8] {
    let start = if i == 0 { 0 } else { ends[i - 1] + 1 };
    &bytes[start..ends[i]]
}

/// Group codes of a fast-path row, when every value is already known.
#[inline(always)]
fn known_groups<'a>(
    store: &ResponseStore,
    by: &[usize],
    field: impl Fn(usize) -> &'a [u8],
) -> Option<[u32; 8]> {
    let mut groups = [0u32; 8];
    for (g, &c) in by.iter().enumerate() {
        groups[g] = store.group_dicts[g].known(field(c))?;
    }
    Some(groups)
}

/// Why a score cell is invalid: (reason for the tally, problem for the message).
type BadCell = (&'static str, String);

/// Validates a score cell: its code (0 = missing), or why it is invalid.
/// Single digits already seen cost one table look-up.
#[inline(always)]
fn score_code(values: &mut ValueDict, scale: &Scale, raw: &[u8]) -> Result<u16, BadCell> {
    if let [d] = raw {
        let d = d.wrapping_sub(b'0') as usize;
        if d < 10 && values.digits[d] != 0 {
            return Ok(values.digits[d]);
        }
    }
    score_code_slow(values, scale, raw)
}

#[cold]
#[inline(never)]
fn score_code_slow(values: &mut ValueDict, scale: &Scale, raw: &[u8]) -> Result<u16, BadCell> {
    let t = trim_bytes(raw);
    if is_missing(t) {
        return Ok(0);
    }
    let Some(v) = super::parse_number(t) else {
        return Err((
            "not a number",
            "not a number (empty, NA or N/A mean missing)".into(),
        ));
    };
    if !scale.contains(v) {
        return Err((
            "score outside the scale",
            format!("score outside the scale {scale}"),
        ));
    }
    match values.code(v) {
        Some(c) => {
            if t.len() == 1 && t[0].is_ascii_digit() {
                values.digits[(t[0] - b'0') as usize] = c;
            }
            Ok(c)
        }
        None => Err((
            "too many distinct scores",
            "more than 65,534 distinct score values".into(),
        )),
    }
}

impl SurveySink {
    fn with_fast_path(mut self) -> Self {
        if let Body::Respondents(l, _) = &self.body {
            if l.item_col.is_none() && l.by_cols.len() <= 8 {
                let first = l.cells.first().map_or(0, |c| c.0);
                let consecutive = l.cells.iter().enumerate().all(|(i, c)| c.0 == first + i);
                self.fast_wide = Some(FastWide {
                    width: l.width,
                    id: l.id_col,
                    cells: l.cells.clone(),
                    by: l.by_cols.clone(),
                    run_from: (consecutive && !l.cells.is_empty()).then_some(first),
                });
            }
        }
        if let Body::Respondents(l, stores) = &self.body {
            if let (Some(id), Some(item), Some(store)) = (l.id_col, l.item_col, stores.first()) {
                let measures = l
                    .measure_cols
                    .iter()
                    .enumerate()
                    .filter_map(|(mi, c)| Some(((*c)?, store.slot[mi]?)))
                    .collect();
                if l.width <= FAST_FIELDS && l.by_cols.len() <= 8 {
                    let measures: Vec<(usize, usize)> = measures;
                    let roles = (0..l.width)
                        .map(|c| {
                            if c == id {
                                LongRole::Id
                            } else if c == item {
                                LongRole::Item
                            } else if let Some(j) = measures.iter().position(|m| m.0 == c) {
                                LongRole::Measure(j)
                            } else if let Some(j) = l.by_cols.iter().position(|&b| b == c) {
                                LongRole::Group(j)
                            } else {
                                LongRole::Other
                            }
                        })
                        .collect();
                    let item_patterns = self
                        .instrument
                        .as_deref()
                        .map(|ins| {
                            ins.items
                                .iter()
                                .map(|d| {
                                    Pattern::new(d.id.as_bytes(), sep_of(item, l.width))
                                        .unwrap_or_default()
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let item_words = self.instrument.as_deref().and_then(|ins| {
                        let ids: Vec<&[u8]> = ins.items.iter().map(|d| d.id.as_bytes()).collect();
                        ItemWords::new(&ids)
                    });
                    self.fast = Some(FastLong {
                        width: l.width,
                        id,
                        item,
                        measures,
                        by: l.by_cols.clone(),
                        roles,
                        item_patterns,
                        item_words,
                    });
                }
            }
        }
        self
    }

    /// Reserves the store for the respondents `total` bytes of lines of
    /// about `line_len` bytes hold (one per line in the wide form, one per
    /// `k` lines in the long form). Reserving does not touch memory, so an
    /// overestimate costs nothing; an underestimate grows as before.
    fn size_store(&mut self, total: u64, line_len: usize) {
        if self.spill.is_some() {
            return;
        }
        let Body::Respondents(layout, stores) = &mut self.body else {
            return;
        };
        let Some(store) = stores.first_mut() else {
            return;
        };
        let lines = total / line_len.max(1) as u64;
        let per = if layout.item_col.is_some() {
            store.k.max(1) as u64
        } else {
            1
        };
        store.reserve((lines / per + lines / per / 8 + 16).min(1 << 26) as usize);
    }

    /// The common long-form row, in one pass: fields split on the stack, a
    /// known item, single-digit scores already seen, group values equal to
    /// the previous row's, the respondent of the previous row or a new one,
    /// an item not yet given. Anything else goes to [`RecordSink::record`],
    /// which validates and reports exactly as always.
    #[inline]
    fn long_fast(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        let Some(fast) = &self.fast else {
            return self.generic_line(line, bytes, ends);
        };
        if ends.len() != fast.width {
            return self.generic_line(line, bytes, ends);
        }
        let field = |i: usize| line_field(bytes, ends, i);
        let id = field(fast.id);
        let Body::Respondents(_, stores) = &mut self.body else {
            return self.generic_line(line, bytes, ends);
        };
        let Some(store) = stores.first_mut() else {
            return self.generic_line(line, bytes, ends);
        };
        let clean = |b: &[u8]| {
            !b.is_empty() && !b[0].is_ascii_whitespace() && !b[b.len() - 1].is_ascii_whitespace()
        };
        if !clean(id) {
            return self.generic_line(line, bytes, ends);
        }
        let Some(ins) = self.instrument.as_deref() else {
            return self.generic_line(line, bytes, ends);
        };
        let item_raw = field(fast.item);
        let item = match ins.items.get(self.next_item) {
            Some(def) if super::short_eq(def.id.as_bytes(), item_raw) => self.next_item,
            _ => match ins.lookup(item_raw) {
                Some(i) => i,
                None => return self.generic_line(line, bytes, ends),
            },
        };
        let mut codes = [0u16; 4];
        for (j, &(c, _)) in fast.measures.iter().enumerate() {
            match field(c) {
                [d] if d.wrapping_sub(b'0') < 10
                    && store.values.digits[(d - b'0') as usize] != 0 =>
                {
                    codes[j] = store.values.digits[(d - b'0') as usize];
                }
                _ => return self.generic_line(line, bytes, ends),
            }
        }
        let Some(groups) = known_groups(store, &fast.by, field) else {
            return self.generic_line(line, bytes, ends);
        };
        let nby = fast.by.len();
        if let Some(spill) = &mut self.spill {
            // Present measures take slots in measure order, as `codes` holds them.
            spill.write(
                line,
                id,
                item,
                &codes[..fast.measures.len()],
                &groups[..nby],
            )?;
            self.next_item = if item + 1 == store.k { 0 } else { item + 1 };
            self.rows_read += 1;
            self.rows_used += 1;
            return Ok(());
        }
        let (r, new) = store.respondent(id, line, &groups[..nby]);
        let same_groups = || (0..nby).all(|g| store.groups[r as usize * nby + g] == groups[g]);
        if !new && (store.seen(r, item) || !same_groups()) {
            return self.generic_line(line, bytes, ends);
        }
        store.mark(r, item);
        let base = (r as usize * store.k + item) * store.m;
        for (j, &(_, slot)) in fast.measures.iter().enumerate() {
            store.codes[base + slot] = codes[j];
        }
        self.next_item = if item + 1 == store.k { 0 } else { item + 1 };
        self.rows_read += 1;
        self.rows_used += 1;
        Ok(())
    }

    /// Spill mode: splits ordinary long-form lines (clean id, an item given
    /// exactly, single-digit scores already seen, group values already
    /// seen) with one separator mask a line ([`Separators`]) and appends
    /// them to the partition files;
    /// anything else goes to the tokenizer and [`SurveySink::long_fast`].
    fn spill_lines(
        &mut self,
        first_line: u64,
        region: &[u8],
        max_start: usize,
    ) -> Result<(usize, u64)> {
        let SurveySink {
            fast: Some(fast),
            spill: Some(spill),
            instrument: Some(ins),
            body: Body::Respondents(_, stores),
            ..
        } = self
        else {
            return Ok((0, 0));
        };
        let Some(store) = stores.first() else {
            return Ok((0, 0));
        };
        let width = fast.roles.len();
        let (nby, nm) = (fast.by.len(), fast.measures.len());
        if width != fast.width || nby > 8 || nm > 4 {
            return Ok((0, 0));
        }
        let (mut pos, mut n) = (0usize, 0u64);
        // The usual layout: the id, the group columns, the item, two scores.
        let lead = fast
            .roles
            .iter()
            .take_while(|r| matches!(r, LongRole::Id | LongRole::Group(_)))
            .count();
        let usual = matches!(fast.roles.first(), Some(LongRole::Id))
            && fast.roles[1..lead]
                .iter()
                .all(|r| matches!(r, LongRole::Group(_)))
            && matches!(fast.roles.get(lead), Some(LongRole::Item))
            && width == lead + 3;
        if let (true, Some(words), Some(LongRole::Measure(j0)), Some(LongRole::Measure(j1))) = (
            usual,
            &fast.item_words,
            fast.roles.get(lead + 1),
            fast.roles.get(lead + 2),
        ) {
            let mut cols = [0usize; 8];
            for (c, role) in cols.iter_mut().zip(&fast.roles[1..lead]) {
                if let LongRole::Group(j) = *role {
                    *c = j;
                }
            }
            let line = UsualLine {
                store,
                words,
                first_slot: *j0,
                region,
                first_line,
                max_start,
            };
            // (two measures have the store slots 0 and 1)
            (pos, n) = match (lead - 1, nm == 2 && *j0 < 2 && *j1 < 2) {
                (0, true) => line.spill::<0>(spill, [0; 0])?,
                (1, true) => line.spill::<1>(spill, [cols[0]])?,
                (2, true) => line.spill::<2>(spill, [cols[0], cols[1]])?,
                (3, true) => line.spill::<3>(spill, [cols[0], cols[1], cols[2]])?,
                _ => (0, 0),
            };
            self.rows_read += n;
            self.rows_used += n;
            return Ok((pos, n));
        }
        'lines: while pos < max_start {
            let mut p = pos;
            let (mut id, mut item) = (&region[..0], usize::MAX);
            let mut id_at = 0;
            let mut codes = [0u16; 4];
            let mut groups = [0u32; 8];
            for (i, role) in fast.roles.iter().enumerate() {
                let Some(e) = field_end(region, p, sep_of(i, width)) else {
                    break 'lines;
                };
                let f = &region[p..e];
                match *role {
                    LongRole::Id => match f {
                        [a, .., z] if !a.is_ascii_whitespace() && !z.is_ascii_whitespace() => {
                            (id, id_at) = (f, p)
                        }
                        [a] if !a.is_ascii_whitespace() => (id, id_at) = (f, p),
                        _ => break 'lines,
                    },
                    LongRole::Item => {
                        let found = match &fast.item_words {
                            Some(t) => t.find(region, p, e - p),
                            None => ins.lookup_exact(f),
                        };
                        match found {
                            Some(i) => item = i,
                            None => break 'lines,
                        }
                    }
                    LongRole::Measure(j) => match f {
                        [d] if d.wrapping_sub(b'0') < 10
                            && store.values.digits[(d - b'0') as usize] != 0 =>
                        {
                            codes[j] = store.values.digits[(d - b'0') as usize];
                        }
                        _ => break 'lines,
                    },
                    LongRole::Group(j) => match store.group_dicts[j].known(f) {
                        Some(c) => groups[j] = c,
                        None => break 'lines,
                    },
                    LongRole::Other => {}
                }
                p = e + 1;
            }
            if item == usize::MAX || id.is_empty() {
                break;
            }
            spill.write_in(
                first_line + n,
                region,
                id_at,
                id.len(),
                item,
                &codes[..nm],
                &groups[..nby],
            )?;
            pos = p;
            n += 1;
        }
        self.rows_read += n;
        self.rows_used += n;
        Ok((pos, n))
    }

    /// Reads the common long-form lines of the respondent of the previous
    /// line (same id, same group cells, the next item, single-digit scores
    /// already seen, an item not yet given) by matching the expected text;
    /// a new respondent or anything unusual goes to the tokenizer and
    /// [`SurveySink::long_fast`].
    fn long_lines(&mut self, first_line: u64, region: &[u8], max_start: usize) -> (usize, u64) {
        let (Some(fast), None) = (&self.fast, &self.spill) else {
            return (0, 0);
        };
        let Body::Respondents(_, stores) = &mut self.body else {
            return (0, 0);
        };
        let Some(store) = stores.first_mut() else {
            return (0, 0);
        };
        let Some((last_id, r)) = &store.last else {
            return (0, 0);
        };
        let r = *r;
        let width = fast.width;
        let nby = fast.by.len();
        let (mut pos, mut n) = (0usize, 0u64);
        let mut item = self.next_item;
        // The usual layout (id and group columns, then the item, then the
        // scores) makes everything before the item one expected text.
        let lead = fast
            .roles
            .iter()
            .take_while(|r| matches!(r, LongRole::Id | LongRole::Group(_)))
            .count();
        let tail_ok = matches!(fast.roles.get(lead), Some(LongRole::Item))
            && fast.roles[lead + 1..]
                .iter()
                .all(|r| matches!(r, LongRole::Measure(_)))
            && fast.roles.len() > lead + 1;
        let prefix = if tail_ok {
            let mut text: Vec<u8> = Vec::with_capacity(40);
            for (i, role) in fast.roles[..lead].iter().enumerate() {
                match role {
                    LongRole::Id => text.extend_from_slice(last_id),
                    LongRole::Group(j) => {
                        let code = store.groups[r as usize * nby + j] as usize;
                        text.extend_from_slice(
                            store.group_dicts[*j]
                                .values
                                .get(code)
                                .map_or(&b""[..], |v| v.as_bytes()),
                        );
                    }
                    _ => {}
                }
                if i + 1 < lead {
                    text.push(b',');
                }
            }
            if lead == 0 {
                None
            } else {
                Pattern::new(&text, b',')
            }
        } else {
            None
        };
        if let Some(prefix) = prefix {
            let nm = fast.roles.len() - lead - 1;
            let slot_of = |i: usize| match fast.roles.get(lead + 1 + i) {
                Some(LongRole::Measure(mj)) => fast.measures.get(*mj).map(|m| m.1),
                _ => None,
            };
            if let (2, Some(s0), Some(s1), true) = (
                nm,
                slot_of(0),
                slot_of(1),
                fast.item_patterns.len() == store.k,
            ) {
                let lines = TwoScoreLines {
                    fast,
                    lead,
                    slots: (s0, s1),
                    nby,
                };
                let (pos, n, item) =
                    lines.read(store, (prefix, r, item), first_line, region, max_start);
                self.next_item = item;
                self.rows_read += n;
                self.rows_used += n;
                return (pos, n);
            }
            'quick: while pos < max_start {
                let mut p = pos;
                if !prefix.matches(region, p) {
                    break;
                }
                p += prefix.len();
                let Some(ip) = fast.item_patterns.get(item) else {
                    break;
                };
                if !ip.matches(region, p) {
                    break;
                }
                p += ip.len();
                let mut codes = [0u16; 4];
                for (j, code) in codes.iter_mut().enumerate().take(nm) {
                    let sep = if j + 1 == nm { b'\n' } else { b',' };
                    let d = region.get(p).map_or(0xff, |d| d.wrapping_sub(b'0')) as usize;
                    if d >= 10 || store.values.digits[d] == 0 || region.get(p + 1) != Some(&sep) {
                        break 'quick;
                    }
                    *code = store.values.digits[d];
                    p += 2;
                }
                if store.seen(r, item) {
                    break;
                }
                store.mark(r, item);
                let base = (r as usize * store.k + item) * store.m;
                for (j, role) in fast.roles[lead + 1..].iter().enumerate() {
                    if let LongRole::Measure(mj) = role {
                        store.codes[base + fast.measures[*mj].1] = codes[j];
                    }
                }
                item = if item + 1 == store.k { 0 } else { item + 1 };
                pos = p;
                n += 1;
            }
            self.next_item = item;
            self.rows_read += n;
            self.rows_used += n;
            return (pos, n);
        }
        let Some(id_pattern) = Pattern::new(last_id, sep_of(fast.id, width)) else {
            return (0, 0);
        };
        let mut group_patterns = [Pattern::default(); 8];
        for (j, &c) in fast.by.iter().enumerate() {
            let code = store.groups[r as usize * nby + j] as usize;
            let Some(v) = store.group_dicts[j].values.get(code) else {
                return (0, 0);
            };
            match Pattern::new(v.as_bytes(), sep_of(c, width)) {
                Some(p) => group_patterns[j] = p,
                None => return (0, 0),
            }
        }
        'lines: while pos < max_start {
            let mut p = pos;
            let mut codes = [0u16; 4];
            for (i, role) in fast.roles.iter().enumerate() {
                match *role {
                    LongRole::Id => {
                        if !id_pattern.matches(region, p) {
                            break 'lines;
                        }
                        p += id_pattern.len();
                    }
                    LongRole::Item => {
                        let Some(ip) = fast.item_patterns.get(item) else {
                            break 'lines;
                        };
                        if !ip.matches(region, p) {
                            break 'lines;
                        }
                        p += ip.len();
                    }
                    LongRole::Measure(j) => {
                        let d = region.get(p).map_or(0xff, |d| d.wrapping_sub(b'0')) as usize;
                        if d >= 10
                            || store.values.digits[d] == 0
                            || region.get(p + 1) != Some(&sep_of(i, width))
                        {
                            break 'lines;
                        }
                        codes[j] = store.values.digits[d];
                        p += 2;
                    }
                    LongRole::Group(j) => {
                        let g = &group_patterns[j];
                        if !g.matches(region, p) {
                            break 'lines;
                        }
                        p += g.len();
                    }
                    LongRole::Other => match field_end(region, p, sep_of(i, width)) {
                        Some(e) => p = e + 1,
                        None => break 'lines,
                    },
                }
            }
            if store.seen(r, item) {
                break 'lines;
            }
            store.mark(r, item);
            let base = (r as usize * store.k + item) * store.m;
            for (j, &(_, slot)) in fast.measures.iter().enumerate() {
                store.codes[base + slot] = codes[j];
            }
            item = if item + 1 == store.k { 0 } else { item + 1 };
            pos = p;
            n += 1;
        }
        self.next_item = item;
        self.rows_read += n;
        self.rows_used += n;
        (pos, n)
    }

    /// The common wide-form row: scores that are single digits already seen
    /// or empty, known group values, a new respondent. Anything else goes to
    /// [`RecordSink::record`].
    #[inline]
    fn wide_fast(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        let Some(fast) = &self.fast_wide else {
            return self.generic_line(line, bytes, ends);
        };
        if ends.len() != fast.width {
            return self.generic_line(line, bytes, ends);
        }
        let field = |i: usize| line_field(bytes, ends, i);
        let Body::Respondents(_, stores) = &mut self.body else {
            return self.generic_line(line, bytes, ends);
        };
        let Some(store) = stores.first_mut() else {
            return self.generic_line(line, bytes, ends);
        };
        self.scratch.clear();
        let n = fast.cells.len();
        let run = fast.run_from.and_then(|a| {
            let start = if a == 0 { 0 } else { ends[a - 1] + 1 };
            // n fields in 2n − 1 bytes: every one is a single byte
            (ends[a + n - 1] - start == 2 * n - 1).then(|| &bytes[start..start + 2 * n - 1])
        });
        if let Some(run) = run {
            let digits = &store.values.digits;
            for b in run.iter().step_by(2) {
                match digits.get(b.wrapping_sub(b'0') as usize) {
                    Some(&code) if code != 0 => self.scratch.push(code),
                    _ => return self.generic_line(line, bytes, ends),
                }
            }
        }
        for &(c, _, _) in fast.cells.iter().take(if run.is_some() { 0 } else { n }) {
            let code = match field(c) {
                [] => 0,
                [d] if d.wrapping_sub(b'0') < 10
                    && store.values.digits[(d - b'0') as usize] != 0 =>
                {
                    store.values.digits[(d - b'0') as usize]
                }
                _ => return self.generic_line(line, bytes, ends),
            };
            self.scratch.push(code);
        }
        let Some(groups) = known_groups(store, &fast.by, field) else {
            return self.generic_line(line, bytes, ends);
        };
        let nby = fast.by.len();
        let r = match (&mut store.keys, fast.id) {
            (Keys::Rows(rows), _) => {
                rows.push(self.rows_read + 1);
                store.push_respondent(line, &groups[..nby])
            }
            (Keys::Ids(_), Some(c)) => {
                let id = field(c);
                if id.is_empty()
                    || id[0].is_ascii_whitespace()
                    || id[id.len() - 1].is_ascii_whitespace()
                {
                    return self.generic_line(line, bytes, ends);
                }
                match store.respondent(id, line, &groups[..nby]) {
                    (r, true) => r,
                    // a repeated respondent: the general path reports it
                    (_, false) => return self.generic_line(line, bytes, ends),
                }
            }
            (Keys::Ids(_), None) => return self.generic_line(line, bytes, ends),
        };
        let base = r as usize * store.k;
        for (&(_, item, slot), &code) in fast.cells.iter().zip(&self.scratch) {
            store.mark(r, item);
            store.codes[(base + item) * store.m + slot] = code;
        }
        self.rows_read += 1;
        self.rows_used += 1;
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn generic_line(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        self.record(line, &RecordView::of_line(bytes, ends))
    }

    fn respondent_row(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        let Body::Respondents(layout, stores) = &mut self.body else {
            return Ok(());
        };
        let Some(store) = stores.first_mut() else {
            return Err(Error::internal("no response store"));
        };
        let scale = self.scale;
        let mut groups = [0u32; 8];
        let nby = layout.by_cols.len().min(8);
        for (g, &c) in layout.by_cols.iter().take(8).enumerate() {
            groups[g] = store.group_dicts[g].code(rec.get(c));
        }
        if let Some(item_col) = layout.item_col {
            // Long form.
            let id_col = layout.id_col.unwrap_or(0);
            let id = trim_bytes(rec.get(id_col));
            if id.is_empty() {
                return self.reject(
                    line,
                    id_col,
                    b"",
                    "empty respondent id",
                    "the respondent id is empty".into(),
                );
            }
            let item_raw = rec.get(item_col);
            let ins = self.instrument.as_deref();
            let Some(item) = ins.and_then(|i| i.lookup_hinted(item_raw, self.next_item)) else {
                let name = ins.map_or("servqual22".to_string(), |i| i.name.clone());
                return self.reject(
                    line,
                    item_col,
                    item_raw,
                    "unknown item",
                    format!("item not in the instrument '{name}'"),
                );
            };
            let mut codes = [0u16; 4];
            for (mi, col) in layout.measure_cols.iter().enumerate() {
                if let Some(c) = *col {
                    match score_code(&mut store.values, &scale, rec.get(c)) {
                        Ok(code) => codes[mi] = code,
                        Err((reason, problem)) => {
                            let v = rec.get(c).to_vec();
                            return self.reject(line, c, &v, reason, problem);
                        }
                    }
                }
            }
            if let Some(spill) = &mut self.spill {
                let mut m = [0u16; 4];
                let mut n = 0;
                for (mi, slot) in store.slot.iter().enumerate() {
                    if slot.is_some() {
                        m[n] = codes[mi];
                        n += 1;
                    }
                }
                spill.write(line, id, item, &m[..n], &groups[..nby])?;
                self.next_item = if item + 1 == store.k { 0 } else { item + 1 };
                self.rows_used += 1;
                return Ok(());
            }
            let (r, new) = store.respondent(id, line, &groups[..nby]);
            if !new {
                if store.seen(r, item) {
                    let id_s = String::from_utf8_lossy(id).into_owned();
                    let item_s = String::from_utf8_lossy(trim_bytes(item_raw)).into_owned();
                    let what = format!("respondent {} item {}", quoted(&id_s), quoted(&item_s));
                    let err = ErrorKind::Duplicate {
                        file: self.file.clone(),
                        line,
                        first_line: None,
                        what,
                        key: vec![id_s, item_s],
                    }
                    .into();
                    return self.reject_err(line, err, "duplicate respondent × item");
                }
                let base = r as usize * nby;
                if let Some(g) = (0..nby).find(|&g| store.groups[base + g] != groups[g]) {
                    let was = store.group_dicts[g].values[store.groups[base + g] as usize].clone();
                    let c = layout.by_cols[g];
                    let v = rec.get(c).to_vec();
                    let msg = format!(
                        "respondent {} was {} on an earlier row (line {})",
                        quoted(&String::from_utf8_lossy(id)),
                        quoted(&was),
                        store.first_line[r as usize]
                    );
                    return self.reject(line, c, &v, "group differs within a respondent", msg);
                }
            }
            store.mark(r, item);
            self.next_item = if item + 1 == store.k { 0 } else { item + 1 };
            let base = (r as usize * store.k + item) * store.m;
            for (mi, s) in store.slot.iter().enumerate() {
                if let Some(s) = *s {
                    store.codes[base + s] = codes[mi];
                }
            }
        } else {
            // Wide or mapped form: one row per respondent.
            let mut codes: Vec<(usize, usize, u16)> = Vec::with_capacity(layout.cells.len());
            for &(c, item, s) in &layout.cells {
                match score_code(&mut store.values, &scale, rec.get(c)) {
                    Ok(code) => codes.push((item, s, code)),
                    Err((reason, problem)) => {
                        let v = rec.get(c).to_vec();
                        return self.reject(line, c, &v, reason, problem);
                    }
                }
            }
            let r = match (&mut store.keys, layout.id_col) {
                (Keys::Rows(rows), _) => {
                    rows.push(self.rows_read); // this row is already counted
                    store.push_respondent(line, &groups[..nby])
                }
                (Keys::Ids(_), Some(id_col)) => {
                    let id = trim_bytes(rec.get(id_col));
                    if id.is_empty() {
                        return self.reject(
                            line,
                            id_col,
                            b"",
                            "empty respondent id",
                            "the respondent id is empty".into(),
                        );
                    }
                    let (r, new) = store.respondent(id, line, &groups[..nby]);
                    if !new {
                        let err = ErrorKind::Duplicate {
                            file: self.file.clone(),
                            line,
                            first_line: Some(store.first_line[r as usize]),
                            what: format!("respondent {}", quoted(&String::from_utf8_lossy(id))),
                            key: vec![],
                        }
                        .into();
                        return self.reject_err(line, err, "duplicate respondent");
                    }
                    r
                }
                (Keys::Ids(_), None) => {
                    return Err(Error::internal("keyed store without id column"))
                }
            };
            for (item, s, code) in codes {
                store.mark(r, item);
                store.codes[(r as usize * store.k + item) * store.m + s] = code;
            }
        }
        self.rows_used += 1;
        Ok(())
    }

    fn summary_row(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        let Body::Summary(layout, rows) = &mut self.body else {
            return Ok(());
        };
        let layout = layout.clone();
        let item = rec.text(layout.item_col);
        if item.is_empty() {
            return self.reject(
                line,
                layout.item_col,
                b"",
                "empty item",
                "the item is empty".into(),
            );
        }
        let mut means = [None; 4];
        for (mi, col) in layout.mean_cols.iter().enumerate() {
            if let Some(c) = *col {
                let raw = rec.get(c);
                if is_missing(raw) {
                    continue;
                }
                match super::parse_number(raw) {
                    Some(v) if self.scale.contains(v) => means[mi] = Some(v),
                    Some(_) => {
                        let p = format!("mean outside the scale {}", self.scale);
                        return self.reject(line, c, raw, "score outside the scale", p);
                    }
                    None => {
                        return self.reject(line, c, raw, "not a number", "not a number".into())
                    }
                }
            }
        }
        let n = match layout.n_col {
            Some(c) if !is_missing(rec.get(c)) => match super::parse_number(rec.get(c)) {
                // a count of respondents: whole, at least 1, exact in f64
                Some(v) if v >= 1.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 => Some(v),
                _ => {
                    let raw = rec.get(c).to_vec();
                    return self.reject(
                        line,
                        c,
                        &raw,
                        "bad n",
                        "n is the number of respondents: a whole number of at least 1".into(),
                    );
                }
            },
            _ => None,
        };
        let groups: Vec<String> = layout.by_cols.iter().map(|&c| rec.text(c)).collect();
        let dimension = layout
            .dim_col
            .map(|c| rec.text(c))
            .filter(|d| !d.is_empty());
        if let Some(prev) = rows
            .iter()
            .find(|r| r.groups == groups && r.item.eq_ignore_ascii_case(&item))
        {
            let err = ErrorKind::Duplicate {
                file: self.file.clone(),
                line,
                first_line: Some(prev.line),
                what: format!(
                    "item '{item}'{}",
                    if groups.is_empty() {
                        String::new()
                    } else {
                        format!(" in group {}", groups.join("/"))
                    }
                ),
                key: vec![],
            }
            .into();
            return self.reject_err(line, err, "duplicate item");
        }
        rows.push(SummaryRow {
            line,
            item,
            dimension,
            groups,
            means,
            n,
        });
        self.rows_used += 1;
        Ok(())
    }
}

impl RecordSink for SurveySink {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        let width = match &self.body {
            Body::Respondents(l, _) => l.width,
            Body::Summary(l, _) => l.width,
        };
        self.rows_read += 1;
        if rec.len() != width {
            let err = Error::file(
                &self.file,
                Some(line),
                format!(
                    "the record has {} fields but the header has {}",
                    rec.len(),
                    width
                ),
            );
            return self.reject_err(line, err, "wrong number of fields");
        }
        match self.body {
            Body::Respondents(..) => self.respondent_row(line, rec),
            Body::Summary(..) => self.summary_row(line, rec),
        }
    }

    #[inline]
    fn quote_free_line(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        if let Some(total) = self.expected_bytes.take() {
            self.size_store(total, bytes.len() + 1);
        }
        if self.fast.is_some() {
            self.long_fast(line, bytes, ends)
        } else if self.fast_wide.is_some() {
            self.wide_fast(line, bytes, ends)
        } else {
            self.record(line, &RecordView::of_line(bytes, ends))
        }
    }

    fn expect_bytes(&mut self, bytes: u64) {
        self.expected_bytes = Some(bytes);
    }

    fn takes_lines(&self) -> bool {
        self.fast.is_some()
    }

    fn quote_free_lines(
        &mut self,
        line: u64,
        region: &[u8],
        max_start: usize,
    ) -> Result<(usize, u64)> {
        if self.spill.is_some() {
            return self.spill_lines(line, region, max_start);
        }
        Ok(self.long_lines(line, region, max_start))
    }

    fn partition_key(&self) -> Option<usize> {
        match &self.body {
            Body::Respondents(l, _) if l.item_col.is_some() => l.id_col,
            _ => None,
        }
    }

    fn enable_spill(&mut self) -> Result<bool> {
        if self.partition_key().is_none() {
            return Ok(false);
        }
        self.spill = Some(SpillWriter::new(SpillSet::new()));
        self.spill_tags = vec![(0, 0)];
        Ok(true)
    }

    fn fork(&self) -> Self {
        let body = match &self.body {
            Body::Respondents(l, s) => Body::Respondents(l.clone(), vec![s[0].empty_like()]),
            Body::Summary(l, _) => Body::Summary(l.clone(), Vec::new()),
        };
        SurveySink {
            body,
            rows_read: 0,
            rows_used: 0,
            tally: RejectTally::default(),
            ..self.clone_config()
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        let rows_before = self.rows_read;
        self.rows_read += later.rows_read;
        self.rows_used += later.rows_used;
        self.tally.merge(later.tally, off);
        match (&mut self.body, later.body) {
            (Body::Summary(_, rows), Body::Summary(_, more)) => {
                for mut r in more {
                    r.line += off;
                    if let Some(prev) = rows
                        .iter()
                        .find(|p| p.groups == r.groups && p.item.eq_ignore_ascii_case(&r.item))
                    {
                        let err = ErrorKind::Duplicate {
                            file: self.file.clone(),
                            line: r.line,
                            first_line: Some(prev.line),
                            what: format!("item '{}'", r.item),
                            key: vec![],
                        }
                        .into();
                        if self.on_invalid == OnInvalid::Error {
                            return Err(err);
                        }
                        self.rows_used -= 1;
                        self.tally.add("duplicate item", r.line);
                        continue;
                    }
                    rows.push(r);
                }
                Ok(())
            }
            (Body::Respondents(_, a), Body::Respondents(_, b)) if self.spill.is_some() => {
                // Spill mode: the later range's rows are in its own files;
                // keep its dictionaries, in range order, for the second pass.
                let mut later_spill = later.spill;
                if let Some(w) = &mut later_spill {
                    w.finish()?;
                    self.spill_tags.push((w.tag, off));
                }
                a.extend(b);
                Ok(())
            }
            (Body::Respondents(_, a), Body::Respondents(_, b)) => {
                let ctx = MergeContext {
                    file: self.file.clone(),
                    on_invalid: self.on_invalid,
                    item_ids: self
                        .instrument
                        .as_ref()
                        .map(|i| i.items.iter().map(|d| d.id.clone()).collect())
                        .unwrap_or_default(),
                    long: self.form == SurveyForm::Long,
                };
                for mut store in b {
                    reconcile(
                        a,
                        &mut store,
                        off,
                        rows_before,
                        &ctx,
                        &mut self.tally,
                        &mut self.rows_used,
                    )?;
                    a.push(store);
                }
                Ok(())
            }
            _ => Err(Error::internal("merging different survey forms")),
        }
    }
}

impl SurveySink {
    fn clone_config(&self) -> Self {
        SurveySink {
            file: self.file.clone(),
            header: self.header.clone(),
            form: self.form,
            scale: self.scale,
            on_invalid: self.on_invalid,
            instrument: self.instrument.clone(),
            body: Body::Summary(
                SummaryLayout {
                    width: 0,
                    item_col: 0,
                    dim_col: None,
                    mean_cols: [None; 4],
                    n_col: None,
                    by_cols: vec![],
                },
                Vec::new(),
            ),
            rows_read: 0,
            rows_used: 0,
            tally: RejectTally::default(),
            by_names: self.by_names.clone(),
            next_item: 0,
            spill: self.spill.as_ref().map(SpillWriter::sibling),
            spill_tags: vec![],
            fast: self.fast.clone(),
            fast_wide: self.fast_wide.clone(),
            scratch: Vec::new(),
            expected_bytes: None,
        }
    }
}

struct MergeContext {
    file: String,
    on_invalid: OnInvalid,
    item_ids: Vec<String>,
    long: bool,
}

/// The second pass of spill mode: one store per partition, built from the
/// partition's records in file order, on all cores.
/// A partition's store, its rejections, and how many rows they removed.
type PartitionResult = Result<(ResponseStore, RejectTally, u64)>;

struct SecondPass<'a> {
    file: &'a str,
    header: &'a Header,
    by_cols: &'a [usize],
    on_invalid: OnInvalid,
    item_ids: Vec<String>,
    /// Range tags and line offsets, in file order, and each range's
    /// dictionaries.
    tags: &'a [(usize, u64)],
    holders: &'a [ResponseStore],
    /// The spill files by tag.
    files: &'a [Option<SpillFile>],
}

impl SecondPass<'_> {
    fn run(&self) -> Result<(Vec<ResponseStore>, RejectTally, u64)> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let results: Vec<Vec<(usize, PartitionResult)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|w| {
                    scope.spawn(move || {
                        let mut buf = Vec::new();
                        (w..PARTS)
                            .step_by(threads)
                            .map(|p| (p, self.partition(p, &mut buf)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut parts: Vec<(usize, PartitionResult)> = results.into_iter().flatten().collect();
        if parts.len() != PARTS {
            return Err(Error::internal("a partition thread failed"));
        }
        parts.sort_by_key(|(p, _)| *p);
        // The first error in file order is the one with the lowest line.
        let mut first: Option<Error> = None;
        let mut stores = Vec::with_capacity(PARTS);
        let mut tally = RejectTally::default();
        let mut rejected = 0;
        for (_, r) in parts {
            match r {
                Ok((st, t, n)) => {
                    stores.push(st);
                    tally.merge(t, 0);
                    rejected += n;
                }
                Err(e) => {
                    if first
                        .as_ref()
                        .is_none_or(|f| e.line().unwrap_or(u64::MAX) < f.line().unwrap_or(u64::MAX))
                    {
                        first = Some(e);
                    }
                }
            }
        }
        match first {
            Some(e) => Err(e),
            None => Ok((stores, tally, rejected)),
        }
    }

    /// Builds partition `p`'s store (`buf`: the thread's read buffer).
    fn partition(&self, p: usize, buf: &mut Vec<u8>) -> PartitionResult {
        let proto = &self.holders[0];
        let nby = proto.group_dicts.len();
        let mut store = proto.empty_like();
        // Room for the respondents of complete answers, at once: growing
        // by doubling copied the store and rehashed its index ten times.
        let records: u64 = self.files.iter().flatten().map(|f| f.records_in(p)).sum();
        store.reserve_hashed(records as usize / store.k.max(1));
        let mut tally = RejectTally::default();
        let mut rejected = 0u64;
        for (holder, &(tag, off)) in self.holders.iter().zip(self.tags) {
            // this range's codes → the partition store's codes
            let mut vmap = vec![0u16; holder.values.values.len() + 1];
            for (i, &v) in holder.values.values.iter().enumerate() {
                vmap[i + 1] = store
                    .values
                    .code(v)
                    .ok_or_else(|| Error::inconsistent("more than 65,534 distinct score values"))?;
            }
            let gmaps: Vec<Vec<u32>> = (0..nby)
                .map(|g| {
                    holder.group_dicts[g]
                        .values
                        .iter()
                        .map(|v| store.group_dicts[g].code(v.as_bytes()))
                        .collect()
                })
                .collect();
            let Some(file) = self.files.get(tag).and_then(|f| f.as_ref()) else {
                continue; // a range that wrote nothing
            };
            let mut records = file.partition_records(p, store.m, nby, buf)?;
            loop {
                usual_records(&mut records, &mut store, &vmap, &gmaps, off);
                let Some(rec) = records.next_record() else {
                    break;
                };
                let rec = rec?;
                // lines of the whole file, not of the range
                let rec = SpillRecord {
                    line: rec.line + off,
                    ..rec
                };
                let damaged = || Error::internal("a spill record is damaged");
                let mut groups = [0u32; 8];
                for g in 0..nby {
                    groups[g] = *gmaps[g].get(rec.groups[g] as usize).ok_or_else(damaged)?;
                }
                if rec.item >= store.k
                    || rec.codes[..store.m]
                        .iter()
                        .any(|&c| c as usize >= vmap.len())
                {
                    return Err(damaged());
                }
                let (r, new) = store.respondent_uncached(rec.id, rec.line, &groups[..nby]);
                if !new {
                    let id_s = || String::from_utf8_lossy(rec.id).into_owned();
                    if store.seen(r, rec.item) {
                        let item = self.item_ids.get(rec.item).cloned().unwrap_or_default();
                        if self.on_invalid == OnInvalid::Error {
                            return Err(ErrorKind::Duplicate {
                                file: self.file.to_string(),
                                line: rec.line,
                                first_line: None,
                                what: format!(
                                    "respondent {} item {}",
                                    quoted(&id_s()),
                                    quoted(&item)
                                ),
                                key: vec![id_s(), item],
                            }
                            .into());
                        }
                        tally.add("duplicate respondent × item", rec.line);
                        rejected += 1;
                        continue;
                    }
                    let base = r as usize * nby;
                    if let Some(g) = (0..nby).find(|&g| store.groups[base + g] != groups[g]) {
                        if self.on_invalid == OnInvalid::Error {
                            let was = &store.group_dicts[g].values[store.groups[base + g] as usize];
                            let value = &store.group_dicts[g].values[groups[g] as usize];
                            let msg = format!(
                                "respondent {} was {} on an earlier row (line {})",
                                quoted(&id_s()),
                                quoted(was),
                                store.first_line[r as usize]
                            );
                            return Err(invalid(
                                self.file,
                                rec.line,
                                self.header,
                                self.by_cols[g],
                                value.as_bytes(),
                                msg,
                            ));
                        }
                        tally.add("group differs within a respondent", rec.line);
                        rejected += 1;
                        continue;
                    }
                }
                store.mark(r, rec.item);
                let base = (r as usize * store.k + rec.item) * store.m;
                for s in 0..store.m {
                    store.codes[base + s] = vmap[rec.codes[s] as usize];
                }
            }
        }
        Ok((store, tally, rejected))
    }
}

/// The second pass's quick loop: takes the reader's records into `store`
/// while they have the usual shape, the store's index is hashed, and the
/// record is neither a duplicate nor of a respondent in another group. It
/// stops, without taking it, at the first record that is not (the caller's
/// general path reads, reports or skips that one). `vmap` and `gmaps` turn
/// the range's score and group codes into the store's; `off` turns range
/// lines into file lines. Written for the usual numbers of scores and
/// groups, where its loops unroll; other layouts take the general path.
fn usual_records(
    records: &mut PartitionRecords<'_>,
    store: &mut ResponseStore,
    vmap: &[u16],
    gmaps: &[Vec<u32>],
    off: u64,
) {
    match (store.m, gmaps.len()) {
        (2, 0) => usual_records_of::<2, 0>(records, store, vmap, gmaps, off),
        (2, 1) => usual_records_of::<2, 1>(records, store, vmap, gmaps, off),
        (2, 2) => usual_records_of::<2, 2>(records, store, vmap, gmaps, off),
        (1, 0) => usual_records_of::<1, 0>(records, store, vmap, gmaps, off),
        (1, 1) => usual_records_of::<1, 1>(records, store, vmap, gmaps, off),
        (3, 0) => usual_records_of::<3, 0>(records, store, vmap, gmaps, off),
        (3, 1) => usual_records_of::<3, 1>(records, store, vmap, gmaps, off),
        _ => {}
    }
}

/// [`usual_records`] for `M` scores and `G` group columns.
#[inline(never)]
fn usual_records_of<const M: usize, const G: usize>(
    records: &mut PartitionRecords<'_>,
    store: &mut ResponseStore,
    vmap: &[u16],
    gmaps: &[Vec<u32>],
    off: u64,
) {
    let k = store.k;
    let (Some(gmaps), true) = (gmaps.first_chunk::<G>(), store.m == M) else {
        return;
    };
    'rec: while let Some(u) = records.peek_usual() {
        let byte = |i: usize| (u.tail >> (8 * i) & 0xff) as usize;
        let item = byte(0);
        if item >= k {
            break;
        }
        let mut codes = [0u16; M];
        for (s, c) in codes.iter_mut().enumerate() {
            match vmap.get(byte(1 + s)) {
                Some(&v) => *c = v,
                None => break 'rec,
            }
        }
        let mut groups = [0u32; G];
        for (g, v) in groups.iter_mut().enumerate() {
            match gmaps[g].get(byte(1 + M + g)) {
                Some(&c) => *v = c,
                None => break 'rec,
            }
        }
        let Some((r, new)) = store.hashed_respondent(u.words, u.line + off, &groups) else {
            break;
        };
        if !new {
            let had = store
                .groups
                .get(r as usize * G..)
                .and_then(|g| g.first_chunk::<G>());
            if store.seen(r, item) || had != Some(&groups) {
                break;
            }
        }
        store.mark(r, item);
        let base = (r as usize * k + item) * M;
        let Some(dst) = store
            .codes
            .get_mut(base..)
            .and_then(|d| d.first_chunk_mut::<M>())
        else {
            break;
        };
        *dst = codes;
        records.take(&u);
    }
}

/// `first_line` of a respondent whose answers moved to an earlier store.
pub(crate) const MOVED: u64 = u64::MAX;

/// Prepares store `b` (a later range) to sit beside the earlier `stores`:
/// shifts its lines, and moves every respondent that an earlier store also
/// holds into that store (checking for duplicate items and differing
/// groups), leaving a tombstone behind. Sorted exports share at most a
/// respondent per range boundary, so this is cheap where it matters.
fn reconcile(
    stores: &mut [ResponseStore],
    b: &mut ResponseStore,
    off: u64,
    rows_before: u64,
    ctx: &MergeContext,
    tally: &mut RejectTally,
    rows_used: &mut u64,
) -> Result<()> {
    for l in &mut b.first_line {
        *l += off;
    }
    b.last = None;
    let overlaps: Vec<(usize, usize, usize, Vec<u8>)> = match &mut b.keys {
        Keys::Rows(rows) => {
            rows.iter_mut().for_each(|r| *r += rows_before);
            return Ok(());
        }
        Keys::Ids(bidx) => {
            let mut out = Vec::new();
            // A later range of a sorted export shares at most its first
            // respondents with the earlier ones: once an id is beyond every
            // earlier store's last, so are all the ids after it.
            let b_sorted = bidx.sorted.is_some();
            let beyond_all = |id: &[u8]| {
                stores.iter().all(|a| match &a.keys {
                    Keys::Ids(aidx) => aidx.beyond_last(id),
                    Keys::Rows(_) => true,
                })
            };
            let mut find = |id: Vec<u8>, rb: u32| {
                for (si, a) in stores.iter().enumerate() {
                    let Keys::Ids(aidx) = &a.keys else { continue };
                    if aidx.beyond_last(&id) {
                        continue;
                    }
                    if let Some(ra) = aidx.get(&id) {
                        if a.first_line[ra as usize] != MOVED {
                            out.push((rb as usize, si, ra as usize, id));
                            return;
                        }
                    }
                }
            };
            for (id, rb) in bidx.entries() {
                if b_sorted && beyond_all(&id) {
                    break;
                }
                find(id, rb);
            }
            out
        }
    };
    // In the later range's order of first appearance (file order), whatever
    // order the index lists its ids in.
    let mut overlaps = overlaps;
    overlaps.sort_unstable_by_key(|o| o.0);
    let nby = b.group_dicts.len();
    let per = b.k * b.m;
    let mut vmaps: Vec<Option<Vec<u16>>> = vec![None; stores.len()];
    for (rb, si, ra, id) in overlaps {
        let a = &mut stores[si];
        let line = b.first_line[rb];
        let id_s = String::from_utf8_lossy(&id).into_owned();
        let b_items = (0..b.k).filter(|&i| b.seen(rb as u32, i)).count() as u64;
        b.first_line[rb] = MOVED;
        if !ctx.long {
            let err = ErrorKind::Duplicate {
                file: ctx.file.clone(),
                line,
                first_line: Some(a.first_line[ra]),
                what: format!("respondent {}", quoted(&id_s)),
                key: vec![id_s],
            };
            if ctx.on_invalid == OnInvalid::Error {
                return Err(err.into());
            }
            tally.add("duplicate respondent", line);
            *rows_used -= 1;
            continue;
        }
        let group_text = |s: &ResponseStore, r: usize, g: usize| {
            s.group_dicts[g].values[s.groups[r * nby + g] as usize].clone()
        };
        if let Some(g) = (0..nby).find(|&g| group_text(a, ra, g) != group_text(b, rb, g)) {
            if ctx.on_invalid == OnInvalid::Error {
                return Err(Error::file(
                    &ctx.file,
                    Some(line),
                    format!(
                        "respondent {} is {} here but {} on line {}",
                        quoted(&id_s),
                        quoted(&group_text(b, rb, g)),
                        quoted(&group_text(a, ra, g)),
                        a.first_line[ra]
                    ),
                ));
            }
            tally.add("group differs within a respondent", line);
            *rows_used -= b_items;
            continue;
        }
        let vmap = match &mut vmaps[si] {
            Some(v) => v,
            slot => {
                let mut v = vec![0u16; b.values.values.len() + 1];
                for (i, &x) in b.values.values.iter().enumerate() {
                    v[i + 1] = a.values.code(x).ok_or_else(|| {
                        Error::inconsistent("more than 65,534 distinct score values")
                    })?;
                }
                slot.insert(v)
            }
        };
        for i in 0..b.k {
            if !b.seen(rb as u32, i) {
                continue;
            }
            if a.seen(ra as u32, i) {
                if ctx.on_invalid == OnInvalid::Error {
                    let item = ctx.item_ids.get(i).cloned().unwrap_or_default();
                    return Err(ErrorKind::Duplicate {
                        file: ctx.file.clone(),
                        line,
                        first_line: None,
                        what: format!("respondent {} item {}", quoted(&id_s), quoted(&item)),
                        key: vec![id_s.clone(), item],
                    }
                    .into());
                }
                tally.add("duplicate respondent × item", line);
                *rows_used -= 1;
                continue;
            }
            a.mark(ra as u32, i);
            for s in 0..b.m {
                a.codes[(ra * a.k + i) * a.m + s] = vmap[b.codes[rb * per + i * b.m + s] as usize];
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_keep_their_bytes_and_length() {
        let all: Vec<Vec<u8>> = (0..=23u8).map(|n| (1..=n).collect()).collect();
        for id in &all {
            let k = ShortId::new(id).expect("at most 23 bytes");
            assert_eq!(&k.bytes(), id);
            assert_eq!(k.cmp_bytes(id), std::cmp::Ordering::Equal);
        }
        // A trailing zero byte is not the same id as one without it.
        assert_ne!(
            ShortId::new(b"R1\0").map(|k| k.0),
            ShortId::new(b"R1").map(|k| k.0)
        );
        assert!(ShortId::new(&[b'x'; 24]).is_none());
    }

    #[test]
    fn item_words_find_exactly_the_ids() {
        let ids: Vec<&[u8]> = vec![b"q01", b"q02", b"q1", b"abcdefgh", b"q01"];
        let t = ItemWords::new(&ids).expect("short ids");
        let region = b"q01,q02,q1,abcdefgh,q0,q011,Q01,x";
        assert_eq!(t.find(region, 0, 3), Some(0));
        assert_eq!(t.find(region, 4, 3), Some(1));
        assert_eq!(t.find(region, 8, 2), Some(2));
        assert_eq!(t.find(region, 11, 8), Some(3), "eight bytes");
        assert_eq!(t.find(region, 20, 2), None, "a prefix of an id");
        assert_eq!(t.find(region, 23, 4), None, "an id and more");
        assert_eq!(t.find(region, 28, 3), None, "case matters here");
        assert_eq!(t.find(region, 32, 1), None, "near the end");
        assert_eq!(t.find(region, 0, 0), None);
        assert!(ItemWords::new(&[b"a_long_item_id"]).is_none());
    }

    #[test]
    fn id_index_unsorted_finds_every_id_through_growth() {
        // Shuffled ids of every short length, some long ones, some repeated:
        // get_or_insert numbers each new id in order and finds the old ones.
        let mut idx = IdIndex::new();
        let mut want: Vec<Vec<u8>> = Vec::new();
        let mut known: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut x: u64 = 12345;
        for i in 0..60_000u32 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let id = match i % 4 {
                0 => format!("R{:07}", x % 40_000),
                1 => format!("{}", x % 9_000),
                2 => format!("a-long-respondent-identifier-{}", x % 500),
                _ => "x".repeat((x % 23) as usize + 1),
            }
            .into_bytes();
            let expect = known.get(&id).copied();
            let (r, new) = idx.get_or_insert(&id, want.len() as u32);
            match expect {
                Some(e) => assert_eq!((r, new), (e as u32, false), "{id:?}"),
                None => {
                    assert_eq!((r, new), (want.len() as u32, true), "{id:?}");
                    known.insert(id.clone(), want.len());
                    want.push(id);
                }
            }
        }
        assert!(want.len() > 10_000);
        for (r, id) in want.iter().enumerate() {
            assert_eq!(idx.get(id), Some(r as u32));
        }
        assert_eq!(idx.get(b"R9999999"), None);
        assert_eq!(idx.entries().count(), want.len());
    }

    #[test]
    fn values_by_length_know_what_the_dictionary_knows() {
        // Distinct lengths (one candidate each), two values of one length
        // (the scan), a value too long for the table, and values never
        // seen: every answer is the dictionary's own.
        let mut d = GroupDict::new();
        let seen = [
            "consumer",
            "vip",
            "enterprise",
            "abc",
            "a value longer than thirty-two bytes",
            "",
        ];
        for v in seen {
            d.code(v.as_bytes());
        }
        let by_len = ValuesByLength::new(&d);
        let asked = seen.iter().copied().chain([
            "consumes",
            "vip ",
            "vi",
            "xyz",
            "a value longer than thirty-two bytez",
            "新客户",
        ]);
        for v in asked {
            let want = d.values.iter().position(|x| x == v).map(|i| i as u32);
            assert_eq!(by_len.known(v.as_bytes()), want, "{v:?}");
            assert_eq!(d.known(v.as_bytes()), want, "{v:?}");
        }
        assert_eq!(by_len.known(b"consumer"), Some(0));
        assert_eq!(by_len.known(b"abc"), Some(3));
    }

    #[test]
    fn id_index_sorted_then_unsorted() {
        let mut idx = IdIndex::new();
        for (r, id) in ["R001", "R002", "R010"].iter().enumerate() {
            assert!(idx.beyond_last(id.as_bytes()));
            idx.insert(id.as_bytes(), r as u32);
        }
        assert!(idx.sorted.is_some(), "increasing ids stay a sorted list");
        assert_eq!(idx.get(b"R002"), Some(1));
        assert_eq!(idx.get(b"R003"), None);
        assert!(!idx.beyond_last(b"R009"));
        // An id out of order (or too long to store inline) turns the list into maps.
        idx.insert(b"R005", 3);
        assert!(idx.sorted.is_none());
        idx.insert(b"a-respondent-id-longer-than-23-bytes", 4);
        for (id, r) in [
            ("R001", 0),
            ("R002", 1),
            ("R010", 2),
            ("R005", 3),
            ("a-respondent-id-longer-than-23-bytes", 4),
        ] {
            assert_eq!(idx.get(id.as_bytes()), Some(r), "{id}");
        }
        assert!(!idx.beyond_last(b"S"));
        let mut all: Vec<(Vec<u8>, u32)> = idx.entries().collect();
        all.sort_by_key(|e| e.1);
        assert_eq!(all.len(), 5);
        assert_eq!(all[3].0, b"R005".to_vec());
        // A prefix sorts before its extensions, as bytes do.
        let mut idx = IdIndex::new();
        idx.insert(b"R1", 0);
        idx.insert(b"R10", 1);
        assert!(idx.sorted.is_some());
        assert_eq!(idx.get(b"R1"), Some(0));
        assert_eq!(idx.get(b"R10"), Some(1));
    }
}
