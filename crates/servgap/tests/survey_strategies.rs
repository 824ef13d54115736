//! The survey analysis's three accumulation strategies (whole scores, code
//! pairs, running sums; see `survey::accumulate`), each forced on the
//! same small survey and checked against figures worked out by hand, with
//! the strategy counter saying which one ran.

use approx::assert_relative_eq;
use servgap::input::instrument::Instrument;
use servgap::input::survey::{read_survey, SurveyReadOptions};
use servgap::input::{ReadOptions, Source};
use servgap::survey::{analyse_counted, StrategyCounts, SurveyTables};

/// Two dimensions: A (a1, a2) and B (b1).
const INSTRUMENT: &str = "item,dimension\na1,A\na2,A\nb1,B\n";

/// Two respondents; R2 has no perception for a2.
///
/// | resp | a1 E P | a2 E P | b1 E P |
/// |------|--------|--------|--------|
/// | R1   | 5 4    | 6 6    | 3 5    |
/// | R2   | 3 5    | 4 –    | 7 7    |
const SURVEY: [(&str, &str, f64, Option<f64>); 6] = [
    ("R1", "a1", 5.0, Some(4.0)),
    ("R1", "a2", 6.0, Some(6.0)),
    ("R1", "b1", 3.0, Some(5.0)),
    ("R2", "a1", 3.0, Some(5.0)),
    ("R2", "a2", 4.0, None),
    ("R2", "b1", 7.0, Some(7.0)),
];

/// Reads the survey, every score moved by `shift`, with adequate and
/// desired columns when `zone`, and analyses it.
fn analyse(shift: f64, zone: bool) -> (SurveyTables, StrategyCounts) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ins_path = dir.path().join("instrument.csv");
    std::fs::write(&ins_path, INSTRUMENT).unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::from("respondent_id,item,expectation,perception");
    text.push_str(if zone { ",adequate,desired\n" } else { "\n" });
    for (r, item, e, p) in SURVEY {
        let p = p.map_or("NA".to_string(), |p| (p + shift).to_string());
        text.push_str(&format!("{r},{item},{},{p}", e + shift));
        text.push_str(if zone { ",2,6\n" } else { "\n" });
    }
    let path = dir.path().join("survey.csv");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let read = ReadOptions {
        threads: 1,
        ..ReadOptions::default()
    };
    let ins =
        Instrument::load(&ins_path.to_string_lossy(), &read).unwrap_or_else(|e| panic!("{e}"));
    let source = Source::from_arg(&path.to_string_lossy());
    let (data, ins, _) = read_survey(&source, Some(ins), &SurveyReadOptions::default(), &read)
        .unwrap_or_else(|e| panic!("{e}"));
    let (all, _, counts) = analyse_counted(&data, &ins, None).unwrap_or_else(|e| panic!("{e}"));
    (all, counts)
}

/// The figures by hand, scores moved by `shift`:
/// - items: a1 gaps −1, +2 → 0.5; a2 only R1's pair → 0; b1 +2, 0 → 1;
/// - A per respondent: R1 P̄ 5 − Ē 5.5 = −0.5, R2 (a1 only) 5 − 3 = 2 →
///   gap 0.75, Ē (5.5 + 3)/2 = 4.25, P̄ 5;
/// - B: gaps 2, 0 → 1, Ē 5, P̄ 6;
/// - SERVQUAL: (0.75 + 1)/2 = 0.875;
/// - α of A: one complete respondent, none.
fn check(t: &SurveyTables, shift: f64) {
    assert_eq!(t.respondents, 2);
    let gaps: Vec<Option<f64>> = t.items.iter().map(|i| i.gap).collect();
    for (got, want) in gaps.iter().zip([0.5, 0.0, 1.0]) {
        assert_relative_eq!(got.unwrap_or(f64::NAN), want, epsilon = 1e-12);
    }
    assert_eq!(
        t.items.iter().map(|i| i.n).collect::<Vec<_>>(),
        [Some(2), Some(1), Some(2)]
    );
    let a = &t.dimensions[0];
    assert_relative_eq!(a.gap.unwrap_or(f64::NAN), 0.75, epsilon = 1e-12);
    assert_relative_eq!(a.mean_e.unwrap_or(f64::NAN), 4.25 + shift, epsilon = 1e-12);
    assert_relative_eq!(a.mean_p.unwrap_or(f64::NAN), 5.0 + shift, epsilon = 1e-12);
    assert_eq!(a.alpha_gap, None);
    let b = &t.dimensions[1];
    assert_relative_eq!(b.gap.unwrap_or(f64::NAN), 1.0, epsilon = 1e-12);
    assert_relative_eq!(b.mean_e.unwrap_or(f64::NAN), 5.0 + shift, epsilon = 1e-12);
    assert_relative_eq!(
        t.servqual.unweighted.unwrap_or(f64::NAN),
        0.875,
        epsilon = 1e-12
    );
}

#[test]
fn whole_scores_are_counted_as_integer_sums() {
    let (t, counts) = analyse(0.0, false);
    assert_eq!(
        counts,
        StrategyCounts {
            whole: 2,
            pairs: 0,
            general: 0
        }
    );
    check(&t, 0.0);
}

#[test]
fn half_point_scores_are_counted_as_code_pairs() {
    let (t, counts) = analyse(-0.5, false);
    assert_eq!(
        counts,
        StrategyCounts {
            whole: 0,
            pairs: 2,
            general: 0
        }
    );
    check(&t, -0.5);
}

#[test]
fn the_zone_of_tolerance_takes_running_sums() {
    let (t, counts) = analyse(0.0, true);
    assert_eq!(
        counts,
        StrategyCounts {
            whole: 0,
            pairs: 0,
            general: 2
        }
    );
    check(&t, 0.0);
    // a1: adequate 2, desired 6, P̄ (4 + 5)/2 = 4.5: within, MSA 2.5, MSS −1.5
    let a1 = &t.zone[0];
    assert_eq!(a1.item.as_deref(), Some("a1"));
    assert_relative_eq!(a1.mean_p.unwrap_or(f64::NAN), 4.5);
    assert_relative_eq!(a1.msa.unwrap_or(f64::NAN), 2.5);
    assert_relative_eq!(a1.mss.unwrap_or(f64::NAN), -1.5);
}
