//! Writing a run's results: tidy CSV files and a manifest, each file written atomically.

pub mod atomic;
pub mod manifest;
pub mod tables;

pub use atomic::write_atomic;
pub use manifest::Manifest;

use crate::engine::RunResults;
use crate::error::Error;
use crate::scenario::Scenario;
use std::path::Path;

/// Writes `weekly.csv`, `online.csv`, `summary.csv`, optionally `replications.csv`, then
/// `manifest.json` into `dir` (created if needed). Returns the names written.
pub fn write_run(dir: &Path, s: &Scenario, results: &RunResults, mut manifest: Manifest, raw: bool) -> Result<Vec<String>, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Output { path: dir.to_path_buf(), source })?;
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("weekly.csv", tables::weekly_csv(s, results, 0)),
        ("online.csv", tables::online_csv(s, results, 0)),
        ("summary.csv", tables::summary_csv(s, results, 0)),
    ];
    if raw {
        files.push(("replications.csv", tables::replications_csv(s, results, 0)));
    }
    for (name, bytes) in &files {
        write_atomic(&dir.join(name), bytes)?;
    }
    manifest.files = files.iter().map(|(n, _)| n.to_string()).chain(["manifest.json".to_string()]).collect();
    let json = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
    write_atomic(&dir.join("manifest.json"), &json)?;
    Ok(manifest.files)
}
