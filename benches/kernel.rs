//! Criterion benchmarks of the hot path: the household-week kernel over one block (plain logit
//! on the shipped baseline, and with format nests), one week at 1 M households, and a whole
//! small run. All seeded; throughput in household-weeks.

use cartshift::engine::kernel::{Tally, WeekInputs, simulate_block};
use cartshift::engine::population::populate;
use cartshift::engine::week_tables::WeekTables;
use cartshift::engine::{self, run_replication};
use cartshift::rng::{Purpose, stream};
use cartshift::scenario::{LoadOptions, load};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::ops::ControlFlow;
use std::path::Path;

/// The shipped national baseline.
const BASELINE: &str = "scenarios/baseline_2018.toml";
/// The frozen session-2 baseline with its retailers in format nests (λ < 1).
const NESTED: &str = "benches/fixtures/nested_2018.toml";

fn scenario(file: &str, overrides: &[&str]) -> cartshift::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let options = LoadOptions { overrides: overrides.iter().map(|s| s.to_string()).collect() };
    load(&path, &options).expect("scenario loads")
}

/// One block of 1,024 households, a new week's draws each iteration, loyalty carried over.
fn block(c: &mut Criterion, name: &str, file: &str) {
    let s = scenario(file, &["simulation.households=1024"]);
    let mut blocks = populate(&s, 0);
    let states: Vec<_> = s.retailers.iter().map(|r| r.initial.clone()).collect();
    let tables = WeekTables::new(&s, &states);
    let fractions = vec![0.2; s.regions.len()];
    let mut group = c.benchmark_group("kernel");
    group.throughput(Throughput::Elements(blocks[0].len() as u64));
    group.bench_function(name, |b| {
        let mut week = 0;
        b.iter(|| {
            let mut rng = stream(1, 0, 0, Some(week), Purpose::Week);
            let mut tally = Tally::new(1 + 3 * states.len(), s.segments.len(), s.regions.len());
            let inputs = WeekInputs { tables: &tables, dynamics: &s.dynamics, fractions: &fractions, reported: true };
            simulate_block(&mut blocks[0], &inputs, &mut rng, &mut tally);
            week += 1;
            tally
        })
    });
    group.finish();
}

fn kernel_blocks(c: &mut Criterion) {
    block(c, "block_of_1024_households", BASELINE);
    block(c, "block_of_1024_households_with_nests", NESTED);
}

fn baseline_week(c: &mut Criterion) {
    let households = 1_000_000u64;
    let s = scenario(
        BASELINE,
        &[&format!("simulation.households={households}"), "simulation.weeks=1", "simulation.warmup_weeks=0"],
    );
    let mut group = c.benchmark_group("baseline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(households));
    group.bench_function("one_week_1M_households_with_setup", |b| {
        b.iter(|| run_replication(&s, 0, &|_| ControlFlow::Continue(())))
    });
    group.finish();
}

fn small_run(c: &mut Criterion) {
    let s = scenario(
        BASELINE,
        &[
            "simulation.households=5000",
            "simulation.replications=4",
            "simulation.weeks=20",
            "simulation.warmup_weeks=5",
        ],
    );
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    group.throughput(Throughput::Elements(5000 * 25 * 4));
    group.bench_function("baseline_5k_households_25_weeks_4_reps", |b| b.iter(|| engine::run(&s, &|_| {})));
    group.finish();
}

criterion_group!(benches, kernel_blocks, baseline_week, small_run);
criterion_main!(benches);
