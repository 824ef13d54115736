//! Hard standards and service events (SPEC §3.5). A hard standard is a
//! measurable service level ("greeted within 4 minutes": `wait_minutes <= 4`
//! for at least 98% of visits); the events file is an operations log with
//! one row per service event and a column per metric. Events stream through
//! a counter per standard, group and period, so a log of any length fits.

use std::collections::{BTreeMap, HashMap};

use super::engine::ledger::RowLedger;
use super::engine::lines::{RecordSink, RecordView};
use super::{
    check_width, invalid, is_missing, read_small, Header, OnInvalid, ReadOptions, RowCounts, Source,
};
use crate::error::{quoted, Error, ErrorKind, Result};
pub use crate::model::standards::{CellKey, HardStandard, HardStandards, Op, Tally};
use crate::period::{parse_date, PeriodKind};

impl HardStandards {
    /// Reads `standard_id,description,metric,op,threshold,target[,item][,scope]`.
    pub fn load(source: &Source, opts: &ReadOptions) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        let col = |c: &str| {
            header.find(c).ok_or_else(|| {
                Error::file(
                    &name,
                    Some(1),
                    format!(
                        "the hard standards need a '{c}' column (standard_id,description,metric,op,threshold,target[,item])"
                    ),
                )
            })
        };
        let (ic, dc, mc, oc, tc, gc) = (
            col("standard_id")?,
            col("description")?,
            col("metric")?,
            col("op")?,
            col("threshold")?,
            col("target")?,
        );
        let item_col = header.find("item");
        let scope_col = header.find("scope");
        let mut out = HardStandards {
            name: name.clone(),
            standards: Vec::new(),
            rows: RowCounts::default(),
        };
        let mut first: HashMap<String, u64> = HashMap::new();
        for (line, row) in &rows {
            out.rows.rows_read += 1;
            check_width(&name, &header, *line, row)?;
            let cell = |c: usize| row[c].trim();
            let bad = |c: usize, problem: &str| {
                invalid(&name, *line, &header, c, cell(c).as_bytes(), problem)
            };
            let id = cell(ic);
            if id.is_empty() {
                return Err(bad(ic, "a standard needs an id"));
            }
            if let Some(f) = first.insert(id.to_string(), *line) {
                return Err(ErrorKind::Duplicate {
                    file: name.clone(),
                    line: *line,
                    first_line: Some(f),
                    what: format!("standard {}", quoted(id)),
                    key: vec![id.to_string()],
                }
                .into());
            }
            if cell(mc).is_empty() {
                return Err(bad(mc, "a standard needs a metric column"));
            }
            let op =
                Op::parse(cell(oc)).ok_or_else(|| bad(oc, "op must be one of <= < >= > == !="))?;
            let threshold = cell(tc)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(tc, "the threshold must be a number"))?;
            let target = cell(gc)
                .parse::<f64>()
                .ok()
                .filter(|v| (0.0..=1.0).contains(v))
                .ok_or_else(|| bad(gc, "the target is a share of events between 0 and 1"))?;
            let scope = match scope_col {
                Some(c) => parse_scope(cell(c)).map_err(|problem| bad(c, &problem))?,
                None => Vec::new(),
            };
            out.rows.rows_used += 1;
            out.standards.push(HardStandard {
                standard_id: id.to_string(),
                description: cell(dc).to_string(),
                metric: cell(mc).to_string(),
                op,
                threshold,
                target,
                item: item_col
                    .map(|c| cell(c).to_string())
                    .filter(|s| !s.is_empty()),
                scope,
                line: *line,
            });
        }
        if out.standards.is_empty() {
            return Err(Error::file(
                &name,
                None,
                "the hard standards file has no rows",
            ));
        }
        Ok(out)
    }
}

/// A scope `COL=VALUE;COL=VALUE` as `(column, value)` conditions, each
/// split at its first `=` and trimmed; empty for an empty scope.
fn parse_scope(text: &str) -> std::result::Result<Vec<(String, String)>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| match c.split_once('=') {
            Some((col, value)) if !col.trim().is_empty() => {
                Ok((col.trim().to_string(), value.trim().to_string()))
            }
            _ => Err(format!(
                "a scope is COL=VALUE conditions joined by ';' ('{c}' is not one)"
            )),
        })
        .collect()
}

/// Streams events into tallies per standard, group and period.
pub(crate) struct EventSink {
    /// File, header, policy and the rows read, used and rejected.
    ledger: RowLedger,
    standards: std::sync::Arc<Vec<HardStandard>>,
    metric_cols: Vec<usize>,
    /// Each standard's scope, as `(column, value)` conditions.
    scope_cols: std::sync::Arc<Vec<Vec<(usize, String)>>>,
    by_cols: Vec<usize>,
    date_col: Option<usize>,
    period: Option<PeriodKind>,
    pub cells: BTreeMap<CellKey, Vec<Tally>>,
    values: Vec<Option<f64>>,
}

impl EventSink {
    /// Checks the events header against the standards and `--by`/`--period`.
    pub(crate) fn new(
        file: String,
        header: Header,
        hard: &HardStandards,
        by: &[String],
        period: Option<(PeriodKind, String)>,
        on_invalid: OnInvalid,
    ) -> Result<Self> {
        let found = || header.listing();
        let metric_cols = hard
            .standards
            .iter()
            .map(|s| {
                header.find(&s.metric).ok_or_else(|| {
                    Error::file(
                        &file,
                        Some(1),
                        format!(
                            "standard '{}' ({}:{}) is measured on column '{}', which the events file lacks (found: {})",
                            s.standard_id, hard.name, s.line, s.metric, found()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let scope_cols = hard
            .standards
            .iter()
            .map(|s| {
                s.scope
                    .iter()
                    .map(|(col, value)| {
                        header.find(col).map(|c| (c, value.clone())).ok_or_else(|| {
                            Error::file(
                                &file,
                                Some(1),
                                format!(
                                    "standard '{}' ({}:{}) is scoped on column '{col}', which the events file lacks (found: {})",
                                    s.standard_id, hard.name, s.line, found()
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<Vec<_>>>()?;
        let by_cols = by
            .iter()
            .map(|b| {
                header.find(b).ok_or_else(|| {
                    Error::file(
                        &file,
                        Some(1),
                        format!(
                            "the events file has no column '{b}' named by --by (found: {})",
                            found()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (date_col, period) = match period {
            Some((kind, col)) => {
                let c = header.find(&col).ok_or_else(|| {
                    Error::file(&file, Some(1), format!("--period needs a date column '{col}' (found: {}; --date names another)", found()))
                })?;
                (Some(c), Some(kind))
            }
            None => (None, None),
        };
        Ok(EventSink {
            ledger: RowLedger::new(file.into(), std::sync::Arc::new(header), on_invalid),
            values: vec![None; hard.standards.len()],
            standards: std::sync::Arc::new(hard.standards.clone()),
            metric_cols,
            scope_cols: std::sync::Arc::new(scope_cols),
            by_cols,
            date_col,
            period,
            cells: BTreeMap::new(),
        })
    }

    /// Row counts so far.
    pub(crate) fn counts(&self) -> RowCounts {
        self.ledger.counts()
    }
}

impl RecordSink for EventSink {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        if rec.len() != self.ledger.header.len() {
            return self.ledger.ragged(line, rec.len());
        }
        self.ledger.read += 1;
        for (i, &c) in self.metric_cols.iter().enumerate() {
            let raw = rec.get(c);
            self.values[i] = if is_missing(raw) {
                None
            } else {
                match super::parse_number(raw) {
                    Some(v) => Some(v),
                    None => {
                        return self.ledger.reject(
                            line,
                            c,
                            raw,
                            "invalid metric",
                            "a metric must be a number (or empty / NA when not measured)".into(),
                        )
                    }
                }
            };
        }
        let period = match (self.date_col, self.period) {
            (Some(c), Some(kind)) => {
                let raw = rec.get(c);
                match parse_date(raw.trim_ascii()) {
                    Some(d) => Some(kind.period_of(d).0),
                    None => {
                        return self.ledger.reject(
                            line,
                            c,
                            raw,
                            "invalid date",
                            "not a date (YYYY-MM-DD or an RFC 3339 timestamp)".into(),
                        )
                    }
                }
            }
            _ => None,
        };
        let group: Vec<String> = self
            .by_cols
            .iter()
            .map(|&c| String::from_utf8_lossy(rec.get(c).trim_ascii()).into_owned())
            .collect();
        let n = self.standards.len();
        let cell = self
            .cells
            .entry((period, group))
            .or_insert_with(|| vec![Tally::default(); n]);
        for (i, s) in self.standards.iter().enumerate() {
            let in_scope = self.scope_cols[i]
                .iter()
                .all(|(c, value)| rec.get(*c).trim_ascii() == value.as_bytes());
            if !in_scope {
                cell[i].out_of_scope += 1;
                continue;
            }
            match self.values[i] {
                None => cell[i].missing += 1,
                Some(v) => {
                    cell[i].events += 1;
                    cell[i].compliant += u64::from(s.op.holds(v, s.threshold));
                }
            }
        }
        self.ledger.used += 1;
        Ok(())
    }

    fn fork(&self) -> Self {
        EventSink {
            ledger: self.ledger.fork(),
            standards: self.standards.clone(),
            metric_cols: self.metric_cols.clone(),
            scope_cols: self.scope_cols.clone(),
            by_cols: self.by_cols.clone(),
            date_col: self.date_col,
            period: self.period,
            cells: BTreeMap::new(),
            values: self.values.clone(),
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        self.ledger.merge(later.ledger, off);
        for (k, v) in later.cells {
            let n = v.len();
            let mine = self
                .cells
                .entry(k)
                .or_insert_with(|| vec![Tally::default(); n]);
            for (a, b) in mine.iter_mut().zip(v) {
                a.add(&b);
            }
        }
        Ok(())
    }
}
