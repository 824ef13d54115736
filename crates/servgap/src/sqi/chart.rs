//! The demerit (Dodge–Torrey) u-chart of the index: per category, the
//! incidents per inspection unit over every cell with units (ū_c); the
//! centre line Ū = Σ w_c · ū_c; per cell, σ = √(Σ w_c² · ū_c / n) and limits
//! Ū ± 3σ (the lower one at least 0). A unit is `--per` of volume with a
//! volume file, else a day. One pass over the cells (`RowSums`, on two
//! cores for many) gives the chart's sums, the totals' and the groups'
//! points; a second counts the cells beyond a limit.

use serde::Serialize;

use super::periods::{RowVisitor, SqiPeriod, SqiPeriods};
use crate::model::weights::WeightTable;

/// The demerit control chart's parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlChart {
    /// `u` (the demerit u-chart) or `laney` (Laney's u′).
    #[serde(rename = "type")]
    pub chart_type: super::rules::ChartType,
    /// What an inspection unit is: `volume` (volume / per) or `days`.
    pub units: &'static str,
    /// Σ n_t over the cells on the chart.
    pub total_units: f64,
    /// Centre line Ū = Σ w_c · ū_c.
    pub centre: Option<f64>,
    /// Laney's σ_z, the spread of the standardised cells (null on the
    /// u-chart, and when no two consecutive cells of a series have one).
    pub sigma_z: Option<f64>,
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

/// Sums over period rows for the control chart (counts of rows with
/// units, and the units), the totals and the Pareto of groups; one per
/// core, merged.
pub(crate) struct RowSums {
    /// Whether units are volumes (else days).
    with_volume: bool,
    /// Per category: the count over all rows, and over rows without units
    /// (few; the chart's counts are the difference).
    pub all_counts: Vec<u64>,
    pub unitless_counts: Vec<u64>,
    /// Σ units of rows with units (volume not yet divided by `per`).
    pub total_units: f64,
    pub without_units: u64,
    pub volume_sum: f64,
    /// Per group: (incidents, points).
    pub group_sums: Vec<(u64, f64)>,
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
            p.volume().filter(|v| *v > 0.0)
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

impl RowSums {
    /// The sums over every row of `periods`.
    pub(crate) fn over(periods: &SqiPeriods, groups: usize) -> Self {
        let k = periods.weights().len();
        let with_volume = periods.with_volume();
        let mut sums = periods
            .fold_cells(|| RowSums::new(k, groups, with_volume))
            .into_iter();
        let mut all = sums
            .next()
            .unwrap_or_else(|| RowSums::new(k, groups, with_volume));
        for other in sums {
            all.merge(&other);
        }
        all
    }
}

/// The rows beyond their limits.
pub(crate) fn count_out_of_control(periods: &SqiPeriods) -> u64 {
    periods
        .fold_cells(|| OutOfControl(0))
        .into_iter()
        .map(|n| n.0)
        .sum()
}

/// The chart of `periods` from their sums: sets the centre line and the
/// rows' limits, and counts the rows beyond them.
pub(crate) fn control_chart(
    periods: &mut SqiPeriods,
    sums: &RowSums,
    weights: &WeightTable,
    count: bool,
) -> ControlChart {
    let with_volume = periods.with_volume();
    let w = periods.weights().to_vec();
    // the counts on the chart: of the rows with units
    let sum_counts: Vec<u64> = sums
        .all_counts
        .iter()
        .zip(&sums.unitless_counts)
        .map(|(a, u)| a - u)
        .collect();
    let total_units = if with_volume {
        sums.total_units / periods.per()
    } else {
        sums.total_units
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
    let spread = rates
        .iter()
        .zip(&w)
        .map(|(r, wc)| wc * wc * r.unwrap_or(0.0))
        .sum();
    periods.set_limits(centre, spread);
    // With the centre line known, rows carry their limits (counted here,
    // or on the pass that reads the chart's rules: `count`).
    let out_of_control = match count {
        true => count_out_of_control(periods),
        false => 0,
    };
    ControlChart {
        chart_type: super::rules::ChartType::U,
        units: if with_volume { "volume" } else { "days" },
        total_units,
        centre,
        sigma_z: None,
        category_rates: periods
            .columns()
            .iter()
            .map(|&c| CategoryRate {
                category: weights.categories[c].category.clone(),
                weight: w[c],
                rate: rates[c],
            })
            .collect(),
        cells_without_units: sums.without_units,
        out_of_control,
    }
}
