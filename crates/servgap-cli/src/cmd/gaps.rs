//! `servgap gaps`: gaps 1–5 of the gap model.

use servgap::input::survey::{Scale, SurveyReadOptions};
use servgap::input::Source;
use servgap::pipeline::{run_gaps, GapsConfig};

use crate::cli::GapsArgs;
use crate::output::{report_rejections, with_progress};

pub fn run(a: GapsArgs) -> servgap::Result<u8> {
    super::one_stdin(&[
        ("--customers", Some(&a.customers)),
        ("--management", a.management.as_deref()),
        ("--standards", a.standards.as_deref()),
        ("--delivery", a.delivery.as_deref()),
        ("--instrument", a.instrument.as_deref()),
        ("--columns", a.columns.as_deref()),
    ])?;
    let read = super::read_options(&a.read)?;
    let small = super::small_file_options(&read);
    let fmt = read.input_format;
    let instrument = super::instrument(a.instrument.as_deref(), &small)?;
    let columns = super::column_map(a.columns.as_deref(), fmt)?;
    let customers = Source::from_arg_as(&a.customers, fmt);
    let report = with_progress(&customers, read, |read| {
        let cfg = GapsConfig {
            read,
            survey: SurveyReadOptions {
                scale: Scale::parse(&a.scale)?,
                by: a.by.clone(),
                columns,
            },
            instrument,
            management: a.management.as_deref().map(|p| Source::from_arg_as(p, fmt)),
            standards: a.standards.as_deref().map(|p| Source::from_arg_as(p, fmt)),
            delivery: a.delivery.as_deref().map(|p| Source::from_arg_as(p, fmt)),
            model: super::gap_model(a.model),
        };
        run_gaps(&customers, &cfg)
    })?;
    report_rejections(&report.input_rows());
    super::check_reported(a.read.max_errors)?;
    super::emit(&report, &a.output)?;
    Ok(servgap::exit_codes::SUCCESS)
}
