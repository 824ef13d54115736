//! Properties that hold for any data, checked on generated data through
//! the library (proptest): the order of the rows never changes a result;
//! the long and wide forms of the same answers agree; the same bytes as
//! UTF-8, UTF-8 with a BOM and GB18030 agree; the SQI's figures do not
//! depend on the incident log's order either.

use proptest::prelude::*;
use serde_json::Value;
use servgap::input::Source;
use servgap::{run_sqi, run_survey, SqiConfig, SurveyConfig};

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
        // respondents with a missing answer take running sums, whose last
        // bits depend on the order (docs/survey.md): equal to 1e-12
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            ((x - y).abs() > 1e-12 * x.abs().max(1.0)).then(|| format!("{path}: {x} vs {y}"))
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
