//! The Pareto of the index: categories, and with `--by` groups, ranked by
//! the points they cost, with each one's share, the cumulative share, and
//! the "vital few": the smallest leading set reaching 80% of the points.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::group_entries;
use super::periods::SqiPeriods;
use crate::model::weights::WeightTable;

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

/// The categories of `periods` by points (ties by name), from their
/// counts over every row.
pub(crate) fn categories(
    periods: &SqiPeriods,
    all_counts: &[u64],
    weights: &WeightTable,
) -> Vec<ParetoRow> {
    let w = periods.weights();
    let mut cats: Vec<usize> = periods.columns().to_vec();
    let cat_points = |c: usize| all_counts[c] as f64 * w[c];
    cats.sort_by(|&a, &b| {
        cat_points(b).total_cmp(&cat_points(a)).then_with(|| {
            weights.categories[a]
                .category
                .cmp(&weights.categories[b].category)
        })
    });
    let pts: Vec<f64> = cats.iter().map(|&c| cat_points(c)).collect();
    cats.iter()
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
        .collect()
}

/// The groups of `periods` by points (ties by their values' `rank`), from
/// their (incidents, points) over every row.
pub(crate) fn groups(
    periods: &SqiPeriods,
    by_group: &[(u64, f64)],
    rank: &[u32],
) -> Vec<GroupParetoRow> {
    let mut gs: Vec<u32> = (0..by_group.len() as u32).collect();
    gs.sort_by(|&a, &b| {
        by_group[b as usize]
            .1
            .total_cmp(&by_group[a as usize].1)
            .then(rank[a as usize].cmp(&rank[b as usize]))
    });
    let pts: Vec<f64> = gs.iter().map(|&g| by_group[g as usize].1).collect();
    gs.iter()
        .zip(shares(&pts))
        .map(|(&g, (share, cumulative, vital_few))| GroupParetoRow {
            group: periods.named_group(g),
            count: by_group[g as usize].0,
            points: by_group[g as usize].1,
            share,
            cumulative,
            vital_few,
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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
