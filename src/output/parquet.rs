//! Parquet copies of the tables: typed columns, zstd-compressed, converted from a finished CSV
//! file in row groups of whole points, so memory stays bounded however many points a sweep
//! has, and the CSV journal keeps `--resume` exact (a Parquet file cannot be cut back).
//!
//! The conversion is lossless both ways: values were printed in Rust's shortest round-trip
//! form and swept values as TOML writes them, so [`read_records`] gives back the CSV's text.

use super::folder::FolderError;
use super::format::{Column, ColumnType};
use crate::scenario::parameter_text;
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows gathered before a row group ends at the next change of point.
pub const ROW_GROUP_ROWS: usize = 64 * 1024;
/// Rows after which a row group ends even inside one point (memory bound for huge points).
const MAX_ROW_GROUP_ROWS: usize = 1024 * 1024;
/// Field metadata marking a swept path's column.
const SWEPT_KEY: &str = "cartshift:swept";

/// The Arrow schema of a table with `columns`.
pub fn schema(columns: &[Column]) -> SchemaRef {
    let field = |c: &Column| {
        let (kind, nullable) = match c.kind {
            ColumnType::Int => (DataType::Int64, false),
            ColumnType::Float => (DataType::Float64, true),
            ColumnType::Bool => (DataType::Boolean, false),
            ColumnType::Text => (DataType::Utf8, false),
        };
        let field = Field::new(&c.name, kind, nullable);
        if c.swept { field.with_metadata(HashMap::from([(SWEPT_KEY.into(), "true".into())])) } else { field }
    };
    Arc::new(Schema::new(columns.iter().map(field).collect::<Vec<_>>()))
}

/// Writes `target` (atomically) from the CSV file `csv` whose columns are `columns`: a row
/// group per batch of whole points of at least [`ROW_GROUP_ROWS`] rows.
pub fn csv_to_parquet(csv: &Path, target: &Path, columns: &[Column]) -> Result<(), FolderError> {
    convert(csv, target, columns, ROW_GROUP_ROWS)
}

fn convert(csv: &Path, target: &Path, columns: &[Column], group_rows: usize) -> Result<(), FolderError> {
    let schema = schema(columns);
    let point = columns.iter().position(|c| c.name == "point");
    atomically(target, |file| {
        let input = File::open(csv).map_err(FolderError::read(csv))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(std::io::BufReader::new(input));
        let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties())).map_err(write_error(target))?;
        let mut batch = Batch::new(columns);
        let mut record = csv::StringRecord::new();
        let mut last_point: Option<String> = None;
        while reader.read_record(&mut record).map_err(|e| malformed(csv, &e.to_string()))? {
            let this_point = point.and_then(|i| record.get(i));
            let new_point = this_point != last_point.as_deref();
            if (batch.rows >= group_rows && new_point) || batch.rows >= MAX_ROW_GROUP_ROWS {
                write_row_group(&mut writer, &schema, &mut batch).map_err(write_error(target))?;
            }
            if new_point {
                last_point = this_point.map(str::to_string);
            }
            let line = record.position().map_or(0, |p| p.line());
            batch.push(&record, columns).map_err(|m| malformed(csv, &format!("line {line}: {m}")))?;
        }
        write_row_group(&mut writer, &schema, &mut batch).map_err(write_error(target))?;
        writer.into_inner().map_err(write_error(target))
    })
}

/// Joins Parquet files of one table (shards, in order) into `target`, atomically; every file
/// must have the first one's schema.
pub fn join_parquet(target: &Path, inputs: &[PathBuf]) -> Result<(), FolderError> {
    let Some(first) = inputs.first() else { return Ok(()) };
    let schema = open(first)?.schema().clone();
    atomically(target, |file| {
        let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties())).map_err(write_error(target))?;
        for path in inputs {
            let builder = open(path)?;
            if builder.schema().fields() != schema.fields() {
                return Err(FolderError::refused(path, "its columns differ from the first shard's"));
            }
            let reader = builder.with_batch_size(ROW_GROUP_ROWS).build().map_err(|e| not_parquet(path, e))?;
            for batch in reader {
                writer.write(&batch.map_err(|e| not_parquet(path, e))?).map_err(write_error(target))?;
                writer.flush().map_err(write_error(target))?;
            }
        }
        writer.into_inner().map_err(write_error(target))
    })
}

/// A Parquet table as its CSV text: header cells and records, each cell as the CSV has it.
pub fn read_records(path: &Path) -> Result<(Vec<String>, Vec<csv::StringRecord>), FolderError> {
    let builder = open(path)?;
    let schema = builder.schema().clone();
    let header = schema.fields().iter().map(|f| f.name().clone()).collect();
    let swept: Vec<bool> = schema.fields().iter().map(|f| f.metadata().contains_key(SWEPT_KEY)).collect();
    let reader = builder.with_batch_size(ROW_GROUP_ROWS).build().map_err(|e| not_parquet(path, e))?;
    let mut records = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| not_parquet(path, e))?;
        for row in 0..batch.num_rows() {
            let cells = batch.columns().iter().zip(&swept).map(|(a, &s)| cell_text(a.as_ref(), row, s));
            records.push(cells.collect::<Result<csv::StringRecord, String>>().map_err(|m| malformed(path, &m))?);
        }
    }
    Ok((header, records))
}

/// A Parquet table written back as CSV bytes (header and rows), as cartshift writes CSV.
pub fn to_csv_bytes(path: &Path) -> Result<Vec<u8>, FolderError> {
    let (header, records) = read_records(path)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).expect("writing to memory");
    for record in &records {
        writer.write_record(record).expect("writing to memory");
    }
    Ok(writer.into_inner().expect("writing to memory"))
}

/// One cell's CSV text: floats in shortest round-trip form (a swept float as TOML writes it),
/// nulls empty.
fn cell_text(array: &dyn Array, row: usize, swept: bool) -> Result<String, String> {
    if array.is_null(row) {
        return Ok(String::new());
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<Int64Array>() {
        Ok(a.value(row).to_string())
    } else if let Some(a) = any.downcast_ref::<Float64Array>() {
        let x = a.value(row);
        Ok(if swept { parameter_text(&toml::Value::Float(x)) } else { format!("{x}") })
    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
        Ok(a.value(row).to_string())
    } else if let Some(a) = any.downcast_ref::<StringArray>() {
        Ok(a.value(row).to_string())
    } else {
        Err(format!("a column of type {} is not one cartshift writes", array.data_type()))
    }
}

fn properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
        .build()
}

fn open(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>, FolderError> {
    let file = File::open(path).map_err(FolderError::read(path))?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| not_parquet(path, e))
}

fn not_parquet(path: &Path, e: impl std::fmt::Display) -> FolderError {
    FolderError::refused(path, format!("not a Parquet file cartshift wrote ({e})"))
}

fn malformed(path: &Path, message: &str) -> FolderError {
    FolderError::refused(path, format!("not a table cartshift wrote: {message}"))
}

fn write_error(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> FolderError + '_ {
    move |e| FolderError::Write { path: path.to_path_buf(), source: std::io::Error::other(e) }
}

/// Runs `write` on a temporary file beside `target`, then fsyncs and renames it into place;
/// the temporary file is removed if anything fails.
fn atomically(target: &Path, write: impl FnOnce(File) -> Result<File, FolderError>) -> Result<(), FolderError> {
    let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(FolderError::write(folder))?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = folder.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let file = write(File::create(&tmp).map_err(FolderError::write(&tmp))?)?;
        file.sync_all().map_err(FolderError::write(&tmp))?;
        std::fs::rename(&tmp, target).map_err(FolderError::write(target))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Column builders for the rows of one row group.
struct Batch {
    builders: Vec<Builder>,
    rows: usize,
}

enum Builder {
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Text(StringBuilder),
}

impl Batch {
    fn new(columns: &[Column]) -> Batch {
        let builder = |c: &Column| match c.kind {
            ColumnType::Int => Builder::Int(Int64Builder::new()),
            ColumnType::Float => Builder::Float(Float64Builder::new()),
            ColumnType::Bool => Builder::Bool(BooleanBuilder::new()),
            ColumnType::Text => Builder::Text(StringBuilder::new()),
        };
        Batch { builders: columns.iter().map(builder).collect(), rows: 0 }
    }

    fn push(&mut self, record: &csv::StringRecord, columns: &[Column]) -> Result<(), String> {
        if record.len() != columns.len() {
            return Err(format!("{} fields, expected {}", record.len(), columns.len()));
        }
        for ((builder, cell), column) in self.builders.iter_mut().zip(record).zip(columns) {
            let bad = || format!("'{}' should be {:?}, got '{cell}'", column.name, column.kind);
            match builder {
                Builder::Int(b) => b.append_value(cell.parse().map_err(|_| bad())?),
                Builder::Float(b) if cell.is_empty() => b.append_null(),
                Builder::Float(b) => b.append_value(cell.parse().map_err(|_| bad())?),
                Builder::Bool(b) => b.append_value(cell.parse().map_err(|_| bad())?),
                Builder::Text(b) => b.append_value(cell),
            }
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.rows = 0;
        let finish = |b: &mut Builder| -> ArrayRef {
            match b {
                Builder::Int(b) => Arc::new(b.finish()),
                Builder::Float(b) => Arc::new(b.finish()),
                Builder::Bool(b) => Arc::new(b.finish()),
                Builder::Text(b) => Arc::new(b.finish()),
            }
        };
        self.builders.iter_mut().map(finish).collect()
    }
}

/// Writes the gathered rows as one row group (nothing when there are none).
fn write_row_group(
    writer: &mut ArrowWriter<File>,
    schema: &SchemaRef,
    batch: &mut Batch,
) -> Result<(), parquet::errors::ParquetError> {
    if batch.rows == 0 {
        return Ok(());
    }
    let arrays = batch.finish();
    let batch = RecordBatch::try_new(schema.clone(), arrays)?;
    writer.write(&batch)?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::format::columns;

    #[test]
    fn row_groups_end_between_points_and_the_text_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let (csv, target) = (dir.path().join("t.csv"), dir.path().join("t.parquet"));
        let text = "scenario,point,x,week,mean,sd\ns,0,0.5,0,1,\ns,0,0.5,1,2.5,0.1\ns,0,0.5,2,3,0.0000001\n\
                    s,1,1.0,0,4,\ns,1,1.0,1,5,\ns,2,1e300,0,NaN,inf\n";
        std::fs::write(&csv, text).unwrap();
        let header: Vec<String> = text.lines().next().unwrap().split(',').map(str::to_string).collect();
        let cols = columns(&header, &[("x".into(), ColumnType::Float)]);
        convert(&csv, &target, &cols, 2).unwrap();
        let groups = open(&target).unwrap().metadata().row_groups().iter().map(|g| g.num_rows()).collect::<Vec<_>>();
        assert_eq!(groups, [3, 2, 1], "a group of at least 2 rows ends where a point does");
        assert_eq!(String::from_utf8(to_csv_bytes(&target).unwrap()).unwrap(), text);
    }

    #[test]
    fn a_bad_cell_names_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let (csv, target) = (dir.path().join("t.csv"), dir.path().join("t.parquet"));
        std::fs::write(&csv, "scenario,point,week\ns,0,1\ns,x,2\n").unwrap();
        let cols = columns(&["scenario".into(), "point".into(), "week".into()], &[]);
        let err = csv_to_parquet(&csv, &target, &cols).unwrap_err().to_string();
        assert!(err.contains("t.csv") && err.contains("line 3") && err.contains("'point'"), "{err}");
        assert!(!target.exists(), "no partial file is left");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
    }
}
