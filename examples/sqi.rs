//! Compute the Service Quality Index of the bundled incident log from Rust:
//! monthly points per 1000 packages per site, with the control limits, and
//! a check that no site's last month exceeds 15 points per 1000.
//!
//! ```sh
//! cargo run --example sqi
//! ```

use std::process::ExitCode;

use servgap::input::Source;
use servgap::period::PeriodKind;
use servgap::pipeline::{run_sqi, SqiConfig};
use servgap::sqi::{CheckKind, CheckSpec};

fn main() -> ExitCode {
    let cfg = SqiConfig {
        volume: Some(Source::from_arg("data/example_volume.csv")),
        period: PeriodKind::Month,
        by: vec!["site".into()],
        checks: vec![CheckSpec {
            kind: CheckKind::MaxPerUnit,
            limit: 15.0,
        }],
        ..SqiConfig::default()
    };
    let report = match run_sqi(&Source::from_arg("data/example_incidents.csv"), &cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    let rows = &report.periods;
    for p in rows.rows() {
        println!(
            "{} {:<4} {:>6.2} per 1000 (limits {:.2}–{:.2}){}",
            p.period,
            rows.group_values(&p).join("/"),
            p.points_per_unit().unwrap_or(f64::NAN),
            p.lcl().unwrap_or(f64::NAN),
            p.ucl().unwrap_or(f64::NAN),
            if p.out_of_control {
                "  out of control"
            } else {
                ""
            }
        );
    }
    let top = &report.pareto[0];
    println!("most points: {} ({} points)", top.category, top.points);
    if report.checks_passed() {
        ExitCode::SUCCESS
    } else {
        println!("a check failed");
        ExitCode::from(servgap::exit_codes::CHECK_FAILED)
    }
}
