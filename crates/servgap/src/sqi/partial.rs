//! The SQI's partial result (`servgap sqi --emit-partial`): the period ×
//! group cells of one part of an incident log (and of its volume file) —
//! per cell the incidents per category, the days with data and the volume
//! — with the weights, checks and chart settings they were read under.
//! Counts and day sets add up, so parts merge into exactly the report of
//! one run over the whole log, control limits, run rules, Pareto and
//! checks included; volumes are summed as they are in one run (exact for
//! whole-number volumes).
//!
//! Cells are kept by day, week or month (quarters and years are rolled up
//! from months once merged). A date and group whose volume comes from two
//! parts is an error, as a date and group given twice in one volume file
//! is, unless the volume files' rows are summed (they have columns beyond
//! the date, the groups and the volume).

use serde::{Deserialize, Serialize};

use super::{analyse_cells, CheckSpec, SqiInputs, SqiReport};
use crate::error::{Error, Result};
use crate::model::cells::{CellRecord, CellTable, RecordClash};
use crate::model::tallies::RowCounts;
use crate::model::weights::{CategoryWeight, WeightTable};
use crate::partial::{joined, same};
use crate::period::{Period, PeriodKind};

/// The weight table, as a partial result records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WeightsRecord {
    name: String,
    categories: Vec<CategoryWeight>,
}

impl WeightsRecord {
    fn table(&self) -> WeightTable {
        let mut t = WeightTable::empty(&self.name);
        for c in &self.categories {
            t.push(c.clone());
        }
        t
    }
}

/// The cells of one part of an incident log: see the module docs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SqiPartial {
    inputs: SqiInputs,
    weights: WeightsRecord,
    checks: Vec<CheckSpec>,
    /// The cells' kind of period (months for quarters and years).
    cells_by: PeriodKind,
    incident_rows: RowCounts,
    volume_rows: Option<RowCounts>,
    /// Whether the volume files' rows are summed per date and group.
    volume_summed: bool,
    /// The `--by` values of each group the cells name.
    groups: Vec<Vec<String>>,
    cells: Vec<CellRecord>,
    /// Dates (days from the common era) with any row.
    dates: Vec<i32>,
    /// Which categories occur in the log.
    seen: Vec<bool>,
}

/// What a partial result needs besides the cells.
pub(crate) struct SqiSettings<'a> {
    pub inputs: SqiInputs,
    pub weights: &'a WeightTable,
    pub checks: &'a [CheckSpec],
    pub incident_rows: RowCounts,
    pub volume_rows: Option<RowCounts>,
    pub volume_summed: bool,
}

impl SqiPartial {
    /// The partial result of the cells of `table` (read, not rolled up).
    pub(crate) fn new(settings: SqiSettings<'_>, table: &CellTable) -> Self {
        SqiPartial {
            inputs: settings.inputs,
            weights: WeightsRecord {
                name: settings.weights.name.clone(),
                categories: settings.weights.categories.clone(),
            },
            checks: settings.checks.to_vec(),
            cells_by: table.kind,
            incident_rows: settings.incident_rows,
            volume_rows: settings.volume_rows,
            volume_summed: settings.volume_summed,
            groups: table.groups.clone(),
            cells: table.records(),
            dates: table.dates.iter().copied().collect(),
            seen: table.seen.clone(),
        }
    }

    /// What went in (names of every part merged in, joined by ` + `).
    pub fn inputs(&self) -> &SqiInputs {
        &self.inputs
    }

    /// The incident log's rows read, used and rejected so far.
    pub fn rows(&self) -> &RowCounts {
        &self.incident_rows
    }

    /// Checks that a partial result read from a file `name` is whole.
    pub(crate) fn check(&self, name: &str) -> Result<()> {
        let k = self.weights.categories.len();
        let whole = self.seen.len() == k
            && self.cells_by == self.inputs.period.read_as()
            && self
                .groups
                .iter()
                .all(|g| g.len() == self.inputs.by.len().max(1))
            && self.cells.iter().all(|c| {
                (c.group as usize) < self.groups.len()
                    && c.counts.iter().all(|&(cat, _)| (cat as usize) < k)
            });
        if whole {
            Ok(())
        } else {
            Err(Error::file(
                name,
                None,
                "not a partial result servgap wrote: its cells do not fit its weights, --by columns or --period",
            ))
        }
    }

    /// Merges the parts `(file name, partial)`, the first's settings
    /// kept: every part must have been read with the same weights,
    /// `--period`, `--per`, `--by`, chart, run rules and checks, and with
    /// a volume file or without.
    pub fn merge(parts: Vec<(String, SqiPartial)>) -> Result<SqiPartial> {
        let mut parts = parts.into_iter();
        let Some((first_name, mut first)) = parts.next() else {
            return Err(Error::usage("no partial results to merge"));
        };
        let mut table = first.table(&first_name)?;
        for (name, p) in parts {
            let (a, b) = (&first.inputs, &p.inputs);
            same(&name, "weights", &first.weights, &p.weights)?;
            same(&name, "--period", &a.period, &b.period)?;
            same(&name, "--per", &a.per, &b.per)?;
            same(&name, "--by columns", &a.by, &b.by)?;
            same(&name, "--chart", &a.chart, &b.chart)?;
            same(&name, "--rules", &a.rules, &b.rules)?;
            same(&name, "--check", &a.check_scope, &b.check_scope)?;
            same(&name, "checks", &first.checks, &p.checks)?;
            if first.volume_rows.is_some() && p.volume_rows.is_some() {
                same(
                    &name,
                    "volume file columns",
                    &first.volume_summed,
                    &p.volume_summed,
                )?;
            }
            let summed = match first.volume_rows {
                Some(_) => first.volume_summed,
                None => p.volume_summed,
            };
            p.add_to(&mut table, &name, summed)?;
            first.volume_summed = summed;
            first.inputs.incidents = joined(&first.inputs.incidents, &b.incidents);
            first.inputs.encoding = joined(&first.inputs.encoding, &b.encoding);
            first.inputs.volume = match (first.inputs.volume.take(), &b.volume) {
                (Some(v), Some(w)) => Some(joined(&v, w)),
                (v, w) => v.or_else(|| w.clone()),
            };
            first.incident_rows.absorb(&p.incident_rows);
            first.volume_rows = match (first.volume_rows.take(), &p.volume_rows) {
                (Some(mut v), Some(w)) => {
                    v.absorb(w);
                    Some(v)
                }
                (v, w) => v.or_else(|| w.clone()),
            };
        }
        first.groups = table.groups.clone();
        first.cells = table.records();
        first.dates = table.dates.iter().copied().collect();
        first.seen = table.seen.clone();
        Ok(first)
    }

    /// The cells as a table of their kind of period (`name` names the
    /// partial's file in messages).
    fn table(&self, name: &str) -> Result<CellTable> {
        let mut table = CellTable::new(self.cells_by, self.weights.categories.len());
        self.add_to(&mut table, name, self.volume_summed)?;
        Ok(table)
    }

    /// Adds this part's cells to `table`.
    fn add_to(&self, table: &mut CellTable, name: &str, summed: bool) -> Result<()> {
        let codes: Vec<u32> = self
            .groups
            .iter()
            .map(|g| table.group_of_values(g))
            .collect();
        for r in &self.cells {
            let group = codes.get(r.group as usize).copied().unwrap_or(u32::MAX);
            match table.add_record(group, r) {
                Ok(()) => {}
                Err(RecordClash::VolumeTwice) if summed => {}
                Err(clash) => return Err(self.clash(name, r, clash)),
            }
        }
        table.dates.extend(self.dates.iter().copied());
        for (s, o) in table.seen.iter_mut().zip(&self.seen) {
            *s |= o;
        }
        Ok(())
    }

    /// The error of a cell that does not add up.
    fn clash(&self, name: &str, r: &CellRecord, clash: RecordClash) -> Error {
        let mut cell = Period::of_key(self.cells_by, r.period).label();
        for (b, v) in self
            .inputs
            .by
            .iter()
            .zip(self.groups.get(r.group as usize).into_iter().flatten())
        {
            cell.push_str(&format!(", {b} {v}"));
        }
        let message = match clash {
            RecordClash::VolumeTwice => format!(
                "the volume of {cell} is also in an earlier part: give each date and group's volume in one part"
            ),
            RecordClash::Overflow(cat) => format!(
                "the counts of '{}' in {cell} add up to more than 4,294,967,295",
                self.weights
                    .categories
                    .get(cat)
                    .map_or("?", |c| c.category.as_str())
            ),
            RecordClash::Misfit => {
                "not a partial result servgap wrote: a cell names a group or category it lacks"
                    .to_string()
            }
        };
        Error::file(name, None, message)
    }

    /// The SQI report of the incidents read so far: what `servgap sqi`
    /// gives for them all.
    pub fn report(&self) -> Result<SqiReport> {
        let table = self.table(&self.inputs.incidents)?;
        analyse_cells(
            table,
            self.incident_rows.clone(),
            self.volume_rows.clone(),
            &self.weights.table(),
            self.inputs.clone(),
            &self.checks,
        )
    }
}
