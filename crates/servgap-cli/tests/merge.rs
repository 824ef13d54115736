//! `--emit-partial` and `servgap merge` through the binary, on the
//! example data split by month (`data/monthly/`): the merged outputs
//! equal one run over the whole quarter, the exit codes follow the merged
//! checks, and parts that do not fit together are errors naming the part
//! and the setting.

mod common;

use std::path::Path;

use common::{data, servgap};
use serde_json::Value;

const MONTHS: [&str; 3] = ["2026-01", "2026-02", "2026-03"];

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

/// Runs servgap, expects `code`, returns stdout and stderr.
fn run(args: &[&str], code: i32) -> (String, String) {
    let out = servgap()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(code), "servgap {args:?}: {stderr}");
    (stdout, stderr)
}

/// A JSON output without what names its inputs.
fn figures(text: &str) -> Value {
    let mut v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    if let Value::Object(o) = &mut v {
        o.remove("inputs");
    }
    v
}

/// `servgap merge PARTS… --format json`, expected to succeed.
fn merged(parts: &[String]) -> String {
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    run(&args, 0).0
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

#[test]
fn sqi_of_three_months_merged_is_the_quarters() {
    let dir = tmp();
    let mut parts = Vec::new();
    for m in MONTHS {
        let partial = path(dir.path(), &format!("sqi_{m}.json"));
        run(
            &[
                "sqi",
                &data(&format!("data/monthly/incidents_{m}.csv")),
                "--volume",
                &data(&format!("data/monthly/volume_{m}.csv")),
                "--by",
                "site",
                "--period",
                "week",
                "--emit-partial",
                &partial,
                "--format",
                "json",
            ],
            0,
        );
        parts.push(partial);
    }
    let quarter = merged(&parts);
    let (whole, _) = run(
        &[
            "sqi",
            "data/example_incidents.csv",
            "--volume",
            "data/example_volume.csv",
            "--by",
            "site",
            "--period",
            "week",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(figures(&quarter), figures(&whole));
    // in steps: January and February merged into a partial, then March
    let steps = path(dir.path(), "jan-feb.json");
    run(
        &[
            "merge",
            &parts[0],
            &parts[1],
            "--emit-partial",
            &steps,
            "-o",
            &path(dir.path(), "jan-feb.csv"),
        ],
        0,
    );
    assert_eq!(
        figures(&merged(&[steps, parts[2].clone()])),
        figures(&whole)
    );
    // the week of 2026-01-26 spans two monthly files: its days and
    // points are both months' (5 January days + 1 February day)
    let v = figures(&quarter);
    let week = v["periods"]
        .as_array()
        .and_then(|ps| {
            ps.iter()
                .find(|p| p["period"] == "2026-W05" && p["site"] == "北京")
        })
        .unwrap_or_else(|| panic!("no 2026-W05 北京 in {v}"));
    assert_eq!(week["days"], 7);
    let merged_inputs: Value = serde_json::from_str(&quarter).unwrap_or_default();
    assert_eq!(
        merged_inputs["inputs"]["incidents"]
            .as_str()
            .map(|s| s.matches(" + ").count()),
        Some(2)
    );
}

#[test]
fn compliance_and_survey_merge_into_one_run() {
    let dir = tmp();
    let mut parts = Vec::new();
    for m in MONTHS {
        let partial = path(dir.path(), &format!("events_{m}.json"));
        run(
            &[
                "compliance",
                &data(&format!("data/monthly/events_{m}.csv")),
                "--standards",
                "data/example_hard_standards.csv",
                "--by",
                "site",
                "--emit-partial",
                &partial,
                "-o",
                &path(dir.path(), "part.json"),
            ],
            0,
        );
        parts.push(partial);
    }
    let (whole, _) = run(
        &[
            "compliance",
            "data/example_events.csv",
            "--standards",
            "data/example_hard_standards.csv",
            "--by",
            "site",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(figures(&merged(&parts)), figures(&whole));
    // 广州 misses the greeting standard over the quarter: exit 1 with --fail-on-miss
    let mut args = vec!["merge", "--fail-on-miss"];
    args.extend(parts.iter().map(String::as_str));
    let (_, stderr) = run(&args, 1);
    assert!(stderr.contains("greet_4min"), "{stderr}");

    // one survey partial merged alone is that survey's report
    let survey = path(dir.path(), "survey.json");
    let (direct, _) = run(
        &[
            "survey",
            "data/example_survey.csv",
            "--by",
            "site",
            "--emit-partial",
            &survey,
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(merged(&[survey]), direct);
}

#[test]
fn parts_that_do_not_fit_together_are_errors_naming_the_part() {
    let dir = tmp();
    let day = path(dir.path(), "day.json");
    let week = path(dir.path(), "week.json");
    let events = path(dir.path(), "events.json");
    let sqi = |period: &str, out: &str| {
        run(
            &[
                "sqi",
                "data/monthly/incidents_2026-01.csv",
                "--period",
                period,
                "--emit-partial",
                out,
                "-o",
                &path(dir.path(), "out.csv"),
            ],
            0,
        );
    };
    sqi("day", &day);
    sqi("week", &week);
    let (_, stderr) = run(&["merge", &day, &week], 3);
    assert!(
        stderr.contains("week.json") && stderr.contains("--period"),
        "{stderr}"
    );
    run(
        &[
            "compliance",
            "data/monthly/events_2026-01.csv",
            "--standards",
            "data/example_hard_standards.csv",
            "--emit-partial",
            &events,
            "-o",
            &path(dir.path(), "out.csv"),
        ],
        0,
    );
    let (_, stderr) = run(&["merge", &day, &events], 3);
    assert!(
        stderr.contains("compliance") && stderr.contains("sqi"),
        "{stderr}"
    );
    // the same volume of a date and site in two parts is given twice
    let a = path(dir.path(), "a.json");
    let b = path(dir.path(), "b.json");
    for (log, out) in [("incidents_2026-01", &a), ("incidents_2026-02", &b)] {
        run(
            &[
                "sqi",
                &data(&format!("data/monthly/{log}.csv")),
                "--volume",
                "data/example_volume.csv",
                "--by",
                "site",
                "--emit-partial",
                out,
                "-o",
                &path(dir.path(), "out.csv"),
            ],
            0,
        );
    }
    let (_, stderr) = run(&["merge", &a, &b], 3);
    assert!(
        stderr.contains("b.json") && stderr.contains("volume of"),
        "{stderr}"
    );
    // not a partial result at all; a missing file
    let (_, stderr) = run(&["merge", "data/example_chain.csv"], 3);
    assert!(stderr.contains("not a partial result"), "{stderr}");
    run(&["merge", &path(dir.path(), "missing.json")], 4);
    // a summary survey has no partial; standard output is the report's
    let (_, stderr) = run(
        &[
            "survey",
            "data/reference/zarei2012_table2.csv",
            "--scale",
            "1-5",
            "--emit-partial",
            &path(dir.path(), "s.json"),
        ],
        2,
    );
    assert!(stderr.contains("summary"), "{stderr}");
    run(
        &["sqi", "data/example_incidents.csv", "--emit-partial", "-"],
        2,
    );
}

#[test]
fn a_partial_is_written_whole_or_not_at_all() {
    // an invalid row stops the run before anything is written
    let dir = tmp();
    let partial = path(dir.path(), "p.json");
    run(
        &[
            "sqi",
            "data/tests/log_with_bad_rows.csv",
            "--emit-partial",
            &partial,
        ],
        3,
    );
    assert!(!Path::new(&partial).exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
