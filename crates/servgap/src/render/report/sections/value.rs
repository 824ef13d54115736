//! The customer value section (seeds 001 and 002: profit by tenth of
//! customers with its cumulative share and the 80% mark, profit against
//! trouble per customer with the tiers' thresholds, the tiers' table) and
//! the service chain section (seed 000: the extra provision each link
//! needs, beside the naive and the needed margin).

use super::super::words::{percent, signed, Words};
use super::super::{Block, Finding, Section, SectionView, Status};
use super::{number_cell, text_cell};
use crate::chain::ChainReport;
use crate::render::charts::{self, Interval, Point};
use crate::render::tabular::{Cell, Column, Kind, Table};
use crate::value::ValueReport;

/// The customer value section.
pub struct ValueSection<'a>(pub &'a ValueReport);

impl ValueSection<'_> {
    /// The top customers' share of profit, and (with a survey) the mean
    /// gap of the big customers and of everyone else.
    fn headline(&self, w: &dyn Words) -> String {
        let r = self.0;
        let t = &r.all;
        let mean = |big: bool| {
            let g: Vec<f64> = t
                .customers
                .iter()
                .filter(|c| c.big == big)
                .filter_map(|c| c.gap)
                .collect();
            (!g.is_empty()).then(|| g.iter().sum::<f64>() / g.len() as f64)
        };
        let gaps = match (mean(true), mean(false)) {
            (Some(a), Some(b)) => Some((signed(Some(a), 2), signed(Some(b), 2))),
            _ => None,
        };
        w.value_reading(
            &percent(Some(r.inputs.top)),
            &percent(t.concentration.profit.top_share),
            gaps.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        )
    }
}

impl Section for ValueSection<'_> {
    fn findings(&self, w: &dyn Words) -> Vec<Finding> {
        vec![Finding {
            text: self.headline(w),
            status: Status::Neutral,
        }]
    }

    fn view(&self, w: &dyn Words, charts: bool) -> SectionView {
        let r = self.0;
        let t = &r.all;
        // profit by tenth of customers, ranked by profit
        let mut profits: Vec<f64> = t.customers.iter().map(|c| c.profit).collect();
        profits.sort_by(|a, b| b.total_cmp(a));
        let n = profits.len();
        let total: f64 = profits.iter().sum();
        let mut rows = Vec::new();
        let mut cumulative = Vec::new();
        let mut cum = 0.0;
        for d in 1..=10usize {
            let (from, to) = ((d - 1) * n / 10, d * n / 10);
            let sum: f64 = profits[from..to].iter().sum();
            cum += sum;
            rows.push((w.decile(d), sum));
            cumulative.push(if total > 0.0 { cum / total } else { f64::NAN });
        }
        let deciles = Block {
            title: w.deciles_title().into(),
            chart: (charts && n >= 10)
                .then(|| charts::pareto(&rows, &cumulative, w.deciles_axes(), w.deciles_title())),
            reading: self.headline(w),
            table: None,
            notes: Vec::new(),
        };
        // profit against trouble
        let trouble =
            |c: &crate::value::CustomerRow| c.tickets.map(|t| t as f64).or(c.service_cost);
        let points: Vec<Point> = t
            .customers
            .iter()
            .filter_map(|c| {
                Some(Point {
                    label: String::new(),
                    x: trouble(c)?,
                    y: c.profit,
                })
            })
            .collect();
        let threshold =
            |flag: &dyn Fn(&crate::value::CustomerRow) -> bool,
             v: &dyn Fn(&crate::value::CustomerRow) -> Option<f64>| {
                t.customers
                    .iter()
                    .filter(|c| flag(c))
                    .filter_map(v)
                    .fold(f64::INFINITY, f64::min)
            };
        let profit_line = threshold(&|c| c.big, &|c| Some(c.profit));
        let trouble_line = threshold(&|c| c.high_service == Some(true), &trouble);
        let mut table = Table::new(
            w.tiers_title(),
            "tiers",
            vec![
                Column::new("", Kind::Text),
                Column::new("n", Kind::Count),
                Column::new("%", Kind::SHARE),
                Column::new("profit", Kind::SHARE),
                Column::new("trouble", Kind::SHARE),
                Column::new("gap", Kind::SCORE),
            ],
        );
        for x in &t.tiers {
            table.rows.push(vec![
                text_cell(x.tier),
                Cell::Count(x.customers),
                number_cell(x.share),
                number_cell(x.profit_share),
                number_cell(x.trouble_share),
                number_cell(x.mean_gap),
            ]);
        }
        let tiers = Block {
            title: w.tiers_title().into(),
            chart: (charts
                && !points.is_empty()
                && profit_line.is_finite()
                && trouble_line.is_finite())
            .then(|| {
                charts::quadrants(
                    &points,
                    (trouble_line, profit_line),
                    w.tiers_axes(),
                    w.tiers_corners(),
                    w.tiers_title(),
                )
            }),
            reading: match (t.unprofitable.customers, t.unprofitable.net) {
                (Some(k), Some(loss)) => w.tiers_reading(k, &signed(Some(loss), 2)),
                _ => String::new(),
            },
            table: Some(table),
            notes: Vec::new(),
        };
        SectionView {
            id: "value",
            title: w.value_section().into(),
            blocks: vec![deciles, tiers],
        }
    }
}

/// The service chain section.
pub struct ChainSection<'a>(pub &'a ChainReport);

impl ChainSection<'_> {
    fn reading(&self, w: &dyn Words) -> String {
        let r = self.0;
        w.chain_reading(
            &percent(Some(r.naive_margin)),
            &percent(Some(r.naive_delivered)),
            &percent(Some(r.provision - 1.0)),
        )
    }
}

impl Section for ChainSection<'_> {
    fn findings(&self, w: &dyn Words) -> Vec<Finding> {
        vec![Finding::judged(self.reading(w), self.0.shortfall > 0.0)]
    }

    fn view(&self, w: &dyn Words, charts: bool) -> SectionView {
        let r = self.0;
        let mut rows: Vec<Interval> = r
            .links
            .iter()
            .map(|l| Interval {
                label: l.link.clone(),
                value: Some((l.provision - 1.0) * 100.0),
                low: None,
                high: None,
            })
            .collect();
        let (naive, needed) = w.chain_margins();
        rows.push(Interval {
            label: naive.into(),
            value: Some(r.naive_margin * 100.0),
            low: None,
            high: None,
        });
        rows.push(Interval {
            label: needed.into(),
            value: Some((r.provision - 1.0) * 100.0),
            low: None,
            high: None,
        });
        let mut table = Table::new(
            w.chain_title(),
            "links",
            vec![
                Column::new("", Kind::Text),
                Column::new("loss", Kind::SHARE),
                Column::new("→", Kind::SHARE),
                Column::new("×", Kind::FINE),
            ],
        );
        for l in &r.links {
            table.rows.push(vec![
                text_cell(&l.link),
                number_cell(Some(l.loss)),
                number_cell(Some(l.passes)),
                number_cell(Some(l.provision)),
            ]);
        }
        SectionView {
            id: "chain",
            title: w.chain_section().into(),
            blocks: vec![Block {
                title: w.chain_title().into(),
                chart: charts
                    .then(|| charts::bars_with_intervals(&rows, w.chain_axis(), w.chain_title())),
                reading: self.reading(w),
                table: Some(table),
                notes: Vec::new(),
            }],
        }
    }
}
