//! Morris screening measures from a trajectory design's inputs and outputs, computed as SALib's
//! `analyze.morris.analyze` computes them: each trajectory gives one elementary effect per
//! parameter, (y after − y before) / Δ signed so that it is the change for a rise of the
//! parameter, with Δ = p / (2(p − 1)) the step in unit coordinates (so effects are per whole
//! range). μ* is the mean absolute effect, μ the mean, σ the standard deviation (n − 1).
//! Intervals are normal bootstrap intervals over resampled trajectories.

use super::bootstrap::{Resamples, normal_interval};
use super::sobol::Estimate;

/// The screening measures of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisMeasures {
    /// Mean absolute elementary effect.
    pub mu_star: Estimate,
    /// Standard deviation of the effects: interactions and non-linearity.
    pub sigma: Estimate,
    /// Mean effect (signed).
    pub mu: Estimate,
}

/// `effects[j][t]`: the elementary effect of parameter j in trajectory t. `x[p]` are the inputs of
/// point p, `y[p]` its output; trajectories are consecutive runs of d + 1 points. An error names
/// the first pair of consecutive points that does not change exactly one parameter.
pub fn elementary_effects(x: &[Vec<f64>], y: &[f64], levels: u32) -> Result<Vec<Vec<f64>>, String> {
    let d = x.first().map_or(0, Vec::len);
    if d == 0 || x.len() != y.len() || !x.len().is_multiple_of(d + 1) {
        return Err(format!("{} points are not whole trajectories of {} points", x.len(), d + 1));
    }
    let delta = crate::sweep::morris::delta(levels);
    let mut effects = vec![Vec::with_capacity(x.len() / (d + 1)); d];
    for start in (0..x.len()).step_by(d + 1) {
        let mut seen = vec![false; d];
        for p in start..start + d {
            let changed: Vec<usize> = (0..d).filter(|&j| x[p + 1][j] != x[p][j]).collect();
            let [j] = changed[..] else {
                return Err(format!("points {p} and {}: {} parameters change, expected one", p + 1, changed.len()));
            };
            if seen[j] {
                return Err(format!("points {p} and {}: parameter {} moves twice in one trajectory", p + 1, j + 1));
            }
            seen[j] = true;
            let sign = if x[p + 1][j] > x[p][j] { 1.0 } else { -1.0 };
            effects[j].push(sign * (y[p + 1] - y[p]) / delta);
        }
    }
    Ok(effects)
}

/// μ*, σ and μ of each parameter's effects, with intervals from `resamples` of the trajectories.
pub fn measures(effects: &[Vec<f64>], resamples: &Resamples) -> Vec<MorrisMeasures> {
    effects
        .iter()
        .map(|ee| {
            let stats = |idx: &mut dyn Iterator<Item = usize>| moments(idx.map(|t| ee[t]).collect());
            let point = stats(&mut (0..ee.len()));
            let boot: Vec<[f64; 3]> = resamples.iter().map(|r| stats(&mut r.iter().copied())).collect();
            let interval = |k: usize| normal_interval(point[k], boot.iter().map(|b| b[k]));
            MorrisMeasures { mu_star: interval(0), sigma: interval(1), mu: interval(2) }
        })
        .collect()
}

/// [mean |e|, sd (n − 1) of e, mean e].
fn moments(e: Vec<f64>) -> [f64; 3] {
    let n = e.len() as f64;
    let mean = e.iter().sum::<f64>() / n;
    let mean_abs = e.iter().map(|v| v.abs()).sum::<f64>() / n;
    let sd = if e.len() < 2 { 0.0 } else { (e.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() };
    [mean_abs, sd, mean]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{Interval, Morris};

    fn run(f: impl Fn(&[f64]) -> f64, d: usize, r: usize) -> Vec<MorrisMeasures> {
        let design = Morris::new(vec![Interval::Float { low: 0.0, high: 1.0 }; d], r, 4, 11);
        let x: Vec<Vec<f64>> = (0..design.points()).map(|p| design.unit(p)).collect();
        let y: Vec<f64> = x.iter().map(|x| f(x)).collect();
        measures(&elementary_effects(&x, &y, 4).unwrap(), &Resamples::new(r, 500, 3))
    }

    #[test]
    fn a_linear_model_has_its_slopes_as_effects_and_no_spread() {
        let m = run(|x| 2.0 * x[0] - 5.0 * x[1] + 0.0 * x[2], 3, 20);
        for (j, slope) in [2.0f64, -5.0, 0.0].into_iter().enumerate() {
            assert!((m[j].mu.estimate - slope).abs() < 1e-9, "{j}: {:?}", m[j].mu);
            assert!((m[j].mu_star.estimate - slope.abs()).abs() < 1e-9);
            assert!(m[j].sigma.estimate.abs() < 1e-9);
        }
    }

    #[test]
    fn an_interaction_shows_as_spread() {
        // y = x1 · x2: the effect of x1 is x2, which varies between trajectories.
        let m = run(|x| x[0] * x[1], 3, 60);
        assert!(m[0].sigma.estimate > 0.1 && m[2].mu_star.estimate < 1e-12);
        // The mean effect of x1 is E[x2] over the design's levels, 1/2 by symmetry.
        assert!(m[0].mu.low <= 0.5 && 0.5 <= m[0].mu.high, "{:?}", m[0].mu);
    }

    #[test]
    fn inputs_that_are_not_trajectories_are_refused() {
        let x = vec![vec![0.0, 0.0], vec![1.0, 1.0], vec![1.0, 0.0]];
        assert!(elementary_effects(&x, &[0.0; 3], 4).unwrap_err().contains("2 parameters change"));
    }
}
