//! What every reader keeps of its rows besides what they say: the file and
//! header its messages name, the invalid-row policy, and the rows read,
//! used and rejected (with why). One ledger per range of a file read on its
//! own core; ledgers merge in file order, and [`RowLedger::counts`] is what
//! a result reports (no row vanishes silently).
//!
//! A reader's row rule says *whether* a row is valid; the ledger says what
//! an invalid one does: with `--on-invalid error` (the default) it is the
//! reader's error, naming file, line, column and value; with `skip` it is
//! counted under its reason and its first line.

use std::sync::Arc;

use super::rows::{Bad, Row};
use super::{invalid, ragged, reject_row, Header};
use crate::error::{Error, Result};
use crate::input::OnInvalid;
use crate::model::tallies::{RejectTally, RowCounts};

/// A reader's account of its rows (see the module docs).
#[derive(Debug)]
pub(crate) struct RowLedger {
    /// The file, as messages name it.
    pub file: Arc<str>,
    /// Its header, for column names in messages.
    pub header: Arc<Header>,
    /// What an invalid row does.
    pub on_invalid: OnInvalid,
    /// Data rows read (the header excluded).
    pub read: u64,
    /// Rows that went into the reader's records.
    pub used: u64,
    /// Rows rejected under `--on-invalid skip`, by reason.
    pub tally: RejectTally,
}

impl RowLedger {
    /// A ledger with nothing read yet.
    pub fn new(file: Arc<str>, header: Arc<Header>, on_invalid: OnInvalid) -> Self {
        RowLedger {
            file,
            header,
            on_invalid,
            read: 0,
            used: 0,
            tally: RejectTally::default(),
        }
    }

    /// An empty ledger of the same file, for another range of it.
    pub fn fork(&self) -> Self {
        RowLedger::new(self.file.clone(), self.header.clone(), self.on_invalid)
    }

    /// Adds a later range's ledger, whose lines are `off` lines further on.
    pub fn merge(&mut self, later: RowLedger, off: u64) {
        self.read += later.read;
        self.used += later.used;
        self.tally.merge(later.tally, off);
    }

    /// Rejects a row for the value `value` in column `col`: the error
    /// `problem` by default, a skip counted under `reason` with
    /// `--on-invalid skip`.
    #[cold]
    #[inline(never)]
    pub fn reject(
        &mut self,
        line: u64,
        col: usize,
        value: &[u8],
        reason: &str,
        problem: String,
    ) -> Result<()> {
        let (file, header) = (&self.file, &self.header);
        reject_row(self.on_invalid, &mut self.tally, line, reason, || {
            invalid(file, line, header, col, value, problem)
        })
    }

    /// Rejects a row for its invalid cell in column `col` (see
    /// [`RowLedger::reject`]).
    #[cold]
    pub fn reject_cell(&mut self, row: &Row<'_>, col: usize, bad: Bad) -> Result<()> {
        self.reject(row.line, col, row.raw(col), bad.reason, bad.problem)
    }

    /// Rejects a row for an error already made (`err`), counted under
    /// `reason` when skipped.
    #[cold]
    pub fn reject_with(&mut self, line: u64, reason: &str, err: Error) -> Result<()> {
        reject_row(self.on_invalid, &mut self.tally, line, reason, || err)
    }

    /// Reads a record whose field count is not the header's: an error, or
    /// a row read and skipped.
    #[cold]
    pub fn ragged(&mut self, line: u64, fields: usize) -> Result<()> {
        self.read += 1;
        let (file, width) = (&self.file, self.header.len());
        reject_row(
            self.on_invalid,
            &mut self.tally,
            line,
            "wrong number of fields",
            || ragged(file, line, fields, width),
        )
    }

    /// Takes back a row counted as used, now rejected under `reason` (a
    /// conflict found only when ranges merge).
    pub fn unuse(&mut self, reason: &str, line: u64) {
        self.used = self.used.saturating_sub(1);
        self.tally.add(reason, line);
    }

    /// The counts a result reports.
    pub fn counts(&self) -> RowCounts {
        RowCounts {
            rows_read: self.read,
            rows_used: self.used,
            rows_rejected: self.tally.total(),
            rejections: self.tally.reasons.clone(),
        }
    }
}
