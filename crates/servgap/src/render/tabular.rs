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
    /// Whole numbers without decimals, others with four (index points).
    Points,
    /// A share as a percentage with one decimal (`97.5%`).
    Percent,
    /// A difference of shares in percentage points (`+2.5 pts`).
    PercentPoints,
    /// A p-value: four decimals, `<0.0001` below.
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

/// `x` for people in `style`.
fn styled(x: Option<f64>, style: Style) -> String {
    match (style, x) {
        (Style::Fixed(places), x) => fixed(x, places),
        (Style::Points, Some(v)) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => {
            format!("{v:.0}")
        }
        (Style::Points, x) => fixed(x, 4),
        (Style::Percent, Some(v)) => format!("{:.1}%", v * 100.0),
        (Style::PercentPoints, Some(v)) => format!("{:+.1} pts", v * 100.0),
        (Style::Percent | Style::PercentPoints, None) => "—".into(),
        (Style::PValue, x) => p_value(x),
    }
}

/// A column: its header for people and its name for data.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header for people.
    pub label: String,
    /// Header for data.
    pub name: String,
    /// What it holds.
    pub kind: Kind,
    /// Who sees it.
    pub show: Show,
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
        }
    }

    /// A column with a header for people and a name for data.
    pub fn named(label: impl Into<String>, name: impl Into<String>, kind: Kind) -> Self {
        Column {
            label: label.into(),
            name: name.into(),
            kind,
            show: Show::Both,
        }
    }

    /// The column for `show` only.
    pub fn only(mut self, show: Show) -> Self {
        self.show = show;
        self
    }
}

/// A table: columns and rows of cells, a row per line.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Heading for people.
    pub title: String,
    /// Heading for data.
    pub name: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, a cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Who sees it.
    pub show: Show,
}

impl Table {
    /// An empty table with one heading for everyone.
    pub fn new(title: impl Into<String>, columns: Vec<Column>) -> Self {
        let title = title.into();
        Table {
            name: title.clone(),
            title,
            columns,
            rows: Vec::new(),
            show: Show::Both,
        }
    }

    /// The table as `audience` sees it: its heading, and the headers,
    /// alignment and text of its visible columns.
    pub fn laid_out(&self, audience: Audience) -> TextTable {
        let visible: Vec<usize> = (0..self.columns.len())
            .filter(|&c| self.columns[c].show.to(audience))
            .collect();
        let header = |c: &Column| match audience {
            Audience::People => c.label.clone(),
            Audience::Data => c.name.clone(),
        };
        TextTable {
            title: match audience {
                Audience::People => self.title.clone(),
                Audience::Data => self.name.clone(),
            },
            header: visible.iter().map(|&c| header(&self.columns[c])).collect(),
            numeric: visible
                .iter()
                .map(|&c| self.columns[c].kind.numeric())
                .collect(),
            rows: self
                .rows
                .iter()
                .map(|row| {
                    visible
                        .iter()
                        .map(|&c| {
                            row.get(c).map_or_else(String::new, |cell| {
                                cell.render(self.columns[c].kind, audience)
                            })
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// A table laid out as text for one audience: what the terminal,
/// Markdown and CSV renderers write.
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
    fn tables(&self) -> Vec<Table>;

    /// The lines under the tables: inputs, row counts, notes.
    fn footer(&self) -> Vec<String>;

    /// The tables `audience` sees. A result may skip making the tables
    /// an audience does not see (a million-row table for people only).
    fn tables_for(&self, audience: Audience) -> Vec<Table> {
        self.tables()
            .into_iter()
            .filter(|t| t.show.to(audience))
            .collect()
    }

    /// The tables `audience` sees, laid out as text.
    fn laid_out(&self, audience: Audience) -> Vec<TextTable> {
        self.tables_for(audience)
            .iter()
            .map(|t| t.laid_out(audience))
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
        let pts = Kind::Number(Style::Points);
        assert_eq!(
            Cell::Number(Some(120.0)).render(pts, Audience::People),
            "120"
        );
        assert_eq!(
            Cell::Number(Some(1.0 / 3.0)).render(pts, Audience::People),
            "0.3333"
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
        let p = Kind::Number(Style::PValue);
        assert_eq!(
            Cell::Number(Some(0.00001)).render(p, Audience::People),
            "<0.0001"
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
