//! The trends a report draws from the period rows: the whole operation's
//! (every group's cells of a period summed, on the same demerit chart: its
//! units are the cells' units summed, so its limits are narrower), and
//! the rows of the groups with the most cells out of control. A year of
//! 3,000 sites is never drawn as 3,000 lines: one trend and a few small
//! multiples.

use super::periods::{SqiPeriod, SqiPeriods};
use crate::period::Period;

/// One period of the whole operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperationPeriod {
    /// The period.
    pub period: Period,
    /// Points of the cells with units.
    pub points: f64,
    /// Their units: volume / `per`, or days (0: none on the chart).
    pub units: f64,
    /// The plotted value, `points / units` (per `per` of volume, or per
    /// site-day); `None` without units.
    pub value: Option<f64>,
    /// The upper control limit for those units.
    pub ucl: Option<f64>,
    /// The lower one.
    pub lcl: Option<f64>,
    /// Beyond a limit.
    pub out_of_control: bool,
}

/// A group and its rows, for a small multiple.
#[derive(Debug, Clone)]
pub struct GroupTrend {
    /// `(column, value)` of each `--by` column.
    pub group: Vec<(String, String)>,
    /// Its cells out of control.
    pub out_of_control: u64,
    /// Its rows, by period.
    pub rows: Vec<SqiPeriod>,
}

impl SqiPeriods {
    /// The whole operation per period (see the module docs).
    pub fn operation(&self) -> Vec<OperationPeriod> {
        let mut out: Vec<OperationPeriod> = Vec::new();
        for p in self.rows() {
            let units = self.units(&p);
            let (points, units) = match units {
                Some(u) => (p.points, u),
                None => (0.0, 0.0),
            };
            match out.last_mut() {
                Some(o) if o.period == p.period => {
                    o.points += points;
                    o.units += units;
                }
                _ => out.push(OperationPeriod {
                    period: p.period,
                    points,
                    units,
                    value: None,
                    ucl: None,
                    lcl: None,
                    out_of_control: false,
                }),
            }
        }
        for o in &mut out {
            o.value = (o.units > 0.0).then(|| o.points / o.units);
            if let Some((lcl, ucl)) = self.limits(o.units) {
                (o.lcl, o.ucl) = (Some(lcl), Some(ucl));
                o.out_of_control = o.value.is_some_and(|v| v > ucl || v < lcl);
            }
        }
        out
    }

    /// The `n` groups with the most cells out of control (at least one;
    /// ties by their values), each with its rows.
    pub fn worst_groups(&self, n: usize) -> Vec<GroupTrend> {
        if self.by.is_empty() || n == 0 {
            return Vec::new();
        }
        let mut counts = vec![0u64; self.groups.len()];
        for p in self.rows().filter(|p| p.out_of_control) {
            if let Some(c) = counts.get_mut(p.group as usize) {
                *c += 1;
            }
        }
        let mut worst: Vec<u32> = (0..counts.len() as u32)
            .filter(|&g| counts[g as usize] > 0)
            .collect();
        worst.sort_by(|&a, &b| {
            counts[b as usize]
                .cmp(&counts[a as usize])
                .then_with(|| self.groups[a as usize].cmp(&self.groups[b as usize]))
        });
        worst.truncate(n);
        let mut rows: Vec<Vec<SqiPeriod>> = vec![Vec::new(); worst.len()];
        for p in self.rows() {
            if let Some(i) = worst.iter().position(|&g| g == p.group) {
                rows[i].push(p);
            }
        }
        worst
            .iter()
            .zip(rows)
            .map(|(&g, rows)| GroupTrend {
                group: self.named_group(g),
                out_of_control: counts[g as usize],
                rows,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use approx::assert_relative_eq;

    /// Two days × two sites (see the fixture): on the first day S1 has 3
    /// points on 1,000 parcels and =S2 4 on 1,250; on the second S1 has 4
    /// on 1,000 and =S2 15 without volume, off the chart. Ū = 11 late
    /// parcels / 3.25 units = 3.3846 (lost weighs 10 but happened only off
    /// the chart), Σ w² ū = 3.3846.
    #[test]
    fn the_operation_sums_the_cells_with_units() {
        let r = super::super::fixture::two_days_two_sites();
        let op = r.periods.operation();
        assert_eq!(op.len(), 2);
        let centre: f64 = 11.0 / 3.25;
        // day 1: 7 points on 2.25 units
        assert_relative_eq!(op[0].points, 7.0);
        assert_relative_eq!(op[0].units, 2.25);
        assert_relative_eq!(op[0].value.unwrap_or(f64::NAN), 7.0 / 2.25);
        assert_relative_eq!(
            op[0].ucl.unwrap_or(f64::NAN),
            centre + 3.0 * (centre / 2.25).sqrt(),
            epsilon = 1e-12
        );
        assert_eq!(op[0].lcl, Some(0.0));
        // day 2: only S1's 4 points on 1 unit
        assert_relative_eq!(op[1].value.unwrap_or(f64::NAN), 4.0);
        assert_relative_eq!(
            op[1].ucl.unwrap_or(f64::NAN),
            centre + 3.0 * centre.sqrt(),
            epsilon = 1e-12
        );
        assert!(!op[0].out_of_control && !op[1].out_of_control);
    }

    #[test]
    fn no_group_is_worst_without_a_cell_out_of_control() {
        let r = super::super::fixture::two_days_two_sites();
        assert!(r.periods.rows().all(|p| !p.out_of_control));
        assert!(r.periods.worst_groups(6).is_empty());
    }
}
