//! Expectation vs perception, SERVQUAL "gap 5" (SPEC §4.1): item and
//! dimension gaps with t intervals and tests, unweighted and weighted
//! SERVQUAL scores, Cronbach's α, zone of tolerance and importance–performance
//! quadrants, for the whole sample and per `--by` group.
//!
//! The result structs here are the JSON schema of `servgap survey`: field
//! names and meanings follow SPEC §6, and an unavailable figure is `None`
//! (JSON `null`), never zero.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::model::importance::Importance;
use crate::model::instrument::Instrument;
use crate::model::responses::{Measure, ResponseStore, SurveyBody, SurveyData, SurveyForm};
use crate::model::tallies::{InputRows, OnInvalid, Rejection, RowCounts};

mod accumulate;
pub mod compare;
pub mod partial;
mod summary;
mod tables;

pub use accumulate::StrategyCounts;
use accumulate::{accumulate_store, GroupAcc};

/// JSON schema tag of the survey report.
pub const SURVEY_SCHEMA: &str = "servgap/survey/v1";

/// Gap statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemGap {
    /// Item id.
    pub item: String,
    /// Its dimension.
    pub dimension: String,
    /// Respondents with both E and P for the item (summary form: the file's `n`).
    pub n: Option<u64>,
    /// Mean expectation.
    pub mean_e: Option<f64>,
    /// Mean perception.
    pub mean_p: Option<f64>,
    /// Mean of P − E.
    pub gap: Option<f64>,
    /// Sample standard deviation of P − E.
    pub sd: Option<f64>,
    /// Standard error of the mean gap.
    pub se: Option<f64>,
    /// Lower end of the 95% t interval of the gap.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% t interval of the gap.
    pub ci_high: Option<f64>,
    /// Paired t statistic (gap / se).
    pub t: Option<f64>,
    /// Two-sided p-value of `t`.
    pub p_value: Option<f64>,
}

/// Gap statistics of one dimension, from per-respondent dimension means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionScore {
    /// Dimension name.
    pub dimension: String,
    /// Respondents with at least one item pair in the dimension.
    pub n: Option<u64>,
    /// Mean of the respondents' mean expectation.
    pub mean_e: Option<f64>,
    /// Mean of the respondents' mean perception.
    pub mean_p: Option<f64>,
    /// Mean of the respondents' dimension gaps.
    pub gap: Option<f64>,
    /// Sample sd of the respondents' dimension gaps.
    pub sd: Option<f64>,
    /// Standard error of the dimension gap.
    pub se: Option<f64>,
    /// Lower end of the 95% t interval.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% t interval.
    pub ci_high: Option<f64>,
    /// t statistic of the dimension gap.
    pub t: Option<f64>,
    /// Two-sided p-value of `t`.
    pub p_value: Option<f64>,
    /// Cronbach's α of the expectation items.
    pub alpha_e: Option<f64>,
    /// Cronbach's α of the perception items.
    pub alpha_p: Option<f64>,
    /// Cronbach's α of the item gaps (P − E).
    pub alpha_gap: Option<f64>,
}

/// The overall SERVQUAL scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServqualScore {
    /// Mean of the dimension gaps.
    pub unweighted: Option<f64>,
    /// Importance-weighted score (null without importance weights).
    pub weighted: Option<f64>,
    /// Respondents in the weighted score (respondent points), or respondents
    /// behind the dimension gaps (aggregate weights).
    pub weighted_n: Option<u64>,
}

/// Where perception lies relative to the zone of tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZonePosition {
    /// P below the adequate level.
    Below,
    /// Adequate ≤ P ≤ desired.
    Within,
    /// P above the desired level.
    Above,
}

/// Zone of tolerance of one item or dimension (three-column form).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneRow {
    /// Item id (item rows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// Dimension name (dimension rows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// Respondents with adequate, desired and perception all present.
    pub n: Option<u64>,
    /// Mean adequate (minimum) level A.
    pub mean_adequate: Option<f64>,
    /// Mean desired level D.
    pub mean_desired: Option<f64>,
    /// Mean perception P.
    pub mean_p: Option<f64>,
    /// Measure of service adequacy, P − A.
    pub msa: Option<f64>,
    /// Measure of service superiority, P − D.
    pub mss: Option<f64>,
    /// Position of P relative to the zone.
    pub position: Option<ZonePosition>,
}

/// Importance–performance quadrant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// High importance, low performance.
    ConcentrateHere,
    /// High importance, high performance.
    KeepUp,
    /// Low importance, low performance.
    LowPriority,
    /// Low importance, high performance.
    PossibleOverkill,
}

impl Quadrant {
    /// The quadrant's name, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Quadrant::ConcentrateHere => "concentrate_here",
            Quadrant::KeepUp => "keep_up",
            Quadrant::LowPriority => "low_priority",
            Quadrant::PossibleOverkill => "possible_overkill",
        }
    }
}

/// Importance–performance analysis of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaRow {
    /// Dimension name.
    pub dimension: String,
    /// Normalised weight, or mean E without weights.
    pub importance: Option<f64>,
    /// Mean perception.
    pub performance: Option<f64>,
    /// Quadrant against the means across dimensions (at or above the mean is high).
    pub quadrant: Option<Quadrant>,
}

/// Every table for one set of respondents (all, or one group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyTables {
    /// Respondents in this set (0 for the summary form).
    pub respondents: u64,
    /// Per item.
    pub items: Vec<ItemGap>,
    /// Per dimension.
    pub dimensions: Vec<DimensionScore>,
    /// Overall scores.
    pub servqual: ServqualScore,
    /// Zone of tolerance (empty unless adequate and desired are present).
    pub zone: Vec<ZoneRow>,
    /// Importance–performance quadrants.
    pub ipa: Vec<IpaRow>,
    /// Per dimension, scale and item: α if the item were deleted and the
    /// corrected item–total correlation, over α's sample.
    pub reliability: Vec<ItemReliabilityRow>,
    /// With two or more `--by` groups (whole sample only): Welch's ANOVA
    /// and pairwise Welch t tests per dimension and overall.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<compare::Comparison>,
}

/// One item's reliability within a dimension's scale (E, P or P − E).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReliabilityRow {
    /// The dimension.
    pub dimension: String,
    /// The item.
    pub item: String,
    /// `e`, `p` or `gap`.
    pub scale: &'static str,
    /// α of the dimension's other items on this scale (`null` for fewer
    /// than two of them).
    pub alpha_if_deleted: Option<f64>,
    /// Pearson r of the item with the sum of the dimension's other items.
    pub item_total_r: Option<f64>,
}

/// The tables of one `--by` group, keyed by the grouping columns.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyGroup {
    /// `(column, value)` for each `--by` column, in command-line order.
    pub key: Vec<(String, String)>,
    /// The group's tables.
    pub tables: SurveyTables,
}

impl Serialize for SurveyGroup {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in &self.key {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("respondents", &self.tables.respondents)?;
        m.serialize_entry("items", &self.tables.items)?;
        m.serialize_entry("dimensions", &self.tables.dimensions)?;
        m.serialize_entry("servqual", &self.tables.servqual)?;
        m.serialize_entry("zone", &self.tables.zone)?;
        m.serialize_entry("ipa", &self.tables.ipa)?;
        m.serialize_entry("reliability", &self.tables.reliability)?;
        m.end()
    }
}

/// What went into a survey report.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SurveyInputs {
    /// The survey file (`<stdin>` for standard input).
    pub survey: String,
    /// The form detected.
    pub form: SurveyForm,
    /// The encoding used.
    pub encoding: String,
    /// Instrument name or file.
    pub instrument: String,
    /// Importance file, if any.
    pub importance: Option<String>,
    /// Column map file, if any.
    pub columns: Option<String>,
    /// The scale.
    pub scale: String,
    /// `--by` columns.
    pub by: Vec<String>,
    /// Policy for invalid rows.
    pub on_invalid: OnInvalid,
}

/// The result of `servgap survey`: the JSON document of SPEC §6.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyReport {
    /// Always `servgap/survey/v1`.
    pub schema: &'static str,
    /// What went in.
    pub inputs: SurveyInputs,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows used.
    pub rows_used: u64,
    /// Rows rejected (with `--on-invalid skip`).
    pub rows_rejected: u64,
    /// Rejection reasons.
    pub rejections: Vec<Rejection>,
    /// The importance file's rows read, used and rejected (null without
    /// `--importance`): points of respondents the survey lacks are rejected.
    pub importance_rows: Option<RowCounts>,
    /// Tables over all respondents.
    #[serde(flatten)]
    pub all: SurveyTables,
    /// One entry per `--by` group (empty without `--by`).
    pub groups: Vec<SurveyGroup>,
}

impl SurveyReport {
    /// Rows read, used and rejected, per input file (survey, importance).
    pub fn input_rows(&self) -> Vec<InputRows> {
        let mut rows = vec![InputRows::new(
            &self.inputs.survey,
            self.rows_read,
            self.rows_used,
            &self.rejections,
        )];
        if let (Some(name), Some(counts)) = (&self.inputs.importance, &self.importance_rows) {
            rows.push(InputRows {
                file: name.clone(),
                counts: counts.clone(),
            });
        }
        rows
    }
}

/// One respondent's scores for joining with other data (customer value):
/// their mean E over their E–P pairs and their overall gap (the mean of
/// their available dimension gaps, §4.1), both `None` without a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RespondentScores {
    /// Mean expectation over the items with both E and P.
    pub mean_e: Option<f64>,
    /// Mean of the respondent's dimension gaps.
    pub overall_gap: Option<f64>,
}

/// Every respondent's [`RespondentScores`], by id; an error for the
/// summary form, which has no respondents.
pub fn respondent_scores(
    data: &SurveyData,
    ins: &Instrument,
) -> Result<std::collections::HashMap<String, RespondentScores>> {
    let SurveyBody::Respondents(stores) = &data.body else {
        return Err(Error::usage(
            "a summary survey has no respondents to join on respondent_id",
        ));
    };
    let dims: Vec<Vec<usize>> = (0..ins.dimensions.len()).map(|d| ins.items_of(d)).collect();
    let mut out = std::collections::HashMap::new();
    for store in stores {
        let slot = |m: Measure| store.slot[m.index()];
        let (Some(es), Some(ps)) = (
            slot(Measure::Expectation).or(slot(Measure::Desired)),
            slot(Measure::Perception),
        ) else {
            continue;
        };
        let (k, m) = (store.k, store.m);
        let value = |code: u16| store.values.values[code as usize - 1];
        for (r, id) in store.ids().into_iter().enumerate() {
            if !store.is_live(r) {
                continue;
            }
            let row = &store.codes[r * k * m..(r + 1) * k * m];
            let (mut sum_e, mut pairs) = (0.0, 0u32);
            let (mut gaps, mut ndims) = (0.0, 0u32);
            for items in &dims {
                let (mut g, mut c) = (0.0, 0u32);
                for &i in items {
                    let (ce, cp) = (row[i * m + es], row[i * m + ps]);
                    if ce != 0 && cp != 0 {
                        let (e, p) = (value(ce), value(cp));
                        sum_e += e;
                        pairs += 1;
                        g += p - e;
                        c += 1;
                    }
                }
                if c > 0 {
                    gaps += g / f64::from(c);
                    ndims += 1;
                }
            }
            out.insert(
                id,
                RespondentScores {
                    mean_e: (pairs > 0).then(|| sum_e / f64::from(pairs)),
                    overall_gap: (ndims > 0).then(|| gaps / f64::from(ndims)),
                },
            );
        }
    }
    Ok(out)
}

/// Computes every table for all respondents and per `--by` group.
pub fn analyse(
    data: &SurveyData,
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<(SurveyTables, Vec<SurveyGroup>)> {
    analyse_counted(data, ins, importance).map(|(all, groups, _)| (all, groups))
}

/// [`analyse`], with the respondents each accumulation strategy took.
pub fn analyse_counted(
    data: &SurveyData,
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<(SurveyTables, Vec<SurveyGroup>, StrategyCounts)> {
    match &data.body {
        SurveyBody::Respondents(stores) => analyse_respondents(data, stores, ins, importance),
        SurveyBody::Summary(rows) => {
            let (all, groups) = summary::analyse_summary(data, rows, ins, importance)?;
            Ok((all, groups, StrategyCounts::default()))
        }
    }
}

fn analyse_respondents(
    data: &SurveyData,
    stores: &[ResponseStore],
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<(SurveyTables, Vec<SurveyGroup>, StrategyCounts)> {
    let acc = accumulate(data, stores, ins, importance)?;
    let (all, groups) = tables_of_groups(&acc.groups, &data.by, ins, importance, acc.has_zone);
    Ok((all, groups, acc.strategies))
}

/// A survey's respondents added up per `--by` group: everything its
/// tables are computed from, and what a partial result keeps.
pub(crate) struct Accumulated {
    /// Group key (the `--by` values) → its sums.
    groups: BTreeMap<Vec<String>, GroupAcc>,
    /// The respondents each strategy took.
    strategies: StrategyCounts,
    /// Whether the zone of tolerance was measured (adequate and desired).
    has_zone: bool,
}

/// Adds up the respondents of every store, on all cores, per group.
pub(crate) fn accumulate(
    data: &SurveyData,
    stores: &[ResponseStore],
    ins: &Instrument,
    importance: Option<&Importance>,
) -> Result<Accumulated> {
    let nby = data.by.len();
    // One thread per store (the reader made one store per core).
    // Stores are analysed on all cores, a contiguous share of stores per thread.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, stores.len().max(1));
    let share = stores.len().div_ceil(threads).max(1);
    type Part = (Vec<(Vec<String>, GroupAcc)>, StrategyCounts);
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let handles: Vec<_> = stores
            .chunks(share)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut counts = StrategyCounts::default();
                    let accs = chunk
                        .iter()
                        .flat_map(|st| accumulate_store(st, nby, ins, importance, &mut counts))
                        .collect::<Vec<_>>();
                    (accs, counts)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok())
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
    });
    if parts.len() != stores.len().div_ceil(share) {
        return Err(Error::internal("an analysis thread failed"));
    }
    let mut groups: BTreeMap<Vec<String>, GroupAcc> = BTreeMap::new();
    let mut strategies = StrategyCounts::default();
    for (key, acc) in parts.into_iter().flat_map(|(accs, counts)| {
        strategies.add(&counts);
        accs
    }) {
        add_group(&mut groups, key, acc);
    }
    let has_zone = stores.first().is_some_and(|s| {
        s.slot[Measure::Adequate.index()].is_some() && s.slot[Measure::Desired.index()].is_some()
    });
    Ok(Accumulated {
        groups,
        strategies,
        has_zone,
    })
}

/// Adds a group's sums into `groups`.
fn add_group(groups: &mut BTreeMap<Vec<String>, GroupAcc>, key: Vec<String>, acc: GroupAcc) {
    match groups.get_mut(&key) {
        Some(g) => g.merge(&acc),
        None => {
            groups.insert(key, acc);
        }
    }
}

/// Every table, for all respondents and per group (`by` the group
/// columns), from the groups' sums.
fn tables_of_groups(
    groups: &BTreeMap<Vec<String>, GroupAcc>,
    by: &[String],
    ins: &Instrument,
    importance: Option<&Importance>,
    has_zone: bool,
) -> (SurveyTables, Vec<SurveyGroup>) {
    let mut total = GroupAcc::new(ins);
    for acc in groups.values() {
        total.merge(acc);
    }
    let mut all = tables::tables_from_acc(&total, ins, importance, has_zone);
    if by.is_empty() {
        return (all, Vec::new());
    }
    let dims: Vec<Vec<usize>> = (0..ins.dimensions.len()).map(|d| ins.items_of(d)).collect();
    let settled: Vec<(Vec<(String, String)>, GroupAcc)> = groups
        .iter()
        .map(|(key, acc)| {
            let named = by.iter().cloned().zip(key.iter().cloned()).collect();
            (named, acc.settled(&dims))
        })
        .collect();
    all.comparisons = compare::comparisons(&settled, &ins.dimensions);
    let out = groups
        .iter()
        .map(|(key, acc)| SurveyGroup {
            key: by.iter().cloned().zip(key.iter().cloned()).collect(),
            tables: tables::tables_from_acc(acc, ins, importance, has_zone),
        })
        .collect();
    (all, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dimension(name: &str, mean_p: f64) -> DimensionScore {
        DimensionScore {
            dimension: name.into(),
            n: Some(3),
            mean_e: None,
            mean_p: Some(mean_p),
            gap: None,
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
    }

    #[test]
    fn a_performance_at_the_mean_is_high_whatever_the_rounding() {
        // Both dimensions have mean P 5/3 in exact arithmetic; summed in
        // another row order, B's comes out two ulps low, below the mean of
        // the two. Both are at the mean, hence both "high performance".
        let exact = 5.0 / 3.0;
        let below = exact - f64::EPSILON * 2.0;
        assert!(below < (exact + below) / 2.0);
        let dims = [dimension("A", exact), dimension("B", below)];
        let rows = tables::ipa_rows(&dims, &[Some(0.5), Some(0.5)]);
        let quadrants: Vec<_> = rows.iter().map(|r| r.quadrant).collect();
        assert_eq!(quadrants, [Some(Quadrant::KeepUp), Some(Quadrant::KeepUp)]);
        // A real difference still separates them.
        let dims = [dimension("A", 5.0 / 3.0), dimension("B", 1.6)];
        let rows = tables::ipa_rows(&dims, &[Some(0.5), Some(0.5)]);
        let quadrants: Vec<_> = rows.iter().map(|r| r.quadrant).collect();
        assert_eq!(
            quadrants,
            [Some(Quadrant::KeepUp), Some(Quadrant::ConcentrateHere)]
        );
    }

    #[test]
    fn names_are_the_json_names() {
        let json = |v: serde_json::Value| v.as_str().map(str::to_string);
        for q in [
            Quadrant::ConcentrateHere,
            Quadrant::KeepUp,
            Quadrant::LowPriority,
            Quadrant::PossibleOverkill,
        ] {
            assert_eq!(
                serde_json::to_value(q).ok().and_then(json).as_deref(),
                Some(q.as_str())
            );
        }
        for f in [
            SurveyForm::Long,
            SurveyForm::Wide,
            SurveyForm::Mapped,
            SurveyForm::Summary,
        ] {
            assert_eq!(
                serde_json::to_value(f).ok().and_then(json).as_deref(),
                Some(f.as_str())
            );
        }
    }
}
