//! The thresholds a CI job checks (`--max-points`, `--max-per-unit`), on
//! the latest period's cells or on every cell (`--check-scope`): each
//! check's outcome lists the cells over its limit, and `servgap sqi` exits
//! with code 1 when any check fails.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::group_entries;
use super::periods::SqiPeriods;
use crate::error::{Error, Result};
use crate::period::Period;

/// A threshold a CI job checks (`--max-points`, `--max-per-unit`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Weighted points of a period (and group) must not exceed the limit.
    MaxPoints,
    /// Points per `--per` units of volume must not exceed the limit.
    MaxPerUnit,
    /// No run-rule signal (`--fail-on-signal`): a cell's number of
    /// signals must not exceed the limit, 0.
    Signals,
}

/// Which periods a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct CheckSpec {
    /// What is checked.
    pub kind: CheckKind,
    /// The largest value that passes.
    pub limit: f64,
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
    /// The run rules a signal check's cell broke (empty for thresholds).
    pub rules: Vec<&'static str>,
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

/// The outcome of each check over the rows in `scope`: the latest
/// period's (the last rows, found by bisection) or every row.
pub(crate) fn run(
    periods: &SqiPeriods,
    specs: &[CheckSpec],
    scope: CheckScope,
) -> Vec<CheckOutcome> {
    let len = periods.len();
    let from = match (scope, len.checked_sub(1)) {
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
    specs
        .iter()
        .map(|spec| {
            let mut outcome = CheckOutcome {
                check: spec.kind,
                limit: spec.limit,
                scope,
                checked: 0,
                unchecked: 0,
                passed: true,
                breaches: Vec::new(),
            };
            for p in (from..len).map(|i| periods.row_at(i).0) {
                let value = match spec.kind {
                    CheckKind::MaxPoints => Some(p.points),
                    CheckKind::MaxPerUnit => p.points_per_unit(),
                    CheckKind::Signals => Some(f64::from(p.signals.count_ones())),
                };
                let Some(value) = value else {
                    outcome.unchecked += 1;
                    continue;
                };
                outcome.checked += 1;
                if value > spec.limit {
                    outcome.breaches.push(Breach {
                        period: p.period,
                        group: periods.named_group(p.group),
                        value,
                        excess: value - spec.limit,
                        rules: match spec.kind {
                            CheckKind::Signals => periods.signal_names(&p),
                            _ => Vec::new(),
                        },
                    });
                }
            }
            outcome.passed = outcome.breaches.is_empty();
            outcome
        })
        .collect()
}

impl Serialize for Breach {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("period", &self.period)?;
        group_entries(&mut m, &self.group)?;
        m.serialize_entry("value", &self.value)?;
        m.serialize_entry("excess", &self.excess)?;
        if !self.rules.is_empty() {
            m.serialize_entry("rules", &self.rules)?;
        }
        m.end()
    }
}
