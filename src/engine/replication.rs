//! One replication, week by week: events, the kernel over all blocks, tallies, price response.

use super::kernel::{Tally, simulate_block};
use super::population::{Block, populate, region_sizes};
use super::week_tables::{WeekTables, alternative};
use crate::model::retailer_state::RetailerState;
use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;
use rayon::prelude::*;

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
}

/// The reported weeks of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Replication number.
    pub replication: u32,
    /// One record per reported week.
    pub weeks: Vec<WeekRecord>,
}

/// Runs replication `replication` of `s`; `progress` is told the household-weeks done.
pub fn run_replication(s: &Scenario, replication: u32, progress: &(dyn Fn(u64) + Sync)) -> ReplicationResult {
    let mut blocks = populate(s, replication);
    let mut states: Vec<RetailerState> = s.retailers.iter().map(|r| r.initial.clone()).collect();
    let shares: Vec<f64> = s.regions.iter().map(|r| r.households_share).collect();
    let region_n = region_sizes(&shares, s.simulation.households);
    let mut online = online_by_region(&blocks, s.regions.len());
    let schedule = s.event_schedule();
    let mut share_at_start: Vec<f64> = Vec::new();
    let mut weeks = Vec::with_capacity(s.simulation.weeks as usize);
    for week in 0..s.total_weeks() {
        let reported = week.checked_sub(s.simulation.warmup_weeks);
        if let Some(w) = reported {
            apply_events(s, &schedule[w as usize], &mut states, &mut blocks);
        }
        let fractions: Vec<f64> = online.iter().zip(&region_n).map(|(&a, &n)| if n > 0 { a as f64 / n as f64 } else { 0.0 }).collect();
        let tally = simulate_week(s, &states, &mut blocks, &fractions, replication, week);
        online = tally.online.clone();
        progress(s.simulation.households);
        let Some(w) = reported else { continue };
        let record = record_week(s, &states, &tally, &region_n);
        let retailer_shares = retailer_shares(&record, states.len());
        if w == 0 {
            share_at_start = retailer_shares.clone();
        }
        respond_to_prices(s, w, &share_at_start, &retailer_shares, &mut states);
        weeks.push(record);
    }
    ReplicationResult { replication, weeks }
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

/// The kernel over every block, in parallel; integer tallies summed in block order.
fn simulate_week(s: &Scenario, states: &[RetailerState], blocks: &mut [Block], fractions: &[f64], replication: u32, week: u32) -> Tally {
    let tables = WeekTables::new(s, states);
    let alternatives = 1 + 3 * states.len();
    let (segments, regions) = (s.segments.len(), s.regions.len());
    let tallies: Vec<Tally> = blocks
        .par_iter_mut()
        .map(|block| {
            let mut rng = stream(s.simulation.seed, replication, block.index, Some(week), Purpose::Week);
            let mut tally = Tally::new(alternatives, segments, regions);
            simulate_block(block, &tables, &s.dynamics, fractions, &mut rng, &mut tally);
            tally
        })
        .collect();
    let mut total = Tally::new(alternatives, segments, regions);
    tallies.iter().for_each(|t| total.add(t));
    total
}

/// Events of one reported week: acquisitions move stores, channels and loyalty; then changes.
fn apply_events(s: &Scenario, events: &[usize], states: &mut [RetailerState], blocks: &mut [Block]) {
    for &i in events {
        let e = &s.events[i];
        if let Some(target) = e.acquire {
            let mut taken = states[target].clone();
            states[e.retailer].absorb(&mut taken);
            states[target] = taken;
            move_loyalty(blocks, states.len(), target, e.retailer);
        }
        for change in &e.changes {
            states[e.retailer]
                .apply(change, &s.retailers[e.retailer].region_mix)
                .expect("validation replayed every event");
        }
    }
}

fn move_loyalty(blocks: &mut [Block], retailers: usize, from: usize, to: usize) {
    blocks.par_iter_mut().for_each(|b| {
        for l in b.loyalty.chunks_exact_mut(retailers) {
            l[to] += l[from];
            l[from] = 0.0;
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
    let mut record = WeekRecord { trips: vec![0.0; alternatives], share: vec![0.0; alternatives], revenue: vec![0.0; alternatives], online: Vec::new() };
    for alt in 0..alternatives {
        let counts = &tally.choices[alt * segments..(alt + 1) * segments];
        let count: u64 = counts.iter().sum();
        let spend: f64 = counts.iter().zip(&s.segments).map(|(&c, seg)| c as f64 * seg.weekly_spend).sum();
        record.trips[alt] = count as f64 * scale;
        record.share[alt] = count as f64 / n;
        record.revenue[alt] = spend * price(alt) * scale;
    }
    record.online = tally.online.iter().zip(region_n).map(|(&a, &n)| if n > 0 { a as f64 / n as f64 } else { 0.0 }).collect();
    record
}

/// Each retailer's share of all trips this week, all channels together.
fn retailer_shares(record: &WeekRecord, retailers: usize) -> Vec<f64> {
    (0..retailers).map(|r| (0..3).map(|c| record.share[alternative(r, c)]).sum()).collect()
}

/// MODEL.md §5 price pressure, at the end of reported week `w`; a cut applies from `w + 1`.
fn respond_to_prices(s: &Scenario, w: u32, start: &[f64], now: &[f64], states: &mut [RetailerState]) {
    if w == 0 {
        return;
    }
    for (r, retailer) in s.retailers.iter().enumerate() {
        let Some(rule) = retailer.price_response else { continue };
        let loss = start[r] - now[r];
        if w % rule.every_weeks != 0 || !states[r].active || start[r] <= 0.0 || loss <= 0.0 {
            continue;
        }
        let p = states[r].price_index;
        let cut = (p * (1.0 - rule.strength * loss / start[r])).max(rule.floor);
        states[r].price_index = cut.min(p);
    }
}
