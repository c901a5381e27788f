//! Statistical tests of formats and the outside option's stores against exact references: the
//! nested-logit closed form (MODEL.md §3a) and the logit averaged over the Rayleigh distance to
//! the nearest outside-option store. Fixed seeds; tolerances are 4 standard errors.

mod common;

use cartshift::engine::alternative;
use cartshift::model::geometry::{distance_scale, unit_distance};
use cartshift::model::nested_logit;
use common::*;

const FOUR_RETAILERS: &str = r#"
[[retailer]]
name = "Super1"
stores = 10
quality = 0.5
price_index = 1.0
checkout_wait_min = 5.0
format = "supermarket"
[[retailer]]
name = "Super2"
stores = 20
quality = 0.1
price_index = 0.9
checkout_wait_min = 2.0
format = "supermarket"
delivery = { fee = 3.0 }
[[retailer]]
name = "Premium"
stores = 5
quality = -1.0
price_index = 1.2
checkout_wait_min = 4.0
format = "premium"
[[retailer]]
name = "Solo"
stores = 5
quality = -0.5
price_index = 1.0
checkout_wait_min = 3.0
[[format]]
name = "supermarket"
dissimilarity = 0.5
[[format]]
name = "premium"
dissimilarity = 0.7
"#;

/// Everyone online, no loyalty, no distance effect: each week's choice is the nested logit.
#[test]
fn static_shares_match_the_nested_logit_formula() {
    let segment = "price_sensitivity = 2.0\ndistance_sensitivity = 0.0\ntime_value = 0.1\nfee_sensitivity = 0.1\n\
                   weekly_spend = 100.0\ndigital_adoption = 1.0\nformat_taste = { premium = 0.6 }";
    let sim = "weeks = 10\nwarmup_weeks = 0\nreplications = 4\nseed = 17\nhouseholds = 20000";
    let s = scenario(&market(sim, NO_DYNAMICS, segment, FOUR_RETAILERS));
    let results = run_with_threads(&s, 2);
    let v = |q: f64, p: f64, w: f64| q - 2.0 * f64::ln(p) - 0.1 * w;
    // Outside; Super1 store; Super2 store and delivery; Premium store (+ taste); Solo store.
    let utilities = [
        0.0,
        v(0.5, 1.0, 5.0),
        v(0.1, 0.9, 2.0),
        0.1 - 2.0 * f64::ln(0.9) - 0.3,
        v(-1.0, 1.2, 4.0) + 0.6,
        v(-0.5, 1.0, 3.0),
    ];
    let nest = [0, 1, 1, 1, 2, 0];
    let exact = nested_logit::probabilities(&utilities, &nest, &[1.0, 0.5, 0.7]);
    let alts = [0, alternative(0, 0), alternative(1, 0), alternative(1, 2), alternative(2, 0), alternative(3, 0)];
    let trials = (20_000 * 10 * 4) as f64;
    for (i, (&alt, &p)) in alts.iter().zip(&exact).enumerate() {
        let estimate = mean_over(&results, |w| w.share[alt]);
        assert_within(&format!("alternative {i}"), estimate, p, (p * (1.0 - p) / trials).sqrt());
    }
}

/// The test fails if the nests are ignored: the plain logit of the same utilities is far away.
#[test]
fn the_nested_shares_differ_from_the_logit_by_many_standard_errors() {
    let utilities = [0.0, 0.5, 0.3, 0.2, -0.5, -0.5];
    let nested = nested_logit::probabilities(&utilities, &[0, 1, 1, 1, 2, 0], &[1.0, 0.5, 0.7]);
    let plain = cartshift::model::logit::probabilities(&utilities);
    let trials = (20_000 * 10 * 4) as f64;
    let gap = (nested[0] - plain[0]).abs() / (plain[0] * (1.0 - plain[0]) / trials).sqrt();
    assert!(gap > 20.0 * Z, "only {gap:.1} standard errors apart");
}

/// Formats whose dissimilarity is 1 change nothing: the same bytes as no formats at all.
#[test]
fn formats_with_dissimilarity_one_are_the_plain_logit_exactly() {
    let segment = "price_sensitivity = 2.0\ndistance_sensitivity = 0.2\ntime_value = 0.1\nfee_sensitivity = 0.1\n\
                   weekly_spend = 100.0\ndigital_adoption = 0.3";
    let sim = "weeks = 6\nwarmup_weeks = 2\nreplications = 2\nseed = 3\nhouseholds = 3000";
    let dynamics =
        "loyalty_smoothing = 0.8\nloyalty_weight = 1.5\nadoption_innovation = 0.01\nadoption_imitation = 0.1";
    let ones = FOUR_RETAILERS.replace("dissimilarity = 0.5", "dissimilarity = 1.0").replace("0.7", "1.0");
    let without: String = FOUR_RETAILERS
        .split("[[format]]")
        .next()
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("format ="))
        .collect::<Vec<_>>()
        .join("\n");
    let a = run_with_threads(&scenario(&market(sim, dynamics, segment, &ones)), 2);
    let b = run_with_threads(&scenario(&market(sim, dynamics, segment, &without)), 2);
    assert_eq!(a.replications, b.replications);
}

/// With its own stores, the outside option's utility is −β_d d with d its Rayleigh distance:
/// the share of an online-only retailer is E[e^{V} / (e^{V} + e^{−β_d d})] over that distance.
#[test]
fn the_outside_option_with_stores_averages_the_logit_over_its_distance() {
    let beta_d = 0.8;
    let segment = format!(
        "price_sensitivity = 1.0\ndistance_sensitivity = {beta_d}\ntime_value = 0.1\nfee_sensitivity = 0.1\n\
         weekly_spend = 100.0\ndigital_adoption = 1.0"
    );
    let retailers =
        "[[retailer]]\nname = \"Online\"\nstores = 0\nquality = -0.4\nprice_index = 1.0\ndelivery = { fee = 2.0 }";
    let sim = "weeks = 8\nwarmup_weeks = 0\nreplications = 4\nseed = 23\nhouseholds = 20000";
    let text = market(sim, NO_DYNAMICS, &segment, retailers)
        .replace("outside_option = \"Other\"", "outside_option = \"Other\"\noutside_stores = 30");
    let results = run_with_threads(&scenario(&text), 2);
    let km = distance_scale(30.0, 100.0).unwrap();
    let v: f64 = -0.4 - 0.1 * 2.0;
    let grid = 200_000;
    let exact: f64 = (0..grid)
        .map(|k| {
            let d = unit_distance((k as f64 + 0.5) / grid as f64) * km;
            v.exp() / (v.exp() + (-beta_d * d).exp())
        })
        .sum::<f64>()
        / grid as f64;
    // Households keep their distance all horizon: the standard error is over households and
    // replications (4 × 20,000 draws of the distance), plus the weekly choice noise.
    let estimate = mean_over(&results, |w| w.share[alternative(0, 2)]);
    let se = (exact * (1.0 - exact) / (20_000.0 * 4.0)).sqrt();
    assert_within("online retailer", estimate, exact, se);
    let free = v.exp() / (v.exp() + 1.0);
    assert!((free - exact).abs() > 10.0 * Z * se, "the test must tell a free outside option apart");
}

/// In a comparison the scenario's choices come from the nest-aware coupling; they must still
/// follow the scenario's own nested logit, and a world compared with itself never switches.
#[test]
fn coupled_choices_keep_the_scenario_nested_logit_and_identical_worlds_never_switch() {
    let segment = "price_sensitivity = 2.0\ndistance_sensitivity = 0.0\ntime_value = 0.1\nfee_sensitivity = 0.1\n\
                   weekly_spend = 100.0\ndigital_adoption = 1.0\nformat_taste = { premium = 0.6 }";
    let sim = "weeks = 10\nwarmup_weeks = 0\nreplications = 4\nseed = 29\nhouseholds = 20000";
    let reference = scenario(&market(sim, NO_DYNAMICS, segment, FOUR_RETAILERS));
    let cut = FOUR_RETAILERS.replacen(
        "price_index = 1.0\ncheckout_wait_min = 5.0",
        "price_index = 0.8\ncheckout_wait_min = 5.0",
        1,
    );
    let s = scenario(&market(sim, NO_DYNAMICS, segment, &cut));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let run = |a: &cartshift::Scenario, b: &cartshift::Scenario| {
        let mut b = b.clone();
        cartshift::engine::align_reference(&mut b, a, true);
        pool.install(|| cartshift::engine::compare(a, &b, true, &|_| {}))
    };
    let c = run(&s, &reference);
    let v = |q: f64, p: f64, w: f64| q - 2.0 * f64::ln(p) - 0.1 * w;
    let utilities = [
        0.0,
        v(0.5, 0.8, 5.0),
        v(0.1, 0.9, 2.0),
        0.1 - 2.0 * f64::ln(0.9) - 0.3,
        v(-1.0, 1.2, 4.0) + 0.6,
        v(-0.5, 1.0, 3.0),
    ];
    let exact = nested_logit::probabilities(&utilities, &[0, 1, 1, 1, 2, 0], &[1.0, 0.5, 0.7]);
    let alts = [0, alternative(0, 0), alternative(1, 0), alternative(1, 2), alternative(2, 0), alternative(3, 0)];
    let trials = (20_000 * 10 * 4) as f64;
    for (i, (&alt, &p)) in alts.iter().zip(&exact).enumerate() {
        let estimate = mean_over(&c.scenario, |w| w.share[alt]);
        assert_within(&format!("coupled alternative {i}"), estimate, p, (p * (1.0 - p) / trials).sqrt());
    }
    let same = run(&reference, &reference);
    let n = 1 + 3 * reference.retailers.len();
    for (final_week, horizon) in same.switching.as_ref().unwrap() {
        for from in 0..n {
            for to in (0..n).filter(|&to| to != from) {
                assert_eq!((final_week[from * n + to], horizon[from * n + to]), (0, 0), "{from} -> {to}");
            }
        }
    }
}
