//! Across-replication statistics: mean, sd, Student-t 95% interval, 5th and 95th percentiles.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary of one quantity over replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Mean over replications.
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` with one replication.
    pub sd: Option<f64>,
    /// mean ± t(0.975, n − 1)·sd/√n; `None` with one replication.
    pub ci95: Option<(f64, f64)>,
    /// 5th percentile (linear interpolation between order statistics).
    pub p05: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    let t = StudentsT::new(0.0, 1.0, df as f64).expect("df >= 1");
    t.inverse_cdf(0.975)
}

/// Percentile `q` ∈ [0, 1] of sorted values, interpolating linearly (Hyndman & Fan type 7).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Summarises `values` (at least one); `t975` is [`t_quantile_975`] of `values.len() − 1`.
pub fn summarize(values: &[f64], t975: f64) -> Summary {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (sd, ci95) = if n > 1 {
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        let half = t975 * sd / (n as f64).sqrt();
        // The interval always contains the mean, even where rounding would nudge an end past it.
        (Some(sd), Some(((mean - half).min(mean), (mean + half).max(mean))))
    } else {
        (None, None)
    };
    Summary { mean, sd, ci95, p05: percentile(&sorted, 0.05), p95: percentile(&sorted, 0.95) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile_975(9) - 2.262).abs() < 1e-3);
        assert!((t_quantile_975(30) - 2.042).abs() < 1e-3);
    }

    #[test]
    fn summary_of_known_values() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        let s = summarize(&v, t_quantile_975(4));
        assert_eq!(s.mean, 3.0);
        assert!((s.sd.unwrap() - 2.5f64.sqrt()).abs() < 1e-12);
        let half = 2.776445 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((s.ci95.unwrap().1 - (3.0 + half)).abs() < 1e-5);
        assert!((s.p05 - 1.2).abs() < 1e-12);
        assert!((s.p95 - 4.8).abs() < 1e-12);
    }

    #[test]
    fn one_value_has_no_interval() {
        let s = summarize(&[7.0], f64::NAN);
        assert_eq!((s.mean, s.sd, s.ci95, s.p05, s.p95), (7.0, None, None, 7.0, 7.0));
    }
}
