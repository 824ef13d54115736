//! Compliance's partial result (`servgap compliance --emit-partial`): the
//! counts of one part of the events per standard, `--by` group and period
//! (events with the metric, missing it, compliant, out of scope), with the
//! standards and settings they were counted under. Counts add up, so
//! parts merge into exactly the report of one run over every event.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{analyse, ComplianceInputs, ComplianceReport};
use crate::error::{Error, Result};
use crate::model::standards::{CellKey, HardStandard, Tally};
use crate::model::tallies::RowCounts;
use crate::partial::{joined, same};
use crate::period::Period;

/// A hard standard with its scope (which the report leaves out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StandardRecord {
    #[serde(flatten)]
    standard: HardStandard,
    scope: Vec<(String, String)>,
}

/// One group and period's counts, a [`Tally`] per standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CellRecord {
    /// The period's sort key (of the kind `--period` names), if any.
    period: Option<i32>,
    /// The `--by` values.
    key: Vec<String>,
    tallies: Vec<Tally>,
}

/// The counts of one part of the events: see the module docs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompliancePartial {
    inputs: ComplianceInputs,
    standards: Vec<StandardRecord>,
    standards_rows: RowCounts,
    rows: RowCounts,
    cells: Vec<CellRecord>,
}

impl CompliancePartial {
    /// The partial result of the events counted into `cells`.
    pub(crate) fn new(
        inputs: ComplianceInputs,
        standards: &[HardStandard],
        standards_rows: RowCounts,
        rows: RowCounts,
        cells: &BTreeMap<CellKey, Vec<Tally>>,
    ) -> Self {
        CompliancePartial {
            inputs,
            standards: standards
                .iter()
                .map(|s| StandardRecord {
                    standard: s.clone(),
                    scope: s.scope.clone(),
                })
                .collect(),
            standards_rows,
            rows,
            cells: cells
                .iter()
                .map(|((period, key), tallies)| CellRecord {
                    period: period.map(|p| p.sort_key()),
                    key: key.clone(),
                    tallies: tallies.clone(),
                })
                .collect(),
        }
    }

    /// What went in (names of every part merged in, joined by ` + `).
    pub fn inputs(&self) -> &ComplianceInputs {
        &self.inputs
    }

    /// The rows read, used and rejected so far.
    pub fn rows(&self) -> &RowCounts {
        &self.rows
    }

    /// Checks that a partial result read from a file `name` is whole.
    pub(crate) fn check(&self, name: &str) -> Result<()> {
        let n = self.standards.len();
        let by = self.inputs.by.len();
        let fits = |c: &CellRecord| {
            c.tallies.len() == n
                && c.key.len() == by
                && c.period.is_some() == self.inputs.period.is_some()
        };
        if self.cells.iter().all(fits) {
            Ok(())
        } else {
            Err(Error::file(
                name,
                None,
                "not a partial result servgap wrote: its counts do not fit its standards, --by columns or --period",
            ))
        }
    }

    /// Merges the parts `(file name, partial)`, the first's settings
    /// kept: every part must have been counted against the same
    /// standards, with the same `--by`, `--period`, date column and miss
    /// rule.
    pub fn merge(parts: Vec<(String, CompliancePartial)>) -> Result<CompliancePartial> {
        let mut parts = parts.into_iter();
        let Some((_, mut first)) = parts.next() else {
            return Err(Error::usage("no partial results to merge"));
        };
        let mut cells = first.cell_map();
        for (name, p) in parts {
            let (a, b) = (&first.inputs, &p.inputs);
            same(&name, "hard standards", &first.standards, &p.standards)?;
            same(&name, "--by columns", &a.by, &b.by)?;
            same(&name, "--period", &a.period, &b.period)?;
            same(&name, "date column", &a.date, &b.date)?;
            same(&name, "--miss-rule", &a.miss_rule, &b.miss_rule)?;
            same(
                &name,
                "standards file rows",
                &first.standards_rows,
                &p.standards_rows,
            )?;
            first.inputs.events = joined(&first.inputs.events, &b.events);
            first.inputs.encoding = joined(&first.inputs.encoding, &b.encoding);
            first.rows.absorb(&p.rows);
            for c in p.cells {
                add_cell(&mut cells, (c.period, c.key), &c.tallies);
            }
        }
        first.cells = cells
            .into_iter()
            .map(|((period, key), tallies)| CellRecord {
                period,
                key,
                tallies,
            })
            .collect();
        Ok(first)
    }

    fn cell_map(&self) -> BTreeMap<(Option<i32>, Vec<String>), Vec<Tally>> {
        let mut cells = BTreeMap::new();
        for c in &self.cells {
            add_cell(&mut cells, (c.period, c.key.clone()), &c.tallies);
        }
        cells
    }

    /// The compliance report of the events counted so far: what
    /// `servgap compliance` gives for them all.
    pub fn report(&self) -> ComplianceReport {
        let standards: Vec<HardStandard> = self
            .standards
            .iter()
            .map(|r| HardStandard {
                scope: r.scope.clone(),
                ..r.standard.clone()
            })
            .collect();
        let cells: BTreeMap<CellKey, Vec<Tally>> = self
            .cell_map()
            .into_iter()
            .map(|((period, key), tallies)| {
                let period = period
                    .zip(self.inputs.period)
                    .map(|(k, kind)| Period::of_key(kind, k));
                ((period, key), tallies)
            })
            .collect();
        let grouped = !self.inputs.by.is_empty() || self.inputs.period.is_some();
        let (all, groups) = analyse(
            &standards,
            &cells,
            &self.inputs.by,
            grouped,
            self.inputs.miss_rule,
        );
        ComplianceReport {
            schema: super::COMPLIANCE_SCHEMA,
            inputs: self.inputs.clone(),
            rows_read: self.rows.rows_read,
            rows_used: self.rows.rows_used,
            rows_rejected: self.rows.rows_rejected,
            rejections: self.rows.rejections.clone(),
            standards_rows: self.standards_rows.clone(),
            standards: all,
            groups,
        }
    }
}

fn add_cell(
    cells: &mut BTreeMap<(Option<i32>, Vec<String>), Vec<Tally>>,
    key: (Option<i32>, Vec<String>),
    tallies: &[Tally],
) {
    let mine = cells
        .entry(key)
        .or_insert_with(|| vec![Tally::default(); tallies.len()]);
    for (a, b) in mine.iter_mut().zip(tallies) {
        a.add(b);
    }
}
