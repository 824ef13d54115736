//! `servgap value`: customer value, 80/20 and tiers, with a survey joined.

use servgap::input::survey::{Scale, SurveyReadOptions};
use servgap::input::Source;
use servgap::pipeline::{run_value, ValueConfig};

use crate::cli::ValueArgs;
use crate::output::report_rejections;

pub fn run(a: ValueArgs) -> servgap::Result<u8> {
    super::one_stdin(&[
        ("CUSTOMERS", Some(&a.customers)),
        ("--survey", a.survey.as_deref()),
        ("--instrument", a.instrument.as_deref()),
    ])?;
    let read = super::read_options(&a.read)?;
    let small = super::small_file_options(&read);
    let fmt = read.input_format;
    let instrument = super::instrument(a.instrument.as_deref(), &small)?;
    let survey = match &a.survey {
        Some(path) => Some((
            Source::from_arg_as(path, fmt),
            instrument,
            SurveyReadOptions {
                scale: Scale::parse(&a.scale)?,
                by: Vec::new(),
                columns: None,
            },
        )),
        None if instrument.is_some() => {
            return Err(servgap::Error::usage("--instrument needs --survey"))
        }
        None => None,
    };
    let cfg = ValueConfig {
        read,
        top: a.top,
        by: a.by.clone(),
        survey,
    };
    let report = run_value(&Source::from_arg_as(&a.customers, fmt), &cfg)?;
    report_rejections(&report.input_rows());
    super::check_reported(a.read.max_errors)?;
    super::emit(&report, &a.output)?;
    Ok(servgap::exit_codes::SUCCESS)
}
