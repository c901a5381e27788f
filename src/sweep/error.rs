//! What running a sweep into a folder can fail with.

use crate::error::ScenarioError;
use crate::output::FolderError;

/// A sweep that cannot run, or a folder it cannot use or write.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario or one of its points is invalid (bad input).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The output folder cannot be resumed (bad input) or written (a failure while running).
    #[error(transparent)]
    Folder(#[from] FolderError),
}

impl SweepError {
    /// True for bad input (exit code 2), false for a failure while running.
    pub fn is_input_error(&self) -> bool {
        match self {
            SweepError::Scenario(_) => true,
            SweepError::Folder(f) => f.is_input_error(),
        }
    }
}
