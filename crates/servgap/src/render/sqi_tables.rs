//! Lays an [`SqiReport`](crate::sqi::SqiReport) out for people (terminal and Markdown tables: the
//! index per period with its control limits, the Pareto of categories and of
//! groups, the checks) and writes it as CSV blocks for machines. The CSV is
//! streamed row by row, because a year of daily figures for thousands of
//! sites is a million rows.

use std::io::Write;

use super::csv::{neutralise, put_u64, Bytes, NumberText, RowBytes};
use super::{fixed, TextTable};
use crate::error::{Error, Result};
use crate::sqi::{CheckKind, CheckOutcome, RowVisitor, SqiPeriod, SqiReport};

/// A number for people: whole numbers without decimals, others with four.
fn num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        other => fixed(other, 4),
    }
}

/// A share for people, as a percentage.
fn pct(x: Option<f64>) -> String {
    match x {
        Some(v) => format!("{:.1}%", v * 100.0),
        None => "—".into(),
    }
}

/// A number for machines: shortest exact text, empty when unavailable.
fn full(x: Option<f64>) -> String {
    super::full(x.filter(|v| v.is_finite()))
}

fn check_name(k: CheckKind) -> &'static str {
    match k {
        CheckKind::MaxPoints => "max_points",
        CheckKind::MaxPerUnit => "max_per_unit",
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

/// The tables of an SQI report, with display precision.
pub fn sqi_tables(r: &SqiReport) -> Vec<TextTable> {
    let all = &r.periods;
    let vol = all.with_volume();
    let per = num(Some(r.inputs.per));
    let period_name = match r.inputs.period {
        crate::period::PeriodKind::Day => "day",
        crate::period::PeriodKind::Week => "week",
        crate::period::PeriodKind::Month => "month",
    };
    let mut cols: Vec<(String, bool)> = vec![("Period".into(), false)];
    cols.extend(r.inputs.by.iter().map(|b| (b.clone(), false)));
    cols.extend([
        ("Points".into(), true),
        ("Days".into(), true),
        ("Points/day".into(), true),
    ]);
    if vol {
        cols.extend([("Volume".into(), true), (format!("Points per {per}"), true)]);
    }
    cols.extend([
        ("UCL".into(), true),
        ("LCL".into(), true),
        ("Control".into(), false),
    ]);
    let mut periods = TextTable {
        title: format!(
            "Service Quality Index by {period_name} (centre line {})",
            num(all.centre)
        ),
        header: cols.iter().map(|c| c.0.clone()).collect(),
        numeric: cols.iter().map(|c| c.1).collect(),
        rows: Vec::with_capacity(all.len()),
    };
    for p in all.rows() {
        let p = &p;
        let mut row = vec![p.period.label()];
        row.extend(all.group_values(p).iter().cloned());
        row.extend([
            num(Some(p.points)),
            p.days.to_string(),
            num(Some(p.mean_daily_points())),
        ]);
        if vol {
            row.extend([num(p.volume()), num(p.points_per_unit())]);
        }
        row.extend([num(p.ucl()), num(p.lcl()), flag(p, vol).into()]);
        periods.rows.push(row);
    }
    let mut tables = vec![periods];

    let mut pareto = TextTable {
        title: "Pareto of categories (● vital few: the leading categories up to 80% of the points)"
            .into(),
        header: [
            "Category",
            "Weight",
            "Count",
            "Points",
            "Share",
            "Cumulative",
            "Vital few",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![false, true, true, true, true, true, false],
        rows: vec![],
    };
    for c in &r.pareto {
        pareto.rows.push(vec![
            c.category.clone(),
            num(Some(c.weight)),
            c.count.to_string(),
            num(Some(c.points)),
            pct(c.share),
            pct(c.cumulative),
            if c.vital_few { "●" } else { "" }.into(),
        ]);
    }
    tables.push(pareto);

    if !r.pareto_groups.is_empty() {
        let mut header: Vec<String> = r.inputs.by.clone();
        header.extend(["Count", "Points", "Share", "Cumulative", "Vital few"].map(String::from));
        let mut numeric = vec![false; r.inputs.by.len()];
        numeric.extend([true, true, true, true, false]);
        let mut t = TextTable {
            title: format!("Pareto of {}", r.inputs.by.join(" × ")),
            header,
            numeric,
            rows: vec![],
        };
        for g in &r.pareto_groups {
            let mut row: Vec<String> = g.group.iter().map(|(_, v)| v.clone()).collect();
            row.extend([
                g.count.to_string(),
                num(Some(g.points)),
                pct(g.share),
                pct(g.cumulative),
                if g.vital_few { "●" } else { "" }.into(),
            ]);
            t.rows.push(row);
        }
        tables.push(t);
    }

    if !r.checks.is_empty() {
        let mut t = TextTable {
            title: "Checks".into(),
            header: ["Check", "Limit", "Scope", "Checked", "Result", "Breaches"]
                .map(String::from)
                .to_vec(),
            numeric: vec![false, true, false, true, false, false],
            rows: vec![],
        };
        for c in &r.checks {
            t.rows.push(vec![
                check_name(c.check).into(),
                num(Some(c.limit)),
                format!("{:?}", c.scope).to_lowercase(),
                c.checked.to_string(),
                if c.passed { "pass" } else { "FAIL" }.into(),
                breach_summary(c, 5),
            ]);
        }
        tables.push(t);
    }
    tables
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
            format!("{s}: {} (+{})", num(Some(b.value)), num(Some(b.excess)))
        })
        .collect();
    if c.breaches.len() > max {
        parts.push(format!("… {} more", c.breaches.len() - max));
    }
    parts.join("; ")
}

/// Lines under the tables: inputs, row counts, totals.
pub fn footer(r: &SqiReport) -> Vec<String> {
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
        "Total: {} incidents, {} points over {} days ({} per day)",
        t.incidents,
        num(Some(t.points)),
        t.days,
        num(t.mean_daily_points)
    );
    if let Some(v) = t.volume {
        total.push_str(&format!(
            "; volume {}, {} points per {}",
            num(Some(v)),
            num(t.points_per_unit),
            num(Some(r.inputs.per))
        ));
    }
    lines.push(total);
    lines.push(format!(
        "Control chart (demerit u-chart, units = {}): {} of {} rows out of control{}",
        r.chart.units,
        r.chart.out_of_control,
        t.cells,
        if r.chart.cells_without_units > 0 {
            format!(
                "; {} rows without volume are off the chart",
                r.chart.cells_without_units
            )
        } else {
            String::new()
        }
    ));
    lines
}

/// The period rows of the CSV, written straight into bytes: this block can
/// have a million rows, so group cells are escaped once, numbers go through
/// itoa and zmij (the same text as `to_string`, several times faster) and a
/// row is written in place ([`RowBytes`]) into room made for the longest.
fn write_period_rows(all: &crate::sqi::SqiPeriods, out: &mut dyn Write) -> std::io::Result<()> {
    use super::csv::{push_f64, push_text, F64_ROOM, U64_ROOM};
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
    // Beyond the label and the group: six numbers, the days, the centre,
    // the flag, the counts and the newline.
    let room = groups.iter().map(Vec::len).max().unwrap_or(0)
        + 6 * (1 + F64_ROOM)
        + (1 + U64_ROOM)
        + centre.len()
        + ",false".len()
        + columns.len() * (1 + U64_ROOM)
        + 1;
    let cells = RowCells {
        groups: &groups,
        centre: &centre,
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
        b.comma_counts(counts, self.columns);
        b.byte(b'\n');
        true
    }
}

/// Writes the report as CSV blocks: periods (with a column per category),
/// the Pareto of categories, of groups, and the checks.
pub fn write_csv(r: &SqiReport, out: &mut dyn Write) -> Result<()> {
    let werr = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io("<output>", e),
        other => Error::internal(format!("writing CSV: {other:?}")),
    };
    let ioerr = |e: std::io::Error| Error::io("<output>", e);
    let all = &r.periods;
    writeln!(out, "# periods").map_err(ioerr)?;
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
            ]
            .map(String::from),
        );
        header.extend(all.categories.iter().map(|c| neutralise(c)));
        w.write_record(&header).map_err(werr)?;
        w.flush().map_err(ioerr)?;
    }
    write_period_rows(all, out).map_err(ioerr)?;
    writeln!(out, "\n# pareto").map_err(ioerr)?;
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
        w.write_record([
            "category",
            "weight",
            "count",
            "points",
            "share",
            "cumulative",
            "vital_few",
        ])
        .map_err(werr)?;
        for c in &r.pareto {
            w.write_record([
                neutralise(&c.category),
                full(Some(c.weight)),
                c.count.to_string(),
                full(Some(c.points)),
                full(c.share),
                full(c.cumulative),
                c.vital_few.to_string(),
            ])
            .map_err(werr)?;
        }
        w.flush().map_err(ioerr)?;
    }
    if !r.pareto_groups.is_empty() {
        writeln!(out, "\n# pareto_groups").map_err(ioerr)?;
        let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
        let mut header: Vec<String> = r.inputs.by.iter().map(|b| neutralise(b)).collect();
        header.extend(["count", "points", "share", "cumulative", "vital_few"].map(String::from));
        w.write_record(&header).map_err(werr)?;
        for g in &r.pareto_groups {
            let mut row: Vec<String> = g.group.iter().map(|(_, v)| neutralise(v)).collect();
            row.extend([
                g.count.to_string(),
                full(Some(g.points)),
                full(g.share),
                full(g.cumulative),
                g.vital_few.to_string(),
            ]);
            w.write_record(&row).map_err(werr)?;
        }
        w.flush().map_err(ioerr)?;
    }
    if !r.checks.is_empty() {
        writeln!(out, "\n# checks").map_err(ioerr)?;
        let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
        let mut header: Vec<String> = ["check", "limit", "scope", "period"]
            .map(String::from)
            .to_vec();
        header.extend(r.inputs.by.iter().map(|b| neutralise(b)));
        header.extend(["value", "excess", "passed"].map(String::from));
        w.write_record(&header).map_err(werr)?;
        for c in &r.checks {
            let scope = format!("{:?}", c.scope).to_lowercase();
            if c.breaches.is_empty() {
                let mut row = vec![
                    check_name(c.check).to_string(),
                    full(Some(c.limit)),
                    scope.clone(),
                    String::new(),
                ];
                row.extend(r.inputs.by.iter().map(|_| String::new()));
                row.extend([String::new(), String::new(), "true".into()]);
                w.write_record(&row).map_err(werr)?;
            }
            for b in &c.breaches {
                let mut row = vec![
                    check_name(c.check).to_string(),
                    full(Some(c.limit)),
                    scope.clone(),
                    b.period.label(),
                ];
                row.extend(b.group.iter().map(|(_, v)| neutralise(v)));
                row.extend([full(Some(b.value)), full(Some(b.excess)), "false".into()]);
                w.write_record(&row).map_err(werr)?;
            }
        }
        w.flush().map_err(ioerr)?;
    }
    Ok(())
}
