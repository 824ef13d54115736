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
    // A panic is a bug in servgap: said as one, never blamed on the data.
    std::panic::set_hook(Box::new(output::report_panic));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cmd::run(args))) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(err)) => {
            output::report_error(&err);
            ExitCode::from(err.exit_code())
        }
        Err(_) => ExitCode::from(servgap::exit_codes::INTERNAL),
    }
}
