//! Renderer snapshots: the table, Markdown and CSV output of the hand-worked
//! mini survey, run through the binary and pinned as `insta` snapshots
//! (`tests/snapshots/`); review an intended change with `cargo insta review`.

mod common;

use common::{data, snapshot as check};

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
