//! CSV output: one plain table that a spreadsheet or `pandas.read_csv`
//! loads as it is, its header the JSON field names. Cells a spreadsheet would run as a
//! formula (leading `=`, `+`, `-`, `@`) are neutralised with a leading `'`,
//! except plain numbers such as `-0.75`.

use super::{Audience, Table};
use crate::error::{Error, Result};

/// Makes a cell safe to open in a spreadsheet.
pub fn neutralise(cell: &str) -> String {
    let starts = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Writes one table as plain CSV, the header the columns' data names,
/// a row at a time.
pub fn write_table(table: &Table<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let werr = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::io("<output>", e),
        other => Error::internal(format!("writing CSV: {other:?}")),
    };
    let columns = table.visible(Audience::Data);
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(
        table
            .header(&columns, Audience::Data)
            .iter()
            .map(|h| neutralise(h)),
    )
    .map_err(werr)?;
    table.try_each_row(|row| {
        w.write_record(
            table
                .row_text(row, &columns, Audience::Data)
                .iter()
                .map(|c| neutralise(c)),
        )
        .map_err(werr)
    })?;
    w.flush().map_err(|e| Error::io("<output>", e))
}

/// Appends a text cell: neutralised (see [`neutralise`]) and quoted when it
/// holds a comma, a quote or a line break.
pub fn push_text(buf: &mut Vec<u8>, cell: &str) {
    let cell = neutralise(cell);
    if cell.contains([',', '"', '\n', '\r']) {
        buf.push(b'"');
        for b in cell.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(cell.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_are_quoted_and_neutralised() {
        let mut buf = Vec::new();
        push_text(&mut buf, "a,b");
        buf.push(b' ');
        push_text(&mut buf, "say \"hi\"");
        buf.push(b' ');
        push_text(&mut buf, "=1+1");
        assert_eq!(
            String::from_utf8_lossy(&buf),
            "\"a,b\" \"say \"\"hi\"\"\" '=1+1"
        );
    }

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("+1+1"), "'+1+1");
        assert_eq!(neutralise("-0.75"), "-0.75");
        assert_eq!(neutralise("服务"), "服务");
    }
}
