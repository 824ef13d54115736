//! Parquet and Arrow IPC inputs and Parquet output through the binary
//! (SPEC §3.9): the bundled example data, converted here to typed columns
//! (integers, floats with nulls for missing cells, dates), gives the same
//! JSON as the CSV files for every command; a bad value names its row and
//! the line it would have in a CSV export; a null in a required column is
//! an error and a null score is missing; Parquet output reads back equal
//! to the CSV output.

mod common;

use std::path::{Path, PathBuf};

use common::{data, servgap};
use polars::prelude::*;
use predicates::str::contains;
use serde_json::Value;

/// Whether a CSV cell is missing (empty or `NA`).
fn missing(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("n/a")
}

/// A CSV file as a frame with typed columns, as a warehouse would export
/// it: whole numbers as integers, other numbers as floats, `YYYY-MM-DD`
/// as dates, anything else as text; a missing cell is a null.
fn frame_of(csv_path: &str) -> DataFrame {
    let mut reader = csv::Reader::from_path(csv_path).unwrap_or_else(|e| panic!("{e}"));
    let header: Vec<String> = reader
        .headers()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    let mut columns: Vec<Column> = Vec::new();
    for (c, name) in header.iter().enumerate() {
        let cells: Vec<Option<&str>> = rows
            .iter()
            .map(|r| Some(r[c].as_str()).filter(|v| !missing(v)))
            .collect();
        let present = || cells.iter().flatten();
        let name = PlSmallStr::from(name.as_str());
        let all = |f: &dyn Fn(&str) -> bool| present().all(|v| f(v)) && present().next().is_some();
        let series = if all(&|v| v.parse::<i64>().is_ok()) {
            Series::new(
                name,
                cells
                    .iter()
                    .map(|v| v.map(|v| v.parse::<i64>().unwrap_or(0)))
                    .collect::<Vec<_>>(),
            )
        } else if all(&|v| v.parse::<f64>().is_ok()) {
            Series::new(
                name,
                cells
                    .iter()
                    .map(|v| v.map(|v| v.parse::<f64>().unwrap_or(0.0)))
                    .collect::<Vec<_>>(),
            )
        } else if all(&|v| {
            v.len() == 10 && chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()
        }) {
            let days: Vec<Option<i32>> = cells
                .iter()
                .map(|v| {
                    v.and_then(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
                        .map(|d| (d - chrono::NaiveDate::default()).num_days() as i32)
                })
                .collect();
            Series::new(name, days)
                .cast(&DataType::Date)
                .unwrap_or_else(|e| panic!("{e}"))
        } else {
            Series::new(name, cells)
        };
        columns.push(series.into());
    }
    DataFrame::new(rows.len(), columns).unwrap_or_else(|e| panic!("{e}"))
}

/// Writes `frame` as `name` (`.parquet` or `.arrow`) in `dir`.
fn write_frame(dir: &Path, name: &str, frame: &DataFrame) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut frame = frame.clone();
    if name.ends_with(".parquet") {
        ParquetWriter::new(file)
            .finish(&mut frame)
            .unwrap_or_else(|e| panic!("{e}"));
    } else {
        IpcWriter::new(file)
            .finish(&mut frame)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    path
}

/// The JSON of a run (exit 0 or 1), without the names and encodings of
/// its inputs (which differ between the CSV and columnar runs).
fn figures(args: &[String]) -> Value {
    let out = servgap()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "servgap {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    strip_inputs(&mut v);
    v
}

fn strip_inputs(v: &mut Value) {
    if let Value::Object(o) = v {
        o.remove("inputs");
        o.remove("encoding");
        for x in o.values_mut() {
            strip_inputs(x);
        }
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(strip_inputs);
    }
}

/// The example runs, with `{name}` for each CSV input to convert.
const RUNS: [&[&str]; 5] = [
    &[
        "survey",
        "{example_survey}",
        "--importance",
        "{example_importance}",
        "--by",
        "site",
    ],
    &[
        "gaps",
        "--customers",
        "{example_survey}",
        "--management",
        "{example_management}",
        "--standards",
        "{example_standards}",
        "--delivery",
        "{example_delivery}",
        "--by",
        "site",
    ],
    &[
        "compliance",
        "{example_events}",
        "--standards",
        "{example_hard_standards}",
        "--by",
        "site",
        "--period",
        "month",
    ],
    &[
        "sqi",
        "{example_incidents}",
        "--volume",
        "{example_volume}",
        "--by",
        "site",
        "--period",
        "week",
        "--max-per-unit",
        "12",
    ],
    &["survey", "{example_survey}", "--instrument", "{servqual22}"],
];

#[test]
fn the_example_data_as_parquet_and_ipc_gives_the_same_figures_as_csv() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for ext in ["parquet", "arrow"] {
        for run in RUNS {
            let with = |columnar: bool| -> Vec<String> {
                run.iter()
                    .map(
                        |a| match a.strip_prefix('{').and_then(|a| a.strip_suffix('}')) {
                            None => a.to_string(),
                            Some(name) => {
                                let csv = data(&format!("data/{name}.csv"));
                                match columnar {
                                    false => csv,
                                    true => write_frame(
                                        dir.path(),
                                        &format!("{name}.{ext}"),
                                        &frame_of(&csv),
                                    )
                                    .to_string_lossy()
                                    .into_owned(),
                                }
                            }
                        },
                    )
                    .collect()
            };
            let (csv, columnar) = (figures(&with(false)), figures(&with(true)));
            assert_eq!(csv, columnar, "{ext}: {run:?}");
        }
    }
}

#[test]
fn input_format_names_the_layout_of_standard_input_and_other_names() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let frame = frame_of(&data("data/example_survey.csv"));
    let parquet = write_frame(dir.path(), "survey.parquet", &frame);
    let renamed = dir.path().join("survey.bin");
    std::fs::copy(&parquet, &renamed).unwrap_or_else(|e| panic!("{e}"));
    let expected = figures(&["survey".into(), data("data/example_survey.csv")]);
    let got = figures(&[
        "survey".into(),
        renamed.to_string_lossy().into_owned(),
        "--input-format".into(),
        "parquet".into(),
    ]);
    assert_eq!(expected, got);
    let bytes = std::fs::read(&parquet).unwrap_or_else(|e| panic!("{e}"));
    let out = servgap()
        .args([
            "survey",
            "-",
            "--input-format",
            "parquet",
            "--format",
            "json",
        ])
        .write_stdin(bytes)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["inputs"]["survey"], "<stdin Parquet>");
    strip_inputs(&mut v);
    assert_eq!(expected, v);
    // a file that is not Parquet is invalid input
    servgap()
        .args(["survey", "--input-format", "parquet"])
        .arg(data("data/example_survey.csv"))
        .assert()
        .code(3)
        .stderr(contains("cannot be read as Parquet"));
}

#[test]
fn a_bad_value_names_its_row_and_csv_line_a_null_score_is_missing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let frame = df!(
        "respondent_id" => ["R1", "R2", "R3"],
        "item" => ["q01", "q01", "q01"],
        "expectation" => [Some(5i64), Some(6), None],
        "perception" => [4i64, 9, 4],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bad = write_frame(dir.path(), "bad.parquet", &frame);
    servgap()
        .arg("survey")
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(contains("bad.parquet: row 1 (line 3 as CSV): column 4 'perception': score outside the scale 1-7: '9'"));
    // skipped, the null score leaves R3 without a pair: one response used
    let out = servgap()
        .arg("survey")
        .arg(&bad)
        .args(["--on-invalid", "skip", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["rows_read"], 3);
    assert_eq!(v["rows_rejected"], 1);
    assert_eq!(v["items"][0]["n"], 1);
    // a null respondent id is an error, like an empty cell in a CSV
    let frame = df!(
        "respondent_id" => [Some("R1"), None],
        "item" => ["q01", "q01"],
        "expectation" => [5i64, 6],
        "perception" => [4i64, 5],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let null_id = write_frame(dir.path(), "null_id.arrow", &frame);
    servgap()
        .arg("survey")
        .arg(&null_id)
        .assert()
        .code(3)
        .stderr(contains("null_id.arrow: row 1 (line 3 as CSV)"));
    // a type no reader takes is named
    let frame = df!("respondent_id" => ["R1"], "item" => ["q01"], "expectation" => [5i64])
        .and_then(|mut f| {
            let list = Series::new("perception".into(), [Series::new("".into(), [1i64])]);
            f.with_column(list.into_column())?;
            Ok(f)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let listy = write_frame(dir.path(), "list.parquet", &frame);
    servgap()
        .arg("survey")
        .arg(&listy)
        .assert()
        .code(3)
        .stderr(contains("column 'perception' has the type list[i64]"));
}

#[test]
fn parquet_output_reads_back_equal_to_the_csv_output() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (args, table) in [
        (
            vec!["survey", "data/example_survey.csv", "--by", "site"],
            "items",
        ),
        (
            vec!["survey", "data/example_survey.csv", "--by", "site"],
            "servqual",
        ),
        (
            vec![
                "sqi",
                "data/example_incidents.csv",
                "--volume",
                "data/example_volume.csv",
                "--by",
                "site",
            ],
            "periods",
        ),
        (
            vec![
                "compliance",
                "data/example_events.csv",
                "--standards",
                "data/example_hard_standards.csv",
            ],
            "standards",
        ),
    ] {
        let path = dir.path().join(format!("{table}.parquet"));
        servgap()
            .args(&args)
            .args(["--table", table, "-o"])
            .arg(&path)
            .assert()
            .code(0);
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let frame = ParquetReader::new(file)
            .finish()
            .unwrap_or_else(|e| panic!("{e}"));
        let out = servgap()
            .args(&args)
            .args(["--table", table, "--format", "csv"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(String::from)
            .collect();
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(names, header, "{table}");
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert_eq!(frame.height(), rows.len(), "{table}");
        for (c, name) in header.iter().enumerate() {
            let column = frame.column(name).unwrap_or_else(|e| panic!("{e}"));
            for (r, row) in rows.iter().enumerate() {
                let cell = &row[c];
                let value = column.get(r).unwrap_or_else(|e| panic!("{e}"));
                let same = match &value {
                    AnyValue::Null => cell.is_empty(),
                    AnyValue::Boolean(b) => cell == b.to_string(),
                    AnyValue::String(s) => cell == *s || cell == format!("'{s}"),
                    AnyValue::StringOwned(s) => cell == s.as_str(),
                    other => match (other.extract::<f64>(), cell.parse::<f64>()) {
                        (Some(x), Ok(y)) => x == y,
                        _ => false,
                    },
                };
                assert!(
                    same,
                    "{table}.{name} row {r}: Parquet {value:?}, CSV {cell:?}"
                );
            }
        }
    }
}
