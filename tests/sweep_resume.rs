//! `--resume`: a sweep killed with SIGKILL in the middle of a run, then resumed, ends with the
//! bytes of an uninterrupted run; the points it had finished are not run again, a half-written
//! point is redone, and a folder of another run is refused.

mod sweep_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use sweep_support::*;

/// 90 points of 5,000 households: a few seconds on one thread in the test build, long enough to
/// be killed well after the first journal sync (half a second in) and well before the end.
fn long_sweep() -> String {
    tiny(5000, 30)
        + r#"
[sweep]
[[sweep.parameter]]
path = "retailer.Kroger.checkout_wait_min"
values = [5.0, 3.5, 2.0]
[[sweep.parameter]]
path = "dynamics.loyalty_weight"
from = 1.0
to = 3.0
steps = 30
"#
}

/// The first point not yet durable, from the journal's last complete line (0 when none).
fn journaled(journal: &Path) -> usize {
    let text = std::fs::read_to_string(journal).unwrap_or_default();
    let complete = text.rsplit_once('\n').map_or("", |(done, _)| done);
    complete.lines().last().and_then(|l| l.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn append(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).open(path).expect("partial file exists");
    file.write_all(bytes).expect("append");
}

#[test]
fn a_sweep_killed_mid_run_resumes_to_the_bytes_of_an_uninterrupted_run() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &long_sweep());
    ws.succeed(&["run", "sweep.toml", "-o", "whole", "--raw", "--quiet"]);

    let run = ["run", "sweep.toml", "-o", "out", "--raw", "--threads", "1", "--quiet"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_cartshift"))
        .current_dir(ws.dir.path())
        .args(run)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cartshift starts");
    let partial = ws.path("out").join(cartshift::output::PARTIAL_DIR);
    let journal = partial.join("journal");
    let deadline = Instant::now() + Duration::from_secs(300);
    while journaled(&journal) == 0 {
        if let Some(status) = child.try_wait().expect("child status") {
            panic!("the sweep ended ({status}) before a point was journalled: make it longer");
        }
        assert!(Instant::now() < deadline, "no point journalled in 300 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert!(ws.path("out").join(cartshift::output::LOCK_FILE).exists(), "SIGKILL leaves a stale lock file");
    let done = journaled(&journal);
    assert!((1..90).contains(&done), "killed after {done} of 90 points");
    assert!(!ws.path("out/weekly.csv").exists(), "nothing final before the end");

    // What a kill during a write leaves: rows past the journal and a torn journal line.
    for name in CSV_FILES {
        append(&partial.join(name), b"tiny,41,half a row");
    }
    append(&journal, b"59 1 2");

    let stderr = ws.refuse("another seed", &["run", "sweep.toml", "-o", "out", "--raw", "--resume", "--seed", "8"]);
    assert!(stderr.contains("seed: 7 in the folder, 8 in this run"), "{stderr}");
    let stderr = ws.refuse("other files", &["run", "sweep.toml", "-o", "out", "--resume"]);
    assert!(stderr.contains("files:"), "{stderr}");
    let identity = partial.join("identity.json");
    let ours = read(&identity);
    std::fs::write(&identity, text(&identity).replace(env!("CARGO_PKG_VERSION"), "0.0.9")).unwrap();
    let stderr = ws.cartshift(&["run", "sweep.toml", "-o", "out", "--raw", "--resume"], &[]);
    let message = String::from_utf8_lossy(&stderr.stderr);
    assert_eq!(stderr.status.code(), Some(EXIT_INPUT), "another version: {message}");
    assert!(message.contains("cartshift: 0.0.9 in the folder"), "{message}");
    std::fs::write(&identity, ours).unwrap();

    let stdout = ws.succeed(&["run", "sweep.toml", "-o", "out", "--raw", "--resume", "--threads", "2"]);
    assert!(stdout.contains(&format!("simulated {} points", 90 - done)), "only unfinished points run:\n{stdout}");
    assert_same_results(&ws.path("whole"), &ws.path("out"), &CSV_FILES);
    assert!(!partial.exists(), "the partial folder is removed at the end");

    let before = read(&ws.path("out/weekly.csv"));
    let stdout = ws.succeed(&["run", "sweep.toml", "-o", "out", "--raw", "--resume"]);
    assert!(stdout.contains("already complete"), "{stdout}");
    assert!(read(&ws.path("out/weekly.csv")) == before);
}

#[test]
fn resume_refuses_the_finished_results_of_another_scenario() {
    let ws = Workspace::new();
    ws.write("a.toml", &tiny(300, 3));
    ws.write("b.toml", &tiny(300, 3).replace("name = \"tiny\"", "name = \"other\""));
    ws.succeed(&["run", "a.toml", "-o", "out", "--quiet"]);
    let stderr = ws.refuse("another scenario", &["run", "b.toml", "-o", "out", "--resume", "--quiet"]);
    assert!(stderr.contains("scenario: 'tiny' in the folder, 'other' in this run"), "{stderr}");
    let fresh = ws.succeed(&["run", "b.toml", "-o", "elsewhere", "--resume"]);
    assert!(fresh.contains("wrote elsewhere"), "--resume in an empty folder runs from the start:\n{fresh}");
}
