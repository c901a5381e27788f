//! End-to-end tests of sweeps through the `cartshift` binary: the parameter columns, common
//! random numbers with plain runs, thread counts, shards joined by `merge`, and bad `[sweep]`
//! tables (exit 2, the path named, nothing written).

mod sweep_support;

use std::path::Path;
use sweep_support::*;

const QUIET: &str = "--quiet";

/// The data rows of a CSV file, each split into cells (no quoting in these tests' files).
fn rows(path: &Path) -> Vec<Vec<String>> {
    text(path).lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

fn header(path: &Path) -> String {
    text(path).lines().next().unwrap_or_default().to_string()
}

#[test]
fn sweep_rows_carry_point_and_one_column_per_path() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(300, 4) + GRID));
    ws.succeed(&["run", "sweep.toml", "-o", "out", "--raw", QUIET]);
    let out = ws.path("out");
    let swept = "retailer.Kroger.checkout_wait_min,dynamics.loyalty_weight";
    for name in CSV_FILES {
        let h = header(&out.join(name));
        assert!(h.starts_with(&format!("scenario,point,{swept},")), "{name}: {h}");
        assert_eq!(h.matches(swept).count(), 1, "{name}: {h}");
    }
    let weekly = rows(&out.join("weekly.csv"));
    let points: Vec<usize> = weekly.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(points.windows(2).all(|w| w[0] <= w[1]), "rows in point order");
    assert_eq!(points.first().copied(), Some(0));
    assert_eq!(points.last().copied(), Some(8));
    let per_point = weekly.len() / 9;
    assert_eq!(weekly.len(), per_point * 9, "every point has the same rows");
    let point4: Vec<&Vec<String>> = weekly.iter().filter(|r| r[1] == "4").collect();
    assert_eq!(point4.len(), per_point);
    assert!(point4.iter().all(|r| r[2] == "3.5" && r[3] == "2"), "grid point 4 = (3.5, 2): {:?}", point4[0]);
    let m = manifest(&out);
    assert_eq!(m["sweep"]["design"], "grid");
    assert_eq!(m["sweep"]["points"], 9);
    assert_eq!(m["sweep"]["parameters"][1], "dynamics.loyalty_weight");
    assert!(m.get("shard").is_none());
    assert!(!out.join(cartshift::output::PARTIAL_DIR).exists(), "nothing left behind");
}

/// Each point is a full run with the scenario's seed: its rows are a plain run's with the same
/// values set by `--set` (common random numbers across points).
#[test]
fn a_sweep_point_is_the_plain_run_with_its_values() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(300, 4) + GRID));
    ws.write("plain.toml", &tiny(300, 4));
    ws.succeed(&["run", "sweep.toml", "-o", "sweep", QUIET]);
    let set = ["--set", "retailer.Kroger.checkout_wait_min=3.5", "--set", "dynamics.loyalty_weight=2"];
    ws.succeed(&[&["run", "plain.toml", "-o", "plain", QUIET][..], &set].concat());
    for name in ["weekly.csv", "online.csv", "summary.csv"] {
        let plain = rows(&ws.path("plain").join(name));
        let point4: Vec<Vec<String>> = rows(&ws.path("sweep").join(name))
            .into_iter()
            .filter(|r| r[1] == "4")
            .map(|mut r| {
                r.drain(2..4);
                r[1] = "0".into();
                r
            })
            .collect();
        assert_eq!(point4, plain, "{name}: point 4 differs from the plain run with its values");
    }
    // The comparison can fail: another point's trips are not the plain run's.
    let weekly = |dir: &str, skip: usize, point: &str| -> Vec<Vec<String>> {
        rows(&ws.path(dir).join("weekly.csv"))
            .into_iter()
            .filter(|r| r[1] == point)
            .map(|r| r[skip..].to_vec())
            .collect()
    };
    assert_ne!(weekly("sweep", 4, "0"), weekly("plain", 2, "0"));
}

#[test]
fn sweeps_are_byte_identical_on_one_and_two_threads() {
    let ws = Workspace::new();
    // 1,500 households make two blocks, so blocks are spread over threads too.
    ws.write("sweep.toml", &(tiny(1500, 4) + GRID));
    ws.succeed(&["run", "sweep.toml", "-o", "one", "--raw", "--threads", "1", QUIET]);
    ws.succeed(&["run", "sweep.toml", "-o", "two", "--raw", "--threads", "2", QUIET]);
    assert_same_results(&ws.path("one"), &ws.path("two"), &CSV_FILES);
}

#[test]
fn shards_merged_equal_the_whole_run_byte_for_byte() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(300, 4) + GRID));
    ws.succeed(&["run", "sweep.toml", "-o", "whole", "--raw", QUIET]);
    ws.succeed(&["run", "sweep.toml", "-o", "s1", "--raw", "--shard", "1/4", QUIET]);
    // A Slurm array job (--array=0-3) needs no wrapper: task 1 is shard 2 of 4.
    let slurm = [("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0")];
    ws.succeed_with(&["run", "sweep.toml", "-o", "s2", "--raw", "--shard", "auto", QUIET], &slurm);
    // A Kubernetes Indexed Job: index 2 of 4; without -o the shard gets a folder of its own.
    let k8s = [("JOB_COMPLETION_INDEX", "2"), ("CARTSHIFT_SHARD_COUNT", "4")];
    ws.succeed_with(&["run", "sweep.toml", "--raw", "--shard", "auto", QUIET], &k8s);
    ws.succeed(&["run", "sweep.toml", "-o", "s4", "--raw", "--shard", "4/4", QUIET]);
    let s3 = "results/tiny/shard-3-of-4";
    assert_eq!(manifest(&ws.path(s3))["shard"]["index"], 3);
    let points: Vec<u64> =
        ["s1", "s2", s3, "s4"].iter().map(|d| manifest(&ws.path(d))["shard"]["points"].as_u64().unwrap()).collect();
    assert_eq!(points, [2, 2, 2, 3]);

    ws.succeed(&["merge", "merged", "s4", s3, "s1", "s2", QUIET]);
    assert_same_results(&ws.path("whole"), &ws.path("merged"), &CSV_FILES);
}

#[test]
fn merge_refuses_shards_that_do_not_belong_together() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(300, 3) + GRID));
    for (dir, shard, seed) in [("a1", "1/3", "7"), ("a2", "2/3", "7"), ("a3", "3/3", "7"), ("b2", "2/3", "8")] {
        ws.succeed(&["run", "sweep.toml", "-o", dir, "--shard", shard, "--seed", seed, QUIET]);
    }
    ws.succeed(&["run", "sweep.toml", "-o", "c2", "--shard", "2/3", "--seed", "7", "--raw", QUIET]);
    ws.succeed(&["run", "sweep.toml", "-o", "d2", "--shard", "2/2", "--seed", "7", QUIET]);
    // A shard written by another version of cartshift, and one of another scenario.
    copy_folder(&ws.path("a2"), &ws.path("e2"));
    edit_manifest(&ws.path("e2"), "cartshift_version", "0.0.9");
    copy_folder(&ws.path("a2"), &ws.path("f2"));
    edit_manifest(&ws.path("f2"), "scenario", "other");
    let cases: [(&str, &[&str], &[&str]); 8] = [
        ("another seed", &["a1", "b2", "a3"], &["b2", "seed: 8 in this shard, 7 in a1"]),
        ("another version", &["a1", "e2", "a3"], &["e2", "cartshift: 0.0.9 in this shard"]),
        ("another scenario", &["a1", "f2", "a3"], &["f2", "scenario: 'other' in this shard, 'tiny' in a1"]),
        ("another split", &["a1", "d2", "a3"], &["d2", "shards: 2 in this shard's split, 3 in a1's"]),
        ("other files", &["a1", "c2", "a3"], &["c2", "replications.csv"]),
        ("a missing shard", &["a1", "a3"], &["shard 2/3 missing"]),
        ("a shard twice", &["a1", "a2", "a2", "a3"], &["shard 2/3 is also a2"]),
        ("not a folder of results", &["a1", "a2", "nowhere"], &["cannot read nowhere/manifest.json"]),
    ];
    for (case, shards, expected) in cases {
        let stderr = ws.refuse(case, &[&["merge", "merged"][..], shards].concat());
        for e in expected {
            assert!(stderr.contains(e), "[{case}] expected {e:?} in:\n{stderr}");
        }
    }
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

fn edit_manifest(dir: &Path, key: &str, value: &str) {
    let mut m = manifest(dir);
    m[key] = serde_json::Value::String(value.to_string());
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

/// Writes `text` as the scenario, runs it, and checks exit 2, the message and the path.
fn assert_bad_sweep(case: &str, text: &str, expected: &[&str]) {
    let ws = Workspace::new();
    ws.write("sweep.toml", text);
    let stderr = ws.refuse(case, &["run", "sweep.toml", "-o", "out", QUIET]);
    assert!(stderr.starts_with("error: sweep.toml:"), "[{case}] names the file and line:\n{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "[{case}] expected {e:?} in:\n{stderr}");
    }
    let validate = ws.cartshift(&["validate", "sweep.toml"], &[]);
    assert_eq!(validate.status.code(), Some(EXIT_INPUT), "[{case}] validate checks sweeps too");
}

#[test]
fn bad_sweeps_exit_2_naming_the_path() {
    let base = tiny(300, 3);
    let path = "retailer.Kroger.checkout_wait_min";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "unknown path",
            base.clone() + &one_parameter("grid", "retailer.Kroger.checkout_wait", "values = [1.0]"),
            vec!["retailer.Kroger.checkout_wait:", "did you mean 'retailer.Kroger.checkout_wait_min'?"],
        ),
        (
            "unknown retailer in a path",
            base.clone() + &one_parameter("grid", "retailer.Krogr.quality", "values = [1.0]"),
            vec!["retailer.Krogr.quality:", "did you mean 'retailer.Kroger.quality'?"],
        ),
        (
            "empty range",
            base.clone() + &one_parameter("latin_hypercube", path, "range = [4.0, 4.0]"),
            vec![path, "empty range [4.0, 4.0]"],
        ),
        (
            "steps = 0",
            base.clone() + &one_parameter("grid", path, "from = 5.0\nto = 2.0\nsteps = 0"),
            vec![path, "steps = 0"],
        ),
        (
            "mismatched zip lengths",
            base.clone()
                + &one_parameter("zip", path, "values = [5.0, 4.0]")
                + "[[sweep.parameter]]\npath = \"dynamics.loyalty_weight\"\nvalues = [1, 2, 3]\n",
            vec!["dynamics.loyalty_weight:", "zip lists must have the same length", "3 values", "has 2"],
        ),
        (
            "a value out of range at one point",
            base.clone() + &one_parameter("grid", path, "values = [3.0, -1.0]"),
            vec![path, "expected a finite number >= 0", "sweep point 1"],
        ),
        (
            "unknown design",
            base.clone() + &one_parameter("hypercube", path, "values = [3.0]"),
            vec!["sweep.design:", "unknown design 'hypercube'"],
        ),
        (
            "misspelt key",
            base.clone() + &one_parameter("grid", path, "value = [3.0]"),
            vec![path, "unknown field `value`", "did you mean 'values'?"],
        ),
    ];
    for (case, text, expected) in cases {
        assert_bad_sweep(case, &text, &expected);
    }
}

#[test]
fn sweep_options_that_do_not_fit_are_usage_errors() {
    let ws = Workspace::new();
    ws.write("sweep.toml", &(tiny(300, 3) + GRID));
    ws.write("plain.toml", &tiny(300, 3));
    let stderr = ws.refuse("compare with a sweep", &["compare", "plain.toml", "sweep.toml", "-o", "out"]);
    assert!(stderr.contains("the reference is a sweep"), "{stderr}");
    // A sweep compared with a plain scenario is a sweep of a counterfactual: every point paired.
    ws.succeed(&["run", "sweep.toml", "--reference", "plain.toml", "-o", "compared", QUIET]);
    ws.succeed(&["compare", "sweep.toml", "plain.toml", "-o", "compared-too", QUIET]);
    for name in ["shifts.csv", "switching.csv", "reference/weekly.csv"] {
        assert!(read(&ws.path("compared").join(name)) == read(&ws.path("compared-too").join(name)), "{name}");
    }
    let stderr = ws.refuse("bad shard", &["run", "sweep.toml", "--shard", "5/4", "-o", "out"]);
    assert!(stderr.contains("5/4"), "{stderr}");
    let stderr = ws.refuse("auto without a scheduler", &["run", "sweep.toml", "--shard", "auto", "-o", "out"]);
    assert!(stderr.contains("SLURM_ARRAY_TASK_ID"), "{stderr}");
}

/// A plain scenario streams through the sweep machinery: its files must be what the in-memory
/// table functions write (the format before sweeps existed).
#[test]
fn a_plain_run_writes_the_tables_of_a_single_run() {
    use cartshift::output::table::{render_run, rendered};
    let ws = Workspace::new();
    ws.write("plain.toml", &tiny(1500, 4));
    ws.succeed(&["run", "plain.toml", "-o", "out", "--raw", QUIET]);
    let s = cartshift::scenario::load(&ws.path("plain.toml"), &Default::default()).unwrap();
    let results = cartshift::engine::run(&s, &|_| {});
    let expected = render_run(&s, &results, true);
    for name in CSV_FILES {
        let bytes = rendered(&expected, name);
        assert!(read(&ws.path("out").join(name)) == bytes, "{name} differs from the single-run table");
    }
    let m = manifest(&ws.path("out"));
    assert_eq!(m["scenario_hash"].as_str(), Some(s.hash.as_str()));
    assert!(m.get("sweep").is_none() && m.get("shard").is_none(), "{m}");
}
