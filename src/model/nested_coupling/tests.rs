use super::*;
use crate::model::logit::UNAVAILABLE;
use crate::model::nested_logit::{self, NestScratch};
use crate::rng::{Purpose, stream};

/// One world: V, nested weights (proportional to P), their total, and its groups.
struct World {
    v: Vec<f32>,
    w: Vec<f32>,
    total: f32,
    groups: Groups,
}

fn world(v: &[f32], nest: &[u8], lambda: &[f32]) -> World {
    let mut w = vec![0.0; v.len()];
    let total = nested_logit::weights(v, nest, lambda, &mut NestScratch::new(lambda.len()), &mut w);
    World { v: v.to_vec(), w, total, groups: Groups::new(nest, lambda) }
}

/// `n` households: the reference picks by inverse CDF from its nested weights, the scenario
/// by [`couple_nested`]; the (from, to) frequencies.
fn joint(reference: &World, scenario: &World, n: usize) -> Vec<Vec<f64>> {
    let map: Vec<Option<usize>> = (0..scenario.v.len()).map(Some).collect();
    let group_map = map_groups(&scenario.groups, &reference.groups, &map);
    let r = Logit { utilities: &reference.v, weights: &reference.w, total: reference.total };
    let s = Logit { utilities: &scenario.v, weights: &scenario.w, total: scenario.total };
    let mut choices = stream(5, 0, 0, Some(0), Purpose::Week);
    let mut shocks = stream(5, 0, 0, Some(0), Purpose::Shocks);
    let mut out = vec![vec![0.0; scenario.v.len()]; reference.v.len()];
    let mut scratch = CouplingScratch::default();
    for _ in 0..n {
        let from = crate::model::logit::pick(&reference.w, reference.total, uniform(&mut choices) as f32).0;
        let maps = (&map[..], &group_map[..]);
        let to = couple_nested(from, (&r, &reference.groups), (&s, &scenario.groups), maps, &mut shocks, &mut scratch);
        out[from][to] += 1.0 / n as f64;
    }
    out
}

// The outside option (nest 0, λ = 1), two supermarkets (nest 1), two premium stores (nest 2),
// a retailer without a format (nest 0).
const NEST: [u8; 6] = [0, 1, 1, 2, 2, 0];
const LAMBDA: [f32; 3] = [1.0, 0.5, 0.7];
const REFERENCE: [f32; 6] = [0.0, 0.4, -0.2, -0.6, -1.0, -0.3];

#[test]
fn groups_number_nests_first_then_each_alternative_on_its_own() {
    let g = Groups::new(&NEST, &LAMBDA);
    assert_eq!(g.of, vec![2, 0, 0, 1, 1, 3]);
    assert_eq!(g.lambda, vec![0.5, 0.7, 1.0, 1.0]);
}

#[test]
fn identical_worlds_never_switch() {
    let w = world(&REFERENCE, &NEST, &LAMBDA);
    let j = joint(&w, &w, 20_000);
    for (a, row) in j.iter().enumerate() {
        assert!(row.iter().enumerate().all(|(b, &x)| b == a || x == 0.0), "{a}: {row:?}");
    }
}

#[test]
fn the_scenario_keeps_its_own_nested_logit_distribution() {
    let n = 200_000;
    // Several changes at once, one alternative gone, and a different λ.
    let scenario = [0.0, 0.1, 0.3, -0.2, UNAVAILABLE, -0.5];
    let lambda = [1.0, 0.5, 0.6];
    let j = joint(&world(&REFERENCE, &NEST, &LAMBDA), &world(&scenario, &NEST, &lambda), n);
    let v64: Vec<f64> = scenario.iter().map(|&x| f64::from(x)).collect();
    let nest: Vec<usize> = NEST.iter().map(|&x| x as usize).collect();
    let exact = nested_logit::probabilities(&v64, &nest, &lambda.map(f64::from));
    for (k, q) in exact.into_iter().enumerate() {
        let column: f64 = j.iter().map(|row| row[k]).sum();
        let se = (q * (1.0 - q) / n as f64).sqrt();
        assert!((column - q).abs() <= 4.0 * se + 1e-12, "alternative {k}: {column} vs {q}");
    }
}

#[test]
fn a_better_supermarket_draws_from_its_own_nest_first() {
    // Supermarket 1 gains 0.5: the share it takes from its nest-mate (per unit of the mate's
    // share) must exceed what it takes from the premium nest.
    let n = 200_000;
    let mut better = REFERENCE;
    better[1] += 0.5;
    let (r, s) = (world(&REFERENCE, &NEST, &LAMBDA), world(&better, &NEST, &LAMBDA));
    let j = joint(&r, &s, n);
    let share = |a: usize| j[a].iter().sum::<f64>();
    let rate = |from: usize| j[from][1] / share(from);
    assert!(rate(2) > 2.0 * rate(3), "nest-mate {} vs premium {}", rate(2), rate(3));
    assert!(rate(2) > 2.0 * rate(0), "nest-mate {} vs outside {}", rate(2), rate(0));
}

#[test]
fn without_nests_it_is_the_plain_logit_coupling_draw_for_draw() {
    let v = [0.0f32, 0.3, -1.2, 2.0, -0.4];
    let v2 = [0.0f32, 0.8, -1.0, 1.5, -0.9];
    let nest = [0u8; 5];
    let (r, s) = (world(&v, &nest, &[1.0]), world(&v2, &nest, &[1.0]));
    let map: Vec<Option<usize>> = (0..5).map(Some).collect();
    let group_map = map_groups(&s.groups, &r.groups, &map);
    let rl = Logit { utilities: &r.v, weights: &r.w, total: r.total };
    let sl = Logit { utilities: &s.v, weights: &s.w, total: s.total };
    let (mut a, mut b) = (stream(9, 0, 0, Some(0), Purpose::Shocks), stream(9, 0, 0, Some(0), Purpose::Shocks));
    let mut scratch = CouplingScratch::default();
    for from in (0..5).cycle().take(5_000) {
        let plain = couple(from, &rl, &sl, &map, &mut a);
        let maps = (&map[..], &group_map[..]);
        let nested = couple_nested(from, (&rl, &r.groups), (&sl, &s.groups), maps, &mut b, &mut scratch);
        assert_eq!(plain, nested, "from {from}");
    }
}
