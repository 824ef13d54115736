//! GitHub-flavoured Markdown: a heading per table, numbers right-aligned,
//! cell text escaped so `|` and markup in labels cannot break the table.

use super::TextTable;

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

/// Renders tables as Markdown sections, then the footer as a paragraph.
pub fn render(title: &str, tables: &[TextTable], footer: &[String]) -> String {
    let mut out = format!("# {}\n\n", escape(title));
    for t in tables {
        out.push_str(&format!("## {}\n\n", escape(&t.title)));
        out.push_str(&table(t));
        out.push('\n');
    }
    for l in footer {
        out.push_str(&escape(l.trim_start()));
        out.push_str("  \n");
    }
    out
}

/// One table as Markdown rows (header, alignment, rows), numbers
/// right-aligned.
pub fn table(t: &TextTable) -> String {
    let mut out = format!(
        "| {} |\n",
        t.header
            .iter()
            .map(|h| escape(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    out.push_str(&format!(
        "|{}|\n",
        t.numeric
            .iter()
            .map(|n| if *n { "---:" } else { ":---" })
            .collect::<Vec<_>>()
            .join("|")
    ));
    for r in &t.rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    out
}
