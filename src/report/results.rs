//! A results folder in memory: the rows the report draws, read by column name from the CSV files
//! the manifest lists, with the sweep points (values of the swept paths) they belong to.

use super::csv_table::{CsvTable, Row};
use super::error::ReportError;
use crate::output::format::parquet_name;
use crate::output::write_atomic;
use std::path::{Path, PathBuf};

/// A mean and its 95% confidence interval (absent with one replication).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub low: Option<f64>,
    /// Upper end of the 95% interval.
    pub high: Option<f64>,
}

/// A retailer's channel (or the outside option, whose channel is `none`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alternative {
    /// `retailer` column.
    pub retailer: String,
    /// `channel` column.
    pub channel: String,
}

/// One row of a table with a point, an alternative or a region, an optional week and a metric.
#[derive(Debug, Clone)]
pub struct Record {
    /// Sweep point (0 for a plain run).
    pub point: u32,
    /// Reported week, for weekly tables.
    pub week: Option<u32>,
    /// Retailer and channel, or the region (channel empty) for `online.csv`.
    pub alt: Alternative,
    /// `metric` (`share` for `online.csv`).
    pub metric: String,
    /// The value.
    pub estimate: Estimate,
}

/// One cell of `switching.csv`.
#[derive(Debug, Clone)]
pub struct Switch {
    /// Sweep point.
    pub point: u32,
    /// Choice in the reference.
    pub from: Alternative,
    /// Choice in the scenario.
    pub to: Alternative,
    /// Households in the final reported week.
    pub final_week: Estimate,
}

/// A sweep point: its number and the values of the swept paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// `point` column.
    pub index: u32,
    /// One value per swept path, as written.
    pub values: Vec<String>,
}

/// Everything the report shows, read from one results folder.
#[derive(Debug)]
pub struct Results {
    /// The folder.
    pub dir: PathBuf,
    /// `manifest.json` as written.
    pub manifest: serde_json::Value,
    /// Swept paths (empty for a plain run).
    pub params: Vec<String>,
    /// Points in file order (one, numbered 0, for a plain run).
    pub points: Vec<Point>,
    /// `weekly.csv`, `share` rows.
    pub weekly: Vec<Record>,
    /// `online.csv` (the region in `alt.retailer`).
    pub online: Vec<Record>,
    /// `summary.csv`.
    pub summary: Vec<Record>,
    /// `shifts.csv`, when the run had a reference.
    pub shifts: Option<Vec<Record>>,
    /// `switching.csv`, when the run had a reference and common random numbers.
    pub switching: Option<Vec<Switch>>,
    /// `reference/weekly.csv` `share` rows, when there is a reference.
    pub reference_weekly: Option<Vec<Record>>,
    /// `reference/online.csv`, when there is a reference.
    pub reference_online: Option<Vec<Record>>,
}

impl Results {
    /// Reads `dir`: `manifest.json` and the tables it lists (`weekly`, `online` and `summary` are
    /// required; the comparison tables are read when listed).
    pub fn read(dir: &Path) -> Result<Results, ReportError> {
        let manifest = read_manifest(dir)?;
        let listed = |name: &str| listed_files(&manifest).is_none_or(|f| f.iter().any(|x| x == name));
        let optional = |name: &str| -> Result<Option<CsvTable>, ReportError> {
            let (path, parquet) = (dir.join(name), parquet_name(name));
            let csv = listed(name) && path.is_file();
            if csv || (listed(&parquet) && dir.join(&parquet).is_file()) {
                CsvTable::read(&path).map(Some)
            } else {
                Ok(None)
            }
        };
        let summary = CsvTable::read(&dir.join("summary.csv"))?;
        let (params, points) = points_of(&summary)?;
        Ok(Results {
            dir: dir.to_path_buf(),
            params,
            points,
            weekly: share_rows(weekly_records(&CsvTable::read(&dir.join("weekly.csv"))?)?),
            online: online_records(&CsvTable::read(&dir.join("online.csv"))?)?,
            summary: summary_records(&summary)?,
            shifts: optional("shifts.csv")?.map(|t| summary_records(&t)).transpose()?,
            switching: optional("switching.csv")?.map(|t| switch_records(&t)).transpose()?,
            reference_weekly: optional("reference/weekly.csv")?
                .map(|t| weekly_records(&t).map(share_rows))
                .transpose()?,
            reference_online: optional("reference/online.csv")?.map(|t| online_records(&t)).transpose()?,
            manifest,
        })
    }

    /// The point the time charts and tables show: the first one.
    pub fn shown_point(&self) -> u32 {
        self.points.first().map_or(0, |p| p.index)
    }

    /// A manifest field as text, if present.
    pub fn manifest_text(&self, key: &str) -> Option<String> {
        match self.manifest.get(key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    }
}

fn read_manifest(dir: &Path) -> Result<serde_json::Value, ReportError> {
    let path = dir.join("manifest.json");
    if !path.is_file() {
        return Err(ReportError::NotResults { dir: dir.to_path_buf() });
    }
    let bytes = std::fs::read(&path).map_err(|e| ReportError::Read { path: path.clone(), message: e.to_string() })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| ReportError::Malformed {
        path: path.clone(),
        line: Some(e.line() as u64),
        message: e.to_string(),
    })?;
    if !value.is_object() {
        return Err(ReportError::Malformed { path, line: None, message: "expected a JSON object".into() });
    }
    Ok(value)
}

/// The manifest's `files` list, if it has one.
fn listed_files(manifest: &serde_json::Value) -> Option<Vec<String>> {
    let files = manifest.get("files")?.as_array()?;
    Some(files.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
}

/// Adds `name` to `dir/manifest.json`'s `files` list (if absent), keeping every other field as is.
pub(crate) fn list_in_manifest(dir: &Path, name: &str) -> Result<(), ReportError> {
    let path = dir.join("manifest.json");
    let mut manifest = read_manifest(dir)?;
    let files = manifest
        .as_object_mut()
        .and_then(|m| m.entry("files").or_insert_with(|| serde_json::Value::Array(Vec::new())).as_array_mut());
    let Some(files) = files else {
        return Err(ReportError::Malformed { path, line: None, message: "'files' should be a list".into() });
    };
    if files.iter().any(|f| f.as_str() == Some(name)) {
        return Ok(());
    }
    files.push(serde_json::Value::String(name.to_string()));
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| ReportError::Write { path: path.clone(), message: e.to_string() })?;
    write_atomic(&path, &json).map_err(|e| ReportError::Write { path, message: e.to_string() })
}

fn points_of(summary: &CsvTable) -> Result<(Vec<String>, Vec<Point>), ReportError> {
    let mut points: Vec<Point> = Vec::new();
    for row in summary.rows() {
        let index = row.index_value("point")?;
        if !points.iter().any(|p| p.index == index) {
            points.push(Point { index, values: row.params() });
        }
    }
    Ok((summary.param_names().to_vec(), points))
}

fn estimate(row: &Row, prefix: &str) -> Result<Estimate, ReportError> {
    Ok(Estimate {
        mean: row.number(&format!("{prefix}mean"))?,
        low: row.optional_number(&format!("{prefix}ci95_low"))?,
        high: row.optional_number(&format!("{prefix}ci95_high"))?,
    })
}

fn alternative(row: &Row, retailer: &str, channel: &str) -> Result<Alternative, ReportError> {
    Ok(Alternative { retailer: row.text(retailer)?.to_string(), channel: row.text(channel)?.to_string() })
}

fn weekly_records(t: &CsvTable) -> Result<Vec<Record>, ReportError> {
    t.require(&["point", "week", "retailer", "channel", "metric", "mean"])?;
    t.rows()
        .map(|row| {
            Ok(Record {
                point: row.index_value("point")?,
                week: Some(row.index_value("week")?),
                alt: alternative(&row, "retailer", "channel")?,
                metric: row.text("metric")?.to_string(),
                estimate: estimate(&row, "")?,
            })
        })
        .collect()
}

fn share_rows(records: Vec<Record>) -> Vec<Record> {
    records.into_iter().filter(|r| r.metric == "share").collect()
}

fn online_records(t: &CsvTable) -> Result<Vec<Record>, ReportError> {
    t.require(&["point", "week", "region", "mean"])?;
    t.rows()
        .map(|row| {
            Ok(Record {
                point: row.index_value("point")?,
                week: Some(row.index_value("week")?),
                alt: Alternative { retailer: row.text("region")?.to_string(), channel: String::new() },
                metric: "share".into(),
                estimate: estimate(&row, "")?,
            })
        })
        .collect()
}

/// `summary.csv` and `shifts.csv` share their shape: point, retailer, channel, metric, estimate.
fn summary_records(t: &CsvTable) -> Result<Vec<Record>, ReportError> {
    t.require(&["point", "retailer", "channel", "metric", "mean"])?;
    t.rows()
        .map(|row| {
            Ok(Record {
                point: row.index_value("point")?,
                week: None,
                alt: alternative(&row, "retailer", "channel")?,
                metric: row.text("metric")?.to_string(),
                estimate: estimate(&row, "")?,
            })
        })
        .collect()
}

fn switch_records(t: &CsvTable) -> Result<Vec<Switch>, ReportError> {
    t.require(&["point", "from_retailer", "from_channel", "to_retailer", "to_channel", "final_week_mean"])?;
    t.rows()
        .map(|row| {
            Ok(Switch {
                point: row.index_value("point")?,
                from: alternative(&row, "from_retailer", "from_channel")?,
                to: alternative(&row, "to_retailer", "to_channel")?,
                final_week: estimate(&row, "final_week_")?,
            })
        })
        .collect()
}
