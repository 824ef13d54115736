//! DataFrames in and out (the `polars` feature): a survey and an incident
//! log built in memory as polars DataFrames, analysed with the same rules
//! as CSV files, and results read back as DataFrames whose columns are the
//! JSON field names.
//!
//! ```sh
//! cargo run --example frames --features polars
//! ```

use std::process::ExitCode;

use polars::prelude::*;
use servgap::input::Source;
use servgap::period::PeriodKind;
use servgap::pipeline::{run_sqi, run_survey, SqiConfig, SurveyConfig};
use servgap::render::Report;

/// A small long-form survey: four respondents at two sites, two items.
fn survey() -> PolarsResult<DataFrame> {
    df!(
        "respondent_id" => ["R1", "R1", "R2", "R2", "R3", "R3", "R4", "R4"],
        "site" => ["北京", "北京", "北京", "北京", "上海", "上海", "上海", "上海"],
        "item" => ["q01", "q05", "q01", "q05", "q01", "q05", "q01", "q05"],
        "expectation" => [6i64, 7, 5, 6, 6, 7, 7, 7],
        // a null is a missing answer, as an empty CSV cell is
        "perception" => [Some(5i64), Some(5), Some(5), None, Some(6), Some(6), Some(5), Some(4)],
    )
}

/// Two days of incidents at two sites, with a count column.
fn incidents() -> PolarsResult<DataFrame> {
    df!(
        "date" => ["2026-03-01", "2026-03-01", "2026-03-02", "2026-03-02"],
        "site" => ["北京", "上海", "北京", "上海"],
        "category" => ["right_day_late", "lost", "damaged", "right_day_late"],
        "count" => [3i64, 1, 2, 4],
    )
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let cfg = SurveyConfig {
        survey: servgap::input::survey::SurveyReadOptions {
            by: vec!["site".into()],
            ..Default::default()
        },
        ..SurveyConfig::default()
    };
    let report = run_survey(&Source::from_frame("survey", survey()?), &cfg)?;
    let dimensions = report
        .data_frame("dimensions")
        .ok_or("no dimensions table")??;
    println!(
        "{}",
        dimensions.select(["site", "dimension", "n", "mean_e", "mean_p", "gap"])?
    );

    let cfg = SqiConfig {
        period: PeriodKind::Day,
        by: vec!["site".into()],
        ..SqiConfig::default()
    };
    let sqi = run_sqi(&Source::from_frame("incidents", incidents()?), &cfg)?;
    let periods = sqi.data_frame("periods").ok_or("no periods table")??;
    println!("{}", periods.select(["period", "site", "points", "days"])?);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
