//! The hard standards' section: compliance per standard with its Wilson
//! interval against the target, and the misses by group and period.

use super::super::words::{percent, Words};
use super::super::{Block, Finding, Section, SectionView};
use super::text_cell;
use crate::compliance::ComplianceReport;
use crate::render::charts::{self, Target};
use crate::render::tabular::{Cell, Column, Kind, Style, Table};

/// At most this many group misses are listed.
const MAX_MISSES: usize = 20;

/// The hard standards' section.
pub struct ComplianceSection<'a>(pub &'a ComplianceReport);

impl ComplianceSection<'_> {
    /// The standards that miss their target over all events.
    fn missed(&self) -> Vec<String> {
        self.0
            .standards
            .iter()
            .filter(|s| s.pass == Some(false))
            .map(|s| s.standard_id.clone())
            .collect()
    }
}

impl Section for ComplianceSection<'_> {
    fn findings(&self, w: &dyn Words) -> Vec<Finding> {
        let missed = self.missed();
        vec![Finding::judged(
            w.standards_missed(&missed),
            !missed.is_empty(),
        )]
    }

    fn checks(&self, w: &dyn Words) -> Vec<Finding> {
        self.0
            .standards
            .iter()
            .filter_map(|s| {
                let pass = s.pass?;
                let text = format!(
                    "{}: {} {} ({} {})",
                    s.standard_id,
                    percent(s.compliance),
                    w.passed(pass),
                    w.target(),
                    percent(Some(s.target))
                );
                Some(Finding::judged(text, !pass))
            })
            .collect()
    }

    fn view(&self, w: &dyn Words, charts: bool) -> SectionView {
        let r = self.0;
        let missed = self.missed();
        let furthest = r
            .standards
            .iter()
            .filter(|s| s.pass == Some(false))
            .min_by(|a, b| a.gap.unwrap_or(0.0).total_cmp(&b.gap.unwrap_or(0.0)));
        let worst = furthest.map(|s| {
            (
                s.standard_id.as_str(),
                percent(s.compliance),
                percent(Some(s.target)),
            )
        });
        let reading = w.compliance_reading(
            &missed,
            r.standards.len(),
            worst.as_ref().map(|(a, b, c)| (*a, b.as_str(), c.as_str())),
        );
        let rows: Vec<Target> = r
            .standards
            .iter()
            .map(|s| Target {
                label: s.standard_id.clone(),
                value: s.compliance,
                low: s.ci_low,
                high: s.ci_high,
                target: s.target,
            })
            .collect();
        let pct = Kind::Number(Style::Percent);
        let mut table = Table::new(
            w.compliance_title(),
            "standards",
            vec![
                Column::new(w.col_standard(), Kind::Text),
                Column::new("", Kind::Text),
                Column::new(w.col_events(), Kind::Count),
                Column::new(w.col_compliance(), pct),
                Column::new("95%", Kind::Interval(Style::Percent)),
                Column::new(w.target(), pct),
                Column::new(w.col_result(), Kind::Text),
            ],
        );
        for s in &r.standards {
            table.rows.push(vec![
                text_cell(&s.standard_id),
                text_cell(&s.description),
                Cell::Count(Some(s.events)),
                Cell::Number(s.compliance),
                Cell::Interval(s.ci_low, s.ci_high),
                Cell::Number(Some(s.target)),
                text_cell(s.pass.map_or("—", |p| w.passed(p))),
            ]);
        }
        let misses: Vec<String> = r
            .groups
            .iter()
            .flat_map(|g| {
                let mut key: Vec<String> = g.period.iter().map(|p| p.label()).collect();
                key.extend(g.key.iter().map(|(_, v)| v.clone()));
                let key = key.join(" ");
                g.standards
                    .iter()
                    .filter(|s| s.pass == Some(false))
                    .map(move |s| {
                        format!(
                            "{key} · {}: {} ({} {})",
                            s.standard_id,
                            percent(s.compliance),
                            w.target(),
                            percent(Some(s.target))
                        )
                    })
            })
            .collect();
        let mut notes = Vec::new();
        if !misses.is_empty() {
            notes.push(w.group_misses(misses.len()));
            notes.extend(misses.into_iter().take(MAX_MISSES));
        }
        SectionView {
            id: "compliance",
            title: w.compliance_section().into(),
            blocks: vec![Block {
                title: w.compliance_title().into(),
                chart: charts.then(|| {
                    charts::targets(
                        &rows,
                        w.compliance_axis(),
                        (w.col_compliance(), w.target()),
                        w.compliance_title(),
                    )
                }),
                reading,
                table: Some(table),
                notes,
            }],
        }
    }
}
