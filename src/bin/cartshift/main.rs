//! The `cartshift` binary: parses the command line, runs a command, maps errors to exit codes.

mod bench;
mod calibrate;
mod cli;
mod error;
mod failure;
mod faults;
mod interrupt;
mod memory;
mod merge;
mod out_folder;
mod progress;
mod report;
mod run;
mod sweep;
mod validate;

use clap::Parser;
use std::process::ExitCode;

/// Exit code for bad input or usage.
const EXIT_INPUT: u8 = 2;
/// Exit code for a failure while running.
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Err(err) = interrupt::install() {
        eprintln!("warning: cannot handle Ctrl-C and SIGTERM: {err}");
    }
    let result = match cli.command {
        cli::Command::Run(args) => run::run(args),
        cli::Command::Compare(args) => run::compare(args),
        cli::Command::Validate(args) => validate::validate(args).map_err(error::CliError::from),
        cli::Command::Calibrate(args) => calibrate::calibrate(args).map_err(error::CliError::from),
        cli::Command::Bench(args) => bench::bench(args).map_err(error::CliError::from),
        cli::Command::Report(args) => report::report(args),
        cli::Command::Merge(args) => merge::merge(args).map_err(error::CliError::from),
    };
    interrupt::release(); // statics are never dropped: remove the output folder's lock file here
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if let error::CliError::Library(cartshift::Error::TooLarge(too_large)) = &err {
                eprintln!("{}", run::too_large_hint(too_large));
            }
            ExitCode::from(if err.is_input_error() { EXIT_INPUT } else { EXIT_FAILURE })
        }
    }
}
