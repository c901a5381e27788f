//! Reliability of the real binary (issue 8): `extends` chains that loop, break or go too deep
//! print the whole chain and relative parents resolve against the child's folder; the resource
//! guard refuses a run that cannot fit before allocating it; SIGINT and SIGTERM stop a run with
//! exit codes 130 and 143 and leave no partial CSV or temporary file in the output folder.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const EXIT_INPUT: i32 = 2;

/// A valid scenario; `simulation` is the body of its `[simulation]` table.
fn scenario(name: &str, simulation: &str) -> String {
    format!(
        r#"name = "{name}"
[market]
households = 1_000_000
outside_option = "Other grocers"
[simulation]
{simulation}
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
name = "all"
share = 1.0
price_sensitivity = 3.0
distance_sensitivity = 0.1
time_value = 0.05
fee_sensitivity = 0.2
weekly_spend = 100.0
digital_adoption = 0.3
[[retailer]]
name = "Kroger"
stores = 100
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
"#
    )
}

const SMALL: &str = "weeks = 4\nwarmup_weeks = 1\nreplications = 2\nhouseholds = 300\nseed = 1";

/// A temporary folder to write scenarios into and run the binary from.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Self {
        Workspace { dir: tempfile::tempdir().expect("temporary folder") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path(name);
        fs::create_dir_all(path.parent().expect("a file has a folder")).expect("create folder");
        fs::write(path, text).expect("write scenario");
    }

    /// Runs the binary in `cwd` (relative to the workspace) with `args`.
    fn run_in(&self, cwd: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let dir = self.path(cwd);
        fs::create_dir_all(&dir).expect("create working folder");
        let mut cmd = cargo_bin_cmd!("cartshift");
        cmd.current_dir(dir).args(args);
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.output().expect("cartshift starts")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_in(".", args, &[])
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_refused(case: &str, out: &Output, expected: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(EXIT_INPUT), "[{case}] should exit 2; stderr:\n{err}");
    assert!(!err.contains("panicked"), "[{case}] panicked:\n{err}");
    for e in expected {
        assert!(err.contains(e), "[{case}] expected stderr to contain {e:?}, got:\n{err}");
    }
}

fn assert_ok(case: &str, out: &Output) {
    assert!(out.status.success(), "[{case}] failed ({:?}):\n{}", out.status.code(), stderr(out));
}

// ---------------------------------------------------------------------------------------
// extends chains

/// `chain/c0.toml` extends `c1.toml` … extends `c{parents}.toml`, a full scenario.
fn write_chain(ws: &Workspace, parents: usize) {
    ws.write(&format!("chain/c{parents}.toml"), &scenario("root", SMALL));
    for i in 0..parents {
        ws.write(&format!("chain/c{i}.toml"), &format!("extends = \"c{}.toml\"\nname = \"c{i}\"\n", i + 1));
    }
}

fn chain_text(from: usize, to: usize) -> String {
    (from..=to).map(|i| format!("chain/c{i}.toml")).collect::<Vec<_>>().join(" -> ")
}

#[test]
fn an_extends_chain_of_16_parents_loads_and_17_is_refused_with_the_whole_chain() {
    let ws = Workspace::new();
    write_chain(&ws, 17);
    assert_ok("16 parents", &ws.run(&["validate", "chain/c1.toml"]));
    let out = ws.run(&["validate", "chain/c0.toml"]);
    assert_refused(
        "17 parents",
        &out,
        &["error: chain/c16.toml:1:1: extends chain deeper than 16", &format!("extends chain: {}", chain_text(0, 17))],
    );
}

#[test]
fn an_extends_cycle_through_three_files_prints_the_whole_chain() {
    let ws = Workspace::new();
    ws.write("a.toml", &format!("extends = \"b.toml\"\n{}", scenario("a", SMALL)));
    ws.write("b.toml", "extends = \"c.toml\"\nname = \"b\"\n");
    ws.write("c.toml", "extends = \"a.toml\"\nname = \"c\"\n");
    let out = ws.run(&["run", "a.toml", "-o", "out", "--quiet"]);
    assert_refused("cycle", &out, &["error: c.toml:1:1: extends cycle", "a.toml -> b.toml -> c.toml -> a.toml"]);
    assert!(!ws.path("out").exists(), "nothing may be written");
}

#[test]
fn a_missing_grandparent_prints_the_whole_chain() {
    let ws = Workspace::new();
    ws.write("dir/child.toml", "extends = \"parent.toml\"\nname = \"child\"\n");
    ws.write("dir/parent.toml", "name = \"parent\"\nextends = \"gone.toml\"\n");
    let out = ws.run(&["validate", "dir/child.toml"]);
    assert_refused(
        "missing grandparent",
        &out,
        &[
            "dir/parent.toml:2:1: parent scenario dir/gone.toml not found",
            "dir/child.toml -> dir/parent.toml -> dir/gone.toml",
        ],
    );
}

#[test]
fn a_parent_that_is_a_folder_prints_the_whole_chain() {
    let ws = Workspace::new();
    ws.write("child.toml", "extends = \"folder\"\nname = \"child\"\n");
    fs::create_dir_all(ws.path("folder")).unwrap();
    let out = ws.run(&["validate", "child.toml"]);
    assert_refused("folder parent", &out, &["cannot read parent scenario folder", "child.toml -> folder"]);
}

#[test]
fn a_relative_parent_resolves_against_the_childs_folder_not_the_working_directory() {
    let ws = Workspace::new();
    ws.write("scenarios/base/parent.toml", &scenario("parent", SMALL));
    ws.write("scenarios/sub/child.toml", "extends = \"../base/parent.toml\"\nname = \"child\"\n");
    // A decoy where the same relative path would point from the working directory.
    ws.write("elsewhere/base/parent.toml", "this is not TOML = = =");
    let out = ws.run_in("elsewhere/deeper", &["run", "../../scenarios/sub/child.toml", "-o", "out", "--quiet"], &[]);
    assert_ok("relative parent", &out);
    let manifest = fs::read_to_string(ws.path("elsewhere/deeper/out/manifest.json")).unwrap();
    assert!(manifest.contains("\"scenario\": \"parent\""), "the reference is the child's parent:\n{manifest}");
}

// ---------------------------------------------------------------------------------------
// resource guard

#[test]
fn a_hundred_billion_households_are_refused_quickly_with_the_estimate_and_what_fits() {
    let ws = Workspace::new();
    ws.write("s.toml", &scenario("s", SMALL));
    let started = Instant::now();
    let out = ws.run(&["run", "s.toml", "--households", "100000000000", "-o", "out", "--quiet"]);
    assert!(started.elapsed() < Duration::from_secs(20), "the guard must refuse before allocating");
    assert_refused(
        "100e9 households",
        &out,
        &[
            "error: this run needs about ",
            "(100000000000 simulated households), but only ",
            "the largest --households that fits is ",
        ],
    );
    assert!(!ws.path("out").exists(), "nothing may be written");
}

/// The largest households the hint suggests, parsed from stderr.
fn suggested_households(stderr: &str) -> u64 {
    let tail = stderr.split("the largest --households that fits is ").nth(1).expect("a suggestion");
    tail.split(';').next().unwrap().trim().parse().expect("a number")
}

#[test]
fn the_suggested_household_count_fits_and_force_overrides_the_guard() {
    let ws = Workspace::new();
    ws.write("s.toml", &scenario("s", SMALL));
    let memory = [("CARTSHIFT_MEMORY_AVAILABLE", "70000000")];
    let args = ["run", "s.toml", "--households", "300000", "--threads", "2", "-o", "out", "--quiet"];
    let refused = ws.run_in(".", &args, &memory);
    assert_refused("over 70 MB", &refused, &["but only 66.8 MiB is available"]);
    let fits = suggested_households(&stderr(&refused));
    assert!(fits > 1000 && fits < 300_000, "suggested {fits}");
    let fits = fits.to_string();
    let args_fitting = ["run", "s.toml", "--households", &fits, "--threads", "2", "-o", "out", "--quiet"];
    assert_ok("the suggested size", &ws.run_in(".", &args_fitting, &memory));
    let one_more = (fits.parse::<u64>().unwrap() + 1).to_string();
    let args_over = ["run", "s.toml", "--households", &one_more, "--threads", "2", "-o", "out2", "--quiet"];
    assert_refused("one household more", &ws.run_in(".", &args_over, &memory), &[]);
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_ok("--force", &ws.run_in(".", &forced, &memory));
}

#[test]
fn households_and_seeds_beyond_what_a_scenario_file_can_hold_are_usage_errors() {
    let ws = Workspace::new();
    ws.write("s.toml", &scenario("s", SMALL));
    for flag in ["--households", "--seed"] {
        let out = ws.run(&["run", "s.toml", flag, "9223372036854775808", "-o", "out", "--quiet"]);
        assert_refused(flag, &out, &["9223372036854775808"]);
    }
}

// ---------------------------------------------------------------------------------------
// signals

/// True once the process has installed handlers for SIGINT and SIGTERM (Linux /proc).
fn handles_signals(pid: u32) -> bool {
    let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) else { return false };
    let caught = status.lines().find_map(|l| l.strip_prefix("SigCgt:")).map(str::trim);
    let mask = caught.and_then(|m| u64::from_str_radix(m, 16).ok()).unwrap_or(0);
    let bit = |signal: u32| 1u64 << (signal - 1);
    mask & bit(2) != 0 && mask & bit(15) != 0
}

/// Names of the files in `dir` and below (without their folders).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    out
}

/// A temporary file of `write_atomic`: `.NAME.tmp.PID`.
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp.")
}

fn spawn_run(ws: &Workspace, file: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_cartshift"))
        .current_dir(ws.dir.path())
        .args(["run", file, "-o", "out", "--raw"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cartshift starts")
}

fn send(signal: &str, pid: u32) {
    let sent = Command::new("kill").args([&format!("-{signal}"), &pid.to_string()]).status().expect("kill runs");
    assert!(sent.success(), "kill -{signal} {pid} failed");
}

/// Waits for the child to exit (30 s at most); returns its exit code and stderr.
fn wait_for(mut child: std::process::Child, signal: &str) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for cartshift") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("cartshift did not stop within 30 s of SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut err).unwrap();
    (status.code(), err)
}

/// Starts a long run, sends `signal` once it is simulating, and checks the exit code and that
/// the output folder holds no CSV and no temporary file.
fn interrupt_a_run(signal: &str, expected_code: i32) {
    let ws = Workspace::new();
    let long = "weeks = 52\nwarmup_weeks = 26\nreplications = 400\nhouseholds = 200000\nseed = 1";
    ws.write("long.toml", &scenario("long", long));
    let child = spawn_run(&ws, "long.toml");
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !handles_signals(pid) {
        assert!(Instant::now() < deadline, "cartshift never installed its signal handlers");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(700));
    send(signal, pid);
    let (code, err) = wait_for(child, signal);
    assert_eq!(code, Some(expected_code), "SIG{signal}: stderr:\n{err}");
    assert!(err.contains(&format!("interrupted by SIG{signal}")), "{err}");
    let left: Vec<String> = files_under(&ws.path("out"))
        .into_iter()
        .filter(|f| f.ends_with(".csv") || is_temporary(f) || f.ends_with(cartshift::output::LOCK_FILE))
        .collect();
    assert!(left.is_empty(), "SIG{signal} left files behind: {left:?}");
    assert!(!ws.path("out").exists(), "the folder the run created for its lock is gone with the lock");
}

#[test]
fn sigint_stops_a_run_with_code_130_and_leaves_no_partial_output() {
    interrupt_a_run("INT", 130);
}

#[test]
fn sigterm_stops_a_run_with_code_143_and_leaves_no_partial_output() {
    interrupt_a_run("TERM", 143);
}

#[test]
fn sigint_while_writing_lets_the_files_finish_whole_then_exits_130() {
    let ws = Workspace::new();
    // Small households, many replications: a quick simulation and a large replications.csv.
    let many = "weeks = 52\nwarmup_weeks = 2\nreplications = 3000\nhouseholds = 50\nseed = 1";
    ws.write("many.toml", &scenario("many", many));
    let child = spawn_run(&ws, "many.toml");
    let pid = child.id();
    // The output folder is created with its lock file at the start; other files appear when
    // writing starts.
    let deadline = Instant::now() + Duration::from_secs(120);
    let writing = |dir: &Path| {
        fs::read_dir(dir).is_ok_and(|d| d.flatten().any(|e| e.file_name() != cartshift::output::LOCK_FILE))
    };
    while !writing(&ws.path("out")) {
        assert!(Instant::now() < deadline, "cartshift never started writing");
        std::thread::sleep(Duration::from_millis(1));
    }
    send("INT", pid);
    let (code, err) = wait_for(child, "INT");
    assert_eq!(code, Some(130), "stderr:\n{err}");
    let files = files_under(&ws.path("out"));
    assert!(!files.iter().any(|f| is_temporary(f)), "temporary files left: {files:?}");
    let manifest = fs::read_to_string(ws.path("out/manifest.json")).expect("the writing finished: manifest");
    for name in ["weekly.csv", "online.csv", "summary.csv", "replications.csv"] {
        assert!(manifest.contains(name), "{manifest}");
        let text = fs::read_to_string(ws.path("out").join(name)).unwrap();
        assert!(text.ends_with('\n'), "{name} is whole");
    }
    let rows = fs::read_to_string(ws.path("out/replications.csv")).unwrap().lines().count();
    // Four alternatives: the outside option, Kroger store and pickup, Amazon delivery.
    assert_eq!(rows, 1 + 3000 * 52 * 4, "replications.csv has every row");
}
