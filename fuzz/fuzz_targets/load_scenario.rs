//! Fuzzes scenario loading end to end: TOML parse, `extends` merge of two documents, `--set`
//! overrides and validation. Any outcome is fine except a panic (or a hang, or an abort).
//!
//! Input: up to three parts separated by NUL bytes — the child scenario, its parent, and
//! `--set` overrides one per line. The parent is reachable as `parent.toml` and as
//! `baseline_2018.toml` (the name the shipped scenarios extend), both beside the child.
#![no_main]

use cartshift::guard::MemoryEstimate;
use cartshift::scenario::{LoadOptions, load_files};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let child = parts.next().unwrap_or_default();
    let parent = parts.next().unwrap_or_default();
    let overrides = parts.next().unwrap_or_default().lines().map(str::to_string).collect();
    let files = [("dir/child.toml", child), ("dir/parent.toml", parent), ("dir/baseline_2018.toml", parent)];
    if let Ok(scenario) = load_files(&files, "dir/child.toml", &LoadOptions { overrides }) {
        // What a run asks of a valid scenario before allocating must not panic either: its
        // size, the resource guard's estimate (as for a comparison with itself), the channels
        // that get rows. (The per-week event schedule is built only once the guard agreed.)
        let _ = scenario.total_weeks();
        let estimate = MemoryEstimate::new(&scenario, Some(&scenario), 64, true);
        let _ = estimate.check(1 << 34);
        let _ = estimate.largest_households(u64::MAX);
        for r in 0..scenario.retailers.len() {
            let _ = scenario.channels_offered(r);
        }
    }
});
