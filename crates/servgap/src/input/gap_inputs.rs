//! The gap model's inputs besides the customer survey (SPEC §3.4): the
//! management survey (what managers think customers expect, M), the
//! delivery assessment (audit or mystery-shopper ratings of the service as
//! delivered, D), both `respondent_id,item,score`, and the standards
//! (`item` or `dimension`, `standard` S, optional `promise` C). Any of them
//! may carry the `--by` columns of the customer survey, and is then read per
//! group. These files are small (a row per manager or auditor and item), so
//! they are read whole.

use std::collections::HashMap;

use super::instrument::Instrument;
use super::survey::Scale;
use super::{check_width, invalid, is_missing, read_small, Header, ReadOptions, RowCounts, Source};
use crate::error::{quoted, Error, ErrorKind, Result};
pub use crate::model::gap_inputs::{ItemStandards, RatingMeans, Ratings, Standards};
use crate::model::gap_inputs::{Rating, StandardRow, Target};

fn group_cells(header: &Header, by: &[String], row: &[String]) -> (Vec<bool>, Vec<Option<String>>) {
    let cols: Vec<Option<usize>> = by.iter().map(|b| header.find(b)).collect();
    (
        cols.iter().map(Option::is_some).collect(),
        cols.iter()
            .map(|c| c.and_then(|c| row.get(c)).map(|v| v.trim().to_string()))
            .collect(),
    )
}

fn need(name: &str, header: &Header, col: &str, what: &str) -> Result<usize> {
    header.find(col).ok_or_else(|| {
        Error::file(
            name,
            Some(1),
            format!(
                "{what} needs a '{col}' column (found: {})",
                header.listing()
            ),
        )
    })
}

impl Ratings {
    /// Reads `respondent_id,item,score[,group columns…]`. Scores must lie on
    /// the scale; an unknown item or a respondent × item given twice is an
    /// error (both lines named).
    pub fn load(
        source: &Source,
        what: &str,
        ins: &Instrument,
        scale: &Scale,
        by: &[String],
        opts: &ReadOptions,
    ) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        let rc = need(&name, &header, "respondent_id", what)?;
        let ic = need(&name, &header, "item", what)?;
        let sc = need(&name, &header, "score", what)?;
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut seen: HashMap<(u32, usize, Vec<Option<String>>), u64> = HashMap::new();
        let mut out = Ratings {
            name: name.clone(),
            rows: RowCounts::default(),
            missing: 0,
            ratings: Vec::new(),
            has_by: by.iter().map(|b| header.find(b).is_some()).collect(),
        };
        let mut tally = super::RejectTally::default();
        for (line, row) in &rows {
            out.rows.rows_read += 1;
            if let Err(e) = check_width(&name, &header, *line, row) {
                super::reject_row(
                    opts.on_invalid,
                    &mut tally,
                    *line,
                    "wrong number of fields",
                    || e,
                )?;
                continue;
            }
            let bad = |col: usize, value: &str, problem: String| {
                invalid(&name, *line, &header, col, value.as_bytes(), problem)
            };
            let item_raw = row[ic].trim();
            let id_raw = row[rc].trim();
            let cell = row[sc].trim();
            let checked: std::result::Result<(usize, Option<f64>), (&str, Error)> = (|| {
                let item = ins.lookup(item_raw.as_bytes()).ok_or_else(|| {
                    let p = format!(
                        "unknown item (the instrument '{}' has no such item)",
                        ins.name
                    );
                    ("unknown item", bad(ic, item_raw, p))
                })?;
                if id_raw.is_empty() {
                    let p = "the respondent id is missing".to_string();
                    return Err(("missing respondent id", bad(rc, id_raw, p)));
                }
                if is_missing(cell.as_bytes()) {
                    return Ok((item, None));
                }
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() && scale.contains(v) => Ok((item, Some(v))),
                    _ => Err((
                        "score outside the scale",
                        bad(sc, cell, format!("score outside the scale {scale}")),
                    )),
                }
            })(
            );
            let (item, score) = match checked {
                Ok(x) => x,
                Err((reason, err)) => {
                    super::reject_row(opts.on_invalid, &mut tally, *line, reason, || err)?;
                    continue;
                }
            };
            let next = ids.len() as u32;
            let respondent = *ids.entry(id_raw.to_string()).or_insert(next);
            let (_, group) = group_cells(&header, by, row);
            if let Some(&first) = seen.get(&(respondent, item, group.clone())) {
                super::reject_row(
                    opts.on_invalid,
                    &mut tally,
                    *line,
                    "duplicate respondent × item",
                    || {
                        ErrorKind::Duplicate {
                            file: name.clone(),
                            line: *line,
                            first_line: Some(first),
                            what: format!(
                                "respondent {} item {}",
                                quoted(id_raw),
                                quoted(item_raw)
                            ),
                            key: vec![id_raw.to_string(), item_raw.to_string()],
                        }
                        .into()
                    },
                )?;
                continue;
            }
            seen.insert((respondent, item, group.clone()), *line);
            out.rows.rows_used += 1;
            match score {
                None => out.missing += 1,
                Some(score) => out.ratings.push(Rating {
                    respondent,
                    item,
                    score,
                    group,
                }),
            }
        }
        out.rows.rows_rejected = tally.total();
        out.rows.rejections = tally.reasons;
        Ok(out)
    }
}

impl Standards {
    /// Reads `item,standard[,promise]` or `dimension,standard[,promise]`
    /// (both columns: a row with an empty item applies to its dimension),
    /// with optional `--by` columns. Values lie on the survey scale; a
    /// target given twice for the same group is an error.
    pub fn load(
        source: &Source,
        ins: &Instrument,
        scale: &Scale,
        by: &[String],
        opts: &ReadOptions,
    ) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        let ic = header.find("item");
        let dc = header.find("dimension");
        if ic.is_none() && dc.is_none() {
            return Err(Error::file(
                &name,
                Some(1),
                "the standards need an 'item' or a 'dimension' column (item,standard[,promise])",
            ));
        }
        let scn = need(&name, &header, "standard", "the standards")?;
        let pc = header.find("promise");
        let mut out = Standards {
            name: name.clone(),
            rows: RowCounts::default(),
            has_promise: pc.is_some(),
            rows_: Vec::new(),
            has_by: by.iter().map(|b| header.find(b).is_some()).collect(),
        };
        let mut seen: HashMap<(Target, Vec<Option<String>>), u64> = HashMap::new();
        for (line, row) in &rows {
            out.rows.rows_read += 1;
            check_width(&name, &header, *line, row)?;
            let item_cell = ic.map(|c| row[c].trim()).unwrap_or("");
            let target = if !item_cell.is_empty() {
                match ins.lookup(item_cell.as_bytes()) {
                    Some(i) => Target::Item(i),
                    None => {
                        return Err(invalid(
                            &name,
                            *line,
                            &header,
                            ic.unwrap_or(0),
                            item_cell.as_bytes(),
                            format!(
                                "unknown item (the instrument '{}' has no such item)",
                                ins.name
                            ),
                        ))
                    }
                }
            } else {
                let col = dc.or(ic).unwrap_or(0);
                let dim = dc.map(|c| row[c].trim()).unwrap_or("");
                match ins
                    .dimensions
                    .iter()
                    .position(|d| d.eq_ignore_ascii_case(dim))
                {
                    Some(d) if !dim.is_empty() => Target::Dimension(d),
                    _ => {
                        return Err(invalid(
                            &name,
                            *line,
                            &header,
                            col,
                            dim.as_bytes(),
                            format!(
                                "unknown dimension (the instrument has: {})",
                                ins.dimensions.join(", ")
                            ),
                        ))
                    }
                }
            };
            let value = |c: usize| -> Result<Option<f64>> {
                let cell = row[c].trim();
                if is_missing(cell.as_bytes()) {
                    return Ok(None);
                }
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() && scale.contains(v) => Ok(Some(v)),
                    _ => Err(invalid(
                        &name,
                        *line,
                        &header,
                        c,
                        cell.as_bytes(),
                        format!("a standard is a level on the survey scale {scale}"),
                    )),
                }
            };
            let standard = value(scn)?;
            let promise = match pc {
                Some(c) => value(c)?,
                None => None,
            };
            let (_, group) = group_cells(&header, by, row);
            if let Some(first) = seen.insert((target, group.clone()), *line) {
                let what = match target {
                    Target::Item(i) => format!("the standard of item '{}'", ins.items[i].id),
                    Target::Dimension(d) => {
                        format!("the standard of dimension '{}'", ins.dimensions[d])
                    }
                };
                return Err(ErrorKind::Duplicate {
                    file: name.clone(),
                    line: *line,
                    first_line: Some(first),
                    what,
                    key: vec![],
                }
                .into());
            }
            out.rows.rows_used += 1;
            out.rows_.push(StandardRow {
                target,
                standard,
                promise,
                group,
            });
        }
        Ok(out)
    }
}
