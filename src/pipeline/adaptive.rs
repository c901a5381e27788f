//! Adaptive replications: a point runs in batches until the 95% interval of every headline is
//! narrow enough, so an analyst asks for a precision instead of guessing a replication count.
//!
//! The headlines are each retailer's (and the outside option's) mean weekly trip share over all
//! its channels or, in a comparison, each of those shares' shift against the reference. A
//! point starts with `min_replications`; whenever a batch is in, the largest half-width
//! t₀.₉₇₅(n−1)·sd/√n over the headlines is compared with the target and, if it is wider and
//! fewer than `max_replications` have run, another batch of `min_replications` (at most up to
//! the maximum) starts. Replications are numbered on and keyed by their number, so a point that
//! stops at n has exactly the results of `--replications n`.
//!
//! Stopping when the interval first looks narrow enough is a sequential rule: it slightly
//! favours stopping on a draw whose spread happens to be small, so the final interval's
//! coverage is a little below 95%. Starting from at least 10 replications keeps the effect small.

use crate::engine::{PointResults, ReplicationOutput, ReplicationResult, Worlds, alternative};
use crate::scenario::Scenario;
use crate::stats::{summarize, t_quantile_975};
use serde::{Deserialize, Serialize};

/// The precision asked for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// Target 95% half-width, in percentage points of trip share.
    pub half_width_pp: f64,
    /// Replications to start with, and the size of each further batch (≥ 2).
    pub min_replications: u32,
    /// Replications at most.
    pub max_replications: u32,
}

impl Precision {
    /// How many more replications a point needs after `outputs` (replication order): 0 once the
    /// target is met or the maximum reached.
    pub fn more(&self, worlds: &Worlds, outputs: &[ReplicationOutput]) -> u32 {
        let n = outputs.len() as u32;
        if n >= self.max_replications || self.met(worlds, outputs) {
            return 0;
        }
        self.min_replications.min(self.max_replications - n)
    }

    /// True when every headline's half-width is at or below the target.
    pub fn met(&self, worlds: &Worlds, outputs: &[ReplicationOutput]) -> bool {
        widest_half_width_pp(worlds, outputs) <= self.half_width_pp
    }

    /// [`Precision::met`] for a point's collected results.
    pub fn met_results(&self, worlds: &Worlds, results: &PointResults) -> bool {
        let pairs: Vec<Pair> = match results {
            PointResults::Plain(r) => r.replications.iter().map(|s| (s, None)).collect(),
            PointResults::Compared(c) => {
                c.scenario.replications.iter().zip(&c.reference.replications).map(|(s, r)| (s, Some(r))).collect()
            }
        };
        widest(worlds, &pairs) <= self.half_width_pp
    }

    /// How the manifest and a folder's identity describe it.
    pub fn describe(&self) -> String {
        format!(
            "{} pp, {} to {} replications in batches of {}",
            self.half_width_pp, self.min_replications, self.max_replications, self.min_replications
        )
    }
}

/// One replication: the scenario's weeks and, in a comparison, the reference's.
type Pair<'a> = (&'a ReplicationResult, Option<&'a ReplicationResult>);

/// The widest 95% half-width over the headlines, in percentage points (infinite below 2
/// replications).
pub fn widest_half_width_pp(worlds: &Worlds, outputs: &[ReplicationOutput]) -> f64 {
    let pairs: Vec<Pair> = outputs
        .iter()
        .map(|o| match o {
            ReplicationOutput::Plain(r) => (r, None),
            ReplicationOutput::Compared { scenario, reference, .. } => (scenario, Some(reference)),
        })
        .collect();
    widest(worlds, &pairs)
}

fn widest(worlds: &Worlds, pairs: &[Pair]) -> f64 {
    let n = pairs.len();
    if n < 2 {
        return f64::INFINITY;
    }
    let t = t_quantile_975(n - 1);
    headlines(worlds, pairs)
        .iter()
        .map(|values| summarize(values, t).ci95.map_or(f64::INFINITY, |(lo, hi)| (hi - lo) / 2.0 * 100.0))
        .fold(0.0, f64::max)
}

/// Per headline, its value in each replication.
fn headlines(worlds: &Worlds, pairs: &[Pair]) -> Vec<Vec<f64>> {
    let s = &worlds.scenario;
    let names: Vec<&str> =
        std::iter::once(s.outside_option.as_str()).chain(s.retailers.iter().map(|r| r.name.as_str())).collect();
    names
        .iter()
        .map(|name| {
            pairs
                .iter()
                .map(|(scenario, reference)| match (reference, &worlds.reference) {
                    (Some(reference), Some(world)) => {
                        mean_share(s, scenario, name) - mean_share(world, reference, name)
                    }
                    _ => mean_share(s, scenario, name),
                })
                .collect()
        })
        .collect()
}

/// A retailer's (or the outside option's) mean weekly trip share over all its channels; 0 for
/// a name the world does not have.
fn mean_share(world: &Scenario, rep: &ReplicationResult, name: &str) -> f64 {
    let alts: Vec<usize> = if name == world.outside_option {
        vec![0]
    } else {
        match world.retailers.iter().position(|r| r.name == name) {
            Some(i) => (0..3).map(|c| alternative(i, c)).collect(),
            None => return 0.0,
        }
    };
    let weeks = rep.weeks.len().max(1) as f64;
    rep.weeks.iter().map(|w| alts.iter().map(|&a| w.share[a]).sum::<f64>()).sum::<f64>() / weeks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{LoadOptions, TEST_SCENARIO, load_str};

    fn worlds(households: u64) -> Worlds {
        let text = TEST_SCENARIO.replace("COVERAGE", "0.5")
            + &format!("[simulation]\nweeks = 3\nwarmup_weeks = 1\nhouseholds = {households}\nreplications = 2\n");
        Worlds::plain(load_str(&text, &LoadOptions::default()).unwrap())
    }

    fn outputs(w: &Worlds, n: u32) -> Vec<ReplicationOutput> {
        (0..n).map(|r| w.replicate(r, &|_| std::ops::ControlFlow::Continue(()))).collect()
    }

    #[test]
    fn more_replications_until_the_interval_is_narrow_enough() {
        let w = worlds(200);
        let some = outputs(&w, 4);
        let width = widest_half_width_pp(&w, &some);
        assert!(width.is_finite() && width > 0.0);
        let loose = Precision { half_width_pp: width * 1.01, min_replications: 4, max_replications: 100 };
        assert_eq!(loose.more(&w, &some), 0, "the target is met");
        let tight = Precision { half_width_pp: width / 2.0, min_replications: 4, max_replications: 100 };
        assert_eq!(tight.more(&w, &some), 4, "another batch");
        let capped = Precision { max_replications: 6, ..tight };
        assert_eq!(capped.more(&w, &some), 2, "at most up to the maximum");
        assert_eq!(capped.more(&w, &outputs(&w, 6)), 0, "the maximum stops it");
    }

    #[test]
    fn one_replication_has_no_interval() {
        let w = worlds(100);
        assert_eq!(widest_half_width_pp(&w, &outputs(&w, 1)), f64::INFINITY);
    }
}
