//! Reading a scenario: the `extends` chain, per-file checks, merging, overrides, validation.

use super::Scenario;
use super::merge::merge_documents;
use super::overrides::{apply_override, label_of};
use super::raw::RawScenario;
use super::source_map::{LineIndex, NAMED_ARRAYS, SourceMap};
use super::validate::validate;
use crate::error::{Location, ScenarioError};
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
}

/// Loads, merges and validates the scenario at `path`.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Scenario, ScenarioError> {
    let merged = merge_file(path, options)?;
    let mut scenario = build_single(&merged)?;
    scenario.parent = merged.parent;
    Ok(scenario)
}

/// Loads a scenario from text (`extends` resolves against the working directory).
pub fn load_str(text: &str, options: &LoadOptions) -> Result<Scenario, ScenarioError> {
    build_single(&merge_text(text, options)?)
}

/// Reads and merges the chain starting at `path`, then applies the overrides.
pub(crate) fn merge_file(path: &Path, options: &LoadOptions) -> Result<Merged, ScenarioError> {
    let chain = read_chain(path)?;
    let parent = chain.get(1).map(|f| PathBuf::from(&f.display));
    assemble(chain, options, parent)
}

/// Merges a scenario given as text, then applies the overrides.
pub(crate) fn merge_text(text: &str, options: &LoadOptions) -> Result<Merged, ScenarioError> {
    let table = parse_file("<string>", text)?;
    let mut chain = vec![ScenarioFile { display: "<string>".into(), text: text.into(), table }];
    if let Some(parent) = chain[0].table.get("extends").and_then(Value::as_str) {
        chain.extend(read_chain(Path::new(parent))?);
    }
    assemble(chain, options, None)
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
    for assignment in &options.overrides {
        let path = apply_override(&mut doc, assignment)?;
        sources.add_override(&path);
    }
    Ok(Merged { doc, sources, files, parent })
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
    build(&merged.doc, &merged.sources)
}

/// Deserializes and validates one scenario document (without `[sweep]`).
pub(crate) fn build(doc: &Table, sources: &SourceMap) -> Result<Scenario, ScenarioError> {
    let raw = deserialize_merged(doc, sources)?;
    validate(raw, sources, hash_document(doc))
}

/// Reads `path` and its ancestors, child first; refuses cycles, missing parents and deep chains.
fn read_chain(path: &Path) -> Result<Vec<ScenarioFile>, ScenarioError> {
    let mut chain: Vec<ScenarioFile> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut next = path.to_path_buf();
    loop {
        let canonical = match next.canonicalize() {
            Ok(canonical) => canonical,
            Err(source) if chain.is_empty() => return Err(ScenarioError::Read { path: next, source }),
            Err(_) => {
                return Err(extends_error(&chain, format!("parent scenario {} not found", next.display()), &next));
            }
        };
        if seen.contains(&canonical) {
            return Err(extends_error(&chain, "extends cycle".into(), &next));
        }
        if chain.len() > MAX_EXTENDS_DEPTH {
            return Err(extends_error(&chain, format!("extends chain deeper than {MAX_EXTENDS_DEPTH}"), &next));
        }
        let text =
            std::fs::read_to_string(&next).map_err(|source| ScenarioError::Read { path: next.clone(), source })?;
        let display = next.display().to_string();
        let table = parse_file(&display, &text)?;
        let parent = table.get("extends").map(|v| v.as_str().map(str::to_string));
        chain.push(ScenarioFile { display, text, table });
        seen.push(canonical);
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

/// An unknown key or a wrong type, with the nearest valid key for a misspelling.
fn shape_error(location: Option<Location>, path: String, message: &str) -> ScenarioError {
    let message = message.trim().to_string();
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let suggestion = match quoted.split_first() {
        Some((wrong, valid)) if message.starts_with("unknown field") => nearest(wrong, valid.iter().copied()),
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
        assert!(text.ends_with("; did you mean 'quality'?"), "{text}");
        assert!(!text.contains('\n'), "{text}");
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
}
