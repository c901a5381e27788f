//! One replication, week by week: events, the kernel over all blocks, tallies, price response.
//!
//! A `World` is one simulated market; a plain run steps one world, a comparison steps the
//! scenario's and the reference's worlds in lockstep so that each household takes the same
//! draws in both (common random numbers) and its pair of choices can be counted.

use super::kernel::{Scratch, Tally, WeekInputs, commit_choice, prepare_choice, simulate_block, week_draws};
use super::new_shoppers::{self, Panel, WindowCounts};
use super::population::{Block, populate, region_sizes, visited_bytes};
use super::price_response::PriceResponder;
use super::week_tables::{WeekTables, alternative};
use crate::model::coupling;
use crate::model::loyalty;
use crate::model::nested_coupling::{self, Groups};
use crate::model::retailer_state::RetailerState;
use crate::rng::{Purpose, stream};
use crate::scenario::{Scenario, apply_event};
use rayon::prelude::*;
use std::ops::ControlFlow;

/// Told the household-weeks done after each week, from the replication's thread; `Break`
/// stops the replication at that week's end (how a cancelled run stops inside a point).
pub type Progress<'a> = dyn Fn(u64) -> ControlFlow<()> + Sync + 'a;

/// What one reported week produced, in real (scaled) households.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekRecord {
    /// Trips per alternative (0 = outside option, then `1 + 3·retailer + channel`).
    pub trips: Vec<f64>,
    /// Share of all trips per alternative.
    pub share: Vec<f64>,
    /// Revenue per alternative, dollars.
    pub revenue: Vec<f64>,
    /// Online-capable share per region.
    pub online: Vec<f64>,
    /// Trips per `[alternative * regions + region]`, scaled to real households.
    pub region_trips: Vec<f64>,
    /// Each retailer's state in effect this week: after the week's events and the price
    /// responses of earlier weeks (a cut decided at the end of week w shows from week w + 1).
    pub retailers: Vec<RetailerWeek>,
}

/// One retailer's parameters in one week, as the households saw them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetailerWeek {
    /// P_r.
    pub price_index: f64,
    /// Stores over all regions (0 once acquired and folded into another).
    pub stores: f64,
    /// W_r, minutes.
    pub checkout_wait_min: f64,
    /// Index of its owner in `Scenario::owners`.
    pub owner: usize,
}

/// The reported weeks of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Replication number.
    pub replication: u32,
    /// One record per reported week.
    pub weeks: Vec<WeekRecord>,
    /// Per retailer, the share of households with at least one trip to it (any channel) over
    /// the reported weeks.
    pub reach: Vec<f64>,
}

/// One simulated market in one replication: its households and retailers as they evolve.
struct World<'a> {
    s: &'a Scenario,
    replication: u32,
    blocks: Vec<Block>,
    states: Vec<RetailerState>,
    region_n: Vec<u64>,
    online: Vec<u64>,
    schedule: Vec<Vec<usize>>,
    /// Expected shares and list prices for the price response.
    prices: PriceResponder,
    weeks: Vec<WeekRecord>,
}

impl<'a> World<'a> {
    fn new(s: &'a Scenario, replication: u32) -> World<'a> {
        let blocks = populate(s, replication);
        let shares: Vec<f64> = s.regions.iter().map(|r| r.households_share).collect();
        World {
            s,
            replication,
            online: online_by_region(&blocks, s.regions.len()),
            blocks,
            states: s.retailers.iter().map(|r| r.initial.clone()).collect(),
            region_n: region_sizes(&shares, s.simulation.households),
            schedule: s.event_schedule(),
            prices: PriceResponder::new(s),
            weeks: Vec::with_capacity(s.simulation.weeks as usize),
        }
    }

    fn reported(&self, week: u32) -> Option<u32> {
        week.checked_sub(self.s.simulation.warmup_weeks)
    }

    /// Applies the week's events and returns its tables and the regions' online fractions.
    fn start_week(&mut self, week: u32) -> (WeekTables, Vec<f64>) {
        if let Some(w) = self.reported(week) {
            apply_events(self.s, &self.schedule[w as usize], &mut self.states, &mut self.blocks);
        }
        let fractions = fractions(&self.online, &self.region_n);
        (WeekTables::new(self.s, &self.states), fractions)
    }

    fn alternatives(&self) -> usize {
        1 + 3 * self.states.len()
    }

    fn empty_tally(&self) -> Tally {
        Tally::new(self.alternatives(), self.s.segments.len(), self.s.regions.len())
    }

    /// Records a reported week and lets retailers respond to their share.
    fn finish_week(&mut self, week: u32, tally: &Tally) {
        self.online = tally.online.clone();
        let Some(w) = self.reported(week) else { return };
        let record = record_week(self.s, &self.states, tally, &self.region_n);
        self.prices.end_of_week(self.s, w, tally, &mut self.states);
        self.weeks.push(record);
    }

    fn into_result(self) -> ReplicationResult {
        let r_count = self.states.len();
        let mut visitors = vec![0u64; r_count];
        let bytes = visited_bytes(r_count);
        for v in self.blocks.iter().flat_map(|b| b.visited.chunks_exact(bytes.max(1))) {
            for (r, n) in visitors.iter_mut().enumerate() {
                *n += u64::from(v[r / 8] >> (r % 8) & 1);
            }
        }
        let n = self.s.simulation.households as f64;
        ReplicationResult {
            replication: self.replication,
            weeks: self.weeks,
            reach: visitors.iter().map(|&v| v as f64 / n).collect(),
        }
    }
}

fn fractions(online: &[u64], region_n: &[u64]) -> Vec<f64> {
    online.iter().zip(region_n).map(|(&a, &n)| if n > 0 { a as f64 / n as f64 } else { 0.0 }).collect()
}

/// Runs replication `replication` of `s`; `progress` is told the household-weeks done after
/// each week and may stop the replication there (its result then holds only the weeks run).
pub fn run_replication(s: &Scenario, replication: u32, progress: &Progress<'_>) -> ReplicationResult {
    let mut world = World::new(s, replication);
    for week in 0..s.total_weeks() {
        let (tables, fractions) = world.start_week(week);
        let inputs = WeekInputs {
            tables: &tables,
            dynamics: &s.dynamics,
            fractions: &fractions,
            reported: world.reported(week).is_some(),
        };
        let empty = world.empty_tally();
        let tallies: Vec<Tally> = world
            .blocks
            .par_iter_mut()
            .map(|block| {
                let mut rng = stream(s.simulation.seed, replication, block.index, Some(week), Purpose::Week);
                let mut tally = empty.clone();
                simulate_block(block, &inputs, &mut rng, &mut tally);
                tally
            })
            .collect();
        let mut total = empty;
        tallies.iter().for_each(|t| total.add(t));
        world.finish_week(week, &total);
        if progress(s.simulation.households).is_break() {
            break;
        }
    }
    world.into_result()
}

/// A scenario and its reference run in lockstep, with the households' pairs of choices.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedReplication {
    /// The scenario's weeks.
    pub scenario: ReplicationResult,
    /// The reference's weeks.
    pub reference: ReplicationResult,
    /// Simulated households per (reference alternative, scenario alternative) in the final
    /// reported week, `[from * scenario_alternatives + to]`.
    pub switching_final: Vec<u64>,
    /// The same summed over every reported week.
    pub switching_horizon: Vec<u64>,
    /// New shoppers per window ([`new_shoppers::windows`]).
    pub new_shoppers: Vec<WindowCounts>,
}

/// Runs `scenario` and `reference` (same households, weeks and seed) household by household:
/// every household takes the same two draws per week in both worlds. The reference chooses by
/// inverse CDF as in a plain run; the scenario's choice comes from the same household's taste
/// shocks, drawn conditional on the reference's choice from a stream of their own
/// ([`coupling::couple`]), so the switching counts are the random-utility model's flows.
pub fn run_paired(
    scenario: &Scenario,
    reference: &Scenario,
    replication: u32,
    progress: &Progress<'_>,
) -> PairedReplication {
    let mut a = World::new(scenario, replication);
    let mut b = World::new(reference, replication);
    let (alts_a, alts_b) = (a.alternatives(), b.alternatives());
    let mut switching_final = vec![0; alts_a * alts_b];
    let mut switching_horizon = vec![0; alts_a * alts_b];
    let to_reference = matching_alternatives(scenario, reference);
    let retailer_map: Vec<Option<usize>> =
        scenario.retailers.iter().map(|x| reference.retailers.iter().position(|y| y.name == x.name)).collect();
    let windows = new_shoppers::windows(scenario);
    let mut new_shoppers: Vec<WindowCounts> = windows
        .iter()
        .map(|&window| WindowCounts { window, counts: vec![0; a.states.len() * (1 + b.states.len())] })
        .collect();
    let mut panels: Vec<Panel> =
        a.blocks.iter().map(|x| Panel::new(&windows, a.states.len(), b.states.len(), x.len())).collect();
    let seed = scenario.simulation.seed;
    for week in 0..scenario.total_weeks() {
        let reported_week = a.reported(week);
        let reported = reported_week.is_some();
        let (tables_a, fractions_a) = a.start_week(week);
        let (tables_b, fractions_b) = b.start_week(week);
        let inputs_a =
            WeekInputs { tables: &tables_a, dynamics: &scenario.dynamics, fractions: &fractions_a, reported };
        let inputs_b =
            WeekInputs { tables: &tables_b, dynamics: &reference.dynamics, fractions: &fractions_b, reported };
        let (empty_a, empty_b) = (a.empty_tally(), b.empty_tally());
        let results: Vec<BlockWeek> = a
            .blocks
            .par_iter_mut()
            .zip(b.blocks.par_iter_mut())
            .zip(panels.par_iter_mut())
            .map(|((block_a, block_b), panel)| {
                let mut rng = stream(seed, replication, block_a.index, Some(week), Purpose::Week);
                let mut shocks = stream(seed, replication, block_a.index, Some(week), Purpose::Shocks);
                let (mut tally_a, mut tally_b) = (empty_a.clone(), empty_b.clone());
                let (mut scratch_a, mut scratch_b) = (Scratch::new(&tables_a), Scratch::new(&tables_b));
                let nests =
                    (tables_a.nested || tables_b.nested).then(|| nest_groups(&scratch_a, &scratch_b, &to_reference));
                let mut pairs = vec![0u64; alts_a * alts_b];
                let mut coupling_scratch = nested_coupling::CouplingScratch::default();
                for i in 0..block_a.len() {
                    let (u_online, u_choice) = week_draws(&mut rng);
                    prepare_choice(block_a, i, &inputs_a, u_online, &mut scratch_a, &mut tally_a);
                    prepare_choice(block_b, i, &inputs_b, u_online, &mut scratch_b, &mut tally_b);
                    let from = scratch_b.pick(u_choice).0;
                    let to = match &nests {
                        None => coupling::couple(
                            from,
                            &scratch_b.model_order(),
                            &scratch_a.model_order(),
                            &to_reference,
                            &mut shocks,
                        ),
                        Some((groups_a, groups_b, group_map)) => nested_coupling::couple_nested(
                            from,
                            (&scratch_b.model_order(), groups_b),
                            (&scratch_a.model_order(), groups_a),
                            (&to_reference, group_map),
                            &mut shocks,
                            &mut coupling_scratch,
                        ),
                    };
                    commit_choice(block_a, i, &inputs_a, to, &mut tally_a);
                    commit_choice(block_b, i, &inputs_b, from, &mut tally_b);
                    pairs[from * alts_a + to] += 1;
                    if let Some(w) = reported_week {
                        panel.record(w, i, from, to);
                    }
                }
                let closed = reported_week.map_or_else(Vec::new, |w| panel.close(w, &retailer_map));
                (tally_a, tally_b, pairs, closed)
            })
            .collect();
        let (mut total_a, mut total_b) = (empty_a, empty_b);
        let mut pairs = vec![0u64; alts_a * alts_b];
        for (ta, tb, p, closed) in &results {
            total_a.add(ta);
            total_b.add(tb);
            pairs.iter_mut().zip(p).for_each(|(x, y)| *x += y);
            for (k, counts) in closed {
                new_shoppers[*k].counts.iter_mut().zip(counts).for_each(|(x, y)| *x += y);
            }
        }
        if a.reported(week).is_some() {
            switching_horizon.iter_mut().zip(&pairs).for_each(|(x, y)| *x += y);
            switching_final = pairs;
        }
        a.finish_week(week, &total_a);
        b.finish_week(week, &total_b);
        if progress(2 * scenario.simulation.households).is_break() {
            break;
        }
    }
    PairedReplication {
        scenario: a.into_result(),
        reference: b.into_result(),
        switching_final,
        switching_horizon,
        new_shoppers,
    }
}

/// One block's paired week: both tallies, the pairs of choices, and the windows it closed.
type BlockWeek = (Tally, Tally, Vec<u64>, Vec<(usize, Vec<u64>)>);

/// The coupling groups of both worlds (scenario, reference) and the scenario's groups mapped
/// to the reference's.
fn nest_groups(
    scenario: &Scratch,
    reference: &Scratch,
    to_reference: &[Option<usize>],
) -> (Groups, Groups, Vec<Option<usize>>) {
    let (nest_a, lambda_a, _) = scenario.nests();
    let (nest_b, lambda_b, _) = reference.nests();
    let (a, b) = (Groups::new(nest_a, lambda_a), Groups::new(nest_b, lambda_b));
    let map = nested_coupling::map_groups(&a, &b, to_reference);
    (a, b, map)
}

/// For each alternative of `from`, the alternative of `to` with the same retailer and channel.
fn matching_alternatives(from: &Scenario, to: &Scenario) -> Vec<Option<usize>> {
    let mut map = vec![Some(0)];
    for r in &from.retailers {
        let same = to.retailers.iter().position(|x| x.name == r.name);
        map.extend((0..3).map(|c| same.map(|k| alternative(k, c))));
    }
    map
}

fn online_by_region(blocks: &[Block], regions: usize) -> Vec<u64> {
    let mut online = vec![0; regions];
    for b in blocks {
        for (g, on) in b.region.iter().zip(&b.online) {
            online[*g as usize] += *on as u64;
        }
    }
    online
}

/// Events of one reported week ([`apply_event`]); a rebranding acquisition also moves loyalty.
fn apply_events(s: &Scenario, events: &[usize], states: &mut [RetailerState], blocks: &mut [Block]) {
    for &i in events {
        let e = &s.events[i];
        apply_event(s, e, states).expect("validation replayed every event");
        if let (Some(target), true) = (e.acquire, e.rebrand) {
            move_loyalty(blocks, states.len(), target, e.retailer);
        }
    }
}

fn move_loyalty(blocks: &mut [Block], retailers: usize, from: usize, to: usize) {
    blocks.par_iter_mut().for_each(|b| {
        for l in b.loyalty.chunks_exact_mut(retailers) {
            loyalty::absorb(l, from, to);
        }
    });
}

/// Scales the week's counts to real households and prices its trips.
fn record_week(s: &Scenario, states: &[RetailerState], tally: &Tally, region_n: &[u64]) -> WeekRecord {
    let n = s.simulation.households as f64;
    let scale = s.households / n;
    let segments = s.segments.len();
    let alternatives = 1 + 3 * states.len();
    let price = |alt: usize| if alt == 0 { 1.0 } else { states[(alt - 1) / 3].price_index };
    let mut record = WeekRecord {
        trips: vec![0.0; alternatives],
        share: vec![0.0; alternatives],
        revenue: vec![0.0; alternatives],
        online: fractions(&tally.online, region_n),
        region_trips: tally.by_region.iter().map(|&c| c as f64 * scale).collect(),
        retailers: states.iter().map(retailer_week).collect(),
    };
    for alt in 0..alternatives {
        let counts = &tally.choices[alt * segments..(alt + 1) * segments];
        let count: u64 = counts.iter().sum();
        let spend: f64 = counts.iter().zip(&s.segments).map(|(&c, seg)| c as f64 * seg.weekly_spend).sum();
        record.trips[alt] = count as f64 * scale;
        record.share[alt] = count as f64 / n;
        record.revenue[alt] = spend * price(alt) * scale;
    }
    record
}

fn retailer_week(st: &RetailerState) -> RetailerWeek {
    let stores = if st.active { st.stores.iter().sum() } else { 0.0 };
    RetailerWeek { price_index: st.price_index, stores, checkout_wait_min: st.checkout_wait_min, owner: st.owner }
}
