//! Calibration: the share contraction meets its targets, writes back only fitted values, and
//! refuses targets it cannot reach.

mod common;

use cartshift::calibrate::{CalibrationOptions, calibrate, measured_shares, write_calibrated};
use cartshift::engine;
use cartshift::scenario::Measure;
use common::*;

const SEGMENT: &str = "price_sensitivity = 2.0\ndistance_sensitivity = 0.2\ntime_value = 0.05\nfee_sensitivity = 0.1\nweekly_spend = 100.0\ndigital_adoption = 0.3";
const DYNAMICS: &str =
    "loyalty_smoothing = 0.8\nloyalty_weight = 2.0\nadoption_innovation = 0.001\nadoption_imitation = 0.01";

fn market_with_targets(targets: &str) -> String {
    let retailers = format!(
        "[[retailer]]\nname = \"A\"\nstores = 20\nquality = 0.0   # start\nprice_index = 1.0\ncheckout_wait_min = 5.0\n\
         delivery = {{ fee = 5.0, quality = -0.5 }}\n\
         [[retailer]]\nname = \"B\"\nstores = 10\nquality = 0.0\nprice_index = 0.9\ncheckout_wait_min = 4.0\n\
         [calibration]\n{targets}"
    );
    market("weeks = 8\nwarmup_weeks = 8\nreplications = 4\nseed = 3\nhouseholds = 5000", DYNAMICS, SEGMENT, &retailers)
}

#[test]
fn contraction_meets_every_target_including_online() {
    let text = market_with_targets("share = { A = 0.30, B = 0.12 }\nonline_share = 0.05");
    let s = scenario(&text);
    let fitted = calibrate(&s, CalibrationOptions::default(), &|_, _| {}).unwrap();
    assert!(fitted.converged, "{:?}", fitted.rows);
    // Re-simulating the fitted scenario gives the targets within 0.1 pp.
    let results = engine::run(&fitted.scenario, &|_| {});
    let (shares, online) = measured_shares(&fitted.scenario, &results, Measure::Revenue);
    for (share, target) in shares.iter().zip([0.30, 0.12]) {
        assert!((share - target).abs() <= 0.001, "{share} vs {target}");
    }
    assert!((online - 0.05).abs() <= 0.001, "online {online}");
    // The written file keeps its comment and changes only fitted values.
    let written = write_calibrated(&text, &s, &fitted).unwrap();
    assert!(written.contains("# start"), "{written}");
    let reloaded = scenario(&written);
    for (a, b) in reloaded.retailers.iter().zip(&fitted.scenario.retailers) {
        assert!((a.initial.quality - b.initial.quality).abs() < 1e-4);
        assert_eq!(a.initial.price_index, b.initial.price_index);
    }
}

#[test]
fn a_target_no_household_can_reach_is_refused() {
    // B only delivers, and its delivery reaches nobody.
    let text = market_with_targets("share = { A = 0.3, B = 0.1 }")
        .replace("stores = 10\n", "stores = 0\ndelivery = { coverage = 0.0 }\n");
    let err = calibrate(&scenario(&text), CalibrationOptions::default(), &|_, _| {}).unwrap_err();
    assert!(err.to_string().contains("calibration.share.B: cannot be reached"), "{err}");
}

#[test]
fn too_few_iterations_report_no_convergence() {
    let text = market_with_targets("share = { A = 0.30, B = 0.12 }");
    let options = CalibrationOptions { tolerance: 1e-6, max_iterations: 2 };
    let fitted = calibrate(&scenario(&text), options, &|_, _| {}).unwrap();
    assert!(!fitted.converged);
    assert_eq!(fitted.iterations, 2);
}

#[test]
fn the_shipped_baseline_is_calibrated() {
    // Exactly the settings the baseline was calibrated with (its own [simulation]): the
    // simulation is deterministic, so every target must be met within 0.1 pp, no statistics.
    let s = repo_scenario("baseline_2018.toml", &[]);
    let targets = s.calibration.clone().unwrap();
    let results = engine::run(&s, &|_| {});
    let (shares, online) = measured_shares(&s, &results, targets.measure);
    for (r, target) in targets.shares {
        assert!((shares[r] - target).abs() <= 0.001, "{}: {} vs {target}", s.retailers[r].name, shares[r]);
    }
    assert!((online - targets.online_share.unwrap()).abs() <= 0.001, "online {online}");
}
