//! What the fuzz targets share: each target hands libFuzzer's bytes to one
//! reader of servgap (or to a whole run) through a file, as the command
//! line does, and asserts what must hold whatever the bytes:
//!
//! - no panic (libfuzzer-sys turns any panic, in any thread, into a crash),
//!   and no internal error (`ErrorKind::Internal`: a bug, not bad data);
//! - where the input parses, rows read = rows used + rows rejected;
//! - one thread and two threads give the same result, or the same error.
//!   Built with `cfg(fuzzing)`, the readers split files from 256 bytes on
//!   (4 MB otherwise), so the multi-threaded paths run on fuzz-sized files.
//!
//! Fixed companion files (the instrument, the hard standards, a small
//! incident log) come from `data/tests/` and `data/` of the repository.

use std::path::PathBuf;

use serde_json::Value;
use servgap::compliance::MissRule;
use servgap::input::columns::ColumnMap;
use servgap::input::events::HardStandards;
use servgap::input::gap_inputs::{Ratings, Standards};
use servgap::input::importance::ImportanceFile;
use servgap::input::instrument::Instrument;
use servgap::input::survey::SurveyReadOptions;
use servgap::input::weights::WeightTable;
use servgap::input::{take_reported, OnInvalid, ReadOptions, Source};
use servgap::partial::Partial;
use servgap::period::PeriodKind;
use servgap::{
    pipeline, run_chain, run_compliance, run_sqi, run_survey, run_value, ComplianceConfig, Error,
    ErrorKind, SqiConfig, SurveyConfig, ValueConfig,
};

/// A file of the repository (found from the crate that includes this
/// harness: `fuzz/`, or `crates/servgap/` for the regression test).
fn repo(path: &str) -> Source {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = here
        .ancestors()
        .find(|d| d.join("data/tests/mini_instrument.csv").is_file())
        .unwrap_or(&here);
    Source::Path(root.join(path))
}

/// Every target's name, as `cargo fuzz list` gives them.
pub const TARGETS: [&str; 19] = [
    "chain",
    "columns",
    "customers",
    "events",
    "hard_standards",
    "importance",
    "incidents",
    "instrument",
    "partial",
    "ratings",
    "sqi",
    "standards",
    "survey",
    "survey_long",
    "survey_summary",
    "survey_three_column",
    "survey_wide",
    "volume",
    "weights",
];

/// Runs the target `name` on `data` (what `fuzz_targets/NAME.rs` does);
/// false for an unknown name. The regression test replays saved inputs
/// through it.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "chain" => chain(data),
        "columns" => columns_map(data),
        "customers" => customers(data),
        "events" => events(data),
        "hard_standards" => hard_standards(data),
        "importance" => importance(data),
        "incidents" => incidents(data),
        "instrument" => instrument(data),
        "partial" => partial(data),
        "ratings" => ratings(data),
        "sqi" => sqi_run(data),
        "standards" => standards(data),
        "survey" => survey_run(data),
        "survey_long" => survey_form(b"respondent_id,site,item,expectation,perception\n", data),
        "survey_summary" => survey_form(b"item,site,mean_e,mean_p,n\n", data),
        "survey_three_column" => survey_form(
            b"respondent_id,site,item,adequate,desired,perception\n",
            data,
        ),
        "survey_wide" => survey_form(b"respondent_id,site,e_a1,e_a2,e_b1,p_a1,p_a2,p_b1\n", data),
        "volume" => volume(data),
        "weights" => weights(data),
        _ => return false,
    }
    true
}

/// Writes `bytes` to this process's scratch file `tag` and names it as a
/// source (a regular file: the readers take their multi-threaded paths).
fn scratch(tag: &str, bytes: &[u8]) -> Source {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("servgap-fuzz-{}-{tag}.csv", std::process::id()));
    if let Err(e) = std::fs::write(&path, bytes) {
        panic!("cannot write the scratch file {}: {e}", path.display());
    }
    Source::Path(path)
}

fn opts(threads: usize, on_invalid: OnInvalid) -> ReadOptions {
    ReadOptions {
        threads,
        on_invalid,
        ..ReadOptions::default()
    }
}

/// The mini instrument (items a1, a2 of A; b1 of B), small enough that
/// mutated bytes often name a real item.
fn mini_instrument() -> Instrument {
    match Instrument::read(
        &repo("data/tests/mini_instrument.csv"),
        &ReadOptions::default(),
    ) {
        Ok(i) => i,
        Err(e) => panic!("the fixed instrument does not read: {e}"),
    }
}

/// An error is fine (the bytes are bad); an internal error is a bug.
fn not_internal(e: &Error) {
    if let ErrorKind::Internal(m) = e.kind() {
        panic!("internal error: {m}");
    }
}

/// Whatever a reader returns, as long as it is not a bug.
fn checked<T>(r: Result<T, Error>) -> Option<T> {
    r.map_err(|e| not_internal(&e)).ok()
}

/// Two results as JSON: equal but for the last bits of figures summed in
/// another order (1e-9 relative).
fn agree(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-3),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| agree(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| agree(v, w)))
        }
        _ => a == b,
    }
}

fn json<T: serde::Serialize>(t: &T) -> Value {
    match serde_json::to_value(t) {
        Ok(v) => v,
        Err(e) => panic!("a result does not serialise: {e}"),
    }
}

/// rows_read = rows_used + rows_rejected, and the rejections add up.
fn rows_add_up(v: &Value) {
    let n = |k: &str| v.get(k).and_then(Value::as_u64);
    let (Some(read), Some(used), Some(rejected)) =
        (n("rows_read"), n("rows_used"), n("rows_rejected"))
    else {
        panic!("a result without its row counts");
    };
    assert_eq!(read, used + rejected, "rows read ≠ used + rejected");
    if let Some(Value::Array(reasons)) = v.get("rejections") {
        let total: u64 = reasons
            .iter()
            .filter_map(|r| r.get("count").and_then(Value::as_u64))
            .sum();
        assert_eq!(
            total, rejected,
            "the rejections do not add up to rows_rejected"
        );
    }
}

/// Runs `run` with one and with two threads, under `--on-invalid error`
/// and `skip`, and once under `report`: results agree (as JSON) or both
/// fail with the same message; the row counts add up.
fn one_and_two_threads<T: serde::Serialize>(run: impl Fn(ReadOptions) -> Result<T, Error>) {
    for policy in [OnInvalid::Error, OnInvalid::Skip] {
        let one = run(opts(1, policy));
        let two = run(opts(2, policy));
        match (one, two) {
            (Ok(a), Ok(b)) => {
                let (a, b) = (json(&a), json(&b));
                rows_add_up(&a);
                assert!(agree(&a, &b), "1 and 2 threads differ:\n{a}\n{b}");
            }
            (Err(a), Err(b)) => {
                not_internal(&a);
                not_internal(&b);
                assert_eq!(
                    a.to_string(),
                    b.to_string(),
                    "1 and 2 threads fail differently"
                );
            }
            (Ok(_), Err(e)) | (Err(e), Ok(_)) => {
                panic!("one thread count fails and the other does not: {e}")
            }
        }
    }
    let _ = take_reported();
    if let Some(v) = checked(run(opts(1, OnInvalid::Report))) {
        rows_add_up(&json(&v));
    }
    let _ = take_reported();
}

/// A survey of one form: `header` then the fuzzed rows, on the mini
/// instrument, by site.
pub fn survey_form(header: &[u8], data: &[u8]) {
    let mut bytes = header.to_vec();
    bytes.extend_from_slice(data);
    let source = scratch("survey", &bytes);
    let instrument = mini_instrument();
    one_and_two_threads(|read| {
        let cfg = SurveyConfig {
            read,
            survey: SurveyReadOptions {
                by: vec!["site".into()],
                ..SurveyReadOptions::default()
            },
            instrument: Some(instrument.clone()),
            importance: None,
        };
        run_survey(&source, &cfg)
    });
}

/// A whole survey run on any bytes, header included, with SERVQUAL-22.
pub fn survey_run(data: &[u8]) {
    let source = scratch("survey", data);
    one_and_two_threads(|read| {
        let cfg = SurveyConfig {
            read,
            ..SurveyConfig::default()
        };
        run_survey(&source, &cfg)
    });
}

/// A column map, then the mini wide survey read through it.
pub fn columns_map(data: &[u8]) {
    let source = scratch("columns", data);
    let Some(map) = checked(ColumnMap::load(&source)) else {
        return;
    };
    let survey = repo("data/tests/mini_wide.csv");
    let cfg = SurveyConfig {
        survey: SurveyReadOptions {
            columns: Some(map),
            ..SurveyReadOptions::default()
        },
        instrument: Some(mini_instrument()),
        ..SurveyConfig::default()
    };
    if let Some(r) = checked(run_survey(&survey, &cfg)) {
        rows_add_up(&json(&r));
    }
}

/// An instrument, then the mini long survey against it.
pub fn instrument(data: &[u8]) {
    let source = scratch("instrument", data);
    let Some(ins) = checked(Instrument::read(&source, &ReadOptions::default())) else {
        return;
    };
    let cfg = SurveyConfig {
        instrument: Some(ins),
        ..SurveyConfig::default()
    };
    if let Some(r) = checked(run_survey(&repo("data/tests/mini_long.csv"), &cfg)) {
        rows_add_up(&json(&r));
    }
}

/// Importance weights (either form), then the mini survey weighted by them.
pub fn importance(data: &[u8]) {
    let source = scratch("importance", data);
    let ins = mini_instrument();
    let Some(file) = checked(ImportanceFile::load(&source, &ins, &ReadOptions::default())) else {
        return;
    };
    let cfg = SurveyConfig {
        instrument: Some(ins),
        importance: Some(file),
        ..SurveyConfig::default()
    };
    if let Some(r) = checked(run_survey(&repo("data/tests/mini_long.csv"), &cfg)) {
        rows_add_up(&json(&r));
    }
}

fn scale() -> servgap::input::survey::Scale {
    match pipeline::scale("1-7") {
        Ok(s) => s,
        Err(e) => panic!("scale 1-7: {e}"),
    }
}

/// A management survey or delivery assessment (one reader, by site).
pub fn ratings(data: &[u8]) {
    let source = scratch("ratings", data);
    let ins = mini_instrument();
    let by = ["site".to_string()];
    for by in [&by[..], &[]] {
        checked(Ratings::load(
            &source,
            "the management survey",
            &ins,
            &scale(),
            by,
            &ReadOptions::default(),
        ));
    }
}

/// Service standards (S and the promise C), by item or dimension.
pub fn standards(data: &[u8]) {
    let source = scratch("standards", data);
    let ins = mini_instrument();
    let by = ["site".to_string()];
    for by in [&by[..], &[]] {
        checked(Standards::load(
            &source,
            &ins,
            &scale(),
            by,
            &ReadOptions::default(),
        ));
    }
}

/// Hard standards, then the example events checked against them.
pub fn hard_standards(data: &[u8]) {
    let source = scratch("hard", data);
    let Some(standards) = checked(HardStandards::load(&source, &ReadOptions::default())) else {
        return;
    };
    let cfg = ComplianceConfig {
        read: opts(1, OnInvalid::Skip),
        standards,
        by: Vec::new(),
        period: None,
        miss_rule: MissRule::Point,
    };
    if let Some(r) = checked(run_compliance(&repo("data/example_events.csv"), &cfg)) {
        rows_add_up(&json(&r));
    }
}

/// Events against the example hard standards, by site and per month.
pub fn events(data: &[u8]) {
    let source = scratch("events", data);
    let standards = match HardStandards::load(
        &repo("data/example_hard_standards.csv"),
        &ReadOptions::default(),
    ) {
        Ok(s) => s,
        Err(e) => panic!("the example hard standards do not read: {e}"),
    };
    // by site per month for inputs of even length, else over all events
    let (by, period) = match data.len() % 2 {
        0 => (
            vec!["site".to_string()],
            Some((PeriodKind::Month, "date".to_string())),
        ),
        _ => (Vec::new(), None),
    };
    one_and_two_threads(|read| {
        let cfg = ComplianceConfig {
            read,
            standards: standards.clone(),
            by: by.clone(),
            period: period.clone(),
            miss_rule: MissRule::Point,
        };
        run_compliance(&source, &cfg)
    });
}

/// The SQI of an incident log and volume file, by site when `by_site`.
fn sqi(
    incidents: &Source,
    volume: Option<&Source>,
    weights: &WeightTable,
    period: PeriodKind,
    by_site: bool,
) {
    let by = match by_site {
        true => vec!["site".to_string()],
        false => Vec::new(),
    };
    one_and_two_threads(|read| {
        let cfg = SqiConfig {
            read,
            weights: weights.clone(),
            volume: volume.cloned(),
            period,
            by: by.clone(),
            ..SqiConfig::default()
        };
        run_sqi(incidents, &cfg)
    });
}

/// The small test weights (categories a, b, c).
fn small_weights() -> WeightTable {
    match WeightTable::read(
        &repo("data/tests/sqi_small_weights.csv"),
        &ReadOptions::default(),
    ) {
        Ok(w) => w,
        Err(e) => panic!("the small weights do not read: {e}"),
    }
}

/// An incident log (header included) with the small weights, per day.
pub fn incidents(data: &[u8]) {
    let source = scratch("incidents", data);
    sqi(
        &source,
        None,
        &small_weights(),
        PeriodKind::Day,
        data.len() % 2 == 0,
    );
}

/// A weight table, then the small incident log weighted by it.
pub fn weights(data: &[u8]) {
    let source = scratch("weights", data);
    let Some(w) = checked(WeightTable::read(&source, &ReadOptions::default())) else {
        return;
    };
    let cfg = SqiConfig {
        weights: w,
        ..SqiConfig::default()
    };
    if let Some(r) = checked(run_sqi(&repo("data/tests/sqi_small_incidents.csv"), &cfg)) {
        rows_add_up(&json(&r));
    }
}

/// A volume file beside the small incident log, by site per day (inputs
/// of even length) or over all sites per week.
pub fn volume(data: &[u8]) {
    let source = scratch("volume", data);
    let log = repo("data/tests/sqi_small_incidents.csv");
    let by_site = data.len() % 2 == 0;
    let period = match by_site {
        true => PeriodKind::Day,
        false => PeriodKind::Week,
    };
    sqi(&log, Some(&source), &small_weights(), period, by_site);
}

/// A whole SQI run: the bytes up to the first NUL are the log, the rest
/// (if any) the volume file; the first byte picks the period, and by site
/// for inputs of even length.
pub fn sqi_run(data: &[u8]) {
    let period = match data.first().map(|b| b % 5) {
        Some(1) => PeriodKind::Week,
        Some(2) => PeriodKind::Month,
        Some(3) => PeriodKind::Quarter,
        Some(4) => PeriodKind::Year,
        _ => PeriodKind::Day,
    };
    let (log, volume) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let log = scratch("log", log);
    let volume = volume.map(|v| scratch("volume", v));
    sqi(
        &log,
        volume.as_ref(),
        &small_weights(),
        period,
        data.len() % 2 == 0,
    );
}

/// A customer file, alone and by site.
pub fn customers(data: &[u8]) {
    let source = scratch("customers", data);
    for by in [Vec::new(), vec!["site".to_string()]] {
        let cfg = ValueConfig {
            by,
            ..ValueConfig::default()
        };
        if let Some(r) = checked(run_value(&source, &cfg)) {
            let v = json(&r);
            if v.get("rows_read").is_some() {
                rows_add_up(&v);
            }
        }
    }
}

/// A partial result (`--emit-partial`), merged with itself and reported:
/// whatever the bytes, an error or a report, never a panic.
pub fn partial(data: &[u8]) {
    let Some(p) = checked(Partial::from_json("p.json", data)) else {
        return;
    };
    if let Some(merged) = checked(Partial::merge(vec![
        ("p.json".into(), p.clone()),
        ("q.json".into(), p),
    ])) {
        checked(merged.report());
    }
}

/// A service chain.
pub fn chain(data: &[u8]) {
    let source = scratch("chain", data);
    checked(run_chain(&source, 0.5, &ReadOptions::default()));
}
