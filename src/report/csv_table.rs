//! A CSV file read by column name, so the report does not depend on column positions.
//!
//! Sweeps add one column per swept path between `point` and the rest of a table
//! (`scenario,point,<path1>,…,week,…`): every column after `point` and before the first of the
//! fixed columns that follow it (`week`, `retailer`, `region`, `from_retailer`, `replication`)
//! is a parameter column.

use super::error::ReportError;
use std::path::{Path, PathBuf};

/// The columns that can follow `point` (and any parameter columns) in a cartshift table.
const AFTER_PARAMETERS: [&str; 5] = ["week", "retailer", "region", "from_retailer", "replication"];

/// A whole CSV file: header, records and where the parameter columns are.
pub(crate) struct CsvTable {
    path: PathBuf,
    header: Vec<String>,
    records: Vec<csv::StringRecord>,
    params: std::ops::Range<usize>,
}

/// One record of a [`CsvTable`], with typed accessors that name the file and line on failure.
pub(crate) struct Row<'a> {
    table: &'a CsvTable,
    record: &'a csv::StringRecord,
    line: u64,
}

impl CsvTable {
    /// Reads and parses `path`, or its Parquet copy (`weekly.parquet` for `weekly.csv`) when
    /// only that exists.
    pub(crate) fn read(path: &Path) -> Result<CsvTable, ReportError> {
        let parquet = path.with_extension("parquet");
        if !path.is_file() && parquet.is_file() {
            let (header, records) = crate::output::parquet::read_records(&parquet)
                .map_err(|e| ReportError::Read { path: parquet.clone(), message: e.to_string() })?;
            return CsvTable::from_parts(&parquet, header, records);
        }
        let bytes =
            std::fs::read(path).map_err(|e| ReportError::Read { path: path.to_path_buf(), message: e.to_string() })?;
        CsvTable::parse(path, &bytes)
    }

    /// Parses CSV text; `path` only names the file in errors.
    pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<CsvTable, ReportError> {
        let malformed =
            |line: Option<u64>, message: String| ReportError::Malformed { path: path.into(), line, message };
        let mut reader = csv::Reader::from_reader(bytes);
        let header: Vec<String> =
            reader.headers().map_err(|e| malformed(Some(1), e.to_string()))?.iter().map(str::to_string).collect();
        let records = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| malformed(e.position().map(|p| p.line()), e.to_string()))?;
        CsvTable::from_parts(path, header, records)
    }

    /// A table from its header and records; `path` only names the file in errors.
    fn from_parts(path: &Path, header: Vec<String>, records: Vec<csv::StringRecord>) -> Result<CsvTable, ReportError> {
        let malformed =
            |line: Option<u64>, message: String| ReportError::Malformed { path: path.into(), line, message };
        let point = header.iter().position(|h| h == "point").ok_or_else(|| malformed(Some(1), missing("point")))?;
        let end = header[point + 1..]
            .iter()
            .position(|h| AFTER_PARAMETERS.contains(&h.as_str()))
            .map_or(point + 1, |i| point + 1 + i);
        Ok(CsvTable { path: path.into(), header, records, params: point + 1..end })
    }

    /// Names of the parameter columns (swept paths), in order; empty for a plain run.
    pub(crate) fn param_names(&self) -> &[String] {
        &self.header[self.params.clone()]
    }

    /// The records in file order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().enumerate().map(|(i, record)| Row { table: self, record, line: i as u64 + 2 })
    }

    /// Fails unless every one of `names` is a column.
    pub(crate) fn require(&self, names: &[&str]) -> Result<(), ReportError> {
        match names.iter().find(|n| !self.header.iter().any(|h| h == *n)) {
            None => Ok(()),
            Some(n) => Err(ReportError::Malformed { path: self.path.clone(), line: Some(1), message: missing(n) }),
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

fn missing(column: &str) -> String {
    format!("no column '{column}' in the header")
}

impl Row<'_> {
    /// The text of column `name`.
    pub(crate) fn text(&self, name: &str) -> Result<&str, ReportError> {
        let index = self.table.index(name).ok_or_else(|| self.error(missing(name)))?;
        self.record.get(index).ok_or_else(|| self.error(format!("the row has no '{name}' field")))
    }

    /// Column `name` as a number; an empty field is `None`.
    pub(crate) fn optional_number(&self, name: &str) -> Result<Option<f64>, ReportError> {
        let text = self.text(name)?.trim();
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(self.error(format!("'{name}' should be a number, got '{text}'"))),
        }
    }

    /// Column `name` as a number that must be there.
    pub(crate) fn number(&self, name: &str) -> Result<f64, ReportError> {
        self.optional_number(name)?.ok_or_else(|| self.error(format!("'{name}' is empty")))
    }

    /// Column `name` as a whole number (`point`, `week`).
    pub(crate) fn index_value(&self, name: &str) -> Result<u32, ReportError> {
        let text = self.text(name)?;
        text.trim().parse().map_err(|_| self.error(format!("'{name}' should be a whole number, got '{text}'")))
    }

    /// The values of the parameter columns, in order.
    pub(crate) fn params(&self) -> Vec<String> {
        self.table.params.clone().map(|i| self.record.get(i).unwrap_or_default().to_string()).collect()
    }

    fn error(&self, message: String) -> ReportError {
        ReportError::Malformed { path: self.table.path.clone(), line: Some(self.line), message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> CsvTable {
        CsvTable::parse(Path::new("t.csv"), text.as_bytes()).unwrap()
    }

    #[test]
    fn columns_between_point_and_the_fixed_ones_are_parameters() {
        let t =
            table("scenario,point,retailer.Kroger.price_index,dynamics.loyalty_weight,week,mean\ns,3,0.97,2,5,0.1\n");
        assert_eq!(t.param_names(), ["retailer.Kroger.price_index", "dynamics.loyalty_weight"]);
        let row = t.rows().next().unwrap();
        assert_eq!(row.params(), ["0.97", "2"]);
        assert_eq!(row.index_value("point").unwrap(), 3);
        assert_eq!(row.number("mean").unwrap(), 0.1);
    }

    #[test]
    fn a_plain_run_has_no_parameters() {
        let t = table("scenario,reference,point,retailer,channel,mean\na,b,0,K,store,1\n");
        assert!(t.param_names().is_empty());
        assert!(t.rows().next().unwrap().params().is_empty());
    }

    #[test]
    fn bad_values_name_the_file_line_and_column() {
        let t = table("scenario,point,week,mean,sd\ns,0,0,abc,\n");
        let row = t.rows().next().unwrap();
        assert_eq!(row.optional_number("sd").unwrap(), None);
        let err = row.number("mean").unwrap_err().to_string();
        assert!(err.starts_with("t.csv:2: 'mean' should be a number"), "{err}");
        assert!(row.text("nope").is_err());
        assert!(CsvTable::parse(Path::new("t.csv"), b"scenario,week\ns,1\n").is_err(), "no point column");
    }
}
