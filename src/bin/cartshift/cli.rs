//! The command line as typed: clap declarations only.

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// cartshift: simulate grocery e-commerce competition scenarios and write CSV results.
#[derive(Debug, Parser)]
#[command(name = "cartshift", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write weekly.csv, online.csv, summary.csv and manifest.json; a scenario
    /// that `extends` another is also compared with it (shifts.csv, switching.csv, reference/).
    Run(RunArgs),
    /// Run any two scenarios as scenario and reference, household by household.
    Compare(CompareArgs),
    /// Check scenario files without running them.
    Validate(ValidateArgs),
    /// Fit retailers' quality so simulated shares match the scenario's [calibration] targets.
    Calibrate(CalibrateArgs),
    /// Measure household-weeks per second on 1 thread and on all threads, memory per household,
    /// a frozen earlier baseline and a sweep's points per second.
    Bench(BenchArgs),
    /// Write OUT_DIR/report.html: charts and tables of a results folder, in one self-contained file.
    Report(ReportArgs),
    /// Join the folders of a sharded sweep (`run --shard K/N`) into the files one whole run writes.
    Merge(MergeArgs),
    /// Sobol' indices or Morris measures of a finished sobol or morris sweep: sensitivity.csv.
    Sensitivity(SensitivityArgs),
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The folder of a finished sobol or morris sweep (merged, if it was sharded).
    #[arg(value_name = "OUT_DIR")]
    pub dir: std::path::PathBuf,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub resamples: u64,
    /// Drivers printed per headline.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub top: usize,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Compare with this scenario instead of the one `extends` names.
    #[arg(long, value_name = "FILE", conflicts_with = "no_reference")]
    pub reference: Option<PathBuf>,
    /// Do not simulate the reference of a scenario that `extends` another.
    #[arg(long)]
    pub no_reference: bool,
    /// Run only shard K of N of the points (K from 1) into its own folder; `auto` reads it from a
    /// Slurm array job or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, CARTSHIFT_SHARD_COUNT).
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<ShardArg>,
    /// Continue an interrupted run in the output folder, keeping the points it finished.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub options: RunOptions,
}

/// `--shard`: a fixed share, or the scheduler's.
#[derive(Debug, Clone, Copy)]
pub enum ShardArg {
    Auto,
    Fixed(cartshift::sweep::Shard),
}

impl std::str::FromStr for ShardArg {
    type Err = cartshift::sweep::ShardError;

    fn from_str(text: &str) -> Result<ShardArg, Self::Err> {
        if text.trim() == "auto" { Ok(ShardArg::Auto) } else { text.parse().map(ShardArg::Fixed) }
    }
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The reference scenario it is compared with.
    pub reference: PathBuf,
    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Debug, Args)]
pub struct RunOptions {
    /// Output folder [default: results/<scenario name>/].
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replications (overrides simulation.replications).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub replications: Option<u32>,
    /// Simulated households (overrides simulation.households).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=i64::MAX as u64))]
    pub households: Option<u64>,
    /// Root random seed (overrides simulation.seed).
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Override a value: dotted path, arrays of tables by name (retailer.Kroger.price_index=0.97).
    /// `simulation.*` overrides apply to the reference too; others only to the scenario.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
    /// Run the reference on independent random streams instead of common random numbers
    /// (wider intervals; no switching.csv).
    #[arg(long)]
    pub no_crn: bool,
    /// Run each point until the 95% interval half-width of every retailer's mean weekly share
    /// (in a comparison: of every share shift) is at most this many percentage points, e.g.
    /// `0.05pp`; replications run in batches of --min-replications up to --max-replications.
    #[arg(long, value_name = "PP", value_parser = parse_pp)]
    pub precision: Option<f64>,
    /// With --precision: replications to start with, and the size of each further batch.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..))]
    pub min_replications: u32,
    /// With --precision: replications at most per point.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(2..))]
    pub max_replications: u32,
    /// Also write replications.csv with every replication's values.
    #[arg(long)]
    pub raw: bool,
    /// File format of the tables: csv, parquet (typed columns, zstd) or both.
    #[arg(long, value_name = "FORMAT", default_value = "csv", value_parser = clap::builder::PossibleValuesParser::new(["csv", "parquet", "both"]).map(|s| s.parse::<cartshift::output::Format>().expect("a possible value")))]
    pub format: cartshift::output::Format,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also write report.html (charts and tables) into the output folder.
    #[arg(long)]
    pub report: bool,
    /// Write into an output folder that holds files cartshift did not write (they are left alone;
    /// only cartshift's own file names are overwritten), and run even if the memory estimate
    /// exceeds the memory available.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Overrides to check along with the files.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The scenario file (TOML) with a [calibration] table.
    pub scenario: PathBuf,
    /// Where to write the calibrated scenario [default: <scenario>.calibrated.toml beside it].
    #[arg(short, long, value_name = "FILE", conflicts_with = "in_place")]
    pub out: Option<PathBuf>,
    /// Write the fitted values into the scenario file itself.
    #[arg(long)]
    pub in_place: bool,
    /// Largest accepted miss per target, in percentage points.
    #[arg(long, value_name = "PP", default_value_t = 0.1)]
    pub tolerance_pp: f64,
    /// Give up after this many simulation runs.
    #[arg(long, value_name = "N", default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_iterations: u32,
    /// Replications per iteration (overrides simulation.replications).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub replications: Option<u32>,
    /// Simulated households (overrides simulation.households).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub households: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Override a value before calibrating (PATH=VALUE).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folder for the joined files.
    pub out: PathBuf,
    /// Every shard folder of the run, in any order.
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results folder written by `cartshift run` (it holds manifest.json).
    #[arg(value_name = "OUT_DIR")]
    pub dir: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The scenario to time.
    #[arg(default_value = "scenarios/baseline_2018.toml")]
    pub scenario: PathBuf,
    /// Simulated households in the single timed replication.
    #[arg(long, value_name = "N", default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub households: u64,
    /// Timed runs per thread count; the median is reported.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    /// Thread counts to time [default: 1 and all cores].
    #[arg(long, value_name = "N", value_delimiter = ',')]
    pub threads: Vec<usize>,
    /// A frozen earlier baseline, timed on one thread beside the scenario (skipped if missing).
    #[arg(long, value_name = "FILE", default_value = "benches/fixtures/baseline_2018_session2.toml")]
    pub fixture: Option<PathBuf>,
    /// The fixture's one-thread rate recorded before the current work, M household-weeks/s.
    #[arg(long, value_name = "M_PER_S", default_value_t = 12.6)]
    pub before: f64,
    /// A sweep timed at its shipped size on all the threads, in points per second.
    #[arg(long, value_name = "FILE", default_value = "scenarios/sweeps/uncertainty_lhs.toml")]
    pub sweep: Option<PathBuf>,
    /// Skip the sweep.
    #[arg(long)]
    pub no_sweep: bool,
}

/// `0.05pp` or `0.05`: percentage points of trip share, positive and finite.
fn parse_pp(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches("pp").trim();
    match number.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("expected percentage points such as 0.05pp, got '{text}'")),
    }
}
