//! A scenario against its reference: both worlds in lockstep with common random numbers, or,
//! for measuring what common random numbers buy, with independent streams.

use super::RunResults;
use super::point::{PointResults, Worlds, run_point};
use crate::scenario::Scenario;

/// Mixed into the seed of the reference when common random numbers are switched off.
pub const INDEPENDENT_REFERENCE_SEED_MASK: u64 = 0x9E37_79B9_7F4A_7C15;

/// Both worlds' results and, with common random numbers, who switched to whom.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonResults {
    /// The scenario's replications.
    pub scenario: RunResults,
    /// The reference's replications.
    pub reference: RunResults,
    /// Per replication `(final week, horizon)` counts, `[from_reference * scenario_alts + to]`;
    /// `None` without common random numbers, where pairs of choices mean nothing.
    pub switching: Option<Vec<(Vec<u64>, Vec<u64>)>>,
    /// Per replication, new shoppers per window (see [`super::new_shoppers`]); `None` without
    /// common random numbers.
    pub new_shoppers: Option<Vec<Vec<super::new_shoppers::WindowCounts>>>,
}

/// Makes `reference` simulate exactly the scenario's households, weeks, replications and seed
/// (with the seed scrambled when `common_random_numbers` is off).
pub fn align_reference(reference: &mut Scenario, scenario: &Scenario, common_random_numbers: bool) {
    reference.simulation = scenario.simulation;
    if !common_random_numbers {
        reference.simulation.seed ^= INDEPENDENT_REFERENCE_SEED_MASK;
    }
}

/// Runs both worlds for every replication; `reference` must be aligned with [`align_reference`]
/// using the same `common_random_numbers`.
pub fn compare(
    scenario: &Scenario,
    reference: &Scenario,
    common_random_numbers: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> ComparisonResults {
    let worlds = Worlds { scenario: scenario.clone(), reference: Some(reference.clone()), common_random_numbers };
    match run_point(&worlds, progress) {
        PointResults::Compared(c) => c,
        PointResults::Plain(_) => unreachable!("a point with a reference is compared"),
    }
}
