//! The `servgap` binary: parse arguments, run one command, map the outcome to
//! the documented exit codes (`servgap::exit_codes`). All computing happens
//! in the `servgap` library; this crate only wires flags to it.

mod cli;
mod cmd;
mod output;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::parse() {
        Ok(args) => args,
        Err(code) => return ExitCode::from(code),
    };
    match cmd::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            output::report_error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
