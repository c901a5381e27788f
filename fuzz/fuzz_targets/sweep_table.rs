//! Fuzzes the `[sweep]` table: its design, `samples`, `seed` and `[[sweep.parameter]]`s read
//! into a design, then the points a run would ask for. Any outcome is fine except a panic (or a
//! hang, or an abort).
//!
//! Input: the body of a `[sweep]` table, appended to the 2018 baseline after a `[sweep]` line,
//! so `[[sweep.parameter]]` tables and keys of the table itself both reach the reader.
#![no_main]

use cartshift::output::tables::parameter_text;
use cartshift::scenario::{LoadOptions, load_sweep_str};
use libfuzzer_sys::fuzz_target;

const BASELINE: &str = include_str!("../../scenarios/baseline_2018.toml");
/// Points past which a run's up-front check of every point is not repeated here (it would only
/// repeat the same code, slowly).
const CHECKED: usize = 64;

fuzz_target!(|data: &[u8]| {
    let table = String::from_utf8_lossy(data);
    let text = format!("{BASELINE}\n[sweep]\n{table}");
    let Ok(sweep) = load_sweep_str(&text, &LoadOptions::default()) else { return };
    let points = sweep.points();
    let _ = (sweep.parameters(), sweep.design().name(), sweep.hash());
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
