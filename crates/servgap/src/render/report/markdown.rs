//! The report as Markdown for a CI job summary: the check outcomes first,
//! then the summary, then each section's readings and compact tables (no
//! per-period or per-item rows, so its size does not grow with the input).

use super::{sections, Status, Words};
use crate::render::markdown::{escape, table};
use crate::render::tabular::Audience;
use crate::report::ReportData;

/// The mark of a finding.
fn mark(status: Status) -> &'static str {
    match status {
        Status::Good => "✅",
        Status::Bad => "❌",
        Status::Neutral => "•",
    }
}

/// The Markdown of `data` in the language of `w`.
pub fn summary(data: &ReportData, w: &dyn Words) -> String {
    let parts = sections(data);
    let mut out = format!("# {}\n\n## {}\n\n", escape(w.title()), escape(w.checks()));
    let checks: Vec<_> = parts.iter().flat_map(|s| s.checks(w)).collect();
    if checks.is_empty() {
        out.push_str(&format!("{}\n", escape(w.no_checks())));
    }
    for c in &checks {
        out.push_str(&format!("- {} {}\n", mark(c.status), escape(&c.text)));
    }
    out.push_str(&format!("\n## {}\n\n", escape(w.summary())));
    for f in parts.iter().flat_map(|s| s.findings(w)) {
        out.push_str(&format!("- {} {}\n", mark(f.status), escape(&f.text)));
    }
    for s in &parts {
        let view = s.view(w, false);
        out.push_str(&format!("\n## {}\n", escape(&view.title)));
        for b in &view.blocks {
            out.push_str(&format!(
                "\n### {}\n\n{}\n",
                escape(&b.title),
                escape(&b.reading)
            ));
            if let Some(t) = &b.table {
                out.push('\n');
                out.push_str(&table(&t.laid_out(Audience::People)));
            }
            for n in &b.notes {
                out.push_str(&format!("\n- {}", escape(n)));
            }
            if !b.notes.is_empty() {
                out.push('\n');
            }
        }
    }
    out.push_str(&format!("\n## {}\n\n", escape(w.inputs())));
    for r in data.input_rows() {
        let line = w.input_rows(
            &r.file,
            r.counts.rows_read,
            r.counts.rows_used,
            r.counts.rows_rejected,
        );
        out.push_str(&format!("- {}\n", escape(&line)));
    }
    out
}
