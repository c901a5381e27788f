//! Nested logit by format (MODEL.md §3a): the exact `f64` closed form the tests compare with,
//! and the stable `f32` choice weights a kernel picks from by inverse CDF.
//!
//! With nests n, dissimilarities λ_n ∈ (0, 1] and S_n = Σ_{a∈n} exp(V_a/λ_n),
//! P(a) = exp(V_a/λ_n) · S_n^(λ_n − 1) / Σ_m S_m^(λ_m). λ = 1 everywhere is the plain logit.
//! For stability every nest is computed from its own largest utility M_n: e_a = exp((V_a −
//! M_n)/λ_n), the inclusive value I_n = M_n + λ_n ln Σ e_a, and a's weight is
//! exp(I_n − max I) · e_a / Σ e_a, so no exponent is ever positive.

use super::logit::{UNAVAILABLE, fast_exp};

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

/// Scratch space for [`weights`], sized for a number of nests.
#[derive(Debug, Clone)]
pub struct NestScratch {
    max: Vec<f32>,
    sum: Vec<f32>,
    inclusive: Vec<f32>,
}

impl NestScratch {
    /// Room for `nests` nests.
    pub fn new(nests: usize) -> NestScratch {
        NestScratch { max: vec![0.0; nests], sum: vec![0.0; nests], inclusive: vec![0.0; nests] }
    }
}

/// Fills `weights` with each alternative's nested-logit weight (proportional to P(a), in the
/// same order as `utilities`) and returns their sum, for an inverse-CDF pick. `nest[a]` indexes
/// `lambda`; unavailable alternatives ([`UNAVAILABLE`]) weigh exactly 0.
pub fn weights(utilities: &[f32], nest: &[u8], lambda: &[f32], scratch: &mut NestScratch, weights: &mut [f32]) -> f32 {
    let nests = lambda.len();
    scratch.max[..nests].fill(f32::MIN);
    scratch.sum[..nests].fill(0.0);
    for (v, &n) in utilities.iter().zip(nest) {
        let m = &mut scratch.max[n as usize];
        *m = if *v > *m { *v } else { *m };
    }
    for ((w, v), &n) in weights.iter_mut().zip(utilities).zip(nest) {
        let n = n as usize;
        *w = fast_exp((v - scratch.max[n]) / lambda[n]);
        scratch.sum[n] += *w;
    }
    let mut top = f32::MIN;
    for (n, l) in lambda.iter().enumerate() {
        let usable = scratch.sum[n] > 0.0 && scratch.max[n] > UNAVAILABLE / 2.0;
        scratch.inclusive[n] = if usable { scratch.max[n] + l * scratch.sum[n].ln() } else { UNAVAILABLE };
        top = if scratch.inclusive[n] > top { scratch.inclusive[n] } else { top };
    }
    let mut total = 0.0;
    for n in 0..nests {
        // Reuse `sum` as the factor that turns a within-nest weight into a weight overall.
        let nest_weight = fast_exp(scratch.inclusive[n] - top);
        scratch.sum[n] = if scratch.sum[n] > 0.0 { nest_weight / scratch.sum[n] } else { 0.0 };
        total += nest_weight;
    }
    for (w, &n) in weights.iter_mut().zip(nest) {
        *w *= scratch.sum[n as usize];
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
    fn huge_utilities_stay_finite() {
        let v = [0.0, 900.0, 899.0, -900.0];
        let p = probabilities(&v, &[0, 1, 1, 2], &[1.0, 0.3, 1.0]);
        assert!(p.iter().all(|x| x.is_finite()) && (p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
