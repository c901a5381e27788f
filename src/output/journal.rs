//! The journal of a run in progress, read strictly: what a crash can leave is accepted, what
//! only a damaged disk or a hand edit can leave is refused.
//!
//! Each line is `NEXT LEN LEN …\n`: the points before NEXT are in the files, whose lengths were
//! the LENs. Lines are appended and fsynced one at a time, so a crash can leave at most one torn
//! last line (no newline), which is ignored. Anything else — a complete line that does not parse,
//! a line for another number of files, a point or a length that goes backwards, a point outside
//! the run, a file shorter than its journalled length or missing — is a damaged folder: resuming
//! from it could not give the bytes of an uninterrupted run, so it is refused.

use super::folder::FolderError;
use std::ops::Range;
use std::path::Path;

/// One line of the journal: points before `next` are in the files, whose lengths were `lengths`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JournalEntry {
    pub(crate) next: usize,
    pub(crate) lengths: Vec<u64>,
    /// Bytes of the journal up to the end of this line.
    pub(crate) end: u64,
}

impl JournalEntry {
    pub(crate) fn line(next: usize, lengths: &[u64]) -> String {
        let lengths: Vec<String> = lengths.iter().map(u64::to_string).collect();
        format!("{next} {}\n", lengths.join(" "))
    }
}

/// What to do about a damaged journal.
const REMEDY: &str = "the unfinished run cannot be resumed: run again without --resume to start it over";

/// The journal's last line, after checking every complete line (a torn last line is ignored);
/// `None` when there is no journal or no complete line.
pub(crate) fn read_journal(path: &Path, files: usize) -> Result<Option<JournalEntry>, FolderError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FolderError::Read { path: path.to_path_buf(), source: e }),
    };
    parse_journal(&bytes, files).map_err(|what| FolderError::refused(path, format!("{what}; {REMEDY}")))
}

/// The last entry of a journal for `files` files, or what is wrong with it.
pub(crate) fn parse_journal(bytes: &[u8], files: usize) -> Result<Option<JournalEntry>, String> {
    let mut last: Option<JournalEntry> = None;
    let mut end = 0u64;
    for (number, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let Some(text) = line.strip_suffix(b"\n") else { break }; // torn by a crash: ignored
        let number = number + 1;
        end += line.len() as u64;
        let entry = parse_line(text, files).ok_or_else(|| {
            let shown: String = String::from_utf8_lossy(text).chars().take(60).collect();
            format!("line {number} of the journal is not `POINT LENGTH…` for {files} files: '{shown}'")
        })?;
        if let Some(previous) = &last {
            let shrinks = previous.lengths.iter().zip(&entry.lengths).any(|(a, b)| b < a);
            if entry.next < previous.next || shrinks {
                return Err(format!("line {number} of the journal goes back from line {}", number - 1));
            }
        }
        last = Some(JournalEntry { end, ..entry });
    }
    Ok(last)
}

fn parse_line(text: &[u8], files: usize) -> Option<JournalEntry> {
    let text = std::str::from_utf8(text).ok()?;
    let mut numbers = text.split(' ');
    let next = numbers.next()?.parse().ok()?;
    let lengths: Vec<u64> = numbers.map(str::parse).collect::<Result<_, _>>().ok()?;
    (lengths.len() == files).then_some(JournalEntry { next, lengths, end: 0 })
}

/// Checks that `entry` describes files that are there: its point within `range`, each file in
/// `partial` at least as long as journalled — or, once every point is done, already moved into
/// `dir` with exactly that length (the run was stopped while finishing).
pub(crate) fn check_entry(
    entry: &JournalEntry,
    range: &Range<usize>,
    dir: &Path,
    partial: &Path,
    names: &[String],
) -> Result<(), FolderError> {
    let journal = partial.join(super::folder::JOURNAL_FILE);
    if !(range.start..=range.end).contains(&entry.next) {
        let message = format!(
            "the journal says points up to {} are finished, but this run's points are {} to {}; {REMEDY}",
            entry.next,
            range.start,
            range.end.saturating_sub(1)
        );
        return Err(FolderError::refused(&journal, message));
    }
    let finished = entry.next == range.end;
    for (name, &len) in names.iter().zip(&entry.lengths) {
        let path = partial.join(name);
        let actual = std::fs::metadata(&path).map(|m| m.len());
        let wrong = match actual {
            Ok(actual) if actual >= len && ends_a_row(&path, len) => continue,
            Ok(actual) if actual >= len => format!("has no row ending at byte {len}, where its journal says one ends"),
            Ok(actual) => format!("is {actual} bytes, shorter than the {len} its journal says"),
            Err(_) if finished && std::fs::metadata(dir.join(name)).is_ok_and(|m| m.len() == len) => continue,
            Err(_) => "is missing".to_string(),
        };
        return Err(FolderError::refused(&path, format!("{wrong}; {REMEDY}")));
    }
    Ok(())
}

/// True when the byte before `len` is a newline: a journalled length ends a row.
fn ends_a_row(path: &Path, len: u64) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Some(last) = len.checked_sub(1) else { return true };
    let mut byte = [0u8];
    let read =
        std::fs::File::open(path).and_then(|mut f| f.seek(SeekFrom::Start(last)).and_then(|_| f.read_exact(&mut byte)));
    read.is_ok() && byte[0] == b'\n'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<(usize, Vec<u64>)>, String> {
        parse_journal(text.as_bytes(), 2).map(|e| e.map(|e| (e.next, e.lengths)))
    }

    #[test]
    fn the_last_complete_line_wins_and_a_torn_one_is_ignored() {
        assert_eq!(parse(""), Ok(None));
        let text = JournalEntry::line(3, &[10, 20]) + &JournalEntry::line(5, &[30, 40]) + "7 50";
        assert_eq!(parse(&text), Ok(Some((5, vec![30, 40]))));
        let entry = parse_journal(text.as_bytes(), 2).unwrap().unwrap();
        assert_eq!(entry.end as usize, text.len() - "7 50".len());
    }

    #[test]
    fn a_complete_line_that_does_not_parse_is_damage() {
        let err = parse("3 10 20\nhello\n5 30 40\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("'hello'"), "{err}");
        assert!(parse("3 10 20 30\n").unwrap_err().contains("for 2 files"));
        assert!(parse("3 10 -20\n").is_err());
        assert!(parse("3 10 20\n\n").is_err(), "an empty line");
    }

    #[test]
    fn a_journal_that_goes_back_is_damage() {
        assert!(parse("5 10 20\n3 10 20\n").unwrap_err().contains("line 2 of the journal goes back"));
        assert!(parse("5 10 20\n6 10 19\n").is_err());
        assert_eq!(parse("5 10 20\n5 10 20\n"), Ok(Some((5, vec![10, 20]))), "a repeated line is harmless");
    }

    #[test]
    fn entries_are_checked_against_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let partial = dir.path().join("p");
        std::fs::create_dir(&partial).unwrap();
        std::fs::write(partial.join("a.csv"), "x,y\n1,2\n33\n").unwrap();
        let names = ["a.csv".to_string()];
        let entry = |next, len| JournalEntry { next, lengths: vec![len], end: 0 };
        assert!(check_entry(&entry(3, 8), &(0..5), dir.path(), &partial, &names).is_ok());
        let err = check_entry(&entry(3, 7), &(0..5), dir.path(), &partial, &names).unwrap_err();
        assert!(err.to_string().contains("a.csv: has no row ending at byte 7"), "{err}");
        let err = check_entry(&entry(3, 12), &(0..5), dir.path(), &partial, &names).unwrap_err();
        assert!(err.to_string().contains("a.csv: is 11 bytes, shorter than the 12"), "{err}");
        let err = check_entry(&entry(9, 10), &(0..5), dir.path(), &partial, &names).unwrap_err();
        assert!(err.to_string().contains("points are 0 to 4"), "{err}");
        std::fs::rename(partial.join("a.csv"), dir.path().join("a.csv")).unwrap();
        assert!(check_entry(&entry(5, 11), &(0..5), dir.path(), &partial, &names).is_ok(), "moved at the end");
        let err = check_entry(&entry(4, 11), &(0..5), dir.path(), &partial, &names).unwrap_err();
        assert!(err.to_string().contains("a.csv: is missing"), "{err}");
    }
}
