//! The Service Quality Index (SPEC §4.4): FedEx-style weighted incident
//! points per period and group, normalised by days or by volume, on a
//! demerit (Dodge–Torrey) u-chart, with a Pareto of the categories and groups
//! that cost the most points, and the threshold checks a CI job fails on.
//!
//! Reading fills a table of period × group cells (`model::cells`); this
//! module only computes from those cells: the rows ([`periods`]), the
//! control chart ([`chart`]), the totals ([`totals`]), the Pareto
//! ([`pareto`]), the CI checks ([`checks`]) and the trends a report draws
//! ([`trend`]). Results are plain structs; the
//! per-period rows are made from the cells when asked for (a million
//! site-days take no memory beyond their cells') and serialise, with their
//! category counts, to the JSON of SPEC §6.

use serde::ser::SerializeMap;
use serde::Serialize;

use crate::model::cells::CellTable;
use crate::model::tallies::{InputRows, Rejection, RowCounts};
use crate::model::weights::{CategoryWeight, WeightTable};
use crate::period::PeriodKind;

pub mod chart;
pub mod checks;
#[cfg(test)]
pub(crate) mod fixture;
pub mod pareto;
pub mod partial;
pub mod periods;
pub mod rules;
pub mod totals;
pub mod trend;

pub use chart::{CategoryRate, ControlChart};
pub use checks::{Breach, CheckKind, CheckOutcome, CheckScope, CheckSpec};
pub use pareto::{GroupParetoRow, ParetoRow};
pub(crate) use periods::RowVisitor;
pub use periods::{SqiPeriod, SqiPeriods};
pub use rules::{ChartType, RuleSet};
pub use totals::SqiTotals;
pub use trend::{GroupTrend, OperationPeriod};

/// What went into an SQI run.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
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
    /// The control chart.
    pub chart: ChartType,
    /// The run rules.
    pub rules: RuleSet,
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
    let with_volume = volume_rows.is_some();
    let rank = value_rank(&table.groups);
    let sorted = table.sorted;
    let dates = std::mem::take(&mut table.dates);
    let ngroups = table.groups.len();
    let mut periods = SqiPeriods::from_cells(table, weights, &inputs, with_volume);
    // one pass (on two cores for many cells) for the chart, the totals and
    // the groups' points
    let sums = chart::RowSums::over(&periods, ngroups);
    let plain = inputs.chart == ChartType::U && inputs.rules == RuleSet::None;
    let mut chart = chart::control_chart(&mut periods, &sums, weights, plain);
    periods.order_rows(sorted, &rank);
    if let Some(reading) = rules::read_chart(&periods, inputs.chart, inputs.rules) {
        chart.out_of_control = reading.u_out_of_control;
        if inputs.chart == ChartType::Laney {
            // the limits widened by the spread the series show
            periods.set_sigma_scale(reading.sigma_z);
            chart.chart_type = ChartType::Laney;
            chart.sigma_z = reading.sigma_z;
            chart.out_of_control = chart::count_out_of_control(&periods);
        }
        periods.set_signals(reading.signals, inputs.rules.names());
    }
    let totals = totals::totals(&periods, &sums, &dates, inputs.period);
    let pareto = pareto::categories(&periods, &sums.all_counts, weights);
    let pareto_groups = match inputs.by.is_empty() {
        true => Vec::new(),
        false => pareto::groups(&periods, &sums.group_sums, &rank),
    };
    let checks = checks::run(&periods, checks, inputs.check_scope);
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

/// [`analyse`] of cells read by day, week or month: quarters and years
/// are rolled up from months first.
pub(crate) fn analyse_cells(
    table: CellTable,
    incident_rows: RowCounts,
    volume_rows: Option<RowCounts>,
    weights: &WeightTable,
    inputs: SqiInputs,
    checks: &[CheckSpec],
) -> crate::error::Result<SqiReport> {
    let table = if inputs.period.longer_than_a_month() {
        table.rolled_up(inputs.period).ok_or_else(|| {
            crate::error::Error::file(
                &inputs.incidents,
                None,
                format!(
                    "a count per {:?} passes 4,294,967,295: use a shorter --period",
                    inputs.period
                ),
            )
        })?
    } else {
        table
    };
    Ok(analyse(
        table,
        incident_rows,
        volume_rows,
        weights,
        inputs,
        checks,
    ))
}

/// Each group's place among the groups ordered by their values.
fn value_rank(groups: &[Vec<String>]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..groups.len() as u32).collect();
    order.sort_by(|a, b| groups[*a as usize].cmp(&groups[*b as usize]));
    let mut rank = vec![0u32; order.len()];
    for (r, g) in order.iter().enumerate() {
        rank[*g as usize] = r as u32;
    }
    rank
}

/// Serialises `(column, value)` pairs as fields of the enclosing object.
pub(crate) fn group_entries<M: SerializeMap>(
    m: &mut M,
    group: &[(String, String)],
) -> std::result::Result<(), M::Error> {
    for (col, v) in group {
        m.serialize_entry(col, v)?;
    }
    Ok(())
}
