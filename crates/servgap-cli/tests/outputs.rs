//! The data outputs through the binary, read back as a user's tool would:
//! CSV is one plain table whose columns are the JSON field names and
//! whose figures are the JSON's, for every table of every command; an
//! xlsx workbook holds every table as a sheet with the JSON's figures;
//! the format follows `--output`'s extension; `--table list` names the
//! tables; terminal tables fit the width they are given.

mod common;

use std::collections::BTreeMap;

use approx::assert_relative_eq;
use calamine::{Data, Reader};
use common::{json, servgap, write};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use serde_json::Value;

/// Every command on the example data, with groups.
const COMMANDS: [&[&str]; 4] = [
    &[
        "survey",
        "data/example_survey.csv",
        "--importance",
        "data/example_importance.csv",
        "--by",
        "site",
    ],
    &[
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
    ],
    &[
        "compliance",
        "data/example_events.csv",
        "--standards",
        "data/example_hard_standards.csv",
        "--by",
        "site",
    ],
    &[
        "sqi",
        "data/example_incidents.csv",
        "--volume",
        "data/example_volume.csv",
        "--by",
        "site",
        "--period",
        "month",
        "--max-points",
        "700",
    ],
];

fn stdout(args: &[&str]) -> String {
    let out = servgap()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "servgap {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON document of a run that may fail its checks (exit 1).
fn json_of(args: &[&str]) -> Value {
    let text = stdout(&[args, &["--format", "json"]].concat());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON rows behind a data table: the top-level array (with `(all)`
/// for each group column when the command has groups) and each group's.
fn json_rows(doc: &Value, table: &str, by: &[&str]) -> Vec<BTreeMap<String, Value>> {
    let mut rows = Vec::new();
    if table == "pairs" {
        // nested in comparisons[]: a row per pair, with its dimension and
        // the groups' values
        let values = |g: &Value| {
            let v: Vec<String> = g
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, v)| v.as_str().unwrap_or_default().to_string())
                .collect();
            Value::String(v.join(" × "))
        };
        for c in doc["comparisons"].as_array().into_iter().flatten() {
            for p in c["pairs"].as_array().into_iter().flatten() {
                let mut r: BTreeMap<String, Value> = p
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                r.insert("dimension".into(), c["dimension"].clone());
                r.insert("a".into(), values(&p["a"]));
                r.insert("b".into(), values(&p["b"]));
                rows.push(r);
            }
        }
        return rows;
    }
    let objects = |v: &Value| -> Vec<BTreeMap<String, Value>> {
        match v {
            Value::Array(a) => a
                .iter()
                .filter_map(|r| r.as_object())
                .map(|o| o.clone().into_iter().collect())
                .collect(),
            Value::Object(o) => vec![o.clone().into_iter().collect()],
            _ => vec![],
        }
    };
    for mut r in objects(&doc[table]) {
        if let Some(n) = doc.get("respondents") {
            r.entry("respondents".into()).or_insert(n.clone());
        }
        if doc["groups"].is_array() && doc["schema"] != "servgap/sqi/v1" {
            for b in by {
                r.entry((*b).to_string())
                    .or_insert(Value::String("(all)".into()));
            }
        }
        rows.push(r);
    }
    if doc["schema"] == "servgap/sqi/v1" {
        return rows;
    }
    for g in doc["groups"].as_array().into_iter().flatten() {
        for mut r in objects(&g[table]) {
            for (k, v) in g.as_object().into_iter().flatten() {
                if v.is_string() {
                    r.insert(k.clone(), v.clone());
                }
            }
            if let Some(n) = g.get("respondents") {
                r.entry("respondents".into()).or_insert(n.clone());
            }
            rows.push(r);
        }
    }
    rows
}

/// Whether a table cell's text says what the JSON value does.
fn same(text: &str, v: &Value) -> bool {
    match v {
        Value::Null => text.is_empty(),
        Value::Bool(b) => text == b.to_string(),
        Value::Number(n) => {
            let want = n.as_f64().unwrap_or(f64::NAN);
            text.parse::<f64>()
                .is_ok_and(|got| got == want || (got - want).abs() <= 1e-12 * want.abs())
        }
        Value::String(s) => text == s || text == format!("'{s}"),
        _ => true,
    }
}

#[test]
fn csv_is_one_plain_table_of_json_fields_for_every_table_of_every_command() {
    for args in COMMANDS {
        let doc = json_of(args);
        let names = stdout(&[args, &["--table", "list"]].concat());
        let by: Vec<&str> = args
            .windows(2)
            .filter(|w| w[0] == "--by")
            .map(|w| w[1])
            .collect();
        for line in names.lines() {
            let table = line.split('\t').next().unwrap_or_default();
            let csv = stdout(&[args, &["--format", "csv", "--table", table]].concat());
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let header: Vec<String> = reader
                .headers()
                .unwrap_or_else(|e| panic!("{table}: {e}"))
                .iter()
                .map(String::from)
                .collect();
            let rows: Vec<csv::StringRecord> = reader
                .records()
                .map(|r| r.unwrap_or_else(|e| panic!("{table}: {e}")))
                .collect();
            if table == "checks" {
                // a row per breach: the breach's fields beside the check's
                continue;
            }
            let want = json_rows(&doc, table, &by);
            assert_eq!(rows.len(), want.len(), "{} {table}: rows", args[0]);
            for (row, w) in rows.iter().zip(&want) {
                for (name, text) in header.iter().zip(row.iter()) {
                    let v = w
                        .get(name)
                        .or_else(|| w.get("categories").and_then(|c| c.get(name)));
                    let v = v.unwrap_or_else(|| {
                        panic!("{} {table}: column {name} is no JSON field", args[0])
                    });
                    assert!(
                        same(text, v),
                        "{} {table}.{name}: CSV {text:?}, JSON {v}",
                        args[0]
                    );
                }
            }
        }
    }
}

#[test]
fn the_main_table_is_written_without_table_and_bom_is_for_excel() {
    let csv = stdout(&["survey", "data/example_survey.csv", "--format", "csv"]);
    assert!(csv.starts_with("item,dimension,n,mean_e"), "{csv}");
    assert_eq!(csv.lines().count(), 23, "a header and 22 items");
    let bom = stdout(&[
        "sqi",
        "data/example_incidents.csv",
        "--format",
        "csv",
        "--bom",
    ]);
    assert!(bom.starts_with("\u{feff}period,points,days"), "{bom}");
    servgap()
        .args([
            "survey",
            "data/example_survey.csv",
            "--format",
            "csv",
            "--table",
            "periods",
        ])
        .assert()
        .code(2)
        .stderr(contains("no table 'periods'"))
        .stderr(contains("items, dimensions, servqual"));
    servgap()
        .args(["survey", "data/example_survey.csv", "--table", "items"])
        .assert()
        .code(2)
        .stderr(contains("--table picks the table of --format csv"));
}

#[test]
fn the_output_extension_picks_the_format() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (ext, starts) in [
        ("json", "{"),
        ("csv", "item,dimension"),
        ("md", "# SERVQUAL"),
        ("txt", "Items\n┌"),
        ("xlsx", "PK"),
    ] {
        let out = dir.path().join(format!("out.{ext}"));
        servgap()
            .args(["survey", "data/example_survey.csv", "-o"])
            .arg(&out)
            .assert()
            .code(0);
        let bytes = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
        assert!(bytes.starts_with(starts.as_bytes()), "{ext}");
    }
    // --format wins
    let out = dir.path().join("x.csv");
    servgap()
        .args([
            "survey",
            "data/example_survey.csv",
            "--format",
            "json",
            "-o",
        ])
        .arg(&out)
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(&out)
        .unwrap_or_default()
        .starts_with('{'));
}

#[test]
fn the_workbook_holds_every_table_with_the_json_figures() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("survey.xlsx");
    let args = [
        "survey",
        "data/example_survey.csv",
        "--importance",
        "data/example_importance.csv",
    ];
    servgap().args(args).arg("-o").arg(&path).assert().code(0);
    let doc = json(&args);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        book.sheet_names(),
        [
            "items",
            "dimensions",
            "servqual",
            "ipa",
            "reliability",
            "notes"
        ]
    );
    let items = book
        .worksheet_range("items")
        .unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<&[Data]> = items.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..4], ["item", "dimension", "n", "mean_e"]);
    let json_items = doc["items"].as_array().unwrap_or_else(|| unreachable!());
    assert_eq!(rows.len() - 1, json_items.len());
    for (row, item) in rows[1..].iter().zip(json_items) {
        for (name, cell) in header.iter().zip(row.iter()) {
            match (cell, &item[name]) {
                (Data::String(s), Value::String(w)) => assert_eq!(s, w),
                (Data::Float(x), Value::Number(w)) => {
                    assert_relative_eq!(*x, w.as_f64().unwrap_or(f64::NAN), max_relative = 1e-15)
                }
                (Data::Empty, Value::Null) => {}
                (c, w) => panic!("items.{name}: workbook {c:?}, JSON {w}"),
            }
        }
    }
    // the notes sheet carries the row counts
    let notes = book
        .worksheet_range("notes")
        .unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = notes.rows().map(|r| r[0].to_string()).collect();
    assert!(
        text.iter()
            .any(|l| l.contains("rows read 6600, used 6600, rejected 0")),
        "{text:?}"
    );
}

#[test]
fn terminal_tables_fit_their_width_and_wide_shows_everything() {
    let args = ["survey", "data/example_survey.csv", "--by", "site"];
    let width = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with('│'))
            .map(unicode_width::UnicodeWidthStr::width)
            .filter(|&w| w > 0)
            .collect::<Vec<_>>()
    };
    for cols in [80usize, 100, 120] {
        let out = servgap()
            .args(args)
            .env("COLUMNS", cols.to_string())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&out.stdout);
        let table_lines: Vec<&str> = text.lines().filter(|l| l.starts_with(['│', '┌'])).collect();
        assert!(!table_lines.is_empty());
        for l in table_lines {
            assert!(
                unicode_width::UnicodeWidthStr::width(l) <= cols,
                "{cols}: {l}"
            );
        }
        assert!(text.contains("--wide shows every column"), "{cols}");
    }
    // not a terminal and no COLUMNS: 100 columns
    let plain = stdout(&args);
    assert!(plain
        .lines()
        .filter(|l| l.starts_with('│'))
        .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 100));
    let wide = stdout(&[&args[..], &["--wide"]].concat());
    let header = wide.lines().nth(2).unwrap_or_default();
    let cells: Vec<&str> = header
        .split(['┆', '│'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert!(cells.contains(&"t") && cells.contains(&"sd"), "{header}");
    assert!(!wide.contains("not shown"));
    assert!(width(&wide).iter().max() > width(&plain).iter().max());
}

#[test]
fn a_tiny_p_value_is_scientific_in_every_format() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // 400 respondents whose P is one below E on q01: t is huge, p tiny
    let mut text = String::from("respondent_id,item,expectation,perception\n");
    for r in 0..400 {
        let e = 5 + r % 3;
        let p = e - 1 - (r % 2);
        text.push_str(&format!("R{r},q01,{e},{p}\n"));
    }
    let path = write(&dir, "tiny.csv", text);
    let doc = json(&["survey", &path]);
    let p = doc["items"][0]["p_value"].as_f64().unwrap_or(f64::NAN);
    assert!(p > 0.0 && p < 1e-100, "{p}");
    let csv = stdout(&["survey", &path, "--format", "csv"]);
    let cell = csv.lines().nth(1).unwrap_or_default().rsplit(',').next();
    let cell = cell.unwrap_or_default();
    assert!(cell.contains("e-"), "{cell}");
    assert_eq!(cell.parse::<f64>().ok(), Some(p));
    let table = stdout(&["survey", &path, "--wide"]);
    assert!(table.contains(&format!("{p:.1e}")), "{table}");
}

/// The examples under `--help` that use the bundled data, joined at their
/// `\` line ends.
fn help_examples(command: &str) -> Vec<Vec<String>> {
    let mut args = vec![command];
    args.retain(|a| !a.is_empty());
    let help = stdout(&[&args[..], &["--help"]].concat());
    let text = help.split("Examples").nth(1).unwrap_or_default();
    let joined = text.replace("\\\n", " ");
    joined
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("servgap ") && l.contains("data/"))
        .map(|l| l.split_whitespace().skip(1).map(String::from).collect())
        .collect()
}

#[test]
fn the_examples_in_the_help_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut ran = 0;
    for command in [
        "",
        "survey",
        "sqi",
        "gaps",
        "compliance",
        "value",
        "chain",
        "report",
        "merge",
    ] {
        let examples = help_examples(command);
        assert!(
            !examples.is_empty() || command.is_empty(),
            "{command}: no examples"
        );
        for args in examples {
            // outputs go to the temporary folder
            let args: Vec<String> = args
                .into_iter()
                .map(|a| {
                    match a.contains('.') && a.parse::<f64>().is_err() && !a.starts_with("data/") {
                        true => dir.path().join(&a).to_string_lossy().into_owned(),
                        false => a,
                    }
                })
                .collect();
            let out = servgap()
                .args(&args)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "servgap {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 12, "{ran} examples");
}

#[test]
fn on_invalid_report_lists_every_invalid_row_once_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = write(
        &dir,
        "bad.csv",
        "respondent_id,item,expectation,perception\nR1,q01,5,4\nR2,q01,9,4\nR3,q99,5,4\nR4,q01,x,4\nR5,q02,5,3\n",
    );
    let out = servgap()
        .args([
            "survey",
            &path,
            "--on-invalid",
            "report",
            "--format",
            "json",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty(), "no output");
    let err = String::from_utf8_lossy(&out.stderr);
    for line in [
        "bad.csv:3: column 3 'expectation': score outside the scale 1-7: '9'",
        "bad.csv:4: column 2 'item'",
        "bad.csv:5: column 3 'expectation': not a number",
        "3 invalid rows: fix them and run again",
    ] {
        assert_eq!(err.matches(line).count(), 1, "{line}\n{err}");
    }
    servgap()
        .args([
            "survey",
            &path,
            "--on-invalid",
            "report",
            "--max-errors",
            "1",
        ])
        .assert()
        .code(3)
        .stderr(contains("the first 1 shown"))
        .stderr(contains("bad.csv:4").not());
    // a valid file runs as usual
    servgap()
        .args([
            "survey",
            "data/example_survey.csv",
            "--on-invalid",
            "report",
        ])
        .assert()
        .code(0);
}

#[test]
fn a_killed_run_leaves_the_old_output_or_the_whole_new_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // a log big enough that writing its CSV takes a while
    let mut log = String::from("date,site,category,count\n");
    for day in 1..=28 {
        for site in 0..400 {
            log.push_str(&format!(
                "2026-02-{day:02},S{site:03},lost,{}\n",
                (day + site) % 5
            ));
        }
    }
    let input = write(&dir, "log.csv", log);
    let target = dir.path().join("out.csv");
    let full = stdout(&["sqi", &input, "--by", "site", "--format", "csv"]);
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_servgap"));
    for wait_ms in [0u64, 2, 5, 10, 20, 40] {
        std::fs::write(&target, "OLD").unwrap_or_else(|e| panic!("{e}"));
        let mut child = std::process::Command::new(&bin)
            .args(["sqi", &input, "--by", "site", "--format", "csv", "-o"])
            .arg(&target)
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read_to_string(&target).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            now == "OLD" || now == full,
            "after {wait_ms} ms: {} bytes",
            now.len()
        );
    }
    // after an error exit, no temporary file is left beside the target
    let bad = write(&dir, "bad.csv", "date,site,category\n2026-13-01,S1,lost\n");
    let clean = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    servgap()
        .args(["sqi", &bad, "-o"])
        .arg(clean.path().join("out.csv"))
        .assert()
        .code(3);
    let left: Vec<_> = std::fs::read_dir(clean.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[cfg(unix)]
#[test]
fn an_output_to_a_device_or_a_pipe_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    // a rename over /dev/null would replace the device with a file
    servgap()
        .args(["chain", "data/example_chain.csv", "-o", "/dev/null"])
        .assert()
        .code(0);
    let kind = std::fs::metadata("/dev/null")
        .unwrap_or_else(|e| panic!("{e}"))
        .file_type();
    assert!(kind.is_char_device(), "/dev/null is no longer a device");
    // a FIFO is read by whoever waits at its other end
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fifo = dir.path().join("out.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        return; // no mkfifo here
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap_or_default())
    };
    servgap()
        .args(["chain", "data/example_chain.csv", "--format", "csv", "-o"])
        .arg(&fifo)
        .assert()
        .code(0);
    let text = reader.join().unwrap_or_default();
    assert!(text.starts_with("link,"), "{text}");
    let kind = std::fs::metadata(&fifo)
        .unwrap_or_else(|e| panic!("{e}"))
        .file_type();
    assert!(kind.is_fifo());
}
