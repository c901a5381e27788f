//! Extreme inputs (issue 8): each one either runs and writes only finite numbers, or is refused
//! at validation with a message naming what is wrong. Never NaN or infinity in a CSV.
//!
//! Runs go through the library (`engine::run`, `engine::compare` and the CSV writers); a few
//! refusals also go through the binary to check the exit code.

use assert_cmd::cargo::cargo_bin_cmd;
use cartshift::Scenario;
use cartshift::engine::{self, RunResults, align_reference};
use cartshift::guard::MemoryEstimate;
use cartshift::output::table::{render_comparison, render_run, rendered};
use cartshift::scenario::{LoadOptions, load_str};

/// Two regions, two segments, a store chain with pickup and an online-only grocer.
/// `{sim}`, `{dyn}`, `{seg}`, `{kroger}`, `{amazon}` and `{extra}` are replaced by each case.
const BASE: &str = r#"name = "extreme"
[market]
households = 1_000_000
outside_option = "Other grocers"
[simulation]
weeks = 3
warmup_weeks = 2
replications = 3
households = 400
seed = 11
{sim}
[dynamics]
loyalty_smoothing = 0.8
adoption_innovation = 0.01
adoption_imitation = 0.1
{dyn}
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
{seg}
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
checkout_wait_min = 5.0
{kroger}
[[retailer]]
name = "Amazon"
stores = 0
quality = -2.0
price_index = 1.0
delivery = { fee = 5.0, coverage = 0.6 }
adoption_pull = 0.5
{amazon}
{extra}
"#;

/// Defaults of the keys each case may replace.
const DEFAULTS: [(&str, &str); 6] = [
    ("sim", ""),
    ("dyn", "loyalty_weight = 2.0"),
    ("seg", "digital_adoption = 0.1"),
    ("kroger", "quality = -1.0\nprice_index = 1.0\npickup = { fee = 4.95, wait_min = 5.0, quality = -0.3 }"),
    ("amazon", ""),
    ("extra", ""),
];

/// The base scenario with some placeholders replaced.
fn text(changes: &[(&str, &str)]) -> String {
    let mut out = BASE.to_string();
    for (key, default) in DEFAULTS {
        let value = changes.iter().find(|(k, _)| *k == key).map_or(default, |(_, v)| v);
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

fn load(changes: &[(&str, &str)]) -> Result<Scenario, String> {
    load_str(&text(changes), &LoadOptions::default()).map_err(|e| e.to_string())
}

/// Asserts every numeric cell of a CSV document is a finite number (or empty).
fn assert_finite_csv(case: &str, file: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).expect("CSV is UTF-8");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let first_number = header.iter().position(|h| ["mean", "trips", "final_week_mean"].contains(h)).expect("numbers");
    let mut rows = 0;
    for line in lines {
        rows += 1;
        for cell in line.split(',').skip(first_number).filter(|c| !c.is_empty()) {
            let value: f64 = cell.parse().unwrap_or_else(|_| panic!("[{case}] {file}: not a number {cell:?}"));
            assert!(value.is_finite(), "[{case}] {file}: {value} in {line}");
        }
    }
    assert!(rows > 0, "[{case}] {file} has no rows");
}

/// Runs `s` (and a comparison with a plain copy of it), asserting every CSV is finite.
fn run_finite(case: &str, s: &Scenario) -> RunResults {
    let results = engine::run(s, &|_| {});
    let files = render_run(s, &results, true);
    for (name, bytes) in &files {
        assert_finite_csv(case, name, bytes);
    }
    let mut reference = load(&[]).expect("the base scenario is valid");
    align_reference(&mut reference, s, true);
    let c = engine::compare(s, &reference, true, &|_| {});
    let compared = render_comparison(s, &reference, &c, false);
    for name in ["shifts.csv", "shifts_weekly.csv", "switching.csv"] {
        assert_finite_csv(case, name, rendered(&compared, name));
    }
    results
}

/// Mean over replications and weeks of the summed shares of `alts`.
fn mean_share(results: &RunResults, alts: &[usize]) -> f64 {
    let values: Vec<f64> = results
        .replications
        .iter()
        .flat_map(|r| r.weeks.iter().map(|w| alts.iter().map(|&a| w.share[a]).sum::<f64>()))
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

fn assert_refused(case: &str, changes: &[(&str, &str)], expected: &[&str]) {
    let err = load(changes).expect_err(case);
    for e in expected {
        assert!(err.contains(e), "[{case}] expected the error to contain {e:?}, got: {err}");
    }
}

const KROGER: [usize; 3] = [1, 2, 3];

// ---------------------------------------------------------------------------------------
// utilities of ±1e6

#[test]
fn a_quality_of_plus_a_million_takes_every_trip() {
    let kroger = "quality = 1e6\nprice_index = 1.0\npickup = { fee = 4.95, wait_min = 5.0, quality = -0.3 }";
    let s = load(&[("kroger", kroger)]).unwrap();
    let results = run_finite("quality +1e6", &s);
    assert_eq!(mean_share(&results, &KROGER), 1.0);
}

#[test]
fn a_quality_of_minus_a_million_takes_no_trip() {
    let kroger = "quality = -1e6\nprice_index = 1.0\npickup = { fee = 4.95, wait_min = 5.0, quality = -0.3 }";
    let s = load(&[("kroger", kroger)]).unwrap();
    let results = run_finite("quality -1e6", &s);
    assert_eq!(mean_share(&results, &KROGER), 0.0);
}

#[test]
fn channel_offsets_and_loyalty_weights_of_a_million_run_cleanly() {
    let kroger = "quality = 0\nprice_index = 1.0\npickup = { fee = 0, wait_min = 0, quality = 1e6 }";
    let delivery = "delivery = { fee = 5.0, coverage = 0.6, quality = -1e6 }";
    let cases = [
        ("pickup quality +1e6", text(&[("kroger", kroger)])),
        ("delivery quality -1e6", text(&[]).replace("delivery = { fee = 5.0, coverage = 0.6 }", delivery)),
        ("loyalty weight +1e6", text(&[("dyn", "loyalty_weight = 1e6")])),
        ("loyalty weight -1e6", text(&[("dyn", "loyalty_weight = -1e6")])),
    ];
    for (case, text) in cases {
        let s = load_str(&text, &LoadOptions::default()).unwrap_or_else(|e| panic!("[{case}] {e}"));
        run_finite(case, &s);
    }
}

#[test]
fn utilities_beyond_1e30_are_refused_with_the_retailer_and_segment() {
    let huge = "quality = 1e308\nprice_index = 1.0\npickup = { fee = 0, wait_min = 0, quality = 1e308 }";
    assert_refused(
        "quality + pickup quality overflow",
        &[("kroger", huge)],
        &["retailer.Kroger", "utility for segment 'thrifty' could reach inf", "at most 1e30"],
    );
    let cheap = "quality = 0\nprice_index = 1e-300\npickup = { fee = 1, wait_min = 1, quality = 0 }";
    let seg = "digital_adoption = 0.1\n";
    let text = text(&[("kroger", cheap), ("seg", seg)]).replace("price_sensitivity = 3.0", "price_sensitivity = 1e306");
    let err = load_str(&text, &LoadOptions::default()).expect_err("β_p · ln P overflows").to_string();
    assert!(err.contains("could reach inf"), "{err}");
    // Finite but beyond f32: refused too, so that an f32 kernel cannot overflow either.
    let big = "quality = 1e31\nprice_index = 1.0\npickup = { fee = 4.95, wait_min = 5.0, quality = -0.3 }";
    assert_refused("quality 1e31", &[("kroger", big)], &["could reach 1e31"]);
    // Each value finite, their sum not: caught when the event is replayed.
    let event = "[[event]]\nweek = 1\nretailer = \"Kroger\"\nset = { pickup.quality = 6e29 }";
    let kroger = "quality = 6e29\nprice_index = 1.0\npickup = { fee = 0, wait_min = 0, quality = 0 }";
    assert_refused(
        "an event past the limit",
        &[("kroger", kroger), ("extra", event)],
        &["event.1", "could reach 1.2e30"],
    );
}

// ---------------------------------------------------------------------------------------
// retailers and regions without stores

#[test]
fn a_retailer_with_no_stores_and_no_online_channel_is_refused() {
    let amazon_nothing = "[[retailer]]\nname = \"Ghost\"\nstores = 0\nquality = 0\nprice_index = 1";
    assert_refused("no channel", &[("extra", amazon_nothing)], &["retailer.Ghost", "could never be chosen"]);
    // An event that opens stores later makes it a real alternative.
    let opened = format!("{amazon_nothing}\n[[event]]\nweek = 1\nretailer = \"Ghost\"\nset = {{ stores = 10 }}");
    let s = load(&[("extra", &opened)]).expect("stores opened by an event");
    run_finite("stores from an event", &s);
}

#[test]
fn a_retailer_with_no_channel_is_refused_by_the_binary_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let extra = "[[retailer]]\nname = \"Ghost\"\nstores = 0\nquality = 0\nprice_index = 1";
    std::fs::write(dir.path().join("s.toml"), text(&[("extra", extra)])).unwrap();
    let out =
        cargo_bin_cmd!("cartshift").current_dir(dir.path()).args(["run", "s.toml", "-o", "out"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: s.toml:"), "{stderr}");
    assert!(stderr.contains("retailer.Ghost: has no stores, no pickup and no delivery"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_region_where_no_retailer_has_stores_runs_and_only_delivery_or_the_outside_option_serve_it() {
    let kroger = "quality = -1.0\nprice_index = 1.0\nregion_mix = { urban = 1.0, rural = 0.0 }\n\
                  pickup = { fee = 4.95, wait_min = 5.0, quality = -0.3 }";
    let s = load(&[("kroger", kroger)]).unwrap();
    let results = run_finite("no stores in rural", &s);
    // Rural is 60% of households; with no store there, store and pickup shares stay below 40%.
    assert!(mean_share(&results, &[1, 2]) < 0.4);
    // Without delivery either (Amazon becomes an urban-only store), rural households all take
    // the outside option.
    let urban_store = "stores = 1\nregion_mix = { urban = 1.0, rural = 0.0 }\ncheckout_wait_min = 1\nquality = -2.0";
    let text = text(&[("kroger", kroger)])
        .replace("stores = 0\nquality = -2.0", urban_store)
        .replace("delivery = { fee = 5.0, coverage = 0.6 }\n", "");
    let s = load_str(&text, &LoadOptions::default()).unwrap();
    let results = run_finite("no stores and no delivery in rural", &s);
    assert!(mean_share(&results, &[0]) >= 0.6);
}

// ---------------------------------------------------------------------------------------
// sizes, prices and probabilities at their edges

#[test]
fn one_household_runs_and_the_empty_region_reports_zero_online() {
    let s = load(&[("sim", "")]).unwrap();
    let mut one = s.clone();
    one.simulation.households = 1;
    let results = run_finite("one household", &one);
    for rep in &results.replications {
        for week in &rep.weeks {
            // Largest remainder gives the one household to rural (0.6): urban has none.
            assert_eq!(week.online[0], 0.0, "the urban region has no household of one");
            assert!((week.share.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}

#[test]
fn a_price_index_of_one_billionth_runs_and_takes_every_trip() {
    let kroger = "quality = -1.0\nprice_index = 1e-9\npickup = { fee = 4.95, wait_min = 5.0, quality = -0.3 }";
    let s = load(&[("kroger", kroger)]).unwrap();
    let results = run_finite("price 1e-9", &s);
    assert!(mean_share(&results, &KROGER) > 0.99);
    let revenue: f64 = results.replications[0].weeks[0].revenue[1];
    assert!(revenue > 0.0 && revenue < 1.0, "revenue at price 1e-9 is tiny: {revenue}");
}

#[test]
fn adoption_of_zero_keeps_everyone_offline_and_of_one_puts_everyone_online() {
    let busy_offline = |t: &str| t.replace("digital_adoption = 0.4", "digital_adoption = 0.0");
    let none = [("seg", "digital_adoption = 0.0"), ("dyn", "loyalty_weight = 2.0")];
    let text_none = busy_offline(&text(&none))
        .replace("adoption_innovation = 0.01", "adoption_innovation = 0.0")
        .replace("adoption_imitation = 0.1", "adoption_imitation = 0.0");
    let s = load_str(&text_none, &LoadOptions::default()).unwrap();
    let results = run_finite("adoption 0", &s);
    assert_eq!(mean_share(&results, &[2, 6]), 0.0, "nobody online: no pickup, no delivery");
    assert!(results.replications.iter().all(|r| r.weeks.iter().all(|w| w.online == [0.0, 0.0])));

    let all = text(&[("seg", "digital_adoption = 1.0")]).replace("digital_adoption = 0.4", "digital_adoption = 1.0");
    let s = load_str(&all.replace("adoption_innovation = 0.01", "adoption_innovation = 1.0"), &LoadOptions::default())
        .unwrap();
    let results = run_finite("adoption 1", &s);
    assert!(results.replications.iter().all(|r| r.weeks.iter().all(|w| w.online == [1.0, 1.0])));
}

#[test]
fn a_horizon_of_one_week_runs_with_one_or_several_replications() {
    for reps in [1, 2] {
        let sim = format!("weeks = 1\nwarmup_weeks = 0\nreplications = {reps}");
        let text = text(&[]).replace("weeks = 3\nwarmup_weeks = 2\nreplications = 3\n", "");
        let text = text.replace("[simulation]\n", &format!("[simulation]\n{sim}\n"));
        let s = load_str(&text, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.simulation.weeks, s.simulation.warmup_weeks), (1, 0));
        let results = run_finite("one week", &s);
        assert_eq!(results.replications[0].weeks.len(), 1);
    }
}

// ---------------------------------------------------------------------------------------
// sizes that would overflow or exhaust memory

#[test]
fn horizons_past_u32_and_totals_past_1e100_are_refused() {
    let text_weeks = text(&[]).replace("warmup_weeks = 2", "warmup_weeks = 4294967295");
    let err = load_str(&text_weeks, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("simulation.warmup_weeks: weeks + warmup_weeks is 4294967298"), "{err}");
    let huge_market = text(&[]).replace("households = 1_000_000", "households = 1e300");
    let err = load_str(&huge_market, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("market.households: horizon totals reach"), "{err}");
    let huge_spend = text(&[]).replace("weekly_spend = 100.0", "weekly_spend = 1e308");
    let err = load_str(&huge_spend, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("expected at most 1e100"), "{err}");
}

#[test]
fn four_billion_weeks_validate_quickly_and_the_guard_refuses_them() {
    let started = std::time::Instant::now();
    let long = text(&[]).replace("weeks = 3\n", "weeks = 4000000000\n");
    let s = load_str(&long, &LoadOptions::default()).expect("a long horizon is valid in itself");
    assert!(started.elapsed().as_secs() < 5, "validation must not walk the horizon");
    let err = MemoryEstimate::new(&s, None, 2, false).check(24 << 30).unwrap_err();
    assert_eq!(err.largest_households, 0);
    assert!(err.to_string().contains("run fewer weeks or replications"), "{err}");
}

#[test]
fn more_regions_than_a_byte_can_number_are_refused() {
    let mut regions = String::new();
    for g in 0..257 {
        let share = if g == 0 { 1.0 } else { 0.0 };
        regions.push_str(&format!("[[region]]\nname = \"r{g}\"\nhouseholds_share = {share:?}\narea_km2 = 1\n"));
    }
    let many = text(&[]).replace(
        "[[region]]\nname = \"urban\"\nhouseholds_share = 0.4\narea_km2 = 1000\n[[region]]\nname = \"rural\"\nhouseholds_share = 0.6\narea_km2 = 20000\n",
        &regions,
    );
    let err = load_str(&many, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("got 257 [[region]] tables, expected at most 256"), "{err}");
}
