//! What a run will simulate: its points and, for each, one world or a scenario and its reference.
//!
//! A plain scenario is a plan of one point with one world; a comparison is one point with two
//! worlds; a sweep is many points, each compared with the reference when the scenario has one.
//! The swept paths vary the scenario only, unless a parameter says `applies_to = "both"` (a
//! shared assumption, such as a taste, that both worlds must hold); the reference simulates
//! exactly the point's households, weeks, replications and seed.

use crate::engine::Worlds;
use crate::error::ScenarioError;
use crate::scenario::{Scenario, Sweep};
use sha2::{Digest, Sha256};
use toml::Value;

/// The points of a run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario and its `[sweep]` design (one point without one).
    pub sweep: Sweep,
    /// The reference every point is compared with, if any.
    pub reference: Option<Reference>,
}

/// A plan's reference world.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The reference scenario, as loaded (its simulation is aligned per point).
    pub scenario: Scenario,
    /// Its resolved document, to write as `reference.toml`.
    pub sweep: Sweep,
    /// True when both worlds take the same draws household by household.
    pub common_random_numbers: bool,
}

impl Plan {
    /// A plan without a reference.
    pub fn plain(sweep: Sweep) -> Plan {
        Plan { sweep, reference: None }
    }

    /// A plan that compares every point of `sweep` with the plain scenario `reference`.
    pub fn compared(sweep: Sweep, reference: Sweep, common_random_numbers: bool) -> Result<Plan, ScenarioError> {
        if reference.is_sweep() {
            return Err(ScenarioError::Invalid {
                location: None,
                path: "sweep".into(),
                message: "the reference is a sweep; a reference must be a single scenario".into(),
                suggestion: None,
            });
        }
        let scenario = reference.scenario(0)?;
        Ok(Plan { sweep, reference: Some(Reference { scenario, sweep: reference, common_random_numbers }) })
    }

    /// How many points.
    pub fn points(&self) -> usize {
        self.sweep.points()
    }

    /// The swept paths, in column order.
    pub fn parameters(&self) -> Vec<String> {
        self.sweep.parameters()
    }

    /// Each swept path's value at `point`.
    pub fn values(&self, point: usize) -> Vec<Value> {
        self.sweep.values(point)
    }

    /// The world(s) of `point`.
    pub fn worlds(&self, point: usize) -> Result<Worlds, ScenarioError> {
        let scenario = self.sweep.scenario(point)?;
        Ok(match &self.reference {
            None => Worlds::plain(scenario),
            Some(r) => {
                let shared = self.sweep.shared_values(point);
                let reference = if shared.is_empty() { r.scenario.clone() } else { r.sweep.scenario_with(&shared)? };
                Worlds::compared(scenario, reference, r.common_random_numbers)
            }
        })
    }

    /// What the results are the results of: the sweep's hash for a run without a reference
    /// (the scenario's own for a plain scenario), else a hash of both worlds' documents and
    /// whether they share their draws.
    pub fn hash(&self) -> String {
        match &self.reference {
            None => self.sweep.hash().to_string(),
            Some(r) => {
                let mut h = Sha256::new();
                h.update(self.sweep.hash().as_bytes());
                h.update(b"\0reference\0");
                h.update(r.sweep.hash().as_bytes());
                h.update(if r.common_random_numbers { b"\0crn" } else { b"\0ind" });
                h.finalize().iter().map(|b| format!("{b:02x}")).collect()
            }
        }
    }
}
