//! `servgap value` and `servgap chain` through the binary, against values
//! computed independently with pandas from the example files (the 80/20
//! figures, the Gini, the tiers, the value-weighted gap) and by hand (the
//! chain of seed 000, a small customer file, the errors).

mod common;

use approx::assert_relative_eq;
use common::{data, f, json, row, servgap, write};
use predicates::str::contains;

#[test]
fn the_example_customers_match_pandas() {
    let doc = json(&[
        "value",
        &data("data/example_customers.csv"),
        "--survey",
        &data("data/example_survey.csv"),
    ]);
    assert_eq!(doc["schema"], "servgap/value/v1");
    let p = &doc["concentration"]["profit"];
    assert_relative_eq!(f(p, "top_share"), 0.6774415191068586, max_relative = 1e-12);
    assert_eq!(p["customers_for_80"], 108);
    assert_relative_eq!(f(p, "share_for_80"), 0.3375, max_relative = 1e-12);
    assert_relative_eq!(f(p, "gini"), 0.623598951552081, max_relative = 1e-12);
    let t = &doc["concentration"]["trouble"];
    assert_relative_eq!(f(t, "top_share"), 0.6441717791411042, max_relative = 1e-12);
    assert_eq!(t["customers_for_80"], 103);
    assert_relative_eq!(f(t, "gini"), 0.669663854805726, max_relative = 1e-12);
    let vw = &doc["value_weighted"];
    assert_relative_eq!(
        f(vw, "value_weighted_gap"),
        -0.7985622751581867,
        max_relative = 1e-12
    );
    assert_relative_eq!(f(vw, "unweighted_gap"), -0.7172, max_relative = 1e-12);
    assert_eq!(
        (vw["n"].clone(), vw["survey_unmatched"].clone()),
        (300.into(), 0.into())
    );
    assert_eq!(doc["unprofitable"]["customers"], 33);
    assert_relative_eq!(
        f(&doc["unprofitable"], "net"),
        -1332.12,
        max_relative = 1e-12
    );
    let dls = row(&doc["tiers"], "tier", "demanding_low_service");
    assert_eq!(dls["customers"], 27);
    let big = row(&doc["tiers"], "tier", "big");
    assert_eq!(big["customers"], 64);
    assert_relative_eq!(
        f(big, "mean_gap"),
        -0.8808771929824561,
        max_relative = 1e-12
    );
    assert_eq!(doc["customers"].as_array().map(Vec::len), Some(320));
}

#[test]
fn a_small_file_by_hand() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // profits 50, 30, 10, 5, 5; no service cost, tickets or products:
    // the top (⌈0.2·5⌉ = 1) holds 50%, 80% takes 2 customers
    let path = write(
        &dir,
        "c.csv",
        "customer_id,profit\nc,10\na,50\ne,5\nb,30\nd,5\n",
    );
    let doc = json(&["value", &path]);
    let p = &doc["concentration"]["profit"];
    assert_eq!(p["top_share"], 0.5);
    assert_eq!(p["customers_for_80"], 2);
    // Gini: Σ (2i − 6)·x over 5, 5, 10, 30, 50 = 230, over 5 · 100
    assert_relative_eq!(f(p, "gini"), 0.46, max_relative = 1e-12);
    assert!(
        doc["concentration"]["trouble"]["top_share"].is_null(),
        "no trouble without tickets or costs"
    );
    assert!(doc["unprofitable"]["customers"].is_null());
    assert!(row(&doc["tiers"], "tier", "narrow")["customers"].is_null());
    assert_eq!(row(&doc["tiers"], "tier", "big")["customers"], 1);
    assert!(doc["value_weighted"].is_null());
    // a repeated id names both lines; a bad profit names its cell
    let dup = write(&dir, "d.csv", "customer_id,profit\nA,1\nB,2\nA,3\n");
    servgap()
        .args(["value", &dup])
        .assert()
        .code(3)
        .stderr(contains(
            "d.csv:4: customer 'A' is given twice (first on line 2)",
        ));
    let bad = write(
        &dir,
        "b.csv",
        "customer_id,profit,tickets\nA,1,2\nB,x,1\nC,2,1.5\n",
    );
    servgap()
        .args(["value", &bad])
        .assert()
        .code(3)
        .stderr(contains("b.csv:3: column 2 'profit'"));
    let out = servgap()
        .args(["value", &bad, "--on-invalid", "skip", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (v["rows_read"].clone(), v["rows_rejected"].clone()),
        (3.into(), 2.into())
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("rejected"));
}

#[test]
fn seed_000s_chain_and_the_example_chain() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let one = write(&dir, "one.csv", "link,loss\nstore,0.2\n");
    let doc = json(&["chain", &one]);
    assert_eq!(doc["schema"], "servgap/chain/v1");
    assert_relative_eq!(f(&doc, "delivered"), 0.8, max_relative = 1e-15);
    assert_relative_eq!(f(&doc, "naive_delivered"), 0.96, max_relative = 1e-15);
    assert_relative_eq!(f(&doc, "provision"), 1.25, max_relative = 1e-15);
    // the example: 5%, 8%, 10%, 12% lost; by hand the source's units
    // reach 0.95 · 0.92 · 0.9 · 0.88
    let doc = json(&["chain", &data("data/example_chain.csv"), "--share", "0.3"]);
    let delivered = 0.95 * 0.92 * 0.9 * 0.88;
    assert_relative_eq!(f(&doc, "delivered"), delivered, max_relative = 1e-15);
    assert_relative_eq!(f(&doc["links"][3], "passes"), 0.88, max_relative = 1e-15);
    assert_relative_eq!(f(&doc, "naive_margin"), 0.35, max_relative = 1e-12);
    assert_relative_eq!(
        f(&doc, "customer_pays"),
        1.0 + 0.3 * (1.0 / delivered - 1.0),
        max_relative = 1e-12
    );
    let bad = write(&dir, "bad.csv", "link,loss\na,1\n");
    servgap()
        .args(["chain", &bad])
        .assert()
        .code(3)
        .stderr(contains("bad.csv:2: column 2 'loss'"));
    servgap()
        .args(["chain", &one, "--share", "2"])
        .assert()
        .code(2);
}
