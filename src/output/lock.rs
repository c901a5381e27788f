//! One run at a time per output folder: an advisory lock that a crashed run cannot leave stuck.
//!
//! The lock is the file [`LOCK_FILE`] in the output folder, created with `O_EXCL` and holding
//! the owner's process id and host name, plus an OS lock (`flock`) on that file while the run
//! lasts. The OS lock is what counts: the kernel releases it when its process dies, however it
//! dies, so a lock file whose OS lock is free was left by a run that is gone, and the next run
//! takes it over (and says so). The file itself only names the holder in the refusal message.
//! Dropping the lock removes the file, and the folder too when locking created it and it is
//! still empty.
//!
//! `flock` is advisory and local: it protects against a second cartshift, not against other
//! programs, and on network filesystems that do not pass `flock` to the server (older NFS) two
//! hosts may each see the lock free.

use super::folder::FolderError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The lock file inside the output folder.
pub const LOCK_FILE: &str = ".cartshift.lock";

/// Tries before giving up on a lock file that keeps being replaced under us.
const ATTEMPTS: usize = 5;

/// An output folder held by this process until dropped.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    /// Held open: closing it releases the OS lock.
    file: File,
    /// The outermost folder that locking created, removed on drop if empty.
    created: Option<PathBuf>,
    note: Option<String>,
}

impl FolderLock {
    /// Locks `dir` (created if missing) for this run. Refuses a folder another live run holds
    /// (bad input, naming the folder and the holder); takes over a lock file left by a run that
    /// is gone, with a [`FolderLock::note`] saying so.
    pub fn acquire(dir: &Path) -> Result<FolderLock, FolderError> {
        let created = dir.ancestors().take_while(|a| !a.as_os_str().is_empty() && !a.exists()).last();
        let created = created.map(Path::to_path_buf);
        std::fs::create_dir_all(dir).map_err(FolderError::write(dir))?;
        if let Some(created) = &created {
            sync_new_folders(dir, created)?;
        }
        let path = dir.join(LOCK_FILE);
        for _ in 0..ATTEMPTS {
            let (file, note) = match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                Ok(file) => (file, None),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match open_existing(&path)? {
                    Some((file, holder)) => (file, Some(taken_over(dir, &holder))),
                    None => continue, // removed meanwhile: try to create it again
                },
                Err(e) => return Err(FolderError::Write { path, source: e }),
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Err(held(dir, &holder_of(&path))),
                Err(TryLockError::Error(e)) => return Err(FolderError::Write { path, source: e }),
            }
            if !same_file(&file, &path) {
                continue; // its holder removed it as we locked it: lock the new one
            }
            let mut lock = FolderLock { path, file, created, note };
            lock.write_owner()?;
            return Ok(lock);
        }
        Err(held(dir, &holder_of(&path)))
    }

    /// A note for the user when the lock was taken over from a run that is gone.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_owner(&mut self) -> Result<(), FolderError> {
        let owner = format!("{} {}\n", std::process::id(), host_name());
        let file = &mut self.file;
        let result = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(owner.as_bytes()))
            .and_then(|()| file.sync_data());
        result.map_err(FolderError::write(&self.path))
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        if let Some(created) = &self.created {
            let folder = self.path.parent().unwrap_or(created);
            for dir in folder.ancestors().take_while(|a| a.starts_with(created)) {
                let _ = std::fs::remove_dir(dir); // only succeeds when empty
            }
        }
    }
}

/// Makes the folders from `created` down to `dir`, just created, durable: each one's entry is
/// in its parent, so each parent is synced.
fn sync_new_folders(dir: &Path, created: &Path) -> Result<(), FolderError> {
    for folder in dir.ancestors().take_while(|a| a.starts_with(created)) {
        let parent = folder.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        super::atomic::sync_dir(parent).map_err(FolderError::write(parent))?;
    }
    Ok(())
}

/// Opens the lock file that exists at `path` and reads who wrote it; `None` if it is gone.
fn open_existing(path: &Path) -> Result<Option<(File, String)>, FolderError> {
    match OpenOptions::new().read(true).write(true).open(path) {
        Ok(mut file) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            Ok(Some((file, text)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FolderError::Write { path: path.to_path_buf(), source: e }),
    }
}

/// True while `path` still names the file `file` is (it was not removed or replaced).
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn holder_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The refusal: another run holds the folder.
fn held(dir: &Path, holder: &str) -> FolderError {
    let message = format!(
        "another cartshift run is writing to this folder ({}; lock file {LOCK_FILE}): wait for it to \
         finish, or choose another folder with -o DIR",
        describe(holder)
    );
    FolderError::refused(dir, message)
}

/// The note when a lock left by a run that is gone is taken over.
fn taken_over(dir: &Path, holder: &str) -> String {
    format!(
        "{}: took over the lock of an earlier run that is no longer running ({}); it stopped \
         without finishing (killed or crashed)",
        dir.display(),
        describe(holder)
    )
}

/// `process 123 on host h`, from a lock file's `PID HOST` line.
fn describe(holder: &str) -> String {
    let line = holder.lines().next().unwrap_or("").trim();
    match line.split_once(' ') {
        Some((pid, host)) if pid.parse::<u32>().is_ok() => format!("process {pid} on host {host}"),
        _ if line.is_empty() => "process unknown: the lock file is empty".into(),
        _ => format!("process unknown: the lock file says '{}'", line.chars().take(80).collect::<String>()),
    }
}

/// This machine's name (Linux), or `unknown`.
fn host_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name = name.trim();
    if name.is_empty() { "unknown".into() } else { name.replace(char::is_whitespace, "_") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_folder_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = FolderLock::acquire(dir.path()).unwrap();
        assert_eq!(first.note(), None);
        let owner = std::fs::read_to_string(first.path()).unwrap();
        assert!(owner.starts_with(&format!("{} ", std::process::id())), "{owner}");
        // flock locks belong to the open file, so a second open in this process conflicts too.
        let err = FolderLock::acquire(dir.path()).unwrap_err();
        assert!(err.is_input_error());
        let text = err.to_string();
        assert!(text.contains(&format!("process {} on host", std::process::id())), "{text}");
        assert!(text.contains(&dir.path().display().to_string()), "{text}");
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists(), "the lock file goes with the lock");
        let again = FolderLock::acquire(dir.path()).unwrap();
        assert_eq!(again.note(), None, "a released lock is not stale");
    }

    #[test]
    fn a_lock_file_without_its_os_lock_is_taken_over_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "4000000 gone-host\n").unwrap();
        let lock = FolderLock::acquire(dir.path()).unwrap();
        let note = lock.note().expect("a note");
        assert!(note.contains("process 4000000 on host gone-host"), "{note}");
        let owner = std::fs::read_to_string(lock.path()).unwrap();
        assert!(owner.starts_with(&format!("{} ", std::process::id())), "now ours: {owner}");
    }

    #[test]
    fn a_folder_created_for_the_lock_is_removed_with_it_when_empty() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b");
        drop(FolderLock::acquire(&out).unwrap());
        assert!(!dir.path().join("a").exists(), "nothing left");
        let lock = FolderLock::acquire(&out).unwrap();
        std::fs::write(out.join("weekly.csv"), "x").unwrap();
        drop(lock);
        assert!(out.join("weekly.csv").exists(), "a folder with results stays");
        drop(FolderLock::acquire(&out).unwrap());
        assert!(out.exists(), "a folder that existed stays");
    }

    #[test]
    fn describes_a_damaged_lock_file() {
        assert_eq!(describe(""), "process unknown: the lock file is empty");
        assert_eq!(describe("12 h\n"), "process 12 on host h");
        assert!(describe("garbage").contains("'garbage'"));
    }
}
