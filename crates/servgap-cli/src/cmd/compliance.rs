//! `servgap compliance`: hard standards measured on a service-event log,
//! with `--fail-on-miss` for CI.

use servgap::compliance::ComplianceReport;
use servgap::input::events::HardStandards;
use servgap::input::Source;
use servgap::partial::Partial;
use servgap::pipeline::{compliance_partial, ComplianceConfig};

use crate::cli::ComplianceArgs;
use crate::output::{report_check_failure, report_rejections, with_progress};

pub fn run(a: ComplianceArgs) -> servgap::Result<u8> {
    super::check_partial_path(a.emit_partial.as_deref())?;
    super::one_stdin(&[
        ("EVENTS", Some(&a.events)),
        ("--standards", Some(&a.standards)),
    ])?;
    let read = super::read_options(&a.read)?;
    let small = super::small_file_options(&read);
    let fmt = read.input_format;
    let standards = HardStandards::load(&Source::from_arg_as(&a.standards, fmt), &small)?;
    let events = Source::from_arg_as(&a.events, fmt);
    let partial = with_progress(&events, read, |read| {
        let cfg = ComplianceConfig {
            read,
            standards,
            by: a.by.clone(),
            period: a.period.map(|p| (super::period(p), a.date.clone())),
            miss_rule: super::miss_rule(a.miss_rule),
        };
        compliance_partial(&events, &cfg)
    })?;
    let report = partial.report();
    report_rejections(&report.input_rows());
    super::check_reported(a.read.max_errors)?;
    if a.emit_partial.is_some() {
        let partial = Partial::Compliance(partial);
        super::write_partial(a.emit_partial.as_deref(), Some(&partial))?;
    }
    super::emit(&report, &a.output)?;
    Ok(verdict(&report, a.fail_on_miss))
}

/// The exit code: 1 (with each miss on standard error) when
/// `fail_on_miss` and a standard misses its target, else 0.
pub(crate) fn verdict(report: &ComplianceReport, fail_on_miss: bool) -> u8 {
    if fail_on_miss && !report.all_pass() {
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
        return servgap::exit_codes::CHECK_FAILED;
    }
    servgap::exit_codes::SUCCESS
}
