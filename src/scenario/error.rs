//! What is wrong with a scenario, and where: file, line, dotted path, expectation, suggestion.

use std::path::PathBuf;

pub use crate::location::Location;

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
