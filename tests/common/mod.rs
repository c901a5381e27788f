//! Small scenarios for tests, written as TOML text so they go through the real loader.
#![allow(dead_code)]

use cartshift::Scenario;
use cartshift::engine::{self, RunResults};
use cartshift::scenario::{LoadOptions, load_str};

/// A one-region, one-segment market; `retailers` is TOML for the `[[retailer]]` tables.
pub fn market(simulation: &str, dynamics: &str, segment: &str, retailers: &str) -> String {
    format!(
        r#"
name = "test"
[market]
households = 1_000_000
outside_option = "Other"
[simulation]
{simulation}
[dynamics]
{dynamics}
[[region]]
name = "town"
households_share = 1.0
area_km2 = 100.0
[[segment]]
name = "all"
share = 1.0
{segment}
{retailers}
"#
    )
}

/// Loads scenario text, panicking with the loader's message if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    load_str(text, &LoadOptions::default()).unwrap_or_else(|e| panic!("invalid test scenario: {e}"))
}

/// Runs on a pool of `threads` threads.
pub fn run_with_threads(s: &Scenario, threads: usize) -> RunResults {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| engine::run(s, &|_| {}))
}

/// Mean over replications and reported weeks of `f(week record)`.
pub fn mean_over(results: &RunResults, f: impl Fn(&engine::WeekRecord) -> f64) -> f64 {
    let values: Vec<f64> = results.replications.iter().flat_map(|r| r.weeks.iter().map(&f)).collect();
    values.iter().sum::<f64>() / values.len() as f64
}

/// Loads a scenario file of the repository with overrides.
pub fn repo_scenario(file: &str, overrides: &[&str]) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    let options = LoadOptions { overrides: overrides.iter().map(|s| s.to_string()).collect() };
    cartshift::scenario::load(&path, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// Standard errors a statistical assertion allows.
pub const Z: f64 = 4.0;

/// Dynamics that switch loyalty and online adoption off, so shares are static.
pub const NO_DYNAMICS: &str =
    "loyalty_smoothing = 0.5\nloyalty_weight = 0.0\nadoption_innovation = 0.0\nadoption_imitation = 0.0";

/// Asserts that `estimate` lies within [`Z`] standard errors `se` of the exact `expected`.
pub fn assert_within(label: &str, estimate: f64, expected: f64, se: f64) {
    let z = (estimate - expected) / se;
    assert!(z.abs() < Z, "{label}: estimate {estimate} vs exact {expected}: {z:.2} standard errors (se {se:e})");
}
