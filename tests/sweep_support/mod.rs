//! Shared by the sweep tests: a tiny scenario, sweeps of it, and a temporary folder to run
//! the real `cartshift` binary in.
#![allow(dead_code)]

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Exit code of bad input and usage errors.
pub const EXIT_INPUT: i32 = 2;

/// The CSV files of a run with `--raw`.
pub const CSV_FILES: [&str; 4] = ["weekly.csv", "online.csv", "summary.csv", "replications.csv"];

/// A valid scenario that runs in a blink: 2 regions, 2 segments, 2 retailers, 1 event.
pub fn tiny(households: u32, weeks: u32) -> String {
    format!(
        r#"name = "tiny"

[market]
households = 1_000_000
outside_option = "Other grocers"

[simulation]
weeks = {weeks}
warmup_weeks = 2
replications = 2
seed = 7
households = {households}

[dynamics]
loyalty_smoothing = 0.8
loyalty_weight = 2.0
adoption_innovation = 0.001
adoption_imitation = 0.01

[[region]]
name = "urban"
households_share = 0.4
area_km2 = 1000

[[region]]
name = "rural"
households_share = 0.6
area_km2 = 20000

[[segment]]
name = "thrifty"
share = 0.5
price_sensitivity = 3.0
distance_sensitivity = 0.1
time_value = 0.05
fee_sensitivity = 0.2
weekly_spend = 100.0
digital_adoption = 0.1

[[segment]]
name = "busy"
share = 0.5
price_sensitivity = 1.0
distance_sensitivity = 0.2
time_value = 0.15
fee_sensitivity = 0.05
weekly_spend = 120.0
digital_adoption = 0.4

[[retailer]]
name = "Kroger"
stores = 100
region_mix = {{ urban = 0.5, rural = 0.5 }}
quality = -1.0
price_index = 1.0
checkout_wait_min = 5.0
pickup = {{ fee = 4.95, wait_min = 5.0, quality = -0.3 }}

[[retailer]]
name = "Amazon"
stores = 0
quality = -3.0
price_index = 1.0
delivery = {{ fee = 5.0, coverage = 0.6 }}
adoption_pull = 0.5

[[event]]
name = "alipay"
week = 2
retailer = "Kroger"
set = {{ checkout_wait_min = 2.0 }}
"#
    )
}

/// A 3 x 3 grid over Kroger's checkout wait and the loyalty weight (point 4 = 3.5, 2).
pub const GRID: &str = r#"
[sweep]
design = "grid"

[[sweep.parameter]]
path = "retailer.Kroger.checkout_wait_min"
values = [5.0, 3.5, 2.0]

[[sweep.parameter]]
path = "dynamics.loyalty_weight"
from = 1
to = 3
steps = 3
"#;

/// A `[sweep]` of `design` with one parameter `path` whose other keys are `body` (TOML lines);
/// random designs get `samples = 5`.
pub fn one_parameter(design: &str, path: &str, body: &str) -> String {
    let samples = if design == "grid" || design == "zip" { "" } else { "samples = 5\n" };
    format!("\n[sweep]\ndesign = \"{design}\"\n{samples}[[sweep.parameter]]\npath = \"{path}\"\n{body}\n")
}

/// A temporary working folder holding scenario files; commands run inside it.
pub struct Workspace {
    pub dir: TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace { dir: tempfile::tempdir().expect("temporary folder") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) {
        fs::write(self.path(name), text).expect("write scenario");
    }

    /// Every entry below the folder, recursively, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out.sort();
        out
    }

    pub fn cartshift(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut cmd = cargo_bin_cmd!("cartshift");
        for var in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX"] {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.dir.path()).args(args).envs(env.iter().copied()).output().expect("cartshift starts")
    }

    /// Runs `args`, asserting success; returns stdout.
    pub fn succeed(&self, args: &[&str]) -> String {
        self.succeed_with(args, &[])
    }

    pub fn succeed_with(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.cartshift(args, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "cartshift {args:?} failed ({:?}):\n{stderr}", out.status.code());
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// Runs `args`, asserting exit code 2 and that nothing changed in the folder; returns stderr.
    pub fn refuse(&self, case: &str, args: &[&str]) -> String {
        let before = self.snapshot();
        let out = self.cartshift(args, &[]);
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        assert_eq!(out.status.code(), Some(EXIT_INPUT), "[{case}] cartshift {args:?} should exit 2; stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "[{case}] cartshift panicked:\n{stderr}");
        assert!(self.snapshot() == before, "[{case}] a refused command must change nothing");
        stderr
    }

    /// Every file below the folder with its bytes, but lock files: a refused run may take over
    /// and release the stale lock of a killed run.
    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let entries = self.entries().into_iter().filter(|e| !e.ends_with(cartshift::output::LOCK_FILE));
        entries.map(|e| (e.clone(), fs::read(self.path(&e)).unwrap_or_default())).collect()
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display())) {
        let path = entry.expect("folder entry").path();
        out.push(path.strip_prefix(root).expect("below root").to_string_lossy().into_owned());
        if path.is_dir() {
            walk(root, &path, out);
        }
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

pub fn text(path: &Path) -> String {
    String::from_utf8(read(path)).expect("UTF-8")
}

pub fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(&dir.join("manifest.json"))).expect("manifest.json is JSON")
}

/// The manifest without the fields that describe this particular run (time, threads, command).
pub fn manifest_identity(dir: &Path) -> serde_json::Value {
    let mut m = manifest(dir);
    for key in ["wall_seconds", "household_weeks_per_second", "threads", "command_line"] {
        m.as_object_mut().expect("an object").remove(key);
    }
    m
}

/// Asserts two result folders hold the same CSV files, byte for byte, and the same manifest
/// apart from timings.
pub fn assert_same_results(a: &Path, b: &Path, files: &[&str]) {
    for name in files {
        let (x, y) = (read(&a.join(name)), read(&b.join(name)));
        assert!(x == y, "{name} differs between {} and {}", a.display(), b.display());
    }
    assert_eq!(manifest_identity(a), manifest_identity(b));
}
