//! Going online (MODEL.md §5): Bass diffusion with a pull from loyalty to online-minded retailers.

/// Weekly probability that a household not yet online-capable becomes so:
/// min(1, p·(1 + Σ pull_r·L_hr) + q·A_g/N_g).
#[inline]
pub fn probability(innovation: f64, imitation: f64, pulled_loyalty: f64, region_fraction: f64) -> f64 {
    (innovation * (1.0 + pulled_loyalty) + imitation * region_fraction).min(1.0)
}

/// The expected online fraction with no pull: F ← F + (p + qF)(1 − F), one value per week
/// after `start`, the closed form that statistical tests compare with.
pub fn bass_path(innovation: f64, imitation: f64, start: f64, weeks: usize) -> Vec<f64> {
    let mut f = start;
    (0..weeks)
        .map(|_| {
            f += (innovation + imitation * f) * (1.0 - f);
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_is_capped_at_one() {
        assert_eq!(probability(0.5, 1.0, 1.0, 1.0), 1.0);
        assert!((probability(0.01, 0.2, 0.0, 0.5) - 0.11).abs() < 1e-12);
        assert!((probability(0.01, 0.0, 2.0, 0.0) - 0.03).abs() < 1e-12);
    }

    #[test]
    fn bass_path_rises_to_one() {
        let path = bass_path(0.01, 0.3, 0.0, 200);
        assert!(path.windows(2).all(|w| w[1] >= w[0]));
        assert!((path[0] - 0.01).abs() < 1e-15);
        assert!(path[199] > 0.999);
    }
}
