//! Terminal tables, aligned by display width (CJK labels take two
//! columns) and fitted to the terminal: when a table is wider than the
//! width given, its optional columns go, the least important first
//! ([`Column::optional`]), and a line under it says which and how to see
//! them. A table is read twice, once to measure its columns and once to
//! write them, a row at a time, so a million-row table takes no memory
//! beyond its widths. A cell wider than [`MAX_CELL`] columns is cut with
//! `…` (JSON, CSV and Markdown keep every value whole).

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::tabular::{Audience, Column, Table};

/// The widest cell a terminal table shows, in display columns.
pub const MAX_CELL: usize = 120;

/// `cell` cut to [`MAX_CELL`] display columns (its last one `…`).
fn fitted(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.len() <= MAX_CELL {
        return cell.into(); // no wider than its bytes
    }
    let mut width = 0;
    let mut out = String::new();
    for c in cell.chars() {
        width += c.width().unwrap_or(0);
        if width > MAX_CELL - 1 {
            out.push('…');
            return out.into();
        }
        out.push(c);
    }
    out.into()
}

/// How wide a line of columns this wide is, borders and padding included.
fn line_width(widths: &[usize]) -> usize {
    widths.iter().sum::<usize>() + 3 * widths.len() + 1
}

/// The columns shown within `width` (every one when `None`), each with its
/// display width, and the labels of those left out.
fn fit(
    columns: &[Column],
    visible: Vec<usize>,
    widths: Vec<usize>,
    width: Option<usize>,
) -> (Vec<usize>, Vec<usize>, Vec<String>) {
    let (mut shown, mut widths) = (visible, widths);
    let mut dropped: Vec<(usize, String)> = Vec::new();
    let Some(limit) = width else {
        return (shown, widths, Vec::new());
    };
    while line_width(&widths) > limit {
        // the highest rank goes first; of equals, the rightmost
        let Some(at) = (0..shown.len())
            .filter(|&i| columns[shown[i]].drop_rank > 0)
            .max_by_key(|&i| (columns[shown[i]].drop_rank, i))
        else {
            break;
        };
        dropped.push((shown[at], columns[shown[at]].label.clone()));
        shown.remove(at);
        widths.remove(at);
    }
    dropped.sort();
    let labels = dropped.into_iter().map(|(_, l)| l).collect();
    (shown, widths, labels)
}

/// Writes `cells` padded to `widths` between `│ … ┆ … │`.
fn write_row(
    out: &mut dyn Write,
    cells: &[String],
    widths: &[usize],
    right: &[bool],
) -> io::Result<()> {
    let mut line = String::from("│");
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        let c = fitted(c);
        let pad = w.saturating_sub(c.width());
        line.push(' ');
        if right[i] {
            line.extend(std::iter::repeat_n(' ', pad));
            line.push_str(&c);
        } else {
            line.push_str(&c);
            line.extend(std::iter::repeat_n(' ', pad));
        }
        line.push(' ');
        line.push(if i + 1 == widths.len() { '│' } else { '┆' });
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// A border line: `left`, runs of `fill` joined by `join`, `right`.
fn border(widths: &[usize], [left, fill, join, right]: [char; 4]) -> String {
    let mut line = String::from(left);
    for (i, w) in widths.iter().enumerate() {
        line.extend(std::iter::repeat_n(fill, w + 2));
        line.push(if i + 1 == widths.len() { right } else { join });
    }
    line.push('\n');
    line
}

/// Writes one table: its title, the box, and a note on the columns left out.
fn write_table(table: &Table<'_>, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let audience = Audience::People;
    let visible = table.visible(audience);
    let header = table.header(&visible, audience);
    let mut widths: Vec<usize> = header.iter().map(|h| fitted(h).width()).collect();
    let _ = table.try_each_row(|row| {
        for (w, c) in widths
            .iter_mut()
            .zip(table.row_text(row, &visible, audience))
        {
            *w = (*w).max(fitted(&c).width());
        }
        Ok::<(), ()>(())
    });
    let (shown, widths, dropped) = fit(&table.columns, visible, widths, width);
    let right: Vec<bool> = shown
        .iter()
        .map(|&c| table.columns[c].kind.numeric())
        .collect();
    writeln!(out, "{}", table.title)?;
    if shown.is_empty() {
        return writeln!(out);
    }
    out.write_all(border(&widths, ['┌', '─', '┬', '┐']).as_bytes())?;
    let header = table.header(&shown, audience);
    write_row(out, &header, &widths, &right)?;
    out.write_all(border(&widths, ['╞', '═', '╪', '╡']).as_bytes())?;
    table.try_each_row(|row| {
        write_row(out, &table.row_text(row, &shown, audience), &widths, &right)
    })?;
    out.write_all(border(&widths, ['└', '─', '┴', '┘']).as_bytes())?;
    if !dropped.is_empty() {
        writeln!(
            out,
            "({} not shown to fit {} columns: {}; --wide shows every column)",
            super::number::plural(dropped.len() as u64, "column", "columns"),
            width.unwrap_or(0),
            dropped.join(", ")
        )?;
    }
    writeln!(out)
}

/// Writes tables with their titles, then the footer lines; each table
/// fitted into `width` display columns (every column shown when `None`).
pub fn write(
    tables: &[Table<'_>],
    footer: &[String],
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for t in tables {
        write_table(t, width, out)?;
    }
    for l in footer {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tabular::{Cell, Kind};

    fn table() -> Table<'static> {
        let mut t = Table::new(
            "T",
            "t",
            vec![
                Column::new("item", Kind::Text),
                Column::new("wide one", Kind::SCORE).optional(2),
                Column::new("gap", Kind::SCORE),
                Column::new("t", Kind::STATISTIC).optional(1),
            ],
        );
        t.rows.push(vec![
            Cell::text("上海"),
            Cell::Number(Some(1.0)),
            Cell::Number(Some(-0.5)),
            Cell::Number(Some(2.0)),
        ]);
        t
    }

    fn text(width: Option<usize>) -> String {
        let mut out = Vec::new();
        write(&[table()], &[], width, &mut out).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn columns_align_by_display_width() {
        assert_eq!(
            text(None),
            "T\n\
             ┌──────┬──────────┬───────┬──────┐\n\
             │ item ┆ wide one ┆   gap ┆    t │\n\
             ╞══════╪══════════╪═══════╪══════╡\n\
             │ 上海 ┆     1.00 ┆ -0.50 ┆ 2.00 │\n\
             └──────┴──────────┴───────┴──────┘\n\n"
        );
    }

    #[test]
    fn a_narrow_terminal_drops_the_highest_ranks_first_and_says_so() {
        // 34 columns wide in full; 28 leaves out `wide one` (rank 2) only
        assert!(!text(Some(34)).contains("not shown"));
        let narrow = text(Some(28));
        assert!(narrow.contains("│ item ┆   gap ┆    t │"), "{narrow}");
        assert!(
            narrow.contains("(1 column not shown to fit 28 columns: wide one; --wide"),
            "{narrow}"
        );
        let narrower = text(Some(15));
        assert!(narrower.contains("│ item ┆   gap │"), "{narrower}");
        assert!(narrower.contains("2 columns not shown"), "{narrower}");
        // never the essential ones, even when it still does not fit
        let tiny = text(Some(5));
        assert!(tiny.contains("│ item ┆   gap │"), "{tiny}");
    }
}
