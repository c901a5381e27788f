//! The `cartshift` binary: parses the command line, runs a command, maps errors to exit codes.

mod app;
mod bench;
mod calibrate;
mod cli;
mod error;
mod faults;
mod interrupt;
mod memory;
mod merge;
mod progress;
mod report;
mod run;
mod sensitivity;
mod summary;
mod validate;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(app::exit_code(std::env::args_os()))
}
