//! The `cartshift` binary: parses the command line, runs a command, maps errors to exit codes.

mod cli;
mod failure;
mod merge;
mod progress;
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
    let result = match cli.command {
        cli::Command::Run(args) => run::run(args),
        cli::Command::Compare(args) => run::compare(args),
        cli::Command::Validate(args) => validate::validate(args),
        cli::Command::Merge(args) => merge::merge(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(if err.is_input_error() { EXIT_INPUT } else { EXIT_FAILURE })
        }
    }
}
