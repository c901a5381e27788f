//! Bootstrap resamples drawn from a seeded stream, and the normal interval SALib reports:
//! estimate ± z₀.₉₇₅ · sd (n − 1) of the resampled estimates.

use crate::rng::keyed_stream;
use rand_core::Rng;

/// z such that 95% of a standard normal lies within ±z.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Stream id of sensitivity bootstraps ("sensitiv" in ASCII).
const BOOTSTRAP_STREAM: u64 = 0x7365_6e73_6974_6976;

/// `count` resamples (with replacement) of `n` indices.
#[derive(Debug, Clone)]
pub struct Resamples(Vec<Vec<usize>>);

impl Resamples {
    /// Resamples of `0..n` from `seed`; every output is bootstrapped with the same resamples.
    pub fn new(n: usize, count: usize, seed: u64) -> Resamples {
        let mut rng = keyed_stream([seed, n as u64, count as u64, 0], BOOTSTRAP_STREAM);
        let draw = |rng: &mut rand_chacha::ChaCha8Rng| ((rng.next_u64() as u128 * n as u128) >> 64) as usize;
        Resamples((0..count).map(|_| (0..n).map(|_| draw(&mut rng)).collect()).collect())
    }

    /// Each resample's indices.
    pub fn iter(&self) -> impl Iterator<Item = &[usize]> {
        self.0.iter().map(Vec::as_slice)
    }
}

/// `estimate` ± 1.96 · sd (n − 1) of `resampled`.
pub fn normal_interval(estimate: f64, resampled: impl Iterator<Item = f64>) -> super::sobol::Estimate {
    let values: Vec<f64> = resampled.collect();
    let n = values.len() as f64;
    let half = if values.len() < 2 {
        0.0
    } else {
        let mean = values.iter().sum::<f64>() / n;
        Z95 * (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    super::sobol::Estimate { estimate, low: estimate - half, high: estimate + half }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resamples_are_seeded_and_in_range() {
        let a = Resamples::new(10, 50, 1);
        assert!(a.iter().all(|r| r.len() == 10 && r.iter().all(|&i| i < 10)));
        assert_eq!(a.0, Resamples::new(10, 50, 1).0);
        assert_ne!(a.0, Resamples::new(10, 50, 2).0);
    }

    #[test]
    fn the_interval_is_symmetric_with_the_sample_sd() {
        let e = normal_interval(1.0, [0.0, 2.0].into_iter());
        assert!((e.high - 1.0 - Z95 * 2f64.sqrt()).abs() < 1e-12 && (e.low + e.high - 2.0).abs() < 1e-12);
    }
}
