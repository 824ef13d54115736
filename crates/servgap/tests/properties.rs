//! Properties that hold for any data, checked on generated data through
//! the library (proptest): the order of the rows never changes a result;
//! the long and wide forms of the same answers agree; the same bytes as
//! UTF-8, UTF-8 with a BOM and GB18030 agree; the SQI's figures do not
//! depend on the incident log's order either; and an input split into
//! parts whose partial results are merged (`--emit-partial`, `servgap
//! merge`) gives the report of the whole, to the last digit for
//! whole-number scores, counts and volumes.

use proptest::prelude::*;
use serde_json::Value;
use servgap::compliance::MissRule;
use servgap::input::events::HardStandards;
use servgap::input::{ReadOptions, Source};
use servgap::partial::{MergedReport, Partial};
use servgap::period::PeriodKind;
use servgap::sqi::{CheckKind, CheckSpec};
use servgap::{run_sqi, run_survey, ComplianceConfig, SqiConfig, SurveyConfig};

/// One respondent: a site and, per item of the first `k`, E and P (0:
/// missing).
type Respondent = (usize, Vec<(u8, u8)>);

const SITES: [&str; 3] = ["北京", "上海", "广州"];

fn respondents() -> impl Strategy<Value = Vec<Respondent>> {
    prop::collection::vec(
        (0..3usize, prop::collection::vec((0..8u8, 0..8u8), 22)),
        2..25,
    )
}

fn cell(x: u8) -> String {
    if x == 0 {
        String::new()
    } else {
        x.min(7).to_string()
    }
}

/// The long form, rows in `order` (a permutation of the rows).
fn long(rs: &[Respondent], order: &[usize]) -> String {
    let mut rows = Vec::new();
    for (r, (site, answers)) in rs.iter().enumerate() {
        for (i, (e, p)) in answers.iter().enumerate() {
            rows.push(format!(
                "R{r},{},q{:02},{},{}",
                SITES[*site],
                i + 1,
                cell(*e),
                cell(*p)
            ));
        }
    }
    let mut text = String::from("respondent_id,site,item,expectation,perception\n");
    for &i in order {
        if let Some(r) = rows.get(i % rows.len().max(1)) {
            text.push_str(r);
            text.push('\n');
        }
    }
    text
}

/// The wide form of the same answers.
fn wide(rs: &[Respondent]) -> String {
    let mut head = vec!["respondent_id".to_string(), "site".into()];
    head.extend((1..=22).map(|i| format!("e_q{i:02}")));
    head.extend((1..=22).map(|i| format!("p_q{i:02}")));
    let mut text = head.join(",") + "\n";
    for (r, (site, answers)) in rs.iter().enumerate() {
        let mut row = vec![format!("R{r}"), SITES[*site].to_string()];
        row.extend(answers.iter().map(|(e, _)| cell(*e)));
        row.extend(answers.iter().map(|(_, p)| cell(*p)));
        text.push_str(&row.join(","));
        text.push('\n');
    }
    text
}

/// The survey's JSON, without what names its input.
fn survey_json(bytes: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("s.csv");
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut cfg = SurveyConfig::default();
    cfg.survey.by = vec!["site".into()];
    let report = run_survey(&Source::from_arg(&path.to_string_lossy()), &cfg)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut v = serde_json::to_value(&report).unwrap_or_else(|e| panic!("{e}"));
    if let Value::Object(o) = &mut v {
        o.remove("inputs");
    }
    v
}

/// The first place two JSON documents differ, with both values.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let w = y.get(k).unwrap_or(&Value::Null);
                if let Some(d) = first_difference(v, w, &format!("{path}.{k}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, &format!("{path}[{i}]"))),
        // whole-number scores are summed as integers, respondents with
        // a missing answer too (docs/survey.md): equal to the last digit
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64() != y.as_f64()).then(|| format!("{path}: {x} vs {y}"))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

/// A permutation of `0..n` from a seed (a Fisher–Yates shuffle).
fn permutation(n: usize, mut seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        p.swap(i, (seed >> 33) as usize % (i + 1));
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_order_of_the_rows_never_changes_the_survey(rs in respondents(), seed in any::<u64>()) {
        let n = rs.len() * 22;
        let sorted = survey_json(long(&rs, &(0..n).collect::<Vec<_>>()).as_bytes());
        let shuffled = survey_json(long(&rs, &permutation(n, seed)).as_bytes());
        prop_assert_eq!(first_difference(&sorted, &shuffled, ""), None);
    }

    #[test]
    fn long_and_wide_forms_agree(rs in respondents()) {
        let n = rs.len() * 22;
        let from_long = survey_json(long(&rs, &(0..n).collect::<Vec<_>>()).as_bytes());
        let mut from_wide = survey_json(wide(&rs).as_bytes());
        // a long file has a row per answer, a wide one per respondent
        if let (Value::Object(w), Value::Object(l)) = (&mut from_wide, &from_long) {
            for k in ["rows_read", "rows_used"] {
                w.insert(k.into(), l[k].clone());
            }
        }
        prop_assert_eq!(first_difference(&from_long, &from_wide, ""), None);
    }

    #[test]
    fn utf8_bom_and_gb18030_agree(rs in respondents()) {
        let n = rs.len() * 22;
        let text = long(&rs, &(0..n).collect::<Vec<_>>());
        let utf8 = survey_json(text.as_bytes());
        let bom = survey_json(&[b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat());
        let (gb, _, bad) = encoding_rs::GB18030.encode(&text);
        prop_assert!(!bad);
        let gb = survey_json(&gb);
        prop_assert_eq!(first_difference(&utf8, &bom, ""), None);
        prop_assert_eq!(first_difference(&utf8, &gb, ""), None);
    }

    #[test]
    fn the_order_of_the_log_never_changes_the_sqi(
        rows in prop::collection::vec((0..20u32, 0..3usize, 0..12usize, 0..5u32), 1..80),
        seed in any::<u64>(),
    ) {
        let categories = [
            "right_day_late", "wrong_day_late", "trace_not_answered", "complaint_reopened",
            "missing_pod", "invoice_adjustment", "missed_pickup", "damaged", "lost",
            "overgoods", "aircraft_delay_minutes", "abandoned_call",
        ];
        let line = |(day, site, cat, count): &(u32, usize, usize, u32)| {
            format!("2026-03-{:02},{},{},{count}\n", day + 1, SITES[*site], categories[*cat])
        };
        let run = |order: &[usize]| {
            let mut text = String::from("date,site,category,count\n");
            for &i in order {
                text.push_str(&line(&rows[i]));
            }
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let path = dir.path().join("log.csv");
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
            let cfg = SqiConfig { by: vec!["site".into()], ..SqiConfig::default() };
            let report = run_sqi(&Source::from_arg(&path.to_string_lossy()), &cfg)
                .unwrap_or_else(|e| panic!("{e}"));
            let mut v = serde_json::to_value(&report).unwrap_or_else(|e| panic!("{e}"));
            if let Value::Object(o) = &mut v {
                o.remove("inputs");
            }
            v
        };
        let n = rows.len();
        prop_assert_eq!(run(&(0..n).collect::<Vec<_>>()), run(&permutation(n, seed)));
    }
}

/// Writes `text` to a scratch file and names it as a source (the folder
/// lives as long as the returned guard).
fn scratch(name: &str, text: &str) -> (tempfile::TempDir, Source) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let source = Source::from_arg(&path.to_string_lossy());
    (dir, source)
}

/// The parts' partial results through their JSON (as `--emit-partial`
/// writes them), merged, as the report's JSON without its `inputs`.
fn merged_json(parts: Vec<Partial>) -> Value {
    let parts: Vec<(String, Partial)> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut bytes = Vec::new();
            p.write_json(&mut bytes).unwrap_or_else(|e| panic!("{e}"));
            let name = format!("part{i}.json");
            let back = Partial::from_json(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
            (name, back)
        })
        .collect();
    let merged = Partial::merge(parts).unwrap_or_else(|e| panic!("{e}"));
    let mut v = match merged.report().unwrap_or_else(|e| panic!("{e}")) {
        MergedReport::Survey(r) => serde_json::to_value(&r),
        MergedReport::Compliance(r) => serde_json::to_value(&r),
        MergedReport::Sqi(r) => serde_json::to_value(&r),
    }
    .unwrap_or_else(|e| panic!("{e}"));
    if let Value::Object(o) = &mut v {
        o.remove("inputs");
    }
    v
}

/// `n` items cut into parts at the (sorted, deduplicated) `cuts`.
fn cut(n: usize, cuts: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (n + 1)).collect();
    at.push(0);
    at.push(n);
    at.sort_unstable();
    at.dedup();
    at.windows(2).map(|w| w[0]..w[1]).collect()
}

const CATEGORIES: [&str; 12] = [
    "right_day_late",
    "wrong_day_late",
    "trace_not_answered",
    "complaint_reopened",
    "missing_pod",
    "invoice_adjustment",
    "missed_pickup",
    "damaged",
    "lost",
    "overgoods",
    "aircraft_delay_minutes",
    "abandoned_call",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Whole-number scores: the merged report equals one run's to the
    /// last digit, respondents with skipped answers included.
    #[test]
    fn survey_parts_merge_into_the_whole(rs in respondents(), cuts in prop::collection::vec(0..30usize, 0..4)) {
        let all: Vec<usize> = (0..rs.len() * 22).collect();
        let whole = survey_json(long(&rs, &all).as_bytes());
        let mut cfg = SurveyConfig::default();
        cfg.survey.by = vec!["site".into()];
        let parts: Vec<Partial> = cut(rs.len(), &cuts)
            .into_iter()
            .map(|range| {
                let part = &rs[range];
                let (_dir, source) = scratch("part.csv", &long(part, &(0..part.len() * 22).collect::<Vec<_>>()));
                let p = servgap::pipeline::survey_partial(&source, &cfg).unwrap_or_else(|e| panic!("{e}"));
                Partial::Survey(p)
            })
            .collect();
        prop_assert_eq!(merged_json(parts), whole);
    }

    #[test]
    fn compliance_parts_merge_into_the_whole(
        events in prop::collection::vec((0..60u32, 0..3usize, prop::option::of(0..90u32)), 1..60),
        cuts in prop::collection::vec(0..60usize, 0..4),
    ) {
        let (_s, standards) = scratch(
            "hard.csv",
            "standard_id,description,metric,op,threshold,target,scope\n\
             wait,Greeted within 4 minutes,wait_minutes,<=,4,0.9,\n\
             north,Wait in Beijing,wait_minutes,<,3,0.5,site=北京\n",
        );
        let standards = HardStandards::load(&standards, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let cfg = ComplianceConfig {
            read: ReadOptions::default(),
            standards,
            by: vec!["site".into()],
            period: Some((PeriodKind::Month, "date".into())),
            miss_rule: MissRule::Point,
        };
        let log = |rows: &[(u32, usize, Option<u32>)]| {
            let mut text = String::from("date,site,wait_minutes\n");
            for (day, site, wait) in rows {
                let date = chrono_day(*day);
                let wait = wait.map(|w| format!("{}", f64::from(w) / 10.0)).unwrap_or_default();
                text.push_str(&format!("{date},{},{wait}\n", SITES[*site]));
            }
            text
        };
        let report = |text: &str| {
            let (_d, source) = scratch("events.csv", text);
            let mut v = serde_json::to_value(
                servgap::run_compliance(&source, &cfg).unwrap_or_else(|e| panic!("{e}")),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            if let Value::Object(o) = &mut v {
                o.remove("inputs");
            }
            v
        };
        let whole = report(&log(&events));
        let parts = cut(events.len(), &cuts)
            .into_iter()
            .map(|range| {
                let (_d, source) = scratch("events.csv", &log(&events[range]));
                Partial::Compliance(
                    servgap::pipeline::compliance_partial(&source, &cfg).unwrap_or_else(|e| panic!("{e}")),
                )
            })
            .collect();
        prop_assert_eq!(merged_json(parts), whole);
    }

    /// The SQI with whole volumes, each (date, site)'s volume in one part
    /// (a part may have no volume file): control limits, run rules, the
    /// Pareto and the checks of the merge equal one run's.
    #[test]
    fn sqi_parts_merge_into_the_whole(
        rows in prop::collection::vec((0..40u32, 0..3usize, 0..12usize, 0..5u32), 1..80),
        volume in prop::collection::vec((0..40u32, 0..3usize, 1..500u32, 0..4usize), 0..40),
        cuts in prop::collection::vec(0..80usize, 0..4),
    ) {
        // one volume row per (date, site), assigned to a part
        let mut seen = std::collections::HashSet::new();
        let volume: Vec<_> = volume.into_iter().filter(|(d, s, _, _)| seen.insert((*d, *s))).collect();
        let log = |rows: &[(u32, usize, usize, u32)]| {
            let mut text = String::from("date,site,category,count\n");
            for (day, site, cat, count) in rows {
                text.push_str(&format!("{},{},{},{count}\n", chrono_day(*day), SITES[*site], CATEGORIES[*cat]));
            }
            text
        };
        let volume_file = |rows: &[&(u32, usize, u32, usize)]| {
            let mut text = String::from("date,site,volume\n");
            for (day, site, v, _) in rows {
                text.push_str(&format!("{},{},{v}\n", chrono_day(*day), SITES[*site]));
            }
            text
        };
        let checks = vec![CheckSpec { kind: CheckKind::MaxPoints, limit: 40.0 }];
        let config = |volume: Option<Source>| SqiConfig {
            by: vec!["site".into()],
            period: PeriodKind::Week,
            volume,
            checks: checks.clone(),
            ..SqiConfig::default()
        };
        let all_volume: Vec<_> = volume.iter().collect();
        let (_l, whole_log) = scratch("log.csv", &log(&rows));
        let (_v, whole_volume) = scratch("volume.csv", &volume_file(&all_volume));
        let whole_volume = (!volume.is_empty()).then_some(whole_volume);
        let mut whole = serde_json::to_value(
            run_sqi(&whole_log, &config(whole_volume)).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        if let Value::Object(o) = &mut whole {
            o.remove("inputs");
        }
        let ranges = cut(rows.len(), &cuts);
        let nparts = ranges.len();
        let parts = ranges
            .into_iter()
            .enumerate()
            .map(|(i, range)| {
                let (_l, part_log) = scratch("log.csv", &log(&rows[range]));
                let mine: Vec<_> = volume.iter().filter(|v| v.3 % nparts == i).collect();
                let (_v, part_volume) = scratch("volume.csv", &volume_file(&mine));
                let part_volume = (!mine.is_empty()).then_some(part_volume);
                Partial::Sqi(
                    servgap::pipeline::sqi_partial(&part_log, &config(part_volume))
                        .unwrap_or_else(|e| panic!("{e}")),
                )
            })
            .collect::<Vec<_>>();
        let merged = merged_json(parts);
        prop_assert_eq!(first_difference(&merged, &whole, ""), None);
        prop_assert_eq!(merged, whole);
    }
}

/// Day `n` (from 0) of 2026, as `YYYY-MM-DD`, from the 5th of March on.
fn chrono_day(n: u32) -> String {
    let days_in = [31, 30, 31, 30, 31];
    let (mut month, mut day) = (3usize, 5 + n);
    for len in days_in {
        if day <= len {
            break;
        }
        day -= len;
        month += 1;
    }
    format!("2026-{month:02}-{day:02}")
}
