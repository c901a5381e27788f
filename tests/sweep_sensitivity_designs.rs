//! The designs made for sensitivity analysis (sobol, morris) and the table design, as a scenario
//! file declares them: their point counts, their seeds, their errors, and the example sweeps.

use cartshift::scenario::{LoadOptions, Sweep, load_sweep, load_sweep_str};
use cartshift::sweep::Design;
use std::path::Path;
use toml::Value;

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn baseline() -> String {
    std::fs::read_to_string(repo("scenarios/baseline_2018.toml")).unwrap()
}

const TWO_RANGES: &str = "[[sweep.parameter]]\npath = \"dynamics.loyalty_weight\"\nrange = [1.5, 3.5]\n\
                          [[sweep.parameter]]\npath = \"retailer.Aldi.stores\"\nrange = [1000, 3000]\n";

fn sweep(text: &str) -> Result<Sweep, String> {
    load_sweep_str(text, &LoadOptions::default()).map_err(|e| e.to_string())
}

fn all(s: &Sweep) -> Vec<Vec<Value>> {
    (0..s.points()).map(|p| s.values(p)).collect()
}

#[test]
fn sobol_points_follow_saltelli_counts_and_the_scenario_seed() {
    let text = |extra: &str| format!("{}[sweep]\ndesign = \"sobol\"\nsamples = 8\n{extra}{TWO_RANGES}", baseline());
    let first = sweep(&text("")).unwrap();
    assert_eq!(first.points(), 8 * (2 + 2));
    assert_eq!(sweep(&text("second_order = true\n")).unwrap().points(), 8 * (2 * 2 + 2));
    for v in all(&first) {
        assert!(matches!(v[0], Value::Float(x) if (1.5..3.5).contains(&x)));
        assert!(matches!(v[1], Value::Integer(n) if (1000..=3000).contains(&n)));
    }
    let reseeded = baseline().replace("seed = 2018", "seed = 7");
    let other = sweep(&format!("{reseeded}[sweep]\ndesign = \"sobol\"\nsamples = 8\n{TWO_RANGES}")).unwrap();
    assert_ne!(all(&first), all(&other), "the scrambling follows simulation.seed");
    assert_eq!(all(&first), all(&sweep(&text("seed = 2018\n")).unwrap()), "an explicit seed takes its place");
    assert!(matches!(first.design(), Design::Sobol(_)));
    first.check(|_, _| {}).unwrap();
}

#[test]
fn morris_points_are_trajectories_of_d_plus_one() {
    let text = |extra: &str| format!("{}[sweep]\ndesign = \"morris\"\n{extra}{TWO_RANGES}", baseline());
    let s = sweep(&text("trajectories = 5\nlevels = 6\n")).unwrap();
    assert_eq!(s.points(), 5 * 3);
    s.check(|_, _| {}).unwrap();
    let refused = [
        ("levels = 4\n", "needs trajectories"),
        ("trajectories = 5\nlevels = 5\n", "expected an even number"),
        ("trajectories = 1\n", "trajectories = 1: expected 2 to"),
        ("trajectories = 5\nsamples = 3\n", "samples is for random, latin_hypercube, sobol designs"),
        ("trajectories = 5\nlevels = 2000\n", "levels = 2000: expected 2 to 1000"),
    ];
    for (extra, expected) in refused {
        let err = sweep(&text(extra)).unwrap_err();
        assert!(err.contains(expected) && err.contains("<string>:"), "{extra} -> {err}");
    }
    let narrow = format!(
        "{}[sweep]\ndesign = \"morris\"\ntrajectories = 4\nlevels = 8\n\
         [[sweep.parameter]]\npath = \"retailer.Aldi.stores\"\nrange = [1000, 1004]\n",
        baseline()
    );
    assert!(sweep(&narrow).unwrap_err().contains("fewer than levels = 8 integers"));
}

#[test]
fn a_table_runs_the_points_of_its_file_and_points_at_bad_cells() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo("scenarios/baseline_2018.toml"), dir.path().join("baseline_2018.toml")).unwrap();
    let file = dir.path().join("table.toml");
    std::fs::write(
        &file,
        "extends = \"baseline_2018.toml\"\nname = \"t\"\n[sweep]\ndesign = \"table\"\nfile = \"points.csv\"\n",
    )
    .unwrap();
    let points = dir.path().join("points.csv");
    let load = || load_sweep(&file, &LoadOptions::default()).map_err(|e| e.to_string());
    std::fs::write(&points, "retailer.Kroger.price_index,dynamics.loyalty_weight\n0.95,2\n1.05,3.5\n").unwrap();
    let s = load().unwrap();
    assert_eq!(s.parameters(), ["retailer.Kroger.price_index", "dynamics.loyalty_weight"]);
    assert_eq!(all(&s), [[Value::Float(0.95), Value::Integer(2)], [Value::Float(1.05), Value::Float(3.5)]]);
    assert_eq!(s.scenario(1).unwrap().dynamics.loyalty_weight, 3.5);
    let hash = s.hash().to_string();

    std::fs::write(&points, "retailer.Kroger.price_index,dynamics.loyalty_weight\n0.95,2\n1.05,3.6\n").unwrap();
    assert_ne!(load().unwrap().hash(), hash, "the file's points are part of the sweep's identity");

    std::fs::write(&points, "retailer.Kroger.price_index,dynamics.loyalty_weight\n0.95,2\n1.05,\n").unwrap();
    let err = load().unwrap_err();
    assert!(err.contains("points.csv:3:2") && err.contains("column dynamics.loyalty_weight"), "{err}");

    std::fs::write(&points, "retailer.Kroger.price_index\n0.95\n-1\n").unwrap();
    let err = load().unwrap().check(|_, _| {}).unwrap_err().to_string();
    assert!(err.contains("points.csv:3:1") && err.contains("sweep point 1"), "{err}");

    std::fs::remove_file(&points).unwrap();
    let err = load().unwrap_err();
    assert!(err.contains("table.toml:5") && err.contains("cannot read"), "{err}");
}

#[test]
fn the_example_screens_are_valid() {
    for (file, points) in [("tastes_sobol.toml", 128 * 10), ("tastes_morris.toml", 20 * 9)] {
        let s = load_sweep(&repo("scenarios/sweeps").join(file), &LoadOptions::default()).unwrap();
        assert_eq!(s.points(), points, "{file}");
        assert_eq!(s.parameters().len(), 8);
        assert!(s.parent().is_some_and(|p| p.ends_with("kroger_alibaba_alliance.toml")), "{file} sweeps the alliance");
        s.check(|_, scenario| assert!(scenario.events.iter().any(|e| e.label == "alipay"))).unwrap();
    }
}
