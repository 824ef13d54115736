//! The tables of customer value ([`ValueReport`]: customers, tiers,
//! concentration, totals, the unprofitable and the value-weighted gap,
//! with one leading column per `--by` column and `(all)` for everyone)
//! and of the service chain ([`ChainReport`]: its links and its figures).

use super::tabular::{grouped_sets, Cell, Column, Kind, Style, Table, Tabular};
use crate::chain::ChainReport;
use crate::value::{ValueReport, ValueTables};

/// The sets of figures shown, each with its leading group cells.
fn sets(r: &ValueReport) -> Vec<(Vec<Cell>, &ValueTables)> {
    grouped_sets(
        &r.inputs.by,
        &r.all,
        r.groups.iter().map(|g| (g.key.as_slice(), &g.tables)),
    )
}

/// A yes/no that may be unavailable.
fn flag(x: Option<bool>) -> Cell {
    x.map_or_else(|| Cell::text(""), Cell::Flag)
}

impl Tabular for ValueReport {
    fn title(&self) -> String {
        format!("Customer value: {}", self.inputs.customers)
    }

    fn main_table(&self) -> &'static str {
        "customers"
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
        let money = Kind::Number(Style::Fixed(2));
        let mut totals = table(
            "Totals",
            "totals",
            vec![
                Column::new("customers", Kind::Count),
                Column::new("profit", money),
                Column::new("service_cost", money),
                Column::new("tickets", Kind::Count),
                Column::new("net", money),
            ],
        );
        let mut conc = table(
            "Concentration (80/20)",
            "concentration",
            vec![
                Column::new("measure", Kind::Text),
                Column::named("top share", "top_share", Kind::SHARE),
                Column::named("customers for 80%", "customers_for_80", Kind::Count),
                Column::named("share for 80%", "share_for_80", Kind::SHARE),
                Column::new("gini", Kind::FINE),
            ],
        );
        let mut unprofitable = table(
            "Unprofitable customers (net < 0)",
            "unprofitable",
            vec![
                Column::new("customers", Kind::Count),
                Column::new("share", Kind::SHARE),
                Column::named("loss", "net", money),
            ],
        );
        let mut tiers = table(
            "Customer tiers",
            "tiers",
            vec![
                Column::new("tier", Kind::Text),
                Column::new("customers", Kind::Count),
                Column::new("share", Kind::SHARE),
                Column::named("profit share", "profit_share", Kind::SHARE),
                Column::named("trouble share", "trouble_share", Kind::SHARE),
                Column::named("mean gap", "mean_gap", Kind::SCORE),
            ],
        );
        let mut weighted = table(
            "Value-weighted SERVQUAL",
            "value_weighted",
            vec![
                Column::named("value-weighted gap", "value_weighted_gap", Kind::SCORE),
                Column::named("unweighted gap", "unweighted_gap", Kind::SCORE),
                Column::new("n", Kind::Count),
                Column::named("survey unmatched", "survey_unmatched", Kind::Count),
            ],
        );
        let mut customers = table(
            "Customers",
            "customers",
            vec![
                Column::new("customer_id", Kind::Text),
                Column::new("profit", money),
                Column::new("service_cost", money).optional(3),
                Column::new("tickets", Kind::Count).optional(3),
                Column::new("products", Kind::Count).optional(3),
                Column::new("net", money),
                Column::new("big", Kind::Flag("●")),
                Column::new("narrow", Kind::Flag("●")).optional(1),
                Column::new("high_service", Kind::Flag("●")).optional(1),
                Column::new("demanding_low_service", Kind::Flag("●")).optional(2),
                Column::new("gap", Kind::SCORE),
            ],
        );
        for (key, t) in sets(self) {
            let row = |cells: Vec<Cell>| [key.clone(), cells].concat();
            let tt = &t.totals;
            totals.rows.push(row(vec![
                Cell::Count(Some(tt.customers)),
                Cell::Number(Some(tt.profit)),
                Cell::Number(tt.service_cost),
                Cell::Count(tt.tickets),
                Cell::Number(tt.net),
            ]));
            for (measure, c) in [
                ("profit", &t.concentration.profit),
                ("trouble", &t.concentration.trouble),
            ] {
                conc.rows.push(row(vec![
                    Cell::text(measure),
                    Cell::Number(c.top_share),
                    Cell::Count(c.customers_for_80),
                    Cell::Number(c.share_for_80),
                    Cell::Number(c.gini),
                ]));
            }
            unprofitable.rows.push(row(vec![
                Cell::Count(t.unprofitable.customers),
                Cell::Number(t.unprofitable.share),
                Cell::Number(t.unprofitable.net),
            ]));
            for x in &t.tiers {
                tiers.rows.push(row(vec![
                    Cell::text(x.tier),
                    Cell::Count(x.customers),
                    Cell::Number(x.share),
                    Cell::Number(x.profit_share),
                    Cell::Number(x.trouble_share),
                    Cell::Number(x.mean_gap),
                ]));
            }
            if let Some(v) = &t.value_weighted {
                weighted.rows.push(row(vec![
                    Cell::Number(v.value_weighted_gap),
                    Cell::Number(v.unweighted_gap),
                    Cell::Count(Some(v.n)),
                    Cell::Count(Some(v.survey_unmatched)),
                ]));
            }
            for c in &t.customers {
                customers.rows.push(row(vec![
                    Cell::text(&c.customer_id),
                    Cell::Number(Some(c.profit)),
                    Cell::Number(c.service_cost),
                    Cell::Count(c.tickets),
                    Cell::Count(c.products),
                    Cell::Number(c.net),
                    Cell::Flag(c.big),
                    flag(c.narrow),
                    flag(c.high_service),
                    flag(c.demanding_low_service),
                    Cell::Number(c.gap),
                ]));
            }
        }
        let mut out = vec![totals, conc, unprofitable, tiers];
        if !weighted.rows.is_empty() {
            out.push(weighted);
        }
        out.push(customers);
        out
    }

    fn footer(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{}: rows read {}, used {}, rejected {}; the top is {} of customers",
            self.inputs.customers,
            self.rows_read,
            self.rows_used,
            self.rows_rejected,
            super::number::data_text(self.inputs.top),
        )];
        lines.extend(super::rejection_lines(&self.rejections));
        if let (Some(s), Some(c)) = (&self.inputs.survey, &self.survey_rows) {
            lines.push(format!(
                "survey {s}: rows read {}, used {}, rejected {}",
                c.rows_read, c.rows_used, c.rows_rejected
            ));
        }
        lines.push("Tiers: big = top by profit; narrow = one product; high_service = top by trouble (tickets, else service cost); demanding_low_service = top by mean expectation with trouble at most the median.".into());
        lines
    }
}

impl Tabular for ChainReport {
    fn title(&self) -> String {
        format!("Service chain: {}", self.inputs.chain)
    }

    fn main_table(&self) -> &'static str {
        "links"
    }

    fn tables(&self) -> Vec<Table<'_>> {
        let mut links = Table::new(
            "Links, source first",
            "links",
            vec![
                Column::new("link", Kind::Text),
                Column::new("loss", Kind::SHARE),
                Column::named("reaches the customer", "passes", Kind::SHARE),
                Column::named("must provide", "provision", Kind::SHARE),
            ],
        );
        for l in &self.links {
            links.rows.push(vec![
                Cell::text(&l.link),
                Cell::Number(Some(l.loss)),
                Cell::Number(Some(l.passes)),
                Cell::Number(Some(l.provision)),
            ]);
        }
        let mut chain = Table::new(
            "The chain",
            "chain",
            vec![
                Column::new("delivered", Kind::SHARE),
                Column::new("provision", Kind::SHARE),
                Column::named("naive margin", "naive_margin", Kind::SHARE),
                Column::named("naive delivered", "naive_delivered", Kind::SHARE),
                Column::new("shortfall", Kind::SHARE),
                Column::named("even loss", "even_loss", Kind::SHARE).optional(2),
                Column::new("share", Kind::SHARE).optional(1),
                Column::named("customer pays", "customer_pays", Kind::SHARE).optional(1),
                Column::named("provider bears", "provider_bears", Kind::SHARE).optional(1),
            ],
        );
        chain.rows.push(
            [
                self.delivered,
                self.provision,
                self.naive_margin,
                self.naive_delivered,
                self.shortfall,
                self.even_loss,
                self.share,
                self.customer_pays,
                self.provider_bears,
            ]
            .map(|x| Cell::Number(Some(x)))
            .to_vec(),
        );
        vec![links, chain]
    }

    fn footer(&self) -> Vec<String> {
        vec![
            format!(
                "{}: {} links; a naive margin of {:.1}% leaves the customer {:.1}%, the margin needed is {:.1}%",
                self.inputs.chain,
                self.links.len(),
                self.naive_margin * 100.0,
                self.naive_delivered * 100.0,
                (self.provision - 1.0) * 100.0
            ),
        ]
    }
}
