//! Whether groups differ (SPEC §4.1): with two or more `--by` groups, per
//! dimension and overall, Welch's ANOVA over the groups' per-respondent
//! gaps and Welch's t test between every two groups, with Holm-adjusted
//! p-values within the dimension. A group with fewer than two respondents
//! there is left out and listed.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::accumulate::GroupAcc;
use crate::stats::compare::{holm, welch_anova, welch_t};
use crate::stats::Moments;

/// A group's `(column, value)` pairs, serialised as `{"COL": value}`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupKey(pub Vec<(String, String)>);

impl Serialize for GroupKey {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl GroupKey {
    /// `site=上海`, `site=上海 × segment=retail`.
    pub fn label(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" × ")
    }
}

/// Two groups compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairComparison {
    /// The first group (earlier in `groups[]`).
    pub a: GroupKey,
    /// The second.
    pub b: GroupKey,
    /// mean(a) − mean(b).
    pub diff: f64,
    /// Welch's t.
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// Holm-adjusted within the dimension.
    pub p_holm: Option<f64>,
}

/// The groups compared on one dimension, or `overall`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The dimension, or `overall`.
    pub dimension: String,
    /// How many groups were compared.
    pub groups: u64,
    /// Welch's F.
    pub welch_f: Option<f64>,
    /// Its numerator degrees of freedom.
    pub df1: Option<f64>,
    /// Its denominator degrees of freedom.
    pub df2: Option<f64>,
    /// P(F > welch_f).
    pub p_value: Option<f64>,
    /// Groups left out: fewer than two respondents.
    pub excluded: Vec<GroupKey>,
    /// Every two groups compared.
    pub pairs: Vec<PairComparison>,
}

/// The comparison of `groups`' moments `of` one dimension.
fn compare(name: &str, groups: &[(GroupKey, Moments)]) -> Comparison {
    let (kept, left): (Vec<_>, Vec<_>) = groups.iter().partition(|(_, m)| m.n >= 2);
    let anova = welch_anova(&kept.iter().map(|(_, m)| *m).collect::<Vec<_>>());
    let mut pairs = Vec::new();
    for (i, (ka, ma)) in kept.iter().enumerate() {
        for (kb, mb) in &kept[i + 1..] {
            let t = welch_t(ma, mb);
            pairs.push(PairComparison {
                a: ka.clone(),
                b: kb.clone(),
                diff: ma.mean - mb.mean,
                t: t.map(|t| t.t),
                df: t.map(|t| t.df),
                p_value: t.map(|t| t.p_value),
                p_holm: None,
            });
        }
    }
    let adjusted = holm(&pairs.iter().map(|p| p.p_value).collect::<Vec<_>>());
    for (p, h) in pairs.iter_mut().zip(adjusted) {
        p.p_holm = h;
    }
    Comparison {
        dimension: name.to_string(),
        groups: kept.len() as u64,
        welch_f: anova.map(|a| a.f),
        df1: anova.map(|a| a.df1),
        df2: anova.map(|a| a.df2),
        p_value: anova.map(|a| a.p_value),
        excluded: left.into_iter().map(|(k, _)| k.clone()).collect(),
        pairs,
    }
}

/// Per dimension and overall, the comparison of the (settled) groups.
pub(super) fn comparisons(
    groups: &[(Vec<(String, String)>, GroupAcc)],
    dimensions: &[String],
) -> Vec<Comparison> {
    if groups.len() < 2 {
        return Vec::new();
    }
    let of = |pick: &dyn Fn(&GroupAcc) -> Moments| -> Vec<(GroupKey, Moments)> {
        groups
            .iter()
            .map(|(k, a)| (GroupKey(k.clone()), pick(a)))
            .collect()
    };
    let mut out: Vec<Comparison> = dimensions
        .iter()
        .enumerate()
        .map(|(d, name)| compare(name, &of(&|a: &GroupAcc| a.dim_d[d])))
        .collect();
    out.push(compare("overall", &of(&|a: &GroupAcc| a.overall)));
    out
}
