//! Terminal tables, aligned by display width (CJK labels take two columns),
//! via comfy-table. A cell wider than [`MAX_CELL`] columns is cut with `…`:
//! a terminal cannot show it whole, and laying it out would cost seconds
//! (JSON, CSV and Markdown keep every value whole).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use unicode_width::UnicodeWidthChar;

use super::TextTable;

/// The widest cell a terminal table shows, in display columns.
pub const MAX_CELL: usize = 120;

/// `cell` cut to [`MAX_CELL`] display columns (its last one `…`).
fn fitted(cell: &str) -> String {
    if cell.len() <= MAX_CELL {
        return cell.to_string(); // no wider than its bytes
    }
    let mut width = 0;
    let mut out = String::new();
    for c in cell.chars() {
        width += c.width().unwrap_or(0);
        if width > MAX_CELL - 1 {
            out.push('…');
            return out;
        }
        out.push(c);
    }
    out
}

/// Renders tables with titles, then the footer lines.
pub fn render(tables: &[TextTable], footer: &[String]) -> String {
    let mut out = String::new();
    for t in tables {
        out.push_str(&t.title);
        out.push('\n');
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(t.header.iter().map(|h| fitted(h)).collect::<Vec<_>>());
        for row in &t.rows {
            table.add_row(row.iter().map(|c| fitted(c)).collect::<Vec<_>>());
        }
        for (i, numeric) in t.numeric.iter().enumerate() {
            if let Some(col) = table.column_mut(i) {
                col.set_cell_alignment(if *numeric {
                    CellAlignment::Right
                } else {
                    CellAlignment::Left
                });
            }
        }
        out.push_str(&table.to_string());
        out.push_str("\n\n");
    }
    for l in footer {
        out.push_str(l);
        out.push('\n');
    }
    out
}
