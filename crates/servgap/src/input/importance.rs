//! Importance weights for the weighted SERVQUAL score (SPEC §3.3): either the
//! SERVQUAL 100-point allocation per respondent (`respondent_id,dimension,points`)
//! or aggregate weights (`dimension,weight`). Weights are normalised by their
//! sum (per respondent in the first form) against the instrument's
//! dimensions; a negative weight or a zero sum is an error.

use std::collections::HashMap;

use super::{check_width, invalid, parse_number, read_small, Header, ReadOptions, Source};
use crate::error::{Error, ErrorKind, Result};
use crate::input::instrument::Instrument;

/// First line, then (points, line) per dimension, of one respondent.
type RespondentPoints = (u64, Vec<Option<(f64, u64)>>);

/// Normalised importance weights, indexed like [`Instrument::dimensions`].
#[derive(Debug, Clone, PartialEq)]
pub enum Importance {
    /// Per respondent: respondent id → weights summing to 1.
    Respondent(HashMap<String, Vec<f64>>),
    /// One set of weights summing to 1.
    Aggregate(Vec<f64>),
}

impl Importance {
    /// Reads an importance file, detecting its form from the header.
    pub fn load(source: &Source, instrument: &Instrument, opts: &ReadOptions) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        for (line, row) in &rows {
            check_width(&name, &header, *line, row)?;
        }
        let dim_col = header
            .find("dimension")
            .ok_or_else(|| Error::file(&name, Some(1), "importance weights need a 'dimension' column (respondent_id,dimension,points or dimension,weight)"))?;
        let k = instrument.dimensions.len();
        let dim_of = |line: u64, row: &[String]| -> Result<usize> {
            instrument.dimension_index(&row[dim_col]).ok_or_else(|| {
                invalid(
                    &name,
                    line,
                    &header,
                    dim_col,
                    row[dim_col].as_bytes(),
                    format!(
                        "unknown dimension (the instrument has: {})",
                        instrument.dimensions.join(", ")
                    ),
                )
            })
        };
        let value = |line: u64, row: &[String], col: usize| -> Result<f64> {
            let v = parse_number(row[col].as_bytes()).ok_or_else(|| {
                invalid(
                    &name,
                    line,
                    &header,
                    col,
                    row[col].as_bytes(),
                    "not a number",
                )
            })?;
            if v < 0.0 {
                return Err(invalid(
                    &name,
                    line,
                    &header,
                    col,
                    row[col].as_bytes(),
                    "a weight cannot be negative",
                ));
            }
            Ok(v)
        };
        if let (Some(rc), Some(pc)) = (header.find("respondent_id"), header.find("points")) {
            let mut raw: HashMap<String, RespondentPoints> = HashMap::new();
            for (line, row) in &rows {
                let d = dim_of(*line, row)?;
                let v = value(*line, row, pc)?;
                let id = row[rc].trim().to_string();
                let entry = raw
                    .entry(id.clone())
                    .or_insert_with(|| (*line, vec![None; k]));
                if let Some((_, first)) = entry.1[d] {
                    return Err(ErrorKind::Duplicate {
                        file: name.clone(),
                        line: *line,
                        first_line: Some(first),
                        what: format!("respondent '{id}' dimension '{}'", instrument.dimensions[d]),
                        key: vec![],
                    }
                    .into());
                }
                entry.1[d] = Some((v, *line));
            }
            let mut out = HashMap::with_capacity(raw.len());
            for (id, (line, pts)) in raw {
                let w: Vec<f64> = pts.iter().map(|p| p.map_or(0.0, |x| x.0)).collect();
                let sum: f64 = w.iter().sum();
                if sum <= 0.0 {
                    return Err(Error::file(
                        &name,
                        Some(line),
                        format!("respondent '{id}' gives no importance points (their sum is zero)"),
                    ));
                }
                out.insert(id, w.iter().map(|x| x / sum).collect());
            }
            return Ok(Importance::Respondent(out));
        }
        let wc = header
            .find("weight")
            .ok_or_else(|| Error::file(&name, Some(1), "importance weights need 'respondent_id,dimension,points' or 'dimension,weight' columns"))?;
        let mut w: Vec<Option<(f64, u64)>> = vec![None; k];
        for (line, row) in &rows {
            let d = dim_of(*line, row)?;
            let v = value(*line, row, wc)?;
            if let Some((_, first)) = w[d] {
                return Err(ErrorKind::Duplicate {
                    file: name.clone(),
                    line: *line,
                    first_line: Some(first),
                    what: format!("dimension '{}'", instrument.dimensions[d]),
                    key: vec![],
                }
                .into());
            }
            w[d] = Some((v, *line));
        }
        Self::aggregate(
            &name,
            &header,
            w.iter().map(|x| x.map_or(0.0, |v| v.0)).collect(),
        )
    }

    fn aggregate(name: &str, _header: &Header, w: Vec<f64>) -> Result<Self> {
        let sum: f64 = w.iter().sum();
        if sum <= 0.0 {
            return Err(Error::file(
                name,
                None,
                "the importance weights sum to zero",
            ));
        }
        Ok(Importance::Aggregate(w.iter().map(|x| x / sum).collect()))
    }

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
