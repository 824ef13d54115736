//! Renderer snapshots of `servgap sqi`: table, Markdown and CSV of the
//! hand-worked three-day case (weights a = 2, b = 5, volume per 100), run
//! through the binary and pinned as `insta` snapshots (`tests/snapshots/`).
//! The last day breaks `--max-points 30`, so the runs exit with 1 and the
//! checks table shows the breach. Review an intended change with
//! `cargo insta review`.

mod common;

use common::snapshot_exit;

fn args(format: &str) -> Vec<&str> {
    vec![
        "sqi",
        "data/tests/sqi_small_incidents.csv",
        "--weights",
        "data/tests/sqi_small_weights.csv",
        "--volume",
        "data/tests/sqi_small_volume.csv",
        "--per",
        "100",
        "--by",
        "site",
        "--max-points",
        "30",
        "--format",
        format,
    ]
}

#[test]
fn table() {
    snapshot_exit("sqi_small.table.txt", &args("table"), 1);
}

#[test]
fn markdown() {
    snapshot_exit("sqi_small.md", &args("markdown"), 1);
}

#[test]
fn csv() {
    snapshot_exit("sqi_small.csv", &args("csv"), 1);
}
