//! One module per command: arguments → library calls → rendered output.

mod compliance;
mod gaps;
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
    }
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
