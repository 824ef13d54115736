//! Encodings, forms and streams give identical figures; every kind of bad
//! input gives exit code 3 and a message naming file, line, column and
//! value; usage and I/O errors give 2 and 4; nothing is half-written.

mod common;

use std::io::Write;

use common::{data, json, servgap, write};
use serde_json::Value;

const EXAMPLE: &str = "data/example_survey.csv";

fn figures(doc: &Value) -> Vec<Value> {
    [
        "items",
        "dimensions",
        "servqual",
        "groups",
        "ipa",
        "rows_read",
        "rows_used",
    ]
    .iter()
    .map(|k| doc[*k].clone())
    .collect()
}

#[test]
fn utf8_bom_gb18030_and_stdin_give_identical_figures() {
    let text = std::fs::read_to_string(data(EXAMPLE)).unwrap_or_default();
    assert!(text.contains("广州"), "the example holds CJK site names");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    let gb_path = write(&dir, "gb.csv", &gb);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let bom_path = write(&dir, "bom.csv", &bom);
    let base = json(&["survey", &data(EXAMPLE), "--by", "site"]);
    let gb_doc = json(&["survey", &gb_path, "--by", "site"]);
    assert_eq!(gb_doc["inputs"]["encoding"], "gb18030");
    assert_eq!(figures(&base), figures(&gb_doc));
    let bom_doc = json(&["survey", &bom_path, "--by", "site"]);
    assert_eq!(figures(&base), figures(&bom_doc));
    // explicit --encoding gb18030 on the same bytes
    let named = json(&["survey", &gb_path, "--by", "site", "--encoding", "gb18030"]);
    assert_eq!(figures(&base), figures(&named));
    // standard input, GB18030 detected by sniffing
    let out = servgap()
        .args(["survey", "-", "--by", "site", "--format", "json"])
        .write_stdin(gb.to_vec())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdin_doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(stdin_doc["inputs"]["survey"], "<stdin>");
    assert_eq!(figures(&base), figures(&stdin_doc));
}

#[test]
fn parallel_and_single_threaded_reads_agree_on_a_large_file() {
    // Replicate the example to several MiB so the reader splits it across threads.
    let text = std::fs::read_to_string(data(EXAMPLE)).unwrap_or_default();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let body: Vec<&str> = lines.collect();
    let mut big = header + "\n";
    for copy in 0..40 {
        for l in &body {
            big.push_str(&format!("K{copy}{l}\n"));
        }
    }
    assert!(big.len() > 8 << 20);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write(&dir, "big.csv", big.as_bytes());
    let one = json(&["survey", &p, "--by", "segment", "--threads", "1"]);
    let two = json(&["survey", &p, "--by", "segment", "--threads", "2"]);
    let three = json(&["survey", &p, "--by", "segment", "--threads", "3"]);
    assert_eq!(one["rows_read"], 264_000);
    // sums may be added in another order: compare to 1e-12
    for other in [&two, &three] {
        compare_close(&one, other, "");
    }
}

fn compare_close(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            // a test statistic's p-value magnifies the last bits of the
            // running sums it comes from
            let tolerance = match path.contains(".comparisons") {
                true => 1e-9,
                false => 1e-12,
            };
            assert!(
                (x - y).abs() <= tolerance * x.abs().max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            x.iter()
                .zip(y)
                .enumerate()
                .for_each(|(i, (x, y))| compare_close(x, y, &format!("{path}[{i}]")));
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                if k != "inputs" {
                    compare_close(v, &y[k], &format!("{path}.{k}"));
                }
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

/// Runs `servgap survey FILE ARGS` on `body`, expects `code`, returns stderr.
fn fails(body: &str, args: &[&str], code: i32) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write(&dir, "bad.csv", body.as_bytes());
    let out = servgap()
        .arg("survey")
        .arg(&p)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(out.stdout.is_empty(), "no result on failure");
    err
}

const HEAD: &str = "respondent_id,segment,item,expectation,perception\n";

#[test]
fn out_of_scale_names_file_line_column_value() {
    let err = fails(&format!("{HEAD}R1,a,q01,5,4\nR1,a,q02,9,4\n"), &[], 3);
    assert!(err.contains("bad.csv:3:"), "{err}");
    assert!(err.contains("column 4 'expectation'"), "{err}");
    assert!(
        err.contains("'9'") && err.contains("outside the scale 1-7"),
        "{err}"
    );
    // the same value is fine on a 1-9 scale
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write(
        &dir,
        "ok.csv",
        format!("{HEAD}R1,a,q01,5,4\nR1,a,q02,9,4\n").as_bytes(),
    );
    servgap()
        .args(["survey", &p, "--scale", "1-9"])
        .assert()
        .success();
}

#[test]
fn not_a_number_and_unknown_item() {
    let err = fails(&format!("{HEAD}R1,a,q01,5,four\n"), &[], 3);
    assert!(
        err.contains(":2:") && err.contains("column 5 'perception'") && err.contains("'four'"),
        "{err}"
    );
    let err = fails(&format!("{HEAD}R1,a,q01,5,4\nR1,a,q99,5,4\n"), &[], 3);
    assert!(
        err.contains(":3:")
            && err.contains("column 3 'item'")
            && err.contains("'q99'")
            && err.contains("servqual22"),
        "{err}"
    );
}

#[test]
fn duplicate_rows_name_both_lines() {
    let err = fails(
        &format!("{HEAD}R1,a,q01,5,4\nR1,a,q02,5,4\nR1,a,q01,6,6\n"),
        &[],
        3,
    );
    assert!(
        err.contains(":4:")
            && err.contains("first on line 2")
            && err.contains("respondent 'R1' item 'q01'"),
        "{err}"
    );
    // wide form: the same respondent twice
    let err = fails(
        "respondent_id,e_q01,p_q01\nR1,5,4\nR2,5,5\nR1,4,4\n",
        &[],
        3,
    );
    assert!(
        err.contains(":4:") && err.contains("first on line 2") && err.contains("respondent 'R1'"),
        "{err}"
    );
}

#[test]
fn duplicates_across_a_thread_split_name_both_lines() {
    // Respondent R1's q01 at the top and again at the bottom of a file large enough to split.
    let mut body = String::from(HEAD);
    body.push_str("R1,a,q01,5,4\n");
    for r in 2..40_000 {
        for q in 1..=22 {
            body.push_str(&format!("R{r},a,q{q:02},5,4\n"));
        }
    }
    let lines = body.lines().count() + 1;
    body.push_str("R1,a,q01,6,6\n");
    let err = fails(&body, &[], 3);
    assert!(
        err.contains(&format!(":{lines}:")) && err.contains("first on line 2"),
        "{err}"
    );
}

#[test]
fn ragged_rows_and_inconsistent_groups() {
    let err = fails(&format!("{HEAD}R1,a,q01,5,4\nR1,a,q02,5\n"), &[], 3);
    assert!(
        err.contains(":3:") && err.contains("4 fields but the header has 5"),
        "{err}"
    );
    let err = fails(
        &format!("{HEAD}R1,a,q01,5,4\nR1,b,q02,5,4\n"),
        &["--by", "segment"],
        3,
    );
    assert!(
        err.contains(":3:") && err.contains("'b'") && err.contains("'a'"),
        "{err}"
    );
}

#[test]
fn missing_columns_and_unknown_group_column() {
    let err = fails("respondent_id,item,expectation\nR1,q01,5\n", &[], 3);
    assert!(err.contains("no perception"), "{err}");
    let err = fails(&format!("{HEAD}R1,a,q01,5,4\n"), &["--by", "region"], 3);
    assert!(err.contains("no column 'region'"), "{err}");
    let err = fails("a,b\n1,2\n", &[], 3);
    assert!(err.contains("cannot tell the survey form"), "{err}");
}

#[test]
fn skip_mode_counts_every_rejected_row() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let body = format!("{HEAD}R1,a,q01,5,4\nR1,a,q02,9,4\nR1,a,q03,x,4\nR1,a,q01,5,5\nR2,a,q01,6,5\nR2,a,q77,1,1\n");
    let p = write(&dir, "skip.csv", body.as_bytes());
    let doc = json(&["survey", &p, "--on-invalid", "skip"]);
    assert_eq!(doc["rows_read"], 6);
    assert_eq!(doc["rows_used"], 2);
    assert_eq!(doc["rows_rejected"], 4);
    let reasons: Vec<String> = doc["rejections"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| r["reason"].as_str().unwrap_or("").to_string())
        .collect();
    for r in [
        "score outside the scale",
        "not a number",
        "duplicate respondent × item",
        "unknown item",
    ] {
        assert!(
            reasons.iter().any(|x| x == r),
            "missing reason {r} in {reasons:?}"
        );
    }
    // q01 uses R1's first row and R2: gaps -1 and -1
    let q01 = common::row(&doc["items"], "item", "q01");
    assert_eq!(q01["n"], 2);
}

#[test]
fn usage_and_io_errors_have_their_own_codes() {
    servgap()
        .args(["survey", &data(EXAMPLE), "--scale", "seven"])
        .assert()
        .code(2);
    servgap()
        .args(["survey", &data(EXAMPLE), "--encoding", "klingon"])
        .assert()
        .code(2);
    servgap()
        .args(["survey", &data(EXAMPLE), "--no-such-flag"])
        .assert()
        .code(2);
    servgap()
        .args(["survey", "data/does-not-exist.csv"])
        .assert()
        .code(4);
    servgap().arg("--help").assert().code(0);
}

#[test]
fn output_is_written_atomically_and_never_half() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("report.json");
    let out_s = out.to_string_lossy().into_owned();
    servgap()
        .args([
            "survey",
            &data(EXAMPLE),
            "--format",
            "json",
            "--output",
            &out_s,
        ])
        .assert()
        .success()
        .stdout("");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap_or_default()).unwrap_or(Value::Null);
    assert_eq!(doc["schema"], "servgap/survey/v1");
    #[cfg(unix)]
    {
        // an ordinary file, not the temporary file's private mode
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o644);
    }
    // a failing run leaves the earlier file as it was, and no temporary files
    let bad = write(&dir, "bad.csv", format!("{HEAD}R1,a,q01,5,99\n").as_bytes());
    servgap()
        .args(["survey", &bad, "--format", "json", "--output", &out_s])
        .assert()
        .code(3);
    let again: Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap_or_default()).unwrap_or(Value::Null);
    assert_eq!(doc, again);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn renderers_table_markdown_csv() {
    let run = |fmt: &str| {
        let out = servgap()
            .args(["survey", &data(EXAMPLE), "--by", "site", "--format", fmt])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Terminal: every line of a table has the same display width, CJK included.
    let table = run("table");
    let block: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("SERVQUAL score"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(block.iter().any(|l| l.contains("广州")));
    let widths: Vec<usize> = block
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(*l))
        .collect();
    assert!(
        widths.windows(2).all(|w| w[0] == w[1]),
        "{widths:?}\n{}",
        block.join("\n")
    );
    assert!(table.contains("rows read 6600, used 6600, rejected 0"));
    // Markdown: headings and right-aligned numbers.
    let md = run("markdown");
    assert!(
        md.contains("## Dimensions") && md.contains("| site | dimension |") && md.contains("---:")
    );
    // CSV: one plain table, the items, with the JSON field names.
    let csv = run("csv");
    assert!(
        csv.starts_with("site,item,dimension,n,mean_e,mean_p,gap,sd,se,ci_low,ci_high,t,p_value\n")
    );
    assert!(!csv.contains("\n\n") && !csv.contains("# "));
}

#[test]
fn csv_output_neutralises_formulas() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write(
        &dir,
        "f.csv",
        format!("{HEAD}R1,=HYPERLINK(1),q01,5,4\nR2,@x,q01,4,4\n").as_bytes(),
    );
    let out = servgap()
        .args(["survey", &p, "--by", "segment", "--format", "csv"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("'=HYPERLINK(1)") && text.contains("'@x"),
        "{text}"
    );
    assert!(!text.contains("\n=HYPERLINK"));
    let _ = std::io::stdout().flush();
}

/// A shuffled long file large enough for the partitioned reader (every thread
/// reads all rows and keeps its share of the respondents).
fn shuffled_big() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(data(EXAMPLE)).unwrap_or_default();
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let body: Vec<&str> = lines.collect();
    let mut rows: Vec<String> = Vec::new();
    for copy in 0..40 {
        rows.extend(body.iter().map(|l| format!("K{copy}{l}")));
    }
    let mut state: u64 = 42;
    shuffle(&mut rows, &mut state);
    (header, rows)
}

/// The next number of a 64-bit LCG (Knuth's MMIX constants).
fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state
}

/// A deterministic Fisher–Yates shuffle driven by [`lcg`].
/// Writes `header` and `rows` as the lines of a file in `dir`; its path.
fn write_rows(dir: &tempfile::TempDir, name: &str, header: &str, rows: &[String]) -> String {
    write(dir, name, format!("{header}\n{}\n", rows.join("\n")))
}

fn shuffle<T>(rows: &mut [T], state: &mut u64) {
    for i in (1..rows.len()).rev() {
        rows.swap(i, (lcg(state) >> 33) as usize % (i + 1));
    }
}

#[test]
fn shuffled_files_read_in_partitions_agree_with_one_thread() {
    let (header, rows) = shuffled_big();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write_rows(&dir, "shuffled.csv", &header, &rows);
    let one = json(&["survey", &p, "--by", "site", "--threads", "1"]);
    let two = json(&["survey", &p, "--by", "site", "--threads", "2"]);
    assert_eq!(two["rows_read"], 264_000);
    assert_eq!(two["respondents"], 12_000);
    compare_close(&one, &two, "");
}

#[test]
fn shuffled_files_report_the_first_bad_line_and_both_duplicate_lines() {
    let (header, mut rows) = shuffled_big();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // a bad value late in the file, another one earlier: the earlier is reported
    let n = rows.len();
    let late = rows[n - 10].clone();
    rows[n - 10] = late
        .rsplit_once(',')
        .map(|(a, _)| format!("{a},8"))
        .unwrap_or_default();
    let early = rows[n / 2].clone();
    rows[n / 2] = early
        .rsplit_once(',')
        .map(|(a, _)| format!("{a},x"))
        .unwrap_or_default();
    let p = write_rows(&dir, "bad.csv", &header, &rows);
    let out = servgap()
        .args(["survey", &p, "--threads", "2"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        err.contains(&format!("bad.csv:{}:", n / 2 + 2)) && err.contains("'x'"),
        "{err}"
    );
    // a duplicated row, far from its first occurrence: both lines named
    let (header, mut rows) = shuffled_big();
    let first = rows[100].clone();
    rows.push(first);
    let p = write_rows(&dir, "dup.csv", &header, &rows);
    let out = servgap()
        .args(["survey", &p, "--threads", "2"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        err.contains(&format!(":{}:", rows.len() + 1)) && err.contains("first on line 102"),
        "{err}"
    );
    // skip mode: the duplicate is counted once, nothing else lost
    let doc = json(&["survey", &p, "--threads", "2", "--on-invalid", "skip"]);
    assert_eq!(doc["rows_read"], rows.len() as u64);
    assert_eq!(doc["rows_rejected"], 1);
}

#[test]
fn shuffled_files_name_the_file_line_of_a_conflict_in_the_second_half() {
    // The partitioned reader keeps each range's lines as the range's own;
    // a group that changes within a respondent near the end of the file
    // must still be reported at its line in the file, in both modes.
    let (header, mut rows) = shuffled_big();
    let n = rows.len();
    let late = n - 50;
    let mut cells: Vec<String> = rows[late].split(',').map(str::to_string).collect();
    let id = cells[0].clone();
    let was = cells[2].clone(); // respondent_id,segment,site,...: site is --by
    cells[2] = "Elsewhere".into();
    rows[late] = cells.join(",");
    let first = 2 + rows
        .iter()
        .position(|r| r.starts_with(&format!("{id},")))
        .unwrap_or(0);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write_rows(&dir, "conflict.csv", &header, &rows);
    let out = servgap()
        .args(["survey", &p, "--by", "site", "--threads", "2"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        err.contains(&format!("conflict.csv:{}:", late + 2))
            && err.contains("'site'")
            && err.contains("'Elsewhere'")
            && err.contains(&format!("was '{was}' on an earlier row (line {first})")),
        "{err}"
    );
    let doc = json(&[
        "survey",
        &p,
        "--by",
        "site",
        "--threads",
        "2",
        "--on-invalid",
        "skip",
    ]);
    assert_eq!(doc["rows_rejected"], 1);
    assert_eq!(
        doc["rejections"][0]["first_line"],
        (late + 2) as u64,
        "{}",
        doc["rejections"]
    );
}

#[test]
fn complete_whole_scores_give_the_same_bits_in_any_row_order_and_thread_count() {
    // 12,000 respondents who answered every item with whole scores: the
    // dimension figures come from exact integer counts, so the sorted file
    // on one thread and the shuffled file read in partitions on two agree
    // to the last bit, and the means are the exact sums over n, rounded once.
    let mut rows: Vec<String> = Vec::new();
    let mut x: u64 = 99;
    let mut e_sum = [0u64; 5];
    let items = [
        "q01", "q02", "q03", "q04", "q05", "q06", "q07", "q08", "q09", "q10", "q11", "q12", "q13",
        "q14", "q15", "q16", "q17", "q18", "q19", "q20", "q21", "q22",
    ];
    // servqual22: tangibles q01–q04, reliability q05–q09, responsiveness
    // q10–q13, assurance q14–q17, empathy q18–q22
    let dim_of = |i: usize| match i {
        0..=3 => 0,
        4..=8 => 1,
        9..=12 => 2,
        13..=16 => 3,
        _ => 4,
    };
    for r in 0..12_000 {
        let seg = ["a", "b", "c"][r % 3];
        for (i, item) in items.iter().enumerate() {
            let x = lcg(&mut x);
            let (e, p) = ((x >> 33) % 7 + 1, (x >> 45) % 7 + 1);
            e_sum[dim_of(i)] += e;
            rows.push(format!("R{r:06},{seg},{item},{e},{p}"));
        }
    }
    let header = "respondent_id,segment,item,expectation,perception";
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let sorted = write_rows(&dir, "sorted.csv", header, &rows);
    shuffle(&mut rows, &mut x);
    let shuffled = write_rows(&dir, "shuffled.csv", header, &rows);
    let one = json(&["survey", &sorted, "--by", "segment", "--threads", "1"]);
    let two = json(&["survey", &shuffled, "--by", "segment", "--threads", "2"]);
    assert_eq!(figures(&one), figures(&two));
    // a dimension mean of E is Σ E / (items × respondents), rounded once
    for (d, sum) in e_sum.iter().enumerate() {
        let k = (0..22).filter(|&i| dim_of(i) == d).count() as f64;
        let want = *sum as f64 / (k * 12_000.0);
        assert_eq!(
            one["dimensions"][d]["mean_e"].as_f64(),
            Some(want),
            "dimension {d}"
        );
    }
}

#[test]
fn shuffled_three_score_files_agree_with_one_thread_and_skip_only_the_duplicate() {
    // adequate, desired, perception: the partitioned reader's quick loop
    // for three scores and one group column (`--by segment`), and its
    // general path for two (`--by segment --by site`); a duplicated row is
    // reported with both lines or, in skip mode, only that row is dropped.
    let (header, rows) = shuffled_big();
    assert_eq!(
        header,
        "respondent_id,segment,site,item,expectation,perception"
    );
    let rows: Vec<String> = rows
        .iter()
        .map(|r| {
            let c: Vec<&str> = r.split(',').collect();
            let e: u32 = c[4].parse().unwrap_or(4);
            let adequate = e.saturating_sub(1).max(1);
            format!(
                "{},{},{},{},{adequate},{e},{}",
                c[0], c[1], c[2], c[3], c[5]
            )
        })
        .collect();
    let header = "respondent_id,segment,site,item,adequate,desired,perception";
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write_rows(&dir, "zone.csv", header, &rows);
    for by in [
        &["--by", "segment"][..],
        &["--by", "segment", "--by", "site"][..],
    ] {
        let run = |threads: &str| {
            let mut args = vec!["survey", &p, "--threads", threads];
            args.extend_from_slice(by);
            json(&args)
        };
        let (one, two) = (run("1"), run("2"));
        assert_eq!(two["rows_used"], 264_000);
        assert_eq!(two["respondents"], 12_000);
        assert_eq!(
            two["zone"].as_array().map(Vec::len),
            Some(27),
            "22 items, 5 dimensions"
        );
        compare_close(&one, &two, "");
    }
    let base = json(&["survey", &p, "--by", "segment", "--threads", "2"]);
    // stderr of a run that must fail on bad input
    let refused = |path: &str| {
        let out = servgap()
            .args(["survey", path, "--by", "segment", "--threads", "2"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(3), "{err}");
        err
    };
    let mut dup = rows.clone();
    // (a row from the middle: a partition's last few records take the
    // general path, the others the quick loop)
    dup.insert(rows.len() - 3, rows[rows.len() / 3].clone());
    let d = write_rows(&dir, "dup.csv", header, &dup);
    let err = refused(&d);
    assert!(
        err.contains(&format!("dup.csv:{}:", rows.len() - 1))
            && err.contains(&format!("first on line {}", rows.len() / 3 + 2)),
        "{err}"
    );
    let skip = json(&[
        "survey",
        &d,
        "--by",
        "segment",
        "--threads",
        "2",
        "--on-invalid",
        "skip",
    ]);
    assert_eq!(skip["rows_read"], 264_001);
    assert_eq!(skip["rows_rejected"], 1);
    assert_eq!(figures(&skip)[..5], figures(&base)[..5]);
    // a respondent whose segment changes on a row two thirds in
    let mut moved = rows.clone();
    let at = 2 * rows.len() / 3;
    let c: Vec<&str> = rows[at].split(',').collect();
    let other = if c[1] == "business" {
        "consumer"
    } else {
        "business"
    };
    moved[at] = [c[0], other]
        .into_iter()
        .chain(c[2..].iter().copied())
        .collect::<Vec<_>>()
        .join(",");
    let first = 2 + rows
        .iter()
        .position(|r| r.starts_with(&format!("{},", c[0])))
        .unwrap_or(0);
    let m = write_rows(&dir, "moved.csv", header, &moved);
    let err = refused(&m);
    assert!(
        err.contains(&format!("moved.csv:{}:", at + 2))
            && err.contains(&format!("'{other}'"))
            && err.contains(&format!("(line {first})")),
        "{err}"
    );
}

#[test]
fn shuffled_usual_layouts_with_no_group_and_two_groups_agree_with_one_thread() {
    // The partitioned reader's line splitter is written per number of
    // group columns: none (id,item,e,p), and two given to `--by` in the
    // other order than the file's (the codes must land by group, not by
    // column).
    let (header, rows) = shuffled_big();
    assert_eq!(
        header,
        "respondent_id,segment,site,item,expectation,perception"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bare: Vec<String> = rows
        .iter()
        .map(|r| {
            let c: Vec<&str> = r.split(',').collect();
            [c[0], c[3], c[4], c[5]].join(",")
        })
        .collect();
    let p = write_rows(
        &dir,
        "bare.csv",
        "respondent_id,item,expectation,perception",
        &bare,
    );
    let one = json(&["survey", &p, "--threads", "1"]);
    let two = json(&["survey", &p, "--threads", "2"]);
    assert_eq!(two["rows_used"], 264_000);
    compare_close(&one, &two, "");
    let p = write_rows(&dir, "two.csv", &header, &rows);
    let by = ["--by", "site", "--by", "segment"];
    let one = json(&[&["survey", &p, "--threads", "1"][..], &by].concat());
    let two = json(&[&["survey", &p, "--threads", "2"][..], &by].concat());
    assert_eq!(two["rows_used"], 264_000);
    assert!(
        two["groups"].as_array().is_some_and(|g| g.len() > 6),
        "{}",
        two["groups"]
    );
    compare_close(&one, &two, "");
}

#[test]
fn shuffled_files_in_the_usual_layout_agree_with_one_thread() {
    // id,segment,item,expectation,perception with `--by segment`: the
    // partitioned reader's line splitter for this layout, with the rows it
    // must hand to the general path mixed in: ids too long to keep inline,
    // a segment of a few respondents only, missing and padded scores, CRLF
    // lines.
    let (_, rows) = shuffled_big();
    let mut text = String::from("respondent_id,segment,item,expectation,perception\n");
    for (i, row) in rows.iter().enumerate() {
        let c: Vec<&str> = row.split(',').collect();
        let id = if c[0].starts_with("K7") {
            format!("a-respondent-id-longer-than-23-bytes-{}", c[0])
        } else {
            c[0].to_string()
        };
        let segment = if c[0].starts_with("K3") {
            "新客户".to_string()
        } else {
            c[1].to_string()
        };
        let (e, p) = match i % 997 {
            0 => ("NA".to_string(), c[5].to_string()),
            1 => (format!(" {}", c[4]), c[5].to_string()),
            _ => (c[4].to_string(), c[5].to_string()),
        };
        let end = if i % 1_009 == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!("{id},{segment},{},{e},{p}{end}", c[3]));
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let p = write(&dir, "usual.csv", text.as_bytes());
    let one = json(&["survey", &p, "--by", "segment", "--threads", "1"]);
    let two = json(&["survey", &p, "--by", "segment", "--threads", "2"]);
    assert_eq!(two["rows_read"], 264_000);
    assert_eq!(two["rows_rejected"], 0);
    assert_eq!(two["respondents"], 12_000);
    assert!(two["groups"].to_string().contains("新客户"));
    compare_close(&one, &two, "");
}

#[test]
fn common_and_unusual_row_formats_give_identical_figures() {
    // The reader has a fast path for common long-form rows; padded values,
    // decimal notation, upper-case item ids and quoted fields take the
    // general path (quotes also switch the block to csv_core). Same data, same figures.
    let text = std::fs::read_to_string(data(EXAMPLE)).unwrap_or_default();
    let mut messy = String::new();
    for (i, l) in text.lines().enumerate() {
        if i == 0 {
            messy.push_str(l);
            messy.push('\n');
            continue;
        }
        let c: Vec<&str> = l.split(',').collect();
        // respondent_id,segment,site,item,expectation,perception
        let row = match i % 5 {
            0 => format!("{},{},{}, {} ,{} ,{}", c[0], c[1], c[2], c[3], c[4], c[5]),
            1 => format!(
                "{},{},{},{},{},{}",
                c[0],
                c[1],
                c[2],
                c[3].to_uppercase(),
                c[4],
                c[5]
            ),
            2 => {
                let e = c[4]
                    .parse::<f64>()
                    .map(|v| format!("{v:.1}"))
                    .unwrap_or_else(|_| c[4].to_string());
                format!("{},{},{},{},{},{}", c[0], c[1], c[2], c[3], e, c[5])
            }
            3 => format!(
                "\"{}\",{},\"{}\",{},{},{}",
                c[0], c[1], c[2], c[3], c[4], c[5]
            ),
            _ => l.to_string(),
        };
        messy.push_str(&row);
        messy.push_str(if i % 7 == 0 { "\r\n" } else { "\n" });
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clean = json(&["survey", &data(EXAMPLE), "--by", "site"]);
    // with quotes (the block goes through csv_core) and without (fast path with fallbacks)
    for (name, body) in [
        ("quoted.csv", messy.clone()),
        ("plain.csv", messy.replace('"', "")),
    ] {
        let p = write(&dir, name, body.as_bytes());
        let got = json(&["survey", &p, "--by", "site"]);
        assert_eq!(figures(&clean), figures(&got), "{name}");
    }
}

/// A respondent's id, segment and (item, expectation, perception) answers.
type Answers = (String, String, Vec<(usize, String, String)>);

/// A sorted long export in the usual layout (`respondent_id,segment,item,
/// expectation,perception`), large enough for two threads, with the rows
/// the line reader must hand to the tokenizer: a missing score, a segment
/// first seen mid-file, a respondent that comes back after others, items
/// out of order, a respondent without its last item, and ids out of order.
/// Returns the long text and the same answers in wide form.
fn sorted_usual_layout() -> (String, String) {
    let items: Vec<String> = (1..=22).map(|i| format!("q{i:02}")).collect();
    let mut state: u64 = 7;
    let mut score = || 1 + (lcg(&mut state) >> 33) % 7;
    let n = 9000;
    let mut answers: Vec<Answers> = Vec::new();
    for r in 0..n {
        // respondents 5000.. are numbered from 90000 down: ids out of order
        let id = if r < 5000 {
            format!("R{r:07}")
        } else {
            format!("R{:07}", 90000 - r)
        };
        let segment = match r {
            4000.. => "新客户",
            _ if r % 3 == 0 => "enterprise",
            _ => "small_business",
        };
        let mut rows: Vec<(usize, String, String)> = (0..22)
            .map(|i| (i, score().to_string(), score().to_string()))
            .collect();
        if r % 97 == 5 {
            rows[7].1 = String::new();
        }
        if r % 89 == 3 {
            rows.swap(3, 4);
        }
        if r % 83 == 11 {
            rows.pop();
        }
        answers.push((id, segment.to_string(), rows));
    }
    let mut long = String::from("respondent_id,segment,item,expectation,perception\n");
    let line = |out: &mut String, a: &Answers, i: usize| {
        let (item, e, p) = &a.2[i];
        out.push_str(&format!("{},{},{},{e},{p}\n", a.0, a.1, items[*item]));
    };
    for (r, a) in answers.iter().enumerate() {
        // respondent 1200 gives its last five rows after respondent 1201
        let upto = if r == 1200 { a.2.len() - 5 } else { a.2.len() };
        for i in 0..upto {
            line(&mut long, a, i);
        }
        if r == 1201 {
            let back = &answers[1200];
            for i in back.2.len() - 5..back.2.len() {
                line(&mut long, back, i);
            }
        }
    }
    let mut wide = String::from("respondent_id,segment");
    for m in ["e", "p"] {
        for it in &items {
            wide.push_str(&format!(",{m}_{it}"));
        }
    }
    wide.push('\n');
    for (id, segment, rows) in &answers {
        let mut e = vec![String::new(); 22];
        let mut p = vec![String::new(); 22];
        for (item, ev, pv) in rows {
            e[*item] = ev.clone();
            p[*item] = pv.clone();
        }
        wide.push_str(&format!("{id},{segment},{},{}\n", e.join(","), p.join(",")));
    }
    (long, wide)
}

#[test]
fn sorted_usual_layout_agrees_with_wide_form_and_one_thread() {
    let (long, wide) = sorted_usual_layout();
    assert!(long.len() > 5 << 20, "two threads need a few MiB");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lp = write(&dir, "long.csv", long.as_bytes());
    let wp = write(&dir, "wide.csv", wide.as_bytes());
    let two = json(&["survey", &lp, "--by", "segment", "--threads", "2"]);
    let one = json(&["survey", &lp, "--by", "segment", "--threads", "1"]);
    let w = json(&["survey", &wp, "--by", "segment", "--threads", "1"]);
    let rows = long.lines().count() as u64 - 1;
    assert_eq!(two["rows_read"], rows);
    assert_eq!(two["rows_used"], rows);
    assert_eq!(two["respondents"], 9000);
    assert_eq!(w["respondents"], 9000);
    compare_close(&one, &two, "");
    // wide rows are respondents, long rows are answers: compare the figures
    for k in ["items", "dimensions", "servqual", "groups", "ipa"] {
        compare_close(&one[k], &w[k], k);
    }
}

#[test]
fn sorted_usual_layout_repeated_item_names_both_lines() {
    let (long, _) = sorted_usual_layout();
    let mut lines: Vec<&str> = long.lines().collect();
    // respondent 2 answers all 22 items, then q01 again right after
    let first = lines
        .iter()
        .position(|l| l.starts_with("R0000002,"))
        .unwrap_or(0);
    let again = lines[first];
    lines.insert(first + 22, again);
    let body = lines.join("\n") + "\n";
    let err = fails(&body, &["--by", "segment", "--threads", "2"], 3);
    assert!(
        err.contains(&format!(":{}:", first + 23))
            && err.contains(&format!("first on line {}", first + 1)),
        "{err}"
    );
}
