//! Analyse the bundled example survey from Rust and print the dimension gaps.
//!
//! ```sh
//! cargo run --example survey
//! cargo run --example survey -- data/example_survey.csv data/example_importance.csv
//! ```

use std::process::ExitCode;

use servgap::input::importance::ImportanceFile;
use servgap::input::instrument::Instrument;
use servgap::input::{ReadOptions, Source};
use servgap::pipeline::{run_survey, SurveyConfig};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let survey = args
        .next()
        .unwrap_or_else(|| "data/example_survey.csv".into());
    let points = args
        .next()
        .unwrap_or_else(|| "data/example_importance.csv".into());
    match run(&survey, &points) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(survey: &str, points: &str) -> servgap::Result<()> {
    let importance = ImportanceFile::load(
        &Source::from_arg(points),
        &Instrument::servqual22(),
        &ReadOptions::default(),
    )?;
    let mut cfg = SurveyConfig {
        importance: Some(importance),
        ..SurveyConfig::default()
    };
    cfg.survey.by = vec!["site".into()];
    let report = run_survey(&Source::from_arg(survey), &cfg)?;

    println!(
        "{} respondents, {} rows read, {} rejected",
        report.all.respondents, report.rows_read, report.rows_rejected
    );
    for d in &report.all.dimensions {
        println!(
            "{:<15} gap {:>7.3}  95% CI [{:.3}, {:.3}]",
            d.dimension,
            d.gap.unwrap_or(f64::NAN),
            d.ci_low.unwrap_or(f64::NAN),
            d.ci_high.unwrap_or(f64::NAN)
        );
    }
    println!(
        "SERVQUAL unweighted {:.3}, weighted {:.3}",
        report.all.servqual.unweighted.unwrap_or(f64::NAN),
        report.all.servqual.weighted.unwrap_or(f64::NAN)
    );
    for g in &report.groups {
        println!(
            "  {} = {}: {:.3}",
            g.key[0].0,
            g.key[0].1,
            g.tables.servqual.unweighted.unwrap_or(f64::NAN)
        );
    }
    // Results are serde-serialisable: the same document `servgap survey --format json` prints.
    let json = servgap::render::json::render(&report)?;
    println!("JSON: {} bytes", json.len());
    Ok(())
}
