//! The hostile-input corpus (`data/hostile/`, written by
//! `data/hostile/make_corpus.py`): every reader crossed with what real
//! exports contain when they go wrong, and one case per item of the issue
//! that asked for it, each run through the real binary against its written
//! expectation in `data/hostile/cases.csv` (exit code, what standard error
//! names, JSON figures). Standard error must also stay short: no message
//! echoes a 3 MB value.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

/// One row of the manifest.
#[derive(Debug, serde::Deserialize)]
struct Case {
    case: String,
    args: String,
    stdin: String,
    exit: i32,
    stderr: String,
    json: String,
    expect: String,
}

/// The files too large to commit, written into `tmp` for `{tmp}` in the
/// manifest.
fn write_generated(tmp: &Path) {
    let files = common::root().join("data/hostile/files");
    let huge = "9".repeat(3_000_000);
    for entry in std::fs::read_dir(&files).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if let Some(stem) = name.strip_suffix(".in") {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(tmp.join(stem), text.replace("{huge}", &huge))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // More than a MiB of UTF-8 with CJK labels, then a Latin-1 byte on line
    // 50,002: bad bytes past the part of standard input read first.
    let mut late = String::from("date,site,category\n");
    for _ in 0..50_000 {
        late.push_str("2026-01-01,上海,lost\n");
    }
    let mut bytes = late.into_bytes();
    bytes.extend_from_slice(b"2026-01-02,Caf\xe9,lost\n");
    std::fs::write(tmp.join("late_latin1.csv"), bytes).unwrap_or_else(|e| panic!("{e}"));
    let category = format!("date,category\n2026-01-01,{}\n", "x".repeat(3_000_000));
    std::fs::write(tmp.join("huge_category.csv"), category).unwrap_or_else(|e| panic!("{e}"));
}

/// The value at `path` (keys and array indexes joined by `.`).
fn at<'a>(doc: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(doc, |v, key| match key.parse::<usize>() {
            Ok(i) if v.is_array() => &v[i],
            _ => &v[key],
        })
}

/// Runs one case; the problems found, if any.
fn run(case: &Case, tmp: &Path) -> Vec<String> {
    let tmp = tmp.to_string_lossy();
    let args: Vec<String> = case
        .args
        .split(' ')
        .map(|a| a.replace("{tmp}", &tmp))
        .collect();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("servgap"));
    cmd.args(&args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    let input = match case.stdin.as_str() {
        "" => Vec::new(),
        f => std::fs::read(common::root().join(f.replace("{tmp}", &tmp)))
            .unwrap_or_else(|e| panic!("{f}: {e}")),
    };
    let mut stdin = child.stdin.take();
    let feeder = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(&input); // a reader may stop early
        }
    });
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let _ = feeder.join();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut problems = Vec::new();
    if out.status.code() != Some(case.exit) {
        problems.push(format!(
            "exit {:?}, expected {}",
            out.status.code(),
            case.exit
        ));
    }
    if case.stderr.is_empty() {
        if !stderr.is_empty() {
            problems.push("standard error should be empty".to_string());
        }
    } else {
        for want in case.stderr.split(" && ") {
            if !stderr.contains(want) {
                problems.push(format!("standard error lacks {want:?}"));
            }
        }
    }
    if stderr.len() > 2048 {
        problems.push(format!("standard error is {} bytes long", stderr.len()));
    }
    if !case.json.is_empty() && out.status.success() {
        match serde_json::from_slice::<Value>(&out.stdout) {
            Err(e) => problems.push(format!("stdout is not JSON: {e}")),
            Ok(doc) => {
                for check in case.json.split(';') {
                    let Some((path, want)) = check.split_once('=') else {
                        problems.push(format!("bad check {check:?}"));
                        continue;
                    };
                    let want: Value = serde_json::from_str(want)
                        .unwrap_or_else(|e| panic!("{}: check {check}: {e}", case.case));
                    let got = at(&doc, path);
                    let same = match (got.as_f64(), want.as_f64()) {
                        (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                        _ => *got == want,
                    };
                    if !same {
                        problems.push(format!("{path} is {got}, expected {want}"));
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        let first = stderr.lines().next().unwrap_or("");
        problems.push(format!(
            "(stderr: {})",
            first.chars().take(300).collect::<String>()
        ));
    }
    problems
}

#[test]
fn every_case_of_the_corpus_meets_its_written_expectation() {
    let manifest = common::root().join("data/hostile/cases.csv");
    let mut reader = csv::Reader::from_path(&manifest).unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<Case> = reader
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() > 300, "the corpus has {} cases", cases.len());
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write_generated(tmp.path());
    // four at a time: most cases are a process start
    let chunk = cases.len().div_ceil(4);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                let tmp = tmp.path();
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|c| {
                            let problems = run(c, tmp);
                            (!problems.is_empty()).then(|| {
                                format!(
                                    "{} ({}): {}\n  servgap {}",
                                    c.case,
                                    c.expect,
                                    problems.join("; "),
                                    c.args
                                )
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|_| vec!["a worker panicked".into()])
            })
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A named FIFO and a process substitution (`<(cat f.csv)`, a pipe under
/// `/dev/fd`) are read as streams, not seeked: the same figures as the file.
#[cfg(unix)]
#[test]
fn fifos_and_pipes_are_read_as_streams() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fifo = dir.path().join("incidents.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(made.success());
    let log = common::root().join("data/example_incidents.csv");
    let volume = common::data("data/example_volume.csv");
    let writer = {
        let (fifo, log) = (fifo.clone(), log.clone());
        std::thread::spawn(move || {
            let bytes = std::fs::read(log).unwrap_or_else(|e| panic!("{e}"));
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(fifo)
                .unwrap_or_else(|e| panic!("{e}"));
            let _ = f.write_all(&bytes);
        })
    };
    let args = ["sqi", "--volume", &volume, "--by", "site"];
    let through_fifo = common::json(&[&args[..], &[&fifo.to_string_lossy()]].concat());
    let _ = writer.join();
    let from_file = common::json(&[&args[..], &[&log.to_string_lossy()]].concat());
    assert_eq!(through_fifo["periods"], from_file["periods"]);
    assert_eq!(through_fifo["rows_read"], 3823);
    // bash's process substitution, where bash is there
    if Path::new("/bin/bash").exists() {
        let script = format!(
            "exec \"$0\" sqi <(cat '{}') --volume '{volume}' --by site --format json",
            log.display()
        );
        let out = std::process::Command::new("/bin/bash")
            .arg("-c")
            .arg(script)
            .arg(assert_cmd::cargo::cargo_bin("servgap"))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc["periods"], from_file["periods"]);
    }
}
