//! The gap model's section: gaps 1–5 per dimension, and the overall row.

use super::super::words::{signed, Words};
use super::super::{Block, Finding, Section, SectionView};
use super::{number_cell, text_cell, worst};
use crate::gaps::{GapModel, GapsReport, OverallGaps};
use crate::render::charts::{self, Series};
use crate::render::tabular::{Column, Kind, Style, Table};

/// The gap model's section.
pub struct GapsSection<'a>(pub &'a GapsReport);

/// Gaps 1–5 of the overall row.
fn overall(o: &OverallGaps) -> [Option<f64>; 5] {
    [o.gap1, o.gap2, o.gap3, o.gap4, o.gap5]
}

impl GapsSection<'_> {
    fn mot(&self) -> bool {
        self.0.inputs.model == GapModel::Mot
    }

    /// The most negative of gaps 1–4 over all dimensions: (gap, value).
    fn largest(&self) -> Option<(usize, f64)> {
        worst(overall(&self.0.all.overall).into_iter().take(4))
            .filter(|(_, v)| *v < 0.0)
            .map(|(k, v)| (k + 1, v))
    }
}

impl Section for GapsSection<'_> {
    fn findings(&self, w: &dyn Words) -> Vec<Finding> {
        match self.largest() {
            Some((k, v)) => vec![Finding::judged(
                w.largest_gap(&w.gap_name(k, self.mot()), &signed(Some(v), 2)),
                true,
            )],
            None => vec![Finding::judged(w.gaps_none().into(), false)],
        }
    }

    fn view(&self, w: &dyn Words, charts: bool) -> SectionView {
        let r = self.0;
        let dims = &r.all.dimensions;
        let of = |d: &crate::gaps::DimensionGaps| [d.gap1, d.gap2, d.gap3, d.gap4, d.gap5];
        let reading = match self.largest() {
            Some((k, v)) => {
                let (d, dv) = worst(dims.iter().map(|d| of(d)[k - 1])).unwrap_or((0, v));
                let name = dims.get(d).map_or("—", |x| x.dimension.as_str());
                w.gaps_reading(
                    &w.gap_name(k, self.mot()),
                    &signed(Some(v), 2),
                    name,
                    &signed(Some(dv), 2),
                )
            }
            None => w.gaps_none().into(),
        };
        let series: Vec<Series> = (1..=5)
            .map(|k| Series {
                name: w.gap_name(k, self.mot()),
                values: dims.iter().map(|d| of(d)[k - 1]).collect(),
            })
            .collect();
        let categories: Vec<String> = dims.iter().map(|d| d.dimension.clone()).collect();
        let mut cols = vec![Column::new(w.col_dimension(), Kind::Text)];
        cols.extend(
            (1..=5).map(|k| Column::new(w.gap_short(k, self.mot()), Kind::Number(Style::Fixed(2)))),
        );
        let mut table = Table::new(w.gaps_title(), "dimensions", cols);
        for d in dims {
            let mut row = vec![text_cell(&d.dimension)];
            row.extend(of(d).map(number_cell));
            table.rows.push(row);
        }
        let mut row = vec![text_cell(w.overall())];
        row.extend(overall(&r.all.overall).map(number_cell));
        table.rows.push(row);
        SectionView {
            id: "gaps",
            title: w.gaps_section().into(),
            blocks: vec![Block {
                title: w.gaps_title().into(),
                chart: charts.then(|| {
                    charts::grouped_bars(&categories, &series, w.gap_axis_short(), w.gaps_title())
                }),
                reading,
                table: Some(table),
                notes: (1..=5).map(|k| w.gap_name(k, self.mot())).collect(),
            }],
        }
    }
}
