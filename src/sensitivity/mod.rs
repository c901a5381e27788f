//! Global sensitivity analysis of a finished sobol or morris sweep (`cartshift sensitivity`):
//! which swept assumptions drive each retailer's share, and its shift in a counterfactual.
//!
//! [`read_outputs`] reads the folder, [`analyze`] computes Sobol' indices (S1, ST, S2) or Morris
//! measures (mu_star, sigma, mu) per headline with bootstrap intervals, [`sensitivity_csv`]
//! renders `sensitivity.csv`, and [`top_drivers`] ranks the parameters of each headline. The
//! estimators are SALib's, so its `analyze` functions give the same estimates on the same CSV.

mod bootstrap;
pub mod input;
pub mod morris;
pub mod sobol;

pub use bootstrap::Resamples;
pub use input::{Headline, SweepOutputs, read_outputs};

use crate::output::SensitivityDesign;
use sobol::{Estimate, Saltelli};
use std::path::{Path, PathBuf};

/// Header of `sensitivity.csv`.
pub const SENSITIVITY_HEADER: &str = "scenario,retailer,channel,metric,parameter,index,estimate,ci95_low,ci95_high";

/// Bootstrap resamples by default.
pub const DEFAULT_RESAMPLES: usize = 1000;

/// A folder that cannot be analysed.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// A file cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not what a finished sobol or morris sweep writes.
    #[error("{}: {message}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A bad row or cell.
    #[error("{}:{line}: {message}", path.display())]
    Cell {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// `sensitivity.csv` cannot be written.
    #[error(transparent)]
    Write(#[from] crate::output::FolderError),
}

impl SensitivityError {
    fn refused(path: &Path, message: String) -> SensitivityError {
        SensitivityError::Refused { path: path.to_path_buf(), message }
    }

    /// True for bad input (exit code 2), false for a failure to write.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, SensitivityError::Write(_))
    }
}

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// The headline it belongs to.
    pub scenario: String,
    /// Retailer.
    pub retailer: String,
    /// Channel (or `all`).
    pub channel: String,
    /// `share` or `share_shift`.
    pub metric: String,
    /// The swept path, or `a * b` for a second-order pair.
    pub parameter: String,
    /// S1, ST, S2, mu_star, sigma or mu.
    pub index: &'static str,
    /// The estimate and its 95% interval.
    pub value: Estimate,
}

/// Every index of every headline of `outputs`, bootstrapped with `resamples` resamples seeded
/// by the sweep's seed.
pub fn analyze(outputs: &SweepOutputs, resamples: usize) -> Result<Vec<IndexRow>, SensitivityError> {
    let manifest = &outputs.manifest;
    let sweep = manifest.sweep.as_ref().expect("read_outputs checked it is a sweep");
    let refused = |message: String| SensitivityError::Refused { path: outputs.dir.join("manifest.json"), message };
    let Some(design) = sweep.sensitivity else {
        let message =
            format!("a {} sweep has no sensitivity indices: use design = \"sobol\" or \"morris\"", sweep.design);
        return Err(refused(message));
    };
    let d = outputs.parameters.len();
    let mut rows = Vec::new();
    match design {
        SensitivityDesign::Sobol { samples, second_order } => {
            let draws = Resamples::new(samples, resamples, manifest.seed);
            for h in &outputs.headlines {
                let saltelli = Saltelli::new(&h.values, d, second_order)
                    .ok_or_else(|| refused(format!("{} points are not {samples} Saltelli blocks", h.values.len())))?;
                sobol_rows(&mut rows, h, &outputs.parameters, &saltelli.indices(&draws));
            }
        }
        SensitivityDesign::Morris { trajectories, levels } => {
            let draws = Resamples::new(trajectories, resamples, manifest.seed);
            for h in &outputs.headlines {
                let effects = morris::elementary_effects(&outputs.inputs, &h.values, levels)
                    .map_err(|m| refused(format!("not a morris design's points: {m}")))?;
                for (parameter, m) in outputs.parameters.iter().zip(morris::measures(&effects, &draws)) {
                    for (index, value) in [("mu_star", m.mu_star), ("sigma", m.sigma), ("mu", m.mu)] {
                        rows.push(row(h, parameter.clone(), index, value));
                    }
                }
            }
        }
    }
    Ok(rows)
}

fn sobol_rows(rows: &mut Vec<IndexRow>, h: &Headline, parameters: &[String], s: &sobol::SobolIndices) {
    for (j, parameter) in parameters.iter().enumerate() {
        rows.push(row(h, parameter.clone(), "S1", s.first[j]));
        rows.push(row(h, parameter.clone(), "ST", s.total[j]));
    }
    for ((j, k), value) in &s.second {
        rows.push(row(h, format!("{} * {}", parameters[*j], parameters[*k]), "S2", *value));
    }
}

fn row(h: &Headline, parameter: String, index: &'static str, value: Estimate) -> IndexRow {
    IndexRow {
        scenario: h.scenario.clone(),
        retailer: h.retailer.clone(),
        channel: h.channel.clone(),
        metric: h.metric.clone(),
        parameter,
        index,
        value,
    }
}

/// `sensitivity.csv`'s bytes.
pub fn sensitivity_csv(rows: &[IndexRow]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(SENSITIVITY_HEADER.split(',')).expect("writing to memory");
    for r in rows {
        let numbers = [r.value.estimate, r.value.low, r.value.high].map(|v| v.to_string());
        let text = [&r.scenario, &r.retailer, &r.channel, &r.metric, &r.parameter, r.index];
        writer
            .write_record(text.iter().map(|s| s.as_bytes()).chain(numbers.iter().map(|s| s.as_bytes())))
            .expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// Writes `dir/sensitivity.csv` whole or not at all.
pub fn write_sensitivity(dir: &Path, rows: &[IndexRow]) -> Result<PathBuf, SensitivityError> {
    let path = dir.join("sensitivity.csv");
    crate::output::write_atomic(&path, &sensitivity_csv(rows))?;
    Ok(path)
}

/// The headline a row belongs to: (scenario, retailer, channel, metric).
pub type HeadlineKey = (String, String, String, String);

/// For each headline, in order, its `k` largest rows of the ranking index (ST for Sobol',
/// mu_star for Morris), largest first.
pub fn top_drivers(rows: &[IndexRow], k: usize) -> Vec<(HeadlineKey, Vec<&IndexRow>)> {
    let mut out: Vec<(HeadlineKey, Vec<&IndexRow>)> = Vec::new();
    for r in rows.iter().filter(|r| r.index == "ST" || r.index == "mu_star") {
        let key = (r.scenario.clone(), r.retailer.clone(), r.channel.clone(), r.metric.clone());
        match out.last_mut() {
            Some((last, list)) if *last == key => list.push(r),
            _ => out.push((key, vec![r])),
        }
    }
    for (_, list) in &mut out {
        list.sort_by(|a, b| b.value.estimate.total_cmp(&a.value.estimate));
        list.truncate(k);
    }
    out
}
