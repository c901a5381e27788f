//! The per-household-week kernel: go online, choose, update loyalty — for one block, one week.
//!
//! Layout: a [`Block`] is a struct of arrays (region, segment, online flag, and per-retailer
//! unit distance and loyalty stored household-major, `f32`). Everything shared by a segment
//! (quality, price, wait, fees) is in [`WeekTables::base`], computed once per week; the kernel
//! adds the household's part, −β_d·distance + γ·loyalty, per (retailer, channel).
//!
//! Draws: each household takes exactly two uniforms from its block's week stream, in household
//! order — one for going online, one for the choice — whatever it is or chooses, so scenarios
//! that differ only in parameters see the same draws (common random numbers).

use super::population::Block;
use super::week_tables::{WeekTables, alternative};
use crate::model::{adoption, logit, loyalty};
use crate::rng::uniform;
use crate::scenario::Dynamics;
use rand_chacha::ChaCha8Rng;

/// Counts from one block-week; integer, so summing blocks in any order gives the same totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Trips per `[alternative * segments + segment]`.
    pub choices: Vec<u64>,
    /// Online-capable households per region, after this week's adoption.
    pub online: Vec<u64>,
}

impl Tally {
    /// An empty tally for `alternatives × segments` and `regions`.
    pub fn new(alternatives: usize, segments: usize, regions: usize) -> Tally {
        Tally { choices: vec![0; alternatives * segments], online: vec![0; regions] }
    }

    /// Adds another tally into this one.
    pub fn add(&mut self, other: &Tally) {
        self.choices.iter_mut().zip(&other.choices).for_each(|(a, b)| *a += b);
        self.online.iter_mut().zip(&other.online).for_each(|(a, b)| *a += b);
    }
}

/// Scratch space for one household's utilities and weights, reused across households.
pub struct Scratch {
    utilities: Vec<f64>,
    /// exp(V − max V) per alternative, after [`prepare_choice`].
    pub weights: Vec<f64>,
}

impl Scratch {
    /// Room for `retailers` retailers' alternatives.
    pub fn new(retailers: usize) -> Scratch {
        Scratch { utilities: vec![f64::NEG_INFINITY; 1 + 3 * retailers], weights: vec![0.0; 1 + 3 * retailers] }
    }
}

/// One week of one world, as the kernel sees it.
pub struct WeekInputs<'a> {
    /// Per-week precomputed utilities and densities.
    pub tables: &'a WeekTables,
    /// Loyalty and adoption coefficients.
    pub dynamics: &'a Dynamics,
    /// Online-capable share per region at the start of the week.
    pub fractions: &'a [f64],
}

/// Simulates one week for every household of `block`, drawing from `rng`.
pub fn simulate_block(block: &mut Block, week: &WeekInputs, rng: &mut ChaCha8Rng, tally: &mut Tally) {
    let mut scratch = Scratch::new(week.tables.retailers);
    for i in 0..block.len() {
        let (u_online, u_choice) = (uniform(rng), uniform(rng));
        step_household(block, i, week, u_online, u_choice, &mut scratch, tally);
    }
}

/// One household's week: go online (maybe), choose, update loyalty. Returns the alternative.
#[inline]
pub fn step_household(
    block: &mut Block,
    i: usize,
    week: &WeekInputs,
    u_online: f64,
    u_choice: f64,
    scratch: &mut Scratch,
    tally: &mut Tally,
) -> usize {
    let total = prepare_choice(block, i, week, u_online, scratch, tally);
    let alt = logit::pick(&scratch.weights, total, u_choice).0;
    commit_choice(block, i, week, alt, tally);
    alt
}

/// The first half of a household's week: going online, then every alternative's logit weight
/// into `scratch.weights`. Returns the total weight.
#[inline]
pub fn prepare_choice(
    block: &mut Block,
    i: usize,
    week: &WeekInputs,
    u_online: f64,
    scratch: &mut Scratch,
    tally: &mut Tally,
) -> f64 {
    let (t, d) = (week.tables, week.dynamics);
    let r_count = t.retailers;
    let g = block.region[i] as usize;
    let s = block.segment[i] as usize;
    let loyalty = &block.loyalty[i * r_count..(i + 1) * r_count];
    let distance = &block.unit_distance[i * r_count..(i + 1) * r_count];
    if !block.online[i] {
        let pulled = if t.any_pull { t.pull.iter().zip(loyalty).map(|(p, &l)| p * l as f64).sum() } else { 0.0 };
        let p = adoption::probability(d.adoption_innovation, d.adoption_imitation, pulled, week.fractions[g]);
        block.online[i] = u_online < p;
    }
    let online = block.online[i];
    tally.online[g] += online as u64;
    fill_utilities(&mut scratch.utilities, t, g, s, online, distance, loyalty);
    logit::weights(&scratch.utilities, &mut scratch.weights)
}

/// The second half: count the chosen alternative and update loyalty.
#[inline]
pub fn commit_choice(block: &mut Block, i: usize, week: &WeekInputs, alt: usize, tally: &mut Tally) {
    let r_count = week.tables.retailers;
    let s = block.segment[i] as usize;
    tally.choices[alt * week.tables.segments + s] += 1;
    let chosen = (alt > 0).then(|| (alt - 1) / 3);
    loyalty::update(&mut block.loyalty[i * r_count..(i + 1) * r_count], chosen, week.dynamics.loyalty_smoothing as f32);
}

/// V for every alternative of one household; the outside option stays at 0.
#[inline]
fn fill_utilities(v: &mut [f64], t: &WeekTables, g: usize, s: usize, online: bool, distance: &[f32], loyalty: &[f32]) {
    let r_count = t.retailers;
    let beta_d = t.distance_sensitivity[s];
    v[0] = 0.0;
    for r in 0..r_count {
        let base = &t.base[(s * r_count + r) * 3..][..3];
        let loyal = t.loyalty_weight * loyalty[r] as f64;
        let unit = distance[r] as f64;
        let gr = g * r_count + r;
        v[alternative(r, 0)] = match t.store_scale[gr] {
            Some(km) if base[0] > f64::NEG_INFINITY => base[0] - beta_d * unit * km + loyal,
            _ => f64::NEG_INFINITY,
        };
        v[alternative(r, 1)] = match t.pickup_scale[gr] {
            Some(km) if online && base[1] > f64::NEG_INFINITY => base[1] - beta_d * unit * km + loyal,
            _ => f64::NEG_INFINITY,
        };
        let reached = online && unit < t.delivery_reach[gr];
        v[alternative(r, 2)] = if reached && base[2] > f64::NEG_INFINITY { base[2] + loyal } else { f64::NEG_INFINITY };
    }
}
