//! `cartshift bench`: the project's own benchmark — throughput per thread count and memory
//! per household, on one large replication of a real scenario, median of a few runs.

use crate::cli::BenchArgs;
use cartshift::engine::run_replication;
use cartshift::scenario::{LoadOptions, load};
use cartshift::{Error, ScenarioError};
use std::time::Instant;

pub fn bench(args: BenchArgs) -> Result<(), Error> {
    let overrides = vec![format!("simulation.households={}", args.households), "simulation.replications=1".into()];
    let s = load(&args.scenario, &LoadOptions { overrides })?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = if args.threads.is_empty() { vec![1, cores] } else { args.threads.clone() };
    if threads.contains(&0) {
        let message = "got 0, expected at least 1 thread".to_string();
        return Err(
            ScenarioError::Invalid { location: None, path: "--threads".into(), message, suggestion: None }.into()
        );
    }
    let household_weeks = s.simulation.households * s.total_weeks() as u64;
    println!(
        "bench {}: 1 replication x {} households x {} weeks ({} warm-up) = {:.1} M household-weeks; {} cores; median of {}",
        s.name,
        s.simulation.households,
        s.total_weeks(),
        s.simulation.warmup_weeks,
        household_weeks as f64 / 1e6,
        cores,
        args.repeat
    );
    let rss_before = memory_kib("VmRSS:");
    let mut first_rate = None;
    for &n in &threads {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("thread pool starts");
        let mut seconds: Vec<f64> = (0..args.repeat)
            .map(|_| {
                let started = Instant::now();
                pool.install(|| run_replication(&s, 0, &|_| {}));
                started.elapsed().as_secs_f64()
            })
            .collect();
        seconds.sort_by(f64::total_cmp);
        let median = seconds[seconds.len() / 2];
        let rate = household_weeks as f64 / median;
        let scaling = first_rate.map_or(String::new(), |r: f64| format!("  ({:.2}x the first)", rate / r));
        first_rate.get_or_insert(rate);
        println!(
            "  {n} thread{}: {median:.3} s  {:.2} M household-weeks/s  ({:.2} M per thread){scaling}",
            if n == 1 { " " } else { "s" },
            rate / 1e6,
            rate / 1e6 / n as f64
        );
    }
    if let (Some(before), Some(peak)) = (rss_before, memory_kib("VmHWM:")) {
        let bytes = (peak.saturating_sub(before)) as f64 * 1024.0;
        println!(
            "  peak memory: {:.1} MiB above the start = {:.1} bytes per simulated household",
            bytes / (1024.0 * 1024.0),
            bytes / s.simulation.households as f64
        );
    }
    Ok(())
}

/// A memory figure of this process from /proc/self/status, in KiB (Linux only).
fn memory_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
