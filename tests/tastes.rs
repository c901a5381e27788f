//! Tastes in money (MODEL.md §1): `value_of_time` ($/h) and `travel_cost` ($/km) convert to
//! utilities through the segment's price coefficient, a fee weighs a dollar by default, and
//! `cartshift validate` prints every segment's tastes in dollars whichever form the file uses.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use cartshift::scenario::{LoadOptions, load_str};
use common::market;

const RETAILER: &str =
    "[[retailer]]\nname = \"Shop\"\nstores = 10\nquality = 0.0\nprice_index = 1.0\ncheckout_wait_min = 5.0\n";
const DYNAMICS: &str =
    "loyalty_smoothing = 0.8\nloyalty_weight = 1.0\nadoption_innovation = 0.0\nadoption_imitation = 0.0";

fn text(segment: &str) -> String {
    market("weeks = 2\nwarmup_weeks = 1", DYNAMICS, segment, RETAILER)
}

#[test]
fn dollars_convert_through_the_price_coefficient() {
    let money = "price_sensitivity = 2.0\nweekly_spend = 100.0\ndigital_adoption = 0.1\nvalue_of_time = 30.0\ntravel_cost = 1.5";
    let s = load_str(&text(money), &LoadOptions::default()).unwrap();
    let seg = &s.segments[0];
    let dollar = 2.0 / 100.0;
    assert_eq!(seg.dollar_utility(), dollar);
    assert!((seg.time_value - dollar * 30.0 / 60.0).abs() < 1e-15);
    assert!((seg.distance_sensitivity - dollar * 1.5).abs() < 1e-15);
    assert_eq!(seg.fee_sensitivity, dollar, "a fee is a dollar unless fee_sensitivity says otherwise");
    let t = seg.tastes_in_dollars().unwrap();
    assert!((t.value_of_time_per_hour - 30.0).abs() < 1e-9 && (t.travel_cost_per_km - 1.5).abs() < 1e-12);
    assert!((t.fee_weight - 1.0).abs() < 1e-12);
}

#[test]
fn utility_keys_still_work_and_read_back_in_dollars() {
    let utility = "price_sensitivity = 2.0\nweekly_spend = 100.0\ndigital_adoption = 0.1\n\
                   time_value = 0.01\ndistance_sensitivity = 0.04\nfee_sensitivity = 0.05";
    let s = load_str(&text(utility), &LoadOptions::default()).unwrap();
    let t = s.segments[0].tastes_in_dollars().unwrap();
    assert!((t.value_of_time_per_hour - 30.0).abs() < 1e-9, "0.01/min over 0.02/$ = $0.5/min = $30/h");
    assert!((t.travel_cost_per_km - 2.0).abs() < 1e-12);
    assert!((t.fee_weight - 2.5).abs() < 1e-12);
}

#[test]
fn both_forms_of_one_taste_are_refused_at_the_dollar_key() {
    let both = "price_sensitivity = 2.0\nweekly_spend = 100.0\ndigital_adoption = 0.1\ndistance_sensitivity = 0.1\n\
                time_value = 0.01\nvalue_of_time = 30.0";
    let err = load_str(&text(both), &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("segment.all.value_of_time") && err.contains("not both"), "{err}");
    let negative =
        "price_sensitivity = 2.0\nweekly_spend = 100.0\ndigital_adoption = 0.1\ntime_value = 0.01\ntravel_cost = -1";
    let err = load_str(&text(negative), &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("segment.all.travel_cost") && err.contains("expected"), "{err}");
}

#[test]
fn validate_prints_every_segments_tastes_in_dollars() {
    let out = cargo_bin_cmd!("cartshift")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["validate", "scenarios/baseline_2018.toml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let s = cartshift::scenario::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline_2018.toml"),
        &LoadOptions::default(),
    )
    .unwrap();
    for seg in &s.segments {
        let t = seg.tastes_in_dollars().unwrap();
        let line = stdout.lines().find(|l| l.trim_start().starts_with(&seg.name)).unwrap_or_else(|| panic!("{stdout}"));
        assert!(line.contains(&format!("waiting ${:.1}/h", t.value_of_time_per_hour)), "{line}");
        assert!(line.contains(&format!("distance ${:.2}/km", t.travel_cost_per_km)), "{line}");
    }
}
