//! Bad instrument, importance and column-map files: exit code 3 with the
//! file, line and value named.

mod common;

use common::{data, servgap, write};

fn fails(args: &[&str]) -> String {
    let out = servgap()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "stderr: {err}");
    err
}

#[test]
fn importance_errors() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let survey = data("data/example_survey.csv");
    let neg = write(
        &dir,
        "neg.csv",
        "dimension,weight\nTangibles,1\nReliability,-2\n",
    );
    let err = fails(&["survey", &survey, "--importance", &neg]);
    assert!(
        err.contains("neg.csv:3:")
            && err.contains("'weight'")
            && err.contains("'-2'")
            && err.contains("negative"),
        "{err}"
    );
    let zero = write(
        &dir,
        "zero.csv",
        "respondent_id,dimension,points\nC0001,Tangibles,0\nC0001,Empathy,0\n",
    );
    let err = fails(&["survey", &survey, "--importance", &zero]);
    assert!(
        err.contains("zero.csv:2:") && err.contains("'C0001'") && err.contains("sum is zero"),
        "{err}"
    );
    let unknown = write(
        &dir,
        "unknown.csv",
        "dimension,weight\nTangibles,1\nCourtesy,2\n",
    );
    let err = fails(&["survey", &survey, "--importance", &unknown]);
    assert!(
        err.contains("unknown.csv:3:")
            && err.contains("'Courtesy'")
            && err.contains("Tangibles, Reliability"),
        "{err}"
    );
    let dup = write(
        &dir,
        "dup.csv",
        "respondent_id,dimension,points\nC0001,Tangibles,10\nC0001,Tangibles,20\n",
    );
    let err = fails(&["survey", &survey, "--importance", &dup]);
    assert!(
        err.contains("dup.csv:3:") && err.contains("first on line 2"),
        "{err}"
    );
}

#[test]
fn instrument_and_column_map_errors() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let survey = data("data/example_survey.csv");
    let dup = write(&dir, "ins.csv", "item,dimension\nq01,A\nq02,A\nQ01,B\n");
    let err = fails(&["survey", &survey, "--instrument", &dup]);
    assert!(
        err.contains("ins.csv:4:") && err.contains("item 'Q01'") && err.contains("first on line 2"),
        "{err}"
    );
    // the survey names items the instrument lacks
    let small = write(&dir, "small.csv", "item,dimension\nq01,A\n");
    let err = fails(&["survey", &survey, "--instrument", &small]);
    assert!(
        err.contains("example_survey.csv:3:") && err.contains("'q02'"),
        "{err}"
    );
    let wide = write(&dir, "wide.csv", "Q1 expect,Q1 perceive\n5,4\n");
    let map = write(
        &dir,
        "map.csv",
        "column,item,measure\nQ1 expect,q01,expectation\nQ9,q01,perception\n",
    );
    let err = fails(&["survey", &wide, "--columns", &map]);
    assert!(
        err.contains("map.csv:3:") && err.contains("no column 'Q9'"),
        "{err}"
    );
    let map = write(
        &dir,
        "map2.csv",
        "column,item,measure\n1,q01,expectation\n2,q01,feeling\n",
    );
    let err = fails(&["survey", &wide, "--columns", &map]);
    assert!(
        err.contains("map2.csv:3:") && err.contains("'feeling'"),
        "{err}"
    );
    let map = write(
        &dir,
        "map3.csv",
        "column,item,measure\n1,q01,expectation\n7,q01,perception\n",
    );
    let err = fails(&["survey", &wide, "--columns", &map]);
    assert!(
        err.contains("map3.csv:3:") && err.contains("column number 7"),
        "{err}"
    );
}
