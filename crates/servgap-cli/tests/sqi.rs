//! `servgap sqi` through the binary: the textbook exercise, hand-computed
//! control limits, the reduction to a standard u-chart, ISO weeks across
//! year ends, per-incident vs counted logs, checks and exit codes, bad input.

mod common;

use approx::assert_relative_eq;
use common::{data, f, json, reference, row, servgap, write};
use serde_json::Value;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn periods(v: &Value) -> &Vec<Value> {
    v["periods"]
        .as_array()
        .unwrap_or_else(|| panic!("no periods in {v}"))
}

#[test]
fn textbook_exercise_gives_2783_points_and_0_65482_per_100() {
    let v = json(&[
        "sqi",
        &reference("sqi_exercise_a_counts.csv"),
        "--weights",
        "evans10",
        "--volume",
        &reference("sqi_exercise_a_volume.csv"),
        "--per",
        "100",
    ]);
    assert_eq!(v["schema"], "servgap/sqi/v1");
    assert_eq!(v["rows_read"], 10);
    assert_eq!(v["rows_used"], 10);
    assert_eq!(v["rows_rejected"], 0);
    let p = &periods(&v)[0];
    assert_eq!(p["period"], "2026-03-02");
    // Σ weight × count as printed: 125·3 + 18·10 + 102 + 282 + 209·3 + 2·10 + 26 + 751 + 115·3 + 15·5
    let points = 125.0 * 3.0 + 180.0 + 102.0 + 282.0 + 627.0 + 20.0 + 26.0 + 751.0 + 345.0 + 75.0;
    assert_eq!(points, 2783.0);
    assert_eq!(f(p, "points"), points);
    assert_relative_eq!(f(p, "points_per_unit"), 0.65482, max_relative = 1e-5);
    assert_relative_eq!(
        f(p, "points_per_unit"),
        2783.0 / 425000.0 * 100.0,
        max_relative = 1e-15
    );
    assert_eq!(f(p, "volume"), 425000.0);
    let incidents = v["totals"]["incidents"].as_u64().unwrap_or(0);
    assert_eq!(incidents, 1645);
    assert_relative_eq!(incidents as f64 / 425000.0, 0.003871, max_relative = 1e-3);
    assert_eq!(p["categories"]["right_date_late"], 751);
    // The Pareto: right_date_late (751) leads, late pickups (627) second.
    let pareto = v["pareto"].as_array().unwrap_or_else(|| panic!("pareto"));
    assert_eq!(pareto[0]["category"], "right_date_late");
    assert_eq!(pareto[1]["category"], "late_pickup_stops");
    assert_relative_eq!(f(&pareto[0], "share"), 751.0 / 2783.0);
    let last = &pareto[pareto.len() - 1];
    assert_relative_eq!(f(last, "cumulative"), 1.0, max_relative = 1e-12);
    // 751+627+375+345 = 2098 (75.4%) < 80%, + 282 = 2380 (85.5%): five vital categories.
    let vital: Vec<bool> = pareto.iter().map(|r| r["vital_few"] == true).collect();
    assert_eq!(
        vital,
        [true, true, true, true, true, false, false, false, false, false]
    );
}

/// Weights a = 2, b = 5; three days, volume per 100.
fn small_case(dir: &tempfile::TempDir) -> (String, String, String) {
    let w = write(dir, "w.csv", "category,weight\na,2\nb,5\n");
    let inc = write(
        dir,
        "inc.csv",
        "date,category,count\n2026-01-05,a,4\n2026-01-05,b,1\n2026-01-06,a,2\n2026-01-06,b,0\n2026-01-07,a,6\n2026-01-07,b,4\n",
    );
    let vol = write(
        dir,
        "vol.csv",
        "date,volume\n2026-01-05,200\n2026-01-06,100\n2026-01-07,100\n",
    );
    (w, inc, vol)
}

/// The JSON of `servgap sqi` on the small case's files, volume per 100.
fn small_case_json(inc: &str, w: &str, vol: &str) -> serde_json::Value {
    json(&["sqi", inc, "--weights", w, "--volume", vol, "--per", "100"])
}

#[test]
fn a_row_without_volume_is_off_the_chart_but_in_the_totals() {
    let dir = tmp();
    let (w, inc, vol) = small_case(&dir);
    // Day 4 has incidents (a 3, b 1: 11 points) and no volume row.
    let text = std::fs::read_to_string(&inc).expect("read the small log");
    let inc = write(
        &dir,
        "inc4.csv",
        format!("{text}2026-01-08,a,3\n2026-01-08,b,1\n"),
    );
    let v = small_case_json(&inc, &w, &vol);
    // The chart is the three days with volume, as in the hand-worked case:
    // ū_a = 12/4, ū_b = 5/4, Ū = 12.25 (day 4's counts would make it
    // 2·15/4 + 5·6/4 = 15).
    assert_eq!(v["chart"]["cells_without_units"], 1);
    let ps = periods(&v);
    assert_eq!(ps.len(), 4);
    for p in ps {
        assert_relative_eq!(f(p, "centre"), 2.0 * 3.0 + 5.0 * 1.25, max_relative = 1e-12);
    }
    assert!(ps[3]["ucl"].is_null() && ps[3]["points_per_unit"].is_null());
    assert_eq!(f(&ps[3], "points"), 11.0);
    // The totals and the Pareto count every row: 15 a and 6 b.
    assert_eq!(f(&v["totals"], "incidents"), 21.0);
    assert_eq!(f(&v["totals"], "points"), 2.0 * 15.0 + 5.0 * 6.0);
    let pareto = v["pareto"].as_array().expect("pareto");
    let count = |c: &str| {
        pareto
            .iter()
            .find(|r| r["category"] == c)
            .map(|r| f(r, "count"))
    };
    assert_eq!((count("a"), count("b")), (Some(15.0), Some(6.0)));
}

#[test]
fn demerit_chart_limits_by_hand() {
    let dir = tmp();
    let (w, inc, vol) = small_case(&dir);
    let v = small_case_json(&inc, &w, &vol);
    // n_t = volume / 100 = 2, 1, 1 (Σ 4); ū_a = 12/4 = 3, ū_b = 5/4; Ū = 2·3 + 5·1.25 = 12.25
    let centre = 2.0 * 3.0 + 5.0 * 1.25;
    let spread: f64 = 4.0 * 3.0 + 25.0 * 1.25; // Σ w² ū = 43.25
    let ps = periods(&v);
    assert_eq!(ps.len(), 3);
    for (p, n, points) in [(&ps[0], 2.0, 13.0), (&ps[1], 1.0, 4.0), (&ps[2], 1.0, 32.0)] {
        assert_relative_eq!(f(p, "centre"), centre, max_relative = 1e-12);
        let sigma = (spread / n).sqrt();
        assert_relative_eq!(f(p, "ucl"), centre + 3.0 * sigma, max_relative = 1e-12);
        assert_eq!(f(p, "lcl"), 0.0, "12.25 - 3σ < 0 is floored");
        assert_eq!(f(p, "points"), points);
        assert_relative_eq!(f(p, "points_per_unit"), points / (n * 100.0) * 100.0);
        assert_eq!(f(p, "days"), 1.0);
        assert_eq!(f(p, "mean_daily_points"), points);
    }
    // Day 3: 32 points per 100 against UCL 12.25 + 3·sqrt(43.25) = 31.979…
    assert_eq!(ps[2]["out_of_control"], true);
    assert_eq!(ps[0]["out_of_control"], false);
    assert_eq!(ps[1]["out_of_control"], false);
    assert_eq!(ps[1]["categories"]["b"], 0);
    assert_eq!(v["chart"]["out_of_control"], 1);

    // Without volume the unit is a day: ū_a = 12/3 = 4, ū_b = 5/3.
    let v = json(&["sqi", &inc, "--weights", &w]);
    let centre = 2.0 * 4.0 + 5.0 * 5.0 / 3.0;
    let sigma = (4.0f64 * 4.0 + 25.0 * 5.0 / 3.0).sqrt();
    let p = &periods(&v)[0];
    assert_relative_eq!(f(p, "centre"), centre, max_relative = 1e-12);
    assert_relative_eq!(f(p, "ucl"), centre + 3.0 * sigma, max_relative = 1e-12);
    assert!(p["volume"].is_null() && p["points_per_unit"].is_null());
}

#[test]
fn one_category_of_weight_1_is_the_standard_u_chart() {
    let dir = tmp();
    let w = write(&dir, "w.csv", "category,weight\ndefect,1\n");
    let inc = write(
        &dir,
        "inc.csv",
        "date,category,count\n2026-02-02,defect,3\n2026-02-03,defect,9\n2026-02-04,defect,2\n2026-02-05,defect,40\n",
    );
    let vol = write(
        &dir,
        "vol.csv",
        "date,volume\n2026-02-02,50\n2026-02-03,80\n2026-02-04,100\n2026-02-05,400\n",
    );
    let v = json(&["sqi", &inc, "--weights", &w, "--volume", &vol, "--per", "1"]);
    let counts = [3.0, 9.0, 2.0, 40.0];
    let n = [50.0, 80.0, 100.0, 400.0];
    let ubar = counts.iter().sum::<f64>() / n.iter().sum::<f64>();
    for (i, p) in periods(&v).iter().enumerate() {
        assert_relative_eq!(f(p, "centre"), ubar, max_relative = 1e-12);
        let half = 3.0 * (ubar / n[i]).sqrt();
        assert_relative_eq!(f(p, "ucl"), ubar + half, max_relative = 1e-12);
        assert_relative_eq!(f(p, "lcl"), (ubar - half).max(0.0), max_relative = 1e-12);
        let u = counts[i] / n[i];
        assert_eq!(
            p["out_of_control"],
            u > ubar + half || u < (ubar - half).max(0.0)
        );
    }
    // ū = 54/630; day 1: ū − 3·sqrt(ū/50) < 0 (floored); day 4: ū − 3·sqrt(ū/400) > 0.
    assert_eq!(f(&periods(&v)[0], "lcl"), 0.0);
    assert!(f(&periods(&v)[3], "lcl") > 0.0);
}

#[test]
fn iso_weeks_and_months_across_year_ends() {
    let dir = tmp();
    let inc = write(
        &dir,
        "inc.csv",
        "date,category\n2025-12-28,lost\n2025-12-29,lost\n2026-01-01T10:00:00+08:00,damaged\n2026-01-04,lost\n2027-01-03,lost\n2027-01-04,lost\n",
    );
    let v = json(&["sqi", &inc, "--period", "week"]);
    let got: Vec<(String, f64, f64)> = periods(&v)
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap_or("").to_string(),
                f(p, "days"),
                f(p, "points"),
            )
        })
        .collect();
    let want = [
        ("2025-W52", 1.0, 10.0),
        ("2026-W01", 3.0, 30.0),
        ("2026-W53", 1.0, 10.0),
        ("2027-W01", 1.0, 10.0),
    ];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0.as_str(), g.1, g.2), w);
    }
    let p = row(&v["periods"], "period", "2026-W01");
    assert_relative_eq!(f(p, "mean_daily_points"), 10.0);
    let v = json(&["sqi", &inc, "--period", "month"]);
    let got: Vec<(String, f64)> = periods(&v)
        .iter()
        .map(|p| (p["period"].as_str().unwrap_or("").to_string(), f(p, "days")))
        .collect();
    assert_eq!(
        got,
        [
            ("2025-12".to_string(), 2.0),
            ("2026-01".to_string(), 2.0),
            ("2027-01".to_string(), 2.0)
        ]
    );
}

#[test]
fn a_day_with_volume_and_no_incident_counts_as_a_day() {
    let dir = tmp();
    let inc = write(
        &dir,
        "inc.csv",
        "date,site,category,count\n2026-03-02,A,lost,1\n2026-03-04,A,lost,2\n",
    );
    let vol = write(
        &dir,
        "vol.csv",
        "date,site,volume\n2026-03-02,A,1000\n2026-03-03,A,500\n2026-03-04,A,500\n2026-03-03,B,10\n",
    );
    let v = json(&[
        "sqi", &inc, "--volume", &vol, "--by", "site", "--period", "week",
    ]);
    let a = row(&v["periods"], "site", "A");
    assert_eq!(f(a, "days"), 3.0);
    assert_eq!(f(a, "points"), 30.0);
    assert_relative_eq!(f(a, "mean_daily_points"), 10.0);
    assert_eq!(f(a, "volume"), 2000.0);
    assert_relative_eq!(f(a, "points_per_unit"), 30.0 / 2000.0 * 1000.0);
    let b = row(&v["periods"], "site", "B");
    assert_eq!(f(b, "points"), 0.0);
    assert_eq!(f(b, "days"), 1.0);
    assert_eq!(v["totals"]["days"], 3);
    assert_eq!(v["volume_rows"]["rows_used"], 4);
    let groups = v["pareto_groups"]
        .as_array()
        .unwrap_or_else(|| panic!("groups"));
    assert_eq!(groups[0]["site"], "A");
    assert_eq!(groups[0]["vital_few"], true);
    assert_eq!(groups[1]["site"], "B");
    assert_eq!(groups[1]["vital_few"], false);
}

/// Aggregates a per-incident log into `date,site,category,count`.
fn counted(per_incident: &str) -> String {
    let mut counts: std::collections::BTreeMap<(String, String, String), u64> = Default::default();
    for l in per_incident.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        *counts
            .entry((f[0][..10].to_string(), f[1].to_string(), f[2].to_string()))
            .or_default() += 1;
    }
    let mut out = String::from("site,count,date,category\n");
    for ((d, s, c), n) in counts {
        out.push_str(&format!("{s},{n},{d},{c}\n"));
    }
    out
}

#[test]
fn rows_are_by_period_then_group_value_whatever_the_log_order() {
    // Sites listed Z before A every day: rows still go A then Z.
    let dir = tmp();
    let log = "date,site,category,count\n\
               2025-03-01,Z,lost,1\n2025-03-01,A,lost,2\n\
               2025-03-02,Z,lost,3\n2025-03-02,A,lost,4\n";
    let p = write(&dir, "log.csv", log);
    let v = json(&["sqi", &p, "--by", "site"]);
    let got: Vec<(String, String, f64)> = periods(&v)
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap_or_default().to_string(),
                r["site"].as_str().unwrap_or_default().to_string(),
                r["points"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect();
    // lost weighs 10 in fedex12
    let want = [
        ("2025-03-01", "A", 20.0),
        ("2025-03-01", "Z", 10.0),
        ("2025-03-02", "A", 40.0),
        ("2025-03-02", "Z", 30.0),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((p, g, x), (wp, wg, wx)) in got.iter().zip(want) {
        assert_eq!((p.as_str(), g.as_str()), (wp, wg));
        assert_relative_eq!(*x, wx);
    }
}

#[test]
fn per_incident_and_counted_logs_agree() {
    let dir = tmp();
    let text = std::fs::read_to_string(data("data/example_incidents.csv"))
        .unwrap_or_else(|e| panic!("{e}"));
    let agg = write(&dir, "counted.csv", counted(&text));
    for period in ["day", "week", "month"] {
        let args = |file: &str| -> Value {
            json(&[
                "sqi",
                file,
                "--volume",
                "data/example_volume.csv",
                "--by",
                "site",
                "--period",
                period,
            ])
        };
        let a = args("data/example_incidents.csv");
        let b = args(&agg);
        for key in ["periods", "pareto", "pareto_groups", "totals", "chart"] {
            assert_eq!(a[key], b[key], "{key} differs for --period {period}");
        }
        assert!(a["rows_read"].as_u64() > b["rows_read"].as_u64());
    }
}

#[test]
fn a_count_past_32_bits_is_an_error_that_names_the_row_or_the_cell() {
    // 5 MB, so that two threads split it; the two big counts of S1's
    // January are at its two ends.
    let dir = tmp();
    let mut text = String::from("date,site,category,count\n2026-01-01,S1,lost,4294967290\n");
    for i in 0..240_000 {
        text.push_str(&format!("2026-01-{:02},S1,lost,0\n", 1 + i % 28));
    }
    text.push_str("2026-01-28,S1,lost,10\n");
    let log = write(&dir, "big.csv", text);
    let run = |threads: &str| {
        servgap()
            .args(["sqi", &log, "--by", "site", "--period", "month"])
            .args(["--threads", threads, "--format", "csv"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // One reader: the row that passes the limit, its column and value.
    let out = run("1");
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("big.csv:240003: column 4 'count'"), "{err}");
    assert!(err.contains("'lost'") && err.contains("'10'"), "{err}");
    // Two readers: the sum passes the limit when their cells are added.
    let out = run("2");
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("big.csv: the counts of 'lost' in 2026-01, site S1"),
        "{err}"
    );
}

#[test]
fn a_check_of_the_last_period_looks_at_every_group_in_it() {
    let out = servgap()
        .args([
            "sqi",
            "data/example_incidents.csv",
            "--by",
            "site",
            "--max-points",
            "40",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    // The rows of the last period, from the periods table.
    let rows = periods(&v);
    let last = rows.last().map(|r| r["period"].clone());
    let in_last: Vec<&Value> = rows
        .iter()
        .filter(|r| Some(&r["period"]) == last.as_ref())
        .collect();
    assert!(in_last.len() > 1, "one site in the last period");
    let over: Vec<&Value> = in_last
        .iter()
        .filter(|r| f(r, "points") > 40.0)
        .map(|r| &r["site"])
        .collect();
    let c = &v["checks"][0];
    assert_eq!(c["checked"].as_u64(), Some(in_last.len() as u64));
    let breached: Vec<&Value> = c["breaches"]
        .as_array()
        .map(|b| b.iter().map(|x| &x["site"]).collect())
        .unwrap_or_default();
    assert!(!over.is_empty() && over.len() < in_last.len(), "{over:?}");
    assert_eq!(breached, over);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn checks_fail_with_exit_code_1_and_say_where() {
    let dir = tmp();
    let (w, inc, vol) = small_case(&dir);
    // Last period (2026-01-07) has 32 points.
    let out = servgap()
        .args([
            "sqi",
            &inc,
            "--weights",
            &w,
            "--max-points",
            "30",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2026-01-07: 32 (+2)"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let c = &v["checks"][0];
    assert_eq!(c["check"], "max_points");
    assert_eq!(c["passed"], false);
    assert_eq!(c["checked"], 1);
    assert_eq!(c["breaches"][0]["period"], "2026-01-07");
    assert_eq!(f(&c["breaches"][0], "excess"), 2.0);

    servgap()
        .args(["sqi", &inc, "--weights", &w, "--max-points", "32"])
        .assert()
        .code(0);
    // Every period: 13 and 32 exceed 10, 4 does not.
    let out = servgap()
        .args([
            "sqi",
            &inc,
            "--weights",
            &w,
            "--max-points",
            "10",
            "--check",
            "all",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["checks"][0]["checked"], 3);
    let periods: Vec<&str> = v["checks"][0]["breaches"]
        .as_array()
        .map(|b| b.iter().filter_map(|x| x["period"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(periods, ["2026-01-05", "2026-01-07"]);
    // Per unit: 32 per 100 on the last day.
    let out = servgap()
        .args([
            "sqi",
            &inc,
            "--weights",
            &w,
            "--volume",
            &vol,
            "--per",
            "100",
            "--max-per-unit",
            "25",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
    // --max-per-unit needs a volume file: a usage error.
    servgap()
        .args(["sqi", &inc, "--weights", &w, "--max-per-unit", "25"])
        .assert()
        .code(2);
}

#[test]
fn example_data_flags_the_guangzhou_pickup_failures() {
    let v = json(&[
        "sqi",
        "data/example_incidents.csv",
        "--volume",
        "data/example_volume.csv",
        "--by",
        "site",
        "--period",
        "month",
    ]);
    let march = periods(&v)
        .iter()
        .find(|p| p["period"] == "2026-03" && p["site"] == "广州")
        .unwrap_or_else(|| panic!("no 2026-03 广州"));
    assert_eq!(march["out_of_control"], true);
    assert!(f(march, "points_per_unit") > f(march, "ucl"));
    assert_eq!(v["rows_read"], v["rows_used"]);
}

fn fails(args: &[&str], code: i32, needles: &[&str]) {
    let out = servgap()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: '{n}' not in: {err}");
    }
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
}

#[test]
fn bad_input_names_file_line_column_and_value() {
    let dir = tmp();
    let bad = |name: &str, body: &str| {
        write(
            &dir,
            name,
            format!("date,site,category,count\n2026-01-05,A,lost,1\n{body}\n"),
        )
    };
    let f1 = bad("unknown.csv", "2026-01-05,A,stolen,1");
    fails(
        &["sqi", &f1],
        3,
        &[
            "unknown.csv:3",
            "column 3 'category'",
            "'stolen'",
            "right_day_late",
            "abandoned_call",
        ],
    );
    let f2 = bad("date.csv", "2026-02-30,A,lost,1");
    fails(
        &["sqi", &f2],
        3,
        &["date.csv:3", "column 1 'date'", "'2026-02-30'"],
    );
    let f3 = bad("neg.csv", "2026-01-06,A,lost,-2");
    fails(&["sqi", &f3], 3, &["neg.csv:3", "column 4 'count'", "'-2'"]);
    let f4 = bad("text.csv", "2026-01-06,A,lost,two");
    fails(&["sqi", &f4], 3, &["text.csv:3", "'two'"]);
    let f5 = bad("ragged.csv", "2026-01-06,A,lost");
    fails(&["sqi", &f5], 3, &["ragged.csv:3", "3 fields"]);
    let w = write(
        &dir,
        "w.csv",
        "category,weight\nlost,10\ndamaged,5\nlost,3\n",
    );
    fails(
        &["sqi", &f1, "--weights", &w],
        3,
        &["w.csv:4", "line 2", "lost"],
    );
    let w = write(&dir, "w2.csv", "category,weight\nlost,ten\n");
    fails(
        &["sqi", &f1, "--weights", &w],
        3,
        &["w2.csv:2", "column 2 'weight'", "'ten'"],
    );
    fails(
        &["sqi", &f1, "--by", "region"],
        3,
        &["unknown.csv", "region"],
    );
    let nocat = write(&dir, "nocat.csv", "date,count\n2026-01-05,1\n");
    fails(&["sqi", &nocat], 3, &["nocat.csv", "category"]);
    let ok = bad("ok.csv", "2026-01-06,A,lost,2");
    let vol = write(
        &dir,
        "vol.csv",
        "date,volume\n2026-01-05,100\n2026-01-05,120\n",
    );
    fails(
        &["sqi", &ok, "--volume", &vol],
        3,
        &["vol.csv:3", "2026-01-05", "first on line 2"],
    );
    // The same day written as a timestamp is the same day.
    let vol = write(
        &dir,
        "vol4.csv",
        "date,volume\n2026-01-04,90\n2026-01-05,100\n2026-01-05T09:00:00+08:00,120\n",
    );
    fails(
        &["sqi", &ok, "--volume", &vol],
        3,
        &["vol4.csv:4", "first on line 3"],
    );
    let vol = write(&dir, "vol2.csv", "date,volume\n2026-01-05,-100\n");
    fails(
        &["sqi", &ok, "--volume", &vol],
        3,
        &["vol2.csv:2", "column 2 'volume'", "'-100'"],
    );
    let vol = write(&dir, "vol3.csv", "date,volume\n2026-01-05,100\n");
    fails(
        &["sqi", &ok, "--volume", &vol, "--by", "site"],
        3,
        &["vol3.csv", "site"],
    );
    fails(&["sqi", &ok, "--per", "0"], 2, &["--per"]);
    fails(&["sqi", &ok, "--period", "fortnight"], 2, &["fortnight"]);
    fails(&["sqi", "does-not-exist.csv"], 4, &["does-not-exist.csv"]);
}

#[test]
fn skipped_rows_are_counted_by_reason() {
    let dir = tmp();
    let f = write(
        &dir,
        "mixed.csv",
        "date,category,count\n2026-01-05,lost,1\n2026-01-05,stolen,1\n2026-13-01,lost,1\n2026-01-06,lost,x\n2026-01-06,damaged,2\n",
    );
    let v = json(&["sqi", &f, "--on-invalid", "skip"]);
    assert_eq!(v["rows_read"], 5);
    assert_eq!(v["rows_used"], 2);
    assert_eq!(v["rows_rejected"], 3);
    let reasons = &v["rejections"];
    assert_eq!(row(reasons, "reason", "unknown category")["first_line"], 3);
    assert_eq!(row(reasons, "reason", "invalid date")["first_line"], 4);
    assert_eq!(row(reasons, "reason", "invalid count")["first_line"], 5);
    assert_eq!(v["totals"]["points"], 30.0);
}

#[test]
fn gb18030_bom_and_stdin_give_the_same_figures() {
    let dir = tmp();
    let text = "日期,站点,category,count\n2026-01-05,广州,lost,1\n2026-01-05,北京,damaged,2\n2026-01-06,广州,missed_pickup,1\n"
        .replace("日期", "date");
    let utf8 = write(&dir, "u.csv", &text);
    let bom = write(
        &dir,
        "b.csv",
        [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
    );
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let gbf = write(&dir, "g.csv", gb.as_ref());
    let base = json(&["sqi", &utf8, "--by", "站点"]);
    assert_eq!(row(&base["pareto_groups"], "站点", "广州")["points"], 20.0);
    for file in [&bom, &gbf] {
        let v = json(&["sqi", file, "--by", "站点"]);
        assert_eq!(v["periods"], base["periods"]);
        assert_eq!(v["pareto_groups"], base["pareto_groups"]);
    }
    let out = servgap()
        .args(["sqi", "-", "--by", "站点", "--format", "json"])
        .write_stdin(gb.into_owned())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["periods"], base["periods"]);
    assert_eq!(v["inputs"]["encoding"], "gb18030");
}

#[test]
fn threads_and_row_order_do_not_change_the_figures() {
    // 5 MB, so that two reader threads split it.
    let dir = tmp();
    let cats = [
        "right_day_late",
        "wrong_day_late",
        "missed_pickup",
        "lost",
        "abandoned_call",
    ];
    // Each day's lines, with sites in the same order every day: a site
    // missing some days, new ones coming in later (at the day's end).
    // Site S007 loses 3,000 + day parcels a day: its counts do not fit the
    // bytes counts are first stored in, nor (by month) 16 bits, so each
    // reader's cells widen part way through.
    let mut days: Vec<Vec<(u32, Vec<String>)>> = Vec::new();
    let mut x: u64 = 7;
    for day in 0..364 {
        let date = chrono_like(day);
        let mut sites: Vec<u32> = (0..80).collect();
        if day % 11 == 5 {
            sites.remove(40);
        }
        if day >= 100 {
            sites.push(80);
        }
        if day >= 200 {
            sites.push(81);
        }
        let lines = sites
            .into_iter()
            .map(|site| {
                let lines = cats
                    .iter()
                    .map(|c| {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let n = if (site, *c) == (7, "lost") {
                            3000 + u64::from(day)
                        } else {
                            (x >> 59) % 7
                        };
                        format!("{date},S{site:03},{c},{n}\n")
                    })
                    .collect();
                (site, lines)
            })
            .collect();
        days.push(lines);
    }
    let text = |days: &[Vec<(u32, Vec<String>)>]| -> String {
        std::iter::once("date,site,category,count\n".to_string())
            .chain(days.iter().flatten().flat_map(|(_, l)| l.iter().cloned()))
            .collect()
    };
    let sorted = text(&days);
    assert!(sorted.len() > 4 << 20);
    // The same lines with two sites swapped some days and the new sites
    // among the others: the readers then meet groups out of order.
    let mut swapped = days.clone();
    for (day, sites) in swapped.iter_mut().enumerate() {
        if day % 7 == 3 {
            sites.swap(10, 11);
        }
        if day >= 200 {
            if let Some(new) = sites.pop() {
                sites.insert(20, new);
            }
        }
    }
    let swapped = text(&swapped);
    // Latest day first: the second reader has the earlier days.
    let reversed: Vec<_> = days.iter().rev().cloned().collect();
    let reversed = text(&reversed);
    let mut rows: Vec<String> = days
        .iter()
        .flatten()
        .flat_map(|(_, l)| l.iter().cloned())
        .collect();
    for i in (1..rows.len()).rev() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        rows.swap(i, (x >> 33) as usize % (i + 1));
    }
    let shuffled: String = std::iter::once("date,site,category,count\n".to_string())
        .chain(rows)
        .collect();
    // A volume row per day and site of the log, and for a site the log
    // does not have every tenth day: its cells come after all the others.
    let mut volume = String::from("date,site,volume\n");
    for day in 0..364 {
        let date = chrono_like(day);
        for site in 0..82 {
            volume.push_str(&format!(
                "{date},S{site:03},{}\n",
                100 + (site * 7 + day) % 50
            ));
        }
        if day % 10 == 0 {
            volume.push_str(&format!("{date},S999,250\n"));
        }
    }
    let a = write(&dir, "sorted.csv", sorted);
    let b = write(&dir, "shuffled.csv", shuffled);
    let c = write(&dir, "swapped.csv", swapped);
    let d = write(&dir, "reversed.csv", reversed);
    let vol = write(&dir, "volume.csv", volume);
    let run = |file: &str, threads: &str, period: &str, volume: bool| {
        let mut args = vec![
            "sqi",
            file,
            "--by",
            "site",
            "--period",
            period,
            "--threads",
            threads,
        ];
        if volume {
            args.extend(["--volume", &vol]);
        }
        json(&args)
    };
    let runs = [
        ("day", false),
        ("month", false),
        ("day", true),
        ("week", true),
        ("month", true),
    ];
    for (period, volume) in runs {
        let one = run(&a, "1", period, volume);
        // S007's first period: 2025-01-01, the week to 2025-01-05, January
        let days = match period {
            "day" => 1,
            "week" => 5,
            _ => 31,
        };
        let lost: u64 = (0..days).map(|d| 3000 + d).sum();
        let first = periods(&one)
            .iter()
            .find(|r| r["site"] == "S007")
            .map(|r| &r["categories"]["lost"]);
        assert_eq!(first, Some(&Value::from(lost)), "--period {period}");
        let others = [
            (&a, "2"),
            (&a, "3"),
            (&b, "1"),
            (&b, "2"),
            (&c, "2"),
            (&d, "2"),
        ];
        for (file, t) in others {
            let v = run(file, t, period, volume);
            for key in [
                "periods",
                "pareto",
                "pareto_groups",
                "totals",
                "chart",
                "rows_read",
            ] {
                assert_eq!(
                    v[key], one[key],
                    "{key}: {file} --threads {t} --period {period}, volume {volume}"
                );
            }
        }
    }
}

/// `2025-01-01` plus `day` days, for days < 365.
fn chrono_like(day: u32) -> String {
    let months = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (mut m, mut d) = (0, day);
    while d >= months[m] {
        d -= months[m];
        m += 1;
    }
    format!("2025-{:02}-{:02}", m + 1, d + 1)
}

#[test]
fn messy_cells_give_the_same_figures_as_clean_ones() {
    // CRLF endings, padded and upper-case cells, quoted fields, counts like
    // "2.0", a timestamp among dates, repeated blank lines: the line reader
    // hands each unusual line to the tokenizer, which must agree with it.
    let dir = tmp();
    let mut clean = String::from("date,site,category,count\n");
    let mut messy = String::from("date,site,category,count\r\n");
    let cats = ["right_day_late", "lost", "damaged", "missed_pickup"];
    let mut x: u64 = 11;
    for day in 1..=28 {
        for site in ["A", "B", "C"] {
            for (i, c) in cats.iter().enumerate() {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let n = (x >> 60) % 5;
                clean.push_str(&format!("2026-02-{day:02},{site},{c},{n}\n"));
                let line = match (x >> 56) % 6 {
                    0 => format!(" 2026-02-{day:02} ,{site}, {} ,{n}.0", c.to_uppercase()),
                    1 => format!("\"2026-02-{day:02}\",\"{site}\",{c},\"{n}\""),
                    2 if i == 0 => format!("2026-02-{day:02}T12:00:00+08:00,{site},{c},{n}"),
                    3 => format!("2026-02-{day:02},{site},{c}, {n} \r\n"),
                    _ => format!("2026-02-{day:02},{site},{c},{n}"),
                };
                messy.push_str(&line);
                messy.push_str("\r\n");
            }
        }
    }
    let a = write(&dir, "clean.csv", clean);
    let b = write(&dir, "messy.csv", messy);
    for period in ["day", "week"] {
        let args = |f: &str| json(&["sqi", f, "--by", "site", "--period", period]);
        let (va, vb) = (args(&a), args(&b));
        for key in [
            "periods",
            "pareto",
            "pareto_groups",
            "totals",
            "chart",
            "rows_read",
            "rows_used",
        ] {
            assert_eq!(va[key], vb[key], "{key} with --period {period}");
        }
    }
}

#[test]
fn a_large_volume_file_read_by_two_threads() {
    // Over 4 MB (long site names), so that two threads split it; shuffled, so that the
    // second range finds its cells out of order.
    let dir = tmp();
    let mut x: u64 = 11;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    let mut log = String::from("date,site,category,count\n");
    let mut volume = Vec::new();
    for day in 0..364 {
        let date = chrono_like(day);
        for site in 0..300 {
            if site % 20 == 0 {
                log.push_str(&format!(
                    "{date},Centre de distribution {site:03},lost,{}\n",
                    next() % 4
                ));
            }
            volume.push(format!(
                "{date},Centre de distribution {site:03},{}\n",
                500 + next() % 1000
            ));
        }
    }
    let header = "date,site,volume\n".to_string();
    let sorted: String = std::iter::once(header.clone())
        .chain(volume.iter().cloned())
        .collect();
    assert!(sorted.len() > 4 << 20);
    let mut shuffled = volume.clone();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, next() as usize % (i + 1));
    }
    let shuffled: String = std::iter::once(header.clone()).chain(shuffled).collect();
    let log = write(&dir, "log.csv", log);
    let a = write(&dir, "sorted.csv", sorted.clone());
    let b = write(&dir, "shuffled.csv", shuffled);
    // Runs are compared as CSV text, which is quick to check.
    let csv = |vol: &str, threads: &str| {
        let out = servgap()
            .args(["sqi", &log, "--volume", vol, "--by", "site"])
            .args(["--threads", threads, "--format", "csv"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{vol} --threads {threads}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let expected = csv(&a, "1");
    // Every site and day has a row, with or without incidents, and its volume.
    let rows: Vec<&str> = expected.lines().skip(1).collect();
    assert_eq!(rows.len(), 364 * 300);
    // in period then site order, though two threads write alternate chunks
    let keys: Vec<String> = rows
        .iter()
        .map(|l| l.splitn(3, ',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    let want: Vec<String> = (0..364)
        .flat_map(|day| {
            (0..300)
                .map(move |site| format!("{},Centre de distribution {site:03}", chrono_like(day)))
        })
        .collect();
    assert!(keys == want, "rows out of order");
    let read: u64 = rows
        .iter()
        .map(|l| l.split(',').nth(5).and_then(|v| v.parse::<u64>().ok()))
        .sum::<Option<u64>>()
        .unwrap_or_else(|| panic!("a volume cell is not a whole number"));
    let written: u64 = volume
        .iter()
        .map(|l| {
            l.trim_end()
                .rsplit(',')
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        })
        .sum::<Option<u64>>()
        .unwrap_or_else(|| panic!("generated volume"));
    assert_eq!(read, written);
    for (vol, t) in [(&a, "2"), (&b, "1"), (&b, "2")] {
        assert!(csv(vol, t) == expected, "{vol} --threads {t}");
    }
    // A duplicate far from its first row: each thread reads one of them.
    let first = volume[0].trim_end();
    let dup = write(&dir, "dup.csv", format!("{sorted}{first}\n"));
    let last_line = volume.len() + 2;
    for t in ["1", "2"] {
        fails(
            &[
                "sqi",
                &log,
                "--volume",
                &dup,
                "--by",
                "site",
                "--threads",
                t,
            ],
            3,
            &[
                &format!("dup.csv:{last_line}"),
                "first on line 2",
                "2025-01-01",
                "Centre de distribution 000",
            ],
        );
    }
}

#[test]
fn volume_shares_report_errors_and_rejections_as_one_reader_does() {
    // A 5 MB log, so that two reader threads split it and each reads the
    // volume rows of its own dates; what goes wrong in the second share
    // must read as if one thread had read the whole volume file.
    let dir = tmp();
    let mut log = String::from("date,site,category,count\n");
    let mut volume = vec!["date,site,volume".to_string()];
    for day in 0..364 {
        let date = chrono_like(day);
        for site in 0..100 {
            for (c, cat) in [
                "lost",
                "damaged",
                "missed_pickup",
                "abandoned_call",
                "overgoods",
            ]
            .iter()
            .enumerate()
            {
                log.push_str(&format!(
                    "{date},S{site:03},{cat},{}\n",
                    (day + site + c as u32) % 5
                ));
            }
            volume.push(format!("{date},S{site:03},{}", 100 + (day * 7 + site) % 90));
        }
    }
    assert!(log.len() > 4 << 20);
    let log = write(&dir, "log.csv", log);
    let run = |vol: &[String], extra: &[&str], threads: &str| {
        let file = write(&dir, "volume.csv", vol.join("\n") + "\n");
        let out = servgap()
            .args([
                "sqi", &log, "--volume", &file, "--by", "site", "--format", "json",
            ])
            .args(["--threads", threads])
            .args(extra)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Line n of the file is volume[n - 1]; line 25,000 is in September.
    let late = 25_000;
    assert!(volume[late - 1].starts_with("2025-09"));
    // date and site of line n, with its comma
    let key = |n: usize| volume[n - 1][..16].to_string();

    // A row of January again at the end: the two copies are in different
    // shares, so only the merge sees them.
    let mut dup = volume.clone();
    dup.push(volume[2].clone());
    let (code, _, err) = run(&dup, &[], "2");
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("line 3") || err.contains(":3"), "{err}");
    assert!(err.contains(&dup.len().to_string()), "{err}");
    assert_eq!(run(&dup, &[], "1").2, err);

    // A volume that is not a number, in the second share.
    let mut bad = volume.clone();
    bad[late - 1] = format!("{}lots", key(late));
    let (code, _, err) = run(&bad, &[], "2");
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains(&format!("volume.csv:{late}")), "{err}");
    assert!(err.contains("lots"), "{err}");
    assert_eq!(run(&bad, &[], "1").2, err);

    // The same rows skipped: counted, with the first line of each reason.
    let mut skipped = bad.clone();
    skipped[30] = format!("{}-5", key(31));
    skipped[late + 9] = format!("{}x", key(late + 10));
    // a reason met in the second share only
    skipped[late + 19] = format!("{}7,8", key(late + 20));
    let skip = ["--on-invalid", "skip"];
    let (code, two, err) = run(&skipped, &skip, "2");
    assert_eq!(code, Some(0), "{err}");
    let (_, one, _) = run(&skipped, &skip, "1");
    let (two, one): (Value, Value) = (
        serde_json::from_str(&two).unwrap_or_else(|e| panic!("{e}")),
        serde_json::from_str(&one).unwrap_or_else(|e| panic!("{e}")),
    );
    let rows = &two["volume_rows"];
    assert_eq!(rows["rows_read"], 364 * 100);
    assert_eq!(rows["rows_rejected"], 4);
    assert_eq!(
        row(&rows["rejections"], "reason", "invalid volume")["first_line"],
        31
    );
    let ragged = row(&rows["rejections"], "reason", "wrong number of fields");
    assert_eq!(ragged["first_line"], late as u64 + 20);
    assert_eq!(
        row(&rows["rejections"], "reason", "invalid volume")["count"],
        3
    );
    assert_eq!(two["volume_rows"], one["volume_rows"]);
    assert_eq!(two["periods"], one["periods"]);
}

#[test]
fn a_volume_given_twice_names_both_lines() {
    let dir = tmp();
    let log = write(
        &dir,
        "log.csv",
        "date,site,category,count\n2026-03-02,A,lost,1\n2026-03-02,B,lost,2\n",
    );
    let vol = write(
        &dir,
        "vol.csv",
        "date,site,volume\n2026-03-02,A,100\n2026-03-02,B,50\n2026-03-02,A,70\n",
    );
    servgap()
        .args(["sqi", &log, "--volume", &vol, "--by", "site"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(
            "vol.csv:4: the volume of 2026-03-02 / A is given twice (first on line 2)",
        ));
}
