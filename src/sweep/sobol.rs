//! The `sobol` design: Saltelli's scheme on an Owen-scrambled Sobol' sequence, for Sobol'
//! sensitivity indices (`cartshift sensitivity`).
//!
//! `samples = N` base points of a 2d-dimensional sequence give two N × d matrices, A (the first d
//! coordinates) and B (the last d). Each base point i becomes a block of d + 2 points (2d + 2 with
//! `second_order = true`), in the order SALib's `sample.sobol.sample` writes them, so SALib's
//! `analyze.sobol.analyze` reads cartshift's outputs in point order:
//!
//! | row in block        | values                                    |
//! |---------------------|-------------------------------------------|
//! | 0                   | A_i                                       |
//! | 1 ..= d             | A_i with parameter k − 1 taken from B_i   |
//! | d + 1 ..= 2d (S2)   | B_i with parameter k − d − 1 taken from A_i |
//! | last                | B_i                                       |
//!
//! The sequence is `sobol_burley`'s (Joe–Kuo direction numbers, hash-based Owen scrambling):
//! at most 2^16 base points and 256 dimensions, so at most 128 parameters. Its scrambling seed
//! comes from the design seed, so a point is a pure function of (seed, point).

use super::Interval;
use super::draws::{DesignStream, design_stream};
use rand_core::Rng;
use toml::Value;

/// Most base points the sequence provides.
pub const MAX_SOBOL_SAMPLES: usize = 1 << 16;
/// Most parameters: the sequence has 256 dimensions and each parameter takes two.
pub const MAX_SOBOL_PARAMETERS: usize = 128;

/// A Saltelli design.
#[derive(Debug, Clone, PartialEq)]
pub struct Sobol {
    ranges: Vec<Interval>,
    samples: usize,
    second_order: bool,
    scramble: u32,
}

impl Sobol {
    /// `samples` (1 ..= [`MAX_SOBOL_SAMPLES`]) base points over `ranges` (at most
    /// [`MAX_SOBOL_PARAMETERS`]), the sequence scrambled from `seed`.
    pub fn new(ranges: Vec<Interval>, samples: usize, second_order: bool, seed: u64) -> Sobol {
        let scramble = design_stream(seed, DesignStream::SobolScramble, 0).next_u32();
        Sobol { ranges, samples, second_order, scramble }
    }

    /// Base points N.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// True when the blocks carry the B-with-A columns second-order indices need.
    pub fn second_order(&self) -> bool {
        self.second_order
    }

    /// Points per base point: d + 2, or 2d + 2 with second order.
    pub fn block(&self) -> usize {
        let d = self.ranges.len();
        if self.second_order { 2 * d + 2 } else { d + 2 }
    }

    /// Number of points: N · block.
    pub fn points(&self) -> usize {
        self.samples * self.block()
    }

    /// The unit coordinates (in [0, 1)) of `point`.
    pub fn unit(&self, point: usize) -> Vec<f64> {
        let d = self.ranges.len();
        let (base, row) = (point / self.block(), point % self.block());
        let coordinate = |dim: usize| f64::from(sobol_burley::sample(base as u32, dim as u32, self.scramble));
        let a = |j: usize| coordinate(j);
        let b = |j: usize| coordinate(j + d);
        (0..d)
            .map(|j| match row {
                0 => a(j),
                r if r <= d => {
                    if j == r - 1 {
                        b(j)
                    } else {
                        a(j)
                    }
                }
                r if r <= 2 * d && self.second_order => {
                    if j == r - d - 1 {
                        a(j)
                    } else {
                        b(j)
                    }
                }
                _ => b(j),
            })
            .collect()
    }

    /// The values of `point`, each unit coordinate scaled into its range.
    pub fn values(&self, point: usize) -> Vec<Value> {
        self.unit(point).iter().zip(&self.ranges).map(|(&u, range)| range.at(u)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_ranges(d: usize) -> Vec<Interval> {
        vec![Interval::Float { low: 0.0, high: 1.0 }; d]
    }

    #[test]
    fn blocks_follow_saltelli_layout() {
        let s = Sobol::new(unit_ranges(3), 4, true, 7);
        assert_eq!((s.block(), s.points()), (8, 32));
        for base in 0..4 {
            let row = |r: usize| s.unit(base * 8 + r);
            let (a, b) = (row(0), row(7));
            assert!(a.iter().zip(&b).all(|(x, y)| x != y), "A and B differ in every coordinate");
            for k in 0..3 {
                let ab: Vec<f64> = (0..3).map(|j| if j == k { b[j] } else { a[j] }).collect();
                let ba: Vec<f64> = (0..3).map(|j| if j == k { a[j] } else { b[j] }).collect();
                assert_eq!(row(1 + k), ab, "AB_{k}");
                assert_eq!(row(4 + k), ba, "BA_{k}");
            }
        }
        let first_order = Sobol::new(unit_ranges(3), 4, false, 7);
        assert_eq!((first_order.block(), first_order.points()), (5, 20));
        assert_eq!(first_order.unit(9), s.unit(15), "B of base point 1 is the same sequence point");
    }

    #[test]
    fn base_points_fill_the_unit_square_evenly() {
        // A (0, 2)-sequence in base 2: 16 points put exactly one point in each of the 4 × 4 cells.
        let s = Sobol::new(unit_ranges(1), 16, false, 3);
        let mut cells = [0; 16];
        for base in 0..16 {
            let (a, b) = (s.unit(base * 3)[0], s.unit(base * 3 + 2)[0]);
            cells[(a * 4.0) as usize * 4 + (b * 4.0) as usize] += 1;
        }
        assert_eq!(cells, [1; 16]);
    }

    #[test]
    fn the_seed_scrambles_the_sequence() {
        let a = Sobol::new(unit_ranges(2), 8, false, 1);
        assert_eq!(a.values(5), Sobol::new(unit_ranges(2), 8, false, 1).values(5));
        assert_ne!(a.values(5), Sobol::new(unit_ranges(2), 8, false, 2).values(5));
    }
}
