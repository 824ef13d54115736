//! `servgap gaps` and `servgap compliance` through the binary: every gap
//! hand-computed on a three-item dataset (data/tests/gaps_*.csv), null
//! handling for each missing input, `pzb` vs `mot`, `--by`, compliance with
//! Wilson intervals, periods, `--fail-on-miss`, and bad input.

mod common;

use approx::assert_relative_eq;
use common::{f, json, row, servgap, write};
use serde_json::Value;

const C: &str = "data/tests/gaps_customers.csv";
const INS: &str = "data/tests/gaps_instrument.csv";
const M: &str = "data/tests/gaps_management.csv";
const S: &str = "data/tests/gaps_standards.csv";
const D: &str = "data/tests/gaps_delivery.csv";

fn gaps(extra: &[&str]) -> Value {
    let mut args = vec!["gaps", "--customers", C, "--instrument", INS];
    args.extend_from_slice(extra);
    json(&args)
}

fn assert_gap(v: &Value, key: &str, want: Option<f64>) {
    match want {
        Some(w) => assert_relative_eq!(f(v, key), w, epsilon = 1e-12),
        None => assert!(v[key].is_null(), "{key} should be null in {v}"),
    }
}

fn assert_gaps(v: &Value, want: [Option<f64>; 5]) {
    for (i, w) in want.iter().enumerate() {
        assert_gap(v, &format!("gap{}", i + 1), *w);
    }
}

#[test]
fn every_gap_by_hand() {
    let v = gaps(&["--management", M, "--standards", S, "--delivery", D]);
    assert_eq!(v["schema"], "servgap/gaps/v1");
    // Items. E: a1 (6+4)/2 = 5, a2 6.5, b1 5.5. P: 4.5, 4, 4.5. gap5 = mean(P−E).
    // M: a1 (5+6)/2 = 5.5, a2 6 (m2 NA), b1 4.5. S: a1 5, a2 5 (D1 row), b1 4 (item row).
    // C: 6, 6, none. D: a1 (4+5)/2 = 4.5, a2 4.5, b1 3.5.
    let items = &v["items"];
    let a1 = row(items, "item", "a1");
    assert_gaps(
        a1,
        [
            Some(5.5 - 5.0),
            Some(5.0 - 5.5),
            Some(4.5 - 5.0),
            Some(4.5 - 6.0),
            Some((-1.0 + 0.0) / 2.0),
        ],
    );
    let a2 = row(items, "item", "a2");
    assert_gaps(
        a2,
        [
            Some(6.0 - 6.5),
            Some(5.0 - 6.0),
            Some(4.5 - 5.0),
            Some(4.5 - 6.0),
            Some((-2.0 - 3.0) / 2.0),
        ],
    );
    let b1 = row(items, "item", "b1");
    assert_gaps(
        b1,
        [
            Some(4.5 - 5.5),
            Some(4.0 - 4.5),
            Some(3.5 - 4.0),
            None,
            Some((0.0 - 2.0) / 2.0),
        ],
    );
    assert_eq!(f(a1, "management"), 5.5);
    assert_eq!(f(a2, "standard"), 5.0);
    assert!(b1["promise"].is_null());
    // Dimensions, per respondent first. D1: E (6.5 + 5)/2 = 5.75; M per manager (5.5, 6) → 5.75;
    // S 5, C 6; D per assessor (4.5, 4.5) → 4.5; gap5 per respondent (−1.5, −1.5) → −1.5.
    let dims = &v["dimensions"];
    let d1 = row(dims, "dimension", "D1");
    assert_gaps(
        d1,
        [
            Some(0.0),
            Some(5.0 - 5.75),
            Some(4.5 - 5.0),
            Some(4.5 - 6.0),
            Some(-1.5),
        ],
    );
    assert_eq!(d1["largest_shortfall"], "gap4");
    // D2: E 5.5, M 4.5, S 4, no promise, D 3.5, gap5 −1.
    let d2 = row(dims, "dimension", "D2");
    assert_gaps(d2, [Some(-1.0), Some(-0.5), Some(-0.5), None, Some(-1.0)]);
    assert_eq!(d2["largest_shortfall"], "gap1");
    // Overall: mean over the dimensions that have the gap.
    let o = &v["overall"];
    assert_gaps(
        o,
        [
            Some(-0.5),
            Some(-0.625),
            Some(-0.5),
            Some(-1.5),
            Some(-1.25),
        ],
    );
    assert_eq!(o["largest_shortfall"], "gap4");
    assert_eq!(v["management_rows"]["rows_read"], 6);
    assert_eq!(v["managers"], 2);
    assert_eq!(v["assessors"], 2);
}

#[test]
fn mot_model_measures_delivery_against_expectation() {
    let v = gaps(&[
        "--management",
        M,
        "--standards",
        S,
        "--delivery",
        D,
        "--model",
        "mot",
    ]);
    assert_eq!(v["inputs"]["model"], "mot");
    // gap4 = D − E: a1 4.5 − 5, a2 4.5 − 6.5, b1 3.5 − 5.5; D1 4.5 − 5.75, D2 3.5 − 5.5.
    assert_gap(row(&v["items"], "item", "a1"), "gap4", Some(-0.5));
    assert_gap(row(&v["items"], "item", "a2"), "gap4", Some(-2.0));
    assert_gap(row(&v["items"], "item", "b1"), "gap4", Some(-2.0));
    let d1 = row(&v["dimensions"], "dimension", "D1");
    assert_gap(d1, "gap4", Some(-1.25));
    assert_gap(row(&v["dimensions"], "dimension", "D2"), "gap4", Some(-2.0));
    assert_gap(&v["overall"], "gap4", Some(-1.625));
    // Gaps 1–3 do not depend on the model.
    assert_gap(d1, "gap2", Some(-0.75));
}

#[test]
fn absent_inputs_give_null_gaps_never_zero() {
    let only = gaps(&[]);
    for d in only["dimensions"].as_array().into_iter().flatten() {
        assert_gaps(d, [None, None, None, None, Some(f(d, "gap5"))]);
        assert!(d["largest_shortfall"].is_null());
    }
    assert!(only["management_rows"].is_null());
    // Management only: gap1; gap2 needs S as well.
    let m = gaps(&["--management", M]);
    let d1 = row(&m["dimensions"], "dimension", "D1");
    assert_gap(d1, "gap1", Some(0.0));
    assert!(d1["gap2"].is_null() && d1["gap3"].is_null() && d1["gap4"].is_null());
    // Standards only: nothing but gap5 (each of gaps 2–4 needs M or D).
    let s = gaps(&["--standards", S]);
    let d1 = row(&s["dimensions"], "dimension", "D1");
    assert!(
        d1["gap1"].is_null()
            && d1["gap2"].is_null()
            && d1["gap3"].is_null()
            && d1["gap4"].is_null()
    );
    assert_eq!(f(d1, "standard"), 5.0);
    // Delivery only: gap4 with mot (D − E), not with pzb (needs C).
    let d = gaps(&["--delivery", D]);
    assert!(row(&d["dimensions"], "dimension", "D1")["gap4"].is_null());
    let d = gaps(&["--delivery", D, "--model", "mot"]);
    assert_gap(
        row(&d["dimensions"], "dimension", "D1"),
        "gap4",
        Some(-1.25),
    );
    // Standards and delivery: gap3 and gap4, no gap1/gap2.
    let sd = gaps(&["--standards", S, "--delivery", D]);
    let d2 = row(&sd["dimensions"], "dimension", "D2");
    assert_gaps(d2, [None, None, Some(-0.5), None, Some(-1.0)]);
    assert_eq!(d2["largest_shortfall"], "gap3");
}

#[test]
fn by_site_matches_managers_of_the_same_site() {
    let v = gaps(&[
        "--management",
        M,
        "--delivery",
        D,
        "--by",
        "site",
        "--model",
        "mot",
    ]);
    let a = v["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["site"] == "A"))
        .unwrap_or_else(|| panic!("no site A"));
    // Site A: customer c1 (a1 E 6), manager m1 (a1 5); the delivery file has no site column,
    // so both assessors count for every site.
    let a1 = row(&a["items"], "item", "a1");
    assert_gap(a1, "gap1", Some(5.0 - 6.0));
    assert_gap(a1, "gap4", Some(4.5 - 6.0));
    assert_eq!(a["managers"], 1);
    assert_eq!(a["assessors"], 2);
}

#[test]
fn bad_gap_inputs_name_file_line_column_and_value() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fails = |args: &[&str], needles: &[&str]| {
        let out = servgap()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: '{n}' not in {err}");
        }
    };
    let base = ["gaps", "--customers", C, "--instrument", INS];
    let m = write(
        &dir,
        "m.csv",
        "respondent_id,item,score\nm1,a1,5\nm1,zz,5\n",
    );
    fails(
        &[&base[..], &["--management", &m]].concat(),
        &["m.csv:3", "column 2 'item'", "'zz'"],
    );
    let m = write(&dir, "m2.csv", "respondent_id,item,score\nm1,a1,9\n");
    fails(
        &[&base[..], &["--management", &m]].concat(),
        &["m2.csv:2", "column 3 'score'", "'9'"],
    );
    let m = write(
        &dir,
        "m3.csv",
        "respondent_id,item,score\nm1,a1,5\nm1,a1,6\n",
    );
    fails(
        &[&base[..], &["--management", &m]].concat(),
        &["m3.csv:3", "line 2"],
    );
    let s = write(&dir, "s.csv", "dimension,standard\nD9,5\n");
    fails(
        &[&base[..], &["--standards", &s]].concat(),
        &["s.csv:2", "'D9'", "D1, D2"],
    );
    let s = write(&dir, "s2.csv", "item,standard,promise\na1,5,eight\n");
    fails(
        &[&base[..], &["--standards", &s]].concat(),
        &["s2.csv:2", "column 3 'promise'", "'eight'"],
    );
    let s = write(&dir, "s3.csv", "item,standard\na1,5\na1,6\n");
    fails(
        &[&base[..], &["--standards", &s]].concat(),
        &["s3.csv:3", "line 2", "a1"],
    );
    let out = servgap()
        .args([&base[..], &["--model", "zeithaml"]].concat())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn example_story_managers_underestimate_responsiveness() {
    let v = json(&[
        "gaps",
        "--customers",
        "data/example_survey.csv",
        "--management",
        "data/example_management.csv",
        "--standards",
        "data/example_standards.csv",
        "--delivery",
        "data/example_delivery.csv",
        "--by",
        "site",
    ]);
    let dims = v["dimensions"]
        .as_array()
        .unwrap_or_else(|| panic!("dimensions"));
    let worst_gap1 = dims
        .iter()
        .min_by(|a, b| f(a, "gap1").total_cmp(&f(b, "gap1")))
        .unwrap_or_else(|| panic!("no dimensions"));
    assert_eq!(worst_gap1["dimension"], "Responsiveness");
    assert!(f(worst_gap1, "gap1") < -0.8);
    assert_eq!(worst_gap1["largest_shortfall"], "gap1");
    let gz = v["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["site"] == "广州"))
        .unwrap_or_else(|| panic!("no 广州"));
    let resp = row(&gz["dimensions"], "dimension", "Responsiveness");
    assert!(
        f(resp, "gap3") < -0.5,
        "广州 delivers below the standard: {resp}"
    );
}

// ---------------------------------------------------------------- compliance

#[test]
fn compliance_by_hand_with_wilson_intervals() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let hard = write(
        &dir,
        "hard.csv",
        "standard_id,description,metric,op,threshold,target,item\ngreet,Greeted within 4 minutes,wait,<=,4,0.5,q11\nfast,Under a minute,wait,<,1,0.9,\n",
    );
    let ev = write(&dir, "ev.csv", "date,site,wait\n2026-01-05,A,1\n2026-01-05,A,3\n2026-01-06,B,4\n2026-01-06,B,5\n2026-01-07,B,NA\n2026-01-12,A,10\n2026-01-12,A,\n");
    let v = json(&["compliance", &ev, "--standards", &hard]);
    assert_eq!(v["schema"], "servgap/compliance/v1");
    let g = row(&v["standards"], "standard_id", "greet");
    // 5 events with the metric (1, 3, 4, 5, 10), 2 missing, 3 compliant (≤ 4).
    assert_eq!(
        (
            g["events"].as_u64(),
            g["missing"].as_u64(),
            g["compliant"].as_u64()
        ),
        (Some(5), Some(2), Some(3))
    );
    assert_relative_eq!(f(g, "compliance"), 0.6);
    // Wilson 95% for 3/5, by hand: centre (p + z²/2n)/(1 + z²/n), half z/(1 + z²/n)·sqrt(p(1−p)/n + z²/4n²).
    let z: f64 = 1.959963984540054;
    let (p, n) = (0.6, 5.0);
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    assert_relative_eq!(f(g, "ci_low"), centre - half, max_relative = 1e-12);
    assert_relative_eq!(f(g, "ci_high"), centre + half, max_relative = 1e-12);
    assert_relative_eq!(f(g, "ci_low"), 0.2307, epsilon = 1e-4); // published value
    assert_relative_eq!(f(g, "ci_high"), 0.8824, epsilon = 1e-4);
    assert_relative_eq!(f(g, "gap"), 0.1, epsilon = 1e-12);
    assert_eq!(g["pass"], true);
    assert_eq!(g["item"], "q11");
    let fast = row(&v["standards"], "standard_id", "fast");
    // Only 0 of 5 below 1 minute: Wilson low bound exactly 0.
    assert_eq!(fast["compliant"], 0);
    assert_eq!(f(fast, "ci_low"), 0.0);
    assert_relative_eq!(
        f(fast, "ci_high"),
        z * z / (n + z * z),
        max_relative = 1e-12
    );
    assert_eq!(fast["pass"], false);
    assert!(fast["item"].is_null());

    // Per site and ISO week.
    let v = json(&[
        "compliance",
        &ev,
        "--standards",
        &hard,
        "--by",
        "site",
        "--period",
        "week",
    ]);
    let groups = v["groups"].as_array().unwrap_or_else(|| panic!("groups"));
    let key: Vec<(String, String)> = groups
        .iter()
        .map(|g| {
            (
                g["period"].as_str().unwrap_or("").into(),
                g["site"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        key,
        [
            ("2026-W02".into(), "A".into()),
            ("2026-W02".into(), "B".into()),
            ("2026-W03".into(), "A".into())
        ]
    );
    let w3 = row(&groups[2]["standards"], "standard_id", "greet");
    assert_eq!(
        (
            w3["events"].as_u64(),
            w3["missing"].as_u64(),
            w3["compliant"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    // All k = n: 2 of 2 at site A in week 2, upper bound exactly 1.
    let a2 = row(&groups[0]["standards"], "standard_id", "greet");
    assert_eq!(f(a2, "ci_high"), 1.0);
    assert_relative_eq!(f(a2, "ci_low"), 2.0 / (2.0 + z * z), max_relative = 1e-12);
}

#[test]
fn fail_on_miss_exits_1_and_names_the_miss() {
    let out = servgap()
        .args([
            "compliance",
            "data/example_events.csv",
            "--standards",
            "data/example_hard_standards.csv",
            "--by",
            "site",
            "--fail-on-miss",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("greet_4min") && err.contains("site=广州"),
        "{err}"
    );
    assert!(!err.contains("site=北京"), "北京 meets its targets: {err}");
    // Without the flag the same misses exit 0.
    servgap()
        .args([
            "compliance",
            "data/example_events.csv",
            "--standards",
            "data/example_hard_standards.csv",
        ])
        .assert()
        .code(0);
}

#[test]
fn bad_compliance_inputs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fails = |args: &[&str], code: i32, needles: &[&str]| {
        let out = servgap()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: '{n}' not in {err}");
        }
    };
    let ev = write(&dir, "ev.csv", "date,wait\n2026-01-05,1\n2026-01-06,soon\n");
    let hard = |body: &str| {
        write(
            &dir,
            "h.csv",
            format!("standard_id,description,metric,op,threshold,target\n{body}\n"),
        )
    };
    let h = hard("greet,Greet,wait_minutes,<=,4,0.9");
    fails(
        &["compliance", &ev, "--standards", &h],
        3,
        &["ev.csv", "h.csv:2", "wait_minutes", "greet"],
    );
    let h = hard("greet,Greet,wait,=<,4,0.9");
    fails(
        &["compliance", &ev, "--standards", &h],
        3,
        &["h.csv:2", "column 4 'op'", "'=<'"],
    );
    let h = hard("greet,Greet,wait,<=,4,95");
    fails(
        &["compliance", &ev, "--standards", &h],
        3,
        &["h.csv:2", "column 6 'target'", "'95'"],
    );
    let h = hard("greet,Greet,wait,<=,4,0.9\ngreet,Again,wait,<,3,0.9");
    fails(
        &["compliance", &ev, "--standards", &h],
        3,
        &["h.csv:3", "line 2"],
    );
    let h = hard("greet,Greet,wait,<=,4,0.9");
    fails(
        &["compliance", &ev, "--standards", &h],
        3,
        &["ev.csv:3", "column 2 'wait'", "'soon'"],
    );
    fails(
        &[
            "compliance",
            &ev,
            "--standards",
            &h,
            "--period",
            "week",
            "--date",
            "day",
        ],
        3,
        &["ev.csv", "day"],
    );
    let v = json(&["compliance", &ev, "--standards", &h, "--on-invalid", "skip"]);
    assert_eq!(
        (
            v["rows_read"].as_u64(),
            v["rows_used"].as_u64(),
            v["rows_rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(v["rejections"][0]["first_line"], 3);
}

#[test]
fn skipped_management_rows_are_counted() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let m = write(
        &dir,
        "m.csv",
        "respondent_id,item,score\nm1,a1,5\nm1,zz,5\nm1,a2,9\nm2,a1,6\nm2,b1,NA\n",
    );
    let v = gaps(&["--management", &m, "--on-invalid", "skip"]);
    let rows = &v["management_rows"];
    assert_eq!(
        (
            rows["rows_read"].as_u64(),
            rows["rows_used"].as_u64(),
            rows["rows_rejected"].as_u64()
        ),
        (Some(5), Some(3), Some(2))
    );
    assert_eq!(
        row(&rows["rejections"], "reason", "unknown item")["first_line"],
        3
    );
    assert_eq!(
        row(&rows["rejections"], "reason", "score outside the scale")["first_line"],
        4
    );
    // a1: (5 + 6) / 2 from the rows kept; b1 has no rating (NA), so its gap1 is null.
    assert_eq!(f(row(&v["items"], "item", "a1"), "management"), 5.5);
    assert!(row(&v["items"], "item", "b1")["gap1"].is_null());
}
