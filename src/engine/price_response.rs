//! MODEL.md §5 price pressure: when a retailer with a `price_response` changes its price index.
//!
//!
//! The rule is symmetric and smooth: a retailer below its starting expected share cuts its
//! price, one above it raises the price back, never above its list price (the price the scenario
//! and its events set), and a change of less than about 1% of its share is met softly. A rule
//! that only cuts turns the simulation's finite-sample noise into a bias (every chance dip is
//! cut, no chance rise is undone), larger with fewer households; a symmetric rule without a kink
//! at zero averages the noise out, so the result does not depend on `simulation.households`
//! beyond its interval.

use super::kernel::{EXPECTED_SCALE, Tally};
use crate::model::retailer_state::RetailerState;
use crate::scenario::Scenario;

/// Each responding retailer's expected shares and list price through one replication.
#[derive(Debug, Clone)]
pub(crate) struct PriceResponder {
    /// Expected share of all trips per retailer, per reported week (with any price response).
    expected: Vec<Vec<f64>>,
    /// Per retailer, the price the response may raise back to: the starting price, moved in
    /// proportion by events that change the price index.
    list: Vec<f64>,
    /// Per retailer, the price index the last look left (to see events' changes since).
    left: Vec<f64>,
}

impl PriceResponder {
    /// Starts with the scenario's initial prices as list prices.
    pub(crate) fn new(s: &Scenario) -> PriceResponder {
        let prices: Vec<f64> = s.retailers.iter().map(|r| r.initial.price_index).collect();
        PriceResponder { expected: Vec::with_capacity(s.simulation.weeks as usize), list: prices.clone(), left: prices }
    }

    /// At the end of reported week `w`: records the week's expected shares from `tally` and lets
    /// every responding retailer look at its share; a new price applies from `w + 1`.
    pub(crate) fn end_of_week(&mut self, s: &Scenario, w: u32, tally: &Tally, states: &mut [RetailerState]) {
        let n = s.simulation.households as f64 * EXPECTED_SCALE;
        if s.retailers.iter().any(|r| r.price_response.is_some()) {
            self.expected.push(tally.expected.iter().map(|&e| e as f64 / n).collect());
        }
        for (r, state) in states.iter_mut().enumerate() {
            self.look(s, w, r, state);
        }
    }

    /// MODEL.md §5 price pressure for retailer `r`. At every multiple `w` of `every_weeks` (k),
    /// the expected share over weeks `w − k + 1 ..= w` is compared with the one over the first k
    /// reported weeks (share₀): P ← P·(1 − strength·soft_loss((share₀ − share)/share₀)), kept
    /// within [floor, list price] (the list price wins where it is below the floor).
    fn look(&mut self, s: &Scenario, w: u32, r: usize, state: &mut RetailerState) {
        let Some(rule) = s.retailers[r].price_response else { return };
        let k = rule.every_weeks as usize;
        if w == 0 || !w.is_multiple_of(rule.every_weeks) || !state.active || self.expected.len() < k {
            return;
        }
        let p = state.price_index;
        if p != self.left[r] {
            self.list[r] *= p / self.left[r];
        }
        let start = window_share(&self.expected, 0..k, r);
        let now = window_share(&self.expected, self.expected.len() - k..self.expected.len(), r);
        if start > 0.0 {
            let step = rule.strength * soft_loss((start - now) / start);
            state.price_index = (p * (1.0 - step)).max(rule.floor).min(self.list[r]);
        }
        self.left[r] = state.price_index;
    }
}

/// Relative share losses below this are met softly (see [`soft_loss`]).
pub(crate) const TOLERANCE: f64 = 0.01;

/// The relative loss x = (share₀ − share)/share₀ a retailer answers: x − sign(x)·TOLERANCE/2
/// beyond ±TOLERANCE, x·|x|/(2·TOLERANCE) inside (continuous, with a continuous slope). A
/// retailer does not reprice for a change of a hundredth of its share, and the rule has no kink
/// at zero loss, where finite-sample noise would otherwise be turned into a bias that grows as
/// the number of simulated households falls (the list-price cap then reflects only tiny steps).
fn soft_loss(x: f64) -> f64 {
    if x.abs() >= TOLERANCE { x - x.signum() * TOLERANCE / 2.0 } else { x * x.abs() / (2.0 * TOLERANCE) }
}

/// Mean of retailer `r`'s expected share over reported weeks `weeks`.
fn window_share(expected: &[Vec<f64>], weeks: std::ops::Range<usize>, r: usize) -> f64 {
    let len = weeks.len() as f64;
    expected[weeks].iter().map(|week| week[r]).sum::<f64>() / len
}

#[cfg(test)]
mod tests {
    use super::{TOLERANCE, soft_loss};

    #[test]
    fn soft_loss_is_continuous_odd_and_exact_beyond_the_tolerance() {
        assert_eq!(soft_loss(0.0), 0.0);
        for x in [0.0001, 0.003, 0.0099, 0.01, 0.02, 0.3] {
            assert_eq!(soft_loss(-x), -soft_loss(x));
            assert!(soft_loss(x) > 0.0 && soft_loss(x) <= x);
        }
        let (below, above) = (soft_loss(TOLERANCE - 1e-12), soft_loss(TOLERANCE + 1e-12));
        assert!((below - above).abs() < 1e-9 && (below - TOLERANCE / 2.0).abs() < 1e-9);
        assert!((soft_loss(0.2) - 0.195).abs() < 1e-12);
    }
}
