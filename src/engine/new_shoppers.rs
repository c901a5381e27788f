//! People, not trips: households that shopped at a retailer in a window in the scenario but
//! not in the reference, by their primary retailer in the reference over the same window.
//!
//! Each block keeps, per window and household, one byte per scenario retailer (shopped there
//! in the scenario?) and a 16-bit trip counter per reference retailer and the outside option
//! (saturating; a window of more than 65,535 weeks would stop counting). A window's state is
//! freed once the window is closed and tallied, so memory is a few bytes per household per
//! retailer per open window.

use crate::scenario::Scenario;

/// Reported weeks `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First reported week.
    pub start: u32,
    /// Last reported week, included.
    pub end: u32,
}

impl Window {
    fn contains(&self, week: u32) -> bool {
        (self.start..=self.end).contains(&week)
    }
}

/// The windows of a comparison: four weeks from each distinct event week (cut at the horizon),
/// in week order, then the whole horizon (unless an event window already is the whole horizon).
pub fn windows(s: &Scenario) -> Vec<Window> {
    let last = s.simulation.weeks.saturating_sub(1);
    let mut starts: Vec<u32> = s.events.iter().map(|e| e.week).filter(|&w| w <= last).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut out: Vec<Window> = starts.into_iter().map(|w| Window { start: w, end: (w + 3).min(last) }).collect();
    let whole = Window { start: 0, end: last };
    if !out.contains(&whole) {
        out.push(whole);
    }
    out
}

/// New shoppers of one window in one replication, in simulated households:
/// `[scenario_retailer * (1 + reference_retailers) + from]`, `from` 0 the reference's outside
/// option and `1 + k` its retailer k.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowCounts {
    /// The window.
    pub window: Window,
    /// Households per (retailer, from).
    pub counts: Vec<u64>,
}

/// One block's per-household window state.
pub(crate) struct Panel {
    windows: Vec<Window>,
    scenario_retailers: usize,
    reference_columns: usize,
    seen: Vec<Vec<bool>>,
    trips: Vec<Vec<u16>>,
}

impl Panel {
    pub(crate) fn new(windows: &[Window], scenario_retailers: usize, reference_retailers: usize, len: usize) -> Panel {
        let columns = 1 + reference_retailers;
        Panel {
            windows: windows.to_vec(),
            scenario_retailers,
            reference_columns: columns,
            seen: windows.iter().map(|_| vec![false; len * scenario_retailers]).collect(),
            trips: windows.iter().map(|_| vec![0; len * columns]).collect(),
        }
    }

    /// Household `i` chose alternative `from` in the reference and `to` in the scenario in
    /// reported week `week`.
    pub(crate) fn record(&mut self, week: u32, i: usize, from: usize, to: usize) {
        for (k, w) in self.windows.iter().enumerate() {
            if !w.contains(week) {
                continue;
            }
            if to > 0 {
                self.seen[k][i * self.scenario_retailers + (to - 1) / 3] = true;
            }
            let column = if from > 0 { 1 + (from - 1) / 3 } else { 0 };
            let t = &mut self.trips[k][i * self.reference_columns + column];
            *t = t.saturating_add(1);
        }
    }

    /// Tallies and frees the windows that end with reported week `week`; `to_reference` maps
    /// a scenario retailer to the reference's.
    pub(crate) fn close(&mut self, week: u32, to_reference: &[Option<usize>]) -> Vec<(usize, Vec<u64>)> {
        let mut out = Vec::new();
        for k in (0..self.windows.len()).filter(|&k| self.windows[k].end == week) {
            out.push((k, self.tally(k, to_reference)));
            self.seen[k] = Vec::new();
            self.trips[k] = Vec::new();
        }
        out
    }

    fn tally(&self, k: usize, to_reference: &[Option<usize>]) -> Vec<u64> {
        let (rs, columns) = (self.scenario_retailers, self.reference_columns);
        let mut counts = vec![0u64; rs * columns];
        for (seen, trips) in self.seen[k].chunks_exact(rs).zip(self.trips[k].chunks_exact(columns)) {
            let from = primary(trips);
            for r in (0..rs).filter(|&r| seen[r]) {
                let in_reference = to_reference[r].is_some_and(|q| trips[1 + q] > 0);
                if !in_reference {
                    counts[r * columns + from] += 1;
                }
            }
        }
        counts
    }
}

/// The column with the most trips; ties go to the first (the outside option, then the
/// reference's retailers in file order).
fn primary(trips: &[u16]) -> usize {
    let mut best = 0;
    for (c, &t) in trips.iter().enumerate() {
        if t > trips[best] {
            best = c;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_shopper_is_counted_under_her_primary_reference_retailer() {
        let w = [Window { start: 0, end: 2 }];
        // Two scenario retailers, both in the reference (same indices); one household.
        let mut p = Panel::new(&w, 2, 2, 1);
        // Reference: retailer 0's store twice, the outside option once. Scenario: retailer 1 once.
        p.record(0, 0, 1, 4);
        p.record(1, 0, 1, 1);
        p.record(2, 0, 0, 0);
        let closed = p.close(2, &[Some(0), Some(1)]);
        assert_eq!(closed.len(), 1);
        // Retailer 1 is new (from retailer 0, column 1); retailer 0 was visited in both worlds.
        assert_eq!(closed[0].1, vec![0, 0, 0, 0, 1, 0]);
    }

    #[test]
    fn ties_go_to_the_outside_option_then_file_order() {
        assert_eq!(primary(&[1, 1, 0]), 0);
        assert_eq!(primary(&[0, 2, 2]), 1);
    }
}
