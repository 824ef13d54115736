//! What a result shows, as tables of typed cells: each result says once
//! which tables it has, their columns and each cell's value and kind
//! ([`Tabular`]); each output format lays those tables out its own way.
//! A cell is formatted for its audience at the last moment
//! ([`Cell::text`]): for people (terminal tables, Markdown) numbers have
//! fixed decimals and an unavailable figure is `—`; for data (CSV, and
//! spreadsheets to come) numbers are the shortest exact text and an
//! unavailable figure is empty. Some columns and tables are for one
//! audience only ([`Show`]): a confidence interval is one `[low, high]`
//! cell for people and two columns for data.

use super::number::{count, fixed, full, p_value};

/// Who reads a rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Terminal tables and Markdown.
    People,
    /// CSV (and spreadsheets).
    Data,
}

/// Which audiences a table or column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// Both.
    #[default]
    Both,
    /// People only.
    People,
    /// Data only.
    Data,
}

impl Show {
    /// Whether `audience` sees it.
    pub fn to(self, audience: Audience) -> bool {
        match self {
            Show::Both => true,
            Show::People => audience == Audience::People,
            Show::Data => audience == Audience::Data,
        }
    }
}

/// How a column's numbers are shown to people (data always gets the
/// shortest exact text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Fixed decimals.
    Fixed(usize),
    /// A share as a percentage with one decimal (`97.5%`).
    Percent,
    /// A difference of shares in percentage points (`+2.5 pts`).
    PercentPoints,
    /// A p-value: three decimals, in scientific notation below 0.001.
    PValue,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, left-aligned.
    Text,
    /// A count.
    Count,
    /// A number, shown to people in a [`Style`].
    Number(Style),
    /// A `[low, high]` interval, for people (data gets two number columns).
    Interval(Style),
    /// A yes/no: `mark` or nothing for people, `true`/`false` for data.
    Flag(&'static str),
}

impl Kind {
    /// A mean, gap or level on the response scale, a standard deviation,
    /// an interval's ends: two decimals (6.33, −1.37).
    pub const SCORE: Kind = Kind::Number(Style::Fixed(2));
    /// A standard error, a reliability (α), a weight or an importance
    /// share: three decimals.
    pub const FINE: Kind = Kind::Number(Style::Fixed(3));
    /// A test statistic (t): two decimals.
    pub const STATISTIC: Kind = Kind::Number(Style::Fixed(2));
    /// A p-value (see [`Style::PValue`]).
    pub const P_VALUE: Kind = Kind::Number(Style::PValue);
    /// A share: a percentage with one decimal.
    pub const SHARE: Kind = Kind::Number(Style::Percent);
    /// A rate (index points per unit or per day), a centre line, a
    /// control limit: two decimals.
    pub const RATE: Kind = Kind::Number(Style::Fixed(2));
    /// Whole quantities (index points from whole weights, volumes in
    /// units): no decimals.
    pub const WHOLE: Kind = Kind::Number(Style::Fixed(0));

    /// Whether people see the column right-aligned.
    pub fn numeric(self) -> bool {
        !matches!(self, Kind::Text | Kind::Flag(_))
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count (`None`: unavailable).
    Count(Option<u64>),
    /// A number (`None`: unavailable).
    Number(Option<f64>),
    /// An interval (`None`s: unavailable).
    Interval(Option<f64>, Option<f64>),
    /// A yes/no.
    Flag(bool),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }

    /// The cell's text for `audience`, in its column's `kind`.
    pub fn render(&self, kind: Kind, audience: Audience) -> String {
        let people = audience == Audience::People;
        match (self, kind) {
            (Cell::Text(s), _) => s.clone(),
            (Cell::Count(n), _) if people => count(*n),
            (Cell::Count(n), _) => n.map(|v| v.to_string()).unwrap_or_default(),
            (Cell::Number(x), Kind::Number(style)) if people => styled(*x, style),
            (Cell::Number(x), _) => full(*x),
            (Cell::Interval(lo, hi), Kind::Interval(style)) if people => match (lo, hi) {
                (Some(l), Some(h)) => {
                    format!("[{}, {}]", styled(Some(*l), style), styled(Some(*h), style))
                }
                _ => "—".into(),
            },
            (Cell::Interval(lo, hi), _) => format!("{} {}", full(*lo), full(*hi)),
            (Cell::Flag(b), Kind::Flag(mark)) if people => if *b { mark } else { "" }.into(),
            (Cell::Flag(b), _) => b.to_string(),
        }
    }
}

/// The sets of tables a grouped result shows, each with its leading group
/// cells: just `all` when there are no groups, else `all` under "(all)" in
/// every `by` column followed by each group under its key.
pub(crate) fn grouped_sets<'a, T>(
    by: &[String],
    all: &'a T,
    groups: impl IntoIterator<Item = (&'a [(String, String)], &'a T)>,
) -> Vec<(Vec<Cell>, &'a T)> {
    let mut groups = groups.into_iter().peekable();
    if groups.peek().is_none() {
        return vec![(vec![], all)];
    }
    let mut out = vec![(by.iter().map(|_| Cell::text("(all)")).collect(), all)];
    out.extend(
        groups.map(|(key, tables)| (key.iter().map(|(_, v)| Cell::text(v)).collect(), tables)),
    );
    out
}

/// `x` for people in `style`.
fn styled(x: Option<f64>, style: Style) -> String {
    match (style, x) {
        (Style::Fixed(places), x) => fixed(x, places),
        (Style::Percent, Some(v)) => format!("{:.1}%", v * 100.0),
        (Style::PercentPoints, Some(v)) => format!("{:+.1} pts", v * 100.0),
        (Style::Percent | Style::PercentPoints, None) => "—".into(),
        (Style::PValue, x) => p_value(x),
    }
}

/// A column: its header for people and its name for data (the JSON
/// field's name).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header for people.
    pub label: String,
    /// Header for data: the JSON field's name.
    pub name: String,
    /// What it holds.
    pub kind: Kind,
    /// Who sees it.
    pub show: Show,
    /// Which columns a narrow terminal drops first: 0 never, then the
    /// highest first (see [`Column::optional`]).
    pub drop_rank: u8,
}

impl Column {
    /// A column with one header for everyone.
    pub fn new(header: impl Into<String>, kind: Kind) -> Self {
        let header = header.into();
        Column {
            label: header.clone(),
            name: header,
            kind,
            show: Show::Both,
            drop_rank: 0,
        }
    }

    /// A column with a header for people and a name for data.
    pub fn named(label: impl Into<String>, name: impl Into<String>, kind: Kind) -> Self {
        Column {
            label: label.into(),
            name: name.into(),
            kind,
            show: Show::Both,
            drop_rank: 0,
        }
    }

    /// The column for `show` only.
    pub fn only(mut self, show: Show) -> Self {
        self.show = show;
        self
    }

    /// A column a terminal too narrow for the table may leave out: those
    /// of the highest `rank` go first (`--wide` shows them all).
    pub fn optional(mut self, rank: u8) -> Self {
        self.drop_rank = rank;
        self
    }
}

/// The rows of a table too long to hold as cells (a year of daily SQI
/// figures for thousands of sites): made again, row by row, each time a
/// renderer reads them.
pub struct RowSource<'a> {
    len: usize,
    make: RowMaker<'a>,
}

/// What makes a [`RowSource`]'s rows.
type RowMaker<'a> = Box<dyn Fn() -> Box<dyn Iterator<Item = Vec<Cell>> + 'a> + 'a>;

impl std::fmt::Debug for RowSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RowSource({} rows)", self.len)
    }
}

/// A table: columns and rows of cells, a row per line.
#[derive(Debug)]
pub struct Table<'a> {
    /// Heading for people.
    pub title: String,
    /// Name for data: the JSON array's key (`items`, `periods`, …), which
    /// `--table` and spreadsheet sheets use.
    pub name: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, a cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Who sees it.
    pub show: Show,
    /// Rows made on demand, after `rows`.
    source: Option<RowSource<'a>>,
}

impl<'a> Table<'a> {
    /// An empty table: its heading for people and its name for data.
    pub fn new(title: impl Into<String>, name: impl Into<String>, columns: Vec<Column>) -> Self {
        Table {
            title: title.into(),
            name: name.into(),
            columns,
            rows: Vec::new(),
            show: Show::Both,
            source: None,
        }
    }

    /// The table for `show` only.
    pub fn only(mut self, show: Show) -> Self {
        self.show = show;
        self
    }

    /// The table with `len` more rows, made by `make` whenever they are read.
    pub fn with_rows_made<F, I>(mut self, len: usize, make: F) -> Self
    where
        F: Fn() -> I + 'a,
        I: Iterator<Item = Vec<Cell>> + 'a,
    {
        self.source = Some(RowSource {
            len,
            make: Box::new(move || Box::new(make())),
        });
        self
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows.len() + self.source.as_ref().map_or(0, |s| s.len)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with every row in order, stopping at its first error.
    pub fn try_each_row<E>(&self, mut f: impl FnMut(&[Cell]) -> Result<(), E>) -> Result<(), E> {
        for r in &self.rows {
            f(r)?;
        }
        if let Some(s) = &self.source {
            for r in (s.make)() {
                f(&r)?;
            }
        }
        Ok(())
    }

    /// The indices of the columns `audience` sees.
    pub fn visible(&self, audience: Audience) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&c| self.columns[c].show.to(audience))
            .collect()
    }

    /// The headers of `columns` for `audience`.
    pub fn header(&self, columns: &[usize], audience: Audience) -> Vec<String> {
        columns
            .iter()
            .map(|&c| match audience {
                Audience::People => self.columns[c].label.clone(),
                Audience::Data => self.columns[c].name.clone(),
            })
            .collect()
    }

    /// The text of `row`'s `columns` for `audience`.
    pub fn row_text(&self, row: &[Cell], columns: &[usize], audience: Audience) -> Vec<String> {
        columns
            .iter()
            .map(|&c| {
                row.get(c).map_or_else(String::new, |cell| {
                    cell.render(self.columns[c].kind, audience)
                })
            })
            .collect()
    }

    /// The table as `audience` sees it, every row laid out as text (for
    /// short tables; renderers of long ones read rows one at a time).
    pub fn laid_out(&self, audience: Audience) -> TextTable {
        let visible = self.visible(audience);
        let mut rows = Vec::with_capacity(self.len());
        let _ = self.try_each_row(|r| {
            rows.push(self.row_text(r, &visible, audience));
            Ok::<(), ()>(())
        });
        TextTable {
            title: match audience {
                Audience::People => self.title.clone(),
                Audience::Data => self.name.clone(),
            },
            header: self.header(&visible, audience),
            numeric: visible
                .iter()
                .map(|&c| self.columns[c].kind.numeric())
                .collect(),
            rows,
        }
    }
}

/// A table laid out as text for one audience.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    /// Title shown above the table.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Which columns are numeric (right-aligned).
    pub numeric: Vec<bool>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// A result shown as tables: what every output format but JSON renders.
pub trait Tabular {
    /// The report's heading (Markdown's title).
    fn title(&self) -> String;

    /// Every table, in order.
    fn tables(&self) -> Vec<Table<'_>>;

    /// The name of the main table: the one `--format csv` writes when no
    /// `--table` is named.
    fn main_table(&self) -> &'static str;

    /// The lines under the tables: inputs, row counts, notes.
    fn footer(&self) -> Vec<String>;

    /// The tables `audience` sees.
    fn tables_for(&self, audience: Audience) -> Vec<Table<'_>> {
        self.tables()
            .into_iter()
            .filter(|t| t.show.to(audience))
            .collect()
    }

    /// The data table named `name`.
    fn data_table(&self, name: &str) -> Option<Table<'_>> {
        self.tables_for(Audience::Data)
            .into_iter()
            .find(|t| t.name == name)
    }

    /// The names of the data tables, in order.
    fn table_names(&self) -> Vec<String> {
        self.tables_for(Audience::Data)
            .into_iter()
            .map(|t| t.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_formatted_for_their_audience() {
        let n = Kind::Number(Style::Fixed(4));
        assert_eq!(
            Cell::Number(Some(0.5)).render(n, Audience::People),
            "0.5000"
        );
        assert_eq!(Cell::Number(Some(0.5)).render(n, Audience::Data), "0.5");
        assert_eq!(Cell::Number(None).render(n, Audience::People), "—");
        assert_eq!(Cell::Number(None).render(n, Audience::Data), "");
        assert_eq!(Cell::Count(None).render(Kind::Count, Audience::People), "—");
        assert_eq!(
            Cell::Count(Some(3)).render(Kind::Count, Audience::Data),
            "3"
        );
        // a decimal column keeps its decimals on whole numbers
        assert_eq!(
            Cell::Number(Some(120.0)).render(Kind::SCORE, Audience::People),
            "120.00"
        );
        assert_eq!(
            Cell::Number(Some(120.0)).render(Kind::WHOLE, Audience::People),
            "120"
        );
        assert_eq!(
            Cell::Number(Some(1.5e-12)).render(Kind::P_VALUE, Audience::Data),
            "1.5e-12"
        );
        assert_eq!(
            Cell::Number(Some(1.5e-12)).render(Kind::P_VALUE, Audience::People),
            "1.5e-12"
        );
        assert_eq!(
            Cell::Number(Some(0.0123)).render(Kind::P_VALUE, Audience::People),
            "0.012"
        );
        let pct = Kind::Number(Style::Percent);
        assert_eq!(
            Cell::Number(Some(0.975)).render(pct, Audience::People),
            "97.5%"
        );
        let pp = Kind::Number(Style::PercentPoints);
        assert_eq!(
            Cell::Number(Some(-0.025)).render(pp, Audience::People),
            "-2.5 pts"
        );
        assert_eq!(
            Cell::Number(Some(0.00001)).render(Kind::P_VALUE, Audience::People),
            "1.0e-5"
        );
        let ci = Kind::Interval(Style::Fixed(3));
        assert_eq!(
            Cell::Interval(Some(-0.5), Some(1.25)).render(ci, Audience::People),
            "[-0.500, 1.250]"
        );
        assert_eq!(
            Cell::Interval(None, Some(1.0)).render(ci, Audience::People),
            "—"
        );
        let vital = Kind::Flag("●");
        assert_eq!(Cell::Flag(true).render(vital, Audience::People), "●");
        assert_eq!(Cell::Flag(false).render(vital, Audience::People), "");
        assert_eq!(Cell::Flag(false).render(vital, Audience::Data), "false");
    }

    #[test]
    fn each_audience_sees_its_columns() {
        let mut t = Table::new(
            "Items",
            "items",
            vec![
                Column::new("item", Kind::Text),
                Column::named("mean E", "mean_e", Kind::Number(Style::Fixed(4))),
                Column::named("95% CI", "", Kind::Interval(Style::Fixed(3))).only(Show::People),
                Column::new("ci_low", Kind::Number(Style::Fixed(4))).only(Show::Data),
            ],
        );
        t.rows.push(vec![
            Cell::text("q01"),
            Cell::Number(Some(5.25)),
            Cell::Interval(Some(0.0), Some(1.0)),
            Cell::Number(Some(0.0)),
        ]);
        let people = t.laid_out(Audience::People);
        assert_eq!(people.header, ["item", "mean E", "95% CI"]);
        assert_eq!(people.numeric, [false, true, true]);
        assert_eq!(people.rows, [["q01", "5.2500", "[0.000, 1.000]"]]);
        let data = t.laid_out(Audience::Data);
        assert_eq!(data.header, ["item", "mean_e", "ci_low"]);
        assert_eq!(data.rows, [["q01", "5.25", "0"]]);
    }
}
