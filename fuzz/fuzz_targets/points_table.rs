//! Fuzzes the `table` design's points file: the CSV parsed into points, then a scenario that
//! names it loaded as a sweep and (for up to 64 points) every point validated, as a run would.
//! Any outcome is fine except a panic (or a hang, or an abort).
//!
//! Input: the bytes of `points.csv`, written beside a copy of the 2018 baseline whose
//! `[sweep]` says `design = "table"` and `file = "points.csv"`, in a scratch folder (in
//! `/dev/shm` where there is one).
#![no_main]

use cartshift::scenario::{LoadOptions, load_sweep, parameter_text};
use cartshift::sweep::table::PointTable;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const BASELINE: &str = include_str!("../../scenarios/baseline_2018.toml");
/// Points past which a run's up-front check of every point is not repeated here.
const CHECKED: usize = 64;

/// The scratch folder holding the scenario, made once per process.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let dir = base.join(format!("cartshift-fuzz-points-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = format!("{BASELINE}\n[sweep]\ndesign = \"table\"\nfile = \"points.csv\"\n");
        std::fs::write(dir.join("scenario.toml"), text).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(table) = PointTable::parse("points.csv", &text) {
        for point in 0..table.points().min(CHECKED) {
            let _ = (table.values(point), table.cell(point, 0));
        }
        let _ = (table.paths(), table.digest());
    }
    let dir = scratch();
    std::fs::write(dir.join("points.csv"), data).unwrap();
    let Ok(sweep) = load_sweep(&dir.join("scenario.toml"), &LoadOptions::default()) else { return };
    let points = sweep.points();
    if points <= CHECKED {
        let _ = sweep.check(|_, _| {});
    }
    for point in [0, points / 2, points.saturating_sub(1)] {
        if point < points {
            let texts: Vec<String> = sweep.values(point).iter().map(parameter_text).collect();
            let _ = (texts, sweep.scenario(point));
        }
    }
});
