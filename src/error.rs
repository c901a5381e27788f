//! Typed errors a user can act on: where the problem is, what was expected, and a suggestion.

use std::fmt;
use std::path::PathBuf;

/// A place in a scenario file (or on the command line) that an error points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, or `--set` for a command-line override.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}", self.file, l, c),
            (Some(l), None) => write!(f, "{}:{}", self.file, l),
            _ => write!(f, "{}", self.file),
        }
    }
}

/// A scenario that cannot be run, and why.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario file {}: {source}", path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{location}: not valid TOML: {message}")]
    Syntax {
        /// Where the parser stopped.
        location: Location,
        /// The parser's explanation.
        message: String,
    },
    /// A key, a value or a name that the model does not accept.
    #[error("{}", invalid_message(location, path, message, suggestion))]
    Invalid {
        /// Where the offending value is, when it can be found.
        location: Option<Location>,
        /// Dotted path of the offending value, e.g. `retailer.Kroger.price_index`.
        path: String,
        /// What is wrong and what was expected.
        message: String,
        /// The nearest valid name, for a misspelling.
        suggestion: Option<String>,
    },
    /// `extends` chains that loop, go too deep or name a missing parent.
    #[error("{}{message}\n  extends chain: {}", location_prefix(location), chain.join(" -> "))]
    Extends {
        /// The `extends` key that closes the loop or names the missing parent.
        location: Option<Location>,
        /// What went wrong.
        message: String,
        /// Every file of the chain, child first.
        chain: Vec<String>,
    },
}

fn location_prefix(location: &Option<Location>) -> String {
    location.as_ref().map_or_else(String::new, |loc| format!("{loc}: "))
}

fn invalid_message(location: &Option<Location>, path: &str, message: &str, suggestion: &Option<String>) -> String {
    let mut out = location_prefix(location);
    if !path.is_empty() {
        out.push_str(&format!("{path}: "));
    }
    out.push_str(message);
    if let Some(s) = suggestion {
        out.push_str(&format!("; did you mean '{s}'?"));
    }
    out
}

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
}

impl Error {
    /// True when the error is the user's input (exit code 2) rather than a failure while running.
    pub fn is_input_error(&self) -> bool {
        match self {
            Error::Scenario(_) | Error::TooLarge(_) | Error::OutFolder(_) => true,
            Error::Folder(f) => f.is_input_error(),
            Error::Output { .. } | Error::Failed(_) => false,
        }
    }
}
