//! The `table` design: points listed in a CSV file (`file = "points.csv"`), one column per swept
//! path and one row per point, run in file order — so SALib, EMA Workbench or any external
//! sampler can drive cartshift point for point.
//!
//! A cell is an integer, a float, `true`/`false`, or else a string; an empty or non-finite cell,
//! or a row with the wrong number of cells, is refused with the file, line and column.

use crate::location::Location;
use sha2::{Digest, Sha256};
use toml::Value;

/// Points read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct PointTable {
    file: String,
    paths: Vec<String>,
    rows: Vec<Vec<Value>>,
    /// The 1-based line of each row.
    lines: Vec<u64>,
    digest: String,
}

/// A cell, a row or a header the table design cannot use.
#[derive(Debug, Clone, PartialEq)]
pub struct TableError {
    /// Where: the file, its line and, for a cell, its column.
    pub location: Location,
    /// The column's header (a swept path), when the problem is in one column.
    pub column: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl PointTable {
    /// Parses `text`, the file shown as `file` in errors. The header names the swept paths.
    pub fn parse(file: &str, text: &str) -> Result<PointTable, TableError> {
        let at = |line: u64, column: Option<usize>, name: Option<&String>, message: String| TableError {
            location: Location {
                file: file.to_string(),
                line: Some(line as u32),
                column: column.map(|c| c as u32 + 1),
            },
            column: name.cloned(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            None => return Err(at(1, None, None, "the file is empty: expected a header of swept paths".into())),
            Some(record) => record.map_err(|e| at(1, None, None, format!("not CSV: {e}")))?,
        };
        let paths: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let (mut rows, mut lines) = (Vec::new(), Vec::new());
        for record in records {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                at(line, None, None, format!("not CSV: {e}"))
            })?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != paths.len() {
                let message =
                    format!("{} cells, expected {} (one per column of the header)", record.len(), paths.len());
                return Err(at(line, None, None, message));
            }
            let row = record
                .iter()
                .enumerate()
                .map(|(c, cell)| cell_value(cell).map_err(|message| at(line, Some(c), Some(&paths[c]), message)));
            rows.push(row.collect::<Result<Vec<Value>, TableError>>()?);
            lines.push(line);
        }
        if rows.is_empty() {
            return Err(at(1, None, None, "no points: expected one row per point after the header".into()));
        }
        let digest = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        Ok(PointTable { file: file.to_string(), paths, rows, lines, digest })
    }

    /// The swept paths, in column order.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// Number of points (rows).
    pub fn points(&self) -> usize {
        self.rows.len()
    }

    /// The row of `point`.
    pub fn values(&self, point: usize) -> Vec<Value> {
        self.rows[point].clone()
    }

    /// Where the cell of `point` in `column` is written.
    pub fn cell(&self, point: usize, column: usize) -> Location {
        Location { file: self.file.clone(), line: Some(self.lines[point] as u32), column: Some(column as u32 + 1) }
    }

    /// SHA-256 of the file's text: the points are part of the sweep's identity.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

/// A cell as a TOML value.
fn cell_value(cell: &str) -> Result<Value, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Err("empty cell: expected a value".into());
    }
    if let Ok(i) = cell.parse::<i64>() {
        return Ok(Value::Integer(i));
    }
    if let Ok(f) = cell.parse::<f64>() {
        return if f.is_finite() { Ok(Value::Float(f)) } else { Err(format!("{cell}: expected a finite number")) };
    }
    Ok(match cell {
        "true" => Value::Boolean(true),
        "false" => Value::Boolean(false),
        text => Value::String(text.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_points_in_file_order() {
        let t = PointTable::parse("p.csv", "a.b,c.d\n1,0.5\n2,x\n").unwrap();
        assert_eq!(t.paths(), ["a.b", "c.d"]);
        assert_eq!(t.points(), 2);
        assert_eq!(t.values(0), [Value::Integer(1), Value::Float(0.5)]);
        assert_eq!(t.values(1), [Value::Integer(2), Value::String("x".into())]);
        assert_eq!(t.cell(1, 1).to_string(), "p.csv:3:2");
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let err = PointTable::parse("p.csv", "a.b,c.d\n1,0.5\n2,\n").unwrap_err();
        assert_eq!((err.location.line, err.column.as_deref()), (Some(3), Some("c.d")));
        assert!(err.message.contains("empty cell"));
        let err = PointTable::parse("p.csv", "a.b,c.d\n1,nan\n").unwrap_err();
        assert!(err.message.contains("finite"), "{}", err.message);
        let err = PointTable::parse("p.csv", "a.b,c.d\n1,2,3\n").unwrap_err();
        assert!(err.message.contains("3 cells, expected 2"), "{}", err.message);
        assert!(PointTable::parse("p.csv", "a.b\n").unwrap_err().message.contains("no points"));
    }
}
