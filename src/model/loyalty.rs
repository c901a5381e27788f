//! Guadagni–Little loyalty (MODEL.md §4): an exponentially smoothed record of past choices.
//!
//! Each household keeps L_hr in 16 bits: L = q / 65536 (the quantum is a power of two, so the
//! value is exact in `f32`), updated in integers with round-to-nearest. A quantum is 1.5e-5
//! loyalty, 1.5e-5 × γ in utility: far below any interval the model reports. The one visible
//! effect of rounding is a floor: a loyalty below 0.5 / (1 − θ) quanta (2.5 quanta, 3.8e-5, at
//! the default θ = 0.8) no longer decays, where the exact recursion would keep shrinking it.

/// Loyalty per quantum: L = q × QUANTUM.
pub const QUANTUM: f32 = 1.0 / 65536.0;

/// The loyalty a stored quantum count stands for (exact).
#[inline(always)]
pub fn value(q: u16) -> f32 {
    f32::from(q) * QUANTUM
}

/// θ in quanta of 2⁻¹⁶: the integer the update multiplies by.
#[inline]
pub fn keep(smoothing: f32) -> u32 {
    (smoothing.clamp(0.0, 1.0) * 65536.0).round() as u32
}

/// L ← θL + (1 − θ)·[r was chosen] for every retailer, in quanta: q ← round(q·θ) (+ 65536·(1 − θ)
/// for the chosen one, saturating at 65535); `keep` is [`keep`]`(θ)`, `chosen` is `None` for the
/// outside option.
/// On x86-64 the decay runs eight retailers at a time, then four, in SSE2 lanes (the rounded
/// product from the high and low halves of 16-bit multiplies), the rest one by one: the same
/// integers either way.
#[inline]
pub fn update(loyalty: &mut [u16], chosen: Option<usize>, keep: u32) {
    #[cfg(target_arch = "x86_64")]
    let done = if keep < 65536 { decay_lanes(loyalty, keep as u16) } else { loyalty.len() };
    #[cfg(not(target_arch = "x86_64"))]
    let done = 0;
    for q in &mut loyalty[done..] {
        *q = ((u32::from(*q) * keep + 32768) >> 16) as u16;
    }
    if let Some(r) = chosen {
        loyalty[r] = (u32::from(loyalty[r]) + (65536 - keep)).min(65535) as u16;
    }
}

/// q ← (q·keep + 2¹⁵) >> 16 for the first multiple of four of `row`, eight and four at a time;
/// returns how many were done. With q·keep = hi·2¹⁶ + lo, adding 2¹⁵ carries into hi exactly
/// when lo ≥ 2¹⁵, so the result is hi + (lo >> 15) (at most 65535: no overflow).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn decay_lanes(row: &mut [u16], keep: u16) -> usize {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86-64; every load and store below lies inside `row`.
    unsafe {
        let k = _mm_set1_epi16(keep as i16);
        let decay = |q| _mm_add_epi16(_mm_mulhi_epu16(q, k), _mm_srli_epi16::<15>(_mm_mullo_epi16(q, k)));
        let mut i = 0;
        while i + 8 <= row.len() {
            let p = row.as_mut_ptr().add(i).cast::<__m128i>();
            _mm_storeu_si128(p, decay(_mm_loadu_si128(p)));
            i += 8;
        }
        if i + 4 <= row.len() {
            let p = row.as_mut_ptr().add(i).cast::<__m128i>();
            _mm_storel_epi64(p, decay(_mm_loadl_epi64(p)));
            i += 4;
        }
        i
    }
}

/// Loyalty moved from one retailer to another (a rebranding acquisition), saturating at 1.
#[inline]
pub fn absorb(loyalty: &mut [u16], from: usize, to: usize) {
    loyalty[to] = loyalty[to].saturating_add(loyalty[from]);
    loyalty[from] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored quantum count of loyalty `l` ∈ [0, 1] (nearest; 1 saturates at 65535).
    fn quantise(l: f32) -> u16 {
        (l.clamp(0.0, 1.0) * 65536.0).round().min(65535.0) as u16
    }

    /// Runs `update` on quantised loyalty beside the exact recursion in f64; returns the largest gap.
    fn largest_gap(start: &[f64], choices: &[Option<usize>], smoothing: f64) -> f64 {
        let mut exact = start.to_vec();
        let mut q: Vec<u16> = start.iter().map(|&l| quantise(l as f32)).collect();
        let mut gap: f64 = 0.0;
        for &chosen in choices {
            update(&mut q, chosen, keep(smoothing as f32));
            for (r, l) in exact.iter_mut().enumerate() {
                *l = smoothing * *l + (1.0 - smoothing) * f64::from(chosen == Some(r));
            }
            for (&l, &qr) in exact.iter().zip(&q) {
                gap = gap.max((l - f64::from(value(qr))).abs());
            }
        }
        gap
    }

    #[test]
    fn chosen_retailer_gains_and_others_decay() {
        let mut l = [quantise(0.5), quantise(0.2)];
        update(&mut l, Some(1), keep(0.8));
        assert!((value(l[0]) - 0.4).abs() <= QUANTUM);
        assert!((value(l[1]) - (0.16 + 0.2)).abs() <= 2.0 * QUANTUM);
    }

    #[test]
    fn outside_option_decays_everything() {
        let mut l = [quantise(0.5), quantise(0.25)];
        update(&mut l, None, keep(0.5));
        assert_eq!(l.map(value), [0.25, 0.125]);
    }

    #[test]
    fn quantised_loyalty_tracks_the_exact_recursion_within_its_rounding() {
        // Each step adds at most half a quantum of rounding plus δ = |keep − 65536θ| quanta (θ
        // itself rounded to quanta), and θ shrinks the error carried in: the gap stays below
        // (0.5 + δ) / (1 − θ) quanta, plus the start's half quantum.
        let choices: Vec<Option<usize>> = (0..500).map(|w| [Some(0), Some(2), None, Some(0)][w % 4]).collect();
        for smoothing in [0.5, 0.8, 0.95] {
            let delta = (f64::from(keep(smoothing as f32)) - 65536.0 * smoothing).abs();
            let bound = ((0.5 + delta) / (1.0 - smoothing) + 0.5) * f64::from(QUANTUM);
            let gap = largest_gap(&[0.3, 0.0, 0.9], &choices, smoothing);
            assert!(gap <= bound, "θ {smoothing}: gap {gap} above {bound}");
        }
    }

    #[test]
    fn loyalties_stay_in_the_unit_interval_and_sum_to_at_most_one() {
        // With θ' = keep / 65536 the gain is exactly 65536·(1 − θ'), so the sum S (in quanta)
        // only exceeds 65536 by rounding: S' ≤ θ'S + R/2 + 65536(1 − θ') for R retailers, which
        // keeps S ≤ 65536 + (R/2) / (1 − θ') from S = 0 (θ' = 1: nothing moves, S stays 0).
        for smoothing in [0.0, 0.3, 0.8, 1.0] {
            let mut l = [0_u16; 3];
            let theta = f64::from(keep(smoothing)) / 65536.0;
            let excess = if theta < 1.0 { 1.5 / (1.0 - theta) } else { 0.0 };
            for week in 0..200 {
                update(&mut l, [Some(0), Some(2), None][week % 3], keep(smoothing));
                let sum: u32 = l.iter().map(|&q| u32::from(q)).sum();
                assert!(f64::from(sum) <= 65536.0 + excess, "θ {smoothing}: sum {sum} quanta");
            }
        }
        let mut always = [0_u16; 2];
        for _ in 0..200 {
            update(&mut always, Some(1), keep(0.8));
        }
        // Always chosen, L → 1 = 65536 quanta, within the rounding bound of the test above.
        let delta = (f64::from(keep(0.8)) - 65536.0 * 0.8).abs();
        assert_eq!(always[0], 0);
        assert!(65536.0 - f64::from(always[1]) <= (0.5 + delta) / 0.2, "always chosen: {}", always[1]);
    }

    #[test]
    fn every_row_length_decays_each_retailer_alike() {
        for theta in [0.0, 0.5, 0.8, 0.999_99, 1.0] {
            let k = keep(theta);
            for len in 1..=20 {
                let start: Vec<u16> =
                    (0..len).map(|r| (r as u16).wrapping_mul(40_503) | ((r == 2) as u16 * 65535)).collect();
                let mut row = start.clone();
                update(&mut row, Some(len - 1), k);
                for (r, (&q, &before)) in row.iter().zip(&start).enumerate() {
                    let decayed = (u32::from(before) * k + 32768) >> 16;
                    let want = if r == len - 1 { (decayed + 65536 - k).min(65535) } else { decayed };
                    assert_eq!(u32::from(q), want, "θ {theta}, length {len}, retailer {r}");
                }
            }
        }
    }

    #[test]
    fn the_decay_is_the_rounded_product_for_every_count() {
        for theta in [0.01, 0.5, 0.8, 0.95, 0.999_99] {
            let k = keep(theta);
            let mut row: Vec<u16> = (0..=u16::MAX).collect();
            update(&mut row, None, k);
            for (q, &got) in (0..=u32::from(u16::MAX)).zip(&row) {
                assert_eq!(u32::from(got), (q * k + 32768) >> 16, "θ {theta}, q {q}");
            }
        }
    }

    #[test]
    fn absorbing_moves_loyalty_and_saturates() {
        let mut l = [quantise(0.25), quantise(0.5)];
        absorb(&mut l, 0, 1);
        assert_eq!(l.map(value), [0.0, 0.75]);
        let mut full = [60000_u16, 60000];
        absorb(&mut full, 0, 1);
        assert_eq!(full, [0, 65535]);
    }
}
