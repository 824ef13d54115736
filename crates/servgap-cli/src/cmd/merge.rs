//! `servgap merge`: partial results of survey, compliance or sqi
//! (`--emit-partial`) merged into the output of one run over all the
//! parts, with that command's exit code.

use servgap::input::Source;
use servgap::partial::MergedReport;
use servgap::pipeline::merge_partials;

use crate::cli::MergeArgs;
use crate::output::report_rejections;

pub fn run(a: MergeArgs) -> servgap::Result<u8> {
    super::check_partial_path(a.emit_partial.as_deref())?;
    let inputs: Vec<(&str, Option<&str>)> = a
        .partials
        .iter()
        .map(|p| ("PARTIAL", Some(p.as_str())))
        .collect();
    super::one_stdin(&inputs)?;
    let sources: Vec<Source> = a
        .partials
        .iter()
        .map(|p| match p.as_str() {
            "-" => Source::Stdin,
            path => Source::Path(path.into()),
        })
        .collect();
    let merged = merge_partials(&sources)?;
    if a.fail_on_miss && !matches!(merged, servgap::partial::Partial::Compliance(_)) {
        return Err(servgap::Error::usage(format!(
            "--fail-on-miss applies to compliance partials, and these are of {}",
            merged.command()
        )));
    }
    let report = merged.report()?;
    // a merge of merges: the merged sums are a partial result too
    super::write_partial(a.emit_partial.as_deref(), Some(&merged))?;
    Ok(match report {
        MergedReport::Survey(r) => {
            report_rejections(&r.input_rows());
            super::emit(r.as_ref(), &a.output)?;
            servgap::exit_codes::SUCCESS
        }
        MergedReport::Compliance(r) => {
            report_rejections(&r.input_rows());
            super::emit(r.as_ref(), &a.output)?;
            super::compliance::verdict(&r, a.fail_on_miss)
        }
        MergedReport::Sqi(r) => {
            report_rejections(&r.input_rows());
            super::emit(r.as_ref(), &a.output)?;
            super::sqi::verdict(&r)
        }
    })
}
