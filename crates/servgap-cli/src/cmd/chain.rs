//! `servgap chain`: compounding service-chain loss.

use servgap::chain::run_chain;
use servgap::input::Source;

use crate::cli::ChainArgs;

pub fn run(a: ChainArgs) -> servgap::Result<u8> {
    let read = super::read_options(&a.read)?;
    let small = super::small_file_options(&read);
    let report = run_chain(
        &Source::from_arg_as(&a.chain, read.input_format),
        a.share,
        &small,
    )?;
    super::emit(&report, &a.output)?;
    Ok(servgap::exit_codes::SUCCESS)
}
