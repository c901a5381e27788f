//! What a results folder holds, and whether a run may continue in it.
//!
//! A run in progress keeps its files under [`PARTIAL_DIR`] in the output folder: the sweep's
//! [`Identity`], the CSV files written so far and a journal. The journal's last complete line
//! says which points are finished and how long each file was then; anything past those lengths
//! is a half-written point, cut off and redone by `--resume`. A finished folder has no
//! [`PARTIAL_DIR`], only the CSV files and `manifest.json`.

use super::format::{Format, csv_name};
use super::journal::{check_entry, read_journal};
use super::manifest::{Manifest, ShardInfo};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The hidden folder of a run in progress, inside the output folder.
pub const PARTIAL_DIR: &str = ".cartshift-partial";
/// The identity file inside [`PARTIAL_DIR`].
pub(crate) const IDENTITY_FILE: &str = "identity.json";
/// The journal inside [`PARTIAL_DIR`].
pub(crate) const JOURNAL_FILE: &str = "journal";

/// A results folder that cannot be written, resumed or merged.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The folder or the shards are not what the command needs (bad input).
    #[error("{}: {message}", path.display())]
    Refused {
        /// The folder or file at fault.
        path: PathBuf,
        /// Why, and what to do.
        message: String,
    },
    /// A folder or file given as input cannot be read (bad input).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// What was read.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Results cannot be written (a failure while running).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// What was written.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

impl FolderError {
    /// True for bad input (exit code 2), false for a failure while running.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, FolderError::Write { .. })
    }

    pub(crate) fn refused(path: &Path, message: impl Into<String>) -> FolderError {
        FolderError::Refused { path: path.to_path_buf(), message: message.into() }
    }

    pub(crate) fn write(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
        move |source| FolderError::Write { path: path.to_path_buf(), source }
    }

    pub(crate) fn read(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
        move |source| FolderError::Read { path: path.to_path_buf(), source }
    }
}

/// What a folder of results is the results of: equal identities give equal bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// cartshift's version.
    pub cartshift_version: String,
    /// Scenario `name`.
    pub scenario: String,
    /// SHA-256 of the merged scenario document, `[sweep]` included.
    pub scenario_hash: String,
    /// Root seed.
    pub seed: u64,
    /// Points of the whole sweep.
    pub points: usize,
    /// The share of the points, when sharded.
    pub shard: Option<ShardInfo>,
    /// The CSV files, in the order they are written (kept as CSV while the run goes on).
    pub files: Vec<String>,
    /// The adaptive-replications rule, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<String>,
    /// The format the tables end in (`--format`).
    #[serde(default, skip_serializing_if = "Format::is_csv")]
    pub format: Format,
}

impl Identity {
    /// The identity a finished folder's manifest records.
    pub fn of_manifest(m: &Manifest) -> Identity {
        Identity {
            cartshift_version: m.cartshift_version.clone(),
            scenario: m.scenario.clone(),
            scenario_hash: m.scenario_hash.clone(),
            seed: m.seed,
            points: m.sweep.as_ref().map_or(1, |s| s.points),
            shard: m.shard,
            files: table_files(&m.files),
            precision: m.adaptive.as_ref().map(|a| a.rule.clone()),
            format: Format::of_files(&m.files),
        }
    }

    /// The points this folder holds.
    pub fn range(&self) -> Range<usize> {
        self.shard.map_or(0..self.points, |s| s.first_point..s.first_point.saturating_add(s.points))
    }

    /// What differs from `other`, as `what: X in theirs, Y in ours` phrases.
    pub fn differences(&self, other: &Identity, theirs: &str, ours: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut differ = |what: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{what}: {a} in {theirs}, {b} in {ours}"));
            }
        };
        differ("cartshift", other.cartshift_version.clone(), self.cartshift_version.clone());
        differ("scenario", format!("'{}'", other.scenario), format!("'{}'", self.scenario));
        differ("seed", other.seed.to_string(), self.seed.to_string());
        differ("scenario hash", short(&other.scenario_hash), short(&self.scenario_hash));
        differ("points", other.points.to_string(), self.points.to_string());
        differ("shard", shard_text(other.shard), shard_text(self.shard));
        differ("files", other.files.join(" "), self.files.join(" "));
        let rule = |p: &Option<String>| p.clone().unwrap_or_else(|| "fixed replications".into());
        differ("replications", rule(&other.precision), rule(&self.precision));
        differ("format", other.format.to_string(), self.format.to_string());
        out
    }
}

/// The tables among a manifest's files, by their CSV names, in order (a table written in both
/// formats once).
fn table_files(files: &[String]) -> Vec<String> {
    let mut tables: Vec<String> = Vec::new();
    for name in files.iter().filter(|f| f.ends_with(".csv") || f.ends_with(".parquet")).map(|f| csv_name(f)) {
        if !tables.contains(&name) {
            tables.push(name);
        }
    }
    tables
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn shard_text(shard: Option<ShardInfo>) -> String {
    shard.map_or("none".into(), |s| format!("{}/{}", s.index, s.count))
}

/// Where a run starts in its output folder.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Write every point.
    Fresh,
    /// Points before `next` are finished; the partial files are valid up to `lengths`.
    Resume {
        /// The first point still to run.
        next: usize,
        /// Each CSV file's length once the finished points are in.
        lengths: Vec<u64>,
    },
    /// The folder already holds this run, finished.
    Complete(Box<Manifest>),
}

/// Decides where a run of `identity` starts in `dir`, reading only. Without `resume` it starts
/// afresh; with it, it continues a partial run of the same identity, finds a finished one
/// complete, starts afresh in a folder with neither, and refuses a folder of another run.
pub fn plan_start(dir: &Path, identity: &Identity, resume: bool) -> Result<Start, FolderError> {
    if !resume {
        return Ok(Start::Fresh);
    }
    let partial = dir.join(PARTIAL_DIR);
    let identity_path = partial.join(IDENTITY_FILE);
    if identity_path.exists() {
        let theirs: Identity = read_json(&identity_path)?;
        refuse_other(dir, identity, &theirs, "an unfinished run")?;
        let journal = partial.join(JOURNAL_FILE);
        let Some(entry) = read_journal(&journal, identity.files.len())? else {
            let message = "missing, empty or truncated before its first line: the unfinished run cannot be \
                           resumed: run again without --resume to start it over";
            return Err(FolderError::refused(&journal, message));
        };
        check_entry(&entry, &identity.range(), dir, &partial, &identity.files)?;
        return Ok(Start::Resume { next: entry.next, lengths: entry.lengths });
    }
    let manifest_path = dir.join("manifest.json");
    if manifest_path.exists() {
        let manifest: Manifest = read_json(&manifest_path)?;
        refuse_other(dir, identity, &Identity::of_manifest(&manifest), "the finished results")?;
        check_listed_files(dir, &manifest)?;
        return Ok(Start::Complete(Box::new(manifest)));
    }
    Ok(Start::Fresh)
}

/// A finished folder must still hold every file its manifest lists.
fn check_listed_files(dir: &Path, manifest: &Manifest) -> Result<(), FolderError> {
    let missing: Vec<&str> = manifest.files.iter().filter(|f| !dir.join(f).is_file()).map(String::as_str).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let message = format!(
        "the finished results are incomplete: {} listed in manifest.json but missing; run again without \
         --resume to write them all",
        missing.join(", ")
    );
    Err(FolderError::refused(dir, message))
}

/// A file name a manifest or identity lists must stay inside its folder: relative, no `..`.
pub(crate) fn check_file_names(path: &Path, names: &[String]) -> Result<(), FolderError> {
    use std::path::Component;
    for name in names {
        let inside = !name.is_empty() && Path::new(name).components().all(|c| matches!(c, Component::Normal(_)));
        if !inside {
            let message = format!(
                "lists the file '{name}', which is not a file inside its folder: not a file \
                                   cartshift wrote; remove the folder"
            );
            return Err(FolderError::refused(path, message));
        }
    }
    Ok(())
}

fn refuse_other(dir: &Path, ours: &Identity, theirs: &Identity, what: &str) -> Result<(), FolderError> {
    let differences = ours.differences(theirs, "the folder", "this run");
    if differences.is_empty() {
        return Ok(());
    }
    let message = format!(
        "cannot resume: the folder holds {what} of another scenario, seed or version ({}); remove the folder \
         or run without --resume",
        differences.join("; ")
    );
    Err(FolderError::refused(dir, message))
}

/// Reads a JSON file written by cartshift.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, FolderError> {
    let bytes = std::fs::read(path).map_err(FolderError::read(path))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| FolderError::refused(path, format!("not a file cartshift wrote ({e}); remove the folder")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            cartshift_version: "0.1.0".into(),
            scenario: "s".into(),
            scenario_hash: "ab".repeat(32),
            seed: 7,
            points: 4,
            shard: None,
            files: vec!["weekly.csv".into()],
            precision: None,
            format: Format::Csv,
        }
    }

    #[test]
    fn differences_name_what_differs() {
        let a = identity();
        assert!(a.differences(&a, "x", "y").is_empty());
        let b = Identity { seed: 8, ..identity() };
        assert_eq!(a.differences(&b, "the folder", "this run"), ["seed: 8 in the folder, 7 in this run"]);
    }

    #[test]
    fn listed_files_must_stay_inside_their_folder() {
        let path = Path::new("a/manifest.json");
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_file_names(path, &names(&["weekly.csv", "reference/weekly.csv"])).is_ok());
        for bad in ["../weekly.csv", "/etc/passwd", "", "reference/../../x", "./weekly.csv"] {
            let err = check_file_names(path, &names(&["weekly.csv", bad])).unwrap_err();
            assert!(err.to_string().contains(&format!("lists the file '{bad}'")), "{err}");
        }
    }

    #[test]
    fn resume_refuses_a_folder_of_another_run() {
        let dir = tempfile::tempdir().unwrap();
        let partial = dir.path().join(PARTIAL_DIR);
        std::fs::create_dir(&partial).unwrap();
        let theirs = Identity { scenario: "other".into(), ..identity() };
        std::fs::write(partial.join(IDENTITY_FILE), serde_json::to_vec(&theirs).unwrap()).unwrap();
        let err = plan_start(dir.path(), &identity(), true).unwrap_err();
        assert!(err.is_input_error());
        assert!(err.to_string().contains("scenario: 'other' in the folder, 's' in this run"), "{err}");
        assert_eq!(plan_start(dir.path(), &identity(), false).unwrap(), Start::Fresh);
    }
}
