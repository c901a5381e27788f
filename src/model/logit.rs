//! Multinomial logit (MODEL.md §3): stable probabilities and inverse-CDF choice.
//!
//! Unavailable alternatives carry utility `f64::NEG_INFINITY` and weight 0. The largest
//! utility is subtracted before exponentiating, so any finite utilities are safe.

/// Fills `weights` with exp(V − max V) and returns their sum (≥ 1 when any V is finite).
pub fn weights(utilities: &[f64], weights: &mut [f64]) -> f64 {
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for (w, &v) in weights.iter_mut().zip(utilities) {
        *w = if v == f64::NEG_INFINITY { 0.0 } else { (v - max).exp() };
        total += *w;
    }
    total
}

/// Choice probabilities, the closed form that statistical tests compare with.
pub fn probabilities(utilities: &[f64]) -> Vec<f64> {
    let mut w = vec![0.0; utilities.len()];
    let total = weights(utilities, &mut w);
    w.iter().map(|x| x / total).collect()
}

/// The alternative picked by uniform `u` ∈ [0, 1): the first whose cumulative weight exceeds
/// u·total; and where u fell inside that alternative's stretch, as a fraction in [0, 1) — itself
/// uniform and independent of the pick, so it can drive a second, coupled draw.
pub fn pick(weights: &[f64], total: f64, u: f64) -> (usize, f64) {
    let target = u * total;
    let mut cumulative = 0.0;
    let mut last_available = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            let before = cumulative;
            cumulative += w;
            last_available = i;
            if cumulative > target {
                return (i, ((target - before) / w).clamp(0.0, 1.0 - f64::EPSILON));
            }
        }
    }
    (last_available, 1.0 - f64::EPSILON)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_follow_the_logit_formula() {
        let v = [0.0, 1.0, -0.5];
        let p = probabilities(&v);
        let denom: f64 = v.iter().map(|x: &f64| x.exp()).sum();
        for (pi, vi) in p.iter().zip(v) {
            assert!((pi - vi.exp() / denom).abs() < 1e-15);
        }
    }

    #[test]
    fn huge_utilities_stay_finite() {
        let p = probabilities(&[0.0, 1e6, -1e6, f64::NEG_INFINITY]);
        assert_eq!(p, vec![0.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn pick_inverts_the_cdf_and_skips_unavailable() {
        let w = [1.0, 0.0, 1.0, 2.0];
        let alt = |u: f64| pick(&w, 4.0, u).0;
        assert_eq!(alt(0.0), 0);
        assert_eq!(alt(0.24), 0);
        assert_eq!(alt(0.25), 2);
        assert_eq!(alt(0.49), 2);
        assert_eq!(alt(0.5), 3);
        assert_eq!(alt(0.999_999_999_999), 3);
        // Rounding can push u·total to the total: the last available alternative is chosen.
        assert_eq!(pick(&[1.0, 2.0, 0.0], 3.0, 1.0).0, 1);
    }

    #[test]
    fn pick_reports_the_position_inside_the_stretch() {
        let w = [1.0, 0.0, 1.0, 2.0];
        assert_eq!(pick(&w, 4.0, 0.125), (0, 0.5));
        assert_eq!(pick(&w, 4.0, 0.75), (3, 0.5));
        assert_eq!(pick(&w, 4.0, 0.5), (3, 0.0));
    }
}
