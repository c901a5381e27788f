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

/// Unit distance per stored quantum: households keep their unit distances in 16 bits,
/// d = q × DISTANCE_QUANTUM (a power of two, so exact in `f32`), up to 4 − 2⁻¹⁴. A unit
/// distance from a 53-bit uniform is at most sqrt(53 ln 2 / π) ≈ 3.42, so none saturates; the
/// rounding (at most 3.1e-5 unit distance, 0.003% of the mean 0.5) is far below any interval.
pub const DISTANCE_QUANTUM: f32 = 1.0 / 16384.0;

/// The stored quantum count of unit distance `d` ≥ 0 (nearest, halves away from zero, as
/// `f64::round`; saturates at 65535). Rounded by hand: `f64::round` is a libm call on the x86-64
/// baseline, once per household and retailer at set-up; for x ≥ 0 below 2⁵², x − ⌊x⌋ is exact,
/// so this is the same rounding.
#[inline]
pub fn quantise_distance(d: f64) -> u16 {
    let x = (d * 16384.0).clamp(0.0, 65535.0);
    let whole = x as u32;
    (whole + u32::from(x - f64::from(whole) >= 0.5)).min(65535) as u16
}

/// The unit distance a stored quantum count stands for (exact).
#[inline(always)]
pub fn distance_value(q: u16) -> f32 {
    f32::from(q) * DISTANCE_QUANTUM
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
    fn stored_distances_round_to_the_nearest_quantum_without_saturating() {
        let half = f64::from(DISTANCE_QUANTUM) / 2.0;
        for u in [1.0, 0.999_999, 0.7, 0.3, 1e-6, f64::EPSILON / 2.0] {
            let d = unit_distance(u);
            let gap = (f64::from(distance_value(quantise_distance(d))) - d).abs();
            assert!(gap <= half, "U {u}: d {d}, stored {}", distance_value(quantise_distance(d)));
        }
        assert!(quantise_distance(unit_distance(f64::EPSILON / 2.0)) < u16::MAX);
    }

    #[test]
    fn quantising_rounds_as_f64_round_does() {
        let mut x = 0.0_f64;
        while x < 4.0 {
            for d in [x, x + 0.5 / 16384.0, x + 0.5 / 16384.0 - 1e-17, x + 1e-9] {
                let want = (d * 16384.0).round().clamp(0.0, 65535.0) as u16;
                assert_eq!(quantise_distance(d), want, "d {d}");
            }
            x += 0.37 / 16384.0;
        }
        assert_eq!(quantise_distance(100.0), 65535);
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
