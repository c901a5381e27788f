//! [`fast_exp`] over many lanes at once: eight with AVX2 where the processor has it (detected
//! at run time), four with SSE2 (every x86-64) otherwise, plain `f32` elsewhere. Every path
//! performs the scalar function's operations in the same order, without fused multiply-adds,
//! so every path gives the same bits and results do not depend on the machine.

use super::logit::{fast_exp, fast_ln};

/// Lanes of the widest path; buffers padded to a multiple of it run without a scalar tail.
pub const LANES: usize = 8;

/// True where the eight-lane path runs (x86-64 with AVX2).
#[inline]
pub fn wide() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `out[k] = fast_exp(x[k] − shift)` for every k; the slices have the same length.
#[inline]
pub fn exp_shifted(x: &[f32], shift: f32, out: &mut [f32]) {
    exp_shifted_on(wide(), x, shift, out);
}

/// [`exp_shifted`] on the eight-lane path if `wide` (and AVX2 is there), else four lanes.
#[inline(always)]
fn exp_shifted_on(wide: bool, x: &[f32], shift: f32, out: &mut [f32]) {
    let whole = x.len() / LANES * LANES;
    #[cfg(target_arch = "x86_64")]
    if wide && self::wide() {
        // SAFETY: AVX2 was detected just above.
        unsafe { avx2::exp_chunks(&x[..whole], shift, &mut out[..whole]) };
    } else {
        for (o, v) in out[..whole].chunks_exact_mut(4).zip(x[..whole].chunks_exact(4)) {
            // SAFETY: SSE2 is part of the x86-64 baseline; 4-element unaligned loads/stores.
            unsafe { sse2::exp4(v.as_ptr(), shift, o.as_mut_ptr()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    for (o, &v) in out[..whole].iter_mut().zip(&x[..whole]) {
        let _ = wide;
        *o = fast_exp(v - shift);
    }
    for (o, &v) in out[whole..].iter_mut().zip(&x[whole..]) {
        *o = fast_exp(v - shift);
    }
}

/// `out[k] = fast_exp((v[k] − top) · inverse[k])` for every k (the slices have the same
/// length): the scaling and [`exp_shifted`] with shift 0 in one pass, bit for bit the same as
/// scaling into a buffer first (x − 0 is x).
#[inline]
pub fn exp_scaled(v: &[f32], top: f32, inverse: &[f32], out: &mut [f32]) {
    exp_scaled_on(wide(), v, top, inverse, out);
}

/// [`exp_scaled`] on the eight-lane path if `wide` (and AVX2 is there), else four lanes.
#[inline(always)]
fn exp_scaled_on(wide: bool, v: &[f32], top: f32, inverse: &[f32], out: &mut [f32]) {
    let (v, inverse) = (&v[..out.len()], &inverse[..out.len()]);
    let whole = out.len() / LANES * LANES;
    #[cfg(target_arch = "x86_64")]
    if wide && self::wide() {
        // SAFETY: AVX2 was detected just above.
        unsafe { avx2::exp_scaled_chunks(&v[..whole], top, &inverse[..whole], &mut out[..whole]) };
    } else {
        let chunks = out[..whole].chunks_exact_mut(4).zip(v[..whole].chunks_exact(4)).zip(inverse.chunks_exact(4));
        for ((o, v), inv) in chunks {
            let x: [f32; 4] = std::array::from_fn(|k| (v[k] - top) * inv[k]);
            // SAFETY: SSE2 is part of the x86-64 baseline; 4-element unaligned loads/stores.
            unsafe { sse2::exp4(x.as_ptr(), 0.0, o.as_mut_ptr()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    for ((o, &v), &inv) in out[..whole].iter_mut().zip(&v[..whole]).zip(inverse) {
        let _ = wide;
        *o = fast_exp((v - top) * inv - 0.0);
    }
    for ((o, &v), &inv) in out[whole..].iter_mut().zip(&v[whole..]).zip(&inverse[whole..]) {
        *o = fast_exp((v - top) * inv - 0.0);
    }
}

/// `out[k] = fast_ln(x[k])` for every k (the slices have the same length): four lanes at a time
/// with SSE2 on x86-64, the same operations in the same order, so the same bits.
#[inline]
pub fn ln_into(x: &[f32], out: &mut [f32]) {
    let mut whole = 0;
    #[cfg(target_arch = "x86_64")]
    if wide() {
        whole = x.len() / LANES * LANES;
        // SAFETY: AVX2 was detected just above.
        unsafe { avx2::ln_chunks(&x[..whole], &mut out[..whole]) };
    }
    let done = whole;
    let whole = done + (x.len() - done) / 4 * 4;
    #[cfg(target_arch = "x86_64")]
    for (o, v) in out[done..whole].chunks_exact_mut(4).zip(x[done..whole].chunks_exact(4)) {
        // SAFETY: SSE2 is part of the x86-64 baseline; 4-element unaligned loads/stores.
        unsafe { sse2::ln4(v.as_ptr(), o.as_mut_ptr()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    for (o, &v) in out[..whole].iter_mut().zip(&x[..whole]) {
        *o = fast_ln(v);
    }
    for (o, &v) in out[whole..].iter_mut().zip(&x[whole..]) {
        *o = fast_ln(v);
    }
}

/// Logit weights exp(V − max V) into `weights`, returning their sum, for slices whose length is
/// a multiple of [`LANES`]. The sum is taken lane by lane over the chunks, then over the lanes
/// in order, on every path, so the total has the same bits everywhere.
#[inline]
pub fn logit_weights(utilities: &[f32], weights: &mut [f32]) -> f32 {
    logit_weights_on(wide(), utilities, weights)
}

/// [`logit_weights`] on the eight-lane path if `wide` (and AVX2 is there), else four lanes.
#[inline(always)]
fn logit_weights_on(wide: bool, utilities: &[f32], weights: &mut [f32]) -> f32 {
    debug_assert!(utilities.len().is_multiple_of(LANES) && utilities.len() == weights.len());
    #[cfg(target_arch = "x86_64")]
    if wide && self::wide() {
        // SAFETY: AVX2 was detected just above; lengths are multiples of 8.
        return unsafe { avx2::logit_weights(utilities, weights) };
    }
    let mut lane_max = [f32::MIN; LANES];
    for chunk in utilities.chunks_exact(LANES) {
        for k in 0..LANES {
            lane_max[k] = if chunk[k] > lane_max[k] { chunk[k] } else { lane_max[k] };
        }
    }
    let max = lane_max.iter().fold(f32::MIN, |m, &x| if x > m { x } else { m });
    exp_shifted_on(false, utilities, max, weights);
    let mut lane_sum = [0.0f32; LANES];
    for w in weights.chunks_exact(LANES) {
        for k in 0..LANES {
            lane_sum[k] += w[k];
        }
    }
    lane_sum.iter().sum()
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// Writes fast_ln(x[k]) for k in 0..4 to `out`: the scalar sequence, selects as masks.
    #[inline(always)]
    pub(super) unsafe fn ln4(x: *const f32, out: *mut f32) {
        unsafe {
            let bits = _mm_castps_si128(_mm_loadu_ps(x));
            let e = _mm_sub_epi32(_mm_and_si128(_mm_srli_epi32(bits, 23), _mm_set1_epi32(0xff)), _mm_set1_epi32(126));
            let m = _mm_castsi128_ps(_mm_or_si128(
                _mm_and_si128(bits, _mm_set1_epi32(0x007f_ffff)),
                _mm_set1_epi32(0x3f00_0000),
            ));
            let small = _mm_cmplt_ps(m, _mm_set1_ps(std::f32::consts::FRAC_1_SQRT_2));
            // The mask is −1 where small: adding it subtracts one.
            let e = _mm_cvtepi32_ps(_mm_add_epi32(e, _mm_castps_si128(small)));
            let one = _mm_set1_ps(1.0);
            let t = _mm_or_ps(
                _mm_and_ps(small, _mm_sub_ps(_mm_add_ps(m, m), one)),
                _mm_andnot_ps(small, _mm_sub_ps(m, one)),
            );
            let z = _mm_mul_ps(t, t);
            let mut y = _mm_set1_ps(7.037_683_6e-2);
            for c in [-1.151_461e-1, 1.167_699_9e-1, -1.242_014_1e-1, 1.424_932_3e-1, -1.666_805_8e-1, 2.000_071_4e-1] {
                y = _mm_add_ps(_mm_mul_ps(y, t), _mm_set1_ps(c));
            }
            y = _mm_add_ps(_mm_mul_ps(y, t), _mm_set1_ps(-2.499_999_4e-1));
            y = _mm_add_ps(_mm_mul_ps(y, t), _mm_set1_ps(3.333_333e-1));
            let y = _mm_sub_ps(
                _mm_add_ps(_mm_mul_ps(_mm_mul_ps(y, t), z), _mm_mul_ps(e, _mm_set1_ps(-2.121_944_4e-4))),
                _mm_mul_ps(_mm_set1_ps(0.5), z),
            );
            let ln = _mm_add_ps(_mm_add_ps(t, y), _mm_mul_ps(e, _mm_set1_ps(0.693_359_4)));
            _mm_storeu_ps(out, ln);
        }
    }

    /// Writes fast_exp(x[k] − shift) for k in 0..4 to `out`.
    #[inline(always)]
    pub(super) unsafe fn exp4(x: *const f32, shift: f32, out: *mut f32) {
        unsafe {
            let x = _mm_sub_ps(_mm_loadu_ps(x), _mm_set1_ps(shift));
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

/// The eight-lane functions, for kernels that run whole households in lanes.
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use std::arch::x86_64::*;

    /// fast_exp(x − shift) on eight lanes: the SSE2 sequence, 256 bits wide.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(crate) fn exp8(x: __m256, shift: __m256) -> __m256 {
        let x = _mm256_sub_ps(x, shift);
        let floor = _mm256_set1_ps(-87.0);
        let clamped = _mm256_max_ps(x, floor);
        let rounder = _mm256_set1_ps(12_582_912.0);
        let shifted = _mm256_add_ps(_mm256_mul_ps(clamped, _mm256_set1_ps(std::f32::consts::LOG2_E)), rounder);
        let n = _mm256_sub_ps(shifted, rounder);
        let r = _mm256_sub_ps(
            _mm256_sub_ps(clamped, _mm256_mul_ps(n, _mm256_set1_ps(0.693_145_75))),
            _mm256_mul_ps(n, _mm256_set1_ps(1.428_606_8e-6)),
        );
        let mut p = _mm256_set1_ps(1.0 / 720.0);
        for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
            p = _mm256_add_ps(_mm256_set1_ps(c), _mm256_mul_ps(r, p));
        }
        let bits = _mm256_sub_epi32(
            _mm256_and_si256(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x007f_ffff)),
            _mm256_set1_epi32(0x0040_0000),
        );
        let scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127)), 23));
        let below = _mm256_cmp_ps::<_CMP_LT_OQ>(x, floor);
        _mm256_andnot_ps(below, _mm256_mul_ps(p, scale))
    }

    /// [`super::exp_shifted`] over whole chunks of eight.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn exp_chunks(x: &[f32], shift: f32, out: &mut [f32]) {
        let shift = _mm256_set1_ps(shift);
        for (o, v) in out.chunks_exact_mut(8).zip(x.chunks_exact(8)) {
            // SAFETY: both chunks hold exactly eight f32; unaligned loads and stores.
            unsafe { _mm256_storeu_ps(o.as_mut_ptr(), exp8(_mm256_loadu_ps(v.as_ptr()), shift)) };
        }
    }

    /// [`super::exp_scaled`] over whole chunks of eight: x = (v − top)·inverse, then
    /// fast_exp(x − 0).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn exp_scaled_chunks(v: &[f32], top: f32, inverse: &[f32], out: &mut [f32]) {
        let (top, zero) = (_mm256_set1_ps(top), _mm256_setzero_ps());
        for ((o, v), inv) in out.chunks_exact_mut(8).zip(v.chunks_exact(8)).zip(inverse.chunks_exact(8)) {
            // SAFETY: every chunk holds exactly eight f32; unaligned loads and stores.
            unsafe {
                let x = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(v.as_ptr()), top), _mm256_loadu_ps(inv.as_ptr()));
                _mm256_storeu_ps(o.as_mut_ptr(), exp8(x, zero));
            }
        }
    }

    /// fast_ln on eight lanes: the SSE2 sequence of `ln4`, 256 bits wide.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(crate) fn ln8(x: __m256) -> __m256 {
        let bits = _mm256_castps_si256(x);
        let e = _mm256_sub_epi32(
            _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff)),
            _mm256_set1_epi32(126),
        );
        let m = _mm256_castsi256_ps(_mm256_or_si256(
            _mm256_and_si256(bits, _mm256_set1_epi32(0x007f_ffff)),
            _mm256_set1_epi32(0x3f00_0000),
        ));
        let small = _mm256_cmp_ps::<_CMP_LT_OS>(m, _mm256_set1_ps(std::f32::consts::FRAC_1_SQRT_2));
        // The mask is −1 where small: adding it subtracts one.
        let e = _mm256_cvtepi32_ps(_mm256_add_epi32(e, _mm256_castps_si256(small)));
        let one = _mm256_set1_ps(1.0);
        let t = _mm256_or_ps(
            _mm256_and_ps(small, _mm256_sub_ps(_mm256_add_ps(m, m), one)),
            _mm256_andnot_ps(small, _mm256_sub_ps(m, one)),
        );
        let z = _mm256_mul_ps(t, t);
        let mut y = _mm256_set1_ps(7.037_683_6e-2);
        for c in [-1.151_461e-1, 1.167_699_9e-1, -1.242_014_1e-1, 1.424_932_3e-1, -1.666_805_8e-1, 2.000_071_4e-1] {
            y = _mm256_add_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(c));
        }
        y = _mm256_add_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(-2.499_999_4e-1));
        y = _mm256_add_ps(_mm256_mul_ps(y, t), _mm256_set1_ps(3.333_333e-1));
        let y = _mm256_sub_ps(
            _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(y, t), z), _mm256_mul_ps(e, _mm256_set1_ps(-2.121_944_4e-4))),
            _mm256_mul_ps(_mm256_set1_ps(0.5), z),
        );
        _mm256_add_ps(_mm256_add_ps(t, y), _mm256_mul_ps(e, _mm256_set1_ps(0.693_359_4)))
    }

    /// [`super::ln_into`] over whole chunks of eight.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn ln_chunks(x: &[f32], out: &mut [f32]) {
        for (o, v) in out.chunks_exact_mut(8).zip(x.chunks_exact(8)) {
            // SAFETY: both chunks hold exactly eight f32; unaligned loads and stores.
            unsafe { _mm256_storeu_ps(o.as_mut_ptr(), ln8(_mm256_loadu_ps(v.as_ptr()))) };
        }
    }

    /// [`super::logit_weights`] in eight-lane registers.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn logit_weights(utilities: &[f32], weights: &mut [f32]) -> f32 {
        let mut max8 = _mm256_set1_ps(f32::MIN);
        for v in utilities.chunks_exact(8) {
            // SAFETY: eight f32 per chunk.
            max8 = _mm256_max_ps(unsafe { _mm256_loadu_ps(v.as_ptr()) }, max8);
        }
        let mut lanes = [0.0f32; 8];
        // SAFETY: `lanes` holds eight f32.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), max8) };
        let max = lanes.iter().fold(f32::MIN, |m, &x| if x > m { x } else { m });
        let shift = _mm256_set1_ps(max);
        let mut sum8 = _mm256_setzero_ps();
        for (w, v) in weights.chunks_exact_mut(8).zip(utilities.chunks_exact(8)) {
            // SAFETY: eight f32 per chunk; unaligned loads and stores.
            let e = exp8(unsafe { _mm256_loadu_ps(v.as_ptr()) }, shift);
            unsafe { _mm256_storeu_ps(w.as_mut_ptr(), e) };
            sum8 = _mm256_add_ps(sum8, e);
        }
        // SAFETY: `lanes` holds eight f32.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum8) };
        lanes.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logit::UNAVAILABLE;

    fn values(i: usize) -> [f32; 24] {
        std::array::from_fn(
            |k| if (i + k).is_multiple_of(11) { UNAVAILABLE } else { -((i * 24 + k) as f32) * 3e-4 + 2.0 },
        )
    }

    #[test]
    fn every_path_is_the_scalar_exp_bit_for_bit() {
        let mut out = [0.0f32; 21];
        for wide in [false, true] {
            for i in 0..20_000 {
                let v = values(i);
                exp_shifted_on(wide, &v[..21], 2.0, &mut out);
                for k in 0..21 {
                    assert_eq!(out[k].to_bits(), fast_exp(v[k] - 2.0).to_bits(), "x = {}, wide {wide}", v[k] - 2.0);
                }
            }
        }
        assert_eq!(wide(), cfg!(target_arch = "x86_64") && std::arch::is_x86_feature_detected!("avx2"));
    }

    /// The fused scale-and-exp is the scaling into a buffer and the shifted exp, bit for bit.
    #[test]
    fn scaled_exp_is_scaling_then_exp_bit_for_bit() {
        let mut out = [0.0f32; 21];
        for wide in [false, true] {
            for i in 0..20_000 {
                let v = values(i);
                let inverse: [f32; 21] = std::array::from_fn(|k| 1.0 / [1.0, 0.7, 0.6, 0.33][(i + k) % 4]);
                exp_scaled_on(wide, &v[..21], 1.5, &inverse, &mut out);
                for k in 0..21 {
                    let x = (v[k] - 1.5) * inverse[k];
                    assert_eq!(out[k].to_bits(), fast_exp(x - 0.0).to_bits(), "x = {x}, wide {wide}");
                }
            }
        }
    }

    #[test]
    fn the_lanes_ln_is_the_scalar_ln_bit_for_bit() {
        let mut out = [0.0f32; 23];
        for i in 0..40_000u32 {
            let x: [f32; 23] = std::array::from_fn(|k| f32::from_bits(0x0080_0000 + (i * 23 + k as u32) * 2_300));
            ln_into(&x, &mut out);
            for k in 0..23 {
                assert_eq!(out[k].to_bits(), fast_ln(x[k]).to_bits(), "x = {}", x[k]);
            }
        }
    }

    /// Both paths against a scalar reference of the same definition: same weights, same total.
    #[test]
    fn logit_weights_match_the_scalar_definition_bit_for_bit() {
        let mut w = [0.0f32; 24];
        for wide in [false, true] {
            for i in 0..5_000 {
                let v = values(i);
                let total = logit_weights_on(wide, &v, &mut w);
                let max = v.iter().fold(f32::MIN, |m, &x| if x > m { x } else { m });
                let mut lane_sum = [0.0f32; LANES];
                for (k, (&wk, &vk)) in w.iter().zip(&v).enumerate() {
                    assert_eq!(wk.to_bits(), fast_exp(vk - max).to_bits());
                    lane_sum[k % LANES] += wk;
                }
                assert_eq!(total.to_bits(), lane_sum.iter().sum::<f32>().to_bits(), "wide {wide}");
            }
        }
    }
}
