//! A damaged folder on `--resume` (issue 17): a truncated journal, a hand-edited one (a garbage
//! line, lengths past the files' ends, a length that does not end a row, a point out of range),
//! a missing table, a garbled identity, a finished folder missing a table, a folder of another
//! scenario or version. Each is refused with exit 2, a message saying what is wrong and what to
//! do, and the folder left as it was: never a silent partial result.

mod sweep_support;

use cartshift::output::PARTIAL_DIR;
use std::path::Path;
use sweep_support::*;

/// 40 points of 300 households, with `--raw`: four files.
fn quick_sweep() -> String {
    tiny(300, 6) + &one_parameter("grid", "dynamics.loyalty_weight", "from = 1.0\nto = 3.0\nsteps = 40")
}

const RUN: [&str; 5] = ["run", "sweep.toml", "--raw", "--quiet", "--resume"];

/// Copies the folder `from` to `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() { copy_dir(&path, &target) } else { std::fs::copy(&path, &target).map(drop).unwrap() }
    }
}

/// A workspace with a whole run in `whole` and an unfinished one in `pristine`, stopped by an
/// injected write failure half-way, with a journal of at least two lines.
fn interrupted() -> Workspace {
    let ws = Workspace::new();
    ws.write("sweep.toml", &quick_sweep());
    ws.succeed(&["run", "sweep.toml", "-o", "whole", "--raw", "--quiet"]);
    let rows: u64 = CSV_FILES
        .iter()
        .map(|f| text(&ws.path("whole").join(f)).split_once('\n').map_or(0, |(_, r)| r.len() as u64))
        .sum();
    let half = (rows / 2).to_string();
    let env = [("CARTSHIFT_FAIL_WRITE_AFTER_BYTES", half.as_str())];
    let out = ws.cartshift(&["run", "sweep.toml", "-o", "pristine", "--raw", "--quiet"], &env);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let journal = text(&ws.path("pristine").join(PARTIAL_DIR).join("journal"));
    assert!(!journal.is_empty(), "a journal line at least");
    ws
}

/// Copies the pristine unfinished folder to `name`, damages it with `damage`, and checks that
/// `--resume` refuses it with every phrase of `expected`.
fn refused_after(ws: &Workspace, name: &str, damage: impl FnOnce(&Path), expected: &[&str]) {
    copy_dir(&ws.path("pristine"), &ws.path(name));
    damage(&ws.path(name).join(PARTIAL_DIR));
    let args: Vec<&str> = RUN.iter().copied().chain(["-o", name]).collect();
    let stderr = ws.refuse(name, &args);
    for e in expected {
        assert!(stderr.contains(e), "[{name}] expected {e:?} in:\n{stderr}");
    }
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let before = text(path);
    std::fs::write(path, f(before)).unwrap();
}

/// The journal's last line as numbers.
fn last_line(journal: &str) -> Vec<u64> {
    journal.lines().last().unwrap().split(' ').map(|n| n.parse().unwrap()).collect()
}

fn line(numbers: &[u64]) -> String {
    numbers.iter().map(u64::to_string).collect::<Vec<_>>().join(" ") + "\n"
}

const START_OVER: &str = "run again without --resume to start it over";

#[test]
fn damaged_journals_are_refused_with_what_is_wrong_and_what_to_do() {
    let ws = interrupted();
    refused_after(
        &ws,
        "emptied",
        |p| std::fs::write(p.join("journal"), "").unwrap(),
        &["journal: missing, empty or truncated before its first line", START_OVER],
    );
    refused_after(
        &ws,
        "torn",
        |p| edit(&p.join("journal"), |j| j[..j.find(' ').unwrap()].to_string()),
        &["journal: missing, empty or truncated", START_OVER],
    );
    refused_after(
        &ws,
        "garbage",
        |p| edit(&p.join("journal"), |j| format!("{j}this is not a journal line\n")),
        &["is not `POINT LENGTH…` for 7 files: 'this is not a journal line'", START_OVER],
    );
    refused_after(
        &ws,
        "longer",
        |p| {
            edit(&p.join("journal"), |j| {
                let mut n = last_line(&j);
                n[1] += 1 << 30;
                format!("{j}{}", line(&n))
            })
        },
        &["weekly.csv: is", "shorter than the", START_OVER],
    );
    refused_after(
        &ws,
        "mid_row",
        |p| {
            // A journal of one line whose online.csv length is 3 bytes into its first row.
            let online = text(&p.join("online.csv"));
            let inside = online.find('\n').unwrap() + 1 + 3;
            assert!(online.len() > inside && !online[..inside].ends_with('\n'), "online.csv has a row");
            edit(&p.join("journal"), |j| {
                let mut n = last_line(&j);
                n[2] = inside as u64;
                line(&n)
            })
        },
        &["online.csv: has no row ending at byte", START_OVER],
    );
    refused_after(
        &ws,
        "out_of_range",
        |p| {
            edit(&p.join("journal"), |j| {
                let mut n = last_line(&j);
                n[0] = 400;
                format!("{j}{}", line(&n))
            })
        },
        &["the journal says points up to 400 are finished, but this run's points are 0 to 39", START_OVER],
    );
    refused_after(
        &ws,
        "backwards",
        |p| edit(&p.join("journal"), |j| format!("{j}{}", line(&[0, 1, 1, 1, 1, 1, 1, 1]))),
        &["of the journal goes back from line", START_OVER],
    );
}

#[test]
fn missing_tables_and_other_runs_are_refused() {
    let ws = interrupted();
    refused_after(
        &ws,
        "missing",
        |p| std::fs::remove_file(p.join("online.csv")).unwrap(),
        &["online.csv: is missing", START_OVER],
    );
    refused_after(
        &ws,
        "garbled",
        |p| std::fs::write(p.join("identity.json"), "{\"cartshift_version\": 3").unwrap(),
        &["identity.json: not a file cartshift wrote", "remove the folder"],
    );
    refused_after(
        &ws,
        "version",
        |p| edit(&p.join("identity.json"), |t| t.replace(env!("CARGO_PKG_VERSION"), "0.0.9")),
        &["cartshift: 0.0.9 in the folder", "remove the folder or run without --resume"],
    );
    copy_dir(&ws.path("pristine"), &ws.path("scenario"));
    ws.write("other.toml", &quick_sweep().replace("name = \"tiny\"", "name = \"other\""));
    let stderr = ws.refuse("scenario", &["run", "other.toml", "-o", "scenario", "--raw", "--resume"]);
    assert!(stderr.contains("scenario: 'tiny' in the folder, 'other' in this run"), "{stderr}");

    // The undamaged copy still resumes to the bytes of the whole run.
    ws.succeed(&["run", "sweep.toml", "-o", "pristine", "--raw", "--quiet", "--resume"]);
    assert_same_results(&ws.path("whole"), &ws.path("pristine"), &CSV_FILES);
}

#[test]
fn a_finished_folder_missing_a_table_is_not_called_complete() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &quick_sweep());
    ws.succeed(&["run", "sweep.toml", "-o", "out", "--raw", "--quiet"]);
    std::fs::remove_file(ws.path("out/summary.csv")).unwrap();
    let stderr = ws.refuse("finished", &["run", "sweep.toml", "-o", "out", "--raw", "--resume"]);
    assert!(stderr.contains("the finished results are incomplete: summary.csv listed in manifest.json"), "{stderr}");
    assert!(stderr.contains("run again without --resume"), "{stderr}");
}
