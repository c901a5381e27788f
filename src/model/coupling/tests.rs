use super::*;
use crate::model::logit::{self, UNAVAILABLE};
use crate::rng::{Purpose, stream, uniform};

/// Utilities, weights exp(V − max) (0 where unavailable) and their total.
fn world(v: &[f32]) -> (Vec<f32>, Vec<f32>, f32) {
    let max = v.iter().copied().fold(f32::MIN, f32::max);
    let w: Vec<f32> = v.iter().map(|&x| if x == UNAVAILABLE { 0.0 } else { (x - max).exp() }).collect();
    let total = w.iter().sum();
    (v.to_vec(), w, total)
}

/// `n` households: the reference picks by inverse CDF, the scenario by [`couple`]; the
/// (from, to) frequencies.
fn joint(reference: &[f32], scenario: &[f32], map: &[Option<usize>], n: usize) -> Vec<Vec<f64>> {
    let (vr, wr, tr) = world(reference);
    let (vs, ws, ts) = world(scenario);
    let (r, s) = (Logit { utilities: &vr, weights: &wr, total: tr }, Logit { utilities: &vs, weights: &ws, total: ts });
    let mut choices = stream(11, 0, 0, Some(0), Purpose::Week);
    let mut shocks = stream(11, 0, 0, Some(0), Purpose::Shocks);
    let mut out = vec![vec![0.0; scenario.len()]; reference.len()];
    for _ in 0..n {
        let from = logit::pick(&wr, tr, uniform(&mut choices) as f32).0;
        let to = couple(from, &r, &s, map, &mut shocks);
        out[from][to] += 1.0 / n as f64;
    }
    out
}

fn logit_shares(v: &[f32]) -> Vec<f64> {
    let (_, w, t) = world(v);
    w.iter().map(|&x| (x / t) as f64).collect()
}

/// Each column of the joint sums to the scenario's logit share within 4 standard errors.
fn assert_scenario_marginals(j: &[Vec<f64>], scenario: &[f32], n: usize) {
    for (k, q) in logit_shares(scenario).into_iter().enumerate() {
        let column: f64 = j.iter().map(|row| row[k]).sum();
        let se = (q * (1.0 - q) / n as f64).sqrt();
        assert!((column - q).abs() <= 4.0 * se + 1e-12, "alternative {k}: {column} vs {q}");
    }
}

#[test]
fn identical_worlds_never_switch() {
    let v = [0.0, 0.3, -1.2, 2.0, UNAVAILABLE];
    let map: Vec<Option<usize>> = (0..5).map(Some).collect();
    let j = joint(&v, &v, &map, 20_000);
    for (a, row) in j.iter().enumerate() {
        assert!(row.iter().enumerate().all(|(b, &x)| b == a || x == 0.0), "{row:?}");
    }
}

#[test]
fn the_scenario_keeps_its_own_logit_distribution() {
    let n = 200_000;
    let map: Vec<Option<usize>> = (0..4).map(Some).collect();
    let (reference, scenario) = ([0.0, 0.5, -0.3, 1.0], [0.0, 0.9, -0.8, 0.7]);
    let j = joint(&reference, &scenario, &map, n);
    assert_scenario_marginals(&j, &scenario, n);
    // A retailer leaves (index 3 unavailable) and a new alternative appears (index 4).
    let map = [Some(0), Some(1), Some(2), Some(3), None];
    let scenario = [0.0, 0.5, -0.3, UNAVAILABLE, 0.2];
    let j = joint(&reference, &scenario, &map, n);
    assert_scenario_marginals(&j, &scenario, n);
}

/// A better alternative only gains: nobody leaves it, nobody moves between the others.
#[test]
fn one_improvement_only_draws_towards_it() {
    let map: Vec<Option<usize>> = (0..3).map(Some).collect();
    let j = joint(&[0.0, 0.0, 0.0], &[0.0, 0.5, 0.0], &map, 50_000);
    assert_eq!(j[1][0] + j[1][2] + j[0][2] + j[2][0], 0.0, "{j:?}");
    assert!(j[0][1] > 0.0 && j[2][1] > 0.0);
}
