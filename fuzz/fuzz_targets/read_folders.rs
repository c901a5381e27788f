//! Fuzzes what `merge` and `--resume` read from results folders: `manifest.json`, the partial
//! run's `identity.json` and journal, and the CSV headers, all from real files in a scratch
//! folder. Any outcome is fine except a panic (or a hang, or an abort), and nothing may be
//! written outside the scratch folder.
//!
//! Input: up to seven parts separated by NUL bytes — shard A's `manifest.json` and
//! `weekly.csv`, shard B's, then an unfinished run's `identity.json`, journal and partial
//! `weekly.csv`. `fuzz/seeds/read_folders/` holds real ones (see `fuzz/seed.sh`).
#![no_main]

use cartshift::output::{Identity, PARTIAL_DIR, merge_shards, plan_start};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A scratch folder of this process, on a memory filesystem when there is one.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        base.join(format!("cartshift-fuzz-read-folders-{}", std::process::id()))
    })
}

/// The identity a resumed run of the seeds' sweep has.
fn ours() -> Identity {
    Identity {
        cartshift_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: "tiny".into(),
        scenario_hash: String::new(),
        seed: 7,
        points: 4,
        shard: None,
        files: vec!["weekly.csv".into()],
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fuzz_target!(|data: &[u8]| {
    let root = scratch();
    let _ = std::fs::remove_dir_all(root);
    let mut parts = data.split(|&b| b == 0);
    let mut next = || parts.next().unwrap_or_default();
    let (a, b, c) = (root.join("a"), root.join("b"), root.join("c"));
    write(&a.join("manifest.json"), next());
    write(&a.join("weekly.csv"), next());
    write(&b.join("manifest.json"), next());
    write(&b.join("weekly.csv"), next());
    let partial = c.join(PARTIAL_DIR);
    write(&partial.join("identity.json"), next());
    write(&partial.join("journal"), next());
    write(&partial.join("weekly.csv"), next());

    let _ = merge_shards(&root.join("out"), &[a.clone(), b]);
    let _ = plan_start(&a, &ours(), true);
    // Resuming needs the identity of the folder: take it from the fuzzed file when it parses,
    // so the journal is reached whatever the identity says.
    let theirs = std::fs::read(partial.join("identity.json")).ok();
    let identity = theirs.and_then(|t| serde_json::from_slice::<Identity>(&t).ok()).unwrap_or_else(ours);
    let _ = plan_start(&c, &identity, true);
});
