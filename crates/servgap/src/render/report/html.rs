//! The report as one self-contained HTML page, from the `report.html`
//! template (askama: every value escaped unless marked safe; only the
//! charts' SVG, which escapes its own text, is).

use askama::Template;

use super::{sections, Block, Finding, SectionView, Words};
use crate::error::{Error, Result};
use crate::render::tabular::{Audience, TextTable};
use crate::report::ReportData;

/// A finding as the template shows it.
struct FindingView {
    text: String,
    class: &'static str,
}

impl From<Finding> for FindingView {
    fn from(f: Finding) -> Self {
        FindingView {
            text: f.text,
            class: f.status.class(),
        }
    }
}

/// A block as the template shows it.
struct BlockView {
    title: String,
    /// The chart's SVG, or empty.
    chart: String,
    reading: String,
    table: Option<TextTable>,
    notes: Vec<String>,
}

impl From<Block> for BlockView {
    fn from(b: Block) -> Self {
        BlockView {
            title: b.title,
            chart: b.chart.unwrap_or_default(),
            reading: b.reading,
            table: b.table.map(|t| t.laid_out(Audience::People)),
            notes: b.notes,
        }
    }
}

/// A section as the template shows it.
struct SectionHtml {
    id: &'static str,
    title: String,
    blocks: Vec<BlockView>,
}

impl From<SectionView> for SectionHtml {
    fn from(s: SectionView) -> Self {
        SectionHtml {
            id: s.id,
            title: s.title,
            blocks: s.blocks.into_iter().map(BlockView::from).collect(),
        }
    }
}

/// The page.
#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    lang: &'static str,
    title: String,
    subtitle: String,
    summary_title: String,
    findings: Vec<FindingView>,
    sections: Vec<SectionHtml>,
    inputs_title: String,
    inputs: Vec<String>,
    made_by: String,
}

/// The page of `data` in the language of `w`.
pub fn page(data: &ReportData, w: &dyn Words) -> Result<String> {
    let parts = sections(data);
    let rows = data.input_rows();
    let page = Page {
        lang: w.lang().tag(),
        title: w.title().into(),
        subtitle: rows
            .iter()
            .map(|r| r.file.as_str())
            .collect::<Vec<_>>()
            .join(" · "),
        summary_title: w.summary().into(),
        findings: parts
            .iter()
            .flat_map(|s| s.findings(w))
            .map(FindingView::from)
            .collect(),
        sections: parts
            .iter()
            .map(|s| SectionHtml::from(s.view(w, true)))
            .collect(),
        inputs_title: w.inputs().into(),
        inputs: rows
            .iter()
            .map(|r| {
                w.input_rows(
                    &r.file,
                    r.counts.rows_read,
                    r.counts.rows_used,
                    r.counts.rows_rejected,
                )
            })
            .collect(),
        made_by: w.made_by(env!("CARGO_PKG_VERSION")),
    };
    page.render()
        .map_err(|e| Error::internal(format!("rendering the report: {e}")))
}
