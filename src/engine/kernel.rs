//! The per-household-week kernel: go online, choose, update loyalty — for one block, one week.
//!
//! Layout: a [`Block`] is a struct of arrays (region and segment as `u8`, an online flag, and
//! per retailer the unit nearest-store distance sqrt(−ln U/π) and the loyalty, `f32`, stored
//! household-major so one household's retailers are adjacent): 3 + 8R bytes per household, plus
//! a bitset of the retailers it shopped at in reported weeks (reach), R/8 bytes rounded up.
//!
//! Precomputed once per week ([`WeekTables`]): per segment × region × retailer × channel, the
//! utility without distance and loyalty (quality, price, wait, fee), with channels that do not
//! exist in the region folded in as [`UNAVAILABLE`]; per region × retailer, the km per unit
//! distance 1/sqrt(λ) for stores and pickup stores, and the delivery reach (a unit-distance
//! threshold equivalent to U > 1 − coverage).
//!
//! Per household-week: one 64-bit draw split into the two uniforms; the going-online step for
//! households still offline (loyalty-weighted pull); then V = base − β_d·unit·km plus γ·L for
//! every alternative the household can use (the store part only, for a household not online:
//! one chunk of eight lanes for up to seven retailers), in a channel-major [`Scratch`];
//! weights exp(V − max V) by a polynomial `f32` exp, four lanes at a time; the inverse-CDF pick
//! in the model's order; loyalty decay and bump. Counts go to an integer tally.
//!
//! Draws: each household takes the same draws every week in household order, whatever it is
//! or chooses, so scenarios that differ only in parameters see the same draws (common random
//! numbers). Work is spread over threads by replication and by block of households
//! (see `replication.rs`), so a single large replication also uses every core.

use super::population::{Block, visited_bytes};
use super::week_tables::WeekTables;
use crate::model::logit::UNAVAILABLE;
use crate::model::{adoption, coupling, logit, loyalty};
use crate::scenario::Dynamics;
use rand_chacha::ChaCha8Rng;
use rand_core::Rng;

/// Counts from one block-week; integer, so summing blocks in any order gives the same totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Trips per `[alternative * segments + segment]`.
    pub choices: Vec<u64>,
    /// Trips per `[alternative * regions + region]`.
    pub by_region: Vec<u64>,
    /// Online-capable households per region, after this week's adoption.
    pub online: Vec<u64>,
    /// Expected trips per retailer (all channels): the households' choice probabilities in
    /// fixed point, [`EXPECTED_SCALE`] per household, so that sums do not depend on block order.
    /// Filled only when [`WeekTables::expected_shares`] is set.
    pub expected: Vec<u64>,
}

/// Fixed-point unit of [`Tally::expected`]: one household's probability 1 is 2^32.
pub const EXPECTED_SCALE: f64 = 4_294_967_296.0;

impl Tally {
    /// An empty tally for `alternatives × segments` and `regions`.
    pub fn new(alternatives: usize, segments: usize, regions: usize) -> Tally {
        Tally {
            choices: vec![0; alternatives * segments],
            by_region: vec![0; alternatives * regions],
            online: vec![0; regions],
            expected: vec![0; alternatives.saturating_sub(1) / 3],
        }
    }

    /// Adds another tally into this one.
    pub fn add(&mut self, other: &Tally) {
        self.choices.iter_mut().zip(&other.choices).for_each(|(a, b)| *a += b);
        self.by_region.iter_mut().zip(&other.by_region).for_each(|(a, b)| *a += b);
        self.online.iter_mut().zip(&other.online).for_each(|(a, b)| *a += b);
        self.expected.iter_mut().zip(&other.expected).for_each(|(a, b)| *a += b);
    }
}

/// One household's utilities and weights, reused across households, laid out channel-major:
/// `[outside, store_0 … store_{R−1}, pad | pickup_0 … pickup_{R−1}, delivery_0 … delivery_{R−1}, pad]`
/// with the store part padded to a multiple of [`logit::LANES`]. A household that is not
/// online-capable (most of them) only needs the first part; pads stay [`UNAVAILABLE`].
pub struct Scratch {
    utilities: Vec<f32>,
    weights: Vec<f32>,
    retailers: usize,
    store_end: usize,
    online: bool,
    total: f32,
    model_weights: Vec<f32>,
    model_utilities: Vec<f32>,
}

impl Scratch {
    /// Room for `retailers` retailers' alternatives.
    pub fn new(retailers: usize) -> Scratch {
        let store_end = logit::padded(1 + retailers);
        let length = store_end + logit::padded(2 * retailers);
        Scratch {
            utilities: vec![UNAVAILABLE; length],
            weights: vec![0.0; length],
            retailers,
            store_end,
            online: false,
            total: 0.0,
            model_weights: vec![0.0; 1 + 3 * retailers],
            model_utilities: vec![UNAVAILABLE; 1 + 3 * retailers],
        }
    }

    /// Position in the scratch layout of retailer `r`'s channel `c`.
    #[inline(always)]
    fn index(&self, r: usize, c: usize) -> usize {
        match c {
            0 => 1 + r,
            1 => self.store_end + r,
            _ => self.store_end + self.retailers + r,
        }
    }

    /// Inverse-CDF pick over the alternatives in the model's order (outside option, then each
    /// retailer's store, pickup, delivery); returns the model's alternative index and the
    /// position inside its stretch (see [`logit::pick`]).
    #[inline]
    pub fn pick(&self, u: f32) -> (usize, f32) {
        let target = u * self.total;
        let channels = if self.online { 3 } else { 1 };
        let mut cumulative = self.weights[0];
        let mut last = (0, self.weights[0]);
        if cumulative > target {
            return (0, (target / cumulative).clamp(0.0, 1.0 - f32::EPSILON));
        }
        for r in 0..self.retailers {
            for c in 0..channels {
                let w = self.weights[self.index(r, c)];
                if w > 0.0 {
                    let before = cumulative;
                    cumulative += w;
                    last = (1 + 3 * r + c, w);
                    if cumulative > target {
                        return (last.0, ((target - before) / w).clamp(0.0, 1.0 - f32::EPSILON));
                    }
                }
            }
        }
        (last.0, 1.0 - f32::EPSILON)
    }

    /// Adds each retailer's choice probability (all its channels), in fixed point, to `expected`.
    fn add_expected(&self, expected: &mut [u64]) {
        let scale = EXPECTED_SCALE / self.total as f64;
        for (r, e) in expected.iter_mut().enumerate() {
            let mut w = self.weights[1 + r];
            if self.online {
                w += self.weights[self.store_end + r] + self.weights[self.store_end + self.retailers + r];
            }
            *e += (w as f64 * scale).round() as u64;
        }
    }

    /// Utilities and weights in the model's alternative order, and the total (for coupling two
    /// worlds); channels a household cannot use have weight 0.
    pub fn model_order(&mut self) -> coupling::Logit<'_> {
        let (r_count, end) = (self.retailers, self.store_end);
        let (mw, mu) = (&mut self.model_weights, &mut self.model_utilities);
        mw[0] = self.weights[0];
        mu[0] = self.utilities[0];
        for r in 0..r_count {
            mw[1 + 3 * r] = self.weights[1 + r];
            mu[1 + 3 * r] = self.utilities[1 + r];
            if self.online {
                (mw[2 + 3 * r], mw[3 + 3 * r]) = (self.weights[end + r], self.weights[end + r_count + r]);
                (mu[2 + 3 * r], mu[3 + 3 * r]) = (self.utilities[end + r], self.utilities[end + r_count + r]);
            } else {
                (mw[2 + 3 * r], mw[3 + 3 * r]) = (0.0, 0.0);
                (mu[2 + 3 * r], mu[3 + 3 * r]) = (UNAVAILABLE, UNAVAILABLE);
            }
        }
        coupling::Logit { utilities: &self.model_utilities, weights: &self.model_weights, total: self.total }
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
    /// A reported week (past the warm-up): visits count towards reach.
    pub reported: bool,
}

/// The household's two uniforms for a week, from one 64-bit output: the high 32 bits decide
/// going online, the low 32 bits the choice; each keeps 24 bits, the precision of an `f32`.
#[inline(always)]
pub fn week_draws(rng: &mut ChaCha8Rng) -> (f32, f32) {
    let x = rng.next_u64();
    let scale = 1.0 / (1u32 << 24) as f32;
    (((x >> 40) as u32) as f32 * scale, (((x >> 8) as u32) & 0x00ff_ffff) as f32 * scale)
}

/// Simulates one week for every household of `block`, drawing from `rng`.
pub fn simulate_block(block: &mut Block, week: &WeekInputs, rng: &mut ChaCha8Rng, tally: &mut Tally) {
    let mut scratch = Scratch::new(week.tables.retailers);
    for i in 0..block.len() {
        let (u_online, u_choice) = week_draws(rng);
        step_household(block, i, week, u_online, u_choice, &mut scratch, tally);
    }
}

/// One household's week: go online (maybe), choose, update loyalty. Returns the alternative.
#[inline]
pub fn step_household(
    block: &mut Block,
    i: usize,
    week: &WeekInputs,
    u_online: f32,
    u_choice: f32,
    scratch: &mut Scratch,
    tally: &mut Tally,
) -> usize {
    prepare_choice(block, i, week, u_online, scratch, tally);
    let alt = scratch.pick(u_choice).0;
    commit_choice(block, i, week, alt, tally);
    alt
}

/// The first half of a household's week: going online, then every alternative's logit weight
/// into `scratch` (read them with [`Scratch::pick`] or [`Scratch::model_order`]).
#[inline]
pub fn prepare_choice(
    block: &mut Block,
    i: usize,
    week: &WeekInputs,
    u_online: f32,
    scratch: &mut Scratch,
    tally: &mut Tally,
) {
    let (t, d) = (week.tables, week.dynamics);
    let r_count = t.retailers;
    let g = block.region[i] as usize;
    let s = block.segment[i] as usize;
    let loyalty = &block.loyalty[i * r_count..(i + 1) * r_count];
    let distance = &block.unit_distance[i * r_count..(i + 1) * r_count];
    if !block.online[i] {
        let pulled: f32 = if t.any_pull { t.pull.iter().zip(loyalty).map(|(p, l)| p * l).sum() } else { 0.0 };
        let p = adoption::probability(d.adoption_innovation, d.adoption_imitation, pulled as f64, week.fractions[g]);
        block.online[i] = (u_online as f64) < p;
    }
    let online = block.online[i];
    tally.online[g] += online as u64;
    fill_utilities(scratch, t, g, s, online, distance, loyalty);
    let used = if online { scratch.utilities.len() } else { scratch.store_end };
    scratch.online = online;
    scratch.total = logit::weights(&scratch.utilities[..used], &mut scratch.weights[..used]);
    if t.expected_shares {
        scratch.add_expected(&mut tally.expected);
    }
}

/// The second half: count the chosen alternative and update loyalty.
#[inline]
pub fn commit_choice(block: &mut Block, i: usize, week: &WeekInputs, alt: usize, tally: &mut Tally) {
    let r_count = week.tables.retailers;
    let (s, g) = (block.segment[i] as usize, block.region[i] as usize);
    tally.choices[alt * week.tables.segments + s] += 1;
    tally.by_region[alt * week.tables.regions + g] += 1;
    let chosen = (alt > 0).then(|| (alt - 1) / 3);
    if let Some(r) = chosen.filter(|_| week.reported) {
        block.visited[i * visited_bytes(r_count) + r / 8] |= 1 << (r % 8);
    }
    loyalty::update(&mut block.loyalty[i * r_count..(i + 1) * r_count], chosen, week.dynamics.loyalty_smoothing as f32);
}

/// V for every alternative of one household into the scratch layout; the outside option is 0.
/// A missing channel is [`UNAVAILABLE`] in the base table; households beyond delivery reach get
/// [`UNAVAILABLE`] added to delivery; online channels are filled only for online households.
#[inline(always)]
fn fill_utilities(
    sc: &mut Scratch,
    t: &WeekTables,
    g: usize,
    s: usize,
    online: bool,
    distance: &[f32],
    loyalty: &[f32],
) {
    let r_count = t.retailers;
    let beta_d = t.distance_sensitivity[s];
    let base = &t.base[(s * t.regions + g) * r_count * 3..][..r_count * 3];
    let region = g * r_count..(g + 1) * r_count;
    let (store_km, pickup_km, reach) =
        (&t.store_km[region.clone()], &t.pickup_km[region.clone()], &t.delivery_reach[region]);
    let gamma = t.loyalty_weight;
    let (stores, online_part) = sc.utilities.split_at_mut(sc.store_end);
    stores[0] = 0.0;
    let per_retailer = loyalty.iter().zip(distance).zip(store_km).zip(base.chunks_exact(3));
    for (v, (((&l, &unit), &km), b)) in stores[1..=r_count].iter_mut().zip(per_retailer) {
        *v = b[0] - beta_d * unit * km + gamma * l;
    }
    if online {
        let (pickups, deliveries) = online_part.split_at_mut(r_count);
        let per_retailer = loyalty.iter().zip(distance).zip(pickup_km).zip(reach).zip(base.chunks_exact(3));
        for ((p, d), ((((&l, &unit), &km), &reach), b)) in
            pickups.iter_mut().zip(deliveries.iter_mut()).zip(per_retailer)
        {
            let loyal = gamma * l;
            *p = b[1] - beta_d * unit * km + loyal;
            *d = b[2] + loyal + if unit < reach { 0.0 } else { UNAVAILABLE };
        }
    }
}
