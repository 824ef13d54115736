//! Excel workbooks: every data table of a result as a sheet named by its
//! JSON key, with the header row frozen and bold, numbers stored as
//! numbers in a format for their kind (scores and gaps to fixed decimals,
//! shares as percentages, p-values in scientific notation), shortfalls,
//! misses and out-of-control cells filled red, columns as wide as their
//! text (CJK counted double), and text a spreadsheet would run as a
//! formula stored as text with Excel's quote prefix. A last sheet,
//! `notes`, holds the inputs and their row counts. Sheets are written in
//! constant-memory mode, a row at a time; a table longer than a sheet
//! continues on `NAME_2`, `NAME_3`, ….

use std::io::Write;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::tabular::{Audience, Cell, Kind, Style, Table};
use super::Report;
use crate::error::{Error, Result};

/// Rows of data a sheet holds below its header.
const SHEET_ROWS: usize = 1_048_575;

/// Rows read to size a table's columns.
const SIZING_ROWS: usize = 10_000;

/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// An error of the workbook writer (a bug, or the output failing).
fn xerr(e: XlsxError) -> Error {
    Error::internal(format!("writing the workbook: {e}"))
}

/// Writes every data table of `report` as a sheet of one workbook.
pub fn write<R: Report>(report: &R, out: &mut dyn Write) -> Result<()> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    for table in report.tables_for(Audience::Data) {
        write_table(&mut book, &table, &formats)?;
    }
    let notes = book.add_worksheet();
    notes.set_name("notes").map_err(xerr)?;
    notes
        .write_string_with_format(0, 0, report.title(), &formats.header)
        .map_err(xerr)?;
    for (i, line) in report.footer().iter().enumerate() {
        notes
            .write_string(i as u32 + 1, 0, line.trim_start())
            .map_err(xerr)?;
    }
    notes.set_column_width(0, 100).map_err(xerr)?;
    let bytes = book.save_to_buffer().map_err(xerr)?;
    out.write_all(&bytes).map_err(|e| Error::io("<output>", e))
}

/// The cell formats, made once.
struct Formats {
    header: Format,
    text: Format,
    quoted: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            text: Format::new(),
            quoted: Format::new().set_quote_prefix(),
        }
    }
}

/// Excel's number format for a column of `kind`.
fn number_format(kind: Kind) -> &'static str {
    match kind {
        Kind::Number(Style::Fixed(0)) | Kind::Count => "0",
        Kind::Number(Style::Fixed(1)) => "0.0",
        Kind::Number(Style::Fixed(2)) => "0.00",
        Kind::Number(Style::Fixed(3)) => "0.000",
        Kind::Number(Style::Fixed(_)) => "0.0000",
        Kind::Number(Style::Percent) => "0.0%",
        Kind::Number(Style::PercentPoints) => "+0.0%;-0.0%;0.0%",
        Kind::Number(Style::PValue) => "0.00E+00",
        _ => "General",
    }
}

/// Whether a cell in column `name` is bad news: a negative gap or score
/// (a shortfall), a missed standard or failed check, an out-of-control
/// period.
fn alarming(name: &str, cell: &Cell) -> bool {
    match cell {
        Cell::Number(Some(v)) => {
            *v < 0.0
                && matches!(
                    name,
                    "gap"
                        | "gap1"
                        | "gap2"
                        | "gap3"
                        | "gap4"
                        | "gap5"
                        | "unweighted"
                        | "weighted"
                        | "value_weighted_gap"
                        | "mean_gap"
                )
        }
        Cell::Flag(b) => match name {
            "pass" | "passed" => !b,
            "out_of_control" => *b,
            _ => false,
        },
        _ => false,
    }
}

/// Writes one table on one sheet (or more, when it is longer than a sheet).
fn write_table(book: &mut Workbook, table: &Table<'_>, formats: &Formats) -> Result<()> {
    let columns = table.visible(Audience::Data);
    let header = table.header(&columns, Audience::Data);
    // widths from the header and the first rows' text
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    let mut seen = 0;
    let _ = table.try_each_row(|row| {
        for (w, text) in widths
            .iter_mut()
            .zip(table.row_text(row, &columns, Audience::People))
        {
            *w = (*w).max(text.width());
        }
        seen += 1;
        match seen < SIZING_ROWS {
            true => Ok(()),
            false => Err(()),
        }
    });
    let number: Vec<Format> = columns
        .iter()
        .map(|&c| Format::new().set_num_format(number_format(table.columns[c].kind)))
        .collect();
    let red = |f: &Format| {
        f.clone()
            .set_background_color(Color::RGB(0xFFC7CE))
            .set_font_color(Color::RGB(0x9C0006))
    };
    let alarm: Vec<Format> = number.iter().map(red).collect();
    let red_flag = red(&formats.text);
    let mut part = 0;
    let mut row_at = SHEET_ROWS; // the first row starts a sheet
    let new_sheet = |book: &mut Workbook, part: usize| -> Result<()> {
        let sheet = book.add_worksheet_with_constant_memory();
        let name = match part {
            0 => table.name.clone(),
            n => format!("{}_{}", table.name, n + 1),
        };
        sheet.set_name(sheet_name(&name)).map_err(xerr)?;
        for (c, (h, w)) in header.iter().zip(&widths).enumerate() {
            let c = c as u16;
            sheet
                .set_column_width(c, (w + 2).min(MAX_WIDTH) as f64)
                .map_err(xerr)?;
            sheet
                .write_string_with_format(0, c, h, &formats.header)
                .map_err(xerr)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xerr)?;
        Ok(())
    };
    let mut failed = None;
    table
        .try_each_row(|row| {
            if row_at == SHEET_ROWS {
                new_sheet(book, part)?;
                part += 1;
                row_at = 0;
            }
            row_at += 1;
            let ws = book
                .worksheets_mut()
                .last_mut()
                .ok_or_else(|| Error::internal("no sheet"))?;
            let r = row_at as u32;
            for (i, &c) in columns.iter().enumerate() {
                let column = &table.columns[c];
                let Some(cell) = row.get(c) else { continue };
                let bad = alarming(&column.name, cell);
                let col = i as u16;
                let written = match cell {
                    Cell::Text(s) if s.is_empty() => Ok(()),
                    Cell::Text(s) => {
                        let f = match s.starts_with(['=', '+', '-', '@']) {
                            true => &formats.quoted,
                            false => &formats.text,
                        };
                        ws.write_string_with_format(r, col, s, f).map(drop)
                    }
                    Cell::Count(Some(n)) => ws
                        .write_number_with_format(r, col, *n as f64, &number[i])
                        .map(drop),
                    Cell::Number(Some(v)) if v.is_finite() => {
                        let f = if bad { &alarm[i] } else { &number[i] };
                        ws.write_number_with_format(r, col, *v, f).map(drop)
                    }
                    Cell::Flag(b) if bad => ws
                        .write_boolean_with_format(r, col, *b, &red_flag)
                        .map(drop),
                    Cell::Flag(b) => ws.write_boolean(r, col, *b).map(drop),
                    Cell::Interval(..) => ws
                        .write_string(r, col, cell.render(column.kind, Audience::People))
                        .map(drop),
                    _ => Ok(()),
                };
                if let Err(e) = written {
                    failed = Some(xerr(e));
                    return Err(Error::internal("stopped"));
                }
            }
            Ok(())
        })
        .map_err(|e| failed.take().unwrap_or(e))?;
    if part == 0 {
        new_sheet(book, 0)?; // a table without rows still has its sheet
    }
    Ok(())
}

/// `name` as Excel allows a sheet name: at most 31 characters, none of
/// `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c => c,
        })
        .take(31)
        .collect()
}
