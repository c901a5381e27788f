//! Typed errors a user can act on: where the problem is, what was expected, and a suggestion.

use std::path::PathBuf;

pub use crate::scenario::error::{Location, ScenarioError};

/// Anything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: the scenario or an override.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A run too large for the memory available (see [`crate::guard`]).
    #[error(transparent)]
    TooLarge(#[from] crate::guard::TooLarge),
    /// An output folder that may not be written, resumed or merged, or a failed write in it.
    #[error(transparent)]
    Folder(#[from] crate::output::FolderError),
    /// An output folder that cannot be used (bad input).
    #[error(transparent)]
    OutFolder(#[from] crate::output::OutFolderError),
    /// A failure while writing results.
    #[error("cannot write {}: {source}", path.display())]
    Output {
        /// The file or folder being written.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A run that finished without reaching its goal (e.g. a calibration that did not converge).
    #[error("{0}")]
    Failed(String),
    /// The caller asked the run to stop ([`crate::pipeline::Observer::cancelled`]); finished
    /// points are kept for `--resume` when the run is resumable.
    #[error("run cancelled")]
    Cancelled,
}

impl Error {
    /// True when the error is the user's input (exit code 2) rather than a failure while running.
    pub fn is_input_error(&self) -> bool {
        match self {
            Error::Scenario(_) | Error::TooLarge(_) | Error::OutFolder(_) => true,
            Error::Folder(f) => f.is_input_error(),
            Error::Output { .. } | Error::Failed(_) | Error::Cancelled => false,
        }
    }
}
