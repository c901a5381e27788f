//! `cartshift run` and `cartshift compare`: load, simulate on a sized thread pool, write, report.
//!
//! A run without a reference, plain or swept, goes through [`crate::sweep`]; a comparison with a
//! reference is simulated in lockstep here and written at once.

use crate::cli::{CompareArgs, RunArgs, RunOptions, ShardArg};
use crate::failure::Failure;
use crate::progress;
use cartshift::Scenario;
use cartshift::engine::{self, RunResults, align_reference};
use cartshift::output::comparison::retailer_share_shifts;
use cartshift::output::{Manifest, ReferenceInfo, write_comparison};
use cartshift::scenario::{LoadOptions, load, load_sweep};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which reference a run compares with.
enum ReferenceChoice {
    /// The file the scenario `extends`, if any.
    Parent,
    /// A named file.
    File(PathBuf),
    /// None.
    Skip,
}

/// How a run without a reference is split and continued.
#[derive(Debug, Clone, Copy, Default)]
pub struct SweepArgs {
    /// `--shard`.
    pub shard: Option<ShardArg>,
    /// `--resume`.
    pub resume: bool,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let choice = match (args.no_reference, args.reference) {
        (true, _) => ReferenceChoice::Skip,
        (false, Some(file)) => ReferenceChoice::File(file),
        (false, None) => ReferenceChoice::Parent,
    };
    execute(&args.scenario, choice, args.options, SweepArgs { shard: args.shard, resume: args.resume })
}

pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    execute(&args.scenario, ReferenceChoice::File(args.reference), args.options, SweepArgs::default())
}

/// `simulation.*` overrides from the flags and `--set`: they apply to both worlds.
fn simulation_overrides(o: &RunOptions) -> Vec<String> {
    let flags = [("replications", o.replications.map(u64::from)), ("households", o.households), ("seed", o.seed)];
    let mut out: Vec<String> = flags.iter().filter_map(|(key, v)| v.map(|v| format!("simulation.{key}={v}"))).collect();
    out.extend(o.overrides.iter().filter(|s| s.trim_start().starts_with("simulation.")).cloned());
    out
}

fn execute(path: &Path, choice: ReferenceChoice, o: RunOptions, sweep_args: SweepArgs) -> Result<(), Failure> {
    let shared = simulation_overrides(&o);
    let mut overrides = shared.clone();
    overrides.extend(o.overrides.iter().filter(|s| !s.trim_start().starts_with("simulation.")).cloned());
    let sweep = load_sweep(path, &LoadOptions { overrides })?;
    let reference_path = match choice {
        ReferenceChoice::File(_) if sweep.is_sweep() => {
            return Err(Failure::Usage(format!(
                "{} is a sweep, and a sweep runs without a reference (each point is a plain run): \
                 it cannot be compared with another scenario",
                path.display()
            )));
        }
        _ if sweep.is_sweep() => None,
        ReferenceChoice::Parent => sweep.parent().map(Path::to_path_buf),
        ReferenceChoice::File(file) => Some(file),
        ReferenceChoice::Skip => None,
    };
    let Some(reference_path) = reference_path else {
        return crate::sweep::run(&sweep, &o, sweep_args);
    };
    if sweep_args.shard.is_some() || sweep_args.resume {
        return Err(Failure::Usage(
            "--shard and --resume apply to runs without a reference: add --no-reference".into(),
        ));
    }
    let scenario = sweep.scenario(0)?;
    let crn = !o.no_crn;
    let mut reference = load(&reference_path, &LoadOptions { overrides: shared })?;
    align_reference(&mut reference, &scenario, crn);
    compare_worlds(&scenario, &reference, &o)
}

/// Simulates a scenario and its reference in lockstep and writes the comparison.
fn compare_worlds(scenario: &Scenario, r: &Scenario, o: &RunOptions) -> Result<(), Failure> {
    let crn = !o.no_crn;
    let out = o.out.clone().unwrap_or_else(|| default_folder(&scenario.name));
    let (pool, threads) = thread_pool(o.threads);
    let household_weeks = 2 * RunResults::household_weeks(scenario);
    let bar = progress::bar(household_weeks, o.quiet);
    let started = Instant::now();
    let compared = pool.install(|| engine::compare(scenario, r, crn, &|n| bar.inc(n)));
    let wall = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let mut manifest = Manifest::new(scenario, threads, wall, household_weeks);
    manifest.reference =
        Some(ReferenceInfo { scenario: r.name.clone(), scenario_hash: r.hash.clone(), common_random_numbers: crn });
    let files = write_comparison(&out, scenario, r, &compared, manifest.clone(), o.raw)?;
    if !o.quiet {
        report(scenario, &manifest, &out, &files);
        report_shifts(scenario, r, &compared);
    }
    Ok(())
}

/// A pool of `--threads` workers (default: all cores) and its size.
pub(crate) fn thread_pool(threads: Option<u32>) -> (rayon::ThreadPool, usize) {
    let threads = threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool starts");
    (pool, threads)
}

/// `results/<scenario name>/`.
pub(crate) fn default_folder(name: &str) -> PathBuf {
    PathBuf::from("results").join(folder_name(name))
}

pub(crate) fn report(s: &Scenario, manifest: &Manifest, out: &Path, files: &[String]) {
    let sim = &s.simulation;
    println!(
        "{}: {} replications x {} households x {} weeks ({} warm-up)",
        s.name,
        sim.replications,
        sim.households,
        s.total_weeks(),
        sim.warmup_weeks
    );
    println!(
        "simulated {} household-weeks in {:.2} s on {} threads ({:.1} M/s)",
        (manifest.household_weeks_per_second * manifest.wall_seconds).round(),
        manifest.wall_seconds,
        manifest.threads,
        manifest.household_weeks_per_second / 1e6
    );
    println!("wrote {}: {}", out.display(), files.join(", "));
}

/// The headline: each retailer's mean weekly trip share, scenario minus reference.
fn report_shifts(s: &Scenario, r: &Scenario, c: &engine::ComparisonResults) {
    println!("\nshift in mean weekly trip share against {} (percentage points, paired 95% CI):", r.name);
    for (name, summary) in retailer_share_shifts(s, r, c) {
        let ci = summary.ci95.map_or(String::new(), |(lo, hi)| format!("  [{:+.3}, {:+.3}]", lo * 100.0, hi * 100.0));
        println!("  {name:<24} {:+.3}{ci}", summary.mean * 100.0);
    }
}

/// A scenario name as a folder name: anything but letters, digits, `-`, `_` and `.` becomes `_`.
fn folder_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}
