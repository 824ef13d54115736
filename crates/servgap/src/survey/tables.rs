//! The survey's tables from its accumulated sums: per item and dimension
//! the means, the gap with its t interval and test, Cronbach's α of E, P
//! and the gap; the SERVQUAL score unweighted and weighted; the zone of
//! tolerance; the importance–performance quadrants. The summary form's
//! tables ([`super::summary`]) share the zone, weighting and IPA rules.

use super::accumulate::GroupAcc;
use super::{
    DimensionScore, IpaRow, ItemGap, ItemReliabilityRow, Quadrant, ServqualScore, SurveyTables,
    ZonePosition, ZoneRow,
};
use crate::model::importance::Importance;
use crate::model::instrument::Instrument;
use crate::stats::{mean_test, Moments};

/// The tables of one group's accumulator (`has_zone`: the survey measured
/// adequate and desired service).
pub(super) fn tables_from_acc(
    a: &GroupAcc,
    ins: &Instrument,
    importance: Option<&Importance>,
    has_zone: bool,
) -> SurveyTables {
    let dims: Vec<Vec<usize>> = (0..ins.dimensions.len()).map(|d| ins.items_of(d)).collect();
    let settled = a.settled(&dims);
    let a = &settled;
    let items: Vec<ItemGap> = ins
        .items
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let d = a.item_d[i].moments();
            let t = mean_test(&d);
            ItemGap {
                item: def.id.clone(),
                dimension: ins.dimensions[def.dimension].clone(),
                n: Some(d.n),
                mean_e: a.item_e[i].moments().mean(),
                mean_p: a.item_p[i].moments().mean(),
                gap: d.mean(),
                sd: t.sd,
                se: t.se,
                ci_low: t.ci_low,
                ci_high: t.ci_high,
                t: t.t,
                p_value: t.p_value,
            }
        })
        .collect();
    let dimensions: Vec<DimensionScore> = ins
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let t = mean_test(&a.dim_d[d]);
            DimensionScore {
                dimension: name.clone(),
                n: Some(a.dim_d[d].n),
                mean_e: a.dim_e[d].mean(),
                mean_p: a.dim_p[d].mean(),
                gap: a.dim_d[d].mean(),
                sd: t.sd,
                se: t.se,
                ci_low: t.ci_low,
                ci_high: t.ci_high,
                t: t.t,
                p_value: t.p_value,
                alpha_e: a.alpha[d][0].alpha(),
                alpha_p: a.alpha[d][1].alpha(),
                alpha_gap: a.alpha[d][2].alpha(),
            }
        })
        .collect();
    let mut reliability = Vec::new();
    for (d, name) in ins.dimensions.iter().enumerate() {
        for (s, scale) in ["e", "p", "gap"].into_iter().enumerate() {
            for (&i, r) in dims[d].iter().zip(a.alpha[d][s].item_reliability()) {
                reliability.push(ItemReliabilityRow {
                    dimension: name.clone(),
                    item: ins.items[i].id.clone(),
                    scale,
                    alpha_if_deleted: r.alpha_if_deleted,
                    item_total_r: r.item_total_r,
                });
            }
        }
    }
    let respondents_in_dims = a.dim_d.iter().map(|m| m.n).max().unwrap_or(0);
    let (weighted, weighted_n) = match importance {
        Some(Importance::Respondent(_)) => (a.weighted.mean(), Some(a.weighted.n)),
        Some(Importance::Aggregate(w)) => (
            aggregate_weighted(&dimensions, w),
            Some(respondents_in_dims),
        ),
        None => (None, None),
    };
    let servqual = ServqualScore {
        unweighted: mean_of(dimensions.iter().map(|d| d.gap)),
        weighted,
        weighted_n,
    };
    let zone = if has_zone {
        let mut z: Vec<ZoneRow> = ins
            .items
            .iter()
            .enumerate()
            .map(|(i, def)| {
                zone_row(
                    Some(def.id.clone()),
                    None,
                    &a.zone_item[i].map(|m| m.moments()),
                )
            })
            .collect();
        z.extend(
            ins.dimensions
                .iter()
                .enumerate()
                .map(|(d, name)| zone_row(None, Some(name.clone()), &a.zone_dim[d])),
        );
        z
    } else {
        Vec::new()
    };
    let importances: Vec<Option<f64>> = match importance {
        Some(Importance::Aggregate(w)) => w.iter().map(|&x| Some(x)).collect(),
        Some(Importance::Respondent(_)) if a.imp_n > 0 => {
            a.imp_sum.iter().map(|s| Some(s / a.imp_n as f64)).collect()
        }
        Some(Importance::Respondent(_)) => vec![None; ins.dimensions.len()],
        None => dimensions.iter().map(|d| d.mean_e).collect(),
    };
    let ipa = ipa_rows(&dimensions, &importances);
    SurveyTables {
        respondents: a.respondents,
        items,
        dimensions,
        servqual,
        zone,
        ipa,
        reliability,
        comparisons: Vec::new(),
    }
}

fn zone_row(item: Option<String>, dimension: Option<String>, m: &[Moments; 3]) -> ZoneRow {
    let (a, d, p) = (m[0].mean(), m[1].mean(), m[2].mean());
    zone_from_means(item, dimension, (m[2].n > 0).then_some(m[2].n), a, d, p)
}

pub(super) fn zone_from_means(
    item: Option<String>,
    dimension: Option<String>,
    n: Option<u64>,
    a: Option<f64>,
    d: Option<f64>,
    p: Option<f64>,
) -> ZoneRow {
    let msa = a.zip(p).map(|(a, p)| p - a);
    let mss = d.zip(p).map(|(d, p)| p - d);
    let position = match (a, d, p) {
        (Some(a), Some(d), Some(p)) => Some(if p < a {
            ZonePosition::Below
        } else if p > d {
            ZonePosition::Above
        } else {
            ZonePosition::Within
        }),
        _ => None,
    };
    ZoneRow {
        item,
        dimension,
        n,
        mean_adequate: a,
        mean_desired: d,
        mean_p: p,
        msa,
        mss,
        position,
    }
}

pub(super) fn mean_of(xs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs.flatten() {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

/// Σ_d w_d·gap_d over the dimension gaps, weights renormalised over the
/// dimensions that have a gap.
pub(super) fn aggregate_weighted(dims: &[DimensionScore], w: &[f64]) -> Option<f64> {
    let mut s = 0.0;
    let mut wsum = 0.0;
    for (d, &wd) in dims.iter().zip(w) {
        if wd > 0.0 {
            s += wd * d.gap?;
            wsum += wd;
        }
    }
    (wsum > 0.0).then(|| s / wsum)
}

/// `x ≥ mean`, where a value that equals the mean in exact arithmetic counts
/// as at the mean whatever order its sums were taken in: means of fractional
/// per-respondent scores differ in the last bits with row order, and a
/// quadrant must not.
fn at_least(x: f64, mean: f64) -> bool {
    x >= mean - 1e-9 * mean.abs().max(1.0)
}

pub(super) fn ipa_rows(dims: &[DimensionScore], importance: &[Option<f64>]) -> Vec<IpaRow> {
    let mi = mean_of(importance.iter().copied());
    let mp = mean_of(dims.iter().map(|d| d.mean_p));
    dims.iter()
        .zip(importance)
        .map(|(d, &imp)| {
            let quadrant = match (imp, d.mean_p, mi, mp) {
                (Some(i), Some(p), Some(mi), Some(mp)) => {
                    Some(match (at_least(i, mi), at_least(p, mp)) {
                        (true, false) => Quadrant::ConcentrateHere,
                        (true, true) => Quadrant::KeepUp,
                        (false, false) => Quadrant::LowPriority,
                        (false, true) => Quadrant::PossibleOverkill,
                    })
                }
                _ => None,
            };
            IpaRow {
                dimension: d.dimension.clone(),
                importance: imp,
                performance: d.mean_p,
                quadrant,
            }
        })
        .collect()
}
