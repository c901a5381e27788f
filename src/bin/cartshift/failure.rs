//! Everything a command can fail with, and whether it was the user's input (exit code 2).

use cartshift::output::FolderError;
use cartshift::sweep::{ShardError, SweepError};
use std::fmt;

/// A command's error.
#[derive(Debug)]
pub enum Failure {
    /// Loading, validating, running or writing a scenario.
    Run(cartshift::Error),
    /// Running a sweep into a folder.
    Sweep(SweepError),
    /// Options that do not go together.
    Usage(String),
}

impl Failure {
    /// True for bad input or usage (exit code 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            Failure::Run(e) => e.is_input_error(),
            Failure::Sweep(e) => e.is_input_error(),
            Failure::Usage(_) => true,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Run(e) => e.fmt(f),
            Failure::Sweep(e) => e.fmt(f),
            Failure::Usage(message) => f.write_str(message),
        }
    }
}

impl From<cartshift::Error> for Failure {
    fn from(e: cartshift::Error) -> Failure {
        Failure::Run(e)
    }
}

impl From<cartshift::ScenarioError> for Failure {
    fn from(e: cartshift::ScenarioError) -> Failure {
        Failure::Run(e.into())
    }
}

impl From<SweepError> for Failure {
    fn from(e: SweepError) -> Failure {
        Failure::Sweep(e)
    }
}

impl From<FolderError> for Failure {
    fn from(e: FolderError) -> Failure {
        Failure::Sweep(e.into())
    }
}

impl From<ShardError> for Failure {
    fn from(e: ShardError) -> Failure {
        Failure::Usage(e.to_string())
    }
}
