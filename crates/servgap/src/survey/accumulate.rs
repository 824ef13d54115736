//! Accumulating a store of responses into per-group sums, the survey
//! analysis's inner loop. Each store (one per range of the file a core
//! read) is scanned once, respondent by respondent, by one of three
//! strategies chosen once for the store ([`Strategy`]) from its values and
//! measures; each gives the same figures its own way:
//!
//! - **whole**: E and P only, every score a whole number, few distinct
//!   values (the usual export). A respondent complete in a dimension adds
//!   one to each of three counts of integer sums (Σ E, Σ P, Σ P − E;
//!   [`WholeSums`]), and one to a count of (E, P) code pairs per item;
//!   dimension means and α totals come from the integer counts at the end,
//!   exactly. A respondent who skipped items of a dimension is counted
//!   the same way by the number of items answered, and their overall gap
//!   as an integer multiple ([`GroupAcc::incomplete`]), so that however
//!   the respondents are split (between cores, or into parts merged
//!   later), the figures are the same to the last digit.
//! - **pairs**: E and P only, few distinct values, some not whole: item
//!   moments from counts of (E, P) code pairs, dimension means and α
//!   totals as values.
//! - **general**: anything else (many distinct values, or the zone of
//!   tolerance's adequate and desired measures): per-item values into
//!   running sums (the pair counts still take the item moments when the
//!   values are few).
//!
//! [`StrategyCounts`] counts the respondents each strategy took, so that
//! tests see which one ran.

use std::collections::HashMap;

use crate::model::importance::Importance;
use crate::model::instrument::Instrument;
use crate::model::responses::{Measure, ResponseStore};
use crate::stats::counts::{pair_moments, IntCounts, SparseCounts};
use crate::stats::{AlphaAccumulator, Moments, SumMoments};

/// Distinct score values (with the missing code) up to which item moments
/// come from counts of (E, P) code pairs.
const FEW_VALUES: usize = 16;

/// Respondents accumulated by each strategy (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StrategyCounts {
    /// Whole scores: counts of integer sums.
    pub whole: u64,
    /// Few values, not all whole: counts of code pairs.
    pub pairs: u64,
    /// Anything else: running sums of values.
    pub general: u64,
}

impl StrategyCounts {
    /// Adds another count.
    pub fn add(&mut self, o: &StrategyCounts) {
        self.whole += o.whole;
        self.pairs += o.pairs;
        self.general += o.general;
    }
}

/// Per-group accumulators over respondents. Item-level sums are exact for
/// integer scores; per-respondent dimension means come from counts of
/// integer sums when scores are whole (see [`WholeSums`]), else from
/// Welford updates.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct GroupAcc {
    pub respondents: u64,
    pub item_e: Vec<SumMoments>,
    pub item_p: Vec<SumMoments>,
    pub item_d: Vec<SumMoments>,
    pub dim_e: Vec<Moments>,
    pub dim_p: Vec<Moments>,
    pub dim_d: Vec<Moments>,
    pub alpha: Vec<[AlphaAccumulator; 3]>,
    pub weighted: Moments,
    pub imp_sum: Vec<f64>,
    pub imp_n: u64,
    pub zone_item: Vec<[SumMoments; 3]>,
    pub zone_dim: Vec<[Moments; 3]>,
    /// Per dimension: counts of complete respondents' integer sums of E, P
    /// and P − E ([`WholeSums`]), summed over stores and turned into means
    /// and α totals only by [`GroupAcc::settled`], so those figures do not
    /// depend on how respondents were split into stores.
    pub whole: Vec<[IntCounts; 3]>,
    /// Per item, over the whole strategy's respondents complete in its
    /// dimension: Σ x·S of E, P and P − E (S the dimension's sum), exact
    /// integers, for the item–total covariances of α's sample.
    pub whole_cross: Vec<[i64; 3]>,
    /// Each respondent's overall gap: the mean of their dimension gaps.
    pub overall: Moments,
    /// Counts of L·D × the overall gap of whole-strategy respondents
    /// complete in every dimension (an integer, L the lcm of the
    /// dimensions' item counts and D their number): turned into `overall`
    /// exactly by [`GroupAcc::settled`], whatever the order.
    pub whole_overall: IntCounts,
    /// Per dimension and number `c` of items answered (index `c − 1`):
    /// counts of the integer sums of E, P and P − E of whole-strategy
    /// respondents who skipped some of its items, turned into means by
    /// [`GroupAcc::settled`] exactly, whatever the order.
    pub incomplete: Vec<Vec<[IntCounts; 3]>>,
    /// Counts of M × the overall gap of whole-strategy respondents
    /// incomplete somewhere (an integer, M from [`incomplete_scale`]).
    pub incomplete_overall: SparseCounts,
}

/// M of [`GroupAcc::incomplete_overall`]: lcm(1..=k) × lcm(1..=D) (k the
/// most items of a dimension, D the dimensions with items), which makes
/// the mean over a respondent's dimensions of their means over answered
/// items an integer; `None` past 2^24 (long dimensions), when those
/// respondents' overall gaps go as values.
fn incomplete_scale(dims: &[Vec<usize>]) -> Option<i64> {
    let k = dims.iter().map(Vec::len).max().unwrap_or(0);
    let d = dims.iter().filter(|items| !items.is_empty()).count();
    let m = lcm_to(k)?.checked_mul(lcm_to(d)?)?;
    (m <= 1 << 24).then_some(m)
}

/// lcm(1, 2, …, n); `None` past `i64`.
fn lcm_to(n: usize) -> Option<i64> {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    (1..=n as i64).try_fold(1i64, |l, k| (l / gcd(l, k)).checked_mul(k))
}

/// L·D of [`GroupAcc::whole_overall`], and each dimension's L / k.
fn overall_scale(dims: &[Vec<usize>]) -> (i64, Vec<i64>) {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let ks: Vec<i64> = dims.iter().map(|d| d.len() as i64).collect();
    let l = ks
        .iter()
        .filter(|&&k| k > 0)
        .fold(1i64, |l, &k| (l / gcd(l, k)).saturating_mul(k));
    let d = ks.iter().filter(|&&k| k > 0).count() as i64;
    let mult = ks.iter().map(|&k| if k > 0 { l / k } else { 0 }).collect();
    (l.saturating_mul(d), mult)
}

impl GroupAcc {
    /// Adds one respondent's means over the `c` items of dimension `d` they
    /// answered (sums `se` of E and `sp` of P); returns their gap there.
    #[inline]
    fn push_dimension(&mut self, d: usize, se: f64, sp: f64, c: u32) -> Option<f64> {
        if c == 0 {
            return None;
        }
        let cf = c as f64;
        self.dim_e[d].push(se / cf);
        self.dim_p[d].push(sp / cf);
        let g = (sp - se) / cf;
        self.dim_d[d].push(g);
        Some(g)
    }

    pub(super) fn new(ins: &Instrument) -> Self {
        let k = ins.items.len();
        let nd = ins.dimensions.len();
        GroupAcc {
            respondents: 0,
            item_e: vec![SumMoments::default(); k],
            item_p: vec![SumMoments::default(); k],
            item_d: vec![SumMoments::default(); k],
            dim_e: vec![Moments::default(); nd],
            dim_p: vec![Moments::default(); nd],
            dim_d: vec![Moments::default(); nd],
            alpha: (0..nd)
                .map(|d| {
                    let n = ins.items_of(d).len();
                    [
                        AlphaAccumulator::new(n),
                        AlphaAccumulator::new(n),
                        AlphaAccumulator::new(n),
                    ]
                })
                .collect(),
            weighted: Moments::default(),
            imp_sum: vec![0.0; nd],
            imp_n: 0,
            zone_item: vec![[SumMoments::default(); 3]; k],
            zone_dim: vec![[Moments::default(); 3]; nd],
            whole: vec![Default::default(); nd],
            whole_cross: vec![[0; 3]; k],
            overall: Moments::default(),
            whole_overall: IntCounts::default(),
            incomplete: (0..nd)
                .map(|d| vec![Default::default(); ins.items_of(d).len()])
                .collect(),
            incomplete_overall: SparseCounts::default(),
        }
    }

    /// This accumulator with the whole-score counts turned into dimension
    /// moments and α totals (`dims`: each dimension's items).
    pub(super) fn settled(&self, dims: &[Vec<usize>]) -> GroupAcc {
        let mut acc = self.clone();
        for (d, sums) in self.whole.iter().enumerate() {
            let k = dims.get(d).map_or(0, Vec::len);
            if k == 0 || sums.iter().all(IntCounts::is_empty) {
                continue;
            }
            let means = [&mut acc.dim_e[d], &mut acc.dim_p[d], &mut acc.dim_d[d]];
            for (moments, c) in means.into_iter().zip(sums) {
                moments.merge(&Moments::from_integer_counts(c.entries(), k as u64));
            }
            if k > 1 {
                for (j, &i) in dims[d].iter().enumerate() {
                    for (alpha, x) in acc.alpha[d].iter_mut().zip(self.whole_cross[i]) {
                        alpha.add_cross(j, x as f64);
                    }
                }
                for (alpha, c) in acc.alpha[d].iter_mut().zip(sums) {
                    let mut totals = SumMoments::default();
                    for (x, n) in c.entries() {
                        let x = x as f64;
                        totals.n += n;
                        totals.s1 += x * n as f64;
                        totals.s2 += x * x * n as f64;
                    }
                    alpha.merge_totals(&totals);
                }
            }
        }
        for (d, by_answered) in self.incomplete.iter().enumerate() {
            for (j, sums) in by_answered.iter().enumerate() {
                let means = [&mut acc.dim_e[d], &mut acc.dim_p[d], &mut acc.dim_d[d]];
                for (moments, c) in means.into_iter().zip(sums) {
                    if !c.is_empty() {
                        moments.merge(&Moments::from_integer_counts(c.entries(), j as u64 + 1));
                    }
                }
            }
        }
        if !self.whole_overall.is_empty() {
            let (div, _) = overall_scale(dims);
            acc.overall.merge(&Moments::from_integer_counts(
                self.whole_overall.entries(),
                div as u64,
            ));
        }
        if let (false, Some(m)) = (self.incomplete_overall.is_empty(), incomplete_scale(dims)) {
            acc.overall.merge(&Moments::from_integer_counts(
                self.incomplete_overall.entries(),
                m as u64,
            ));
        }
        acc.whole = vec![Default::default(); self.whole.len()];
        acc.whole_cross = vec![[0; 3]; self.whole_cross.len()];
        acc.whole_overall = IntCounts::default();
        acc.incomplete = self
            .incomplete
            .iter()
            .map(|by_answered| vec![Default::default(); by_answered.len()])
            .collect();
        acc.incomplete_overall = SparseCounts::default();
        acc
    }

    /// Whether these sums have the shape of `ins`'s items and dimensions
    /// (sums read back from a partial result).
    pub(super) fn fits(&self, ins: &Instrument) -> bool {
        let (k, nd) = (ins.items.len(), ins.dimensions.len());
        let per_item = [
            self.item_e.len(),
            self.item_p.len(),
            self.item_d.len(),
            self.zone_item.len(),
            self.whole_cross.len(),
        ];
        let per_dimension = [
            self.dim_e.len(),
            self.dim_p.len(),
            self.dim_d.len(),
            self.alpha.len(),
            self.imp_sum.len(),
            self.zone_dim.len(),
            self.whole.len(),
            self.incomplete.len(),
        ];
        per_item.iter().all(|&n| n == k)
            && per_dimension.iter().all(|&n| n == nd)
            && self.alpha.iter().enumerate().all(|(d, scales)| {
                let n = ins.items_of(d).len();
                scales.iter().all(|a| a.fits(n)) && self.incomplete[d].len() == n
            })
    }

    pub(super) fn merge(&mut self, a: &GroupAcc) {
        self.respondents += a.respondents;
        for (x, y) in [
            (&mut self.item_e, &a.item_e),
            (&mut self.item_p, &a.item_p),
            (&mut self.item_d, &a.item_d),
        ] {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        for (x, y) in [
            (&mut self.dim_e, &a.dim_e),
            (&mut self.dim_p, &a.dim_p),
            (&mut self.dim_d, &a.dim_d),
        ] {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        for (x, y) in self.alpha.iter_mut().zip(&a.alpha) {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        self.weighted.merge(&a.weighted);
        self.imp_sum
            .iter_mut()
            .zip(&a.imp_sum)
            .for_each(|(x, y)| *x += y);
        self.imp_n += a.imp_n;
        for (x, y) in self.zone_item.iter_mut().zip(&a.zone_item) {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        for (x, y) in self.zone_dim.iter_mut().zip(&a.zone_dim) {
            x.iter_mut().zip(y).for_each(|(x, y)| x.merge(y));
        }
        for (x, y) in self.whole.iter_mut().zip(&a.whole) {
            for (x, y) in x.iter_mut().zip(y) {
                x.merge(y);
            }
        }
        for (x, y) in self.whole_cross.iter_mut().zip(&a.whole_cross) {
            for (x, y) in x.iter_mut().zip(y) {
                *x += y;
            }
        }
        self.overall.merge(&a.overall);
        self.whole_overall.merge(&a.whole_overall);
        for (x, y) in self.incomplete.iter_mut().zip(&a.incomplete) {
            for (x, y) in x.iter_mut().zip(y) {
                for (x, y) in x.iter_mut().zip(y) {
                    x.merge(y);
                }
            }
        }
        self.incomplete_overall.merge(&a.incomplete_overall);
    }
}

/// How one store's respondents are accumulated (see the module docs).
enum Strategy {
    /// Whole scores, with their sums' tables, and the E and P slots.
    Whole(WholeSums, usize, usize),
    /// Few values: the E and P slots.
    Pairs(usize, usize),
    /// Running sums.
    General,
}

/// One store's scan: what every strategy reads.
struct StoreScan<'a> {
    store: &'a ResponseStore,
    /// Each dimension's items.
    dims: Vec<Vec<usize>>,
    /// Code → value (code 0, missing → NaN, never used as a value).
    values: Vec<f64>,
    /// The store-local group of each respondent.
    group_of: Vec<usize>,
    /// Each respondent's importance weights (per-respondent importance).
    weights: Option<Vec<Option<&'a Vec<f64>>>>,
    e_slot: Option<usize>,
    p_slot: Option<usize>,
    /// Adequate, desired and perception slots, when the zone of tolerance
    /// is measured.
    zone_slots: Option<(usize, usize, usize)>,
    /// Whether item moments come from counts of code pairs.
    use_pairs: bool,
}

/// Per group: counts of (E, P) code pairs per item of every respondent
/// (`all`), and of some of them (`some`: complete respondents, or with
/// the whole strategy incomplete ones).
struct PairCounts {
    all: Vec<u32>,
    some: Vec<u32>,
}

/// Accumulates one store: group key (values of the `--by` columns) →
/// accumulator; counts the respondents by strategy into `counts`.
pub(super) fn accumulate_store(
    store: &ResponseStore,
    nby: usize,
    ins: &Instrument,
    importance: Option<&Importance>,
    counts: &mut StrategyCounts,
) -> Vec<(Vec<String>, GroupAcc)> {
    let (group_of, keys) = store_groups(store, nby);
    let slot = |m: Measure| store.slot[m.index()];
    let p_slot = slot(Measure::Perception);
    let dims: Vec<Vec<usize>> = (0..ins.dimensions.len()).map(|d| ins.items_of(d)).collect();
    let values: Vec<f64> = std::iter::once(f64::NAN)
        .chain(store.values.values.iter().copied())
        .collect();
    let scan = StoreScan {
        store,
        group_of,
        weights: match importance {
            Some(Importance::Respondent(map)) => {
                Some(store.ids().iter().map(|id| map.get(id)).collect())
            }
            _ => None,
        },
        e_slot: slot(Measure::Expectation).or(slot(Measure::Desired)),
        p_slot,
        zone_slots: match (slot(Measure::Adequate), slot(Measure::Desired), p_slot) {
            (Some(a), Some(d), Some(p)) => Some((a, d, p)),
            _ => None,
        },
        use_pairs: values.len() <= FEW_VALUES,
        values,
        dims,
    };
    let mut accs = vec![GroupAcc::new(ins); keys.len()];
    let len = if scan.use_pairs {
        store.k * scan.values.len() * scan.values.len()
    } else {
        0
    };
    let mut pairs: Vec<PairCounts> = (0..keys.len())
        .map(|_| PairCounts {
            all: vec![0; len],
            some: vec![0; len],
        })
        .collect();
    let n = match scan.strategy() {
        Strategy::Whole(w, es, ps) => {
            let n = scan.whole(&w, es, ps, &mut accs, &mut pairs);
            counts.whole += n;
            n
        }
        Strategy::Pairs(es, ps) => {
            let n = scan.pairs(es, ps, &mut accs, &mut pairs);
            counts.pairs += n;
            n
        }
        Strategy::General => {
            let n = scan.general(&mut accs, &mut pairs);
            counts.general += n;
            n
        }
    };
    debug_assert!(n <= store.len() as u64);
    if scan.use_pairs {
        scan.settle_pairs(&mut accs, &pairs);
    }
    keys.iter()
        .zip(accs)
        .map(|(codes, acc)| {
            let key = codes
                .iter()
                .enumerate()
                .map(|(g, &c)| store.group_dicts[g].values[c as usize].clone())
                .collect();
            (key, acc)
        })
        .collect()
}

/// The store-local group of each respondent, and each group's codes of
/// the `--by` values. One `--by` column (group codes are small dictionary
/// codes) needs no hashing; without `--by` the store is one group
/// (possibly empty: it then adds nothing).
fn store_groups(store: &ResponseStore, nby: usize) -> (Vec<usize>, Vec<&[u32]>) {
    let mut combos: HashMap<&[u32], usize, foldhash::fast::FixedState> =
        HashMap::with_hasher(foldhash::fast::FixedState::with_seed(0x6a09_e667));
    let mut dense: Vec<usize> = Vec::new();
    let mut keys: Vec<&[u32]> = Vec::new();
    let group_of: Vec<usize> = (0..store.len())
        .map(|r| {
            if nby == 0 {
                return 0;
            }
            let key = &store.groups[r * nby..(r + 1) * nby];
            if let [code] = key {
                let c = *code as usize;
                if c < 1 << 16 {
                    if c >= dense.len() {
                        dense.resize(c + 1, usize::MAX);
                    }
                    if dense[c] == usize::MAX {
                        keys.push(key);
                        dense[c] = keys.len() - 1;
                    }
                    return dense[c];
                }
            }
            *combos.entry(key).or_insert_with(|| {
                keys.push(key);
                keys.len() - 1
            })
        })
        .collect();
    if nby == 0 {
        keys.push(&[]);
    }
    (group_of, keys)
}

impl StoreScan<'_> {
    /// The strategy for this store (see the module docs).
    fn strategy(&self) -> Strategy {
        match (self.use_pairs, self.zone_slots, self.e_slot, self.p_slot) {
            (true, None, Some(es), Some(ps)) => match WholeSums::new(&self.values, &self.dims) {
                Some(w) => Strategy::Whole(w, es, ps),
                None => Strategy::Pairs(es, ps),
            },
            _ => Strategy::General,
        }
    }

    /// The live respondents: index, group, and their codes (item-major,
    /// `m` per item).
    fn respondents(&self) -> impl Iterator<Item = (usize, usize, &[u16])> + '_ {
        let (k, m) = (self.store.k, self.store.m);
        (0..self.store.len())
            .filter(|&r| self.store.is_live(r))
            .map(move |r| {
                (
                    r,
                    self.group_of[r],
                    &self.store.codes[r * k * m..(r + 1) * k * m],
                )
            })
    }

    /// The whole strategy; returns the respondents it took.
    fn whole(
        &self,
        w: &WholeSums,
        es: usize,
        ps: usize,
        accs: &mut [GroupAcc],
        pairs: &mut [PairCounts],
    ) -> u64 {
        let (m, v) = (self.store.m, self.values.len());
        let mut sums: Vec<Vec<u32>> = (0..accs.len()).map(|_| vec![0u32; w.len]).collect();
        let mut dim_gap = vec![None::<f64>; self.dims.len()];
        // each dimension's integer sum of P − E and items answered
        let mut dim_sums = vec![None::<(i64, usize)>; self.dims.len()];
        let mut n = 0;
        for (r, g, row) in self.respondents() {
            n += 1;
            let (acc, hist, counts) = (&mut accs[g], &mut pairs[g], &mut sums[g]);
            acc.respondents += 1;
            // L·D × the overall gap, while every dimension is complete
            let (mut overall, mut all_complete) = (0i64, true);
            for (d, items) in self.dims.iter().enumerate() {
                let (mut ie, mut ip, mut c) = (0i64, 0i64, 0usize);
                for &i in items {
                    let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                    if ce != 0 && cp != 0 {
                        hist.all[(i * v + ce) * v + cp] += 1;
                        ie += w.of[ce];
                        ip += w.of[cp];
                        c += 1;
                    }
                }
                if c == items.len() && c > 0 {
                    let t = &w.dims[d];
                    counts[t.e + (ie - t.low) as usize] += 1;
                    counts[t.p + (ip - t.low) as usize] += 1;
                    counts[t.d + (ip - ie + t.span) as usize] += 1;
                    if c > 1 {
                        // each item times the dimension's sum, for the
                        // item–total covariances of α's sample
                        let id = ip - ie;
                        for &i in items {
                            let (e, p) = (
                                w.of[row[i * m + es] as usize],
                                w.of[row[i * m + ps] as usize],
                            );
                            let x = &mut acc.whole_cross[i];
                            x[0] += e * ie;
                            x[1] += p * ip;
                            x[2] += (p - e) * id;
                        }
                    }
                    dim_gap[d] = Some((ip - ie) as f64 / c as f64);
                    dim_sums[d] = Some((ip - ie, c));
                    if let Some((_, _, mult)) = &w.overall {
                        overall += (ip - ie) * mult[d];
                    }
                    continue;
                }
                all_complete &= items.is_empty();
                // Incomplete: its pairs are taken out of the complete
                // respondents' counts and its integer sums are counted by
                // the number of items answered; it is not in α's sample
                // (SPEC §4.1: a complete pair for every item).
                for &i in items {
                    let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                    if ce != 0 && cp != 0 {
                        hist.some[(i * v + ce) * v + cp] += 1;
                    }
                }
                if c == 0 {
                    dim_gap[d] = None;
                    dim_sums[d] = None;
                    continue;
                }
                let sums = &mut acc.incomplete[d][c - 1];
                sums[0].add_one(ie);
                sums[1].add_one(ip);
                sums[2].add_one(ip - ie);
                dim_gap[d] = Some((ip - ie) as f64 / c as f64);
                dim_sums[d] = Some((ip - ie, c));
            }
            match (&w.overall, w.incomplete_overall) {
                (Some((at, span, _)), _) if all_complete => {
                    counts[at + (overall + span) as usize] += 1
                }
                (_, Some(scale)) if !all_complete => {
                    if let Some(x) = scaled_overall(&dim_sums, scale) {
                        acc.incomplete_overall.add_one(x);
                    }
                }
                _ => push_overall(acc, &dim_gap),
            }
            push_weighted(acc, self.weights_of(r), &dim_gap);
        }
        for ((acc, counts), hist) in accs.iter_mut().zip(&sums).zip(pairs.iter_mut()) {
            w.merge_into(acc, counts);
            // the second counts become those of the complete respondents
            for (inc, all) in hist.some.iter_mut().zip(&hist.all) {
                *inc = all - *inc;
            }
        }
        n
    }

    /// The pairs strategy; returns the respondents it took.
    fn pairs(&self, es: usize, ps: usize, accs: &mut [GroupAcc], pairs: &mut [PairCounts]) -> u64 {
        let (m, v) = (self.store.m, self.values.len());
        let values = &self.values;
        let mut dim_gap = vec![None::<f64>; self.dims.len()];
        let mut n = 0;
        for (r, g, row) in self.respondents() {
            n += 1;
            let (acc, hist) = (&mut accs[g], &mut pairs[g]);
            acc.respondents += 1;
            for (d, items) in self.dims.iter().enumerate() {
                // one pass over the dimension's items, no per-item value arrays
                let (mut se, mut sp, mut sd, mut c) = (0.0, 0.0, 0.0, 0u32);
                let mut complete = true;
                for &i in items {
                    let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                    if ce != 0 && cp != 0 {
                        hist.all[(i * v + ce) * v + cp] += 1;
                        let (e, p) = (values[ce], values[cp]);
                        se += e;
                        sp += p;
                        sd += p - e;
                        c += 1;
                    } else {
                        complete = false;
                    }
                }
                dim_gap[d] = acc.push_dimension(d, se, sp, c);
                if items.len() > 1 && complete {
                    for &i in items {
                        let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                        hist.some[(i * v + ce) * v + cp] += 1;
                    }
                    acc.alpha[d][0].push_total(se);
                    acc.alpha[d][1].push_total(sp);
                    acc.alpha[d][2].push_total(sd);
                    for (j, &i) in items.iter().enumerate() {
                        let (e, p) = (
                            values[row[i * m + es] as usize],
                            values[row[i * m + ps] as usize],
                        );
                        acc.alpha[d][0].add_cross(j, e * se);
                        acc.alpha[d][1].add_cross(j, p * sp);
                        acc.alpha[d][2].add_cross(j, (p - e) * sd);
                    }
                }
            }
            push_overall(acc, &dim_gap);
            push_weighted(acc, self.weights_of(r), &dim_gap);
        }
        n
    }

    /// The general strategy; returns the respondents it took.
    fn general(&self, accs: &mut [GroupAcc], pairs: &mut [PairCounts]) -> u64 {
        let (m, v) = (self.store.m, self.values.len());
        let values = &self.values;
        let (e_slot, p_slot, use_pairs) = (self.e_slot, self.p_slot, self.use_pairs);
        let kmax = self.dims.iter().map(Vec::len).max().unwrap_or(0);
        let (mut ve, mut vp, mut vd) = (vec![0.0; kmax], vec![0.0; kmax], vec![0.0; kmax]);
        let mut pair_codes = vec![(0u16, 0u16); kmax];
        let mut dim_gap = vec![None::<f64>; self.dims.len()];
        let mut n = 0;
        for (r, g, row) in self.respondents() {
            n += 1;
            let (acc, hist) = (&mut accs[g], &mut pairs[g]);
            acc.respondents += 1;
            for (d, items) in self.dims.iter().enumerate() {
                let (mut se, mut sp, mut c) = (0.0, 0.0, 0u32);
                let (mut all_e, mut all_p) = (true, true);
                for (j, &i) in items.iter().enumerate() {
                    let ce = e_slot.map_or(0, |s| row[i * m + s]);
                    let cp = p_slot.map_or(0, |s| row[i * m + s]);
                    let (e, p) = (values[ce as usize], values[cp as usize]);
                    all_e &= ce != 0;
                    all_p &= cp != 0;
                    ve[j] = e;
                    vp[j] = p;
                    pair_codes[j] = (ce, cp);
                    if ce != 0 && cp != 0 {
                        if use_pairs {
                            hist.all[(i * v + ce as usize) * v + cp as usize] += 1;
                        } else {
                            acc.item_e[i].push(e);
                            acc.item_p[i].push(p);
                            acc.item_d[i].push(p - e);
                        }
                        vd[j] = p - e;
                        se += e;
                        sp += p;
                        c += 1;
                    }
                }
                let k = items.len();
                dim_gap[d] = acc.push_dimension(d, se, sp, c);
                if k > 1 {
                    if use_pairs && all_e && all_p {
                        // item parts from the pair counts at the end; totals now
                        for (j, &i) in items.iter().enumerate() {
                            let (ce, cp) = pair_codes[j];
                            hist.some[(i * v + ce as usize) * v + cp as usize] += 1;
                        }
                        let sums = [
                            ve[..k].iter().sum::<f64>(),
                            vp[..k].iter().sum::<f64>(),
                            vd[..k].iter().sum::<f64>(),
                        ];
                        for (s, (alpha, total)) in acc.alpha[d].iter_mut().zip(sums).enumerate() {
                            alpha.push_total(total);
                            let v = [&ve, &vp, &vd][s];
                            for (j, x) in v[..k].iter().enumerate() {
                                alpha.add_cross(j, x * total);
                            }
                        }
                    } else if all_e && all_p {
                        // α's sample: a complete E–P pair for every item
                        acc.alpha[d][0].push(&ve[..k]);
                        acc.alpha[d][1].push(&vp[..k]);
                        acc.alpha[d][2].push(&vd[..k]);
                    }
                }
                if let Some(slots) = self.zone_slots {
                    self.push_zone(acc, d, items, row, slots);
                }
            }
            push_overall(acc, &dim_gap);
            push_weighted(acc, self.weights_of(r), &dim_gap);
        }
        n
    }

    /// A respondent's zone of tolerance in dimension `d`: adequate,
    /// desired and perceived per item, and their means over the items with
    /// all three.
    fn push_zone(
        &self,
        acc: &mut GroupAcc,
        d: usize,
        items: &[usize],
        row: &[u16],
        (a_s, d_s, p_s): (usize, usize, usize),
    ) {
        let (m, values) = (self.store.m, &self.values);
        let (mut sa, mut sd, mut sp, mut cz) = (0.0, 0.0, 0.0, 0u32);
        for &i in items {
            let (ca, cd, cp) = (row[i * m + a_s], row[i * m + d_s], row[i * m + p_s]);
            if ca != 0 && cd != 0 && cp != 0 {
                let (a, dv, p) = (
                    values[ca as usize],
                    values[cd as usize],
                    values[cp as usize],
                );
                acc.zone_item[i][0].push(a);
                acc.zone_item[i][1].push(dv);
                acc.zone_item[i][2].push(p);
                sa += a;
                sd += dv;
                sp += p;
                cz += 1;
            }
        }
        if cz > 0 {
            let cf = cz as f64;
            acc.zone_dim[d][0].push(sa / cf);
            acc.zone_dim[d][1].push(sd / cf);
            acc.zone_dim[d][2].push(sp / cf);
        }
    }

    /// Respondent `r`'s importance weights.
    fn weights_of(&self, r: usize) -> Option<&Vec<f64>> {
        self.weights.as_ref().and_then(|ws| ws[r])
    }

    /// Item moments from every group's pair counts, and α's item parts
    /// from those of the complete respondents.
    fn settle_pairs(&self, accs: &mut [GroupAcc], pairs: &[PairCounts]) {
        let v = self.values.len();
        for (acc, hist) in accs.iter_mut().zip(pairs) {
            for (d, items) in self.dims.iter().enumerate() {
                for (j, &i) in items.iter().enumerate() {
                    let (all, complete) = (
                        pair_moments(&hist.all[i * v * v..(i + 1) * v * v], &self.values),
                        pair_moments(&hist.some[i * v * v..(i + 1) * v * v], &self.values),
                    );
                    acc.item_e[i].merge(&all[0]);
                    acc.item_p[i].merge(&all[1]);
                    acc.item_d[i].merge(&all[2]);
                    if items.len() > 1 {
                        for (alpha, m) in acc.alpha[d].iter_mut().zip(&complete) {
                            alpha.merge_item(j, m);
                        }
                    }
                }
            }
        }
    }
}

/// A respondent's overall gap: the mean of their dimension gaps (none
/// without any).
#[inline]
fn push_overall(acc: &mut GroupAcc, dim_gap: &[Option<f64>]) {
    let (mut sum, mut n) = (0.0, 0u32);
    for g in dim_gap.iter().flatten() {
        sum += g;
        n += 1;
    }
    if n > 0 {
        acc.overall.push(sum / f64::from(n));
    }
}

/// M × a respondent's overall gap (the mean over the dimensions they
/// answered of their mean P − E there), from each dimension's integer sum
/// of P − E and items answered: an integer for M from [`incomplete_scale`]
/// (`scale`: M and lcm(1..=k)); `None` when they answered nothing.
fn scaled_overall(dim_sums: &[Option<(i64, usize)>], scale: (i64, i64)) -> Option<i64> {
    let (m, lk) = scale;
    let answered = dim_sums.iter().flatten().count() as i64;
    if answered == 0 {
        return None;
    }
    // M / (c · answered) = (lk / c) · (M / lk / answered)
    let per_dimension = m / lk / answered;
    Some(
        dim_sums
            .iter()
            .flatten()
            .map(|&(sum, c)| sum * (lk / c as i64) * per_dimension)
            .sum(),
    )
}

/// A respondent's importance-weighted gap, from their dimension gaps.
fn push_weighted(acc: &mut GroupAcc, weights: Option<&Vec<f64>>, dim_gap: &[Option<f64>]) {
    let Some(w) = weights else {
        return;
    };
    acc.imp_sum.iter_mut().zip(w).for_each(|(s, x)| *s += x);
    acc.imp_n += 1;
    let mut score = 0.0;
    for (wd, g) in w.iter().zip(dim_gap) {
        if *wd > 0.0 {
            match g {
                Some(g) => score += wd * g,
                None => return,
            }
        }
    }
    acc.weighted.push(score);
}

/// Where one dimension's counts sit in a group's table of integer sums.
#[derive(Debug, Clone)]
struct SumSlots {
    /// Items in the dimension.
    k: usize,
    /// Smallest possible sum (k × the lowest score).
    low: i64,
    /// Largest sum minus the smallest.
    span: i64,
    /// Offsets of the counts of Σ E, Σ P (each `span + 1` long) and of
    /// Σ P − Σ E (`2 span + 1` long, from `−span`).
    e: usize,
    p: usize,
    d: usize,
}

/// Counts of complete respondents' integer sums of E, P and P − E per
/// dimension, for whole-number scores: dimension means and α totals come
/// from them once, at the end.
#[derive(Debug, Clone)]
struct WholeSums {
    /// Score code → whole value (code 0, missing, → 0).
    of: Vec<i64>,
    dims: Vec<SumSlots>,
    /// Length of a group's table.
    len: usize,
    /// Where the counts of L·D × overall gap sit in a group's table
    /// (offset, and the largest magnitude), and each dimension's L / k;
    /// `None` when the table would be too long.
    overall: Option<(usize, i64, Vec<i64>)>,
    /// M of [`GroupAcc::incomplete_overall`] and lcm(1..=k), `None` for
    /// long dimensions.
    incomplete_overall: Option<(i64, i64)>,
}

impl WholeSums {
    /// `None` unless every score is a whole number of magnitude at most
    /// 1000 and the tables stay small.
    fn new(values: &[f64], dims: &[Vec<usize>]) -> Option<Self> {
        let mut of = vec![0i64];
        for &x in values.iter().skip(1) {
            if x.fract() != 0.0 || x.abs() > 1000.0 {
                return None;
            }
            of.push(x as i64);
        }
        let lo = *of.iter().skip(1).min()?;
        let hi = *of.iter().skip(1).max()?;
        let mut len = 0;
        let mut slots = Vec::with_capacity(dims.len());
        for items in dims {
            let k = items.len();
            let span = k as i64 * (hi - lo);
            let width = span as usize + 1;
            slots.push(SumSlots {
                k,
                low: k as i64 * lo,
                span,
                e: len,
                p: len + width,
                d: len + 2 * width,
            });
            len += 2 * width + 2 * span as usize + 1;
        }
        let (div, mult) = overall_scale(dims);
        let span = div.saturating_mul(hi - lo);
        let overall = (span <= 1 << 15).then(|| {
            let at = len;
            len += 2 * span as usize + 1;
            (at, span, mult)
        });
        let k = dims.iter().map(Vec::len).max().unwrap_or(0);
        let incomplete_overall = incomplete_scale(dims).map(|m| (m, lcm_to(k).unwrap_or(1)));
        (len <= 1 << 20).then_some(WholeSums {
            of,
            dims: slots,
            len,
            overall,
            incomplete_overall,
        })
    }

    /// Adds a group's counts of integer sums to its accumulator (turned
    /// into means and α totals by [`GroupAcc::settled`]).
    fn merge_into(&self, acc: &mut GroupAcc, counts: &[u32]) {
        for (d, t) in self.dims.iter().enumerate() {
            if t.k == 0 {
                continue;
            }
            let width = t.span as usize + 1;
            let parts = [
                (t.e, width, t.low),
                (t.p, width, t.low),
                (t.d, 2 * width - 1, -t.span),
            ];
            for (c, (at, len, first)) in acc.whole[d].iter_mut().zip(parts) {
                c.add(first, counts[at..at + len].iter().map(|&n| u64::from(n)));
            }
        }
        if let Some((at, span, _)) = &self.overall {
            let len = 2 * *span as usize + 1;
            acc.whole_overall
                .add(-*span, counts[*at..*at + len].iter().map(|&n| u64::from(n)));
        }
    }
}
