//! Renderer snapshots: the table, Markdown and CSV output of the hand-worked
//! mini survey, pinned in data/tests/snapshots/. After an intended change,
//! regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test survey_snapshots`
//! and review the diff.

mod common;

use common::{data, servgap};

fn check(name: &str, args: &[&str]) {
    let out = servgap()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // paths differ between machines: the footer names the file relative to the root
    let got = String::from_utf8_lossy(&out.stdout)
        .replace(&common::root().to_string_lossy().into_owned(), "<root>");
    let path = common::root().join("data/tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap_or(&path)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, &got).unwrap_or_else(|e| panic!("{e}"));
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_SNAPSHOTS=1)", path.display()));
    assert_eq!(got, want, "snapshot {name} differs");
}

fn mini(format: &str) -> Vec<String> {
    [
        "survey",
        "data/tests/mini_long.csv",
        "--instrument",
        "data/tests/mini_instrument.csv",
        "--importance",
        "data/tests/mini_points.csv",
        "--by",
        "site",
        "--format",
        format,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn table_snapshot() {
    let a = mini("table");
    check(
        "mini.table.txt",
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
    );
}

#[test]
fn markdown_snapshot() {
    let a = mini("markdown");
    check("mini.md", &a.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn csv_snapshot() {
    let a = mini("csv");
    check(
        "mini.csv",
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
    );
}

#[test]
fn zone_table_snapshot() {
    let _ = data("");
    check(
        "zone.table.txt",
        &[
            "survey",
            "data/tests/zone_long.csv",
            "--instrument",
            "data/tests/mini_instrument.csv",
        ],
    );
}
