//! A place in a scenario file or on the command line that an error points at.

use std::fmt;

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
