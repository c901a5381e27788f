//! The `random` design: each point draws every parameter uniformly in its range, from a ChaCha
//! stream keyed by the design seed and the point's index.

use super::Interval;
use super::draws::{DesignStream, design_stream};
use crate::rng::uniform;
use toml::Value;

/// Independent uniform samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Random {
    ranges: Vec<Interval>,
    samples: usize,
    seed: u64,
}

impl Random {
    /// `samples` points in `ranges` (one per parameter), drawn from `seed`.
    pub fn new(ranges: Vec<Interval>, samples: usize, seed: u64) -> Random {
        Random { ranges, samples, seed }
    }

    /// Number of points.
    pub fn points(&self) -> usize {
        self.samples
    }

    /// The draws of one point: a pure function of (seed, point).
    pub fn values(&self, point: usize) -> Vec<Value> {
        let mut rng = design_stream(self.seed, DesignStream::Random, point as u64);
        self.ranges.iter().map(|r| r.at(uniform(&mut rng))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_depend_on_the_seed() {
        let ranges = vec![Interval::Float { low: 1.0, high: 3.0 }, Interval::Integer { low: 0, high: 9 }];
        let a = Random::new(ranges.clone(), 200, 1);
        for p in 0..200 {
            let v = a.values(p);
            assert!(matches!(v[0], Value::Float(x) if (1.0..3.0).contains(&x)));
            assert!(matches!(v[1], Value::Integer(i) if (0..=9).contains(&i)));
        }
        assert_eq!(a.values(7), Random::new(ranges.clone(), 200, 1).values(7));
        assert_ne!(a.values(7), Random::new(ranges, 200, 2).values(7));
    }
}
