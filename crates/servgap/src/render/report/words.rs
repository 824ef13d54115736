//! Every word of a report, behind one trait, so that each language keeps
//! its strings in one place ([`super::en`], [`super::zh`]) and a section
//! never writes a word itself. Sentences take the figures they read
//! (already formatted where the format does not depend on the language).

use std::fmt;

/// A report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `en` or `zh`; `auto` from the locale.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            "auto" => Some(Lang::from_locale(
                std::env::var("LC_ALL").ok().as_deref(),
                std::env::var("LANG").ok().as_deref(),
            )),
            _ => None,
        }
    }

    /// The language of a locale: `LC_ALL` when set and not empty, else
    /// `LANG`; Chinese for a `zh…` locale, English otherwise.
    pub fn from_locale(lc_all: Option<&str>, lang: Option<&str>) -> Self {
        let locale = lc_all.filter(|v| !v.is_empty()).or(lang).unwrap_or("");
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The page's `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The words of this language.
    pub fn words(self) -> &'static dyn Words {
        match self {
            Lang::En => &super::en::English,
            Lang::Zh => &super::zh::Chinese,
        }
    }
}

/// A number with `places` decimals, `—` when unavailable.
pub fn num(x: Option<f64>, places: usize) -> String {
    crate::render::fixed(x, places)
}

/// A signed number with `places` decimals (`+0.25`, `−1.09`), `—` when
/// unavailable; the minus is the typographic one.
pub fn signed(x: Option<f64>, places: usize) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let v = if v == 0.0 { 0.0 } else { v };
            let t = format!("{v:+.places$}");
            t.replacen('-', "−", 1)
        }
        other => num(other, places),
    }
}

/// A share as a percentage with one decimal.
pub fn percent(x: Option<f64>) -> String {
    match x {
        Some(v) => format!("{:.1}%", v * 100.0),
        None => "—".into(),
    }
}

/// A list of names joined as the language joins them.
pub struct List<'a>(pub &'a [String], pub Lang);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = match self.1 {
            Lang::En => ", ",
            Lang::Zh => "、",
        };
        f.write_str(&self.0.join(sep))
    }
}

/// Every string of a report (see the module docs).
pub trait Words: Sync {
    /// The language.
    fn lang(&self) -> Lang;

    // page
    /// The report's title.
    fn title(&self) -> &'static str;
    /// The executive summary's heading.
    fn summary(&self) -> &'static str;
    /// The inputs' heading.
    fn inputs(&self) -> &'static str;
    /// `file: rows read, used, rejected`.
    fn input_rows(&self, file: &str, read: u64, used: u64, rejected: u64) -> String;
    /// The note at the foot of the page.
    fn made_by(&self, version: &str) -> String;
    /// Markdown: the check outcomes' heading.
    fn checks(&self) -> &'static str;
    /// Markdown: no checks were run.
    fn no_checks(&self) -> &'static str;
    /// "passed" / "failed" labels.
    fn passed(&self, yes: bool) -> &'static str;

    // survey
    /// The survey section's heading.
    fn survey_section(&self) -> &'static str;
    /// The SERVQUAL score line of the summary.
    fn servqual_score(&self, score: &str, respondents: u64, scale: &str) -> String;
    /// The dimension to work on first.
    fn work_on_first(&self, dimension: &str, gap: &str) -> String;
    /// No dimension falls short.
    fn no_shortfall(&self) -> &'static str;
    /// Dimension gaps chart: title, axis.
    fn dimension_gaps_title(&self) -> &'static str;
    /// The gap axis on a scale.
    fn gap_axis(&self, scale: &str) -> String;
    /// A short gap axis (vertical).
    fn gap_axis_short(&self) -> &'static str;
    /// Reading of the dimension gaps.
    fn dimension_gaps_reading(
        &self,
        dimension: &str,
        gap: &str,
        scale: &str,
        management: Option<&str>,
    ) -> String;
    /// Reading when every dimension meets expectation.
    fn dimension_gaps_none(&self) -> &'static str;
    /// Items chart: title, axis, the two ends.
    fn items_title(&self) -> &'static str;
    /// The score axis.
    fn score_axis(&self, scale: &str) -> String;
    /// "Expectation", "Perception".
    fn expectation(&self) -> &'static str;
    /// See `expectation`.
    fn perception(&self) -> &'static str;
    /// Reading of the items.
    fn items_reading(&self, short: usize, total: usize, item: &str, gap: &str) -> String;
    /// Zone chart: title, legend, reading.
    fn zone_title(&self) -> &'static str;
    /// The band's name.
    fn zone_band(&self) -> &'static str;
    /// Reading of the zone.
    fn zone_reading(&self, below: usize, above: usize, total: usize) -> String;
    /// IPA: title, axes, quadrant names (top left, top right, bottom left, bottom right).
    fn ipa_title(&self) -> &'static str;
    /// See `ipa_title`.
    fn importance(&self) -> &'static str;
    /// See `ipa_title`.
    fn performance(&self) -> &'static str;
    /// See `ipa_title`.
    fn quadrants(&self) -> [&'static str; 4];
    /// Reading of the IPA.
    fn ipa_reading(&self, concentrate: &[String]) -> String;
    /// Groups' SERVQUAL scores: title, reading.
    fn groups_title(&self) -> &'static str;
    /// Reading of the groups' scores.
    fn groups_reading(&self, worst: &str, score: &str, best: &str, best_score: &str) -> String;
    /// Only the lowest `shown` of `total` groups are shown.
    fn lowest_shown(&self, shown: usize, total: usize) -> String;
    /// Table headings.
    fn col_dimension(&self) -> &'static str;
    /// See `col_dimension`.
    fn col_respondents(&self) -> &'static str;
    /// See `col_dimension`.
    fn col_gap(&self) -> &'static str;
    /// See `col_dimension`.
    fn col_ci(&self) -> &'static str;
    /// See `col_dimension`.
    fn col_alpha(&self) -> &'static str;
    /// See `col_dimension`.
    fn col_unweighted(&self) -> &'static str;
    /// See `col_dimension`.
    fn col_weighted(&self) -> &'static str;

    // gaps
    /// The gap model section's heading.
    fn gaps_section(&self) -> &'static str;
    /// Gap `k` (1–5)'s name; `mot`: gap 4 against expectation.
    fn gap_name(&self, k: usize, mot: bool) -> String;
    /// Gap `k`'s short name, for table headings.
    fn gap_short(&self, k: usize, mot: bool) -> String;
    /// The summary's line on the largest shortfall of gaps 1–4.
    fn largest_gap(&self, gap: &str, value: &str) -> String;
    /// Gaps chart: title, reading.
    fn gaps_title(&self) -> &'static str;
    /// Reading of gaps 1–5.
    fn gaps_reading(&self, gap: &str, value: &str, dimension: &str, dim_value: &str) -> String;
    /// Reading when no gap of 1–4 is available or short.
    fn gaps_none(&self) -> &'static str;
    /// The overall row's label.
    fn overall(&self) -> &'static str;

    // compliance
    /// The compliance section's heading.
    fn compliance_section(&self) -> &'static str;
    /// The summary's line on hard standards.
    fn standards_missed(&self, missed: &[String]) -> String;
    /// Compliance chart: title, axis, legend.
    fn compliance_title(&self) -> &'static str;
    /// See `compliance_title`.
    fn compliance_axis(&self) -> &'static str;
    /// See `compliance_title`.
    fn target(&self) -> &'static str;
    /// Reading of compliance: the standards missed of `total`, and the
    /// furthest below its target (id, compliance, target).
    fn compliance_reading(
        &self,
        missed: &[String],
        total: usize,
        worst: Option<(&str, &str, &str)>,
    ) -> String;
    /// A group's miss, for the list under the chart.
    fn group_misses(&self, count: usize) -> String;
    /// Table headings.
    fn col_standard(&self) -> &'static str;
    /// See `col_standard`.
    fn col_compliance(&self) -> &'static str;
    /// See `col_standard`.
    fn col_result(&self) -> &'static str;
    /// See `col_standard`.
    fn col_events(&self) -> &'static str;

    // sqi
    /// The SQI section's heading.
    fn sqi_section(&self) -> &'static str;
    /// What the index is per: `per` units of volume, or a day (of a group
    /// when `grouped`).
    fn sqi_unit(&self, per: Option<&str>, grouped: bool) -> String;
    /// The summary's line on the last period.
    fn sqi_status(
        &self,
        period: &str,
        value: &str,
        unit: &str,
        limits: Option<(&str, &str)>,
        above: bool,
        below: bool,
    ) -> String;
    /// The summary's line on the checks.
    fn sqi_checks(&self, failed: usize, total: usize) -> String;
    /// Trend chart: title, axis, legend.
    fn trend_title(&self, period: &str) -> String;
    /// See `trend_title`.
    fn trend_legend(&self) -> [&'static str; 3];
    /// Reading of the trend.
    fn trend_reading(&self, out: usize, total: usize, last: &str, last_value: &str) -> String;
    /// Small multiples: title, reading.
    fn worst_groups_title(&self, n: usize) -> String;
    /// A small multiple's title.
    fn worst_group(&self, group: &str, out: u64) -> String;
    /// Reading of the worst groups.
    fn worst_groups_reading(&self, group: &str, out: u64, cells: usize) -> String;
    /// Pareto: title, axes, reading.
    fn pareto_title(&self) -> &'static str;
    /// See `pareto_title`.
    fn points(&self) -> &'static str;
    /// See `pareto_title`.
    fn cumulative(&self) -> &'static str;
    /// Reading of the Pareto.
    fn pareto_reading(&self, vital: &[String], share: &str, total: usize) -> String;
    /// Table headings.
    fn col_category(&self) -> &'static str;
    /// See `col_category`.
    fn col_check(&self) -> &'static str;
    /// See `col_check`.
    fn col_limit(&self) -> &'static str;
    /// See `col_check`.
    fn col_breaches(&self) -> &'static str;
    /// A period kind's name (`day`, `week`, `month`).
    fn period_name(&self, kind: &str) -> &'static str;
    /// The summary line on groups whose overall gaps differ (Holm
    /// p < 0.05): each pair as `A − B +0.61`.
    fn group_differences(&self, pairs: &[String]) -> String;
    /// The summary line when no two groups differ significantly.
    fn no_group_differences(&self) -> &'static str;
    /// The item reliability block's title.
    fn reliability_title(&self) -> &'static str;
    /// Its reading: the items whose deletion would raise α (`dimension
    /// item (scale)`), or none.
    fn reliability_reading(&self, items: &[String]) -> String;
    /// Table headings of the reliability block.
    fn col_alpha_if_deleted(&self) -> &'static str;
    /// See `col_alpha_if_deleted`.
    fn col_item(&self) -> &'static str;
    /// The customer value section's heading.
    fn value_section(&self) -> &'static str;
    /// The concentration chart's title.
    fn deciles_title(&self) -> &'static str;
    /// Its axes: the decile's profit, the cumulative share.
    fn deciles_axes(&self) -> (&'static str, &'static str);
    /// A decile's label (1 = the most profitable tenth).
    fn decile(&self, d: usize) -> String;
    /// The concentration reading: the top share of customers, their share
    /// of profit, and (with a survey) their mean gap against the others'.
    fn value_reading(&self, top: &str, share: &str, gaps: Option<(&str, &str)>) -> String;
    /// The tiers chart's title.
    fn tiers_title(&self) -> &'static str;
    /// Its axes: trouble, profit.
    fn tiers_axes(&self) -> (&'static str, &'static str);
    /// Its corners: top left, top right, bottom left, bottom right.
    fn tiers_corners(&self) -> [&'static str; 4];
    /// The tiers reading: the unprofitable customers and their loss.
    fn tiers_reading(&self, count: u64, loss: &str) -> String;
    /// The service chain section's heading.
    fn chain_section(&self) -> &'static str;
    /// The chain chart's title.
    fn chain_title(&self) -> &'static str;
    /// Its axis.
    fn chain_axis(&self) -> &'static str;
    /// Its last two bars: the naive margin and the margin needed.
    fn chain_margins(&self) -> (&'static str, &'static str);
    /// The chain reading: the naive margin, what it delivers, the margin
    /// needed.
    fn chain_reading(&self, naive: &str, delivered: &str, needed: &str) -> String;
    /// A note on run-rule signals: how many cells, and the first few
    /// (`2026-03 site=广州: we1`).
    fn signals_note(&self, count: usize, first: &[String], rules: &str) -> String;
}
