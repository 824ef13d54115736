//! The survey's section: dimension gaps with their intervals, expectation
//! and perception per item, the zone of tolerance (when measured), the
//! importance–performance quadrants, and the groups' scores.

use super::super::words::{signed, Words};
use super::super::{Block, Finding, Section, SectionView, Status};
use super::{number_cell, text_cell, worst};
use crate::render::charts::{self, Band, Interval, Pair, Point};
use crate::render::tabular::{Cell, Column, Kind, Style, Table};
use crate::report::ReportData;
use crate::survey::{Quadrant, SurveyReport};

/// At most this many groups are charted and tabled (the lowest scores).
const MAX_GROUPS: usize = 20;

/// The survey's section, with the report for item texts and the gap model
/// (managers' gap 1 beside the largest shortfall).
pub struct SurveySection<'a> {
    report: &'a SurveyReport,
    data: &'a ReportData,
}

impl<'a> SurveySection<'a> {
    /// The section of `report` within `data`.
    pub fn new(report: &'a SurveyReport, data: &'a ReportData) -> Self {
        SurveySection { report, data }
    }

    /// The scale's range, from its text `low-high`.
    fn range(&self) -> (f64, f64) {
        let s = &self.report.inputs.scale;
        crate::model::scale::Scale::parse(s).map_or((1.0, 7.0), |sc| (sc.min, sc.max))
    }

    /// The dimension with the most negative gap, and that gap.
    fn shortfall(&self) -> Option<(usize, f64)> {
        let dims = &self.report.all.dimensions;
        worst(dims.iter().map(|d| d.gap)).filter(|(_, g)| *g < 0.0)
    }

    fn dimension_block(&self, w: &dyn Words, charts: bool) -> Block {
        let r = self.report;
        let scale = &r.inputs.scale;
        let reading = match self.shortfall() {
            Some((d, g)) => {
                let dim = &r.all.dimensions[d];
                let gap1 = self.data.gaps.as_ref().and_then(|gr| {
                    gr.all
                        .dimensions
                        .iter()
                        .find(|x| x.dimension == dim.dimension)
                        .and_then(|x| x.gap1)
                        .filter(|v| *v < 0.0)
                });
                w.dimension_gaps_reading(
                    &dim.dimension,
                    &signed(Some(g), 2),
                    scale,
                    gap1.map(|v| signed(Some(v), 2)).as_deref(),
                )
            }
            None => w.dimension_gaps_none().into(),
        };
        let rows: Vec<Interval> = r
            .all
            .dimensions
            .iter()
            .map(|d| Interval {
                label: d.dimension.clone(),
                value: d.gap,
                low: d.ci_low,
                high: d.ci_high,
            })
            .collect();
        let fixed = |p| Kind::Number(Style::Fixed(p));
        let mut table = Table::new(
            w.dimension_gaps_title(),
            "dimensions",
            vec![
                Column::new(w.col_dimension(), Kind::Text),
                Column::new(w.col_respondents(), Kind::Count),
                Column::new(w.expectation(), fixed(2)),
                Column::new(w.perception(), fixed(2)),
                Column::new(w.col_gap(), fixed(2)),
                Column::new(w.col_ci(), Kind::Interval(Style::Fixed(2))),
                Column::new(w.col_alpha(), fixed(2)),
            ],
        );
        for d in &r.all.dimensions {
            table.rows.push(vec![
                text_cell(&d.dimension),
                Cell::Count(d.n),
                number_cell(d.mean_e),
                number_cell(d.mean_p),
                number_cell(d.gap),
                Cell::Interval(d.ci_low, d.ci_high),
                number_cell(d.alpha_gap),
            ]);
        }
        Block {
            title: w.dimension_gaps_title().into(),
            chart: charts.then(|| {
                charts::bars_with_intervals(&rows, &w.gap_axis(scale), w.dimension_gaps_title())
            }),
            reading,
            table: Some(table),
            notes: Vec::new(),
        }
    }

    fn items_block(&self, w: &dyn Words, charts: bool) -> Block {
        let r = self.report;
        let items = &r.all.items;
        let short = items
            .iter()
            .filter(|i| i.gap.is_some_and(|g| g < 0.0))
            .count();
        let reading = match worst(items.iter().map(|i| i.gap)) {
            Some((i, g)) => w.items_reading(
                short,
                items.len(),
                &self.data.item_label(&items[i].item),
                &signed(Some(g), 2),
            ),
            None => w.items_reading(0, items.len(), "—", "—"),
        };
        let rows: Vec<Pair> = items
            .iter()
            .map(|i| Pair {
                label: self.data.item_label(&i.item),
                a: i.mean_e,
                b: i.mean_p,
            })
            .collect();
        Block {
            title: w.items_title().into(),
            chart: charts.then(|| {
                charts::dumbbell(
                    &rows,
                    self.range(),
                    &w.score_axis(&r.inputs.scale),
                    (w.expectation(), w.perception()),
                    w.items_title(),
                )
            }),
            reading,
            table: None,
            notes: Vec::new(),
        }
    }

    fn zone_block(&self, w: &dyn Words, charts: bool) -> Option<Block> {
        let r = self.report;
        let rows: Vec<Band> = r
            .all
            .zone
            .iter()
            .filter_map(|z| {
                Some(Band {
                    label: self.data.item_label(z.item.as_deref()?),
                    low: z.mean_adequate,
                    high: z.mean_desired,
                    value: z.mean_p,
                })
            })
            .collect();
        if rows.is_empty() {
            return None;
        }
        let below = rows
            .iter()
            .filter(|b| matches!((b.value, b.low), (Some(v), Some(l)) if v < l))
            .count();
        let above = rows
            .iter()
            .filter(|b| matches!((b.value, b.high), (Some(v), Some(h)) if v > h))
            .count();
        Some(Block {
            title: w.zone_title().into(),
            chart: charts.then(|| {
                charts::bands(
                    &rows,
                    self.range(),
                    &w.score_axis(&r.inputs.scale),
                    (w.zone_band(), w.perception()),
                    w.zone_title(),
                )
            }),
            reading: w.zone_reading(below, above, rows.len()),
            table: None,
            notes: Vec::new(),
        })
    }

    fn ipa_block(&self, w: &dyn Words, charts: bool) -> Option<Block> {
        let ipa = &self.report.all.ipa;
        let points: Vec<Point> = ipa
            .iter()
            .filter_map(|p| {
                Some(Point {
                    label: p.dimension.clone(),
                    x: p.importance?,
                    y: p.performance?,
                })
            })
            .collect();
        if points.is_empty() {
            return None;
        }
        let mean =
            |f: &dyn Fn(&Point) -> f64| points.iter().map(f).sum::<f64>() / points.len() as f64;
        let mid = (mean(&|p| p.x), mean(&|p| p.y));
        let concentrate: Vec<String> = ipa
            .iter()
            .filter(|p| p.quadrant == Some(Quadrant::ConcentrateHere))
            .map(|p| p.dimension.clone())
            .collect();
        Some(Block {
            title: w.ipa_title().into(),
            chart: charts.then(|| {
                charts::quadrants(
                    &points,
                    mid,
                    (w.importance(), w.performance()),
                    w.quadrants(),
                    w.ipa_title(),
                )
            }),
            reading: w.ipa_reading(&concentrate),
            table: None,
            notes: Vec::new(),
        })
    }

    /// The items whose deletion would raise their dimension's α, as a
    /// compact table (none when α is unavailable everywhere).
    fn reliability_block(&self, w: &dyn Words) -> Option<Block> {
        let r = &self.report.all;
        if r.reliability.iter().all(|x| x.alpha_if_deleted.is_none()) {
            return None;
        }
        let scale_name = |s: &str| match s {
            "e" => "E",
            "p" => "P",
            _ => "P − E",
        };
        let mut table = Table::new(
            w.reliability_title(),
            "reliability",
            vec![
                Column::new(w.col_dimension(), Kind::Text),
                Column::new(w.col_item(), Kind::Text),
                Column::new("", Kind::Text),
                Column::new(w.col_alpha_if_deleted(), Kind::FINE),
                Column::new("α", Kind::FINE),
            ],
        );
        let mut flagged = Vec::new();
        for x in &r.reliability {
            let alpha = r
                .dimensions
                .iter()
                .find(|d| d.dimension == x.dimension)
                .and_then(|d| match x.scale {
                    "e" => d.alpha_e,
                    "p" => d.alpha_p,
                    _ => d.alpha_gap,
                });
            if let (Some(a), Some(b)) = (x.alpha_if_deleted, alpha) {
                if a > b {
                    flagged.push(format!(
                        "{} {} ({})",
                        x.dimension,
                        x.item,
                        scale_name(x.scale)
                    ));
                    table.rows.push(vec![
                        text_cell(&x.dimension),
                        text_cell(&x.item),
                        text_cell(scale_name(x.scale)),
                        number_cell(Some(a)),
                        number_cell(Some(b)),
                    ]);
                }
            }
        }
        let reading = w.reliability_reading(&flagged);
        Some(Block {
            title: w.reliability_title().into(),
            chart: None,
            reading,
            table: (!table.rows.is_empty()).then_some(table),
            notes: Vec::new(),
        })
    }

    fn groups_block(&self, w: &dyn Words, charts: bool) -> Option<Block> {
        let r = self.report;
        if r.groups.is_empty() {
            return None;
        }
        let label = |key: &[(String, String)]| {
            key.iter()
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let mut groups: Vec<_> = r.groups.iter().collect();
        groups.sort_by(|a, b| {
            let (x, y) = (a.tables.servqual.unweighted, b.tables.servqual.unweighted);
            x.unwrap_or(f64::INFINITY)
                .total_cmp(&y.unwrap_or(f64::INFINITY))
        });
        let (lo, hi) = (groups.first()?, groups.last()?);
        let reading = w.groups_reading(
            &label(&lo.key),
            &signed(lo.tables.servqual.unweighted, 2),
            &label(&hi.key),
            &signed(hi.tables.servqual.unweighted, 2),
        );
        let shown = &groups[..groups.len().min(MAX_GROUPS)];
        let rows: Vec<Interval> = shown
            .iter()
            .map(|g| Interval {
                label: label(&g.key),
                value: g.tables.servqual.unweighted,
                low: None,
                high: None,
            })
            .collect();
        let mut cols: Vec<Column> = r
            .inputs
            .by
            .iter()
            .map(|b| Column::new(b, Kind::Text))
            .collect();
        cols.extend([
            Column::new(w.col_respondents(), Kind::Count),
            Column::new(w.col_unweighted(), Kind::Number(Style::Fixed(2))),
            Column::new(w.col_weighted(), Kind::Number(Style::Fixed(2))),
        ]);
        let mut table = Table::new(w.groups_title(), "groups", cols);
        for g in shown {
            let mut row: Vec<Cell> = g.key.iter().map(|(_, v)| text_cell(v)).collect();
            row.extend([
                Cell::Count(Some(g.tables.respondents)),
                number_cell(g.tables.servqual.unweighted),
                number_cell(g.tables.servqual.weighted),
            ]);
            table.rows.push(row);
        }
        let notes = match groups.len() > MAX_GROUPS {
            true => vec![w.lowest_shown(MAX_GROUPS, groups.len())],
            false => vec![],
        };
        Some(Block {
            title: w.groups_title().into(),
            chart: charts.then(|| {
                charts::bars_with_intervals(&rows, &w.gap_axis(&r.inputs.scale), w.groups_title())
            }),
            reading,
            table: Some(table),
            notes,
        })
    }
}

impl Section for SurveySection<'_> {
    fn findings(&self, w: &dyn Words) -> Vec<Finding> {
        let r = self.report;
        let score = r.all.servqual.unweighted;
        let mut out = vec![Finding {
            text: w.servqual_score(&signed(score, 2), r.all.respondents, &r.inputs.scale),
            status: match score {
                Some(s) if s < 0.0 => Status::Bad,
                Some(_) => Status::Good,
                None => Status::Neutral,
            },
        }];
        out.push(match self.shortfall() {
            Some((d, g)) => Finding::judged(
                w.work_on_first(&r.all.dimensions[d].dimension, &signed(Some(g), 2)),
                true,
            ),
            None => Finding::judged(w.no_shortfall().into(), false),
        });
        if let Some(overall) = r.all.comparisons.iter().find(|c| c.dimension == "overall") {
            let differ: Vec<String> = overall
                .pairs
                .iter()
                .filter(|p| p.p_holm.is_some_and(|p| p < 0.05))
                .map(|p| {
                    let name = |k: &crate::survey::compare::GroupKey| {
                        k.0.iter()
                            .map(|(_, v)| v.as_str())
                            .collect::<Vec<_>>()
                            .join(" / ")
                    };
                    format!(
                        "{} − {} {}",
                        name(&p.a),
                        name(&p.b),
                        signed(Some(p.diff), 2)
                    )
                })
                .collect();
            out.push(match differ.is_empty() {
                true => Finding {
                    text: w.no_group_differences().into(),
                    status: Status::Neutral,
                },
                false => Finding {
                    text: w.group_differences(&differ),
                    status: Status::Neutral,
                },
            });
        }
        out
    }

    fn view(&self, w: &dyn Words, charts: bool) -> SectionView {
        let mut blocks = vec![self.dimension_block(w, charts), self.items_block(w, charts)];
        blocks.extend(self.zone_block(w, charts));
        blocks.extend(self.ipa_block(w, charts));
        blocks.extend(self.groups_block(w, charts));
        blocks.extend(self.reliability_block(w));
        SectionView {
            id: "survey",
            title: w.survey_section().into(),
            blocks,
        }
    }
}
