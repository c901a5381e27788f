//! The binary's one error type: the library's, the report's and usage errors, each knowing
//! whether it is the user's input (exit code 2) or a failure while running (exit code 1).

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
    /// Options that do not go together.
    #[error("{0}")]
    Usage(String),
    /// Reading a sweep for `cartshift sensitivity` or writing its indices.
    #[error(transparent)]
    Sensitivity(#[from] cartshift::sensitivity::SensitivityError),
}

impl From<cartshift::ScenarioError> for CliError {
    fn from(e: cartshift::ScenarioError) -> Self {
        CliError::Library(e.into())
    }
}

impl From<cartshift::output::FolderError> for CliError {
    fn from(e: cartshift::output::FolderError) -> Self {
        CliError::Library(e.into())
    }
}

impl From<cartshift::sweep::ShardError> for CliError {
    fn from(e: cartshift::sweep::ShardError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl CliError {
    /// True when the user's input is at fault (exit code 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            CliError::Library(e) => e.is_input_error(),
            CliError::Report(e) => e.is_input_error(),
            CliError::Usage(_) => true,
            CliError::Sensitivity(e) => e.is_input_error(),
        }
    }
}
