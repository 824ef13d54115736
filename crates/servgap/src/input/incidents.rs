//! The incident log and the volume file of the Service Quality Index (SPEC
//! §3.6), read straight into period × group cells ([`CellTable`]), so
//! that memory grows with periods × groups, never with the log's rows.
//!
//! What a valid row is, once: its cells ([`SqiCells`]: a category of the
//! weights, a whole count of at least 0, a volume of at least 0, a date)
//! and its rule ([`IncidentRule::accept`], [`VolumeRule::accept`]): the
//! row's counts go into its cell, a date and group given twice in a volume
//! file whose rows are not summed is an error. The record engine decides
//! how lines are read: a sorted log's rows that repeat the previous row's
//! date and site come as runs ([`IncidentRule::accept_run`]), each row the
//! category after the previous one and a plain count.
//!
//! A large log is split between threads, each with its own cells, merged at
//! the end; each thread also reads the volume rows of its own dates first
//! ([`VolumePlan`]).

use std::io::{Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::engine::first_two_lines;
use super::engine::ledger::RowLedger;
use super::engine::lines::{ParseStop, RangeEnd};
use super::engine::rows::{Bad, Cell, CellRules, Paths, Row, RowRule, Run, Shape, TypedSink};
use super::weights::WeightTable;
use super::{
    invalid, parse_number, read_csv, read_csv_then, Header, OnInvalid, ReadInfo, ReadOptions,
    RejectTally, RowCounts, Source,
};
use crate::error::{Error, ErrorKind, Result};
use crate::model::cells::{CellTable, SEP};
use crate::model::dictionary::{fast_map, FastMap, GroupDict, ValueDict};
use crate::period::{parse_date, Period, PeriodKind};

/// Where the columns of an incident log or volume file are.
#[derive(Debug, Clone)]
struct Layout {
    width: usize,
    date: usize,
    by: Vec<usize>,
    /// The category column (incidents).
    category: Option<usize>,
    /// The count column (incidents) or the volume column.
    value: Option<usize>,
}

impl Layout {
    fn find(file: &str, header: &Header, need: &str, what: &str) -> Result<usize> {
        header.find(need).ok_or_else(|| {
            Error::file(
                file,
                Some(1),
                format!(
                    "{what} needs a '{need}' column (found: {})",
                    header.listing()
                ),
            )
        })
    }

    fn by_columns(file: &str, header: &Header, by: &[String], what: &str) -> Result<Vec<usize>> {
        by.iter()
            .map(|b| {
                header.find(b).ok_or_else(|| {
                    Error::file(
                        file,
                        Some(1),
                        format!(
                            "{what} has no column '{b}' named by --by (found: {})",
                            header.listing()
                        ),
                    )
                })
            })
            .collect()
    }

    /// The row shape the engine reads.
    fn shape(&self, terms: Vec<Box<[u8]>>) -> Shape {
        let mut roles = vec![(self.date, Cell::Date)];
        if let Some(c) = self.category {
            roles.push((c, Cell::Term));
        }
        if let Some(c) = self.value {
            roles.push((
                c,
                if self.category.is_some() {
                    Cell::Count
                } else {
                    Cell::Number
                },
            ));
        }
        Shape::new(self.width, &roles, &self.by, terms)
    }

    /// The last of the date and `--by` columns: the lead a row must repeat
    /// to be in the previous row's cell.
    fn lead_last(&self) -> usize {
        self.by
            .iter()
            .copied()
            .chain([self.date])
            .max()
            .unwrap_or(self.date)
    }
}

/// Parses a count: a whole number of at least 0 (`3`, ` 3 `, `3.0`, `1e1`).
fn parse_count(raw: &[u8]) -> Option<u64> {
    let t = raw.trim_ascii();
    if !t.is_empty() && t.len() <= 18 && t.iter().all(|b| b.is_ascii_digit()) {
        return Some(t.iter().fold(0u64, |a, &b| a * 10 + (b - b'0') as u64));
    }
    let s = std::str::from_utf8(t).ok()?;
    if let Ok(n) = s.parse::<u64>() {
        return Some(n);
    }
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9.0e15).then_some(v as u64)
}

/// The cells of an incident log and a volume file: a category of the
/// weights (given exactly, else trimmed and in any case), a whole count of
/// at least 0, a volume of at least 0, a date (`YYYY-MM-DD` or RFC 3339).
pub(crate) struct SqiCells {
    weights: Option<Arc<WeightTable>>,
}

impl CellRules for SqiCells {
    fn term(&self, raw: &[u8]) -> Option<usize> {
        self.weights
            .as_ref()?
            .find(std::str::from_utf8(raw.trim_ascii()).ok()?)
    }

    fn count(&self, raw: &[u8]) -> std::result::Result<u64, Bad> {
        parse_count(raw).ok_or_else(|| Bad {
            reason: "invalid count",
            problem: "a count must be a whole number of at least 0".into(),
        })
    }

    fn number(&self, raw: &[u8]) -> std::result::Result<f64, Bad> {
        match parse_number(raw) {
            Some(v) if v >= 0.0 => Ok(v),
            _ => Err(Bad {
                reason: "invalid volume",
                problem: "a volume must be a number of at least 0".into(),
            }),
        }
    }

    fn date(&self, raw: &[u8]) -> std::result::Result<NaiveDate, Bad> {
        parse_date(raw.trim_ascii()).ok_or_else(|| Bad {
            reason: "invalid date",
            problem: "not a date (YYYY-MM-DD or an RFC 3339 timestamp)".into(),
        })
    }
}

/// Where the previous row went: its date's period and day bit, and its
/// cell (valid while a row repeats its date and group cells).
#[derive(Debug, Clone, Copy)]
struct Last {
    date: NaiveDate,
    period: Period,
    bit: u32,
    cell: Option<u32>,
}

/// What the incident and volume rules share: the file, its layout, the
/// policy for invalid rows, the row counts, and the table the rows go into
/// with where the previous row went.
struct CellWriter {
    /// File, header, policy and the rows read, used and rejected.
    ledger: RowLedger,
    layout: Arc<Layout>,
    lead_last: usize,
    table: CellTable,
    /// The `--by` columns' values (the engine codes them), and the table's
    /// group of each combination of codes.
    group_dicts: Vec<GroupDict>,
    group_of_code: Vec<u32>,
    group_of_codes: FastMap<Vec<u32>, u32>,
    /// Unused: these files have no scores.
    values: ValueDict,
    last: Option<Last>,
}

impl CellWriter {
    fn new(
        file: String,
        header: Header,
        layout: Layout,
        on_invalid: OnInvalid,
        table: CellTable,
    ) -> Self {
        CellWriter {
            ledger: RowLedger::new(file.into(), Arc::new(header), on_invalid),
            lead_last: layout.lead_last(),
            group_dicts: layout.by.iter().map(|_| GroupDict::new()).collect(),
            layout: Arc::new(layout),
            table,
            group_of_code: Vec::new(),
            group_of_codes: fast_map(),
            values: ValueDict::new(),
            last: None,
        }
    }

    fn fork(&self) -> Self {
        CellWriter {
            ledger: self.ledger.fork(),
            layout: self.layout.clone(),
            lead_last: self.lead_last,
            table: self.table.empty_like(),
            group_dicts: self.group_dicts.iter().map(|_| GroupDict::new()).collect(),
            group_of_code: Vec::new(),
            group_of_codes: fast_map(),
            values: ValueDict::new(),
            last: None,
        }
    }

    fn merge(&mut self, later: CellWriter, off: u64) {
        self.ledger.merge(later.ledger, off);
        self.table.absorb(later.table);
        self.last = None;
    }

    /// A row's cell and its day's bit there: the previous row's when the
    /// row repeats its date and group cells, else found (or made) in the
    /// table.
    #[inline(always)]
    fn locate(&mut self, row: &Row<'_>, date: NaiveDate) -> (u32, u32) {
        if let Some(Last {
            cell: Some(c), bit, ..
        }) = self.last
        {
            if row.lead_holds(self.lead_last) {
                return (c, 1u32 << bit);
            }
        }
        let (period, bit) = match self.last {
            Some(l) if l.date == date => (l.period, l.bit),
            _ => {
                let (p, bit) = self.table.kind.period_of(date);
                self.table
                    .dates
                    .insert(chrono::Datelike::num_days_from_ce(&date));
                (p, bit)
            }
        };
        let g = self.group(row.groups());
        let cell = self.table.cell(period, g);
        self.last = Some(Last {
            date,
            period,
            bit,
            cell: Some(cell),
        });
        (cell, 1u32 << bit)
    }

    /// The table's group of a row's group codes.
    #[inline(always)]
    fn group(&mut self, codes: &[u32]) -> u32 {
        match codes {
            [] => self.table.group(&[]),
            [c] => match self.group_of_code.get(*c as usize) {
                Some(&g) if g != u32::MAX => g,
                _ => self.new_group(codes),
            },
            _ => match self.group_of_codes.get(codes) {
                Some(&g) => g,
                None => self.new_group(codes),
            },
        }
    }

    #[cold]
    fn new_group(&mut self, codes: &[u32]) -> u32 {
        let mut key = Vec::new();
        for (j, &c) in codes.iter().enumerate() {
            if j > 0 {
                key.push(SEP);
            }
            let value = self
                .group_dicts
                .get(j)
                .and_then(|d| d.values.get(c as usize));
            key.extend_from_slice(value.map_or(&b""[..], |v| v.as_bytes()));
        }
        let g = self.table.group(&key);
        match codes {
            [c] => {
                let c = *c as usize;
                if self.group_of_code.len() <= c {
                    self.group_of_code.resize(c + 1, u32::MAX);
                }
                self.group_of_code[c] = g;
            }
            _ => {
                self.group_of_codes.insert(codes.to_vec(), g);
            }
        }
        g
    }
}

/// The row rule of an incident log (`date,category[,count][,group
/// columns…]`).
pub(crate) struct IncidentRule {
    w: CellWriter,
    weights: Arc<WeightTable>,
    /// This reader's share of the volume file, and those of the readers
    /// merged into it (see [`VolumePlan`]).
    volume: Vec<VolumeShare>,
}

impl IncidentRule {
    #[cold]
    #[inline(never)]
    fn unknown_category(&mut self, row: &Row<'_>) -> Result<()> {
        let col = self.w.layout.category.unwrap_or(0);
        let raw = row.raw(col);
        let problem = if raw.trim_ascii().is_empty() {
            "the category is missing".to_string()
        } else {
            format!(
                "unknown category (the weights '{}' know: {})",
                self.weights.name,
                self.weights.names()
            )
        };
        self.w
            .ledger
            .reject(row.line, col, raw, "unknown category", problem)
    }

    /// A count that would pass 4,294,967,295 in its cell: an error, never
    /// a wrong number.
    #[cold]
    fn overflow(&self, line: u64, cat: usize, value: &[u8]) -> Error {
        let col = self.w.layout.value.or(self.w.layout.category).unwrap_or(0);
        let problem = format!(
            "the counts of '{}' in this period add up to more than 4,294,967,295",
            self.weights
                .categories
                .get(cat)
                .map_or("", |c| c.category.as_str())
        );
        invalid(
            &self.w.ledger.file,
            line,
            &self.w.ledger.header,
            col,
            value,
            problem,
        )
    }
}

impl RowRule for IncidentRule {
    type Cells = SqiCells;

    #[inline(always)]
    fn dictionaries(&mut self) -> (&mut ValueDict, &mut [GroupDict]) {
        (&mut self.w.values, &mut self.w.group_dicts)
    }

    #[inline(always)]
    fn accept(&mut self, row: &Row<'_>) -> Result<()> {
        self.w.ledger.read += 1;
        let Some(cat) = row.term() else {
            return self.unknown_category(row);
        };
        let count = match self.w.layout.value {
            None => 1,
            Some(c) => match row.count(c) {
                Ok(n) => n,
                Err(bad) => return self.w.ledger.reject_cell(row, c, bad),
            },
        };
        let dc = self.w.layout.date;
        let date = match row.date(dc) {
            Ok(d) => d,
            Err(bad) => return self.w.ledger.reject_cell(row, dc, bad),
        };
        let (cell, bit) = self.w.locate(row, date);
        let t = &mut self.w.table;
        if !t.add_count(cell, cat, count) {
            let value = match self.w.layout.value {
                Some(c) => row.raw(c),
                None => row.raw(self.w.layout.category.unwrap_or(0)),
            };
            return Err(self.overflow(row.line, cat, value));
        }
        t.head_mut(cell).days |= bit;
        t.seen[cat] = true;
        self.w.ledger.used += 1;
        Ok(())
    }

    fn ragged(&mut self, line: u64, fields: usize) -> Result<()> {
        self.w.ledger.ragged(line, fields)
    }

    fn run_ready(&self, lead_cols: usize) -> bool {
        self.w.lead_last < lead_cols && matches!(self.w.last, Some(Last { cell: Some(_), .. }))
    }

    /// The rows of a run are in the last row's cell, on its day, with
    /// known categories and valid counts: of the rule, only the cell's
    /// count limit remains to check.
    fn accept_run(&mut self, run: &Run<'_>) -> Result<()> {
        let Some(Last {
            cell: Some(cell),
            bit,
            ..
        }) = self.w.last
        else {
            return Err(Error::internal("a run without its cell"));
        };
        let counted = self.w.layout.value.is_some();
        let t = &mut self.w.table;
        let rows = run.rows.iter();
        let stopped = match counted {
            true => t.add_counts(cell, rows.map(|r| (r.term as usize, r.count))),
            false => t.add_counts(cell, rows.map(|r| (r.term as usize, 1))),
        };
        if let Some(i) = stopped {
            self.w.ledger.read += i as u64 + 1;
            self.w.ledger.used += i as u64;
            let (cat, count) = (run.rows[i].term as usize, run.rows[i].count);
            let value = match counted {
                true => count.to_string().into_bytes(),
                false => self
                    .weights
                    .categories
                    .get(cat)
                    .map_or(Vec::new(), |c| c.category.clone().into_bytes()),
            };
            return Err(self.overflow(run.first_line + i as u64, cat, &value));
        }
        for r in run.rows {
            if let Some(s) = t.seen.get_mut(r.term as usize) {
                *s = true;
            }
        }
        t.head_mut(cell).days |= 1u32 << bit;
        let n = run.rows.len() as u64;
        self.w.ledger.read += n;
        self.w.ledger.used += n;
        Ok(())
    }

    fn fork(&self) -> Self {
        IncidentRule {
            w: self.w.fork(),
            weights: self.weights.clone(),
            volume: Vec::new(),
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        self.w.merge(later.w, off);
        self.volume.extend(later.volume);
        Ok(())
    }
}

/// The reader of an incident log: its rule, fed by the engine.
pub(crate) type IncidentSink = TypedSink<IncidentRule>;

impl IncidentRule {
    /// The sink of an incident log with `header`.
    fn sink(
        file: String,
        header: Header,
        weights: Arc<WeightTable>,
        kind: PeriodKind,
        by: &[String],
        on_invalid: OnInvalid,
    ) -> Result<IncidentSink> {
        let what = "the incident log";
        let layout = Layout {
            width: header.len(),
            date: Layout::find(&file, &header, "date", what)?,
            category: Some(Layout::find(&file, &header, "category", what)?),
            value: header.find("count"),
            by: Layout::by_columns(&file, &header, by, what)?,
        };
        let terms = weights
            .categories
            .iter()
            .map(|c| c.category.as_bytes().into())
            .collect();
        let shape = layout.shape(terms);
        let k = weights.categories.len();
        let rule = IncidentRule {
            w: CellWriter::new(file, header, layout, on_invalid, CellTable::new(kind, k)),
            weights: weights.clone(),
            volume: Vec::new(),
        };
        Ok(TypedSink::new(
            rule,
            shape,
            SqiCells {
                weights: Some(weights),
            },
        ))
    }
}

/// The row rule of a volume file (`date[,group columns…],volume`).
pub(crate) struct VolumeRule {
    w: CellWriter,
    /// Whether the file has columns beyond date, the `--by` columns and
    /// volume: its rows are then summed per date and group; otherwise a
    /// date and group given twice is an error.
    summed: bool,
}

impl RowRule for VolumeRule {
    type Cells = SqiCells;

    #[inline(always)]
    fn dictionaries(&mut self) -> (&mut ValueDict, &mut [GroupDict]) {
        (&mut self.w.values, &mut self.w.group_dicts)
    }

    #[inline(always)]
    fn accept(&mut self, row: &Row<'_>) -> Result<()> {
        self.w.ledger.read += 1;
        let vc = self.w.layout.value.unwrap_or(0);
        let volume = match row.number(vc) {
            Ok(v) => v,
            Err(bad) => return self.w.ledger.reject_cell(row, vc, bad),
        };
        let dc = self.w.layout.date;
        let date = match row.date(dc) {
            Ok(d) => d,
            Err(bad) => return self.w.ledger.reject_cell(row, dc, bad),
        };
        let (cell, bit) = self.w.locate(row, date);
        let head = self.w.table.head_mut(cell);
        if !self.summed && head.volume_days & bit != 0 {
            return Err(self.duplicate(row));
        }
        head.days |= bit;
        head.volume_days |= bit;
        head.volume += volume;
        self.w.ledger.used += 1;
        Ok(())
    }

    fn ragged(&mut self, line: u64, fields: usize) -> Result<()> {
        self.w.ledger.ragged(line, fields)
    }

    fn fork(&self) -> Self {
        VolumeRule {
            w: self.w.fork(),
            summed: self.summed,
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        self.w.merge(later.w, off);
        Ok(())
    }
}

impl VolumeRule {
    /// A date and group given twice in a file whose rows are not summed.
    #[cold]
    fn duplicate(&self, row: &Row<'_>) -> Error {
        let text = |c: usize| String::from_utf8_lossy(row.raw(c).trim_ascii()).into_owned();
        let mut key = vec![text(self.w.layout.date)];
        key.extend(self.w.layout.by.iter().map(|&c| text(c)));
        ErrorKind::Duplicate {
            file: self.w.ledger.file.to_string(),
            line: row.line,
            first_line: None,
            what: format!("the volume of {}", key.join(" / ")),
            key,
        }
        .into()
    }

    /// The sink of a volume file with `header`, into `table`.
    fn sink(
        vname: String,
        h: Header,
        layout: Layout,
        on_invalid: OnInvalid,
        table: CellTable,
    ) -> VolumeSink {
        let shape = layout.shape(Vec::new());
        let rule = VolumeRule {
            summed: rows_summed(&h, layout.by.len()),
            w: CellWriter::new(vname, h, layout, on_invalid, table),
        };
        TypedSink::new(rule, shape, SqiCells { weights: None })
    }
}

/// The reader of a volume file: its rule, fed by the engine.
pub(crate) type VolumeSink = TypedSink<VolumeRule>;

/// What reading the incident log (and the volume file) produced.
#[derive(Debug)]
pub(crate) struct IncidentData {
    pub table: CellTable,
    pub incident_rows: RowCounts,
    pub volume_rows: Option<RowCounts>,
    /// Whether the volume file's rows are summed per date and group (it
    /// has other columns), so that a date and group may come twice.
    pub volume_summed: bool,
    pub encoding: String,
    /// How the engine's strategies read the log's rows (tests assert it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub paths: Paths,
}

fn counts(rows_read: u64, rows_used: u64, tally: RejectTally) -> RowCounts {
    RowCounts {
        rows_read,
        rows_used,
        rows_rejected: tally.total(),
        rejections: tally.reasons,
    }
}

/// Reads the incident log, then the volume file into the same cells. A
/// large log read by several threads has each thread read its share of the
/// volume file too, into its own cells, before the cells are merged (see
/// [`VolumePlan`]); when the shares cannot be read apart, it all is read
/// again, the volume file after the log.
pub(crate) fn read_incidents(
    incidents: &Source,
    volume: Option<&Source>,
    weights: std::sync::Arc<WeightTable>,
    kind: PeriodKind,
    by: &[String],
    opts: &ReadOptions,
) -> Result<IncidentData> {
    let read = IncidentRead {
        incidents,
        volume,
        weights,
        kind,
        by,
        opts,
    };
    let plan = volume.and_then(|vs| VolumePlan::new(incidents, vs, by, opts));
    if let Some(data) = read.with(plan.as_ref())? {
        return Ok(data);
    }
    read.with(None)?
        .ok_or_else(|| Error::internal("the volume file was not read"))
}

/// The arguments of [`read_incidents`].
struct IncidentRead<'a> {
    incidents: &'a Source,
    volume: Option<&'a Source>,
    weights: std::sync::Arc<WeightTable>,
    kind: PeriodKind,
    by: &'a [String],
    opts: &'a ReadOptions,
}

impl IncidentRead<'_> {
    /// Reads with or without a plan for the volume file; `None` when the
    /// plan's shares could not be read apart.
    fn with(&self, plan: Option<&VolumePlan>) -> Result<Option<IncidentData>> {
        let IncidentRead {
            incidents,
            volume,
            ref weights,
            kind,
            by,
            opts,
        } = *self;
        let name = incidents.name();
        let share = |i: usize, s: &mut IncidentSink| {
            if let Some(p) = plan {
                s.rule.read_volume_share(i, p, by, opts.on_invalid);
            }
        };
        let (sink, info): (IncidentSink, ReadInfo) = read_csv_then(
            incidents,
            opts,
            |h| IncidentRule::sink(name.clone(), h, weights.clone(), kind, by, opts.on_invalid),
            &share,
        )?;
        let paths = sink.paths();
        let rule = sink.rule;
        let incident_rows = rule.w.ledger.counts();
        let table = rule.w.table;
        if let Some((key, group, cat)) = table.overflow {
            let mut cell = Period::of_key(kind, key).label();
            for (b, v) in by
                .iter()
                .zip(table.groups.get(group as usize).into_iter().flatten())
            {
                cell.push_str(&format!(", {b} {v}"));
            }
            return Err(Error::file(
                &name,
                None,
                format!(
                    "the counts of '{}' in {cell} add up to more than 4,294,967,295",
                    weights.categories[cat].category
                ),
            ));
        }
        let (table, volume_rows, volume_summed) = match (volume, plan) {
            (Some(vs), Some(plan)) if !rule.volume.is_empty() => {
                match plan.rows(rule.volume, &table, vs, by, opts)? {
                    Some((rows, summed)) => (table, Some(rows), summed),
                    None => return Ok(None),
                }
            }
            (Some(vs), _) => {
                let (table, rows, summed) = read_volume(vs, table, by, opts)?;
                (table, Some(rows), summed)
            }
            (None, _) => (table, None, false),
        };
        Ok(Some(IncidentData {
            table,
            incident_rows,
            volume_rows,
            volume_summed,
            encoding: info.encoding,
            paths,
        }))
    }
}

/// Whether a volume file's rows are summed per date and group: it has
/// columns beyond date, the `by` group columns and volume (otherwise a
/// date and group given twice is an error).
fn rows_summed(h: &Header, by: usize) -> bool {
    h.len() > by + 2
}

/// The layout of a volume file's header.
fn volume_layout(vname: &str, h: &Header, by: &[String]) -> Result<Layout> {
    let what = "the volume file";
    Ok(Layout {
        width: h.len(),
        date: Layout::find(vname, h, "date", what)?,
        category: None,
        value: Some(Layout::find(vname, h, "volume", what)?),
        by: Layout::by_columns(vname, h, by, what)?,
    })
}

/// Reads the volume file into the cells of `table`.
fn read_volume(
    vs: &Source,
    table: CellTable,
    by: &[String],
    opts: &ReadOptions,
) -> Result<(CellTable, RowCounts, bool)> {
    let vname = vs.name();
    let slot = Mutex::new(Some(table));
    let vopts = ReadOptions {
        threads: 1,
        ..opts.clone()
    };
    let (sink, _): (VolumeSink, ReadInfo) = read_csv(vs, &vopts, |h| {
        let layout = volume_layout(&vname, &h, by)?;
        let t = slot
            .lock()
            .ok()
            .and_then(|mut s| s.take())
            .ok_or_else(|| Error::internal("the volume file was opened twice"))?;
        Ok(VolumeRule::sink(
            vname.clone(),
            h,
            layout,
            opts.on_invalid,
            t,
        ))
    })
    .map_err(|e| first_volume_line(e, vs, by, &vopts))?;
    let summed = sink.rule.summed;
    let w = sink.rule.w;
    let rows = w.ledger.counts();
    Ok((w.table, rows, summed))
}

/// What one reader thread made of its share of the volume file.
struct VolumeShare {
    /// Which share (the index of the thread's range of the log).
    index: usize,
    end: std::result::Result<RangeEnd, ParseStop>,
    rows_read: u64,
    rows_used: u64,
    tally: RejectTally,
}

/// The volume file cut where the dates of the log's reader threads meet,
/// so that each thread reads the volume rows of its own dates into its own
/// cells while the other does the same, instead of one thread reading the
/// whole file after the log (a year × 3,000 sites: 15 ms on one core).
///
/// Share `i` holds the lines from the first whose date is after the first
/// date of the log's range `i` (the day that range shares with the one
/// before; its volume rows go to the earlier range, which ends with that
/// day). The cut points are found by bisection, as if both files were
/// sorted by date; they are only about speed: any volume row read into
/// another range's cells is merged like the log's own rows. What the
/// shares cannot settle sends the reader back to reading the volume file
/// whole after the log: a range that ran past its end (a quoted newline
/// at a cut), a file that is not UTF-8, a day with volume rows in two
/// shares of a file whose rows are not summed (a duplicate, reported with
/// its lines by the whole read).
#[derive(Debug)]
pub(crate) struct VolumePlan {
    path: std::path::PathBuf,
    name: String,
    header: Header,
    data_line: u64,
    len: u64,
    /// Each share's bytes, by the log's range.
    shares: Vec<(u64, u64)>,
}

impl VolumePlan {
    /// A plan when the log is a UTF-8 file large enough to be split between
    /// threads and the volume file is a file with a `date` column.
    fn new(incidents: &Source, volume: &Source, by: &[String], opts: &ReadOptions) -> Option<Self> {
        use super::engine::lines::split_points;
        // both regular files: a pipe or FIFO cannot be read twice
        let (Some(log), Some(vpath)) = (incidents.regular_file(), volume.regular_file()) else {
            return None;
        };
        if !matches!(opts.encoding, super::EncodingChoice::Auto) {
            return None;
        }
        let (fields, start) = plain_header(log)?;
        let date = Header::new(fields).find("date")?;
        let len = std::fs::metadata(log).ok()?.len();
        let splits = split_points(log, start, len, opts.threads()).ok()?;
        if splits.len() < 3 {
            return None; // read on one thread
        }
        let vname = volume.name();
        let (fields, vstart) = plain_header(vpath)?;
        let header = Header::new(fields);
        volume_layout(&vname, &header, by).ok()?;
        let vdate = header.find("date")?;
        let vlen = std::fs::metadata(vpath).ok()?.len();
        let mut log_file = std::fs::File::open(log).ok()?;
        let mut vfile = std::fs::File::open(vpath).ok()?;
        let mut cuts = vec![vstart];
        for &at in &splits[1..splits.len() - 1] {
            let (_, line, _) = line_from(&mut log_file, at, len)?;
            let first = date_of(&line, date)?;
            let cut = first_line_after(&mut vfile, vstart, vlen, vdate, first)?;
            cuts.push(cut.max(*cuts.last()?));
        }
        cuts.push(vlen);
        Some(VolumePlan {
            path: vpath.to_path_buf(),
            name: vname,
            header,
            data_line: 2,
            len: vlen,
            shares: cuts.windows(2).map(|w| (w[0], w[1])).collect(),
        })
    }

    /// The volume rows read by the shares, once the log's readers are
    /// merged (`table`); `None` when the shares could not be read apart.
    /// The first error in file order is the error.
    fn rows(
        &self,
        mut shares: Vec<VolumeShare>,
        table: &CellTable,
        vs: &Source,
        by: &[String],
        opts: &ReadOptions,
    ) -> Result<Option<(RowCounts, bool)>> {
        shares.sort_by_key(|s| s.index);
        if !shares.iter().map(|s| s.index).eq(0..self.shares.len()) {
            return Ok(None); // a range's cells were not merged (it overran)
        }
        let (mut read, mut used) = (0, 0);
        let mut tally = RejectTally::default();
        let mut line_offset = self.data_line - 1;
        let last = shares.len() - 1;
        for (i, share) in shares.into_iter().enumerate() {
            // share 0 numbers its lines from the header; the others from 1
            let shift = if i == 0 { 0 } else { line_offset };
            match share.end {
                Err(ParseStop::NotUtf8) => return Ok(None),
                Err(ParseStop::Error(e)) => {
                    let vopts = ReadOptions {
                        threads: 1,
                        ..opts.clone()
                    };
                    let e = if i == 0 { e } else { e.shift_lines(shift) };
                    return Err(first_volume_line(e, vs, by, &vopts));
                }
                Ok(end) => {
                    if end.overran && i < last {
                        return Ok(None);
                    }
                    read += share.rows_read;
                    used += share.rows_used;
                    tally.merge(share.tally, shift);
                    line_offset += end.newlines;
                }
            }
        }
        let summed = rows_summed(&self.header, by.len());
        if table.volume_overlap && !summed {
            return Ok(None); // a duplicate day, for the whole read to report
        }
        Ok(Some((counts(read, used, tally), summed)))
    }
}

impl IncidentRule {
    /// Reads share `i` of the volume file into this reader's cells (see
    /// [`VolumePlan`]).
    fn read_volume_share(
        &mut self,
        i: usize,
        plan: &VolumePlan,
        by: &[String],
        on_invalid: OnInvalid,
    ) {
        let Some(&(from, to)) = plan.shares.get(i) else {
            return; // not a share: the plan is dropped
        };
        let mut share = VolumeShare {
            index: i,
            end: Ok(RangeEnd {
                consumed: 0,
                newlines: 0,
                records: 0,
                overran: false,
            }),
            rows_read: 0,
            rows_used: 0,
            tally: RejectTally::default(),
        };
        let layout = match volume_layout(&plan.name, &plan.header, by) {
            Ok(l) => l,
            Err(e) => {
                share.end = Err(e.into());
                self.volume.push(share);
                return;
            }
        };
        if from < to {
            let empty = self.w.table.empty_like();
            let table = std::mem::replace(&mut self.w.table, empty);
            let header = plan.header.clone();
            let mut sink = VolumeRule::sink(plan.name.clone(), header, layout, on_invalid, table);
            let cfg = super::engine::lines::ParseConfig {
                file_offset: from,
                soft_limit: (to < plan.len).then_some(to - from),
                max_records: None,
                first_line: if i == 0 { plan.data_line } else { 1 },
                validate_utf8: true,
                progress: None,
                path: &plan.name,
            };
            share.end = std::fs::File::open(&plan.path)
                .and_then(|mut f| f.seek(SeekFrom::Start(from)).map(|_| f))
                .map_err(|e| ParseStop::from(Error::io(&plan.path, e)))
                .and_then(|f| super::engine::lines::parse_stream(f, &cfg, &mut sink));
            let w = sink.rule.w;
            share.rows_read = w.ledger.read;
            share.rows_used = w.ledger.used;
            share.tally = w.ledger.tally;
            self.w.table = w.table;
        }
        self.volume.push(share);
    }
}

/// A header of plain fields (no quotes, no byte-order mark) and where the
/// data starts; `None` for any other, or when the first 4 KB are not UTF-8
/// (a GB18030 file is read whole after the log, not twice).
fn plain_header(path: &std::path::Path) -> Option<(Vec<String>, u64)> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut win = vec![0u8; 1 << 12];
    let n = f.read(&mut win).ok()?;
    match std::str::from_utf8(&win[..n]) {
        // (a character cut at the window's end is fine)
        Err(e) if e.error_len().is_some() => return None,
        _ => {}
    }
    let end = memchr::memchr(b'\n', &win[..n])?;
    let line = win[..end].strip_suffix(b"\r").unwrap_or(&win[..end]);
    if line.starts_with(b"\xEF\xBB\xBF") || line.contains(&b'"') {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    Some((
        text.split(',').map(str::to_string).collect(),
        end as u64 + 1,
    ))
}

/// The first line that starts at or after `at` (at least 1) in a file of
/// `len` bytes: its start, its bytes without the line end, and where the
/// next line starts; `None` when there is none within 4 KB, or it is
/// longer.
fn line_from(f: &mut std::fs::File, at: u64, len: u64) -> Option<(u64, Vec<u8>, u64)> {
    let from = at.checked_sub(1)?;
    let mut win = vec![0u8; (1 << 12).min(len.checked_sub(from)? as usize)];
    f.seek(SeekFrom::Start(from)).ok()?;
    f.read_exact(&mut win).ok()?;
    let start = memchr::memchr(b'\n', &win)? + 1;
    let rest = &win[start..];
    let end = match memchr::memchr(b'\n', rest) {
        Some(e) => e,
        None if from + win.len() as u64 == len => rest.len(),
        None => return None,
    };
    let line = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
    let at = from + start as u64;
    Some((at, line.to_vec(), (at + end as u64 + 1).min(len)))
}

/// The date in column `col` of a line (as the line reader reads one:
/// unquoted, trimmed).
fn date_of(line: &[u8], col: usize) -> Option<NaiveDate> {
    parse_date(line.split(|&b| b == b',').nth(col)?.trim_ascii())
}

/// Where the first line dated after `day` starts, between the data's
/// `start` and `len`, by bisection (exact for a file sorted by date);
/// `None` when a probe finds no line.
fn first_line_after(
    f: &mut std::fs::File,
    start: u64,
    len: u64,
    col: usize,
    day: NaiveDate,
) -> Option<u64> {
    let after = |line: &[u8]| date_of(line, col).is_some_and(|d| d > day);
    // The answer is a line start in lo..=hi; lo is a line start.
    let (mut lo, mut hi) = (start, len);
    while hi - lo > 1 << 12 {
        let mid = lo + (hi - lo) / 2;
        let (at, line, next) = line_from(f, mid, len)?;
        if at >= hi {
            return None;
        }
        if after(&line) {
            hi = at;
        } else {
            lo = next;
        }
    }
    // the lines of lo..hi (4 KB at most), and the one that ends past hi
    let mut win = vec![0u8; (hi - lo + (1 << 12)).min(len - lo) as usize];
    f.seek(SeekFrom::Start(lo)).ok()?;
    f.read_exact(&mut win).ok()?;
    let mut at = 0;
    while lo + (at as u64) < hi {
        let end = memchr::memchr(b'\n', &win[at..]).map_or(win.len(), |e| at + e);
        let line = &win[at..end];
        if after(line.strip_suffix(b"\r").unwrap_or(line)) {
            return Some(lo + at as u64);
        }
        at = end + 1;
    }
    Some(hi)
}

/// Completes a duplicate-volume error with the line of the first row for
/// the same day and group, found by reading the (small) volume file again
/// (not a stream, which cannot be read twice).
fn first_volume_line(e: Error, source: &Source, by: &[String], opts: &ReadOptions) -> Error {
    let ErrorKind::Duplicate {
        file,
        line,
        first_line: None,
        what,
        key,
    } = e.kind()
    else {
        return e;
    };
    let Some(day) = key.first().and_then(|d| parse_date(d.as_bytes())) else {
        return e;
    };
    let groups = &key[1..];
    let found = first_two_lines(source, opts, |h, rec| {
        let (Some(dc), Some(bcs)) = (
            h.find("date"),
            by.iter().map(|b| h.find(b)).collect::<Option<Vec<_>>>(),
        ) else {
            return false;
        };
        parse_date(rec.get(dc).trim_ascii()) == Some(day)
            && bcs.iter().zip(groups).all(|(&c, g)| rec.text(c) == *g)
    });
    match found {
        Some((first, _)) if first < *line => ErrorKind::Duplicate {
            file: file.clone(),
            line: *line,
            first_line: Some(first),
            what: what.clone(),
            key: key.clone(),
        }
        .into(),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the first line dated after `day` starts, line by line.
    fn by_hand(text: &[u8], start: usize, day: NaiveDate) -> u64 {
        let mut at = start;
        for line in text[start..].split_inclusive(|&b| b == b'\n') {
            let bare = line.strip_suffix(b"\n").unwrap_or(line);
            let bare = bare.strip_suffix(b"\r").unwrap_or(bare);
            if date_of(bare, 0).is_some_and(|d| d > day) {
                return at as u64;
            }
            at += line.len();
        }
        text.len() as u64
    }

    #[test]
    fn the_volume_cut_is_the_first_line_after_the_day_however_lines_end() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
        // 40 days × 30 sites (over 4 KB, so that bisection runs), with \n
        // or \r\n, with and without a newline after the last line
        for (end, last) in [("\n", true), ("\r\n", true), ("\n", false), ("\r\n", false)] {
            let mut text = format!("date,site,volume{end}");
            let start = text.len();
            for d in 0..40 {
                let day = first + chrono::Days::new(d);
                for s in 0..30 {
                    text.push_str(&format!("{day},S{s:02},{}{end}", 100 + s));
                }
            }
            if !last {
                text.truncate(text.len() - end.len());
            }
            let path = dir.path().join("volume.csv");
            std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
            let mut f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{e}"));
            let len = text.len() as u64;
            let days = [0, 1, 17, 38, 39].map(|d| first + chrono::Days::new(d));
            for day in std::iter::once(first - chrono::Days::new(1)).chain(days) {
                let got = first_line_after(&mut f, start as u64, len, 0, day);
                assert_eq!(
                    got,
                    Some(by_hand(text.as_bytes(), start, day)),
                    "{end:?} {last} {day}"
                );
            }
            // after the last day: the end of the file
            let past = first + chrono::Days::new(39);
            assert_eq!(
                first_line_after(&mut f, start as u64, len, 0, past),
                Some(len)
            );
            // the last line: the next starts at the end, newline or not
            let at = text.trim_end().rfind('\n').map_or(0, |p| p + 1) as u64;
            let line = line_from(&mut f, at, len).map(|(a, l, next)| (a, l.len(), next));
            assert_eq!(
                line,
                Some((at, "2025-02-09,S29,129".len(), len)),
                "{end:?} {last}"
            );
        }
    }

    /// Which strategy reads each line of a log, worked out by hand from
    /// the engine's rules (see `input::engine::rows`): a new site goes to
    /// the tokenizer (record), the line after a record is split, a line
    /// repeating the previous line's date and site with the next category
    /// of the weight table is read in a run (lead); a quote anywhere in a
    /// block of the file sends the whole block to the tokenizer.
    #[test]
    fn each_log_line_takes_the_strategy_the_rules_give_it() {
        let text = "date,site,category,count\n\
            2025-01-01,S1,right_day_late,1\n\
            2025-01-01,S1,wrong_day_late,2\n\
            2025-01-01,S1,trace_not_answered,0\n\
            2025-01-01,S1,complaint_reopened,4\n\
            2025-01-01,S2,right_day_late,1\n\
            2025-01-02,S1,right_day_late,1\n\
            2025-01-02,S1,wrong_day_late,3\n";
        // line 2: new site S1                              record
        // line 3: after a record                           split
        // line 4: lead 2025-01-01,S1, holds, next category  lead
        // line 5: next category again                      lead
        // line 6: new site S2                              record
        // line 7: after a record                           split
        // line 8: lead 2025-01-02,S1, holds, next category  lead
        let read = |text: &str| {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let path = dir.path().join("log.csv");
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
            let read = ReadOptions {
                threads: 1,
                ..ReadOptions::default()
            };
            read_incidents(
                &Source::from_arg(&path.to_string_lossy()),
                None,
                Arc::new(WeightTable::fedex12()),
                PeriodKind::Day,
                &["site".to_string()],
                &read,
            )
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let data = read(text);
        assert_eq!(
            data.paths,
            Paths {
                lead: 3,
                split: 2,
                record: 2
            }
        );
        assert_eq!(data.incident_rows.rows_used, 7);
        let quoted = read(&text.replace("S2,right_day_late", "S2,\"right_day_late\""));
        assert_eq!(
            quoted.paths,
            Paths {
                lead: 0,
                split: 0,
                record: 7
            }
        );
        // the counts, whichever way each line came: S1 1+2+0+4 and S2 1 on
        // day one, S1 1+3 on day two
        let k = data.table.k;
        let mut cells = Vec::new();
        for (_, heads, counts) in data.table.parts() {
            for (i, h) in heads.iter().enumerate() {
                cells.push((h.group, counts.cell(i, k).iter().sum::<u32>()));
            }
        }
        assert_eq!(cells, [(0, 7), (1, 1), (0, 4)]);
    }
}
