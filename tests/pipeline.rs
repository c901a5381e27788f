//! The one run pipeline (issue 11), through the real binary: a shard of one is the plain run, a
//! sweep of one point is the plain run of that point, a folder's `scenario.toml` reproduces it,
//! a sweep of a counterfactual writes every comparison table with its swept columns, and its
//! shards, merge and resume keep the bytes.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(file: &str) -> String {
    repo().join("scenarios").join(file).display().to_string()
}

/// Runs `cartshift ARGS` in `dir`, requiring success.
fn cartshift(dir: &Path, args: &[&str]) {
    cargo_bin_cmd!("cartshift").current_dir(dir).args(args).arg("--quiet").assert().success();
}

/// The CSV files under `dir`, relative, sorted.
fn csv_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["", "reference/"] {
        if let Ok(entries) = fs::read_dir(dir.join(sub)) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".csv") {
                    out.push(format!("{sub}{name}"));
                }
            }
        }
    }
    out.sort();
    out
}

fn assert_same_csv(a: &Path, b: &Path) {
    let (fa, fb) = (csv_files(a), csv_files(b));
    assert!(!fa.is_empty());
    assert_eq!(fa, fb, "the same files");
    for name in fa {
        assert!(fs::read(a.join(&name)).unwrap() == fs::read(b.join(&name)).unwrap(), "{name} differs");
    }
}

const SMALL: [&str; 6] = ["--households", "300", "--replications", "3", "--set", "simulation.weeks=6"];

#[test]
fn a_shard_of_one_writes_the_plain_runs_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("kroger_alibaba_alliance.toml");
    cartshift(tmp.path(), &[&["run", &s, "-o", "plain"][..], &SMALL].concat());
    cartshift(tmp.path(), &[&["run", &s, "-o", "shard", "--shard", "1/1"][..], &SMALL].concat());
    assert_same_csv(&tmp.path().join("plain"), &tmp.path().join("shard"));
    assert!(tmp.path().join("shard/shifts.csv").exists(), "a shard of a counterfactual is compared");
    let (a, b) = (tmp.path().join("plain/scenario.toml"), tmp.path().join("shard/scenario.toml"));
    assert_eq!(fs::read(a).unwrap(), fs::read(b).unwrap());
}

#[test]
fn the_folders_scenario_toml_reproduces_every_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [("kroger_alibaba_alliance.toml", "alliance"), ("sweeps/checkout_vs_price_cut.toml", "grid")];
    for (file, out) in cases {
        let s = scenario(file);
        let small = ["--households", "200", "--replications", "2", "--set", "simulation.weeks=5", "--raw"];
        cartshift(tmp.path(), &[&["run", &s, "-o", out][..], &small].concat());
        let resolved = tmp.path().join(out).join("scenario.toml");
        let again = format!("{out}-again");
        cartshift(tmp.path(), &["run", resolved.to_str().unwrap(), "-o", &again, "--raw"]);
        assert_same_csv(&tmp.path().join(out), &tmp.path().join(&again));
    }
    let manifest = fs::read_to_string(tmp.path().join("alliance/manifest.json")).unwrap();
    assert!(manifest.contains("\"command_line\"") && manifest.contains("--households"), "{manifest}");
    assert!(tmp.path().join("alliance/reference.toml").exists());
}

/// Drops the `point` column and the swept-path columns (`skip` of them) after it.
fn without_point_columns(text: &str, lead: usize, skip: usize) -> Vec<String> {
    text.lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let kept: Vec<&str> =
                cells.iter().enumerate().filter(|(i, _)| *i + 1 < lead || *i >= lead + skip).map(|(_, c)| *c).collect();
            kept.join(",")
        })
        .collect()
}

#[test]
fn a_sweep_of_one_point_is_the_plain_run_of_that_point() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(repo().join("scenarios/kroger_alibaba_alliance.toml")).unwrap();
    let base =
        base.replace("extends = \"baseline_2018.toml\"", &format!("extends = {:?}", scenario("baseline_2018.toml")));
    let sweep = format!(
        "{base}\n[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\npath = \"retailer.Kroger.price_index\"\nvalues = [0.97]\n"
    );
    fs::write(tmp.path().join("one.toml"), sweep).unwrap();
    fs::write(tmp.path().join("plain.toml"), base).unwrap();
    cartshift(tmp.path(), &[&["run", "one.toml", "-o", "one"][..], &SMALL].concat());
    let set = ["--set", "retailer.Kroger.price_index=0.97"];
    cartshift(tmp.path(), &[&["run", "plain.toml", "-o", "plain"][..], &SMALL, &set].concat());
    for name in csv_files(&tmp.path().join("plain")) {
        let compares = name.starts_with("shifts") || name == "switching.csv" || name == "new_shoppers.csv";
        let lead = if compares { 3 } else { 2 };
        let one = fs::read_to_string(tmp.path().join("one").join(&name)).unwrap();
        let plain = fs::read_to_string(tmp.path().join("plain").join(&name)).unwrap();
        assert_eq!(without_point_columns(&one, lead, 1), without_point_columns(&plain, lead, 0), "{name}");
    }
}

#[test]
fn a_sweep_of_a_counterfactual_writes_shifts_by_point_and_its_shards_merge_to_the_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("sweeps/checkout_vs_price_cut.toml");
    let small = ["--households", "200", "--replications", "2", "--set", "simulation.weeks=4"];
    cartshift(tmp.path(), &[&["run", &s, "-o", "whole", "--threads", "2"][..], &small].concat());
    let whole = tmp.path().join("whole");
    for name in ["shifts.csv", "shifts_weekly.csv", "shifts_regions.csv", "switching.csv", "reference/summary.csv"] {
        assert!(whole.join(name).exists(), "{name} written");
    }
    let shifts = fs::read_to_string(whole.join("shifts.csv")).unwrap();
    let header = shifts.lines().next().unwrap();
    assert!(
        header.starts_with(
            "scenario,reference,point,retailer.Kroger.checkout_wait_min,retailer.Whole Foods.price_index,"
        ),
        "{header}"
    );
    let points: std::collections::BTreeSet<&str> =
        shifts.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    assert_eq!(points.len(), 16);
    // Point 0 is the baseline itself: every shift is exactly zero.
    for line in shifts.lines().skip(1).filter(|l| l.split(',').nth(2) == Some("0")) {
        assert_eq!(line.split(',').nth(8), Some("0"), "{line}");
    }
    cartshift(tmp.path(), &[&["run", &s, "-o", "one-thread", "--threads", "1"][..], &small].concat());
    assert_same_csv(&whole, &tmp.path().join("one-thread"));
    for k in 1..=3 {
        let shard = format!("{k}/3");
        cartshift(tmp.path(), &[&["run", &s, "-o", &format!("s{k}"), "--shard", &shard][..], &small].concat());
    }
    cartshift(tmp.path(), &["merge", "merged", "s1", "s2", "s3"]);
    assert_same_csv(&whole, &tmp.path().join("merged"));
}

#[test]
fn validate_into_a_closed_pipe_ends_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cartshift"))
        .current_dir(repo())
        .args(["validate", "scenarios/baseline_2018.toml", "scenarios/kroger_alibaba_alliance.toml"])
        .args(["scenarios/price_war.toml", "scenarios/whole_foods_price_cut_2017.toml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before anything is printed
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_precision_target_stops_at_n_with_the_bytes_of_n_replications() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("kroger_alibaba_alliance.toml");
    let size = ["--households", "300", "--set", "simulation.weeks=6"];
    // The alliance moves shares by ~0.02 pp; at 300 households 0.01 pp takes 16 replications.
    let adaptive = ["--precision", "0.01pp", "--min-replications", "4", "--max-replications", "40"];
    cartshift(tmp.path(), &[&["run", &s, "-o", "adaptive"][..], &size, &adaptive].concat());
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("adaptive/manifest.json")).unwrap()).unwrap();
    let n = manifest["adaptive"]["replications"][0].as_u64().unwrap();
    assert!(n >= 8 && n.is_multiple_of(4), "more than one batch of 4, in batches: {n}");
    assert_eq!(manifest["adaptive"]["met"][0], true);
    let fixed = n.to_string();
    cartshift(tmp.path(), &[&["run", &s, "-o", "fixed", "--replications", &fixed][..], &size].concat());
    assert_same_csv(&tmp.path().join("adaptive"), &tmp.path().join("fixed"));
    // A target it cannot reach stops at the maximum and says so.
    let strict = ["--precision", "0.001pp", "--min-replications", "4", "--max-replications", "8"];
    cartshift(tmp.path(), &[&["run", &s, "-o", "strict"][..], &size, &strict].concat());
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("strict/manifest.json")).unwrap()).unwrap();
    assert_eq!(
        (manifest["adaptive"]["replications"][0].as_u64(), manifest["adaptive"]["met"][0].as_bool()),
        (Some(8), Some(false))
    );
    cargo_bin_cmd!("cartshift")
        .current_dir(tmp.path())
        .args(["run", &s, "-o", "x", "--resume", "--precision", "0.1pp"])
        .assert()
        .code(2);
}

#[test]
fn a_value_that_applies_to_both_worlds_moves_the_reference_too() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario("sweeps/checkout_vs_price_cut.toml");
    let small = ["--households", "200", "--replications", "2", "--set", "simulation.weeks=3"];
    let both = ["--set", "sweep.applies_to=\"both\""];
    cartshift(tmp.path(), &[&["run", &s, "-o", "both"][..], &small, &both].concat());
    // The sweep changes nothing but swept values, so with both worlds holding them no share moves.
    let shifts = fs::read_to_string(tmp.path().join("both/shifts.csv")).unwrap();
    assert!(shifts.lines().count() > 16);
    for line in shifts.lines().skip(1) {
        assert_eq!(line.split(',').nth(8), Some("0"), "{line}");
    }
    let bad = ["--set", "sweep.applies_to=\"bith\""];
    let out = cargo_bin_cmd!("cartshift")
        .current_dir(tmp.path())
        .args([&["run", &s, "-o", "bad"][..], &small, &bad].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean 'both'"));
}

/// Asks to stop once `after` household-weeks are done, and counts every one simulated. On the
/// week that crosses the line it waits ten polls, so the pipeline has surely asked in time.
struct StopAfter {
    after: u64,
    done: std::sync::atomic::AtomicU64,
    /// Set when `cancelled` first says yes: the run has been told.
    told: std::sync::atomic::AtomicBool,
    /// Household-weeks done when the run was told.
    done_when_told: std::sync::atomic::AtomicU64,
}

impl cartshift::pipeline::Observer for StopAfter {
    /// Past `after`, a worker waits until the run has been told to stop (so a starved polling
    /// thread on a loaded machine cannot let the workers run on), then long enough for the stop
    /// to reach them at their next week's end.
    fn household_weeks(&self, n: u64) {
        use std::sync::atomic::Ordering;
        if self.done.fetch_add(n, Ordering::SeqCst) + n >= self.after {
            let started = std::time::Instant::now();
            while !self.told.load(Ordering::SeqCst) && started.elapsed() < std::time::Duration::from_secs(60) {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            std::thread::sleep(10 * cartshift::pipeline::CANCEL_POLL);
        }
    }

    fn cancelled(&self) -> bool {
        use std::sync::atomic::Ordering;
        let done = self.done.load(Ordering::SeqCst);
        let stop = done >= self.after;
        if stop && !self.told.swap(true, Ordering::SeqCst) {
            self.done_when_told.store(done, Ordering::SeqCst);
        }
        stop
    }
}

/// Cancels a run of one point (four replications of 78 weeks) after two weeks' work and checks
/// that it stops within a week of each running replication, with no output folder left.
///
/// All four replications can be running at once on two threads: a thread waiting inside one
/// replication's week (for blocks another thread took) may start another replication. So the
/// bound is one week per replication past the moment the run was told, and that moment itself
/// at most one week (the other thread's) past `after`.
fn cancel_a_single_point(file: &str, worlds: u64) {
    use cartshift::pipeline::{self, Overrides, ReferenceChoice, RunOptions, load_plan};
    let tmp = tempfile::tempdir().unwrap();
    let households = 20_000;
    let overrides = Overrides { households: Some(households), replications: Some(4), ..Overrides::default() };
    let plan = load_plan(Path::new(&scenario(file)), ReferenceChoice::Default, &overrides).unwrap();
    assert_eq!(plan.points(), 1);
    let planned = plan.worlds(0).unwrap().household_weeks();
    let week = worlds * households;
    let stop = StopAfter {
        after: 2 * week,
        done: Default::default(),
        told: Default::default(),
        done_when_told: Default::default(),
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let out = tmp.path().join("out");
    let err = pipeline::execute(&plan, &RunOptions::new(&out), &pool, &stop).unwrap_err();
    assert!(matches!(err, cartshift::Error::Cancelled), "{err}");
    let (done, told) = (stop.done.into_inner(), stop.done_when_told.into_inner());
    // Each worker past `after` waits until the run has been told, so this holds however late
    // the polling thread is scheduled on a loaded machine.
    assert!(told <= stop.after + week, "{file}: told at {told} household-weeks, after {}", stop.after);
    let replications = 4;
    assert!(done <= told + replications * week, "{file}: {done} household-weeks of {planned}, told at {told}");
    assert!(!out.exists(), "{file}: a cancelled run leaves no folder");
}

#[test]
fn a_cancel_stops_a_single_point_within_a_week_and_writes_nothing() {
    cancel_a_single_point("baseline_2018.toml", 1);
    cancel_a_single_point("kroger_alibaba_alliance.toml", 2);
}
