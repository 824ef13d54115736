//! The Service Quality Index (SPEC §4.4): FedEx-style weighted incident
//! points per period and group, normalised by days or by volume, on a
//! demerit (Dodge–Torrey) u-chart, with a Pareto of the categories and groups
//! that cost the most points, and the threshold checks a CI job fails on.
//!
//! Reading fills a table of period × group cells (`input::incidents`); this
//! module only computes from those cells. Results are plain structs; the
//! per-period rows are made from the cells when asked for (a million
//! site-days take no memory beyond their cells') and serialise, with their
//! category counts, to the JSON of SPEC §6.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::model::cells::CellTable;
use crate::model::cells::{CellHead, Part};
use crate::model::counts::{with_counts, CountSlice};
use crate::model::tallies::{InputRows, Rejection, RowCounts};
use crate::model::weights::{CategoryWeight, WeightTable};
use crate::period::{Period, PeriodKind};

/// A threshold a CI job checks (`--max-points`, `--max-per-unit`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Weighted points of a period (and group) must not exceed the limit.
    MaxPoints,
    /// Points per `--per` units of volume must not exceed the limit.
    MaxPerUnit,
}

/// Which periods a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckScope {
    /// The latest period only (every group's cell in it).
    #[default]
    Last,
    /// Every period.
    All,
}

impl CheckScope {
    /// Parses `last` or `all`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "last" => Ok(CheckScope::Last),
            "all" => Ok(CheckScope::All),
            _ => Err(Error::usage(format!(
                "unknown check scope '{s}' (last, all)"
            ))),
        }
    }
}

/// One threshold to check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CheckSpec {
    /// What is checked.
    pub kind: CheckKind,
    /// The largest value that passes.
    pub limit: f64,
}

/// What went into an SQI run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SqiInputs {
    /// The incident log (`<stdin>` for standard input).
    pub incidents: String,
    /// The encoding of the incident log.
    pub encoding: String,
    /// `fedex12`, `evans10` or the weights file.
    pub weights: String,
    /// The volume file, if any.
    pub volume: Option<String>,
    /// Period length.
    pub period: PeriodKind,
    /// Units per normalisation.
    pub per: f64,
    /// `--by` columns.
    pub by: Vec<String>,
    /// Which periods the checks look at.
    pub check_scope: CheckScope,
}

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
    row: u32,
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
            days: h.days.count_ones(),
            points,
            out_of_control: false,
            volume,
            per: self.per,
            ucl: f64::NAN,
            lcl: f64::NAN,
            row: c,
        };
        if let (Some(centre), Some(n)) = (self.centre, self.units(&p)) {
            let sigma = (self.spread / n).sqrt();
            p.ucl = centre + 3.0 * sigma;
            p.lcl = (centre - 3.0 * sigma).max(0.0);
            if let Some(v) = p.plotted(self.with_volume) {
                p.out_of_control = v > p.ucl || v < p.lcl;
            }
        }
        p
    }

    /// A row's inspection units: volume / per, or days.
    fn units(&self, p: &SqiPeriod) -> Option<f64> {
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
    fn fold_cells<T: RowVisitor + Send>(&self, init: impl Fn() -> T + Sync) -> Vec<T> {
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

/// The demerit control chart's parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlChart {
    /// What an inspection unit is: `volume` (volume / per) or `days`.
    pub units: &'static str,
    /// Σ n_t over the cells on the chart.
    pub total_units: f64,
    /// Centre line Ū = Σ w_c · ū_c.
    pub centre: Option<f64>,
    /// ū_c per reported category: incidents per unit.
    pub category_rates: Vec<CategoryRate>,
    /// Cells with no units (no volume, or volume 0), left off the chart.
    pub cells_without_units: u64,
    /// Cells beyond a limit.
    pub out_of_control: u64,
}

/// One category's rate on the control chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRate {
    /// The category.
    pub category: String,
    /// Its weight.
    pub weight: f64,
    /// ū_c = Σ count / Σ units.
    pub rate: Option<f64>,
}

/// One category of the Pareto.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoRow {
    /// The category.
    pub category: String,
    /// Its weight.
    pub weight: f64,
    /// Incidents.
    pub count: u64,
    /// Weighted points.
    pub points: f64,
    /// Share of all points (0–1; unavailable when there are no points).
    pub share: Option<f64>,
    /// Cumulative share down to this row.
    pub cumulative: Option<f64>,
    /// In the smallest leading set reaching 80% of the points.
    pub vital_few: bool,
}

/// One group of the Pareto of groups (with `--by`).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupParetoRow {
    /// `(column, value)` of each `--by` column.
    pub group: Vec<(String, String)>,
    /// Incidents.
    pub count: u64,
    /// Weighted points.
    pub points: f64,
    /// Share of all points.
    pub share: Option<f64>,
    /// Cumulative share down to this row.
    pub cumulative: Option<f64>,
    /// In the smallest leading set reaching 80% of the points.
    pub vital_few: bool,
}

/// A cell that broke a threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    /// The period.
    pub period: Period,
    /// `(column, value)` of each `--by` column.
    pub group: Vec<(String, String)>,
    /// The checked value.
    pub value: f64,
    /// By how much it exceeds the limit.
    pub excess: f64,
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckOutcome {
    /// `max_points` or `max_per_unit`.
    pub check: CheckKind,
    /// The limit.
    pub limit: f64,
    /// `last` or `all`.
    pub scope: CheckScope,
    /// Cells checked.
    pub checked: u64,
    /// Cells in scope without a value (no volume), not checked.
    pub unchecked: u64,
    /// Whether every checked cell is within the limit.
    pub passed: bool,
    /// Cells over the limit.
    pub breaches: Vec<Breach>,
}

/// Whole-run totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SqiTotals {
    /// Incidents (Σ count).
    pub incidents: u64,
    /// Weighted points.
    pub points: f64,
    /// Distinct dates with data.
    pub days: u64,
    /// `points / days`.
    pub mean_daily_points: Option<f64>,
    /// Σ volume (with a volume file).
    pub volume: Option<f64>,
    /// `points / volume · per`.
    pub points_per_unit: Option<f64>,
    /// Distinct periods.
    pub periods: u64,
    /// Period × group rows.
    pub cells: u64,
}

/// The result of `servgap sqi`: the JSON document of SPEC §6.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SqiReport {
    /// Always `servgap/sqi/v1`.
    pub schema: &'static str,
    /// What went in.
    pub inputs: SqiInputs,
    /// Incident rows read.
    pub rows_read: u64,
    /// Incident rows used.
    pub rows_used: u64,
    /// Incident rows rejected (with `--on-invalid skip`).
    pub rows_rejected: u64,
    /// Rejection reasons.
    pub rejections: Vec<Rejection>,
    /// Row counts of the volume file.
    pub volume_rows: Option<RowCounts>,
    /// The weight table used.
    pub weights: Vec<CategoryWeight>,
    /// Whole-run totals.
    pub totals: SqiTotals,
    /// Control chart parameters.
    pub chart: ControlChart,
    /// Per period (× group).
    pub periods: SqiPeriods,
    /// Categories by points.
    pub pareto: Vec<ParetoRow>,
    /// Groups by points (with `--by`).
    pub pareto_groups: Vec<GroupParetoRow>,
    /// Threshold checks.
    pub checks: Vec<CheckOutcome>,
}

impl SqiReport {
    /// Rows read, used and rejected, per input file (incident log, volume).
    pub fn input_rows(&self) -> Vec<InputRows> {
        let mut rows = vec![InputRows::new(
            &self.inputs.incidents,
            self.rows_read,
            self.rows_used,
            &self.rejections,
        )];
        if let (Some(file), Some(counts)) = (&self.inputs.volume, &self.volume_rows) {
            rows.push(InputRows {
                file: file.clone(),
                counts: counts.clone(),
            });
        }
        rows
    }

    /// Whether every check passed (true without checks).
    pub fn checks_passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// Sums over period rows for the control chart (counts of rows with
/// units, and the units), the totals and the Pareto of groups; one per
/// core, merged.
struct RowSums {
    /// Whether units are volumes (else days).
    with_volume: bool,
    /// Per category: the count over all rows, and over rows without units
    /// (few; the chart's counts are the difference).
    all_counts: Vec<u64>,
    unitless_counts: Vec<u64>,
    /// Σ units of rows with units (volume not yet divided by `per`).
    total_units: f64,
    without_units: u64,
    volume_sum: f64,
    /// Per group: (incidents, points).
    group_sums: Vec<(u64, f64)>,
}

impl RowSums {
    fn new(k: usize, groups: usize, with_volume: bool) -> Self {
        RowSums {
            with_volume,
            all_counts: vec![0; k],
            unitless_counts: vec![0; k],
            total_units: 0.0,
            without_units: 0,
            volume_sum: 0.0,
            group_sums: vec![(0, 0.0); groups],
        }
    }

    fn merge(&mut self, o: &RowSums) {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.unitless_counts, &o.unitless_counts);
        add(&mut self.all_counts, &o.all_counts);
        self.total_units += o.total_units;
        self.without_units += o.without_units;
        self.volume_sum += o.volume_sum;
        for (a, b) in self.group_sums.iter_mut().zip(&o.group_sums) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }
}

impl RowVisitor for RowSums {
    #[inline]
    fn row<C: Copy + Into<u32>>(&mut self, p: &SqiPeriod, counts: &[C]) {
        let mut incidents = 0u64;
        for (a, &c) in self.all_counts.iter_mut().zip(counts) {
            let c = u64::from(c.into());
            *a += c;
            incidents += c;
        }
        // volume before dividing by `per`: whole volumes sum exactly, in
        // any order, and Ū divides once
        let units = if self.with_volume {
            some(p.volume).filter(|v| *v > 0.0)
        } else {
            Some(p.days as f64)
        };
        match units {
            Some(n) => self.total_units += n,
            None => {
                self.without_units += 1;
                for (s, &c) in self.unitless_counts.iter_mut().zip(counts) {
                    *s += u64::from(c.into());
                }
            }
        }
        if let Some(v) = p.volume() {
            self.volume_sum += v;
        }
        if let Some(e) = self.group_sums.get_mut(p.group as usize) {
            e.0 += incidents;
            e.1 += p.points;
        }
    }
}

/// Rows beyond a control limit.
struct OutOfControl(u64);

impl RowVisitor for OutOfControl {
    #[inline]
    fn row<C: Copy + Into<u32>>(&mut self, p: &SqiPeriod, _: &[C]) {
        self.0 += u64::from(p.out_of_control);
    }
}

/// Share and cumulative share of a ranked list, and the vital few: the
/// smallest leading set whose cumulative share reaches 80%.
fn shares(points: &[f64]) -> Vec<(Option<f64>, Option<f64>, bool)> {
    let total: f64 = points.iter().sum();
    let mut before = 0.0;
    points
        .iter()
        .map(|&p| {
            // before < 0.8 · total, without rounding 0.8 (exact for whole points).
            let vital = total > 0.0 && before * 5.0 < total * 4.0;
            before += p;
            if total > 0.0 {
                (Some(p / total), Some(before / total), vital)
            } else {
                (None, None, false)
            }
        })
        .collect()
}

/// The settings of one analysis, taken from its inputs.
struct SqiSettings<'a> {
    by: Vec<String>,
    period: PeriodKind,
    per: f64,
    check_scope: CheckScope,
    checks: &'a [CheckSpec],
}

/// The report from the period × group cells the incident log (and the
/// volume file) were read into, with their row counts: the analysis of
/// `servgap sqi`. `inputs` says what went in (period, `--per`, `--by`,
/// check scope); `checks` are the CI thresholds.
pub fn analyse(
    mut table: CellTable,
    incident_rows: RowCounts,
    volume_rows: Option<RowCounts>,
    weights: &WeightTable,
    inputs: SqiInputs,
    checks: &[CheckSpec],
) -> SqiReport {
    let cfg = SqiSettings {
        by: inputs.by.clone(),
        period: inputs.period,
        per: inputs.per,
        check_scope: inputs.check_scope,
        checks,
    };
    let cfg = &cfg;
    let with_volume = volume_rows.is_some();
    let k = table.k;
    let w: Vec<f64> = weights.categories.iter().map(|c| c.weight).collect();
    let columns: Vec<usize> = (0..k).filter(|&c| table.seen[c]).collect();

    // Group order: by their values.
    let mut order: Vec<u32> = (0..table.groups.len() as u32).collect();
    order.sort_by(|a, b| table.groups[*a as usize].cmp(&table.groups[*b as usize]));
    let mut rank = vec![0u32; order.len()];
    for (r, g) in order.iter().enumerate() {
        rank[*g as usize] = r as u32;
    }

    let sorted = table.sorted;
    let dates = std::mem::take(&mut table.dates);
    let ngroups = table.groups.len();
    let len = table.len();
    let mut periods = SqiPeriods {
        by: cfg.by.clone(),
        groups: std::mem::take(&mut table.groups),
        categories: columns
            .iter()
            .map(|&c| weights.categories[c].category.clone())
            .collect(),
        centre: None,
        with_volume,
        kind: cfg.period,
        parts: table.into_parts(),
        len,
        order: None,
        weights: w.clone(),
        whole_weights: whole_weights(&w),
        spread: 0.0,
        per: cfg.per,
        columns: columns.clone(),
    };

    // Demerit u-chart: n_t per cell, ū_c over all cells, Ū, σ_t. Each
    // core sums half of the cells for the chart, the totals and the
    // groups' points.
    let sums = periods.fold_cells(|| RowSums::new(k, ngroups, with_volume));
    let mut sums = sums.into_iter();
    let mut all = sums
        .next()
        .unwrap_or_else(|| RowSums::new(k, ngroups, with_volume));
    for other in sums {
        all.merge(&other);
    }
    let RowSums {
        with_volume: _,
        all_counts,
        unitless_counts,
        total_units,
        volume_sum,
        group_sums,
        without_units,
    } = all;
    // the counts on the chart: of the rows with units
    let sum_counts: Vec<u64> = all_counts
        .iter()
        .zip(&unitless_counts)
        .map(|(a, u)| a - u)
        .collect();
    let total_units = if with_volume {
        total_units / cfg.per
    } else {
        total_units
    };
    let rates: Vec<Option<f64>> = sum_counts
        .iter()
        .map(|&c| (total_units > 0.0).then(|| c as f64 / total_units))
        .collect();
    let centre = (total_units > 0.0).then(|| {
        rates
            .iter()
            .zip(&w)
            .map(|(r, wc)| wc * r.unwrap_or(0.0))
            .sum::<f64>()
    });
    periods.centre = centre;
    periods.spread = rates
        .iter()
        .zip(&w)
        .map(|(r, wc)| wc * wc * r.unwrap_or(0.0))
        .sum();
    // With the centre line known, rows carry their limits.
    let out_of_control: u64 = periods
        .fold_cells(|| OutOfControl(0))
        .into_iter()
        .map(|n| n.0)
        .sum();

    // Rows are in cell order: already by period then group value when the
    // cells came in (period, group) order and groups in value order.
    let in_order = sorted && rank.iter().enumerate().all(|(g, &r)| r as usize == g);
    if !in_order {
        let mut keyed: Vec<(i32, u32, u32)> = Vec::with_capacity(len);
        for part in &periods.parts {
            for (i, h) in part.heads().iter().enumerate() {
                keyed.push((h.key, rank[h.group as usize], part.start + i as u32));
            }
        }
        keyed.sort_unstable();
        periods.order = Some(keyed.into_iter().map(|(_, _, c)| c).collect());
    }
    // Every date with a row is in a cell, and every cell has a date.
    let mut periods_seen = 0u64;
    let mut last_period = None;
    for d in &dates {
        let Some(day) = chrono::NaiveDate::from_num_days_from_ce_opt(*d) else {
            continue;
        };
        let period = cfg.period.period_of(day).0;
        if last_period != Some(period) {
            periods_seen += 1;
            last_period = Some(period);
        }
    }

    // Totals.
    let days = dates.len() as u64;
    let points: f64 = all_counts
        .iter()
        .zip(&w)
        .map(|(&c, &wc)| c as f64 * wc)
        .sum();
    let volume = with_volume.then_some(volume_sum);
    let totals = SqiTotals {
        incidents: all_counts.iter().fold(0u64, |a, &b| a.saturating_add(b)),
        points,
        days,
        mean_daily_points: (days > 0).then(|| points / days as f64),
        volume,
        points_per_unit: volume.filter(|v| *v > 0.0).map(|v| points / v * cfg.per),
        periods: periods_seen,
        cells: len as u64,
    };

    // Pareto of categories.
    let mut cats: Vec<usize> = columns.clone();
    let cat_points = |c: usize| all_counts[c] as f64 * w[c];
    cats.sort_by(|&a, &b| {
        cat_points(b).total_cmp(&cat_points(a)).then_with(|| {
            weights.categories[a]
                .category
                .cmp(&weights.categories[b].category)
        })
    });
    let pts: Vec<f64> = cats.iter().map(|&c| cat_points(c)).collect();
    let pareto = cats
        .iter()
        .zip(shares(&pts))
        .map(|(&c, (share, cumulative, vital_few))| ParetoRow {
            category: weights.categories[c].category.clone(),
            weight: w[c],
            count: all_counts[c],
            points: cat_points(c),
            share,
            cumulative,
            vital_few,
        })
        .collect();

    // Pareto of groups.
    let named = |g: u32| -> Vec<(String, String)> {
        cfg.by
            .iter()
            .cloned()
            .zip(periods.groups.get(g as usize).cloned().unwrap_or_default())
            .collect()
    };
    let mut pareto_groups = Vec::new();
    if !cfg.by.is_empty() {
        let by_group = group_sums;
        let mut gs: Vec<u32> = (0..by_group.len() as u32).collect();
        gs.sort_by(|&a, &b| {
            by_group[b as usize]
                .1
                .total_cmp(&by_group[a as usize].1)
                .then(rank[a as usize].cmp(&rank[b as usize]))
        });
        let pts: Vec<f64> = gs.iter().map(|&g| by_group[g as usize].1).collect();
        pareto_groups = gs
            .iter()
            .zip(shares(&pts))
            .map(|(&g, (share, cumulative, vital_few))| GroupParetoRow {
                group: named(g),
                count: by_group[g as usize].0,
                points: by_group[g as usize].1,
                share,
                cumulative,
                vital_few,
            })
            .collect();
    }

    // Checks: every row, or the last period's (the last rows).
    let from = match (cfg.check_scope, len.checked_sub(1)) {
        (CheckScope::Last, Some(end)) => {
            let last = periods.row_at(end).0.period;
            let (mut lo, mut hi) = (0, end);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if periods.row_at(mid).0.period < last {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        }
        _ => 0,
    };
    let checks = cfg
        .checks
        .iter()
        .map(|spec| {
            let mut outcome = CheckOutcome {
                check: spec.kind,
                limit: spec.limit,
                scope: cfg.check_scope,
                checked: 0,
                unchecked: 0,
                passed: true,
                breaches: Vec::new(),
            };
            for p in (from..len).map(|i| periods.row_at(i).0) {
                let value = match spec.kind {
                    CheckKind::MaxPoints => Some(p.points),
                    CheckKind::MaxPerUnit => p.points_per_unit(),
                };
                let Some(value) = value else {
                    outcome.unchecked += 1;
                    continue;
                };
                outcome.checked += 1;
                if value > spec.limit {
                    outcome.breaches.push(Breach {
                        period: p.period,
                        group: named(p.group),
                        value,
                        excess: value - spec.limit,
                    });
                }
            }
            outcome.passed = outcome.breaches.is_empty();
            outcome
        })
        .collect();

    let chart = ControlChart {
        units: if with_volume { "volume" } else { "days" },
        total_units,
        centre,
        category_rates: columns
            .iter()
            .map(|&c| CategoryRate {
                category: weights.categories[c].category.clone(),
                weight: w[c],
                rate: rates[c],
            })
            .collect(),
        cells_without_units: without_units,
        out_of_control,
    };
    SqiReport {
        schema: "servgap/sqi/v1",
        inputs,
        rows_read: incident_rows.rows_read,
        rows_used: incident_rows.rows_used,
        rows_rejected: incident_rows.rows_rejected,
        rejections: incident_rows.rejections,
        volume_rows,
        weights: weights.categories.clone(),
        totals,
        chart,
        periods,
        pareto,
        pareto_groups,
        checks,
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

/// Serialises `(column, value)` pairs as fields of the enclosing object.
fn group_entries<M: SerializeMap>(
    m: &mut M,
    group: &[(String, String)],
) -> std::result::Result<(), M::Error> {
    for (col, v) in group {
        m.serialize_entry(col, v)?;
    }
    Ok(())
}

impl Serialize for GroupParetoRow {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        group_entries(&mut m, &self.group)?;
        m.serialize_entry("count", &self.count)?;
        m.serialize_entry("points", &self.points)?;
        m.serialize_entry("share", &self.share)?;
        m.serialize_entry("cumulative", &self.cumulative)?;
        m.serialize_entry("vital_few", &self.vital_few)?;
        m.end()
    }
}

impl Serialize for Breach {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("period", &self.period)?;
        group_entries(&mut m, &self.group)?;
        m.serialize_entry("value", &self.value)?;
        m.serialize_entry("excess", &self.excess)?;
        m.end()
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

    #[test]
    fn vital_few_includes_the_row_that_crosses_80_percent() {
        let s = shares(&[50.0, 30.0, 15.0, 5.0]);
        assert_eq!(
            s.iter().map(|x| x.2).collect::<Vec<_>>(),
            [true, true, false, false]
        );
        let s = shares(&[50.0, 29.0, 16.0, 5.0]);
        assert_eq!(
            s.iter().map(|x| x.2).collect::<Vec<_>>(),
            [true, true, true, false]
        );
        approx::assert_relative_eq!(s[2].1.unwrap_or(0.0), 0.95);
        let s = shares(&[0.0, 0.0]);
        assert!(s.iter().all(|x| x.0.is_none() && !x.2));
    }
}
