//! Importance weights for the weighted SERVQUAL score (SPEC §3.3): either the
//! SERVQUAL 100-point allocation per respondent (`respondent_id,dimension,points`)
//! or aggregate weights (`dimension,weight`). Weights are normalised by their
//! sum (per respondent in the first form) against the instrument's
//! dimensions; a negative weight or a zero sum is an error.
//!
//! Every row is counted: rows read, used and rejected with their reasons.
//! A row with an invalid value follows `--on-invalid`; the points of a
//! respondent the survey does not have (an id that differs from the
//! survey's only in case included) cannot be used and are counted as
//! rejected, once the survey is read ([`ImportanceFile::counts_against`]).

use std::collections::HashMap;

use super::{
    check_width, invalid, parse_number, read_small, reject_row, Header, OnInvalid, ReadOptions,
    RejectTally, RowCounts, Source,
};
use crate::error::{quoted, Error, ErrorKind, Result};
use crate::input::instrument::Instrument;
pub use crate::model::importance::{Importance, ImportanceFile};

/// First line, then (points, line) per dimension, of one respondent.
type RespondentPoints = (u64, Vec<Option<(f64, u64)>>);

impl ImportanceFile {
    /// Reads an importance file, detecting its form from the header.
    pub fn load(source: &Source, instrument: &Instrument, opts: &ReadOptions) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        let dim_col = header
            .find("dimension")
            .ok_or_else(|| Error::file(&name, Some(1), "importance weights need a 'dimension' column (respondent_id,dimension,points or dimension,weight)"))?;
        let reader = RowReader {
            name: &name,
            header: &header,
            instrument,
            dim_col,
            on_invalid: opts.on_invalid,
        };
        if let (Some(rc), Some(pc)) = (header.find("respondent_id"), header.find("points")) {
            return reader.respondent_points(&rows, rc, pc);
        }
        let wc = header
            .find("weight")
            .ok_or_else(|| Error::file(&name, Some(1), "importance weights need 'respondent_id,dimension,points' or 'dimension,weight' columns"))?;
        reader.aggregate(&rows, wc)
    }
}

/// What reading the rows of one importance file needs.
struct RowReader<'a> {
    name: &'a str,
    header: &'a Header,
    instrument: &'a Instrument,
    dim_col: usize,
    on_invalid: OnInvalid,
}

/// A row's problem: (reason for the tally, the error).
type Bad = (&'static str, Error);

impl RowReader<'_> {
    fn dimension(&self, line: u64, row: &[String]) -> std::result::Result<usize, Bad> {
        let c = self.dim_col;
        self.instrument.dimension_index(&row[c]).ok_or_else(|| {
            let problem = format!(
                "unknown dimension (the instrument has: {})",
                self.instrument.dimensions.join(", ")
            );
            let err = invalid(self.name, line, self.header, c, row[c].as_bytes(), problem);
            ("unknown dimension", err)
        })
    }

    fn value(&self, line: u64, row: &[String], col: usize) -> std::result::Result<f64, Bad> {
        let bad = |problem: &str| {
            invalid(
                self.name,
                line,
                self.header,
                col,
                row[col].as_bytes(),
                problem,
            )
        };
        match parse_number(row[col].as_bytes()) {
            None => Err(("not a number", bad("not a number"))),
            Some(v) if v < 0.0 => Err(("negative weight", bad("a weight cannot be negative"))),
            Some(v) => Ok(v),
        }
    }

    /// Applies `--on-invalid` to a row's problem.
    fn reject(&self, tally: &mut RejectTally, line: u64, (reason, err): Bad) -> Result<()> {
        reject_row(self.on_invalid, tally, line, reason, || err)
    }

    fn respondent_points(
        &self,
        rows: &super::SmallRows,
        rc: usize,
        pc: usize,
    ) -> Result<ImportanceFile> {
        let k = self.instrument.dimensions.len();
        let mut tally = RejectTally::default();
        let mut raw: HashMap<String, RespondentPoints> = HashMap::new();
        let mut respondent_rows: HashMap<String, (u64, u64)> = HashMap::new();
        for (line, row) in rows {
            if let Err(e) = check_width(self.name, self.header, *line, row) {
                self.reject(&mut tally, *line, ("wrong number of fields", e))?;
                continue;
            }
            let checked = self
                .dimension(*line, row)
                .and_then(|d| Ok((d, self.value(*line, row, pc)?)));
            let (d, v) = match checked {
                Ok(x) => x,
                Err(bad) => {
                    self.reject(&mut tally, *line, bad)?;
                    continue;
                }
            };
            let id = row[rc].trim().to_string();
            if id.is_empty() {
                let err = invalid(
                    self.name,
                    *line,
                    self.header,
                    rc,
                    b"",
                    "the respondent id is empty",
                );
                self.reject(&mut tally, *line, ("empty respondent id", err))?;
                continue;
            }
            let entry = raw
                .entry(id.clone())
                .or_insert_with(|| (*line, vec![None; k]));
            if let Some((_, first)) = entry.1[d] {
                let err = ErrorKind::Duplicate {
                    file: self.name.to_string(),
                    line: *line,
                    first_line: Some(first),
                    what: format!(
                        "respondent {} dimension {}",
                        quoted(&id),
                        quoted(&self.instrument.dimensions[d])
                    ),
                    key: vec![],
                }
                .into();
                self.reject(&mut tally, *line, ("duplicate respondent × dimension", err))?;
                continue;
            }
            entry.1[d] = Some((v, *line));
            let seen = respondent_rows.entry(id).or_insert((*line, 0));
            seen.1 += 1;
        }
        let mut weights = HashMap::with_capacity(raw.len());
        for (id, (line, pts)) in raw {
            let w: Vec<f64> = pts.iter().map(|p| p.map_or(0.0, |x| x.0)).collect();
            let sum: f64 = w.iter().sum();
            if sum <= 0.0 {
                return Err(Error::file(
                    self.name,
                    Some(line),
                    format!(
                        "respondent {} gives no importance points (their sum is zero)",
                        quoted(&id)
                    ),
                ));
            }
            weights.insert(id, w.iter().map(|x| x / sum).collect());
        }
        let used: u64 = respondent_rows.values().map(|(_, n)| n).sum();
        Ok(ImportanceFile {
            name: self.name.to_string(),
            weights: Importance::Respondent(weights),
            rows: counted(rows.len() as u64, used, tally),
            respondent_rows,
        })
    }

    fn aggregate(&self, rows: &super::SmallRows, wc: usize) -> Result<ImportanceFile> {
        let mut tally = RejectTally::default();
        let mut w: Vec<Option<(f64, u64)>> = vec![None; self.instrument.dimensions.len()];
        let mut used = 0;
        for (line, row) in rows {
            if let Err(e) = check_width(self.name, self.header, *line, row) {
                self.reject(&mut tally, *line, ("wrong number of fields", e))?;
                continue;
            }
            let checked = self
                .dimension(*line, row)
                .and_then(|d| Ok((d, self.value(*line, row, wc)?)));
            let (d, v) = match checked {
                Ok(x) => x,
                Err(bad) => {
                    self.reject(&mut tally, *line, bad)?;
                    continue;
                }
            };
            if let Some((_, first)) = w[d] {
                let err = ErrorKind::Duplicate {
                    file: self.name.to_string(),
                    line: *line,
                    first_line: Some(first),
                    what: format!("dimension {}", quoted(&self.instrument.dimensions[d])),
                    key: vec![],
                }
                .into();
                self.reject(&mut tally, *line, ("duplicate dimension", err))?;
                continue;
            }
            w[d] = Some((v, *line));
            used += 1;
        }
        let weights = w
            .iter()
            .map(|x| x.map_or(0.0, |v| v.0))
            .collect::<Vec<f64>>();
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(Error::file(
                self.name,
                None,
                "the importance weights sum to zero",
            ));
        }
        Ok(ImportanceFile {
            name: self.name.to_string(),
            weights: Importance::from_weights(&weights)?,
            rows: counted(rows.len() as u64, used, tally),
            respondent_rows: HashMap::new(),
        })
    }
}

fn counted(read: u64, used: u64, tally: RejectTally) -> RowCounts {
    RowCounts {
        rows_read: read,
        rows_used: used,
        rows_rejected: tally.total(),
        rejections: tally.reasons,
    }
}

impl Importance {
    /// Reads an importance file's weights (see [`ImportanceFile::load`]
    /// for the weights with the file's row counts).
    pub fn load(source: &Source, instrument: &Instrument, opts: &ReadOptions) -> Result<Self> {
        Ok(ImportanceFile::load(source, instrument, opts)?.weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::importance::{NOT_IN_SURVEY, OTHER_CASE};

    fn load(text: &str, on_invalid: OnInvalid) -> Result<ImportanceFile> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tmp", e))?;
        let path = dir.path().join("points.csv");
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        let opts = ReadOptions {
            on_invalid,
            ..ReadOptions::default()
        };
        ImportanceFile::load(&Source::Path(path), &Instrument::servqual22(), &opts)
    }

    #[test]
    fn points_of_respondents_the_survey_lacks_are_counted_as_rejected() {
        let text = "respondent_id,dimension,points\n\
                    R1,Tangibles,50\nR1,Reliability,50\n\
                    r2,Tangibles,100\n\
                    R9,Empathy,60\nR9,Assurance,40\n";
        let file = load(text, OnInvalid::Error).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((file.rows.rows_read, file.rows.rows_used), (5, 5));
        let counts = file.counts_against(["R1", "R2"]);
        // R1's two rows are used; r2 differs from R2 only in case; R9 is absent
        assert_eq!(
            (counts.rows_read, counts.rows_used, counts.rows_rejected),
            (5, 2, 3)
        );
        let reasons: Vec<(&str, u64, u64)> = counts
            .rejections
            .iter()
            .map(|r| (r.reason.as_str(), r.count, r.first_line))
            .collect();
        assert_eq!(reasons, [(OTHER_CASE, 1, 4), (NOT_IN_SURVEY, 2, 5)]);
    }

    #[test]
    fn invalid_rows_follow_the_policy() {
        let text =
            "respondent_id,dimension,points\nR1,Tangibles,abc\nR1,Reliability,50\nR1,Nowhere,5\n";
        let err = load(text, OnInvalid::Error).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains(":2:") && e.contains("not a number")));
        let file = load(text, OnInvalid::Skip).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                file.rows.rows_read,
                file.rows.rows_used,
                file.rows.rows_rejected
            ),
            (3, 1, 2)
        );
        let Importance::Respondent(w) = &file.weights else {
            panic!("respondent points");
        };
        assert_eq!(w.get("R1").map(|w| w[1]), Some(1.0));
    }
}
