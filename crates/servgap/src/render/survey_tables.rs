//! The tables of a [`SurveyReport`]: items, dimensions, SERVQUAL scores,
//! zone of tolerance (when measured), importance–performance, with one
//! leading column per `--by` column when groups are present (`(all)` for
//! the whole sample).

use super::tabular::{grouped_sets, Cell, Column, Kind, Show, Style, Table, Tabular};
use crate::survey::{SurveyReport, SurveyTables};

/// The gap statistics that item and dimension rows share: `n, E, P, gap,
/// sd`, then `[CI], t, p` for people or `se, ci_low, ci_high, t, p` for
/// data.
fn stat_columns() -> Vec<Column> {
    vec![
        Column::new("n", Kind::Count).optional(2),
        Column::named("mean E", "mean_e", Kind::SCORE),
        Column::named("mean P", "mean_p", Kind::SCORE),
        Column::named("gap P−E", "gap", Kind::SCORE),
        Column::new("sd", Kind::SCORE).optional(4),
        Column::new("se", Kind::FINE).only(Show::Data),
        Column::named("95% CI", "ci", Kind::Interval(Style::Fixed(2)))
            .only(Show::People)
            .optional(1),
        Column::new("ci_low", Kind::SCORE).only(Show::Data),
        Column::new("ci_high", Kind::SCORE).only(Show::Data),
        Column::new("t", Kind::STATISTIC).optional(5),
        Column::named("p", "p_value", Kind::P_VALUE).optional(3),
    ]
}

/// The cells of [`stat_columns`].
#[allow(clippy::too_many_arguments)]
fn stat_cells(
    n: Option<u64>,
    mean_e: Option<f64>,
    mean_p: Option<f64>,
    gap: Option<f64>,
    sd: Option<f64>,
    se: Option<f64>,
    ci: (Option<f64>, Option<f64>),
    t: Option<f64>,
    p: Option<f64>,
) -> [Cell; 11] {
    [
        Cell::Count(n),
        Cell::Number(mean_e),
        Cell::Number(mean_p),
        Cell::Number(gap),
        Cell::Number(sd),
        Cell::Number(se),
        Cell::Interval(ci.0, ci.1),
        Cell::Number(ci.0),
        Cell::Number(ci.1),
        Cell::Number(t),
        Cell::Number(p),
    ]
}

/// The sets of tables shown, each with its leading group cells.
fn sets(r: &SurveyReport) -> Vec<(Vec<Cell>, &SurveyTables)> {
    grouped_sets(
        &r.inputs.by,
        &r.all,
        r.groups.iter().map(|g| (g.key.as_slice(), &g.tables)),
    )
}

/// α if each item were deleted and its corrected item–total r, per
/// dimension and scale; for people, a mark where deleting the item would
/// raise the dimension's α on that scale.
fn reliability_table<'a>(r: &'a SurveyReport, lead: Vec<Column>) -> Table<'a> {
    let mut t = Table::new(
        "Item reliability (α if the item were deleted; ▲ raises α)",
        "reliability",
        [
            lead,
            vec![
                Column::new("dimension", Kind::Text),
                Column::new("item", Kind::Text),
                Column::new("scale", Kind::Text),
                Column::named("α if deleted", "alpha_if_deleted", Kind::FINE),
                Column::named("item–total r", "item_total_r", Kind::FINE).optional(1),
                Column::named("raises α", "raises_alpha", Kind::Flag("▲"))
                    .only(Show::People)
                    .optional(2),
            ],
        ]
        .concat(),
    );
    for (key, tables) in sets(r) {
        for row in &tables.reliability {
            let alpha = tables
                .dimensions
                .iter()
                .find(|d| d.dimension == row.dimension)
                .and_then(|d| match row.scale {
                    "e" => d.alpha_e,
                    "p" => d.alpha_p,
                    _ => d.alpha_gap,
                });
            let raises = matches!((row.alpha_if_deleted, alpha), (Some(a), Some(b)) if a > b);
            t.rows.push(
                [
                    key.clone(),
                    vec![
                        Cell::text(&row.dimension),
                        Cell::text(&row.item),
                        Cell::text(row.scale),
                        Cell::Number(row.alpha_if_deleted),
                        Cell::Number(row.item_total_r),
                        Cell::Flag(raises),
                    ],
                ]
                .concat(),
            );
        }
    }
    t
}

/// A group's values joined by ` × ` (the columns are the `--by` list).
fn group_text(k: &crate::survey::compare::GroupKey) -> String {
    k.0.iter()
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(" × ")
}

/// Welch's ANOVA per dimension and overall, and the pairwise tests.
fn comparison_tables(r: &SurveyReport) -> [Table<'_>; 2] {
    let mut anova = Table::new(
        "Group comparisons (Welch's ANOVA)",
        "comparisons",
        vec![
            Column::new("dimension", Kind::Text),
            Column::new("groups", Kind::Count),
            Column::named("Welch F", "welch_f", Kind::STATISTIC),
            Column::new("df1", Kind::STATISTIC).optional(2),
            Column::new("df2", Kind::STATISTIC).optional(2),
            Column::named("p", "p_value", Kind::P_VALUE),
            Column::new("excluded", Kind::Text).optional(1),
        ],
    );
    let mut pairs = Table::new(
        "Pairwise Welch t tests (Holm-adjusted within each dimension)",
        "pairs",
        vec![
            Column::new("dimension", Kind::Text),
            Column::new("a", Kind::Text),
            Column::new("b", Kind::Text),
            Column::named("a − b", "diff", Kind::SCORE),
            Column::new("t", Kind::STATISTIC).optional(2),
            Column::new("df", Kind::STATISTIC).optional(3),
            Column::named("p", "p_value", Kind::P_VALUE).optional(1),
            Column::named("p Holm", "p_holm", Kind::P_VALUE),
        ],
    );
    for c in &r.all.comparisons {
        anova.rows.push(vec![
            Cell::text(&c.dimension),
            Cell::Count(Some(c.groups)),
            Cell::Number(c.welch_f),
            Cell::Number(c.df1),
            Cell::Number(c.df2),
            Cell::Number(c.p_value),
            Cell::text(
                c.excluded
                    .iter()
                    .map(group_text)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ]);
        for p in &c.pairs {
            pairs.rows.push(vec![
                Cell::text(&c.dimension),
                Cell::text(group_text(&p.a)),
                Cell::text(group_text(&p.b)),
                Cell::Number(Some(p.diff)),
                Cell::Number(p.t),
                Cell::Number(p.df),
                Cell::Number(p.p_value),
                Cell::Number(p.p_holm),
            ]);
        }
    }
    [anova, pairs]
}

impl Tabular for SurveyReport {
    fn title(&self) -> String {
        format!("SERVQUAL: {}", self.inputs.survey)
    }

    fn main_table(&self) -> &'static str {
        "items"
    }

    fn tables(&self) -> Vec<Table<'_>> {
        let lead: Vec<Column> = self
            .inputs
            .by
            .iter()
            .map(|b| Column::new(b, Kind::Text))
            .collect();
        let table = |title: &str, name: &str, cols: Vec<Column>| {
            Table::new(title, name, [lead.clone(), cols].concat())
        };
        let mut items = table(
            "Items",
            "items",
            [
                vec![
                    Column::new("item", Kind::Text),
                    Column::new("dimension", Kind::Text).optional(3),
                ],
                stat_columns(),
            ]
            .concat(),
        );
        let mut dims = table(
            "Dimensions",
            "dimensions",
            [
                vec![Column::new("dimension", Kind::Text)],
                stat_columns(),
                vec![
                    Column::named("α E", "alpha_e", Kind::FINE).optional(6),
                    Column::named("α P", "alpha_p", Kind::FINE).optional(6),
                    Column::named("α gap", "alpha_gap", Kind::FINE).optional(6),
                ],
            ]
            .concat(),
        );
        let mut sq = table(
            "SERVQUAL score",
            "servqual",
            vec![
                Column::new("respondents", Kind::Count),
                Column::new("unweighted", Kind::SCORE),
                Column::new("weighted", Kind::SCORE),
                Column::new("weighted_n", Kind::Count),
            ],
        );
        let mut zone = table(
            "Zone of tolerance",
            "zone",
            vec![
                Column::new("item", Kind::Text),
                Column::new("dimension", Kind::Text).optional(3),
                Column::new("n", Kind::Count).optional(2),
                Column::named("adequate", "mean_adequate", Kind::SCORE),
                Column::named("desired", "mean_desired", Kind::SCORE),
                Column::named("perceived", "mean_p", Kind::SCORE),
                Column::named("MSA", "msa", Kind::SCORE),
                Column::named("MSS", "mss", Kind::SCORE),
                Column::new("position", Kind::Text),
            ],
        );
        let mut ipa = table(
            "Importance–performance",
            "ipa",
            vec![
                Column::new("dimension", Kind::Text),
                Column::new("importance", Kind::FINE),
                Column::new("performance", Kind::SCORE),
                Column::new("quadrant", Kind::Text),
            ],
        );
        for (key, t) in sets(self) {
            let row = |cells: Vec<Cell>| [key.clone(), cells].concat();
            for i in &t.items {
                let stats = stat_cells(
                    i.n,
                    i.mean_e,
                    i.mean_p,
                    i.gap,
                    i.sd,
                    i.se,
                    (i.ci_low, i.ci_high),
                    i.t,
                    i.p_value,
                );
                items.rows.push(row([
                    vec![Cell::text(&i.item), Cell::text(&i.dimension)],
                    stats.to_vec(),
                ]
                .concat()));
            }
            for d in &t.dimensions {
                let stats = stat_cells(
                    d.n,
                    d.mean_e,
                    d.mean_p,
                    d.gap,
                    d.sd,
                    d.se,
                    (d.ci_low, d.ci_high),
                    d.t,
                    d.p_value,
                );
                let alphas = [d.alpha_e, d.alpha_p, d.alpha_gap].map(Cell::Number);
                dims.rows.push(row([
                    vec![Cell::text(&d.dimension)],
                    stats.to_vec(),
                    alphas.to_vec(),
                ]
                .concat()));
            }
            sq.rows.push(row(vec![
                Cell::Count(Some(t.respondents)),
                Cell::Number(t.servqual.unweighted),
                Cell::Number(t.servqual.weighted),
                Cell::Count(t.servqual.weighted_n),
            ]));
            for z in &t.zone {
                let pos = z
                    .position
                    .map(|p| format!("{p:?}").to_lowercase())
                    .unwrap_or_default();
                zone.rows.push(row(vec![
                    Cell::text(z.item.clone().unwrap_or_default()),
                    Cell::text(z.dimension.clone().unwrap_or_default()),
                    Cell::Count(z.n),
                    Cell::Number(z.mean_adequate),
                    Cell::Number(z.mean_desired),
                    Cell::Number(z.mean_p),
                    Cell::Number(z.msa),
                    Cell::Number(z.mss),
                    Cell::text(pos),
                ]));
            }
            for p in &t.ipa {
                let q = p.quadrant.map(|q| q.as_str()).unwrap_or_default();
                ipa.rows.push(row(vec![
                    Cell::text(&p.dimension),
                    Cell::Number(p.importance),
                    Cell::Number(p.performance),
                    Cell::text(q),
                ]));
            }
        }
        let mut out = vec![items, dims, sq];
        if !zone.rows.is_empty() {
            out.push(zone);
        }
        out.push(ipa);
        out.push(reliability_table(self, lead));
        if !self.all.comparisons.is_empty() {
            out.extend(comparison_tables(self));
        }
        out
    }

    fn footer(&self) -> Vec<String> {
        let r = self;
        let mut lines = vec![format!(
            "{} ({} form, {}, instrument {}, scale {}): {}; rows read {}, used {}, rejected {}",
            r.inputs.survey,
            r.inputs.form.as_str(),
            r.inputs.encoding,
            r.inputs.instrument,
            r.inputs.scale,
            super::number::plural(r.all.respondents, "respondent", "respondents"),
            r.rows_read,
            r.rows_used,
            r.rows_rejected
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
}
