//! Where the files of an `extends` chain come from: the file system, or a set of texts in memory.
//!
//! Loading only needs two things from a file: an identity (to see a cycle) and its text. Keeping
//! them behind [`Files`] lets tests and the fuzz target exercise the whole `extends` logic —
//! relative paths, cycles, missing parents, depth — without touching the disk.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// A source of scenario files.
pub(crate) trait Files {
    /// A name that is the same for every path reaching the same file; `Err` if there is none.
    fn identity(&self, path: &Path) -> io::Result<PathBuf>;
    /// The file's text.
    fn read(&self, path: &Path) -> io::Result<String>;
}

/// The real file system; identity is the canonical path.
pub(crate) struct Disk;

impl Files for Disk {
    fn identity(&self, path: &Path) -> io::Result<PathBuf> {
        path.canonicalize()
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// Named texts; a path's identity is its lexically normalised form (`a/./b/../c` is `a/c`).
pub(crate) struct Memory<'a> {
    files: BTreeMap<PathBuf, &'a str>,
}

impl<'a> Memory<'a> {
    pub(crate) fn new(files: &[(&str, &'a str)]) -> Memory<'a> {
        Memory { files: files.iter().map(|(name, text)| (normalize(Path::new(name)), *text)).collect() }
    }
}

impl Files for Memory<'_> {
    fn identity(&self, path: &Path) -> io::Result<PathBuf> {
        let key = normalize(path);
        if self.files.contains_key(&key) {
            Ok(key)
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file among the in-memory files"))
        }
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        let key = self.identity(path)?;
        Ok(self.files[&key].to_string())
    }
}

/// `path` without `.` components, and with `..` removing the component before it where there is one.
fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_paths_are_normalised() {
        let memory = Memory::new(&[("dir/a.toml", "x")]);
        assert_eq!(memory.read(Path::new("./dir/sub/../a.toml")).unwrap(), "x");
        assert_eq!(memory.identity(Path::new("dir/a.toml")).unwrap(), PathBuf::from("dir/a.toml"));
        assert!(memory.read(Path::new("a.toml")).is_err());
    }
}
