//! The `latin_hypercube` design (McKay, Beckman & Conover, 1979): each parameter's range is cut
//! into `samples` equal strata, and every stratum of every parameter is used by exactly one
//! point. Parameter d's strata are dealt to the points by a Fisher–Yates shuffle seeded by
//! (design seed, d); inside its stratum a point sits at a uniform draw seeded by (seed, point).
//!
//! The shuffles are kept: one `u32` per point and parameter (200 KB for 10,000 points of five
//! parameters), computed once so any point can be read on its own.

use super::Interval;
use super::draws::{DesignStream, below, design_stream};
use crate::rng::uniform;
use toml::Value;

/// A Latin hypercube sample.
#[derive(Debug, Clone, PartialEq)]
pub struct LatinHypercube {
    ranges: Vec<Interval>,
    seed: u64,
    /// `strata[d][point]`: the stratum of parameter d that the point falls in.
    strata: Vec<Vec<u32>>,
}

impl LatinHypercube {
    /// `samples` (≤ [`super::MAX_POINTS`]) points in `ranges`, drawn from `seed`.
    pub fn new(ranges: Vec<Interval>, samples: usize, seed: u64) -> LatinHypercube {
        let strata = (0..ranges.len()).map(|d| shuffled(samples, seed, d as u64)).collect();
        LatinHypercube { ranges, seed, strata }
    }

    /// Number of points.
    pub fn points(&self) -> usize {
        self.strata.first().map_or(0, Vec::len)
    }

    /// The stratum of each parameter that `point` falls in.
    pub fn strata(&self, point: usize) -> Vec<u32> {
        self.strata.iter().map(|s| s[point]).collect()
    }

    /// The values of one point: its stratum plus a uniform jitter, scaled into each range.
    pub fn values(&self, point: usize) -> Vec<Value> {
        let n = self.points() as f64;
        let mut rng = design_stream(self.seed, DesignStream::HypercubeJitter, point as u64);
        self.ranges
            .iter()
            .zip(&self.strata)
            .map(|(range, strata)| range.at((f64::from(strata[point]) + uniform(&mut rng)) / n))
            .collect()
    }
}

/// `0..n` in the order of a Fisher–Yates shuffle seeded by (seed, parameter).
fn shuffled(n: usize, seed: u64, parameter: u64) -> Vec<u32> {
    let mut rng = design_stream(seed, DesignStream::HypercubeOrder, parameter);
    let mut order: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        order.swap(i, below(&mut rng, i + 1));
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stratum(v: &Value, low: f64, high: f64, n: usize) -> usize {
        let Value::Float(x) = v else { panic!("float range gives floats") };
        ((x - low) / (high - low) * n as f64).floor() as usize
    }

    #[test]
    fn every_stratum_of_every_parameter_is_hit_once() {
        let n = 37;
        let ranges = vec![Interval::Float { low: 0.0, high: 1.0 }, Interval::Float { low: -5.0, high: 20.0 }];
        let lhs = LatinHypercube::new(ranges.clone(), n, 11);
        for (d, range) in ranges.iter().enumerate() {
            let Interval::Float { low, high } = *range else { unreachable!() };
            let mut hits = vec![0; n];
            for p in 0..n {
                hits[stratum(&lhs.values(p)[d], low, high, n)] += 1;
            }
            assert!(hits.iter().all(|&h| h == 1), "parameter {d}: {hits:?}");
        }
    }

    #[test]
    fn parameters_are_shuffled_independently() {
        let ranges = vec![Interval::Float { low: 0.0, high: 1.0 }; 2];
        let lhs = LatinHypercube::new(ranges, 50, 3);
        let first: Vec<u32> = (0..50).map(|p| lhs.strata(p)[0]).collect();
        let second: Vec<u32> = (0..50).map(|p| lhs.strata(p)[1]).collect();
        assert_ne!(first, second);
        assert_ne!(first, (0..50).collect::<Vec<u32>>());
    }
}
