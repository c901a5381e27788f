//! Writing a run's CSV files point by point, durably, and moving them into place at the end.
//!
//! Rows are appended to the files under [`PARTIAL_DIR`] as points finish, in point order. Now
//! and then (every `sync_every`, and at the end) the files are flushed and fsynced and a
//! journal line records the points finished and the files' lengths; a point is durable once
//! its journal line is. Syncing in batches keeps a sweep of many small points from waiting on
//! the disk after each one; a run killed between syncs redoes at most that much work. At the
//! end the files are renamed into the output folder, `manifest.json` is written, and the
//! partial folder is removed, so the final files appear whole or not at all.

use super::folder::{FolderError, IDENTITY_FILE, Identity, JOURNAL_FILE, PARTIAL_DIR};
use super::format::{Column, Format, parquet_name};
use super::journal::{JournalEntry, read_journal};
use super::manifest::Manifest;
use super::parquet::csv_to_parquet;
use super::write_atomic;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One CSV file being written: `None` once it has been moved into place.
struct PartFile {
    name: String,
    out: Option<BufWriter<File>>,
    len: u64,
}

/// The CSV files of a run in progress.
pub struct SweepWriter {
    dir: PathBuf,
    partial: PathBuf,
    files: Vec<PartFile>,
    journal: File,
    next: usize,
    synced: usize,
    last_sync: Instant,
    sync_every: Duration,
    /// Bytes of rows still allowed before an injected write failure ([`SweepWriter::fail_after`]).
    budget: Option<u64>,
    format: Format,
    columns: Vec<Vec<Column>>,
}

impl SweepWriter {
    /// Starts afresh in `dir`: a new partial folder with `identity` and each file's header
    /// (`headers` in the order of `identity.files`).
    pub fn create(
        dir: &Path,
        identity: &Identity,
        headers: &[Vec<u8>],
        sync_every: Duration,
    ) -> Result<SweepWriter, FolderError> {
        let partial = dir.join(PARTIAL_DIR);
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(FolderError::write(&partial))?;
        }
        std::fs::create_dir_all(&partial).map_err(FolderError::write(&partial))?;
        let json = serde_json::to_vec_pretty(identity).expect("identity serializes");
        write_atomic(&partial.join(IDENTITY_FILE), &json)?;
        let mut files = Vec::with_capacity(headers.len());
        for (name, header) in identity.files.iter().zip(headers) {
            let path = partial.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(FolderError::write(parent))?;
            }
            let mut out = BufWriter::new(File::create(&path).map_err(FolderError::write(&path))?);
            out.write_all(header).map_err(FolderError::write(&path))?;
            files.push(PartFile { name: name.clone(), out: Some(out), len: header.len() as u64 });
        }
        let journal_path = partial.join(JOURNAL_FILE);
        let journal = File::create(&journal_path).map_err(FolderError::write(&journal_path))?;
        let first = identity.range().start;
        let mut writer = SweepWriter {
            dir: dir.to_path_buf(),
            partial,
            files,
            journal,
            next: first,
            synced: usize::MAX,
            last_sync: Instant::now(),
            sync_every,
            budget: None,
            format: Format::Csv,
            columns: Vec::new(),
        };
        writer.sync()?;
        sync_dir(&writer.partial)?;
        sync_dir(dir)?;
        Ok(writer)
    }

    /// Continues the partial run in `dir` at point `next`, cutting each file back to `lengths`
    /// (anything after them is a half-written point) and the journal to its last whole line.
    pub fn resume(
        dir: &Path,
        identity: &Identity,
        next: usize,
        lengths: &[u64],
        sync_every: Duration,
    ) -> Result<SweepWriter, FolderError> {
        let partial = dir.join(PARTIAL_DIR);
        let finished = next >= identity.range().end;
        let mut files = Vec::with_capacity(lengths.len());
        for (name, &len) in identity.files.iter().zip(lengths) {
            files.push(PartFile { name: name.clone(), out: reopen(dir, &partial, name, len, finished)?, len });
        }
        let journal_path = partial.join(JOURNAL_FILE);
        let entry = read_journal(&journal_path, lengths.len())?;
        let mut journal =
            OpenOptions::new().write(true).open(&journal_path).map_err(FolderError::write(&journal_path))?;
        journal.set_len(entry.map_or(0, |e| e.end)).map_err(FolderError::write(&journal_path))?;
        journal.seek(SeekFrom::End(0)).map_err(FolderError::write(&journal_path))?;
        let last_sync = Instant::now();
        let (format, columns) = (Format::Csv, Vec::new());
        let dir = dir.to_path_buf();
        let budget = None;
        Ok(SweepWriter {
            dir,
            partial,
            files,
            journal,
            next,
            synced: next,
            last_sync,
            sync_every,
            budget,
            format,
            columns,
        })
    }

    /// Writes the tables at the end in `format`; `columns` are each file's columns (in file
    /// order), needed for Parquet. The rows are kept as CSV in the partial folder either way,
    /// so the journal can cut them back on `--resume`; Parquet is converted from them at the end.
    pub fn with_format(mut self, format: Format, columns: Vec<Vec<Column>>) -> SweepWriter {
        self.format = format;
        self.columns = columns;
        self
    }

    /// Fault injection, for tests of a full disk: after `bytes` more bytes of rows, writing
    /// fails as a full disk does — the row in hand half-written, then `StorageFull`. `None`
    /// (the default) never fails.
    pub fn fail_after(mut self, bytes: Option<u64>) -> SweepWriter {
        self.budget = bytes;
        self
    }

    /// The next point to write.
    pub fn next_point(&self) -> usize {
        self.next
    }

    /// Appends the next point's rows (one chunk per file, in file order). When a write fails
    /// (a full disk), the points before this one are journalled if the disk still takes it, so
    /// `--resume` keeps them.
    pub fn write_point(&mut self, rows: &[Vec<u8>]) -> Result<(), FolderError> {
        let before: Vec<u64> = self.files.iter().map(|f| f.len).collect();
        if let Err(err) = self.append(rows) {
            let _ = self.journal_lengths(&before);
            return Err(err);
        }
        self.next += 1;
        if self.last_sync.elapsed() >= self.sync_every {
            self.sync()?;
        }
        Ok(())
    }

    fn append(&mut self, rows: &[Vec<u8>]) -> Result<(), FolderError> {
        for (file, bytes) in self.files.iter_mut().zip(rows) {
            if let Some(out) = &mut file.out {
                let path = self.partial.join(&file.name);
                spend(&mut self.budget, bytes, out).map_err(FolderError::write(&path))?;
                out.write_all(bytes).map_err(FolderError::write(&path))?;
                file.len += bytes.len() as u64;
            }
        }
        Ok(())
    }

    /// Makes every point written so far durable: files flushed and fsynced, then journalled.
    fn sync(&mut self) -> Result<(), FolderError> {
        if self.synced == self.next {
            return Ok(());
        }
        let lengths: Vec<u64> = self.files.iter().map(|f| f.len).collect();
        self.journal_lengths(&lengths)?;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Flushes and fsyncs the files, then journals that the points before `next` are in them
    /// up to `lengths` (which the files reach, or exceed by a half-written point).
    fn journal_lengths(&mut self, lengths: &[u64]) -> Result<(), FolderError> {
        for file in &mut self.files {
            if let Some(out) = &mut file.out {
                let path = self.partial.join(&file.name);
                out.flush().map_err(FolderError::write(&path))?;
                out.get_ref().sync_data().map_err(FolderError::write(&path))?;
            }
        }
        let path = self.partial.join(JOURNAL_FILE);
        self.journal.write_all(JournalEntry::line(self.next, lengths).as_bytes()).map_err(FolderError::write(&path))?;
        self.journal.sync_data().map_err(FolderError::write(&path))?;
        self.synced = self.next;
        Ok(())
    }

    /// Moves the files into the output folder, writes `extra` files (name, bytes) atomically,
    /// then `manifest` (listing them all) and removes the partial folder. Returns the names
    /// written.
    pub fn finish(mut self, mut manifest: Manifest, extra: &[(String, Vec<u8>)]) -> Result<Vec<String>, FolderError> {
        self.sync()?;
        for (i, file) in self.files.iter_mut().enumerate() {
            let out = file.out.take();
            let moved = out.is_none();
            drop(out);
            let (from, to) = (self.partial.join(&file.name), self.dir.join(&file.name));
            if self.format.writes_parquet() && !moved {
                let columns = self.columns.get(i).map_or(&[][..], Vec::as_slice);
                csv_to_parquet(&from, &self.dir.join(parquet_name(&file.name)), columns)?;
            }
            if self.format.writes_csv() && !moved {
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent).map_err(FolderError::write(parent))?;
                }
                std::fs::rename(&from, &to).map_err(FolderError::write(&to))?;
            }
            if let Some(parent) = to.parent().filter(|p| *p != self.dir && p.exists()) {
                sync_dir(parent)?;
            }
        }
        for (name, bytes) in extra {
            write_atomic(&self.dir.join(name), bytes)?;
        }
        sync_dir(&self.dir)?;
        let format = self.format;
        let tables = self.files.iter().flat_map(|f| format.file_names(&f.name));
        let names = tables.chain(extra.iter().map(|(n, _)| n.clone()));
        manifest.files = names.chain(["manifest.json".to_string()]).collect();
        let json = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
        write_atomic(&self.dir.join("manifest.json"), &json)?;
        std::fs::remove_dir_all(&self.partial).map_err(FolderError::write(&self.partial))?;
        Ok(manifest.files)
    }
}

/// Opens a partial file to append after `len` bytes; a file already moved into place (the
/// run was stopped while finishing) is left there.
fn reopen(
    dir: &Path,
    partial: &Path,
    name: &str,
    len: u64,
    finished: bool,
) -> Result<Option<BufWriter<File>>, FolderError> {
    let path = partial.join(name);
    let corrupt = |what: &str| {
        FolderError::refused(&path, format!("{what}; the unfinished run cannot be resumed: run without --resume"))
    };
    if !path.exists() {
        let moved = std::fs::metadata(dir.join(name)).is_ok_and(|m| m.len() == len);
        return if finished && moved { Ok(None) } else { Err(corrupt("missing")) };
    }
    let mut file = OpenOptions::new().write(true).open(&path).map_err(FolderError::write(&path))?;
    let actual = file.metadata().map_err(FolderError::read(&path))?.len();
    if actual < len {
        return Err(corrupt(&format!("shorter ({actual} bytes) than its journal says ({len})")));
    }
    file.set_len(len).map_err(FolderError::write(&path))?;
    file.seek(SeekFrom::End(0)).map_err(FolderError::write(&path))?;
    Ok(Some(BufWriter::new(file)))
}

/// Takes `bytes` from an injected write budget; when they do not fit, writes what does (and
/// flushes it, as a full disk leaves a torn row) and fails with `StorageFull`.
fn spend(budget: &mut Option<u64>, bytes: &[u8], out: &mut BufWriter<File>) -> std::io::Result<()> {
    let Some(left) = budget else { return Ok(()) };
    if (bytes.len() as u64) <= *left {
        *left -= bytes.len() as u64;
        return Ok(());
    }
    out.write_all(&bytes[..*left as usize])?;
    out.flush()?;
    *left = 0;
    let message = "no space left on device (injected by the test-only write limit)";
    Err(std::io::Error::new(std::io::ErrorKind::StorageFull, message))
}

/// Makes renames and new entries in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), FolderError> {
    super::atomic::sync_dir(dir).map_err(FolderError::write(dir))
}
