//! Tallies of the rows each input gave: read, used, and rejected with
//! their reasons. Every result carries them, so that no row vanishes
//! silently, and they merge as readers of several ranges of a file finish.

use serde::Serialize;

/// What to do with a row holding an invalid value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnInvalid {
    /// Stop with an error naming file, line, column and value (the default).
    #[default]
    Error,
    /// Skip the row and count it as rejected, with its reason.
    Skip,
    /// Read on as with `Skip`, keeping each invalid row's error, so that a
    /// file's every invalid row is reported in one pass
    /// ([`crate::input::take_reported`]); read with one thread, so that
    /// the errors' lines are the file's.
    Report,
}

/// Row counts every result carries: nothing vanishes silently.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RowCounts {
    /// Data rows read (header excluded, blank lines excluded).
    pub rows_read: u64,
    /// Rows that went into the figures.
    pub rows_used: u64,
    /// Rows skipped as invalid (only with `--on-invalid skip`).
    pub rows_rejected: u64,
    /// Why rows were rejected, with counts.
    pub rejections: Vec<Rejection>,
}

impl RowCounts {
    /// Adds the counts of another part of the same input (a partial
    /// result's): rows add up, and each reason keeps its count and the
    /// smaller of the two first lines (each part's own line).
    pub fn absorb(&mut self, other: &RowCounts) {
        self.rows_read += other.rows_read;
        self.rows_used += other.rows_used;
        let mut tally = RejectTally {
            reasons: std::mem::take(&mut self.rejections),
        };
        tally.merge(
            RejectTally {
                reasons: other.rejections.clone(),
            },
            0,
        );
        self.rows_rejected = tally.total();
        self.rejections = tally.reasons;
    }
}

/// The rows of one input file: what each report says it read, used and
/// rejected, file by file (the `input_rows` method of every report), so
/// that a caller can say what was skipped whatever the output format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputRows {
    /// The file (`<stdin>` for standard input).
    pub file: String,
    /// Its row counts.
    pub counts: RowCounts,
}

impl InputRows {
    /// The rows of `file`, from a report's flattened counts.
    pub fn new(file: &str, read: u64, used: u64, rejections: &[Rejection]) -> Self {
        InputRows {
            file: file.to_string(),
            counts: RowCounts {
                rows_read: read,
                rows_used: used,
                rows_rejected: rejections.iter().map(|r| r.count).sum(),
                rejections: rejections.to_vec(),
            },
        }
    }

    /// One line saying how many rows were rejected and why (`None` when
    /// none were), e.g. `survey.csv: 3 of 120 rows rejected: 2 not a number
    /// (first on line 5), 1 unknown item (line 9)`.
    pub fn rejection_note(&self) -> Option<String> {
        let c = &self.counts;
        if c.rows_rejected == 0 {
            return None;
        }
        let reasons: Vec<String> = c
            .rejections
            .iter()
            .map(|r| {
                let at = if r.count == 1 {
                    "line"
                } else {
                    "first on line"
                };
                format!("{} {} ({at} {})", r.count, r.reason, r.first_line)
            })
            .collect();
        let rows = if c.rows_read == 1 { "row" } else { "rows" };
        Some(format!(
            "{}: {} of {} {rows} rejected: {}",
            self.file,
            c.rows_rejected,
            c.rows_read,
            reasons.join(", ")
        ))
    }
}

/// One reason rows were rejected, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Rejection {
    /// The reason.
    pub reason: String,
    /// Rows rejected for it.
    pub count: u64,
    /// The first line rejected for it.
    pub first_line: u64,
}

/// Tallies rejected rows by reason.
#[derive(Debug, Clone, Default)]
pub struct RejectTally {
    /// The reasons, in the order of their first lines (the order one
    /// reader meets them in, however many threads read the file).
    pub reasons: Vec<Rejection>,
}

impl RejectTally {
    /// Counts one row rejected for `reason` on `line`.
    pub fn add(&mut self, reason: &str, line: u64) {
        if let Some(r) = self.reasons.iter_mut().find(|r| r.reason == reason) {
            r.count += 1;
            if line < r.first_line {
                r.first_line = line;
                self.in_line_order();
            }
        } else {
            self.reasons.push(Rejection {
                reason: reason.to_string(),
                count: 1,
                first_line: line,
            });
            self.in_line_order();
        }
    }

    /// Puts the reasons in the order of their first lines (stable: a tie
    /// keeps the order met).
    fn in_line_order(&mut self) {
        if self
            .reasons
            .windows(2)
            .any(|w| w[0].first_line > w[1].first_line)
        {
            self.reasons.sort_by_key(|r| r.first_line);
        }
    }

    /// Adds `n` rows rejected for `reason`, the first on `line`.
    pub fn add_many(&mut self, reason: &str, line: u64, n: u64) {
        if n == 0 {
            return;
        }
        self.add(reason, line);
        if let Some(r) = self.reasons.iter_mut().find(|r| r.reason == reason) {
            r.count += n - 1;
        }
    }

    /// Rows rejected, all reasons together.
    pub fn total(&self) -> u64 {
        self.reasons.iter().map(|r| r.count).sum()
    }

    /// Adds the tally of a later range of the same file, whose lines are
    /// counted from `line_offset`.
    pub fn merge(&mut self, other: RejectTally, line_offset: u64) {
        for r in other.reasons {
            if let Some(m) = self.reasons.iter_mut().find(|m| m.reason == r.reason) {
                m.count += r.count;
                m.first_line = m.first_line.min(r.first_line.saturating_add(line_offset));
            } else {
                self.reasons.push(Rejection {
                    first_line: r.first_line.saturating_add(line_offset),
                    ..r
                });
            }
        }
        self.in_line_order();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_in_the_order_of_their_first_lines() {
        // a range read later reports its reasons after the earlier one's
        let mut early = RejectTally::default();
        early.add("wrong number of fields", 8);
        early.add("score outside the scale", 39);
        let mut late = RejectTally::default();
        late.add("duplicate respondent × item", 5);
        late.add("score outside the scale", 2);
        early.merge(late, 30);
        let order: Vec<(&str, u64, u64)> = early
            .reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.first_line, r.count))
            .collect();
        assert_eq!(
            order,
            [
                ("wrong number of fields", 8, 1),
                ("score outside the scale", 32, 2),
                ("duplicate respondent × item", 35, 1),
            ]
        );
        // a line found later moves its reason forward
        early.add("duplicate respondent × item", 1);
        assert_eq!(early.reasons[0].reason, "duplicate respondent × item");
        // a reason whose line is not known yet stays last, and merging
        // it with an offset does not overflow
        let mut unplaced = RejectTally::default();
        unplaced.add("duplicate respondent × item", u64::MAX);
        let mut first = RejectTally::default();
        first.add("unknown item", 3);
        first.merge(unplaced, 100);
        assert_eq!(first.reasons[1].first_line, u64::MAX);
    }
}
