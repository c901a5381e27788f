//! The command line as a function: parse, run a command, map errors to exit codes. Shared by
//! the binary and the Python package (which ships the same command).

use crate::{bench, calibrate, cli, error, interrupt, memory, merge, report, run, sensitivity, validate};
use clap::Parser;

/// Exit code for bad input or usage.
const EXIT_INPUT: u8 = 2;
/// Exit code for a failure while running.
const EXIT_FAILURE: u8 = 1;

/// Runs the command line `args` (the program name first) and returns its exit code (0, 1 or
/// 2); the binary's `main` and the Python package's `cartshift` command both call this.
pub fn exit_code(args: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    quiet_on_closed_pipe();
    let cli = cli::Cli::parse_from(args);
    if let Err(err) = interrupt::install() {
        eprintln!("warning: cannot handle Ctrl-C and SIGTERM: {err}");
    }
    let result = match cli.command {
        cli::Command::Run(args) => run::run(args),
        cli::Command::Compare(args) => run::compare(args),
        cli::Command::Validate(args) => validate::validate(args),
        cli::Command::Calibrate(args) => calibrate::calibrate(args).map_err(error::CliError::from),
        cli::Command::Bench(args) => bench::bench(args),
        cli::Command::Report(args) => report::report(args),
        cli::Command::Merge(args) => merge::merge(args),
        cli::Command::Sensitivity(args) => sensitivity::sensitivity(args),
    };
    interrupt::release(); // statics are never dropped: remove the output folder's lock file here
    match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err}");
            if let error::CliError::Library(cartshift::Error::TooLarge(too_large)) = &err {
                if let Some(note) = memory::refusal_note() {
                    eprintln!("{note}");
                }
                eprintln!("{}", run::too_large_hint(too_large));
            }
            if err.is_input_error() { EXIT_INPUT } else { EXIT_FAILURE }
        }
    }
}

/// `cartshift validate … | head -1`: once the reader has gone, printing more is pointless, not
/// an error. Rust ignores SIGPIPE, so `println!` panics on the closed pipe; end quietly instead.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.contains("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
