//! `servgap survey` figures against hand calculations (data/tests/mini_*),
//! published tables (data/reference, copied from ../shared/reference) and a second reading of the real
//! kiosk export. Every expected value is worked out in the comments.

mod common;

use approx::assert_relative_eq;
use common::{data, f, json, reference, row};

fn mini(extra: &[&str]) -> serde_json::Value {
    let ins = data("data/tests/mini_instrument.csv");
    let survey = data("data/tests/mini_long.csv");
    let mut args = vec!["survey", survey.as_str(), "--instrument", ins.as_str()];
    args.extend_from_slice(extra);
    json(&args)
}

#[test]
fn item_statistics_by_hand() {
    let doc = mini(&[]);
    assert_eq!(doc["schema"], "servgap/survey/v1");
    assert_eq!(doc["rows_read"], 12);
    assert_eq!(doc["rows_used"], 12);
    assert_eq!(doc["rows_rejected"], 0);
    // a1: gaps -1, 0, 1, 2 -> mean 0.5; deviations² 2.25+0.25+0.25+2.25 = 5, var 5/3
    let a1 = row(&doc["items"], "item", "a1");
    assert_eq!(a1["n"], 4);
    assert_relative_eq!(f(a1, "mean_e"), 4.5);
    assert_relative_eq!(f(a1, "mean_p"), 5.0);
    assert_relative_eq!(f(a1, "gap"), 0.5);
    let sd = (5.0f64 / 3.0).sqrt();
    assert_relative_eq!(f(a1, "sd"), sd, epsilon = 1e-12);
    let se = sd / 2.0;
    assert_relative_eq!(f(a1, "t"), 0.5 / se, epsilon = 1e-12);
    // t(0.975, 3) = 3.182446305 (published table)
    assert_relative_eq!(f(a1, "ci_low"), 0.5 - 3.182446305 * se, epsilon = 1e-8);
    assert_relative_eq!(f(a1, "ci_high"), 0.5 + 3.182446305 * se, epsilon = 1e-8);
    // two-sided p on 3 df from the closed-form CDF: F(t) = 1/2 + (u/(1+u²) + atan u)/π, u = t/√3
    let t: f64 = 0.5 / se;
    let u = t / 3f64.sqrt();
    let p = 2.0 * (0.5 - (u / (1.0 + u * u) + u.atan()) / std::f64::consts::PI);
    assert_relative_eq!(f(a1, "p_value"), p, epsilon = 1e-10);
    // a2: R4 has no E -> pairwise deletion, gaps 0, -2, -2
    let a2 = row(&doc["items"], "item", "a2");
    assert_eq!(a2["n"], 3);
    assert_relative_eq!(f(a2, "gap"), -4.0 / 3.0, epsilon = 1e-12);
    assert_relative_eq!(f(a2, "mean_e"), 6.0);
    assert_relative_eq!(f(a2, "mean_p"), 14.0 / 3.0, epsilon = 1e-12);
}

#[test]
fn dimension_scores_are_per_respondent_first() {
    let doc = mini(&[]);
    // A per respondent: R1 (-1+0)/2, R2 (0-2)/2, R3 (1-2)/2, R4 a1 only = 2 -> mean 0
    let a = row(&doc["dimensions"], "dimension", "A");
    assert_eq!(a["n"], 4);
    assert_relative_eq!(f(a, "gap"), 0.0, epsilon = 1e-15);
    assert_relative_eq!(f(a, "mean_e"), 19.5 / 4.0);
    assert_relative_eq!(f(a, "mean_p"), 19.5 / 4.0);
    // deviations² .25 + 1 + .25 + 4 = 5.5 -> sd sqrt(5.5/3)
    assert_relative_eq!(f(a, "sd"), (5.5f64 / 3.0).sqrt(), epsilon = 1e-12);
    assert!(a["t"].is_null() || f(a, "t").abs() < 1e-12);
    let b = row(&doc["dimensions"], "dimension", "B");
    assert_relative_eq!(f(b, "gap"), -1.25);
    // unweighted SERVQUAL: (0 + -1.25) / 2
    assert_relative_eq!(f(&doc["servqual"], "unweighted"), -0.625);
    assert!(doc["servqual"]["weighted"].is_null());
}

#[test]
fn cronbach_alpha_by_hand() {
    let doc = mini(&[]);
    let a = row(&doc["dimensions"], "dimension", "A");
    // E complete for R1-R3: a1 5,4,6 (var 1), a2 6,5,7 (var 1), totals 11,9,13 (var 4): 2(1 - 2/4) = 1
    assert_relative_eq!(f(a, "alpha_e"), 1.0, epsilon = 1e-12);
    // P over the same R1-R3 (SPEC §4.1: R4 lacks a2's E, so it is in no α):
    // a1 4,4,7 (var 3), a2 6,3,5 (var 7/3), totals 10,7,12 (var 19/3):
    // 2(1 - (16/3)/(19/3)) = 6/19 (with R4's P it would be 4/13)
    assert_relative_eq!(f(a, "alpha_p"), 6.0 / 19.0, epsilon = 1e-12);
    // gaps R1-R3: var 1 and 4/3, totals -1,-2,-1 var 1/3: 2(1 - (7/3)/(1/3)) = -12
    assert_relative_eq!(f(a, "alpha_gap"), -12.0, epsilon = 1e-9);
    // one-item dimension: null
    assert!(row(&doc["dimensions"], "dimension", "B")["alpha_e"].is_null());
}

#[test]
fn weighted_score_with_respondent_points() {
    let points = data("data/tests/mini_points.csv");
    let doc = mini(&["--importance", &points]);
    // R1 .5(-.5)+.5(-2) = -1.25; R2 1(-1) = -1; R3 .2(-.5)+.8(-1) = -.9; R4 has no points
    assert_relative_eq!(
        f(&doc["servqual"], "weighted"),
        -3.15 / 3.0,
        epsilon = 1e-12
    );
    assert_eq!(doc["servqual"]["weighted_n"], 3);
    // importance = mean normalised weight: A (.5+1+.2)/3, B (.5+0+.8)/3
    let ipa_a = row(&doc["ipa"], "dimension", "A");
    assert_relative_eq!(f(ipa_a, "importance"), 1.7 / 3.0, epsilon = 1e-12);
    assert_eq!(ipa_a["quadrant"], "keep_up");
    let ipa_b = row(&doc["ipa"], "dimension", "B");
    assert_eq!(ipa_b["quadrant"], "low_priority");
}

#[test]
fn weighted_score_with_aggregate_weights() {
    let w = data("data/tests/mini_weights.csv");
    let doc = mini(&["--importance", &w]);
    // weights 3:1 -> .75, .25 over gaps 0 and -1.25
    assert_relative_eq!(f(&doc["servqual"], "weighted"), -0.3125, epsilon = 1e-12);
    assert_relative_eq!(f(row(&doc["ipa"], "dimension", "A"), "importance"), 0.75);
}

#[test]
fn groups_repeat_every_table() {
    let doc = mini(&["--by", "site"]);
    let groups = doc["groups"].as_array().cloned().unwrap_or_default();
    assert_eq!(groups.len(), 2);
    let x = row(&doc["groups"], "site", "X");
    let y = row(&doc["groups"], "site", "Y");
    // X = R1, R2: A gaps -0.5, -1; Y = R3, R4: -0.5, 2
    assert_relative_eq!(f(row(&x["dimensions"], "dimension", "A"), "gap"), -0.75);
    assert_relative_eq!(f(row(&y["dimensions"], "dimension", "A"), "gap"), 0.75);
    assert_eq!(x["respondents"], 2);
    // the whole sample is still at the top level
    assert_relative_eq!(f(&doc["servqual"], "unweighted"), -0.625);
}

#[test]
fn wide_form_gives_the_long_form_figures() {
    let ins = data("data/tests/mini_instrument.csv");
    let long = json(&[
        "survey",
        &data("data/tests/mini_long.csv"),
        "--instrument",
        &ins,
        "--by",
        "site",
    ]);
    let wide = json(&[
        "survey",
        &data("data/tests/mini_wide.csv"),
        "--instrument",
        &ins,
        "--by",
        "site",
    ]);
    assert_eq!(wide["inputs"]["form"], "wide");
    for k in ["items", "dimensions", "servqual", "groups", "ipa"] {
        assert_eq!(long[k], wide[k], "{k} differs");
    }
}

#[test]
fn zone_of_tolerance_by_hand() {
    let ins = data("data/tests/mini_instrument.csv");
    let doc = json(&[
        "survey",
        &data("data/tests/zone_long.csv"),
        "--instrument",
        &ins,
    ]);
    let zone = &doc["zone"];
    // a1: A 4.5, D 6.5, P 5.5 -> MSA 1, MSS -1, within
    let a1 = row(zone, "item", "a1");
    assert_relative_eq!(f(a1, "msa"), 1.0);
    assert_relative_eq!(f(a1, "mss"), -1.0);
    assert_eq!(a1["position"], "within");
    // b1: A 3.5, D 5.5, P 6 -> above
    let b1 = row(zone, "item", "b1");
    assert_eq!(b1["position"], "above");
    assert_relative_eq!(f(b1, "mss"), 0.5);
    // dimension A per respondent: P (5+4)/2, (6+6)/2 -> 5.25; A 4.5; D 6.5
    let dim = row(zone, "dimension", "A");
    assert_relative_eq!(f(dim, "mean_p"), 5.25);
    assert_relative_eq!(f(dim, "msa"), 0.75);
    // desired stands in for expectation: a1 gap = P - D = -1
    assert_relative_eq!(f(row(&doc["items"], "item", "a1"), "gap"), -1.0);
}

#[test]
fn zarei_2012_summary_table() {
    let doc = json(&[
        "survey",
        &reference("zarei2012_table2.csv"),
        "--scale",
        "1-5",
    ]);
    assert_eq!(doc["inputs"]["form"], "summary");
    // Recomputed from the printed means (reference README): exact to 1e-9
    let d = &doc["dimensions"];
    assert_relative_eq!(
        f(row(d, "dimension", "Reliability/Responsiveness"), "gap"),
        -0.879,
        epsilon = 1e-9
    );
    assert_relative_eq!(
        f(row(d, "dimension", "Empathy"), "gap"),
        -0.984_285_714_285_714_3,
        epsilon = 1e-9
    );
    assert_relative_eq!(
        f(row(d, "dimension", "Tangibles"), "gap"),
        -0.7725,
        epsilon = 1e-9
    );
    assert_relative_eq!(f(&doc["servqual"], "unweighted"), -0.878_60, epsilon = 1e-5);
    // Printed dimension rows, to their two decimals
    assert_relative_eq!(
        f(row(d, "dimension", "Empathy"), "mean_p"),
        3.89,
        epsilon = 0.01
    );
    assert_relative_eq!(
        f(row(d, "dimension", "Tangibles"), "mean_e"),
        4.95,
        epsilon = 0.01
    );
    // Every item against its printed gap (means of differences, rounded): within 0.01
    let printed = std::fs::read_to_string(reference("zarei2012_table2.csv")).unwrap_or_default();
    for line in printed.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let gap: f64 = c[4].parse().unwrap_or(f64::NAN);
        let got = f(row(&doc["items"], "item", c[0]), "gap");
        assert!(
            (got - gap).abs() <= 0.0100001,
            "item {}: {got} vs printed {gap}",
            c[0]
        );
    }
    // figures that need respondents are null
    assert!(row(d, "dimension", "Empathy")["sd"].is_null());
}

#[test]
fn libqual_2003_zone_of_tolerance() {
    let ins = data("data/tests/libqual_instrument.csv");
    let doc = json(&[
        "survey",
        &reference("libqual_2003_as3.csv"),
        "--scale",
        "1-9",
        "--instrument",
        &ins,
        "--by",
        "institution",
    ]);
    let printed = std::fs::read_to_string(reference("libqual_2003_as3.csv")).unwrap_or_default();
    let mut seen = 0;
    for line in printed.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let g = row(&doc["groups"], "institution", c[0]);
        let z = row(&g["zone"], "item", "AS-3");
        let (adequacy, superiority): (f64, f64) = (
            c[5].parse().unwrap_or(f64::NAN),
            c[6].parse().unwrap_or(f64::NAN),
        );
        assert!(
            (f(z, "msa") - adequacy).abs() <= 0.0100001,
            "{}: MSA {} vs {adequacy}",
            c[0],
            f(z, "msa")
        );
        assert!(
            (f(z, "mss") - superiority).abs() <= 0.0100001,
            "{}: MSS {} vs {superiority}",
            c[0],
            f(z, "mss")
        );
        let expect = if c[0] == "F" { "below" } else { "within" };
        assert_eq!(z["position"], expect, "institution {}", c[0]);
        seen += 1;
    }
    assert_eq!(seen, 17);
}

/// The kiosk export read a second way: the csv crate over encoding_rs-decoded
/// CP949, pairing expectation and perception per respondent by hand.
fn kiosk_by_hand(item_number: usize) -> (f64, usize) {
    let bytes = std::fs::read(reference("kiosk_servqual_cp949.csv")).unwrap_or_default();
    let (text, _, _) = encoding_rs::EUC_KR.decode(&bytes);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().cloned().unwrap_or_default();
    let col = |suffix: &str| {
        header
            .iter()
            .position(|h| {
                h.trim_start()
                    .starts_with(&format!("{item_number}-{suffix}"))
            })
            .unwrap_or_else(|| panic!("no column {item_number}-{suffix}"))
    };
    let (ce, cp) = (col("1"), col("2"));
    let (mut sum, mut n) = (0.0, 0);
    for rec in rdr.records().flatten() {
        if let (Ok(e), Ok(p)) = (rec[ce].trim().parse::<f64>(), rec[cp].trim().parse::<f64>()) {
            sum += p - e;
            n += 1;
        }
    }
    (sum / n as f64, n)
}

#[test]
fn kiosk_export_with_cp949_and_a_column_map() {
    let doc = json(&[
        "survey",
        &reference("kiosk_servqual_cp949.csv"),
        "--encoding",
        "cp949",
        "--columns",
        &data("data/kiosk/columns.csv"),
        "--instrument",
        &data("data/kiosk/instrument.csv"),
    ]);
    assert_eq!(doc["inputs"]["form"], "mapped");
    assert_eq!(doc["rows_read"], 211);
    assert_eq!(doc["respondents"], 211);
    // items 8 and 9 are swapped in the file: check both, and a few others
    for k in [1usize, 8, 9, 17, 24] {
        let (gap, n) = kiosk_by_hand(k);
        let item = row(&doc["items"], "item", &format!("k{k:02}"));
        assert_eq!(item["n"], n as u64, "item {k}");
        assert_relative_eq!(f(item, "gap"), gap, epsilon = 1e-12);
    }
}

#[test]
fn two_group_columns_give_their_combinations() {
    let doc = json(&[
        "survey",
        &data("data/example_survey.csv"),
        "--by",
        "segment",
        "--by",
        "site",
    ]);
    let groups = doc["groups"].as_array().cloned().unwrap_or_default();
    // 3 segments x 3 sites, every combination present in the example
    assert_eq!(groups.len(), 9);
    let total: u64 = groups
        .iter()
        .map(|g| g["respondents"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 300);
    assert!(groups
        .iter()
        .all(|g| g["segment"].is_string() && g["site"].is_string()));
    // each group's respondents match a count taken straight from the file
    let text = std::fs::read_to_string(data("data/example_survey.csv")).unwrap_or_default();
    let mut ids = std::collections::HashSet::new();
    for l in text.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        if c[1] == "vip" && c[2] == "广州" {
            ids.insert(c[0].to_string());
        }
    }
    let g = groups
        .iter()
        .find(|g| g["segment"] == "vip" && g["site"] == "广州")
        .cloned()
        .unwrap_or_default();
    assert_eq!(g["respondents"].as_u64(), Some(ids.len() as u64));
}

#[test]
fn empty_and_all_missing_surveys_give_nulls_not_zeros() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A header and nothing else is nothing to analyse (SPEC §3).
    let header = dir.path().join("header.csv");
    std::fs::write(&header, "respondent_id,item,expectation,perception\n\n")
        .unwrap_or_else(|e| panic!("{e}"));
    common::servgap()
        .args(["survey", &header.to_string_lossy()])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "header.csv:1: the file has a header row but no data rows",
        ));
    let missing = dir.path().join("missing.csv");
    std::fs::write(
        &missing,
        "respondent_id,item,expectation,perception\nR1,q01,NA,4\nR2,q01,5,\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let doc = json(&["survey", &missing.to_string_lossy()]);
    assert_eq!(doc["rows_read"], 2);
    assert_eq!(doc["rows_used"], 2);
    let q01 = row(&doc["items"], "item", "q01");
    assert_eq!(q01["n"], 0);
    assert!(q01["gap"].is_null() && q01["mean_e"].is_null());
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap_or_else(|e| panic!("{e}"));
    common::servgap()
        .args(["survey", &empty.to_string_lossy()])
        .assert()
        .code(3);
}

#[test]
fn without_an_id_column_the_data_row_number_is_the_respondent() {
    // Points are joined to respondents by data row number (1-based, header excluded).
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let survey = dir.path().join("noid.csv");
    // row 1: gap -1 on q01 (Tangibles), row 2: gap -3 on q05 (Reliability) — plus NA to force the general path
    std::fs::write(&survey, "e_q01,p_q01,e_q05,p_q05\n5,4,NA,\nNA,,6,3\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let points = dir.path().join("points.csv");
    std::fs::write(
        &points,
        "respondent_id,dimension,points\n1,Tangibles,100\n2,Reliability,100\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let doc = json(&[
        "survey",
        &survey.to_string_lossy(),
        "--importance",
        &points.to_string_lossy(),
    ]);
    // respondent 1 scores -1 (all weight on Tangibles), respondent 2 scores -3
    assert_eq!(doc["servqual"]["weighted_n"], 2);
    assert_relative_eq!(f(&doc["servqual"], "weighted"), -2.0);
    // the same through the fast path (no NA cells)
    std::fs::write(&survey, "e_q01,p_q01,e_q05,p_q05\n5,4,,\n,,6,3\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let doc = json(&[
        "survey",
        &survey.to_string_lossy(),
        "--importance",
        &points.to_string_lossy(),
    ]);
    assert_eq!(doc["servqual"]["weighted_n"], 2);
    assert_relative_eq!(f(&doc["servqual"], "weighted"), -2.0);
}

/// Cronbach's α of every dimension of the example survey (2% missing
/// cells, so that incomplete respondents are many), recomputed here from
/// the CSV by the definition: over the respondents with a complete E–P pair
/// for every item of the dimension, the same sample for E, P and P − E
/// (SPEC §4.1). This pins the fast whole-score path, which counts sums of
/// complete respondents and must leave the incomplete ones out of every α.
#[test]
fn alpha_of_the_example_survey_by_the_definition() {
    use std::collections::BTreeMap;
    let mut reader =
        csv::Reader::from_path(data("data/example_survey.csv")).unwrap_or_else(|e| panic!("{e}"));
    // respondent -> item -> (E, P), pairs only
    let mut pairs: BTreeMap<String, BTreeMap<String, (f64, f64)>> = BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.unwrap_or_else(|e| panic!("{e}"));
        let (e, p) = (rec[4].trim().parse::<f64>(), rec[5].trim().parse::<f64>());
        if let (Ok(e), Ok(p)) = (e, p) {
            pairs
                .entry(rec[0].to_string())
                .or_default()
                .insert(rec[3].to_string(), (e, p));
        }
    }
    let var = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
    };
    let alpha = |rows: &[Vec<f64>]| {
        let k = rows[0].len() as f64;
        let items: f64 = (0..rows[0].len())
            .map(|i| var(&rows.iter().map(|r| r[i]).collect::<Vec<_>>()))
            .sum();
        let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
        k / (k - 1.0) * (1.0 - items / var(&totals))
    };
    let doc = json(&["survey", &data("data/example_survey.csv")]);
    let dims = [
        ("Tangibles", 1..=4),
        ("Reliability", 5..=9),
        ("Responsiveness", 10..=13),
        ("Assurance", 14..=17),
        ("Empathy", 18..=22),
    ];
    let mut left_out = 0;
    for (name, range) in dims {
        let items: Vec<String> = range.map(|i| format!("q{i:02}")).collect();
        let complete: Vec<Vec<(f64, f64)>> = pairs
            .values()
            .filter_map(|r| items.iter().map(|i| r.get(i).copied()).collect())
            .collect();
        left_out += pairs.len() - complete.len();
        let scale = |f: fn(&(f64, f64)) -> f64| -> Vec<Vec<f64>> {
            complete.iter().map(|r| r.iter().map(f).collect()).collect()
        };
        let d = row(&doc["dimensions"], "dimension", name);
        assert_relative_eq!(f(d, "alpha_e"), alpha(&scale(|x| x.0)), epsilon = 1e-12);
        assert_relative_eq!(f(d, "alpha_p"), alpha(&scale(|x| x.1)), epsilon = 1e-12);
        assert_relative_eq!(
            f(d, "alpha_gap"),
            alpha(&scale(|x| x.1 - x.0)),
            epsilon = 1e-12
        );
    }
    assert!(
        left_out > 50,
        "the example should leave many respondents out of some α: {left_out}"
    );
}

/// α does not change when every score of an item is shifted by the same
/// amount: the example survey with scores shifted by half a point (few
/// distinct values, not whole: the histogram path) and by 0.01 × the item
/// number (many distinct values: the general path) gives the α of the
/// original (the whole-score path), over the same respondents.
#[test]
fn alpha_is_the_same_on_every_accumulation_path() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text =
        std::fs::read_to_string(data("data/example_survey.csv")).unwrap_or_else(|e| panic!("{e}"));
    let shifted = |shift: &dyn Fn(usize) -> f64, name: &str| -> String {
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            if i == 0 {
                out.push_str(line);
            } else {
                let item: usize = cells[3][1..].parse().unwrap_or_else(|e| panic!("{e}"));
                let mv = |c: &str| match c.parse::<f64>() {
                    Ok(v) => format!("{}", v + shift(item)),
                    Err(_) => c.to_string(),
                };
                out.push_str(&format!(
                    "{},{},{},{},{},{}",
                    cells[0],
                    cells[1],
                    cells[2],
                    cells[3],
                    mv(cells[4]),
                    mv(cells[5])
                ));
            }
            out.push('\n');
        }
        common::write(&dir, name, out)
    };
    let base = json(&["survey", &data("data/example_survey.csv")]);
    let half = shifted(&|_| 0.5, "half.csv");
    let many = shifted(&|i| 0.01 * i as f64, "many.csv");
    for file in [half, many] {
        let doc = json(&["survey", &file, "--scale", "0-8"]);
        for (a, b) in doc["dimensions"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(base["dimensions"].as_array().into_iter().flatten())
        {
            for key in ["alpha_e", "alpha_p", "alpha_gap", "sd", "gap"] {
                assert_relative_eq!(f(a, key), f(b, key), epsilon = 1e-9);
            }
        }
    }
}
