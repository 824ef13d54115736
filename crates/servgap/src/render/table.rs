//! Terminal tables, aligned by display width (CJK labels take two columns),
//! via comfy-table.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::TextTable;

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
            .set_header(t.header.clone());
        for row in &t.rows {
            table.add_row(row.clone());
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
