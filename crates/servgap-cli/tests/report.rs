//! `servgap report` through the binary: the example config, flags over
//! the config file, the format from the output's extension, languages,
//! exit codes, and the errors a wrong set of inputs gets.

mod common;

use common::{data, example_report, servgap, write};
use predicates::str::contains;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_example_config_gives_every_section_in_english() {
    let dir = tmp();
    let out = dir.path().join("report.html");
    example_report("en", &out).assert().code(0);
    let page = read(&out);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains(r#"<html lang="en">"#));
    for id in ["summary", "survey", "gaps", "compliance", "sqi"] {
        assert!(page.contains(&format!(r#"id="{id}""#)), "no section {id}");
    }
    // the example's figures: the largest shortfall and the missed standard
    assert!(page.contains("Work on first: Responsiveness (gap −1.37)."));
    assert!(page.contains("Hard standards missed: greet_4min."));
    assert!(page.matches("<svg").count() >= 8, "the charts");
    assert!(!page.contains("<script") && !page.contains("https://"));
    assert!(page.len() < 5 << 20);
}

#[test]
fn flags_override_the_config_file_and_the_extension_picks_the_format() {
    let dir = tmp();
    let out = dir.path().join("summary.md");
    example_report("zh", &out).assert().code(0);
    let md = read(&out);
    assert!(md.starts_with("# 服务质量报告\n\n## 检查结果\n"), "{md}");
    assert!(md.contains("差距1 不了解客户的期望"));
    assert!(
        md.len() < 64 << 10,
        "a CI summary stays small: {} bytes",
        md.len()
    );
    // --format wins over the extension, and a flag's input over the file's
    let hard = write(
        &dir,
        "hard.csv",
        "standard_id,description,metric,op,threshold,target\nanswer_60s,Answered,answer_seconds,<=,60,0.5\n",
    );
    let out = example_report("en", &dir.path().join("summary.html"))
        .args(["--format", "markdown", "--hard-standards", &hard])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = read(&dir.path().join("summary.html"));
    assert!(md.starts_with("# Service quality report"), "{md}");
    assert!(
        md.contains("✅ answer\\_60s") && !md.contains("greet\\_4min"),
        "{md}"
    );
}

#[test]
fn paths_in_a_config_file_are_relative_to_it() {
    let dir = tmp();
    for f in ["example_incidents.csv", "example_volume.csv"] {
        std::fs::copy(data(&format!("data/{f}")), dir.path().join(f))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let cfg = write(
        &dir,
        "servgap.toml",
        "incidents = \"example_incidents.csv\"\nvolume = \"example_volume.csv\"\nincidents-by = [\"site\"]\nperiod = \"month\"\n",
    );
    servgap()
        .args([
            "report",
            "--config",
            &cfg,
            "--lang",
            "en",
            "--format",
            "markdown",
            "--max-points",
            "100",
        ])
        .assert()
        .code(1)
        .stdout(contains("❌ SQI max\\_points ≤ 100.00: FAILED"))
        .stdout(contains("## Service Quality Index"));
}

#[test]
fn the_language_follows_the_locale_with_auto() {
    for (lang, title) in [
        ("zh_CN.UTF-8", "服务质量报告"),
        ("en_US.UTF-8", "Service quality report"),
        ("C", "Service quality report"),
    ] {
        servgap()
            .env_remove("LC_ALL")
            .env("LANG", lang)
            .args([
                "report",
                "--incidents",
                "data/example_incidents.csv",
                "--format",
                "markdown",
            ])
            .assert()
            .code(0)
            .stdout(contains(title));
    }
    servgap()
        .env("LC_ALL", "zh_CN.UTF-8")
        .env("LANG", "en_US.UTF-8")
        .args([
            "report",
            "--incidents",
            "data/example_incidents.csv",
            "--format",
            "markdown",
        ])
        .assert()
        .stdout(contains("服务质量报告"));
}

#[test]
fn a_report_needs_inputs_that_go_together() {
    servgap()
        .args(["report"])
        .assert()
        .code(2)
        .stderr(contains("needs at least one analysis"));
    servgap()
        .args(["report", "--events", "data/example_events.csv"])
        .assert()
        .code(2)
        .stderr(contains("--events needs --hard-standards"));
    servgap()
        .args(["report", "--management", "data/example_management.csv"])
        .assert()
        .code(2)
        .stderr(contains("need the customer survey"));
    let dir = tmp();
    let cfg = write(
        &dir,
        "bad.toml",
        "customers = \"x.csv\"\ncolour = \"red\"\n",
    );
    servgap()
        .args(["report", "--config", &cfg])
        .assert()
        .code(3)
        .stderr(contains("bad.toml:2: not a servgap report config"))
        .stderr(contains("colour"));
}

#[test]
fn a_missed_standard_fails_the_run_only_when_asked() {
    let args = [
        "report",
        "--events",
        "data/example_events.csv",
        "--hard-standards",
        "data/example_hard_standards.csv",
        "--format",
        "markdown",
        "--lang",
        "en",
    ];
    servgap()
        .args(args)
        .assert()
        .code(0)
        .stdout(contains("❌ greet\\_4min"));
    servgap().args(args).arg("--fail-on-miss").assert().code(1);
}
