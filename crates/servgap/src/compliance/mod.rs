//! Hard-standard compliance (SPEC §4.3): the delivery gap in operational
//! terms. Per standard (and per `--by` group and `--period`): events with
//! the metric, events missing it (counted, not dropped), compliant events,
//! the compliance share with its Wilson 95% interval, the target, the gap
//! `compliance − target` and whether the standard passes
//! (`compliance ≥ target`).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use std::collections::BTreeMap;

pub use crate::model::standards::MissRule;
use crate::model::standards::{CellKey, HardStandard, Op, Tally};
use crate::model::tallies::{InputRows, Rejection, RowCounts};
use crate::period::{Period, PeriodKind};
use crate::stats::wilson;

pub mod partial;

/// JSON schema tag of the compliance report.
pub const COMPLIANCE_SCHEMA: &str = "servgap/compliance/v1";

/// One standard's compliance in one set of events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardCompliance {
    /// The standard's id.
    pub standard_id: String,
    /// What it says.
    pub description: String,
    /// The metric column.
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The threshold.
    pub threshold: f64,
    /// The survey item it serves, if given.
    pub item: Option<String>,
    /// Events with the metric present.
    pub events: u64,
    /// Events missing the metric.
    pub missing: u64,
    /// Events outside the standard's scope (neither events nor missing).
    pub out_of_scope: u64,
    /// Events meeting the standard.
    pub compliant: u64,
    /// `compliant / events` (unavailable without events).
    pub compliance: Option<f64>,
    /// Wilson 95% lower bound.
    pub ci_low: Option<f64>,
    /// Wilson 95% upper bound.
    pub ci_high: Option<f64>,
    /// The required share.
    pub target: f64,
    /// `compliance − target`.
    pub gap: Option<f64>,
    /// Not a miss under the rule in use (`--miss-rule`): with `point`,
    /// `compliance ≥ target`; with `certain`, `ci_high ≥ target`
    /// (unavailable without events).
    pub pass: Option<bool>,
}

fn figures(s: &HardStandard, t: Tally, rule: MissRule) -> StandardCompliance {
    let compliance = (t.events > 0).then(|| t.compliant as f64 / t.events as f64);
    let ci = wilson(t.compliant, t.events);
    StandardCompliance {
        standard_id: s.standard_id.clone(),
        description: s.description.clone(),
        metric: s.metric.clone(),
        op: s.op,
        threshold: s.threshold,
        item: s.item.clone(),
        events: t.events,
        missing: t.missing,
        out_of_scope: t.out_of_scope,
        compliant: t.compliant,
        compliance,
        ci_low: ci.map(|c| c.0),
        ci_high: ci.map(|c| c.1),
        target: s.target,
        gap: compliance.map(|c| c - s.target),
        pass: match rule {
            MissRule::Point => compliance.map(|c| c >= s.target),
            MissRule::Certain => ci.map(|(_, high)| high >= s.target),
        },
    }
}

/// The standards of one group and/or period.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplianceGroup {
    /// The period (with `--period`).
    pub period: Option<Period>,
    /// `(column, value)` of each `--by` column.
    pub key: Vec<(String, String)>,
    /// Per standard.
    pub standards: Vec<StandardCompliance>,
}

impl Serialize for ComplianceGroup {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(p) = &self.period {
            m.serialize_entry("period", p)?;
        }
        for (k, v) in &self.key {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("standards", &self.standards)?;
        m.end()
    }
}

/// What went into a compliance run.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ComplianceInputs {
    /// The events file.
    pub events: String,
    /// Its encoding.
    pub encoding: String,
    /// The hard standards file.
    pub standards: String,
    /// `--by` columns.
    pub by: Vec<String>,
    /// Period length, with `--period`.
    pub period: Option<PeriodKind>,
    /// The date column, with `--period`.
    pub date: Option<String>,
    /// When a standard is missed.
    pub miss_rule: MissRule,
}

/// The result of `servgap compliance`: the JSON document of SPEC §6.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceReport {
    /// Always `servgap/compliance/v1`.
    pub schema: &'static str,
    /// What went in.
    pub inputs: ComplianceInputs,
    /// Event rows read.
    pub rows_read: u64,
    /// Event rows used.
    pub rows_used: u64,
    /// Event rows rejected.
    pub rows_rejected: u64,
    /// Rejection reasons.
    pub rejections: Vec<Rejection>,
    /// Row counts of the standards file.
    pub standards_rows: RowCounts,
    /// Over all events.
    pub standards: Vec<StandardCompliance>,
    /// Per group and/or period (with `--by` or `--period`).
    pub groups: Vec<ComplianceGroup>,
}

impl ComplianceReport {
    /// Rows read, used and rejected, per input file (events, standards).
    pub fn input_rows(&self) -> Vec<InputRows> {
        vec![
            InputRows::new(
                &self.inputs.events,
                self.rows_read,
                self.rows_used,
                &self.rejections,
            ),
            InputRows {
                file: self.inputs.standards.clone(),
                counts: self.standards_rows.clone(),
            },
        ]
    }

    /// Whether every standard meets its target, overall and in every group
    /// (a standard without events is not a miss).
    pub fn all_pass(&self) -> bool {
        self.misses().next().is_none()
    }

    /// `(group label, standard)` of every miss, overall first.
    pub fn misses(&self) -> impl Iterator<Item = (String, &StandardCompliance)> + '_ {
        let all = self.standards.iter().map(|s| ("all events".to_string(), s));
        let groups = self.groups.iter().flat_map(|g| {
            let mut label: Vec<String> = g.period.iter().map(|p| p.label()).collect();
            label.extend(g.key.iter().map(|(k, v)| format!("{k}={v}")));
            let label = label.join(" ");
            g.standards.iter().map(move |s| (label.clone(), s))
        });
        all.chain(groups).filter(|(_, s)| s.pass == Some(false))
    }
}

/// Compliance per standard over every event, and per `--by` group and
/// period when the events were grouped (`grouped`): the analysis of
/// `servgap compliance`, from the events reader's tallies.
pub fn analyse(
    standards: &[HardStandard],
    cells: &BTreeMap<CellKey, Vec<Tally>>,
    by: &[String],
    grouped: bool,
    rule: MissRule,
) -> (Vec<StandardCompliance>, Vec<ComplianceGroup>) {
    let mut overall = vec![Tally::default(); standards.len()];
    for tallies in cells.values() {
        for (a, b) in overall.iter_mut().zip(tallies) {
            a.add(b);
        }
    }
    let groups = if grouped {
        cells
            .iter()
            .map(|((period, values), tallies)| ComplianceGroup {
                period: *period,
                key: by.iter().cloned().zip(values.iter().cloned()).collect(),
                standards: standards
                    .iter()
                    .zip(tallies)
                    .map(|(s, t)| figures(s, *t, rule))
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let all = standards
        .iter()
        .zip(overall)
        .map(|(s, t)| figures(s, t, rule))
        .collect();
    (all, groups)
}
