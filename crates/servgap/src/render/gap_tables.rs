//! The tables of the gap model ([`GapsReport`]) and of hard-standard
//! compliance ([`ComplianceReport`]), with one leading column per `--by`
//! column (and the period) when groups are present.

use super::tabular::{grouped_sets, Cell, Column, Kind, Show, Style, Table, Tabular};
use crate::compliance::{ComplianceReport, MissRule, StandardCompliance};
use crate::gaps::{GapModel, GapsReport};

impl Tabular for GapsReport {
    fn title(&self) -> String {
        format!("Gap model: {}", self.inputs.customers)
    }

    fn main_table(&self) -> &'static str {
        "dimensions"
    }

    fn tables(&self) -> Vec<Table<'_>> {
        let r = self;
        let sets = grouped_sets(
            &r.inputs.by,
            &r.all,
            r.groups.iter().map(|g| (g.key.as_slice(), &g.tables)),
        );
        let lead: Vec<Column> = match r.groups.is_empty() {
            true => vec![],
            false => r
                .inputs
                .by
                .iter()
                .map(|b| Column::new(b, Kind::Text))
                .collect(),
        };
        let gaps: Vec<Column> = ["gap1", "gap2", "gap3", "gap4", "gap5"]
            .map(|n| Column::new(n, Kind::SCORE))
            .to_vec();
        let levels: Vec<Column> = ["E", "P", "M", "S", "C", "D"]
            .iter()
            .zip([
                "mean_e",
                "mean_p",
                "management",
                "standard",
                "promise",
                "delivery",
            ])
            .map(|(l, n)| Column::named(*l, n, Kind::SCORE).optional(2))
            .collect();
        let shortfall = || Column::named("shortfall", "largest_shortfall", Kind::Text);
        let mut items = Table::new(
            "Gaps per item (negative = shortfall)",
            "items",
            [
                lead.clone(),
                vec![
                    Column::named("Item", "item", Kind::Text),
                    Column::named("Dimension", "dimension", Kind::Text).optional(1),
                ],
                levels.clone(),
                gaps.clone(),
            ]
            .concat(),
        );
        let mut dims = Table::new(
            "Gaps per dimension (per respondent first)",
            "dimensions",
            [
                lead.clone(),
                vec![Column::named("Dimension", "dimension", Kind::Text)],
                levels,
                gaps.clone(),
                vec![shortfall()],
            ]
            .concat(),
        );
        let mut overall = Table::new(
            "Overall (mean over dimensions)",
            "overall",
            [lead, gaps, vec![shortfall()]].concat(),
        );
        for (key, t) in sets {
            for i in &t.items {
                let mut row = key.clone();
                row.extend([Cell::text(&i.item), Cell::text(&i.dimension)]);
                row.extend(
                    [
                        i.mean_e,
                        i.mean_p,
                        i.management,
                        i.standard,
                        i.promise,
                        i.delivery,
                        i.gap1,
                        i.gap2,
                        i.gap3,
                        i.gap4,
                        i.gap5,
                    ]
                    .map(Cell::Number),
                );
                items.rows.push(row);
            }
            for d in &t.dimensions {
                let mut row = key.clone();
                row.push(Cell::text(&d.dimension));
                row.extend(
                    [
                        d.mean_e,
                        d.mean_p,
                        d.management,
                        d.standard,
                        d.promise,
                        d.delivery,
                        d.gap1,
                        d.gap2,
                        d.gap3,
                        d.gap4,
                        d.gap5,
                    ]
                    .map(Cell::Number),
                );
                row.push(Cell::text(d.largest_shortfall.clone().unwrap_or_default()));
                dims.rows.push(row);
            }
            let o = &t.overall;
            let mut row = key.clone();
            row.extend([o.gap1, o.gap2, o.gap3, o.gap4, o.gap5].map(Cell::Number));
            row.push(Cell::text(o.largest_shortfall.clone().unwrap_or_default()));
            overall.rows.push(row);
        }
        vec![dims, overall, items]
    }

    fn footer(&self) -> Vec<String> {
        let r = self;
        let mut lines = vec![format!(
            "{} ({}, instrument {}, scale {}): {}; rows read {}, used {}, rejected {}",
            r.inputs.customers,
            r.inputs.encoding,
            r.inputs.instrument,
            r.inputs.scale,
            super::number::plural(r.all.respondents, "respondent", "respondents"),
            r.rows_read,
            r.rows_used,
            r.rows_rejected
        )];
        let inputs = [
            ("management", &r.inputs.management, &r.management_rows),
            ("standards", &r.inputs.standards, &r.standards_rows),
            ("delivery", &r.inputs.delivery, &r.delivery_rows),
        ];
        for (what, name, rows) in inputs {
            match (name, rows) {
                (Some(n), Some(c)) => {
                    lines.push(format!(
                        "{what}: {n}: rows read {}, used {}{}",
                        c.rows_read,
                        c.rows_used,
                        if c.rows_rejected > 0 {
                            format!(", rejected {}", c.rows_rejected)
                        } else {
                            String::new()
                        }
                    ));
                    lines.extend(super::rejection_lines(&c.rejections));
                }
                _ => lines.push(format!("{what}: not given (its gaps are unavailable)")),
            }
        }
        let gap4 = match r.inputs.model {
            GapModel::Pzb => "D−C",
            GapModel::Mot => "D−E",
        };
        lines.push(format!(
            "gap1 knowledge (M−E), gap2 standards (S−M), gap3 delivery (D−S), gap4 communication ({gap4}), gap5 customer (P−E); a negative gap is a shortfall, and `shortfall` names the largest."
        ));
        lines
    }
}

/// The columns of a compliance table after its leading ones.
fn compliance_columns() -> Vec<Column> {
    vec![
        Column::named("Standard", "standard_id", Kind::Text),
        Column::named("Description", "description", Kind::Text).optional(3),
        Column::named("Rule", "rule", Kind::Text)
            .only(Show::People)
            .optional(2),
        Column::new("metric", Kind::Text).only(Show::Data),
        Column::new("op", Kind::Text).only(Show::Data),
        Column::new("threshold", Kind::Number(Style::Fixed(2))).only(Show::Data),
        Column::new("item", Kind::Text).only(Show::Data),
        Column::named("Events", "events", Kind::Count),
        Column::named("Missing", "missing", Kind::Count).optional(4),
        Column::named("Out of scope", "out_of_scope", Kind::Count).optional(5),
        Column::named("Compliant", "compliant", Kind::Count).optional(4),
        Column::named("Compliance", "compliance", Kind::SHARE),
        Column::named("95% CI", "ci", Kind::Interval(Style::Percent))
            .only(Show::People)
            .optional(1),
        Column::new("ci_low", Kind::SHARE).only(Show::Data),
        Column::new("ci_high", Kind::SHARE).only(Show::Data),
        Column::named("Target", "target", Kind::SHARE),
        Column::named("Gap", "gap", Kind::Number(Style::PercentPoints)).optional(2),
        Column::named("Result", "result", Kind::Text).only(Show::People),
        Column::new("pass", Kind::Flag("")).only(Show::Data),
    ]
}

/// A standard's cells in [`compliance_columns`].
fn compliance_cells(s: &StandardCompliance) -> Vec<Cell> {
    let rule = format!(
        "{} {} {}",
        s.metric,
        s.op.as_str(),
        super::full(Some(s.threshold))
    );
    let result = match s.pass {
        Some(true) => "pass",
        Some(false) => "MISS",
        None => "—",
    };
    vec![
        Cell::text(&s.standard_id),
        Cell::text(&s.description),
        Cell::text(rule),
        Cell::text(&s.metric),
        Cell::text(s.op.as_str()),
        Cell::Number(Some(s.threshold)),
        Cell::text(s.item.clone().unwrap_or_default()),
        Cell::Count(Some(s.events)),
        Cell::Count(Some(s.missing)),
        Cell::Count(Some(s.out_of_scope)),
        Cell::Count(Some(s.compliant)),
        Cell::Number(s.compliance),
        Cell::Interval(s.ci_low, s.ci_high),
        Cell::Number(s.ci_low),
        Cell::Number(s.ci_high),
        Cell::Number(Some(s.target)),
        Cell::Number(s.gap),
        Cell::text(result),
        s.pass.map_or_else(|| Cell::text(""), Cell::Flag),
    ]
}

impl Tabular for ComplianceReport {
    fn title(&self) -> String {
        format!("Hard-standard compliance: {}", self.inputs.events)
    }

    fn main_table(&self) -> &'static str {
        "standards"
    }

    /// For people, the standards over all events, then per group; for
    /// data one `standards` table, the whole's rows first with `(all)` in
    /// the group columns.
    fn tables(&self) -> Vec<Table<'_>> {
        let r = self;
        let mut all = Table::new(
            "Hard-standard compliance, all events",
            "standards",
            compliance_columns(),
        );
        all.rows.extend(r.standards.iter().map(compliance_cells));
        if r.groups.is_empty() {
            return vec![all];
        }
        let mut lead: Vec<Column> = Vec::new();
        if r.inputs.period.is_some() {
            lead.push(Column::named("Period", "period", Kind::Text));
        }
        lead.extend(r.inputs.by.iter().map(|b| Column::new(b, Kind::Text)));
        let mut per_group = Table::new(
            "Per group",
            "groups",
            [lead.clone(), compliance_columns()].concat(),
        )
        .only(Show::People);
        let mut data = Table::new(
            "Hard-standard compliance",
            "standards",
            [lead.clone(), compliance_columns()].concat(),
        )
        .only(Show::Data);
        let everything: Vec<Cell> = lead.iter().map(|_| Cell::text("(all)")).collect();
        for s in &r.standards {
            data.rows
                .push([everything.clone(), compliance_cells(s)].concat());
        }
        for g in &r.groups {
            let mut key: Vec<Cell> = g.period.iter().map(|p| Cell::text(p.label())).collect();
            key.extend(g.key.iter().map(|(_, v)| Cell::text(v)));
            for s in &g.standards {
                let row = [key.clone(), compliance_cells(s)].concat();
                per_group.rows.push(row.clone());
                data.rows.push(row);
            }
        }
        vec![all.only(Show::People), per_group, data]
    }

    fn footer(&self) -> Vec<String> {
        let r = self;
        let mut lines = vec![format!(
            "{} ({}), standards {}: rows read {}, used {}, rejected {}",
            r.inputs.events,
            r.inputs.encoding,
            r.inputs.standards,
            r.rows_read,
            r.rows_used,
            r.rows_rejected
        )];
        lines.extend(super::rejection_lines(&r.rejections));
        lines.push(match r.inputs.miss_rule {
            MissRule::Point => "Compliance = compliant / events with the metric (in scope); Wilson 95% interval; pass when compliance ≥ target.".into(),
            MissRule::Certain => "Compliance = compliant / events with the metric (in scope); Wilson 95% interval; a miss only when the interval's upper end is below the target (--miss-rule certain).".into(),
        });
        lines
    }
}
