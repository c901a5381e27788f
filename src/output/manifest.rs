//! `manifest.json`: what produced a folder of results, so a reader can reproduce it.

use crate::scenario::Scenario;
pub use crate::sweep::SensitivityDesign;
use serde::{Deserialize, Serialize};

/// The run's identity and its measured speed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// cartshift's version.
    pub cartshift_version: String,
    /// Scenario `name`.
    pub scenario: String,
    /// SHA-256 of the fully merged scenario (after `extends` and `--set`).
    pub scenario_hash: String,
    /// Root seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Simulated households per replication.
    pub households: u64,
    /// Real households they stand for.
    pub market_households: f64,
    /// Reported weeks.
    pub weeks: u32,
    /// Warm-up weeks (simulated, not reported).
    pub warmup_weeks: u32,
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds of the simulation.
    pub wall_seconds: f64,
    /// Household-weeks simulated (warm-up included) per wall-clock second.
    pub household_weeks_per_second: f64,
    /// The reference this run was compared with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<ReferenceInfo>,
    /// The sweep's design, points and swept paths; absent for a plain scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepInfo>,
    /// Which share of the points this folder holds; absent for a whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// With `--precision`: the rule and each point's replications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<AdaptiveInfo>,
    /// The command line that produced the folder (empty when run from the library).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_line: Vec<String>,
    /// Files written, in order.
    pub files: Vec<String>,
}

/// What a sweep varies. `scenario_hash` covers the `[sweep]` table, so it names the sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepInfo {
    /// `grid`, `zip`, `random`, `latin_hypercube`, `sobol`, `morris` or `table`.
    pub design: String,
    /// Points of the whole sweep.
    pub points: usize,
    /// The swept paths, in column order.
    pub parameters: Vec<String>,
    /// What the analysis of a sobol or morris design needs (`cartshift sensitivity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivityDesign>,
}

/// Adaptive replications (`--precision`): the rule, and per point (in point order) the
/// replications run and whether every headline's interval met the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveInfo {
    /// The rule, as text (target, minimum, maximum, batch).
    pub rule: String,
    /// Target 95% half-width, percentage points.
    pub half_width_pp: f64,
    /// Replications per point.
    pub replications: Vec<u32>,
    /// Whether each point met the target (false: it stopped at the maximum).
    pub met: Vec<bool>,
}

/// The share of a sweep's points one folder holds (`run --shard K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// K, from 1.
    pub index: usize,
    /// N.
    pub count: usize,
    /// The first point of the shard.
    pub first_point: usize,
    /// How many points it holds (consecutive from `first_point`).
    pub points: usize,
}

/// The reference world of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceInfo {
    /// Reference scenario `name`.
    pub scenario: String,
    /// SHA-256 of the merged reference scenario.
    pub scenario_hash: String,
    /// True when both worlds took the same draws household by household.
    pub common_random_numbers: bool,
}

impl Manifest {
    /// A manifest for a finished run of `s`.
    pub fn new(s: &Scenario, threads: usize, wall_seconds: f64, household_weeks: u64) -> Manifest {
        Manifest {
            cartshift_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: s.name.clone(),
            scenario_hash: s.hash.clone(),
            seed: s.simulation.seed,
            replications: s.simulation.replications,
            households: s.simulation.households,
            market_households: s.households,
            weeks: s.simulation.weeks,
            warmup_weeks: s.simulation.warmup_weeks,
            threads,
            wall_seconds,
            household_weeks_per_second: if wall_seconds > 0.0 { household_weeks as f64 / wall_seconds } else { 0.0 },
            reference: None,
            sweep: None,
            shard: None,
            adaptive: None,
            command_line: Vec::new(),
            files: Vec::new(),
        }
    }
}
