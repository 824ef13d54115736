//! The Service Quality Index's section: the whole operation's index per
//! period on its control chart, small multiples of the groups with the
//! most cells out of control, the Pareto of categories, and the checks.

use super::super::words::{num, percent, Words};
use super::super::{Block, Finding, Section, SectionView, Status};
use super::text_cell;
use crate::render::charts::{self, ChartPoint};
use crate::render::sqi_tables::breach_summary;
use crate::render::tabular::{Cell, Column, Kind, Style, Table};
use crate::sqi::{CheckKind, SqiReport};

/// Small multiples: at most this many groups.
const MULTIPLES: usize = 6;

/// The SQI's section.
pub struct SqiSection<'a>(pub &'a SqiReport);

impl SqiSection<'_> {
    /// What the index is per, in words.
    fn unit(&self, w: &dyn Words) -> String {
        let r = self.0;
        let per = r.periods.with_volume().then(|| num(Some(r.inputs.per), 0));
        w.sqi_unit(per.as_deref(), !r.inputs.by.is_empty())
    }

    fn period(&self, w: &dyn Words) -> &'static str {
        let kind = serde_json::to_value(self.0.inputs.period).ok();
        w.period_name(kind.as_ref().and_then(|v| v.as_str()).unwrap_or("day"))
    }

    /// A note naming the cells that signal a run rule (the first five).
    fn signal_notes(&self, w: &dyn Words) -> Vec<String> {
        let periods = &self.0.periods;
        let mut count = 0;
        let mut first = Vec::new();
        for p in periods.rows().filter(|p| p.signals != 0) {
            count += 1;
            if first.len() < 5 {
                let mut place = p.period.label();
                for (col, v) in periods.named_group(p.group) {
                    place.push_str(&format!(" {col}={v}"));
                }
                first.push(format!("{place}: {}", periods.signal_names(&p).join(", ")));
            }
        }
        let rules = match self.0.inputs.rules {
            crate::sqi::RuleSet::Nelson => "Nelson",
            _ => "Western Electric",
        };
        match count {
            0 => Vec::new(),
            _ => vec![w.signals_note(count, &first, rules)],
        }
    }

    fn check_name(kind: CheckKind) -> &'static str {
        match kind {
            CheckKind::MaxPoints => "max_points",
            CheckKind::MaxPerUnit => "max_per_unit",
            CheckKind::Signals => "signals",
        }
    }
}

impl Section for SqiSection<'_> {
    fn findings(&self, w: &dyn Words) -> Vec<Finding> {
        let r = self.0;
        let mut out = Vec::new();
        if let Some(last) = r.periods.operation().last() {
            let limits = last
                .lcl
                .zip(last.ucl)
                .map(|(l, u)| (num(Some(l), 2), num(Some(u), 2)));
            let above = matches!((last.value, last.ucl), (Some(v), Some(u)) if v > u);
            let below = matches!((last.value, last.lcl), (Some(v), Some(l)) if v < l);
            let text = w.sqi_status(
                &last.period.label(),
                &num(last.value, 2),
                &self.unit(w),
                limits.as_ref().map(|(l, u)| (l.as_str(), u.as_str())),
                above,
                below,
            );
            out.push(Finding {
                text,
                status: match (above || below, limits.is_some()) {
                    (true, _) => Status::Bad,
                    (false, true) => Status::Good,
                    (false, false) => Status::Neutral,
                },
            });
        }
        if !r.checks.is_empty() {
            let failed = r.checks.iter().filter(|c| !c.passed).count();
            out.push(Finding::judged(
                w.sqi_checks(failed, r.checks.len()),
                failed > 0,
            ));
        }
        out
    }

    fn checks(&self, w: &dyn Words) -> Vec<Finding> {
        self.0
            .checks
            .iter()
            .map(|c| {
                let mut text = format!(
                    "SQI {} ≤ {}: {}",
                    Self::check_name(c.check),
                    num(Some(c.limit), 2),
                    w.passed(c.passed)
                );
                if !c.passed {
                    text.push_str(&format!(" ({})", breach_summary(c, 3)));
                }
                Finding::judged(text, !c.passed)
            })
            .collect()
    }

    fn view(&self, w: &dyn Words, charts: bool) -> SectionView {
        let r = self.0;
        let unit = self.unit(w);
        let legend = w.trend_legend();
        let op = r.periods.operation();
        let trend_title = w.trend_title(self.period(w));
        let out = op.iter().filter(|o| o.out_of_control).count();
        let reading = match op.last() {
            Some(last) => w.trend_reading(out, op.len(), &last.period.label(), &num(last.value, 2)),
            None => w.trend_reading(0, 0, "—", "—"),
        };
        let points: Vec<ChartPoint> = op
            .iter()
            .map(|o| ChartPoint {
                label: o.period.label(),
                value: o.value,
                ucl: o.ucl,
                lcl: o.lcl,
                flagged: o.out_of_control,
            })
            .collect();
        let mut blocks = vec![Block {
            title: trend_title.clone(),
            chart: charts.then(|| {
                charts::control_chart(&points, r.periods.centre, &unit, legend, None, &trend_title)
            }),
            reading,
            table: None,
            notes: self.signal_notes(w),
        }];
        let worst = r.periods.worst_groups(MULTIPLES);
        if let Some(first) = worst.first() {
            let with_volume = r.periods.with_volume();
            let name = |g: &[(String, String)]| {
                g.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let svgs: Vec<String> = match charts {
                true => worst
                    .iter()
                    .map(|g| {
                        let pts: Vec<ChartPoint> = g
                            .rows
                            .iter()
                            .map(|p| ChartPoint {
                                label: p.period.label(),
                                value: p.plotted(with_volume),
                                ucl: p.ucl(),
                                lcl: p.lcl(),
                                flagged: p.out_of_control,
                            })
                            .collect();
                        let title = w.worst_group(&name(&g.group), g.out_of_control);
                        charts::control_chart(
                            &pts,
                            r.periods.centre,
                            &unit,
                            legend,
                            Some(&title),
                            &title,
                        )
                    })
                    .collect(),
                false => Vec::new(),
            };
            let title = w.worst_groups_title(worst.len());
            blocks.push(Block {
                title: title.clone(),
                chart: charts.then(|| format!(r#"<div class="multiples">{}</div>"#, svgs.concat())),
                reading: w.worst_groups_reading(
                    &name(&first.group),
                    first.out_of_control,
                    r.chart.out_of_control as usize,
                ),
                table: None,
                notes: Vec::new(),
            });
        }
        if !r.pareto.is_empty() {
            let rows: Vec<(String, f64)> = r
                .pareto
                .iter()
                .map(|p| (p.category.clone(), p.points))
                .collect();
            let cumulative: Vec<f64> = r
                .pareto
                .iter()
                .map(|p| p.cumulative.unwrap_or(f64::NAN))
                .collect();
            let vital: Vec<&crate::sqi::ParetoRow> =
                r.pareto.iter().filter(|p| p.vital_few).collect();
            let names: Vec<String> = vital.iter().map(|p| p.category.clone()).collect();
            let share = percent(vital.last().and_then(|p| p.cumulative));
            let pct = Kind::Number(Style::Percent);
            let mut table = Table::new(
                w.pareto_title(),
                "pareto",
                vec![
                    Column::new(w.col_category(), Kind::Text),
                    Column::new(w.points(), crate::render::sqi_tables::points_kind(r)),
                    Column::new("%", pct),
                    Column::new(w.cumulative(), pct),
                ],
            );
            for p in &r.pareto {
                table.rows.push(vec![
                    text_cell(&p.category),
                    Cell::Number(Some(p.points)),
                    Cell::Number(p.share),
                    Cell::Number(p.cumulative),
                ]);
            }
            blocks.push(Block {
                title: w.pareto_title().into(),
                chart: charts.then(|| {
                    charts::pareto(
                        &rows,
                        &cumulative,
                        (w.points(), w.cumulative()),
                        w.pareto_title(),
                    )
                }),
                reading: w.pareto_reading(&names, &share, r.pareto.len()),
                table: Some(table),
                notes: Vec::new(),
            });
        }
        if !r.checks.is_empty() {
            let mut table = Table::new(
                w.checks(),
                "checks",
                vec![
                    Column::new(w.col_check(), Kind::Text),
                    Column::new(w.col_limit(), Kind::RATE),
                    Column::new(w.col_result(), Kind::Text),
                    Column::new(w.col_breaches(), Kind::Text),
                ],
            );
            for c in &r.checks {
                table.rows.push(vec![
                    text_cell(Self::check_name(c.check)),
                    Cell::Number(Some(c.limit)),
                    text_cell(w.passed(c.passed)),
                    text_cell(&breach_summary(c, 5)),
                ]);
            }
            let findings = self.checks(w);
            blocks.push(Block {
                title: w.checks().into(),
                chart: None,
                reading: findings
                    .iter()
                    .map(|f| f.text.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
                table: Some(table),
                notes: Vec::new(),
            });
        }
        SectionView {
            id: "sqi",
            title: w.sqi_section().into(),
            blocks,
        }
    }
}
