//! `--format parquet|both`: every table as typed, zstd Parquet with the CSV's rows in the CSV's
//! order, value for value; shards merged, killed runs resumed and folders reported from Parquet.

mod sweep_support;

use arrow_array::{Array, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::DataType;
use cartshift::output::Format;
use cartshift::output::parquet::to_csv_bytes;
use cartshift::pipeline::{self, Observer, Plan, RunOptions};
use cartshift::scenario::{LoadOptions, load_sweep};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use sweep_support::*;

fn batches(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file").build().unwrap();
    reader.map(|b| b.expect("a batch")).collect()
}

fn row_groups(path: &Path) -> usize {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file").metadata().num_row_groups()
}

/// The Parquet file's cells against the CSV file's text, column by column and row by row.
fn assert_same_values(csv_path: &Path, parquet_path: &Path) {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let batches = batches(parquet_path);
    let schema = batches.first().map(|b| b.schema()).expect("at least one row group");
    let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, header.iter().collect::<Vec<_>>(), "{}: columns", parquet_path.display());
    let mut row = 0;
    for batch in &batches {
        for i in 0..batch.num_rows() {
            for (c, column) in batch.columns().iter().enumerate() {
                let cell = &rows[row][c];
                let at = format!("{} row {row} column {}", parquet_path.display(), header[c]);
                same_cell(column.as_ref(), i, cell, &at);
            }
            row += 1;
        }
    }
    assert_eq!(row, rows.len(), "{}: rows", parquet_path.display());
}

fn same_cell(column: &dyn Array, i: usize, cell: &str, at: &str) {
    if column.is_null(i) {
        assert_eq!(cell, "", "{at}: null against '{cell}'");
        return;
    }
    let any = column.as_any();
    match column.data_type() {
        DataType::Int64 => {
            assert_eq!(any.downcast_ref::<Int64Array>().unwrap().value(i), cell.parse::<i64>().unwrap(), "{at}")
        }
        DataType::Float64 => {
            let (x, y) = (any.downcast_ref::<Float64Array>().unwrap().value(i), cell.parse::<f64>().unwrap());
            assert!(x == y || (x.is_nan() && y.is_nan()), "{at}: {x} against {y}");
        }
        DataType::Boolean => {
            assert_eq!(any.downcast_ref::<BooleanArray>().unwrap().value(i), cell.parse::<bool>().unwrap(), "{at}")
        }
        DataType::Utf8 => assert_eq!(any.downcast_ref::<StringArray>().unwrap().value(i), cell, "{at}"),
        other => panic!("{at}: unexpected type {other}"),
    }
}

fn column_type(path: &Path, name: &str) -> DataType {
    let schema = batches(path)[0].schema();
    schema.field_with_name(name).unwrap_or_else(|_| panic!("no column {name}")).data_type().clone()
}

#[test]
fn both_formats_hold_the_same_rows_value_for_value_with_typed_columns() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(300, 6) + GRID));
    ws.succeed(&["run", "sweep.toml", "-o", "csv", "--raw", "--quiet"]);
    ws.succeed(&["run", "sweep.toml", "-o", "both", "--raw", "--quiet", "--format", "both"]);
    let both = ws.path("both");
    for name in CSV_FILES {
        let parquet = both.join(name.replace(".csv", ".parquet"));
        assert_eq!(read(&both.join(name)), read(&ws.path("csv").join(name)), "{name}: the CSV is unchanged");
        assert_same_values(&both.join(name), &parquet);
        assert_eq!(to_csv_bytes(&parquet).unwrap(), read(&both.join(name)), "{name}: the CSV text comes back");
    }
    let weekly = both.join("weekly.parquet");
    assert_eq!(column_type(&weekly, "point"), DataType::Int64);
    assert_eq!(column_type(&weekly, "week"), DataType::Int64);
    assert_eq!(column_type(&weekly, "retailer"), DataType::Utf8);
    assert_eq!(column_type(&weekly, "sd"), DataType::Float64);
    assert_eq!(column_type(&weekly, "retailer.Kroger.checkout_wait_min"), DataType::Float64);
    assert_eq!(column_type(&both.join("replications.parquet"), "replication"), DataType::Int64);
    let files = manifest(&both)["files"].clone();
    assert!(files.as_array().unwrap().iter().any(|f| f == "weekly.parquet"), "{files}");
}

#[test]
fn an_integer_swept_path_is_an_integer_column_and_parquet_alone_writes_no_csv() {
    let ws = Workspace::new();
    let sweep = one_parameter("grid", "simulation.weeks", "values = [3, 4, 5]");
    ws.write("sweep.toml", &(tiny(200, 6) + &sweep));
    ws.succeed(&["run", "sweep.toml", "-o", "out", "--quiet", "--format", "parquet"]);
    let weekly = ws.path("out/weekly.parquet");
    assert_eq!(column_type(&weekly, "simulation.weeks"), DataType::Int64);
    assert!(!ws.path("out/weekly.csv").exists(), "parquet alone writes no CSV");
    ws.succeed(&["run", "sweep.toml", "-o", "csv", "--quiet"]);
    assert_eq!(to_csv_bytes(&weekly).unwrap(), read(&ws.path("csv/weekly.csv")));
    let listed = manifest(&ws.path("out"))["files"].clone();
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(&names[..4], ["weekly.parquet", "online.parquet", "summary.parquet", "regions.parquet"]);
}

#[test]
fn a_comparison_writes_every_table_in_parquet() {
    let ws = Workspace::new();
    ws.write("base.toml", &tiny(300, 6));
    let changed = tiny(300, 6)
        .replace("name = \"tiny\"", "name = \"cheaper\"")
        .replace("price_index = 1.0", "price_index = 0.95");
    ws.write("cheaper.toml", &changed);
    ws.succeed(&["compare", "cheaper.toml", "base.toml", "-o", "csv", "--quiet"]);
    ws.succeed(&["compare", "cheaper.toml", "base.toml", "-o", "pq", "--quiet", "--format", "parquet"]);
    let tables = ["shifts.csv", "shifts_weekly.csv", "switching.csv", "weekly.csv", "reference/weekly.csv"];
    for name in tables {
        let parquet = ws.path("pq").join(name.replace(".csv", ".parquet"));
        assert_same_values(&ws.path("csv").join(name), &parquet);
    }
    ws.succeed(&["report", "pq"]);
    assert!(ws.path("pq/report.html").is_file(), "the report reads a Parquet-only folder");
}

#[test]
fn shards_in_parquet_merge_into_the_whole_run() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(200, 6) + GRID));
    ws.succeed(&["run", "sweep.toml", "-o", "whole", "--quiet"]);
    for k in ["1/2", "2/2"] {
        let out = format!("shard{}", &k[..1]);
        ws.succeed(&["run", "sweep.toml", "-o", &out, "--shard", k, "--quiet", "--format", "parquet"]);
    }
    ws.succeed(&["merge", "merged", "shard1", "shard2"]);
    for name in ["weekly.csv", "online.csv", "summary.csv", "regions.csv"] {
        let parquet = ws.path("merged").join(name.replace(".csv", ".parquet"));
        assert_eq!(to_csv_bytes(&parquet).unwrap(), read(&ws.path("whole").join(name)), "{name}");
    }
    assert_eq!(row_groups(&ws.path("merged/weekly.parquet")), 2, "each shard's row group is kept");
}

/// Stops a run once `after` points are done.
struct StopAfter {
    after: usize,
    done: AtomicUsize,
}

impl Observer for StopAfter {
    fn point_done(&self, _point: usize) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }

    fn cancelled(&self) -> bool {
        self.done.load(Ordering::SeqCst) >= self.after
    }
}

#[test]
fn a_cancelled_parquet_run_resumes_to_the_whole_run_and_refuses_another_format() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(200, 6) + GRID));
    ws.succeed(&["run", "sweep.toml", "-o", "whole", "--quiet"]);

    let plan = Plan::plain(load_sweep(&ws.path("sweep.toml"), &LoadOptions::default()).unwrap());
    let mut options = RunOptions::new(ws.path("out"));
    (options.format, options.sync_every) = (Format::Parquet, Duration::ZERO);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let stop = StopAfter { after: 4, done: AtomicUsize::new(0) };
    let err = pipeline::execute(&plan, &options, &pool, &stop).unwrap_err();
    assert!(matches!(err, cartshift::Error::Cancelled), "{err}");
    assert!(ws.path("out").join(cartshift::output::PARTIAL_DIR).join("weekly.csv").is_file(), "rows kept as CSV");
    assert!(!ws.path("out/weekly.parquet").exists(), "nothing final before the end");

    let stderr = ws.refuse("another format", &["run", "sweep.toml", "-o", "out", "--resume"]);
    assert!(stderr.contains("format: parquet in the folder, csv in this run"), "{stderr}");
    ws.succeed(&["run", "sweep.toml", "-o", "out", "--resume", "--format", "parquet", "--quiet"]);
    for name in ["weekly.csv", "online.csv", "summary.csv", "regions.csv"] {
        let parquet = ws.path("out").join(name.replace(".csv", ".parquet"));
        assert_eq!(to_csv_bytes(&parquet).unwrap(), read(&ws.path("whole").join(name)), "{name}");
    }
    let stdout = ws.succeed(&["run", "sweep.toml", "-o", "out", "--resume", "--format", "parquet"]);
    assert!(stdout.contains("already complete"), "{stdout}");
}
