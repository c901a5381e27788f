//! Writing fitted values back into the scenario's own text, so a diff shows only what changed.
//!
//! Comments and layout survive (toml_edit). A retailer whose table is not in this file (it
//! comes from a parent via `extends`) gets a short `[[retailer]]` entry that merges by name.

use super::Calibration;
use crate::Scenario;
use toml_edit::{DocumentMut, Item, Table, Value};

/// Values are written with this many decimals.
const DECIMALS: i32 = 4;

fn rounded(x: f64) -> f64 {
    let f = 10f64.powi(DECIMALS);
    (x * f).round() / f
}

/// Replaces a value, keeping its comment and spacing.
fn replace_number(item: &mut Item, x: f64) {
    match item.as_value_mut() {
        Some(v) => {
            let decor = v.decor().clone();
            *v = Value::from(rounded(x));
            *v.decor_mut() = decor;
        }
        None => *item = toml_edit::value(rounded(x)),
    }
}

/// Sets `key` in a table-like item (a table or an inline table), creating it if needed.
fn set_in(container: &mut Item, key: &str, x: f64) {
    if let Some(t) = container.as_table_like_mut() {
        match t.get_mut(key) {
            Some(item) => replace_number(item, x),
            None => {
                t.insert(key, toml_edit::value(rounded(x)));
            }
        }
    }
}

/// The scenario file's text with every fitted value of `calibration` written in.
/// `original` is the parsed scenario as given (to know which values changed).
pub fn write_calibrated(
    text: &str,
    original: &Scenario,
    calibration: &Calibration,
) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = text.parse()?;
    for (r, (before, after)) in original.retailers.iter().zip(&calibration.scenario.retailers).enumerate() {
        let (b, a) = (&before.initial, &after.initial);
        let mut changes: Vec<(&str, Option<&str>, f64)> = Vec::new();
        if a.quality != b.quality {
            changes.push(("quality", None, a.quality));
        }
        if let (Some(pb), Some(pa)) = (&b.pickup, &a.pickup)
            && pa.quality != pb.quality
        {
            changes.push(("quality", Some("pickup"), pa.quality));
        }
        if let (Some(db), Some(da)) = (&b.delivery, &a.delivery)
            && da.quality != db.quality
        {
            changes.push(("quality", Some("delivery"), da.quality));
        }
        if !changes.is_empty() {
            let table = retailer_table(&mut doc, &original.retailers[r].name);
            for (key, channel, x) in changes {
                match channel {
                    None => replace_or_insert(table, key, x),
                    Some(c) => {
                        if !table.contains_key(c) {
                            table.insert(c, Item::Value(Value::InlineTable(Default::default())));
                        }
                        set_in(&mut table[c], key, x);
                    }
                }
            }
        }
    }
    Ok(doc.to_string())
}

fn replace_or_insert(table: &mut Table, key: &str, x: f64) {
    match table.get_mut(key) {
        Some(item) => replace_number(item, x),
        None => {
            table.insert(key, toml_edit::value(rounded(x)));
        }
    }
}

/// The `[[retailer]]` table named `name` in this file, appended if the file has none.
fn retailer_table<'a>(doc: &'a mut DocumentMut, name: &str) -> &'a mut Table {
    if !doc.contains_key("retailer") {
        doc.insert("retailer", Item::ArrayOfTables(Default::default()));
    }
    let tables = doc["retailer"].as_array_of_tables_mut().expect("retailer is an array of tables");
    let position = tables.iter().position(|t| t.get("name").and_then(|v| v.as_str()) == Some(name));
    let index = match position {
        Some(i) => i,
        None => {
            let mut t = Table::new();
            t.insert("name", toml_edit::value(name));
            tables.push(t);
            tables.len() - 1
        }
    };
    tables.get_mut(index).expect("index is in range")
}
