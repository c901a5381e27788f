//! Pins the bytes of every run kind against files generated before the run pipeline was
//! unified (issue 11): a plain run, a comparison with and without common random numbers, a
//! comparison with regions, and a sweep (without its reference, as sweeps ran before). Each fixture folder under `tests/fixtures/pipeline/`
//! holds the CSV files of the command in [`CASES`]; the run today must write each of them byte
//! for byte (it may write more files: the fixtures predate them).
//!
//! The fixtures were generated first on the code before the pipeline was unified (commit
//! e7d56fd; the unified pipeline matched them byte for byte), then regenerated once when the
//! counterfactual semantics of issue 12 changed paired results and added tables (reach rows,
//! `retailers.csv`, `owners.csv`, `new_shoppers.csv`, `shifts_owners.csv`).
//!
//! The scenarios are frozen copies in `tests/fixtures/pipeline/scenarios/` (the library's files
//! as they were when the fixtures were made), so the shipped scenarios can be recalibrated and
//! rewritten (issue 13) without touching these pins: they pin the pipeline, not the market.
//!
//! To regenerate after a deliberate change of the model's arithmetic or streams (and say so in
//! the CHANGELOG): run each case's command on the frozen scenario with
//! `-o tests/fixtures/pipeline/<case>` and delete the `manifest.json` and `scenario.toml` files
//! it writes.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::{Path, PathBuf};

/// (fixture folder, scenario file under `tests/fixtures/pipeline/scenarios/`, arguments after
/// `run SCENARIO -o OUT`).
const CASES: [(&str, &str, &[&str]); 5] = [
    (
        "plain",
        "baseline_2018.toml",
        &["--households", "400", "--replications", "3", "--set", "simulation.weeks=6", "--raw", "--threads", "2"],
    ),
    (
        "compared",
        "kroger_alibaba_alliance.toml",
        &["--households", "400", "--replications", "3", "--set", "simulation.weeks=6", "--raw", "--threads", "2"],
    ),
    (
        "regions",
        "kroger_union_superstore.toml",
        &["--households", "300", "--replications", "2", "--set", "simulation.weeks=12"],
    ),
    (
        "nocrn",
        "kroger_alibaba_alliance.toml",
        &["--households", "300", "--replications", "2", "--set", "simulation.weeks=6", "--no-crn"],
    ),
    (
        "sweep",
        "sweeps/uncertainty_lhs.toml",
        &[
            "--households",
            "100",
            "--replications",
            "2",
            "--set",
            "simulation.weeks=3",
            "--set",
            "sweep.samples=4",
            "--raw",
            "--no-reference",
        ],
    ),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn run_case(scenario: &str, args: &[&str], threads: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let scenario = repo().join("tests/fixtures/pipeline/scenarios").join(scenario);
    let mut cmd = cargo_bin_cmd!("cartshift");
    cmd.current_dir(repo()).arg("run").arg(scenario).arg("-o").arg(&out);
    cmd.args(args).arg("--quiet");
    if let Some(t) = threads {
        cmd.args(["--threads", t]);
    }
    cmd.assert().success();
    tmp
}

fn assert_same_bytes(case: &str, expected_dir: &Path, out: &Path) {
    let expected = files(expected_dir);
    assert!(!expected.is_empty(), "{case}: no fixture files");
    for name in expected {
        let want = fs::read(expected_dir.join(&name)).unwrap();
        let got = fs::read(out.join(&name)).unwrap_or_else(|e| panic!("{case}: {} not written: {e}", name.display()));
        assert!(want == got, "{case}: {} differs from the fixture", name.display());
    }
}

#[test]
fn every_run_kind_writes_the_bytes_it_wrote_before_the_pipeline_was_unified() {
    for (case, scenario, args) in CASES {
        let tmp = run_case(scenario, args, None);
        assert_same_bytes(case, &repo().join("tests/fixtures/pipeline").join(case), &tmp.path().join("out"));
    }
}
