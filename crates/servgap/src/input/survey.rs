//! The customer survey reader (SPEC §3.1): detects the long, wide, mapped
//! (`--columns`) or summary form from the header and states, once, what a
//! valid row of it is.
//!
//! - Its cells (`SurveyCells`): an item is one of the instrument's; a
//!   score is a number on the scale, or missing (empty, `NA`, `N/A`).
//! - Its rows (`SurveyRule::accept`): a respondent id that is not empty
//!   (long form), a known item, valid scores; then the store's half
//!   (`ResponseStore::add_answer`): an item not given twice by a
//!   respondent, a respondent in one group.
//!
//! The record engine (`input::engine::rows`) decides how each line is
//! read. The rows go into [`ResponseStore`]s (one per range of the file
//! read on its own core, merged at the end), or, for a long-form export
//! whose rows of one respondent are scattered, into partition files first
//! (`input::engine::spill`) and into one store per partition in a second
//! pass, through the same rule.

use std::collections::HashMap;
use std::sync::Arc;

use super::columns::ColumnMap;
use super::engine::ledger::RowLedger;
use super::engine::lines::{RecordSink, RecordView};
use super::engine::rows::{Bad, Cell, CellRules, Paths, Row, RowRule, Run, Shape, TypedSink};
use super::engine::spill::{
    PartitionRecords, SpillFile, SpillRecord, SpillSet, SpillWriter, PARTS,
};
use super::engine::{invalid, is_missing, parse_number, read_csv, Header, ReadInfo};
use super::instrument::Instrument;
use super::{reject_row, OnInvalid, ReadOptions, RejectTally, Source};
use crate::error::{quoted, Error, ErrorKind, Result};
use crate::model::dictionary::{GroupDict, ValueDict};
use crate::model::responses::{
    reconcile, Conflict, MergeConflict, ResponseStore, SummaryRow, SurveyBody,
};
pub use crate::model::responses::{SurveyData, SurveyForm};
pub use crate::model::scale::Scale;

/// Options of the survey reader.
#[derive(Debug, Clone, Default)]
pub struct SurveyReadOptions {
    /// Scale scores must lie on.
    pub scale: Scale,
    /// `--by` columns.
    pub by: Vec<String>,
    /// `--columns` map.
    pub columns: Option<ColumnMap>,
}

const LONG_MEASURES: [&[&str]; 4] = [
    &["expectation", "expected", "e"],
    &["perception", "perceived", "p"],
    &["adequate", "minimum"],
    &["desired"],
];

const SUMMARY_MEASURES: [&[&str]; 4] = [
    &["mean_e", "mean_expectation"],
    &["mean_p", "mean_perception"],
    &["mean_adequate", "mean_a", "mean_minimum"],
    &["mean_desired", "mean_d"],
];

/// Store slots of the measures present, in measure order.
fn slots_for(present: [bool; 4]) -> [Option<usize>; 4] {
    let mut slot = [None; 4];
    let mut n = 0;
    for (i, p) in present.iter().enumerate() {
        if *p {
            slot[i] = Some(n);
            n += 1;
        }
    }
    slot
}

/// What an item's scores lack, when it has some: a perception needs an
/// expectation (or desired level) beside it, and the reverse, or the item
/// would silently have no pairs (n = 0).
fn unpaired(item: &str, has: [bool; 4]) -> Option<String> {
    let (e, p, _, d) = (has[0], has[1], has[2], has[3]);
    let item = quoted(item);
    match (e || d, p) {
        (true, false) => Some(format!(
            "item {item} has expectation scores but no perception scores (p_ column or mapped perception)"
        )),
        (false, true) => Some(format!(
            "item {item} has perception scores but no expectation scores (e_ or d_ column, or mapped expectation)"
        )),
        _ => None,
    }
}

fn check_measures(file: &str, present: [bool; 4]) -> Result<()> {
    if !present[1] {
        return Err(Error::file(file, Some(1), "the survey has no perception scores (a 'perception' column, p_<item> columns, or a mapped perception)"));
    }
    if !present[0] && !present[3] {
        return Err(Error::file(file, Some(1), "the survey has no expectation scores (an 'expectation' or 'desired' column, e_<item> / d_<item> columns, or a mapped expectation)"));
    }
    Ok(())
}

/// Where a respondent-level survey's cells are.
#[derive(Debug, Clone)]
struct Layout {
    form: SurveyForm,
    id_col: Option<usize>,
    /// Long form: the item column, and the score column of each measure.
    item_col: Option<usize>,
    measure_cols: [Option<usize>; 4],
    /// Wide and mapped forms: (column, item, slot) of each score cell.
    cells: Vec<(usize, usize, usize)>,
    by_cols: Vec<usize>,
    /// Measure → store slot.
    slot: [Option<usize>; 4],
    /// The last column the lead of a row must hold for the row to be known
    /// to be the previous row's respondent in the previous row's groups.
    lead_last: usize,
}

impl Layout {
    /// The row shape the engine reads.
    fn shape(&self, header: &Header, ins: &Instrument) -> Shape {
        let mut roles = Vec::new();
        if let Some(c) = self.id_col {
            roles.push((c, Cell::Key));
        }
        if let Some(c) = self.item_col {
            roles.push((c, Cell::Term));
            for (mi, col) in self.measure_cols.iter().enumerate() {
                if let (Some(c), Some(s)) = (col, self.slot[mi]) {
                    roles.push((*c, Cell::Score(s)));
                }
            }
        } else {
            for (j, &(c, _, _)) in self.cells.iter().enumerate() {
                roles.push((c, Cell::Score(j)));
            }
        }
        let terms = ins.items.iter().map(|d| d.id.as_bytes().into()).collect();
        Shape::new(header.len(), &roles, &self.by_cols, terms)
    }
}

/// A survey's cell rules: an item is one of the instrument's (given
/// exactly, else trimmed and in any case); a score is a number on the scale
/// or missing.
pub(crate) struct SurveyCells {
    scale: Scale,
    instrument: Arc<Instrument>,
}

impl CellRules for SurveyCells {
    fn term(&self, raw: &[u8]) -> Option<usize> {
        self.instrument.lookup(raw)
    }

    fn score(&self, raw: &[u8]) -> std::result::Result<Option<f64>, Bad> {
        let t = raw.trim_ascii();
        if is_missing(t) {
            return Ok(None);
        }
        let Some(v) = parse_number(t) else {
            return Err(Bad {
                reason: "not a number",
                problem: "not a number (empty, NA or N/A mean missing)".into(),
            });
        };
        if !self.scale.contains(v) {
            return Err(Bad {
                reason: "score outside the scale",
                problem: format!("score outside the scale {}", self.scale),
            });
        }
        Ok(Some(v))
    }
}

/// The row rule of a respondent-level survey (long, wide or mapped form)
/// and the stores its rows go into.
pub(crate) struct SurveyRule {
    /// File, header, policy and the rows read, used and rejected.
    ledger: RowLedger,
    layout: Arc<Layout>,
    instrument: Arc<Instrument>,
    /// This range's store, and those of later ranges merged in.
    store: ResponseStore,
    merged: Vec<ResponseStore>,
    /// The respondent of the previous row (long form), while it is known.
    last: Option<u32>,
    /// The long form (one row per respondent × item), and the last column
    /// a row's lead must hold to be the previous row's respondent
    /// ([`Layout::lead_last`]).
    long: bool,
    lead_last: usize,
    /// (item, slot) of each score cell (wide and mapped forms).
    cells: Arc<[(usize, usize)]>,
    /// Scattered long-form rows go to partition files (see the module docs).
    spill: Option<SpillWriter>,
    /// Each range's spill tag and the lines before it (spill mode: the
    /// stores then hold only each range's dictionaries until `finish`).
    spill_tags: Vec<(usize, u64)>,
    /// Respondent × item duplicates met while merging ranges, counted
    /// without their lines (see [`SurveyData::unplaced`]).
    unplaced: Vec<(String, String, u64)>,
}

impl SurveyRule {
    /// The long form's row: respondent × item.
    #[inline(always)]
    fn accept_answer(&mut self, row: &Row<'_>) -> Result<()> {
        let id = row.key();
        if id.is_empty() {
            let c = self.layout.id_col.unwrap_or(0);
            return self.ledger.reject(
                row.line,
                c,
                b"",
                "empty respondent id",
                "the respondent id is empty".into(),
            );
        }
        let Some(item) = row.term() else {
            return self.unknown_item(row);
        };
        if let Some((col, bad)) = row.bad_score() {
            return self.ledger.reject_cell(row, col, bad);
        }
        let (codes, groups) = (row.scores(), row.groups());
        if let Some(spill) = &mut self.spill {
            match row.key_place() {
                Some((bytes, at, len)) => {
                    spill.write_in(row.line, bytes, at, len, item, codes, groups)?
                }
                None => spill.write(row.line, id, item, codes, groups)?,
            }
            self.ledger.used += 1;
            return Ok(());
        }
        let same = match self.last {
            Some(r) if row.lead_holds(self.lead_last) => Some(r),
            _ => None,
        };
        let store = &mut self.store;
        let added = match same {
            Some(r) => store.add_answer_of(r, item, codes).map(|_| r),
            None => store.add_answer(id, row.line, groups, item, codes),
        };
        match added {
            Ok(r) => {
                self.last = Some(r);
                self.ledger.used += 1;
                Ok(())
            }
            Err(conflict) => {
                self.last = None;
                self.conflicting(row, id, item, conflict)
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn unknown_item(&mut self, row: &Row<'_>) -> Result<()> {
        let item_col = self.layout.item_col.unwrap_or(0);
        let name = self.instrument.name.clone();
        let problem = format!("item not in the instrument '{name}'");
        self.ledger.reject(
            row.line,
            item_col,
            row.raw(item_col),
            "unknown item",
            problem,
        )
    }

    /// A row that conflicts with an earlier one ([`SurveyRule::clash`]).
    #[cold]
    #[inline(never)]
    fn conflicting(
        &mut self,
        row: &Row<'_>,
        id: &[u8],
        item: usize,
        conflict: Conflict,
    ) -> Result<()> {
        self.conflict_at(row.line, id, item, conflict, &|c| row.raw(c).to_vec())
    }

    /// Rejects the row on `line` (respondent `id`, `item`) for `conflict`;
    /// `value` gives its cells as written.
    #[cold]
    #[inline(never)]
    fn conflict_at(
        &mut self,
        line: u64,
        id: &[u8],
        item: usize,
        conflict: Conflict,
        value: &dyn Fn(usize) -> Vec<u8>,
    ) -> Result<()> {
        let clash = Clash {
            line,
            id,
            item,
            conflict,
            value,
        };
        let (reason, err) = self.clash(&self.store, &clash);
        self.ledger.reject_with(line, reason, err)
    }

    /// A wide or mapped row: one respondent.
    fn accept_respondent(&mut self, row: &Row<'_>) -> Result<()> {
        if let Some((col, bad)) = row.bad_score() {
            return self.ledger.reject_cell(row, col, bad);
        }
        let id = match self.layout.id_col {
            Some(c) => {
                let id = row.key();
                if id.is_empty() {
                    return self.ledger.reject(
                        row.line,
                        c,
                        b"",
                        "empty respondent id",
                        "the respondent id is empty".into(),
                    );
                }
                Some(id)
            }
            None => None,
        };
        let added = self.store.add_respondent(
            id,
            self.ledger.read,
            row.line,
            row.groups(),
            &self.cells,
            row.scores(),
        );
        match added {
            Ok(_) => {
                self.ledger.used += 1;
                Ok(())
            }
            Err(conflict) => self.conflicting(row, id.unwrap_or_default(), 0, conflict),
        }
    }

    /// The reason and error of a conflict with an earlier row of store `a`
    /// (which knows the group values).
    #[cold]
    fn clash(&self, a: &ResponseStore, c: &Clash<'_>) -> (&'static str, Error) {
        let id = quoted(&String::from_utf8_lossy(c.id));
        match c.conflict {
            Conflict::Repeated => {
                let item = self
                    .instrument
                    .items
                    .get(c.item)
                    .map_or("", |d| d.id.as_str());
                let err = ErrorKind::Duplicate {
                    file: self.ledger.file.to_string(),
                    line: c.line,
                    first_line: None,
                    what: format!("respondent {id} item {}", quoted(item)),
                    key: vec![String::from_utf8_lossy(c.id).into_owned(), item.to_string()],
                };
                ("duplicate respondent × item", err.into())
            }
            Conflict::Respondent { first_line } => {
                let err = ErrorKind::Duplicate {
                    file: self.ledger.file.to_string(),
                    line: c.line,
                    first_line: Some(first_line),
                    what: format!("respondent {id}"),
                    key: vec![],
                };
                ("duplicate respondent", err.into())
            }
            Conflict::Regrouped {
                column,
                was,
                first_line,
            } => {
                let was = a
                    .group_dicts
                    .get(column)
                    .and_then(|d| d.values.get(was as usize))
                    .map_or_else(String::new, |v| quoted(v));
                let col = self.layout.by_cols.get(column).copied().unwrap_or(0);
                let problem =
                    format!("respondent {id} was {was} on an earlier row (line {first_line})");
                let err = invalid(
                    &self.ledger.file,
                    c.line,
                    &self.ledger.header,
                    col,
                    &(c.value)(col),
                    problem,
                );
                ("group differs within a respondent", err)
            }
        }
    }
}

/// A conflict with an earlier row, for [`SurveyRule::clash`].
struct Clash<'a> {
    line: u64,
    id: &'a [u8],
    item: usize,
    conflict: Conflict,
    /// A cell of the conflicting row, as written.
    value: &'a dyn Fn(usize) -> Vec<u8>,
}

impl RowRule for SurveyRule {
    type Cells = SurveyCells;

    #[inline(always)]
    fn dictionaries(&mut self) -> (&mut ValueDict, &mut [GroupDict]) {
        (&mut self.store.values, &mut self.store.group_dicts)
    }

    #[inline(always)]
    fn accept(&mut self, row: &Row<'_>) -> Result<()> {
        self.ledger.read += 1;
        if self.long {
            self.accept_answer(row)
        } else {
            self.accept_respondent(row)
        }
    }

    fn run_ready(&self, lead_cols: usize) -> bool {
        self.long && self.last.is_some() && self.spill.is_none() && self.lead_last < lead_cols
    }

    /// The rows of a run are the last row's respondent's, in its groups,
    /// with known items and valid scores: of the rule, only an item given
    /// twice remains to check.
    fn accept_run(&mut self, run: &Run<'_>) -> Result<()> {
        let Some(r) = self.last else {
            return Err(Error::internal("a run without its respondent"));
        };
        self.ledger.read += run.rows.len() as u64;
        let mut answers = self.store.answers_of(r);
        let mut repeated = None;
        for (i, rep) in run.rows.iter().enumerate() {
            if answers.add(rep.term as usize, &rep.scores).is_err() {
                repeated = Some(i);
                break;
            }
        }
        let Some(i) = repeated else {
            self.ledger.used += run.rows.len() as u64;
            return Ok(());
        };
        // an item given twice: rejected (or the error), the rest go on
        self.ledger.used += i as u64;
        let line = run.first_line + i as u64;
        let item = run.rows[i].term as usize;
        self.conflict_at(line, run.key, item, Conflict::Repeated, &|_| Vec::new())?;
        let rest = Run {
            first_line: line + 1,
            key: run.key,
            rows: &run.rows[i + 1..],
        };
        self.ledger.read -= rest.rows.len() as u64;
        self.accept_run(&rest)
    }

    fn ragged(&mut self, line: u64, fields: usize) -> Result<()> {
        self.ledger.ragged(line, fields)
    }

    fn fork(&self) -> Self {
        SurveyRule {
            ledger: self.ledger.fork(),
            layout: self.layout.clone(),
            instrument: self.instrument.clone(),
            store: self.store.empty_like(),
            merged: Vec::new(),
            last: None,
            cells: self.cells.clone(),
            spill: self.spill.as_ref().map(SpillWriter::sibling),
            spill_tags: vec![],
            unplaced: vec![],
            long: self.long,
            lead_last: self.lead_last,
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        let rows_before = self.ledger.read;
        self.ledger.merge(later.ledger, off);
        self.unplaced.extend(later.unplaced);
        if self.spill.is_some() {
            // Spill mode: the later range's rows are in its own file; keep
            // its dictionaries, in range order, for the second pass.
            let mut later_spill = later.spill;
            if let Some(w) = &mut later_spill {
                w.finish()?;
                self.spill_tags.push((w.tag, off));
            }
            self.merged.push(later.store);
            self.merged.extend(later.merged);
            return Ok(());
        }
        let one_row_each = self.layout.form != SurveyForm::Long;
        let mut stores = vec![std::mem::replace(
            &mut self.store,
            ResponseStore::new(0, [None; 4], 0, false),
        )];
        stores.append(&mut self.merged);
        // (reason, line, the duplicated respondent × item when the line is
        // the respondent's first in the later range, not the row's)
        type Met = (&'static str, u64, Option<(String, String)>);
        let mut clashes: Vec<Met> = Vec::new();
        let mut later_stores = vec![later.store];
        later_stores.extend(later.merged);
        for mut b in later_stores {
            let mut report = |a: &ResponseStore, mc: &MergeConflict| -> Result<()> {
                let value = |col: usize| -> Vec<u8> {
                    let g = self.layout.by_cols.iter().position(|&c| c == col);
                    g.and_then(|g| a.group_dicts[g].values.get(mc.groups[g] as usize))
                        .map_or_else(Vec::new, |v| v.as_bytes().to_vec())
                };
                let clash = Clash {
                    line: mc.line,
                    id: &mc.id,
                    item: mc.item,
                    conflict: mc.conflict,
                    value: &value,
                };
                let (reason, err) = self.clash(a, &clash);
                if self.ledger.on_invalid == OnInvalid::Error {
                    return Err(err);
                }
                let unplaced = match (&mc.conflict, err.kind()) {
                    (Conflict::Repeated, ErrorKind::Duplicate { key, .. }) => match &key[..] {
                        [id, item] => Some((id.clone(), item.clone())),
                        _ => None,
                    },
                    _ => None,
                };
                clashes.push((reason, mc.line, unplaced));
                Ok(())
            };
            reconcile(
                &mut stores,
                &mut b,
                off,
                rows_before,
                one_row_each,
                &mut report,
            )?;
            stores.push(b);
        }
        let mut stores = stores.into_iter();
        if let Some(first) = stores.next() {
            self.store = first;
        }
        self.merged = stores.collect();
        self.last = None;
        for (reason, line, unplaced) in clashes {
            match unplaced {
                Some((id, item)) => {
                    // the line is found once the whole file is read
                    self.ledger.unuse(reason, u64::MAX);
                    self.unplaced.push((id, item, line));
                }
                None => self.ledger.unuse(reason, line),
            }
        }
        Ok(())
    }

    fn partition_writer(&mut self) -> Option<&mut SpillWriter> {
        self.spill.as_mut()
    }

    fn partitioned(&mut self, n: u64) {
        self.ledger.read += n;
        self.ledger.used += n;
    }

    fn partition_key(&self) -> Option<usize> {
        match self.layout.form {
            SurveyForm::Long => self.layout.id_col,
            _ => None,
        }
    }

    fn enable_spill(&mut self) -> Result<bool> {
        if self.partition_key().is_none() {
            return Ok(false);
        }
        self.spill = Some(SpillWriter::new(SpillSet::new()));
        self.spill_tags = vec![(0, 0)];
        Ok(true)
    }

    fn expect_bytes(&mut self, bytes: u64, line_len: usize) {
        self.size_store(bytes, line_len);
    }
}

impl SurveyRule {
    /// Reserves the store for the respondents `total` bytes of lines of
    /// about `line_len` bytes hold (one per line in the wide form, one per
    /// `k` lines in the long form). Reserving does not touch memory, so an
    /// overestimate costs nothing; an underestimate grows as before.
    fn size_store(&mut self, total: u64, line_len: usize) {
        if self.spill.is_some() {
            return;
        }
        let long = self.layout.form == SurveyForm::Long;
        let store = &mut self.store;
        let lines = total / line_len.max(1) as u64;
        let per = if long { store.k.max(1) as u64 } else { 1 };
        store.reserve((lines / per + lines / per / 8 + 16).min(1 << 26) as usize);
    }
}

/// Summary form: one row per item with means (small files, read as
/// records).
pub(crate) struct SummaryRule {
    /// File, header, policy and the rows read, used and rejected.
    ledger: RowLedger,
    /// The instrument given, if any (else the file's `dimension` column or
    /// `servqual22`, once the file is read).
    instrument: Option<Arc<Instrument>>,
    scale: Scale,
    item_col: usize,
    dim_col: Option<usize>,
    mean_cols: [Option<usize>; 4],
    n_col: Option<usize>,
    by_cols: Vec<usize>,
    rows: Vec<SummaryRow>,
}

impl SummaryRule {
    fn duplicate(&mut self, r: &SummaryRow) -> Option<(&'static str, Error)> {
        let prev = self
            .rows
            .iter()
            .find(|p| p.groups == r.groups && p.item.eq_ignore_ascii_case(&r.item))?;
        let err = ErrorKind::Duplicate {
            file: self.ledger.file.to_string(),
            line: r.line,
            first_line: Some(prev.line),
            what: format!(
                "item {}{}",
                quoted(&r.item),
                if r.groups.is_empty() {
                    String::new()
                } else {
                    format!(" in group {}", r.groups.join("/"))
                }
            ),
            key: vec![],
        };
        Some(("duplicate item", err.into()))
    }
}

impl RecordSink for SummaryRule {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        if rec.len() != self.ledger.header.len() {
            return self.ledger.ragged(line, rec.len());
        }
        self.ledger.read += 1;
        let item = rec.text(self.item_col);
        if item.is_empty() {
            return self.ledger.reject(
                line,
                self.item_col,
                b"",
                "empty item",
                "the item is empty".into(),
            );
        }
        let mut means = [None; 4];
        for (mi, col) in self.mean_cols.iter().enumerate() {
            let Some(c) = *col else { continue };
            let raw = rec.get(c);
            if is_missing(raw) {
                continue;
            }
            match parse_number(raw) {
                Some(v) if self.scale.contains(v) => means[mi] = Some(v),
                Some(_) => {
                    let p = format!("mean outside the scale {}", self.scale);
                    return self
                        .ledger
                        .reject(line, c, raw, "score outside the scale", p);
                }
                None => {
                    return self
                        .ledger
                        .reject(line, c, raw, "not a number", "not a number".into())
                }
            }
        }
        let n = match self.n_col {
            Some(c) if !is_missing(rec.get(c)) => match parse_number(rec.get(c)) {
                // a count of respondents: whole, at least 1, exact in f64
                Some(v) if v >= 1.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 => Some(v),
                _ => {
                    let raw = rec.get(c);
                    let p = "n is the number of respondents: a whole number of at least 1".into();
                    return self.ledger.reject(line, c, raw, "bad n", p);
                }
            },
            _ => None,
        };
        let row = SummaryRow {
            line,
            item,
            dimension: self.dim_col.map(|c| rec.text(c)).filter(|d| !d.is_empty()),
            groups: self.by_cols.iter().map(|&c| rec.text(c)).collect(),
            means,
            n,
        };
        if let Some((reason, err)) = self.duplicate(&row) {
            return self.ledger.reject_with(line, reason, err);
        }
        self.rows.push(row);
        self.ledger.used += 1;
        Ok(())
    }

    fn fork(&self) -> Self {
        SummaryRule {
            ledger: self.ledger.fork(),
            instrument: self.instrument.clone(),
            by_cols: self.by_cols.clone(),
            rows: Vec::new(),
            ..*self
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        self.ledger.merge(later.ledger, off);
        for mut r in later.rows {
            r.line += off;
            if let Some((reason, err)) = self.duplicate(&r) {
                if self.ledger.on_invalid == OnInvalid::Error {
                    return Err(err);
                }
                self.ledger.unuse(reason, r.line);
                continue;
            }
            self.rows.push(r);
        }
        Ok(())
    }
}

/// What reads a survey file: the typed rows of a respondent-level form, or
/// the records of a summary table.
pub(crate) enum SurveySink {
    Respondents(Box<TypedSink<SurveyRule>>),
    Summary(Box<SummaryRule>),
}

impl RecordSink for SurveySink {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        match self {
            SurveySink::Respondents(s) => s.record(line, rec),
            SurveySink::Summary(s) => s.record(line, rec),
        }
    }

    #[inline]
    fn quote_free_line(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        match self {
            SurveySink::Respondents(s) => s.quote_free_line(line, bytes, ends),
            SurveySink::Summary(s) => s.quote_free_line(line, bytes, ends),
        }
    }

    fn takes_lines(&self) -> bool {
        matches!(self, SurveySink::Respondents(s) if s.takes_lines())
    }

    fn quote_free_lines(
        &mut self,
        line: u64,
        region: &[u8],
        max_start: usize,
    ) -> Result<(usize, u64)> {
        match self {
            SurveySink::Respondents(s) => s.quote_free_lines(line, region, max_start),
            SurveySink::Summary(_) => Ok((0, 0)),
        }
    }

    fn partition_key(&self) -> Option<usize> {
        match self {
            SurveySink::Respondents(s) => s.partition_key(),
            SurveySink::Summary(_) => None,
        }
    }

    fn enable_spill(&mut self) -> Result<bool> {
        match self {
            SurveySink::Respondents(s) => s.enable_spill(),
            SurveySink::Summary(_) => Ok(false),
        }
    }

    fn expect_bytes(&mut self, bytes: u64) {
        if let SurveySink::Respondents(s) = self {
            s.expect_bytes(bytes);
        }
    }

    fn fork(&self) -> Self {
        match self {
            SurveySink::Respondents(s) => SurveySink::Respondents(Box::new(s.fork())),
            SurveySink::Summary(s) => SurveySink::Summary(Box::new(s.fork())),
        }
    }

    fn merge(&mut self, later: Self, off: u64) -> Result<()> {
        match (self, later) {
            (SurveySink::Respondents(a), SurveySink::Respondents(b)) => a.merge(*b, off),
            (SurveySink::Summary(a), SurveySink::Summary(b)) => a.merge(*b, off),
            _ => Err(Error::internal("merging different survey forms")),
        }
    }
}

impl SurveySink {
    /// Detects the form from the header and prepares the sink.
    pub(crate) fn new(
        file: String,
        header: Header,
        instrument: Option<Arc<Instrument>>,
        opts: &SurveyReadOptions,
        on_invalid: OnInvalid,
    ) -> Result<Self> {
        let mut by_cols = Vec::new();
        for b in &opts.by {
            let c = header.find(b).ok_or_else(|| {
                Error::file(
                    &file,
                    Some(1),
                    format!(
                        "no column '{b}' to group by (the header has: {})",
                        header.listing()
                    ),
                )
            })?;
            by_cols.push(c);
        }
        let id_col = header.find("respondent_id");
        let item_col = header.find("item");
        let find_any = |names: &[&str]| names.iter().find_map(|n| header.find(n));
        if opts.columns.is_none() {
            if let (Some(ic), true) = (item_col, find_any(SUMMARY_MEASURES[1]).is_some()) {
                let mean_cols = [0, 1, 2, 3].map(|i| find_any(SUMMARY_MEASURES[i]));
                if mean_cols[0].is_none() && mean_cols[3].is_none() {
                    return Err(Error::file(
                        &file,
                        Some(1),
                        "a summary survey needs mean_e (or mean_desired) beside mean_p",
                    ));
                }
                return Ok(SurveySink::Summary(Box::new(SummaryRule {
                    instrument,
                    dim_col: header.find("dimension"),
                    n_col: header.find("n"),
                    ledger: RowLedger::new(file.into(), Arc::new(header), on_invalid),
                    scale: opts.scale,
                    item_col: ic,
                    mean_cols,
                    by_cols,
                    rows: Vec::new(),
                })));
            }
        }
        let ins = instrument.unwrap_or_else(|| Arc::new(Instrument::servqual22()));
        let layout = match (&opts.columns, item_col) {
            (Some(map), _) => mapped_layout(&file, &header, &ins, map, id_col, &by_cols)?,
            (None, Some(ic)) => long_layout(&file, &header, find_any, id_col, ic, &by_cols)?,
            (None, None) => wide_layout(&file, &header, &ins, id_col, &by_cols)?,
        };
        let shape = layout.shape(&header, &ins);
        let store = ResponseStore::new(
            ins.items.len(),
            layout.slot,
            by_cols.len(),
            layout.id_col.is_some(),
        );
        let cells: Arc<[(usize, usize)]> = layout.cells.iter().map(|&(_, i, s)| (i, s)).collect();
        let rule = SurveyRule {
            ledger: RowLedger::new(file.into(), Arc::new(header), on_invalid),
            layout: Arc::new(layout.clone()),
            instrument: ins.clone(),
            store,
            merged: Vec::new(),
            last: None,
            cells,
            spill: None,
            spill_tags: vec![(0, 0)],
            unplaced: Vec::new(),
            long: layout.form == SurveyForm::Long,
            lead_last: layout.lead_last,
        };
        let cells = SurveyCells {
            scale: opts.scale,
            instrument: ins,
        };
        Ok(SurveySink::Respondents(Box::new(TypedSink::new(
            rule, shape, cells,
        ))))
    }

    /// The survey read, and the instrument of a respondent-level form.
    pub(crate) fn finish(self) -> Result<(SurveyData, Option<Arc<Instrument>>, Paths)> {
        match self {
            SurveySink::Summary(s) => {
                let instrument = s.instrument.clone();
                let data = SurveyData {
                    form: SurveyForm::Summary,
                    counts: s.ledger.counts(),
                    by: s
                        .by_cols
                        .iter()
                        .map(|&c| s.ledger.header.names[c].clone())
                        .collect(),
                    item_column: Some(s.ledger.header.column(s.item_col)),
                    file: s.ledger.file.to_string(),
                    body: SurveyBody::Summary(s.rows),
                    unplaced: Vec::new(),
                };
                Ok((data, instrument, Paths::default()))
            }
            SurveySink::Respondents(sink) => {
                let paths = sink.paths();
                let mut rule = sink.rule;
                let by = rule
                    .layout
                    .by_cols
                    .iter()
                    .map(|&c| rule.ledger.header.names[c].clone())
                    .collect();
                let mut stores = vec![std::mem::replace(
                    &mut rule.store,
                    ResponseStore::new(0, [None; 4], 0, false),
                )];
                stores.append(&mut rule.merged);
                let stores = match rule.spill.take() {
                    Some(mut writer) => {
                        writer.finish()?;
                        let pass = SecondPass {
                            rule: &rule,
                            holders: &stores,
                            files: &writer.set().take_files()?,
                        };
                        let (stores, tally, rejected) = pass.run()?;
                        rule.ledger.tally.merge(tally, 0);
                        rule.ledger.used -= rejected;
                        stores
                    }
                    None => stores,
                };
                let data = SurveyData {
                    form: rule.layout.form,
                    counts: rule.ledger.counts(),
                    by,
                    file: rule.ledger.file.to_string(),
                    item_column: None,
                    body: SurveyBody::Respondents(stores),
                    unplaced: std::mem::take(&mut rule.unplaced),
                };
                Ok((data, Some(rule.instrument.clone()), paths))
            }
        }
    }
}

/// The long form: `respondent_id`, `item` and a column per measure.
fn long_layout(
    file: &str,
    header: &Header,
    find_any: impl Fn(&[&str]) -> Option<usize>,
    id_col: Option<usize>,
    item_col: usize,
    by_cols: &[usize],
) -> Result<Layout> {
    let measure_cols = [0, 1, 2, 3].map(|i| find_any(LONG_MEASURES[i]));
    let present = measure_cols.map(|c| c.is_some());
    check_measures(file, present)?;
    let id = id_col.ok_or_else(|| {
        Error::file(
            file,
            Some(1),
            "a long-form survey needs a 'respondent_id' column",
        )
    })?;
    let lead_last = by_cols.iter().copied().chain([id]).max().unwrap_or(id);
    let _ = header;
    Ok(Layout {
        form: SurveyForm::Long,
        id_col: Some(id),
        item_col: Some(item_col),
        measure_cols,
        cells: vec![],
        by_cols: by_cols.to_vec(),
        slot: slots_for(present),
        lead_last,
    })
}

/// The wide form: `e_<item>` / `p_<item>` (and `a_`, `d_`) columns.
fn wide_layout(
    file: &str,
    header: &Header,
    ins: &Instrument,
    id_col: Option<usize>,
    by_cols: &[usize],
) -> Result<Layout> {
    let mut raw = Vec::new();
    let mut present = [false; 4];
    for (c, name) in header.names.iter().enumerate() {
        let mi = match header.lower(c).get(..2) {
            Some("e_") => 0,
            Some("p_") => 1,
            Some("a_") => 2,
            Some("d_") => 3,
            _ => continue,
        };
        if by_cols.contains(&c) {
            continue;
        }
        let item = ins.lookup(&name.as_bytes()[2..]).ok_or_else(|| {
            invalid(
                file,
                1,
                header,
                c,
                name.as_bytes(),
                format!(
                    "item '{}' is not in the instrument '{}'",
                    &name[2..],
                    ins.name
                ),
            )
        })?;
        present[mi] = true;
        raw.push((c, item, mi));
    }
    if raw.is_empty() {
        return Err(Error::file(
            file,
            Some(1),
            format!(
                "cannot tell the survey form from the header ({}): expected long (respondent_id,item,expectation,perception), wide (e_<item>,p_<item>), summary (item,mean_e,mean_p) or a --columns map",
                header.names.join(",")
            ),
        ));
    }
    check_measures(file, present)?;
    let mut measures: Vec<[Option<usize>; 4]> = vec![[None; 4]; ins.items.len()];
    for &(c, item, mi) in &raw {
        measures[item][mi] = Some(c);
    }
    for (item, cols) in measures.iter().enumerate() {
        if let Some(problem) = unpaired(&ins.items[item].id, cols.map(|c| c.is_some())) {
            let col = cols.iter().flatten().min().copied().unwrap_or(0);
            return Err(Error::file(
                file,
                Some(1),
                format!("{}: {problem}", header.column(col)),
            ));
        }
    }
    let slot = slots_for(present);
    Ok(Layout {
        form: SurveyForm::Wide,
        id_col,
        item_col: None,
        measure_cols: [None; 4],
        cells: raw
            .into_iter()
            .map(|(c, i, mi)| (c, i, slot[mi].unwrap_or(0)))
            .collect(),
        by_cols: by_cols.to_vec(),
        slot,
        lead_last: 0,
    })
}

/// A `--columns` map: any columns, each mapped to an item's measure.
fn mapped_layout(
    file: &str,
    header: &Header,
    ins: &Instrument,
    map: &ColumnMap,
    id_col: Option<usize>,
    by_cols: &[usize],
) -> Result<Layout> {
    let mut present = [false; 4];
    let mut raw = Vec::new();
    let mut used: HashMap<(usize, usize), u64> = HashMap::new();
    let mut mapped: HashMap<usize, (u64, String)> = HashMap::new();
    let mut lines: Vec<[Option<u64>; 4]> = Vec::new();
    for e in &map.entries {
        let col = map.resolve(e, header)?;
        let what = quoted(&format!("{} {:?}", e.item, e.measure).to_lowercase());
        if let Some((first, was)) = mapped.get(&col) {
            return Err(Error::file(
                &map.file,
                Some(e.line),
                format!(
                    "{} of the survey is mapped twice: to {what} here and to {was} on line {first}",
                    header.column(col)
                ),
            ));
        }
        mapped.insert(col, (e.line, what));
        let item = ins.lookup(e.item.as_bytes()).ok_or_else(|| {
            Error::file(
                &map.file,
                Some(e.line),
                format!("item '{}' is not in the instrument '{}'", e.item, ins.name),
            )
        })?;
        if let Some(first) = used.insert((item, e.measure.index()), e.line) {
            return Err(ErrorKind::Duplicate {
                file: map.file.clone(),
                line: e.line,
                first_line: Some(first),
                what: format!("item '{}' {:?}", e.item, e.measure).to_lowercase(),
                key: vec![],
            }
            .into());
        }
        present[e.measure.index()] = true;
        raw.push((col, item, e.measure.index()));
        if lines.len() <= item {
            lines.resize(item + 1, [None; 4]);
        }
        lines[item][e.measure.index()] = Some(e.line);
    }
    check_measures(file, present)?;
    for (item, measures) in lines.iter().enumerate() {
        if let Some(problem) = unpaired(&ins.items[item].id, measures.map(|l| l.is_some())) {
            let line = measures.iter().flatten().min().copied();
            return Err(Error::file(&map.file, line, problem));
        }
    }
    let slot = slots_for(present);
    Ok(Layout {
        form: SurveyForm::Mapped,
        id_col,
        item_col: None,
        measure_cols: [None; 4],
        cells: raw
            .into_iter()
            .map(|(c, i, mi)| (c, i, slot[mi].unwrap_or(0)))
            .collect(),
        by_cols: by_cols.to_vec(),
        slot,
        lead_last: 0,
    })
}

/// The second pass of spill mode: one store per partition, built from the
/// partition's records in file order, on all cores, through the store's
/// rule.
struct SecondPass<'a> {
    rule: &'a SurveyRule,
    /// Each range's dictionaries, in range order (with `rule.spill_tags`).
    holders: &'a [ResponseStore],
    /// The spill files by tag.
    files: &'a [Option<SpillFile>],
}

/// A partition's store, its rejections, and how many rows they removed.
type PartitionResult = Result<(ResponseStore, RejectTally, u64)>;

impl SecondPass<'_> {
    fn run(&self) -> Result<(Vec<ResponseStore>, RejectTally, u64)> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let results: Vec<Vec<(usize, PartitionResult)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|w| {
                    scope.spawn(move || {
                        let mut buf = Vec::new();
                        (w..PARTS)
                            .step_by(threads)
                            .map(|p| (p, self.partition(p, &mut buf)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut parts: Vec<(usize, PartitionResult)> = results.into_iter().flatten().collect();
        if parts.len() != PARTS {
            return Err(Error::internal("a partition thread failed"));
        }
        parts.sort_by_key(|(p, _)| *p);
        // The first error in file order is the one with the lowest line.
        let mut first: Option<Error> = None;
        let mut stores = Vec::with_capacity(PARTS);
        let mut tally = RejectTally::default();
        let mut rejected = 0;
        for (_, r) in parts {
            match r {
                Ok((st, t, n)) => {
                    stores.push(st);
                    tally.merge(t, 0);
                    rejected += n;
                }
                Err(e) => {
                    if first
                        .as_ref()
                        .is_none_or(|f| e.line().unwrap_or(u64::MAX) < f.line().unwrap_or(u64::MAX))
                    {
                        first = Some(e);
                    }
                }
            }
        }
        match first {
            Some(e) => Err(e),
            None => Ok((stores, tally, rejected)),
        }
    }

    /// Builds partition `p`'s store (`buf`: the thread's read buffer).
    fn partition(&self, p: usize, buf: &mut Vec<u8>) -> PartitionResult {
        let proto = &self.holders[0];
        let nby = proto.group_dicts.len();
        let mut store = proto.empty_like();
        // Room for the respondents of complete answers, at once: growing
        // by doubling copied the store and rehashed its index ten times.
        let records: u64 = self.files.iter().flatten().map(|f| f.records_in(p)).sum();
        store.reserve_hashed(records as usize / store.k.max(1));
        let mut tally = RejectTally::default();
        let mut rejected = 0u64;
        let mut codes = [0u16; 4];
        let mut groups = [0u32; 8];
        for (holder, &(tag, off)) in self.holders.iter().zip(&self.rule.spill_tags) {
            // this range's codes → the partition store's codes
            let mut vmap = vec![0u16; holder.values.values.len() + 1];
            for (i, &v) in holder.values.values.iter().enumerate() {
                vmap[i + 1] = store
                    .values
                    .code(v)
                    .ok_or_else(|| Error::inconsistent("more than 65,534 distinct score values"))?;
            }
            let gmaps: Vec<Vec<u32>> = (0..nby)
                .map(|g| {
                    holder.group_dicts[g]
                        .values
                        .iter()
                        .map(|v| store.group_dicts[g].code(v.as_bytes()))
                        .collect()
                })
                .collect();
            let Some(file) = self.files.get(tag).and_then(|f| f.as_ref()) else {
                continue; // a range that wrote nothing
            };
            let mut records = file.partition_records(p, store.m, nby, buf)?;
            loop {
                usual_records(&mut records, &mut store, &vmap, &gmaps, off);
                let Some(rec) = records.next_record() else {
                    break;
                };
                let rec = rec?;
                // lines of the whole file, not of the range
                let rec = SpillRecord {
                    line: rec.line + off,
                    ..rec
                };
                let damaged = || Error::internal("a spill record is damaged");
                for g in 0..nby {
                    groups[g] = *gmaps[g].get(rec.groups[g] as usize).ok_or_else(damaged)?;
                }
                for (code, &c) in codes.iter_mut().zip(&rec.codes[..store.m]) {
                    *code = *vmap.get(c as usize).ok_or_else(damaged)?;
                }
                if rec.item >= store.k {
                    return Err(damaged());
                }
                let (g, c) = (&groups[..nby], &codes[..store.m]);
                let added = match rec.words {
                    Some(w) => store.add_answer_by_words(w, rec.id, rec.line, g, rec.item, c),
                    None => store.add_answer(rec.id, rec.line, g, rec.item, c),
                };
                if let Err(conflict) = added {
                    let value = |col: usize| -> Vec<u8> {
                        let g = self.rule.layout.by_cols.iter().position(|&c| c == col);
                        g.and_then(|g| store.group_dicts[g].values.get(groups[g] as usize))
                            .map_or_else(Vec::new, |v| v.as_bytes().to_vec())
                    };
                    let clash = Clash {
                        line: rec.line,
                        id: rec.id,
                        item: rec.item,
                        conflict,
                        value: &value,
                    };
                    let (reason, err) = self.rule.clash(&store, &clash);
                    if self.rule.ledger.on_invalid == OnInvalid::Error {
                        return Err(err);
                    }
                    tally.add(reason, rec.line);
                    rejected += 1;
                }
            }
        }
        Ok((store, tally, rejected))
    }
}

/// The second pass's quick loop: takes the range's records into `store`
/// while they have the usual shape (a short id, one byte for each number),
/// through the store's rule ([`ResponseStore::add_answer_by_words`]); it
/// stops, without taking it, at the first record that is not usual or that
/// the rule refuses (the caller's general path then reads, reports or
/// skips it). `vmap` and `gmaps` turn the range's score and group codes
/// into the store's; `off` turns range lines into file lines. Written for
/// the usual numbers of scores and groups, where its loops unroll.
fn usual_records(
    records: &mut PartitionRecords<'_>,
    store: &mut ResponseStore,
    vmap: &[u16],
    gmaps: &[Vec<u32>],
    off: u64,
) {
    match (store.m, gmaps.len()) {
        (2, 0) => usual_records_of::<2, 0>(records, store, vmap, gmaps, off),
        (2, 1) => usual_records_of::<2, 1>(records, store, vmap, gmaps, off),
        (2, 2) => usual_records_of::<2, 2>(records, store, vmap, gmaps, off),
        (1, 0) => usual_records_of::<1, 0>(records, store, vmap, gmaps, off),
        (1, 1) => usual_records_of::<1, 1>(records, store, vmap, gmaps, off),
        (3, 0) => usual_records_of::<3, 0>(records, store, vmap, gmaps, off),
        (3, 1) => usual_records_of::<3, 1>(records, store, vmap, gmaps, off),
        _ => {}
    }
}

/// [`usual_records`] for `M` scores and `G` group columns.
#[inline(never)]
fn usual_records_of<const M: usize, const G: usize>(
    records: &mut PartitionRecords<'_>,
    store: &mut ResponseStore,
    vmap: &[u16],
    gmaps: &[Vec<u32>],
    off: u64,
) {
    let k = store.k;
    let Some(gmaps) = gmaps.first_chunk::<G>() else {
        return;
    };
    'rec: while let Some(u) = records.peek_usual() {
        let byte = |i: usize| (u.tail >> (8 * i) & 0xff) as usize;
        let item = byte(0);
        if item >= k {
            break;
        }
        let mut codes = [0u16; M];
        for (s, c) in codes.iter_mut().enumerate() {
            match vmap.get(byte(1 + s)) {
                Some(&v) => *c = v,
                None => break 'rec,
            }
        }
        let mut groups = [0u32; G];
        for (g, v) in groups.iter_mut().enumerate() {
            match gmaps[g].get(byte(1 + M + g)) {
                Some(&c) => *v = c,
                None => break 'rec,
            }
        }
        let line = u.line + off;
        if store
            .add_answer_by_words(u.words, u.id, line, &groups, item, &codes)
            .is_err()
        {
            break;
        }
        records.take(&u);
    }
}

/// Reads and validates a survey file. Returns the data, the instrument used
/// (a summary file with a `dimension` column and no instrument given brings
/// its own), what was learned about the bytes, and how the rows were read.
pub fn read_survey(
    source: &Source,
    instrument: Option<Instrument>,
    opts: &SurveyReadOptions,
    read: &ReadOptions,
) -> Result<(SurveyData, Instrument, ReadInfo)> {
    read_survey_counted(source, instrument, opts, read).map(|(d, i, r, _)| (d, i, r))
}

/// [`read_survey`], with the rows each strategy of the engine read.
pub(crate) fn read_survey_counted(
    source: &Source,
    instrument: Option<Instrument>,
    opts: &SurveyReadOptions,
    read: &ReadOptions,
) -> Result<(SurveyData, Instrument, ReadInfo, Paths)> {
    let name = source.name();
    let given = instrument.map(Arc::new);
    let read_with = |read: &ReadOptions| {
        let res = read_csv(source, read, |h| {
            SurveySink::new(name.clone(), h, given.clone(), opts, read.on_invalid)
        });
        let (sink, info) = res.map_err(|e| locate_duplicate(e, source, read))?;
        let (data, sink_ins, paths) = sink
            .finish()
            .map_err(|e| locate_duplicate(e, source, read))?;
        Ok((data, sink_ins, paths, info))
    };
    let (mut data, sink_ins, paths, info) = match read_with(read) {
        Ok(read) => read,
        // Threads meet a duplicate only when their ranges are merged, after
        // their own rows: the first invalid row in file order is the one a
        // single reader stops at. Only a failing read pays the second pass.
        Err(e) if read.threads() > 1 && is_data_error(&e) && source.regular_file().is_some() => {
            let one = ReadOptions {
                threads: 1,
                progress: None,
                ..read.clone()
            };
            return Err(read_with(&one).err().unwrap_or(e));
        }
        Err(e) => return Err(e),
    };
    place_duplicates(&mut data, source, read);
    let instrument = match (&data.body, sink_ins) {
        (SurveyBody::Summary(rows), None) => summary_instrument(&name, rows)?,
        (_, Some(i)) => Arc::unwrap_or_clone(i),
        (_, None) => Instrument::servqual22(),
    };
    known_summary_items(&mut data, &instrument, read.on_invalid)?;
    Ok((data, instrument, info, paths))
}

/// A summary row whose item the instrument lacks is invalid, named by file,
/// line and the item column: an error, or skipped and counted with
/// `--on-invalid skip` (the instrument is known only once the whole file
/// is read, when it comes from the file's own `dimension` column).
fn known_summary_items(data: &mut SurveyData, ins: &Instrument, policy: OnInvalid) -> Result<()> {
    let SurveyBody::Summary(rows) = &mut data.body else {
        return Ok(());
    };
    let mut tally = RejectTally {
        reasons: std::mem::take(&mut data.counts.rejections),
    };
    let mut kept = Vec::with_capacity(rows.len());
    for r in rows.drain(..) {
        if ins.lookup(r.item.as_bytes()).is_some() {
            kept.push(r);
            continue;
        }
        let (file, column) = (&data.file, &data.item_column);
        reject_row(policy, &mut tally, r.line, "unknown item", || {
            ErrorKind::InvalidValue {
                file: file.clone(),
                line: r.line,
                column: column.clone().unwrap_or(crate::error::Column {
                    number: 0,
                    name: "item".into(),
                }),
                value: r.item.clone(),
                problem: format!("item not in the instrument '{}'", ins.name),
            }
            .into()
        })?;
        data.counts.rows_used -= 1;
    }
    *rows = kept;
    data.counts.rows_rejected = tally.total();
    data.counts.rejections = tally.reasons;
    Ok(())
}

/// Builds the instrument of a summary file from its `dimension` column, or
/// falls back to `servqual22`.
fn summary_instrument(name: &str, rows: &[SummaryRow]) -> Result<Instrument> {
    if rows.is_empty() || rows.iter().any(|r| r.dimension.is_none()) {
        return Ok(Instrument::servqual22());
    }
    let mut seen = std::collections::HashSet::new();
    let table: Vec<(u64, Vec<String>)> = rows
        .iter()
        .filter(|r| seen.insert(r.item.to_lowercase()))
        .map(|r| {
            (
                r.line,
                vec![r.item.clone(), r.dimension.clone().unwrap_or_default()],
            )
        })
        .collect();
    let mut ins = Instrument::from_rows(name, &table, 0, 1, None)?;
    ins.name = format!("{name} (dimension column)");
    Ok(ins)
}

/// Whether an error is the data's (an invalid row or file), not the
/// system's or servgap's.
fn is_data_error(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::InvalidValue { .. }
            | ErrorKind::Duplicate { .. }
            | ErrorKind::InvalidFile { .. }
            | ErrorKind::Undecodable { .. }
    )
}

/// Gives the respondent × item duplicates met while merging ranges their
/// lines, found in one more pass over the file: each rejected row is a
/// key's second or later row, so the reason's first line is the earliest
/// of those (as one thread reading the file in order reports it).
fn place_duplicates(data: &mut SurveyData, source: &Source, read: &ReadOptions) {
    let unplaced = std::mem::take(&mut data.unplaced);
    if unplaced.is_empty() {
        return;
    }
    let keys: HashMap<(String, String), usize> = unplaced
        .iter()
        .enumerate()
        .map(|(k, (id, item, _))| ((id.clone(), item.to_lowercase()), k))
        .collect();
    let found = super::engine::lines_by_key(source, read, keys.len(), |h, rec| {
        let (i, t) = (h.find("respondent_id")?, h.find("item")?);
        let key = (rec.text(i), rec.text(t).trim().to_lowercase());
        keys.get(&key).copied()
    });
    let first = match found {
        Some(lines) => lines.iter().filter_map(|l| l.get(1)).min().copied(),
        None => None,
    };
    // without the pass (it failed), the respondents' lines stand in
    let first = first.or_else(|| unplaced.iter().map(|u| u.2).min());
    for r in &mut data.counts.rejections {
        if r.reason == "duplicate respondent × item" {
            r.first_line = r.first_line.min(first.unwrap_or(u64::MAX));
        }
    }
    // in the order of their first lines, as one reader meets them
    data.counts.rejections.sort_by_key(|r| r.first_line);
}

/// Fills in both lines of a respondent × item duplicate, which the stores
/// do not keep per answer, by finding the first two rows with its key.
fn locate_duplicate(e: Error, source: &Source, read: &ReadOptions) -> Error {
    let ErrorKind::Duplicate {
        file,
        first_line: None,
        what,
        key,
        ..
    } = e.kind()
    else {
        return e;
    };
    let [id, item] = key.as_slice() else {
        return e;
    };
    let found = super::engine::first_two_lines(source, read, |h, rec| {
        match (h.find("respondent_id"), h.find("item")) {
            (Some(i), Some(t)) => rec.text(i) == *id && rec.text(t).eq_ignore_ascii_case(item),
            _ => false,
        }
    });
    match found {
        Some((first, second)) => ErrorKind::Duplicate {
            file: file.clone(),
            line: second,
            first_line: Some(first),
            what: what.clone(),
            key: key.clone(),
        }
        .into(),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> (SurveyData, Paths) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("survey.csv");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        let source = Source::from_arg(&path.to_string_lossy());
        let opts = SurveyReadOptions {
            by: vec!["segment".into()],
            ..SurveyReadOptions::default()
        };
        let read = ReadOptions {
            threads: 1,
            ..ReadOptions::default()
        };
        let (data, _, _, paths) =
            read_survey_counted(&source, None, &opts, &read).unwrap_or_else(|e| panic!("{e}"));
        (data, paths)
    }

    /// Which strategy reads each line, worked out by hand from the rules
    /// in the engine's module docs: a new group value or a digit no score
    /// has had yet goes to the tokenizer (record), and so does any line
    /// the quick forms stop at; the line after a record cannot take its
    /// lead, so it is split; a line repeating the previous line's
    /// respondent and segment, with the next item and known digits, is
    /// read in a run (lead).
    #[test]
    fn each_line_takes_the_strategy_the_rules_give_it() {
        let text = "respondent_id,segment,item,expectation,perception\n\
            R1,a,q01,6,5\n\
            R1,a,q02,6,5\n\
            R1,a,q03,7,6\n\
            R1,a,q04,7,6\n\
            R2,b,q01,6,5\n\
            R2,b,q02,6,6\n\
            R2,b,q03,6,6\n";
        // line 2: new segment 'a', digits 6 and 5 unseen   record
        // line 3: after a record                           split
        // line 4: lead holds, but 7 is unseen              record
        // line 5: after a record                           split
        // line 6: new segment 'b'                          record
        // line 7: after a record                           split
        // line 8: lead R2,b, holds, q03 follows q02         lead
        let (data, paths) = read_text(text);
        assert_eq!(
            paths,
            Paths {
                lead: 1,
                split: 3,
                record: 3
            }
        );
        assert_eq!((data.counts.rows_read, data.counts.rows_used), (7, 7));
    }

    /// A run needs the items in the instrument's order: at a line whose
    /// item is not the one after the previous line's the run stops, and
    /// the line is read on its own, its lead still the previous line's
    /// and its item found by look-up.
    #[test]
    fn a_run_stops_at_an_item_out_of_order() {
        let text = "respondent_id,segment,item,expectation,perception\n\
            R1,a,q01,6,5\n\
            R2,a,q01,6,5\n\
            R2,a,q02,6,5\n\
            R2,a,q03,6,5\n\
            R2,a,q05,6,5\n\
            R2,a,q06,6,5\n";
        // line 2: new segment, unseen digits               record
        // line 3: R2 after a record                        split
        // line 4: lead R2,a, holds, q02 follows q01          lead (run)
        // line 5: q03 follows q02                          lead (run)
        // line 6: q05 is not q04: the run stops            lead (alone)
        // line 7: q06 follows q05                          lead (run)
        let (data, paths) = read_text(text);
        assert_eq!(
            paths,
            Paths {
                lead: 4,
                split: 1,
                record: 1
            }
        );
        assert_eq!(data.counts.rows_used, 6);
    }
}
