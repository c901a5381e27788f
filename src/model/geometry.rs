//! Nearest-store distance in a Poisson field of stores (MODEL.md §2): Rayleigh from one uniform.
//!
//! With density λ, P(D > d) = exp(−πλd²), so d = sqrt(−ln U / (πλ)). We keep the
//! density-free part sqrt(−ln U / π) per household and retailer ("unit distance"), and
//! divide by sqrt(λ) each week, so a change in store counts reuses the same draw.

use std::f64::consts::PI;

/// Distance to the nearest store at density 1 per km², from U ∈ (0, 1].
pub fn unit_distance(u: f64) -> f64 {
    (-u.ln() / PI).sqrt()
}

/// The factor that turns a unit distance into km: 1/sqrt(λ), or `None` where there is no store.
pub fn distance_scale(stores: f64, area_km2: f64) -> Option<f64> {
    let density = stores / area_km2;
    (density > 0.0).then(|| 1.0 / density.sqrt())
}

/// Expected nearest-store distance, 1 / (2 sqrt(λ)): the closed form tests compare with.
pub fn mean_nearest_distance(density: f64) -> f64 {
    1.0 / (2.0 * density.sqrt())
}

/// Delivery reaches a household iff U > 1 − coverage, i.e. iff its unit distance is below this.
pub fn coverage_threshold(coverage: f64) -> f64 {
    if coverage >= 1.0 { f64::INFINITY } else { unit_distance(1.0 - coverage) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_the_rayleigh_quantile() {
        // P(D > d) = exp(-π λ d²) = U at d = unit_distance(U)/sqrt(λ).
        let (u, density) = (0.3_f64, 4.0);
        let d = unit_distance(u) * distance_scale(density, 1.0).unwrap();
        assert!(((-PI * density * d * d).exp() - u).abs() < 1e-12);
    }

    #[test]
    fn no_store_means_no_distance() {
        assert_eq!(distance_scale(0.0, 10.0), None);
    }

    #[test]
    fn coverage_matches_the_uniform_rule() {
        for &cov in &[0.0, 0.25, 0.5, 0.9] {
            let thr = coverage_threshold(cov);
            for &u in &[0.05, 0.3, 0.6, 0.95, 1.0] {
                assert_eq!(unit_distance(u) < thr, u > 1.0 - cov, "cov {cov} u {u}");
            }
        }
        assert!(unit_distance(1e-300) < coverage_threshold(1.0));
    }
}
