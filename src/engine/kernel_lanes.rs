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
//! (2) Households not online, then online ones, eight at a time (the last group of each kind
//! repeats a household in its unused lanes, whose results are dropped): per alternative in the
//! model's order, V from gathered distances, loyalties and week tables; the weights (plain
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
use crate::model::lanes::avx2::{exp8, ln8};
use crate::model::logit::{self, UNAVAILABLE};
use rand_chacha::ChaCha8Rng;
use std::arch::x86_64::*;

/// Households per group: the lanes of one vector.
const GROUP: usize = 8;

/// The week's alternatives as the lanes see them, in the model's order (0 the outside option,
/// 1 + 3r + c retailer r's channel c), for households not online (kind 0) and online (kind 1).
struct Plan {
    /// Nest of each alternative.
    nest: Vec<usize>,
    /// 1/λ of each alternative's nest.
    inverse: Vec<f32>,
    /// Per kind: each nest's alternatives in the order `kernel.rs` adds them (its layout's).
    members: [Vec<Vec<usize>>; 2],
    /// Per kind: (alternative, lane of its position in `kernel.rs`'s padded layout), in layout
    /// order, for the plain logit's lane-by-lane total.
    layout: [Vec<(usize, usize)>; 2],
}

impl Plan {
    fn new(t: &WeekTables) -> Plan {
        let r_count = t.retailers;
        let store_end = logit::padded(1 + r_count);
        let mut offline = vec![(0, 0)];
        offline.extend((0..r_count).map(|r| (1 + 3 * r, 1 + r)));
        let mut online = offline.clone();
        online.extend((0..r_count).map(|r| (2 + 3 * r, store_end + r)));
        online.extend((0..r_count).map(|r| (3 + 3 * r, store_end + r_count + r)));
        let nest: Vec<usize> =
            (0..1 + 3 * r_count).map(|a| if a == 0 { 0 } else { usize::from(t.retailer_nest[(a - 1) / 3]) }).collect();
        let inverse = nest.iter().map(|&n| 1.0 / t.lambda[n]).collect();
        let members = [&offline, &online].map(|kind| {
            (0..t.lambda.len()).map(|n| kind.iter().map(|&(a, _)| a).filter(|&a| nest[a] == n).collect()).collect()
        });
        let layout = [&offline, &online].map(|kind| kind.iter().map(|&(a, at)| (a, at % GROUP)).collect());
        Plan { nest, inverse, members, layout }
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
    let plan = Plan::new(t);
    let alternatives = 1 + 3 * t.retailers;
    let mut v = vec![_mm256_setzero_ps(); alternatives];
    let mut w = vec![_mm256_setzero_ps(); alternatives];
    let mut nests = NestLanes::new(t.lambda.len());
    for k in 0..2 * cells {
        let cell = Cell { online: k >= cells, segment: (k % cells) / t.regions, region: k % t.regions };
        for group in order[start[k]..start[k + 1]].chunks(GROUP) {
            let lanes: [usize; GROUP] = std::array::from_fn(|j| group[j.min(group.len() - 1)]);
            let u: [f32; GROUP] = lanes.map(|i| u_choice[i]);
            let choices = choose(block, &lanes, &u, cell, t, &plan, (&mut v, &mut w, &mut nests));
            for (&i, &alt) in group.iter().zip(&choices) {
                commit_choice(block, i, week, alt as usize, tally);
            }
        }
    }
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
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx2")]
fn choose(
    block: &Block,
    lanes: &[usize; GROUP],
    u: &[f32; GROUP],
    cell: Cell,
    t: &WeekTables,
    plan: &Plan,
    (v, w, nests): (&mut [__m256], &mut [__m256], &mut NestLanes),
) -> [i32; GROUP] {
    let r_count = t.retailers;
    let top = utilities(block, lanes, cell, t, v);
    let (online, kind) = (cell.online, usize::from(cell.online));
    let total =
        if t.nested { nested_weights((plan, kind, t), top, v, w, nests) } else { plain_weights(plan, kind, top, v, w) };
    let target = _mm256_mul_ps(lanes_f32(|k| u[k]), total);
    let first = w[0];
    let mut done = _mm256_cmp_ps::<_CMP_GT_OQ>(first, target);
    let (mut cumulative, mut choice, mut last) = (first, _mm256_setzero_si256(), _mm256_setzero_si256());
    let channels = if online { 3 } else { 1 };
    for r in 0..r_count {
        if _mm256_movemask_ps(done) == 0xff {
            break;
        }
        for c in 0..channels {
            let a = 1 + 3 * r + c;
            let weight = w[a];
            let positive = _mm256_cmp_ps::<_CMP_GT_OQ>(weight, _mm256_setzero_ps());
            // Adding an exact zero leaves the sum as it was, as skipping it does one at a time.
            cumulative = _mm256_add_ps(cumulative, weight);
            let past = _mm256_cmp_ps::<_CMP_GT_OQ>(cumulative, target);
            let hit = _mm256_andnot_ps(done, _mm256_and_ps(past, positive));
            let here = _mm256_set1_epi32(a as i32);
            choice = _mm256_blendv_epi8(choice, here, _mm256_castps_si256(hit));
            last = _mm256_blendv_epi8(last, here, _mm256_castps_si256(positive));
            done = _mm256_or_ps(done, hit);
        }
    }
    let chosen = _mm256_blendv_epi8(last, choice, _mm256_castps_si256(done));
    let mut out = [0i32; GROUP];
    // SAFETY: `out` holds eight i32.
    unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), chosen) };
    out
}

/// V of every alternative the households can use into `v` (model order); returns the largest.
#[target_feature(enable = "avx2")]
fn utilities(block: &Block, lanes: &[usize; GROUP], cell: Cell, t: &WeekTables, v: &mut [__m256]) -> __m256 {
    let r_count = t.retailers;
    let beta_d = t.distance_sensitivity[cell.segment];
    let (beta, gamma) = (_mm256_set1_ps(beta_d), _mm256_set1_ps(t.loyalty_weight));
    let base = &t.base[(cell.segment * t.regions + cell.region) * r_count * 3..][..r_count * 3];
    let region = cell.region * r_count..(cell.region + 1) * r_count;
    let (store_km, pickup_km, reach) =
        (&t.store_km[region.clone()], &t.pickup_km[region.clone()], &t.delivery_reach[region]);
    v[0] = if block.outside_distance.is_empty() {
        _mm256_setzero_ps()
    } else {
        let km = lanes_f32(|k| block.outside_distance[lanes[k]] * t.outside_km[cell.region]);
        _mm256_mul_ps(_mm256_set1_ps(-beta_d), km)
    };
    let mut top = v[0];
    let unavailable = _mm256_set1_ps(UNAVAILABLE);
    let (mut units, mut loyalties) = ([_mm256_setzero_ps(); GROUP], [_mm256_setzero_ps(); GROUP]);
    for first in (0..r_count).step_by(GROUP) {
        transposed(&block.unit_distance, lanes, (r_count, first), &mut units);
        transposed(&block.loyalty, lanes, (r_count, first), &mut loyalties);
        for (j, (&unit, &loyalty)) in units.iter().zip(&loyalties).enumerate().take(r_count - first) {
            let r = first + j;
            let near = _mm256_mul_ps(beta, unit);
            let store = _mm256_add_ps(
                _mm256_sub_ps(_mm256_set1_ps(base[3 * r]), _mm256_mul_ps(near, _mm256_set1_ps(store_km[r]))),
                _mm256_mul_ps(gamma, loyalty),
            );
            v[1 + 3 * r] = store;
            top = _mm256_max_ps(store, top);
            if cell.online {
                let loyal = _mm256_mul_ps(gamma, loyalty);
                let pickup = _mm256_add_ps(
                    _mm256_sub_ps(_mm256_set1_ps(base[3 * r + 1]), _mm256_mul_ps(near, _mm256_set1_ps(pickup_km[r]))),
                    loyal,
                );
                let reached = _mm256_cmp_ps::<_CMP_LT_OQ>(unit, _mm256_set1_ps(reach[r]));
                let missing = _mm256_andnot_ps(reached, unavailable);
                let delivery = _mm256_add_ps(_mm256_add_ps(_mm256_set1_ps(base[3 * r + 2]), loyal), missing);
                (v[2 + 3 * r], v[3 + 3 * r]) = (pickup, delivery);
                top = _mm256_max_ps(delivery, _mm256_max_ps(pickup, top));
            }
        }
    }
    top
}

/// Retailers `first..first + 8` (those that exist) of eight households' rows of a
/// household-major table (`retailers` per household), one vector per retailer with the
/// households in lanes: eight row loads (masked past the row's end) and an 8 × 8 transpose.
#[target_feature(enable = "avx2")]
fn transposed(table: &[f32], lanes: &[usize; GROUP], (retailers, first): (usize, usize), out: &mut [__m256; GROUP]) {
    let width = (retailers - first).min(GROUP);
    let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(width as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    let rows: [__m256; GROUP] = std::array::from_fn(|k| {
        let row = &table[lanes[k] * retailers + first..][..width];
        // SAFETY: the mask leaves out every lane past `row`, which lies inside `table`.
        unsafe { _mm256_maskload_ps(row.as_ptr(), mask) }
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
fn plain_weights(plan: &Plan, kind: usize, top: __m256, v: &[__m256], w: &mut [__m256]) -> __m256 {
    let mut lane_sum = [_mm256_setzero_ps(); GROUP];
    for &(a, lane) in &plan.layout[kind] {
        w[a] = exp8(v[a], top);
        lane_sum[lane] = _mm256_add_ps(lane_sum[lane], w[a]);
    }
    // Summing from −0.0, as `Iterator::sum` does, gives the first lane's sum exactly.
    lane_sum[1..].iter().fold(lane_sum[0], |total, &s| _mm256_add_ps(total, s))
}

/// Nested-logit weights into `w` (within-nest weight times the nest's factor); returns the
/// total, with `within_nest_weights`'s operations in its order.
#[target_feature(enable = "avx2")]
fn nested_weights(
    (plan, kind, t): (&Plan, usize, &WeekTables),
    top: __m256,
    v: &[__m256],
    w: &mut [__m256],
    nests: &mut NestLanes,
) -> __m256 {
    let zero = _mm256_setzero_ps();
    for nest in &plan.members[kind] {
        for &a in nest {
            let x = _mm256_mul_ps(_mm256_sub_ps(v[a], top), _mm256_set1_ps(plan.inverse[a]));
            w[a] = exp8(x, zero);
        }
    }
    let nests = &mut *nests;
    let mut best = _mm256_set1_ps(f32::MIN);
    for (n, (members, &lambda)) in plan.members[kind].iter().zip(&t.lambda).enumerate() {
        let s = members.iter().fold(zero, |s, &a| _mm256_add_ps(s, w[a]));
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
    for members in &plan.members[kind] {
        for &a in members {
            w[a] = _mm256_mul_ps(w[a], nests.factor[plan.nest[a]]);
        }
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
