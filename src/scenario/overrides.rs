//! `--set PATH=VALUE`: the dotted document paths shared with sweeps (MODEL.md §9).

use super::error::{Location, ScenarioError};
use super::source_map::NAMED_ARRAYS;
use crate::suggest::nearest;
use toml::{Table, Value};

/// Applies one `PATH=VALUE` override to a merged document.
pub(crate) fn apply_override(doc: &mut Table, assignment: &str) -> Result<String, ScenarioError> {
    let (path, text) = assignment
        .split_once('=')
        .ok_or_else(|| invalid(assignment, "expected PATH=VALUE, e.g. retailer.Kroger.price_index=0.97", None))?;
    let path = path.trim();
    set_value(doc, path, parse_value(text.trim()))?;
    Ok(path.to_string())
}

/// Sets the value at a dotted `path` of a merged document: `--set` and sweep points alike.
pub(crate) fn set_value(doc: &mut Table, path: &str, value: Value) -> Result<(), ScenarioError> {
    let keys: Vec<&str> = path.split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(invalid(path, "empty key in dotted path", None));
    }
    set_path(doc, &keys, value, path)
}

/// A TOML value if the text is one (`0.97`, `true`, `[1, 2]`), else a plain string.
fn parse_value(text: &str) -> Value {
    match toml::from_str::<Table>(&format!("v = {text}")) {
        Ok(mut t) => t.remove("v").unwrap_or(Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

fn set_path(doc: &mut Table, keys: &[&str], value: Value, path: &str) -> Result<(), ScenarioError> {
    let head = keys[0];
    if NAMED_ARRAYS.contains(&head) {
        let (Some(label), rest) = (keys.get(1), &keys[2.min(keys.len())..]) else {
            return Err(invalid(path, &format!("expected {head}.NAME.FIELD"), None));
        };
        if rest.is_empty() {
            return Err(invalid(path, &format!("expected {head}.{label}.FIELD"), None));
        }
        let element = find_element(doc, head, label, path)?;
        return set_in_table(element, rest, value);
    }
    set_in_table(doc, keys, value)
}

fn find_element<'a>(doc: &'a mut Table, array: &str, label: &str, path: &str) -> Result<&'a mut Table, ScenarioError> {
    let items = doc.get_mut(array).and_then(Value::as_array_mut);
    let Some(items) = items else {
        return Err(invalid(path, &format!("the scenario has no [[{array}]]"), None));
    };
    let names: Vec<String> = items.iter().enumerate().map(|(i, v)| label_of(array, v, i)).collect();
    let Some(index) = names.iter().position(|n| n == label) else {
        let suggestion = nearest(label, names.iter().map(String::as_str));
        return Err(invalid(path, &format!("unknown {array} '{label}'"), suggestion));
    };
    Ok(items[index].as_table_mut().expect("named arrays hold tables"))
}

/// How an element is addressed: by name, or an unnamed event by its 1-based position.
pub(crate) fn label_of(array: &str, value: &Value, index: usize) -> String {
    match value.get("name").and_then(Value::as_str) {
        Some(name) => name.to_string(),
        None if array == "event" => (index + 1).to_string(),
        None => format!("#{}", index + 1),
    }
}

fn set_in_table(table: &mut Table, keys: &[&str], value: Value) -> Result<(), ScenarioError> {
    let (last, parents) = keys.split_last().expect("paths are not empty");
    let mut current = table;
    for key in parents {
        let entry = current.entry(key.to_string()).or_insert_with(|| Value::Table(Table::new()));
        current = match entry {
            Value::Table(t) => t,
            _ => return Err(invalid(&keys.join("."), &format!("'{key}' is not a table"), None)),
        };
    }
    current.insert(last.to_string(), value);
    Ok(())
}

fn invalid(path: &str, message: &str, suggestion: Option<String>) -> ScenarioError {
    ScenarioError::Invalid {
        location: Some(Location { file: "--set".into(), line: None, column: None }),
        path: path.to_string(),
        message: message.to_string(),
        suggestion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        toml::from_str("[[retailer]]\nname = \"Kroger\"\nprice_index = 1.0\n[dynamics]\nloyalty_weight = 1.0\n[[event]]\nweek = 3\n").unwrap()
    }

    #[test]
    fn sets_named_elements_and_tables() {
        let mut d = doc();
        apply_override(&mut d, "retailer.Kroger.price_index=0.97").unwrap();
        apply_override(&mut d, "dynamics.loyalty_weight = 2").unwrap();
        apply_override(&mut d, "retailer.Kroger.pickup.fee=4.5").unwrap();
        apply_override(&mut d, "event.1.week=5").unwrap();
        assert_eq!(d["retailer"][0]["price_index"].as_float(), Some(0.97));
        assert_eq!(d["dynamics"]["loyalty_weight"].as_integer(), Some(2));
        assert_eq!(d["retailer"][0]["pickup"]["fee"].as_float(), Some(4.5));
        assert_eq!(d["event"][0]["week"].as_integer(), Some(5));
    }

    #[test]
    fn misspelt_names_get_a_suggestion() {
        let err = apply_override(&mut doc(), "retailer.Krogr.price_index=1").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("did you mean 'Kroger'"), "{text}");
    }

    #[test]
    fn strings_need_no_quotes() {
        let mut d = doc();
        apply_override(&mut d, "name=my run").unwrap();
        assert_eq!(d["name"].as_str(), Some("my run"));
    }

    #[test]
    fn malformed_assignments_are_refused() {
        assert!(apply_override(&mut doc(), "retailer.Kroger").is_err());
        assert!(apply_override(&mut doc(), "retailer..x=1").is_err());
        assert!(apply_override(&mut doc(), "retailer.Kroger=1").is_err());
    }
}
