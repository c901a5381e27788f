//! The binary's errors: the library's, the report's and the output folder's, each knowing
//! whether it is the user's input (exit code 2) or a failure while running (exit code 1).

use crate::out_folder::OutFolderError;
use cartshift::report::ReportError;

/// Anything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Loading, simulating or writing results.
    #[error(transparent)]
    Library(#[from] cartshift::Error),
    /// Reading a results folder or writing its report.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// An output folder that cannot or may not be written.
    #[error(transparent)]
    OutFolder(#[from] OutFolderError),
    /// A sweep, a shard, a resume or a merge.
    #[error("{0}")]
    Sweep(Box<crate::failure::Failure>),
    /// Reading a sweep for `cartshift sensitivity` or writing its indices.
    #[error(transparent)]
    Sensitivity(#[from] cartshift::sensitivity::SensitivityError),
}

impl From<crate::failure::Failure> for CliError {
    fn from(f: crate::failure::Failure) -> Self {
        CliError::Sweep(Box::new(f))
    }
}

impl From<cartshift::ScenarioError> for CliError {
    fn from(e: cartshift::ScenarioError) -> Self {
        CliError::Library(e.into())
    }
}

impl CliError {
    /// True when the user's input is at fault (exit code 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            CliError::Library(e) => e.is_input_error(),
            CliError::Report(e) => e.is_input_error(),
            CliError::OutFolder(_) => true,
            CliError::Sweep(f) => f.is_input_error(),
            CliError::Sensitivity(e) => e.is_input_error(),
        }
    }
}
