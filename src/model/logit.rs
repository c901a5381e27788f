//! Multinomial logit (MODEL.md §3): stable probabilities and inverse-CDF choice.
//!
//! The kernel works in `f32`: utilities of unavailable alternatives are [`UNAVAILABLE`] (or
//! sums of it), the largest utility is subtracted before exponentiating, and [`fast_exp`]
//! returns exactly 0 below −87, so an unavailable alternative never carries weight and any
//! finite utilities are safe. [`probabilities`] is the exact `f64` closed form tests compare with.

/// Utility of an alternative that does not exist: far below anything a scenario can produce.
pub const UNAVAILABLE: f32 = -1.0e30;

/// exp(x) for x ≤ 0 in `f32`, relative error below 3e-7; exactly 0 for x < −87 (and NaN-free).
/// Cody–Waite range reduction, a degree-6 Taylor polynomial on |r| ≤ ln2/2, and the power of
/// two built in the exponent bits. Pure arithmetic, so identical on every machine.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5·2^23: adding and subtracting it rounds to the nearest integer (ties to even) in
    // plain arithmetic, which vectorises where a call to `round` would not.
    const ROUNDER: f32 = 12_582_912.0;
    let clamped = if x > -87.0 { x } else { -87.0 };
    let shifted = clamped * LOG2E + ROUNDER;
    let n = shifted - ROUNDER;
    let r = (clamped - n * LN2_HI) - n * LN2_LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // The low mantissa bits of `shifted` hold 2^22 + n: the exponent of 2^n, in integer ops.
    let n_bits = (shifted.to_bits() & 0x007f_ffff) as i32 - 0x0040_0000;
    let scale = f32::from_bits(((n_bits + 127) as u32) << 23);
    if x < -87.0 { 0.0 } else { p * scale }
}

/// ln(x) for positive normal `f32` x, absolute error below 2e-7 on [1e-30, 1e30] (Cephes
/// `logf`: x = m·2^e with m in [√½, √2), a degree-9 polynomial in m − 1). Branch-free integer
/// and float operations, so a loop over a fixed-size array of them runs in vector lanes, with
/// the same bits on every path. Meaningless (but finite) for x ≤ 0: callers mask those.
#[inline(always)]
pub fn fast_ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 126;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    let small = m < std::f32::consts::FRAC_1_SQRT_2;
    let e = (e - small as i32) as f32;
    let t = if small { m + m - 1.0 } else { m - 1.0 };
    let z = t * t;
    let mut y = 7.037_683_6e-2;
    for c in [-1.151_461e-1, 1.167_699_9e-1, -1.242_014_1e-1, 1.424_932_3e-1, -1.666_805_8e-1, 2.000_071_4e-1] {
        y = y * t + c;
    }
    y = (y * t - 2.499_999_4e-1) * t + 3.333_333e-1;
    let y = y * t * z + e * -2.121_944_4e-4 - 0.5 * z;
    t + y + e * 0.693_359_4
}

/// Lanes the weight computation works in; utilities are padded to a multiple of it.
pub const LANES: usize = super::lanes::LANES;

/// Fills `weights` with exp(V − max V) and returns their sum (≥ 1: the outside option is 0).
/// Both slices have a length that is a multiple of [`LANES`] (pad with [`UNAVAILABLE`]); the
/// work runs in vector lanes ([`super::lanes`]), bit-identical to [`fast_exp`] on every path.
#[inline]
pub fn weights(utilities: &[f32], weights: &mut [f32]) -> f32 {
    super::lanes::logit_weights(utilities, weights)
}

/// Length of a utility buffer for `alternatives`, padded to a multiple of [`LANES`].
pub fn padded(alternatives: usize) -> usize {
    alternatives.div_ceil(LANES) * LANES
}

/// Choice probabilities in `f64`, the closed form that statistical tests compare with.
pub fn probabilities(utilities: &[f64]) -> Vec<f64> {
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = utilities.iter().map(|&v| if v == f64::NEG_INFINITY { 0.0 } else { (v - max).exp() }).collect();
    let total: f64 = w.iter().sum();
    w.iter().map(|x| x / total).collect()
}

/// The alternative picked by uniform `u` ∈ [0, 1): the first whose cumulative weight exceeds
/// u·total; and where u fell inside that alternative's stretch, as a fraction in [0, 1) — itself
/// uniform and independent of the pick, so it can drive a second, coupled draw.
#[inline]
pub fn pick(weights: &[f32], total: f32, u: f32) -> (usize, f32) {
    let target = u * total;
    let mut cumulative = 0.0;
    let mut last_available = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            let before = cumulative;
            cumulative += w;
            last_available = i;
            if cumulative > target {
                return (i, ((target - before) / w).clamp(0.0, 1.0 - f32::EPSILON));
            }
        }
    }
    (last_available, 1.0 - f32::EPSILON)
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
        let mut w = [0.0f32; 8];
        let v = [0.0, 1e6, -1e6, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE];
        let total = weights(&v, &mut w);
        assert_eq!((&w[..4], total), (&[0.0, 1.0, 0.0, 0.0][..], 1.0));
    }

    #[test]
    fn fast_exp_is_accurate_and_exactly_zero_far_below() {
        let mut worst: f64 = 0.0;
        for i in 0..=870_000 {
            let x = -(i as f32) * 1e-4;
            let exact = (x as f64).exp();
            let rel = ((fast_exp(x) as f64 - exact) / exact).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 3e-7, "worst relative error {worst:e}");
        assert_eq!(fast_exp(-87.5), 0.0);
        assert_eq!(fast_exp(UNAVAILABLE), 0.0);
        assert_eq!(fast_exp(3.0 * UNAVAILABLE), 0.0);
        assert_eq!(fast_exp(0.0), 1.0);
    }

    #[test]
    fn fast_ln_is_accurate_from_tiny_to_huge() {
        let mut worst: f64 = 0.0;
        for i in 0..=600_000 {
            let x = 10f32.powf(-30.0 + i as f32 * 1e-4);
            worst = worst.max((f64::from(fast_ln(x)) - f64::from(x).ln()).abs() / f64::from(x).ln().abs().max(1.0));
        }
        assert!(worst < 2e-7, "worst error {worst:e}");
        assert_eq!(fast_ln(1.0), 0.0);
    }

    #[test]
    fn weights_match_the_closed_form() {
        let v = [0.0f32, 1.0, -0.5, UNAVAILABLE, -3.0, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE];
        let mut w = [0.0f32; 8];
        let total = weights(&v, &mut w);
        let exact = probabilities(&[0.0, 1.0, -0.5, f64::NEG_INFINITY, -3.0]);
        for (wi, pi) in w.iter().zip(exact) {
            assert!(((wi / total) as f64 - pi).abs() < 1e-6);
        }
    }

    #[test]
    fn pick_inverts_the_cdf_and_skips_unavailable() {
        let w = [1.0, 0.0, 1.0, 2.0];
        let alt = |u: f32| pick(&w, 4.0, u).0;
        assert_eq!(alt(0.0), 0);
        assert_eq!(alt(0.24), 0);
        assert_eq!(alt(0.25), 2);
        assert_eq!(alt(0.49), 2);
        assert_eq!(alt(0.5), 3);
        assert_eq!(alt(0.999_999), 3);
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
