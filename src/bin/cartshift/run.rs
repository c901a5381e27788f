//! `cartshift run` and `cartshift compare`: load, simulate on a sized thread pool, write, report.
//!
//! A sweep (or a run split into shards or resumed) goes through [`crate::sweep`]; a single
//! scenario, plain or against its reference, is simulated and written here.

use crate::cli::{CompareArgs, RunArgs, RunOptions, ShardArg};
use crate::error::CliError;
use crate::failure::Failure;
use crate::out_folder::OutFolder;
use crate::{interrupt, memory, progress};
use cartshift::Scenario;
use cartshift::engine::{self, RunResults, align_reference};
use cartshift::guard::{MemoryEstimate, TooLarge};
use cartshift::output::comparison::retailer_share_shifts;
use cartshift::output::{Manifest, ReferenceInfo, write_comparison, write_run};
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

pub fn run(args: RunArgs) -> Result<(), CliError> {
    let choice = match (args.no_reference, args.reference) {
        (true, _) => ReferenceChoice::Skip,
        (false, Some(file)) => ReferenceChoice::File(file),
        (false, None) => ReferenceChoice::Parent,
    };
    execute(&args.scenario, choice, args.options, SweepArgs { shard: args.shard, resume: args.resume })
}

pub fn compare(args: CompareArgs) -> Result<(), CliError> {
    execute(&args.scenario, ReferenceChoice::File(args.reference), args.options, SweepArgs::default())
}

/// `simulation.*` overrides from the flags and `--set`: they apply to both worlds.
fn simulation_overrides(o: &RunOptions) -> Vec<String> {
    let flags = [("replications", o.replications.map(u64::from)), ("households", o.households), ("seed", o.seed)];
    let mut out: Vec<String> = flags.iter().filter_map(|(key, v)| v.map(|v| format!("simulation.{key}={v}"))).collect();
    out.extend(o.overrides.iter().filter(|s| s.trim_start().starts_with("simulation.")).cloned());
    out
}

/// A sweep, or a run split into shards or resumed, goes through [`crate::sweep`]; a single
/// scenario runs here, against its reference when it has one.
fn execute(path: &Path, choice: ReferenceChoice, o: RunOptions, sweep_args: SweepArgs) -> Result<(), CliError> {
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
            ))
            .into());
        }
        _ if sweep.is_sweep() => None,
        ReferenceChoice::Parent => sweep.parent().map(Path::to_path_buf),
        ReferenceChoice::File(file) => Some(file),
        ReferenceChoice::Skip => None,
    };
    let split = sweep_args.shard.is_some() || sweep_args.resume;
    if split && reference_path.is_some() {
        let message = "--shard and --resume apply to runs without a reference: add --no-reference";
        return Err(Failure::Usage(message.into()).into());
    }
    if sweep.is_sweep() || split {
        return crate::sweep::run(&sweep, &o, sweep_args).map_err(CliError::from);
    }
    let scenario = sweep.scenario(0)?;
    let crn = !o.no_crn;
    let reference = match reference_path {
        None => None,
        Some(file) => {
            let mut r = load(&file, &LoadOptions { overrides: shared })?;
            align_reference(&mut r, &scenario, crn);
            Some(r)
        }
    };
    let out = o.out.clone().unwrap_or_else(|| PathBuf::from("results").join(folder_name(&scenario.name)));
    let threads = o.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize);
    if let (false, Some(available)) = (o.force, memory::available_bytes()) {
        MemoryEstimate::new(&scenario, reference.as_ref(), threads, o.raw)
            .check(available)
            .map_err(cartshift::Error::from)?;
    }
    let folder = OutFolder::prepare(&out, o.force)?;
    interrupt::hold(cartshift::output::FolderLock::acquire(&out).map_err(Failure::from)?);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool starts");
    let worlds = if reference.is_some() { 2 } else { 1 };
    let household_weeks = worlds * RunResults::household_weeks(&scenario);
    let bar = progress::Progress::new(household_weeks, scenario.simulation.replications, o.quiet);
    let started = Instant::now();
    let outcome = match &reference {
        None => Outcome::Plain(pool.install(|| engine::run(&scenario, &|n| bar.advance(n)))),
        Some(r) => Outcome::Compared(pool.install(|| engine::compare(&scenario, r, crn, &|n| bar.advance(n)))),
    };
    let wall = started.elapsed().as_secs_f64();
    bar.finish();

    let mut manifest = Manifest::new(&scenario, threads, wall, household_weeks);
    let written = interrupt::while_writing(|| match (&outcome, &reference) {
        (Outcome::Compared(c), Some(r)) => {
            manifest.reference = Some(ReferenceInfo {
                scenario: r.name.clone(),
                scenario_hash: r.hash.clone(),
                common_random_numbers: crn,
            });
            write_comparison(&out, &scenario, r, c, manifest.clone(), o.raw)
        }
        (Outcome::Plain(results), _) => write_run(&out, &scenario, results, manifest.clone(), o.raw),
        (Outcome::Compared(_), None) => unreachable!("a comparison has a reference"),
    });
    let files = written.inspect_err(|_| folder.discard())?;
    folder.remove_stale(&files);
    if !o.quiet {
        report(&scenario, &manifest, &out, &files);
        if let (Outcome::Compared(c), Some(r)) = (&outcome, &reference) {
            report_shifts(&scenario, r, c);
        }
    }
    if o.report {
        crate::report::write(&out, o.quiet)?;
    }
    Ok(())
}

/// What to do about a run refused by the resource guard, in terms of flags.
pub fn too_large_hint(e: &TooLarge) -> String {
    if e.largest_households == 0 {
        "hint: lower --replications or simulation.weeks, or pass --force to run anyway".into()
    } else {
        format!("hint: the largest --households that fits is {}; or pass --force to run anyway", e.largest_households)
    }
}

enum Outcome {
    Plain(RunResults),
    Compared(engine::ComparisonResults),
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
