//! Reading a scenario: the `extends` chain, per-file checks, merging, overrides, validation.

use super::Scenario;
use super::error::{Location, ScenarioError};
use super::files::{Disk, Files, Memory};
use super::merge::merge_documents;
use super::overrides::{apply_override, label_of};
use super::raw::RawScenario;
use super::source_map::{LineIndex, NAMED_ARRAYS, SourceMap};
use super::validate::validate;
use crate::suggest::nearest;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// Deepest `extends` chain accepted.
pub const MAX_EXTENDS_DEPTH: usize = 16;

/// What to change on top of the files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `PATH=VALUE` overrides, applied in order after merging.
    pub overrides: Vec<String>,
}

/// One file of an `extends` chain.
struct ScenarioFile {
    display: String,
    text: String,
    table: Table,
}

/// A scenario document after `extends` merging and `--set` overrides, not yet validated.
pub(crate) struct Merged {
    /// The merged document (with its `[sweep]` table, if any).
    pub(crate) doc: Table,
    /// Where each path was written.
    pub(crate) sources: SourceMap,
    /// Every file of the chain as `(display name, text)`, child first.
    pub(crate) files: Vec<(String, String)>,
    /// The file the scenario `extends`, if any.
    pub(crate) parent: Option<PathBuf>,
    /// The file its top-level `reference` key names (relative to the scenario's folder), if any.
    pub(crate) reference: Option<PathBuf>,
    /// Paths set by `--set`, so a type error there is blamed on the override.
    pub(crate) set_paths: Vec<String>,
}

/// Loads, merges and validates the scenario at `path`.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Scenario, ScenarioError> {
    let merged = merge_file(path, options)?;
    let mut scenario = build_single(&merged)?;
    scenario.parent = merged.parent.clone();
    Ok(scenario)
}

/// Loads a scenario from text (`extends` resolves against the working directory).
pub fn load_str(text: &str, options: &LoadOptions) -> Result<Scenario, ScenarioError> {
    build_single(&merge_text(text, options)?)
}

/// Reads and merges the chain starting at `path`, then applies the overrides.
pub(crate) fn merge_file(path: &Path, options: &LoadOptions) -> Result<Merged, ScenarioError> {
    let chain = read_chain(path, &Disk)?;
    let parent = chain.get(1).map(|f| PathBuf::from(&f.display));
    let reference = chain[0].table.get("reference").and_then(Value::as_str).map(|r| {
        let folder = path.parent().unwrap_or(Path::new(""));
        folder.join(r)
    });
    let mut merged = assemble(chain, options, parent)?;
    merged.reference = reference;
    Ok(merged)
}

/// Merges a scenario given as text, then applies the overrides.
pub(crate) fn merge_text(text: &str, options: &LoadOptions) -> Result<Merged, ScenarioError> {
    let table = parse_file("<string>", text)?;
    let mut chain = vec![ScenarioFile { display: "<string>".into(), text: text.into(), table }];
    if let Some(parent) = chain[0].table.get("extends").and_then(Value::as_str) {
        chain.extend(read_chain(Path::new(parent), &Disk)?);
    }
    assemble(chain, options, None)
}

/// Loads the scenario named `path` from in-memory `(name, text)` files: `extends` resolves
/// against the child's folder among those names, exactly as [`load`] does on disk. For tests
/// and fuzzing; the result's `parent` is set as by [`load`].
pub fn load_files(files: &[(&str, &str)], path: &str, options: &LoadOptions) -> Result<Scenario, ScenarioError> {
    let chain = read_chain(Path::new(path), &Memory::new(files))?;
    let parent = chain.get(1).map(|f| PathBuf::from(&f.display));
    let merged = assemble(chain, options, parent)?;
    let mut scenario = build_single(&merged)?;
    scenario.parent = merged.parent.clone();
    Ok(scenario)
}

fn assemble(chain: Vec<ScenarioFile>, options: &LoadOptions, parent: Option<PathBuf>) -> Result<Merged, ScenarioError> {
    let mut sources = SourceMap::default();
    let mut doc = Table::new();
    let mut files = Vec::with_capacity(chain.len());
    for file in chain.into_iter().rev() {
        sources.add_file(&file.display, &file.text);
        merge_documents(&mut doc, file.table);
        files.insert(0, (file.display, file.text));
    }
    let mut set_paths = Vec::new();
    for assignment in &options.overrides {
        let path = apply_override(&mut doc, assignment)?;
        sources.add_override(&path);
        set_paths.push(path);
    }
    Ok(Merged { doc, sources, files, parent, reference: None, set_paths })
}

/// A document without `[sweep]` as a scenario; a sweep is refused here (see `load_sweep`).
fn build_single(merged: &Merged) -> Result<Scenario, ScenarioError> {
    if merged.doc.contains_key("sweep") {
        return Err(ScenarioError::Invalid {
            location: merged.sources.locate("sweep"),
            path: "sweep".into(),
            message: "this scenario is a sweep (a set of runs), not a single scenario: run it with \
                      `cartshift run`, without a reference"
                .into(),
            suggestion: None,
        });
    }
    build(&merged.doc, &merged.sources, &merged.set_paths)
}

/// Deserializes and validates one scenario document (without `[sweep]`); a wrong key or type
/// at a path set by `--set` (`set_paths`) is blamed on the override.
pub(crate) fn build(doc: &Table, sources: &SourceMap, set_paths: &[String]) -> Result<Scenario, ScenarioError> {
    let raw = deserialize_merged(doc, sources).map_err(|e| attribute_to_override(e, set_paths))?;
    validate(raw, sources, hash_document(doc))
}

/// Reads `path` and its ancestors, child first; refuses cycles, missing parents and deep chains.
/// A relative `extends` resolves against the folder of the file that names it.
fn read_chain(path: &Path, files: &dyn Files) -> Result<Vec<ScenarioFile>, ScenarioError> {
    let mut chain: Vec<ScenarioFile> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut next = path.to_path_buf();
    loop {
        let identity = match files.identity(&next) {
            Ok(identity) => identity,
            Err(source) if chain.is_empty() => return Err(unreadable_scenario(next, source)),
            Err(_) => {
                return Err(extends_error(&chain, format!("parent scenario {} not found", next.display()), &next));
            }
        };
        if seen.contains(&identity) {
            return Err(extends_error(&chain, "extends cycle".into(), &next));
        }
        if chain.len() > MAX_EXTENDS_DEPTH {
            let message = format!("extends chain deeper than {MAX_EXTENDS_DEPTH} parents");
            return Err(extends_error(&chain, message, &next));
        }
        let text = match files.read(&next) {
            Ok(text) => text,
            Err(source) if chain.is_empty() => return Err(ScenarioError::Read { path: next, source }),
            Err(source) => {
                let message = format!("cannot read parent scenario {}: {source}", next.display());
                return Err(extends_error(&chain, message, &next));
            }
        };
        let display = next.display().to_string();
        let table = parse_file(&display, &text)?;
        let parent = table.get("extends").map(|v| v.as_str().map(str::to_string));
        chain.push(ScenarioFile { display, text, table });
        seen.push(identity);
        match parent {
            None => return Ok(chain),
            Some(None) => return Err(invalid_at(&chain[chain.len() - 1], "extends", "expected a file name (string)")),
            Some(Some(parent)) => next = next.parent().unwrap_or(Path::new(".")).join(parent),
        }
    }
}

/// An `extends` problem, pointing at the `extends` key of the last file read (the one naming `next`).
fn extends_error(chain: &[ScenarioFile], message: String, next: &Path) -> ScenarioError {
    let location = chain.last().and_then(|file| locate_in(file, "extends"));
    let names = chain.iter().map(|f| f.display.clone()).chain([next.display().to_string()]).collect();
    ScenarioError::Extends { location, message, chain: names }
}

fn invalid_at(file: &ScenarioFile, path: &str, message: &str) -> ScenarioError {
    ScenarioError::Invalid {
        location: locate_in(file, path),
        path: path.into(),
        message: message.into(),
        suggestion: None,
    }
}

/// Where `path` is written in one file.
fn locate_in(file: &ScenarioFile, path: &str) -> Option<Location> {
    let mut map = SourceMap::default();
    map.add_file(&file.display, &file.text);
    map.locate(path)
}

/// Parses one file and checks its keys and types, so errors point into the file itself.
fn parse_file(display: &str, text: &str) -> Result<Table, ScenarioError> {
    let lines = LineIndex::new(text);
    let table: Table = toml::from_str(text).map_err(|e| ScenarioError::Syntax {
        location: lines.location(display, e.span().map_or(0, |s| s.start)),
        message: e.message().trim().to_string(),
    })?;
    let deserializer = toml::Deserializer::parse(text).map_err(|e| ScenarioError::Syntax {
        location: lines.location(display, e.span().map_or(0, |s| s.start)),
        message: e.message().trim().to_string(),
    })?;
    let checked: Result<RawScenario, _> = serde_path_to_error::deserialize(deserializer);
    if let Err(err) = checked {
        let path = named_path(err.path(), &table);
        let location = err.inner().span().map(|s| lines.location(display, s.start));
        return Err(shape_error(location, path, err.inner().message()));
    }
    Ok(table)
}

/// Deserializes the merged document; only overrides can fail here, files were checked one by one.
fn deserialize_merged(merged: &Table, sources: &SourceMap) -> Result<RawScenario, ScenarioError> {
    let value = Value::Table(merged.clone());
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = named_path(err.path(), merged);
        shape_error(sources.locate(&path), path, err.inner().message())
    })
}

/// A scenario file that cannot be read; a missing one names the nearest file in its folder or in
/// `scenarios/`, or else lists what `scenarios/` holds.
fn unreadable_scenario(path: PathBuf, source: std::io::Error) -> ScenarioError {
    if source.kind() != std::io::ErrorKind::NotFound {
        return ScenarioError::Read { path, source };
    }
    let folders = [path.parent().unwrap_or(Path::new("")).to_path_buf(), PathBuf::from("scenarios")];
    let mut candidates: Vec<String> = Vec::new();
    for file in folders.iter().flat_map(|f| scenario_files(f)) {
        if !candidates.contains(&file) {
            candidates.push(file);
        }
    }
    let wrong = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stems: Vec<String> = candidates.iter().map(|c| file_stem(c)).collect();
    let suggestion = nearest_key(&wrong, stems.iter().map(String::as_str))
        .and_then(|stem| candidates.iter().find(|c| file_stem(c) == stem).cloned());
    let mut message = format!("cannot read scenario file {}: {source}", path.display());
    if suggestion.is_none() && !candidates.is_empty() {
        let listed: Vec<&str> = candidates.iter().take(8).map(String::as_str).collect();
        message.push_str(&format!("; scenario files nearby: {}", listed.join(", ")));
    }
    ScenarioError::Invalid { location: None, path: String::new(), message, suggestion }
}

/// The `.toml` files of `folder`, as paths to show (sorted; none if it cannot be listed).
fn scenario_files(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(if folder.as_os_str().is_empty() { Path::new(".") } else { folder }) else {
        return Vec::new();
    };
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_name().map(|n| folder.join(n).display().to_string()))
        .collect();
    files.sort();
    files
}

fn file_stem(path: &str) -> String {
    Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The nearest candidate by spelling, or else the shortest candidate that contains `wrong` (or
/// that `wrong` contains), so `price` finds `price_index` and `kroger` `kroger_alibaba_alliance`.
fn nearest_key<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> Option<String> {
    nearest(wrong, candidates.clone()).or_else(|| {
        let w = wrong.to_lowercase();
        let contains =
            |c: &&str| w.chars().count() >= 3 && (c.to_lowercase().contains(&w) || w.contains(&c.to_lowercase()));
        candidates.into_iter().filter(contains).min_by_key(|c| c.len()).map(str::to_string)
    })
}

/// An error in the merged document that lies on a `--set` path is the override's: it points at
/// `--set`, names the whole path, and suggests the whole corrected path.
fn attribute_to_override(err: ScenarioError, set_paths: &[String]) -> ScenarioError {
    let ScenarioError::Invalid { path, message, suggestion, location } = err else { return err };
    let on_path = |p: &&String| *p == &path || p.starts_with(&format!("{path}."));
    let Some(set_path) = set_paths.iter().rev().find(on_path).filter(|_| !path.is_empty()) else {
        return ScenarioError::Invalid { path, message, suggestion, location };
    };
    let suggestion = suggestion.map(|key| {
        let parent = path.rsplit_once('.').map_or(String::new(), |(parent, _)| format!("{parent}."));
        format!("{parent}{key}{}", &set_path[path.len()..])
    });
    ScenarioError::Invalid {
        location: Some(Location { file: "--set".into(), line: None, column: None }),
        path: set_path.clone(),
        message,
        suggestion,
    }
}

/// An unknown key or a wrong type, with the nearest valid key for a misspelling.
fn shape_error(location: Option<Location>, path: String, message: &str) -> ScenarioError {
    let message = message.trim().to_string();
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let suggestion = match quoted.split_first() {
        Some((wrong, valid)) if message.starts_with("unknown field") => nearest_key(wrong, valid.iter().copied()),
        _ => None,
    };
    let path = match quoted.first() {
        Some(wrong) if message.starts_with("unknown field") && !path.ends_with(wrong) => {
            if path.is_empty() {
                wrong.to_string()
            } else {
                format!("{path}.{wrong}")
            }
        }
        _ => path,
    };
    ScenarioError::Invalid { location, path, message, suggestion }
}

/// serde's `retailer[2].quality` as the scenario's own `retailer.Kroger.quality`.
fn named_path(path: &serde_path_to_error::Path, doc: &Table) -> String {
    use serde_path_to_error::Segment;
    let mut parts: Vec<String> = Vec::new();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => parts.push(key.clone()),
            Segment::Seq { index } => {
                let array = parts.last().cloned().unwrap_or_default();
                let element = doc.get(&array).and_then(|a| a.as_array()).and_then(|a| a.get(*index));
                match element {
                    Some(v) if parts.len() == 1 && NAMED_ARRAYS.contains(&array.as_str()) => {
                        parts.push(label_of(&array, v, *index))
                    }
                    _ => parts.push(format!("{}", index + 1)),
                }
            }
            Segment::Enum { variant } => parts.push(variant.clone()),
            Segment::Unknown => {}
        }
    }
    parts.join(".")
}

/// SHA-256 of the merged document in canonical TOML form.
pub(crate) fn hash_document(doc: &Table) -> String {
    let canonical = toml::to_string(doc).unwrap_or_default();
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TEST_SCENARIO;

    fn with_override(assignment: &str) -> ScenarioError {
        let options = LoadOptions { overrides: vec![assignment.to_string()] };
        load_str(&TEST_SCENARIO.replace("COVERAGE", "0.5"), &options).expect_err("the override should be refused")
    }

    #[test]
    fn override_errors_carry_only_the_scenario_path() {
        let text = with_override("retailer.Shop.quality=high").to_string();
        assert!(text.starts_with("--set: retailer.Shop.quality: invalid type"), "{text}");
        assert!(!text.contains('\n'), "{text}");
        let text = with_override("retailer.Shop.qualty=1").to_string();
        assert!(text.ends_with("; did you mean 'retailer.Shop.quality'?"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }

    #[test]
    fn a_misspelt_override_path_gets_the_whole_corrected_path() {
        let text = with_override("dynamic.loyalty_weight=2").to_string();
        assert!(text.starts_with("--set: dynamic.loyalty_weight: unknown field `dynamic`"), "{text}");
        assert!(text.ends_with("did you mean 'dynamics.loyalty_weight'?"), "{text}");
        let text = with_override("retailer.Shop.price=0.9").to_string();
        assert!(text.ends_with("did you mean 'retailer.Shop.price_index'?"), "{text}");
    }

    #[test]
    fn near_names_and_unique_containment_are_suggested() {
        let names = ["baseline_2018", "kroger_alibaba_alliance", "whole_foods_price_cut_2017"];
        assert_eq!(nearest_key("baseline_2019", names), Some("baseline_2018".into()));
        assert_eq!(nearest_key("kroger", names), Some("kroger_alibaba_alliance".into()));
        assert_eq!(nearest_key("20", names), None, "too short to mean anything");
        assert_eq!(nearest_key("zebra", names), None);
    }

    #[test]
    fn extends_problems_point_at_the_extends_key() {
        let dir = tempfile::tempdir().unwrap();
        let child = dir.path().join("child.toml");
        std::fs::write(&child, "name = \"child\"\nextends = \"missing.toml\"\n").unwrap();
        let err = load(&child, &LoadOptions::default()).unwrap_err();
        let ScenarioError::Extends { location: Some(location), chain, .. } = &err else { panic!("{err}") };
        assert_eq!((location.line, location.column), (Some(2), Some(1)));
        assert_eq!(chain.len(), 2);
    }

    /// A chain `c0 -> c1 -> … -> c{parents}` in memory, the last one a full scenario.
    fn chain(parents: usize) -> Vec<(String, String)> {
        let mut files = vec![(format!("s/c{parents}.toml"), TEST_SCENARIO.replace("COVERAGE", "0.5"))];
        for i in 0..parents {
            files.push((format!("s/c{i}.toml"), format!("extends = \"c{}.toml\"\nname = \"c{i}\"\n", i + 1)));
        }
        files
    }

    fn load_chain(files: &[(String, String)], root: &str) -> Result<Scenario, ScenarioError> {
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        load_files(&files, root, &LoadOptions::default())
    }

    #[test]
    fn sixteen_parents_load_and_seventeen_are_too_deep() {
        let files = chain(MAX_EXTENDS_DEPTH + 1);
        let s = load_chain(&files, "s/c1.toml").unwrap();
        assert_eq!(s.parent, Some(PathBuf::from("s/c2.toml")));
        let err = load_chain(&files, "s/c0.toml").unwrap_err();
        let ScenarioError::Extends { chain, message, .. } = &err else { panic!("{err}") };
        assert!(message.contains("deeper than 16"), "{message}");
        assert_eq!(chain.len(), MAX_EXTENDS_DEPTH + 2, "every file of the chain is named: {err}");
        assert_eq!((chain[0].as_str(), chain[17].as_str()), ("s/c0.toml", "s/c17.toml"));
    }

    #[test]
    fn in_memory_parents_resolve_against_the_childs_folder() {
        let parent = TEST_SCENARIO.replace("COVERAGE", "0.5");
        let files =
            [("a/b/child.toml", "extends = \"../p/parent.toml\"\nname = \"child\"\n"), ("a/p/parent.toml", &parent)];
        let s = load_files(&files, "a/b/child.toml", &LoadOptions::default()).unwrap();
        assert_eq!(s.name, "child");
        assert_eq!(s.parent, Some(PathBuf::from("a/b/../p/parent.toml")));
        let decoy = [("a/b/child.toml", files[0].1), ("p/parent.toml", parent.as_str())];
        let err = load_files(&decoy, "a/b/child.toml", &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("a/b/../p/parent.toml not found"), "{err}");
    }

    #[test]
    fn in_memory_cycles_are_refused_with_the_chain() {
        let files = [("x.toml", "extends = \"./y.toml\"\nname = \"x\""), ("y.toml", "extends = \"x.toml\"")];
        let err = load_files(&files, "x.toml", &LoadOptions::default()).unwrap_err();
        assert!(err.to_string().ends_with("extends chain: x.toml -> ./y.toml -> ./x.toml"), "{err}");
    }
}
