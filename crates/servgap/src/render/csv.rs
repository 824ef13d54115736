//! CSV output: one block per table (a `# title` line, the header, the rows),
//! blocks separated by a blank line. Cells a spreadsheet would run as a
//! formula (leading `=`, `+`, `-`, `@`) are neutralised with a leading `'`,
//! except plain numbers such as `-0.75`.

use super::TextTable;
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

/// Renders the tables as CSV blocks.
pub fn render(tables: &[TextTable]) -> Result<String> {
    let mut out = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(format!("# {}\n", t.title).as_bytes());
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let werr = |e: csv::Error| Error::internal(format!("writing CSV: {e}"));
        w.write_record(t.header.iter().map(|h| neutralise(h)))
            .map_err(werr)?;
        for r in &t.rows {
            w.write_record(r.iter().map(|c| neutralise(c)))
                .map_err(werr)?;
        }
        out.extend(
            w.into_inner()
                .map_err(|e| Error::internal(format!("writing CSV: {e}")))?,
        );
    }
    String::from_utf8(out).map_err(|e| Error::internal(format!("writing CSV: {e}")))
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
