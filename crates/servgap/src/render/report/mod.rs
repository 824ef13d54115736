//! `servgap report`: one page with a section per analysis the inputs
//! allow, in English or Simplified Chinese. The page is one self-contained
//! HTML file (inline SVG charts and CSS, no script, nothing from the
//! network, printable on A4); the Markdown form is a CI job's summary:
//! check outcomes first, then each section's readings and compact tables.
//!
//! A section ([`Section`]) is one module under `sections/` that turns one
//! result into what every format shows: findings for the summary, check
//! outcomes, and blocks of a chart, a one-sentence reading computed from
//! the figures, and a small table. Adding an analysis to the report is one
//! such module and one line in [`sections`]. Every word comes from the
//! language's [`Words`].

pub mod en;
mod html;
mod markdown;
mod sections;
pub mod words;
pub mod zh;

pub use words::{Lang, Words};

use super::tabular::Table;
use crate::error::Result;
use crate::report::ReportData;

/// How a finding reads: good news, bad news, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A target met, a score above zero.
    Good,
    /// A shortfall, a miss, a signal.
    Bad,
    /// Neither.
    Neutral,
}

impl Status {
    /// The CSS class of the status.
    pub fn class(self) -> &'static str {
        match self {
            Status::Good => "good",
            Status::Bad => "bad",
            Status::Neutral => "neutral",
        }
    }
}

/// One line of the summary or of the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The sentence.
    pub text: String,
    /// How it reads.
    pub status: Status,
}

impl Finding {
    /// A finding that is bad news when `bad`, else good news.
    pub fn judged(text: String, bad: bool) -> Self {
        Finding {
            text,
            status: if bad { Status::Bad } else { Status::Good },
        }
    }
}

/// One part of a section: a chart, its reading, a table, notes.
#[derive(Debug)]
pub struct Block {
    /// The chart's title.
    pub title: String,
    /// The chart, one `<svg>` element (none in Markdown).
    pub chart: Option<String>,
    /// The one-sentence reading of the chart.
    pub reading: String,
    /// The figures behind it, compactly.
    pub table: Option<Table<'static>>,
    /// Lines under the table.
    pub notes: Vec<String>,
}

/// A section as every format shows it.
#[derive(Debug)]
pub struct SectionView {
    /// The anchor of the section in the page.
    pub id: &'static str,
    /// Its heading.
    pub title: String,
    /// Its blocks.
    pub blocks: Vec<Block>,
}

/// One analysis's part of the report (see the module docs).
pub trait Section {
    /// Lines for the summary at the top.
    fn findings(&self, w: &dyn Words) -> Vec<Finding>;

    /// Outcomes of the checks a CI job acts on (Markdown shows them first).
    fn checks(&self, _w: &dyn Words) -> Vec<Finding> {
        Vec::new()
    }

    /// The section; `charts`: draw the charts (Markdown has none).
    fn view(&self, w: &dyn Words, charts: bool) -> SectionView;
}

/// The sections of a report, in page order: one per analysis it holds.
pub fn sections(data: &ReportData) -> Vec<Box<dyn Section + '_>> {
    let mut out: Vec<Box<dyn Section + '_>> = Vec::new();
    if let Some(s) = &data.survey {
        out.push(Box::new(sections::survey::SurveySection::new(s, data)));
    }
    if let Some(g) = &data.gaps {
        out.push(Box::new(sections::gaps::GapsSection(g)));
    }
    if let Some(c) = &data.compliance {
        out.push(Box::new(sections::compliance::ComplianceSection(c)));
    }
    if let Some(q) = &data.sqi {
        out.push(Box::new(sections::sqi::SqiSection(q)));
    }
    if let Some(v) = &data.value {
        out.push(Box::new(sections::value::ValueSection(v)));
    }
    if let Some(c) = &data.chain {
        out.push(Box::new(sections::value::ChainSection(c)));
    }
    out
}

/// The report as one self-contained HTML page.
pub fn html(data: &ReportData, lang: Lang) -> Result<String> {
    html::page(data, lang.words())
}

/// The report as Markdown for a CI job summary.
pub fn markdown(data: &ReportData, lang: Lang) -> String {
    markdown::summary(data, lang.words())
}
