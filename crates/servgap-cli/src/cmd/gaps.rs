//! `servgap gaps`: gaps 1–5 of the gap model.

use servgap::gaps::{run_gaps, GapModel, GapsConfig};
use servgap::input::columns::ColumnMap;
use servgap::input::instrument::Instrument;
use servgap::input::survey::{Scale, SurveyReadOptions};
use servgap::input::Source;

use crate::cli::{GapsArgs, ModelArg};
use crate::output::{with_progress, write_output};

pub fn run(a: GapsArgs) -> servgap::Result<u8> {
    let read = super::read_options(&a.read)?;
    let small = servgap::input::ReadOptions {
        threads: 1,
        progress: None,
        ..read.clone()
    };
    let instrument = match &a.instrument {
        Some(arg) => Some(Instrument::load(arg, &small)?),
        None => None,
    };
    let columns = match &a.columns {
        Some(path) => Some(ColumnMap::load(&Source::from_arg(path))?),
        None => None,
    };
    let customers = Source::from_arg(&a.customers);
    let report = with_progress(&customers, read, |read| {
        let cfg = GapsConfig {
            read,
            survey: SurveyReadOptions {
                scale: Scale::parse(&a.scale)?,
                by: a.by.clone(),
                columns,
            },
            instrument,
            management: a.management.as_deref().map(Source::from_arg),
            standards: a.standards.as_deref().map(Source::from_arg),
            delivery: a.delivery.as_deref().map(Source::from_arg),
            model: match a.model {
                ModelArg::Pzb => GapModel::Pzb,
                ModelArg::Mot => GapModel::Mot,
            },
        };
        run_gaps(&customers, &cfg)
    })?;
    let text = servgap::render::gaps(&report, super::format(a.output.format))?;
    write_output(a.output.output.as_deref(), &text)?;
    Ok(servgap::exit_codes::SUCCESS)
}
