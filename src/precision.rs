//! Adaptive replications (`--precision 0.05pp`): the stopping rule, as a pure function of the
//! replications run so far, for the run pipeline to call between batches.
//!
//! After each batch the 95% Student-t half-width t(0.975, n − 1) · sd / √n of every watched
//! quantity (each retailer's mean weekly share, or every share shift in a comparison) is
//! compared with the target; the point stops when the widest is at or below it. Because draws
//! are keyed by replication, stopping at n gives the same bytes as `--replications n`.
//!
//! Caveat (sequential stopping): the interval reported at the stopping n is computed as if n had
//! been fixed in advance. Stopping when it first looks narrow enough slightly favours runs whose
//! sample sd happened to be low, so the actual coverage can fall a little below 95% — mostly at
//! small n, which `min_replications` (default 10) guards against.

use crate::stats::t_quantile_975;

/// The rule: a half-width target and bounds on the replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    /// Largest accepted 95% half-width, in the quantities' units (shares: 0.05 pp = 0.0005).
    pub target: f64,
    /// Replications always run before the rule is checked (at least 2).
    pub min_replications: u32,
    /// Replications after which the point stops even if the target is not met.
    pub max_replications: u32,
    /// Replications added per batch.
    pub batch: u32,
}

/// What to do after the replications run so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Every half-width is at or below the target: stop at `replications`.
    Met {
        /// Replications run.
        replications: u32,
        /// The widest half-width.
        widest: f64,
    },
    /// Run replications up to `next` (exclusive count) and ask again.
    More {
        /// Total replications to have after the next batch.
        next: u32,
    },
    /// `max_replications` reached without meeting the target.
    Exhausted {
        /// Replications run.
        replications: u32,
        /// The widest half-width.
        widest: f64,
    },
}

/// The 95% Student-t half-width of the mean of `values`; `None` for fewer than two.
pub fn half_width(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    Some(t_quantile_975(n - 1) * var.sqrt() / (n as f64).sqrt())
}

/// Applies `rule` to `series`: one list of per-replication values per watched quantity, all of
/// the same length n (the replications run so far, 0 to n − 1).
pub fn decide(series: &[Vec<f64>], rule: &Precision) -> Verdict {
    let n = series.first().map_or(0, Vec::len) as u32;
    let min = rule.min_replications.max(2).min(rule.max_replications);
    if n < min {
        return Verdict::More { next: min };
    }
    let widest = series.iter().filter_map(|s| half_width(s)).fold(0.0, f64::max);
    if widest <= rule.target {
        Verdict::Met { replications: n, widest }
    } else if n >= rule.max_replications {
        Verdict::Exhausted { replications: n, widest }
    } else {
        Verdict::More { next: (n + rule.batch.max(1)).min(rule.max_replications) }
    }
}

/// Parses a target such as `0.05pp` (percentage points, → 0.0005) or `0.0005` (a share).
pub fn parse_target(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, scale) = match text.strip_suffix("pp") {
        Some(n) => (n.trim(), 0.01),
        None => (text, 1.0),
    };
    match number.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x * scale),
        _ => Err(format!("--precision {text}: expected a positive number of percentage points such as 0.05pp")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Precision = Precision { target: 0.1, min_replications: 10, max_replications: 40, batch: 8 };

    /// n values with sample sd exactly `sd` around 5 (alternating ± for even n).
    fn spread(n: usize, sd: f64) -> Vec<f64> {
        let d = sd * ((n - 1) as f64 / n as f64).sqrt();
        (0..n).map(|i| if i % 2 == 0 { 5.0 + d } else { 5.0 - d }).collect()
    }

    #[test]
    fn the_half_width_is_the_student_t_one() {
        let w = half_width(&spread(10, 1.0)).unwrap();
        assert!((w - 2.262_157 / 10f64.sqrt()).abs() < 1e-5, "{w}");
        assert_eq!(half_width(&[1.0]), None);
    }

    #[test]
    fn the_minimum_runs_before_any_check() {
        assert_eq!(decide(&[vec![1.0; 3]], &RULE), Verdict::More { next: 10 });
        assert_eq!(decide(&[], &RULE), Verdict::More { next: 10 });
    }

    #[test]
    fn the_widest_quantity_decides() {
        // sd 0.2 at n = 10: half-width 0.143 > 0.1; sd 0.1: 0.072 <= 0.1.
        let narrow = spread(10, 0.1);
        let Verdict::Met { replications: 10, widest } = decide(&[narrow.clone(), narrow.clone()], &RULE) else {
            panic!("both narrow")
        };
        assert!(widest <= 0.1);
        assert_eq!(decide(&[narrow, spread(10, 0.2)], &RULE), Verdict::More { next: 18 });
    }

    #[test]
    fn the_maximum_stops_a_point_that_never_gets_there() {
        assert!(matches!(decide(&[spread(40, 5.0)], &RULE), Verdict::Exhausted { replications: 40, .. }));
        assert_eq!(
            decide(&[spread(36, 5.0)], &RULE),
            Verdict::More { next: 40 },
            "the last batch is cut to the maximum"
        );
    }

    #[test]
    fn targets_parse_in_percentage_points() {
        assert!((parse_target("0.05pp").unwrap() - 0.0005).abs() < 1e-15);
        assert_eq!(parse_target("0.002"), Ok(0.002));
        assert!(parse_target("-1pp").is_err() && parse_target("fast").is_err());
    }
}
