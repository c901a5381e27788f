//! Sobol' indices from a Saltelli design's outputs, with the estimators SALib's
//! `analyze.sobol.analyze` uses, so the two agree to rounding on the same outputs:
//! first order (Saltelli et al. 2010), total order (Jansen 1999, as in Saltelli et al. 2010),
//! second order (Saltelli 2002). Outputs are first standardized over all points, as SALib does.
//! Intervals are normal bootstrap intervals: estimate ± 1.96 · the standard deviation (n − 1)
//! of the estimate over resamples of the base points, the resamples drawn from a seeded stream.

use super::bootstrap::{Resamples, normal_interval};

/// The outputs of one Saltelli design, standardized and split into its matrices.
#[derive(Debug, Clone)]
pub struct Saltelli {
    a: Vec<f64>,
    b: Vec<f64>,
    /// `ab[j][i]`: base point i with parameter j from B.
    ab: Vec<Vec<f64>>,
    /// `ba[j][i]`: base point i with parameter j from A (second order only).
    ba: Option<Vec<Vec<f64>>>,
}

/// An index estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub estimate: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

/// Every index of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order index of each parameter.
    pub first: Vec<Estimate>,
    /// Total-order index of each parameter.
    pub total: Vec<Estimate>,
    /// Second-order index of each pair (j, k), j < k, in row order; empty without second order.
    pub second: Vec<((usize, usize), Estimate)>,
}

impl Saltelli {
    /// Splits `y` (one output per point, in point order) of a design over `d` parameters; `None`
    /// unless `y` is whole blocks of d + 2 (2d + 2 with `second_order`) points.
    pub fn new(y: &[f64], d: usize, second_order: bool) -> Option<Saltelli> {
        let step = if second_order { 2 * d + 2 } else { d + 2 };
        if d == 0 || y.is_empty() || !y.len().is_multiple_of(step) {
            return None;
        }
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
        let column = |offset: usize| z.iter().skip(offset).step_by(step).copied().collect::<Vec<f64>>();
        Some(Saltelli {
            a: column(0),
            b: column(step - 1),
            ab: (0..d).map(|j| column(j + 1)).collect(),
            ba: second_order.then(|| (0..d).map(|j| column(j + 1 + d)).collect()),
        })
    }

    /// Base points N.
    pub fn samples(&self) -> usize {
        self.a.len()
    }

    /// All indices, with intervals from `resamples`.
    pub fn indices(&self, resamples: &Resamples) -> SobolIndices {
        let all: Vec<usize> = (0..self.samples()).collect();
        let point = self.estimates(&all);
        let boot: Vec<Vec<f64>> = resamples.iter().map(|idx| self.estimates(idx)).collect();
        let interval = |k: usize| normal_interval(point[k], boot.iter().map(|e| e[k]));
        let d = self.ab.len();
        let first = (0..d).map(interval).collect();
        let total = (d..2 * d).map(interval).collect();
        let second = self.pairs().into_iter().enumerate().map(|(p, pair)| (pair, interval(2 * d + p))).collect();
        SobolIndices { first, total, second }
    }

    /// The pairs (j, k), j < k, when the design allows second order.
    fn pairs(&self) -> Vec<(usize, usize)> {
        let d = self.ab.len();
        if self.ba.is_none() {
            return Vec::new();
        }
        (0..d).flat_map(|j| (j + 1..d).map(move |k| (j, k))).collect()
    }

    /// S1 of every parameter, then ST, then S2 of every pair, over the base points `idx`.
    fn estimates(&self, idx: &[usize]) -> Vec<f64> {
        let n = idx.len() as f64;
        let mean_of = |f: &dyn Fn(usize) -> f64| idx.iter().map(|&i| f(i)).sum::<f64>() / n;
        let (a, b) = (&self.a, &self.b);
        let mean = (mean_of(&|i| a[i]) + mean_of(&|i| b[i])) / 2.0;
        let var = (mean_of(&|i| (a[i] - mean).powi(2)) + mean_of(&|i| (b[i] - mean).powi(2))) / 2.0;
        let spread = idx
            .iter()
            .flat_map(|&i| [a[i], b[i]])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if !(spread.1 - spread.0 > f64::EPSILON && var > f64::EPSILON) {
            return vec![0.0; 2 * self.ab.len() + self.pairs().len()];
        }
        let first: Vec<f64> = self.ab.iter().map(|ab| mean_of(&|i| b[i] * (ab[i] - a[i])) / var).collect();
        let total = self.ab.iter().map(|ab| 0.5 * mean_of(&|i| (a[i] - ab[i]).powi(2)) / var);
        let mut out: Vec<f64> = first.clone();
        out.extend(total);
        if let Some(ba) = &self.ba {
            for (j, k) in self.pairs() {
                let (ba_j, ab_k) = (&ba[j], &self.ab[k]);
                let joint = mean_of(&|i| ba_j[i] * ab_k[i] - a[i] * b[i]) / var;
                out.push(joint - first[j] - first[k]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{Interval, Sobol};

    /// Ishigami–Homma with a = 7, b = 0.1 on [-π, π]³.
    fn ishigami(x: &[f64]) -> f64 {
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    fn outputs(d: usize, samples: usize, second_order: bool, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        let pi = std::f64::consts::PI;
        let design = Sobol::new(vec![Interval::Float { low: -pi, high: pi }; d], samples, second_order, 2018);
        (0..design.points())
            .map(|p| f(&design.unit(p).iter().map(|u| -pi + 2.0 * pi * u).collect::<Vec<_>>()))
            .collect()
    }

    fn covers(e: &Estimate, truth: f64, what: &str) {
        assert!(
            e.low <= truth && truth <= e.high,
            "{what}: truth {truth} outside [{}, {}] (estimate {})",
            e.low,
            e.high,
            e.estimate
        );
        assert!(e.high - e.low < 0.1, "{what}: the interval is informative: {e:?}");
    }

    #[test]
    fn ishigami_indices_are_recovered_within_their_intervals() {
        // Closed forms (Sobol' & Levitan 1999) for a = 7, b = 0.1.
        let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
        let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * pi.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        let y = outputs(3, 4096, true, ishigami);
        let s = Saltelli::new(&y, 3, true).unwrap().indices(&Resamples::new(4096, 500, 1));
        for (j, truth) in [v1 / v, v2 / v, 0.0].into_iter().enumerate() {
            covers(&s.first[j], truth, &format!("S1 x{}", j + 1));
        }
        for (j, truth) in [(v1 + v13) / v, v2 / v, v13 / v].into_iter().enumerate() {
            covers(&s.total[j], truth, &format!("ST x{}", j + 1));
        }
        for ((j, k), e) in &s.second {
            let truth = if (*j, *k) == (0, 2) { v13 / v } else { 0.0 };
            assert!(e.low <= truth && truth <= e.high, "S2 {j}{k}: {truth} outside {e:?}");
        }
    }

    #[test]
    fn a_linear_model_has_additive_indices() {
        // y = x1 + 2 x2 + 3 x3, uniform inputs: S1 = ST = c_j^2 / sum c^2, no interactions.
        let y = outputs(3, 4096, false, |x| x[0] + 2.0 * x[1] + 3.0 * x[2]);
        let s = Saltelli::new(&y, 3, false).unwrap().indices(&Resamples::new(4096, 500, 2));
        for (j, c) in [1.0, 2.0, 3.0].into_iter().enumerate() {
            covers(&s.first[j], c * c / 14.0, "S1");
            covers(&s.total[j], c * c / 14.0, "ST");
        }
        assert!(s.second.is_empty());
    }

    #[test]
    fn a_constant_output_has_zero_indices_and_partial_blocks_are_refused() {
        let s = Saltelli::new(&[3.0; 20], 3, false).unwrap().indices(&Resamples::new(4, 10, 1));
        assert!(s.first.iter().chain(&s.total).all(|e| e.estimate == 0.0));
        assert!(Saltelli::new(&[1.0; 21], 3, false).is_none());
    }
}
