//! Reading a finished sobol or morris sweep folder: its manifest, each point's parameter values
//! and, per headline (scenario, retailer, channel, metric), one output per point in point order.
//!
//! Headlines are every retailer's mean weekly `share` in `summary.csv` and, when the sweep is a
//! counterfactual, its `share` shift in `shifts.csv` (metric `share_shift`); a retailer with
//! several channels also gets channel `all`, the sum of its channels.

use super::SensitivityError;
use crate::output::Manifest;
use std::collections::HashMap;
use std::path::Path;

/// One output of the sweep, one value per point.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Scenario name.
    pub scenario: String,
    /// Retailer (or the outside option).
    pub retailer: String,
    /// Channel, or `all` for a retailer's channels summed.
    pub channel: String,
    /// `share`, or `share_shift` for the shift against the reference.
    pub metric: String,
    /// The value at each point.
    pub values: Vec<f64>,
}

/// What the analysis reads from a folder.
#[derive(Debug, Clone)]
pub struct SweepOutputs {
    /// The folder read.
    pub dir: std::path::PathBuf,
    /// The folder's manifest.
    pub manifest: Manifest,
    /// The swept paths, in column order.
    pub parameters: Vec<String>,
    /// `inputs[p][j]`: parameter j at point p.
    pub inputs: Vec<Vec<f64>>,
    /// Every headline found.
    pub headlines: Vec<Headline>,
}

/// Reads `dir`, which must hold a whole (not sharded) finished sweep.
pub fn read_outputs(dir: &Path) -> Result<SweepOutputs, SensitivityError> {
    let path = dir.join("manifest.json");
    let text =
        std::fs::read_to_string(&path).map_err(|source| SensitivityError::Read { path: path.clone(), source })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| SensitivityError::refused(&path, format!("not a manifest cartshift wrote: {e}")))?;
    let Some(sweep) = manifest.sweep.clone() else {
        return Err(SensitivityError::refused(
            &path,
            "not a sweep: run a scenario with a sobol or morris [sweep]".into(),
        ));
    };
    if let Some(shard) = manifest.shard {
        let message =
            format!("shard {}/{} of a sweep: join the shards with `cartshift merge` first", shard.index, shard.count);
        return Err(SensitivityError::refused(&path, message));
    }
    let mut table = Table {
        points: sweep.points,
        parameters: sweep.parameters.clone(),
        inputs: vec![None; sweep.points],
        ..Table::default()
    };
    table.read(&dir.join("summary.csv"), "share")?;
    let shifts = dir.join("shifts.csv");
    if shifts.exists() {
        table.read(&shifts, "share_shift")?;
    }
    let inputs = table.inputs.iter().enumerate().map(|(p, x)| {
        x.clone().ok_or_else(|| {
            SensitivityError::refused(
                &dir.join("summary.csv"),
                format!("no rows for point {p}: is the sweep finished?"),
            )
        })
    });
    let inputs = inputs.collect::<Result<Vec<_>, _>>()?;
    Ok(SweepOutputs {
        dir: dir.to_path_buf(),
        manifest,
        parameters: sweep.parameters,
        inputs,
        headlines: with_totals(table.headlines),
    })
}

/// Headlines being collected from one or two CSV files.
#[derive(Default)]
struct Table {
    points: usize,
    parameters: Vec<String>,
    inputs: Vec<Option<Vec<f64>>>,
    headlines: Vec<Headline>,
    index: HashMap<[String; 4], usize>,
}

impl Table {
    /// Reads the `share` rows of `path` as headlines with metric `metric`.
    fn read(&mut self, path: &Path, metric: &str) -> Result<(), SensitivityError> {
        let file =
            std::fs::File::open(path).map_err(|source| SensitivityError::Read { path: path.to_path_buf(), source })?;
        let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
        let header = reader.headers().map_err(|e| SensitivityError::refused(path, format!("not CSV: {e}")))?.clone();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| SensitivityError::refused(path, format!("no column {name}")))
        };
        let (point, retailer, channel, metric_col, mean) =
            (column("point")?, column("retailer")?, column("channel")?, column("metric")?, column("mean")?);
        let params: Vec<&str> = header.iter().skip(point + 1).take(retailer - point - 1).collect();
        if params != self.parameters {
            let message = format!("its parameter columns {params:?} are not the manifest's {:?}", self.parameters);
            return Err(SensitivityError::refused(path, message));
        }
        let mut filled = 0usize;
        for record in reader.records() {
            let record = record.map_err(|e| SensitivityError::refused(path, format!("not CSV: {e}")))?;
            if &record[metric_col] != "share" {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line());
            let cell = |c: usize, what: &str| SensitivityError::Cell {
                path: path.to_path_buf(),
                line,
                message: format!("{what} {:?} is not a number", &record[c]),
            };
            let p: usize = record[point].parse().map_err(|_| cell(point, "point"))?;
            if p >= self.points {
                return Err(SensitivityError::Cell {
                    path: path.to_path_buf(),
                    line,
                    message: format!("point {p} is beyond the sweep's {} points", self.points),
                });
            }
            if self.inputs[p].is_none() {
                let x = (point + 1..retailer).map(|c| record[c].parse::<f64>().map_err(|_| cell(c, &header[c])));
                self.inputs[p] = Some(x.collect::<Result<Vec<f64>, _>>()?);
            }
            let value: f64 = record[mean].parse().map_err(|_| cell(mean, "mean"))?;
            let key =
                [record[0].to_string(), record[retailer].to_string(), record[channel].to_string(), metric.to_string()];
            let h = *self.index.entry(key.clone()).or_insert_with(|| {
                let [scenario, retailer, channel, metric] = key;
                self.headlines.push(Headline {
                    scenario,
                    retailer,
                    channel,
                    metric,
                    values: vec![f64::NAN; self.points],
                });
                self.headlines.len() - 1
            });
            self.headlines[h].values[p] = value;
            filled += 1;
        }
        if let Some(h) = self.headlines.iter().find(|h| h.metric == metric && h.values.iter().any(|v| v.is_nan())) {
            let p = h.values.iter().position(|v| v.is_nan()).unwrap_or_default();
            let message = format!("no {metric} of {} {} at point {p}: is the sweep finished?", h.retailer, h.channel);
            return Err(SensitivityError::refused(path, message));
        }
        if filled == 0 {
            return Err(SensitivityError::refused(path, "no share rows".into()));
        }
        Ok(())
    }
}

/// The headlines, each retailer with several channels followed by channel `all` (their sum).
fn with_totals(headlines: Vec<Headline>) -> Vec<Headline> {
    let mut out: Vec<Headline> = Vec::with_capacity(headlines.len());
    for (i, h) in headlines.iter().enumerate() {
        out.push(h.clone());
        let same = |o: &Headline| o.scenario == h.scenario && o.retailer == h.retailer && o.metric == h.metric;
        let last_of_group = headlines.get(i + 1).is_none_or(|next| !same(next));
        let group: Vec<&Headline> = headlines.iter().filter(|o| same(o)).collect();
        if last_of_group && group.len() > 1 {
            let values = (0..h.values.len()).map(|p| group.iter().map(|g| g.values[p]).sum()).collect();
            out.push(Headline { channel: "all".into(), values, ..h.clone() });
        }
    }
    out
}
