//! What the control chart reads beyond its limits (SPEC §4.4): Laney's u′
//! chart, which widens the u-chart's limits by the spread the cells really
//! show (large volumes make u-chart limits so narrow that a stable
//! operation looks out of control everywhere), and the run rules (Western
//! Electric, Nelson) that flag runs and trends within each group's series
//! of cells. Both read the cells as standardised values: z = (x − Ū) / σ
//! with σ the cell's sigma on the chart in use.
//!
//! A series is one group's cells in period order (the rows come period by
//! period, so each group's come in order); a cell off the chart (no units)
//! or without a sigma stays in its series as a hole, which breaks moving
//! ranges and never completes a rule's window.

use serde::Serialize;

use super::periods::SqiPeriods;
use crate::error::{Error, Result};

/// The control chart (`--chart`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartType {
    /// The demerit u-chart: limits Ū ± 3σ_t.
    #[default]
    U,
    /// Laney's u′ chart: limits Ū ± 3σ_t·σ_z.
    Laney,
}

impl ChartType {
    /// Parses `u` or `laney`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "u" => Ok(ChartType::U),
            "laney" | "u'" | "uprime" => Ok(ChartType::Laney),
            _ => Err(Error::usage(format!("unknown chart '{s}' (u, laney)"))),
        }
    }
}

/// The run rules (`--rules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSet {
    /// Western Electric: `we1`–`we4`.
    #[default]
    We,
    /// Nelson: `n1`–`n8`.
    Nelson,
    /// No run rules.
    None,
}

impl RuleSet {
    /// Parses `we`, `nelson` or `none`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "we" | "western-electric" => Ok(RuleSet::We),
            "nelson" => Ok(RuleSet::Nelson),
            "none" => Ok(RuleSet::None),
            _ => Err(Error::usage(format!(
                "unknown rules '{s}' (we, nelson, none)"
            ))),
        }
    }

    /// The rule ids, bit `i` of a cell's signals being rule `i`.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            RuleSet::We => &["we1", "we2", "we3", "we4"],
            RuleSet::Nelson => &["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"],
            RuleSet::None => &[],
        }
    }
}

/// The longest window a rule reads is Nelson's rule 7's, 15 cells; the
/// ring holds 16 (a power of two: its index is a mask).
const WINDOW: usize = 16;

/// The last cells of one series: a ring of the latest values and how many
/// of them, up to the current one, are not holes.
#[derive(Clone, Copy)]
struct Recent {
    ring: [f64; WINDOW],
    /// Where the next value goes.
    at: usize,
    /// Consecutive values since the last hole, the current one included
    /// (at most `WINDOW`).
    run: usize,
}

impl Default for Recent {
    fn default() -> Self {
        Recent {
            ring: [0.0; WINDOW],
            at: 0,
            run: 0,
        }
    }
}

impl Recent {
    fn push(&mut self, z: Option<f64>) {
        match z {
            Some(z) => {
                self.ring[self.at] = z;
                self.at = (self.at + 1) & (WINDOW - 1);
                self.run = (self.run + 1).min(WINDOW);
            }
            None => self.run = 0,
        }
    }

    /// The value `back` cells before the current one (0: the current).
    #[inline]
    fn get(&self, back: usize) -> f64 {
        self.ring[(self.at + WINDOW - 1 - back) & (WINDOW - 1)]
    }

    /// Whether the last `n` values hold no hole and each meets `f`.
    #[inline]
    fn all(&self, n: usize, f: impl Fn(f64) -> bool) -> bool {
        self.run >= n && (0..n).all(|b| f(self.get(b)))
    }

    /// At least `k` of the last `n` beyond `+t` (or `−t`), the current one
    /// among them.
    #[inline]
    fn k_of_n(&self, k: usize, n: usize, t: f64) -> bool {
        let cur = self.get(0);
        if self.run < n || cur.abs() <= t {
            return false;
        }
        let count = |f: &dyn Fn(f64) -> bool| (0..n).filter(|&b| f(self.get(b))).count();
        (cur > t && count(&|z| z > t) >= k) || (cur < -t && count(&|z| z < -t) >= k)
    }

    /// The last `n` on one side of 0.
    #[inline]
    fn one_side(&self, n: usize) -> bool {
        match self.get(0) {
            z if z > 0.0 => self.all(n, |z| z > 0.0),
            z if z < 0.0 => self.all(n, |z| z < 0.0),
            _ => false,
        }
    }
}

/// Which rules of `rules` the current cell of `recent` completes, as a
/// bit mask (bit `i`: rule `i` of [`RuleSet::names`]).
fn fired(rules: RuleSet, recent: &Recent) -> u16 {
    if recent.run == 0 {
        return 0;
    }
    let beyond3 = recent.get(0).abs() > 3.0;
    match rules {
        RuleSet::None => 0,
        RuleSet::We => {
            u16::from(beyond3)
                | u16::from(recent.k_of_n(2, 3, 2.0)) << 1
                | u16::from(recent.k_of_n(4, 5, 1.0)) << 2
                | u16::from(recent.one_side(8)) << 3
        }
        RuleSet::Nelson => {
            let trend = recent.run >= 6
                && ((0..5).all(|b| recent.get(b) > recent.get(b + 1))
                    || (0..5).all(|b| recent.get(b) < recent.get(b + 1)));
            let alternating = recent.run >= 14 && {
                let d = |b: usize| recent.get(b) - recent.get(b + 1);
                (0..13).all(|b| d(b) != 0.0) && (0..12).all(|b| (d(b) > 0.0) != (d(b + 1) > 0.0))
            };
            let hugging = recent.all(15, |z| z.abs() < 1.0);
            let mixture = recent.all(8, |z| z.abs() > 1.0)
                && (0..8).any(|b| recent.get(b) > 1.0)
                && (0..8).any(|b| recent.get(b) < -1.0);
            u16::from(beyond3)
                | u16::from(recent.one_side(9)) << 1
                | u16::from(trend) << 2
                | u16::from(alternating) << 3
                | u16::from(recent.k_of_n(2, 3, 2.0)) << 4
                | u16::from(recent.k_of_n(4, 5, 1.0)) << 5
                | u16::from(hugging) << 6
                | u16::from(mixture) << 7
        }
    }
}

/// Each cell's standardised value on the u-chart, (x − Ū) / σ_t (NaN for
/// a cell off the chart or without a sigma), and its group: one pass over
/// the cells, on two cores for many.
struct Standardised {
    z: Vec<f64>,
    group: Vec<u32>,
    /// Cells beyond the u-chart's limits, counted on the way.
    out_of_control: u64,
}

/// The pass of one core over its cells.
struct ZPass<'a> {
    periods: &'a SqiPeriods,
    with_volume: bool,
    z: Vec<f64>,
    group: Vec<u32>,
    out_of_control: u64,
}

impl super::periods::RowVisitor for ZPass<'_> {
    #[inline]
    fn row<C: Copy + Into<u32>>(&mut self, p: &super::periods::SqiPeriod, _: &[C]) {
        let z = self
            .periods
            .sigma(p)
            .and_then(|(centre, sigma)| {
                let x = p.plotted(self.with_volume)?;
                (sigma > 0.0).then(|| (x - centre) / sigma)
            })
            .unwrap_or(f64::NAN);
        self.z.push(z);
        self.group.push(p.group);
        self.out_of_control += u64::from(p.out_of_control);
    }
}

impl Standardised {
    fn of(periods: &SqiPeriods) -> Self {
        let with_volume = periods.with_volume();
        let parts = periods.fold_cells(|| ZPass {
            periods,
            with_volume,
            z: Vec::new(),
            group: Vec::new(),
            out_of_control: 0,
        });
        let mut out = Standardised {
            z: Vec::with_capacity(periods.len()),
            group: Vec::with_capacity(periods.len()),
            out_of_control: 0,
        };
        for p in parts {
            out.z.extend(p.z);
            out.group.extend(p.group);
            out.out_of_control += p.out_of_control;
        }
        out
    }

    /// Calls `f` with each row's cell, group and z / `scale` (`None`: a
    /// hole), in row order.
    fn each(&self, periods: &SqiPeriods, scale: f64, mut f: impl FnMut(u32, u32, Option<f64>)) {
        periods.for_each_row_cell(|c| {
            let i = c as usize;
            let z = self.z.get(i).copied().filter(|z| !z.is_nan());
            f(
                c,
                self.group.get(i).copied().unwrap_or(0),
                z.map(|z| z / scale),
            );
        });
    }
}

/// What the chart reads beyond its u-chart limits: Laney's σ_z, each
/// cell's run-rule signals (see [`signals`]) and the cells beyond the
/// u-chart's limits, from one pass over the cells for their z (on two
/// cores) and one over the rows. `None` when there is nothing to read
/// (the u-chart without rules).
pub(crate) struct Reading {
    /// Laney's σ_z (with `--chart laney`).
    pub sigma_z: Option<f64>,
    /// Each cell's signals, by cell (empty: none).
    pub signals: Vec<u16>,
    /// Cells beyond the u-chart's limits.
    pub u_out_of_control: u64,
}

/// The [`Reading`] of `periods`, whose u-chart limits are set.
pub(crate) fn read_chart(
    periods: &SqiPeriods,
    chart: ChartType,
    rules: RuleSet,
) -> Option<Reading> {
    if chart == ChartType::U && rules == RuleSet::None {
        return None;
    }
    let z = Standardised::of(periods);
    let sigma_z = match chart {
        ChartType::Laney => laney_sigma_z(periods, &z),
        ChartType::U => None,
    };
    let scale = match chart {
        ChartType::Laney => sigma_z,
        ChartType::U => Some(1.0),
    };
    Some(Reading {
        sigma_z,
        signals: signals(periods, &z, rules, scale),
        u_out_of_control: z.out_of_control,
    })
}

/// Laney's σ_z: the mean moving range of z over consecutive cells of the
/// same series that both have one, over 1.128; `None` without such a pair.
fn laney_sigma_z(periods: &SqiPeriods, z: &Standardised) -> Option<f64> {
    let mut last: Vec<Option<f64>> = vec![None; periods.groups.len().max(1)];
    let (mut sum, mut pairs) = (0.0, 0u64);
    z.each(periods, 1.0, |_, g, z| {
        if let Some(prev) = last.get_mut(g as usize) {
            if let (Some(a), Some(b)) = (*prev, z) {
                sum += (b - a).abs();
                pairs += 1;
            }
            *prev = z;
        }
    });
    (pairs > 0).then(|| sum / pairs as f64 / 1.128)
}

/// Each cell's signals under `rules` on z' = z / `scale` (bit `i`: rule
/// `i` of [`RuleSet::names`]), indexed by cell; empty when no cell has
/// one, or without a scale (Laney's chart without σ_z has no sigma).
fn signals(periods: &SqiPeriods, z: &Standardised, rules: RuleSet, scale: Option<f64>) -> Vec<u16> {
    let Some(scale) = scale.filter(|_| rules != RuleSet::None) else {
        return Vec::new();
    };
    let groups = periods.groups.len().max(1);
    let len = periods.len();
    // The series of the groups of one parity (`share` of `of`).
    let part = |share: u32, of: u32| {
        let mut recent: Vec<Recent> = vec![Recent::default(); groups];
        let mut out: Vec<u16> = Vec::new();
        z.each(periods, scale, |c, g, z| {
            if g % of != share {
                return;
            }
            let Some(series) = recent.get_mut(g as usize) else {
                return;
            };
            series.push(z);
            let bits = fired(rules, series);
            if bits != 0 {
                if out.is_empty() {
                    out = vec![0; len];
                }
                if let Some(slot) = out.get_mut(c as usize) {
                    *slot = bits;
                }
            }
        });
        out
    };
    if len < 1 << 16 || groups < 2 {
        return part(0, 1);
    }
    // two cores, each the series of half the groups
    let (mut even, odd) = std::thread::scope(|scope| {
        let helper = scope.spawn(|| part(1, 2));
        let even = part(0, 2);
        let odd = helper
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (even, odd)
    });
    match (even.is_empty(), odd.is_empty()) {
        (_, true) => even,
        (true, false) => odd,
        (false, false) => {
            even.iter_mut().zip(&odd).for_each(|(a, b)| *a |= b);
            even
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recent(z: &[f64]) -> Recent {
        let mut r = Recent::default();
        for &x in z {
            r.push(Some(x));
        }
        r
    }

    #[test]
    fn the_ring_keeps_the_latest_sixteen() {
        let r = recent(&(0..20).map(f64::from).collect::<Vec<_>>());
        assert_eq!(
            (r.get(0), r.get(14), r.get(15), r.run),
            (19.0, 5.0, 4.0, 16)
        );
    }

    fn we(z: &[f64]) -> Vec<&'static str> {
        let bits = fired(RuleSet::We, &recent(z));
        (0..4)
            .filter(|i| bits >> i & 1 == 1)
            .map(|i| RuleSet::We.names()[i])
            .collect()
    }

    fn nelson(z: &[f64]) -> Vec<&'static str> {
        let bits = fired(RuleSet::Nelson, &recent(z));
        (0..8)
            .filter(|i| bits >> i & 1 == 1)
            .map(|i| RuleSet::Nelson.names()[i])
            .collect()
    }

    #[test]
    fn western_electric_rules_by_hand() {
        assert_eq!(we(&[3.1]), ["we1"]);
        assert_eq!(we(&[-3.5]), ["we1"]);
        assert!(we(&[3.0]).is_empty(), "beyond 3, not at 3");
        // two of three above +2, the current one among them
        assert_eq!(we(&[2.5, 0.0, 2.1]), ["we2"]);
        assert!(
            we(&[2.5, 2.1, 0.0]).is_empty(),
            "the current one is not beyond 2"
        );
        assert_eq!(we(&[-2.5, -2.2, 0.5]).len(), 0);
        assert_eq!(we(&[-2.5, 1.0, -2.2]), ["we2"]);
        // four of five above +1
        assert_eq!(we(&[1.5, 1.2, -0.5, 1.1, 1.3]), ["we3"]);
        // eight on one side; seven are not enough
        assert_eq!(we(&[0.5; 8]), ["we4"]);
        assert!(we(&[0.5; 7]).is_empty());
        assert!(we(&[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.1]).is_empty());
    }

    #[test]
    fn nelson_rules_by_hand() {
        assert_eq!(nelson(&[0.2; 9]), ["n2"]);
        assert!(nelson(&[0.2; 8]).is_empty());
        assert_eq!(nelson(&[-0.5, -0.4, -0.3, -0.2, -0.1, -0.05]), ["n3"]);
        assert!(
            nelson(&[-0.5, -0.4, -0.3, -0.3, -0.1, 0.05]).is_empty(),
            "ties break a trend"
        );
        let zigzag: Vec<f64> = (0..14)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        assert_eq!(nelson(&zigzag), ["n4"]);
        assert!(nelson(&zigzag[1..]).is_empty(), "13 cells are too few");
        assert_eq!(nelson(&[0.1; 15]), ["n2", "n7"]);
        let mixture = [1.5, -1.5, 1.2, -1.2, 1.1, -1.1, 1.3, -1.3];
        // eight beyond ±1 on both sides, alternating: mixture only (the
        // zigzag needs 14)
        assert_eq!(nelson(&mixture), ["n8"]);
        assert_eq!(nelson(&[3.2]), ["n1"]);
        assert_eq!(nelson(&[2.5, 0.0, 2.1]), ["n5"]);
    }

    #[test]
    fn a_hole_breaks_every_window() {
        let mut r = recent(&[0.5; 7]);
        r.push(None);
        r.push(Some(0.5));
        assert_eq!(fired(RuleSet::We, &r), 0);
        let mut r = recent(&[2.5]);
        r.push(None);
        r.push(Some(2.5));
        assert_eq!(fired(RuleSet::We, &r), 0, "we2's window holds the hole");
    }
}
