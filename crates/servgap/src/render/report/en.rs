//! The report in English: every string and sentence of [`Words`].

use super::words::{Lang, List, Words};

/// English.
pub struct English;

impl Words for English {
    fn lang(&self) -> Lang {
        Lang::En
    }

    fn title(&self) -> &'static str {
        "Service quality report"
    }
    fn summary(&self) -> &'static str {
        "Summary"
    }
    fn inputs(&self) -> &'static str {
        "Inputs"
    }
    fn input_rows(&self, file: &str, read: u64, used: u64, rejected: u64) -> String {
        format!("{file}: {read} rows read, {used} used, {rejected} rejected")
    }
    fn made_by(&self, version: &str) -> String {
        format!("Made by servgap {version}. Figures as in the JSON of each command; unavailable figures are shown as —.")
    }
    fn checks(&self) -> &'static str {
        "Checks"
    }
    fn no_checks(&self) -> &'static str {
        "No checks were run."
    }
    fn passed(&self, yes: bool) -> &'static str {
        if yes {
            "passed"
        } else {
            "FAILED"
        }
    }

    fn survey_section(&self) -> &'static str {
        "Expectation vs perception (SERVQUAL, gap 5)"
    }
    fn servqual_score(&self, score: &str, respondents: u64, scale: &str) -> String {
        let who = crate::render::number::plural(respondents, "respondent", "respondents");
        format!("SERVQUAL score {score}: perception minus expectation, {who}, {scale} scale.")
    }
    fn work_on_first(&self, dimension: &str, gap: &str) -> String {
        format!("Work on first: {dimension} (gap {gap}).")
    }
    fn no_shortfall(&self) -> &'static str {
        "No dimension falls short of expectation."
    }
    fn dimension_gaps_title(&self) -> &'static str {
        "Gap per dimension, with 95% confidence intervals"
    }
    fn gap_axis(&self, scale: &str) -> String {
        format!("Gap, perception − expectation (points on the {scale} scale)")
    }
    fn gap_axis_short(&self) -> &'static str {
        "Gap (points)"
    }
    fn dimension_gaps_reading(
        &self,
        dimension: &str,
        gap: &str,
        scale: &str,
        management: Option<&str>,
    ) -> String {
        let mut s = format!("{dimension} is the largest shortfall: {gap} on a {scale} scale");
        if let Some(m) = management {
            s.push_str(&format!(", and managers underestimate it (gap 1 {m})"));
        }
        s.push('.');
        s
    }
    fn dimension_gaps_none(&self) -> &'static str {
        "Perception meets or exceeds expectation in every dimension."
    }
    fn items_title(&self) -> &'static str {
        "Expectation and perception per item"
    }
    fn score_axis(&self, scale: &str) -> String {
        format!("Mean score ({scale} scale)")
    }
    fn expectation(&self) -> &'static str {
        "Expectation"
    }
    fn perception(&self) -> &'static str {
        "Perception"
    }
    fn items_reading(&self, short: usize, total: usize, item: &str, gap: &str) -> String {
        format!(
            "{short} of {total} items fall short of expectation; the widest gap is {item}: {gap}."
        )
    }
    fn zone_title(&self) -> &'static str {
        "Zone of tolerance per item"
    }
    fn zone_band(&self) -> &'static str {
        "Adequate to desired"
    }
    fn zone_reading(&self, below: usize, above: usize, total: usize) -> String {
        format!("{below} of {total} items are perceived below adequate service and {above} above desired service.")
    }
    fn ipa_title(&self) -> &'static str {
        "Importance and performance per dimension"
    }
    fn importance(&self) -> &'static str {
        "Importance"
    }
    fn performance(&self) -> &'static str {
        "Performance (mean perception)"
    }
    fn quadrants(&self) -> [&'static str; 4] {
        [
            "Concentrate here",
            "Keep up the good work",
            "Low priority",
            "Possible overkill",
        ]
    }
    fn ipa_reading(&self, concentrate: &[String]) -> String {
        match concentrate {
            [] => "No dimension is both more important and weaker than average.".into(),
            c => format!(
                "Concentrate here: {} (more important, weaker than average).",
                List(c, Lang::En)
            ),
        }
    }
    fn groups_title(&self) -> &'static str {
        "SERVQUAL score per group"
    }
    fn groups_reading(&self, worst: &str, score: &str, best: &str, best_score: &str) -> String {
        format!("{worst} has the lowest score ({score}), {best} the highest ({best_score}).")
    }
    fn lowest_shown(&self, shown: usize, total: usize) -> String {
        format!("The {shown} lowest of {total} groups are shown.")
    }
    fn col_dimension(&self) -> &'static str {
        "Dimension"
    }
    fn col_respondents(&self) -> &'static str {
        "Respondents"
    }
    fn col_gap(&self) -> &'static str {
        "Gap"
    }
    fn col_ci(&self) -> &'static str {
        "95% CI"
    }
    fn col_alpha(&self) -> &'static str {
        "α (gap)"
    }
    fn col_unweighted(&self) -> &'static str {
        "SERVQUAL"
    }
    fn col_weighted(&self) -> &'static str {
        "Weighted"
    }

    fn gaps_section(&self) -> &'static str {
        "The gap model (gaps 1–5)"
    }
    fn gap_name(&self, k: usize, mot: bool) -> String {
        match k {
            1 => "Gap 1 knowledge (M − E)".into(),
            2 => "Gap 2 standards (S − M)".into(),
            3 => "Gap 3 delivery (D − S)".into(),
            4 if mot => "Gap 4 value (D − E)".into(),
            4 => "Gap 4 communication (D − C)".into(),
            _ => "Gap 5 customer (P − E)".into(),
        }
    }
    fn gap_short(&self, k: usize, mot: bool) -> String {
        let of = match k {
            1 => "M − E",
            2 => "S − M",
            3 => "D − S",
            4 if mot => "D − E",
            4 => "D − C",
            _ => "P − E",
        };
        format!("Gap {k} {of}")
    }
    fn largest_gap(&self, gap: &str, value: &str) -> String {
        format!("Largest shortfall of the gap model: {gap}, {value} over all dimensions.")
    }
    fn gaps_title(&self) -> &'static str {
        "Gaps 1–5 per dimension"
    }
    fn gaps_reading(&self, gap: &str, value: &str, dimension: &str, dim_value: &str) -> String {
        format!("{gap} is the largest shortfall ({value} over all dimensions), deepest in {dimension} ({dim_value}).")
    }
    fn gaps_none(&self) -> &'static str {
        "None of gaps 1–4 is a shortfall."
    }
    fn overall(&self) -> &'static str {
        "Overall"
    }

    fn compliance_section(&self) -> &'static str {
        "Hard standards"
    }
    fn standards_missed(&self, missed: &[String]) -> String {
        match missed {
            [] => "Every hard standard meets its target.".into(),
            m => format!("Hard standards missed: {}.", List(m, Lang::En)),
        }
    }
    fn compliance_title(&self) -> &'static str {
        "Compliance per standard, with Wilson 95% intervals"
    }
    fn compliance_axis(&self) -> &'static str {
        "Share of events meeting the standard"
    }
    fn target(&self) -> &'static str {
        "Target"
    }
    fn compliance_reading(
        &self,
        missed: &[String],
        total: usize,
        worst: Option<(&str, &str, &str)>,
    ) -> String {
        match (missed, worst) {
            ([], _) => "Every standard meets its target over all events.".into(),
            (m, Some((id, value, target))) => format!(
                "Standards below target: {} of {total}; {id} is furthest below, at {value} against {target}.",
                m.len()
            ),
            (m, None) => format!("Standards below target: {} of {total}.", m.len()),
        }
    }
    fn group_misses(&self, count: usize) -> String {
        format!("Misses by group and period ({count}):")
    }
    fn col_standard(&self) -> &'static str {
        "Standard"
    }
    fn col_compliance(&self) -> &'static str {
        "Compliance"
    }
    fn col_result(&self) -> &'static str {
        "Result"
    }
    fn col_events(&self) -> &'static str {
        "Events"
    }

    fn sqi_section(&self) -> &'static str {
        "Service Quality Index"
    }
    fn sqi_unit(&self, per: Option<&str>, grouped: bool) -> String {
        match (per, grouped) {
            (Some(p), _) => format!("points per {p} units of volume"),
            (None, true) => "points per group-day".into(),
            (None, false) => "points per day".into(),
        }
    }
    fn sqi_status(
        &self,
        period: &str,
        value: &str,
        unit: &str,
        limits: Option<(&str, &str)>,
        above: bool,
        below: bool,
    ) -> String {
        let place = match (limits, above, below) {
            (Some((_, ucl)), true, _) => format!("above the upper control limit {ucl}"),
            (Some((lcl, _)), _, true) => format!("below the lower control limit {lcl}"),
            (Some((lcl, ucl)), _, _) => format!("within the control limits {lcl}–{ucl}"),
            (None, _, _) => "without control limits".into(),
        };
        format!("SQI, last period {period}: {value} {unit}, {place}.")
    }
    fn sqi_checks(&self, failed: usize, total: usize) -> String {
        match failed {
            0 => format!("CI checks: all {total} passed."),
            f => format!("CI checks: {f} of {total} failed."),
        }
    }
    fn trend_title(&self, period: &str) -> String {
        format!("Index per {period}, whole operation, with control limits")
    }
    fn trend_legend(&self) -> [&'static str; 3] {
        ["Index", "Control limits", "Out of control"]
    }
    fn trend_reading(&self, out: usize, total: usize, last: &str, last_value: &str) -> String {
        let verb = if out == 1 { "is" } else { "are" };
        let periods = if total == 1 { "period" } else { "periods" };
        format!("{out} of {total} {periods} {verb} out of control; the last, {last}, is at {last_value}.")
    }
    fn worst_groups_title(&self, n: usize) -> String {
        match n {
            1 => "The group with cells out of control".into(),
            n => format!("The {n} groups with the most cells out of control"),
        }
    }
    fn worst_group(&self, group: &str, out: u64) -> String {
        format!("{group}: {out} out of control")
    }
    fn worst_groups_reading(&self, group: &str, out: u64, cells: usize) -> String {
        format!("Cells out of control in all: {cells}; the most in {group} ({out}).")
    }
    fn pareto_title(&self) -> &'static str {
        "Pareto of incident categories by points"
    }
    fn points(&self) -> &'static str {
        "Points"
    }
    fn cumulative(&self) -> &'static str {
        "Cumulative share"
    }
    fn pareto_reading(&self, vital: &[String], share: &str, total: usize) -> String {
        format!(
            "{} of {total} categories give {share} of the points: {}.",
            vital.len(),
            List(vital, Lang::En)
        )
    }
    fn col_category(&self) -> &'static str {
        "Category"
    }
    fn col_check(&self) -> &'static str {
        "Check"
    }
    fn col_limit(&self) -> &'static str {
        "Limit"
    }
    fn col_breaches(&self) -> &'static str {
        "Breaches"
    }
    fn value_section(&self) -> &'static str {
        "Customer value"
    }
    fn deciles_title(&self) -> &'static str {
        "Profit by tenth of customers, the most profitable first"
    }
    fn deciles_axes(&self) -> (&'static str, &'static str) {
        ("Profit", "Cumulative share of profit")
    }
    fn decile(&self, d: usize) -> String {
        format!("{}–{}%", (d - 1) * 10, d * 10)
    }
    fn value_reading(&self, top: &str, share: &str, gaps: Option<(&str, &str)>) -> String {
        match gaps {
            Some((g, rest)) => format!(
                "The {top} most profitable customers bring {share} of the profit; their mean gap is {g}, against {rest} for everyone else."
            ),
            None => format!("The {top} most profitable customers bring {share} of the profit."),
        }
    }
    fn tiers_title(&self) -> &'static str {
        "Profit against trouble, per customer"
    }
    fn tiers_axes(&self) -> (&'static str, &'static str) {
        ("Trouble (tickets, else service cost)", "Profit")
    }
    fn tiers_corners(&self) -> [&'static str; 4] {
        [
            "big, little trouble",
            "big and high-service",
            "small, little trouble",
            "high-service",
        ]
    }
    fn tiers_reading(&self, count: u64, loss: &str) -> String {
        let who = if count == 1 {
            "customer costs"
        } else {
            "customers cost"
        };
        format!("{count} {who} more than they bring: a loss of {loss}.")
    }
    fn chain_section(&self) -> &'static str {
        "Service chain"
    }
    fn chain_title(&self) -> &'static str {
        "Extra provision each link needs, and the margins"
    }
    fn chain_axis(&self) -> &'static str {
        "Extra provision (% of what the customer receives)"
    }
    fn chain_margins(&self) -> (&'static str, &'static str) {
        ("Naive margin (Σ losses)", "Margin needed")
    }
    fn chain_reading(&self, naive: &str, delivered: &str, needed: &str) -> String {
        format!(
            "A margin of {naive} (the losses added up) leaves the customer {delivered}; the margin needed is {needed}."
        )
    }
    fn group_differences(&self, pairs: &[String]) -> String {
        format!(
            "Groups differ in their overall gap (Welch t, Holm p < 0.05): {}.",
            List(pairs, Lang::En)
        )
    }
    fn no_group_differences(&self) -> &'static str {
        "No two groups differ significantly in their overall gap (Welch t, Holm p ≥ 0.05)."
    }
    fn reliability_title(&self) -> &'static str {
        "Item reliability: items whose deletion would raise α"
    }
    fn reliability_reading(&self, items: &[String]) -> String {
        match items {
            [] => "No item's deletion would raise its dimension's α.".into(),
            _ => format!(
                "Deleting {} would raise its dimension's α: check its wording or its dimension.",
                List(items, Lang::En)
            ),
        }
    }
    fn col_alpha_if_deleted(&self) -> &'static str {
        "α if deleted"
    }
    fn col_item(&self) -> &'static str {
        "Item"
    }
    fn signals_note(&self, count: usize, first: &[String], rules: &str) -> String {
        let cells = if count == 1 {
            "cell signals"
        } else {
            "cells signal"
        };
        format!("{count} {cells} a {rules} run rule: {}.", first.join("; "))
    }
    fn period_name(&self, kind: &str) -> &'static str {
        match kind {
            "week" => "week",
            "month" => "month",
            "quarter" => "quarter",
            "year" => "year",
            _ => "day",
        }
    }
}
