//! One module per command: arguments → library calls → rendered output.

mod chain;
mod compliance;
mod gaps;
mod merge;
mod report;
mod sqi;
mod survey;
mod value;

use std::io::IsTerminal;

use servgap::input::{EncodingChoice, InputFormat, OnInvalid, ReadOptions};
use servgap::render::{Format, Layout};

use crate::cli::{
    Cli, Command, FormatArg, InputFormatArg, OnInvalidArg, OutputArgs, PeriodArg, ReadArgs,
};
use crate::output::{write_output, write_output_with};

/// Runs a command; returns the exit code on success.
pub fn run(cli: Cli) -> servgap::Result<u8> {
    match cli.command {
        Command::Survey(args) => survey::run(args),
        Command::Sqi(args) => sqi::run(args),
        Command::Gaps(args) => gaps::run(args),
        Command::Compliance(args) => compliance::run(args),
        Command::Value(args) => value::run(args),
        Command::Chain(args) => chain::run(args),
        Command::Report(args) => report::run(*args),
        Command::Merge(args) => merge::run(args),
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

/// `--emit-partial` names a file: its partial result and the report
/// cannot share standard output.
pub(crate) fn check_partial_path(path: Option<&str>) -> servgap::Result<()> {
    match path {
        Some(p) if p == "-" || p.trim().is_empty() => Err(servgap::Error::usage(
            "--emit-partial needs a file name (standard output holds the report)",
        )),
        _ => Ok(()),
    }
}

/// Writes a partial result to `path` (atomically, as `--output`).
pub(crate) fn write_partial(
    path: Option<&str>,
    partial: Option<&servgap::partial::Partial>,
) -> servgap::Result<()> {
    match (path, partial) {
        (Some(path), Some(p)) => write_output_with(Some(path), |w| p.write_json(w)),
        _ => Ok(()),
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
            OnInvalidArg::Report => OnInvalid::Report,
        },
        threads: a.threads,
        progress: None,
        input_format: match a.input_format {
            InputFormatArg::Auto => InputFormat::Auto,
            InputFormatArg::Csv => InputFormat::Csv,
            InputFormatArg::Parquet => InputFormat::Parquet,
            InputFormatArg::Ipc => InputFormat::Ipc,
        },
    })
}

/// With `--on-invalid report`: every invalid row's error on standard
/// error (the first `max`), then exit 3 with their count; nothing is
/// written. Without invalid rows, nothing.
pub(crate) fn check_reported(max: usize) -> servgap::Result<()> {
    let errors = servgap::input::take_reported();
    if errors.is_empty() {
        return Ok(());
    }
    for e in errors.iter().take(max) {
        crate::output::report_error(e);
    }
    let shown = match errors.len() > max {
        true => format!(" (the first {max} shown; --max-errors N shows more)"),
        false => String::new(),
    };
    Err(servgap::Error::from(servgap::ErrorKind::Inconsistent(
        format!(
            "{} invalid {}{shown}: fix them and run again",
            errors.len(),
            if errors.len() == 1 { "row" } else { "rows" }
        ),
    )))
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
    fmt: servgap::input::InputFormat,
) -> servgap::Result<Option<servgap::input::columns::ColumnMap>> {
    arg.map(|a| {
        servgap::input::columns::ColumnMap::load(&servgap::input::Source::from_arg_as(a, fmt))
    })
    .transpose()
}

pub(crate) fn period(p: PeriodArg) -> servgap::period::PeriodKind {
    match p {
        PeriodArg::Day => servgap::period::PeriodKind::Day,
        PeriodArg::Week => servgap::period::PeriodKind::Week,
        PeriodArg::Month => servgap::period::PeriodKind::Month,
        PeriodArg::Quarter => servgap::period::PeriodKind::Quarter,
        PeriodArg::Year => servgap::period::PeriodKind::Year,
    }
}

/// The format asked for: `--format`, else the `--output` file's
/// extension, else terminal tables.
pub(crate) fn format(o: &OutputArgs) -> Format {
    match o.format {
        Some(FormatArg::Table) => Format::Table,
        Some(FormatArg::Markdown) => Format::Markdown,
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Xlsx) => Format::Xlsx,
        Some(FormatArg::Parquet) => Format::Parquet,
        None => o
            .output
            .as_deref()
            .and_then(Format::from_extension)
            .unwrap_or(Format::Table),
    }
}

/// How wide terminal tables may be: every column with `--wide`, else
/// `COLUMNS` when set, the terminal's width on a terminal, and 100
/// columns otherwise.
fn width(o: &OutputArgs) -> Option<usize> {
    if o.wide {
        return None;
    }
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return Some(n);
    }
    let to_terminal = o.output.is_none() && std::io::stdout().is_terminal();
    match terminal_size::terminal_size() {
        Some((terminal_size::Width(w), _)) if to_terminal => Some(usize::from(w)),
        _ => Some(100),
    }
}

/// Writes `report` as the output flags ask: `--table list` names the
/// data tables instead; a workbook is not written to a terminal.
pub(crate) fn emit<R: servgap::render::Report>(report: &R, o: &OutputArgs) -> servgap::Result<()> {
    if o.table.as_deref() == Some("list") {
        let names = report.table_names();
        let main = report.main_table();
        let lines: String = names
            .iter()
            .map(|n| match n == main {
                true => format!("{n}\t(main: --format csv writes it without --table)\n"),
                false => format!("{n}\n"),
            })
            .collect();
        return write_output(None, &lines);
    }
    let format = format(o);
    if o.table.is_some() && !matches!(format, Format::Csv | Format::Parquet) {
        return Err(servgap::Error::usage(
            "--table picks the table of --format csv or parquet (the other formats show every table)",
        ));
    }
    let binary = matches!(format, Format::Xlsx | Format::Parquet);
    if binary && o.output.is_none() && std::io::stdout().is_terminal() {
        return Err(servgap::Error::usage(
            "this format is binary: write it to a file with --output FILE.xlsx or FILE.parquet",
        ));
    }
    let layout = Layout {
        table: o.table.clone(),
        bom: o.bom,
        width: width(o),
    };
    write_output_with(o.output.as_deref(), |w| {
        servgap::render::write(report, format, &layout, w)
    })
}

pub(crate) fn chart(c: crate::cli::ChartArg) -> servgap::sqi::ChartType {
    match c {
        crate::cli::ChartArg::U => servgap::sqi::ChartType::U,
        crate::cli::ChartArg::Laney => servgap::sqi::ChartType::Laney,
    }
}

pub(crate) fn rules(r: crate::cli::RulesArg) -> servgap::sqi::RuleSet {
    match r {
        crate::cli::RulesArg::We => servgap::sqi::RuleSet::We,
        crate::cli::RulesArg::Nelson => servgap::sqi::RuleSet::Nelson,
        crate::cli::RulesArg::None => servgap::sqi::RuleSet::None,
    }
}

pub(crate) fn miss_rule(r: crate::cli::MissRuleArg) -> servgap::compliance::MissRule {
    match r {
        crate::cli::MissRuleArg::Point => servgap::compliance::MissRule::Point,
        crate::cli::MissRuleArg::Certain => servgap::compliance::MissRule::Certain,
    }
}

pub(crate) fn gap_model(m: crate::cli::ModelArg) -> servgap::gaps::GapModel {
    match m {
        crate::cli::ModelArg::Pzb => servgap::gaps::GapModel::Pzb,
        crate::cli::ModelArg::Mot => servgap::gaps::GapModel::Mot,
    }
}
