//! The resource guard: a run's memory, estimated from its sizes before anything is allocated,
//! so that a run too large for the machine is refused with a number that fits instead of
//! being killed half-way (or swapping the machine to a halt).
//!
//! The estimate follows the data layout. A simulated household holds its region and segment
//! (one byte each), its online flag (one byte), and per retailer a unit distance and a loyalty
//! (`f32` each): 3 + 8·R bytes (see `engine::population::Block`), in each world simulated (two
//! in a comparison), for each replication in flight — about one per worker thread. Results are
//! kept for every replication until the end: per reported week and alternative, trips, share
//! and revenue (3 `f64`), plus the online share per region, the switching matrices of a
//! comparison, and the CSV rows built when writing. A fixed overhead covers the program itself.
//! The library only computes; the caller says how much memory is available.

use crate::scenario::Scenario;

/// Memory taken whatever the run's size: code, thread stacks, allocator slack.
pub const FIXED_OVERHEAD_BYTES: u64 = 64 << 20;

/// Bytes one CSV row takes while being built (cells as `String`s, then the encoded line).
pub const CSV_ROW_BYTES: u64 = 640;

/// Bytes of one simulated household with `retailers` retailers.
pub fn household_bytes(retailers: usize) -> u64 {
    3 + 8 * retailers as u64
}

/// The sizes that decide a run's memory, split into the part that grows with households and the
/// part that does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Bytes per simulated household over every world and every replication in flight.
    pub per_household: u128,
    /// Bytes that do not depend on the number of households: results, CSV rows, overhead.
    pub fixed: u128,
    /// Simulated households of the run.
    pub households: u64,
}

impl MemoryEstimate {
    /// The estimate for running `scenario` (and `reference`, for a comparison) on `threads`
    /// worker threads; `raw` adds `replications.csv`.
    pub fn new(scenario: &Scenario, reference: Option<&Scenario>, threads: usize, raw: bool) -> MemoryEstimate {
        let sim = &scenario.simulation;
        let reps = sim.replications as u128;
        let in_flight = (threads.max(1) as u128).min(reps);
        let worlds: Vec<&Scenario> = std::iter::once(scenario).chain(reference).collect();
        let mut per_household = 0u128;
        let mut fixed = FIXED_OVERHEAD_BYTES as u128;
        for world in &worlds {
            per_household += household_bytes(world.retailers.len()) as u128 * in_flight;
            fixed += world_results_bytes(world, raw);
        }
        if let Some(reference) = reference {
            // Switching matrices (final week and horizon), shifts rows and switching rows.
            let (a, b) = (alternatives(scenario), alternatives(reference));
            fixed += reps * 2 * a * b * 8;
            let weeks = sim.weeks as u128;
            fixed += (weeks * 2 * (a + b) + 4 * (a + b) + a * b) * CSV_ROW_BYTES as u128;
        }
        MemoryEstimate { per_household, fixed, households: sim.households }
    }

    /// The estimate when `points` points' results are held at once (a sweep's window).
    pub fn with_points_in_flight(mut self, points: usize) -> MemoryEstimate {
        let results = self.fixed.saturating_sub(FIXED_OVERHEAD_BYTES as u128);
        self.fixed = FIXED_OVERHEAD_BYTES as u128 + results.saturating_mul(points.max(1) as u128);
        self
    }

    /// Estimated bytes for `households` simulated households.
    pub fn bytes_for(&self, households: u64) -> u128 {
        self.fixed.saturating_add(self.per_household.saturating_mul(households as u128))
    }

    /// Estimated bytes of the run as configured.
    pub fn bytes(&self) -> u128 {
        self.bytes_for(self.households)
    }

    /// The most simulated households that fit in `available` bytes (0 if even none fit).
    pub fn largest_households(&self, available: u64) -> u64 {
        let room = (available as u128).saturating_sub(self.fixed);
        let fit = room.checked_div(self.per_household).unwrap_or(u128::from(u64::MAX));
        u64::try_from(fit).unwrap_or(u64::MAX)
    }

    /// Refuses the run if its estimate exceeds `available` bytes.
    pub fn check(&self, available: u64) -> Result<(), TooLarge> {
        if self.bytes() <= available as u128 {
            return Ok(());
        }
        Err(TooLarge {
            estimate_bytes: self.bytes(),
            available_bytes: available,
            households: self.households,
            largest_households: self.largest_households(available),
        })
    }
}

/// Alternatives of a world: the outside option and three channels per retailer.
fn alternatives(s: &Scenario) -> u128 {
    1 + 3 * s.retailers.len() as u128
}

/// Results kept for every replication of one world, and the CSV rows written from them.
fn world_results_bytes(s: &Scenario, raw: bool) -> u128 {
    let sim = &s.simulation;
    let (reps, weeks, total_weeks) = (sim.replications as u128, sim.weeks as u128, s.total_weeks() as u128);
    let (alts, regions) = (alternatives(s), s.regions.len() as u128);
    let records = reps * weeks * (3 * alts + regions) * 8;
    let schedule = (reps.min(64)) * total_weeks * 24;
    let mut rows = weeks * (3 * alts + regions) + 4 * alts;
    if raw {
        rows += reps * weeks * alts;
    }
    records + schedule + rows * CSV_ROW_BYTES as u128
}

/// A run whose memory estimate exceeds what is available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", too_large_message(self))]
pub struct TooLarge {
    /// Estimated bytes.
    pub estimate_bytes: u128,
    /// Bytes available.
    pub available_bytes: u64,
    /// Simulated households asked for.
    pub households: u64,
    /// The most simulated households that fit (0 if the results alone do not fit).
    pub largest_households: u64,
}

fn too_large_message(e: &TooLarge) -> String {
    let head = format!(
        "this run needs about {} of memory ({} simulated households), but only {} is available",
        human_bytes(e.estimate_bytes),
        e.households,
        human_bytes(e.available_bytes as u128)
    );
    if e.largest_households == 0 {
        format!("{head}; even with one household the results do not fit: run fewer weeks or replications")
    } else {
        format!("{head}; at most {} simulated households fit", e.largest_households)
    }
}

/// Bytes in binary units with one decimal (`12.5 GiB`).
pub fn human_bytes(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{LoadOptions, TEST_SCENARIO, load_str};

    fn scenario(households: u64) -> Scenario {
        let text = TEST_SCENARIO.replace("COVERAGE", "0.5");
        let options = LoadOptions { overrides: vec![format!("simulation.households={households}")] };
        load_str(&text, &options).unwrap()
    }

    #[test]
    fn households_cost_their_layout_per_replication_in_flight() {
        let s = scenario(1000);
        let one = MemoryEstimate::new(&s, None, 1, false);
        let two = MemoryEstimate::new(&s, None, 2, false);
        assert_eq!(one.per_household, household_bytes(1) as u128);
        assert_eq!(two.per_household, 2 * household_bytes(1) as u128);
        let compared = MemoryEstimate::new(&s, Some(&s), 2, false);
        assert_eq!(compared.per_household, 4 * household_bytes(1) as u128);
        assert!(compared.fixed > two.fixed);
    }

    #[test]
    fn the_largest_fitting_run_fits_and_one_more_household_does_not() {
        let e = MemoryEstimate::new(&scenario(1000), None, 2, false);
        let available = (e.fixed + 1_000_000) as u64;
        let n = e.largest_households(available);
        assert!(e.bytes_for(n) <= available as u128);
        assert!(e.bytes_for(n + 1) > available as u128);
    }

    #[test]
    fn absurd_sizes_are_refused_without_overflow() {
        let mut s = scenario(1);
        s.simulation.households = u64::MAX;
        let e = MemoryEstimate::new(&s, None, 64, true);
        let err = e.check(16 << 30).unwrap_err();
        assert!(err.largest_households > 0 && err.largest_households < u64::MAX);
        let text = err.to_string();
        assert!(text.contains("16.0 GiB is available"), "{text}");
        assert!(text.contains(&format!("at most {} simulated households fit", err.largest_households)), "{text}");
        assert_eq!(e.largest_households(0), 0);
        assert!(e.check(u64::MAX).is_err());
    }

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
    }
}
