//! Renderer snapshots of `servgap gaps` (the hand-worked three-item case,
//! with `--by site`) and `servgap compliance` (the example events, by site),
//! run through the binary and pinned as `insta` snapshots
//! (`tests/snapshots/`); review an intended change with `cargo insta review`.

mod common;

use common::snapshot;

fn gaps(format: &str) -> Vec<&str> {
    vec![
        "gaps",
        "--customers",
        "data/tests/gaps_customers.csv",
        "--instrument",
        "data/tests/gaps_instrument.csv",
        "--management",
        "data/tests/gaps_management.csv",
        "--standards",
        "data/tests/gaps_standards.csv",
        "--delivery",
        "data/tests/gaps_delivery.csv",
        "--by",
        "site",
        "--format",
        format,
    ]
}

fn compliance(format: &str) -> Vec<&str> {
    vec![
        "compliance",
        "data/example_events.csv",
        "--standards",
        "data/example_hard_standards.csv",
        "--by",
        "site",
        "--period",
        "month",
        "--format",
        format,
    ]
}

#[test]
fn gaps_table() {
    snapshot("gaps_small.table.txt", &gaps("table"));
}

#[test]
fn gaps_markdown() {
    snapshot("gaps_small.md", &gaps("markdown"));
}

#[test]
fn gaps_csv() {
    snapshot("gaps_small.csv", &gaps("csv"));
}

#[test]
fn compliance_table() {
    snapshot("compliance_example.table.txt", &compliance("table"));
}

#[test]
fn compliance_markdown() {
    snapshot("compliance_example.md", &compliance("markdown"));
}

#[test]
fn compliance_csv() {
    snapshot("compliance_example.csv", &compliance("csv"));
}
