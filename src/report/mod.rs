//! A self-contained HTML report of a results folder: charts drawn in Rust as inline SVG, tables
//! with confidence intervals, and the manifest, so a reader can look at results without a
//! spreadsheet. It reads only the files of the folder (the CSV tables and `manifest.json` are the
//! interface), so it works on any results folder, including a sweep's.

pub mod charts;
mod csv_table;
mod error;
mod format;
mod html;
mod page;
mod palette;
mod results;
mod tables;

pub use error::ReportError;
pub use results::Results;

use crate::output::write_atomic;
use std::path::{Path, PathBuf};

/// File name of the report inside a results folder.
pub const REPORT_FILE: &str = "report.html";

/// Reads the results folder `dir` and returns the report as one HTML document.
pub fn render(dir: &Path) -> Result<String, ReportError> {
    let results = Results::read(dir)?;
    page::render(&results)
}

/// Writes `dir/report.html` (atomically) and lists it in `dir/manifest.json`'s `files`, so later
/// runs into the folder know it as cartshift's own. Returns the report's path.
pub fn write_report(dir: &Path) -> Result<PathBuf, ReportError> {
    let html = render(dir)?;
    let path = dir.join(REPORT_FILE);
    write_atomic(&path, html.as_bytes())
        .map_err(|e| ReportError::Write { path: path.clone(), message: e.to_string() })?;
    results::list_in_manifest(dir, REPORT_FILE)?;
    Ok(path)
}
