//! Expectation vs perception, SERVQUAL "gap 5" (SPEC §4.1): item and
//! dimension gaps with t intervals and tests, unweighted and weighted
//! SERVQUAL scores, Cronbach's α, zone of tolerance and importance–performance
//! quadrants, for the whole sample and per `--by` group.
//!
//! The result structs here are the JSON schema of `servgap survey`: field
//! names and meanings follow SPEC §6, and an unavailable figure is `None`
//! (JSON `null`), never zero.

use std::collections::HashMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::model::importance::Importance;
use crate::model::instrument::Instrument;
use crate::model::responses::{
    Measure, ResponseStore, SummaryRow, SurveyBody, SurveyData, SurveyForm,
};
use crate::model::tallies::{InputRows, OnInvalid, Rejection, RowCounts};
use crate::stats::{mean_test, AlphaAccumulator, Moments, SumMoments};

/// JSON schema tag of the survey report.
pub const SURVEY_SCHEMA: &str = "servgap/survey/v1";

/// Gap statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemGap {
    /// Item id.
    pub item: String,
    /// Its dimension.
    pub dimension: String,
    /// Respondents with both E and P for the item (summary form: the file's `n`).
    pub n: Option<u64>,
    /// Mean expectation.
    pub mean_e: Option<f64>,
    /// Mean perception.
    pub mean_p: Option<f64>,
    /// Mean of P − E.
    pub gap: Option<f64>,
    /// Sample standard deviation of P − E.
    pub sd: Option<f64>,
    /// Standard error of the mean gap.
    pub se: Option<f64>,
    /// Lower end of the 95% t interval of the gap.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% t interval of the gap.
    pub ci_high: Option<f64>,
    /// Paired t statistic (gap / se).
    pub t: Option<f64>,
    /// Two-sided p-value of `t`.
    pub p_value: Option<f64>,
}

/// Gap statistics of one dimension, from per-respondent dimension means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionScore {
    /// Dimension name.
    pub dimension: String,
    /// Respondents with at least one item pair in the dimension.
    pub n: Option<u64>,
    /// Mean of the respondents' mean expectation.
    pub mean_e: Option<f64>,
    /// Mean of the respondents' mean perception.
    pub mean_p: Option<f64>,
    /// Mean of the respondents' dimension gaps.
    pub gap: Option<f64>,
    /// Sample sd of the respondents' dimension gaps.
    pub sd: Option<f64>,
    /// Standard error of the dimension gap.
    pub se: Option<f64>,
    /// Lower end of the 95% t interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% t interval.
    pub ci_high: Option<f64>,
    /// t statistic of the dimension gap.
    pub t: Option<f64>,
    /// Two-sided p-value of `t`.
    pub p_value: Option<f64>,
    /// Cronbach's α of the expectation items.
    pub alpha_e: Option<f64>,
    /// Cronbach's α of the perception items.
    pub alpha_p: Option<f64>,
    /// Cronbach's α of the item gaps (P − E).
    pub alpha_gap: Option<f64>,
}

/// The overall SERVQUAL scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServqualScore {
    /// Mean of the dimension gaps.
    pub unweighted: Option<f64>,
    /// Importance-weighted score (null without importance weights).
    pub weighted: Option<f64>,
    /// Respondents in the weighted score (respondent points), or respondents
    /// behind the dimension gaps (aggregate weights).
    pub weighted_n: Option<u64>,
}

/// Where perception lies relative to the zone of tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZonePosition {
    /// P below the adequate level.
    Below,
    /// Adequate ≤ P ≤ desired.
    Within,
    /// P above the desired level.
    Above,
}

/// Zone of tolerance of one item or dimension (three-column form).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneRow {
    /// Item id (item rows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Dimension name (dimension rows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// Respondents with adequate, desired and perception all present.
    pub n: Option<u64>,
    /// Mean adequate (minimum) level A.
    pub mean_adequate: Option<f64>,
    /// Mean desired level D.
    pub mean_desired: Option<f64>,
    /// Mean perception P.
    pub mean_p: Option<f64>,
    /// Measure of service adequacy, P − A.
    pub msa: Option<f64>,
    /// Measure of service superiority, P − D.
    pub mss: Option<f64>,
    /// Position of P relative to the zone.
    pub position: Option<ZonePosition>,
}

/// Importance–performance quadrant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High importance, low performance.
    ConcentrateHere,
    /// High importance, high performance.
    KeepUp,
    /// Low importance, low performance.
    LowPriority,
    /// Low importance, high performance.
    PossibleOverkill,
}

/// Importance–performance analysis of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaRow {
    /// Dimension name.
    pub dimension: String,
    /// Normalised weight, or mean E without weights.
    pub importance: Option<f64>,
    /// Mean perception.
    pub performance: Option<f64>,
    /// Quadrant against the means across dimensions (at or above the mean is high).
    pub quadrant: Option<Quadrant>,
}

/// Every table for one set of respondents (all, or one group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyTables {
    /// Respondents in this set (0 for the summary form).
    pub respondents: u64,
    /// Per item.
    pub items: Vec<ItemGap>,
    /// Per dimension.
    pub dimensions: Vec<DimensionScore>,
    /// Overall scores.
    pub servqual: ServqualScore,
    /// Zone of tolerance (empty unless adequate and desired are present).
    pub zone: Vec<ZoneRow>,
    /// Importance–performance quadrants.
    pub ipa: Vec<IpaRow>,
}

/// The tables of one `--by` group, keyed by the grouping columns.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyGroup {
    /// `(column, value)` for each `--by` column, in command-line order.
    pub key: Vec<(String, String)>,
    /// The group's tables.
    pub tables: SurveyTables,
}

impl Serialize for SurveyGroup {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in &self.key {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("respondents", &self.tables.respondents)?;
        m.serialize_entry("items", &self.tables.items)?;
        m.serialize_entry("dimensions", &self.tables.dimensions)?;
        m.serialize_entry("servqual", &self.tables.servqual)?;
        m.serialize_entry("zone", &self.tables.zone)?;
        m.serialize_entry("ipa", &self.tables.ipa)?;
        m.end()
    }
}

/// What went into a survey report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyInputs {
    /// The survey file (`<stdin>` for standard input).
    pub survey: String,
    /// The form detected.
    pub form: SurveyForm,
    /// The encoding used.
    pub encoding: String,
    /// Instrument name or file.
    pub instrument: String,
    /// Importance file, if any.
    pub importance: Option<String>,
    /// Column map file, if any.
    pub columns: Option<String>,
    /// The scale.
    pub scale: String,
    /// `--by` columns.
    pub by: Vec<String>,
    /// Policy for invalid rows.
    pub on_invalid: OnInvalid,
}

/// The result of `servgap survey`: the JSON document of SPEC §6.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyReport {
    /// Always `servgap/survey/v1`.
    pub schema: &'static str,
    /// What went in.
    pub inputs: SurveyInputs,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows used.
    pub rows_used: u64,
    /// Rows rejected (with `--on-invalid skip`).
    pub rows_rejected: u64,
    /// Rejection reasons.
    pub rejections: Vec<Rejection>,
    /// The importance file's rows read, used and rejected (null without
    /// `--importance`): points of respondents the survey lacks are rejected.
    pub importance_rows: Option<RowCounts>,
    /// Tables over all respondents.
    #[serde(flatten)]
    pub all: SurveyTables,
    /// One entry per `--by` group (empty without `--by`).
    pub groups: Vec<SurveyGroup>,
}

impl SurveyReport {
    /// Rows read, used and rejected, per input file (survey, importance).
    pub fn input_rows(&self) -> Vec<InputRows> {
        let mut rows = vec![InputRows::new(
            &self.inputs.survey,
            self.rows_read,
            self.rows_used,
            &self.rejections,
        )];
        if let (Some(name), Some(counts)) = (&self.inputs.importance, &self.importance_rows) {
            rows.push(InputRows {
                file: name.clone(),
                counts: counts.clone(),
            });
        }
        rows
    }
}

/// Per-group accumulators over respondents. Item-level sums are exact for
/// integer scores; per-respondent dimension means come from counts of
/// integer sums when scores are whole (see [`WholeSums`]), else from
/// Welford updates.
#[derive(Debug, Clone)]
struct GroupAcc {
    respondents: u64,
    item_e: Vec<SumMoments>,
    item_p: Vec<SumMoments>,
    item_d: Vec<SumMoments>,
    dim_e: Vec<Moments>,
    dim_p: Vec<Moments>,
    dim_d: Vec<Moments>,
    alpha: Vec<[AlphaAccumulator; 3]>,
    weighted: Moments,
    imp_sum: Vec<f64>,
    imp_n: u64,
    zone_item: Vec<[SumMoments; 3]>,
    zone_dim: Vec<[Moments; 3]>,
    /// Per dimension: counts of complete respondents' integer sums of E, P
    /// and P − E ([`WholeSums`]), summed over stores and turned into means
    /// and α totals only by [`GroupAcc::settled`], so those figures do not
    /// depend on how respondents were split into stores.
    whole: Vec<[IntCounts; 3]>,
}

/// Counts of integer values from `low` on.
#[derive(Debug, Clone, Default)]
struct IntCounts {
    low: i64,
    counts: Vec<u64>,
}

impl IntCounts {
    /// Adds `counts[j]` observations of `first + j`.
    fn add(&mut self, first: i64, counts: impl ExactSizeIterator<Item = u64>) {
        let len = counts.len();
        if len == 0 {
            return;
        }
        if self.counts.is_empty() {
            self.low = first;
        }
        let low = self.low.min(first);
        let high = (self.low + self.counts.len() as i64).max(first + len as i64);
        if low < self.low {
            let mut grown = vec![0u64; (self.low - low) as usize];
            grown.append(&mut self.counts);
            self.counts = grown;
            self.low = low;
        }
        self.counts.resize((high - low) as usize, 0);
        let at = (first - low) as usize;
        for (slot, n) in self.counts[at..at + len].iter_mut().zip(counts) {
            *slot += n;
        }
    }

    /// (value, count) of each value counted.
    fn entries(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(j, &n)| (self.low + j as i64, n))
    }
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

    fn new(ins: &Instrument) -> Self {
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
        }
    }

    /// This accumulator with the whole-score counts turned into dimension
    /// moments and α totals (`dims`: each dimension's items).
    fn settled(&self, dims: &[Vec<usize>]) -> GroupAcc {
        let mut acc = self.clone();
        for (d, sums) in self.whole.iter().enumerate() {
            let k = dims.get(d).map_or(0, Vec::len);
            if k == 0 || sums.iter().all(|c| c.counts.is_empty()) {
                continue;
            }
            let means = [&mut acc.dim_e[d], &mut acc.dim_p[d], &mut acc.dim_d[d]];
            for (moments, c) in means.into_iter().zip(sums) {
                moments.merge(&Moments::from_integer_counts(c.entries(), k as u64));
            }
            if k > 1 {
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
        acc.whole = vec![Default::default(); self.whole.len()];
        acc
    }

    fn merge(&mut self, a: &GroupAcc) {
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
                x.add(y.low, y.counts.iter().copied());
            }
        }
    }
}

/// Computes every table for all respondents and per `--by` group.
pub fn analyse(
    data: &SurveyData,
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<(SurveyTables, Vec<SurveyGroup>)> {
    match &data.body {
        SurveyBody::Respondents(stores) => analyse_respondents(data, stores, ins, importance),
        SurveyBody::Summary(rows) => analyse_summary(data, rows, ins, importance),
    }
}

/// Accumulates one store: group key (values of the `--by` columns) → accumulator.
fn accumulate_store(
    store: &ResponseStore,
    nby: usize,
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Vec<(Vec<String>, GroupAcc)> {
    // Store-local group index per respondent. One `--by` column (group
    // codes are small dictionary codes) needs no hashing.
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
        // one group, the whole store (possibly empty: it then adds nothing)
        keys.push(&[]);
    }
    let resp_weights: Option<Vec<Option<&Vec<f64>>>> = match importance {
        Some(Importance::Respondent(map)) => {
            Some(store.ids().iter().map(|id| map.get(id)).collect())
        }
        _ => None,
    };
    let mut accs = vec![GroupAcc::new(ins); keys.len()];
    let slot = |m: Measure| store.slot[m.index()];
    let e_slot = slot(Measure::Expectation).or(slot(Measure::Desired));
    let p_slot = slot(Measure::Perception);
    let zone_slots = match (slot(Measure::Adequate), slot(Measure::Desired), p_slot) {
        (Some(a), Some(d), Some(p)) => Some((a, d, p)),
        _ => None,
    };
    let dims: Vec<Vec<usize>> = (0..ins.dimensions.len()).map(|d| ins.items_of(d)).collect();
    let nd = dims.len();
    // code → value (code 0 = missing → NaN, never used as a value)
    let values: Vec<f64> = std::iter::once(f64::NAN)
        .chain(store.values.values.iter().copied())
        .collect();
    let kmax = dims.iter().map(Vec::len).max().unwrap_or(0);
    let (mut ve, mut vp, mut vd) = (vec![0.0; kmax], vec![0.0; kmax], vec![0.0; kmax]);
    let mut dim_gap = vec![None::<f64>; nd];
    // With few distinct scores, item moments come from counts of (E, P) code
    // pairs: one increment per item instead of several accumulator updates,
    // and exact sums for integer scores. `hist` counts every pair,
    // `hist_c` those of respondents complete in the item's dimension (alpha).
    let v = values.len();
    let use_hist = v <= 16;
    let hist_len = if use_hist { store.k * v * v } else { 0 };
    let mut hists: Vec<(Vec<u32>, Vec<u32>)> = (0..keys.len())
        .map(|_| (vec![0u32; hist_len], vec![0u32; hist_len]))
        .collect();
    // Whole scores (the usual): a respondent complete in a dimension adds
    // one to three counts of integer sums instead of updating six running
    // moments; incomplete ones take the general path below. With it, the
    // second histogram counts the pairs of *incomplete* respondents.
    let whole = match (use_hist, zone_slots, e_slot, p_slot) {
        (true, None, Some(es), Some(ps)) => WholeSums::new(&values, &dims).map(|w| (w, es, ps)),
        _ => None,
    };
    let mut sums: Vec<Vec<u32>> = (0..keys.len())
        .map(|_| vec![0u32; whole.as_ref().map_or(0, |(w, _, _)| w.len)])
        .collect();
    let mut pair_codes = vec![(0u16, 0u16); kmax];
    for r in 0..store.len() {
        if !store.is_live(r) {
            continue;
        }
        let acc = &mut accs[group_of[r]];
        let (hist, hist_c) = &mut hists[group_of[r]];
        acc.respondents += 1;
        let row = &store.codes[r * store.k * store.m..(r + 1) * store.k * store.m];
        if let Some((w, es, ps)) = &whole {
            let (es, ps, m) = (*es, *ps, store.m);
            let counts = &mut sums[group_of[r]];
            for (d, items) in dims.iter().enumerate() {
                let (mut ie, mut ip, mut c) = (0i64, 0i64, 0usize);
                for &i in items {
                    let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                    if ce != 0 && cp != 0 {
                        hist[(i * v + ce) * v + cp] += 1;
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
                    dim_gap[d] = Some((ip - ie) as f64 / c as f64);
                    continue;
                }
                // Incomplete: its pairs are taken out of the complete
                // respondents' counts and its means go as values; it is not
                // in α's sample (SPEC §4.1: a complete pair for every item).
                let (mut se, mut sp) = (0.0, 0.0);
                for &i in items {
                    let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                    if ce != 0 && cp != 0 {
                        hist_c[(i * v + ce) * v + cp] += 1;
                        se += values[ce];
                        sp += values[cp];
                    }
                }
                dim_gap[d] = acc.push_dimension(d, se, sp, c as u32);
            }
            push_weighted(acc, resp_weights.as_ref().and_then(|ws| ws[r]), &dim_gap);
            continue;
        }
        for (d, items) in dims.iter().enumerate() {
            if let (true, None, Some(es), Some(ps)) = (use_hist, zone_slots, e_slot, p_slot) {
                // The common case (E and P, few distinct scores): one pass
                // over the dimension's items, no per-item value arrays.
                let m = store.m;
                let (mut se, mut sp, mut sd, mut c) = (0.0, 0.0, 0.0, 0u32);
                let mut complete = true;
                for &i in items {
                    let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                    if ce != 0 && cp != 0 {
                        hist[(i * v + ce) * v + cp] += 1;
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
                let k = items.len();
                if k > 1 && complete {
                    for &i in items {
                        let (ce, cp) = (row[i * m + es] as usize, row[i * m + ps] as usize);
                        hist_c[(i * v + ce) * v + cp] += 1;
                    }
                    acc.alpha[d][0].push_total(se);
                    acc.alpha[d][1].push_total(sp);
                    acc.alpha[d][2].push_total(sd);
                }
                continue;
            }
            let (mut se, mut sp, mut c) = (0.0, 0.0, 0u32);
            let (mut all_e, mut all_p) = (true, true);
            for (j, &i) in items.iter().enumerate() {
                let ce = e_slot.map_or(0, |s| row[i * store.m + s]);
                let cp = p_slot.map_or(0, |s| row[i * store.m + s]);
                let (e, p) = (values[ce as usize], values[cp as usize]);
                all_e &= ce != 0;
                all_p &= cp != 0;
                ve[j] = e;
                vp[j] = p;
                pair_codes[j] = (ce, cp);
                if ce != 0 && cp != 0 {
                    if use_hist {
                        hist[(i * v + ce as usize) * v + cp as usize] += 1;
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
                if use_hist && all_e && all_p {
                    // item parts from hist_c at the end; totals now
                    for (j, &i) in items.iter().enumerate() {
                        let (ce, cp) = pair_codes[j];
                        hist_c[(i * v + ce as usize) * v + cp as usize] += 1;
                    }
                    acc.alpha[d][0].push_total(ve[..k].iter().sum());
                    acc.alpha[d][1].push_total(vp[..k].iter().sum());
                    acc.alpha[d][2].push_total(vd[..k].iter().sum());
                } else if all_e && all_p {
                    // α's sample: a complete E–P pair for every item
                    acc.alpha[d][0].push(&ve[..k]);
                    acc.alpha[d][1].push(&vp[..k]);
                    acc.alpha[d][2].push(&vd[..k]);
                }
            }
            if let Some((a_s, d_s, p_s)) = zone_slots {
                let (mut sa, mut sd, mut sp2, mut cz) = (0.0, 0.0, 0.0, 0u32);
                for &i in items {
                    let (ca, cd, cp) = (
                        row[i * store.m + a_s],
                        row[i * store.m + d_s],
                        row[i * store.m + p_s],
                    );
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
                        sp2 += p;
                        cz += 1;
                    }
                }
                if cz > 0 {
                    let cf = cz as f64;
                    acc.zone_dim[d][0].push(sa / cf);
                    acc.zone_dim[d][1].push(sd / cf);
                    acc.zone_dim[d][2].push(sp2 / cf);
                }
            }
        }
        push_weighted(acc, resp_weights.as_ref().and_then(|ws| ws[r]), &dim_gap);
    }
    if let Some((w, _, _)) = &whole {
        for ((acc, counts), (hist, incomplete)) in accs.iter_mut().zip(&sums).zip(&mut hists) {
            w.merge_into(acc, counts);
            // the second histogram becomes that of the complete respondents
            for (inc, all) in incomplete.iter_mut().zip(hist.iter()) {
                *inc = all - *inc;
            }
        }
    }
    if use_hist {
        for (acc, (hist, hist_c)) in accs.iter_mut().zip(&hists) {
            for (d, items) in dims.iter().enumerate() {
                for (j, &i) in items.iter().enumerate() {
                    let (all, complete) = (
                        pair_moments(&hist[i * v * v..(i + 1) * v * v], &values),
                        pair_moments(&hist_c[i * v * v..(i + 1) * v * v], &values),
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
        (len <= 1 << 20).then_some(WholeSums {
            of,
            dims: slots,
            len,
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
    }
}

/// E, P and P − E moments from counts of (E code, P code) pairs; `values[c]`
/// is the value of code `c` (code 0, missing, never counted).
fn pair_moments(hist: &[u32], values: &[f64]) -> [SumMoments; 3] {
    let v = values.len();
    let mut out = [SumMoments::default(); 3];
    for ce in 1..v {
        for cp in 1..v {
            let n = hist[ce * v + cp];
            if n == 0 {
                continue;
            }
            let (e, p) = (values[ce], values[cp]);
            for (m, x) in out.iter_mut().zip([e, p, p - e]) {
                m.n += n as u64;
                m.s1 += n as f64 * x;
                m.s2 += n as f64 * x * x;
            }
        }
    }
    out
}

fn analyse_respondents(
    data: &SurveyData,
    stores: &[ResponseStore],
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<(SurveyTables, Vec<SurveyGroup>)> {
    let nby = data.by.len();
    // One thread per store (the reader made one store per core).
    // Stores are analysed on all cores, a contiguous share of stores per thread.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, stores.len().max(1));
    let share = stores.len().div_ceil(threads).max(1);
    let parts: Vec<Vec<(Vec<String>, GroupAcc)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = stores
            .chunks(share)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .flat_map(|st| accumulate_store(st, nby, ins, importance))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok())
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
    });
    if parts.len() != stores.len().div_ceil(share) {
        return Err(Error::internal("an analysis thread failed"));
    }
    let mut groups: std::collections::BTreeMap<Vec<String>, GroupAcc> =
        std::collections::BTreeMap::new();
    for (key, acc) in parts.into_iter().flatten() {
        match groups.get_mut(&key) {
            Some(g) => g.merge(&acc),
            None => {
                groups.insert(key, acc);
            }
        }
    }
    let has_zone = stores.first().is_some_and(|s| {
        s.slot[Measure::Adequate.index()].is_some() && s.slot[Measure::Desired.index()].is_some()
    });
    let mut total = GroupAcc::new(ins);
    for acc in groups.values() {
        total.merge(acc);
    }
    let all = tables_from_acc(&total, ins, importance, has_zone);
    if nby == 0 {
        return Ok((all, Vec::new()));
    }
    let out = groups
        .iter()
        .map(|(key, acc)| SurveyGroup {
            key: data.by.iter().cloned().zip(key.iter().cloned()).collect(),
            tables: tables_from_acc(acc, ins, importance, has_zone),
        })
        .collect();
    Ok((all, out))
}

fn tables_from_acc(
    a: &GroupAcc,
    ins: &Instrument,
    importance: Option<&Importance>,
    has_zone: bool,
) -> SurveyTables {
    let dims: Vec<Vec<usize>> = (0..ins.dimensions.len()).map(|d| ins.items_of(d)).collect();
    let settled = a.settled(&dims);
    let a = &settled;
    let items: Vec<ItemGap> = ins
        .items
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let d = a.item_d[i].moments();
            let t = mean_test(&d);
            ItemGap {
                item: def.id.clone(),
                dimension: ins.dimensions[def.dimension].clone(),
                n: Some(d.n),
                mean_e: a.item_e[i].moments().mean(),
                mean_p: a.item_p[i].moments().mean(),
                gap: d.mean(),
                sd: t.sd,
                se: t.se,
                ci_low: t.ci_low,
                ci_high: t.ci_high,
                t: t.t,
                p_value: t.p_value,
            }
        })
        .collect();
    let dimensions: Vec<DimensionScore> = ins
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let t = mean_test(&a.dim_d[d]);
            DimensionScore {
                dimension: name.clone(),
                n: Some(a.dim_d[d].n),
                mean_e: a.dim_e[d].mean(),
                mean_p: a.dim_p[d].mean(),
                gap: a.dim_d[d].mean(),
                sd: t.sd,
                se: t.se,
                ci_low: t.ci_low,
                ci_high: t.ci_high,
                t: t.t,
                p_value: t.p_value,
                alpha_e: a.alpha[d][0].alpha(),
                alpha_p: a.alpha[d][1].alpha(),
                alpha_gap: a.alpha[d][2].alpha(),
            }
        })
        .collect();
    let respondents_in_dims = a.dim_d.iter().map(|m| m.n).max().unwrap_or(0);
    let (weighted, weighted_n) = match importance {
        Some(Importance::Respondent(_)) => (a.weighted.mean(), Some(a.weighted.n)),
        Some(Importance::Aggregate(w)) => (
            aggregate_weighted(&dimensions, w),
            Some(respondents_in_dims),
        ),
        None => (None, None),
    };
    let servqual = ServqualScore {
        unweighted: mean_of(dimensions.iter().map(|d| d.gap)),
        weighted,
        weighted_n,
    };
    let zone = if has_zone {
        let mut z: Vec<ZoneRow> = ins
            .items
            .iter()
            .enumerate()
            .map(|(i, def)| {
                zone_row(
                    Some(def.id.clone()),
                    None,
                    &a.zone_item[i].map(|m| m.moments()),
                )
            })
            .collect();
        z.extend(
            ins.dimensions
                .iter()
                .enumerate()
                .map(|(d, name)| zone_row(None, Some(name.clone()), &a.zone_dim[d])),
        );
        z
    } else {
        Vec::new()
    };
    let importances: Vec<Option<f64>> = match importance {
        Some(Importance::Aggregate(w)) => w.iter().map(|&x| Some(x)).collect(),
        Some(Importance::Respondent(_)) if a.imp_n > 0 => {
            a.imp_sum.iter().map(|s| Some(s / a.imp_n as f64)).collect()
        }
        Some(Importance::Respondent(_)) => vec![None; ins.dimensions.len()],
        None => dimensions.iter().map(|d| d.mean_e).collect(),
    };
    let ipa = ipa_rows(&dimensions, &importances);
    SurveyTables {
        respondents: a.respondents,
        items,
        dimensions,
        servqual,
        zone,
        ipa,
    }
}

fn zone_row(item: Option<String>, dimension: Option<String>, m: &[Moments; 3]) -> ZoneRow {
    let (a, d, p) = (m[0].mean(), m[1].mean(), m[2].mean());
    zone_from_means(item, dimension, (m[2].n > 0).then_some(m[2].n), a, d, p)
}

fn zone_from_means(
    item: Option<String>,
    dimension: Option<String>,
    n: Option<u64>,
    a: Option<f64>,
    d: Option<f64>,
    p: Option<f64>,
) -> ZoneRow {
    let msa = a.zip(p).map(|(a, p)| p - a);
    let mss = d.zip(p).map(|(d, p)| p - d);
    let position = match (a, d, p) {
        (Some(a), Some(d), Some(p)) => Some(if p < a {
            ZonePosition::Below
        } else if p > d {
            ZonePosition::Above
        } else {
            ZonePosition::Within
        }),
        _ => None,
    };
    ZoneRow {
        item,
        dimension,
        n,
        mean_adequate: a,
        mean_desired: d,
        mean_p: p,
        msa,
        mss,
        position,
    }
}

fn mean_of(xs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs.flatten() {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

/// Σ_d w_d·gap_d over the dimension gaps, weights renormalised over the
/// dimensions that have a gap.
fn aggregate_weighted(dims: &[DimensionScore], w: &[f64]) -> Option<f64> {
    let mut s = 0.0;
    let mut wsum = 0.0;
    for (d, &wd) in dims.iter().zip(w) {
        if wd > 0.0 {
            s += wd * d.gap?;
            wsum += wd;
        }
    }
    (wsum > 0.0).then(|| s / wsum)
}

fn ipa_rows(dims: &[DimensionScore], importance: &[Option<f64>]) -> Vec<IpaRow> {
    let mi = mean_of(importance.iter().copied());
    let mp = mean_of(dims.iter().map(|d| d.mean_p));
    dims.iter()
        .zip(importance)
        .map(|(d, &imp)| {
            let quadrant = match (imp, d.mean_p, mi, mp) {
                (Some(i), Some(p), Some(mi), Some(mp)) => Some(match (i >= mi, p >= mp) {
                    (true, false) => Quadrant::ConcentrateHere,
                    (true, true) => Quadrant::KeepUp,
                    (false, false) => Quadrant::LowPriority,
                    (false, true) => Quadrant::PossibleOverkill,
                }),
                _ => None,
            };
            IpaRow {
                dimension: d.dimension.clone(),
                importance: imp,
                performance: d.mean_p,
                quadrant,
            }
        })
        .collect()
}

fn analyse_summary(
    data: &SurveyData,
    rows: &[SummaryRow],
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<(SurveyTables, Vec<SurveyGroup>)> {
    if let Some(Importance::Respondent(_)) = importance {
        return Err(Error::inconsistent("respondent-level importance points need respondent-level survey data, not a summary table"));
    }
    let mut keys: Vec<&Vec<String>> = rows.iter().map(|r| &r.groups).collect();
    keys.sort();
    keys.dedup();
    let table = |sel: &dyn Fn(&SummaryRow) -> bool| summary_tables(rows, sel, ins, importance);
    if data.by.is_empty() {
        return Ok((table(&|_| true), Vec::new()));
    }
    let groups = keys
        .iter()
        .map(|k| SurveyGroup {
            key: data.by.iter().cloned().zip(k.iter().cloned()).collect(),
            tables: table(&|r: &SummaryRow| &r.groups == *k),
        })
        .collect();
    Ok((table(&|_| true), groups))
}

/// Tables from item means: items average over the selected rows (weighted by
/// `n` when every row has one), dimensions are the plain mean of their items.
fn summary_tables(
    rows: &[SummaryRow],
    sel: &dyn Fn(&SummaryRow) -> bool,
    ins: &Instrument,
    importance: Option<&Importance>,
) -> SurveyTables {
    let k = ins.items.len();
    // per item: sums of (weight, weight*mean) for each measure, and n
    let mut acc = vec![[(0.0f64, 0.0f64); 4]; k];
    let mut n_sum = vec![None::<f64>; k];
    let picked: Vec<&SummaryRow> = rows.iter().filter(|r| sel(r)).collect();
    let all_n = picked.iter().all(|r| r.n.is_some_and(|n| n > 0.0));
    for r in &picked {
        let Some(i) = ins.lookup(r.item.as_bytes()) else {
            continue;
        };
        let w = if all_n { r.n.unwrap_or(1.0) } else { 1.0 };
        for (slot, mean) in acc[i].iter_mut().zip(r.means) {
            if let Some(v) = mean {
                slot.0 += w;
                slot.1 += w * v;
            }
        }
        if let Some(n) = r.n {
            n_sum[i] = Some(n_sum[i].unwrap_or(0.0) + n);
        }
    }
    let mean = |i: usize, m: usize| (acc[i][m].0 > 0.0).then(|| acc[i][m].1 / acc[i][m].0);
    let e_of = |i: usize| mean(i, 0).or_else(|| mean(i, 3));
    let none_test =
        |gap: Option<f64>, n: Option<u64>, item: String, dimension: String, me, mp| ItemGap {
            item,
            dimension,
            n,
            mean_e: me,
            mean_p: mp,
            gap,
            sd: None,
            se: None,
            ci_low: None,
            ci_high: None,
            t: None,
            p_value: None,
        };
    let items: Vec<ItemGap> = ins
        .items
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let (me, mp) = (e_of(i), mean(i, 1));
            let gap = me.zip(mp).map(|(e, p)| p - e);
            none_test(
                gap,
                n_sum[i].map(|n| n.round() as u64),
                def.id.clone(),
                ins.dimensions[def.dimension].clone(),
                me,
                mp,
            )
        })
        .collect();
    let dimensions: Vec<DimensionScore> = ins
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let its = ins.items_of(d);
            let mean_e = mean_of(its.iter().map(|&i| items[i].mean_e));
            let mean_p = mean_of(its.iter().map(|&i| items[i].mean_p));
            let gap = mean_of(its.iter().map(|&i| items[i].gap));
            DimensionScore {
                dimension: name.clone(),
                n: None,
                mean_e,
                mean_p,
                gap,
                sd: None,
                se: None,
                ci_low: None,
                ci_high: None,
                t: None,
                p_value: None,
                alpha_e: None,
                alpha_p: None,
                alpha_gap: None,
            }
        })
        .collect();
    let weighted = match importance {
        Some(Importance::Aggregate(w)) => aggregate_weighted(&dimensions, w),
        _ => None,
    };
    let servqual = ServqualScore {
        unweighted: mean_of(dimensions.iter().map(|d| d.gap)),
        weighted,
        weighted_n: None,
    };
    let has_zone = picked
        .iter()
        .any(|r| r.means[2].is_some() && r.means[3].is_some());
    let zone = if has_zone {
        let mut z: Vec<ZoneRow> = ins
            .items
            .iter()
            .enumerate()
            .filter(|(i, _)| acc[*i][2].0 > 0.0)
            .map(|(i, def)| {
                zone_from_means(
                    Some(def.id.clone()),
                    None,
                    n_sum[i].map(|n| n.round() as u64),
                    mean(i, 2),
                    mean(i, 3),
                    mean(i, 1),
                )
            })
            .collect();
        for (d, name) in ins.dimensions.iter().enumerate() {
            let its: Vec<usize> = ins
                .items_of(d)
                .into_iter()
                .filter(|&i| acc[i][2].0 > 0.0)
                .collect();
            if its.is_empty() {
                continue;
            }
            let m = |x: usize| mean_of(its.iter().map(|&i| mean(i, x)));
            z.push(zone_from_means(
                None,
                Some(name.clone()),
                None,
                m(2),
                m(3),
                m(1),
            ));
        }
        z
    } else {
        Vec::new()
    };
    let importances: Vec<Option<f64>> = match importance {
        Some(Importance::Aggregate(w)) => w.iter().map(|&x| Some(x)).collect(),
        _ => dimensions.iter().map(|d| d.mean_e).collect(),
    };
    let ipa = ipa_rows(&dimensions, &importances);
    SurveyTables {
        respondents: 0,
        items,
        dimensions,
        servqual,
        zone,
        ipa,
    }
}
