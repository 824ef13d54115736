//! Compiled row shapes: a reader declares what each column of its rows is
//! ([`Cell`]: a key, a term of a closed vocabulary, a grouping value, a
//! score, a count, a number, a date, or nothing it reads) and what a valid
//! cell is ([`CellRules`]); the engine turns every line into a typed
//! [`Row`] and hands it to the reader's one row rule ([`RowRule::accept`]).
//!
//! How a line becomes a row is the engine's business, and the reader's
//! rules are the same whichever way it goes. Three strategies, counted in
//! [`Paths`] so that tests can see which one read what:
//!
//! - **lead**: the line starts with the previous line's leading key, group
//!   and date cells, byte for byte (one 32-byte compare): those cells are
//!   the previous row's, and only the rest of the line is read.
//! - **split**: the line's cells are found with one separator mask for its
//!   first 32 bytes ([`Separators`]) and decoded by their kinds' quick forms:
//!   a term given exactly (the one after the previous row's first, then a
//!   table look-up), a group value already known (the previous one, the one
//!   that followed it last time, then a look-up), a one-digit score already
//!   checked, a plain whole number, the previous row's date.
//! - **record**: anything else (blanks around a cell, CRLF, a new group
//!   value, a score never seen, `NA`, an invalid cell…) comes from the
//!   tokenizer as a record and is decoded by the reader's [`CellRules`]
//!   themselves; so does every line of a block of the file (256 KiB) with
//!   a quote anywhere in it.
//!
//! The quick forms are memos of the rules, never second rules: a digit
//! enters the score memo only once the score rule has accepted it, a term
//! is only ever matched against the vocabulary's exact text, a whole
//! number's digits give the number the rule gives.

use std::sync::Arc;

use chrono::NaiveDate;

use super::fields::{field_end, Pattern, Separators};
use super::lines::{RecordSink, RecordView};
use crate::bytes::short_eq;
use crate::error::Result;
use crate::model::dictionary::{fast_map, FastMap, GroupDict, ValueDict};

/// Most grouping columns a row may have.
pub(crate) const MAX_GROUPS: usize = 8;
/// Most columns the quick strategies read; wider files are read as records.
const MAX_QUICK_COLUMNS: usize = 64;
/// Lines in a row whose lead differs from the previous line's, after which
/// the lead strategy is not tried again.
const LEAD_MISSES: u32 = 16;

/// What one column of a row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell {
    /// The key the reader accumulates by (a respondent id): its bytes.
    Key,
    /// A term of the shape's closed vocabulary (items, categories): its
    /// index, or none for a cell that is not one.
    Term,
    /// The value of the j-th grouping column: a code in its dictionary.
    Group(usize),
    /// The j-th score of the row: a code in the value dictionary (0:
    /// missing).
    Score(usize),
    /// A whole number of at least 0 (an incident count).
    Count,
    /// A number (a volume).
    Number,
    /// A date.
    Date,
    /// A column the row does not read.
    Skip,
}

/// Why a cell is invalid: the reason rows are counted under, and what a
/// message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bad {
    /// The reason, as rejections count it (`not a number`).
    pub reason: &'static str,
    /// The problem, as an error message states it.
    pub problem: String,
}

impl Bad {
    /// A cell of a kind the reader does not have rules for.
    fn unread() -> Self {
        Bad {
            reason: "unreadable cell",
            problem: "the reader has no rule for this cell".into(),
        }
    }
}

/// What a valid cell is, per kind: the reader's rules, written once and
/// applied by every strategy (the quick forms only remember their answers).
pub(crate) trait CellRules: Send + Sync {
    /// The term of a cell not given exactly as in the vocabulary (blanks,
    /// another case…), or `None` when it is not a term.
    fn term(&self, _raw: &[u8]) -> Option<usize> {
        None
    }
    /// A score's value (`None`: missing), or why it is invalid.
    fn score(&self, _raw: &[u8]) -> std::result::Result<Option<f64>, Bad> {
        Err(Bad::unread())
    }
    /// A count, or why it is invalid.
    fn count(&self, _raw: &[u8]) -> std::result::Result<u64, Bad> {
        Err(Bad::unread())
    }
    /// A number, or why it is invalid.
    fn number(&self, _raw: &[u8]) -> std::result::Result<f64, Bad> {
        Err(Bad::unread())
    }
    /// A date, or why it is invalid.
    fn date(&self, _raw: &[u8]) -> std::result::Result<NaiveDate, Bad> {
        Err(Bad::unread())
    }
}

/// The columns of a row and the vocabulary of its term, as a reader
/// declares them, with where each kind of cell is.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    /// What each column is.
    pub cells: Vec<Cell>,
    /// The columns of the grouping values, in group order (a group column
    /// may also be another cell: `--by category`).
    pub group_cols: Vec<usize>,
    /// The columns of the scores, in score order.
    pub score_cols: Vec<usize>,
    /// The terms as given exactly (the vocabulary's text).
    pub terms: Vec<Box<[u8]>>,
    /// The first columns that are keys, groups or dates: what the lead
    /// strategy compares with the previous line.
    lead_cols: usize,
    /// Whether the quick strategies can read this shape (narrow enough,
    /// every column with one role).
    quick: bool,
}

impl Shape {
    /// A shape of `width` columns: `roles` says what columns are (the
    /// others are skipped), `groups` the columns of the grouping values in
    /// order, `terms` the vocabulary of the term column.
    pub fn new(
        width: usize,
        roles: &[(usize, Cell)],
        groups: &[usize],
        terms: Vec<Box<[u8]>>,
    ) -> Self {
        let mut cells = vec![Cell::Skip; width];
        let mut score_cols = Vec::new();
        for &(col, cell) in roles {
            if let Some(c) = cells.get_mut(col) {
                *c = cell;
            }
            if let Cell::Score(j) = cell {
                if score_cols.len() <= j {
                    score_cols.resize(j + 1, usize::MAX);
                }
                score_cols[j] = col;
            }
        }
        // a group column with another role is read as that role and as a
        // group, which only the record strategy does
        let mut shared = false;
        for (j, &col) in groups.iter().enumerate() {
            match cells.get(col) {
                Some(Cell::Skip) => cells[col] = Cell::Group(j),
                Some(_) => shared = true,
                None => {}
            }
        }
        let lead_cols = cells
            .iter()
            .take_while(|c| matches!(c, Cell::Key | Cell::Group(_) | Cell::Date))
            .count();
        Shape {
            quick: !shared && width <= MAX_QUICK_COLUMNS && groups.len() <= MAX_GROUPS,
            cells,
            group_cols: groups.to_vec(),
            score_cols,
            terms,
            lead_cols,
        }
    }

    fn width(&self) -> usize {
        self.cells.len()
    }
}

/// How many rows each strategy read (see the module docs): tests assert
/// these, so that a strategy that stops working shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paths {
    /// Rows whose leading cells were the previous row's: handed over in
    /// runs ([`RowRule::accept_run`]), or one by one where a run stops.
    pub lead: u64,
    /// Rows split and decoded by the cells' quick forms.
    pub split: u64,
    /// Rows decoded from a tokenizer's record by the cell rules.
    pub record: u64,
}

impl Paths {
    fn add(&mut self, o: &Paths) {
        self.lead += o.lead;
        self.split += o.split;
        self.record += o.record;
    }
}

/// The typed values of the row being read (the decoder's, reused).
#[derive(Debug, Clone)]
struct Values {
    /// Where the key is in the line (quick strategies) or the key's
    /// trimmed bytes (records).
    key: (usize, usize),
    key_owned: Vec<u8>,
    term: Option<usize>,
    groups: [u32; MAX_GROUPS],
    scores: Vec<u16>,
    count: u64,
    number: f64,
    date: Option<NaiveDate>,
    /// The columns of invalid cells (records only; usually none).
    bad: Vec<usize>,
    /// The leading cells are the previous row's.
    lead_same: bool,
}

/// One row, typed, for a reader's [`RowRule::accept`]: its line, its
/// values, and its raw cells for messages.
pub(crate) struct Row<'a> {
    /// 1-based line of the row (of the range being read; see
    /// [`RecordSink::merge`]).
    pub line: u64,
    fields: Fields<'a>,
    values: &'a Values,
    rules: &'a dyn CellRules,
    shape: &'a Shape,
}

/// A row's raw cells.
enum Fields<'a> {
    /// A quote-free line: `region[start..end]`, without its line end.
    Line {
        region: &'a [u8],
        start: usize,
        end: usize,
    },
    /// A tokenizer's record.
    Record(&'a RecordView<'a>),
}

impl<'a> Row<'a> {
    /// The key's bytes (trimmed).
    #[inline(always)]
    pub fn key(&self) -> &[u8] {
        match self.fields {
            Fields::Line { region, start, .. } => region
                .get(start + self.values.key.0..start + self.values.key.1)
                .unwrap_or(&[]),
            Fields::Record(_) => &self.values.key_owned,
        }
    }

    /// Where the key is in the bytes read, when the row is a line of them:
    /// the bytes, and the key's place and length (a writer may read whole
    /// words around it).
    #[inline(always)]
    pub fn key_place(&self) -> Option<(&'a [u8], usize, usize)> {
        match self.fields {
            Fields::Line { region, start, .. } => {
                let (a, b) = self.values.key;
                Some((region, start + a, b - a))
            }
            Fields::Record(_) => None,
        }
    }

    /// Whether the cells leading the line up to column `col` are the
    /// previous row's, byte for byte (the reader may keep what it found for
    /// them: the same respondent, the same cell).
    #[inline(always)]
    pub fn lead_holds(&self, col: usize) -> bool {
        self.values.lead_same && col < self.shape.lead_cols
    }

    /// The term, or `None` when the cell is not one of the vocabulary.
    #[inline(always)]
    pub fn term(&self) -> Option<usize> {
        self.values.term
    }

    /// The grouping values' codes, in group order.
    #[inline(always)]
    pub fn groups(&self) -> &[u32] {
        &self.values.groups[..self.shape.group_cols.len()]
    }

    /// The scores' codes (0: missing), in score order; check
    /// [`Row::bad_score`] first.
    #[inline(always)]
    pub fn scores(&self) -> &[u16] {
        &self.values.scores
    }

    /// The first invalid score in score order: its column and why.
    #[inline(always)]
    pub fn bad_score(&self) -> Option<(usize, Bad)> {
        if self.values.bad.is_empty() {
            return None;
        }
        self.bad_score_cold()
    }

    #[cold]
    fn bad_score_cold(&self) -> Option<(usize, Bad)> {
        self.shape
            .score_cols
            .iter()
            .find(|c| self.values.bad.contains(c))
            .map(|&c| (c, self.why(c)))
    }

    /// Whether cell `col` is invalid.
    #[inline(always)]
    fn is_bad(&self, col: usize) -> bool {
        !self.values.bad.is_empty() && self.values.bad.contains(&col)
    }

    /// The count (in column `col`), or why it is invalid.
    #[inline(always)]
    pub fn count(&self, col: usize) -> std::result::Result<u64, Bad> {
        if self.is_bad(col) {
            return Err(self.why(col));
        }
        Ok(self.values.count)
    }

    /// The number (in column `col`), or why it is invalid.
    #[inline(always)]
    pub fn number(&self, col: usize) -> std::result::Result<f64, Bad> {
        if self.is_bad(col) {
            return Err(self.why(col));
        }
        Ok(self.values.number)
    }

    /// The date (in column `col`), or why it is invalid.
    #[inline(always)]
    pub fn date(&self, col: usize) -> std::result::Result<NaiveDate, Bad> {
        match self.values.date {
            Some(d) if !self.is_bad(col) => Ok(d),
            _ => Err(self.why(col)),
        }
    }

    /// Why cell `col` is invalid: its rule, asked again.
    #[cold]
    fn why(&self, col: usize) -> Bad {
        let raw = self.raw(col);
        let answer = match self.shape.cells.get(col) {
            Some(Cell::Score(_)) => self.rules.score(raw).err(),
            Some(Cell::Count) => self.rules.count(raw).err(),
            Some(Cell::Number) => self.rules.number(raw).err(),
            Some(Cell::Date) => self.rules.date(raw).err(),
            _ => None,
        };
        answer.unwrap_or_else(Bad::unread)
    }

    /// Cell `col` as written (empty past the row's end), for messages.
    pub fn raw(&self, col: usize) -> &'a [u8] {
        match self.fields {
            Fields::Line { region, start, end } => region[start..end]
                .split(|&b| b == b',')
                .nth(col)
                .unwrap_or(&[]),
            Fields::Record(r) => r.get(col),
        }
    }
}

/// Most rows of a run.
const RUN: usize = 128;

/// A row of a run: a line whose lead cells are the previous row's, and
/// whose other cells are a term of the vocabulary and plain scores (their
/// codes) or a plain count ([`Tail`]). Its cells are all valid.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Repeat {
    /// The term.
    pub term: u32,
    /// The scores' codes, in score order (two at most).
    pub scores: [u16; 2],
    /// The count.
    pub count: u64,
}

/// Consecutive rows whose lead cells (key, groups, date) are those of the
/// row the rule accepted last: what [`RowRule::accept_run`] receives.
pub(crate) struct Run<'a> {
    /// The line of the first row; the others follow one a line.
    pub first_line: u64,
    /// The lead's key (for messages).
    pub key: &'a [u8],
    /// The rows.
    pub rows: &'a [Repeat],
}

/// A reader's row rule: what a valid row is and what it adds to the
/// reader's records, written once for every strategy of the engine.
pub(crate) trait RowRule: Send + Sized {
    /// The reader's cell rules.
    type Cells: CellRules + 'static;

    /// The dictionaries the row's scores and groups are coded in (the
    /// reader's records keep them).
    fn dictionaries(&mut self) -> (&mut ValueDict, &mut [GroupDict]);

    /// A row whose field count is the header's: validates it and adds it,
    /// or rejects it (an error, or a counted skip with `--on-invalid skip`).
    fn accept(&mut self, row: &Row<'_>) -> Result<()>;

    /// A row whose field count differs from the header's.
    fn ragged(&mut self, line: u64, fields: usize) -> Result<()>;

    /// An empty rule of the same configuration, for another range.
    fn fork(&self) -> Self;

    /// Appends what `later` read over a later range of the same file, whose
    /// lines are counted from `line_offset`.
    fn merge(&mut self, later: Self, line_offset: u64) -> Result<()>;

    /// Whether the rule can take the rows that follow its last row with
    /// the same first `lead_cols` cells as a [`Run`] (it accepted that row,
    /// keeps what it found for its lead — the respondent, the cell — and
    /// those cells are all the lead it needs).
    fn run_ready(&self, _lead_cols: usize) -> bool {
        false
    }

    /// A run of rows with the lead of the row accepted last (only called
    /// when [`RowRule::run_ready`]): the same rule as
    /// [`RowRule::accept`], whose checks of the lead and of the cells the
    /// engine vouches for (valid terms, scores and counts) are settled.
    fn accept_run(&mut self, _run: &Run<'_>) -> Result<()> {
        Err(crate::error::Error::internal(
            "a run of rows for a rule that takes none",
        ))
    }

    /// The rule's partition files, when it partitions its rows (see
    /// [`RowRule::enable_spill`]): rows of the usual layout go there from
    /// the engine, typed (key, term, scores, groups), their cells valid.
    fn partition_writer(&mut self) -> Option<&mut super::spill::SpillWriter> {
        None
    }

    /// Counts `n` rows the engine wrote to the rule's partition files.
    fn partitioned(&mut self, _n: u64) {}

    /// The column whose value keys the accumulated state, if rows can be
    /// partitioned by it (see [`RecordSink::partition_key`]).
    fn partition_key(&self) -> Option<usize> {
        None
    }

    /// Asks the rule to partition its rows through temporary files; returns
    /// whether it does (see [`RecordSink::enable_spill`]).
    fn enable_spill(&mut self) -> Result<bool> {
        Ok(false)
    }

    /// The bytes of rows about to come, and the length of the first line
    /// (see [`RecordSink::expect_bytes`]), to size records once.
    fn expect_bytes(&mut self, _bytes: u64, _line_len: usize) {}
}

/// The quick strategies' memory of the previous row, and the current row.
pub(crate) struct RowDecoder<C: CellRules> {
    shape: Arc<Shape>,
    rules: Arc<C>,
    values: Values,
    /// The previous line's leading cells with their last separator, and
    /// how many lines in a row missed it (files whose lead never repeats,
    /// one respondent a line, stop trying after [`LEAD_MISSES`]).
    lead: Pattern,
    lead_misses: u32,
    /// The term after the previous row's (terms usually come in order),
    /// and each term with the separator after the term column.
    term_next: usize,
    term_patterns: Vec<Pattern>,
    term_exact: FastMap<Box<[u8]>, usize>,
    term_words: Option<TermWords>,
    /// The previous row's date cell and its date.
    date_raw: Pattern,
    /// Per group column: the code that followed each code last time
    /// (sorted logs list their sites in the same order every day).
    successor: Vec<Vec<u32>>,
    /// The layout after the lead, when it is one of the usual ones.
    tail: Tail,
    /// The whole layout, when it is the usual one the split strategy reads
    /// in one step.
    split: Split,
    /// The rows of the run being read, and the lead's key.
    run: Vec<Repeat>,
    lead_key: Vec<u8>,
    /// Where the key is in a line that starts with `lead` (the same place
    /// in every such line: the lead is the same bytes).
    lead_key_span: (usize, usize),
    /// Rows read by each strategy.
    pub paths: Paths,
}

/// What follows the lead cells, when it is a usual layout that the lead
/// strategy reads in one step: after a line's lead matched, the rest of
/// the line is one pattern compare and one word (or number) check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// A term, then scores `j0` and `j1` ending the line (the long survey).
    TermTwoScores(usize, usize),
    /// A term, then a count ending the line (the incident log).
    TermCount,
    /// A term ending the line (an incident log without counts).
    Term,
    /// Anything else: the lead strategy reads the rest cell by cell.
    Cells,
}

impl Tail {
    fn of(shape: &Shape) -> Tail {
        match &shape.cells[shape.lead_cols..] {
            [Cell::Term, Cell::Score(j0), Cell::Score(j1)] => Tail::TermTwoScores(*j0, *j1),
            [Cell::Term, Cell::Count] => Tail::TermCount,
            [Cell::Term] => Tail::Term,
            _ => Tail::Cells,
        }
    }
}

/// What the partition strategy reads with.
struct Partitioning<'a> {
    dicts: &'a [GroupDict],
    digits: &'a [u16; 10],
    by_length: &'a [ValuesByLength],
    first_line: u64,
    region: &'a [u8],
    max_start: usize,
}

/// A line of the usual layout, decoded ([`RowDecoder::decode_usual`]).
#[derive(Debug, Clone, Copy, Default)]
struct UsualRow {
    /// Where the key is in the bytes, and its length.
    key: (usize, usize),
    groups: [u32; MAX_GROUPS],
    term: usize,
    /// In score order.
    scores: [u16; 2],
    /// Just after the line's `\n`.
    end: usize,
}

/// A whole layout that the split strategy reads in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    /// The key, then `g` group columns, then a term and scores `j0` and
    /// `j1` (the long survey as exported, in any order of respondents).
    Usual { g: usize, j0: usize, j1: usize },
    /// Anything else: cell by cell.
    Cells,
}

impl Split {
    fn of(shape: &Shape) -> Split {
        let cells = &shape.cells;
        let g = shape.group_cols.len();
        let lead = g <= 3
            && cells.len() == g + 4
            && cells[0] == Cell::Key
            && (0..g).all(|j| cells[1 + j] == Cell::Group(j))
            && cells[g + 1] == Cell::Term;
        match cells[g.min(cells.len())..] {
            [_, _, Cell::Score(j0), Cell::Score(j1)] if lead => Split::Usual { g, j0, j1 },
            _ => Split::Cells,
        }
    }
}

/// A group dictionary's values by length, for the usual split: group
/// columns usually hold a few values of different lengths, so the length
/// names the one candidate and one comparison settles it.
#[derive(Debug, Clone, Copy)]
struct ValuesByLength {
    /// By length: 1 + the index of the only value that long, 0 for none,
    /// `u8::MAX` for several (or too many values to index).
    slot: [u8; 32],
}

impl ValuesByLength {
    fn new(dict: &GroupDict) -> Self {
        let mut slot = [0u8; 32];
        for (i, v) in dict.values.iter().enumerate() {
            if let Some(s) = slot.get_mut(v.len()) {
                *s = if *s == 0 && i < usize::from(u8::MAX) - 1 {
                    i as u8 + 1
                } else {
                    u8::MAX
                };
            }
        }
        ValuesByLength { slot }
    }

    /// [`GroupDict::known`] of `dict` (the one this was made of, with no
    /// value added since): the code of a value already seen, else `None`.
    #[inline(always)]
    fn known(&self, dict: &GroupDict, v: &[u8]) -> Option<u32> {
        match self.slot.get(v.len()) {
            Some(0) => None,
            Some(&s) if s != u8::MAX => {
                let i = usize::from(s - 1);
                short_eq(dict.values.get(i)?.as_bytes(), v).then_some(i as u32)
            }
            _ => dict.known(v).or_else(|| dict.exact(v)),
        }
    }
}

impl<C: CellRules> RowDecoder<C> {
    /// A decoder for rows of `shape` checked by `rules`.
    pub fn new(shape: Arc<Shape>, rules: Arc<C>) -> Self {
        let width = shape.width();
        let term_col = shape.cells.iter().position(|c| *c == Cell::Term);
        let sep = term_col.map_or(b',', |c| sep_of(c, width));
        let term_patterns = shape
            .terms
            .iter()
            .map(|t| Pattern::new(t, sep).unwrap_or_default())
            .collect();
        let mut term_exact = fast_map();
        for (i, t) in shape.terms.iter().enumerate() {
            term_exact.entry(t.clone()).or_insert(i);
        }
        let term_words = TermWords::new(&shape.terms);
        let shape_for_tail = shape.clone();
        RowDecoder {
            values: Values {
                key: (0, 0),
                key_owned: Vec::new(),
                term: None,
                groups: [0; MAX_GROUPS],
                scores: vec![0; shape.score_cols.len()],
                count: 0,
                number: 0.0,
                date: None,
                bad: Vec::new(),
                lead_same: false,
            },
            successor: vec![Vec::new(); shape.group_cols.len()],
            shape,
            rules,
            lead: Pattern::default(),
            lead_misses: 0,
            term_next: 0,
            term_patterns,
            term_exact,
            term_words,
            date_raw: Pattern::default(),
            tail: Tail::of(&shape_for_tail),
            split: Split::of(&shape_for_tail),
            run: vec![Repeat::default(); RUN],
            lead_key: Vec::new(),
            lead_key_span: (0, 0),
            paths: Paths::default(),
        }
    }

    /// A decoder of the same shape and rules, for another range.
    pub fn fork(&self) -> Self {
        RowDecoder::new(self.shape.clone(), self.rules.clone())
    }

    /// Whether the quick strategies can read this shape.
    pub fn quick(&self) -> bool {
        self.shape.quick
    }

    /// Decodes a tokenizer's record by the cell rules (the record
    /// strategy) and hands it to `rule`.
    pub fn record<R: RowRule<Cells = C>>(
        &mut self,
        rule: &mut R,
        line: u64,
        rec: &RecordView<'_>,
    ) -> Result<()> {
        let shape = self.shape.clone();
        if rec.len() != shape.width() {
            return rule.ragged(line, rec.len());
        }
        self.paths.record += 1;
        let v = &mut self.values;
        v.bad.clear();
        v.lead_same = false;
        v.term = None;
        v.date = None;
        let (values, groups) = rule.dictionaries();
        // groups first, in group order, then the other cells in column
        // order, scores in score order: the order codes are given in
        for (j, &col) in shape.group_cols.iter().enumerate() {
            if let Some(g) = groups.get_mut(j) {
                v.groups[j] = g.code(rec.get(col));
            }
        }
        for (col, cell) in shape.cells.iter().enumerate() {
            let raw = rec.get(col);
            match *cell {
                Cell::Key => {
                    v.key_owned.clear();
                    v.key_owned.extend_from_slice(raw.trim_ascii());
                }
                Cell::Term => {
                    v.term = self
                        .term_exact
                        .get(raw)
                        .copied()
                        .or_else(|| self.rules.term(raw));
                    if let Some(t) = v.term {
                        self.term_next = t + 1;
                    }
                }
                Cell::Count => match self.rules.count(raw) {
                    Ok(n) => v.count = n,
                    Err(_) => v.bad.push(col),
                },
                Cell::Number => match self.rules.number(raw) {
                    Ok(x) => v.number = x,
                    Err(_) => v.bad.push(col),
                },
                Cell::Date => match self.rules.date(raw) {
                    Ok(d) => v.date = Some(d),
                    Err(_) => v.bad.push(col),
                },
                Cell::Group(_) | Cell::Score(_) | Cell::Skip => {}
            }
        }
        for (j, &col) in shape.score_cols.iter().enumerate() {
            match score_code(values, &*self.rules, rec.get(col)) {
                Some(c) => v.scores[j] = c,
                None => v.bad.push(col),
            }
        }
        // the next quick row cannot take this one's cells as its lead
        self.lead = Pattern::default();
        self.date_raw = Pattern::default();
        let row = Row {
            line,
            fields: Fields::Record(rec),
            values: &self.values,
            rules: &*self.rules,
            shape: &shape,
        };
        rule.accept(&row)
    }

    /// Reads as many whole quote-free lines from the start of `region` as
    /// the quick strategies can (starting none at or after `max_start`),
    /// handing each row to `rule`; returns the bytes and lines taken. The
    /// first line they cannot read is left for the tokenizer.
    pub fn lines<R: RowRule<Cells = C>>(
        &mut self,
        rule: &mut R,
        first_line: u64,
        region: &[u8],
        max_start: usize,
    ) -> Result<(usize, u64)> {
        if !self.shape.quick {
            return Ok((0, 0));
        }
        let shape = self.shape.clone();
        let (mut pos, mut n) = (0usize, 0u64);
        let runs = self.tail != Tail::Cells;
        // the group values by length, for the usual split (made once here,
        // as no new value can come through it)
        let by_length: Vec<ValuesByLength> = match self.split {
            Split::Usual { .. } => rule
                .dictionaries()
                .1
                .iter()
                .map(ValuesByLength::new)
                .collect(),
            Split::Cells => Vec::new(),
        };
        while pos < max_start {
            if runs && self.lead_misses < LEAD_MISSES && rule.run_ready(shape.lead_cols) {
                // the lead strategy: rows repeating the lead, in runs
                let digits = rule.dictionaries().0.digits;
                let k = self.collect_run(&digits, region, &mut pos, max_start);
                if k > 0 {
                    self.lead_misses = 0;
                    let run = Run {
                        first_line: first_line + n,
                        key: &self.lead_key,
                        rows: &self.run[..k],
                    };
                    rule.accept_run(&run)?;
                    self.paths.lead += k as u64;
                    n += k as u64;
                    continue;
                }
            }
            let usual =
                matches!(self.split, Split::Usual { .. }) && self.lead_misses >= LEAD_MISSES;
            if usual && rule.partition_writer().is_some() {
                // the partition strategy: usual rows straight to the files
                let k = self.partition_usual(
                    rule,
                    &by_length,
                    first_line + n,
                    region,
                    &mut pos,
                    max_start,
                )?;
                n += k;
                if k > 0 {
                    continue;
                }
            }
            let split = match usual {
                true => self.usual_line(rule, &by_length, region, pos),
                false => None,
            };
            let Some(end) = split.or_else(|| self.quick_line(rule, &shape, region, pos)) else {
                break;
            };
            let row = Row {
                line: first_line + n,
                fields: Fields::Line {
                    region,
                    start: pos,
                    end: end - 1,
                },
                values: &self.values,
                rules: &*self.rules,
                shape: &shape,
            };
            rule.accept(&row)?;
            pos = end;
            n += 1;
        }
        Ok((pos, n))
    }

    /// The lead strategy for a usual layout ([`Tail`]): the rows from
    /// `region[*pos..]` that start with the previous line's lead, whose
    /// tail is the expected term and plain scores (whose codes `digits`
    /// knows) or count, into `self.run` (at most [`RUN`], none starting at
    /// or after `max_start`); moves `*pos` past them and returns how many.
    fn collect_run(
        &mut self,
        digits: &[u16; 10],
        region: &[u8],
        pos: &mut usize,
        max_start: usize,
    ) -> usize {
        let lead = self.lead;
        let patterns = &self.term_patterns[..];
        let mut next = self.term_next;
        let mut p = *pos;
        let mut k = 0;
        match self.tail {
            Tail::TermTwoScores(j0, j1) => {
                while k < RUN && p < max_start {
                    let Some((q, term)) = run_head(&lead, patterns, region, p, next) else {
                        break;
                    };
                    let Some((c0, c1)) = two_digit_tail(region, q, digits) else {
                        break;
                    };
                    // scores in score order, whatever their columns' order
                    let scores = if j0 < j1 { [c0, c1] } else { [c1, c0] };
                    self.run[k] = Repeat {
                        term: term as u32,
                        scores,
                        count: 0,
                    };
                    (k, next, p) = (k + 1, term + 1, q + 4);
                }
            }
            Tail::TermCount => {
                while k < RUN && p < max_start {
                    let Some((q, term)) = run_head(&lead, patterns, region, p, next) else {
                        break;
                    };
                    let Some((count, end)) = whole_number(region, q, 18, b'\n') else {
                        break;
                    };
                    self.run[k] = Repeat {
                        term: term as u32,
                        scores: [0; 2],
                        count,
                    };
                    (k, next, p) = (k + 1, term + 1, end);
                }
            }
            Tail::Term => {
                while k < RUN && p < max_start {
                    let Some((q, term)) = run_head(&lead, patterns, region, p, next) else {
                        break;
                    };
                    self.run[k] = Repeat {
                        term: term as u32,
                        scores: [0; 2],
                        count: 1,
                    };
                    (k, next, p) = (k + 1, term + 1, q);
                }
            }
            Tail::Cells => {}
        }
        self.term_next = next;
        *pos = p;
        k
    }

    /// The line at `region[pos..]` in the usual layout ([`Split::Usual`]),
    /// by one separator mask for its first 32 bytes: a clean key, group
    /// values already known (`by_length` of the dictionaries `dicts`), a
    /// term given exactly, two one-digit scores already checked (`digits`).
    /// `None` for any other line.
    #[inline(always)]
    fn decode_usual<const G: usize>(
        &self,
        dicts: &[GroupDict],
        digits: &[u16; 10],
        by_length: &[ValuesByLength],
        region: &[u8],
        pos: usize,
    ) -> Option<UsualRow> {
        let Split::Usual { j0, j1, .. } = self.split else {
            return None;
        };
        let (Some(by_length), Some(dicts)) =
            (by_length.first_chunk::<G>(), dicts.first_chunk::<G>())
        else {
            return None;
        };
        let mut seps = Separators::at(region, pos);
        let e = seps.next_comma(region, pos)?;
        match &region[pos..e] {
            [a, .., z] if !a.is_ascii_whitespace() && !z.is_ascii_whitespace() => {}
            [a] if !a.is_ascii_whitespace() => {}
            _ => return None,
        }
        let mut row = UsualRow {
            key: (pos, e - pos),
            ..UsualRow::default()
        };
        let mut p = e + 1;
        for j in 0..G {
            let e = seps.next_comma(region, p)?;
            row.groups[j] = by_length[j].known(&dicts[j], &region[p..e])?;
            p = e + 1;
        }
        let e = seps.next_comma(region, p)?;
        row.term = match &self.term_words {
            Some(w) => w.find(region, p, e - p),
            None => self.term_exact.get(&region[p..e]).copied(),
        }?;
        p = e + 1;
        let (c0, c1) = two_digit_tail(region, p, digits)?;
        // scores in score order, whatever their columns' order
        row.scores = if j0 < j1 { [c0, c1] } else { [c1, c0] };
        row.end = p + 4;
        Some(row)
    }

    /// The split strategy for the usual layout: the line at `region[pos..]`
    /// decoded by [`RowDecoder::decode_usual`] into the row; the position
    /// after its `\n`, or `None` (nothing changed).
    #[inline(always)]
    fn usual_line<R: RowRule<Cells = C>>(
        &mut self,
        rule: &mut R,
        by_length: &[ValuesByLength],
        region: &[u8],
        pos: usize,
    ) -> Option<usize> {
        let (values, dicts) = rule.dictionaries();
        let u = match dicts.len() {
            0 => self.decode_usual::<0>(dicts, &values.digits, by_length, region, pos),
            1 => self.decode_usual::<1>(dicts, &values.digits, by_length, region, pos),
            2 => self.decode_usual::<2>(dicts, &values.digits, by_length, region, pos),
            3 => self.decode_usual::<3>(dicts, &values.digits, by_length, region, pos),
            _ => None,
        }?;
        let v = &mut self.values;
        v.scores.get_mut(..2)?.copy_from_slice(&u.scores);
        v.groups = u.groups;
        v.key = (u.key.0 - pos, u.key.0 - pos + u.key.1);
        v.term = Some(u.term);
        v.bad.clear();
        v.lead_same = false;
        self.term_next = u.term + 1;
        self.paths.split += 1;
        Some(u.end)
    }

    /// The partition strategy: rows of the usual layout, whose cells are
    /// all valid as [`RowDecoder::decode_usual`] reads them, go straight to
    /// the rule's partition files ([`RowRule::partition_writer`]) while
    /// they come; the rule counts them. Moves `pos` past them and returns
    /// how many.
    fn partition_usual<R: RowRule<Cells = C>>(
        &mut self,
        rule: &mut R,
        by_length: &[ValuesByLength],
        first_line: u64,
        region: &[u8],
        pos: &mut usize,
        max_start: usize,
    ) -> Result<u64> {
        let (values, dicts) = rule.dictionaries();
        let (digits, dicts) = (values.digits, dicts.to_vec());
        let Some(writer) = rule.partition_writer() else {
            return Ok(0);
        };
        let mut at = Partitioning {
            dicts: &dicts,
            digits: &digits,
            by_length,
            first_line,
            region,
            max_start,
        };
        let n = match dicts.len() {
            0 => self.partition_usual_of::<0>(writer, &mut at, pos)?,
            1 => self.partition_usual_of::<1>(writer, &mut at, pos)?,
            2 => self.partition_usual_of::<2>(writer, &mut at, pos)?,
            3 => self.partition_usual_of::<3>(writer, &mut at, pos)?,
            _ => 0,
        };
        self.paths.split += n;
        rule.partitioned(n);
        Ok(n)
    }

    /// [`RowDecoder::partition_usual`] for `G` group columns (its loop
    /// unrolls).
    #[inline(never)]
    fn partition_usual_of<const G: usize>(
        &self,
        writer: &mut super::spill::SpillWriter,
        at: &mut Partitioning<'_>,
        pos: &mut usize,
    ) -> Result<u64> {
        let mut n = 0u64;
        while *pos < at.max_start {
            let Some(u) =
                self.decode_usual::<G>(at.dicts, at.digits, at.by_length, at.region, *pos)
            else {
                break;
            };
            let groups = u.groups.first_chunk::<G>().map_or(&[][..], |g| &g[..]);
            writer.write_in(
                at.first_line + n,
                at.region,
                u.key.0,
                u.key.1,
                u.term,
                &u.scores,
                groups,
            )?;
            *pos = u.end;
            n += 1;
        }
        Ok(n)
    }

    /// Decodes the line at `region[pos..]` by the quick forms: the position
    /// after its `\n`, or `None` (nothing remembered changed) for a line
    /// they cannot read.
    #[inline(always)]
    fn quick_line<R: RowRule<Cells = C>>(
        &mut self,
        rule: &mut R,
        shape: &Shape,
        region: &[u8],
        pos: usize,
    ) -> Option<usize> {
        let width = shape.width();
        let mut p = pos;
        let mut col = 0;
        let lead_same =
            shape.lead_cols > 0 && self.lead_misses < LEAD_MISSES && self.lead.matches(region, p);
        if lead_same {
            p += self.lead.len();
            col = shape.lead_cols;
            // the key is in the lead, where it was in the line that set it
            // (not where the last line read, which may have been another
            // strategy's, had it)
            self.values.key = self.lead_key_span;
        }
        // the separator mask of the cells from `seps.1` on, made when a
        // cell needs it
        let mut seps: (Separators, usize) = (Separators::none(), usize::MAX);
        let (values, groups) = rule.dictionaries();
        // the values are written in place (a failed line is decoded again
        // from its record); groups and dates keep the previous row's until
        // a cell changes them, which the quick forms start from
        let v = &mut self.values;
        let mut term = None;
        // where the lead cells end (after their last separator)
        let mut lead_end = p;
        while col < width {
            if col == shape.lead_cols {
                lead_end = p;
            }
            let last = col + 1 == width;
            let cell = shape.cells[col];
            // two one-digit scores ending the line: "d,d\n" as one word
            if let (Cell::Score(j0), Some(Cell::Score(j1)), true) =
                (cell, shape.cells.get(col + 1), col + 2 == width)
            {
                let (c0, c1) = two_digit_tail(region, p, &values.digits)?;
                v.scores[j0] = c0;
                v.scores[*j1] = c1;
                p += 4;
                col += 2;
                continue;
            }
            let sep = if last { b'\n' } else { b',' };
            match cell {
                Cell::Score(j) => {
                    let d = region.get(p).map_or(0xff, |d| d.wrapping_sub(b'0')) as usize;
                    let code = *values.digits.get(d)?;
                    if code == 0 || region.get(p + 1) != Some(&sep) {
                        return None;
                    }
                    v.scores[j] = code;
                    p += 2;
                }
                Cell::Term => {
                    let next = if self.term_next < self.term_patterns.len() {
                        self.term_next
                    } else {
                        0
                    };
                    match self.term_patterns.get(next) {
                        Some(tp) if tp.matches(region, p) => {
                            p += tp.len();
                            term = Some(next);
                        }
                        _ => {
                            let e = next_end(&mut seps, region, p, last)?;
                            let t = match &self.term_words {
                                Some(w) => w.find(region, p, e - p),
                                None => self.term_exact.get(&region[p..e]).copied(),
                            }?;
                            term = Some(t);
                            p = e + 1;
                        }
                    }
                }
                Cell::Key => {
                    let e = next_end(&mut seps, region, p, last)?;
                    match &region[p..e] {
                        [a, .., z] if !a.is_ascii_whitespace() && !z.is_ascii_whitespace() => {}
                        [a] if !a.is_ascii_whitespace() => {}
                        _ => return None,
                    }
                    v.key = (p - pos, e - pos);
                    p = e + 1;
                }
                Cell::Group(j) => {
                    let e = next_end(&mut seps, region, p, last)?;
                    let cell = &region[p..e];
                    let dict = groups.get(j)?;
                    let after = self.successor[j].get(v.groups[j] as usize).copied();
                    let code = match after {
                        Some(g)
                            if dict
                                .values
                                .get(g as usize)
                                .is_some_and(|x| short_eq(x.as_bytes(), cell)) =>
                        {
                            g
                        }
                        _ => {
                            let g = dict.known(cell).or_else(|| dict.exact(cell))?;
                            let prev = v.groups[j] as usize;
                            let succ = &mut self.successor[j];
                            if succ.len() <= prev {
                                succ.resize(prev + 1, u32::MAX);
                            }
                            succ[prev] = g;
                            g
                        }
                    };
                    v.groups[j] = code;
                    p = e + 1;
                }
                Cell::Count => {
                    let (n, end) = whole_number(region, p, 18, sep)?;
                    v.count = n;
                    p = end;
                }
                Cell::Number => {
                    let (n, end) = whole_number(region, p, 15, sep)?;
                    v.number = n as f64;
                    p = end;
                }
                Cell::Date => {
                    if v.date.is_some() && self.date_raw.matches(region, p) {
                        p += self.date_raw.len();
                    } else {
                        let e = next_end(&mut seps, region, p, last)?;
                        let d = self.rules.date(&region[p..e]).ok();
                        self.date_raw = match d {
                            Some(_) => Pattern::at(region, p, e + 1 - p).unwrap_or_default(),
                            None => Pattern::default(),
                        };
                        v.date = Some(d?);
                        p = e + 1;
                    }
                }
                Cell::Skip => {
                    p = next_end(&mut seps, region, p, last)? + 1;
                }
            }
            col += 1;
        }
        if col == shape.lead_cols {
            lead_end = p;
        }
        // every cell is valid: the row is this line's
        if !lead_same && shape.lead_cols > 0 && self.lead_misses < LEAD_MISSES {
            self.lead_misses += 1;
            self.lead = Pattern::at(region, pos, lead_end - pos).unwrap_or_default();
            self.lead_key.clear();
            self.lead_key
                .extend_from_slice(region.get(pos + v.key.0..pos + v.key.1)?);
            self.lead_key_span = v.key;
        } else if lead_same {
            self.lead_misses = 0;
        }
        if lead_same {
            self.paths.lead += 1;
        } else {
            self.paths.split += 1;
        }
        if let Some(t) = term {
            self.term_next = t + 1;
        }
        v.term = term;
        v.bad.clear();
        v.lead_same = lead_same;
        Some(p)
    }
}

/// The end of the field at `p` (`,`, or `\n` for the last one): from a
/// separator mask while it lasts, then [`field_end`]. The mask is made at
/// `p` unless it was left there by the previous field.
#[inline(always)]
fn next_end(seps: &mut (Separators, usize), region: &[u8], p: usize, last: bool) -> Option<usize> {
    if last {
        return field_end(region, p, b'\n');
    }
    if seps.1 != p {
        seps.0 = Separators::at(region, p);
    }
    let e = seps.0.next_comma(region, p)?;
    seps.1 = e + 1;
    Some(e)
}

/// A score cell's code: a one-digit value already checked costs a table
/// look-up; any other goes through the score rule, and a one-digit value
/// it accepts is remembered. `None` for an invalid cell.
#[inline(always)]
fn score_code(values: &mut ValueDict, rules: &dyn CellRules, raw: &[u8]) -> Option<u16> {
    if let [d] = raw {
        let d = d.wrapping_sub(b'0') as usize;
        if d < 10 && values.digits[d] != 0 {
            return Some(values.digits[d]);
        }
    }
    score_code_by_rule(values, rules, raw)
}

#[cold]
#[inline(never)]
fn score_code_by_rule(values: &mut ValueDict, rules: &dyn CellRules, raw: &[u8]) -> Option<u16> {
    match rules.score(raw) {
        Ok(None) => Some(0),
        Ok(Some(v)) => {
            let c = values.code(v)?;
            if let [d] = raw.trim_ascii() {
                if d.is_ascii_digit() {
                    values.digits[usize::from(d - b'0')] = c;
                }
            }
            Some(c)
        }
        Err(_) => None,
    }
}

/// The codes of two one-digit scores already seen that end a line at
/// `region[p..]`: "d,d\n" checked as one word.
#[inline(always)]
fn two_digit_tail(region: &[u8], p: usize, digits: &[u16; 10]) -> Option<(u16, u16)> {
    let tail = region.get(p..p + 4)?;
    let w = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    if w & 0xff00_ff00 != 0x0a00_2c00 {
        return None;
    }
    let d0 = (w & 0xff).wrapping_sub(u32::from(b'0')) as usize;
    let d1 = ((w >> 16) & 0xff).wrapping_sub(u32::from(b'0')) as usize;
    let (&c0, &c1) = (digits.get(d0)?, digits.get(d1)?);
    (c0 != 0 && c1 != 0).then_some((c0, c1))
}

/// A plain whole number of one to `max_digits` digits at `p`, then `sep`:
/// the number and the position after the separator.
#[inline(always)]
fn whole_number(region: &[u8], p: usize, max_digits: usize, sep: u8) -> Option<(u64, usize)> {
    let (mut v, mut q) = (0u64, p);
    while let Some(d) = region
        .get(q)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|d| *d < 10)
    {
        v = v * 10 + d as u64;
        q += 1;
        if q - p > max_digits {
            return None;
        }
    }
    (q > p && region.get(q) == Some(&sep)).then_some((v, q + 1))
}

/// The row at `region[p..]` of a run up to its tail: where the tail
/// starts and the term, when the row starts with `lead` and its term is
/// the one after the previous row's (`next`, wrapping to the first).
#[inline(always)]
fn run_head(
    lead: &Pattern,
    patterns: &[Pattern],
    region: &[u8],
    p: usize,
    next: usize,
) -> Option<(usize, usize)> {
    if !lead.matches(region, p) {
        return None;
    }
    let q = p + lead.len();
    let next = if next < patterns.len() { next } else { 0 };
    let tp = patterns.get(next)?;
    tp.matches(region, q).then_some((q + tp.len(), next))
}

/// The separator after column `i` of `width`.
#[inline(always)]
fn sep_of(i: usize, width: usize) -> u8 {
    if i + 1 == width {
        b'\n'
    } else {
        b','
    }
}

/// An open-addressing table from terms of up to eight bytes, read as one
/// word, to their index: shuffled exports give no "next term" to guess, and
/// this costs a multiplication and a comparison where a hash map costs a
/// hash.
#[derive(Debug, Clone)]
struct TermWords {
    /// (term bytes as a little-endian word, length, index); length 0 is empty.
    slots: Vec<(u64, u8, u32)>,
    shift: u32,
}

impl TermWords {
    fn new(terms: &[Box<[u8]>]) -> Option<Self> {
        if terms.is_empty()
            || terms.iter().any(|t| t.is_empty() || t.len() > 8)
            || terms.len() > 1 << 16
        {
            return None;
        }
        let bits = (terms.len() * 2)
            .next_power_of_two()
            .max(16)
            .trailing_zeros();
        let mut t = TermWords {
            slots: vec![(0, 0, 0); 1 << bits],
            shift: 64 - bits,
        };
        for (i, id) in terms.iter().enumerate() {
            let w = Self::word(id);
            let mut h = t.home(w);
            while t.slots[h].1 != 0 {
                if t.slots[h].0 == w && t.slots[h].1 as usize == id.len() {
                    break; // the same term twice: the first one counts
                }
                h = (h + 1) & (t.slots.len() - 1);
            }
            if t.slots[h].1 == 0 {
                t.slots[h] = (w, id.len() as u8, i as u32);
            }
        }
        Some(t)
    }

    #[inline(always)]
    fn word(id: &[u8]) -> u64 {
        id.iter()
            .enumerate()
            .fold(0u64, |w, (i, &b)| w | (b as u64) << (8 * i))
    }

    #[inline(always)]
    fn home(&self, w: u64) -> usize {
        (w.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The term whose text is `region[at..at + len]`.
    #[inline(always)]
    fn find(&self, region: &[u8], at: usize, len: usize) -> Option<usize> {
        if len == 0 || len > 8 {
            return None;
        }
        let w = match region.get(at..at + 8) {
            Some(b) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                u64::from_le_bytes(a) & (u64::MAX >> (64 - 8 * len as u32))
            }
            None => Self::word(region.get(at..at + len)?),
        };
        let mut h = self.home(w);
        loop {
            let (sw, sl, item) = self.slots[h];
            if sl == 0 {
                return None;
            }
            if sw == w && sl as usize == len {
                return Some(item as usize);
            }
            h = (h + 1) & (self.slots.len() - 1);
        }
    }
}

/// A reader's rule and the decoder of its rows, as the record engine sees
/// them: every strategy of the module docs, feeding one rule.
pub(crate) struct TypedSink<R: RowRule> {
    /// The reader's rule (and records).
    pub rule: R,
    /// The decoder of its rows.
    pub decoder: RowDecoder<R::Cells>,
    /// The bytes of rows announced, until the first line tells their length.
    expected: Option<u64>,
}

impl<R: RowRule> TypedSink<R> {
    /// The sink of `rule`, reading rows of `shape` checked by `rules`.
    pub fn new(rule: R, shape: Shape, rules: R::Cells) -> Self {
        TypedSink {
            rule,
            decoder: RowDecoder::new(Arc::new(shape), Arc::new(rules)),
            expected: None,
        }
    }

    /// Rows read by each strategy, this range and those merged into it.
    pub fn paths(&self) -> Paths {
        self.decoder.paths
    }
}

impl<R: RowRule> RecordSink for TypedSink<R> {
    fn record(&mut self, line: u64, rec: &RecordView<'_>) -> Result<()> {
        if let Some(total) = self.expected.take() {
            let len = (0..rec.len()).map(|i| rec.get(i).len() + 1).sum();
            self.rule.expect_bytes(total, len);
        }
        self.decoder.record(&mut self.rule, line, rec)
    }

    #[inline]
    fn quote_free_line(&mut self, line: u64, bytes: &[u8], ends: &[usize]) -> Result<()> {
        if let Some(total) = self.expected.take() {
            self.rule.expect_bytes(total, bytes.len() + 1);
        }
        self.decoder
            .record(&mut self.rule, line, &RecordView::of_line(bytes, ends))
    }

    fn takes_lines(&self) -> bool {
        self.decoder.quick()
    }

    fn quote_free_lines(
        &mut self,
        line: u64,
        region: &[u8],
        max_start: usize,
    ) -> Result<(usize, u64)> {
        if let Some(total) = self.expected.take() {
            let len = memchr::memchr(b'\n', region).map_or(region.len(), |e| e + 1);
            self.rule.expect_bytes(total, len);
        }
        self.decoder.lines(&mut self.rule, line, region, max_start)
    }

    fn partition_key(&self) -> Option<usize> {
        self.rule.partition_key()
    }

    fn enable_spill(&mut self) -> Result<bool> {
        self.rule.enable_spill()
    }

    fn expect_bytes(&mut self, bytes: u64) {
        self.expected = Some(bytes);
    }

    fn fork(&self) -> Self {
        TypedSink {
            rule: self.rule.fork(),
            decoder: self.decoder.fork(),
            expected: None,
        }
    }

    fn merge(&mut self, later: Self, line_offset: u64) -> Result<()> {
        self.decoder.paths.add(&later.decoder.paths);
        self.rule.merge(later.rule, line_offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_words_find_exactly_the_terms() {
        let terms: Vec<Box<[u8]>> = [&b"q01"[..], b"q02", b"q1", b"abcdefgh", b"q01"]
            .iter()
            .map(|t| Box::from(*t))
            .collect();
        let t = TermWords::new(&terms).expect("short terms");
        let region = b"q01,q02,q1,abcdefgh,q0,q011,Q01,x";
        assert_eq!(t.find(region, 0, 3), Some(0));
        assert_eq!(t.find(region, 4, 3), Some(1));
        assert_eq!(t.find(region, 8, 2), Some(2));
        assert_eq!(t.find(region, 11, 8), Some(3), "eight bytes");
        assert_eq!(t.find(region, 20, 2), None, "a prefix of a term");
        assert_eq!(t.find(region, 23, 4), None, "a term and more");
        assert_eq!(t.find(region, 28, 3), None, "case matters here");
        assert_eq!(t.find(region, 32, 1), None, "near the end");
        assert_eq!(t.find(region, 0, 0), None);
        assert!(TermWords::new(&[Box::from(&b"a_long_item_id"[..])]).is_none());
    }

    #[test]
    fn values_by_length_know_what_the_dictionary_knows() {
        // Distinct lengths (one candidate each), two values of one length
        // (the scan), a value too long for the table, and values never
        // seen: every answer is the dictionary's own.
        let mut d = GroupDict::new();
        let seen = [
            "consumer",
            "vip",
            "enterprise",
            "abc",
            "a value longer than thirty-two bytes",
            "",
        ];
        for v in seen {
            d.code(v.as_bytes());
        }
        let by_len = ValuesByLength::new(&d);
        let asked = seen.iter().copied().chain([
            "consumes",
            "vip ",
            "vi",
            "xyz",
            "a value longer than thirty-two bytez",
            "新客户",
        ]);
        for v in asked {
            let want = d.values.iter().position(|x| x == v).map(|i| i as u32);
            assert_eq!(by_len.known(&d, v.as_bytes()), want, "{v:?}");
            assert_eq!(d.known(v.as_bytes()), want, "{v:?}");
        }
        assert_eq!(by_len.known(&d, b"consumer"), Some(0));
        assert_eq!(by_len.known(&d, b"abc"), Some(3));
    }
}
