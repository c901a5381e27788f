//! Sweeps (MODEL.md §9): the designs that turn a `[sweep]` table into points, and the shards
//! that split the points across machines. Running them is [`crate::pipeline`]'s job.
//!
//! A design only says which values each swept path takes at each point; applying them to the
//! scenario document is [`crate::scenario::Sweep`]'s job, and writing the results is
//! [`crate::output`]'s. Every design computes any point on its own from its index, so a shard
//! or a resumed run sees exactly the points an uninterrupted whole run sees.
//!
//! ```
//! use cartshift::scenario::{LoadOptions, load_sweep_str};
//!
//! let text = r#"
//! name = "tiny"
//! [market]
//! households = 1000
//! outside_option = "Other grocers"
//! [dynamics]
//! loyalty_smoothing = 0.8
//! loyalty_weight = 1.0
//! adoption_innovation = 0.01
//! adoption_imitation = 0.1
//! [[region]]
//! name = "town"
//! households_share = 1.0
//! area_km2 = 50.0
//! [[segment]]
//! name = "everyone"
//! share = 1.0
//! price_sensitivity = 5.0
//! distance_sensitivity = 0.3
//! time_value = 0.05
//! fee_sensitivity = 0.1
//! weekly_spend = 100.0
//! digital_adoption = 0.2
//! [[retailer]]
//! name = "Corner Shop"
//! stores = 10
//! quality = 0.5
//! price_index = 1.0
//! checkout_wait_min = 4.0
//! [sweep]
//! design = "grid"
//! [[sweep.parameter]]
//! path = "retailer.Corner Shop.price_index"
//! values = [0.9, 1.1]
//! [[sweep.parameter]]
//! path = "dynamics.loyalty_weight"
//! from = 1.0
//! to = 2.0
//! steps = 3
//! "#;
//! let sweep = load_sweep_str(text, &LoadOptions::default()).unwrap();
//! assert_eq!(sweep.points(), 6); // 2 x 3, the last parameter varying fastest
//! let point = sweep.scenario(4).unwrap(); // price 1.1, loyalty weight 1.5
//! assert_eq!(point.retailers[0].initial.price_index, 1.1);
//! assert_eq!(point.dynamics.loyalty_weight, 1.5);
//! assert_eq!(point.simulation.seed, sweep.scenario(0).unwrap().simulation.seed);
//! ```

mod draws;
pub mod grid;
pub mod latin_hypercube;
pub mod morris;
pub mod random;
pub mod shard;
pub mod sobol;
pub mod table;
pub mod zip;

pub use grid::Grid;
pub use latin_hypercube::LatinHypercube;
pub use morris::Morris;
pub use random::Random;
pub use shard::{Shard, ShardError};
pub use sobol::Sobol;
pub use table::{PointTable, TableError};
pub use zip::Zip;

use serde::{Deserialize, Serialize};
use toml::Value;

/// The most points a sweep may have.
pub const MAX_POINTS: u64 = u32::MAX as u64;

/// How a sweep chooses its points. Each design lives in its own file.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// A plain scenario: one point, nothing varied.
    Single,
    /// Every combination of every parameter's values (full factorial).
    Grid(Grid),
    /// The parameters' lists advanced together: point i takes the i-th value of each.
    Zip(Zip),
    /// Independent uniform draws in each parameter's range.
    Random(Random),
    /// A Latin hypercube in the parameters' ranges: every stratum of every range hit once.
    LatinHypercube(LatinHypercube),
    /// Saltelli's scheme on a scrambled Sobol' sequence, for Sobol' indices.
    Sobol(Sobol),
    /// Elementary-effects trajectories, for Morris screening.
    Morris(Morris),
    /// Points listed in a CSV file, in file order.
    Table(PointTable),
}

impl Design {
    /// The design's name as written in `[sweep] design = …` (`single` for a plain scenario).
    pub fn name(&self) -> &'static str {
        match self {
            Design::Single => "single",
            Design::Grid(_) => "grid",
            Design::Zip(_) => "zip",
            Design::Random(_) => "random",
            Design::LatinHypercube(_) => "latin_hypercube",
            Design::Sobol(_) => "sobol",
            Design::Morris(_) => "morris",
            Design::Table(_) => "table",
        }
    }

    /// How many points the design has.
    pub fn points(&self) -> usize {
        match self {
            Design::Single => 1,
            Design::Grid(g) => g.points(),
            Design::Zip(z) => z.points(),
            Design::Random(r) => r.points(),
            Design::LatinHypercube(l) => l.points(),
            Design::Sobol(s) => s.points(),
            Design::Morris(m) => m.points(),
            Design::Table(t) => t.points(),
        }
    }

    /// The value of each parameter, in declaration order, at `point` (< [`Design::points`]).
    pub fn values(&self, point: usize) -> Vec<Value> {
        match self {
            Design::Single => Vec::new(),
            Design::Grid(g) => g.values(point),
            Design::Zip(z) => z.values(point),
            Design::Random(r) => r.values(point),
            Design::LatinHypercube(l) => l.values(point),
            Design::Sobol(s) => s.values(point),
            Design::Morris(m) => m.values(point),
            Design::Table(t) => t.values(point),
        }
    }

    /// What `cartshift sensitivity` needs to know of a sobol or morris design.
    pub fn sensitivity(&self) -> Option<SensitivityDesign> {
        match self {
            Design::Sobol(s) => Some(SensitivityDesign::Sobol { samples: s.samples(), second_order: s.second_order() }),
            Design::Morris(m) => Some(SensitivityDesign::Morris { trajectories: m.trajectories(), levels: m.levels() }),
            _ => None,
        }
    }
}

/// A `range = [low, high]` of a random or Latin hypercube design. Integer bounds give integer
/// values, `low` to `high` inclusive in equal parts; any float bound gives floats from `low` to
/// `high` (reached only by rounding, with probability about 2^-53).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Interval {
    /// Floats from `low` to `high`.
    Float {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Integers `low..=high`.
    Integer {
        /// Lowest value.
        low: i64,
        /// Highest value.
        high: i64,
    },
}

impl Interval {
    /// The value a fraction `t` ∈ [0, 1) of the way through the interval.
    pub fn at(&self, t: f64) -> Value {
        let t = t.clamp(0.0, 1.0 - f64::EPSILON / 2.0);
        match *self {
            Interval::Float { low, high } => Value::Float((low + (high - low) * t).min(high)),
            Interval::Integer { low, high } => {
                let count = (high as i128 - low as i128 + 1) as f64;
                let k = ((t * count).floor() as i128).min(high as i128 - low as i128);
                Value::Integer((low as i128 + k) as i64)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_intervals_cover_both_ends_in_equal_parts() {
        let i = Interval::Integer { low: 2, high: 4 };
        let hits: Vec<Value> = [0.0, 0.33, 0.34, 0.66, 0.67, 0.999_999].iter().map(|&t| i.at(t)).collect();
        let expected = [2, 2, 3, 3, 4, 4].map(Value::Integer);
        assert_eq!(hits, expected);
    }

    #[test]
    fn float_intervals_stay_within_their_bounds() {
        let i = Interval::Float { low: 1.0, high: 2.0 };
        assert_eq!(i.at(0.0), Value::Float(1.0));
        assert_eq!(i.at(0.25), Value::Float(1.25));
        let Value::Float(top) = i.at(1.0) else { panic!("a float interval gives floats") };
        assert!(top <= 2.0);
    }
}

/// The settings of a design made for sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SensitivityDesign {
    /// Saltelli blocks of d + 2 points (2d + 2 with second order) per base point.
    Sobol {
        /// Base points N.
        samples: usize,
        /// Whether the blocks allow second-order indices.
        second_order: bool,
    },
    /// Trajectories of d + 1 points.
    Morris {
        /// Trajectories r.
        trajectories: usize,
        /// Levels p (the step is p / (2(p − 1)) of each range).
        levels: u32,
    },
}
