//! The tables of an [`SqiReport`]: the index per period with its control
//! limits (rows made as they are read: a year of daily figures for
//! thousands of sites is a million rows), the Pareto of categories and of
//! groups, the checks (for data a row per breach) and the weights. Its
//! CSV is written straight into bytes by [`write_periods_csv`].

use std::io::Write;

use super::csv::neutralise;
use super::number::{data_text, plural, put_u64, Bytes, NumberText, RowBytes};
use super::tabular::{Audience, Cell, Column, Kind, Show, Table, Tabular};
use crate::error::{Error, Result};
use crate::sqi::{CheckKind, CheckOutcome, RowVisitor, SqiPeriod, SqiReport};

/// How index points are shown to people: whole when every weight is
/// whole (so every sum is), else with two decimals.
pub(crate) fn points_kind(r: &SqiReport) -> Kind {
    match r.weights.iter().all(|w| w.weight.fract() == 0.0) {
        true => Kind::WHOLE,
        false => Kind::RATE,
    }
}

/// A number for people, as a rate is shown.
fn num(x: Option<f64>) -> String {
    Cell::Number(x).render(Kind::RATE, Audience::People)
}

/// A finite number, else unavailable.
fn finite(x: Option<f64>) -> Cell {
    Cell::Number(x.filter(|v| v.is_finite()))
}

fn check_name(k: CheckKind) -> &'static str {
    match k {
        CheckKind::MaxPoints => "max_points",
        CheckKind::MaxPerUnit => "max_per_unit",
        CheckKind::Signals => "signals",
    }
}

/// `above UCL`, `below LCL` or empty.
fn flag(p: &SqiPeriod, with_volume: bool) -> &'static str {
    match (p.plotted(with_volume), p.ucl(), p.lcl()) {
        (Some(v), Some(u), _) if p.out_of_control && v > u => "above UCL",
        (Some(_), _, Some(_)) if p.out_of_control => "below LCL",
        _ => "",
    }
}

/// The index per period (× group) with its control limits and, for
/// data, the centre line, the out-of-control flag and a column per
/// category. Its rows are made as they are read (a year of days for
/// thousands of sites is a million rows).
fn periods_table(r: &SqiReport) -> Table<'_> {
    let all = &r.periods;
    let vol = all.with_volume();
    let period_name = match r.inputs.period {
        crate::period::PeriodKind::Day => "day",
        crate::period::PeriodKind::Week => "week",
        crate::period::PeriodKind::Month => "month",
        crate::period::PeriodKind::Quarter => "quarter",
        crate::period::PeriodKind::Year => "year",
    };
    let points = points_kind(r);
    let volume = match all.volumes_whole() {
        true => Kind::WHOLE,
        false => Kind::RATE,
    };
    let mut cols = vec![Column::named("Period", "period", Kind::Text)];
    cols.extend(r.inputs.by.iter().map(|b| Column::new(b, Kind::Text)));
    cols.extend([
        Column::named("Points", "points", points),
        Column::named("Days", "days", Kind::Count).optional(3),
        Column::named("Points/day", "mean_daily_points", Kind::RATE).optional(2),
    ]);
    let mut volume_cols = vec![
        Column::named("Volume", "volume", volume).optional(2),
        Column::named(
            format!("Points per {}", data_text(r.inputs.per)),
            "points_per_unit",
            Kind::RATE,
        ),
    ];
    if !vol {
        volume_cols.iter_mut().for_each(|c| c.show = Show::Data);
    }
    cols.extend(volume_cols);
    cols.extend([
        Column::named("Centre", "centre", Kind::RATE).only(Show::Data),
        Column::named("UCL", "ucl", Kind::RATE).optional(1),
        Column::named("LCL", "lcl", Kind::RATE).optional(1),
        Column::named("Control", "control", Kind::Text).only(Show::People),
        Column::new("out_of_control", Kind::Flag("")).only(Show::Data),
        Column::named("Signals", "signals", Kind::Text).optional(1),
    ]);
    cols.extend(
        all.categories
            .iter()
            .map(|c| Column::new(c, Kind::Count).only(Show::Data)),
    );
    let title = format!(
        "Service Quality Index by {period_name} (centre line {})",
        num(all.centre)
    );
    Table::new(title, "periods", cols).with_rows_made(all.len(), move || {
        all.rows().map(move |p| {
            let mut row = vec![Cell::text(p.period.label())];
            row.extend(all.group_values(&p).iter().map(Cell::text));
            row.extend([
                Cell::Number(Some(p.points)),
                Cell::Count(Some(u64::from(p.days))),
                Cell::Number(Some(p.mean_daily_points())),
                Cell::Number(p.volume()),
                finite(p.points_per_unit()),
                finite(all.centre),
                finite(p.ucl()),
                finite(p.lcl()),
                Cell::text(flag(&p, vol)),
                Cell::Flag(p.out_of_control),
                Cell::text(all.signal_text(p.signals)),
            ]);
            row.extend(all.category_counts(&p).map(|n| Cell::Count(Some(n))));
            row
        })
    })
}

/// The columns a Pareto shares after its leading ones.
fn pareto_columns(points: Kind) -> Vec<Column> {
    vec![
        Column::named("Count", "count", Kind::Count),
        Column::named("Points", "points", points),
        Column::named("Share", "share", Kind::SHARE),
        Column::named("Cumulative", "cumulative", Kind::SHARE),
        Column::named("Vital few", "vital_few", Kind::Flag("●")),
    ]
}

/// The checks for people (one row each, breaches summarised) and for data
/// (a row per breach, or one for a check without breaches).
fn check_tables(r: &SqiReport) -> [Table<'_>; 2] {
    let mut people = Table::new(
        "Checks",
        "checks",
        vec![
            Column::new("Check", Kind::Text),
            Column::new("Limit", Kind::RATE),
            Column::new("Scope", Kind::Text),
            Column::new("Checked", Kind::Count),
            Column::new("Result", Kind::Text),
            Column::new("Breaches", Kind::Text),
        ],
    )
    .only(Show::People);
    let mut cols = vec![
        Column::new("check", Kind::Text),
        Column::new("limit", Kind::RATE),
        Column::new("scope", Kind::Text),
        Column::new("checked", Kind::Count),
        Column::new("unchecked", Kind::Count),
        Column::new("passed", Kind::Flag("")),
        Column::new("period", Kind::Text),
    ];
    cols.extend(r.inputs.by.iter().map(|b| Column::new(b, Kind::Text)));
    cols.extend([
        Column::new("value", Kind::RATE),
        Column::new("excess", Kind::RATE),
        Column::new("rules", Kind::Text),
    ]);
    let mut data = Table::new("Checks", "checks", cols).only(Show::Data);
    for c in &r.checks {
        let scope = format!("{:?}", c.scope).to_lowercase();
        people.rows.push(vec![
            Cell::text(check_name(c.check)),
            Cell::Number(Some(c.limit)),
            Cell::text(&scope),
            Cell::Count(Some(c.checked)),
            Cell::text(if c.passed { "pass" } else { "FAIL" }),
            Cell::text(breach_summary(c, 5)),
        ]);
        let lead = [
            Cell::text(check_name(c.check)),
            finite(Some(c.limit)),
            Cell::text(&scope),
            Cell::Count(Some(c.checked)),
            Cell::Count(Some(c.unchecked)),
            Cell::Flag(c.passed),
        ];
        if c.breaches.is_empty() {
            let mut row = lead.to_vec();
            row.push(Cell::text(""));
            row.extend(r.inputs.by.iter().map(|_| Cell::text("")));
            row.extend([Cell::Number(None), Cell::Number(None), Cell::text("")]);
            data.rows.push(row);
        }
        for b in &c.breaches {
            let mut row = lead.to_vec();
            row.push(Cell::text(b.period.label()));
            row.extend(b.group.iter().map(|(_, v)| Cell::text(v)));
            row.extend([
                finite(Some(b.value)),
                finite(Some(b.excess)),
                Cell::text(b.rules.join(";")),
            ]);
            data.rows.push(row);
        }
    }
    [people, data]
}

impl Tabular for SqiReport {
    fn title(&self) -> String {
        format!("Service Quality Index: {}", self.inputs.incidents)
    }

    fn main_table(&self) -> &'static str {
        "periods"
    }

    fn tables(&self) -> Vec<Table<'_>> {
        let r = self;
        let points = points_kind(r);
        let mut tables = vec![periods_table(r)];
        let mut pareto = Table::new(
            "Pareto of categories (● vital few: the leading categories up to 80% of the points)",
            "pareto",
            [
                vec![
                    Column::named("Category", "category", Kind::Text),
                    Column::named("Weight", "weight", points),
                ],
                pareto_columns(points),
            ]
            .concat(),
        );
        for c in &r.pareto {
            pareto.rows.push(vec![
                Cell::text(&c.category),
                finite(Some(c.weight)),
                Cell::Count(Some(c.count)),
                finite(Some(c.points)),
                finite(c.share),
                finite(c.cumulative),
                Cell::Flag(c.vital_few),
            ]);
        }
        tables.push(pareto);
        if !r.pareto_groups.is_empty() {
            let lead: Vec<Column> = r
                .inputs
                .by
                .iter()
                .map(|b| Column::new(b, Kind::Text))
                .collect();
            let mut t = Table::new(
                format!("Pareto of {}", r.inputs.by.join(" × ")),
                "pareto_groups",
                [lead, pareto_columns(points)].concat(),
            );
            for g in &r.pareto_groups {
                let mut row: Vec<Cell> = g.group.iter().map(|(_, v)| Cell::text(v)).collect();
                row.extend([
                    Cell::Count(Some(g.count)),
                    finite(Some(g.points)),
                    finite(g.share),
                    finite(g.cumulative),
                    Cell::Flag(g.vital_few),
                ]);
                t.rows.push(row);
            }
            tables.push(t);
        }
        if !r.checks.is_empty() {
            tables.extend(check_tables(r));
        }
        let mut weights = Table::new(
            "Weights",
            "weights",
            vec![
                Column::new("category", Kind::Text),
                Column::new("weight", points),
                Column::new("description", Kind::Text),
            ],
        )
        .only(Show::Data);
        for w in &r.weights {
            weights.rows.push(vec![
                Cell::text(&w.category),
                finite(Some(w.weight)),
                Cell::text(w.description.clone().unwrap_or_default()),
            ]);
        }
        tables.push(weights);
        tables
    }

    fn footer(&self) -> Vec<String> {
        footer(self)
    }
}

/// A figure in a sentence: whole as it is, else with two decimals.
fn figure(x: f64) -> String {
    match x.fract() == 0.0 && x.abs() < 1e15 {
        true => format!("{x:.0}"),
        false => num(Some(x)),
    }
}

/// `2026-03-31 site=S1: 120 (+20)`, for the first `max` breaches.
pub fn breach_summary(c: &CheckOutcome, max: usize) -> String {
    let mut parts: Vec<String> = c
        .breaches
        .iter()
        .take(max)
        .map(|b| {
            let mut s = b.period.label();
            for (col, v) in &b.group {
                s.push_str(&format!(" {col}={v}"));
            }
            match b.rules.is_empty() {
                true => format!("{s}: {} (+{})", figure(b.value), figure(b.excess)),
                false => format!("{s}: {}", b.rules.join(";")),
            }
        })
        .collect();
    if c.breaches.len() > max {
        parts.push(format!("… {} more", c.breaches.len() - max));
    }
    parts.join("; ")
}

/// Lines under the tables: inputs, row counts, totals.
fn footer(r: &SqiReport) -> Vec<String> {
    let t = &r.totals;
    let mut lines = vec![format!(
        "{} ({}, weights {}): rows read {}, used {}, rejected {}",
        r.inputs.incidents,
        r.inputs.encoding,
        r.inputs.weights,
        r.rows_read,
        r.rows_used,
        r.rows_rejected
    )];
    lines.extend(super::rejection_lines(&r.rejections));
    if let (Some(v), Some(c)) = (&r.inputs.volume, &r.volume_rows) {
        lines.push(format!(
            "{v}: volume rows read {}, used {}, rejected {}",
            c.rows_read, c.rows_used, c.rows_rejected
        ));
        lines.extend(super::rejection_lines(&c.rejections));
    }
    let mut total = format!(
        "Total: {}, {} points over {} ({} per day)",
        plural(t.incidents, "incident", "incidents"),
        figure(t.points),
        plural(t.days, "day", "days"),
        num(t.mean_daily_points)
    );
    if let Some(v) = t.volume {
        total.push_str(&format!(
            "; volume {}, {} points per {}",
            figure(v),
            num(t.points_per_unit),
            data_text(r.inputs.per)
        ));
    }
    lines.push(total);
    lines.push(format!(
        "Control chart ({}, units = {}): {} of {} out of control{}",
        match (r.chart.chart_type, r.chart.sigma_z) {
            (crate::sqi::ChartType::U, _) => "demerit u-chart".to_string(),
            (crate::sqi::ChartType::Laney, Some(s)) =>
                format!("Laney u′ chart, σ_z {}", num(Some(s))),
            (crate::sqi::ChartType::Laney, None) => "Laney u′ chart, no σ_z: no limits".to_string(),
        },
        r.chart.units,
        r.chart.out_of_control,
        plural(t.cells, "row", "rows"),
        match r.chart.cells_without_units {
            0 => String::new(),
            1 => "; 1 row without volume is off the chart".into(),
            n => format!("; {n} rows without volume are off the chart"),
        }
    ));
    lines
}

/// The period rows of the CSV, written straight into bytes: this block can
/// have a million rows, so group cells are escaped once, numbers go through
/// itoa and zmij (the same text as `to_string`, several times faster) and a
/// row is written in place ([`RowBytes`]) into room made for the longest.
fn write_period_rows(all: &crate::sqi::SqiPeriods, out: &mut dyn Write) -> std::io::Result<()> {
    use super::csv::push_text;
    use super::number::{push_f64, F64_ROOM, U64_ROOM};
    let groups: Vec<Vec<u8>> = all
        .groups
        .iter()
        .map(|g| {
            let mut b = Vec::new();
            for v in g.iter().take(all.by.len()) {
                b.push(b',');
                push_text(&mut b, v);
            }
            b
        })
        .collect();
    let mut centre = vec![b','];
    if let Some(v) = all.centre.filter(|v| v.is_finite()) {
        push_f64(&mut centre, v);
    }
    let columns = all.columns();
    // `,` and the ids of each set of signals (bit i: rule i)
    let signals: Vec<Vec<u8>> = (0..=u16::MAX as usize)
        .take(if all.has_signals() { 256 } else { 1 })
        .map(|bits| {
            let mut b = vec![b','];
            b.extend_from_slice(all.signal_text(bits as u16).as_bytes());
            b
        })
        .collect();
    // Beyond the label and the group: six numbers, the days, the centre,
    // the flag, the signals, the counts and the newline.
    let room = groups.iter().map(Vec::len).max().unwrap_or(0)
        + 6 * (1 + F64_ROOM)
        + (1 + U64_ROOM)
        + centre.len()
        + ",false".len()
        + signals.iter().map(Vec::len).max().unwrap_or(1)
        + columns.len() * (1 + U64_ROOM)
        + 1;
    let cells = RowCells {
        groups: &groups,
        centre: &centre,
        signals: &signals,
        columns,
    };
    // Formats rows into `buf` (which keeps its length between chunks, so
    // the room is zeroed once) and returns how many bytes it wrote.
    let format = |rows: std::ops::Range<usize>, buf: &mut Vec<u8>| -> usize {
        let mut chunk = ChunkRows {
            cells: &cells,
            room,
            buf,
            used: 0,
            label: None,
        };
        all.visit_rows(rows, &mut chunk);
        chunk.used
    };
    // Two cores format alternate chunks, the helper up to two chunks ahead
    // of the writer (so neither waits for the other at every chunk);
    // chunks are written in order. 4K rows (~0.5 MB) fault in fewer pages
    // for the four buffers in use than 8K rows did (render CPU, system
    // time 0.21-0.26 -> 0.15-0.19 s over 25 renders).
    const CHUNK: usize = 4 * 1024;
    let n = all.len();
    let chunks: Vec<std::ops::Range<usize>> = (0..n)
        .step_by(CHUNK)
        .map(|from| from..(from + CHUNK).min(n))
        .collect();
    let odd: Vec<std::ops::Range<usize>> = chunks.iter().skip(1).step_by(2).cloned().collect();
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(2);
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let format = &format;
        let helper = scope.spawn(move || {
            for rows in odd {
                let mut buf = free_rx.try_recv().unwrap_or_default();
                let used = format(rows, &mut buf);
                if done_tx.send((buf, used)).is_err() {
                    return; // the writer stopped
                }
            }
        });
        let mut own = Vec::new();
        let written = chunks.iter().enumerate().try_for_each(|(i, rows)| {
            if i % 2 == 0 {
                let used = format(rows.clone(), &mut own);
                return out.write_all(&own[..used]);
            }
            match done_rx.recv() {
                Ok((buf, used)) => {
                    out.write_all(&buf[..used])?;
                    let _ = free_tx.send(buf);
                    Ok(())
                }
                // the helper panicked (a bug): format its chunks here
                Err(_) => {
                    let used = format(rows.clone(), &mut own);
                    out.write_all(&own[..used])
                }
            }
        });
        drop(done_rx);
        let _ = helper.join();
        written
    })
}

/// Period rows being formatted into a chunk's buffer.
struct ChunkRows<'a> {
    cells: &'a RowCells<'a>,
    /// The most a row takes beyond its period label.
    room: usize,
    buf: &'a mut Vec<u8>,
    /// Bytes written into `buf`.
    used: usize,
    /// The period of the last row, and its label.
    label: Option<(crate::period::Period, String)>,
}

impl RowVisitor for ChunkRows<'_> {
    #[inline]
    fn row<C: Copy + Into<u32>>(&mut self, p: &SqiPeriod, counts: &[C]) {
        let l = match &self.label {
            Some((q, l)) if *q == p.period => l,
            _ => &self.label.insert((p.period, p.period.label())).1,
        };
        let (buf, used) = (&mut *self.buf, self.used);
        let need = used + l.len() + self.room;
        if buf.len() < need {
            buf.resize(need.max(2 * buf.len()), 0);
        }
        let mut row = RowBytes::new(&mut buf[used..need]);
        if self.cells.write(&mut row, l.as_bytes(), p, counts) {
            self.used += row.len();
        } else {
            // a number only `to_string` writes
            let mut slow = Vec::new();
            self.cells.write(&mut slow, l.as_bytes(), p, counts);
            let end = used + slow.len();
            if buf.len() < end {
                buf.resize(end, 0);
            }
            buf[used..end].copy_from_slice(&slow);
            self.used = end;
        }
    }
}

/// What a period row of the CSV is made of besides the row itself.
struct RowCells<'a> {
    /// Each group's cells, escaped, each after a comma.
    groups: &'a [Vec<u8>],
    /// `,` and the centre line (the same on every row).
    centre: &'a [u8],
    /// `,` and the ids of each set of signals, by its bits.
    signals: &'a [Vec<u8>],
    /// The categories written, as indices into a row's counts.
    columns: &'a [usize],
}

impl RowCells<'_> {
    /// Writes row `p` after its period label; `false` when a number is
    /// one `b` cannot write (see [`Bytes::other_number`]), leaving the row
    /// unfinished.
    #[inline(always)]
    fn write<B: Bytes, C: Copy + Into<u32>>(
        &self,
        b: &mut B,
        label: &[u8],
        p: &SqiPeriod,
        counts: &[C],
    ) -> bool {
        // The numbers' texts first (see `NumberText`), then the row.
        fn text(z: &mut zmij::Buffer, x: Option<f64>) -> Option<NumberText<'_>> {
            x.filter(|v| v.is_finite()).map(|v| NumberText::of(z, v))
        }
        let new = zmij::Buffer::new;
        let (mut z0, mut z1, mut z2, mut z3, mut z4, mut z5) =
            (new(), new(), new(), new(), new(), new());
        let points = text(&mut z0, Some(p.points));
        let numbers = [
            text(&mut z1, Some(p.mean_daily_points())),
            text(&mut z2, p.volume()),
            text(&mut z3, p.points_per_unit()),
        ];
        let limits = [text(&mut z4, p.ucl()), text(&mut z5, p.lcl())];
        let opt = |b: &mut B, t: &Option<NumberText<'_>>| {
            b.byte(b',');
            match t {
                Some(t) => b.number_text(t),
                None => true,
            }
        };
        b.bytes(label);
        if let Some(g) = self.groups.get(p.group as usize) {
            b.bytes(g);
        }
        if !opt(b, &points) {
            return false;
        }
        b.byte(b',');
        put_u64(b, u64::from(p.days));
        if !numbers.iter().all(|t| opt(b, t)) {
            return false;
        }
        b.bytes(self.centre);
        if !limits.iter().all(|t| opt(b, t)) {
            return false;
        }
        b.bytes(if p.out_of_control {
            b",true"
        } else {
            b",false"
        });
        match self.signals.get(p.signals as usize) {
            Some(text) => b.bytes(text),
            None => b.byte(b','),
        }
        b.comma_counts(counts, self.columns);
        b.byte(b'\n');
        true
    }
}

/// Writes the periods table as CSV: the header, then the rows streamed
/// straight into bytes (a million rows in a fraction of a second, on two cores).
pub fn write_periods_csv(r: &SqiReport, out: &mut dyn Write) -> Result<()> {
    let werr = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io("<output>", e),
        other => Error::internal(format!("writing CSV: {other:?}")),
    };
    let ioerr = |e: std::io::Error| Error::io("<output>", e);
    let all = &r.periods;
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
        let mut header: Vec<String> = vec!["period".into()];
        header.extend(r.inputs.by.iter().map(|b| neutralise(b)));
        header.extend(
            [
                "points",
                "days",
                "mean_daily_points",
                "volume",
                "points_per_unit",
                "centre",
                "ucl",
                "lcl",
                "out_of_control",
                "signals",
            ]
            .map(String::from),
        );
        header.extend(all.categories.iter().map(|c| neutralise(c)));
        w.write_record(&header).map_err(werr)?;
        w.flush().map_err(ioerr)?;
    }
    write_period_rows(all, out).map_err(ioerr)
}
