//! The output folder, checked before a run spends minutes simulating (for every kind of run): it must be a folder that
//! can be written, and hold only files cartshift wrote (those its `manifest.json` lists) unless
//! `--force`. cartshift never deletes a file it did not write: after a run it removes only the
//! files an earlier run listed and this one did not write, and after a failed write only a folder
//! this run created.

use super::folder::PARTIAL_DIR;
use std::path::{Path, PathBuf};

/// How many foreign files an error lists.
const LISTED: usize = 5;

/// An output folder that cannot or may not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutFolderError {
    /// The path exists and is a file.
    #[error("output folder {}: it is a file, not a folder; choose a folder with -o DIR", dir.display())]
    NotAFolder {
        /// The path given.
        dir: PathBuf,
    },
    /// The folder holds files cartshift did not write.
    #[error(
        "output folder {} holds files cartshift did not write: {}\n  choose another folder with -o DIR, or add --force to write beside them (cartshift never deletes them)",
        dir.display(), list(files)
    )]
    Foreign {
        /// The folder.
        dir: PathBuf,
        /// The files (relative to the folder).
        files: Vec<String>,
    },
    /// The folder cannot be created or written.
    #[error("cannot write to output folder {}: {source}\n  choose a folder you can write to with -o DIR", dir.display())]
    Unwritable {
        /// The folder.
        dir: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

fn list(files: &[String]) -> String {
    let shown = files.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    if files.len() > LISTED { format!("{shown} and {} more", files.len() - LISTED) } else { shown }
}

/// Creates and removes a file in `dir`, so a folder that cannot be written is found before
/// simulating.
fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".cartshift-write-check.{}", std::process::id()));
    std::fs::File::create(&probe).and_then(|_| std::fs::remove_file(&probe))
}

/// A checked output folder.
pub struct OutFolder {
    dir: PathBuf,
    /// The outermost folder this run created, if any.
    created: Option<PathBuf>,
    /// The files the folder's manifest listed before the run.
    previous: Vec<String>,
}

impl OutFolder {
    /// Checks `dir` before a run. A folder that does not exist yet is not created here (the
    /// results create it when they are written, so a run that is refused or interrupted before
    /// then leaves nothing behind); its nearest existing parent must be a folder we can write.
    /// With `resume`, an unfinished run's files already moved into place count as ours.
    pub fn prepare(dir: &Path, force: bool, resume: bool) -> Result<OutFolder, OutFolderError> {
        let unwritable = |source| OutFolderError::Unwritable { dir: dir.to_path_buf(), source };
        if dir.exists() && !dir.is_dir() {
            return Err(OutFolderError::NotAFolder { dir: dir.to_path_buf() });
        }
        if !dir.exists() {
            let created =
                dir.ancestors().take_while(|a| !a.as_os_str().is_empty() && !a.exists()).last().map(Path::to_path_buf);
            let parent = dir.ancestors().skip(1).find(|a| a.as_os_str().is_empty() || a.exists());
            let parent = parent.filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !parent.is_dir() {
                let reason = format!("{} is not a folder", parent.display());
                return Err(unwritable(std::io::Error::new(std::io::ErrorKind::NotADirectory, reason)));
            }
            probe_writable(parent).map_err(unwritable)?;
            return Ok(OutFolder { dir: dir.to_path_buf(), created, previous: Vec::new() });
        }
        let folder = OutFolder { dir: dir.to_path_buf(), created: None, previous: listed_files(dir) };
        probe_writable(dir).map_err(unwritable)?;
        let mut ours = folder.previous.clone();
        if resume {
            ours.extend(partial_files(dir));
        }
        let foreign = foreign_files(dir, "", &ours).map_err(unwritable)?;
        match foreign.is_empty() || force {
            true => Ok(folder),
            false => Err(OutFolderError::Foreign { dir: dir.to_path_buf(), files: foreign }),
        }
    }

    /// After a failure: removes the output folder if this run created it (it holds only this
    /// run's files), and the parents this run created as long as they are empty.
    pub fn discard(&self) {
        let Some(created) = &self.created else { return };
        let _ = std::fs::remove_dir_all(&self.dir);
        for parent in self.dir.ancestors().skip(1).take_while(|a| a.starts_with(created)) {
            let _ = std::fs::remove_dir(parent); // only succeeds when empty
        }
    }

    /// After a successful write of `written`: removes the files an earlier run listed that this
    /// run did not write (stale results of another kind of run), and folders they leave empty.
    pub fn remove_stale(&self, written: &[String]) {
        for name in self.previous.iter().filter(|p| !written.contains(p)) {
            let path = self.dir.join(name);
            if path.is_file()
                && std::fs::remove_file(&path).is_ok()
                && let Some(parent) = path.parent().filter(|p| *p != self.dir)
            {
                let _ = std::fs::remove_dir(parent); // only succeeds when empty
            }
        }
    }
}

/// The files an unfinished run in `dir` is writing (its identity lists them).
fn partial_files(dir: &Path) -> Vec<String> {
    let path = dir.join(PARTIAL_DIR).join(super::folder::IDENTITY_FILE);
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<super::folder::Identity>(&bytes).ok())
        .map(|identity| identity.files.into_iter().chain(["scenario.toml".into(), "reference.toml".into()]).collect())
        .unwrap_or_default()
}

/// The files `dir/manifest.json` lists (empty when there is none or it is not cartshift's).
fn listed_files(dir: &Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(dir.join("manifest.json")) else { return Vec::new() };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return Vec::new() };
    let files = manifest.get("files").and_then(|f| f.as_array()).cloned().unwrap_or_default();
    let names: Vec<String> = files.iter().filter_map(|f| f.as_str().map(str::to_string)).collect();
    // A manifest lists itself; one that does not is not cartshift's.
    if names.iter().any(|n| n == "manifest.json") { names } else { Vec::new() }
}

/// Entries of `dir` (under `prefix`) that `ours` does not account for, relative to the folder.
fn foreign_files(dir: &Path, prefix: &str, ours: &[String]) -> std::io::Result<Vec<String>> {
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir.join(prefix))? {
        let name = format!("{prefix}{}", entry?.file_name().to_string_lossy());
        if name == super::LOCK_FILE {
            continue; // another run's (it refuses us itself) or a stale one's (taken over)
        }
        let path = dir.join(&name);
        if name == PARTIAL_DIR {
            continue; // an unfinished run of cartshift's, for --resume
        }
        if path.is_dir() && ours.iter().any(|o| o.starts_with(&format!("{name}/"))) {
            foreign.extend(foreign_files(dir, &format!("{name}/"), ours)?);
        } else if path.is_dir() {
            foreign.push(format!("{name}/"));
        } else if !ours.contains(&name) {
            foreign.push(name);
        }
    }
    foreign.sort();
    Ok(foreign)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(dir: &Path, files: &[&str]) {
        let json = serde_json::json!({ "scenario": "s", "files": files });
        std::fs::write(dir.join("manifest.json"), json.to_string()).unwrap();
    }

    #[test]
    fn listed_files_and_folders_are_ours() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reference")).unwrap();
        for f in ["weekly.csv", "reference/weekly.csv", "notes.txt", "reference/mine.csv"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("plots")).unwrap();
        manifest(dir.path(), &["weekly.csv", "reference/weekly.csv", "manifest.json"]);
        let ours = listed_files(dir.path());
        assert_eq!(foreign_files(dir.path(), "", &ours).unwrap(), ["notes.txt", "plots/", "reference/mine.csv"]);
    }

    #[test]
    fn a_manifest_that_does_not_list_itself_is_not_ours() {
        let dir = tempfile::tempdir().unwrap();
        manifest(dir.path(), &["weekly.csv"]);
        assert!(listed_files(dir.path()).is_empty());
    }

    #[test]
    fn discarding_removes_only_what_this_run_created() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("results/run");
        let folder = OutFolder::prepare(&out, false, false).unwrap();
        assert!(!out.exists(), "a created folder waits for the results");
        std::fs::create_dir_all(&out).unwrap(); // as writing the results does
        std::fs::write(out.join("weekly.csv"), "x").unwrap();
        std::fs::create_dir(dir.path().join("results/other")).unwrap(); // another run's, meanwhile
        folder.discard();
        assert!(!out.exists());
        assert!(dir.path().join("results/other").is_dir(), "a parent that is not empty stays");
        let kept = OutFolder::prepare(dir.path(), true, false).unwrap();
        kept.discard();
        assert!(dir.path().join("results/other").is_dir(), "a folder that existed is never removed");
    }

    #[test]
    fn stale_files_go_and_user_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reference")).unwrap();
        for f in ["weekly.csv", "shifts.csv", "reference/weekly.csv", "notes.txt"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        manifest(dir.path(), &["weekly.csv", "shifts.csv", "reference/weekly.csv", "manifest.json"]);
        let folder = OutFolder::prepare(dir.path(), true, false).unwrap();
        folder.remove_stale(&["weekly.csv".into(), "manifest.json".into()]);
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(left, ["manifest.json", "notes.txt", "weekly.csv"]);
    }
}
