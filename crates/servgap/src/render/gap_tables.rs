//! The tables of the gap model ([`GapsReport`]) and of hard-standard
//! compliance ([`ComplianceReport`]), with one leading column per `--by`
//! column (and the period) when groups are present.

use super::tabular::{Cell, Column, Kind, Show, Style, Table, Tabular};
use crate::compliance::{ComplianceReport, StandardCompliance};
use crate::gaps::{GapModel, GapTables, GapsReport};

/// A level or gap, three decimals for people.
const GAP: Kind = Kind::Number(Style::Fixed(3));

impl Tabular for GapsReport {
    fn title(&self) -> String {
        format!("Gap model: {}", self.inputs.customers)
    }

    fn tables(&self) -> Vec<Table> {
        let r = self;
        let mut sets: Vec<(Vec<Cell>, &GapTables)> = Vec::new();
        if !r.groups.is_empty() {
            sets.push((
                r.inputs.by.iter().map(|_| Cell::text("(all)")).collect(),
                &r.all,
            ));
            for g in &r.groups {
                sets.push((
                    g.key.iter().map(|(_, v)| Cell::text(v)).collect(),
                    &g.tables,
                ));
            }
        } else {
            sets.push((Vec::new(), &r.all));
        }
        let lead: Vec<Column> = match r.groups.is_empty() {
            true => vec![],
            false => r
                .inputs
                .by
                .iter()
                .map(|b| Column::new(b, Kind::Text))
                .collect(),
        };
        let gap4 = match r.inputs.model {
            GapModel::Pzb => "Gap 4 D−C",
            GapModel::Mot => "Gap 4 D−E",
        };
        let gaps = ["Gap 1 M−E", "Gap 2 S−M", "Gap 3 D−S", gap4, "Gap 5 P−E"];
        let numbers = |names: &[&str]| {
            names
                .iter()
                .map(|n| Column::new(*n, GAP))
                .collect::<Vec<_>>()
        };
        let levels = numbers(&["E", "P", "M", "S", "C", "D"]);
        let text = |names: &[&str]| {
            names
                .iter()
                .map(|n| Column::new(*n, Kind::Text))
                .collect::<Vec<_>>()
        };
        let mut items = Table::new(
            "Gaps per item (negative = shortfall)",
            [
                lead.clone(),
                text(&["Item", "Dimension"]),
                levels.clone(),
                numbers(&gaps),
            ]
            .concat(),
        );
        let mut dims = Table::new(
            "Gaps per dimension (per respondent first)",
            [
                lead.clone(),
                text(&["Dimension"]),
                levels,
                numbers(&gaps),
                text(&["Largest shortfall"]),
            ]
            .concat(),
        );
        let mut overall = Table::new(
            "Overall (mean over dimensions)",
            [lead, numbers(&gaps), text(&["Largest shortfall"])].concat(),
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
            "{} ({}, instrument {}, scale {}): {} respondents; rows read {}, used {}, rejected {}",
            r.inputs.customers,
            r.inputs.encoding,
            r.inputs.instrument,
            r.inputs.scale,
            r.all.respondents,
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
        lines.push(
            "Gaps: 1 knowledge (M−E), 2 standards (S−M), 3 delivery (D−S), 4 communication, 5 customer (P−E); a negative gap is a shortfall.".into(),
        );
        lines
    }
}

/// The columns of a compliance table after its leading ones.
fn compliance_columns() -> Vec<Column> {
    let pct = Kind::Number(Style::Percent);
    vec![
        Column::new("Standard", Kind::Text),
        Column::new("Description", Kind::Text),
        Column::new("Rule", Kind::Text),
        Column::new("Events", Kind::Count),
        Column::new("Missing", Kind::Count),
        Column::new("Compliant", Kind::Count),
        Column::new("Compliance", pct),
        Column::named("95% CI", "ci", Kind::Interval(Style::Percent)).only(Show::People),
        Column::new("ci_low", pct).only(Show::Data),
        Column::new("ci_high", pct).only(Show::Data),
        Column::new("Target", pct),
        Column::new("Gap", Kind::Number(Style::PercentPoints)),
        Column::new("Result", Kind::Text),
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
        Cell::Count(Some(s.events)),
        Cell::Count(Some(s.missing)),
        Cell::Count(Some(s.compliant)),
        Cell::Number(s.compliance),
        Cell::Interval(s.ci_low, s.ci_high),
        Cell::Number(s.ci_low),
        Cell::Number(s.ci_high),
        Cell::Number(Some(s.target)),
        Cell::Number(s.gap),
        Cell::text(result),
    ]
}

impl Tabular for ComplianceReport {
    fn title(&self) -> String {
        format!("Hard-standard compliance: {}", self.inputs.events)
    }

    fn tables(&self) -> Vec<Table> {
        let r = self;
        let mut all = Table::new("Hard-standard compliance, all events", compliance_columns());
        all.rows.extend(r.standards.iter().map(compliance_cells));
        let mut tables = vec![all];
        if !r.groups.is_empty() {
            let mut lead: Vec<Column> = Vec::new();
            if r.inputs.period.is_some() {
                lead.push(Column::new("Period", Kind::Text));
            }
            lead.extend(r.inputs.by.iter().map(|b| Column::new(b, Kind::Text)));
            let mut t = Table::new("Per group", [lead, compliance_columns()].concat());
            for g in &r.groups {
                let mut key: Vec<Cell> = g.period.iter().map(|p| Cell::text(p.label())).collect();
                key.extend(g.key.iter().map(|(_, v)| Cell::text(v)));
                for s in &g.standards {
                    t.rows.push([key.clone(), compliance_cells(s)].concat());
                }
            }
            tables.push(t);
        }
        tables
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
        lines.push("Compliance = compliant / events with the metric; Wilson 95% interval; pass when compliance ≥ target.".into());
        lines
    }
}
