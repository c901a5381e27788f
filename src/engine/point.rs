//! One point of a run: its world or pair of worlds, and one replication of them as one task.
//!
//! A plain run is a point with one world; a comparison is a point with two, stepped in lockstep
//! with common random numbers ([`run_paired`]) or, to measure what those buy, independently.
//! Every kind of run — plain, compared, swept, sharded, resumed — simulates its points through
//! [`Worlds::replicate`], so they all share one road from scenario to results.

use super::RunResults;
use super::comparison::{ComparisonResults, align_reference};
use super::new_shoppers::WindowCounts;
use super::replication::{Progress, ReplicationResult, run_paired, run_replication};
use crate::scenario::Scenario;

/// The world(s) of one point: the scenario and, in a comparison, its aligned reference.
#[derive(Debug, Clone)]
pub struct Worlds {
    /// The scenario.
    pub scenario: Scenario,
    /// Its reference, aligned with [`align_reference`]: same households, weeks, replications
    /// and (with common random numbers) seed.
    pub reference: Option<Scenario>,
    /// True when the two worlds take the same draws household by household.
    pub common_random_numbers: bool,
}

/// What one replication of a point produced.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplicationOutput {
    /// A world on its own.
    Plain(ReplicationResult),
    /// Both worlds, and with common random numbers who switched to whom
    /// (`(final week, horizon)`, see [`ComparisonResults::switching`]).
    Compared {
        /// The scenario's weeks.
        scenario: ReplicationResult,
        /// The reference's weeks.
        reference: ReplicationResult,
        /// Switching counts; `None` without common random numbers.
        switching: Option<(Vec<u64>, Vec<u64>)>,
        /// New shoppers per window; `None` without common random numbers.
        new_shoppers: Option<Vec<WindowCounts>>,
    },
}

/// Every replication of a point, in replication order.
#[derive(Debug, Clone, PartialEq)]
pub enum PointResults {
    /// A world on its own.
    Plain(RunResults),
    /// A scenario against its reference.
    Compared(ComparisonResults),
}

impl PointResults {
    /// The scenario's replications.
    pub fn scenario(&self) -> &RunResults {
        match self {
            PointResults::Plain(r) => r,
            PointResults::Compared(c) => &c.scenario,
        }
    }

    /// Both worlds, when this is a comparison.
    pub fn comparison(&self) -> Option<&ComparisonResults> {
        match self {
            PointResults::Plain(_) => None,
            PointResults::Compared(c) => Some(c),
        }
    }
}

impl Worlds {
    /// A point with one world.
    pub fn plain(scenario: Scenario) -> Worlds {
        Worlds { scenario, reference: None, common_random_numbers: true }
    }

    /// A point that compares `scenario` with `reference` (aligned here).
    pub fn compared(scenario: Scenario, mut reference: Scenario, common_random_numbers: bool) -> Worlds {
        align_reference(&mut reference, &scenario, common_random_numbers);
        Worlds { scenario, reference: Some(reference), common_random_numbers }
    }

    /// Household-weeks simulated over every world and replication, warm-up included.
    pub fn household_weeks(&self) -> u64 {
        let worlds = if self.reference.is_some() { 2 } else { 1 };
        worlds * RunResults::household_weeks(&self.scenario)
    }

    /// Replications of the point.
    pub fn replications(&self) -> u32 {
        self.scenario.simulation.replications
    }

    /// Runs replication `replication` of every world; `progress` hears household-weeks and may
    /// stop it at a week's end (the output is then incomplete: a stopped run discards it).
    pub fn replicate(&self, replication: u32, progress: &Progress<'_>) -> ReplicationOutput {
        let s = &self.scenario;
        match &self.reference {
            None => ReplicationOutput::Plain(run_replication(s, replication, progress)),
            Some(r) if self.common_random_numbers => {
                let p = run_paired(s, r, replication, progress);
                ReplicationOutput::Compared {
                    scenario: p.scenario,
                    reference: p.reference,
                    switching: Some((p.switching_final, p.switching_horizon)),
                    new_shoppers: Some(p.new_shoppers),
                }
            }
            Some(r) => ReplicationOutput::Compared {
                scenario: run_replication(s, replication, progress),
                reference: run_replication(r, replication, progress),
                switching: None,
                new_shoppers: None,
            },
        }
    }

    /// Gathers the point's replications (in replication order) into its results.
    pub fn collect(&self, outputs: Vec<ReplicationOutput>) -> PointResults {
        if self.reference.is_none() {
            let replications = outputs
                .into_iter()
                .map(|o| match o {
                    ReplicationOutput::Plain(r) => r,
                    ReplicationOutput::Compared { scenario, .. } => scenario,
                })
                .collect();
            return PointResults::Plain(RunResults { replications });
        }
        let mut c = ComparisonResults {
            scenario: RunResults { replications: Vec::with_capacity(outputs.len()) },
            reference: RunResults { replications: Vec::with_capacity(outputs.len()) },
            switching: self.common_random_numbers.then(Vec::new),
            new_shoppers: self.common_random_numbers.then(Vec::new),
        };
        for output in outputs {
            if let ReplicationOutput::Compared { scenario, reference, switching, new_shoppers } = output {
                c.scenario.replications.push(scenario);
                c.reference.replications.push(reference);
                if let (Some(all), Some(one)) = (&mut c.switching, switching) {
                    all.push(one);
                }
                if let (Some(all), Some(one)) = (&mut c.new_shoppers, new_shoppers) {
                    all.push(one);
                }
            }
        }
        PointResults::Compared(c)
    }
}

/// Runs every replication of `worlds` on the current rayon pool, in replication order.
pub fn run_point(worlds: &Worlds, progress: &(dyn Fn(u64) + Sync)) -> PointResults {
    use rayon::prelude::*;
    let progress = |n| {
        progress(n);
        std::ops::ControlFlow::Continue(())
    };
    let outputs = (0..worlds.replications()).into_par_iter().map(|r| worlds.replicate(r, &progress)).collect();
    worlds.collect(outputs)
}
