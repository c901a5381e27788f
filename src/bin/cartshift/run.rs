//! `cartshift run`: load, simulate on a sized thread pool, write results, report.

use crate::cli::RunArgs;
use crate::progress;
use cartshift::Error;
use cartshift::engine::{self, RunResults};
use cartshift::output::{Manifest, write_run};
use cartshift::scenario::{LoadOptions, load};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(args: RunArgs) -> Result<(), Error> {
    let mut overrides = Vec::new();
    let simulation =
        [("replications", args.replications.map(u64::from)), ("households", args.households), ("seed", args.seed)];
    for (key, value) in simulation {
        if let Some(v) = value {
            overrides.push(format!("simulation.{key}={v}"));
        }
    }
    overrides.extend(args.overrides);
    let scenario = load(&args.scenario, &LoadOptions { overrides })?;
    let out = args.out.unwrap_or_else(|| PathBuf::from("results").join(folder_name(&scenario.name)));
    let threads =
        args.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), |t| t as usize);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool starts");

    let household_weeks = RunResults::household_weeks(&scenario);
    let bar = progress::bar(household_weeks, args.quiet);
    let started = Instant::now();
    let results = pool.install(|| engine::run(&scenario, &|n| bar.inc(n)));
    let wall = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let manifest = Manifest::new(&scenario, threads, wall, household_weeks);
    let rate = manifest.household_weeks_per_second;
    let files = write_run(&out, &scenario, &results, manifest, args.raw)?;
    if !args.quiet {
        println!(
            "{}: {} replications x {} households x {} weeks ({} warm-up)",
            scenario.name,
            scenario.simulation.replications,
            scenario.simulation.households,
            scenario.total_weeks(),
            scenario.simulation.warmup_weeks
        );
        println!(
            "simulated {household_weeks} household-weeks in {wall:.2} s on {threads} threads ({:.1} M/s)",
            rate / 1e6
        );
        println!("wrote {}: {}", out.display(), files.join(", "));
    }
    Ok(())
}

/// A scenario name as a folder name: anything but letters, digits, `-`, `_` and `.` becomes `_`.
fn folder_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}
