//! `servgap survey`: expectation vs perception.

use servgap::input::importance::ImportanceFile;
use servgap::input::instrument::Instrument;
use servgap::input::survey::{Scale, SurveyReadOptions};
use servgap::input::Source;
use servgap::partial::Partial;
use servgap::pipeline::{run_survey, survey_partial, SurveyConfig};

use crate::cli::SurveyArgs;
use crate::output::{report_rejections, with_progress};

pub fn run(a: SurveyArgs) -> servgap::Result<u8> {
    super::check_partial_path(a.emit_partial.as_deref())?;
    super::one_stdin(&[
        ("SURVEY", Some(&a.survey)),
        ("--importance", a.importance.as_deref()),
        ("--instrument", a.instrument.as_deref()),
        ("--columns", a.columns.as_deref()),
    ])?;
    let read = super::read_options(&a.read)?;
    let scale = Scale::parse(&a.scale)?;
    let small = super::small_file_options(&read);
    let fmt = read.input_format;
    let instrument = super::instrument(a.instrument.as_deref(), &small)?;
    let importance = match &a.importance {
        Some(path) => {
            let ins = instrument.clone().unwrap_or_else(Instrument::servqual22);
            let source = Source::from_arg_as(path, fmt);
            Some(ImportanceFile::load(&source, &ins, &small)?)
        }
        None => None,
    };
    let columns = super::column_map(a.columns.as_deref(), fmt)?;
    let source = Source::from_arg_as(&a.survey, fmt);
    let (report, partial) = with_progress(&source, read, |read| {
        let cfg = SurveyConfig {
            read,
            survey: SurveyReadOptions {
                scale,
                by: a.by.clone(),
                columns,
            },
            instrument,
            importance,
        };
        match a.emit_partial {
            None => run_survey(&source, &cfg).map(|r| (r, None)),
            Some(_) => {
                let p = survey_partial(&source, &cfg)?;
                Ok((p.report()?, Some(Partial::Survey(p))))
            }
        }
    })?;
    report_rejections(&report.input_rows());
    super::check_reported(a.read.max_errors)?;
    super::write_partial(a.emit_partial.as_deref(), partial.as_ref())?;
    super::emit(&report, &a.output)?;
    Ok(servgap::exit_codes::SUCCESS)
}
