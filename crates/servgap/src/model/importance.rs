//! Importance weights for the weighted SERVQUAL score (SPEC §3.3),
//! normalised against the instrument's dimensions: per respondent (the
//! SERVQUAL 100-point allocation) or one set for all. The survey analysis
//! weighs dimension gaps by them; `input::importance` reads them, and the
//! rows of respondents the survey lacks are settled here once the survey
//! is read ([`ImportanceFile::counts_against`]).

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::model::tallies::{RejectTally, RowCounts};

/// Normalised importance weights, indexed like [`Instrument::dimensions`](crate::model::instrument::Instrument::dimensions).
#[derive(Debug, Clone, PartialEq)]
pub enum Importance {
    /// Per respondent: respondent id → weights summing to 1.
    Respondent(HashMap<String, Vec<f64>>),
    /// One set of weights summing to 1.
    Aggregate(Vec<f64>),
}

/// An importance file as read: its weights, and its rows counted.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportanceFile {
    /// The file's name.
    pub name: String,
    /// The weights.
    pub weights: Importance,
    /// Rows read, and rejected as invalid (rows used are settled against
    /// the survey by [`ImportanceFile::counts_against`]).
    pub rows: RowCounts,
    /// Per respondent (first form): rows given and the first line.
    pub(crate) respondent_rows: HashMap<String, (u64, u64)>,
}

/// Why the points of a respondent the survey lacks are not used.
pub(crate) const NOT_IN_SURVEY: &str = "respondent not in the survey";
/// … when the survey has the id in another case.
pub(crate) const OTHER_CASE: &str = "respondent id differs from the survey's only in case";

impl ImportanceFile {
    /// The file's row counts once matched against the survey's respondent
    /// ids: the rows of respondents the survey has are used, the others
    /// rejected with their reason.
    pub fn counts_against<'a>(&self, survey_ids: impl IntoIterator<Item = &'a str>) -> RowCounts {
        Self::counts_with(&self.rows, &self.unmatched_in(survey_ids))
    }

    /// The respondents of the file (first form) whose ids are not among
    /// `survey_ids`, in file order; none for aggregate weights.
    pub fn unmatched_in<'a>(
        &self,
        survey_ids: impl IntoIterator<Item = &'a str>,
    ) -> Vec<UnmatchedRows> {
        if self.respondent_rows.is_empty() {
            return Vec::new();
        }
        let ids: HashSet<&str> = survey_ids.into_iter().collect();
        let lower: HashSet<String> = ids.iter().map(|id| id.to_lowercase()).collect();
        let mut unmatched: Vec<UnmatchedRows> = self
            .respondent_rows
            .iter()
            .filter(|(id, _)| !ids.contains(id.as_str()))
            .map(|(id, &(line, rows))| UnmatchedRows {
                line,
                rows,
                other_case: lower.contains(&id.to_lowercase()),
            })
            .collect();
        unmatched.sort_by_key(|u| u.line);
        unmatched
    }

    /// The file's row counts `rows` with the rows of the `unmatched`
    /// respondents (in file order) rejected.
    pub fn counts_with(rows: &RowCounts, unmatched: &[UnmatchedRows]) -> RowCounts {
        let mut counts = rows.clone();
        let mut tally = RejectTally {
            reasons: counts.rejections.clone(),
        };
        for u in unmatched {
            let reason = if u.other_case {
                OTHER_CASE
            } else {
                NOT_IN_SURVEY
            };
            tally.add_many(reason, u.line, u.rows);
            counts.rows_used -= u.rows.min(counts.rows_used);
        }
        counts.rows_rejected = tally.total();
        counts.rejections = tally.reasons;
        counts
    }
}

/// The rows of one respondent of an importance file that a survey (or a
/// part of it) lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnmatchedRows {
    /// The respondent's first line in the importance file.
    pub line: u64,
    /// Their rows.
    pub rows: u64,
    /// Whether the survey has the id in another case.
    pub other_case: bool,
}

impl Importance {
    /// Aggregate weights from raw values (normalised here), for Rust callers.
    pub fn from_weights(weights: &[f64]) -> Result<Self> {
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::usage(
                "importance weights must be finite and non-negative",
            ));
        }
        let sum: f64 = weights.iter().sum();
        if sum <= 0.0 {
            return Err(Error::usage("importance weights sum to zero"));
        }
        Ok(Importance::Aggregate(
            weights.iter().map(|x| x / sum).collect(),
        ))
    }
}
