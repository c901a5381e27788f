//! Which files a run writes (CSV, Parquet or both) and the type of every column, so that the
//! Parquet copy of a table keeps the types a CSV reader would have to guess.

use std::fmt;
use std::str::FromStr;
use toml::Value;

/// The file formats of a run's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `weekly.csv`, … (the default).
    #[default]
    Csv,
    /// `weekly.parquet`, …: typed columns, zstd.
    Parquet,
    /// Both.
    Both,
}

impl Format {
    /// True for the default, CSV only.
    pub fn is_csv(&self) -> bool {
        *self == Format::Csv
    }

    /// True when the CSV files are kept.
    pub fn writes_csv(self) -> bool {
        matches!(self, Format::Csv | Format::Both)
    }

    /// True when Parquet files are written.
    pub fn writes_parquet(self) -> bool {
        matches!(self, Format::Parquet | Format::Both)
    }

    /// The names of the files a table's CSV name (`weekly.csv`) stands for in this format.
    pub fn file_names(self, csv_name: &str) -> Vec<String> {
        let csv = self.writes_csv().then(|| csv_name.to_string());
        csv.into_iter().chain(self.writes_parquet().then(|| parquet_name(csv_name))).collect()
    }

    /// The format of a finished folder whose manifest lists `files`.
    pub fn of_files(files: &[String]) -> Format {
        let csv = files.iter().any(|f| f.ends_with(".csv"));
        match (csv, files.iter().any(|f| f.ends_with(".parquet"))) {
            (true, true) => Format::Both,
            (false, true) => Format::Parquet,
            _ => Format::Csv,
        }
    }
}

/// `weekly.csv` → `weekly.parquet` (folders kept: `reference/weekly.parquet`).
pub fn parquet_name(csv_name: &str) -> String {
    format!("{}.parquet", csv_name.strip_suffix(".csv").unwrap_or(csv_name))
}

/// `weekly.parquet` → `weekly.csv`; other names unchanged.
pub fn csv_name(name: &str) -> String {
    name.strip_suffix(".parquet").map_or_else(|| name.to_string(), |stem| format!("{stem}.csv"))
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Both => "both",
        })
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            "both" => Ok(Format::Both),
            other => Err(format!("unknown format '{other}': expected csv, parquet or both")),
        }
    }
}

/// The type of a column in a Parquet table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 64-bit integer (`point`, `week`, `replication`, an integer swept path).
    Int,
    /// 64-bit float, empty CSV cells as nulls (values; a float swept path).
    Float,
    /// Boolean (a swept path of `true`/`false`).
    Bool,
    /// UTF-8 text (names; any other swept path).
    Text,
}

/// Columns holding names.
const TEXT_COLUMNS: [&str; 12] = [
    "scenario",
    "owner",
    "from",
    "reference",
    "region",
    "retailer",
    "channel",
    "metric",
    "from_retailer",
    "from_channel",
    "to_retailer",
    "to_channel",
];
/// Columns holding whole numbers.
const INT_COLUMNS: [&str; 5] = ["point", "week", "replication", "window_start", "window_end"];

/// The type of a table's own (not swept) column `name`: text for names, integers for
/// `point`/`week`/`replication`, floats for every value.
pub fn base_column_type(name: &str) -> ColumnType {
    if TEXT_COLUMNS.contains(&name) {
        ColumnType::Text
    } else if INT_COLUMNS.contains(&name) {
        ColumnType::Int
    } else {
        ColumnType::Float
    }
}

/// The type of a swept path from its values at every point: integers if all are integers,
/// floats if all are numbers, booleans if all are booleans, text otherwise.
pub fn parameter_type<'a>(values: impl IntoIterator<Item = &'a Value>) -> ColumnType {
    let mut kind: Option<ColumnType> = None;
    for value in values {
        let this = match value {
            Value::Integer(_) => ColumnType::Int,
            Value::Float(_) => ColumnType::Float,
            Value::Boolean(_) => ColumnType::Bool,
            _ => ColumnType::Text,
        };
        kind = Some(match (kind, this) {
            (None, t) => t,
            (Some(a), b) if a == b => a,
            (Some(ColumnType::Int | ColumnType::Float), ColumnType::Int | ColumnType::Float) => ColumnType::Float,
            _ => ColumnType::Text,
        });
    }
    kind.unwrap_or(ColumnType::Text)
}

/// One column of a table as Parquet stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name (the CSV header cell).
    pub name: String,
    /// Its type.
    pub kind: ColumnType,
    /// True for a swept path's column (its text is the value as TOML writes it).
    pub swept: bool,
}

/// The columns of a table given its header cells and the swept paths' names and types.
pub fn columns(header: &[String], parameters: &[(String, ColumnType)]) -> Vec<Column> {
    let column = |name: &String| match parameters.iter().find(|(p, _)| p == name) {
        Some((_, kind)) => Column { name: name.clone(), kind: *kind, swept: true },
        None => Column { name: name.clone(), kind: base_column_type(name), swept: false },
    };
    header.iter().map(column).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swept_paths_are_typed_by_their_values() {
        let ints = [Value::Integer(2), Value::Integer(4)];
        assert_eq!(parameter_type(&ints), ColumnType::Int);
        let mixed = [Value::Integer(2), Value::Float(0.5)];
        assert_eq!(parameter_type(&mixed), ColumnType::Float);
        let names = [Value::String("a".into()), Value::Integer(1)];
        assert_eq!(parameter_type(&names), ColumnType::Text);
        assert_eq!(parameter_type(&[Value::Boolean(true)]), ColumnType::Bool);
    }

    #[test]
    fn base_columns_and_names() {
        assert_eq!(base_column_type("week"), ColumnType::Int);
        assert_eq!(base_column_type("ci95_low"), ColumnType::Float);
        assert_eq!(base_column_type("to_channel"), ColumnType::Text);
        assert_eq!(parquet_name("reference/weekly.csv"), "reference/weekly.parquet");
        assert_eq!(csv_name("reference/weekly.parquet"), "reference/weekly.csv");
        assert_eq!(Format::Both.file_names("a.csv"), ["a.csv", "a.parquet"]);
        assert_eq!(Format::of_files(&["a.parquet".into(), "m.json".into()]), Format::Parquet);
        assert!("xml".parse::<Format>().unwrap_err().contains("csv, parquet or both"));
    }
}
