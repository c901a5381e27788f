//! Who switched to whom: a maximal coupling of two worlds' logit choices from one draw.
//!
//! In a comparison the reference's choice j is drawn by inverse CDF (exactly as in a plain run);
//! the scenario's choice is then coupled to it. With p the reference's probabilities and q the
//! scenario's (matched by retailer and channel), the household keeps j with probability
//! min(p_j, q_j)/p_j; otherwise it moves to an alternative k that q favours more than p, with
//! probability proportional to q_k − p_k. The scenario's choice then has exactly the
//! distribution q, and the share of households that change is the least possible,
//! Σ max(0, p_j − q_j). Gainers take households from losers in proportion to what each lost,
//! which is the model's own substitution pattern. (Sharing one inverse CDF instead would push a
//! household out of one alternative into the next one in file order: the switching table would
//! show file order, not substitution.)

use super::logit;

/// The scenario's choice for a household whose reference choice is `from`, at position `v`
/// ∈ [0, 1) inside `from`'s stretch (as returned by [`logit::pick`]).
/// `p`/`p_total` and `q`/`q_total` are the two worlds' weights; `to_scenario[j]` maps a reference
/// alternative to the scenario's index of the same retailer and channel, and `scratch` has the
/// scenario's length.
pub fn couple(
    from: usize,
    v: f32,
    (p, p_total): (&[f32], f32),
    (q, q_total): (&[f32], f32),
    to_scenario: &[Option<usize>],
    scratch: &mut [f32],
) -> usize {
    let p_from = p[from] / p_total;
    let same = to_scenario[from];
    let q_from = same.map_or(0.0, |k| q[k] / q_total);
    let keep = if p_from > 0.0 { (q_from / p_from).min(1.0) } else { 0.0 };
    if let Some(k) = same.filter(|_| v < keep) {
        return k;
    }
    // Excess of the scenario over the reference, per scenario alternative.
    scratch.iter_mut().zip(q).for_each(|(e, &w)| *e = w / q_total);
    for (j, k) in to_scenario.iter().enumerate() {
        if let Some(k) = k {
            scratch[*k] -= p[j] / p_total;
        }
    }
    scratch.iter_mut().for_each(|e| *e = e.max(0.0));
    let excess: f32 = scratch.iter().sum();
    let w = if keep < 1.0 { (v - keep) / (1.0 - keep) } else { v };
    if excess > 0.0 {
        logit::pick(scratch, excess, w.clamp(0.0, 1.0 - f32::EPSILON)).0
    } else {
        // Rounding left no excess anywhere: fall back to the scenario's own inverse CDF.
        same.filter(|&k| q[k] > 0.0).unwrap_or_else(|| logit::pick(q, q_total, w).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The joint distribution of (from, to) on a fine grid of the single uniform draw.
    fn joint(p: &[f32], q: &[f32], map: &[Option<usize>]) -> Vec<Vec<f64>> {
        let (pt, qt) = (p.iter().sum::<f32>(), q.iter().sum::<f32>());
        let mut out = vec![vec![0.0; q.len()]; p.len()];
        let mut scratch = vec![0.0; q.len()];
        let grid = 100_000;
        for i in 0..grid {
            let u = ((i as f64 + 0.5) / grid as f64) as f32;
            let (from, v) = logit::pick(p, pt, u);
            let to = couple(from, v, (p, pt), (q, qt), map, &mut scratch);
            out[from][to] += 1.0 / grid as f64;
        }
        out
    }

    #[test]
    fn scenario_choices_have_the_scenario_distribution_and_switch_least() {
        let p = [4.0, 3.0, 2.0, 1.0];
        let q = [3.0, 3.0, 2.0, 2.0];
        let map: Vec<Option<usize>> = (0..4).map(Some).collect();
        let j = joint(&p, &q, &map);
        for k in 0..4 {
            let column: f64 = j.iter().map(|row| row[k]).sum();
            assert!((column - q[k] as f64 / 10.0).abs() < 1e-4, "alternative {k}: {column}");
        }
        let moved: f64 =
            (0..4).flat_map(|a| (0..4).filter(move |&b| b != a).map(move |b| (a, b))).map(|(a, b)| j[a][b]).sum();
        assert!((moved - 0.1).abs() < 1e-4, "total variation distance is 0.1, moved {moved}");
        // The only gainer (3) takes from the only loser (0).
        assert!((j[0][3] - 0.1).abs() < 1e-4);
    }

    #[test]
    fn a_gainer_takes_from_losers_in_proportion_to_their_losses() {
        // Alternative 3 gains; IIA shrinks the others proportionally.
        let p = [5.0, 3.0, 2.0, 0.0];
        let q = [5.0, 3.0, 2.0, 10.0];
        let map: Vec<Option<usize>> = (0..4).map(Some).collect();
        let j = joint(&p, &q, &map);
        for (from, expected) in [(0, 0.25), (1, 0.15), (2, 0.10)] {
            assert!((j[from][3] - expected).abs() < 1e-4, "from {from}: {}", j[from][3]);
        }
    }

    #[test]
    fn identical_worlds_never_switch() {
        let p = [1.0, 2.0, 0.0, 3.0];
        let map: Vec<Option<usize>> = (0..4).map(Some).collect();
        let j = joint(&p, &p, &map);
        for (a, row) in j.iter().enumerate() {
            assert!(row.iter().enumerate().all(|(b, &x)| b == a || x == 0.0), "{row:?}");
        }
    }

    #[test]
    fn alternatives_missing_from_one_world_are_matched_by_the_map() {
        // The reference has an alternative (index 1) the scenario lacks; the scenario has a new one.
        let p = [1.0, 1.0];
        let q = [1.0, 0.0, 1.0];
        let map = [Some(0), None];
        let j = joint(&p, &q, &map);
        assert!((j[0][0] - 0.5).abs() < 1e-4);
        assert!((j[1][2] - 0.5).abs() < 1e-4);
    }
}
