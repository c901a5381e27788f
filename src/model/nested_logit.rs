//! Nested logit by format (MODEL.md §3a): the exact `f64` closed form the tests compare with,
//! and the stable `f32` choice weights a kernel picks from by inverse CDF.
//!
//! With nests n, dissimilarities λ_n ∈ (0, 1] and S_n = Σ_{a∈n} exp(V_a/λ_n),
//! P(a) = exp(V_a/λ_n) · S_n^(λ_n − 1) / Σ_m S_m^(λ_m). λ = 1 everywhere is the plain logit.
//! For stability every exponent is taken from the largest utility M of all alternatives:
//! e_a = exp((V_a − M)/λ_n), the inclusive value I_n = M + λ_n ln Σ e_a, and a's weight is
//! exp(I_n − max I) · e_a / Σ e_a, so no exponent is ever positive. The kernel's version needs
//! one ln and one exp per nest (in vector lanes), not per alternative.

use super::lanes::{self, LANES};
use super::logit::UNAVAILABLE;
#[cfg(test)]
use super::logit::{fast_exp, fast_ln};

/// P(a) for every alternative; `nest[a]` indexes `lambda`. Alternatives at or below
/// [`UNAVAILABLE`] get 0; a nest with none available is left out.
pub fn probabilities(utilities: &[f64], nest: &[usize], lambda: &[f64]) -> Vec<f64> {
    let available = |a: usize| utilities[a] > f64::from(UNAVAILABLE) / 2.0;
    let mut max = vec![f64::NEG_INFINITY; lambda.len()];
    for a in (0..utilities.len()).filter(|&a| available(a)) {
        max[nest[a]] = max[nest[a]].max(utilities[a]);
    }
    let mut sums = vec![0.0; lambda.len()];
    for a in (0..utilities.len()).filter(|&a| available(a)) {
        sums[nest[a]] += ((utilities[a] - max[nest[a]]) / lambda[nest[a]]).exp();
    }
    let inclusive: Vec<f64> = (0..lambda.len())
        .map(|n| if sums[n] > 0.0 { max[n] + lambda[n] * sums[n].ln() } else { f64::NEG_INFINITY })
        .collect();
    let top = inclusive.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = inclusive.iter().map(|i| (i - top).exp()).sum();
    (0..utilities.len())
        .map(|a| {
            if !available(a) {
                return 0.0;
            }
            let n = nest[a];
            let within = ((utilities[a] - max[n]) / lambda[n]).exp() / sums[n];
            (inclusive[n] - top).exp() / total * within
        })
        .collect()
}

/// Nests a [`NestScratch`] holds: every value of the `u8` nest index, so indexing by it needs
/// no bounds check in the kernel's loops.
const MAX_NESTS: usize = 256;

/// Scratch space for [`weights`].
#[derive(Debug, Clone)]
pub struct NestScratch {
    /// Σ e_a per nest, then the factor that turns e_a into a weight overall.
    sum: Box<[f32; MAX_NESTS]>,
    /// λ per nest, padded with 1 to whole vector chunks.
    lambda: Vec<f32>,
    /// Inclusive values, padded with [`UNAVAILABLE`] to whole vector chunks.
    inclusive: Vec<f32>,
    /// exp(I_n − max I) per nest, the same length as `inclusive`.
    nest_weight: Vec<f32>,
    /// 1/λ per alternative, for [`weights`] (the kernel keeps its own, see [`Nests`]).
    inverse: Vec<f32>,
}

impl NestScratch {
    /// Each nest's factor after [`within_nest_weights`], indexed by the `u8` nest.
    #[inline(always)]
    pub fn factors(&self) -> &[f32; MAX_NESTS] {
        &self.sum
    }

    /// Room for `nests` nests (at most 256: nests are `u8`).
    pub fn new(nests: usize) -> NestScratch {
        let padded = nests.clamp(1, MAX_NESTS).div_ceil(LANES) * LANES;
        NestScratch {
            sum: Box::new([0.0; MAX_NESTS]),
            lambda: vec![1.0; padded],
            inclusive: vec![UNAVAILABLE; padded],
            nest_weight: vec![0.0; padded],
            inverse: Vec::new(),
        }
    }
}

/// The nest structure of one list of alternatives: each one's nest, 1/λ of that nest (the
/// kernel computes it once per week), λ per nest (at most 256 nests), and the alternatives of
/// each nest listed together.
#[derive(Debug, Clone, Copy)]
pub struct Nests<'a> {
    /// Nest of each alternative.
    pub nest: &'a [u8],
    /// 1/λ of each alternative's nest.
    pub inverse: &'a [f32],
    /// λ per nest.
    pub lambda: &'a [f32],
    /// The alternatives of each nest, in order.
    pub members: &'a Members,
}

/// The alternatives of each nest, nest after nest, each nest's in increasing order, so a nest's
/// sum runs in a register, in the order of the alternatives (the same bits as adding them into
/// per-nest slots one alternative at a time), and different nests' sums overlap in the
/// processor instead of waiting on each other through memory.
#[derive(Debug, Clone, Default)]
pub struct Members {
    /// Positions of nest 0's alternatives, then nest 1's, …
    order: Vec<u16>,
    /// Nest n's positions are `order[bounds[n]..bounds[n + 1]]`.
    bounds: Vec<usize>,
}

impl Members {
    /// The members of `nests` nests among the positions `kept` of a list whose nests are `nest`.
    /// Positions left out must weigh exactly 0 (padding), so leaving them out changes no sum.
    pub fn new(nest: &[u8], nests: usize, kept: impl Iterator<Item = usize> + Clone) -> Members {
        let mut members = Members { order: Vec::new(), bounds: vec![0] };
        for n in 0..nests {
            let positions = kept.clone().filter(|&a| usize::from(nest[a]) == n);
            members.order.extend(positions.map(|a| u16::try_from(a).expect("at most 65,536 alternatives")));
            members.bounds.push(members.order.len());
        }
        members
    }

    /// Positions of nest `n`'s alternatives, in order.
    #[inline(always)]
    fn of(&self, n: usize) -> &[u16] {
        &self.order[self.bounds[n]..self.bounds[n + 1]]
    }

    /// The largest position listed, plus one (0 if none).
    fn end(&self) -> usize {
        self.order.iter().map(|&a| usize::from(a) + 1).max().unwrap_or(0)
    }
}

/// Fills `weights` with each alternative's nested-logit weight (proportional to P(a), in the
/// same order as `utilities`) and returns their sum, for an inverse-CDF pick. `nest[a]` indexes
/// `lambda`; unavailable alternatives ([`UNAVAILABLE`]) weigh exactly 0. See [`weights_in`].
pub fn weights(utilities: &[f32], nest: &[u8], lambda: &[f32], scratch: &mut NestScratch, weights: &mut [f32]) -> f32 {
    let mut inverse = std::mem::take(&mut scratch.inverse);
    inverse.clear();
    inverse.extend(nest.iter().map(|&n| 1.0 / lambda[n as usize]));
    let members = Members::new(nest, lambda.len(), 0..utilities.len());
    let total = weights_in(utilities, Nests { nest, inverse: &inverse, lambda, members: &members }, scratch, weights);
    scratch.inverse = inverse;
    total
}

/// [`weights`] with 1/λ per alternative given. Every exponent is relative to the largest
/// utility M of all alternatives (not of each nest): e_a = exp((V_a − M)/λ_n) ≤ 1, and
/// I_n = M + λ_n ln Σ_{a∈n} e_a. An alternative more than ~50 utility units below the best
/// underflows to weight 0, where its probability is below e^−50 anyway. The per-alternative
/// steps (largest utility, scaling, exp) run in vector lanes; the per-nest ones (ln, exp) run
/// in lanes over the nests padded to whole chunks of eight; sums are taken in alternative order and nest order, so
/// the result does not depend on the lanes.
#[inline(always)]
pub fn weights_in(utilities: &[f32], nests: Nests, scratch: &mut NestScratch, weights: &mut [f32]) -> f32 {
    let total = within_nest_weights(utilities, nests, scratch, weights);
    let factor = scratch.factors();
    for (w, &n) in weights.iter_mut().zip(nests.nest) {
        *w *= factor[n as usize];
    }
    total
}

/// The first part of [`weights_in`]: fills `weights` with the within-nest weights e_a, leaves
/// in [`NestScratch::factors`] each nest's factor exp(I_n − max I)/Σ e_a, and returns the
/// total. A's weight overall is e_a times its nest's factor: a kernel that picks by inverse CDF
/// needs that product only for the alternatives it walks past.
#[inline(always)]
pub fn within_nest_weights(utilities: &[f32], nests: Nests, scratch: &mut NestScratch, weights: &mut [f32]) -> f32 {
    let count = utilities.len();
    let n_count = nests.lambda.len().min(MAX_NESTS);
    debug_assert!(nests.members.end() <= count);
    let weights = &mut weights[..count];
    let top = largest(utilities);
    // fast_exp((V − M)/λ_n − 0), the scaling and the exp in one pass.
    lanes::exp_scaled(utilities, top, &nests.inverse[..count], weights);
    let sum = &mut *scratch.sum;
    for (n, s) in sum[..n_count].iter_mut().enumerate() {
        let mut total = 0.0;
        for &a in nests.members.of(n) {
            total += weights[usize::from(a)];
        }
        *s = total;
    }
    scratch.lambda[..n_count].copy_from_slice(&nests.lambda[..n_count]);
    let padded = scratch.inclusive.len();
    inclusive_values(&sum[..padded], &scratch.lambda, top, &mut scratch.inclusive);
    let best = largest(&scratch.inclusive);
    lanes::exp_shifted(&scratch.inclusive, best, &mut scratch.nest_weight);
    // Reuse `sum` as the factor that turns a within-nest weight into a weight overall, over the
    // padded nests at once (padding nests have sum 0 and get 0).
    for (s, &nest_weight) in sum[..padded].iter_mut().zip(&scratch.nest_weight) {
        let factor = nest_weight / *s;
        *s = if *s > 0.0 { factor } else { 0.0 };
    }
    let mut total = 0.0;
    for &nest_weight in &scratch.nest_weight[..n_count] {
        total += nest_weight;
    }
    total
}

/// The largest value (order does not matter for a maximum of non-NaN values): lane by lane over
/// chunks of eight, then halving the lanes.
#[inline(always)]
fn largest(x: &[f32]) -> f32 {
    let max = |a: f32, b: f32| if b > a { b } else { a };
    let mut lane = [f32::MIN; LANES];
    let mut chunks = x.chunks_exact(LANES);
    for chunk in &mut chunks {
        for k in 0..LANES {
            lane[k] = max(lane[k], chunk[k]);
        }
    }
    let mut width = LANES / 2;
    while width > 0 {
        for k in 0..width {
            lane[k] = max(lane[k], lane[k + width]);
        }
        width /= 2;
    }
    chunks.remainder().iter().fold(lane[0], |m, &v| max(m, v))
}

/// I_n = M + λ_n ln S_n for nests with S_n > 0, [`UNAVAILABLE`] for the others; the ln in
/// vector lanes ([`lanes::ln_into`], bit-identical to [`super::logit::fast_ln`]).
#[inline(always)]
fn inclusive_values(sum: &[f32], lambda: &[f32], top: f32, inclusive: &mut [f32]) {
    lanes::ln_into(sum, inclusive);
    for ((i, &s), &l) in inclusive.iter_mut().zip(sum).zip(lambda) {
        let value = top + l * *i;
        *i = if s > 0.0 { value } else { UNAVAILABLE };
    }
}

/// The same weights one alternative at a time with the scalar `fast_exp`: the reference the
/// vector version is tested against, bit for bit.
#[cfg(test)]
fn weights_scalar(utilities: &[f32], nest: &[u8], lambda: &[f32], weights: &mut [f32]) -> f32 {
    let nests = lambda.len();
    let (mut sum, mut inclusive) = (vec![0.0f32; nests], vec![0.0f32; nests]);
    let top = utilities.iter().fold(f32::MIN, |m, &v| if v > m { v } else { m });
    for ((w, v), &n) in weights.iter_mut().zip(utilities).zip(nest) {
        let n = n as usize;
        *w = fast_exp((v - top) * (1.0 / lambda[n]));
        sum[n] += *w;
    }
    let mut best = f32::MIN;
    for (n, l) in lambda.iter().enumerate() {
        inclusive[n] = if sum[n] > 0.0 { top + l * fast_ln(sum[n]) } else { UNAVAILABLE };
        best = if inclusive[n] > best { inclusive[n] } else { best };
    }
    let mut total = 0.0;
    for n in 0..nests {
        let nest_weight = fast_exp(inclusive[n] - best);
        sum[n] = if sum[n] > 0.0 { nest_weight / sum[n] } else { 0.0 };
        total += nest_weight;
    }
    for (w, &n) in weights.iter_mut().zip(nest) {
        *w *= sum[n as usize];
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logit;

    /// The formula of MODEL.md §3a, written out term by term (no stabilisation).
    fn textbook(v: &[f64], nest: &[usize], lambda: &[f64]) -> Vec<f64> {
        let s: Vec<f64> = (0..lambda.len())
            .map(|n| (0..v.len()).filter(|&a| nest[a] == n).map(|a| (v[a] / lambda[n]).exp()).sum())
            .collect();
        let denominator: f64 = (0..lambda.len()).map(|n| s[n].powf(lambda[n])).sum();
        (0..v.len())
            .map(|a| (v[a] / lambda[nest[a]]).exp() * s[nest[a]].powf(lambda[nest[a]] - 1.0) / denominator)
            .collect()
    }

    const V: [f64; 6] = [0.0, -1.2, -0.4, 0.3, -2.0, -0.9];
    const NEST: [usize; 6] = [0, 1, 1, 2, 2, 3];
    const LAMBDA: [f64; 4] = [1.0, 0.5, 0.7, 1.0];

    #[test]
    fn the_stable_closed_form_is_the_textbook_formula() {
        let p = probabilities(&V, &NEST, &LAMBDA);
        for (a, b) in p.iter().zip(textbook(&V, &NEST, &LAMBDA)) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-14);
    }

    #[test]
    fn lambda_one_everywhere_is_the_logit() {
        let ones = [1.0; 4];
        for (a, b) in probabilities(&V, &NEST, &ones).iter().zip(logit::probabilities(&V)) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn kernel_weights_match_the_closed_form_and_skip_unavailable() {
        let mut v32: Vec<f32> = V.iter().map(|&x| x as f32).collect();
        v32[4] = UNAVAILABLE;
        let nest: Vec<u8> = NEST.iter().map(|&n| n as u8).collect();
        let lambda: Vec<f32> = LAMBDA.iter().map(|&l| l as f32).collect();
        let mut w = vec![0.0f32; 6];
        let total = weights(&v32, &nest, &lambda, &mut NestScratch::new(4), &mut w);
        let v64: Vec<f64> = v32.iter().map(|&x| f64::from(x)).collect();
        let exact = probabilities(&v64, &NEST, &LAMBDA);
        assert_eq!(w[4], 0.0);
        for (a, b) in w.iter().zip(&exact) {
            assert!((f64::from(a / total) - b).abs() < 2e-6, "{} vs {b}", a / total);
        }
    }

    #[test]
    fn vector_weights_are_the_scalar_weights_bit_for_bit() {
        let lambda = [1.0f32, 0.5, 0.7, 0.33, 0.9, 1.0, 0.6];
        let mut scratch = NestScratch::new(lambda.len());
        let (mut fast, mut slow) = ([0.0f32; 24], [0.0f32; 24]);
        for i in 0..5_000usize {
            let v: [f32; 24] = std::array::from_fn(|k| {
                if (i + 3 * k).is_multiple_of(7) { UNAVAILABLE } else { ((i * 31 + k * 17) % 400) as f32 * 0.013 - 3.0 }
            });
            let nest: [u8; 24] = std::array::from_fn(|k| ((k * 5 + i) % lambda.len()) as u8);
            let used = if i % 2 == 0 { 8 } else { 24 };
            let total = weights(&v[..used], &nest[..used], &lambda, &mut scratch, &mut fast[..used]);
            let reference = weights_scalar(&v[..used], &nest[..used], &lambda, &mut slow[..used]);
            assert_eq!(total.to_bits(), reference.to_bits());
            for (a, b) in fast[..used].iter().zip(&slow[..used]) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
        }
    }

    #[test]
    fn huge_utilities_stay_finite() {
        let v = [0.0, 900.0, 899.0, -900.0];
        let p = probabilities(&v, &[0, 1, 1, 2], &[1.0, 0.3, 1.0]);
        assert!(p.iter().all(|x| x.is_finite()) && (p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
