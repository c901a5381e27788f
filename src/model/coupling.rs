//! Who switched to whom: the scenario's choice from the reference's, through shared taste shocks.
//!
//! In the random-utility model a household picks argmax_a (V_a + ε_a) with ε iid standard
//! Gumbel; the same household in a counterfactual world has the same ε and other V. The
//! reference's choice j is drawn by inverse CDF, exactly as in a plain run; the shocks are then
//! drawn *conditional on j being the argmax* (top-down Gumbel-max sampling): the maximum
//! M = ln Σ exp V + G₀ with G₀ standard Gumbel, ε_j = M − V_j, and every other V_k + ε_k a
//! Gumbel of location V_k truncated below M. Jointly with j these are exactly iid Gumbel
//! shocks, so the scenario's choice argmax_k (V'_k + ε_k) has exactly the scenario's logit
//! distribution, and each pair of choices is the model's own (also when several alternatives
//! change at once). An alternative the reference cannot use gets an unconditional shock.
//!
//! Only alternatives that can beat j are drawn for: with V'_k − V_k ≤ V'_j − V_j, k scores
//! below j whatever its shock. The shocks come from a stream of their own and never touch
//! the choice draws, so each world's own choices are unchanged by the coupling.

use rand_chacha::ChaCha8Rng;
use rand_core::Rng;

/// One world's logit for one household, in the model's alternative order.
#[derive(Debug, Clone, Copy)]
pub struct Logit<'a> {
    /// V per alternative (anything where the weight is 0).
    pub utilities: &'a [f32],
    /// exp(V − max V) per alternative; 0 where the alternative is not available.
    pub weights: &'a [f32],
    /// Sum of the weights.
    pub total: f32,
}

/// The scenario's choice for a household whose reference choice is `from`.
/// `to_reference[k]` maps a scenario alternative to the reference's index of the same retailer
/// and channel; `shocks` is the household's taste-shock stream.
pub fn couple(
    from: usize,
    reference: &Logit,
    scenario: &Logit,
    to_reference: &[Option<usize>],
    shocks: &mut ChaCha8Rng,
) -> usize {
    let (vr, wr) = (reference.utilities, reference.weights);
    let (vs, ws) = (scenario.utilities, scenario.weights);
    let stay = (0..ws.len()).find(|&k| ws[k] > 0.0 && to_reference[k] == Some(from));
    let stay_delta = stay.map(|k| vs[k] as f64 - vr[from] as f64);
    // The reference alternative a scenario alternative shares its shock with, if it had one.
    let conditioned = |k: usize| to_reference[k].filter(|&r| wr[r] > 0.0);
    // A candidate may beat the stayer: a new alternative, or one whose utility rose more.
    let candidate = |k: usize| {
        ws[k] > 0.0
            && Some(k) != stay
            && match (conditioned(k), stay_delta) {
                (Some(r), Some(s)) => vs[k] as f64 - vr[r] as f64 > s,
                _ => true,
            }
    };
    let Some(first) = (0..ws.len()).position(candidate) else {
        return stay.expect("the outside option is always available");
    };
    // Scores are relative to the reference's largest utility; the chosen one scores m.
    let m = (reference.total as f64).ln() + gumbel(shocks);
    let exp_minus_m = (-m).exp();
    let mut top = None;
    let mut best = stay.zip(stay_delta.map(|s| s + m));
    for k in (first..ws.len()).filter(|&k| candidate(k)) {
        let score = match conditioned(k) {
            Some(r) => vs[k] as f64 - vr[r] as f64 + truncated(exp_minus_m, wr[r] as f64, shocks),
            None => vs[k] as f64 - *top.get_or_insert_with(|| largest_available(vr, wr)) + gumbel(shocks),
        };
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((k, score));
        }
    }
    best.expect("there was a candidate").0
}

fn largest_available(v: &[f32], w: &[f32]) -> f64 {
    v.iter().zip(w).filter(|(_, w)| **w > 0.0).map(|(&v, _)| v as f64).fold(f64::NEG_INFINITY, f64::max)
}

/// A uniform draw in (0, 1), never 0 or 1, for the double logarithm.
fn open_uniform(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard Gumbel draw.
fn gumbel(rng: &mut ChaCha8Rng) -> f64 {
    -(-open_uniform(rng).ln()).ln()
}

/// x = V_k + ε_k − max V for a Gumbel of location V_k − max V = ln `weight`, truncated below
/// m (given as e^{−m}): x = −ln(e^{−m} + e^{−ln weight}·(−ln u)).
fn truncated(exp_minus_m: f64, weight: f64, rng: &mut ChaCha8Rng) -> f64 {
    -(exp_minus_m - open_uniform(rng).ln() / weight).ln()
}

#[cfg(test)]
mod tests;
