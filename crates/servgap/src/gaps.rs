//! The gap model (SPEC §4.2): gaps 1–4 beside the customers' gap 5, per
//! item, per dimension and overall. A negative SERVQUAL score says customers
//! are disappointed; the gap model says where it starts: management does
//! not know what customers expect (gap 1 = M − E), the standards do not
//! match what management knows (gap 2 = S − M), delivery misses the
//! standards (gap 3 = D − S), delivery misses what was promised
//! (gap 4 = D − C; with the `mot` model, D − E). Every gap is downstream
//! minus upstream, so a negative gap is a shortfall; a gap whose inputs are
//! absent is `None` (null), never 0.
//!
//! Dimension levels are per respondent first, as in SPEC §4.1: E and P come
//! from the survey's dimension scores, M and D are the mean over managers
//! (auditors) of their own dimension means, S and C the mean over the
//! dimension's items that have one. The overall row is the mean over the
//! dimensions that have the gap.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::model::gap_inputs::{RatingMeans, Ratings, Standards};
use crate::model::instrument::Instrument;
use crate::model::tallies::{InputRows, Rejection, RowCounts};
use crate::survey::{SurveyGroup, SurveyTables};

/// Which wording of gap 4 to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapModel {
    /// Parasuraman, Zeithaml & Berry: gap 4 = D − C (delivery vs promise).
    #[default]
    Pzb,
    /// Seed 004's wording (自以为已经为客户创造价值): gap 4 = D − E.
    Mot,
}

impl GapModel {
    /// Parses `pzb` or `mot`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pzb" => Ok(GapModel::Pzb),
            "mot" => Ok(GapModel::Mot),
            _ => Err(Error::usage(format!("unknown gap model '{s}' (pzb, mot)"))),
        }
    }
}

/// The five gaps and the levels behind them, for one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemGaps {
    /// Item id.
    pub item: String,
    /// Its dimension.
    pub dimension: String,
    /// E: customers' mean expectation.
    pub mean_e: Option<f64>,
    /// P: customers' mean perception.
    pub mean_p: Option<f64>,
    /// M: managers' mean estimate of E.
    pub management: Option<f64>,
    /// S: the specified standard.
    pub standard: Option<f64>,
    /// C: the level promised in external communication.
    pub promise: Option<f64>,
    /// D: the service as delivered (assessment).
    pub delivery: Option<f64>,
    /// Knowledge gap, M − E.
    pub gap1: Option<f64>,
    /// Standards gap, S − M.
    pub gap2: Option<f64>,
    /// Delivery gap, D − S.
    pub gap3: Option<f64>,
    /// Communication gap, D − C (`mot`: D − E).
    pub gap4: Option<f64>,
    /// Customer gap (SERVQUAL), mean of P − E.
    pub gap5: Option<f64>,
}

/// The five gaps of one dimension, and the one to work on first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionGaps {
    /// Dimension name.
    pub dimension: String,
    /// E (per respondent first).
    pub mean_e: Option<f64>,
    /// P (per respondent first).
    pub mean_p: Option<f64>,
    /// M (per manager first).
    pub management: Option<f64>,
    /// S (mean over the dimension's items with a standard).
    pub standard: Option<f64>,
    /// C (mean over the dimension's items with a promise).
    pub promise: Option<f64>,
    /// D (per assessor first).
    pub delivery: Option<f64>,
    /// M − E.
    pub gap1: Option<f64>,
    /// S − M.
    pub gap2: Option<f64>,
    /// D − S.
    pub gap3: Option<f64>,
    /// D − C (`mot`: D − E).
    pub gap4: Option<f64>,
    /// The survey's dimension gap (mean of the respondents' P − E).
    pub gap5: Option<f64>,
    /// The most negative of gaps 1–4 (`gap1`…`gap4`), if any is negative.
    pub largest_shortfall: Option<String>,
}

/// Gaps over all dimensions (each dimension counts once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallGaps {
    /// Mean of the dimensions' gap 1.
    pub gap1: Option<f64>,
    /// Mean of the dimensions' gap 2.
    pub gap2: Option<f64>,
    /// Mean of the dimensions' gap 3.
    pub gap3: Option<f64>,
    /// Mean of the dimensions' gap 4.
    pub gap4: Option<f64>,
    /// Mean of the dimensions' gap 5 (the unweighted SERVQUAL score).
    pub gap5: Option<f64>,
    /// The most negative of gaps 1–4.
    pub largest_shortfall: Option<String>,
}

/// Items, dimensions and overall gaps of one set of customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapTables {
    /// Customers in the set.
    pub respondents: u64,
    /// Managers whose ratings went in.
    pub managers: u64,
    /// Assessors whose ratings went in.
    pub assessors: u64,
    /// Per item.
    pub items: Vec<ItemGaps>,
    /// Per dimension.
    pub dimensions: Vec<DimensionGaps>,
    /// Overall.
    pub overall: OverallGaps,
}

/// The gap tables of one `--by` group.
#[derive(Debug, Clone, PartialEq)]
pub struct GapGroup {
    /// `(column, value)` of each `--by` column.
    pub key: Vec<(String, String)>,
    /// The group's tables.
    pub tables: GapTables,
}

impl Serialize for GapGroup {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in &self.key {
            m.serialize_entry(k, v)?;
        }
        let t = &self.tables;
        m.serialize_entry("respondents", &t.respondents)?;
        m.serialize_entry("managers", &t.managers)?;
        m.serialize_entry("assessors", &t.assessors)?;
        m.serialize_entry("items", &t.items)?;
        m.serialize_entry("dimensions", &t.dimensions)?;
        m.serialize_entry("overall", &t.overall)?;
        m.end()
    }
}

/// What went into a gap-model run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapsInputs {
    /// The customer survey.
    pub customers: String,
    /// Its encoding.
    pub encoding: String,
    /// Instrument name or file.
    pub instrument: String,
    /// Management survey, if any.
    pub management: Option<String>,
    /// Standards, if any.
    pub standards: Option<String>,
    /// Delivery assessment, if any.
    pub delivery: Option<String>,
    /// Gap 4 wording.
    pub model: GapModel,
    /// The scale.
    pub scale: String,
    /// `--by` columns.
    pub by: Vec<String>,
}

/// The result of `servgap gaps`: the JSON document of SPEC §6.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapsReport {
    /// Always `servgap/gaps/v1`.
    pub schema: &'static str,
    /// What went in.
    pub inputs: GapsInputs,
    /// Customer survey rows read.
    pub rows_read: u64,
    /// Customer survey rows used.
    pub rows_used: u64,
    /// Customer survey rows rejected.
    pub rows_rejected: u64,
    /// Rejection reasons.
    pub rejections: Vec<Rejection>,
    /// Row counts of the management survey.
    pub management_rows: Option<RowCounts>,
    /// Row counts of the standards.
    pub standards_rows: Option<RowCounts>,
    /// Row counts of the delivery assessment.
    pub delivery_rows: Option<RowCounts>,
    /// Tables over all customers.
    #[serde(flatten)]
    pub all: GapTables,
    /// One entry per `--by` group.
    pub groups: Vec<GapGroup>,
}

impl GapsReport {
    /// Rows read, used and rejected, per input file (customer survey,
    /// management survey, standards, delivery assessment).
    pub fn input_rows(&self) -> Vec<InputRows> {
        let mut rows = vec![InputRows::new(
            &self.inputs.customers,
            self.rows_read,
            self.rows_used,
            &self.rejections,
        )];
        for (name, counts) in [
            (&self.inputs.management, &self.management_rows),
            (&self.inputs.standards, &self.standards_rows),
            (&self.inputs.delivery, &self.delivery_rows),
        ] {
            if let (Some(file), Some(counts)) = (name, counts) {
                rows.push(InputRows {
                    file: file.clone(),
                    counts: counts.clone(),
                });
            }
        }
        rows
    }
}

/// `a − b` when both are there.
fn minus(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

/// Mean of the values that are there; `None` when none are.
fn mean_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let (s, n) = values
        .flatten()
        .fold((0.0, 0u64), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| s / n as f64)
}

/// The most negative of gaps 1–4, named `gap1`…`gap4`.
fn largest_shortfall(gaps: [Option<f64>; 4]) -> Option<String> {
    gaps.iter()
        .enumerate()
        .filter_map(|(i, g)| g.filter(|v| *v < 0.0).map(|v| (i, v)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| format!("gap{}", i + 1))
}

/// What the gap model compares the customer survey with: the instrument,
/// the management survey (M), the delivery assessment (D), the standards
/// and promises (S, C), each optional, and the wording of gap 4.
#[derive(Debug, Clone, Copy)]
pub struct GapLevels<'a> {
    /// The survey's instrument.
    pub instrument: &'a Instrument,
    /// Management ratings.
    pub management: Option<&'a Ratings>,
    /// Delivery ratings.
    pub delivery: Option<&'a Ratings>,
    /// Standards and promises.
    pub standards: Option<&'a Standards>,
    /// Gap 4 wording.
    pub model: GapModel,
}

impl GapLevels<'_> {
    /// Gaps 1–5 over all customers and per `--by` group, from the survey
    /// analysis's tables: the analysis of `servgap gaps`.
    pub fn analyse(
        &self,
        all: &SurveyTables,
        groups: &[SurveyGroup],
    ) -> (GapTables, Vec<GapGroup>) {
        let tables = self.tables(all, &[]);
        let groups = groups
            .iter()
            .map(|g| GapGroup {
                key: g.key.clone(),
                tables: self.tables(&g.tables, &g.key),
            })
            .collect();
        (tables, groups)
    }

    fn tables(&self, survey: &SurveyTables, key: &[(String, String)]) -> GapTables {
        let ins = self.instrument;
        let none = RatingMeans {
            items: vec![None; ins.items.len()],
            dimensions: vec![None; ins.dimensions.len()],
            respondents: 0,
        };
        let m = self
            .management
            .map_or_else(|| none.clone(), |r| r.means(ins, key));
        let d = self
            .delivery
            .map_or_else(|| none.clone(), |r| r.means(ins, key));
        let st = self
            .standards
            .map(|s| s.per_item(ins, key))
            .unwrap_or_default();
        let s_item = |i: usize| st.standard.get(i).copied().flatten();
        let c_item = |i: usize| st.promise.get(i).copied().flatten();
        let gap4 = |dv: Option<f64>, c: Option<f64>, e: Option<f64>| match self.model {
            GapModel::Pzb => minus(dv, c),
            GapModel::Mot => minus(dv, e),
        };
        let items: Vec<ItemGaps> = survey
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let (e, p) = (it.mean_e, it.mean_p);
                let (mi, si, ci, di) = (m.items[i], s_item(i), c_item(i), d.items[i]);
                ItemGaps {
                    item: it.item.clone(),
                    dimension: it.dimension.clone(),
                    mean_e: e,
                    mean_p: p,
                    management: mi,
                    standard: si,
                    promise: ci,
                    delivery: di,
                    gap1: minus(mi, e),
                    gap2: minus(si, mi),
                    gap3: minus(di, si),
                    gap4: gap4(di, ci, e),
                    gap5: it.gap,
                }
            })
            .collect();
        let dimensions: Vec<DimensionGaps> = survey
            .dimensions
            .iter()
            .enumerate()
            .map(|(k, dim)| {
                let of_dim = || (0..ins.items.len()).filter(move |&i| ins.items[i].dimension == k);
                let s = mean_of(of_dim().map(s_item));
                let c = mean_of(of_dim().map(c_item));
                let (e, p, md, dd) = (dim.mean_e, dim.mean_p, m.dimensions[k], d.dimensions[k]);
                let gaps = [minus(md, e), minus(s, md), minus(dd, s), gap4(dd, c, e)];
                DimensionGaps {
                    dimension: dim.dimension.clone(),
                    mean_e: e,
                    mean_p: p,
                    management: md,
                    standard: s,
                    promise: c,
                    delivery: dd,
                    gap1: gaps[0],
                    gap2: gaps[1],
                    gap3: gaps[2],
                    gap4: gaps[3],
                    gap5: dim.gap,
                    largest_shortfall: largest_shortfall(gaps),
                }
            })
            .collect();
        let over = |f: fn(&DimensionGaps) -> Option<f64>| mean_of(dimensions.iter().map(f));
        let g = [
            over(|d| d.gap1),
            over(|d| d.gap2),
            over(|d| d.gap3),
            over(|d| d.gap4),
        ];
        GapTables {
            respondents: survey.respondents,
            managers: m.respondents,
            assessors: d.respondents,
            overall: OverallGaps {
                gap1: g[0],
                gap2: g[1],
                gap3: g[2],
                gap4: g[3],
                gap5: over(|d| d.gap5),
                largest_shortfall: largest_shortfall(g),
            },
            items,
            dimensions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfall_is_the_most_negative_of_gaps_1_to_4() {
        assert_eq!(
            largest_shortfall([Some(-0.2), Some(0.4), Some(-0.9), None]).as_deref(),
            Some("gap3")
        );
        assert_eq!(largest_shortfall([Some(0.2), None, None, Some(0.0)]), None);
        assert_eq!(largest_shortfall([None, None, None, None]), None);
        assert_eq!(minus(Some(5.0), None), None);
        assert_eq!(mean_of([Some(1.0), None, Some(2.0)].into_iter()), Some(1.5));
        assert_eq!(mean_of([None, None].into_iter()), None);
    }
}
