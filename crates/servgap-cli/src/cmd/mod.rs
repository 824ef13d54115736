//! One module per command: arguments → library calls → rendered output.

mod compliance;
mod gaps;
mod report;
mod sqi;
mod survey;

use servgap::input::{EncodingChoice, OnInvalid, ReadOptions};
use servgap::render::Format;

use crate::cli::{Cli, Command, FormatArg, OnInvalidArg, PeriodArg, ReadArgs};

/// Runs a command; returns the exit code on success.
pub fn run(cli: Cli) -> servgap::Result<u8> {
    match cli.command {
        Command::Survey(args) => survey::run(args),
        Command::Sqi(args) => sqi::run(args),
        Command::Gaps(args) => gaps::run(args),
        Command::Compliance(args) => compliance::run(args),
        Command::Report(args) => report::run(*args),
    }
}

/// At most one input may be standard input (`-`): two readers cannot
/// share one stream. `inputs` are the command's input flags and values.
pub(crate) fn one_stdin(inputs: &[(&str, Option<&str>)]) -> servgap::Result<()> {
    let stdin: Vec<&str> = inputs
        .iter()
        .filter(|(_, v)| *v == Some("-"))
        .map(|(flag, _)| *flag)
        .collect();
    if stdin.len() > 1 {
        return Err(servgap::Error::usage(format!(
            "{} all read standard input ('-'): only one input can",
            stdin.join(", ")
        )));
    }
    Ok(())
}

/// Reader options from the shared flags.
pub(crate) fn read_options(a: &ReadArgs) -> servgap::Result<ReadOptions> {
    Ok(ReadOptions {
        encoding: match &a.encoding {
            Some(name) => EncodingChoice::parse(name)?,
            None => EncodingChoice::Auto,
        },
        on_invalid: match a.on_invalid {
            OnInvalidArg::Error => OnInvalid::Error,
            OnInvalidArg::Skip => OnInvalid::Skip,
        },
        threads: a.threads,
        progress: None,
    })
}

/// Options for the small side files (instrument, weights, standards…):
/// the same encoding and invalid-row policy, one thread, no progress bar.
pub(crate) fn small_file_options(read: &ReadOptions) -> ReadOptions {
    ReadOptions {
        threads: 1,
        progress: None,
        ..read.clone()
    }
}

/// `--instrument`: a built-in name or a file.
pub(crate) fn instrument(
    arg: Option<&str>,
    small: &ReadOptions,
) -> servgap::Result<Option<servgap::input::instrument::Instrument>> {
    arg.map(|a| servgap::input::instrument::Instrument::load(a, small))
        .transpose()
}

/// `--columns`: a column map for a real export.
pub(crate) fn column_map(
    arg: Option<&str>,
) -> servgap::Result<Option<servgap::input::columns::ColumnMap>> {
    arg.map(|a| servgap::input::columns::ColumnMap::load(&servgap::input::Source::from_arg(a)))
        .transpose()
}

pub(crate) fn period(p: PeriodArg) -> servgap::period::PeriodKind {
    match p {
        PeriodArg::Day => servgap::period::PeriodKind::Day,
        PeriodArg::Week => servgap::period::PeriodKind::Week,
        PeriodArg::Month => servgap::period::PeriodKind::Month,
    }
}

pub(crate) fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Json => Format::Json,
        FormatArg::Csv => Format::Csv,
    }
}

pub(crate) fn gap_model(m: crate::cli::ModelArg) -> servgap::gaps::GapModel {
    match m {
        crate::cli::ModelArg::Pzb => servgap::gaps::GapModel::Pzb,
        crate::cli::ModelArg::Mot => servgap::gaps::GapModel::Mot,
    }
}
