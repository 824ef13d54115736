//! What quality engineers and survey analysts check next, through the
//! binary, each against an independent value: item reliability and group
//! comparisons (pandas and scipy on the example survey; Welch's ANOVA of
//! two groups is the square of their Welch t); Laney's u′ and the run
//! rules (recomputed here from the u-chart's JSON); quarters and years
//! (the months added up); hard-standard scopes and the miss rules (by
//! hand).

mod common;

use approx::assert_relative_eq;
use common::{data, f, json, row, servgap, write};
use predicates::str::contains;
use serde_json::Value;

fn run_json(args: &[&str]) -> Value {
    let out = servgap()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn item_reliability_matches_pandas() {
    let doc = json(&["survey", &data("data/example_survey.csv")]);
    // pandas: the α sample (a complete pair for every item of Tangibles),
    // α of the other three items and the correlation with their sum
    let rel = doc["reliability"]
        .as_array()
        .unwrap_or_else(|| unreachable!());
    let q01 = rel
        .iter()
        .find(|r| r["item"] == "q01" && r["scale"] == "e")
        .unwrap_or_else(|| panic!("q01 e"));
    assert_relative_eq!(
        f(q01, "alpha_if_deleted"),
        0.6362378835806546,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        f(q01, "item_total_r"),
        0.4219790269797309,
        max_relative = 1e-12
    );
    assert_eq!(rel.len(), 22 * 3, "every item on every scale");
}

#[test]
fn group_comparisons_match_scipy_and_the_two_group_identity() {
    let doc = json(&["survey", &data("data/example_survey.csv"), "--by", "site"]);
    let tangibles = row(&doc["comparisons"], "dimension", "Tangibles");
    assert_eq!(tangibles["groups"], 3);
    let pair = &tangibles["pairs"][0];
    assert_eq!(pair["a"]["site"], "上海");
    assert_eq!(pair["b"]["site"], "北京");
    // scipy.stats.ttest_ind(上海, 北京, equal_var=False) on the
    // respondents' Tangibles gaps
    assert_relative_eq!(f(pair, "t"), -2.493317356143342, max_relative = 1e-10);
    assert_relative_eq!(f(pair, "df"), 190.68568248945502, max_relative = 1e-10);
    assert_relative_eq!(
        f(pair, "p_value"),
        0.013506954742765307,
        max_relative = 1e-9
    );
    // Holm: the pair's p-value is the largest of three, so it stays
    assert_relative_eq!(f(pair, "p_holm"), f(pair, "p_value"), max_relative = 1e-12);
    // two groups: Welch's F is t², its df2 the t test's df
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let two: String = std::fs::read_to_string(data("data/example_survey.csv"))
        .unwrap_or_default()
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || !l.contains("广州"))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let path = write(&dir, "two.csv", two);
    let doc = json(&["survey", &path, "--by", "site"]);
    for c in doc["comparisons"].as_array().into_iter().flatten() {
        let p = &c["pairs"][0];
        assert_relative_eq!(f(c, "welch_f"), f(p, "t").powi(2), max_relative = 1e-10);
        assert_relative_eq!(f(c, "df2"), f(p, "df"), max_relative = 1e-10);
        assert_relative_eq!(f(c, "p_value"), f(p, "p_value"), max_relative = 1e-8);
    }
    // a group of one respondent is left out and listed
    let mut text = String::from("respondent_id,site,item,expectation,perception\n");
    for (r, site) in [
        ("R1", "A"),
        ("R2", "A"),
        ("R3", "B"),
        ("R4", "B"),
        ("R5", "C"),
    ] {
        for (i, (e, p)) in ["q01", "q02"].iter().zip([(6, 4), (5, 5)]) {
            let e = e + (r.len() % 2) as i32 + r.as_bytes()[1] as i32 % 2;
            text.push_str(&format!("{r},{site},{i},{e},{p}\n"));
        }
    }
    let path = write(&dir, "small.csv", text);
    let doc = json(&["survey", &path, "--by", "site"]);
    let overall = row(&doc["comparisons"], "dimension", "overall");
    assert_eq!(overall["groups"], 2);
    assert_eq!(overall["excluded"][0]["site"], "C");
}

/// Each row's plotted value and u-chart sigma, from the u-chart's JSON.
fn series(doc: &Value) -> Vec<(String, Option<f64>)> {
    let centre = f(&doc["chart"], "centre");
    doc["periods"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let site = p["site"].as_str().unwrap_or_default().to_string();
            let z = p["ucl"].as_f64().and_then(|ucl| {
                let sigma = (ucl - centre) / 3.0;
                let x = p["points_per_unit"].as_f64()?;
                (sigma > 0.0).then(|| (x - centre) / sigma)
            });
            (site, z)
        })
        .collect()
}

#[test]
fn laney_sigma_z_is_the_mean_moving_range_of_the_u_charts_z() {
    let args = [
        "sqi",
        "data/example_incidents.csv",
        "--volume",
        "data/example_volume.csv",
        "--by",
        "site",
        "--period",
        "week",
    ];
    let u = run_json(&args);
    let laney = run_json(&[&args[..], &["--chart", "laney"]].concat());
    // moving ranges within each site's series, from the u-chart
    let mut last: std::collections::HashMap<String, f64> = Default::default();
    let (mut sum, mut n) = (0.0, 0);
    for (site, z) in series(&u) {
        if let (Some(z), Some(prev)) = (z, last.get(&site)) {
            sum += (z - prev).abs();
            n += 1;
        }
        if let Some(z) = z {
            last.insert(site, z);
        }
    }
    let sigma_z = sum / n as f64 / 1.128;
    assert_eq!(laney["chart"]["type"], "laney");
    assert_eq!(u["chart"]["type"], "u");
    assert!(u["chart"]["sigma_z"].is_null());
    assert_relative_eq!(f(&laney["chart"], "sigma_z"), sigma_z, max_relative = 1e-12);
    let centre = f(&u["chart"], "centre");
    for (pu, pl) in u["periods"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(laney["periods"].as_array().into_iter().flatten())
    {
        let widened = centre + (f(pu, "ucl") - centre) * sigma_z;
        assert_relative_eq!(f(pl, "ucl"), widened, max_relative = 1e-12);
    }
}

/// Western Electric rules on one series, written out plainly.
fn we_rules(z: &[Option<f64>], t: usize) -> Vec<&'static str> {
    let window = |n: usize| -> Option<Vec<f64>> {
        (t + 1 >= n).then(|| {
            z[t + 1 - n..=t]
                .iter()
                .copied()
                .collect::<Option<Vec<f64>>>()
        })?
    };
    let mut out = Vec::new();
    if window(1).is_some_and(|w| w[0].abs() > 3.0) {
        out.push("we1");
    }
    let k_of_n = |k: usize, n: usize, lim: f64| {
        window(n).is_some_and(|w| {
            let c = w[n - 1];
            (c > lim && w.iter().filter(|&&x| x > lim).count() >= k)
                || (c < -lim && w.iter().filter(|&&x| x < -lim).count() >= k)
        })
    };
    if k_of_n(2, 3, 2.0) {
        out.push("we2");
    }
    if k_of_n(4, 5, 1.0) {
        out.push("we3");
    }
    if window(8).is_some_and(|w| w.iter().all(|&x| x > 0.0) || w.iter().all(|&x| x < 0.0)) {
        out.push("we4");
    }
    out
}

#[test]
fn western_electric_signals_match_a_second_reading_of_the_chart() {
    let doc = run_json(&[
        "sqi",
        "data/example_incidents.csv",
        "--volume",
        "data/example_volume.csv",
        "--by",
        "site",
    ]);
    let rows = series(&doc);
    let mut by_site: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, (site, _)) in rows.iter().enumerate() {
        by_site.entry(site.clone()).or_default().push(i);
    }
    let periods = doc["periods"].as_array().unwrap_or_else(|| unreachable!());
    let mut signalled = 0;
    for rows_of_site in by_site.values() {
        let z: Vec<Option<f64>> = rows_of_site.iter().map(|&i| rows[i].1).collect();
        for (t, &i) in rows_of_site.iter().enumerate() {
            let want = we_rules(&z, t);
            let got: Vec<&str> = periods[i]["signals"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(got, want, "row {i}");
            signalled += usize::from(!got.is_empty());
        }
    }
    assert!(signalled > 0, "the example has signals to check");
}

#[test]
fn fail_on_signal_exits_1_naming_period_group_and_rule() {
    servgap()
        .args([
            "sqi",
            "data/example_incidents.csv",
            "--volume",
            "data/example_volume.csv",
            "--by",
            "site",
            "--period",
            "week",
            "--rules",
            "nelson",
            "--check",
            "all",
            "--fail-on-signal",
            "--format",
            "csv",
            "--table",
            "checks",
        ])
        .assert()
        .code(1)
        .stdout(contains(
            "signals,0,all,42,0,false,2026-W14,广州,3,3,n1;n2;n5",
        ))
        .stderr(contains("2026-W14 site=广州: n1;n2;n5"));
    servgap()
        .args([
            "sqi",
            "data/example_incidents.csv",
            "--rules",
            "none",
            "--fail-on-signal",
        ])
        .assert()
        .code(0);
}

#[test]
fn quarters_and_years_add_up_their_months() {
    let args = |period: &str| {
        run_json(&[
            "sqi",
            "data/example_incidents.csv",
            "--volume",
            "data/example_volume.csv",
            "--by",
            "site",
            "--period",
            period,
        ])
    };
    let months = args("month");
    for (period, label) in [("quarter", "2026-Q1"), ("year", "2026")] {
        let doc = args(period);
        let rows = doc["periods"].as_array().unwrap_or_else(|| unreachable!());
        assert_eq!(rows.len(), 3, "{period}");
        for r in rows {
            assert_eq!(r["period"], label);
            let site = r["site"].as_str().unwrap_or_default();
            let of_site: Vec<&Value> = months["periods"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|m| m["site"] == site)
                .collect();
            let sum = |k: &str| of_site.iter().map(|m| f(m, k)).sum::<f64>();
            assert_eq!(f(r, "points"), sum("points"));
            assert_eq!(f(r, "days"), sum("days"));
            assert_eq!(f(r, "volume"), sum("volume"));
            assert_eq!(f(r, "days"), 90.0, "January to March 2026");
        }
    }
}

#[test]
fn a_scope_limits_a_standard_and_certain_misses_need_their_interval() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let standards = write(
        &dir,
        "hard.csv",
        "standard_id,description,metric,op,threshold,target,item,scope\n\
         greet,Greeted within 4 minutes,wait,<=,4,0.9,,channel=store\n\
         answer,Answered within 60 s,answer,<=,60,0.5,, Channel = phone ; site=A\n",
    );
    // store: 3 events, 2 within 4 minutes; phone: 2 events at site A
    let events = write(
        &dir,
        "events.csv",
        "channel,site,wait,answer\nstore,A,3,\nstore,B,5,\nstore,A,2,\nphone,A,,30\nphone,B,,20\nphone,A,,90\n",
    );
    let doc = json(&["compliance", &events, "--standards", &standards]);
    let greet = row(&doc["standards"], "standard_id", "greet");
    // 3 store events; the 3 phone events are out of its scope
    assert_eq!(
        (
            greet["events"].clone(),
            greet["missing"].clone(),
            greet["out_of_scope"].clone()
        ),
        (3.into(), 0.into(), 3.into())
    );
    assert_eq!(greet["compliant"], 2);
    assert_eq!(greet["pass"], false, "2/3 is below 0.9");
    let answer = row(&doc["standards"], "standard_id", "answer");
    // in scope: phone at A (2 events, one within 60 s)
    assert_eq!(
        (answer["events"].clone(), answer["out_of_scope"].clone()),
        (2.into(), 4.into())
    );
    // Wilson 95% for 2 of 3: upper 0.9385 by hand, above 0.9: not a
    // certain miss
    let hi = f(greet, "ci_high");
    assert_relative_eq!(hi, 0.9385, epsilon = 5e-4);
    let certain = json(&[
        "compliance",
        &events,
        "--standards",
        &standards,
        "--miss-rule",
        "certain",
    ]);
    assert_eq!(
        row(&certain["standards"], "standard_id", "greet")["pass"],
        true
    );
    servgap()
        .args([
            "compliance",
            &events,
            "--standards",
            &standards,
            "--fail-on-miss",
        ])
        .assert()
        .code(1);
    // a scope on a column the events lack names the standard's line
    let bad = write(
        &dir,
        "bad.csv",
        "standard_id,description,metric,op,threshold,target,scope\ngreet,G,wait,<=,4,0.9,counter=1\n",
    );
    servgap()
        .args(["compliance", &events, "--standards", &bad])
        .assert()
        .code(3)
        .stderr(contains("standard 'greet'"))
        .stderr(contains("bad.csv:2"))
        .stderr(contains("'counter'"));
}
