//! The week's kernel eight households at a time, where the processor has AVX2: each vector lane
//! is one household doing `kernel.rs`'s arithmetic operation for operation, so the same bits.
//!
//! Why: one household at a time, the kernel is a long chain of dependent steps (utilities,
//! largest, exp, nest sums, ln, exp, total, pick), each a short loop over a few alternatives
//! with horizontal reductions between them; eight households side by side turn every step
//! into plain vertical vector operations, with no reductions and no store-to-load stalls.
//!
//! A week of a block runs in three passes. (1) In household order: both uniforms from the
//! block's stream and the going-online step ([`go_online`]), exactly as one at a time.
//! (2) Households grouped by cell (online or not, segment, region), eight at a time (the last
//! group of a cell repeats a household in its unused lanes, whose results are dropped): for
//! the cell's [`Menu`] (the outside option and the alternatives that exist there, in the
//! model's order), V from the households' distances and loyalties (row loads and an 8 × 8
//! transpose) and the week tables' shared part; the weights (plain
//! logit: exp(V − max V) with the total summed lane by lane over the kernel's padded layout, as
//! [`crate::model::lanes::logit_weights`] does; nested: exp((V − M)/λ) summed per nest in the
//! layout's order, ln and exp per nest, factors, total, as
//! [`crate::model::nested_logit::within_nest_weights`] does); the inverse-CDF pick in the
//! model's order. (3) Per household: count the choice and update loyalty ([`commit_choice`]).
//! Which household is processed when does not matter: each has its own draws, and the tallies
//! are integers. The test in `kernel.rs` pins this path to the one-at-a-time path, bit for bit.

use super::kernel::{Tally, WeekInputs, commit_choice, go_online, week_draws};
use super::population::Block;
use super::week_tables::WeekTables;
use crate::model::geometry::{DISTANCE_QUANTUM, distance_value};
use crate::model::lanes::avx2::{exp8, ln8};
use crate::model::logit::{self, UNAVAILABLE};
use crate::model::loyalty;
use rand_chacha::ChaCha8Rng;
use std::arch::x86_64::*;

/// Households per group: the lanes of one vector.
const GROUP: usize = 8;

/// One alternative the households of a cell can use, with its part of V shared by the cell.
#[derive(Debug, Clone, Copy)]
struct Alternative {
    /// The model's index: 0 the outside option, 1 + 3r + c retailer r's channel c.
    model: i32,
    retailer: usize,
    channel: usize,
    nest: usize,
    /// 1/λ of its nest.
    inverse: f32,
    /// V without distance and loyalty ([`WeekTables::base`]).
    base: f32,
    /// km per unit distance to the nearest store (store) or pickup store (pickup), or the
    /// delivery reach threshold (delivery).
    km: f32,
}

/// What the households of one cell (online or not, segment, region) can choose: the outside
/// option and every alternative that exists there, in the model's order, with the orders in
/// which `kernel.rs` adds their weights. An alternative that does not exist in the cell
/// (`UNAVAILABLE` in the week's base table) weighs exactly 0 there, so leaving it out changes
/// no sum, no maximum and no pick.
#[derive(Debug, Clone)]
pub(crate) struct Menu {
    alternatives: Vec<Alternative>,
    /// Per nest: positions in `alternatives` in the order of `kernel.rs`'s layout.
    members: Vec<Vec<usize>>,
    /// (position in `alternatives`, lane of its place in `kernel.rs`'s padded layout), in
    /// layout order: the plain logit's lane-by-lane total.
    layout: Vec<(usize, usize)>,
}

impl Menu {
    fn new(t: &WeekTables, cell: Cell) -> Menu {
        let r_count = t.retailers;
        let row = (cell.segment * t.regions + cell.region) * r_count;
        let at_region = cell.region * r_count;
        let nest_of = |r: usize| usize::from(t.retailer_nest[r]);
        let outside =
            Alternative { model: 0, retailer: 0, channel: 0, nest: 0, inverse: 1.0 / t.lambda[0], base: 0.0, km: 0.0 };
        let mut alternatives = vec![outside];
        let channels = if cell.online { 3 } else { 1 };
        for r in 0..r_count {
            for c in 0..channels {
                let base = t.base[(row + r) * 3 + c];
                if base > UNAVAILABLE / 2.0 {
                    let km = [&t.store_km, &t.pickup_km, &t.delivery_reach][c][at_region + r];
                    let (model, nest) = ((1 + 3 * r + c) as i32, nest_of(r));
                    let inverse = 1.0 / t.lambda[nest];
                    alternatives.push(Alternative { model, retailer: r, channel: c, nest, inverse, base, km });
                }
            }
        }
        // kernel.rs's layout: outside, stores, padding | pickups, deliveries, padding.
        let store_end = logit::padded(1 + r_count);
        let place = |a: &Alternative| match (a.model, a.channel) {
            (0, _) => 0,
            (_, 0) => 1 + a.retailer,
            (_, 1) => store_end + a.retailer,
            _ => store_end + r_count + a.retailer,
        };
        let mut in_layout: Vec<usize> = (0..alternatives.len()).collect();
        in_layout.sort_by_key(|&j| place(&alternatives[j]));
        let mut members = vec![Vec::new(); t.lambda.len()];
        for &j in &in_layout {
            members[alternatives[j].nest].push(j);
        }
        let layout = in_layout.iter().map(|&j| (j, place(&alternatives[j]) % GROUP)).collect();
        Menu { alternatives, members, layout }
    }
}

/// Simulates one week of `block`, as [`super::kernel::simulate_block`] does one household at
/// a time, for a week without expected-share tallies.
///
/// # Safety
/// The processor must have AVX2.
#[target_feature(enable = "avx2")]
pub unsafe fn simulate_block(block: &mut Block, week: &WeekInputs, rng: &mut ChaCha8Rng, tally: &mut Tally) {
    debug_assert!(!week.tables.expected_shares);
    let n = block.len();
    let t = week.tables;
    let cells = t.segments * t.regions;
    let mut u_choice = Vec::with_capacity(n);
    let mut key = Vec::with_capacity(n);
    let mut count = vec![0usize; 2 * cells + 1];
    for i in 0..n {
        let (u_online, u) = week_draws(rng);
        u_choice.push(u);
        let online = go_online(block, i, week, u_online, tally);
        let cell = usize::from(block.segment[i]) * t.regions + usize::from(block.region[i]);
        key.push(usize::from(online) * cells + cell);
        count[key[i] + 1] += 1;
    }
    // Households grouped by (online, segment, region), in household order within each.
    for k in 1..count.len() {
        count[k] += count[k - 1];
    }
    let start = count.clone();
    let mut order = vec![0; n];
    for (i, &k) in key.iter().enumerate() {
        order[count[k]] = i;
        count[k] += 1;
    }
    let menus = t.lane_menus.get_or_init(|| {
        (0..2 * cells)
            .map(|k| Menu::new(t, Cell { online: k >= cells, segment: (k % cells) / t.regions, region: k % t.regions }))
            .collect()
    });
    let alternatives = 1 + 3 * t.retailers;
    let mut scratch = Lanes {
        v: vec![_mm256_setzero_ps(); alternatives],
        w: vec![_mm256_setzero_ps(); alternatives],
        units: vec![_mm256_setzero_ps(); t.retailers.next_multiple_of(GROUP)],
        loyalties: vec![_mm256_setzero_ps(); t.retailers.next_multiple_of(GROUP)],
        nests: NestLanes::new(t.lambda.len()),
    };
    for k in 0..2 * cells {
        if start[k] == start[k + 1] {
            continue;
        }
        let cell = Cell { online: k >= cells, segment: (k % cells) / t.regions, region: k % t.regions };
        for group in order[start[k]..start[k + 1]].chunks(GROUP) {
            let lanes: [usize; GROUP] = std::array::from_fn(|j| group[j.min(group.len() - 1)]);
            let u: [f32; GROUP] = lanes.map(|i| u_choice[i]);
            let choices = choose(block, (&lanes, &u), (cell, &menus[k]), t, &mut scratch);
            for (&i, &alt) in group.iter().zip(&choices) {
                commit_choice(block, i, week, alt as usize, tally);
            }
        }
    }
}

/// Vectors reused across a block's groups: V and weights per menu position, each retailer's
/// unit distances and loyalties with the households in lanes, and per-nest values.
struct Lanes {
    v: Vec<__m256>,
    w: Vec<__m256>,
    units: Vec<__m256>,
    loyalties: Vec<__m256>,
    nests: NestLanes,
}

/// What the households of one group share: online or not, segment and region.
#[derive(Debug, Clone, Copy)]
struct Cell {
    online: bool,
    segment: usize,
    region: usize,
}

/// Eight `f32` lanes from `f(k)`.
#[inline]
#[target_feature(enable = "avx2")]
fn lanes_f32(f: impl Fn(usize) -> f32) -> __m256 {
    let x: [f32; GROUP] = std::array::from_fn(f);
    // SAFETY: `x` holds eight f32.
    unsafe { _mm256_loadu_ps(x.as_ptr()) }
}

/// The alternative each of eight households chooses: utilities, weights and the pick.
#[target_feature(enable = "avx2")]
fn choose(
    block: &Block,
    (lanes, u): (&[usize; GROUP], &[f32; GROUP]),
    (cell, menu): (Cell, &Menu),
    t: &WeekTables,
    scratch: &mut Lanes,
) -> [i32; GROUP] {
    let top = utilities(block, lanes, cell, (t, menu), scratch);
    let (v, w) = (&scratch.v, &mut scratch.w);
    let total = if t.nested {
        nested_weights(menu, top, t, (v, w), &mut scratch.nests)
    } else {
        plain_weights(menu, top, v, w)
    };
    let target = _mm256_mul_ps(lanes_f32(|k| u[k]), total);
    let first = w[0];
    let mut done = _mm256_cmp_ps::<_CMP_GT_OQ>(first, target);
    let (mut cumulative, mut choice, mut last) = (first, _mm256_setzero_si256(), _mm256_setzero_si256());
    for (alternative, &weight) in menu.alternatives.iter().zip(w.iter()).skip(1) {
        if _mm256_movemask_ps(done) == 0xff {
            break;
        }
        let positive = _mm256_cmp_ps::<_CMP_GT_OQ>(weight, _mm256_setzero_ps());
        // Adding an exact zero leaves the sum as it was, as skipping it does one at a time.
        cumulative = _mm256_add_ps(cumulative, weight);
        let past = _mm256_cmp_ps::<_CMP_GT_OQ>(cumulative, target);
        let hit = _mm256_andnot_ps(done, _mm256_and_ps(past, positive));
        let here = _mm256_set1_epi32(alternative.model);
        choice = _mm256_blendv_epi8(choice, here, _mm256_castps_si256(hit));
        last = _mm256_blendv_epi8(last, here, _mm256_castps_si256(positive));
        done = _mm256_or_ps(done, hit);
    }
    let chosen = _mm256_blendv_epi8(last, choice, _mm256_castps_si256(done));
    let mut out = [0i32; GROUP];
    // SAFETY: `out` holds eight i32.
    unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), chosen) };
    out
}

/// V of every alternative on the menu into `scratch.v` (menu order); returns the largest.
#[target_feature(enable = "avx2")]
fn utilities(
    block: &Block,
    lanes: &[usize; GROUP],
    cell: Cell,
    (t, menu): (&WeekTables, &Menu),
    scratch: &mut Lanes,
) -> __m256 {
    let r_count = t.retailers;
    let beta_d = t.distance_sensitivity[cell.segment];
    let (beta, gamma) = (_mm256_set1_ps(beta_d), _mm256_set1_ps(t.loyalty_weight));
    for first in (0..r_count).step_by(GROUP) {
        let at = first..first + GROUP;
        transposed(&block.unit_distance, DISTANCE_QUANTUM, lanes, (r_count, first), &mut scratch.units[at.clone()]);
        transposed(&block.loyalty, loyalty::QUANTUM, lanes, (r_count, first), &mut scratch.loyalties[at]);
    }
    let v = &mut scratch.v;
    v[0] = if block.outside_distance.is_empty() {
        _mm256_setzero_ps()
    } else {
        let km = lanes_f32(|k| distance_value(block.outside_distance[lanes[k]]) * t.outside_km[cell.region]);
        _mm256_mul_ps(_mm256_set1_ps(-beta_d), km)
    };
    let mut top = v[0];
    let unavailable = _mm256_set1_ps(UNAVAILABLE);
    for (value, a) in v[1..].iter_mut().zip(&menu.alternatives[1..]) {
        let (unit, loyalty) = (scratch.units[a.retailer], scratch.loyalties[a.retailer]);
        let (base, km) = (_mm256_set1_ps(a.base), _mm256_set1_ps(a.km));
        let loyal = _mm256_mul_ps(gamma, loyalty);
        *value = if a.channel < 2 {
            // Store or pickup: base − β_d·unit·km + γ·L.
            _mm256_add_ps(_mm256_sub_ps(base, _mm256_mul_ps(_mm256_mul_ps(beta, unit), km)), loyal)
        } else {
            // Delivery: base + γ·L, unavailable beyond reach.
            let reached = _mm256_cmp_ps::<_CMP_LT_OQ>(unit, km);
            _mm256_add_ps(_mm256_add_ps(base, loyal), _mm256_andnot_ps(reached, unavailable))
        };
        top = _mm256_max_ps(*value, top);
    }
    top
}

/// Retailers `first..first + 8` (those that exist) of eight households' rows of a
/// household-major table of 16-bit quanta (`retailers` per household), as `f32` values
/// (`quantum` × count, exact), one vector per retailer with the households in lanes: eight row
/// loads (copied through a buffer past the table's end) and an 8 × 8 transpose.
#[target_feature(enable = "avx2")]
fn transposed(
    table: &[u16],
    quantum: f32,
    lanes: &[usize; GROUP],
    (retailers, first): (usize, usize),
    out: &mut [__m256],
) {
    let width = (retailers - first).min(GROUP);
    let scale = _mm256_set1_ps(quantum);
    let rows: [__m256; GROUP] = std::array::from_fn(|k| {
        let at = lanes[k] * retailers + first;
        let counts = match table.get(at..at + GROUP) {
            // Past the row's end (the next household's values) when `width` < 8: unused lanes.
            // SAFETY: eight u16 inside `table`.
            Some(eight) => unsafe { _mm_loadu_si128(eight.as_ptr().cast()) },
            None => {
                let mut eight = [0u16; GROUP];
                eight[..width].copy_from_slice(&table[at..][..width]);
                // SAFETY: `eight` holds eight u16.
                unsafe { _mm_loadu_si128(eight.as_ptr().cast()) }
            }
        };
        _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(counts)), scale)
    });
    let low = |a, b| _mm256_unpacklo_ps(a, b);
    let high = |a, b| _mm256_unpackhi_ps(a, b);
    let t: [__m256; GROUP] = std::array::from_fn(|k| {
        let pair = 2 * (k / 2 % 2) + 4 * (k / 4);
        if k % 2 == 0 { low(rows[pair], rows[pair + 1]) } else { high(rows[pair], rows[pair + 1]) }
    });
    // t = [lo01, hi01, lo23, hi23, lo45, hi45, lo67, hi67] as indexed above.
    let (lo01, hi01, lo23, hi23, lo45, hi45, lo67, hi67) = (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
    let q = [
        _mm256_shuffle_ps::<0x44>(lo01, lo23),
        _mm256_shuffle_ps::<0xEE>(lo01, lo23),
        _mm256_shuffle_ps::<0x44>(hi01, hi23),
        _mm256_shuffle_ps::<0xEE>(hi01, hi23),
        _mm256_shuffle_ps::<0x44>(lo45, lo67),
        _mm256_shuffle_ps::<0xEE>(lo45, lo67),
        _mm256_shuffle_ps::<0x44>(hi45, hi67),
        _mm256_shuffle_ps::<0xEE>(hi45, hi67),
    ];
    for j in 0..4 {
        out[j] = _mm256_permute2f128_ps::<0x20>(q[j], q[j + 4]);
        out[j + 4] = _mm256_permute2f128_ps::<0x31>(q[j], q[j + 4]);
    }
}

/// Plain-logit weights exp(V − max V) into `w`; returns the total, summed as `kernel.rs` does:
/// per lane of its padded layout in layout order, then over those eight sums in order.
#[target_feature(enable = "avx2")]
fn plain_weights(menu: &Menu, top: __m256, v: &[__m256], w: &mut [__m256]) -> __m256 {
    let mut lane_sum = [_mm256_setzero_ps(); GROUP];
    for &(j, lane) in &menu.layout {
        w[j] = exp8(v[j], top);
        lane_sum[lane] = _mm256_add_ps(lane_sum[lane], w[j]);
    }
    // Summing from −0.0, as `Iterator::sum` does, gives the first lane's sum exactly.
    lane_sum[1..].iter().fold(lane_sum[0], |total, &s| _mm256_add_ps(total, s))
}

/// Nested-logit weights into `w` (within-nest weight times the nest's factor); returns the
/// total, with `within_nest_weights`'s operations in its order.
#[target_feature(enable = "avx2")]
fn nested_weights(
    menu: &Menu,
    top: __m256,
    t: &WeekTables,
    (v, w): (&[__m256], &mut [__m256]),
    nests: &mut NestLanes,
) -> __m256 {
    let zero = _mm256_setzero_ps();
    for ((weight, &value), a) in w.iter_mut().zip(v).zip(&menu.alternatives) {
        *weight = exp8(_mm256_mul_ps(_mm256_sub_ps(value, top), _mm256_set1_ps(a.inverse)), zero);
    }
    let mut best = _mm256_set1_ps(f32::MIN);
    for (n, (members, &lambda)) in menu.members.iter().zip(&t.lambda).enumerate() {
        let s = members.iter().fold(zero, |s, &j| _mm256_add_ps(s, w[j]));
        let value = _mm256_add_ps(top, _mm256_mul_ps(_mm256_set1_ps(lambda), ln8(s)));
        let some = _mm256_cmp_ps::<_CMP_GT_OQ>(s, zero);
        let i = _mm256_blendv_ps(_mm256_set1_ps(UNAVAILABLE), value, some);
        best = _mm256_max_ps(i, best);
        (nests.sum[n], nests.inclusive[n]) = (s, i);
    }
    let mut total = zero;
    for n in 0..t.lambda.len() {
        let (s, nest_weight) = (nests.sum[n], exp8(nests.inclusive[n], best));
        let some = _mm256_cmp_ps::<_CMP_GT_OQ>(s, zero);
        nests.factor[n] = _mm256_and_ps(some, _mm256_div_ps(nest_weight, s));
        total = _mm256_add_ps(total, nest_weight);
    }
    for (weight, a) in w.iter_mut().zip(&menu.alternatives) {
        *weight = _mm256_mul_ps(*weight, nests.factor[a.nest]);
    }
    total
}

/// Per nest, eight households' sums, inclusive values and factors, reused across groups.
struct NestLanes {
    sum: Vec<__m256>,
    inclusive: Vec<__m256>,
    factor: Vec<__m256>,
}

impl NestLanes {
    #[target_feature(enable = "avx2")]
    fn new(nests: usize) -> NestLanes {
        let zero = vec![_mm256_setzero_ps(); nests];
        NestLanes { sum: zero.clone(), inclusive: zero.clone(), factor: zero }
    }
}
