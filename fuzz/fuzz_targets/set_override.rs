//! Fuzzes `--set PATH=VALUE`: each input line is one override applied to the 2018 baseline,
//! which is then validated as a run would. Any outcome is fine except a panic (or a hang, or an
//! abort).
#![no_main]

use cartshift::scenario::{LoadOptions, load_str};
use libfuzzer_sys::fuzz_target;

const BASELINE: &str = include_str!("../../scenarios/baseline_2018.toml");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let overrides = text.lines().map(str::to_string).collect();
    if let Ok(scenario) = load_str(BASELINE, &LoadOptions { overrides }) {
        let _ = scenario.total_weeks();
    }
});
