//! `cartshift bench` prints every figure the performance targets are stated in: both thread
//! counts and their ratio, bytes per household, the frozen fixture beside the shipped baseline,
//! and a sweep's points per second.

use assert_cmd::cargo::cargo_bin_cmd;

fn bench(extra: &[&str]) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut cmd = cargo_bin_cmd!("cartshift");
    cmd.current_dir(root).args(["bench", "--households", "3000", "--repeat", "1", "--threads", "1,2"]).args(extra);
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn bench_prints_every_target_figure() {
    let text = bench(&["--no-sweep"]);
    for needle in [
        "1 thread :",
        "2 threads:",
        "x one thread",
        "bytes per household",
        "whole country (127600000 households",
        "benches/fixtures/baseline_2018_session2.toml",
        "shipped baseline / fixture, 1 thread:",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("points/s"), "--no-sweep still timed the sweep:\n{text}");
}

#[test]
fn bench_times_a_sweep_in_points_per_second() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let sweep = dir.path().join("small_sweep.toml");
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline_2018.toml");
    let text = format!(
        "extends = {:?}\nname = \"small_sweep\"\n[simulation]\nhouseholds = 200\nreplications = 1\nweeks = 4\nwarmup_weeks = 1\n\
         [sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\npath = \"dynamics.loyalty_weight\"\nvalues = [2.0, 3.0]\n",
        base.display().to_string()
    );
    std::fs::write(&sweep, text).expect("sweep written");
    let out = bench(&["--sweep", sweep.to_str().expect("utf-8 path"), "--fixture", "missing.toml"]);
    assert!(out.contains("2 points x 1 replications x 200 households"), "{out}");
    assert!(out.contains("points/s"), "{out}");
    assert!(out.contains("fixture missing.toml: not found, skipped"), "{out}");
}

#[test]
fn zero_threads_is_a_usage_error() {
    let root = env!("CARGO_MANIFEST_DIR");
    cargo_bin_cmd!("cartshift").current_dir(root).args(["bench", "--threads", "0"]).assert().code(2);
}
