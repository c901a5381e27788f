//! A newcomer's mistakes get help (issue 7): a missing scenario file names the nearest one, an
//! output folder holding someone else's files is refused unless `--force` (and their files are
//! never touched), an unwritable folder is reported before simulating, a misspelt `--set` path
//! gets the nearest valid path; and the progress bar shows only on a terminal, only when asked.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const EXIT_INPUT: i32 = 2;
/// A run small enough to take a blink: the 2018 baseline with few households.
const SMALL: [&str; 5] = ["--households", "300", "--replications", "2", "--quiet"];

/// A temporary folder with the repository's scenarios copied into `scenarios/`.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let ws = Workspace { dir: TempDir::new().unwrap() };
        fs::create_dir(ws.path("scenarios")).unwrap();
        for name in ["baseline_2018.toml", "kroger_alibaba_alliance.toml"] {
            let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
            fs::copy(from, ws.path("scenarios").join(name)).unwrap();
        }
        ws
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cartshift(&self, args: &[&str]) -> std::process::Output {
        cargo_bin_cmd!("cartshift").current_dir(self.dir.path()).args(args).output().unwrap()
    }

    fn run(&self, scenario: &str, extra: &[&str]) -> std::process::Output {
        self.cartshift(&[&["run", scenario][..], &SMALL, extra].concat())
    }

    fn succeed(&self, scenario: &str, extra: &[&str]) {
        let out = self.run(scenario, extra);
        assert!(out.status.success(), "run {scenario} {extra:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Runs, expecting exit 2 and nothing new in the workspace; returns stderr.
    fn refuse(&self, scenario: &str, extra: &[&str]) -> String {
        let before = listing(self.dir.path());
        let out = self.run(scenario, extra);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(EXIT_INPUT), "run {scenario} {extra:?} should exit 2: {stderr}");
        assert_eq!(listing(self.dir.path()), before, "a refused run leaves everything as it was");
        stderr
    }
}

/// Every file and folder under `dir` with its contents, sorted.
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            out.push((format!("{name}/"), Vec::new()));
            out.extend(listing(&path).into_iter().map(|(n, b)| (format!("{name}/{n}"), b)));
        } else {
            out.push((name, fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

fn names(dir: &Path) -> Vec<String> {
    listing(dir).into_iter().map(|(n, _)| n).collect()
}

// ---------------------------------------------------------------------------------------
// a missing scenario file

#[test]
fn missing_scenario_file_suggests_the_nearest_file_in_scenarios() {
    let ws = Workspace::new();
    let cases = [
        ("baseline_2018.toml", "did you mean 'scenarios/baseline_2018.toml'?"),
        ("scenarios/baseline_2019.toml", "did you mean 'scenarios/baseline_2018.toml'?"),
        ("scenarios/kroger.toml", "did you mean 'scenarios/kroger_alibaba_alliance.toml'?"),
    ];
    for (typed, hint) in cases {
        let stderr = ws.refuse(typed, &[]);
        assert!(stderr.contains(&format!("cannot read scenario file {typed}")), "{stderr}");
        assert!(stderr.contains(hint), "{typed}: {stderr}");
    }
}

#[test]
fn missing_scenario_file_suggests_a_file_in_its_own_folder() {
    let ws = Workspace::new();
    fs::create_dir(ws.path("mine")).unwrap();
    fs::copy(ws.path("scenarios/baseline_2018.toml"), ws.path("mine/price_war.toml")).unwrap();
    let stderr = ws.refuse("mine/price_wars.toml", &[]);
    assert!(stderr.contains("did you mean 'mine/price_war.toml'?"), "{stderr}");
}

#[test]
fn with_nothing_near_the_scenario_files_are_listed() {
    let ws = Workspace::new();
    let stderr = ws.refuse("zebra.toml", &[]);
    assert!(!stderr.contains("did you mean"), "{stderr}");
    assert!(stderr.contains("scenarios/baseline_2018.toml, scenarios/kroger_alibaba_alliance.toml"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// an output folder holding files cartshift did not write

#[test]
fn a_folder_with_someone_elses_files_is_refused_and_left_alone() {
    let ws = Workspace::new();
    fs::create_dir(ws.path("out")).unwrap();
    fs::write(ws.path("out/notes.txt"), "my notes").unwrap();
    let stderr = ws.refuse("scenarios/baseline_2018.toml", &["-o", "out"]);
    assert!(stderr.contains("holds files cartshift did not write: notes.txt"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
}

#[test]
fn force_writes_beside_someone_elses_files_and_keeps_them() {
    let ws = Workspace::new();
    fs::create_dir_all(ws.path("out/plots")).unwrap();
    fs::write(ws.path("out/notes.txt"), "my notes").unwrap();
    fs::write(ws.path("out/plots/a.png"), "png").unwrap();
    ws.succeed("scenarios/baseline_2018.toml", &["-o", "out", "--force"]);
    assert_eq!(fs::read_to_string(ws.path("out/notes.txt")).unwrap(), "my notes");
    assert_eq!(fs::read_to_string(ws.path("out/plots/a.png")).unwrap(), "png");
    assert!(ws.path("out/weekly.csv").is_file());
    // Still someone else's: the next run without --force refuses again.
    ws.refuse("scenarios/baseline_2018.toml", &["-o", "out"]);
}

#[test]
fn a_rerun_replaces_cartshifts_own_files_and_drops_stale_ones() {
    let ws = Workspace::new();
    ws.succeed("scenarios/kroger_alibaba_alliance.toml", &["-o", "out", "--report"]);
    assert!(ws.path("out/shifts.csv").is_file() && ws.path("out/report.html").is_file());
    ws.succeed("scenarios/kroger_alibaba_alliance.toml", &["-o", "out", "--no-reference"]);
    let expected = [
        "manifest.json",
        "online.csv",
        "owners.csv",
        "regions.csv",
        "retailers.csv",
        "scenario.toml",
        "summary.csv",
        "weekly.csv",
    ];
    assert_eq!(names(&ws.path("out")), expected, "reference.toml and the comparison's files are stale");
}

// ---------------------------------------------------------------------------------------
// an unwritable output folder

#[test]
fn an_output_folder_that_cannot_be_created_is_reported_before_running() {
    let ws = Workspace::new();
    fs::write(ws.path("blocker"), "a file, not a folder").unwrap();
    let stderr = ws.refuse("scenarios/baseline_2018.toml", &["-o", "blocker/out"]);
    assert!(stderr.contains("cannot write to output folder blocker/out"), "{stderr}");
    assert!(stderr.contains("choose a folder you can write to with -o DIR"), "{stderr}");
    let stderr = ws.refuse("scenarios/baseline_2018.toml", &["-o", "blocker"]);
    assert!(stderr.contains("output folder blocker: it is a file, not a folder"), "{stderr}");
}

#[test]
fn a_read_only_output_folder_is_reported_and_nothing_is_left() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    fs::create_dir(ws.path("locked")).unwrap();
    fs::set_permissions(ws.path("locked"), fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(ws.path("locked/probe"), "x").is_ok() {
        // Running as root: permissions do not stop writes; the test above covers this case.
        fs::remove_file(ws.path("locked/probe")).unwrap();
        eprintln!("skipped: permissions do not apply to this user");
        return;
    }
    let stderr = ws.refuse("scenarios/baseline_2018.toml", &["-o", "locked/out"]);
    assert!(stderr.contains("cannot write to output folder locked/out"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// a --set path that does not exist

#[test]
fn a_misspelt_set_path_names_the_nearest_valid_path() {
    let ws = Workspace::new();
    let cases = [
        ("retailer.Kroger.qualty=0.1", "retailer.Kroger.quality"),
        ("dynamics.loyalty_wieght=2", "dynamics.loyalty_weight"),
        ("simulation.househlds=100", "simulation.households"),
        ("dynamic.loyalty_weight=2", "dynamics.loyalty_weight"),
        ("retailer.Kroger.price=0.97", "retailer.Kroger.price_index"),
    ];
    for (assignment, nearest) in cases {
        let stderr = ws.refuse("scenarios/baseline_2018.toml", &["-o", "out", "--set", assignment]);
        let typed = assignment.split('=').next().unwrap();
        assert!(stderr.starts_with(&format!("error: --set: {typed}: ")), "{assignment}: {stderr}");
        assert!(stderr.contains(&format!("did you mean '{nearest}'?")), "{assignment}: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------
// the progress bar

/// Runs the small baseline under a pseudo-terminal (`script`), returning what the terminal got;
/// `None` where `script` is missing.
fn on_a_terminal(ws: &Workspace, extra: &str, delay_ms: Option<&str>) -> Option<String> {
    let binary = assert_cmd::cargo::cargo_bin!("cartshift");
    let command = format!(
        "{} run scenarios/baseline_2018.toml -o out --households 300 --replications 2 {extra}",
        binary.display()
    );
    let mut script = std::process::Command::new("script");
    script.current_dir(ws.dir.path()).args(["-qefc", &command, "/dev/null"]);
    if let Some(ms) = delay_ms {
        script.env("CARTSHIFT_PROGRESS_DELAY_MS", ms);
    }
    let out = script.output().ok()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_progress_bar_shows_replications_and_time_left_on_a_terminal() {
    let ws = Workspace::new();
    let Some(terminal) = on_a_terminal(&ws, "", Some("0")) else {
        eprintln!("skipped: no `script` to make a terminal");
        return;
    };
    assert!(terminal.contains("/2 replications") && terminal.contains("ETA"), "{terminal}");
}

#[test]
fn the_progress_bar_stays_away_from_short_runs_quiet_runs_and_pipes() {
    let ws = Workspace::new();
    let Some(short) = on_a_terminal(&ws, "", None) else {
        eprintln!("skipped: no `script` to make a terminal");
        return;
    };
    assert!(!short.contains("replications  "), "a run under a second draws no bar: {short}");
    let quiet = on_a_terminal(&ws, "--quiet", Some("0")).unwrap();
    assert!(!quiet.contains("replications"), "--quiet: {quiet}");
    let piped = cargo_bin_cmd!("cartshift")
        .current_dir(ws.dir.path())
        .args(["run", "scenarios/baseline_2018.toml", "-o", "out", "--households", "300", "--replications", "2"])
        .env("CARTSHIFT_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert!(piped.stderr.is_empty(), "stderr is not a terminal: {}", String::from_utf8_lossy(&piped.stderr));
}
