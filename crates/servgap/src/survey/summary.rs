//! The summary form of a survey (SPEC §3.1): one row per item (and group)
//! with means already taken. Items average over their rows, weighted by
//! `n` when every row has one; dimensions are the plain mean of their
//! items; there are no intervals, tests or α without respondents.

use super::tables::{aggregate_weighted, ipa_rows, mean_of, zone_from_means};
use super::{DimensionScore, ItemGap, ServqualScore, SurveyGroup, SurveyTables, ZoneRow};
use crate::error::{Error, Result};
use crate::model::importance::Importance;
use crate::model::instrument::Instrument;
use crate::model::responses::{SummaryRow, SurveyData};

/// The tables of a summary survey, over all rows and per `--by` group.
pub(super) fn analyse_summary(
    data: &SurveyData,
    rows: &[SummaryRow],
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<(SurveyTables, Vec<SurveyGroup>)> {
    if let Some(Importance::Respondent(_)) = importance {
        return Err(Error::inconsistent("respondent-level importance points need respondent-level survey data, not a summary table"));
    }
    let mut keys: Vec<&Vec<String>> = rows.iter().map(|r| &r.groups).collect();
    keys.sort();
    keys.dedup();
    let table = |sel: &dyn Fn(&SummaryRow) -> bool| summary_tables(rows, sel, ins, importance);
    if data.by.is_empty() {
        return Ok((table(&|_| true), Vec::new()));
    }
    let groups = keys
        .iter()
        .map(|k| SurveyGroup {
            key: data.by.iter().cloned().zip(k.iter().cloned()).collect(),
            tables: table(&|r: &SummaryRow| &r.groups == *k),
        })
        .collect();
    Ok((table(&|_| true), groups))
}

/// Tables from item means: items average over the selected rows (weighted by
/// `n` when every row has one), dimensions are the plain mean of their items.
fn summary_tables(
    rows: &[SummaryRow],
    sel: &dyn Fn(&SummaryRow) -> bool,
    ins: &Instrument,
    importance: Option<&Importance>,
) -> SurveyTables {
    let k = ins.items.len();
    // per item: sums of (weight, weight*mean) for each measure, and n
    let mut acc = vec![[(0.0f64, 0.0f64); 4]; k];
    let mut n_sum = vec![None::<f64>; k];
    let picked: Vec<&SummaryRow> = rows.iter().filter(|r| sel(r)).collect();
    let all_n = picked.iter().all(|r| r.n.is_some_and(|n| n > 0.0));
    for r in &picked {
        let Some(i) = ins.lookup(r.item.as_bytes()) else {
            continue;
        };
        let w = if all_n { r.n.unwrap_or(1.0) } else { 1.0 };
        for (slot, mean) in acc[i].iter_mut().zip(r.means) {
            if let Some(v) = mean {
                slot.0 += w;
                slot.1 += w * v;
            }
        }
        if let Some(n) = r.n {
            n_sum[i] = Some(n_sum[i].unwrap_or(0.0) + n);
        }
    }
    let mean = |i: usize, m: usize| (acc[i][m].0 > 0.0).then(|| acc[i][m].1 / acc[i][m].0);
    let e_of = |i: usize| mean(i, 0).or_else(|| mean(i, 3));
    let none_test =
        |gap: Option<f64>, n: Option<u64>, item: String, dimension: String, me, mp| ItemGap {
            item,
            dimension,
            n,
            mean_e: me,
            mean_p: mp,
            gap,
            sd: None,
            se: None,
            ci_low: None,
            ci_high: None,
            t: None,
            p_value: None,
        };
    let items: Vec<ItemGap> = ins
        .items
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let (me, mp) = (e_of(i), mean(i, 1));
            let gap = me.zip(mp).map(|(e, p)| p - e);
            none_test(
                gap,
                n_sum[i].map(|n| n.round() as u64),
                def.id.clone(),
                ins.dimensions[def.dimension].clone(),
                me,
                mp,
            )
        })
        .collect();
    let dimensions: Vec<DimensionScore> = ins
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let its = ins.items_of(d);
            let mean_e = mean_of(its.iter().map(|&i| items[i].mean_e));
            let mean_p = mean_of(its.iter().map(|&i| items[i].mean_p));
            let gap = mean_of(its.iter().map(|&i| items[i].gap));
            DimensionScore {
                dimension: name.clone(),
                n: None,
                mean_e,
                mean_p,
                gap,
                sd: None,
                se: None,
                ci_low: None,
                ci_high: None,
                t: None,
                p_value: None,
                alpha_e: None,
                alpha_p: None,
                alpha_gap: None,
            }
        })
        .collect();
    let weighted = match importance {
        Some(Importance::Aggregate(w)) => aggregate_weighted(&dimensions, w),
        _ => None,
    };
    let servqual = ServqualScore {
        unweighted: mean_of(dimensions.iter().map(|d| d.gap)),
        weighted,
        weighted_n: None,
    };
    let has_zone = picked
        .iter()
        .any(|r| r.means[2].is_some() && r.means[3].is_some());
    let zone = if has_zone {
        let mut z: Vec<ZoneRow> = ins
            .items
            .iter()
            .enumerate()
            .filter(|(i, _)| acc[*i][2].0 > 0.0)
            .map(|(i, def)| {
                zone_from_means(
                    Some(def.id.clone()),
                    None,
                    n_sum[i].map(|n| n.round() as u64),
                    mean(i, 2),
                    mean(i, 3),
                    mean(i, 1),
                )
            })
            .collect();
        for (d, name) in ins.dimensions.iter().enumerate() {
            let its: Vec<usize> = ins
                .items_of(d)
                .into_iter()
                .filter(|&i| acc[i][2].0 > 0.0)
                .collect();
            if its.is_empty() {
                continue;
            }
            let m = |x: usize| mean_of(its.iter().map(|&i| mean(i, x)));
            z.push(zone_from_means(
                None,
                Some(name.clone()),
                None,
                m(2),
                m(3),
                m(1),
            ));
        }
        z
    } else {
        Vec::new()
    };
    let importances: Vec<Option<f64>> = match importance {
        Some(Importance::Aggregate(w)) => w.iter().map(|&x| Some(x)).collect(),
        _ => dimensions.iter().map(|d| d.mean_e).collect(),
    };
    let ipa = ipa_rows(&dimensions, &importances);
    SurveyTables {
        respondents: 0,
        items,
        dimensions,
        servqual,
        zone,
        ipa,
        reliability: Vec::new(),
        comparisons: Vec::new(),
    }
}
