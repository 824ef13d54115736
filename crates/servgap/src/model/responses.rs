//! Every respondent's answers, compactly: the record a survey reader fills
//! and the survey analysis reads. Answers are 16-bit codes into a
//! dictionary of the distinct score values seen (`ValueDict`), one per
//! respondent × item × measure, so a million respondents × 22 items × E and
//! P take 88 MB whatever the scale and values stay exact; respondent ids
//! are kept inline when short, and looked up without hashing while they
//! come in increasing order (the usual export).
//!
//! The store's half of a survey row's rule lives here, once
//! (`ResponseStore::add_answer`, `ResponseStore::add_respondent`): a
//! respondent × item given twice, or a respondent in two groups, is a
//! conflict, however the rows came (read in order, partitioned through
//! temporary files, or merged from another range of the file).

use serde::Serialize;

use super::dictionary::{fast_map, FastMap, GroupDict, ValueDict};
use super::tallies::RowCounts;
use crate::bytes::{id_words, short_eq};

/// A respondent id of up to 23 bytes, stored inline (no allocation, one
/// memory access per lookup in a table of a million respondents).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortId([u64; 3]);

impl ShortId {
    /// Bytes 0..23 little-endian in three words, the length in byte 23.
    #[inline]
    fn new(id: &[u8]) -> Option<Self> {
        id_words(id).map(ShortId)
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
pub struct IdIndex {
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
pub enum Keys {
    /// By the `respondent_id` column.
    Ids(IdIndex),
    /// By data row number (no id column): entry r is respondent r's row number.
    Rows(Vec<u64>),
}

/// Every respondent's answers, compactly.
#[derive(Debug, Clone)]
pub struct ResponseStore {
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
    /// How respondents are keyed: by id, or by data row number.
    pub keys: Keys,
    /// The distinct score values the codes stand for.
    pub values: ValueDict,
    /// The values of each grouping column the group codes stand for.
    pub group_dicts: Vec<GroupDict>,
    last: Option<(Vec<u8>, u32)>,
}

impl ResponseStore {
    /// An empty store of `k` items, the measures present at `slot`
    /// (measure → slot), `by` grouping columns, keyed by id (else by data
    /// row number).
    pub(crate) fn new(k: usize, slot: [Option<usize>; 4], by: usize, by_id: bool) -> Self {
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

    /// An empty store of the same items, measures and groups.
    pub(crate) fn empty_like(&self) -> Self {
        ResponseStore::new(
            self.k,
            self.slot,
            self.group_dicts.len(),
            matches!(self.keys, Keys::Ids(_)),
        )
    }

    /// Makes room for `n` more respondents where memory allows (a failed
    /// reservation only means the store grows as it fills).
    pub(crate) fn reserve(&mut self, n: usize) {
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
    pub(crate) fn reserve_hashed(&mut self, n: usize) {
        if let Keys::Ids(idx) = &mut self.keys {
            idx.unsort();
        }
        self.reserve(n);
    }

    /// Number of respondent slots (including ones moved to another store).
    pub fn len(&self) -> usize {
        self.first_line.len()
    }

    /// Whether the store has no respondent slots.
    pub fn is_empty(&self) -> bool {
        self.first_line.is_empty()
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
            if short_eq(b, id) {
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

    pub(crate) fn seen(&self, r: u32, item: usize) -> bool {
        self.seen[r as usize * self.words + item / 64] >> (item % 64) & 1 == 1
    }

    #[inline]
    pub(crate) fn mark(&mut self, r: u32, item: usize) {
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

/// `first_line` of a respondent whose answers moved to an earlier store.
pub(crate) const MOVED: u64 = u64::MAX;

/// Why an answer cannot be added to a store: what its rows say conflicts
/// with an earlier row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conflict {
    /// The respondent answered this item on an earlier row.
    Repeated,
    /// The respondent was in another group of `--by` column `column`
    /// (code `was`) from line `first_line` on.
    Regrouped {
        column: usize,
        was: u32,
        first_line: u64,
    },
    /// One row per respondent (wide form): the respondent's row came
    /// before, on line `first_line`.
    Respondent { first_line: u64 },
}

impl ResponseStore {
    /// Adds respondent `id`'s answer to `item` (`codes` by slot), the row
    /// on `line` in `groups`: the respondent's index, or what conflicts.
    #[inline(always)]
    pub(crate) fn add_answer(
        &mut self,
        id: &[u8],
        line: u64,
        groups: &[u32],
        item: usize,
        codes: &[u16],
    ) -> Result<u32, Conflict> {
        let (r, new) = self.respondent(id, line, groups);
        self.answer_of(r, new, groups, item, codes)
    }

    /// [`ResponseStore::add_answer`] for an id whose [`id_words`] are known
    /// (a record read back from a partition file): the respondent is found
    /// by them, without the bytes, while the index is hashed.
    ///
    #[inline(always)]
    pub(crate) fn add_answer_by_words(
        &mut self,
        words: [u64; 3],
        id: &[u8],
        line: u64,
        groups: &[u32],
        item: usize,
        codes: &[u16],
    ) -> Result<u32, Conflict> {
        let (r, new) = match self.hashed_respondent(words, line, groups) {
            Some(found) => found,
            None => self.respondent(id, line, groups),
        };
        self.answer_of(r, new, groups, item, codes)
    }

    /// The rule of an answer of respondent `r` (`new`: added by this row):
    /// one group per respondent, one answer per item.
    #[inline(always)]
    fn answer_of(
        &mut self,
        r: u32,
        new: bool,
        groups: &[u32],
        item: usize,
        codes: &[u16],
    ) -> Result<u32, Conflict> {
        if !new {
            let base = r as usize * groups.len();
            if let Some(g) = (0..groups.len()).find(|&g| self.groups[base + g] != groups[g]) {
                if self.seen(r, item) {
                    return Err(Conflict::Repeated);
                }
                return Err(Conflict::Regrouped {
                    column: g,
                    was: self.groups[base + g],
                    first_line: self.first_line[r as usize],
                });
            }
        }
        self.add_answer_of(r, item, codes)?;
        Ok(r)
    }

    /// [`ResponseStore::add_answer`] for respondent `r`, known to be the
    /// previous row's in the same groups.
    #[inline(always)]
    pub(crate) fn add_answer_of(
        &mut self,
        r: u32,
        item: usize,
        codes: &[u16],
    ) -> Result<(), Conflict> {
        self.answers_of(r).add(item, codes)
    }

    /// Respondent `r`'s answers, to add to (a run of rows of one
    /// respondent finds them once).
    #[inline(always)]
    pub(crate) fn answers_of(&mut self, r: u32) -> Answers<'_> {
        let (r, k, m, words) = (r as usize, self.k, self.m, self.words);
        Answers {
            seen: self
                .seen
                .get_mut(r * words..(r + 1) * words)
                .unwrap_or_default(),
            codes: self
                .codes
                .get_mut(r * k * m..(r + 1) * k * m)
                .unwrap_or_default(),
            m,
        }
    }

    /// Adds a respondent's row (wide form): keyed by `id`, or by
    /// `row_number` without an id column, with `codes[j]` the answer of
    /// `cells[j]` (item, slot). The index, or the respondent's earlier row.
    pub(crate) fn add_respondent(
        &mut self,
        id: Option<&[u8]>,
        row_number: u64,
        line: u64,
        groups: &[u32],
        cells: &[(usize, usize)],
        codes: &[u16],
    ) -> Result<u32, Conflict> {
        let r = match (&mut self.keys, id) {
            (Keys::Rows(rows), _) => {
                rows.push(row_number);
                self.push_respondent(line, groups)
            }
            (Keys::Ids(_), Some(id)) => match self.respondent(id, line, groups) {
                (r, true) => r,
                (r, false) => {
                    return Err(Conflict::Respondent {
                        first_line: self.first_line[r as usize],
                    })
                }
            },
            (Keys::Ids(_), None) => self.push_respondent(line, groups),
        };
        let base = r as usize * self.k;
        for (&(item, slot), &code) in cells.iter().zip(codes) {
            self.mark(r, item);
            self.codes[(base + item) * self.m + slot] = code;
        }
        Ok(r)
    }
}

/// One respondent's answers in a store ([`ResponseStore::answers_of`]).
pub(crate) struct Answers<'s> {
    seen: &'s mut [u64],
    codes: &'s mut [u16],
    m: usize,
}

impl Answers<'_> {
    /// Adds the answer to `item` (`codes` by slot), unless the respondent
    /// answered it before.
    #[inline(always)]
    pub(crate) fn add(&mut self, item: usize, codes: &[u16]) -> Result<(), Conflict> {
        let bit = 1u64 << (item % 64);
        let Some(seen) = self.seen.get_mut(item / 64) else {
            return Err(Conflict::Repeated);
        };
        if *seen & bit != 0 {
            return Err(Conflict::Repeated);
        }
        *seen |= bit;
        let base = item * self.m;
        // (fixed lengths: a copy of the usual two codes, not a call to memcpy)
        match (self.codes.get_mut(base..base + self.m), codes) {
            (Some([e, p]), [ce, cp, ..]) => (*e, *p) = (*ce, *cp),
            (Some(dst), src) => dst.copy_from_slice(&src[..dst.len()]),
            (None, _) => {}
        }
        Ok(())
    }
}

/// A conflict met while merging stores, for the reader to report: the
/// line of the later row, the respondent, the item when one, and what.
#[derive(Debug, Clone)]
pub(crate) struct MergeConflict {
    pub line: u64,
    pub id: Vec<u8>,
    pub item: usize,
    pub conflict: Conflict,
    /// The later row's group codes, in the earlier store's dictionaries.
    pub groups: Vec<u32>,
}

/// Puts store `b` (read from a later range of the file) beside the earlier
/// `stores`: shifts its lines (by `off`) and row numbers (by `rows_before`),
/// and moves every respondent an earlier store also holds into that store,
/// answer by answer through [`ResponseStore::add_answer`] (or, one row per
/// respondent, as a repeated respondent), leaving a tombstone behind. Each
/// conflict goes to `clash`, which reports it (an error stops the merge)
/// or counts it; its answer is dropped. Sorted exports share at most a
/// respondent per range boundary, so this is cheap where it matters.
pub(crate) fn reconcile(
    stores: &mut [ResponseStore],
    b: &mut ResponseStore,
    off: u64,
    rows_before: u64,
    one_row_each: bool,
    clash: &mut dyn FnMut(&ResponseStore, &MergeConflict) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    for l in &mut b.first_line {
        *l += off;
    }
    b.last = None;
    let mut overlaps: Vec<(usize, usize, Vec<u8>)> = match &mut b.keys {
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
            for (id, rb) in bidx.entries() {
                if b_sorted && beyond_all(&id) {
                    break;
                }
                let held = stores.iter().position(|a| match &a.keys {
                    Keys::Ids(aidx) if !aidx.beyond_last(&id) => aidx
                        .get(&id)
                        .is_some_and(|ra| a.first_line[ra as usize] != MOVED),
                    _ => false,
                });
                if let Some(si) = held {
                    out.push((rb as usize, si, id));
                }
            }
            out
        }
    };
    // In the later range's order of first appearance (file order), whatever
    // order the index lists its ids in.
    overlaps.sort_unstable_by_key(|o| o.0);
    let nby = b.group_dicts.len();
    for (rb, si, id) in overlaps {
        let a = &mut stores[si];
        let line = b.first_line[rb];
        b.first_line[rb] = MOVED;
        // b's codes in a's dictionaries
        let groups: Vec<u32> = (0..nby)
            .map(|g| {
                a.group_dicts[g]
                    .code(b.group_dicts[g].values[b.groups[rb * nby + g] as usize].as_bytes())
            })
            .collect();
        if one_row_each {
            let first_line = match &a.keys {
                Keys::Ids(aidx) => aidx.get(&id).map_or(0, |ra| a.first_line[ra as usize]),
                Keys::Rows(_) => 0,
            };
            let conflict = MergeConflict {
                line,
                id,
                item: 0,
                conflict: Conflict::Respondent { first_line },
                groups,
            };
            clash(a, &conflict)?;
            continue;
        }
        let mut codes = vec![0u16; b.m];
        for item in 0..b.k {
            if !b.seen(rb as u32, item) {
                continue;
            }
            let base = (rb * b.k + item) * b.m;
            for (s, c) in codes.iter_mut().enumerate() {
                let v = b.values.value(b.codes[base + s]);
                *c = match v {
                    Some(v) => a.values.code(v).ok_or_else(|| {
                        crate::error::Error::inconsistent("more than 65,534 distinct score values")
                    })?,
                    None => 0,
                };
            }
            if let Err(conflict) = a.add_answer(&id, line, &groups, item, &codes) {
                let c = MergeConflict {
                    line,
                    id: id.clone(),
                    item,
                    conflict,
                    groups: groups.clone(),
                };
                clash(a, &c)?;
            }
        }
        a.last = None;
    }
    Ok(())
}

/// Which score a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Expectation (E).
    Expectation,
    /// Perception (P).
    Perception,
    /// Adequate (minimum acceptable) level (A).
    Adequate,
    /// Desired level (D).
    Desired,
}

impl Measure {
    /// All measures, in storage order.
    pub const ALL: [Measure; 4] = [
        Measure::Expectation,
        Measure::Perception,
        Measure::Adequate,
        Measure::Desired,
    ];

    /// Storage index 0..4.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses `expectation`, `perception`, `adequate`, `desired` (or `e`, `p`, `a`, `d`, `minimum`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "expectation" | "e" | "expected" => Some(Measure::Expectation),
            "perception" | "p" | "perceived" => Some(Measure::Perception),
            "adequate" | "a" | "minimum" => Some(Measure::Adequate),
            "desired" | "d" => Some(Measure::Desired),
            _ => None,
        }
    }
}

/// Which form a survey file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
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

impl SurveyForm {
    /// The form's name, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyForm::Long => "long",
            SurveyForm::Wide => "wide",
            SurveyForm::Mapped => "mapped",
            SurveyForm::Summary => "summary",
        }
    }
}

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

/// What reading a survey produced, for the computation.
#[derive(Debug, Clone)]
pub(crate) enum SurveyBody {
    /// One store per range read; a respondent lives in exactly one
    /// (tombstoned elsewhere).
    Respondents(Vec<ResponseStore>),
    Summary(Vec<SummaryRow>),
}

/// A read and validated survey: what the survey analysis computes from.
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
    /// Respondent × item duplicates found while merging the ranges of a
    /// file, whose lines the stores do not know: (respondent, item, the
    /// respondent's first line in the later range). The reader finds
    /// their lines afterwards.
    pub(crate) unplaced: Vec<(String, String, u64)>,
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

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
