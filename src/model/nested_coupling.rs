//! Who switched to whom when formats nest: the logit coupling applied to groups, then inside one.
//!
//! In the nested logit the largest utility of a nest, max_{a∈n}(V_a + ε_a), is a Gumbel of
//! location I_n = λ_n ln Σ_{a∈n} exp(V_a/λ_n) (the inclusive value), independent across nests;
//! inside a nest, which alternative attains it is a logit over V_a/λ_n. The coupling uses both
//! facts. Its groups are the nests with λ < 1 and every other alternative on its own (the
//! outside option, a retailer's channels without a format, any channel of a nest with λ = 1).
//! 1. The group: [`couple`] on the groups' inclusive values, which is exact — the same
//!    group-level shocks in both worlds, drawn conditional on the reference's group.
//! 2. Inside the group: if the scenario stays in the reference's group, [`couple`] on V/λ
//!    inside it (the same within-nest shocks, conditional on the reference's alternative);
//!    otherwise a fresh inverse-CDF pick from the scenario's within-group logit.
//!
//! Each world keeps exactly its own nested-logit distribution (both steps have exact
//! marginals). What is approximate is the joint: the model ties a nest's maximum to its
//! members' shocks (a household whose shock for Whole Foods is high also has a high premium
//! nest maximum), and step 2 treats the two as independent. With no nest of λ < 1 the engine
//! uses [`couple`] directly, so plain-logit scenarios keep their exact flows.

use super::coupling::{Logit, couple};
use rand_chacha::ChaCha8Rng;
use rand_core::Rng;

/// The groups of one world's alternatives (in the model's order), fixed for a week.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// Group of each alternative.
    pub of: Vec<usize>,
    /// λ of each group (1 for an alternative on its own).
    pub lambda: Vec<f32>,
}

impl Groups {
    /// Groups from each alternative's nest and λ per nest: nests with λ < 1 are one group each,
    /// numbered first; every other alternative is a group of its own.
    pub fn new(nest: &[u8], lambda: &[f32]) -> Groups {
        let nests: Vec<Option<usize>> = {
            let mut next = 0;
            lambda
                .iter()
                .map(|&l| {
                    (l < 1.0).then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        };
        let mut group_lambda: Vec<f32> = lambda.iter().copied().filter(|&l| l < 1.0).collect();
        let mut of = Vec::with_capacity(nest.len());
        for &n in nest {
            match nests[n as usize] {
                Some(g) => of.push(g),
                None => {
                    of.push(group_lambda.len());
                    group_lambda.push(1.0);
                }
            }
        }
        Groups { of, lambda: group_lambda }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.lambda.len()
    }

    /// True when there are no alternatives.
    pub fn is_empty(&self) -> bool {
        self.lambda.is_empty()
    }
}

/// For each group of `scenario`, the group of `reference` with the same alternatives: a nest
/// maps to the nest its alternatives map to (the same format), an alternative on its own to its
/// counterpart if that is on its own too. `to_reference` maps scenario alternatives.
pub fn map_groups(scenario: &Groups, reference: &Groups, to_reference: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut map = vec![None; scenario.len()];
    for (k, &g) in scenario.of.iter().enumerate() {
        if map[g].is_some() {
            continue;
        }
        let theirs = to_reference[k].map(|r| reference.of[r]);
        let both_single = scenario.lambda[g] >= 1.0 && theirs.is_some_and(|h| reference.lambda[h] >= 1.0);
        let both_nests = scenario.lambda[g] < 1.0 && theirs.is_some_and(|h| reference.lambda[h] < 1.0);
        if both_single || both_nests {
            map[g] = theirs;
        }
    }
    map
}

/// Buffers [`couple_nested`] reuses from household to household, so that coupling a choice
/// allocates nothing.
#[derive(Debug, Default)]
pub struct CouplingScratch {
    max: Vec<f64>,
    sums: Vec<f64>,
    values: Vec<f64>,
    reference_top: Owned,
    scenario_top: Owned,
    within_scenario: Owned,
    within_reference: Owned,
}

/// The scenario's choice for a household whose reference choice is `from` (see the module
/// documentation). `reference` and `scenario` give V and weights in the model's order (weight
/// 0 where an alternative is not available; any other positive weight means available).
pub fn couple_nested(
    from: usize,
    reference: (&Logit, &Groups),
    scenario: (&Logit, &Groups),
    (to_reference, group_map): (&[Option<usize>], &[Option<usize>]),
    shocks: &mut ChaCha8Rng,
    scratch: &mut CouplingScratch,
) -> usize {
    let (ref_logit, ref_groups) = reference;
    let (sc_logit, sc_groups) = scenario;
    let CouplingScratch { max, sums, values, reference_top, scenario_top, within_scenario, within_reference } = scratch;
    inclusive_values(ref_logit, ref_groups, (max, sums, values), reference_top);
    inclusive_values(sc_logit, sc_groups, (max, sums, values), scenario_top);
    let from_group = ref_groups.of[from];
    let to_group = couple(from_group, &reference_top.logit(), &scenario_top.logit(), group_map, shocks);
    let (members, only) = within(sc_logit, sc_groups, to_group, values, within_scenario);
    if members == 1 {
        return only;
    }
    if group_map[to_group] == Some(from_group) {
        within(ref_logit, ref_groups, from_group, values, within_reference);
        return couple(from, &within_reference.logit(), &within_scenario.logit(), to_reference, shocks);
    }
    super::logit::pick(&within_scenario.weights, within_scenario.total, uniform(shocks) as f32).0
}

/// A logit over some values (utilities, weights exp(u − max u), total), in reused buffers.
#[derive(Debug, Default)]
struct Owned {
    utilities: Vec<f32>,
    weights: Vec<f32>,
    total: f32,
}

impl Owned {
    /// The logit of `utilities` (−∞ for one that is not available).
    fn fill(&mut self, utilities: &[f64]) {
        let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        self.weights.clear();
        self.weights
            .extend(utilities.iter().map(|&u| if u == f64::NEG_INFINITY { 0.0 } else { (u - max).exp() as f32 }));
        self.total = self.weights.iter().sum();
        self.utilities.clear();
        self.utilities.extend(utilities.iter().map(|&u| if u == f64::NEG_INFINITY { f32::MIN } else { u as f32 }));
    }

    fn logit(&self) -> Logit<'_> {
        Logit { utilities: &self.utilities, weights: &self.weights, total: self.total }
    }
}

/// I_g per group (−∞ for a group with nothing available) as a logit over groups, into `out`.
fn inclusive_values(
    logit: &Logit,
    groups: &Groups,
    (max, sums, values): (&mut Vec<f64>, &mut Vec<f64>, &mut Vec<f64>),
    out: &mut Owned,
) {
    max.clear();
    max.resize(groups.len(), f64::NEG_INFINITY);
    for (k, &g) in groups.of.iter().enumerate() {
        if logit.weights[k] > 0.0 {
            max[g] = max[g].max(f64::from(logit.utilities[k]));
        }
    }
    sums.clear();
    sums.resize(groups.len(), 0.0);
    for (k, &g) in groups.of.iter().enumerate() {
        if logit.weights[k] > 0.0 {
            sums[g] += ((f64::from(logit.utilities[k]) - max[g]) / f64::from(groups.lambda[g])).exp();
        }
    }
    values.clear();
    values.extend(
        (0..groups.len()).map(|g| {
            if sums[g] > 0.0 { max[g] + f64::from(groups.lambda[g]) * sums[g].ln() } else { f64::NEG_INFINITY }
        }),
    );
    out.fill(values);
}

/// The within-group logit of one group into `out`: V/λ for its available members, nothing
/// elsewhere. Returns how many members are available and the last of them.
fn within(logit: &Logit, groups: &Groups, group: usize, values: &mut Vec<f64>, out: &mut Owned) -> (usize, usize) {
    let lambda = f64::from(groups.lambda[group]);
    let (mut members, mut only) = (0, 0);
    values.clear();
    values.extend((0..groups.of.len()).map(|k| {
        if groups.of[k] == group && logit.weights[k] > 0.0 {
            members += 1;
            only = k;
            f64::from(logit.utilities[k]) / lambda
        } else {
            f64::NEG_INFINITY
        }
    }));
    out.fill(values);
    (members, only)
}

/// A uniform draw in [0, 1).
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests;
