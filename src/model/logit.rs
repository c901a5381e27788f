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

/// Lanes the weight computation works in; utilities are padded to a multiple of it.
pub const LANES: usize = 8;

/// Fills `weights` with exp(V − max V) and returns their sum (≥ 1: the outside option is 0).
/// Both slices have a length that is a multiple of [`LANES`] (pad with [`UNAVAILABLE`]), so
/// the loops run over fixed-size chunks the compiler turns into vector instructions.
#[inline]
pub fn weights(utilities: &[f32], weights: &mut [f32]) -> f32 {
    let mut lane_max = [f32::MIN; LANES];
    for chunk in utilities.chunks_exact(LANES) {
        let c: &[f32; LANES] = chunk.try_into().expect("chunks are LANES long");
        for k in 0..LANES {
            lane_max[k] = if c[k] > lane_max[k] { c[k] } else { lane_max[k] };
        }
    }
    let max = lane_max.iter().fold(f32::MIN, |m, &x| if x > m { x } else { m });
    let mut lane_sum = [0.0f32; LANES];
    for (w, v) in weights.chunks_exact_mut(LANES).zip(utilities.chunks_exact(LANES)) {
        let w: &mut [f32; LANES] = w.try_into().expect("chunks are LANES long");
        let v: &[f32; LANES] = v.try_into().expect("chunks are LANES long");
        *w = exp_lanes(v, max);
        for k in 0..LANES {
            lane_sum[k] += w[k];
        }
    }
    lane_sum.iter().sum()
}

/// [`fast_exp`] of `v − max` on a fixed-size chunk: the same operations in the same order,
/// four lanes at a time with SSE2 (part of every x86-64 processor), so the results are
/// bit-identical to the scalar function.
#[inline(always)]
fn exp_lanes(v: &[f32; LANES], max: f32) -> [f32; LANES] {
    #[cfg(target_arch = "x86_64")]
    {
        let mut out = [0.0f32; LANES];
        for (o, x) in out.chunks_exact_mut(4).zip(v.chunks_exact(4)) {
            // SAFETY: SSE2 is part of the x86-64 baseline; loads and stores are unaligned ones
            // on 4-element chunks of fixed-size arrays.
            unsafe { sse2::exp4(x.as_ptr(), max, o.as_mut_ptr()) };
        }
        out
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        v.map(|x| fast_exp(x - max))
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// Writes fast_exp(x[k] − max) for k in 0..4 to `out`.
    #[inline(always)]
    pub(super) unsafe fn exp4(x: *const f32, max: f32, out: *mut f32) {
        unsafe {
            let x = _mm_sub_ps(_mm_loadu_ps(x), _mm_set1_ps(max));
            let floor = _mm_set1_ps(-87.0);
            let clamped = _mm_max_ps(x, floor);
            let rounder = _mm_set1_ps(12_582_912.0);
            let shifted = _mm_add_ps(_mm_mul_ps(clamped, _mm_set1_ps(std::f32::consts::LOG2_E)), rounder);
            let n = _mm_sub_ps(shifted, rounder);
            let r = _mm_sub_ps(
                _mm_sub_ps(clamped, _mm_mul_ps(n, _mm_set1_ps(0.693_145_75))),
                _mm_mul_ps(n, _mm_set1_ps(1.428_606_8e-6)),
            );
            let mut p = _mm_set1_ps(1.0 / 720.0);
            for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
                p = _mm_add_ps(_mm_set1_ps(c), _mm_mul_ps(r, p));
            }
            let bits = _mm_sub_epi32(
                _mm_and_si128(_mm_castps_si128(shifted), _mm_set1_epi32(0x007f_ffff)),
                _mm_set1_epi32(0x0040_0000),
            );
            let scale = _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(bits, _mm_set1_epi32(127)), 23));
            let below = _mm_cmplt_ps(x, floor);
            _mm_storeu_ps(out, _mm_andnot_ps(below, _mm_mul_ps(p, scale)));
        }
    }
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
    fn vector_and_scalar_exp_agree_bit_for_bit() {
        for i in 0..20_000 {
            let v: [f32; LANES] = std::array::from_fn(|k| -((i * LANES + k) as f32) * 7e-4 + 3.0);
            let max = 3.0;
            let lanes = exp_lanes(&v, max);
            for k in 0..LANES {
                assert_eq!(lanes[k].to_bits(), fast_exp(v[k] - max).to_bits(), "x = {}", v[k] - max);
            }
        }
        let unavailable = [UNAVAILABLE; LANES];
        assert_eq!(exp_lanes(&unavailable, 0.0), [0.0; LANES]);
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
