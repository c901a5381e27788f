//! The designs as the example sweeps use them: a Latin hypercube hits every stratum of every
//! parameter exactly once, random draws stay in their ranges and follow their seed, every point
//! really carries its values, and the shipped sweeps stay small enough to run in seconds.

use cartshift::engine::RunResults;
use cartshift::scenario::{LoadOptions, Sweep, load_sweep, load_sweep_str};
use std::path::Path;
use toml::Value;

fn repo_sweep(file: &str) -> Sweep {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps").join(file);
    load_sweep(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Each `[[sweep.parameter]]`'s `range`, read from the file itself.
fn ranges(file: &str) -> Vec<(String, f64, f64)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps").join(file);
    let doc: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let number = |v: &Value| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap();
    doc["sweep"]["parameter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let range = p["range"].as_array().unwrap();
            (p["path"].as_str().unwrap().to_string(), number(&range[0]), number(&range[1]))
        })
        .collect()
}

#[test]
fn the_latin_hypercube_hits_every_stratum_exactly_once_per_dimension() {
    let sweep = repo_sweep("uncertainty_lhs.toml");
    let ranges = ranges("uncertainty_lhs.toml");
    assert!(ranges.len() >= 5, "at least five uncertain parameters");
    assert_eq!(sweep.parameters(), ranges.iter().map(|r| r.0.clone()).collect::<Vec<_>>());
    let n = sweep.points();
    let mut hits = vec![vec![0u32; n]; ranges.len()];
    for point in 0..n {
        for (d, (value, (path, low, high))) in sweep.values(point).iter().zip(&ranges).enumerate() {
            let x = value.as_float().unwrap_or_else(|| panic!("{path}: a float range gives floats"));
            assert!((*low..=*high).contains(&x), "{path} = {x} outside [{low}, {high}]");
            let stratum = (((x - low) / (high - low)) * n as f64).floor() as usize;
            hits[d][stratum.min(n - 1)] += 1;
        }
    }
    for (d, h) in hits.iter().enumerate() {
        assert!(h.iter().all(|&c| c == 1), "{}: strata hit {h:?}", ranges[d].0);
    }
}

#[test]
fn every_point_carries_its_values() {
    let sweep = repo_sweep("uncertainty_lhs.toml");
    for point in [0, 17, sweep.points() - 1] {
        let s = sweep.scenario(point).unwrap();
        let values = sweep.values(point);
        let segment = s.segments.iter().find(|g| g.name == "lower_income").unwrap();
        let amazon = s.retailers.iter().find(|r| r.name == "Amazon").unwrap();
        let carried = [
            s.dynamics.loyalty_weight,
            s.dynamics.loyalty_smoothing,
            s.dynamics.adoption_innovation,
            s.dynamics.adoption_imitation,
            segment.price_sensitivity,
        ];
        for (value, got) in values.iter().zip(carried) {
            assert_eq!(value.as_float(), Some(got));
        }
        assert_eq!(values[6].as_float(), Some(amazon.initial.adoption_pull));
        assert_eq!(s.simulation.seed, 2018, "every point keeps the scenario's seed");
    }
}

#[test]
fn random_draws_stay_in_range_and_follow_the_design_seed() {
    let text = |seed: u64| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline_2018.toml")).unwrap()
            + &format!(
                "[sweep]\ndesign = \"random\"\nsamples = 50\nseed = {seed}\n\
                 [[sweep.parameter]]\npath = \"retailer.Kroger.price_index\"\nrange = [0.9, 1.1]\n\
                 [[sweep.parameter]]\npath = \"retailer.Aldi.stores\"\nrange = [1000, 3000]\n"
            )
    };
    let a = load_sweep_str(&text(1), &LoadOptions::default()).unwrap();
    let b = load_sweep_str(&text(2), &LoadOptions::default()).unwrap();
    let all = |s: &Sweep| (0..s.points()).map(|p| s.values(p)).collect::<Vec<_>>();
    for values in all(&a) {
        assert!(matches!(values[0], Value::Float(x) if (0.9..=1.1).contains(&x)));
        assert!(matches!(values[1], Value::Integer(n) if (1000..=3000).contains(&n)), "integer bounds, integers");
    }
    assert_eq!(all(&a), all(&load_sweep_str(&text(1), &LoadOptions::default()).unwrap()));
    assert_ne!(all(&a), all(&b));
    a.check(|_, _| {}).unwrap();
}

#[test]
fn the_example_sweeps_are_valid_and_run_in_seconds() {
    for (file, points) in [("checkout_vs_price_cut.toml", 16), ("uncertainty_lhs.toml", 40)] {
        let sweep = repo_sweep(file);
        assert_eq!(sweep.points(), points, "{file}");
        assert!(sweep.parent().is_some(), "{file} extends the baseline");
        let mut household_weeks = 0;
        sweep.check(|_, s| household_weeks += RunResults::household_weeks(s)).unwrap();
        // The baseline alone is 50 M household-weeks, about 5 s on 2 cores: stay within 2.5 times it.
        assert!(household_weeks <= 125_000_000, "{file}: {household_weeks} household-weeks");
    }
    let grid = repo_sweep("checkout_vs_price_cut.toml");
    let first_and_last = [grid.values(0), grid.values(15)];
    assert_eq!(first_and_last[0], [Value::Float(5.0), Value::Float(1.15)]);
    assert_eq!(first_and_last[1], [Value::Float(2.0), Value::Float(1.00)]);
}
