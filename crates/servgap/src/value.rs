//! Customer value (SPEC §4.5, seeds 001 and 002): how concentrated profit
//! and trouble are (the 80/20 rule), which customers cost more than they
//! bring, the four customer tiers to serve differently, and — joined with
//! a SERVQUAL survey — whether the customers who bring the most are the
//! most disappointed (the value-weighted gap). The result structs are the
//! JSON schema of `servgap value`.

use std::collections::HashMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::model::customers::{Customer, Customers};
use crate::model::tallies::{InputRows, Rejection, RowCounts};
use crate::survey::RespondentScores;

/// The top ⌈F·N⌉ of N, F·N rounded to 9 decimals first (0.14 · 50 is 7).
pub fn top_count(f: f64, n: usize) -> usize {
    let x = (f * n as f64 * 1e9).round() / 1e9;
    (x.ceil().max(0.0) as usize).min(n)
}

/// Whether `a ≥ b` within a relative tolerance of 1e-12.
fn at_least(a: f64, b: f64) -> bool {
    a >= b - 1e-12 * b.abs().max(a.abs())
}

/// The median (the mean of the middle two of an even number).
fn median(mut x: Vec<f64>) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    x.sort_by(f64::total_cmp);
    let n = x.len();
    Some(match n % 2 {
        1 => x[n / 2],
        _ => (x[n / 2 - 1] + x[n / 2]) / 2.0,
    })
}

/// The indices of `ids` ranked by `value` descending, ties by id ascending.
fn ranked(values: &[f64], ids: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(ids[a].cmp(ids[b])));
    order
}

/// How concentrated a quantity is over the customers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Concentration {
    /// Share of the total held by the top `--top` of customers.
    pub top_share: Option<f64>,
    /// The fewest customers holding at least 80% of the total.
    pub customers_for_80: Option<u64>,
    /// `customers_for_80` / N.
    pub share_for_80: Option<f64>,
    /// The Gini coefficient (null with a negative value or a total of 0).
    pub gini: Option<f64>,
}

/// The concentration of `values` (per customer, with `ids` for ties).
pub fn concentration(values: &[f64], ids: &[&str], top: f64) -> Concentration {
    let n = values.len();
    let total: f64 = values.iter().sum();
    if n == 0 {
        return Concentration::default();
    }
    let order = ranked(values, ids);
    let positive = total > 0.0;
    let k = top_count(top, n);
    let top_share = positive.then(|| order[..k].iter().map(|&i| values[i]).sum::<f64>() / total);
    let (customers_for_80, share_for_80) = match positive {
        true => {
            let mut cum = 0.0;
            let mut k80 = n;
            for (j, &i) in order.iter().enumerate() {
                cum += values[i];
                if at_least(cum, 0.8 * total) {
                    k80 = j + 1;
                    break;
                }
            }
            (Some(k80 as u64), Some(k80 as f64 / n as f64))
        }
        false => (None, None),
    };
    let gini = (total != 0.0 && values.iter().all(|&v| v >= 0.0)).then(|| {
        let mut asc = values.to_vec();
        asc.sort_by(f64::total_cmp);
        let nf = n as f64;
        asc.iter()
            .enumerate()
            .map(|(i, x)| (2.0 * (i as f64 + 1.0) - nf - 1.0) * x)
            .sum::<f64>()
            / (nf * total)
    });
    Concentration {
        top_share,
        customers_for_80,
        share_for_80,
        gini,
    }
}

/// Totals over the customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueTotals {
    /// Customers.
    pub customers: u64,
    /// Σ profit.
    pub profit: f64,
    /// Σ service cost (null without the column).
    pub service_cost: Option<f64>,
    /// Σ tickets (null without the column).
    pub tickets: Option<u64>,
    /// Σ net (null without service costs).
    pub net: Option<f64>,
}

/// Profit's and trouble's concentration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentrations {
    /// Of profit.
    pub profit: Concentration,
    /// Of trouble (tickets, else service cost; null figures without either).
    pub trouble: Concentration,
}

/// The customers who cost more than they bring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unprofitable {
    /// Customers with net < 0 (null without service costs).
    pub customers: Option<u64>,
    /// Their share of customers.
    pub share: Option<f64>,
    /// Σ net over them: the loss they cause.
    pub net: Option<f64>,
}

/// One of seed 002's four tiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRow {
    /// `big`, `narrow`, `high_service` or `demanding_low_service`.
    pub tier: &'static str,
    /// Customers in it.
    pub customers: Option<u64>,
    /// Their share of customers.
    pub share: Option<f64>,
    /// Their share of Σ profit.
    pub profit_share: Option<f64>,
    /// Their share of Σ trouble.
    pub trouble_share: Option<f64>,
    /// Mean overall gap of those with survey answers.
    pub mean_gap: Option<f64>,
}

/// SERVQUAL weighted by the value each respondent brings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueWeighted {
    /// Σ profit·g / Σ profit over customers with answers and profit > 0.
    pub value_weighted_gap: Option<f64>,
    /// Mean g over the same customers.
    pub unweighted_gap: Option<f64>,
    /// How many.
    pub n: u64,
    /// Survey respondents without a customer row.
    pub survey_unmatched: u64,
}

/// One customer's figures and tiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRow {
    /// Id.
    pub customer_id: String,
    /// Profit.
    pub profit: f64,
    /// Service cost.
    pub service_cost: Option<f64>,
    /// Tickets.
    pub tickets: Option<u64>,
    /// Products.
    pub products: Option<u64>,
    /// Profit − service cost.
    pub net: Option<f64>,
    /// In the top by profit.
    pub big: bool,
    /// Buys one product.
    pub narrow: Option<bool>,
    /// In the top by trouble.
    pub high_service: Option<bool>,
    /// Expects the most and troubles at most the median.
    pub demanding_low_service: Option<bool>,
    /// Overall SERVQUAL gap (with `--survey`).
    pub gap: Option<f64>,
}

/// The figures of one set of customers (all, or a `--by` group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueTables {
    /// Totals.
    pub totals: ValueTotals,
    /// 80/20.
    pub concentration: Concentrations,
    /// Net < 0.
    pub unprofitable: Unprofitable,
    /// The four tiers.
    pub tiers: Vec<TierRow>,
    /// With `--survey`.
    pub value_weighted: Option<ValueWeighted>,
    /// Per customer.
    pub customers: Vec<CustomerRow>,
}

/// One `--by` group's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueGroup {
    /// `(column, value)` of each `--by` column.
    pub key: Vec<(String, String)>,
    /// Its figures.
    pub tables: ValueTables,
}

impl Serialize for ValueGroup {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in &self.key {
            m.serialize_entry(k, v)?;
        }
        let t = &self.tables;
        m.serialize_entry("totals", &t.totals)?;
        m.serialize_entry("concentration", &t.concentration)?;
        m.serialize_entry("unprofitable", &t.unprofitable)?;
        m.serialize_entry("tiers", &t.tiers)?;
        m.serialize_entry("value_weighted", &t.value_weighted)?;
        m.serialize_entry("customers", &t.customers)?;
        m.end()
    }
}

/// What went into a value run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueInputs {
    /// The customer file.
    pub customers: String,
    /// The survey, if joined.
    pub survey: Option<String>,
    /// The share `--top` calls the top.
    pub top: f64,
    /// `--by` columns.
    pub by: Vec<String>,
}

/// The result of `servgap value`: the JSON document of SPEC §6.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueReport {
    /// Always `servgap/value/v1`.
    pub schema: &'static str,
    /// What went in.
    pub inputs: ValueInputs,
    /// Customer rows read.
    pub rows_read: u64,
    /// Used.
    pub rows_used: u64,
    /// Rejected (`--on-invalid skip`).
    pub rows_rejected: u64,
    /// Why.
    pub rejections: Vec<Rejection>,
    /// The survey's row counts, when joined.
    pub survey_rows: Option<RowCounts>,
    /// Over all customers.
    #[serde(flatten)]
    pub all: ValueTables,
    /// Per `--by` group.
    pub groups: Vec<ValueGroup>,
}

impl ValueReport {
    /// Rows read, used and rejected per input file.
    pub fn input_rows(&self) -> Vec<InputRows> {
        let mut rows = vec![InputRows::new(
            &self.inputs.customers,
            self.rows_read,
            self.rows_used,
            &self.rejections,
        )];
        if let (Some(f), Some(c)) = (&self.inputs.survey, &self.survey_rows) {
            rows.push(InputRows {
                file: f.clone(),
                counts: c.clone(),
            });
        }
        rows
    }
}

/// The figures of `customers` (with the file's optional columns
/// `has`: service cost, tickets, products) and, with a survey, the
/// respondents' scores by id (`unmatched`: respondents without a
/// customer row).
pub fn tables(
    customers: &[&Customer],
    has: (bool, bool, bool),
    scores: Option<&HashMap<String, RespondentScores>>,
    unmatched: u64,
    top: f64,
) -> ValueTables {
    let (has_cost, has_tickets, has_products) = (has.0, has.1, has.2);
    let n = customers.len();
    let nf = n as f64;
    let ids: Vec<&str> = customers.iter().map(|c| c.customer_id.as_str()).collect();
    let profit: Vec<f64> = customers.iter().map(|c| c.profit).collect();
    let net: Vec<Option<f64>> = customers
        .iter()
        .map(|c| c.service_cost.map(|s| c.profit - s))
        .collect();
    let trouble: Option<Vec<f64>> = match (has_tickets, has_cost) {
        (true, _) => Some(
            customers
                .iter()
                .map(|c| c.tickets.unwrap_or(0) as f64)
                .collect(),
        ),
        (false, true) => Some(
            customers
                .iter()
                .map(|c| c.service_cost.unwrap_or(0.0))
                .collect(),
        ),
        _ => None,
    };
    let total_profit: f64 = profit.iter().sum();
    let totals = ValueTotals {
        customers: n as u64,
        profit: total_profit,
        service_cost: has_cost.then(|| customers.iter().filter_map(|c| c.service_cost).sum()),
        tickets: has_tickets.then(|| customers.iter().filter_map(|c| c.tickets).sum()),
        net: has_cost.then(|| net.iter().flatten().sum()),
    };
    let concentration = Concentrations {
        profit: concentration(&profit, &ids, top),
        trouble: trouble
            .as_ref()
            .map(|t| concentration(t, &ids, top))
            .unwrap_or_default(),
    };
    let losers: Vec<f64> = net.iter().flatten().copied().filter(|v| *v < 0.0).collect();
    let unprofitable = Unprofitable {
        customers: has_cost.then_some(losers.len() as u64),
        share: (has_cost && n > 0).then(|| losers.len() as f64 / nf),
        net: has_cost.then(|| losers.iter().sum()),
    };
    // tiers
    let k = top_count(top, n);
    let mut big = vec![false; n];
    for &i in &ranked(&profit, &ids)[..k] {
        big[i] = true;
    }
    let narrow: Vec<Option<bool>> = customers
        .iter()
        .map(|c| c.products.filter(|_| has_products).map(|p| p == 1))
        .collect();
    let high: Vec<Option<bool>> = match &trouble {
        Some(t) => {
            let mut flags = vec![Some(false); n];
            for &i in &ranked(t, &ids)[..k] {
                flags[i] = Some(true);
            }
            flags
        }
        None => vec![None; n],
    };
    let score = |i: usize| scores.and_then(|s| s.get(&customers[i].customer_id));
    let demanding: Vec<Option<bool>> = match (&trouble, scores) {
        (Some(t), Some(_)) => {
            let answered: Vec<usize> = (0..n)
                .filter(|&i| score(i).and_then(|s| s.mean_e).is_some())
                .collect();
            let mean_e: Vec<f64> = answered
                .iter()
                .map(|&i| score(i).and_then(|s| s.mean_e).unwrap_or(f64::NAN))
                .collect();
            let answered_ids: Vec<&str> = answered.iter().map(|&i| ids[i]).collect();
            let km = top_count(top, answered.len());
            let median_trouble = median(t.clone()).unwrap_or(f64::INFINITY);
            let mut flags = vec![None; n];
            for &i in &answered {
                flags[i] = Some(false);
            }
            for &j in &ranked(&mean_e, &answered_ids)[..km] {
                let i = answered[j];
                flags[i] = Some(t[i] <= median_trouble);
            }
            flags
        }
        _ => vec![None; n],
    };
    let gap = |i: usize| score(i).and_then(|s| s.overall_gap);
    let tier = |name: &'static str, flags: &[Option<bool>]| -> TierRow {
        if flags.iter().all(Option::is_none) {
            return TierRow {
                tier: name,
                customers: None,
                share: None,
                profit_share: None,
                trouble_share: None,
                mean_gap: None,
            };
        }
        let members: Vec<usize> = (0..n).filter(|&i| flags[i] == Some(true)).collect();
        let sum = |v: &[f64]| members.iter().map(|&i| v[i]).sum::<f64>();
        let gaps: Vec<f64> = members.iter().filter_map(|&i| gap(i)).collect();
        TierRow {
            tier: name,
            customers: Some(members.len() as u64),
            share: (n > 0).then(|| members.len() as f64 / nf),
            profit_share: (total_profit > 0.0).then(|| sum(&profit) / total_profit),
            trouble_share: trouble.as_ref().and_then(|t| {
                let total: f64 = t.iter().sum();
                (total > 0.0).then(|| sum(t) / total)
            }),
            mean_gap: (!gaps.is_empty()).then(|| gaps.iter().sum::<f64>() / gaps.len() as f64),
        }
    };
    let big_flags: Vec<Option<bool>> = big.iter().map(|b| Some(*b)).collect();
    let tiers = vec![
        tier("big", &big_flags),
        tier("narrow", &narrow),
        tier("high_service", &high),
        tier("demanding_low_service", &demanding),
    ];
    let value_weighted = scores.map(|_| {
        let used: Vec<(f64, f64)> = (0..n)
            .filter(|&i| profit[i] > 0.0)
            .filter_map(|i| gap(i).map(|g| (profit[i], g)))
            .collect();
        let wsum: f64 = used.iter().map(|(p, _)| p).sum();
        ValueWeighted {
            value_weighted_gap: (wsum > 0.0)
                .then(|| used.iter().map(|(p, g)| p * g).sum::<f64>() / wsum),
            unweighted_gap: (!used.is_empty())
                .then(|| used.iter().map(|(_, g)| g).sum::<f64>() / used.len() as f64),
            n: used.len() as u64,
            survey_unmatched: unmatched,
        }
    });
    let rows = (0..n)
        .map(|i| {
            let c = customers[i];
            CustomerRow {
                customer_id: c.customer_id.clone(),
                profit: c.profit,
                service_cost: c.service_cost,
                tickets: c.tickets,
                products: c.products,
                net: net[i],
                big: big[i],
                narrow: narrow[i],
                high_service: high[i],
                demanding_low_service: demanding[i],
                gap: gap(i),
            }
        })
        .collect();
    ValueTables {
        totals,
        concentration,
        unprofitable,
        tiers,
        value_weighted,
        customers: rows,
    }
}

/// The value report of `file`'s customers, with the survey's respondent
/// scores when joined (`survey`: its name and row counts).
pub fn analyse(
    file: &Customers,
    by: &[String],
    survey: Option<(String, RowCounts, HashMap<String, RespondentScores>)>,
    top: f64,
) -> ValueReport {
    let has = (file.has_service_cost, file.has_tickets, file.has_products);
    let (survey_name, survey_rows, scores) = match survey {
        Some((n, r, s)) => (Some(n), Some(r), Some(s)),
        None => (None, None, None),
    };
    let all: Vec<&Customer> = file.customers.iter().collect();
    let known: std::collections::HashSet<&str> =
        all.iter().map(|c| c.customer_id.as_str()).collect();
    let unmatched = scores.as_ref().map_or(0, |s| {
        s.keys().filter(|id| !known.contains(id.as_str())).count() as u64
    });
    let mut groups: std::collections::BTreeMap<Vec<String>, Vec<&Customer>> = Default::default();
    if !by.is_empty() {
        for c in &all {
            groups.entry(c.group.clone()).or_default().push(c);
        }
    }
    ValueReport {
        schema: "servgap/value/v1",
        inputs: ValueInputs {
            customers: file.name.clone(),
            survey: survey_name,
            top,
            by: by.to_vec(),
        },
        rows_read: file.rows.rows_read,
        rows_used: file.rows.rows_used,
        rows_rejected: file.rows.rows_rejected,
        rejections: file.rows.rejections.clone(),
        survey_rows,
        all: tables(&all, has, scores.as_ref(), unmatched, top),
        groups: groups
            .into_iter()
            .map(|(key, members)| ValueGroup {
                key: by.iter().cloned().zip(key).collect(),
                tables: tables(&members, has, scores.as_ref(), unmatched, top),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn the_top_rounds_before_the_ceiling() {
        assert_eq!(top_count(0.14, 50), 7);
        assert_eq!(top_count(0.2, 10), 2);
        assert_eq!(top_count(0.2, 11), 3);
        assert_eq!(top_count(0.2, 0), 0);
    }

    #[test]
    fn concentration_by_hand() {
        // profits 50, 30, 10, 5, 5 (Σ 100): the top 20% (1 customer) hold
        // 50%; 80% needs 50 + 30 = 80 → 2 customers (40%)
        let v = [10.0, 50.0, 5.0, 30.0, 5.0];
        let ids = ["c", "a", "e", "b", "d"];
        let c = concentration(&v, &ids, 0.2);
        assert_eq!(c.top_share, Some(0.5));
        assert_eq!(c.customers_for_80, Some(2));
        assert_eq!(c.share_for_80, Some(0.4));
        // Gini: ascending 5, 5, 10, 30, 50; Σ (2i − 6)·x = −20 −10 +0 +60 +200 = 230; / (5·100)
        assert_relative_eq!(c.gini.unwrap_or(0.0), 230.0 / 500.0, max_relative = 1e-12);
        let neg = concentration(&[-1.0, 2.0], &["a", "b"], 0.2);
        assert_eq!(neg.gini, None);
        assert_eq!(concentration(&[0.0, 0.0], &["a", "b"], 0.2).top_share, None);
    }

    #[test]
    fn median_of_an_even_count_is_the_middle_mean() {
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
    }
}
