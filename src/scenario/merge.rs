//! `extends` merging (MODEL.md §8): tables key by key, named arrays by `name`, events appended.

use super::source_map::NAMED_ARRAYS;
use toml::{Table, Value};

/// Merges `child` over `parent`, in place.
pub(crate) fn merge_documents(parent: &mut Table, child: Table) {
    for (key, value) in child {
        if key == "extends" {
            continue;
        }
        match (parent.get_mut(&key), value) {
            (Some(Value::Array(ours)), Value::Array(theirs)) if key == "event" => ours.extend(theirs),
            (Some(Value::Array(ours)), Value::Array(theirs)) if NAMED_ARRAYS.contains(&key.as_str()) => {
                merge_by_name(ours, theirs)
            }
            (Some(Value::Table(ours)), Value::Table(theirs)) => merge_tables(ours, theirs),
            (_, value) => {
                parent.insert(key, value);
            }
        }
    }
}

/// Tables below the top level merge key by key, recursively.
fn merge_tables(ours: &mut Table, theirs: Table) {
    for (key, value) in theirs {
        match (ours.get_mut(&key), value) {
            (Some(Value::Table(a)), Value::Table(b)) => merge_tables(a, b),
            (_, value) => {
                ours.insert(key, value);
            }
        }
    }
}

fn name_of(value: &Value) -> Option<&str> {
    value.as_table()?.get("name")?.as_str()
}

/// Elements with a known name merge into it; the rest are appended in order.
fn merge_by_name(ours: &mut Vec<Value>, theirs: Vec<Value>) {
    for item in theirs {
        let existing = name_of(&item).and_then(|n| ours.iter().position(|o| name_of(o) == Some(n)));
        match (existing, item) {
            (Some(i), Value::Table(t)) => {
                if let Value::Table(target) = &mut ours[i] {
                    merge_tables(target, t);
                }
            }
            (_, item) => ours.push(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn child_overrides_keys_and_merges_retailers_by_name() {
        let mut parent = doc("name = \"base\"\n[market]\nhouseholds = 10\noutside_option = \"Other\"\n\
             [[retailer]]\nname = \"A\"\nquality = 1.0\nprice_index = 1.0\n\
             [[retailer]]\nname = \"B\"\nquality = 2.0\n");
        let child = doc("extends = \"base.toml\"\nname = \"child\"\n[market]\nhouseholds = 20\n\
             [[retailer]]\nname = \"A\"\nprice_index = 0.9\n[[retailer]]\nname = \"C\"\nquality = 3.0\n");
        merge_documents(&mut parent, child);
        assert_eq!(parent["name"].as_str(), Some("child"));
        assert!(!parent.contains_key("extends"));
        assert_eq!(parent["market"]["households"].as_integer(), Some(20));
        assert_eq!(parent["market"]["outside_option"].as_str(), Some("Other"));
        let retailers = parent["retailer"].as_array().unwrap();
        let names: Vec<_> = retailers.iter().map(|r| name_of(r).unwrap()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(retailers[0]["quality"].as_float(), Some(1.0));
        assert_eq!(retailers[0]["price_index"].as_float(), Some(0.9));
    }

    #[test]
    fn events_append() {
        let mut parent = doc("[[event]]\nweek = 1\n");
        merge_documents(&mut parent, doc("[[event]]\nweek = 1\n"));
        assert_eq!(parent["event"].as_array().unwrap().len(), 2);
    }
}
