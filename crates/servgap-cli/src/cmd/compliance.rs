//! `servgap compliance`: hard standards measured on a service-event log,
//! with `--fail-on-miss` for CI.

use servgap::input::events::HardStandards;
use servgap::input::Source;
use servgap::pipeline::{run_compliance, ComplianceConfig};

use crate::cli::ComplianceArgs;
use crate::output::{report_check_failure, report_rejections, with_progress};

pub fn run(a: ComplianceArgs) -> servgap::Result<u8> {
    super::one_stdin(&[
        ("EVENTS", Some(&a.events)),
        ("--standards", Some(&a.standards)),
    ])?;
    let read = super::read_options(&a.read)?;
    let small = super::small_file_options(&read);
    let fmt = read.input_format;
    let standards = HardStandards::load(&Source::from_arg_as(&a.standards, fmt), &small)?;
    let events = Source::from_arg_as(&a.events, fmt);
    let report = with_progress(&events, read, |read| {
        let cfg = ComplianceConfig {
            read,
            standards,
            by: a.by.clone(),
            period: a.period.map(|p| (super::period(p), a.date.clone())),
            miss_rule: super::miss_rule(a.miss_rule),
        };
        run_compliance(&events, &cfg)
    })?;
    report_rejections(&report.input_rows());
    super::check_reported(a.read.max_errors)?;
    super::emit(&report, &a.output)?;
    if a.fail_on_miss && !report.all_pass() {
        for (place, s) in report.misses() {
            report_check_failure(&format!(
                "{} ({}) in {place}: {:.1}% of {} events against a target of {:.1}% ({:+.1} points)",
                s.standard_id,
                s.description,
                s.compliance.unwrap_or(0.0) * 100.0,
                s.events,
                s.target * 100.0,
                s.gap.unwrap_or(0.0) * 100.0
            ));
        }
        return Ok(servgap::exit_codes::CHECK_FAILED);
    }
    Ok(servgap::exit_codes::SUCCESS)
}
