//! Where each dotted path of a scenario was written (file, line, column), for error messages.
//!
//! Paths address arrays of tables by `name` (`retailer.Kroger.quality`); an unnamed event
//! is addressed by its 1-based position in the merged list (`event.3.week`), any other
//! unnamed element by `#` and its position (`retailer.#2.name`), as validation names them.
//! A path written nowhere (a missing key) is located in the scenario file itself, without a line.

use super::error::Location;
use std::collections::HashMap;
use toml::de::{DeTable, DeValue};

/// Arrays of tables whose elements are addressed by name.
pub(crate) const NAMED_ARRAYS: [&str; 5] = ["region", "segment", "retailer", "format", "event"];

#[derive(Debug, Default, Clone)]
pub(crate) struct SourceMap {
    entries: HashMap<String, Location>,
    /// Element names of each named array in merged order (`None` for unnamed ones).
    elements: HashMap<String, Vec<Option<String>>>,
    /// The last file added: the child, which a run or a validation names.
    scenario_file: Option<String>,
}

impl SourceMap {
    /// Records every key of `text` (already known to parse). Later files override earlier ones.
    pub(crate) fn add_file(&mut self, file: &str, text: &str) {
        let Ok(table) = DeTable::parse(text) else {
            return;
        };
        let lines = LineIndex::new(text);
        self.scenario_file = Some(file.to_string());
        self.walk("", table.get_ref(), file, &lines);
    }

    /// Records a command-line override.
    pub(crate) fn add_override(&mut self, path: &str) {
        let loc = Location { file: "--set".into(), line: None, column: None };
        self.entries.insert(path.to_string(), loc);
    }

    /// The location of `path`, or of its nearest recorded ancestor, or else the scenario file.
    pub(crate) fn locate(&self, path: &str) -> Option<Location> {
        let mut p = path;
        loop {
            if let Some(loc) = self.entries.get(p) {
                return Some(loc.clone());
            }
            match p.rsplit_once('.') {
                Some((parent, _)) => p = parent,
                None => break,
            }
        }
        let file = self.scenario_file.clone()?;
        Some(Location { file, line: None, column: None })
    }

    fn walk(&mut self, prefix: &str, table: &DeTable<'_>, file: &str, lines: &LineIndex) {
        for (key, value) in table.iter() {
            let path = join(prefix, key.get_ref());
            let start = key.span().start;
            self.entries.insert(path.clone(), lines.location(file, start));
            match value.get_ref() {
                DeValue::Table(t) => self.walk(&path, t, file, lines),
                DeValue::Array(items) if prefix.is_empty() && NAMED_ARRAYS.contains(&key.get_ref().as_ref()) => {
                    for item in items.iter() {
                        let DeValue::Table(t) = item.get_ref() else { continue };
                        let label = self.element_label(key.get_ref(), t);
                        let element = join(&path, &label);
                        self.entries.insert(element.clone(), lines.location(file, item.span().start));
                        self.walk(&element, t, file, lines);
                    }
                }
                _ => {}
            }
        }
    }

    /// How validation will address this element of the merged array: see the module docs.
    fn element_label(&mut self, array: &str, table: &DeTable<'_>) -> String {
        let name = table.iter().find(|(k, _)| k.get_ref() == "name").and_then(|(_, v)| match v.get_ref() {
            DeValue::String(s) if array == "event" || !s.trim().is_empty() => Some(s.to_string()),
            _ => None,
        });
        let elements = self.elements.entry(array.to_string()).or_default();
        let merged_into = name
            .as_ref()
            .filter(|_| array != "event")
            .and_then(|n| elements.iter().position(|e| e.as_ref() == Some(n)));
        let position = merged_into.unwrap_or_else(|| {
            elements.push(name.clone());
            elements.len() - 1
        }) + 1;
        match name {
            Some(name) => name,
            None if array == "event" => position.to_string(),
            None => format!("#{position}"),
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

/// Byte offset to 1-based line and column.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    text_len: usize,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, text_len: text.len() }
    }

    pub(crate) fn location(&self, file: &str, offset: usize) -> Location {
        let offset = offset.min(self.text_len);
        let line = self.starts.partition_point(|&s| s <= offset);
        let column = offset - self.starts[line - 1] + 1;
        Location { file: file.to_string(), line: u32::try_from(line).ok(), column: u32::try_from(column).ok() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_named_elements_and_keys() {
        let text = "name = \"x\"\n[[retailer]]\nname = \"Kroger\"\nquality = 1.0\n";
        let mut map = SourceMap::default();
        map.add_file("a.toml", text);
        let loc = map.locate("retailer.Kroger.quality").unwrap();
        assert_eq!((loc.line, loc.column), (Some(4), Some(1)));
        let parent = map.locate("retailer.Kroger.price_index").unwrap();
        assert_eq!(parent.line, Some(2));
    }

    #[test]
    fn unnamed_elements_are_numbered_in_merged_order() {
        let mut map = SourceMap::default();
        map.add_file("parent.toml", "[[retailer]]\nname = \"A\"\n[[retailer]]\nstores = 1\n");
        map.add_file("child.toml", "[[retailer]]\nname = \"A\"\n[[retailer]]\nquality = 1\n");
        assert_eq!(map.locate("retailer.#2.stores").unwrap().file, "parent.toml");
        let third = map.locate("retailer.#3.name").unwrap();
        assert_eq!((third.file.as_str(), third.line), ("child.toml", Some(3)));
    }

    #[test]
    fn paths_written_nowhere_are_in_the_scenario_file() {
        let mut map = SourceMap::default();
        map.add_file("parent.toml", "name = \"x\"\n");
        map.add_file("child.toml", "name = \"y\"\n");
        let loc = map.locate("dynamics.loyalty_weight").unwrap();
        assert_eq!((loc.file.as_str(), loc.line, loc.column), ("child.toml", None, None));
    }

    #[test]
    fn unnamed_events_are_numbered_across_files() {
        let mut map = SourceMap::default();
        map.add_file("a.toml", "[[event]]\nweek = 1\n");
        map.add_file("b.toml", "[[event]]\nweek = 2\n");
        assert_eq!(map.locate("event.2.week").unwrap().file, "b.toml");
    }
}
