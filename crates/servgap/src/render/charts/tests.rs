//! Every chart kind pinned as an `insta` snapshot on small hand-made data,
//! with the labels that test escaping and width: CJK, `<`, `&`, quotes.

use super::*;

fn iv(label: &str, value: f64, low: f64, high: f64) -> Interval {
    Interval {
        label: label.into(),
        value: Some(value),
        low: Some(low),
        high: Some(high),
    }
}

#[test]
fn bars_with_intervals_draw_shortfalls_left_of_zero() {
    let rows = [
        iv("可靠性", -1.09, -1.3, -0.88),
        iv("Tangibles <&>", 0.25, 0.05, 0.45),
        Interval {
            label: "\"none\"".into(),
            value: None,
            low: None,
            high: None,
        },
    ];
    let svg = bars_with_intervals(&rows, "Gap P − E (1–7 scale)", "gaps");
    assert!(svg.contains("Tangibles &lt;&amp;&gt;") && svg.contains("&quot;none&quot;"));
    assert!(!svg.contains("<&>"));
    insta::assert_snapshot!(svg);
}

#[test]
fn dumbbell_and_bands() {
    let pairs = [
        Pair {
            label: "q01 Up-to-date equipment".into(),
            a: Some(6.2),
            b: Some(5.1),
        },
        Pair {
            label: "q02 视觉吸引".into(),
            a: Some(5.0),
            b: Some(5.5),
        },
    ];
    insta::assert_snapshot!(
        "dumbbell",
        dumbbell(&pairs, (1.0, 7.0), "Mean score (1–7)", ("E", "P"), "items")
    );
    let bands_rows = [
        Band {
            label: "q01".into(),
            low: Some(4.0),
            high: Some(6.5),
            value: Some(3.5),
        },
        Band {
            label: "q02".into(),
            low: Some(4.0),
            high: Some(6.0),
            value: Some(5.0),
        },
    ];
    insta::assert_snapshot!(
        "bands",
        bands(
            &bands_rows,
            (1.0, 7.0),
            "Score (1–7)",
            ("zone", "P"),
            "zone"
        )
    );
}

#[test]
fn quadrants_and_grouped_bars() {
    let pts = [
        Point {
            label: "Reliability".into(),
            x: 0.3,
            y: 4.8,
        },
        Point {
            label: "有形性".into(),
            x: 0.1,
            y: 5.6,
        },
    ];
    let q = quadrants(
        &pts,
        (0.2, 5.2),
        ("Importance", "Performance"),
        ["a", "b", "c", "d"],
        "ipa",
    );
    insta::assert_snapshot!("quadrants", q);
    let series = [
        Series {
            name: "Gap 1".into(),
            values: vec![Some(-0.5), None],
        },
        Series {
            name: "Gap 5".into(),
            values: vec![Some(-1.1), Some(0.2)],
        },
    ];
    let g = grouped_bars(
        &["Reliability".into(), "有形性".into()],
        &series,
        "Gap",
        "gaps",
    );
    insta::assert_snapshot!("grouped_bars", g);
}

#[test]
fn control_charts_full_and_small() {
    let pts: Vec<ChartPoint> = (0..5)
        .map(|i| ChartPoint {
            label: format!("2026-03-0{}", i + 1),
            value: if i == 3 { None } else { Some(2.0 + i as f64) },
            ucl: if i == 3 { None } else { Some(6.5) },
            lcl: Some(0.0),
            flagged: i == 4,
        })
        .collect();
    let names = ["points", "limits", "out of control"];
    insta::assert_snapshot!(
        "control_chart",
        control_chart(&pts, Some(3.5), "Points per 1000", names, None, "sqi")
    );
    insta::assert_snapshot!(
        "control_chart_small",
        control_chart(
            &pts,
            Some(3.5),
            "Points",
            names,
            Some("site=S1 <b>"),
            "sqi S1"
        )
    );
}

#[test]
fn pareto_and_targets() {
    let rows = vec![
        ("lost".to_string(), 60.0),
        ("damaged".to_string(), 30.0),
        ("late".to_string(), 10.0),
    ];
    insta::assert_snapshot!(
        "pareto",
        pareto(
            &rows,
            &[0.6, 0.9, 1.0],
            ("Points", "Cumulative share"),
            "pareto"
        )
    );
    let t = [
        Target {
            label: "greet_4min".into(),
            value: Some(0.9),
            low: Some(0.85),
            high: Some(0.94),
            target: 0.95,
        },
        Target {
            label: "answer_call".into(),
            value: Some(0.99),
            low: Some(0.97),
            high: Some(1.0),
            target: 0.95,
        },
    ];
    insta::assert_snapshot!(
        "targets",
        targets(&t, "Compliance", ("compliance", "target"), "compliance")
    );
}
