//! The per-household-week kernel: go online, choose, update loyalty — for one block, one week.
//!
//! Layout: a [`Block`] is a struct of arrays (region and segment as `u8`, an online flag, and
//! per retailer the unit nearest-store distance sqrt(−ln U/π) and the loyalty, each in 16-bit
//! quanta ([`crate::model::geometry::DISTANCE_QUANTUM`], [`loyalty::QUANTUM`]; both powers of
//! two, so turning them back into `f32` is exact), stored household-major so one household's
//! retailers are adjacent): 3 + 4R bytes per household, 2 more for the outside option's own
//! stores, plus a bitset of the retailers it shopped at in reported weeks (reach), R/8 bytes
//! rounded up.
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
//! weights exp(V − max V) by a polynomial `f32` exp in vector lanes (or, when some
//! format nest has λ < 1, the within-nest weights and per-nest factors of
//! [`nested_logit::within_nest_weights`], whose products, taken only for the alternatives the
//! pick walks past, are proportional to the choice probabilities of MODEL.md §3a); the inverse-CDF pick
//! in the model's order; loyalty decay and bump. Counts go to an integer tally.
//!
//! Vectors: the exp runs eight lanes at a time with AVX2, four with SSE2 ([`lanes`]), and the
//! whole block loop is compiled twice, for AVX2 and for the x86-64 baseline, the processor's
//! choosing at run time. Every path does the same `f32` operations in the same order (Rust
//! never fuses a multiply and an add on its own), so results are the same bits on any x86-64
//! machine and any thread count; tests pin this for the exp, the nested weights and the loop.
//!
//! Draws: each household takes the same draws every week in household order, whatever it is
//! or chooses, so scenarios that differ only in parameters see the same draws (common random
//! numbers). Work is spread over threads by replication and by block of households
//! (see `replication.rs`), so a single large replication also uses every core.

use super::population::{Block, visited_bytes};
use super::week_tables::WeekTables;
use crate::model::geometry::distance_value;
use crate::model::logit::UNAVAILABLE;
use crate::model::nested_logit::{self, Members, NestScratch, Nests};
use crate::model::{adoption, coupling, lanes, logit, loyalty};
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
    /// Nest of each position of the layout (pads in nest 0, where they weigh nothing).
    nest: Vec<u8>,
    /// 1/λ of each position's nest.
    inverse_lambda: Vec<f32>,
    /// Nest of each alternative in the model's order.
    model_nest: Vec<u8>,
    lambda: Vec<f32>,
    nested: bool,
    nest_scratch: NestScratch,
    /// Each nest's positions in the store part (households not online), pads left out.
    store_members: Members,
    /// The same over the whole layout (online households).
    all_members: Members,
    /// The week's store utilities without distance and loyalty, `[(segment * G + region) * R +
    /// retailer]`: the store column of [`WeekTables::base`], contiguous so the kernel's
    /// per-retailer loop runs in vector lanes.
    store_base: Vec<f32>,
    /// One household's unit distances and loyalties as `f32`, per retailer.
    unit_row: Vec<f32>,
    loyalty_row: Vec<f32>,
}

impl Scratch {
    /// Room for the alternatives of one week's retailers, with their nests.
    pub fn new(tables: &WeekTables) -> Scratch {
        let retailers = tables.retailers;
        let store_end = logit::padded(1 + retailers);
        let length = store_end + logit::padded(2 * retailers);
        let mut scratch = Scratch {
            utilities: vec![UNAVAILABLE; length],
            weights: vec![0.0; length],
            retailers,
            store_end,
            online: false,
            total: 0.0,
            model_weights: vec![0.0; 1 + 3 * retailers],
            model_utilities: vec![UNAVAILABLE; 1 + 3 * retailers],
            nest: vec![0; length],
            inverse_lambda: vec![1.0; length],
            model_nest: vec![0; 1 + 3 * retailers],
            lambda: tables.lambda.clone(),
            nested: tables.nested,
            nest_scratch: NestScratch::new(tables.lambda.len()),
            store_members: Members::default(),
            all_members: Members::default(),
            store_base: tables.base.iter().step_by(3).copied().collect(),
            unit_row: vec![0.0; retailers],
            loyalty_row: vec![0.0; retailers],
        };
        for (r, &n) in tables.retailer_nest.iter().enumerate() {
            for c in 0..3 {
                let at = scratch.index(r, c);
                scratch.nest[at] = n;
                scratch.inverse_lambda[at] = 1.0 / tables.lambda[n as usize];
                scratch.model_nest[1 + 3 * r + c] = n;
            }
        }
        let (nests, stores) = (tables.lambda.len(), 0..=retailers);
        scratch.store_members = Members::new(&scratch.nest, nests, stores.clone());
        let online = store_end..store_end + 2 * retailers;
        scratch.all_members = Members::new(&scratch.nest, nests, stores.chain(online));
        scratch
    }

    /// Nest of each alternative in the model's order, and λ per nest (for coupling two worlds).
    pub fn nests(&self) -> (&[u8], &[f32], bool) {
        (&self.model_nest, &self.lambda, self.nested)
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
        if self.nested { self.pick_in::<true>(u) } else { self.pick_in::<false>(u) }
    }

    /// The weight of layout position `at`, proportional to its choice probability: with nests,
    /// the within-nest weight times the nest's factor ([`nested_logit::within_nest_weights`]).
    #[inline(always)]
    fn weight<const NESTED: bool>(&self, at: usize) -> f32 {
        if NESTED { self.weights[at] * self.nest_scratch.factors()[self.nest[at] as usize] } else { self.weights[at] }
    }

    /// [`Scratch::weight`] for either kind of week.
    #[inline(always)]
    fn weight_any(&self, at: usize) -> f32 {
        if self.nested { self.weight::<true>(at) } else { self.weight::<false>(at) }
    }

    /// [`Scratch::pick`] for a week with (`NESTED`) or without nests.
    #[inline(always)]
    fn pick_in<const NESTED: bool>(&self, u: f32) -> (usize, f32) {
        let target = u * self.total;
        let channels = if self.online { 3 } else { 1 };
        let first = self.weight::<NESTED>(0);
        let mut cumulative = first;
        let mut last = (0, first);
        if cumulative > target {
            return (0, (target / cumulative).clamp(0.0, 1.0 - f32::EPSILON));
        }
        for r in 0..self.retailers {
            for c in 0..channels {
                let w = self.weight::<NESTED>(self.index(r, c));
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
            let mut w = self.weight_any(1 + r);
            if self.online {
                w += self.weight_any(self.store_end + r) + self.weight_any(self.store_end + self.retailers + r);
            }
            *e += (w as f64 * scale).round() as u64;
        }
    }

    /// Utilities and weights in the model's alternative order, and the total (for coupling two
    /// worlds); channels a household cannot use have weight 0.
    pub fn model_order(&mut self) -> coupling::Logit<'_> {
        let (r_count, end) = (self.retailers, self.store_end);
        let mut mw = std::mem::take(&mut self.model_weights);
        let mut mu = std::mem::take(&mut self.model_utilities);
        mw[0] = self.weight_any(0);
        mu[0] = self.utilities[0];
        for r in 0..r_count {
            mw[1 + 3 * r] = self.weight_any(1 + r);
            mu[1 + 3 * r] = self.utilities[1 + r];
            if self.online {
                (mw[2 + 3 * r], mw[3 + 3 * r]) = (self.weight_any(end + r), self.weight_any(end + r_count + r));
                (mu[2 + 3 * r], mu[3 + 3 * r]) = (self.utilities[end + r], self.utilities[end + r_count + r]);
            } else {
                (mw[2 + 3 * r], mw[3 + 3 * r]) = (0.0, 0.0);
                (mu[2 + 3 * r], mu[3 + 3 * r]) = (UNAVAILABLE, UNAVAILABLE);
            }
        }
        (self.model_weights, self.model_utilities) = (mw, mu);
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

/// Simulates one week for every household of `block`, drawing from `rng`. Where the processor
/// has AVX2 (detected at run time) the whole loop is compiled for it: wider vectors, the same
/// operations in the same order (no fused multiply-adds), so the same bits.
pub fn simulate_block(block: &mut Block, week: &WeekInputs, rng: &mut ChaCha8Rng, tally: &mut Tally) {
    #[cfg(target_arch = "x86_64")]
    if lanes::wide() {
        if !week.tables.expected_shares {
            // SAFETY: AVX2 was detected just above.
            return unsafe { super::kernel_lanes::simulate_block(block, week, rng, tally) };
        }
        // SAFETY: AVX2 was detected just above.
        return unsafe { simulate_block_avx2(block, week, rng, tally) };
    }
    simulate_block_here(block, week, rng, tally);
}

/// [`simulate_block`] compiled with AVX2 enabled.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn simulate_block_avx2(block: &mut Block, week: &WeekInputs, rng: &mut ChaCha8Rng, tally: &mut Tally) {
    simulate_block_here(block, week, rng, tally);
}

/// The loop of [`simulate_block`], inlined into each compiled version.
#[inline(always)]
fn simulate_block_here(block: &mut Block, week: &WeekInputs, rng: &mut ChaCha8Rng, tally: &mut Tally) {
    let mut scratch = Scratch::new(week.tables);
    for i in 0..block.len() {
        let (u_online, u_choice) = week_draws(rng);
        step_household(block, i, week, u_online, u_choice, &mut scratch, tally);
    }
}

/// One household's week: go online (maybe), choose, update loyalty. Returns the alternative.
#[inline(always)]
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
#[inline(always)]
pub fn prepare_choice(
    block: &mut Block,
    i: usize,
    week: &WeekInputs,
    u_online: f32,
    scratch: &mut Scratch,
    tally: &mut Tally,
) {
    let t = week.tables;
    let r_count = t.retailers;
    let g = block.region[i] as usize;
    let s = block.segment[i] as usize;
    let online = go_online(block, i, week, u_online, tally);
    let (mut distance, mut loyal) = (std::mem::take(&mut scratch.unit_row), std::mem::take(&mut scratch.loyalty_row));
    let at = i * r_count..(i + 1) * r_count;
    distance.iter_mut().zip(&block.unit_distance[at.clone()]).for_each(|(d, &q)| *d = distance_value(q));
    loyal.iter_mut().zip(&block.loyalty[at]).for_each(|(l, &q)| *l = loyalty::value(q));
    let outside = block.outside_distance.get(i).map(|&unit| distance_value(unit) * t.outside_km[g]);
    fill_utilities(scratch, t, (g, s), online, outside, &distance, &loyal);
    (scratch.unit_row, scratch.loyalty_row) = (distance, loyal);
    let used = if online { scratch.utilities.len() } else { scratch.store_end };
    scratch.online = online;
    scratch.total = if scratch.nested {
        let sc = &mut *scratch;
        let members = if online { &sc.all_members } else { &sc.store_members };
        let (nest, inverse) = (&sc.nest[..used], &sc.inverse_lambda[..used]);
        let nests = Nests { nest, inverse, lambda: &sc.lambda, members };
        nested_logit::within_nest_weights(&sc.utilities[..used], nests, &mut sc.nest_scratch, &mut sc.weights[..used])
    } else {
        logit::weights(&scratch.utilities[..used], &mut scratch.weights[..used])
    };
    if t.expected_shares {
        scratch.add_expected(&mut tally.expected);
    }
}

/// The going-online step of household `i` (if still offline: Bass with the loyalty-weighted
/// pull), counted in the tally; returns whether it is online-capable now.
#[inline(always)]
pub(super) fn go_online(block: &mut Block, i: usize, week: &WeekInputs, u_online: f32, tally: &mut Tally) -> bool {
    let (t, d) = (week.tables, week.dynamics);
    let g = block.region[i] as usize;
    if !block.online[i] {
        let held = &block.loyalty[i * t.retailers..(i + 1) * t.retailers];
        // Σ pull_r·L_hr over the retailers that pull (each other term is an exact +0; with none,
        // the empty sum −0 gives the same probability as 0).
        let pulled: f32 = t.pulling.iter().map(|&r| t.pull[r] * loyalty::value(held[r])).sum();
        let p = adoption::probability(d.adoption_innovation, d.adoption_imitation, pulled as f64, week.fractions[g]);
        block.online[i] = (u_online as f64) < p;
    }
    let online = block.online[i];
    tally.online[g] += online as u64;
    online
}

/// The second half: count the chosen alternative and update loyalty.
#[inline(always)]
pub fn commit_choice(block: &mut Block, i: usize, week: &WeekInputs, alt: usize, tally: &mut Tally) {
    let r_count = week.tables.retailers;
    let (s, g) = (block.segment[i] as usize, block.region[i] as usize);
    tally.choices[alt * week.tables.segments + s] += 1;
    tally.by_region[alt * week.tables.regions + g] += 1;
    let chosen = (alt > 0).then(|| (alt - 1) / 3);
    if let Some(r) = chosen.filter(|_| week.reported) {
        block.visited[i * visited_bytes(r_count) + r / 8] |= 1 << (r % 8);
    }
    loyalty::update(&mut block.loyalty[i * r_count..(i + 1) * r_count], chosen, week.tables.loyalty_keep);
}

/// V for every alternative of one household into the scratch layout; the outside option is 0,
/// or −β_d times the km to its nearest store (`outside_km`) when it has stores of its own.
/// A missing channel is [`UNAVAILABLE`] in the base table; households beyond delivery reach get
/// [`UNAVAILABLE`] added to delivery; online channels are filled only for online households.
#[inline(always)]
fn fill_utilities(
    sc: &mut Scratch,
    t: &WeekTables,
    (g, s): (usize, usize),
    online: bool,
    outside_km: Option<f32>,
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
    stores[0] = outside_km.map_or(0.0, |km| -beta_d * km);
    let store_base = &sc.store_base[(s * t.regions + g) * r_count..][..r_count];
    store_utilities(&mut stores[1..=r_count], [store_base, distance, store_km, loyalty], beta_d, gamma);
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

/// `out[r] = base[r] − β_d·unit[r]·km[r] + γ·L[r]` for every retailer, four at a time (one
/// vector each) and the rest one by one: the same operations per retailer either way.
#[inline(always)]
fn store_utilities(out: &mut [f32], [base, unit, km, loyalty]: [&[f32]; 4], beta_d: f32, gamma: f32) {
    const W: usize = 4;
    let n = out.len();
    let one = |r: usize| base[r] - beta_d * unit[r] * km[r] + gamma * loyalty[r];
    let whole = n / W * W;
    for r in (0..whole).step_by(W) {
        let chunk = |x: &[f32]| -> [f32; W] { x[r..r + W].try_into().expect("W values") };
        let (b, u, k, l) = (chunk(base), chunk(unit), chunk(km), chunk(loyalty));
        let v: [f32; W] = std::array::from_fn(|j| b[j] - beta_d * u[j] * k[j] + gamma * l[j]);
        out[r..r + W].copy_from_slice(&v);
    }
    for (r, o) in out.iter_mut().enumerate().skip(whole) {
        *o = one(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::population::populate;
    use crate::rng::{Purpose, stream};
    use crate::scenario::{LoadOptions, load};

    /// A plain-logit scenario (no format nests, no outside-option stores).
    const FIXTURE_PLAIN: &str = "benches/fixtures/baseline_2018_session2.toml";

    /// The households-in-lanes kernel, the loop compiled for AVX2 and the one compiled for the
    /// x86-64 baseline make the same choices and leave the same loyalties and online flags, bit
    /// for bit, with and without format nests and outside-option stores.
    #[test]
    fn every_compiled_kernel_gives_the_same_bits() {
        let files = ["scenarios/baseline_2018.toml", "benches/fixtures/nested_2018.toml", FIXTURE_PLAIN];
        for file in files {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            let s = load(&path, &LoadOptions { overrides: vec!["simulation.households=3000".into()] }).unwrap();
            let states: Vec<_> = s.retailers.iter().map(|r| r.initial.clone()).collect();
            let tables = WeekTables::new(&s, &states);
            let fractions = vec![0.3; s.regions.len()];
            let week = WeekInputs { tables: &tables, dynamics: &s.dynamics, fractions: &fractions, reported: true };
            let (mut fast, mut plain) = (populate(&s, 0), populate(&s, 0));
            for w in 0..12 {
                for (a, b) in fast.iter_mut().zip(plain.iter_mut()) {
                    let empty = Tally::new(1 + 3 * states.len(), s.segments.len(), s.regions.len());
                    let (mut ta, mut tb) = (empty.clone(), empty);
                    let mut c = b.clone();
                    let mut tc = ta.clone();
                    simulate_block(a, &week, &mut stream(1, 0, a.index, Some(w), Purpose::Week), &mut ta);
                    simulate_block_here(b, &week, &mut stream(1, 0, b.index, Some(w), Purpose::Week), &mut tb);
                    assert_eq!(ta, tb, "{file}, week {w}");
                    let bits = |x: &Block| x.loyalty.clone();
                    assert_eq!(bits(a), bits(b), "{file}, week {w}");
                    assert_eq!((&a.online, &a.visited), (&b.online, &b.visited), "{file}, week {w}");
                    #[cfg(target_arch = "x86_64")]
                    if lanes::wide() {
                        // SAFETY: AVX2 was detected just above.
                        let mut rng = stream(1, 0, c.index, Some(w), Purpose::Week);
                        unsafe { simulate_block_avx2(&mut c, &week, &mut rng, &mut tc) };
                        assert_eq!(tc, tb, "{file}, week {w}");
                        assert_eq!(bits(&c), bits(b), "{file}, week {w}");
                    }
                }
            }
        }
    }
}
