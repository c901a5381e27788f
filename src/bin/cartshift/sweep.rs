//! A run without a reference, plain or swept: its shard, folder, pool, progress bar and report.

use crate::cli::{RunOptions, ShardArg};
use crate::failure::Failure;
use crate::progress::SweepProgress;
use crate::run::{SweepArgs, default_folder, report, thread_pool};
use cartshift::Scenario;
use cartshift::output::Manifest;
use cartshift::scenario::Sweep;
use cartshift::sweep::{Shard, SweepOptions, SweepOutcome, run_sweep};

pub fn run(sweep: &Sweep, o: &RunOptions, args: SweepArgs) -> Result<(), Failure> {
    let shard = match args.shard {
        None => None,
        Some(ShardArg::Fixed(shard)) => Some(shard),
        Some(ShardArg::Auto) => Some(Shard::from_scheduler(|name| std::env::var(name).ok())?),
    };
    let first = sweep.scenario(0)?;
    let out = o.out.clone().unwrap_or_else(|| {
        let whole = default_folder(&first.name);
        shard.map_or(whole.clone(), |s| whole.join(format!("shard-{}-of-{}", s.index, s.count)))
    });
    let (pool, _) = thread_pool(o.threads);
    let mut options = SweepOptions::new(&out);
    (options.shard, options.raw, options.resume) = (shard, o.raw, args.resume);
    options.fail_write_after = crate::faults::fail_write_after()?;
    let progress = SweepProgress::new(o.quiet, sweep.is_sweep());
    let outcome = run_sweep(sweep, &options, &pool, &progress);
    progress.finish();
    match outcome? {
        _ if o.quiet => {}
        SweepOutcome::AlreadyComplete { .. } => {
            println!("{}: already complete, nothing to resume", out.display());
        }
        SweepOutcome::Finished { manifest, files, .. } if !sweep.is_sweep() => report(&first, &manifest, &out, &files),
        SweepOutcome::Finished { manifest, files, points } => {
            report_sweep(sweep, &first, &manifest, points);
            println!("wrote {}: {}", out.display(), files.join(", "));
        }
    }
    Ok(())
}

fn report_sweep(sweep: &Sweep, first: &Scenario, manifest: &Manifest, points: usize) {
    let sim = &first.simulation;
    println!(
        "{}: {} sweep of {} points over {} ({} replications x {} households x {} weeks, {} warm-up, at point 0)",
        first.name,
        sweep.design().name(),
        sweep.points(),
        sweep.parameters().join(", "),
        sim.replications,
        sim.households,
        first.total_weeks(),
        sim.warmup_weeks
    );
    if let Some(s) = manifest.shard {
        let last = (s.first_point + s.points).saturating_sub(1);
        println!("shard {}/{}: points {} to {last}", s.index, s.count, s.first_point);
    }
    let wall = manifest.wall_seconds;
    let rate = |n: f64| if wall > 0.0 { n / wall } else { 0.0 };
    println!(
        "simulated {points} points, {} household-weeks in {wall:.2} s on {} threads ({:.1} points/s, {:.1} M household-weeks/s)",
        (manifest.household_weeks_per_second * wall).round(),
        manifest.threads,
        rate(points as f64),
        manifest.household_weeks_per_second / 1e6
    );
}
