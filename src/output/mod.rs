//! Writing a run's results: tidy CSV files and a manifest, each file written atomically.
//!
//! A comparison's files are built in memory and written at once ([`write_comparison`]). A run
//! without a reference, plain or swept, streams its rows point by point ([`stream`]) so that
//! memory does not grow with the number of points, and can be resumed ([`folder`]) or, when
//! sharded, joined with its sibling shards ([`merge`]).

pub mod atomic;
pub mod comparison;
pub mod folder;
pub mod manifest;
pub mod merge;
pub mod new_shoppers;
pub mod owners;
pub mod reach;
pub mod regions;
pub mod retailers;
pub mod stream;
pub mod tables;

pub use atomic::write_atomic;
pub use folder::{FolderError, Identity, PARTIAL_DIR, Start, plan_start};
pub use manifest::{Manifest, ReferenceInfo, ShardInfo, SweepInfo};
pub use merge::merge_shards;
pub use stream::SweepWriter;

use crate::engine::{ComparisonResults, RunResults};
use crate::error::Error;
use crate::scenario::Scenario;
use std::path::Path;

/// A file to write: name relative to the output folder, and its bytes.
type File = (String, Vec<u8>);

/// The per-scenario tables: weekly, online, summary and, with `raw`, replications.
fn run_files(s: &Scenario, results: &RunResults, raw: bool, prefix: &str) -> Vec<File> {
    let mut files = vec![
        (format!("{prefix}weekly.csv"), tables::weekly_csv(s, results, 0)),
        (format!("{prefix}online.csv"), tables::online_csv(s, results, 0)),
        (format!("{prefix}summary.csv"), tables::summary_csv(s, results, 0)),
        (format!("{prefix}regions.csv"), regions::regions_csv(s, results, 0)),
        (format!("{prefix}retailers.csv"), retailers::retailers_csv(s, results, 0)),
        (format!("{prefix}owners.csv"), owners::owners_csv(s, results, 0)),
    ];
    if raw {
        files.push((format!("{prefix}replications.csv"), tables::replications_csv(s, results, 0)));
    }
    files
}

/// Writes the files, then `manifest.json` listing them, into `dir` (created if needed).
fn write_files(dir: &Path, files: Vec<File>, mut manifest: Manifest) -> Result<Vec<String>, Error> {
    for (name, _) in &files {
        if let Some(parent) = dir.join(name).parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Output { path: parent.to_path_buf(), source })?;
        }
    }
    for (name, bytes) in &files {
        write_atomic(&dir.join(name), bytes)?;
    }
    manifest.files = files.into_iter().map(|(n, _)| n).chain(["manifest.json".to_string()]).collect();
    let json = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
    write_atomic(&dir.join("manifest.json"), &json)?;
    Ok(manifest.files)
}

/// Writes `weekly.csv`, `online.csv`, `summary.csv`, optionally `replications.csv`, then
/// `manifest.json` into `dir`. Returns the names written.
pub fn write_run(
    dir: &Path,
    s: &Scenario,
    results: &RunResults,
    manifest: Manifest,
    raw: bool,
) -> Result<Vec<String>, Error> {
    write_files(dir, run_files(s, results, raw, ""), manifest)
}

/// Writes a comparison: the scenario's own tables, `shifts.csv`, `shifts_weekly.csv`,
/// `switching.csv` (with common random numbers), the reference's tables under `reference/`,
/// then `manifest.json`. Returns the names written.
pub fn write_comparison(
    dir: &Path,
    s: &Scenario,
    r: &Scenario,
    c: &ComparisonResults,
    manifest: Manifest,
    raw: bool,
) -> Result<Vec<String>, Error> {
    let mut files = run_files(s, &c.scenario, raw, "");
    files.push(("shifts.csv".into(), comparison::shifts_csv(s, r, c, 0)));
    files.push(("shifts_weekly.csv".into(), comparison::shifts_weekly_csv(s, r, c, 0)));
    if let Some(switching) = comparison::switching_csv(s, r, c, 0) {
        files.push(("switching.csv".into(), switching));
    }
    files.push(("shifts_owners.csv".into(), owners::shifts_owners_csv(s, r, c, 0)));
    if let Some(new_shoppers) = new_shoppers::new_shoppers_csv(s, r, c, 0) {
        files.push(("new_shoppers.csv".into(), new_shoppers));
    }
    if let Some(by_region) = regions::shifts_regions_csv(s, r, c, 0) {
        files.push(("shifts_regions.csv".into(), by_region));
    }
    files.extend(run_files(r, &c.reference, raw, "reference/"));
    write_files(dir, files, manifest)
}
