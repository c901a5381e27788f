//! End-to-end tests of the `cartshift` binary on real files in a temporary folder.
//!
//! `run` writes the documented files with the documented headers, byte for byte the same
//! whatever the thread count; every kind of bad input of MODEL.md §10 exits with code 2,
//! names the file, line, column and dotted path, and writes nothing.
//!
//! Bad scenarios are small textual edits of [`tiny_scenario`], so each expected line and
//! column is found in the edited text itself rather than counted by hand.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Exit code of bad input and usage errors.
const EXIT_INPUT: i32 = 2;

const WEEKLY_HEADER: &str = "scenario,point,week,retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95";
const ONLINE_HEADER: &str = "scenario,point,week,region,mean,sd,ci95_low,ci95_high,p05,p95";
const SUMMARY_HEADER: &str = "scenario,point,retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95";
const REPLICATIONS_HEADER: &str = "scenario,point,replication,week,retailer,channel,trips,share,revenue";
const CSV_FILES: [&str; 4] = ["weekly.csv", "online.csv", "summary.csv", "replications.csv"];
const MANIFEST_KEYS: [&str; 10] = [
    "cartshift_version",
    "scenario",
    "scenario_hash",
    "seed",
    "replications",
    "households",
    "weeks",
    "threads",
    "wall_seconds",
    "household_weeks_per_second",
];

/// A valid scenario small enough to run in a blink: 2 regions, 2 segments, 2 retailers, 1 event.
fn tiny_scenario() -> String {
    r#"name = "tiny"
description = "a small valid scenario for the CLI tests"

[market]
households = 1_000_000
outside_option = "Other grocers"

[simulation]
weeks = 6
warmup_weeks = 2
replications = 2
seed = 7
households = 500

[dynamics]
loyalty_smoothing = 0.8
loyalty_weight = 2.0
adoption_innovation = 0.001
adoption_imitation = 0.01

[[region]]
name = "urban"
households_share = 0.4
area_km2 = 1000

[[region]]
name = "rural"
households_share = 0.6
area_km2 = 20000

[[segment]]
name = "thrifty"
share = 0.5
price_sensitivity = 3.0
distance_sensitivity = 0.1
time_value = 0.05
fee_sensitivity = 0.2
weekly_spend = 100.0
digital_adoption = 0.1

[[segment]]
name = "busy"
share = 0.5
price_sensitivity = 1.0
distance_sensitivity = 0.2
time_value = 0.15
fee_sensitivity = 0.05
weekly_spend = 120.0
digital_adoption = 0.4

[[retailer]]
name = "Kroger"
stores = 100
region_mix = { urban = 0.5, rural = 0.5 }
quality = -1.0
price_index = 1.0
checkout_wait_min = 5.0
pickup = { fee = 4.95, wait_min = 5.0, quality = -0.3 }

[[retailer]]
name = "Amazon"
stores = 0
quality = -3.0
price_index = 1.0
delivery = { fee = 5.0, coverage = 0.6 }
adoption_pull = 0.5

[[event]]
name = "alipay"
week = 2
retailer = "Kroger"
set = { checkout_wait_min = 2.0 }
"#
    .to_string()
}

/// `text` with its one occurrence of `old` replaced by `new` (an empty `new` leaves an empty line).
fn edit(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "the test scenario should contain {old:?} exactly once");
    text.replacen(old, new, 1)
}

/// `text` with `new` inserted as a line before its first line.
fn prepend_line(text: &str, new: &str) -> String {
    format!("{new}\n{text}")
}

/// 1-based line and column where `needle` starts in `text`; `needle` must occur once.
fn position(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(text.matches(needle).count(), 1, "{needle:?} should occur exactly once in the test scenario");
    let offset = text.find(needle).expect("counted above");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// A temporary working folder holding scenario files; commands run inside it.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Self {
        Workspace { dir: tempfile::tempdir().expect("temporary folder") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        fs::write(self.path(name), text).expect("write scenario");
    }

    fn copy_scenario(&self, name: &str) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
        fs::copy(&from, self.path(name)).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }

    /// Every entry of the folder, sorted.
    fn entries(&self) -> Vec<String> {
        file_names(self.dir.path())
    }

    fn cartshift(&self, args: &[&str]) -> std::process::Output {
        cargo_bin_cmd!("cartshift").current_dir(self.dir.path()).args(args).output().expect("cartshift starts")
    }

    /// Runs `args`, asserting success; returns stdout.
    fn succeed(&self, args: &[&str]) -> String {
        let out = self.cartshift(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "cartshift {args:?} failed ({:?}):\n{stderr}", out.status.code());
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// Runs `args`, asserting exit code 2 and that nothing new appeared in the folder; returns stderr.
    fn refuse(&self, case: &str, args: &[&str]) -> String {
        let before = self.entries();
        let out = self.cartshift(args);
        let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
        assert_eq!(out.status.code(), Some(EXIT_INPUT), "[{case}] cartshift {args:?} should exit 2; stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "[{case}] cartshift panicked:\n{stderr}");
        assert_eq!(self.entries(), before, "[{case}] a refused command must write nothing");
        stderr
    }

    /// `run FILE -o out --quiet EXTRA…` on a bad scenario: exit 2, `out` never created.
    fn refuse_run(&self, case: &str, file: &str, extra: &[&str]) -> String {
        let mut args = vec!["run", file, "-o", "out", "--quiet"];
        args.extend_from_slice(extra);
        let stderr = self.refuse(case, &args);
        assert!(!self.path("out").exists(), "[{case}] the output folder must not be created");
        stderr
    }
}

/// Asserts `stderr` contains every one of `expected`, naming the case on failure.
fn assert_says(case: &str, stderr: &str, expected: &[&str]) {
    for e in expected {
        assert!(stderr.contains(e), "[{case}] expected stderr to contain {e:?}, got:\n{stderr}");
    }
}

/// Writes `text` as `scenario.toml`, runs it, and checks the error starts with
/// `scenario.toml:LINE:COL: PATH: ` where LINE:COL is where `at` starts in `text`.
fn assert_refused_at(case: &str, text: &str, at: &str, path: &str, expected: &[&str]) {
    let ws = Workspace::new();
    ws.write("scenario.toml", text);
    let stderr = ws.refuse_run(case, "scenario.toml", &[]);
    let (line, column) = position(text, at);
    let prefix = if path.is_empty() {
        format!("error: scenario.toml:{line}:{column}: ")
    } else {
        format!("error: scenario.toml:{line}:{column}: {path}: ")
    };
    assert!(stderr.starts_with(&prefix), "[{case}] expected stderr to start with {prefix:?}, got:\n{stderr}");
    assert_says(case, &stderr, expected);
}

/// Every entry of `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("list {}: {e}", dir.display()));
    let mut names: Vec<String> =
        entries.map(|e| e.expect("folder entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn first_line(path: &Path) -> String {
    let text = String::from_utf8(read(path)).expect("CSV is UTF-8");
    text.lines().next().unwrap_or_default().to_string()
}

// ---------------------------------------------------------------------------------------
// run: files, headers, manifest, determinism

#[test]
fn tiny_scenario_is_valid_and_runs() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stdout = ws.succeed(&["validate", "scenario.toml"]);
    assert!(stdout.starts_with("ok"), "{stdout}");
    ws.succeed(&["run", "scenario.toml", "-o", "out", "--quiet"]);
    for name in ["weekly.csv", "online.csv", "summary.csv", "manifest.json"] {
        assert!(ws.path("out").join(name).is_file(), "missing {name}");
    }
}

#[test]
fn run_writes_every_file_with_the_documented_header() {
    let ws = Workspace::new();
    ws.copy_scenario("baseline_2018.toml");
    let args = [
        "run",
        "baseline_2018.toml",
        "--households",
        "2000",
        "--replications",
        "3",
        "-o",
        "out",
        "--quiet",
        "--raw",
        "--threads",
        "2",
    ];
    let stdout = ws.succeed(&args);
    assert_eq!(stdout, "", "--quiet prints nothing");
    let out = ws.path("out");
    assert_eq!(
        file_names(&out),
        [
            "manifest.json",
            "online.csv",
            "owners.csv",
            "regions.csv",
            "replications.csv",
            "retailers.csv",
            "scenario.toml",
            "summary.csv",
            "weekly.csv"
        ]
    );

    let headers = [
        ("weekly.csv", WEEKLY_HEADER),
        ("online.csv", ONLINE_HEADER),
        ("summary.csv", SUMMARY_HEADER),
        ("replications.csv", REPLICATIONS_HEADER),
        ("regions.csv", "scenario,point,region,retailer,channel,metric,mean,sd,ci95_low,ci95_high,p05,p95"),
        ("retailers.csv", cartshift::output::retailers::RETAILERS_HEADER),
        ("owners.csv", cartshift::output::owners::OWNERS_HEADER),
    ];
    for (name, header) in headers {
        let path = out.join(name);
        assert_eq!(first_line(&path), header, "header of {name}");
        let text = String::from_utf8(read(&path)).unwrap();
        let columns = header.split(',').count();
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert!(!rows.is_empty(), "{name} has no data rows");
        for row in rows {
            assert_eq!(row.split(',').count(), columns, "{name}: row {row:?} does not match the header");
            assert!(row.starts_with("baseline_2018,"), "{name}: row {row:?} should name the scenario");
        }
    }

    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out.join("manifest.json"))).expect("manifest.json is JSON");
    for key in MANIFEST_KEYS {
        assert!(manifest.get(key).is_some(), "manifest.json lacks {key}: {manifest}");
    }
    assert_eq!(manifest["scenario"], "baseline_2018");
    assert_eq!(manifest["seed"], 2018);
    assert_eq!(manifest["replications"], 3);
    assert_eq!(manifest["households"], 2000);
    assert_eq!(manifest["weeks"], 52);
    assert_eq!(manifest["threads"], 2);
    assert_eq!(manifest["scenario_hash"].as_str().map(str::len), Some(64), "SHA-256 in hex");
    assert!(manifest["wall_seconds"].as_f64().is_some_and(|s| s >= 0.0));
    assert!(manifest["household_weeks_per_second"].as_f64().is_some_and(|r| r >= 0.0));
}

/// Runs `file` with `--threads 1` and `--threads 2` and compares every CSV byte for byte.
fn assert_thread_count_does_not_matter(file: &str, extra: &[&str]) {
    let ws = Workspace::new();
    ws.copy_scenario("baseline_2018.toml");
    ws.copy_scenario(file);
    for threads in ["1", "2"] {
        let out = format!("out{threads}");
        let mut args = vec!["run", file, "-o", &out, "--quiet", "--raw", "--threads", threads];
        args.extend_from_slice(extra);
        ws.succeed(&args);
    }
    let listed = |dir: &str| -> Vec<String> {
        let m: serde_json::Value = serde_json::from_slice(&read(&ws.path(dir).join("manifest.json"))).unwrap();
        m["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect()
    };
    let written = listed("out1");
    assert_eq!(listed("out2"), written);
    assert_eq!(file_names(&ws.path("out1")), file_names(&ws.path("out2")));
    for name in CSV_FILES {
        assert!(written.iter().any(|w| w == name), "{file}: {name} not written");
    }
    // Every results file, not only the four above; the manifest holds timings.
    for name in written.iter().filter(|n| *n != "manifest.json") {
        let one = read(&ws.path("out1").join(name));
        let two = read(&ws.path("out2").join(name));
        assert!(one == two, "{file}: {name} differs between --threads 1 and --threads 2");
    }
    let hash = |dir: &str| -> serde_json::Value {
        let m: serde_json::Value = serde_json::from_slice(&read(&ws.path(dir).join("manifest.json"))).unwrap();
        m["scenario_hash"].clone()
    };
    assert_eq!(hash("out1"), hash("out2"));
}

#[test]
fn baseline_is_byte_identical_on_one_and_two_threads() {
    assert_thread_count_does_not_matter("baseline_2018.toml", &["--households", "2000", "--replications", "3"]);
}

#[test]
fn extending_scenario_is_byte_identical_on_one_and_two_threads() {
    assert_thread_count_does_not_matter(
        "kroger_alibaba_alliance.toml",
        &["--households", "1500", "--replications", "2"],
    );
}

#[test]
fn another_seed_gives_other_results() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    ws.succeed(&["run", "scenario.toml", "-o", "a", "--quiet"]);
    ws.succeed(&["run", "scenario.toml", "-o", "b", "--quiet", "--seed", "8"]);
    let a = read(&ws.path("a").join("weekly.csv"));
    let b = read(&ws.path("b").join("weekly.csv"));
    assert!(a != b, "the seed should change the draws");
}

// ---------------------------------------------------------------------------------------
// Bad scenarios (MODEL.md §10): exit 2, file:LINE:COL, dotted path, nothing written

#[test]
fn not_valid_toml() {
    let text = edit(&tiny_scenario(), "quality = -1.0", "quality = = -1.0");
    assert_refused_at("not valid TOML", &text, "= -1.0", "", &["not valid TOML"]);
}

#[test]
fn unclosed_string_is_not_valid_toml() {
    let text = edit(&tiny_scenario(), r#"name = "Kroger""#, r#"name = "Kroger"#);
    let stderr = {
        let ws = Workspace::new();
        ws.write("scenario.toml", &text);
        ws.refuse_run("unclosed string", "scenario.toml", &[])
    };
    let (line, _) = position(&text, "name = \"Kroger\n");
    assert_says("unclosed string", &stderr, &[&format!("scenario.toml:{line}:"), "not valid TOML"]);
}

#[test]
fn misspelt_retailer_key_suggests_the_right_one() {
    let text = edit(&tiny_scenario(), "quality = -1.0", "qualty = -1.0");
    assert_refused_at(
        "unknown key",
        &text,
        "qualty",
        "retailer.Kroger.qualty",
        &["unknown field `qualty`", "did you mean 'quality'?"],
    );
}

#[test]
fn misspelt_table_name_suggests_the_right_one() {
    let text = edit(&tiny_scenario(), "[simulation]", "[simulaton]");
    assert_refused_at("unknown table", &text, "simulaton", "simulaton", &["did you mean 'simulation'?"]);
}

#[test]
fn misspelt_event_field_suggests_the_right_one() {
    let text = edit(&tiny_scenario(), "set = { checkout_wait_min = 2.0 }", "set = { checkout_wait = 2.0 }");
    assert_refused_at(
        "unknown event field",
        &text,
        "checkout_wait =",
        "event.alipay.set.checkout_wait",
        &["unknown retailer field 'checkout_wait'", "did you mean 'checkout_wait_min'?"],
    );
}

#[test]
fn missing_required_key_points_at_its_table() {
    let text = edit(&tiny_scenario(), "checkout_wait_min = 5.0", "");
    assert_refused_at(
        "missing required key",
        &text,
        "[[retailer]]\nname = \"Kroger\"",
        "retailer.Kroger.checkout_wait_min",
        &["missing required key"],
    );
}

#[test]
fn missing_segment_taste_key() {
    let text = edit(&tiny_scenario(), "time_value = 0.15", "");
    assert_refused_at(
        "missing taste key",
        &text,
        "[[segment]]\nname = \"busy\"",
        "segment.busy.time_value",
        &["missing required key"],
    );
}

#[test]
fn missing_table_names_the_file() {
    let text = tiny_scenario().replace("[dynamics]\nloyalty_smoothing = 0.8\nloyalty_weight = 2.0\nadoption_innovation = 0.001\nadoption_imitation = 0.01\n", "");
    assert!(!text.contains("dynamics"));
    let ws = Workspace::new();
    ws.write("scenario.toml", &text);
    let stderr = ws.refuse_run("missing table", "scenario.toml", &[]);
    assert_says("missing table", &stderr, &["error: scenario.toml: dynamics: missing required key"]);
}

#[test]
fn missing_scenario_name_names_the_file() {
    let text = edit(&tiny_scenario(), r#"name = "tiny""#, "");
    let ws = Workspace::new();
    ws.write("scenario.toml", &text);
    let stderr = ws.refuse_run("missing name", "scenario.toml", &[]);
    assert_says("missing name", &stderr, &["error: scenario.toml: name: missing required key"]);
}

#[test]
fn unnamed_retailer_is_addressed_by_position() {
    let text = edit(&tiny_scenario(), r#"name = "Amazon""#, "");
    assert_refused_at(
        "unnamed retailer",
        &text,
        "[[retailer]]\n\nstores = 0",
        "retailer.#2.name",
        &["missing required key"],
    );
}

#[test]
fn string_where_a_number_is_expected() {
    let text = edit(&tiny_scenario(), "stores = 100", r#"stores = "many""#);
    assert_refused_at("wrong type", &text, "\"many\"", "retailer.Kroger.stores", &["invalid type", "string \"many\""]);
}

#[test]
fn negative_store_count() {
    let text = edit(&tiny_scenario(), "stores = 100", "stores = -5");
    assert_refused_at("negative stores", &text, "stores = -5", "retailer.Kroger.stores", &["got -5", ">= 0"]);
}

#[test]
fn negative_seed_is_the_wrong_type() {
    let text = edit(&tiny_scenario(), "seed = 7", "seed = -7");
    assert_refused_at("negative seed", &text, "-7", "simulation.seed", &["expected u64"]);
}

#[test]
fn region_shares_must_sum_to_one() {
    let text = edit(&tiny_scenario(), "households_share = 0.6", "households_share = 0.7");
    assert_refused_at("region shares", &text, "region]]\nname = \"urban\"", "region", &["sum to 1.1", "expected 1"]);
}

#[test]
fn segment_shares_must_sum_to_one() {
    let text = edit(&tiny_scenario(), "name = \"busy\"\nshare = 0.5", "name = \"busy\"\nshare = 0.6");
    assert_refused_at(
        "segment shares",
        &text,
        "segment]]\nname = \"thrifty\"",
        "segment",
        &["sum to 1.1", "expected 1"],
    );
}

#[test]
fn region_mix_must_sum_to_one() {
    let text = edit(
        &tiny_scenario(),
        "region_mix = { urban = 0.5, rural = 0.5 }",
        "region_mix = { urban = 0.5, rural = 0.6 }",
    );
    assert_refused_at("region_mix sum", &text, "region_mix", "retailer.Kroger.region_mix", &["sum to 1.1"]);
}

#[test]
fn adoption_share_above_one() {
    let text = edit(&tiny_scenario(), "digital_adoption = 0.1", "digital_adoption = 1.5");
    assert_refused_at(
        "digital_adoption 1.5",
        &text,
        "digital_adoption = 1.5",
        "segment.thrifty.digital_adoption",
        &["got 1.5", "[0, 1]"],
    );
}

#[test]
fn loyalty_smoothing_below_zero() {
    let text = edit(&tiny_scenario(), "loyalty_smoothing = 0.8", "loyalty_smoothing = -0.2");
    assert_refused_at(
        "loyalty_smoothing -0.2",
        &text,
        "loyalty_smoothing",
        "dynamics.loyalty_smoothing",
        &["got -0.2", "[0, 1]"],
    );
}

#[test]
fn nan_is_refused() {
    let text = edit(&tiny_scenario(), "quality = -1.0", "quality = nan");
    assert_refused_at("NaN", &text, "quality = nan", "retailer.Kroger.quality", &["NaN", "finite"]);
}

#[test]
fn infinity_is_refused() {
    let text = edit(&tiny_scenario(), "quality = -1.0\nprice_index = 1.0", "quality = -1.0\nprice_index = inf");
    assert_refused_at("inf", &text, "price_index = inf", "retailer.Kroger.price_index", &["inf", "finite"]);
}

#[test]
fn misspelt_retailer_in_an_event() {
    let text = edit(&tiny_scenario(), r#"retailer = "Kroger""#, r#"retailer = "Krogr""#);
    assert_refused_at(
        "unknown retailer in event",
        &text,
        "retailer = \"Krogr\"",
        "event.alipay.retailer",
        &["unknown retailer 'Krogr'", "did you mean 'Kroger'?"],
    );
}

#[test]
fn misspelt_region_in_region_mix() {
    let text =
        edit(&tiny_scenario(), "region_mix = { urban = 0.5, rural = 0.5 }", "region_mix = { urban = 0.5, rual = 0.5 }");
    assert_refused_at(
        "unknown region in region_mix",
        &text,
        "rual",
        "retailer.Kroger.region_mix.rual",
        &["unknown region 'rual'", "did you mean 'rural'?"],
    );
}

#[test]
fn misspelt_region_in_delivery_coverage() {
    let text = edit(
        &tiny_scenario(),
        "delivery = { fee = 5.0, coverage = 0.6 }",
        "delivery = { fee = 5.0, coverage = { urban = 1.0, rual = 0.5 } }",
    );
    assert_refused_at(
        "unknown region in coverage",
        &text,
        "rual",
        "retailer.Amazon.delivery.coverage.rual",
        &["unknown region 'rual'", "did you mean 'rural'?"],
    );
}

#[test]
fn event_week_past_the_horizon() {
    let text = edit(&tiny_scenario(), "week = 2", "week = 6");
    assert_refused_at("event past horizon", &text, "week = 6", "event.alipay.week", &["past the horizon", "0 to 5"]);
}

#[test]
fn duplicate_retailer_name() {
    let text = edit(&tiny_scenario(), r#"name = "Amazon""#, r#"name = "Kroger""#);
    assert_refused_at(
        "duplicate retailer",
        &text,
        "[[retailer]]\nname = \"Kroger\"\nstores = 0",
        "retailer.Kroger",
        &["appears twice"],
    );
}

// ---------------------------------------------------------------------------------------
// extends

#[test]
fn extends_cycle_shows_the_chain() {
    let ws = Workspace::new();
    ws.write("a.toml", &prepend_line(&tiny_scenario(), r#"extends = "b.toml""#));
    ws.write("b.toml", "name = \"b\"\nextends = \"a.toml\"\n");
    let stderr = ws.refuse_run("extends cycle", "a.toml", &[]);
    assert_says("extends cycle", &stderr, &["error: b.toml:2:1: extends cycle", "a.toml -> b.toml -> a.toml"]);
}

#[test]
fn scenario_extending_itself_is_a_cycle() {
    let ws = Workspace::new();
    ws.write("self.toml", &prepend_line(&tiny_scenario(), r#"extends = "self.toml""#));
    let stderr = ws.refuse_run("self extends", "self.toml", &[]);
    assert_says("self extends", &stderr, &["error: self.toml:1:1: extends cycle", "self.toml -> self.toml"]);
}

#[test]
fn missing_extends_parent() {
    let text = edit(&tiny_scenario(), r#"name = "tiny""#, "name = \"tiny\"\nextends = \"no_such_parent.toml\"");
    let ws = Workspace::new();
    ws.write("child.toml", &text);
    let stderr = ws.refuse_run("missing parent", "child.toml", &[]);
    let (line, column) = position(&text, "extends");
    assert_says(
        "missing parent",
        &stderr,
        &[
            &format!("error: child.toml:{line}:{column}: parent scenario no_such_parent.toml not found"),
            "child.toml -> no_such_parent.toml",
        ],
    );
}

#[test]
fn error_in_a_child_points_into_the_child() {
    let ws = Workspace::new();
    ws.write("tiny.toml", &tiny_scenario());
    let child = "extends = \"tiny.toml\"\nname = \"child\"\n\n[[retailer]]\nname = \"Kroger\"\nqualty = 0.5\n";
    ws.write("child.toml", child);
    let stderr = ws.refuse_run("error in child", "child.toml", &[]);
    assert_says(
        "error in child",
        &stderr,
        &["error: child.toml:6:1: retailer.Kroger.qualty: ", "did you mean 'quality'?"],
    );
}

#[test]
fn error_in_a_parent_points_into_the_parent() {
    let ws = Workspace::new();
    let parent = edit(&tiny_scenario(), "adoption_pull = 0.5", "adoption_pull = -0.5");
    ws.write("tiny.toml", &parent);
    ws.write("child.toml", "extends = \"tiny.toml\"\nname = \"child\"\n");
    let stderr = ws.refuse_run("error in parent", "child.toml", &[]);
    let (line, column) = position(&parent, "adoption_pull = -0.5");
    assert_says(
        "error in parent",
        &stderr,
        &[&format!("error: tiny.toml:{line}:{column}: retailer.Amazon.adoption_pull: got -0.5")],
    );
}

#[test]
fn child_shortening_the_horizon_strands_a_parent_event() {
    let ws = Workspace::new();
    ws.write("tiny.toml", &tiny_scenario());
    ws.write("child.toml", "extends = \"tiny.toml\"\nname = \"child\"\n\n[simulation]\nweeks = 2\n");
    let stderr = ws.refuse_run("stranded event", "child.toml", &[]);
    let (line, column) = position(&tiny_scenario(), "week = 2");
    assert_says(
        "stranded event",
        &stderr,
        &[&format!("error: tiny.toml:{line}:{column}: event.alipay.week: week 2 is past the horizon")],
    );
}

// ---------------------------------------------------------------------------------------
// --set

#[test]
fn set_with_an_unknown_retailer() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stderr = ws.refuse_run("--set unknown retailer", "scenario.toml", &["--set", "retailer.Krogr.quality=0.5"]);
    assert_says(
        "--set unknown retailer",
        &stderr,
        &["error: --set: retailer.Krogr.quality: unknown retailer 'Krogr'", "did you mean 'Kroger'?"],
    );
}

#[test]
fn set_with_an_unknown_key() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stderr = ws.refuse_run("--set unknown key", "scenario.toml", &["--set", "retailer.Kroger.qualty=0.5"]);
    assert_says(
        "--set unknown key",
        &stderr,
        &["error: --set: retailer.Kroger.qualty: unknown field `qualty`", "did you mean 'retailer.Kroger.quality'?"],
    );
    assert!(!stderr.contains("\nin `"), "no stray serde path: {stderr}");
}

#[test]
fn set_with_a_wrong_type() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stderr = ws.refuse_run("--set wrong type", "scenario.toml", &["--set", "retailer.Kroger.quality=high"]);
    assert_says("--set wrong type", &stderr, &["error: --set: retailer.Kroger.quality: invalid type: string \"high\""]);
    assert!(!stderr.contains("\nin `"), "no stray serde path: {stderr}");
}

#[test]
fn set_out_of_range() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stderr = ws.refuse_run("--set out of range", "scenario.toml", &["--set", "dynamics.loyalty_smoothing=1.5"]);
    assert_says(
        "--set out of range",
        &stderr,
        &["error: --set: dynamics.loyalty_smoothing: got 1.5, expected a number in [0, 1]"],
    );
}

#[test]
fn set_without_a_value() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stderr = ws.refuse_run("--set without =", "scenario.toml", &["--set", "retailer.Kroger.quality"]);
    assert_says("--set without =", &stderr, &["error: --set: retailer.Kroger.quality: expected PATH=VALUE"]);
}

// ---------------------------------------------------------------------------------------
// validate

#[test]
fn validate_accepts_the_shipped_scenarios() {
    let ws = Workspace::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in ["baseline_2018.toml", "kroger_alibaba_alliance.toml"] {
        let path = dir.join(name);
        let stdout = ws.succeed(&["validate", path.to_str().expect("UTF-8 path")]);
        assert!(stdout.starts_with("ok"), "{name}: {stdout}");
    }
    assert!(ws.entries().is_empty(), "validate writes nothing");
}

#[test]
fn validate_refuses_an_invalid_scenario() {
    let ws = Workspace::new();
    let text = edit(&tiny_scenario(), "quality = -1.0", "qualty = -1.0");
    ws.write("good.toml", &tiny_scenario());
    ws.write("bad.toml", &text);
    let stderr = ws.refuse("validate bad", &["validate", "good.toml", "bad.toml"]);
    let (line, column) = position(&text, "qualty");
    assert_says(
        "validate bad",
        &stderr,
        &[&format!("bad.toml:{line}:{column}: retailer.Kroger.qualty"), "did you mean 'quality'?"],
    );
    let out = ws.cartshift(&["validate", "good.toml", "bad.toml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ok    good.toml") && stdout.contains("FAIL  bad.toml"), "{stdout}");
}

#[test]
fn validate_checks_overrides() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stderr = ws.refuse("validate --set", &["validate", "scenario.toml", "--set", "retailer.Amazon.stores=-1"]);
    assert_says("validate --set", &stderr, &["error: --set: retailer.Amazon.stores: got -1"]);
}

// ---------------------------------------------------------------------------------------
// usage errors

#[test]
fn run_without_a_file_is_a_usage_error() {
    let ws = Workspace::new();
    let stderr = ws.refuse("run without file", &["run", "-o", "out"]);
    assert_says("run without file", &stderr, &["<SCENARIO>"]);
}

#[test]
fn zero_threads_is_a_usage_error() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    let stderr = ws.refuse_run("--threads 0", "scenario.toml", &["--threads", "0"]);
    assert_says("--threads 0", &stderr, &["--threads"]);
}

#[test]
fn zero_households_or_replications_is_a_usage_error() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    for flag in ["--households", "--replications"] {
        let stderr = ws.refuse_run(flag, "scenario.toml", &[flag, "0"]);
        assert_says(flag, &stderr, &[flag]);
    }
}

#[test]
fn unknown_subcommand_and_flag_are_usage_errors() {
    let ws = Workspace::new();
    ws.write("scenario.toml", &tiny_scenario());
    ws.refuse("unknown subcommand", &["simulate", "scenario.toml"]);
    ws.refuse_run("unknown flag", "scenario.toml", &["--frobnicate"]);
    ws.refuse("no subcommand", &[]);
}

#[test]
fn missing_scenario_file() {
    let ws = Workspace::new();
    let stderr = ws.refuse_run("missing file", "no_such_scenario.toml", &[]);
    assert_says("missing file", &stderr, &["no_such_scenario.toml"]);
}

// ---------------------------------------------------------------------------------------
// Counterfactuals: a scenario that extends another is compared with it

const COMPARISON_HEADERS: [(&str, &str); 4] = [
    ("shifts_regions.csv", "scenario,reference,point,region,retailer,channel,metric,mean,sd,ci95_low,ci95_high"),
    ("shifts.csv", "scenario,reference,point,retailer,channel,metric,mean,sd,ci95_low,ci95_high"),
    ("shifts_weekly.csv", "scenario,reference,point,week,retailer,channel,metric,mean,sd,ci95_low,ci95_high"),
    (
        "switching.csv",
        "scenario,reference,point,from_retailer,from_channel,to_retailer,to_channel,final_week_mean,final_week_ci95_low,final_week_ci95_high,horizon_mean",
    ),
];

#[test]
fn an_extending_scenario_is_compared_with_its_parent() {
    let ws = Workspace::new();
    ws.copy_scenario("baseline_2018.toml");
    ws.copy_scenario("kroger_alibaba_alliance.toml");
    let small = ["--households", "1500", "--replications", "2", "--quiet"];
    ws.succeed(&[&["run", "kroger_alibaba_alliance.toml", "-o", "out"][..], &small].concat());
    for (name, header) in COMPARISON_HEADERS {
        assert_eq!(first_line(&ws.path("out").join(name)), header, "{name}");
    }
    assert_eq!(
        file_names(&ws.path("out/reference")),
        ["online.csv", "owners.csv", "regions.csv", "retailers.csv", "summary.csv", "weekly.csv"]
    );
    let manifest: serde_json::Value = serde_json::from_slice(&read(&ws.path("out/manifest.json"))).unwrap();
    assert_eq!(manifest["reference"]["scenario"], "baseline_2018");
    assert_eq!(manifest["reference"]["common_random_numbers"], true);

    ws.succeed(&[&["run", "kroger_alibaba_alliance.toml", "-o", "plain", "--no-reference"][..], &small].concat());
    assert!(!ws.path("plain/shifts.csv").exists() && !ws.path("plain/reference").exists());

    ws.succeed(&[&["run", "kroger_alibaba_alliance.toml", "-o", "nocrn", "--no-crn"][..], &small].concat());
    assert!(ws.path("nocrn/shifts.csv").exists());
    assert!(!ws.path("nocrn/switching.csv").exists(), "pairs of choices mean nothing without CRN");
}

#[test]
fn compare_runs_any_two_scenarios_on_the_same_engine_path() {
    let ws = Workspace::new();
    ws.copy_scenario("baseline_2018.toml");
    ws.copy_scenario("kroger_alibaba_alliance.toml");
    let small = ["--households", "1500", "--replications", "2", "--quiet"];
    ws.succeed(&[&["compare", "kroger_alibaba_alliance.toml", "baseline_2018.toml", "-o", "a"][..], &small].concat());
    ws.succeed(&[&["run", "kroger_alibaba_alliance.toml", "-o", "b"][..], &small].concat());
    for name in ["shifts.csv", "shifts_weekly.csv", "switching.csv", "weekly.csv", "reference/weekly.csv"] {
        assert!(read(&ws.path("a").join(name)) == read(&ws.path("b").join(name)), "{name} differs");
    }
    let stderr = ws.refuse_run("missing reference", "kroger_alibaba_alliance.toml", &["--reference", "nope.toml"]);
    assert!(stderr.contains("nope.toml"), "{stderr}");
}
