//! Runs a scenario: replications in parallel (rayon), each over blocks of households in parallel.
//!
//! Work is spread over replications and, within a replication, over blocks of households, so a
//! single large replication also uses every core. Results are collected in replication order
//! and block tallies are integers, so nothing depends on which thread ran what.

pub mod comparison;
pub mod kernel;
#[cfg(target_arch = "x86_64")]
mod kernel_lanes;
pub mod new_shoppers;
pub mod point;
pub mod population;
mod price_response;
pub mod replication;
pub mod week_tables;

pub use comparison::{ComparisonResults, align_reference, compare};
pub use point::{PointResults, ReplicationOutput, Worlds, run_point};
pub use replication::{
    PairedReplication, Progress, ReplicationResult, RetailerWeek, WeekRecord, run_paired, run_replication,
};
pub use week_tables::{CHANNELS, alternative};

use crate::scenario::Scenario;

/// Every replication of a run, in replication order.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResults {
    /// One per replication.
    pub replications: Vec<ReplicationResult>,
}

impl RunResults {
    /// Household-weeks simulated, warm-up included.
    pub fn household_weeks(s: &Scenario) -> u64 {
        s.simulation.households * s.total_weeks() as u64 * s.simulation.replications as u64
    }
}

/// Simulates every replication of `s` on the current rayon pool.
/// `progress` receives household-weeks as they are done (from any thread).
pub fn run(s: &Scenario, progress: &(dyn Fn(u64) + Sync)) -> RunResults {
    match run_point(&Worlds::plain(s.clone()), progress) {
        PointResults::Plain(results) => results,
        PointResults::Compared(c) => c.scenario,
    }
}
