//! The per-period rows of the index: one per period × group cell, made
//! from the cells the readers left when they are asked for, so that a
//! million site-days take no memory beyond their cells'. A row's points
//! are Σ weight × count (summed in integers when the weights are whole);
//! its control limits come from the chart's centre line and spread
//! ([`super::chart`]). The rows serialise, with their category counts, to
//! the `periods` array of SPEC §6.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::SqiInputs;
use crate::model::cells::{CellHead, CellTable, Part};
use crate::model::counts::{with_counts, CountSlice};
use crate::model::weights::WeightTable;
use crate::period::{Period, PeriodKind};

/// One period (× group) of the index. Figures that may be unavailable are
/// methods returning `Option`, which keeps a row small.
#[derive(Debug, Clone, Copy)]
pub struct SqiPeriod {
    /// The period.
    pub period: Period,
    /// Index into [`SqiPeriods::groups`] (0 without `--by`).
    pub group: u32,
    /// Distinct dates in the period and group with an incident or volume row.
    pub days: u32,
    /// Σ weight × count.
    pub points: f64,
    /// Beyond a control limit.
    pub out_of_control: bool,
    volume: f64,
    per: f64,
    ucl: f64,
    lcl: f64,
    /// The cell's index.
    pub(crate) row: u32,
    /// Run-rule signals: bit `i` is rule `i` of the rule set in use.
    pub(crate) signals: u16,
}

fn some(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

impl PartialEq for SqiPeriod {
    /// Equal figures, an unavailable one equal only to an unavailable one.
    fn eq(&self, o: &Self) -> bool {
        (self.period, self.group, self.days, self.points) == (o.period, o.group, o.days, o.points)
            && self.out_of_control == o.out_of_control
            && (self.volume(), self.ucl(), self.lcl()) == (o.volume(), o.ucl(), o.lcl())
            && (self.per, self.row) == (o.per, o.row)
    }
}

impl SqiPeriod {
    /// `points / days`.
    pub fn mean_daily_points(&self) -> f64 {
        self.points / self.days as f64
    }

    /// Volume handled (with a volume file and a volume row for the cell).
    pub fn volume(&self) -> Option<f64> {
        some(self.volume)
    }

    /// `points / volume · per` (unavailable without volume, or with 0).
    pub fn points_per_unit(&self) -> Option<f64> {
        some(self.volume)
            .filter(|v| *v > 0.0)
            .map(|v| self.points / v * self.per)
    }

    /// Upper control limit (unavailable when the cell has no units).
    pub fn ucl(&self) -> Option<f64> {
        some(self.ucl)
    }

    /// Lower control limit, at least 0.
    pub fn lcl(&self) -> Option<f64> {
        some(self.lcl)
    }

    /// The plotted value: points per unit with volume, else mean daily points.
    pub fn plotted(&self, with_volume: bool) -> Option<f64> {
        if with_volume {
            self.points_per_unit()
        } else {
            Some(self.mean_daily_points())
        }
    }
}

/// The per-period rows with what they refer to: group values and the count
/// of every category. Rows are made from the period × group cells the
/// readers left when they are asked for ([`SqiPeriods::rows`]), so that a
/// million rows take no memory beyond the cells'.
#[derive(Debug, Clone)]
pub struct SqiPeriods {
    /// `--by` column names.
    pub by: Vec<String>,
    /// Group values by group index (one value per `--by` column).
    pub groups: Vec<Vec<String>>,
    /// The categories reported (those in the log), in the weights' order.
    pub categories: Vec<String>,
    /// The control chart's centre line, the same for every row.
    pub centre: Option<f64>,
    with_volume: bool,
    /// The kind of period of the cells.
    kind: PeriodKind,
    /// The cells, part by part as the readers left them: cell `c` is in
    /// the last part whose `start` is at most `c`.
    parts: Vec<Part>,
    /// How many cells (rows) there are.
    len: usize,
    /// Row `i` is cell `order[i]`, when the cells are not in row order.
    order: Option<Vec<u32>>,
    /// The weight of each category of the weight table (whose order the
    /// counts follow, `weights.len()` per cell).
    weights: Vec<f64>,
    /// The weights as whole numbers, when they all are (below 2^21):
    /// points are then summed exactly in integers, as fast as it gets.
    whole_weights: Option<Vec<u32>>,
    /// Σ weight² × rate: the chart's σ for one unit, squared.
    spread: f64,
    /// What σ_t is multiplied by for the limits: 1 on the u-chart, σ_z
    /// on Laney's; `None` when Laney's σ_z is unavailable (no limits).
    sigma_scale: Option<f64>,
    /// Each cell's run-rule signals (empty: none).
    signals: Vec<u16>,
    /// The rule ids of the signals' bits.
    rule_names: &'static [&'static str],
    per: f64,
    /// The weight table's index of each reported category.
    columns: Vec<usize>,
}

impl SqiPeriods {
    /// How many rows (period × group cells) there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Row `i`, by period then group value.
    pub fn row(&self, i: usize) -> Option<SqiPeriod> {
        (i < self.len).then(|| self.row_at(i).0)
    }

    /// The rows, by period then group value.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = SqiPeriod> + '_ {
        self.rows_in(0..self.len).map(|(p, _)| p)
    }

    /// The group values of a row.
    pub fn group_values(&self, p: &SqiPeriod) -> &[String] {
        self.groups
            .get(p.group as usize)
            .map_or(&[], |g| &g[..self.by.len().min(g.len())])
    }

    /// The count of each reported category in a row, in [`SqiPeriods::categories`] order.
    pub fn category_counts<'a>(&'a self, p: &SqiPeriod) -> impl Iterator<Item = u64> + 'a {
        let counts = self.cell(p.row).map(|(_, c)| c);
        self.columns.iter().map(move |&c| {
            counts
                .filter(|n| c < n.len())
                .map_or(0, |n| u64::from(n.get(c)))
        })
    }

    /// Whether every row's volume is a whole number (a scan of the cells,
    /// without making the rows).
    pub fn volumes_whole(&self) -> bool {
        self.parts
            .iter()
            .all(|p| p.heads().iter().all(|h| h.volume.fract() == 0.0))
    }

    /// Whether the run had a volume file (the chart then plots points per unit).
    pub fn with_volume(&self) -> bool {
        self.with_volume
    }

    /// The weight table's index of each reported category.
    pub(crate) fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// Rows `range` (within `len`) with their counts, in the weight
    /// table's order.
    pub(crate) fn rows_in(&self, range: std::ops::Range<usize>) -> RowsIn<'_> {
        RowsIn {
            all: self,
            next: range.start,
            end: range.end.min(self.len),
            part: (0, 0, &[], CountSlice::U32(&[])),
        }
    }

    /// Row `i` (below `len`) and its counts, in the weight table's order.
    #[inline]
    pub(crate) fn row_at(&self, i: usize) -> (SqiPeriod, CountSlice<'_>) {
        let c = match &self.order {
            Some(order) => order[i],
            None => i as u32,
        };
        let (h, counts) = self.cell(c).unwrap_or_else(|| panic!("no cell {c}"));
        (with_counts!(counts, n => self.make(c, h, n)), counts)
    }

    /// Cell `c` and its counts.
    #[inline]
    fn cell(&self, c: u32) -> Option<(&CellHead, CountSlice<'_>)> {
        let part = self.part_of(c)?;
        let i = (c - part.start) as usize;
        let k = self.weights.len();
        let h = part.heads().get(i)?;
        Some((h, part.counts(k).cell(i, k)))
    }

    /// The part holding cell `c`: the last that starts at or before it.
    #[inline]
    fn part_of(&self, c: u32) -> Option<&Part> {
        let at = self.parts.partition_point(|p| p.start <= c);
        self.parts.get(at.checked_sub(1)?)
    }

    /// The row of cell `c`: points, and control limits once the centre
    /// line is known.
    #[inline]
    fn make<C: Copy + Into<u32>>(&self, c: u32, h: &CellHead, counts: &[C]) -> SqiPeriod {
        let points = points(counts, &self.weights, self.whole_weights.as_deref());
        let volume = if self.with_volume && h.volume_days != 0 {
            h.volume
        } else {
            f64::NAN
        };
        let mut p = SqiPeriod {
            period: Period::of_key(self.kind, h.key),
            group: h.group,
            days: match self.kind.longer_than_a_month() {
                true => h.days,
                false => h.days.count_ones(),
            },
            points,
            out_of_control: false,
            volume,
            per: self.per,
            ucl: f64::NAN,
            lcl: f64::NAN,
            row: c,
            signals: self.signals.get(c as usize).copied().unwrap_or(0),
        };
        if let (Some(centre), Some(n), Some(scale)) =
            (self.centre, self.units(&p), self.sigma_scale)
        {
            let sigma = (self.spread / n).sqrt() * scale;
            p.ucl = centre + 3.0 * sigma;
            p.lcl = (centre - 3.0 * sigma).max(0.0);
            if let Some(v) = p.plotted(self.with_volume) {
                p.out_of_control = v > p.ucl || v < p.lcl;
            }
        }
        p
    }

    /// A row's inspection units: volume / per, or days.
    pub(crate) fn units(&self, p: &SqiPeriod) -> Option<f64> {
        if self.with_volume {
            some(p.volume).map(|v| v / self.per).filter(|n| *n > 0.0)
        } else {
            Some(p.days as f64)
        }
    }

    /// Visits cells `from..to` in cell order, a part at a time: one loop
    /// per part, for its width of counts.
    fn visit_cells(&self, from: usize, to: usize, v: &mut impl RowVisitor) {
        let k = self.weights.len();
        for part in &self.parts {
            let heads = part.heads();
            let start = part.start as usize;
            let lo = from.clamp(start, start + heads.len());
            let hi = to.clamp(start, start + heads.len());
            let counts = part.counts(k).range((lo - start) * k, (hi - start) * k);
            let heads = &heads[lo - start..hi - start];
            with_counts!(counts, counts => {
                for (j, (h, counts)) in heads.iter().zip(counts.chunks_exact(k)).enumerate() {
                    v.row(&self.make((lo + j) as u32, h, counts), counts);
                }
            })
        }
    }

    /// Visits rows `range` (within `len`) in row order.
    pub(crate) fn visit_rows(&self, range: std::ops::Range<usize>, v: &mut impl RowVisitor) {
        let (from, to) = (range.start.min(self.len), range.end.min(self.len));
        let Some(order) = &self.order else {
            return self.visit_cells(from, to, v);
        };
        for &c in &order[from..to.max(from)] {
            if let Some((h, counts)) = self.cell(c) {
                with_counts!(counts, n => v.row(&self.make(c, h, n), n));
            }
        }
    }

    /// Folds the rows in cell order, on two cores for many: each core
    /// folds half into its own `T`, first half first.
    pub(crate) fn fold_cells<T: RowVisitor + Send>(&self, init: impl Fn() -> T + Sync) -> Vec<T> {
        let range = |from: usize, to: usize| {
            let mut acc = init();
            self.visit_cells(from, to, &mut acc);
            acc
        };
        if self.len < 1 << 16 {
            return vec![range(0, self.len)];
        }
        let half = self.len / 2;
        std::thread::scope(|scope| {
            let helper = scope.spawn(|| range(half, self.len));
            let first = range(0, half);
            // a panic in the helper is a bug: pass it on
            let second = helper
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            vec![first, second]
        })
    }
}

/// Σ weight × count, in the weight table's order; `whole` has the weights
/// as integers when they all are whole numbers below 2^21.
#[inline]
fn points<C: Copy + Into<u32>>(counts: &[C], weights: &[f64], whole: Option<&[u32]>) -> f64 {
    if let Some(whole) = whole {
        // Every product and partial sum below 2^53 is exact in f64, so
        // this is the f64 sum below, bit for bit.
        // (products of counts and 32-bit weights: several at a time in SIMD)
        let sum: u64 = counts
            .iter()
            .zip(whole)
            .map(|(&n, &w)| u64::from(n.into()) * u64::from(w))
            .sum();
        if sum < 1 << 53 {
            return sum as f64;
        }
    }
    counts
        .iter()
        .zip(weights)
        .map(|(&n, &w)| f64::from(n.into()) * w)
        .sum()
}

/// The weights as integers, when all are whole numbers below 2^21 (not
/// −0, whose products are −0).
fn whole_weights(weights: &[f64]) -> Option<Vec<u32>> {
    weights
        .iter()
        .map(|&x| {
            let whole = (x as u32) as f64;
            (whole.to_bits() == x.to_bits() && x < (1u32 << 21) as f64).then_some(x as u32)
        })
        .collect()
}

/// A pass over rows that sees each row's counts in their stored width
/// ([`SqiPeriods::visit_rows`]): its loops are compiled once per width.
pub(crate) trait RowVisitor {
    /// Row `p`, with its counts in the weight table's order.
    fn row<C: Copy + Into<u32>>(&mut self, p: &SqiPeriod, counts: &[C]);
}

/// Rows of a range with their counts (see [`SqiPeriods::rows_in`]): cells
/// are looked up in the part of the previous row first.
pub(crate) struct RowsIn<'a> {
    all: &'a SqiPeriods,
    next: usize,
    end: usize,
    /// The part of the last row: first and end cell, heads, counts.
    part: (u32, u32, &'a [CellHead], CountSlice<'a>),
}

impl<'a> Iterator for RowsIn<'a> {
    type Item = (SqiPeriod, CountSlice<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let all = self.all;
        let c = match &all.order {
            Some(order) => order[i],
            None => i as u32,
        };
        if !(self.part.0..self.part.1).contains(&c) {
            let part = all.part_of(c)?;
            let heads = part.heads();
            let end = part.start + heads.len() as u32;
            self.part = (part.start, end, heads, part.counts(all.weights.len()));
        }
        let (start, _, heads, counts) = self.part;
        let k = all.weights.len();
        let j = (c - start) as usize;
        let counts = counts.cell(j, k);
        Some((with_counts!(counts, n => all.make(c, &heads[j], n)), counts))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for RowsIn<'_> {}

impl PartialEq for SqiPeriods {
    /// The same rows with the same figures, however the cells are stored.
    fn eq(&self, other: &Self) -> bool {
        fn visible(s: &SqiPeriods) -> impl Iterator<Item = impl PartialEq + '_> + '_ {
            s.rows().map(move |p| {
                let figures = (p.days, p.points, p.volume(), p.ucl(), p.lcl());
                let counts: Vec<u64> = s.category_counts(&p).collect();
                (
                    p.period,
                    s.group_values(&p),
                    figures,
                    p.out_of_control,
                    counts,
                )
            })
        }
        self.by == other.by
            && self.categories == other.categories
            && self.centre == other.centre
            && self.with_volume == other.with_volume
            && self.len == other.len
            && visible(self).eq(visible(other))
    }
}

impl SqiPeriods {
    /// The rows of `table`'s cells, weighted by `weights`; the centre line
    /// and the row order are settled later ([`super::chart`],
    /// [`SqiPeriods::order_rows`]).
    pub(crate) fn from_cells(
        table: CellTable,
        weights: &WeightTable,
        inputs: &SqiInputs,
        with_volume: bool,
    ) -> Self {
        let w: Vec<f64> = weights.categories.iter().map(|c| c.weight).collect();
        let columns: Vec<usize> = (0..table.k).filter(|&c| table.seen[c]).collect();
        let mut table = table;
        let len = table.len();
        SqiPeriods {
            by: inputs.by.clone(),
            groups: std::mem::take(&mut table.groups),
            categories: columns
                .iter()
                .map(|&c| weights.categories[c].category.clone())
                .collect(),
            centre: None,
            with_volume,
            kind: inputs.period,
            parts: table.into_parts(),
            len,
            order: None,
            whole_weights: whole_weights(&w),
            weights: w,
            spread: 0.0,
            sigma_scale: Some(1.0),
            signals: Vec::new(),
            rule_names: &[],
            per: inputs.per,
            columns,
        }
    }

    /// The centre line and row `p`'s σ_t (of the u-chart), when it is on
    /// the chart.
    pub(crate) fn sigma(&self, p: &SqiPeriod) -> Option<(f64, f64)> {
        Some((self.centre?, (self.spread / self.units(p)?).sqrt()))
    }

    /// Sets what σ_t is multiplied by for the limits (Laney's σ_z; `None`:
    /// no limits).
    pub(crate) fn set_sigma_scale(&mut self, scale: Option<f64>) {
        self.sigma_scale = scale;
    }

    /// Sets the cells' run-rule signals and the ids of their bits.
    pub(crate) fn set_signals(&mut self, signals: Vec<u16>, names: &'static [&'static str]) {
        self.signals = signals;
        self.rule_names = names;
    }

    /// Calls `f` with each row's cell, in row order.
    pub(crate) fn for_each_row_cell(&self, mut f: impl FnMut(u32)) {
        match &self.order {
            Some(order) => order.iter().for_each(|&c| f(c)),
            None => (0..self.len as u32).for_each(f),
        }
    }

    /// Whether any row has a run-rule signal.
    pub(crate) fn has_signals(&self) -> bool {
        !self.signals.is_empty()
    }

    /// The ids of row `p`'s signals, in rule order.
    pub fn signal_names(&self, p: &SqiPeriod) -> Vec<&'static str> {
        self.rule_names
            .iter()
            .enumerate()
            .filter(|(i, _)| p.signals >> i & 1 == 1)
            .map(|(_, n)| *n)
            .collect()
    }

    /// The ids of the signals of a bit mask, joined by `;`.
    pub(crate) fn signal_text(&self, bits: u16) -> String {
        self.rule_names
            .iter()
            .enumerate()
            .filter(|(i, _)| bits >> i & 1 == 1)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Orders the rows by period, then by their group's `rank` (its place
    /// among the groups' values). Nothing to do when the cells came in
    /// (period, group) order (`sorted`) and groups were met in value order.
    pub(crate) fn order_rows(&mut self, sorted: bool, rank: &[u32]) {
        let in_order = sorted && rank.iter().enumerate().all(|(g, &r)| r as usize == g);
        if in_order {
            return;
        }
        let mut keyed: Vec<(i32, u32, u32)> = Vec::with_capacity(self.len);
        for part in &self.parts {
            for (i, h) in part.heads().iter().enumerate() {
                keyed.push((h.key, rank[h.group as usize], part.start + i as u32));
            }
        }
        keyed.sort_unstable();
        self.order = Some(keyed.into_iter().map(|(_, _, c)| c).collect());
    }

    /// `(column, value)` of each `--by` column of group `g`.
    pub(crate) fn named_group(&self, g: u32) -> Vec<(String, String)> {
        self.by
            .iter()
            .cloned()
            .zip(self.groups.get(g as usize).cloned().unwrap_or_default())
            .collect()
    }

    /// Units per normalisation (`--per`).
    pub(crate) fn per(&self) -> f64 {
        self.per
    }

    /// The weight of each category of the weight table.
    pub(crate) fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The control limits around the centre line for `units` inspection
    /// units: `(lcl, ucl)`, the lower at least 0.
    pub(crate) fn limits(&self, units: f64) -> Option<(f64, f64)> {
        let centre = self.centre?;
        let scale = self.sigma_scale?;
        (units > 0.0).then(|| {
            let sigma = (self.spread / units).sqrt() * scale;
            ((centre - 3.0 * sigma).max(0.0), centre + 3.0 * sigma)
        })
    }

    /// Sets the chart's centre line and Σ weight² × rate, from which every
    /// row's limits follow.
    pub(crate) fn set_limits(&mut self, centre: Option<f64>, spread: f64) {
        self.centre = centre;
        self.spread = spread;
    }
}

/// A number that is `null` when unavailable.
fn opt(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

struct PeriodRow<'a>(&'a SqiPeriods, &'a SqiPeriod);

impl Serialize for PeriodRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (all, p) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("period", &p.period)?;
        for (col, v) in all.by.iter().zip(all.group_values(p)) {
            m.serialize_entry(col, v)?;
        }
        m.serialize_entry("points", &p.points)?;
        m.serialize_entry("days", &p.days)?;
        m.serialize_entry("mean_daily_points", &p.mean_daily_points())?;
        m.serialize_entry("volume", &p.volume())?;
        m.serialize_entry("points_per_unit", &opt(p.points_per_unit()))?;
        m.serialize_entry("centre", &all.centre)?;
        m.serialize_entry("ucl", &p.ucl())?;
        m.serialize_entry("lcl", &p.lcl())?;
        m.serialize_entry("out_of_control", &p.out_of_control)?;
        m.serialize_entry("signals", &all.signal_names(p))?;
        m.serialize_entry("categories", &Categories(all, p))?;
        m.end()
    }
}

struct Categories<'a>(&'a SqiPeriods, &'a SqiPeriod);

impl Serialize for Categories<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.categories.len()))?;
        for (name, n) in self.0.categories.iter().zip(self.0.category_counts(self.1)) {
            m.serialize_entry(name, &n)?;
        }
        m.end()
    }
}

impl Serialize for SqiPeriods {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len))?;
        for p in self.rows() {
            seq.serialize_element(&PeriodRow(self, &p))?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_weights_give_the_float_sum_exactly() {
        let w = [5.0, 1.0, 10.0, 0.0];
        let whole = whole_weights(&w);
        assert_eq!(whole.as_deref(), Some(&[5, 1, 10, 0][..]));
        // 3·5 + 0·1 + 7·10 + 9·0, by hand
        assert_eq!(points(&[3u32, 0, 7, 9], &w, whole.as_deref()), 85.0);
        // the same in every width counts are stored in
        assert_eq!(points(&[3u8, 0, 7, 9], &w, whole.as_deref()), 85.0);
        assert_eq!(points(&[3u16, 0, 7, 9], &w, None), 85.0);
        // a sum past 2^53 is left to floats: 4,294,967,295 × 2^20 × 3
        let big = [1048576.0; 3];
        let whole = whole_weights(&big);
        assert!(whole.is_some());
        let n = [u32::MAX; 3];
        let float = n.iter().map(|&c| c as f64 * 1048576.0).sum::<f64>();
        assert_eq!(
            points(&n, &big, whole.as_deref()).to_bits(),
            float.to_bits()
        );
        assert_eq!(float, 4294967295.0 * 1048576.0 * 3.0);
        // fractions, −0 and large weights take the float sum
        assert!(whole_weights(&[0.5, 1.0]).is_none());
        assert!(whole_weights(&[-0.0]).is_none());
        assert!(whole_weights(&[4194304.0]).is_none());
        assert_eq!(points(&[3u32, 1], &[0.5, 1.0], None), 2.5);
        assert_eq!(
            points(&[2u32], &[-0.0], None).to_bits(),
            (-0.0f64).to_bits()
        );
    }
}
