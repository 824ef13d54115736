//! A survey's partial result (`servgap survey --emit-partial`): the sums
//! of one part of the respondents per `--by` group, with the settings they
//! were computed under, so that parts computed apart (daily files, the
//! partitions of a warehouse export, other machines) merge into the report
//! of one run over every respondent. The sums are the accumulators the
//! analysis itself merges between cores: counts, sums of scores and of
//! their squares and cross-products, and counts of whole-number totals, so
//! for whole-number scores a merged report equals one run to the last
//! digit, and otherwise to about 1e-12.
//!
//! A respondent is one part's: split a long-form survey by respondent (all
//! of a respondent's rows in one part), never through a respondent.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::accumulate::GroupAcc;
use super::{tables_of_groups, Accumulated, SurveyInputs, SurveyReport, SURVEY_SCHEMA};
use crate::error::{Error, Result};
use crate::model::importance::{Importance, ImportanceFile, UnmatchedRows};
use crate::model::instrument::{Instrument, ItemDef};
use crate::model::tallies::RowCounts;
use crate::partial::{joined, same};

/// The instrument, as a partial result records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct InstrumentRecord {
    name: String,
    dimensions: Vec<String>,
    items: Vec<ItemDef>,
}

impl InstrumentRecord {
    fn of(ins: &Instrument) -> Self {
        InstrumentRecord {
            name: ins.name.clone(),
            dimensions: ins.dimensions.clone(),
            items: ins.items.clone(),
        }
    }

    /// The instrument again; `None` when an item names no dimension.
    fn instrument(&self) -> Option<Instrument> {
        let mut ins = Instrument::empty(&self.name);
        for item in &self.items {
            let dimension = self.dimensions.get(item.dimension)?;
            ins.push_item(&item.id, dimension, item.text.clone());
        }
        (ins.dimensions == self.dimensions).then_some(ins)
    }
}

/// Which importance weights the sums were weighted by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ImportanceRecord {
    /// Per respondent: applied while adding up, nothing left to keep.
    Respondent,
    /// One set of weights, applied to the dimension gaps at the end.
    Aggregate(Vec<f64>),
}

/// The importance file's rows: its own counts, and its respondents this
/// part lacks (a respondent is unmatched when no part has them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ImportanceRows {
    rows: RowCounts,
    unmatched: Vec<UnmatchedRows>,
}

/// One `--by` group's sums (the whole sample's without `--by`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct GroupSums {
    key: Vec<String>,
    sums: GroupAcc,
}

/// The sums of one part of a survey's respondents: see the module docs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SurveyPartial {
    inputs: SurveyInputs,
    instrument: InstrumentRecord,
    importance: Option<ImportanceRecord>,
    importance_rows: Option<ImportanceRows>,
    has_zone: bool,
    rows: RowCounts,
    groups: Vec<GroupSums>,
}

impl SurveyPartial {
    /// The partial result of the respondents added up in `acc`.
    pub(crate) fn new(
        inputs: SurveyInputs,
        instrument: &Instrument,
        importance: Option<(&ImportanceFile, Vec<UnmatchedRows>)>,
        acc: Accumulated,
        rows: RowCounts,
    ) -> Self {
        SurveyPartial {
            inputs,
            instrument: InstrumentRecord::of(instrument),
            importance: importance.as_ref().map(|(f, _)| match &f.weights {
                Importance::Respondent(_) => ImportanceRecord::Respondent,
                Importance::Aggregate(w) => ImportanceRecord::Aggregate(w.clone()),
            }),
            importance_rows: importance.map(|(f, unmatched)| ImportanceRows {
                rows: f.rows.clone(),
                unmatched,
            }),
            has_zone: acc.has_zone,
            rows,
            groups: acc
                .groups
                .into_iter()
                .map(|(key, sums)| GroupSums { key, sums })
                .collect(),
        }
    }

    /// What went in (the inputs of every part merged in, names joined by
    /// ` + `).
    pub fn inputs(&self) -> &SurveyInputs {
        &self.inputs
    }

    /// The rows read, used and rejected so far.
    pub fn rows(&self) -> &RowCounts {
        &self.rows
    }

    /// Checks that a partial result read from a file `name` is whole: its
    /// instrument rebuilds, and every group's sums have its shape.
    pub(crate) fn check(&self, name: &str) -> Result<()> {
        let bad = |what: &str| {
            Err(Error::file(
                name,
                None,
                format!("not a partial result servgap wrote: {what}"),
            ))
        };
        let Some(ins) = self.instrument.instrument() else {
            return bad("its instrument does not hold together");
        };
        if let Some(ImportanceRecord::Aggregate(w)) = &self.importance {
            if w.len() != ins.dimensions.len() {
                return bad("its importance weights do not fit its instrument");
            }
        }
        if let Some(g) = self.groups.iter().find(|g| !g.sums.fits(&ins)) {
            return bad(&format!(
                "the sums of group {:?} do not fit its instrument",
                g.key
            ));
        }
        if self
            .groups
            .iter()
            .any(|g| g.key.len() != self.inputs.by.len())
        {
            return bad("a group key does not fit its --by columns");
        }
        Ok(())
    }

    /// Merges the parts `(file name, partial)`, the first's settings
    /// kept: every part must have been computed with the same
    /// instrument, scale, `--by` columns, importance weights, column map
    /// and measures.
    pub fn merge(parts: Vec<(String, SurveyPartial)>) -> Result<SurveyPartial> {
        let mut parts = parts.into_iter();
        let Some((_, mut first)) = parts.next() else {
            return Err(Error::usage("no partial results to merge"));
        };
        let mut groups: BTreeMap<Vec<String>, GroupAcc> = std::mem::take(&mut first.groups)
            .into_iter()
            .map(|g| (g.key, g.sums))
            .collect();
        for (name, p) in parts {
            first.agrees(&p, &name)?;
            if let (Some(mine), Some(theirs)) = (&mut first.importance_rows, &p.importance_rows) {
                // unmatched when no part has them; in another case when some part does
                mine.unmatched.retain_mut(|u| {
                    let Some(t) = theirs.unmatched.iter().find(|t| t.line == u.line) else {
                        return false;
                    };
                    u.other_case |= t.other_case;
                    true
                });
            }
            first.inputs.survey = joined(&first.inputs.survey, &p.inputs.survey);
            first.inputs.encoding = joined(&first.inputs.encoding, &p.inputs.encoding);
            first.rows.absorb(&p.rows);
            for g in p.groups {
                super::add_group(&mut groups, g.key, g.sums);
            }
        }
        first.groups = groups
            .into_iter()
            .map(|(key, sums)| GroupSums { key, sums })
            .collect();
        Ok(first)
    }

    /// Whether `other` (read from `name`) was computed with the same settings.
    fn agrees(&self, other: &SurveyPartial, name: &str) -> Result<()> {
        let (a, b) = (&self.inputs, &other.inputs);
        same(name, "instrument", &self.instrument, &other.instrument)?;
        same(name, "scale", &a.scale, &b.scale)?;
        same(name, "--by columns", &a.by, &b.by)?;
        same(name, "importance file", &a.importance, &b.importance)?;
        same(
            name,
            "importance weights",
            &self.importance,
            &other.importance,
        )?;
        same(name, "column map", &a.columns, &b.columns)?;
        same(name, "--on-invalid", &a.on_invalid, &b.on_invalid)?;
        same(
            name,
            "measures (adequate and desired, or not)",
            &self.has_zone,
            &other.has_zone,
        )?;
        match (&self.importance_rows, &other.importance_rows) {
            (Some(x), Some(y)) => same(name, "importance file rows", &x.rows, &y.rows),
            _ => Ok(()),
        }
    }

    /// The survey report of the respondents added up so far: what
    /// `servgap survey` gives for them all.
    pub fn report(&self) -> Result<SurveyReport> {
        let ins = self.instrument.instrument().ok_or_else(|| {
            Error::inconsistent("a partial result's instrument does not hold together")
        })?;
        let importance = self.importance.as_ref().map(|k| match k {
            ImportanceRecord::Respondent => Importance::Respondent(HashMap::new()),
            ImportanceRecord::Aggregate(w) => Importance::Aggregate(w.clone()),
        });
        let mut groups: BTreeMap<Vec<String>, GroupAcc> = BTreeMap::new();
        for g in &self.groups {
            super::add_group(&mut groups, g.key.clone(), g.sums.clone());
        }
        let (all, groups) = tables_of_groups(
            &groups,
            &self.inputs.by,
            &ins,
            importance.as_ref(),
            self.has_zone,
        );
        Ok(SurveyReport {
            schema: SURVEY_SCHEMA,
            inputs: self.inputs.clone(),
            rows_read: self.rows.rows_read,
            rows_used: self.rows.rows_used,
            rows_rejected: self.rows.rows_rejected,
            rejections: self.rows.rejections.clone(),
            importance_rows: self
                .importance_rows
                .as_ref()
                .map(|r| ImportanceFile::counts_with(&r.rows, &r.unmatched)),
            all,
            groups,
        })
    }
}
