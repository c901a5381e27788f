//! Files that appear whole or not at all: write a temporary file beside the target, fsync it,
//! rename it into place, then fsync the folder so the rename itself is durable.

use super::folder::FolderError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename, fsync
/// of the folder).
/// The temporary file is removed on every path that does not rename it, a panic included.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FolderError> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = Temporary(Some(dir.join(format!(".{name}.tmp.{}", std::process::id()))));
    let result = (|| {
        let tmp_path = tmp.0.as_deref().expect("not yet renamed");
        let mut file = std::fs::File::create(tmp_path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(tmp_path, path)?;
        tmp.0 = None;
        sync_dir(dir)
    })();
    result.map_err(|source| FolderError::Write { path: path.to_path_buf(), source })
}

/// Makes the entries of `dir` durable: after a rename into it, the new name survives a power
/// cut once this returns (fsync of the folder itself; the file's own fsync covers only its data).
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// A temporary file that is deleted when dropped, unless it was renamed (`None`).
struct Temporary(Option<PathBuf>);

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_only_the_finished_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.csv");
        write_atomic(&target, b"x,y\n").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"x,y\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.csv")]);
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.csv");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("occupied"), b"x").unwrap();
        assert!(write_atomic(&target, b"x,y\n").is_err(), "a non-empty folder cannot be replaced by a file");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.csv")]);
    }

    #[test]
    fn syncs_a_folder_and_names_what_it_cannot_sync() {
        let dir = tempfile::tempdir().unwrap();
        sync_dir(dir.path()).unwrap();
        let err = write_atomic(&dir.path().join("gone/a.csv"), b"x").unwrap_err();
        assert!(err.to_string().contains("gone/a.csv"), "{err}");
        assert_eq!(sync_dir(&dir.path().join("gone")).unwrap_err().kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn reports_an_unwritable_folder() {
        let err = write_atomic(Path::new("/nonexistent-folder/a.csv"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-folder/a.csv"));
    }
}
