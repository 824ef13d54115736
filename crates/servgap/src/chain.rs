//! Service-chain loss (SPEC §4.6, seed 000): every link between the
//! source and the customer loses a share, and the losses compound, so
//! answering a 20% loss with 120% provision leaves the customer 96%. Per
//! link, the share of what it provides that reaches the customer and what
//! it must provide; overall, the naive margin (the sum of the losses) and
//! its shortfall, the even loss per link, and who pays for the margin.
//! Also the reader of the chain file (`link,loss`), whose links are in
//! order from the source to the customer.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::input::{check_width, invalid, read_small, ReadOptions, Source};
use crate::model::tallies::{InputRows, RowCounts};

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Its name.
    pub link: String,
    /// The share lost or distorted there (0 ≤ loss < 1).
    pub loss: f64,
    /// The share of what it provides that reaches the customer.
    pub passes: f64,
    /// What it must provide for the customer to receive one unit.
    pub provision: f64,
}

/// What went into a chain run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainInputs {
    /// The chain file.
    pub chain: String,
    /// The customer's share of the margin (`--share`).
    pub share: f64,
}

/// The result of `servgap chain`: the JSON document of SPEC §6.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    /// Always `servgap/chain/v1`.
    pub schema: &'static str,
    /// What went in.
    pub inputs: ChainInputs,
    /// Rows read.
    pub rows_read: u64,
    /// Rows used.
    pub rows_used: u64,
    /// Rows rejected (none: the chain is strict).
    pub rows_rejected: u64,
    /// The links, source first.
    pub links: Vec<Link>,
    /// Share of the source's provision that reaches the customer.
    pub delivered: f64,
    /// What the source must provide per unit the customer receives.
    pub provision: f64,
    /// The naive margin: the sum of the losses.
    pub naive_margin: f64,
    /// What the customer receives with the naive margin.
    pub naive_delivered: f64,
    /// 1 − naive_delivered.
    pub shortfall: f64,
    /// The loss per link that spreads the same total evenly.
    pub even_loss: f64,
    /// The customer's share of the margin.
    pub share: f64,
    /// What the customer pays per unit delivered.
    pub customer_pays: f64,
    /// What the provider bears per unit delivered.
    pub provider_bears: f64,
}

impl ChainReport {
    /// Rows read and used of the chain file.
    pub fn input_rows(&self) -> Vec<InputRows> {
        vec![InputRows::new(
            &self.inputs.chain,
            self.rows_read,
            self.rows_used,
            &[],
        )]
    }
}

/// The chain's figures from its links' `(name, loss)` in order.
pub fn analyse(name: &str, links: &[(String, f64)], rows: RowCounts, share: f64) -> ChainReport {
    let n = links.len();
    let mut passes = vec![1.0; n];
    let mut acc = 1.0;
    for j in (0..n).rev() {
        acc *= 1.0 - links[j].1;
        passes[j] = acc;
    }
    let delivered = passes.first().copied().unwrap_or(1.0);
    let provision = 1.0 / delivered;
    let naive_margin: f64 = links.iter().map(|(_, l)| l).sum();
    let naive_delivered = (1.0 + naive_margin) * delivered;
    ChainReport {
        schema: "servgap/chain/v1",
        inputs: ChainInputs {
            chain: name.to_string(),
            share,
        },
        rows_read: rows.rows_read,
        rows_used: rows.rows_used,
        rows_rejected: rows.rows_rejected,
        links: links
            .iter()
            .zip(&passes)
            .map(|((link, loss), &p)| Link {
                link: link.clone(),
                loss: *loss,
                passes: p,
                provision: 1.0 / p,
            })
            .collect(),
        delivered,
        provision,
        naive_margin,
        naive_delivered,
        shortfall: 1.0 - naive_delivered,
        even_loss: 1.0 - delivered.powf(1.0 / n.max(1) as f64),
        share,
        customer_pays: 1.0 + share * (provision - 1.0),
        provider_bears: (1.0 - share) * (provision - 1.0),
    }
}

/// Reads a chain file (`link,loss`, source first) and computes its
/// figures; `share` is the customer's share of the margin (0–1).
pub fn run_chain(source: &Source, share: f64, opts: &ReadOptions) -> Result<ChainReport> {
    if !(0.0..=1.0).contains(&share) {
        return Err(Error::usage(format!(
            "--share is the customer's share of the margin, between 0 and 1, not {share}"
        )));
    }
    let name = source.name();
    let (header, rows) = read_small(source, opts)?;
    let col = |c: &str| {
        header.find(c).ok_or_else(|| {
            Error::file(
                &name,
                Some(1),
                format!("the chain needs a '{c}' column (link,loss)"),
            )
        })
    };
    let (lc, sc) = (col("link")?, col("loss")?);
    let mut links = Vec::new();
    let mut counts = RowCounts::default();
    for (line, row) in &rows {
        counts.rows_read += 1;
        check_width(&name, &header, *line, row)?;
        let cell = |c: usize| row[c].trim();
        let loss = cell(sc)
            .parse::<f64>()
            .ok()
            .filter(|v| (0.0..1.0).contains(v))
            .ok_or_else(|| {
                invalid(
                    &name,
                    *line,
                    &header,
                    sc,
                    cell(sc).as_bytes(),
                    "a loss is a share of at least 0 and below 1",
                )
            })?;
        counts.rows_used += 1;
        links.push((cell(lc).to_string(), loss));
    }
    if links.is_empty() {
        return Err(Error::file(&name, None, "the chain has no links"));
    }
    Ok(analyse(&name, &links, counts, share))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn seed_000s_twenty_percent_answered_with_a_hundred_and_twenty() {
        // one link losing 20%: 120% provision leaves the customer 96%; the
        // margin needed is 25%
        let r = analyse("c", &[("store".into(), 0.2)], RowCounts::default(), 0.5);
        assert_relative_eq!(r.delivered, 0.8, max_relative = 1e-15);
        assert_relative_eq!(r.provision, 1.25, max_relative = 1e-15);
        assert_relative_eq!(r.naive_delivered, 0.96, max_relative = 1e-15);
        assert_relative_eq!(r.shortfall, 0.04, max_relative = 1e-12);
        assert_relative_eq!(r.customer_pays, 1.125, max_relative = 1e-15);
        assert_relative_eq!(r.provider_bears, 0.125, max_relative = 1e-15);
    }

    #[test]
    fn losses_compound_towards_the_customer() {
        // 10% then 20%: the source's units reach 0.9 · 0.8 = 0.72; the
        // second link's 0.8
        let r = analyse(
            "c",
            &[("plant".into(), 0.1), ("courier".into(), 0.2)],
            RowCounts::default(),
            0.5,
        );
        assert_relative_eq!(r.links[0].passes, 0.72, max_relative = 1e-15);
        assert_relative_eq!(r.links[1].passes, 0.8, max_relative = 1e-15);
        assert_relative_eq!(r.links[1].provision, 1.25, max_relative = 1e-15);
        assert_relative_eq!(r.naive_margin, 0.3, max_relative = 1e-15);
        assert_relative_eq!(r.naive_delivered, 1.3 * 0.72, max_relative = 1e-15);
        // even loss: 1 − √0.72
        assert_relative_eq!(r.even_loss, 1.0 - 0.72f64.sqrt(), max_relative = 1e-15);
    }
}
