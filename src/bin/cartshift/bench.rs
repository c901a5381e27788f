//! `cartshift bench`: the project's own benchmark. It prints every figure the performance
//! targets are stated in — household-weeks per second on one thread and on all threads (and
//! their ratio), bytes per household, the same throughput on a frozen copy of an earlier
//! baseline (so a speed-up stays measurable after the shipped baseline grows), a whole-country
//! estimate, and sweep points per second — each the median of a few timed runs.

use crate::cli::BenchArgs;
use crate::error::CliError;
use cartshift::Scenario;
use cartshift::engine::population::populate;
use cartshift::engine::run_replication;
use cartshift::pipeline::{self, Observer, Overrides, ReferenceChoice, load_plan};
use cartshift::scenario::{LoadOptions, load};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

/// Every US household (FRED TTLHH, 2018): the whole-country run of the targets.
const WHOLE_COUNTRY: u64 = 127_600_000;

pub fn bench(args: BenchArgs) -> Result<(), CliError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = if args.threads.is_empty() { vec![1, cores] } else { args.threads.clone() };
    if threads.contains(&0) {
        return Err(CliError::Usage("--threads: got 0, expected at least 1 thread".into()));
    }
    println!("machine: {cores} cores; load average {} at the start; medians of {}", load_average(), args.repeat);
    let s = scenario(&args.scenario, args.households)?;
    let peak = peak_kib(&s, *threads.last().unwrap_or(&1));
    let rates = throughput(&s, &args.scenario, &threads, args.repeat);
    let one = rates.first().copied().unwrap_or(f64::NAN);
    if let Some(&all) = rates.last().filter(|_| rates.len() > 1) {
        let minutes = (WHOLE_COUNTRY * s.total_weeks() as u64) as f64 / all / 60.0;
        println!(
            "  whole country ({WHOLE_COUNTRY} households, {} weeks) at the {}-thread rate: ~{minutes:.1} min \
             (an extrapolation; time it with `cartshift run {} --households {WHOLE_COUNTRY} --replications 1`)",
            s.total_weeks(),
            threads.last().unwrap_or(&1),
            args.scenario.display()
        );
    }
    memory(&s, peak);
    if let Some(fixture) = args.fixture.as_deref().filter(|f| !f.exists()) {
        println!("fixture {}: not found, skipped", fixture.display());
    }
    if let Some(fixture) = args.fixture.as_deref().filter(|f| f.exists()) {
        let old = scenario(fixture, args.households)?;
        let rate = throughput(&old, fixture, &[1], args.repeat)[0];
        println!(
            "  shipped baseline / fixture, 1 thread: {:.2}x;  fixture / the {:.1} M/s recorded before (--before): {:.2}x",
            one / rate,
            args.before,
            rate / 1e6 / args.before
        );
    }
    if let Some(sweep) = args.sweep.as_deref().filter(|_| !args.no_sweep) {
        sweep_rate(sweep, *threads.last().unwrap_or(&1), args.repeat)?;
    }
    println!("load average {} at the end", load_average());
    Ok(())
}

/// `path` with one replication of `households` households.
fn scenario(path: &Path, households: u64) -> Result<Scenario, CliError> {
    let overrides = vec![format!("simulation.households={households}"), "simulation.replications=1".into()];
    Ok(load(path, &LoadOptions { overrides })?)
}

/// Times one replication of `s` on each thread count; prints and returns the median rates.
fn throughput(s: &Scenario, path: &Path, threads: &[usize], repeat: u32) -> Vec<f64> {
    let household_weeks = s.simulation.households * s.total_weeks() as u64;
    println!(
        "{} ({}): 1 replication x {} households x {} weeks ({} warm-up), {} retailers = {:.1} M household-weeks",
        s.name,
        path.display(),
        s.simulation.households,
        s.total_weeks(),
        s.simulation.warmup_weeks,
        s.retailers.len(),
        household_weeks as f64 / 1e6
    );
    let mut rates = Vec::new();
    for &n in threads {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool starts");
        let median =
            median_seconds(repeat, || pool.install(|| drop(run_replication(s, 0, &|_| ControlFlow::Continue(())))));
        let rate = household_weeks as f64 / median;
        let scaling = rates.first().map_or(String::new(), |r: &f64| format!("  = {:.2}x one thread", rate / r));
        println!(
            "  {n} thread{}: {median:.3} s  {:.2} M household-weeks/s  ({:.2} M per thread){scaling}",
            if n == 1 { " " } else { "s" },
            rate / 1e6,
            rate / 1e6 / n as f64
        );
        rates.push(rate);
    }
    rates
}

/// The median wall time of `repeat` calls of `f`, in seconds.
fn median_seconds(repeat: u32, mut f: impl FnMut()) -> f64 {
    let mut seconds: Vec<f64> = (0..repeat)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64()
        })
        .collect();
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

/// The process's peak memory above where it stood, in KiB, over one untimed replication of `s`
/// on `threads` threads, run before any timed one: later runs would start with memory that
/// earlier runs freed but the allocator keeps per thread, and count it again.
fn peak_kib(s: &Scenario, threads: usize) -> Option<u64> {
    let before = memory_kib("VmRSS:")?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool starts");
    pool.install(|| drop(run_replication(s, 0, &|_| ControlFlow::Continue(()))));
    Some(memory_kib("VmHWM:")?.saturating_sub(before))
}

/// Bytes per household: what the households' state takes (the blocks' arrays, which grow with
/// the households), and the process's peak over a replication above where it started
/// ([`peak_kib`]; it also holds a fixed overhead: tables, tallies, thread stacks).
fn memory(s: &Scenario, peak: Option<u64>) {
    let blocks = populate(s, 0);
    let state: usize = blocks.iter().map(|b| b.heap_bytes()).sum();
    let n = s.simulation.households as f64;
    print!("  memory: households' state {:.1} bytes per household", state as f64 / n);
    if let Some(peak) = peak {
        let bytes = peak as f64 * 1024.0;
        print!("; peak {:.1} MiB above the start = {:.1} bytes per household", bytes / 1048576.0, bytes / n);
    }
    println!();
}

/// Times a whole sweep at its shipped size through the run pipeline (into a temporary folder,
/// removed afterwards) and prints points per second.
fn sweep_rate(path: &Path, threads: usize, repeat: u32) -> Result<(), CliError> {
    let plan = load_plan(path, ReferenceChoice::Default, &Overrides::default())?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool starts");
    let dir = std::env::temp_dir().join(format!("cartshift-bench-{}", std::process::id()));
    let mut failure = None;
    let median = median_seconds(repeat, || {
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = pipeline::execute(&plan, &pipeline::RunOptions::new(&dir), &pool, &Quiet) {
            failure = Some(e);
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(e) = failure {
        return Err(e.into());
    }
    let first = plan.worlds(0)?;
    println!(
        "sweep {}: {} points x {} replications x {} households, {threads} threads: {median:.2} s = {:.1} points/s",
        path.display(),
        plan.points(),
        first.scenario.simulation.replications,
        first.scenario.simulation.households,
        plan.points() as f64 / median
    );
    Ok(())
}

/// Watches a run and says nothing.
struct Quiet;

impl Observer for Quiet {}

/// The 1-minute load average, from /proc/loadavg (Linux only; "?" elsewhere).
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("?").to_string()
}

/// A memory figure of this process from /proc/self/status, in KiB (Linux only).
fn memory_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
