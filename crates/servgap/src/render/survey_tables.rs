//! Lays a [`SurveyReport`](crate::survey::SurveyReport) out as text tables (items, dimensions, SERVQUAL
//! scores, zone of tolerance, importance–performance), with one leading
//! column per `--by` column when groups are present (`(all)` for the whole
//! sample). Used by the table, Markdown and CSV renderers.

use super::{count, fixed, full, p_value, TextTable};
use crate::survey::{SurveyReport, SurveyTables};

/// Number formatting: fixed decimals for people, full precision for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Four decimals, `—` for unavailable.
    Display,
    /// Shortest exact text, empty for unavailable.
    Full,
}

impl Precision {
    fn num(self, x: Option<f64>) -> String {
        match self {
            Precision::Display => fixed(x, 4),
            Precision::Full => full(x),
        }
    }
    fn p(self, x: Option<f64>) -> String {
        match self {
            Precision::Display => p_value(x),
            Precision::Full => full(x),
        }
    }
    fn n(self, x: Option<u64>) -> String {
        match self {
            Precision::Display => count(x),
            Precision::Full => x.map(|v| v.to_string()).unwrap_or_default(),
        }
    }
}

/// The gap statistics that item and dimension rows share.
struct GapCells {
    n: Option<u64>,
    mean_e: Option<f64>,
    mean_p: Option<f64>,
    gap: Option<f64>,
    sd: Option<f64>,
    se: Option<f64>,
    ci: (Option<f64>, Option<f64>),
    t: Option<f64>,
    p: Option<f64>,
}

impl GapCells {
    /// `n, E, P, gap, sd`, then `[CI], t, p` for people or `se, ci_low, ci_high, t, p` in full.
    fn cells(&self, prec: Precision) -> Vec<String> {
        let mut row = vec![
            prec.n(self.n),
            prec.num(self.mean_e),
            prec.num(self.mean_p),
            prec.num(self.gap),
            prec.num(self.sd),
        ];
        match prec {
            Precision::Display => {
                let ci = match self.ci {
                    (Some(l), Some(h)) => format!("[{}, {}]", fixed(Some(l), 3), fixed(Some(h), 3)),
                    _ => "—".into(),
                };
                row.extend([ci, fixed(self.t, 3), prec.p(self.p)]);
            }
            Precision::Full => row.extend([
                prec.num(self.se),
                prec.num(self.ci.0),
                prec.num(self.ci.1),
                prec.num(self.t),
                prec.p(self.p),
            ]),
        }
        row
    }
}

fn sets(r: &SurveyReport) -> Vec<(Vec<String>, &SurveyTables)> {
    let mut out = Vec::new();
    if r.groups.is_empty() {
        out.push((vec![], &r.all));
    } else {
        out.push((
            r.inputs.by.iter().map(|_| "(all)".to_string()).collect(),
            &r.all,
        ));
        for g in &r.groups {
            out.push((g.key.iter().map(|(_, v)| v.clone()).collect(), &g.tables));
        }
    }
    out
}

fn table(title: &str, by: &[String], cols: &[(&str, bool)]) -> TextTable {
    let mut header: Vec<String> = by.to_vec();
    let mut numeric = vec![false; by.len()];
    for (c, n) in cols {
        header.push(c.to_string());
        numeric.push(*n);
    }
    TextTable {
        title: title.into(),
        header,
        numeric,
        rows: vec![],
    }
}

/// The tables of a survey report.
pub fn survey_tables(r: &SurveyReport, prec: Precision) -> Vec<TextTable> {
    let by = &r.inputs.by;
    let ci = prec == Precision::Display;
    let stat_cols: Vec<(&str, bool)> = if ci {
        vec![
            ("n", true),
            ("mean E", true),
            ("mean P", true),
            ("gap P−E", true),
            ("sd", true),
            ("95% CI", true),
            ("t", true),
            ("p", true),
        ]
    } else {
        vec![
            ("n", true),
            ("mean_e", true),
            ("mean_p", true),
            ("gap", true),
            ("sd", true),
            ("se", true),
            ("ci_low", true),
            ("ci_high", true),
            ("t", true),
            ("p_value", true),
        ]
    };
    let mut items = table(
        "Items",
        by,
        &[&[("item", false), ("dimension", false)][..], &stat_cols].concat(),
    );
    let mut dcols = stat_cols.clone();
    dcols.extend([("α E", true), ("α P", true), ("α gap", true)]);
    if !ci {
        dcols.truncate(dcols.len() - 3);
        dcols.extend([("alpha_e", true), ("alpha_p", true), ("alpha_gap", true)]);
    }
    let mut dims = table(
        "Dimensions",
        by,
        &[&[("dimension", false)][..], &dcols].concat(),
    );
    let mut sq = table(
        "SERVQUAL score",
        by,
        &[
            ("respondents", true),
            ("unweighted", true),
            ("weighted", true),
            ("weighted_n", true),
        ],
    );
    let mut zone = table(
        "Zone of tolerance",
        by,
        &[
            ("item", false),
            ("dimension", false),
            ("n", true),
            ("adequate", true),
            ("desired", true),
            ("perceived", true),
            ("MSA", true),
            ("MSS", true),
            ("position", false),
        ],
    );
    let mut ipa = table(
        "Importance–performance",
        by,
        &[
            ("dimension", false),
            ("importance", true),
            ("performance", true),
            ("quadrant", false),
        ],
    );
    for (key, t) in sets(r) {
        for i in &t.items {
            let mut row = key.clone();
            row.extend([i.item.clone(), i.dimension.clone()]);
            let g = GapCells {
                n: i.n,
                mean_e: i.mean_e,
                mean_p: i.mean_p,
                gap: i.gap,
                sd: i.sd,
                se: i.se,
                ci: (i.ci_low, i.ci_high),
                t: i.t,
                p: i.p_value,
            };
            row.extend(g.cells(prec));
            items.rows.push(row);
        }
        for d in &t.dimensions {
            let mut row = key.clone();
            row.push(d.dimension.clone());
            let g = GapCells {
                n: d.n,
                mean_e: d.mean_e,
                mean_p: d.mean_p,
                gap: d.gap,
                sd: d.sd,
                se: d.se,
                ci: (d.ci_low, d.ci_high),
                t: d.t,
                p: d.p_value,
            };
            row.extend(g.cells(prec));
            row.extend([
                prec.num(d.alpha_e),
                prec.num(d.alpha_p),
                prec.num(d.alpha_gap),
            ]);
            dims.rows.push(row);
        }
        let mut row = key.clone();
        row.extend([
            t.respondents.to_string(),
            prec.num(t.servqual.unweighted),
            prec.num(t.servqual.weighted),
            prec.n(t.servqual.weighted_n),
        ]);
        sq.rows.push(row);
        for z in &t.zone {
            let mut row = key.clone();
            let pos = z
                .position
                .map(|p| format!("{p:?}").to_lowercase())
                .unwrap_or_default();
            row.extend([
                z.item.clone().unwrap_or_default(),
                z.dimension.clone().unwrap_or_default(),
                prec.n(z.n),
                prec.num(z.mean_adequate),
                prec.num(z.mean_desired),
                prec.num(z.mean_p),
                prec.num(z.msa),
                prec.num(z.mss),
                pos,
            ]);
            zone.rows.push(row);
        }
        for p in &t.ipa {
            let mut row = key.clone();
            let q = p
                .quadrant
                .map(|q| {
                    serde_json::to_value(q)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            row.extend([
                p.dimension.clone(),
                prec.num(p.importance),
                prec.num(p.performance),
                q,
            ]);
            ipa.rows.push(row);
        }
    }
    let mut out = vec![items, dims, sq];
    if !zone.rows.is_empty() {
        out.push(zone);
    }
    out.push(ipa);
    out
}

/// The closing lines of a text report: inputs and row counts.
pub fn footer(r: &SurveyReport) -> Vec<String> {
    let mut lines = vec![format!(
        "{} ({} form, {}, instrument {}, scale {}): {} respondents; rows read {}, used {}, rejected {}",
        r.inputs.survey, serde_json::to_value(r.inputs.form).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        r.inputs.encoding, r.inputs.instrument, r.inputs.scale, r.all.respondents, r.rows_read, r.rows_used, r.rows_rejected
    )];
    lines.extend(super::rejection_lines(&r.rejections));
    if let (Some(name), Some(c)) = (&r.inputs.importance, &r.importance_rows) {
        lines.push(format!(
            "importance: {name}: rows read {}, used {}, rejected {}",
            c.rows_read, c.rows_used, c.rows_rejected
        ));
        lines.extend(super::rejection_lines(&c.rejections));
    }
    lines
}
