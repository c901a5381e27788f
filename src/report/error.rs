//! What can go wrong reading a results folder or writing its report, said so a user can act on it.

use std::path::PathBuf;

/// A results folder that cannot be reported on, or a report that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder has no `manifest.json`: cartshift did not write it (or not completely).
    #[error("{}: not a cartshift results folder (no manifest.json); give the folder a run wrote, e.g. results/baseline_2018", dir.display())]
    NotResults {
        /// The folder given.
        dir: PathBuf,
    },
    /// A file could not be read.
    #[error("cannot read {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The reason.
        message: String,
    },
    /// A file is there but not in the shape cartshift writes.
    #[error("{}{}: {message}", path.display(), line.map_or(String::new(), |l| format!(":{l}")))]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line, when the problem is in one row.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// A chart could not be drawn.
    #[error("cannot draw the chart '{chart}': {message}")]
    Draw {
        /// The chart's id.
        chart: String,
        /// The drawing library's reason.
        message: String,
    },
    /// The report (or the updated manifest) could not be written.
    #[error("cannot write {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The reason.
        message: String,
    },
}

impl ReportError {
    /// True when the folder given is at fault (exit code 2) rather than the writing.
    pub fn is_input_error(&self) -> bool {
        matches!(self, ReportError::NotResults { .. } | ReportError::Read { .. } | ReportError::Malformed { .. })
    }
}
