//! Lays out the gap model ([`GapsReport`](crate::gaps::GapsReport)) and hard-standard compliance
//! ([`ComplianceReport`](crate::compliance::ComplianceReport)) as text tables for the table, Markdown and CSV
//! renderers, with one leading column per `--by` column (and the period)
//! when groups are present.

use super::survey_tables::Precision;
use super::TextTable;
use crate::compliance::{ComplianceReport, StandardCompliance};
use crate::gaps::{GapTables, GapsReport};

fn num(prec: Precision, x: Option<f64>) -> String {
    match prec {
        Precision::Display => super::fixed(x, 3),
        Precision::Full => super::full(x),
    }
}

/// Item, dimension and overall tables of the gap model.
pub fn gaps_tables(r: &GapsReport, prec: Precision) -> Vec<TextTable> {
    let by = &r.inputs.by;
    let mut sets: Vec<(Vec<String>, &GapTables)> = Vec::new();
    if !r.groups.is_empty() {
        sets.push((by.iter().map(|_| "(all)".to_string()).collect(), &r.all));
        for g in &r.groups {
            sets.push((g.key.iter().map(|(_, v)| v.clone()).collect(), &g.tables));
        }
    } else {
        sets.push((Vec::new(), &r.all));
    }
    let lead: Vec<String> = if r.groups.is_empty() {
        vec![]
    } else {
        by.clone()
    };
    let levels = ["E", "P", "M", "S", "C", "D"];
    let gaps = [
        "Gap 1 M−E",
        "Gap 2 S−M",
        "Gap 3 D−S",
        match r.inputs.model {
            crate::gaps::GapModel::Pzb => "Gap 4 D−C",
            crate::gaps::GapModel::Mot => "Gap 4 D−E",
        },
        "Gap 5 P−E",
    ];
    let header = |first: &[&str], last: &[&str]| -> (Vec<String>, Vec<bool>) {
        let mut h: Vec<String> = lead.clone();
        let mut n = vec![false; lead.len()];
        for f in first {
            h.push(f.to_string());
            n.push(false);
        }
        for c in levels.iter().chain(gaps.iter()) {
            h.push(c.to_string());
            n.push(true);
        }
        for l in last {
            h.push(l.to_string());
            n.push(false);
        }
        (h, n)
    };
    let (h, n) = header(&["Item", "Dimension"], &[]);
    let mut items = TextTable {
        title: "Gaps per item (negative = shortfall)".into(),
        header: h,
        numeric: n,
        rows: vec![],
    };
    let (h, n) = header(&["Dimension"], &["Largest shortfall"]);
    let mut dims = TextTable {
        title: "Gaps per dimension (per respondent first)".into(),
        header: h,
        numeric: n,
        rows: vec![],
    };
    let mut oh: Vec<String> = lead.clone();
    oh.extend(gaps.iter().map(|g| g.to_string()));
    oh.push("Largest shortfall".into());
    let mut on = vec![false; lead.len()];
    on.extend([true; 5]);
    on.push(false);
    let mut overall = TextTable {
        title: "Overall (mean over dimensions)".into(),
        header: oh,
        numeric: on,
        rows: vec![],
    };
    for (key, t) in sets {
        for i in &t.items {
            let mut row = key.clone();
            row.extend([i.item.clone(), i.dimension.clone()]);
            for v in [
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
            ] {
                row.push(num(prec, v));
            }
            items.rows.push(row);
        }
        for d in &t.dimensions {
            let mut row = key.clone();
            row.push(d.dimension.clone());
            for v in [
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
            ] {
                row.push(num(prec, v));
            }
            row.push(d.largest_shortfall.clone().unwrap_or_default());
            dims.rows.push(row);
        }
        let o = &t.overall;
        let mut row = key.clone();
        for v in [o.gap1, o.gap2, o.gap3, o.gap4, o.gap5] {
            row.push(num(prec, v));
        }
        row.push(o.largest_shortfall.clone().unwrap_or_default());
        overall.rows.push(row);
    }
    vec![dims, overall, items]
}

/// Lines under the gap tables: inputs and row counts.
pub fn gaps_footer(r: &GapsReport) -> Vec<String> {
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

fn compliance_row(key: Vec<String>, s: &StandardCompliance, prec: Precision) -> Vec<String> {
    let mut row = key;
    let pct = |x: Option<f64>| match prec {
        Precision::Display => x
            .map(|v| format!("{:.1}%", v * 100.0))
            .unwrap_or_else(|| "—".into()),
        Precision::Full => super::full(x),
    };
    row.extend([
        s.standard_id.clone(),
        s.description.clone(),
        format!(
            "{} {} {}",
            s.metric,
            s.op.as_str(),
            super::full(Some(s.threshold))
        ),
        s.events.to_string(),
        s.missing.to_string(),
        s.compliant.to_string(),
        pct(s.compliance),
        match prec {
            Precision::Display => match (s.ci_low, s.ci_high) {
                (Some(l), Some(h)) => format!("[{:.1}%, {:.1}%]", l * 100.0, h * 100.0),
                _ => "—".into(),
            },
            Precision::Full => super::full(s.ci_low),
        },
    ]);
    if prec == Precision::Full {
        row.push(super::full(s.ci_high));
    }
    row.extend([
        pct(Some(s.target)),
        match prec {
            Precision::Display => s
                .gap
                .map(|g| format!("{:+.1} pts", g * 100.0))
                .unwrap_or_else(|| "—".into()),
            Precision::Full => super::full(s.gap),
        },
        match s.pass {
            Some(true) => "pass",
            Some(false) => "MISS",
            None => "—",
        }
        .into(),
    ]);
    row
}

/// The compliance tables: all events, then per group / period.
pub fn compliance_tables(r: &ComplianceReport, prec: Precision) -> Vec<TextTable> {
    let mut lead: Vec<String> = Vec::new();
    if r.inputs.period.is_some() {
        lead.push("Period".into());
    }
    lead.extend(r.inputs.by.iter().cloned());
    let ci: Vec<&str> = match prec {
        Precision::Display => vec!["95% CI"],
        Precision::Full => vec!["ci_low", "ci_high"],
    };
    let mut cols: Vec<(String, bool)> = Vec::new();
    cols.extend(["Standard", "Description", "Rule"].map(|c| (c.to_string(), false)));
    cols.extend(["Events", "Missing", "Compliant", "Compliance"].map(|c| (c.to_string(), true)));
    cols.extend(ci.iter().map(|c| (c.to_string(), true)));
    cols.extend([
        ("Target".to_string(), true),
        ("Gap".to_string(), true),
        ("Result".to_string(), false),
    ]);
    let table = |title: &str, lead: &[String]| TextTable {
        title: title.into(),
        header: lead
            .iter()
            .cloned()
            .chain(cols.iter().map(|c| c.0.clone()))
            .collect(),
        numeric: lead
            .iter()
            .map(|_| false)
            .chain(cols.iter().map(|c| c.1))
            .collect(),
        rows: vec![],
    };
    let mut all = table("Hard-standard compliance, all events", &[]);
    for s in &r.standards {
        all.rows.push(compliance_row(vec![], s, prec));
    }
    let mut tables = vec![all];
    if !r.groups.is_empty() {
        let mut t = table("Per group", &lead);
        for g in &r.groups {
            let mut key: Vec<String> = g.period.iter().map(|p| p.label()).collect();
            key.extend(g.key.iter().map(|(_, v)| v.clone()));
            for s in &g.standards {
                t.rows.push(compliance_row(key.clone(), s, prec));
            }
        }
        tables.push(t);
    }
    tables
}

/// Lines under the compliance tables.
pub fn compliance_footer(r: &ComplianceReport) -> Vec<String> {
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
