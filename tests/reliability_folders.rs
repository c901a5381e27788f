//! Faults in the output folder, produced for real (issue 17): a second process running into a
//! folder a first one holds, a lock left by a killed run, a write that fails mid-sweep (the
//! test-only switch, and a real full filesystem when this test may mount one), and folders
//! damaged on disk before `--resume`.

mod sweep_support;

use cartshift::output::{LOCK_FILE, PARTIAL_DIR};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use sweep_support::*;

const EXIT_FAILURE: i32 = 1;
const FAIL_WRITE: &str = "CARTSHIFT_FAIL_WRITE_AFTER_BYTES";

/// 90 points of 5,000 households: several seconds on one thread.
fn slow_sweep() -> String {
    tiny(5000, 30) + &one_parameter("grid", "dynamics.loyalty_weight", "from = 1.0\nto = 3.0\nsteps = 90")
}

/// 40 points of 300 households: quick, and about 100 kB of rows with `--raw`.
fn quick_sweep() -> String {
    tiny(300, 6) + &one_parameter("grid", "dynamics.loyalty_weight", "from = 1.0\nto = 3.0\nsteps = 40")
}

fn spawn(ws: &Workspace, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_cartshift"))
        .current_dir(ws.dir.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cartshift starts")
}

/// Waits until `path` exists and is not empty, while `child` runs.
fn wait_for_file(child: &mut std::process::Child, path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        if let Some(status) = child.try_wait().expect("child status") {
            panic!("the first run ended ({status}) before {} appeared", path.display());
        }
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn output(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = ws.cartshift(args, env);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "cartshift panicked:\n{stderr}");
    (out.status.code(), stderr)
}

#[test]
fn a_second_run_into_a_held_folder_is_refused_and_a_killed_runs_lock_is_taken_over() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &slow_sweep());
    let mut first = spawn(&ws, &["run", "sweep.toml", "-o", "out", "--threads", "1", "--quiet"]);
    let lock = ws.path("out").join(LOCK_FILE);
    wait_for_file(&mut first, &lock);

    let holder = text(&lock);
    for extra in [&[][..], &["--resume"], &["--shard", "1/2"]] {
        let args: Vec<&str> =
            ["run", "sweep.toml", "-o", "out", "--quiet"].into_iter().chain(extra.iter().copied()).collect();
        let (code, stderr) = output(&ws, &args, &[]);
        assert_eq!(code, Some(EXIT_INPUT), "{args:?}: {stderr}");
        assert!(stderr.contains("error: out: another cartshift run is writing to this folder"), "{stderr}");
        assert!(stderr.contains(&format!("process {} on host", first.id())), "names the holder: {stderr}");
        assert_eq!(text(&lock), holder, "the holder's lock is untouched");
    }
    assert!(!ws.path("out/weekly.csv").exists());

    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    assert!(lock.exists(), "a killed run leaves its lock file (the OS released its lock)");
    let out = ws.cartshift(&["run", "sweep.toml", "-o", "out", "--resume", "--quiet"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("note: out: took over the lock of an earlier run that is no longer running"), "{stderr}");
    assert!(stderr.contains(&format!("process {} on host", first.id())), "{stderr}");
    assert!(!lock.exists(), "no lock file after a finished run");
}

#[test]
fn a_stale_lock_file_is_taken_over_and_a_normal_run_leaves_no_lock() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &quick_sweep());
    std::fs::create_dir(ws.path("out")).unwrap();
    // A process id above the kernel's maximum (4194304) is never running.
    std::fs::write(ws.path("out").join(LOCK_FILE), "4194305 crashed-node\n").unwrap();
    let out = ws.cartshift(&["run", "sweep.toml", "-o", "out", "--quiet"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("process 4194305 on host crashed-node"), "{stderr}");
    assert!(!ws.path("out").join(LOCK_FILE).exists());
    assert!(ws.path("out/weekly.csv").exists());

    ws.write("plain.toml", &tiny(300, 3));
    ws.succeed(&["run", "plain.toml", "-o", "plain", "--quiet"]);
    let left: Vec<String> = ws.entries().into_iter().filter(|e| e.contains(LOCK_FILE)).collect();
    assert!(left.is_empty(), "lock files left: {left:?}");
}

#[test]
fn a_plain_run_into_a_folder_another_process_holds_is_refused() {
    let ws = Workspace::new();
    ws.write("plain.toml", &tiny(300, 3));
    // This test process is the other process: the binary runs as a child.
    let held = cartshift::output::FolderLock::acquire(&ws.path("out")).expect("lock");
    let stderr = ws.refuse("plain run", &["run", "plain.toml", "-o", "out", "--quiet"]);
    assert!(stderr.contains("another cartshift run is writing to this folder"), "{stderr}");
    assert!(stderr.contains(&format!("process {} on host", std::process::id())), "{stderr}");
    drop(held);
    ws.succeed(&["run", "plain.toml", "-o", "out", "--quiet"]);
}

/// Bytes of rows (files minus their header lines) in a finished folder.
fn row_bytes(dir: &Path) -> u64 {
    CSV_FILES.iter().map(|f| text(&dir.join(f)).split_once('\n').map_or(0, |(_, rows)| rows.len() as u64)).sum()
}

/// Checks a folder left by a failed run: no final files, a journal whose last line's lengths
/// the partial files reach and whose point is within the sweep.
fn assert_valid_partial(out: &Path, points: usize) {
    assert!(!out.join("manifest.json").exists() && !out.join("weekly.csv").exists(), "nothing final");
    let partial = out.join(PARTIAL_DIR);
    let journal = text(&partial.join("journal"));
    let last = journal.lines().last().expect("a journal line");
    let numbers: Vec<u64> = last.split(' ').map(|n| n.parse().expect("a number")).collect();
    assert!((numbers[0] as usize) < points, "journal: {journal}");
    for (name, &len) in CSV_FILES.iter().zip(&numbers[1..]) {
        let actual = std::fs::metadata(partial.join(name)).unwrap().len();
        assert!(actual >= len, "{name}: {actual} bytes < {len} journalled");
    }
}

#[test]
fn a_write_failing_mid_sweep_exits_1_naming_the_file_and_resume_completes_the_bytes() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &quick_sweep());
    ws.succeed(&["run", "sweep.toml", "-o", "whole", "--raw", "--quiet"]);
    let half = (row_bytes(&ws.path("whole")) / 2).to_string();

    let args = ["run", "sweep.toml", "-o", "out", "--raw", "--quiet"];
    let (code, stderr) = output(&ws, &args, &[(FAIL_WRITE, &half)]);
    assert_eq!(code, Some(EXIT_FAILURE), "{stderr}");
    assert!(stderr.contains(&format!("cannot write out/{PARTIAL_DIR}/")), "names the file: {stderr}");
    assert!(stderr.contains("no space left on device"), "{stderr}");
    assert_valid_partial(&ws.path("out"), 40);

    let stdout = ws.succeed(&["run", "sweep.toml", "-o", "out", "--raw", "--resume"]);
    let simulated: usize = stdout.split("simulated ").nth(1).and_then(|r| r.split(' ').next()?.parse().ok()).unwrap();
    assert!((1..40).contains(&simulated), "the points finished before the failure are kept:\n{stdout}");
    assert_same_results(&ws.path("whole"), &ws.path("out"), &CSV_FILES);

    let (code, stderr) = output(&ws, &args, &[(FAIL_WRITE, "lots")]);
    assert_eq!(code, Some(EXIT_INPUT), "a bad switch value is a usage error: {stderr}");
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    /// Mounts a tmpfs of `kib` KiB at `dir`; `None` where this process may not mount.
    fn mount(dir: &Path, kib: u64) -> Option<SmallDisk> {
        std::fs::create_dir_all(dir).unwrap();
        let size = format!("size={kib}k");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &size, "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(dir.to_path_buf()))
    }

    fn resize(&self, kib: u64) {
        let size = format!("remount,size={kib}k");
        let status = Command::new("mount").args(["-o", &size]).arg(&self.0).status().expect("mount runs");
        assert!(status.success(), "remount failed");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_real_full_disk_mid_sweep_exits_1_and_resume_after_freeing_space_completes_the_bytes() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &quick_sweep());
    ws.succeed(&["run", "sweep.toml", "-o", "whole", "--raw", "--quiet"]);
    let whole_kib =
        CSV_FILES.iter().map(|f| std::fs::metadata(ws.path("whole").join(f)).unwrap().len()).sum::<u64>() / 1024;
    let Some(disk) = SmallDisk::mount(&ws.path("disk"), whole_kib / 2) else {
        eprintln!("skipped: cannot mount a tmpfs here (not root?); the injected failure test covers this path");
        return;
    };
    let args = ["run", "sweep.toml", "-o", "disk/out", "--raw", "--quiet"];
    let (code, stderr) = output(&ws, &args, &[]);
    assert_eq!(code, Some(EXIT_FAILURE), "{stderr}");
    assert!(stderr.contains(&format!("cannot write disk/out/{PARTIAL_DIR}/")), "names the file: {stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_valid_partial(&ws.path("disk/out"), 40);

    disk.resize(whole_kib * 4);
    ws.succeed(&["run", "sweep.toml", "-o", "disk/out", "--raw", "--resume", "--quiet"]);
    assert_same_results(&ws.path("whole"), &ws.path("disk/out"), &CSV_FILES);
}

/// The targets of renames, in an strace log, that no later fsync of their folder follows.
fn renames_without_a_later_folder_sync(trace: &str) -> Vec<String> {
    let mut open_dirs = std::collections::HashMap::new(); // fd -> path
    let mut pending: Vec<String> = Vec::new(); // targets whose folder is not yet synced
    for line in trace.lines() {
        let quoted: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        let result = line.rsplit("= ").next().unwrap_or("").trim();
        if line.contains("rename(") && quoted.len() == 2 && result == "0" {
            pending.push(quoted[1].to_string());
        } else if line.contains("openat(") && quoted.len() == 1 {
            open_dirs.insert(result.to_string(), quoted[0].to_string());
        } else if let Some(fd) = line.split("fsync(").nth(1).and_then(|r| r.split(')').next())
            && let Some(dir) = open_dirs.get(fd)
        {
            pending.retain(|target| Path::new(target).parent() != Some(Path::new(dir)));
        }
    }
    pending
}

#[test]
fn every_rename_into_place_is_followed_by_a_sync_of_its_folder() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("skipped: strace is not installed");
        return;
    }
    let ws = Workspace::new();
    ws.write("sweep.toml", &quick_sweep());
    ws.write("plain.toml", &tiny(300, 3));
    let trace = ws.path("trace.txt");
    for args in [&["run", "sweep.toml", "-o", "out", "--quiet"][..], &["run", "plain.toml", "-o", "plain", "--quiet"]] {
        let status = Command::new("strace")
            .args(["-f", "-qq", "-e", "trace=openat,fsync,rename,renameat,renameat2", "-o"])
            .arg(&trace)
            .arg(env!("CARGO_BIN_EXE_cartshift"))
            .args(args)
            .current_dir(ws.dir.path())
            .stdout(Stdio::null())
            .status()
            .expect("strace runs");
        if !status.success() {
            eprintln!("skipped: strace cannot trace here ({status})");
            return;
        }
        let log = text(&trace);
        assert!(log.contains("rename("), "{args:?}: the trace shows the renames:\n{log}");
        let unsynced = renames_without_a_later_folder_sync(&log);
        assert!(unsynced.is_empty(), "{args:?}: renamed without a later fsync of the folder: {unsynced:?}");
    }
}
