//! GitHub-flavoured Markdown: a heading per table, numbers right-aligned,
//! cell text escaped so `|` and markup in labels cannot break the table.

use std::io::{self, Write};

use super::{Audience, Table, TextTable};

/// `s` with Markdown's specials escaped and line breaks flattened, so
/// that user text cannot break a table or add markup.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push(' '),
            _ => o.push(c),
        }
    }
    o
}

/// Writes tables as Markdown sections, a row at a time, then the footer
/// as a paragraph.
pub fn write(
    title: &str,
    tables: &[Table<'_>],
    footer: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "# {}\n", escape(title))?;
    let audience = Audience::People;
    for t in tables {
        writeln!(out, "## {}\n", escape(&t.title))?;
        let columns = t.visible(audience);
        let numeric: Vec<bool> = columns
            .iter()
            .map(|&c| t.columns[c].kind.numeric())
            .collect();
        out.write_all(head(&t.header(&columns, audience), &numeric).as_bytes())?;
        t.try_each_row(|row| out.write_all(line(&t.row_text(row, &columns, audience)).as_bytes()))?;
        writeln!(out)?;
    }
    for l in footer {
        writeln!(out, "{}  ", escape(l.trim_start()))?;
    }
    Ok(())
}

/// A table's header and alignment rows.
fn head(header: &[String], numeric: &[bool]) -> String {
    let mut out = line(header);
    out.push_str(&format!(
        "|{}|\n",
        numeric
            .iter()
            .map(|n| if *n { "---:" } else { ":---" })
            .collect::<Vec<_>>()
            .join("|")
    ));
    out
}

/// One row, its cells escaped.
fn line(cells: &[String]) -> String {
    format!(
        "| {} |\n",
        cells
            .iter()
            .map(|c| escape(c))
            .collect::<Vec<_>>()
            .join(" | ")
    )
}

/// One table laid out as text, as Markdown rows (header, alignment,
/// rows), numbers right-aligned.
pub fn table(t: &TextTable) -> String {
    let mut out = head(&t.header, &t.numeric);
    for r in &t.rows {
        out.push_str(&line(r));
    }
    out
}
