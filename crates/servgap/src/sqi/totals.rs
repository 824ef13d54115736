//! Whole-run totals of the index: incidents, points, days and periods with
//! data, volume, and points per day and per unit.

use std::collections::BTreeSet;

use serde::Serialize;

use super::chart::RowSums;
use super::periods::SqiPeriods;
use crate::period::PeriodKind;

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

/// The totals of a run whose rows summed to `sums`, over the dates
/// (days from the common era) with any row.
pub(crate) fn totals(
    periods: &SqiPeriods,
    sums: &RowSums,
    dates: &BTreeSet<i32>,
    kind: PeriodKind,
) -> SqiTotals {
    // Every date with a row is in a cell, and every cell has a date.
    let mut periods_seen = 0u64;
    let mut last_period = None;
    for d in dates {
        let Some(day) = chrono::NaiveDate::from_num_days_from_ce_opt(*d) else {
            continue;
        };
        let period = kind.period_of(day).0;
        if last_period != Some(period) {
            periods_seen += 1;
            last_period = Some(period);
        }
    }
    let days = dates.len() as u64;
    let points: f64 = sums
        .all_counts
        .iter()
        .zip(periods.weights())
        .map(|(&c, &wc)| c as f64 * wc)
        .sum();
    let volume = periods.with_volume().then_some(sums.volume_sum);
    SqiTotals {
        incidents: sums
            .all_counts
            .iter()
            .fold(0u64, |a, &b| a.saturating_add(b)),
        points,
        days,
        mean_daily_points: (days > 0).then(|| points / days as f64),
        volume,
        points_per_unit: volume
            .filter(|v| *v > 0.0)
            .map(|v| points / v * periods.per()),
        periods: periods_seen,
        cells: periods.len() as u64,
    }
}
