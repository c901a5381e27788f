//! The `morris` design: elementary-effects trajectories (Morris, 1991) for screening which
//! parameters matter, laid out as SALib's `sample.morris.sample` lays them out, so SALib's
//! `analyze.morris.analyze` reads cartshift's outputs in point order.
//!
//! Each parameter's range is cut into `levels = p` (even) levels 0, 1/(p−1), …, 1, and the
//! step is Δ = p / (2(p − 1)). A trajectory is d + 1 consecutive points: it starts at a base
//! point x* whose coordinates are drawn from the lower half of the levels, each coordinate
//! starts at x* or x* + Δ (a random sign), and the parameters are moved one at a time, in a
//! random order, by ±Δ. `trajectories = r` trajectories give r(d + 1) points; trajectory t is
//! drawn from a stream keyed by (design seed, t), so any point is computed on its own.

use super::Interval;
use super::draws::{DesignStream, below, design_stream};
use rand_core::Rng;
use toml::Value;

/// A Morris screening design.
#[derive(Debug, Clone, PartialEq)]
pub struct Morris {
    ranges: Vec<Interval>,
    trajectories: usize,
    levels: u32,
    seed: u64,
}

impl Morris {
    /// `trajectories` trajectories over `ranges` with `levels` (even, ≥ 2) levels, from `seed`.
    pub fn new(ranges: Vec<Interval>, trajectories: usize, levels: u32, seed: u64) -> Morris {
        Morris { ranges, trajectories, levels, seed }
    }

    /// Number of trajectories r.
    pub fn trajectories(&self) -> usize {
        self.trajectories
    }

    /// Number of levels p.
    pub fn levels(&self) -> u32 {
        self.levels
    }

    /// The step Δ = p / (2(p − 1)) in unit coordinates.
    pub fn delta(&self) -> f64 {
        delta(self.levels)
    }

    /// Number of points: r(d + 1).
    pub fn points(&self) -> usize {
        self.trajectories * (self.ranges.len() + 1)
    }

    /// The unit coordinates (levels in [0, 1]) of `point`.
    pub fn unit(&self, point: usize) -> Vec<f64> {
        let d = self.ranges.len();
        let (trajectory, step) = (point / (d + 1), point % (d + 1));
        let (start, up, moved_at) = self.trajectory(trajectory);
        let delta = self.delta();
        (0..d)
            .map(|j| {
                let moved = moved_at[j] < step;
                // Rising parameters start at x* and end at x* + Δ; falling ones the other way round.
                if up[j] == moved { start[j] + delta } else { start[j] }
            })
            .collect()
    }

    /// The values of `point`: each level scaled into its range (integers rounded).
    pub fn values(&self, point: usize) -> Vec<Value> {
        self.unit(point).iter().zip(&self.ranges).map(|(&x, range)| scaled(range, x)).collect()
    }

    /// Trajectory t: the base point x*, whether each parameter rises, and at which move
    /// (0-based) each parameter moves.
    fn trajectory(&self, t: usize) -> (Vec<f64>, Vec<bool>, Vec<usize>) {
        let d = self.ranges.len();
        let mut rng = design_stream(self.seed, DesignStream::MorrisTrajectory, t as u64);
        let half = (self.levels / 2) as usize;
        let step = 1.0 / f64::from(self.levels - 1);
        let start: Vec<f64> = (0..d).map(|_| below(&mut rng, half) as f64 * step).collect();
        let up: Vec<bool> = (0..d).map(|_| rng.next_u64() >> 63 == 0).collect();
        let mut order: Vec<usize> = (0..d).collect();
        for i in (1..d).rev() {
            order.swap(i, below(&mut rng, i + 1));
        }
        let mut moved_at = vec![0; d];
        for (position, &j) in order.iter().enumerate() {
            moved_at[j] = position;
        }
        (start, up, moved_at)
    }
}

/// Δ = p / (2(p − 1)) for `levels` = p.
pub fn delta(levels: u32) -> f64 {
    f64::from(levels) / (2.0 * f64::from(levels - 1))
}

/// A level x ∈ [0, 1] in `range`: the upper bound exactly at x = 1; integers rounded.
fn scaled(range: &Interval, x: f64) -> Value {
    match *range {
        Interval::Float { low, high } => Value::Float(if x >= 1.0 { high } else { low + (high - low) * x }),
        Interval::Integer { low, high } => Value::Integer(low + ((high - low) as f64 * x).round() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_move_changes_one_parameter_by_delta() {
        let d = 4;
        let m = Morris::new(vec![Interval::Float { low: 0.0, high: 1.0 }; d], 30, 4, 5);
        assert_eq!(m.points(), 150);
        let delta = m.delta();
        assert!((delta - 2.0 / 3.0).abs() < 1e-15);
        for t in 0..30 {
            let mut seen = vec![false; d];
            for step in 0..d {
                let (x, y) = (m.unit(t * (d + 1) + step), m.unit(t * (d + 1) + step + 1));
                let changed: Vec<usize> = (0..d).filter(|&j| x[j] != y[j]).collect();
                assert_eq!(changed.len(), 1, "trajectory {t} step {step}");
                let j = changed[0];
                assert!(((x[j] - y[j]).abs() - delta).abs() < 1e-12);
                assert!(!seen[j], "each parameter moves once");
                seen[j] = true;
            }
            let levels = [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0];
            for x in m.unit(t * (d + 1)) {
                assert!(levels.iter().any(|l| (l - x).abs() < 1e-12), "{x} is a level");
            }
        }
    }

    #[test]
    fn both_directions_and_all_orders_occur() {
        let m = Morris::new(vec![Interval::Float { low: 0.0, high: 1.0 }; 3], 200, 6, 9);
        let (mut rises, mut first_moved) = (0, [0; 3]);
        for t in 0..200 {
            let (start, up, moved_at) = m.trajectory(t);
            rises += up.iter().filter(|&&u| u).count();
            first_moved[moved_at.iter().position(|&p| p == 0).unwrap()] += 1;
            assert!(start.iter().all(|&x| x <= 1.0 - m.delta() + 1e-12));
        }
        assert!((250..350).contains(&rises), "{rises} of 600 rise");
        assert!(first_moved.iter().all(|&n| n > 40), "{first_moved:?}");
    }

    #[test]
    fn levels_scale_into_ranges() {
        assert_eq!(scaled(&Interval::Float { low: 0.1, high: 0.3 }, 1.0), Value::Float(0.3));
        assert_eq!(scaled(&Interval::Integer { low: 10, high: 20 }, 2.0 / 3.0), Value::Integer(17));
    }
}
